"""The plan's tools: Row, Outline, Column, Keep-out and Busway; the tool bar, Esc, and
the snap preference. Real widgets, synthetic mouse events; one undo step per gesture."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolBar

from designer.model import Design, Hall
from designer.model.layouts import TILE_M
from designer.ui import settings

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
US = "trn3-gen2-rack"


@pytest.fixture
def window(open_window):
    """A window on a new design: one empty 48 × 30 m hall."""
    return open_window()


def px(window, x: float, y: float, hall: int = 0) -> QPoint:
    return window.plan_view.mapFromScene(window.scene.hall_items[hall].from_plan(x, y))


def drag(qtbot, window, a, b, steps: int = 6) -> None:
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, NONE, px(window, *a))
    for k in range(1, steps + 1):
        f = k / steps
        qtbot.mouseMove(vp, px(window, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    qtbot.mouseRelease(vp, LEFT, NONE, px(window, *b))


def double_click(qtbot, window, x, y) -> None:
    qtbot.mouseDClick(window.plan_view.viewport(), LEFT, NONE, px(window, x, y))


def on_grid(v: float) -> bool:
    return abs(v / TILE_M - round(v / TILE_M)) < 1e-6


def compute_rows(window) -> list[int]:
    t = window.design.equipment
    return [r for r in range(len(t)) if window.catalog.types[t.types[int(t.type_code[r])]].is_compute]


# ---------------------------------------------------------------- tool bar and menu
def test_tools_are_exclusive_in_a_tool_bar_and_the_tools_menu(window, qtbot):
    bar = window.findChild(QToolBar, "tools_toolbar")
    assert bar is not None and bar.isVisible()
    labels = [a.text() for a in bar.actions() if a.isCheckable()][:6]
    assert labels == ["Select", "Row", "Outline", "Column", "Keep-out", "Busway"]
    menu = [a.text() for a in window.tools_menu.actions()]
    assert all(name in menu for name in labels) and "&Snap to Grid and Racks" in menu
    editor = window.editor
    assert editor.actions.tool_actions["select"].isChecked()
    editor.actions.tool_actions["row"].trigger()
    assert editor.tool.name == "row"
    assert editor.actions.tool_actions["row"].isChecked() and not editor.actions.tool_actions["select"].isChecked()
    editor.actions.tool_actions["column"].trigger()
    assert [n for n, a in editor.actions.tool_actions.items() if a.isChecked()] == ["column"]
    # Esc goes back to Select
    window.plan_view.setFocus()
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Escape)
    assert editor.tool.name == "select" and editor.actions.tool_actions["select"].isChecked()


def test_escape_cancels_a_gesture_before_leaving_the_tool(window, qtbot):
    editor = window.editor
    editor.set_tool("column")
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, NONE, px(window, 5, 5))
    qtbot.mouseMove(vp, px(window, 7, 7))
    assert editor.sketch.scene() is window.scene
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Escape)
    assert editor.sketch.scene() is None and editor.tool.name == "column"  # first Esc: the gesture
    qtbot.mouseRelease(vp, LEFT, NONE, px(window, 7, 7))
    assert window.design.halls[0].columns == []
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Escape)
    assert editor.tool.name == "select"  # second Esc: the tool


def test_snap_is_a_remembered_preference(window, qtbot, open_window):
    action = window.editor.actions.snap_action
    assert action.isCheckable() and action.isChecked()
    action.setChecked(False)
    try:
        assert not settings.snap_enabled()
        other = open_window()
        assert not other.editor.actions.snap_action.isChecked() and not other.editor.snapper.enabled
    finally:
        action.setChecked(True)
    assert settings.snap_enabled()


# ---------------------------------------------------------------- row tool
def test_row_tool_lays_n_ultraservers_in_one_undo_step(window, qtbot, catalog):
    editor = window.editor
    editor.set_tool("row")
    assert editor.actions.row_spin.value() == 4  # the default
    editor.actions.row_spin.setValue(3)
    rps = catalog.types[US].racks_per_system
    drag(qtbot, window, (6.0, 10.0), (14.0, 9.0))  # east, a little south: fronts face south
    t = window.design.equipment
    racks = compute_rows(window)
    assert len(racks) == 3 * rps == 6
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Add row of 3 UltraServers"
    assert {t.get(t.ids[r]).system for r in racks} == {"us1", "us2", "us3"}
    assert [t.ids[r] for r in racks[:2]] == ["us1-r1", "us1-r2"]
    xs = sorted(t.x[racks])
    assert xs[0] - 0.3 == pytest.approx(6.0) and on_grid(xs[0] - 0.3)  # starts where the drag started
    assert all(b - a == pytest.approx(0.6) for a, b in zip(xs, xs[1:]))
    assert set(t.rotation[racks]) == {0.0} and len(set(t.y[racks])) == 1
    assert window.document.selection == list(t.ids)
    qtbot.waitUntil(lambda: window.evaluation.totals["chips"] == 3 * 144)
    window.document.undo_stack.undo()
    assert len(window.design.equipment) == 0


def test_dragging_north_west_turns_the_row_north_and_runs_it_west(window, qtbot):
    editor = window.editor
    editor.set_tool("row")
    editor.actions.row_spin.setValue(2)
    drag(qtbot, window, (30.0, 10.0), (20.0, 13.0))
    t = window.design.equipment
    assert len(t) == 4
    assert set(t.rotation) == {180.0}  # fronts north
    assert t.x.max() + 0.3 == pytest.approx(30.0)  # ends where the drag started


def test_the_row_ghost_is_red_across_a_column(window, qtbot):
    from designer.model.commands import SetHall

    window.document.push(SetHall("A", {"columns": [((12.0, 9.6), (12.6, 9.6), (12.6, 10.2), (12.0, 10.2))]}))
    editor = window.editor
    editor.set_tool("row")
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, NONE, px(window, 9.0, 10.0))
    qtbot.mouseMove(vp, px(window, 15.0, 9.5))
    tool = editor.tool
    records, _ = tool.layout(window.plan_view.tool_event(
        px(window, 15.0, 9.5).toPointF(), NONE))
    assert records and editor.sketch.scene() is window.scene
    qtbot.mouseRelease(vp, LEFT, NONE, px(window, 15.0, 9.5))
    qtbot.waitUntil(lambda: bool(window.evaluation.violations_of("obstruction")))


def test_complete_rows_bring_their_cdus_network_racks_and_busways(window, qtbot, catalog):
    editor = window.editor
    editor.set_tool("row")
    editor.actions.row_spin.setValue(4)
    editor.actions.complete_rows_action.setChecked(True)
    drag(qtbot, window, (4.2, 12.0), (20.0, 11.0))
    t = window.design.equipment
    kinds = [catalog.types[t.get(i).type].kind for i in t.ids]
    assert kinds.count("compute") == 8 and "network" in kinds and "cdu" in kinds and "busway" in kinds
    assert window.document.undo_stack.count() == 1
    assert {i.rstrip("0123456789") for i in t.ids if catalog.types[t.get(i).type].kind == "network"} == {"net"}
    qtbot.waitUntil(lambda: window.evaluation.totals["chips"] == 4 * 144)
    # a complete row is powered, liquid-cooled and cabled to its leaves; only the hall's air
    # handlers and the tier above the leaves are missing (a spine room is the planner's):
    # 4 UltraServers × 36 EFA links = 144 on 3 leaf racks of 64 server ports (no port
    # short); k = 64, o = 1: ceil(144 / 32) = 5 leaf switches, ceil(5 × 32 / 64) = 3 above
    ev = window.evaluation
    assert ev.totals["power"]["unpowered_items"] == 0
    assert {v.kind for v in ev.violations} == {"cooling-capacity", "fabric-capacity"}
    assert all("air handler" in v.message for v in ev.violations if v.kind == "cooling-capacity")
    assert ev.totals["network"]["leaf_racks"] == 3 and ev.totals["network"]["switches_by_tier"] == [5, 3]
    fabric, = ev.violations_of("fabric-capacity")
    assert fabric.ids == ("site",)
    assert "need 3 switches above the leaves" in fabric.message and "no spine rack is placed" in fabric.message


# ---------------------------------------------------------------- hall geometry
def test_outline_tool_drags_a_corner_in_one_step(window, qtbot):
    window.editor.set_tool("outline")
    qtbot.waitUntil(lambda: len(window.editor.sketch.handles) == 4)  # a handle per corner
    drag(qtbot, window, (48.0, 30.0), (43.1, 26.2))
    hall = window.design.halls[0]
    assert hall.outline[2] == pytest.approx((43.2, 26.4))  # snapped to the tiles
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert window.design.halls[0].outline == ((0.0, 0.0), (48.0, 0.0), (48.0, 30.0), (0.0, 30.0))


def test_outline_tool_adds_a_corner_on_a_wall_and_removes_one(window, qtbot):
    window.editor.set_tool("outline")
    double_click(qtbot, window, 24.1, 30.0)  # the north wall
    hall = window.design.halls[0]
    assert len(hall.outline) == 5 and hall.outline[3] == pytest.approx((24.0, 30.0))
    drag(qtbot, window, (24.0, 30.0), (24.0, 33.0))  # pull the new corner out: a gable
    assert window.design.halls[0].outline[3] == pytest.approx((24.0, 33.0))
    double_click(qtbot, window, 24.0, 33.0)
    assert window.design.halls[0].outline == ((0.0, 0.0), (48.0, 0.0), (48.0, 30.0), (0.0, 30.0))
    assert window.document.undo_stack.count() == 3


def test_column_tool_draws_a_column_on_the_grid(window, qtbot):
    window.editor.set_tool("column")
    drag(qtbot, window, (10.1, 10.1), (10.7, 10.62))
    columns = window.design.halls[0].columns
    assert columns == [((10.2, 10.2), (10.8, 10.2), (10.8, 10.8), (10.2, 10.8))]
    assert window.document.undo_stack.undoText() == "Add column"
    double_click(qtbot, window, 10.5, 10.5)
    assert window.design.halls[0].columns == []
    window.document.undo_stack.undo()
    assert len(window.design.halls[0].columns) == 1


def test_keepout_tool_draws_a_zone_that_racks_then_stand_in(window, qtbot):
    vp_editor = window.editor
    vp_editor.set_tool("keepout")
    drag(qtbot, window, (30.0, 19.9), (36.1, 24.0))
    assert window.design.halls[0].keepouts == [((30.0, 19.8), (36.0, 19.8), (36.0, 24.0), (30.0, 24.0))]
    assert window.document.undo_stack.undoText() == "Add keep-out zone"
    # an UltraServer placed inside it is an obstruction
    vp_editor.drops.place_at_view_centre(US)
    t = window.design.equipment
    row = t.index["us1-r1"]
    from designer.model.commands import move_items

    window.document.push(move_items(window.design, ["us1-r1", "us1-r2"], 33.0 - t.x[row], 22.0 - t.y[row]))
    qtbot.waitUntil(lambda: bool(window.evaluation.violations_of("obstruction")))


def test_busway_tool_draws_a_straight_run_over_a_row(window, qtbot):
    window.document.select([])
    editor = window.editor
    editor.set_tool("row")
    editor.actions.row_spin.setValue(2)
    drag(qtbot, window, (6.0, 10.0), (10.0, 9.0))
    rack_y = float(window.design.equipment.y[0])
    editor.set_tool("busway")
    drag(qtbot, window, (6.05, rack_y + 0.2), (8.5, rack_y + 0.9))  # wobbly: kept horizontal
    bw = window.design.equipment.get("bw1")
    assert bw.type == editor.busway_type == "busway-1200a"
    assert bw.y == pytest.approx(rack_y) and bw.end[1] == pytest.approx(rack_y)  # on the row's centre line
    assert (bw.x, bw.end[0]) == pytest.approx((6.0, 8.4))
    assert window.document.undo_stack.count() == 2
    qtbot.waitUntil(lambda: window.evaluation.totals["power"]["unpowered_items"] == 0)


def test_choosing_a_busway_in_the_palette_sets_the_busway_tools_type(window):
    window.palette.select_type("busway-800a")
    assert window.editor.busway_type == "busway-800a"
    window.palette.select_type("trn3-gen1-rack")
    assert window.editor.row_type == "trn3-gen1-rack"


def test_a_design_opened_in_the_window_is_edited_from_then_on(window, qtbot):
    design = Design("Other")
    design.halls.append(Hall("B", "Hall B", ((0, 0), (20, 0), (20, 10), (0, 10))))
    window.set_design(design)
    window.plan_view.fit()
    window.editor.set_tool("column")
    drag(qtbot, window, (2.0, 2.0), (3.2, 3.2))
    assert len(window.document.design.halls[0].columns) == 1
