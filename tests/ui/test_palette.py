"""The equipment palette and dropping from it onto the plan (synthetic drag events,
orange-canvas-core ``gui/test.py`` ``dragDrop`` style: QTest cannot run a real drag)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from designer.model.commands import SetAssumption
from designer.model.layouts import TILE_M
from designer.ui.docks.palette import EQUIPMENT_MIME, PaletteWidget, equipment_mime, equipment_type_of
from designer.ui.main_window import MainWindow

US = "trn3-gen2-rack"


def drag_drop(widget, mime, pos: QPoint, drop: bool = True) -> bool:
    """Enter, move and (optionally) drop at ``pos``; True when the drop was accepted."""
    copy, left, none = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, copy, mime, left, none)
    enter.setAccepted(False)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, copy, mime, left, none)
    move.setAccepted(False)
    QApplication.sendEvent(widget, move)
    if not move.isAccepted():
        QApplication.sendEvent(widget, QDragLeaveEvent())
        return False
    if not drop:
        return True
    event = QDropEvent(QPointF(pos), copy, mime, left, none)
    event.setAccepted(False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def mark_clean(window) -> None:
    """Before pytest-qt closes the window (ahead of fixture teardown): nothing to save."""
    window.document.undo_stack.setClean()


@pytest.fixture
def window(qtbot):
    """A window on a new design: one empty 48 × 30 m hall."""
    w = MainWindow()
    qtbot.addWidget(w, before_close_func=mark_clean)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.plan_view.fit()
    return w


def at(window, x: float, y: float, hall: int = 0) -> QPoint:
    """Viewport pixel of a plan point."""
    return window.plan_view.mapFromScene(window.scene.hall_items[hall].from_plan(x, y))


def totals(window) -> tuple[int, int, float]:
    t = window.document.evaluation.totals
    return t["chips"], t["racks"], t["throughput"]["peak"]["mxfp8_pflops"]


# ---------------------------------------------------------------- the palette
def test_palette_groups_the_catalog_and_names_ultraservers_by_racks_and_chips(catalog, qtbot):
    palette = PaletteWidget(catalog)
    qtbot.addWidget(palette)
    entries = palette.entries()
    assert list(entries) == ["Compute", "Network", "Cooling", "Power"]
    labels = dict(entries["Compute"])
    spec = catalog.types[US]
    assert labels[US] == f"Trn3 Gen2 UltraServer ({spec.racks_per_system} racks, {int(spec.get('chips'))} chips)"
    assert labels[US] == "Trn3 Gen2 UltraServer (2 racks, 144 chips)"
    assert {t for t, _ in entries["Compute"]} == {t.id for t in catalog.types.values() if t.is_compute}
    assert [t for t, _ in entries["Network"]] == ["network-rack", "spine-rack"]  # leaves and spines
    assert {t for t, _ in entries["Cooling"]} == {"cdu-in-row", "crah"}
    assert {t for t, _ in entries["Power"]} == {"busway-800a", "busway-1200a"}
    item = palette.item_for(US)
    assert not item.icon(0).isNull()  # a swatch in the type's colour
    assert "PFLOPS" in item.toolTip(0)


def test_an_entry_drags_its_type_id_in_our_mime_type(catalog, qtbot):
    palette = PaletteWidget(catalog)
    qtbot.addWidget(palette)
    mime = palette.tree.mimeData([palette.item_for("cdu-in-row")])
    assert mime.hasFormat(EQUIPMENT_MIME) and EQUIPMENT_MIME == "application/x-designer-equipment"
    assert equipment_type_of(mime) == "cdu-in-row"
    assert palette.tree.mimeTypes() == [EQUIPMENT_MIME]
    assert palette.item_for(US).flags() & Qt.ItemFlag.ItemIsDragEnabled


def test_filter_hides_what_does_not_match(catalog, qtbot):
    palette = PaletteWidget(catalog)
    qtbot.addWidget(palette)
    palette.filter_edit.setText("busway 1200")
    shown = [palette.tree.topLevelItem(g) for g in range(palette.tree.topLevelItemCount())
             if not palette.tree.topLevelItem(g).isHidden()]
    assert [g.text(0) for g in shown] == ["Power"]
    assert palette.item_for("busway-800a").isHidden() and not palette.item_for("busway-1200a").isHidden()


def test_labels_follow_an_override_of_racks_per_ultraserver(window, qtbot):
    window.document.push(SetAssumption(f"{US}.racks_per_system", 1))
    qtbot.waitUntil(lambda: "(1 rack," in window.palette.item_for(US).text(0))
    assert window.palette.item_for(US).text(0) == "Trn3 Gen2 UltraServer (1 rack, 144 chips)"


# ---------------------------------------------------------------- dropping
def test_dropping_an_ultraserver_adds_its_racks_and_its_figures(window, qtbot, catalog):
    spec = catalog.types[US]
    chips, racks, pflops = totals(window)
    assert (chips, racks) == (0, 0)
    assert drag_drop(window.plan_view.viewport(), equipment_mime(US), at(window, 12.0, 15.0))
    t = window.design.equipment
    assert len(t) == spec.racks_per_system
    system = t.get(t.ids[0]).system
    assert system == "us1" and t.ids == [f"{system}-r{k + 1}" for k in range(spec.racks_per_system)]
    assert {t.get(i).system for i in t.ids} == {system}
    assert window.document.selection == t.ids  # the new UltraServer is selected
    # side by side along x, the group centred under the cursor and snapped to the tiles
    assert t.x[1] - t.x[0] == pytest.approx(spec.width_m)
    assert (t.x[0] - spec.width_m / 2) / TILE_M == pytest.approx(round((t.x[0] - spec.width_m / 2) / TILE_M))
    assert abs((t.x[0] + t.x[-1]) / 2 - 12.0) <= TILE_M / 2 + 1e-9
    qtbot.waitUntil(lambda: totals(window)[0] == chips + 144)
    new_chips, new_racks, new_pflops = totals(window)
    assert new_chips - chips == int(spec.get("chips")) == 144
    assert new_racks - racks == spec.racks_per_system == 2
    assert new_pflops - pflops == pytest.approx(spec.get("mxfp8_tflops") / 1000) == pytest.approx(362.448)
    # one undo step takes it away again
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert len(window.design.equipment) == 0
    qtbot.waitUntil(lambda: totals(window)[0] == 0)


def test_the_ghost_follows_the_drag_and_turns_red_on_equipment(window, qtbot):
    view = window.plan_view
    mime = equipment_mime(US)
    assert drag_drop(view.viewport(), mime, at(window, 12.0, 15.0))
    editor = window.editor
    # a second UltraServer dragged over the first: the ghost shows and is red, nothing is added yet
    assert drag_drop(view.viewport(), mime, at(window, 12.0, 15.0), drop=False)
    sketch = editor.sketch
    assert sketch.scene() is window.scene
    assert not editor.drops.state.ghost.ok
    # moved to free floor, it is fine
    move = QDragMoveEvent(at(window, 30.0, 15.0), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted() and editor.drops.state.ghost.ok
    assert len(window.design.equipment) == 2
    QApplication.sendEvent(view.viewport(), QDragLeaveEvent())
    assert sketch.scene() is None  # the ghost goes with the drag
    assert len(window.scene.items()) <= 2 * len(window.scene.hall_items) + 1  # + the selection outline


def test_ghost_is_red_on_a_column_and_outside_the_hall(window):
    from designer.model.commands import SetHall

    window.document.push(SetHall("A", {"columns": [((20.0, 10.0), (21.2, 10.0), (21.2, 11.2), (20.0, 11.2))]}))
    view = window.plan_view
    mime = equipment_mime(US)
    assert drag_drop(view.viewport(), mime, at(window, 20.6, 10.6), drop=False)
    assert not window.editor.drops.state.ghost.ok
    assert drag_drop(view.viewport(), mime, at(window, 47.8, 15.0), drop=False)  # half through the east wall
    assert not window.editor.drops.state.ghost.ok
    assert drag_drop(view.viewport(), mime, at(window, 30.0, 15.0), drop=False)
    assert window.editor.drops.state.ghost.ok
    QApplication.sendEvent(view.viewport(), QDragLeaveEvent())


def test_other_equipment_lands_with_fresh_ids(window):
    vp = window.plan_view.viewport()
    assert drag_drop(vp, equipment_mime("network-rack"), at(window, 10.0, 10.0))
    assert drag_drop(vp, equipment_mime("network-rack"), at(window, 14.0, 10.0))
    assert drag_drop(vp, equipment_mime("cdu-in-row"), at(window, 18.0, 10.0))
    assert drag_drop(vp, equipment_mime("crah"), at(window, 24.0, 3.0))
    assert window.design.equipment.ids == ["net1", "net2", "cdu1", "crah1"]
    assert window.document.undo_stack.count() == 4


def test_a_dropped_busway_is_a_6_m_run_along_x(window):
    assert drag_drop(window.plan_view.viewport(), equipment_mime("busway-1200a"), at(window, 20.0, 12.0))
    e = window.design.equipment.get("bw1")
    assert e.end is not None
    assert e.end[0] - e.x == pytest.approx(6.0) and e.end[1] == e.y
    assert abs((e.x + e.end[0]) / 2 - 20.0) <= TILE_M / 2 + 1e-9


def test_a_busway_dropped_near_a_row_lies_on_its_centre_line(window):
    vp = window.plan_view.viewport()
    assert drag_drop(vp, equipment_mime(US), at(window, 12.0, 15.0))
    rack_y = window.design.equipment.y[0]
    assert drag_drop(vp, equipment_mime("busway-800a"), at(window, 12.0, rack_y + 0.2))
    bw = window.design.equipment.get("bw1")
    assert bw.y == pytest.approx(rack_y) and bw.end[1] == pytest.approx(rack_y)


def test_a_drop_away_from_any_hall_is_refused(window):
    view = window.plan_view
    window.plan_view.zoom_by(0.3)
    far = view.mapFromScene(window.scene.hall_items[0].from_plan(-40.0, 15.0))
    assert not drag_drop(view.viewport(), equipment_mime(US), far)
    assert len(window.design.equipment) == 0


def test_dragging_a_file_is_left_to_the_window(window, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "plan.dcplan"))])
    enter = QDragEnterEvent(at(window, 10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    window.plan_view.dragEnterEvent(enter)
    assert not enter.isAccepted()  # ignored here, so it reaches the window, which opens files


def test_double_clicking_an_entry_places_it_in_the_middle_of_the_view(window, qtbot):
    palette = window.palette
    item = palette.item_for("network-rack")
    palette.tree.itemActivated.emit(item, 0)
    t = window.design.equipment
    assert t.ids == ["net1"]
    centre = window.plan_view.mapToScene(window.plan_view.viewport().rect().center())
    x, y = window.scene.hall_items[0].to_plan(centre)
    assert abs(t.x[0] - x) < 1.0 and abs(t.y[0] - y) < 1.0


def drag_drop_with(widget, mime, pos: QPoint, modifiers) -> bool:
    copy, left = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    for cls in (QDragEnterEvent, QDragMoveEvent):
        event = cls(pos, copy, mime, left, modifiers)
        event.setAccepted(False)
        QApplication.sendEvent(widget, event)
    event = QDropEvent(QPointF(pos), copy, mime, left, modifiers)
    event.setAccepted(False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_a_drop_faces_like_the_row_it_joins_and_shift_turns_it(window):
    """Alone on the floor an UltraServer faces south; dropped beside one that faces
    north, it faces north too; Shift turns a drop round."""
    from designer.model.commands import rotate_items

    vp = window.plan_view.viewport()
    t = window.design.equipment
    assert drag_drop(vp, equipment_mime(US), at(window, 12.0, 15.0))
    first = list(t.ids)
    assert {t.get(i).rotation for i in first} == {0.0}
    window.document.push(rotate_items(window.design, first, 180.0))
    assert {t.get(i).rotation for i in first} == {180.0}
    assert drag_drop(vp, equipment_mime(US), at(window, 13.8, 15.0))  # next along the same row
    second = [i for i in t.ids if i not in first]
    assert {t.get(i).rotation for i in second} == {180.0}
    assert t.get(second[1]).x - t.get(second[0]).x == pytest.approx(-0.6)  # side by side, turned round
    assert drag_drop_with(vp, equipment_mime(US), at(window, 30.0, 5.0), Qt.KeyboardModifier.ShiftModifier)
    third = [i for i in t.ids if i not in first + second]
    assert {t.get(i).rotation for i in third} == {180.0}  # alone, but Shift: north
    assert drag_drop_with(vp, equipment_mime(US), at(window, 15.6, 15.0), Qt.KeyboardModifier.ShiftModifier)
    fourth = [i for i in t.ids if i not in first + second + third]
    assert {t.get(i).rotation for i in fourth} == {0.0}  # beside the north-facing row, turned: south
