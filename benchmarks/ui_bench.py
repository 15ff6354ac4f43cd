"""Benchmark the canvas on the 1M-chip campus, headless; print a table of medians.

    python -m benchmarks.generate       # once: writes benchmarks/out/campus-1m.dcplan
    QT_QPA_PLATFORM=offscreen python -m benchmarks.ui_bench [--repeat 5] [--steps 30]

Rows:

* **open** — ``MainWindow(design)`` → ``show()`` → first paint of the plan processed
  (process start, imports and reading the file excluded; the read is its own row).
  With overlays: the same, then every overlay switched on and the plan painted again.
* **drag** — one UltraServer dragged with the mouse: press on its first rack, then per
  step a mouse-move event through the view's viewport (the editor moves its ghost),
  *and* the live re-evaluation a planner sees: the model move applied
  (``move_items`` → ``SetPlacements.apply``), ``Document.evaluate_pending()`` (engine,
  totals, docks, colours, overlays), then the posted events processed — the plan is
  painted once (``viewport().repaint()`` if the event loop did not paint it) and the
  docks repaint what changed. Wall time and this process's CPU time per step (the
  CPU column does not grow when other processes share the machine).
  Measured zoomed onto the UltraServer's hall and with the whole campus on screen
  (there the mouse only hovers: a press at 0.4 px/m picks nothing useful), with the
  default plan and with all five overlays on and racks coloured by status; with the
  default docks, and with every dock hidden (the plan and the engine alone). The docks'
  text and the overlays follow a drag at most 10 times a second, the charts 4 times
  (the engine still evaluates every step); two more rows redo the docks' text on every
  step.
* **pan / zoom** — one pan step zoomed onto a hall, one wheel notch with the whole
  campus on screen, each followed by a synchronous repaint.

Targets (issue 18): opening the campus to a shown window (reading the file included)
≤ 1 s; a drag step ≤ 16 ms median and ≤ 33 ms at its slowest 5 % (p95), with the docks
shown and all overlays on; the app's memory with the campus open ≤ 500 MB (resident
set, measured after the open runs). The machine may be shared: quote medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the default window layout, not the user's remembered one (QSettings follows XDG on Linux)
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="designer-bench-")

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.generate import OUT, generate  # noqa: E402
from designer.io import read_design  # noqa: E402
from designer.model.commands import move_items  # noqa: E402
from designer.ui.canvas.overlays import OVERLAYS  # noqa: E402

OPEN_TARGET_S = 1.0
STEP_TARGET_MS = 16.0
STEP_P95_TARGET_MS = 33.0
MEMORY_TARGET_MB = 500.0


def resident_mb() -> float:
    """This process's resident memory now (Linux ``/proc``; elsewhere its peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 1024.0)


