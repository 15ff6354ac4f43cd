"""The app's collector settings (designer/ui/heap.py): a drag on an open design does not
walk the design's objects again."""

from __future__ import annotations

import gc

from designer.model.commands import move_items
from designer.ui import heap
from designer.ui.main_window import MainWindow


def test_an_open_design_is_frozen_out_of_the_collectors_way_and_thawed_when_replaced(qtbot, full_hall_path):
    heap.enable()
    try:
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        window = MainWindow()
        qtbot.addWidget(window)
        window.open_file(str(full_hall_path))
        heap.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000            # the design, its evaluation and the window's objects
        # a drag step allocates fewer objects than a young pass waits for (Python's
        # defaults: six passes in these five steps on this hall)
        doc = window.document
        t = doc.design.equipment
        ids = [t.ids[r] for r in range(len(t)) if t.system_code[r] >= 0][:2]
        passes = []
        gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "stop" else None)
        try:
            for step in range(5):
                move_items(doc.design, ids, 0.6 if step % 2 == 0 else -0.6, 0.0).apply(doc.design)
                doc.evaluate_pending()
        finally:
            gc.callbacks.pop()
        assert len(passes) <= 1 and 2 not in passes
        window.open_file(str(full_hall_path))   # another design: thawed first
        assert gc.get_freeze_count() == 0
    finally:
        heap.disable()
    assert gc.get_threshold()[0] == 700 and gc.get_freeze_count() == 0
