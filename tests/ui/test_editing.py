"""Editing on the canvas with the Select tool: real widgets, synthetic mouse and keys.

The small test hall (conftest ``small_design``): us1 (racks at x 3.0 and 3.6, y 3.0,
front south) and us2 (same x, y 6.0, front north), cdu1 and net1 beside us1, busways
bw1/bw2 over the two rows, a column at (9.0–9.6, 4.0–4.6), crah1 at (11, 8.5).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from designer.model import Design, Equipment, Hall
from designer.model.layouts import TILE_M

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(open_window, design):
    return open_window(design)


def px(window, x: float, y: float, hall: int = 0) -> QPoint:
    """Viewport pixel of a plan point."""
    return window.plan_view.mapFromScene(window.scene.hall_items[hall].from_plan(x, y))


def click(qtbot, window, x, y, modifier=NONE) -> None:
    qtbot.mouseClick(window.plan_view.viewport(), LEFT, modifier, px(window, x, y))


def drag(qtbot, window, a, b, modifier=NONE, steps: int = 6, release: bool = True) -> None:
    """Press at plan point ``a``, move in steps to ``b``, release there."""
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, modifier, px(window, *a))
    for k in range(1, steps + 1):
        f = k / steps
        qtbot.mouseMove(vp, px(window, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    if release:
        qtbot.mouseRelease(vp, LEFT, modifier, px(window, *b))


def position(window, item_id: str) -> tuple[float, float, float]:
    e = window.design.equipment.get(item_id)
    return e.x, e.y, e.rotation


def key(qtbot, window, k, modifier=NONE) -> None:
    window.plan_view.setFocus()
    qtbot.keyClick(window.plan_view, k, modifier)


def on_grid(v: float) -> bool:
    return abs(v / TILE_M - round(v / TILE_M)) < 1e-6


# ---------------------------------------------------------------- selecting
def test_click_selects_the_whole_ultraserver_alt_click_one_rack(window, qtbot):
    click(qtbot, window, 3.0, 3.3)
    assert window.document.selection == ["us1-r1", "us1-r2"]
    click(qtbot, window, 3.6, 5.7, ALT)
    assert window.document.selection == ["us2-r2"]
    click(qtbot, window, 11.0, 8.5)
    assert window.document.selection == ["crah1"]
    click(qtbot, window, 14.0, 2.0)  # empty floor
    assert window.document.selection == []


def test_ctrl_click_toggles(window, qtbot):
    click(qtbot, window, 4.2, 3.3)
    click(qtbot, window, 3.0, 6.3, CTRL)
    assert window.document.selection == ["net1", "us2-r1", "us2-r2"]
    click(qtbot, window, 3.6, 6.3, CTRL)
    assert window.document.selection == ["net1"]


def test_clicking_the_same_spot_again_reaches_the_busway_over_the_row(window, qtbot):
    click(qtbot, window, 3.0, 3.05)
    assert window.document.selection == ["us1-r1", "us1-r2"]
    click(qtbot, window, 3.0, 3.05)
    assert window.document.selection == ["bw1"]
    click(qtbot, window, 3.0, 3.05)
    assert window.document.selection == ["us1-r1", "us1-r2"]


def test_rubber_band_selects_what_is_inside_or_what_it_touches(window, qtbot):
    # left to right: only what lies wholly inside (us1's racks and net1), whole UltraServers
    drag(qtbot, window, (2.75, 1.8), (4.7, 3.8))
    assert set(window.document.selection) == {"us1-r1", "us1-r2", "net1"}
    # right to left: whatever it touches; a touched rack brings its UltraServer along
    drag(qtbot, window, (3.5, 7.0), (3.2, 5.0))
    assert set(window.document.selection) == {"us2-r1", "us2-r2", "bw2"}
    # Shift adds to the selection
    drag(qtbot, window, (9.5, 7.5), (12.5, 9.5), SHIFT)
    assert set(window.document.selection) == {"us2-r1", "us2-r2", "bw2", "crah1"}


def test_the_selection_is_drawn_outlined(window, qtbot):
    view = window.plan_view
    view.zoom_by(3.0, QPointF(px(window, 3.3, 3.0)))
    at = px(window, 3.0, 2.8)
    edge = px(window, 2.7, 2.8)

    def colour(p: QPoint) -> QColor:
        return view.viewport().grab().toImage().pixelColor(p)

    before, before_edge = colour(at), colour(edge)
    click(qtbot, window, 3.0, 3.3)
    qtbot.waitUntil(lambda: colour(at) != before)
    tinted, outline = colour(at), colour(edge)
    assert tinted.blue() > before.blue() + 15  # a blue tint over the orange rack
    assert outline.blue() > 150 and outline.red() < 120 and before_edge != outline


# ---------------------------------------------------------------- moving
def test_dragging_a_rack_onto_another_overlaps_and_one_undo_restores_it(window, qtbot):
    before = {i: position(window, i) for i in window.design.equipment.ids}
    assert not window.evaluation.violations_of("overlap")
    drag(qtbot, window, (3.0, 5.6), (3.0, 2.6), ALT, release=False)
    # during the drag only a ghost moves: the model is untouched and nothing was pushed
    assert position(window, "us2-r1") == before["us2-r1"]
    assert window.editor.sketch.scene() is window.scene
    assert window.document.undo_stack.count() == 0
    qtbot.mouseRelease(window.plan_view.viewport(), LEFT, ALT, px(window, 3.0, 2.6))
    assert window.editor.sketch.scene() is None
    assert position(window, "us2-r1") == (3.0, 3.0, 180.0)  # snapped onto us1-r1
    assert position(window, "us2-r2") == before["us2-r2"]  # Alt: one rack detached
    assert window.document.undo_stack.count() == 1
    qtbot.waitUntil(lambda: bool(window.evaluation.violations_of("overlap")))
    overlap = window.evaluation.violations_of("overlap")[0]
    assert set(overlap.ids) == {"us1-r1", "us2-r1"}
    window.document.undo_stack.undo()
    assert {i: position(window, i) for i in window.design.equipment.ids} == before  # exactly
    qtbot.waitUntil(lambda: not window.evaluation.violations_of("overlap"))


def test_dragging_moves_the_whole_selection_as_one_step(window, qtbot):
    click(qtbot, window, 3.0, 6.3)  # us2
    drag(qtbot, window, (3.0, 6.3), (3.0 + 6 * TILE_M, 6.3))
    assert position(window, "us2-r1")[:2] == pytest.approx((6.6, 6.0))
    assert position(window, "us2-r2")[:2] == pytest.approx((7.2, 6.0))
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Move"


def test_a_move_lands_on_the_tile_grid(qtbot, open_window):
    design = Design("Grid")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (20, 0), (20, 12), (0, 12))))
    design.equipment.insert([Equipment("crah1", "crah", "A", 4.2, 2.25, 0.0)])  # 2.4 × 0.9, corner (3.0, 1.8)
    window = open_window(design)
    drag(qtbot, window, (4.2, 2.25), (11.37, 6.21))
    x, y, _ = position(window, "crah1")
    assert on_grid(x - 1.2) and on_grid(y - 0.45)  # its south-west corner on a tile corner
    assert abs(x - 11.37) <= TILE_M / 2 + 0.05 and abs(y - 6.21) <= TILE_M / 2 + 0.05


def test_something_off_the_grid_moves_by_whole_tiles(window, qtbot):
    drag(qtbot, window, (11.0, 8.5), (14.37, 6.21))  # crah1: its corner is off the grid
    x, y, _ = position(window, "crah1")
    assert on_grid(x - 11.0) and on_grid(y - 8.5)  # still in line with what it was aligned to
    assert abs(x - 14.37) <= TILE_M / 2 + 0.05 and abs(y - 6.21) <= TILE_M / 2 + 0.05


def test_a_move_near_a_rack_pulls_it_edge_to_edge(window, qtbot):
    # net1's east edge is at 4.5; drop the CDU 0.2 m east of it: it abuts exactly
    drag(qtbot, window, (2.4, 3.3), (4.5 + 0.3 + 0.2, 3.3))
    x, y, _ = position(window, "cdu1")
    assert x == pytest.approx(4.8) and y == pytest.approx(3.0)


def test_with_snapping_off_a_move_follows_the_mouse(window, qtbot):
    window.editor.actions.snap_action.setChecked(False)
    try:
        drag(qtbot, window, (11.0, 8.5), (14.37, 6.21))
        x, y, _ = position(window, "crah1")
        tolerance = 2.0 / window.plan_view.pixels_per_metre()
        assert x == pytest.approx(14.37, abs=tolerance) and y == pytest.approx(6.21, abs=tolerance)
        assert not (on_grid(x - 1.2) and on_grid(y - 0.45))
    finally:
        window.editor.actions.snap_action.setChecked(True)


def test_a_selected_busway_is_resized_by_its_end(window, qtbot):
    click(qtbot, window, 4.8, 6.0)  # bw2 runs 2.0 → 5.0 along y = 6, east of the racks
    assert window.document.selection == ["bw2"]
    drag(qtbot, window, (5.0, 6.0), (7.8, 6.0))
    e = window.design.equipment.get("bw2")
    assert (e.x, e.y) == (2.0, 6.0) and e.end == pytest.approx((7.8, 6.0))
    assert window.document.undo_stack.undoText() == "Resize busway"


# ---------------------------------------------------------------- keys and the Edit menu
def test_r_rotates_the_selection_and_undo_turns_it_back(window, qtbot):
    click(qtbot, window, 3.0, 3.3)
    key(qtbot, window, Qt.Key.Key_R)
    t = window.design.equipment
    assert [t.get(i).rotation for i in ("us1-r1", "us1-r2")] == [90.0, 90.0]
    # turned as one group about its centre: the two racks now stand one behind the other
    assert position(window, "us1-r1")[:2] == pytest.approx((3.3, 2.7))
    assert position(window, "us1-r2")[:2] == pytest.approx((3.3, 3.3))
    window.editor.actions.rotate_back_action.trigger()
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert position(window, "us1-r1") == (3.0, 3.0, 0.0)


def test_rotating_a_rack_on_the_grid_keeps_it_on_the_grid(qtbot, open_window):
    design = Design("Grid")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (12, 0), (12, 12), (0, 12))))
    design.equipment.insert([Equipment("net1", "network-rack", "A", 3.3, 3.6, 0.0)])  # corner (3.0, 3.0)
    window = open_window(design)
    window.document.select(["net1"])
    window.editor.actions.rotate_action.trigger()
    x, y, rot = position(window, "net1")
    assert rot == 90.0 and on_grid(x - 0.6) and on_grid(y - 0.3)


def test_delete_removes_and_undo_puts_back(window, qtbot):
    qtbot.waitUntil(lambda: window.evaluation.totals["racks"] == 4)
    click(qtbot, window, 3.0, 6.3)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert "us2-r1" not in window.design.equipment and "us2-r2" not in window.design.equipment
    assert window.document.selection == []
    qtbot.waitUntil(lambda: window.evaluation.totals["racks"] == 2)
    window.document.undo_stack.undo()
    assert position(window, "us2-r1") == (3.0, 6.0, 180.0)
    assert window.design.equipment.get("us2-r2").system == "us2"
    qtbot.waitUntil(lambda: window.evaluation.totals["racks"] == 4)


def test_copy_and_paste_under_the_cursor_with_new_ids(window, qtbot):
    click(qtbot, window, 3.0, 3.3)
    key(qtbot, window, Qt.Key.Key_C, CTRL)
    qtbot.mouseMove(window.plan_view.viewport(), px(window, 14.0, 3.0))
    key(qtbot, window, Qt.Key.Key_V, CTRL)
    t = window.design.equipment
    new = window.document.selection
    assert new == ["us3-r1", "us3-r2"]
    assert {t.get(i).system for i in new} == {"us3"}
    (x1, y1, _), (x2, _, _) = position(window, "us3-r1"), position(window, "us3-r2")
    assert x2 - x1 == pytest.approx(0.6)
    assert abs((x1 + x2) / 2 - 14.0) <= TILE_M / 2 + 1e-6 and abs(y1 - 3.0) <= TILE_M / 2 + 1e-6
    assert on_grid(x1 - 0.3) and on_grid(y1 - 0.6)
    assert window.document.undo_stack.count() == 1 and window.document.undo_stack.undoText() == "Paste"
    # the clipboard also holds a table a spreadsheet reads
    assert QApplication.clipboard().text().splitlines()[1].startswith("us1-r1\ttrn3-gen2-rack\tA\t3")
    window.document.undo_stack.undo()
    assert "us3-r1" not in t


def test_cut_then_paste_moves_by_way_of_the_clipboard(window, qtbot):
    click(qtbot, window, 4.2, 3.3)
    window.editor.actions.cut_action.trigger()
    assert "net1" not in window.design.equipment
    window.plan_view.hover_pos = None  # pasted from the menu: one tile from where it was
    window.editor.actions.paste_action.trigger()
    assert window.document.selection == ["net1"]  # its id was free again
    x, y, _ = position(window, "net1")
    assert (x, y) == pytest.approx((4.2 + 0.6, 3.0 - 0.6))


def test_ctrl_d_duplicates_one_tile_away(window, qtbot):
    click(qtbot, window, 3.0, 6.3)
    key(qtbot, window, Qt.Key.Key_D, CTRL)
    assert window.document.selection == ["us3-r1", "us3-r2"]
    assert position(window, "us3-r1") == (pytest.approx(3.6), pytest.approx(5.4), 180.0)
    assert window.design.equipment.get("us3-r2").system == "us3"
    assert window.document.undo_stack.undoText() == "Duplicate"


def test_arrow_nudges_merge_into_one_undo_step_per_burst(window, qtbot):
    click(qtbot, window, 3.0, 6.3)
    stack = window.document.undo_stack
    for _ in range(3):
        key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Up, SHIFT)  # Shift: a tenth of a metre
    assert position(window, "us2-r1")[:2] == pytest.approx((3.0 + 3 * 0.6, 6.1))
    assert stack.count() == 1 and stack.undoText() == "Nudge"
    window.editor.keyboard.end_nudge_burst()  # a pause: the next press is a new step
    key(qtbot, window, Qt.Key.Key_Left)
    assert stack.count() == 2
    stack.undo()
    assert position(window, "us2-r1")[:2] == pytest.approx((4.8, 6.1))
    stack.undo()
    assert position(window, "us2-r1") == (3.0, 6.0, 180.0)  # exactly where it was


def test_escape_clears_the_selection(window, qtbot):
    click(qtbot, window, 3.0, 6.3)
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.document.selection == []


def test_edit_actions_are_in_the_edit_menu_and_follow_the_selection(window, qtbot):
    texts = [a.text() for a in window.edit_menu.actions()]
    for name in ("Cu&t", "&Copy", "&Paste", "D&uplicate", "&Delete", "&Rotate 90° Left", "Select &All"):
        assert name in texts
    editor = window.editor
    assert editor.actions.rotate_action.shortcut().toString() == "R"
    assert editor.actions.duplicate_action.shortcut().toString() == "Ctrl+D"
    assert not editor.actions.delete_action.isEnabled()
    click(qtbot, window, 3.0, 6.3)
    assert editor.actions.delete_action.isEnabled() and editor.actions.rotate_action.isEnabled()
    editor.actions.select_all_action.trigger()
    assert len(window.document.selection) == len(window.design.equipment)


# ---------------------------------------------------------------- scale
def test_a_campus_of_16000_racks_edits_with_a_handful_of_items(qtbot, open_window):
    from tests.ui.test_plan_view import campus

    design = campus()
    window = open_window(design)
    scene = window.scene
    first = window.design.equipment.ids[0]
    window.plan_view.zoom_by(40.0, QPointF(px(window, 3.0, 3.0)))
    click(qtbot, window, 3.0, 3.0)
    assert window.document.selection == [first, window.design.equipment.ids[1]]
    window.editor.actions.select_all_action.trigger()
    assert len(window.document.selection) == 16000
    x0 = window.design.equipment.x.copy()
    drag(qtbot, window, (3.0, 3.0), (3.0 + 2 * TILE_M, 3.0), release=False)
    # the selection outline and one ghost: never an item per rack
    assert len(scene.items()) <= 2 * len(design.halls) + 2
    qtbot.mouseRelease(window.plan_view.viewport(), LEFT, NONE, px(window, 3.0 + 2 * TILE_M, 3.0))
    moved = window.design.equipment.x - x0
    hall0 = window.design.equipment.hall_code == window.design.equipment.halls.codes["H0"]
    assert np.allclose(moved[hall0], 1.2) and np.allclose(moved[~hall0], 0.0)  # the pressed hall's racks
    assert window.document.undo_stack.count() == 1


def test_undo_and_redo_bring_back_the_selection(window, qtbot):
    """Paste selects the pasted racks; undo returns to what was selected before the
    paste, redo to the pasted racks again."""
    doc = window.document
    doc.select(["us1-r1", "us1-r2"])
    before = list(doc.selection)
    from designer.ui.tools.clipboard import put_items

    put_items([window.design.equipment.get(i) for i in before])
    window.editor.clipboard.paste()
    pasted = list(doc.selection)
    assert pasted and set(pasted).isdisjoint(before)
    doc.undo_stack.undo()
    assert doc.selection == before
    doc.undo_stack.redo()
    assert doc.selection == pasted


def test_dragging_an_ultraserver_into_another_hall_moves_it_there_in_one_undo_step(open_window, design, qtbot):
    """Hall B (its own 20 × 10 m frame) stands east of hall A. The UltraServer dropped
    in B keeps its place under the cursor, in B's coordinates; undo brings it back."""
    design.halls.append(Hall("B", "Hall B", ((0, 0), (20, 0), (20, 10), (0, 10))))
    window = open_window(design)
    window.plan_view.fit()
    doc = window.document
    before = {i: position(window, i) for i in ("us1-r1", "us1-r2")}
    vp = window.plan_view.viewport()
    start = px(window, 3.0, 3.0, hall=0)            # on us1-r1
    end = px(window, 10.0, 5.0, hall=1)             # open floor of hall B
    qtbot.mousePress(vp, LEFT, NONE, start)
    for k in range(1, 9):
        f = k / 8
        qtbot.mouseMove(vp, QPoint(round(start.x() + f * (end.x() - start.x())),
                                   round(start.y() + f * (end.y() - start.y()))))
    qtbot.mouseRelease(vp, LEFT, NONE, end)
    t = window.design.equipment
    assert {e.hall for e in (t.get("us1-r1"), t.get("us1-r2"))} == {"B"}
    x1, y1, _ = position(window, "us1-r1")
    x2, y2, _ = position(window, "us1-r2")
    cursor_b = window.scene.hall_items[1].to_plan(window.plan_view.mapToScene(end))
    assert x1 == pytest.approx(cursor_b[0], abs=0.35) and y1 == pytest.approx(cursor_b[1], abs=0.35)  # snapped
    assert (x2 - x1, y2 - y1) == pytest.approx((0.6, 0.0))   # side by side, as they were
    qtbot.waitUntil(lambda: window.evaluation is not None and
                    len(window.evaluation.items.status) == len(window.design.equipment))
    assert doc.undo_stack.undoText().startswith("Move to Hall B")
    doc.undo_stack.undo()
    assert {t.get(i).hall for i in before} == {"A"}
    assert {i: position(window, i) for i in before} == before
