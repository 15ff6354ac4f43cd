"""Halls and the campus (issues 14 and 17): add a rectangular hall of a typed size,
duplicate, rename and delete halls from the Halls dock; drag a hall on the campus or type
its origin; a hall double-clicked (in the list or on the plan) shows in the Inspector;
hall titles never overlap; the Outline tool keeps right angles with Shift and takes
typed lengths. Real widgets, synthetic mouse and key events; one undo step per edit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QTreeWidgetItem

from designer.model import Design, Equipment, Hall
from designer.ui.docks.halls import HallSizeDialog

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def rect(x0, y0, x1, y1):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def three_halls() -> Design:
    """Halls A (30 × 20 m, two racks), B (20 × 12 m) and C (24 × 16 m), side by side."""
    d = Design("Campus test")
    d.halls += [Hall("A", "Hall A", rect(0, 0, 30, 20)), Hall("B", "Hall B", rect(0, 0, 20, 12)),
                Hall("C", "Hall C", rect(0, 0, 24, 16))]
    d.equipment.insert([Equipment("us1-r1", "trn3-gen2-rack", "A", 6.0, 6.0, 0.0, "us1"),
                        Equipment("us1-r2", "trn3-gen2-rack", "A", 6.6, 6.0, 0.0, "us1")])
    return d


@pytest.fixture
def window(open_window):
    w = open_window(three_halls())
    w.hall_list_dock.show()
    w.hall_list_dock.raise_()
    w.hall_list.refresh()
    return w


def px(window, hall_id: str, x: float, y: float) -> QPoint:
    return window.plan_view.mapFromScene(window.scene.hall_item(hall_id).from_plan(x, y))


def row_of(window, hall_id: str) -> QTreeWidgetItem:
    tree = window.hall_list.tree
    return next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == hall_id)


# ====================================================================== the Halls dock
def test_a_hall_of_a_typed_width_and_depth_is_added_listed_and_undone(window, qtbot):
    dialog = HallSizeDialog(window)
    dialog.width_spin.setValue(36.0)
    dialog.depth_spin.setValue(24.6)
    dialog.name_edit.setText("Spine room")
    assert dialog.values() == (36.0, 24.6, "Spine room")
    hall_id = window.hall_list.add_hall(*dialog.values())
    design = window.design
    assert hall_id == "D" and design.hall_ids() == ["A", "B", "C", "D"]
    hall = design.hall("D")
    assert hall.name == "Spine room" and hall.outline == ((0, 0), (36.0, 0), (36.0, 24.6), (0, 24.6))
    assert hall.area() == pytest.approx(885.6)
    assert row_of(window, "D").text(0) == "Spine room"
    assert window.scene.hall_item("D") is not None
    assert "Added Spine room: 36 × 24.6 m" in window.statusBar().currentMessage()
    window.document.undo_stack.undo()
    assert design.hall_ids() == ["A", "B", "C"]


def test_a_hall_size_beyond_a_kilometre_is_refused_with_a_message(window):
    assert window.hall_list.add_hall(1200, 30) is None
    assert window.design.hall_ids() == ["A", "B", "C"]
    assert "at most 1,000 m" in window.statusBar().currentMessage()


def test_duplicate_rename_and_delete_a_hall_from_the_list(window, qtbot):
    panel = window.hall_list
    design = window.design
    panel.select_hall_row("A")
    panel.duplicate_action.trigger()
    assert design.hall_ids() == ["A", "B", "C", "D"]
    copy = [e for e in design.equipment if e.hall == "D"]
    assert len(copy) == 2 and {e.system for e in copy} != {"us1"} and len({e.system for e in copy}) == 1
    # rename in place: the name cell edited
    row_of(window, "B").setText(0, "Network hall")
    assert design.hall("B").name == "Network hall"
    assert window.document.undo_stack.undoText() == "Rename hall"
    row_of(window, "B").setText(0, "   ")  # empty: refused, the old name shown again
    assert design.hall("B").name == "Network hall" and row_of(window, "B").text(0) == "Network hall"
    # delete (one undo step, the racks too)
    panel.select_hall_row("D")
    panel.delete_action.trigger()
    assert design.hall_ids() == ["A", "B", "C"] and len(design.equipment) == 2
    window.document.undo_stack.undo()
    assert design.hall_ids() == ["A", "B", "C", "D"] and len(design.equipment) == 4


def test_the_last_hall_cannot_be_deleted(open_window):
    window = open_window()  # one hall
    panel = window.hall_list
    panel.refresh()
    panel.select_hall_row("A")
    assert not panel.delete_action.isEnabled()
    assert not panel.delete_hall("A")
    assert window.design.hall_ids() == ["A"]


def test_the_lists_context_menu_offers_the_hall_edits(window):
    panel = window.hall_list
    rect_b = panel.tree.visualItemRect(row_of(window, "B"))
    menu = panel.menu_at(rect_b.center())
    names = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert names == ["Zoom to Hall", "Hall Properties", "Rename", "Duplicate", "Delete", "Add Hall…"]
    assert panel.current_hall_id() == "B"


# ====================================================================== halls in the Inspector
def test_double_clicking_a_hall_in_the_list_shows_it_in_the_inspector(window, qtbot):
    window.document.select(["us1-r1"])
    tree = window.hall_list.tree
    at = tree.visualItemRect(row_of(window, "C")).center()
    qtbot.mouseClick(tree.viewport(), LEFT, NONE, at)  # a double-click starts with a press
    qtbot.mouseDClick(tree.viewport(), LEFT, NONE, at)
    pick = window.inspector.design_page.hall_box.hall_pick
    assert window.document.selection == []
    assert pick.currentData() == "C"
    assert window.inspector.design_page.hall_box.hall_name_edit.text() == "Hall C"
    assert window.inspector_dock.isVisible()


def test_double_clicking_a_halls_floor_on_the_plan_shows_it_in_the_inspector(window, qtbot):
    window.plan_view.fit()
    qtbot.mouseDClick(window.plan_view.viewport(), LEFT, NONE, px(window, "B", 10, 6))
    box = window.inspector.design_page.hall_box
    assert box.hall_pick.currentData() == "B" and box.hall_name_edit.text() == "Hall B"
    qtbot.mouseDClick(window.plan_view.viewport(), LEFT, NONE, px(window, "A", 20, 15))
    assert box.hall_pick.currentData() == "A"


# ====================================================================== the campus
def test_dragging_a_halls_title_moves_it_on_the_campus_in_one_undo_step(window, qtbot):
    view, design = window.plan_view, window.design
    view.fit()
    start = design.hall_offsets()["B"]
    assert start == (40.0, 0.0)  # 10 m east of A
    title = window.scene.hall_item("B").title.handle_scene_rect(view.pixels_per_metre())
    grab = title.center()
    ppm = view.pixels_per_metre()
    vp = view.viewport()
    a = view.mapFromScene(grab)
    qtbot.mousePress(vp, LEFT, NONE, a)
    target = grab + QPointF(7.9, -31.1)  # 7.9 m east, 31.1 m north
    for k in range(1, 7):
        qtbot.mouseMove(vp, view.mapFromScene(grab + (target - grab) * (k / 6)))
    assert window.scene.hall_item("B").pos().y() < 0  # it follows the cursor
    count = window.document.undo_stack.count()
    qtbot.mouseRelease(vp, LEFT, NONE, view.mapFromScene(target))
    assert window.document.undo_stack.count() == count + 1
    ox, oy = design.hall("B").origin
    tol = 1.5 / ppm + 0.3  # a pixel's rounding, then whole 0.6 m tiles
    assert ox == pytest.approx(start[0] + 7.9, abs=tol) and oy == pytest.approx(31.1, abs=tol)
    assert round(ox / 0.6, 6) == round(ox / 0.6) and round(oy / 0.6, 6) == round(oy / 0.6)  # on the grid
    item = window.scene.hall_item("B")  # rebuilt at its origin
    assert (item.pos().x(), -item.pos().y()) == (ox, oy)
    assert "Moved Hall B" in window.statusBar().currentMessage()
    window.document.undo_stack.undo()
    assert design.hall("B").origin is None and design.hall_offsets()["B"] == (40.0, 0.0)


def test_escape_puts_a_dragged_hall_back(window, qtbot):
    view = window.plan_view
    view.fit()
    grab = window.scene.hall_item("C").title.handle_scene_rect(view.pixels_per_metre()).center()
    vp = view.viewport()
    before = window.scene.hall_item("C").pos()
    qtbot.mousePress(vp, LEFT, NONE, view.mapFromScene(grab))
    qtbot.mouseMove(vp, view.mapFromScene(grab + QPointF(20, 20)))
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert window.scene.hall_item("C").pos() == before
    qtbot.mouseRelease(vp, LEFT, NONE, view.mapFromScene(grab + QPointF(20, 20)))
    assert window.design.hall("C").origin is None and window.document.undo_stack.count() == 0


def test_move_hall_from_the_context_menu_follows_the_cursor_until_a_click(window, qtbot):
    view = window.plan_view
    view.fit()
    menu = window.editor.context_menu_for(window.scene.hall_item("C").from_plan(12, 8))
    next(a for a in menu.actions() if a.text() == "Move Hall").trigger()
    vp = view.viewport()
    start = window.scene.hall_item("C").from_plan(12, 8)
    qtbot.mouseMove(vp, view.mapFromScene(start + QPointF(0, 40)))  # 40 m south
    qtbot.mouseClick(vp, LEFT, NONE, view.mapFromScene(start + QPointF(0, 40)))
    ox, oy = window.design.hall("C").origin
    assert ox == pytest.approx(70.0, abs=0.7) and oy == pytest.approx(-40.0, abs=0.7)
    assert window.document.undo_stack.count() == 1


def test_typing_a_halls_origin_in_the_inspector_places_it(window, qtbot):
    window.show_hall_properties("B")
    box = window.inspector.design_page.hall_box
    assert box.origin_auto_check.isChecked() and not box.origin_x_spin.isEnabled()
    assert box.origin_x_spin.model_value() == 40.0  # where it is drawn now
    box.origin_auto_check.setChecked(False)  # placed where it is: nothing jumps
    assert window.design.hall("B").origin == (40.0, 0.0)
    window.inspector.refresh()
    box.origin_y_spin.setValue(-55.5)
    box.origin_x_spin.setValue(12.0)
    assert window.design.hall("B").origin == (12.0, -55.5)
    item = window.scene.hall_item("B")
    assert (item.pos().x(), item.pos().y()) == (12.0, 55.5)
    window.inspector.refresh()
    box.origin_auto_check.setChecked(True)
    assert window.design.hall("B").origin is None


def test_hall_titles_never_overlap_at_any_zoom_wherever_the_halls_sit(open_window, qtbot):
    d = Design("Tight campus")
    # six halls, long names, packed in two rows 6 m apart, 4 m gaps between neighbours
    for k in range(6):
        x, y = (k % 3) * 34.0, -(k // 3) * 26.0
        d.halls.append(Hall(f"H{k}", f"Data hall number {k} (north block, phase two)", rect(0, 0, 30, 20),
                            origin=(x, y)))
    window = open_window(d)
    view = window.plan_view
    for ppm in (0.5, 2.0, 4.0, 8.0, 20.0):
        view.zoom_by(ppm / view.pixels_per_metre())
        shown = [(i.title.text_scene_rect(view.pixels_per_metre()), i) for i in window.scene.hall_items]
        rects = [r for r, _ in shown if not r.isEmpty()]
        for i, a in enumerate(rects):
            for b in rects[i + 1:]:
                assert not a.intersects(b), (ppm, a, b)
            for item in window.scene.hall_items:  # nor over a hall
                assert not a.intersects(item.mapRectToScene(item.outline_rect()).adjusted(0.01, 0.01, -0.01, -0.01))
    # at mid zoom each title is there, shortened to its room
    view.zoom_by(8.0 / view.pixels_per_metre())
    texts = [i.title.shown_text(8.0) for i in window.scene.hall_items]
    assert all(t for t in texts) and all(t.endswith("…") for t in texts)


# ====================================================================== the Outline tool
def event(window, hall_id, x, y, mods=NONE):
    view = window.plan_view
    return view.tool_event(QPointF(view.mapFromScene(window.scene.hall_item(hall_id).from_plan(x, y))), mods)


def test_outline_typed_lengths_and_shift_draw_a_new_rectangular_hall(window, qtbot):
    view, editor = window.plan_view, window.editor
    view.fit()
    view.zoom_by(0.5)
    editor.set_tool("outline")
    tool = editor.tool
    # start 20 m south of hall A's south-west corner (beside every hall: a new hall)
    tool.mouse_press(event(window, "A", 0, -30))
    tool.mouse_release(event(window, "A", 0, -30))
    assert len(tool.points) == 1
    # east, typed: 36.5 m
    tool.mouse_move(event(window, "A", 10, -29.4, SHIFT))  # Shift: level with the last corner
    assert tool._cursor[1] == tool.points[0][1]
    view.setFocus()
    qtbot.keyClicks(view, "36.5")
    assert tool.typed == "36.5"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert tool.points[-1] == pytest.approx((tool.points[0][0] + 36.5, tool.points[0][1]))
    # north, typed 18
    tool.mouse_move(event(window, "A", 36.0, -20.0, SHIFT))
    qtbot.keyClicks(view, "18")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    # west, typed 36.5, then Enter closes
    tool.mouse_move(event(window, "A", 2.0, -12.0, SHIFT))
    qtbot.keyClicks(view, "36.5")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    design = window.design
    assert design.hall_ids() == ["A", "B", "C", "D"]
    hall = design.hall("D")
    assert hall.outline == ((0.0, 0.0), (36.5, 0.0), (36.5, 18.0), (0.0, 18.0))
    assert hall.area() == pytest.approx(657.0)
    assert hall.origin == pytest.approx((0.0, -30.0), abs=0.31)
    window.document.undo_stack.undo()
    assert design.hall_ids() == ["A", "B", "C"]


def test_outline_drawn_inside_a_hall_redraws_it_and_the_first_corner_closes_it(window, qtbot):
    view, editor = window.plan_view, window.editor
    view.fit()
    editor.set_tool("outline")
    vp = view.viewport()
    for x, y in ((3, 3), (27, 3), (27, 15), (3, 15), (3, 3)):  # the last click: the first corner
        qtbot.mouseClick(vp, LEFT, NONE, px(window, "A", x, y))
    assert window.design.hall("A").outline == ((3.0, 3.0), (27.0, 3.0), (27.0, 15.0), (3.0, 15.0))
    assert window.document.undo_stack.undoText() == "Redraw Hall A"


def test_shift_keeps_a_dragged_corner_square(window, qtbot):
    editor = window.editor
    window.plan_view.fit()
    editor.set_tool("outline")
    tool = editor.tool
    tool.mouse_press(event(window, "B", 20, 12))  # the north-east corner, dragged freely
    tool.mouse_move(event(window, "B", 23.1, 11.7, NONE))
    tool.mouse_release(event(window, "B", 23.1, 11.7, NONE))
    assert window.design.hall("B").outline[2] == pytest.approx((23.4, 11.4))  # on the grid, walls askew
    # with Shift, both its walls are square again: one neighbour's x, the other's y
    tool.mouse_press(event(window, "B", 23.4, 11.4))
    tool.mouse_move(event(window, "B", 24.0, 13.1, SHIFT))
    tool.mouse_release(event(window, "B", 24.0, 13.1, SHIFT))
    assert window.design.hall("B").outline == ((0, 0), (20, 0), (20, 12), (0, 12))
    assert window.document.undo_stack.count() == 2


def test_a_click_on_a_title_moves_nothing(window, qtbot):
    view = window.plan_view
    view.fit()
    grab = window.scene.hall_item("B").title.handle_scene_rect(view.pixels_per_metre()).center()
    qtbot.mouseClick(view.viewport(), LEFT, NONE, view.mapFromScene(grab))
    assert window.design.hall("B").origin is None and window.document.undo_stack.count() == 0


def test_the_floors_context_menu_duplicates_and_deletes_a_hall(window):
    editor, design = window.editor, window.design
    menu = editor.context_menu_for(window.scene.hall_item("A").from_plan(20, 15))
    next(a for a in menu.actions() if a.text() == "Duplicate Hall").trigger()
    assert design.hall_ids() == ["A", "B", "C", "D"] and design.hall("D").name == "Hall A (copy)"
    assert len(design.equipment) == 4
    menu = editor.context_menu_for(window.scene.hall_item("D").from_plan(20, 15))
    next(a for a in menu.actions() if a.text() == "Delete Hall").trigger()
    assert design.hall_ids() == ["A", "B", "C"] and len(design.equipment) == 2
    assert window.document.undo_stack.count() == 2


def test_backspace_while_typing_a_length_edits_it_and_deletes_nothing(window, qtbot):
    view, editor = window.plan_view, window.editor
    view.fit()
    window.document.select(["us1-r1", "us1-r2"])
    editor.set_tool("outline")
    tool = editor.tool
    tool.mouse_press(event(window, "A", 0, -30))
    tool.mouse_release(event(window, "A", 0, -30))
    view.setFocus()
    qtbot.keyClicks(view, "125")
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert tool.typed == "12"
    assert len(window.design.equipment) == 2  # the Delete action (Backspace) did not fire
