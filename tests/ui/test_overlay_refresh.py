"""Overlays follow a drag at most 10 times a second, all of a scene's together: one
repaint of the view for all of them (each on its own timer, they repainted it several
times as often)."""

from __future__ import annotations

import time

from designer.model.commands import move_items
from designer.ui.main_window import MainWindow


def test_the_overlays_of_a_scene_are_redone_together_during_a_drag(qtbot, full_hall_path):
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_file(str(full_hall_path))
    window.show()
    for kind in ("heat", "cables", "clearances"):
        window.view_toolbar.overlay_actions[kind].trigger()
    window.plan_view.viewport().repaint()
    qtbot.waitUntil(lambda: not window.updates_pending(), timeout=5000)
    doc = window.document
    t = doc.design.equipment
    ids = doc.design.system_members(t.systems[int(t.system_code[next(r for r in range(len(t))
                                                                      if t.system_code[r] >= 0)])])
    (hall,) = window.scene.hall_items[:1]
    redone: list[tuple[float, float, str]] = []   # (start, end, overlay) of each redo
    for kind, overlay in hall.overlays.items():
        real = overlay.invalidate

        def spy(real=real, kind=kind):
            start = time.monotonic()
            real()
            redone.append((start, time.monotonic(), kind))
        overlay.invalidate = spy
    start = time.monotonic()
    for step in range(12):   # a drag: a move and an evaluation every ~20 ms
        move_items(doc.design, ids, 0.6 if step % 2 == 0 else -0.6, 0.0).apply(doc.design)
        doc.evaluate_pending()
        qtbot.wait(20)
    qtbot.waitUntil(lambda: not window.updates_pending(), timeout=5000)
    elapsed = time.monotonic() - start
    assert redone
    # redos one after the other (each starting within 5 ms of the last one's end, however
    # long a loaded machine takes over each): one batch; batches are a drag step or the
    # 10-a-second timer apart (20 ms and more)
    batches: list[set[str]] = []
    last = None
    for start, end, kind in sorted(redone):
        if last is None or start - last > 0.005:
            batches.append(set())
        batches[-1].add(kind)
        last = end
    # every time overlays were redone, all that waited were, together, not more than 10
    # times a second: all three, or (the evaluation of a step arriving after its move had
    # been served, on a loaded machine) the two that also follow the evaluation; the heat
    # map follows the moves alone and is never redone on its own
    assert all(kinds in ({"heat", "cables", "clearances"}, {"cables", "clearances"}) for kinds in batches), batches
    assert len(batches) <= elapsed * 10 + 1
