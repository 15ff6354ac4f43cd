"""Measure, annotate, find (issue 17): the Measure tool's distance and routed cable
length, dimension lines and notes kept with the design (undoable, saved, drawn), Find
(Ctrl+F) by id, type or UltraServer, and Select All of Type / Row / in Hall from the
Edit menu and the context menu. Real widgets, synthetic mouse and key events."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, Qt

from designer.io import read_design
from designer.model import Design, Equipment, Hall
from designer.model.commands import annotations_of
from designer.ui.tools import measure

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
RACK = "trn3-gen2-rack"


def rect(x0, y0, x1, y1):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def hall_with_rows() -> Design:
    """Hall A (30 × 20 m): a row on y = 6 (cdu1, us1 ×2, us2 ×2, net1) under busway bw1, a
    second row on y = 12 (us3 ×2) and a network rack net2 at (18, 12); hall B (10 × 8 m)
    with us4. Tray drop: the design default (1.5 m), slack 1.1."""
    d = Design("Rows")
    d.halls += [Hall("A", "Hall A", rect(0, 0, 30, 20)), Hall("B", "Hall B", rect(0, 0, 10, 8), tray_drop_m=2.0)]
    d.equipment.insert([
        Equipment("cdu1", "cdu-in-row", "A", 5.4, 6.0, 0.0),
        Equipment("us1-r1", RACK, "A", 6.0, 6.0, 0.0, "us1"),
        Equipment("us1-r2", RACK, "A", 6.6, 6.0, 0.0, "us1"),
        Equipment("us2-r1", RACK, "A", 7.2, 6.0, 0.0, "us2"),
        Equipment("us2-r2", RACK, "A", 7.8, 6.0, 0.0, "us2"),
        Equipment("net1", "network-rack", "A", 8.4, 6.0, 0.0),
        Equipment("bw1", "busway-1200a", "A", 5.1, 6.0, 0.0, None, (8.7, 6.0)),
        Equipment("us3-r1", RACK, "A", 6.0, 12.0, 180.0, "us3"),
        Equipment("us3-r2", RACK, "A", 6.6, 12.0, 180.0, "us3"),
        Equipment("net2", "network-rack", "A", 18.0, 12.0, 0.0),
        Equipment("us4-r1", RACK, "B", 3.0, 3.0, 0.0, "us4"),
        Equipment("us4-r2", RACK, "B", 3.6, 3.0, 0.0, "us4"),
    ])
    return d


@pytest.fixture
def window(open_window):
    w = open_window(hall_with_rows())
    w.plan_view.fit()
    return w


def px(window, hall_id: str, x: float, y: float):
    return window.plan_view.mapFromScene(window.scene.hall_item(hall_id).from_plan(x, y))


def drag(qtbot, window, hall_id, a, b, steps=5):
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, NONE, px(window, hall_id, *a))
    for k in range(1, steps + 1):
        f = k / steps
        qtbot.mouseMove(vp, px(window, hall_id, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    qtbot.mouseRelease(vp, LEFT, NONE, px(window, hall_id, *b))


# ====================================================================== measure
def test_measure_between_two_racks_gives_distance_and_routed_cable_length(window, qtbot):
    window.editor.set_tool("measure")
    tool = window.editor.tool
    # press near us1-r1 and release near net2: the ends take the racks' centres
    drag(qtbot, window, "A", (6.1, 6.2), (17.8, 11.9))
    assert tool.state == "done"
    dx, dy = 18.0 - 6.0, 12.0 - 6.0
    routed = (dx + dy + 2 * 1.5) * 1.1  # (Manhattan + two 1.5 m tray drops) × slack 1.1 = 23.1 m
    assert f"{math.hypot(dx, dy):,.2f} m" == "13.42 m"
    assert tool.text == f"13.42 m  (Δx 12.00 m, Δy 6.00 m)  ·  cable routed {routed:,.2f} m (AOC)"
    assert "cable routed 23.10 m" in window.statusBar().currentMessage()
    assert tool.item.scene() is window.scene and not tool.item.is_empty()  # drawn on the plan
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Escape)
    assert tool.item.scene() is None


def test_measure_click_click_with_shift_stays_horizontal(window, qtbot):
    editor = window.editor
    editor.set_tool("measure")
    tool = editor.tool
    view = window.plan_view
    vp = view.viewport()
    qtbot.mouseClick(vp, LEFT, NONE, px(window, "A", 12.0, 3.0))
    assert tool.state == "second"
    ev = view.tool_event(QPointF(px(window, "A", 20.4, 4.7)), SHIFT)
    tool.mouse_move(ev)
    tool.mouse_press(ev)
    assert tool.state == "done"
    assert tool.text.startswith("8.40 m  (Δx 8.40 m, Δy 0.00 m)")  # to the grid, kept level by Shift
    assert "cable routed 12.54 m" in tool.text  # (8.4 + 3) × 1.1


def test_a_measurement_kept_as_a_dimension_line_is_saved_drawn_and_undone(window, qtbot, tmp_path):
    window.editor.set_tool("measure")
    drag(qtbot, window, "A", (0.0, 18.0), (30.0, 18.0))
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Return)
    assert annotations_of(window.design) == [{"kind": "dimension", "hall": "A", "a": [0.0, 18.0], "b": [30.0, 18.0]}]
    item = window.scene.annotations_item
    assert [(k, kind, text) for k, kind, _, text in item.shapes] == [(0, "dimension", "30.00 m")]
    assert window.document.undo_stack.undoText() == "Add dimension"
    evaluations = []
    window.document.evaluation_changed.connect(evaluations.append)
    path = tmp_path / "rows.dcplan"
    window.document.save(path)
    assert '"annotations": [{"kind": "dimension", "hall": "A", "a": [0, 18], "b": [30, 18]}]' in path.read_text()
    assert read_design(path).extra["annotations"] == [{"kind": "dimension", "hall": "A", "a": [0, 18], "b": [30, 18]}]
    window.document.undo_stack.undo()
    assert annotations_of(window.design) == [] and item.shapes == []
    qtbot.wait(50)
    assert evaluations == []  # an annotation is drawn, never evaluated


def test_notes_are_added_edited_and_deleted_from_the_plan(window, qtbot, monkeypatch):
    answers = iter(["Fibre entry\nnorth wall", "Fibre entry (N)"])
    monkeypatch.setattr(measure, "ask_note_text", lambda parent, title, current="": next(answers))
    editor = window.editor
    editor.set_tool("note")
    qtbot.mouseClick(window.plan_view.viewport(), LEFT, NONE, px(window, "A", 24.0, 16.1))
    notes = annotations_of(window.design)  # (on the grid)
    assert notes == [{"kind": "note", "hall": "A", "at": [24.0, 16.2], "text": "Fibre entry\nnorth wall"}]
    item = window.scene.annotations_item
    marker = window.scene.hall_item("A").from_plan(24.0, 16.2)
    assert item.at(marker, window.plan_view.pixels_per_metre()) == 0
    menu = editor.context_menu_for(marker)
    assert [a.text() for a in menu.actions()] == ["Edit Note…", "Delete Note"]
    next(a for a in menu.actions() if a.text() == "Edit Note…").trigger()
    assert annotations_of(window.design)[0]["text"] == "Fibre entry (N)"
    menu = editor.context_menu_for(marker)
    next(a for a in menu.actions() if a.text() == "Delete Note").trigger()
    assert annotations_of(window.design) == []
    window.document.undo_stack.undo()
    assert annotations_of(window.design)[0]["text"] == "Fibre entry (N)"


def test_an_empty_note_is_refused(window, qtbot, monkeypatch):
    monkeypatch.setattr(measure, "ask_note_text", lambda *a, **k: "   ")
    window.editor.set_tool("note")
    qtbot.mouseClick(window.plan_view.viewport(), LEFT, NONE, px(window, "A", 24.0, 16.0))
    assert annotations_of(window.design) == []
    assert "a note needs some text" in window.statusBar().currentMessage()


# ====================================================================== find
def test_ctrl_f_finds_by_id_type_or_system_selects_and_centres(window, qtbot):
    bar = window.selection_actions.find_bar
    assert not bar.isVisible()
    window.selection_actions.find_action.trigger()
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "net2")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert window.document.selection == ["net2"]
    view = window.plan_view
    centre = view.mapToScene(view.viewport().rect().center())
    net2 = window.scene.hall_item("A").from_plan(18.0, 12.0)
    assert math.hypot(centre.x() - net2.x(), centre.y() - net2.y()) < 2.0  # centred on it
    assert bar.status.text() == "1 match"
    # by type (its name or id), every hall
    bar.edit.setText("UltraServer")
    bar.find_all()
    assert sorted(window.document.selection) == sorted(i for i in window.design.equipment.ids if i.startswith("us"))
    bar.edit.setText("network")
    bar.find_all()
    assert window.document.selection == ["net1", "net2"]
    # by system only: "us1" is not also every id containing "us1"
    bar.field.setCurrentIndex(bar.field.findData("system"))
    bar.edit.setText("us4")
    bar.find_all()
    assert window.document.selection == ["us4-r1", "us4-r2"]
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.hall_item("B").from_plan(3.3, 3.0))  # hall B brought into view


def test_find_says_no_match_and_keeps_the_selection(window, qtbot):
    window.document.select(["us1-r1"])
    bar = window.selection_actions.find_bar
    bar.open_bar()
    bar.edit.setText("zz-top")
    assert bar.find_all() == []
    assert bar.status.text() == "No match for “zz-top”"
    assert "no match" in window.statusBar().currentMessage()
    assert window.document.selection == ["us1-r1"]
    qtbot.keyClick(bar, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_find_next_steps_through_the_matches_one_by_one(window):
    bar = window.selection_actions.find_bar
    bar.open_bar()
    bar.edit.setText("us1")
    assert bar.find_next() == "us1-r1"
    assert bar.find_next() == "us1-r2"
    assert bar.find_next() == "us1-r1"
    assert bar.status.text() == "1 of 2: us1-r1"


# ====================================================================== select all of type, row, hall
def test_select_all_of_type_row_and_hall_from_the_edit_menu(window):
    actions = window.selection_actions
    menu_texts = [a.text().replace("&", "") for a in window.edit_menu.actions()]
    assert {"Find…", "Select All of Type", "Select Row", "Select All in Hall"} <= set(menu_texts)
    doc = window.document
    doc.select(["net1"])
    actions.same_type_action.trigger()
    assert doc.selection == ["net1", "net2"]
    doc.select(["us2-r1"])
    actions.row_action.trigger()
    # the row on y = 6 facing north, with the busway over it; not us3 (y = 12) nor net2
    assert sorted(doc.selection) == ["bw1", "cdu1", "net1", "us1-r1", "us1-r2", "us2-r1", "us2-r2"]
    doc.select(["bw1"])
    actions.row_action.trigger()  # a busway: the row beneath it
    assert sorted(doc.selection) == ["bw1", "cdu1", "net1", "us1-r1", "us1-r2", "us2-r1", "us2-r2"]
    doc.select(["us4-r2"])
    actions.hall_action.trigger()
    assert doc.selection == ["us4-r1", "us4-r2"]
    assert "everything in Hall B" in window.statusBar().currentMessage()


def test_the_items_context_menu_selects_its_type_row_and_hall(window):
    editor = window.editor
    point = window.scene.hall_item("A").from_plan(6.0, 12.0)  # us3-r1 (row facing south)
    menu = editor.context_menu_for(point)
    assert window.document.selection == ["us3-r1", "us3-r2"]
    next(a for a in menu.actions() if a.text() == "Select Row").trigger()
    assert window.document.selection == ["us3-r1", "us3-r2"]
    next(a for a in menu.actions() if a.text() == "Select All of Type").trigger()
    assert len(window.document.selection) == 8
    next(a for a in menu.actions() if a.text() == "Select All in Hall").trigger()
    assert len(window.document.selection) == 10
