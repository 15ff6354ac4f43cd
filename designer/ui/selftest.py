"""``designer --self-test``: open the bundled sample offscreen, evaluate it, export it in
every format, save it, and exit 0 when all went right (used to check a build)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def run_self_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    # the offscreen platform cannot pass window size hints to a window system: not a defect
    qInstallMessageHandler(lambda mode, ctx, msg: None if "propagateSizeHints" in msg else sys.stderr.write(msg + "\n"))
    app = QApplication.instance() or QApplication(["designer", "--self-test"])  # noqa: F841
    from designer.io import read_design
    from designer.paths import pilot_sample
    from designer.io.exports import FORMATS
    from designer.ui.export.actions import export_to
    from designer.ui.main_window import MainWindow

    problems: list[str] = []
    window = MainWindow(autosave_seconds=3600)
    try:
        window.open_file(pilot_sample())
        window.show()
        QApplication.processEvents()
        ev = window.document.evaluation
        if ev is None:
            problems.append("the sample could not be evaluated")
        elif ev.totals["chips"] != 8 * 144:
            problems.append(f"the sample reports {ev.totals['chips']} chips, expected 1152")
        with tempfile.TemporaryDirectory(prefix="designer-self-test-") as tmp:
            for fmt in (f.name for f in FORMATS):
                out = Path(tmp) / f"self-test.{fmt}"
                try:
                    export_to(window, fmt, out)
                    if out.stat().st_size == 0:
                        problems.append(f"{fmt} export is empty")
                except Exception as exc:  # noqa: BLE001 - report every failure
                    problems.append(f"{fmt} export failed: {exc}")
            saved = Path(tmp) / "self-test.dcplan"
            window.document.save(saved)
            if read_design(saved).name != window.document.design.name:
                problems.append("the saved design did not read back")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        window.document.undo_stack.setClean()
        window.close()
    took = time.perf_counter() - t0
    if problems:
        for p in problems:
            sys.stderr.write(f"designer self-test: {p}\n")
        return 1
    from designer.engine import serve

    passes = "compiled" if serve._allocate is not None else "numpy (the compiled kernel is not built)"
    sys.stdout.write(f"designer self-test passed in {took:.1f} s: sample evaluated "
                     f"({ev.totals['chips']:,} chips), {len(FORMATS)} exports written, saved and read back; "
                     f"allocation passes: {passes}\n")
    return 0
