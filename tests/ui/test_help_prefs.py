"""Help ▸ User Guide and Keyboard Shortcuts, About, single-key tool shortcuts, and the
Preferences dialog (units, grid, snapping, autosave; remembered and applied at once)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

import designer
from designer.ui import help as help_
from designer.ui import settings
from designer.ui.docks.fields import FT_PER_M
from designer.ui.tools.actions import TOOL_SHORTCUTS

#: Qt's offscreen platform cannot pass size hints to a window system (tests/ui/conftest.py).
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints"


@pytest.fixture
def window(main_window, monkeypatch):
    """The pilot-sample window; preferences start and end at their defaults."""
    settings.forget("prefs")
    monkeypatch.setattr(main_window, "maybe_save", lambda: True)
    yield main_window
    settings.forget("prefs")


def _menu_texts(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


# ====================================================================== user guide
def test_the_user_guide_opens_offline_from_the_help_menu(window, qtbot):
    assert "User Guide" in _menu_texts(window.help_menu)
    assert window.user_guide_action.shortcuts() == [QKeySequence(QKeySequence.StandardKey.HelpContents)]
    window.user_guide_action.trigger()
    guide = window._help_windows["guide"]
    qtbot.waitExposed(guide)
    text = guide.browser.toPlainText()
    assert guide.browser.source().isLocalFile()  # the bundled file: no network
    for section in ("First steps", "Tools", "Docks", "Overlays and colours", "Redundancy and what-if",
                    "Assumptions", "Exports", "Command line", "Preferences"):
        assert section in text, section
    assert "designer export FILE --format F -o OUT" in text
    guide.find_edit.setText("blast radius")
    assert guide.find_next()
    assert guide.browser.textCursor().selectedText() == "blast radius"
    guide.close()


def test_the_guide_documents_the_tool_keys_this_build_has_and_its_links_resolve():
    html = help_.guide_path().read_text(encoding="utf-8")
    for name, key in TOOL_SHORTCUTS.items():
        assert f"<kbd>{key}</kbd>" in html, (name, key)
    from designer.ui.tools.editor import PlanEditor

    for cls in PlanEditor.TOOL_CLASSES:  # tools that carry their own key are documented too
        key = TOOL_SHORTCUTS.get(cls.name) or getattr(cls, "shortcut", None)
        assert key and f"<td>{cls.label}</td><td><kbd>{key}</kbd></td>" in html, cls.name
    anchors = set(re.findall(r'(?:name|id)="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= anchors


# ====================================================================== shortcuts
@pytest.mark.qt_log_ignore("This plugin does not support raise", OFFSCREEN_NOISE)  # opened twice: brought forward
def test_keyboard_shortcuts_are_generated_from_the_actions(window, qtbot):
    window.shortcuts_action.trigger()
    dialog = window._help_windows["shortcuts"]
    text = dialog.browser.toPlainText()
    for command, keys in (("Save", "Ctrl+S"), ("Duplicate", "Ctrl+D"), ("Rotate 90° Left", "R"),
                          ("Select", "V"), ("Busway", "B"), ("Fail Selected", "Ctrl+Shift+F"),
                          ("User Guide", "F1")):
        assert any(c == command and keys in k.split(", ") for _, c, k in help_.shortcut_rows(window)), command
        assert command in text
    window.document.select(["net1"])
    window.editor.delete_selection()  # the undo action now reads "Undo Delete"
    window.shortcuts_action.trigger()
    text = dialog.browser.toPlainText()
    assert ("Edit", "Undo", "Ctrl+Z") in help_.shortcut_rows(window)
    assert "Undo Delete" not in text  # the action's name, not the next step's
    # never stale: a changed shortcut shows the next time the list is opened
    window.duplicate_action = window.editor.actions.duplicate_action
    window.duplicate_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
    window.shortcuts_action.trigger()
    assert ("Edit", "Duplicate", "Ctrl+Shift+D") in help_.shortcut_rows(window)
    assert "Ctrl+Shift+D" in dialog.browser.toPlainText()
    dialog.close()


def test_about_shows_the_version(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    window.about_action.trigger()
    assert len(shown) == 1
    assert f"Designer {designer.__version__}" in shown[0] == help_.about_text()
    assert help_.app_version() == designer.__version__


# ====================================================================== tool keys
def test_single_keys_switch_tools_on_the_plan(window, qtbot):
    window.plan_view.setFocus()
    for name, key in TOOL_SHORTCUTS.items():
        qtbot.keyClick(window.plan_view, QKeySequence(key)[0].key())
        assert window.editor.tool.name == name, key
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Escape)
    assert window.editor.tool.name == "select"
    assert "(B)" in window.editor.actions.tool_actions["busway"].toolTip()


def test_tool_keys_type_into_a_field_instead(window, qtbot):
    window.inspector_dock.raise_()
    window.document.select([])
    edit = window.inspector.design_page.design_box.name_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "bwvock")
    assert edit.text() == "bwvock"
    assert window.editor.tool.name == "select"


# ====================================================================== preferences
def test_preferences_are_in_the_edit_menu(window):
    assert window.preferences_action in window.edit_menu.actions()
    assert window.preferences_action.menuRole() == window.preferences_action.MenuRole.PreferencesRole


def test_preferences_apply_at_once_and_are_remembered(window, qtbot):
    dialog = window.show_preferences()
    qtbot.waitExposed(dialog)
    assert dialog.metric_radio.isChecked() and dialog.snap_check.isChecked()
    assert dialog.grid_spin.value() == pytest.approx(0.6) and dialog.grid_spin.suffix() == " m"
    dialog.imperial_radio.setChecked(True)
    assert dialog.grid_spin.suffix() == " ft"
    assert dialog.grid_spin.value() == pytest.approx(0.6 * FT_PER_M, abs=1e-3)  # the same grid, in feet
    dialog.grid_spin.setValue(2.0)
    dialog.snap_check.setChecked(False)
    dialog.autosave_spin.setValue(120)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()

    # remembered
    assert settings.imperial_units() is True and settings.snap_enabled() is False
    assert settings.grid_m() == pytest.approx(0.6096)
    assert settings.autosave_seconds() == 120
    # applied to the open window
    assert window.editor.snapper.grid_m == pytest.approx(0.6096)
    assert not window.editor.snapper.enabled and not window.editor.actions.snap_action.isChecked()
    assert window.autosaver.timer.interval() == 120_000
    assert window.inspector.design_page.hall_box.floor_spin.suffix() == " lb/ft²"
    report = window.evaluation.totals
    lpm, m3h = report["cooling"]["coolant_lpm"], report["cooling"]["airflow_m3h"]
    assert window.metrics.text("coolant_lpm") == f"{lpm / 3.785411784:,.0f} gal/min"
    assert window.metrics.text("airflow_m3h") == f"{m3h * 35.3146667 / 60:,.0f} CFM"
    assert window.metrics.text("cable_m").endswith(" ft")
    assert "routed length (ft)" in window.metrics.cable_chart.plot_item.getAxis("bottom").labelString()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible()
    # the status bar's coordinates follow too
    view = window.plan_view
    _hover(qtbot, window, 3.048, 6.096)
    x_ft, y_ft = _coordinates(window.cursor_label.text(), "ft")
    tolerance = 2 / view.pixels_per_metre() * FT_PER_M  # a pixel or two
    assert x_ft == pytest.approx(10.0, abs=tolerance) and y_ft == pytest.approx(20.0, abs=tolerance)

    # shown again as chosen; Restore Defaults + OK brings back metric
    again = window.show_preferences()
    assert again.imperial_radio.isChecked() and not again.snap_check.isChecked()
    assert again.grid_spin.value() == pytest.approx(2.0) and again.autosave_spin.value() == 120
    again.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    again.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert settings.imperial_units() is False and settings.snap_enabled() is True
    assert settings.grid_m() == settings.DEFAULT_GRID_M and settings.autosave_seconds() == 60
    assert window.inspector.design_page.hall_box.floor_spin.suffix() == " kg/m²"
    assert window.metrics.text("coolant_lpm").endswith(" L/min")
    assert "routed length (m)" in window.metrics.cable_chart.plot_item.getAxis("bottom").labelString()


def test_the_arrow_keys_nudge_by_the_chosen_grid(window, qtbot):
    settings.set_grid_m(1.2)
    from designer.ui.preferences import apply_preferences

    apply_preferences(window)
    window.document.select(["net1"])
    x = window.design.equipment.x[window.design.equipment.index["net1"]]
    window.plan_view.setFocus()
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Right)
    assert window.design.equipment.x[window.design.equipment.index["net1"]] == pytest.approx(x + 1.2)


def test_a_grid_out_of_range_is_refused_with_one_message():
    with pytest.raises(ValueError, match="grid spacing must be between 0.05 and 5 m, got 0"):
        settings.set_grid_m(0)
    assert settings.grid_m() == settings.DEFAULT_GRID_M


def test_cursor_coordinates_are_metric_by_default(window, qtbot):
    view = window.plan_view
    _hover(qtbot, window, 3.0, 6.0)
    x, y = _coordinates(window.cursor_label.text(), "m")
    assert x == pytest.approx(3.0, abs=2 / view.pixels_per_metre())
    assert y == pytest.approx(6.0, abs=2 / view.pixels_per_metre())


def _hover(qtbot, window, x: float, y: float) -> None:
    """Move the mouse over plan point (x, y) m of the first hall (from elsewhere first, so
    that the move is seen even where the pointer already was)."""
    view = window.plan_view
    at = view.mapFromScene(window.scene.hall_items[0].from_plan(x, y))
    qtbot.mouseMove(view.viewport(), at + type(at)(7, 7))
    qtbot.mouseMove(view.viewport(), at)
    qtbot.waitUntil(lambda: window.cursor_label.text().startswith("Hall"))


def _coordinates(text: str, unit: str) -> tuple[float, float]:
    """(x, y) of the status bar's "Hall A   x 3.00 m   y 6.00 m"."""
    match = re.search(rf"x (-?[\d,]+\.\d\d) {unit}\s+y (-?[\d,]+\.\d\d) {unit}$", text)
    assert match, text
    return float(match.group(1).replace(",", "")), float(match.group(2).replace(",", ""))
