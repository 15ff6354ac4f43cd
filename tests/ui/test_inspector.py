"""The Inspector and the Assumptions panel: edits are undoable commands, bad input is refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from designer.engine import evaluate
from designer.ui import settings
from designer.ui.docks.assumptions import AssumptionsModel
from designer.ui.docks.fields import LB_FT2_PER_KG_M2
from designer.ui.docks.inspector import Inspector


@pytest.fixture
def window(main_window, monkeypatch):
    """The pilot-sample window; closing it never asks to save (pytest-qt closes it before
    the fixtures tear down; ``main_window`` marks the stack clean afterwards)."""
    monkeypatch.setattr(main_window, "maybe_save", lambda: True)
    main_window.inspector_dock.raise_()
    return main_window


def _type_into(qtbot, widget, text: str) -> None:
    """Select all, type ``text`` and press Enter, as a user would."""
    widget.setFocus()
    line = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    line.selectAll()
    qtbot.keyClicks(line if isinstance(widget, QLineEdit) else widget, text)
    qtbot.keyClick(line if isinstance(widget, QLineEdit) else widget, Qt.Key.Key_Return)


def _it_kw(window) -> float:
    return window.evaluation.totals["power"]["it_kw"]


# ====================================================================== selection
def test_a_selected_rack_shows_its_properties_and_what_serves_it(window, qtbot):
    window.document.select(["us1-r1"])
    inspector, item = window.inspector, window.inspector.item_page
    found = item.evaluation_box
    assert inspector.title.text() == "us1-r1"
    assert inspector.subtitle.text() == "Trn3 Gen2 UltraServer rack"
    assert item.type_combo.currentData() == "trn3-gen2-rack"
    assert item.hall_combo.currentData() == "A"
    assert item.system_edit.text() == "us1"
    assert item.x_spin.model_value() == pytest.approx(3.3)
    assert item.y_spin.model_value() == pytest.approx(3.3)
    assert item.rotation_spin.value() == 180.0
    ev = window.evaluation
    row = window.design.equipment.index["us1-r1"]
    assert found.it_label.text() == f"{ev.items.it_kw[row]:,.1f} kW" == "85.0 kW"
    busway = window.design.equipment.ids[ev.items.served_by_busway[row]]
    cdu = window.design.equipment.ids[ev.items.served_by_cdu[row]]
    assert found.power_label.text() == f"A: {busway} (no second feed)"  # its feeds
    assert f"to CDU {cdu}" in found.liquid_label.text()
    assert found.status_label.text() == "OK"
    assert found.problems_label.text() == "None"
    assert "2 of 2" in item.members_label.text()


def test_a_busway_shows_its_ends_and_its_load(window):
    window.document.select(["bw1"])
    item = window.inspector.item_page
    t = window.design.equipment
    r = t.index["bw1"]
    assert item.start_x_spin.model_value() == pytest.approx(t.x[r])
    assert item.end_x_spin.model_value() == pytest.approx(t.x2[r])
    assert item.start_x_spin.isVisibleTo(item) and not item.x_spin.isVisibleTo(item)
    ev = window.evaluation
    assert item.evaluation_box.load_label.text() == (f"{ev.items.load_kw[r]:,.1f} kW of its {ev.items.limit_kw[r]:,.1f} kW "
                                                     f"limit ({ev.items.load_kw[r] / ev.items.limit_kw[r] * 100:.0f} %)")


def test_editing_x_moves_the_rack_in_one_undo_step_and_undo_restores_it_exactly(window, qtbot):
    design, stack = window.design, window.document.undo_stack
    t = design.equipment
    row = t.index["us1-r1"]
    x0, y0 = t.x[row], t.y[row]
    window.document.select(["us1-r1"])
    item = window.inspector.item_page
    found = item.evaluation_box
    steps = stack.count()
    _type_into(qtbot, item.x_spin, "20.4")
    assert stack.count() == steps + 1
    assert t.x[row] == 20.4 and t.y[row] == y0
    assert t.x[t.index["us1-r2"]] == pytest.approx(3.9)  # only the selected rack moved
    # outside the 11.4 m hall, away from its partner and its busway: the engine says so, the inspector shows it
    qtbot.waitUntil(lambda: found.status_label.text() == "Error")
    assert "outside-hall" in found.problems_label.text()
    assert found.power_label.text().startswith("Not powered")
    stack.undo()
    assert t.x[row] == x0  # exactly, not x0 ± float noise
    qtbot.waitUntil(lambda: found.status_label.text() == "OK")
    assert item.x_spin.model_value() == pytest.approx(x0)


def test_moving_several_items_moves_their_centre(window, qtbot):
    t = window.design.equipment
    ids = ["us1-r1", "us1-r2"]
    before = {i: (t.x[t.index[i]], t.y[t.index[i]]) for i in ids}
    window.document.select(ids)
    inspector = window.inspector
    assert inspector.title.text() == "2 items selected"
    assert inspector.item_page.x_spin.model_value() == pytest.approx(3.6)  # centre of 3.3 and 3.9
    steps = window.document.undo_stack.count()
    _type_into(qtbot, inspector.item_page.y_spin, "10.3")
    assert window.document.undo_stack.count() == steps + 1
    for i in ids:
        assert t.x[t.index[i]] == before[i][0]
        assert t.y[t.index[i]] == pytest.approx(10.3)


def test_rotation_and_type_and_system_are_one_step_each(window, qtbot):
    doc = window.document
    t = window.design.equipment
    doc.select(["net1"])
    inspector = window.inspector
    steps = doc.undo_stack.count()
    _type_into(qtbot, inspector.item_page.rotation_spin, "90")
    assert t.rotation[t.index["net1"]] == 90.0
    doc.select(["us4-r1", "us4-r2"])
    combo = inspector.item_page.type_combo
    index = combo.findData("trn3-gen1-rack")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick emits
    assert {window.design.equipment.get(i).type for i in ("us4-r1", "us4-r2")} == {"trn3-gen1-rack"}
    _type_into(qtbot, inspector.item_page.system_edit, "us9")
    assert window.design.system_members("us9") == ["us4-r1", "us4-r2"]
    assert doc.undo_stack.count() == steps + 3
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert window.design.system_members("us4") == ["us4-r1", "us4-r2"]
    assert window.design.equipment.get("us4-r1").type == "trn3-gen2-rack"


def test_an_empty_ultraserver_id_is_refused_with_a_message(window, qtbot):
    window.document.select(["us1-r1"])
    inspector = window.inspector
    edit = inspector.item_page.system_edit
    steps = window.document.undo_stack.count()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.document.undo_stack.count() == steps
    assert window.design.equipment.get("us1-r1").system == "us1"
    assert "belongs to an UltraServer" in inspector.message.text()


# ====================================================================== nothing selected
def test_nothing_selected_shows_the_hall_and_the_site(window):
    window.document.select([])
    inspector = window.inspector
    hall_box, site_box = inspector.design_page.hall_box, inspector.design_page.site_box
    hall = window.design.halls[0]
    assert inspector.stack.currentIndex() == 1
    assert inspector.title.text() == window.design.name
    assert hall_box.hall_name_edit.text() == hall.name
    assert hall_box.floor_spin.model_value() == hall.floor_rating_kg_m2
    assert hall_box.capacity_spin.model_value() == hall.it_capacity_kw
    assert site_box.utility_spin.model_value() == window.design.site.utility_capacity_kw
    assert site_box.pue_spin.value() == pytest.approx(1.15)
    assert site_box.currency_edit.text() == "USD"


def test_hall_capacity_edit_is_undoable_and_drives_the_engine(window, qtbot):
    window.document.select([])
    inspector = window.inspector
    hall = window.design.halls[0]
    before = hall.it_capacity_kw
    _type_into(qtbot, inspector.design_page.hall_box.capacity_spin, "1000")
    assert hall.it_capacity_kw == 1000.0
    qtbot.waitUntil(lambda: any(v.kind == "power-capacity" for v in window.evaluation.violations))
    window.document.undo_stack.undo()
    assert hall.it_capacity_kw == before
    qtbot.waitUntil(lambda: not window.evaluation.violations)


def test_site_and_name_edits(window, qtbot):
    window.document.select([])
    page = window.inspector.design_page
    _type_into(qtbot, page.site_box.pue_spin, "1.3")
    assert window.design.site.pue == pytest.approx(1.3)
    qtbot.waitUntil(lambda: window.evaluation.totals["power"]["pue"] == pytest.approx(1.3))
    qtbot.waitUntil(lambda: window.metrics.text("pue") == "1.30")  # the tiles follow within 0.1 s
    page.site_box.pue_mode_combo.setCurrentIndex(1)
    page.site_box.pue_mode_combo.activated.emit(1)
    assert window.design.site.pue == "modelled"
    _type_into(qtbot, page.site_box.currency_edit, "eur")
    assert window.design.site.currency == "EUR"
    _type_into(qtbot, page.design_box.name_edit, "Hall A, second phase")
    assert window.design.name == "Hall A, second phase"
    assert window.windowTitle().startswith("Hall A, second phase")


@pytest.mark.parametrize("field, text, expected", [
    ("site_box.pue_spin", "0.8", "PUE must be between 1"),
    ("hall_box.floor_spin", "0", "Floor rating must be between 1"),
])
def test_impossible_values_are_refused_with_a_message_and_nothing_changes(window, qtbot, field, text, expected):
    window.document.select([])
    inspector = window.inspector
    site_before, hall_before = window.design.site.pue, window.design.halls[0].floor_rating_kg_m2
    steps = window.document.undo_stack.count()
    box, name = field.split(".")
    _type_into(qtbot, getattr(getattr(inspector.design_page, box), name), text)
    assert window.document.undo_stack.count() == steps
    assert (window.design.site.pue, window.design.halls[0].floor_rating_kg_m2) == (site_before, hall_before)
    assert expected in inspector.message.text()
    assert "was not applied" in inspector.message.text()
    assert inspector.message.isVisible()


def test_an_empty_design_name_is_refused(window, qtbot):
    window.document.select([])
    inspector = window.inspector
    name = window.design.name
    inspector.design_page.design_box.name_edit.setFocus()
    inspector.design_page.design_box.name_edit.clear()
    qtbot.keyClick(inspector.design_page.design_box.name_edit, Qt.Key.Key_Return)
    assert window.design.name == name
    assert "needs a name" in inspector.message.text()
    assert inspector.design_page.design_box.name_edit.text() == name


def test_imperial_units_show_feet_and_pounds_per_square_foot(window, qtbot):
    settings.set_imperial_units(True)
    try:
        window.document.select(["us1-r1"])
        inspector = window.inspector
        assert inspector.item_page.x_spin.suffix() == " ft"
        assert inspector.item_page.x_spin.value() == pytest.approx(3.3 / 0.3048, abs=1e-3)
        _type_into(qtbot, inspector.item_page.x_spin, "20")
        t = window.design.equipment
        assert t.x[t.index["us1-r1"]] == pytest.approx(20 * 0.3048)  # stored in metres
        window.document.select([])
        assert inspector.design_page.hall_box.floor_spin.suffix() == " lb/ft²"
        assert inspector.design_page.hall_box.floor_spin.value() == pytest.approx(
            window.design.halls[0].floor_rating_kg_m2 * LB_FT2_PER_KG_M2, abs=1)
    finally:
        settings.forget("prefs")
    window.inspector.refresh()
    assert window.inspector.design_page.hall_box.floor_spin.suffix() == " kg/m²"


def test_inspector_follows_an_edit_made_elsewhere(window, qtbot):
    from designer.model.commands import move_items

    window.document.select(["net1"])
    window.document.push(move_items(window.design, ["net1"], 0.6, 0.0))
    qtbot.waitUntil(lambda: window.inspector.item_page.x_spin.model_value() == pytest.approx(5.7 + 0.6))


# ====================================================================== assumptions
def test_every_catalog_assumption_is_listed_with_its_provenance(window, catalog):
    panel = window.assumptions
    keys = [f.key for f in panel.model.figures]
    assert keys == [f.key for f in catalog.assumptions()]
    model = panel.model
    key = "trn3-gen2-rack.it_power_kw"
    assert model.index_of(key, AssumptionsModel.VALUE).data() == "85 kW"
    assert model.index_of(key, AssumptionsModel.DEFAULT).data() == "85 kW"
    assert model.index_of(key, AssumptionsModel.SOURCE).data().startswith("assumption (basis S6)")
    panel.published_check.setChecked(True)
    assert len(panel.model.figures) == len(list(catalog.figures()))


def test_an_assumption_edit_changes_the_it_load_and_is_undoable(window, qtbot):
    panel = window.assumptions
    window.assumptions_dock.raise_()
    racks = window.evaluation.totals["racks"]
    before = _it_kw(window)
    steps = window.document.undo_stack.count()
    # through the table's own editor: double-click the value, type, Enter
    panel.filter_edit.setText("trn3-gen2-rack.it_power")
    group = panel.proxy.index(0, 0)  # the Trn3 Gen2 rack, with its one matching figure under it
    assert panel.proxy.rowCount() == 1 and panel.proxy.rowCount(group) == 1
    index = panel.proxy.index(0, AssumptionsModel.VALUE, group)
    panel.view.setCurrentIndex(index)
    panel.view.edit(index)
    editor = panel.view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "85"
    editor.selectAll()
    qtbot.keyClicks(editor, "90")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event-loop turn
    qtbot.waitUntil(lambda: window.design.assumptions == {"trn3-gen2-rack.it_power_kw": 90.0})
    assert window.document.undo_stack.count() == steps + 1
    qtbot.waitUntil(lambda: _it_kw(window) == pytest.approx(before + racks * 5.0))
    assert _it_kw(window) == pytest.approx(evaluate(window.design, window.catalog).totals["power"]["it_kw"])
    qtbot.waitUntil(lambda: panel.value_text("trn3-gen2-rack.it_power_kw") == "90 kW")
    assert panel.model.index_of("trn3-gen2-rack.it_power_kw", 0).data(
        Qt.ItemDataRole.DecorationRole) is not None  # the overridden mark
    window.document.undo_stack.undo()
    assert window.design.assumptions == {}
    qtbot.waitUntil(lambda: _it_kw(window) == pytest.approx(before))


@pytest.mark.parametrize("key, text, message", [
    ("trn3-gen2-rack.it_power_kw", "-5", "must not be negative"),
    ("trn3-gen2-rack.it_power_kw", "abc", 'expected a number, got "abc"'),
    ("trn3-gen2-rack.it_power_kw", "nan", "expected a finite number"),
    ("trn3-gen2-rack.liquid_fraction", "1.5", "must be a fraction between 0 and 1"),
    ("trn3-gen2-rack.racks_per_system", "1.5", "must be a whole number"),
])
def test_an_invalid_assumption_is_refused_with_the_catalog_message(window, key, text, message):
    panel = window.assumptions
    steps = window.document.undo_stack.count()
    assert not panel.set_value(key, text)
    assert window.design.assumptions == {}
    assert window.document.undo_stack.count() == steps
    assert message in panel.message.text()
    assert f"assumptions.{key}" in panel.message.text()


def test_reset_restores_the_catalog_value(window, qtbot):
    panel = window.assumptions
    assert panel.set_value("cable.slack_factor", "1.3")
    assert panel.set_value("trn3-gen2-rack.liquid_fraction", "0.9")
    qtbot.waitUntil(lambda: panel.reset_all_button.isEnabled())
    panel.select_key("cable.slack_factor")
    assert panel.reset_button.isEnabled()
    panel.reset_button.click()
    assert window.design.assumptions == {"trn3-gen2-rack.liquid_fraction": 0.9}
    panel.reset_all_button.click()
    assert window.design.assumptions == {}
    window.document.undo_stack.undo()
    assert window.design.assumptions == {"trn3-gen2-rack.liquid_fraction": 0.9}


def test_typing_the_catalog_value_removes_the_override(window):
    panel = window.assumptions
    assert panel.set_value("scaleup.max_cable_m", "5")
    assert window.design.assumptions == {"scaleup.max_cable_m": 5.0}
    assert panel.set_value("scaleup.max_cable_m", "7")
    assert window.design.assumptions == {}


def test_a_list_valued_assumption_takes_a_list(window):
    panel = window.assumptions
    assert panel.set_value("aoc.length_steps_m", "5, 10, 20, 50, 100")
    assert window.design.assumptions == {"aoc.length_steps_m": [5.0, 10.0, 20.0, 50.0, 100.0]}


def test_a_standalone_inspector_with_no_evaluation_says_so(qtbot, catalog):
    from designer.ui.document import Document

    document = Document(catalog)
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    document.evaluate_all()
    assert inspector.title.text() == "Untitled design"
    assert "48.0 m × 30.0 m" in inspector.design_page.hall_box.hall_info.text()
