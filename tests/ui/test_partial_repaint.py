"""A drag repaints only the floor its racks left and entered (hall_item's partial
rebuild). What is on screen afterwards must be exactly what a full repaint draws."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from designer.io import read_design
from designer.model.commands import move_items
from designer.paths import examples_dir as samples_dir


def _pixels(view) -> np.ndarray:
    img = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    raw = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return raw[:, :img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)


@pytest.mark.parametrize("mode", ["type", "status"])
def test_a_dragged_ultraserver_leaves_the_screen_as_a_full_repaint_draws_it(open_window, qtbot, mode):
    design = read_design(samples_dir() / "full-hall.dcplan")
    window = open_window(design)
    window.view_toolbar.set_colour_mode(mode)
    view, scene, document = window.plan_view, window.scene, window.document
    t = design.equipment
    first = next(r for r in range(len(t)) if t.system_code[r] >= 0)
    ids = design.system_members(t.systems[int(t.system_code[first])])
    window.hall_list.zoom_to_hall(t.halls[int(t.hall_code[first])])
    view.viewport().repaint()
    for k in range(1, 9):  # out into the aisle (a violation: status colours change) and back
        d = 1 if k < 6 else -1
        move_items(design, ids, d * 1.1, d * 0.9).apply(design)
        document.evaluate_pending()
        qtbot.wait(1)
        view.viewport().repaint()
    incremental = _pixels(view)
    scene.rebuild()
    scene.set_evaluation(document.evaluation)
    view.viewport().repaint()
    fresh = _pixels(view)
    diff = np.abs(incremental - fresh).max(axis=2)
    assert int((diff > 40).sum()) == 0
    assert abs(float(t.x[first]) - float(read_design(samples_dir() / "full-hall.dcplan").equipment.x[first])) > 0.5