def p95(values) -> float:
    """The 95th percentile (the slowest 5 % of steps are at or above it)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def campus_path():
    path = OUT / "campus-1m.dcplan"
    if not path.exists():
        generate()
    return path


def median(values) -> float:
    return statistics.median(values)


def new_window(design):
    from designer.ui import settings
    from designer.ui.main_window import MainWindow

    settings.forget("window")  # the default layout every time (not the last run's hidden docks)
    settings.forget("view")    # and the default colours, no overlays
    window = MainWindow(design)
    window.resize(1600, 1000)
    return window


def _heap():
    """designer.ui.heap, or None in a checkout from before it (a ``--baseline`` run with
    ``PYTHONPATH`` set to another tree)."""
    try:
        from designer.ui import heap
    except ImportError:
        return None
    return heap


def close(window) -> None:
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    if _heap() is not None:
        _heap().thaw()   # (the next run starts from a heap the collector sees whole)


def first_paint(window) -> None:
    """Show the window and return once its plan has been painted."""
    window.show()
    QApplication.processEvents()
    window.plan_view.viewport().repaint()


def settled(window) -> None:
    """What the app does a moment after showing a design (designer.ui.heap): collect once
    and freeze what survives. (Not part of the open figure: the window is shown by then.)"""
    if _heap() is not None:
        _heap().settle()


def bench_open(path, repeat: int) -> dict:
    app = QApplication.instance()
    reads, opens, overlay_opens, memory = [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        design = read_design(path)
        reads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        window = new_window(design)
        first_paint(window)
        opens.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for kind in OVERLAYS:
            window.view_toolbar.overlay_actions[kind].trigger()
        window.view_toolbar.set_colour_mode("status")
        app.processEvents()
        window.plan_view.viewport().repaint()
        overlay_opens.append(time.perf_counter() - t0)
        memory.append(resident_mb())   # (the campus open, every overlay drawn)
        close(window)
    return {"read": median(reads), "open": median(opens), "overlays": median(overlay_opens),
            "total": median([r + o for r, o in zip(reads, opens)]), "memory_mb": max(memory),
            "halls": len(design.halls), "items": len(design.equipment)}


class PaintCounter(QObject):
    """Counts the paint events of a widget (to know a step's changes reached the screen)."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def settle_and_paint(view, painted: PaintCounter) -> None:
    """Deliver what the step posted (the scene's updates, the docks' repaints) and make
    sure the plan was painted once; without a paint from the event loop, repaint now."""
    before = painted.count
    QApplication.processEvents()
    if painted.count == before:
        view.viewport().repaint()


def _mouse(view, kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, view.viewport().mapToGlobal(pos), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def hide_docks(window) -> None:
    """Hide every dock (metrics, problems, inspector, totals, …): the plan alone."""
    from PySide6.QtWidgets import QDockWidget

    for dock in window.findChildren(QDockWidget):
        dock.hide()


def bench_drag(path, steps: int, overlays: bool, whole_campus: bool, docks: bool = True,
               text_every_step: bool = False) -> dict:
    """Median ms per step of a live drag of one UltraServer (see the module docstring)."""
    app = QApplication.instance()
    design = read_design(path)
    window = new_window(design)
    if text_every_step:  # the docks' text (tiles, totals, inspector) at every evaluation
        for throttle in (window._totals_throttle, window.metrics._tiles_throttle, window.inspector._throttle):
            throttle.interval_s = 0.0
    if not docks:
        hide_docks(window)
    first_paint(window)
    settled(window)
    if overlays:
        for kind in OVERLAYS:
            window.view_toolbar.overlay_actions[kind].trigger()
        window.view_toolbar.set_colour_mode("status")
    view, scene, document = window.plan_view, window.scene, window.document
    t = design.equipment
    hall = design.halls[len(design.halls) // 2]
    code = t.halls.codes[hall.id]
    first = next(r for r in range(len(t)) if t.hall_code[r] == code and t.system_code[r] >= 0)
    ids = design.system_members(t.systems[int(t.system_code[first])])
    item = scene.hall_item(hall.id)
    if whole_campus:
        view.fit()
    else:
        window.hall_list.zoom_to_hall(hall.id)
    app.processEvents()
    view.viewport().repaint()
    x0, y0 = float(t.x[first]), float(t.y[first])
    start = QPointF(view.mapFromScene(item.from_plan(x0, y0)))
    step_m = 0.6
    ppm = view.pixels_per_metre()
    buttons = Qt.MouseButton.NoButton
    if not whole_campus:
        buttons = Qt.MouseButton.LeftButton
        _mouse(view, QEvent.Type.MouseButtonPress, start, buttons)
    painted = PaintCounter(view.viewport())
    times, cpu = [], []
    offset = 0
    for k in range(1, steps + 1):
        direction = 1 if (k - 1) // 10 % 2 == 0 else -1  # to and fro along the row
        offset += direction
        t0, c0 = time.perf_counter(), time.process_time()
        _mouse(view, QEvent.Type.MouseMove, start + QPointF(offset * step_m * ppm, 0.0), buttons)
        move_items(design, ids, direction * step_m, 0.0).apply(design)
        document.evaluate_pending()
        settle_and_paint(view, painted)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if not whole_campus:
        _mouse(view, QEvent.Type.MouseButtonRelease, start, Qt.MouseButton.NoButton)
    close(window)
    return {"step_ms": median(times) * 1000.0, "cpu_ms": median(cpu) * 1000.0, "worst_ms": max(times) * 1000.0,
            "p95_ms": p95(times) * 1000.0, "ppm": ppm, "times_ms": [x * 1000.0 for x in times]}


def bench_pan_zoom(path, repeat: int) -> dict:
    app = QApplication.instance()
    design = read_design(path)
    window = new_window(design)
    first_paint(window)
    view = window.plan_view
    hall = design.halls[len(design.halls) // 2]
    results = {}
    for label, overlays in (("plain", False), ("overlays", True)):
        if overlays:
            for kind in OVERLAYS:
                window.view_toolbar.overlay_actions[kind].trigger()
            window.view_toolbar.set_colour_mode("status")
        window.hall_list.zoom_to_hall(hall.id)
        app.processEvents()
        view.viewport().repaint()
        pans = []
        for k in range(repeat * 4):
            t0 = time.perf_counter()
            view.pan_by(40.0 if k % 8 < 4 else -40.0, 0.0)
            view.viewport().repaint()
            pans.append(time.perf_counter() - t0)
        view.fit()
        app.processEvents()
        view.viewport().repaint()
        zooms = []
        centre = QPointF(view.viewport().rect().center())
        for k in range(repeat * 2):
            notch = 120 if k % 2 == 0 else -120
            event = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, notch),
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                Qt.ScrollPhase.NoScrollPhase, False)
            t0 = time.perf_counter()
            QApplication.sendEvent(view.viewport(), event)
            view.viewport().repaint()
            zooms.append(time.perf_counter() - t0)
        results[label] = (median(pans) * 1000.0, median(zooms) * 1000.0)
    close(window)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs of the open benchmark (median)")
    ap.add_argument("--steps", type=int, default=30, help="mouse-move steps per drag (median)")
    args = ap.parse_args()
    if _heap() is not None:
        _heap().enable()   # the app's collector settings (designer.ui.run_app does the same)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Designer-bench")  # keep the user's window layout out of it
    app.setOrganizationName("Designer-bench")
    path = campus_path()
    opened = bench_open(path, args.repeat)
    drags = {(o, w, True): bench_drag(path, args.steps, o, w) for o in (False, True) for w in (False, True)}
    drags.update({(o, w, False): bench_drag(path, args.steps, o, w, docks=False) for o in (False, True)
                  for w in (False, True)})
    # plain drags with the docks' text (tiles, totals, inspector) redone on every step,
    # instead of at most 10 times a second (the charts and the hall list stay at 4)
    every_step = {w: bench_drag(path, args.steps, False, w, text_every_step=True) for w in (False, True)}
    pan_zoom = bench_pan_zoom(path, args.repeat)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER"

    print(f"1M-chip campus: {opened['halls']} halls, {opened['items']:,} items "
          f"(QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}, medians)")
    print(f"{'measure':<58}{'median':>12}{'target':>10}{'':>6}")
    print(f"{'read the file':<58}{opened['read'] * 1000:>9.0f} ms{'':>10}")
    print(f"{'  MainWindow(design) → show → first paint':<58}{opened['open'] * 1000:>9.0f} ms{'':>10}")
    print(f"{'open the campus: read + window + first paint':<58}{opened['total'] * 1000:>9.0f} ms"
          f"{OPEN_TARGET_S * 1000:>7.0f} ms{verdict(opened['total'] <= OPEN_TARGET_S):>6}")
    print(f"{'  then all overlays on + status colours, painted':<58}{opened['overlays'] * 1000:>9.0f} ms")
    print(f"{'memory (resident) with the campus open, overlays drawn':<58}{opened['memory_mb']:>9.0f} MB"
          f"{MEMORY_TARGET_MB:>7.0f} MB{verdict(opened['memory_mb'] <= MEMORY_TARGET_MB):>6}")
    print(f"{'drag steps':<58}{'median':>12}{'target':>10}{'':>6}{'p95':>9}{'target':>10}")

    def drag_line(label: str, r: dict) -> str:
        return (f"{label:<58}{r['step_ms']:>9.1f} ms{STEP_TARGET_MS:>7.0f} ms{verdict(r['step_ms'] <= STEP_TARGET_MS):>6}"
                f"{r['p95_ms']:>6.0f} ms{STEP_P95_TARGET_MS:>7.0f} ms{verdict(r['p95_ms'] <= STEP_P95_TARGET_MS):>6}"
                f"   (CPU {r['cpu_ms']:.1f} ms, worst {r['worst_ms']:.0f} ms, {r['ppm']:.2f} px/m)")

    for (overlays, whole, docks), r in drags.items():
        where = "whole campus" if whole else "its hall"
        what = "all overlays + status" if overlays else "plain"
        print(drag_line(f"drag step: {where}, {what}, {'with docks' if docks else 'docks hidden'}", r))
    for whole, r in every_step.items():
        print(drag_line(f"drag step: {'whole campus' if whole else 'its hall'}, plain, docks' text every step", r))
    for label, (pan, zoom) in pan_zoom.items():
        print(f"{'pan step (zoomed onto a hall), ' + label:<58}{pan:>9.1f} ms")
        print(f"{'wheel notch (whole campus), ' + label:<58}{zoom:>9.1f} ms")


if __name__ == "__main__":
    main()
