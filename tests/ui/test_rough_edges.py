"""The rough edges a new user hit: the zoom kept when the legend comes and goes, status
messages about the last action, readable chart axes and a distribution at campus scale,
the Assumptions tab in words, Inspector wording, Open Recent, a 1280 × 800 screen, and
a damaged file's backup."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox, QToolButton

from designer.io import write_design
from designer.model.commands import RemoveItems
from designer.ui import settings
from designer.io.tables import field_name
from designer.ui.docks.assumptions import AssumptionsModel
from designer.ui.docks.charts import MAX_UNIT_BARS, ReadableAxis, UtilisationChart, flops_text, power_text_mw
from designer.ui.docks.fields import kw_pair_text


@pytest.fixture
def window(main_window, monkeypatch):
    monkeypatch.setattr(main_window, "maybe_save", lambda: True)
    return main_window


# ====================================================================== legend and zoom
def test_showing_an_overlay_or_a_colour_mode_keeps_the_zoom(window, qtbot):
    view = window.plan_view
    ppm = view.pixels_per_metre()
    assert window.plan_legend.isHidden()
    window.view_toolbar.overlay_actions["heat"].trigger()
    qtbot.waitUntil(lambda: window.plan_legend.isVisible())
    assert view.viewportMargins().bottom() == window.plan_legend.height() > 0  # the strip takes its room …
    assert view.pixels_per_metre() == pytest.approx(ppm)  # … but the plan keeps its scale
    window.view_toolbar.set_colour_mode("density")
    window.view_toolbar.overlay_actions["cables"].trigger()
    qtbot.wait(10)
    assert view.pixels_per_metre() == pytest.approx(ppm)
    window.view_toolbar.set_colour_mode("type")
    for kind in ("heat", "cables"):
        window.view_toolbar.overlay_actions[kind].trigger()
    qtbot.waitUntil(lambda: window.plan_legend.isHidden())
    assert view.viewportMargins().bottom() == 0
    assert view.pixels_per_metre() == pytest.approx(ppm)


# ====================================================================== status messages
def test_the_status_bar_describes_the_last_action(window, qtbot):
    bar = window.statusBar()
    window.document.select(["us1-r1", "us1-r2"])
    window.editor.keyboard.nudge(0.6, 0.0)
    window.editor.keyboard.rotate_selection(90.0)
    assert bar.currentMessage() == "Rotated 2 items 90° left"  # not "Moved 2 items"
    window.editor.delete_selection()
    assert bar.currentMessage() == "Deleted 2 items"
    window.document.undo_stack.undo()
    assert bar.currentMessage() == "Undid Delete"  # not "Deleted 2 items"
    window.document.undo_stack.undo()
    assert bar.currentMessage() == "Undid Rotate"
    window.document.undo_stack.redo()
    assert bar.currentMessage() == "Redid Rotate"
    window.document.undo_stack.setIndex(0)
    assert bar.currentMessage().startswith("Undid ") and "steps" in bar.currentMessage()
    # an edit without its own message is named by its undo text
    window.document.push(RemoveItems(("net1",), "Delete net1"))
    assert bar.currentMessage() == "Delete net1"


def test_a_saved_message_does_not_outlive_the_design(window, qtbot, tmp_path, pilot_path):
    path = tmp_path / "mine.dcplan"
    assert window._save_to(path)
    assert window.statusBar().currentMessage() == f"Saved {path}"
    window.open_file(pilot_path)
    assert window.statusBar().currentMessage().startswith("Opened pilot-hall.dcplan from ")
    window.new_document()
    assert window.statusBar().currentMessage() == ""


# ====================================================================== charts
def test_chart_axes_read_with_units_and_separators(window, qtbot):
    axis = ReadableAxis("left")
    assert axis.tickStrings([0.0, 1_000_000.0, 3_000_000.0], 1.0, 1_000_000.0) == ["0", "1,000,000", "3,000,000"]
    assert axis.tickStrings([0.5, 1.0], 1.0, 0.5) == ["0.5", "1.0"]
    chart = window.metrics.throughput_chart
    bottom, left = chart.plot_item.getAxis("bottom"), chart.plot_item.getAxis("left")
    assert "(x" not in bottom.labelString() and "(x" not in left.labelString()
    mw = window.evaluation.totals["power"]["facility_kw"] / 1000
    assert "MW" in bottom.labelString() and "FLOPS" in left.labelString()
    assert chart.label.toPlainText().endswith(f"at {mw:,.2f} MW")
    # a small design: kW, not "(x0.001)"
    chart.clear_history()
    chart.add_point(0.704, 0.95)
    qtbot.wait(10)
    assert "(kW)" in bottom.labelString() and "(x" not in bottom.labelString()
    assert chart.label.toPlainText() == "950 TFLOPS at 704 kW"
    # the 1M-chip campus: no "3e+06"
    chart.add_point(1381.86, 2_528_437.2)
    qtbot.wait(10)
    assert "(GW)" in bottom.labelString() and "ZFLOPS" in left.labelString()
    assert chart.label.toPlainText() == "2.53 ZFLOPS at 1.38 GW"


def test_si_text_of_powers_and_flops():
    assert power_text_mw(20.0) == "20.0 MW"
    assert power_text_mw(0.0255) == "25.5 kW"
    assert flops_text(2899.6) == "2.90 EFLOPS"
    assert flops_text(362.448) == "362 PFLOPS"


def test_thousands_of_busways_show_as_a_distribution(qtbot):
    chart = UtilisationChart("Busway load", "80 % limit", {"busway": QColorOk()}, "No busways", unit_name="busways")
    qtbot.addWidget(chart)
    chart.resize(400, 260)
    chart.show()
    rng = np.random.default_rng(7)
    n = 2616
    percent = np.concatenate([rng.uniform(20, 30, 900), rng.uniform(90, 99.9, 1700), rng.uniform(101, 140, 16)])
    ids = [f"bw{i}" for i in range(n)]
    chart.set_units(ids, percent, np.zeros(n, np.int64), ["busway"])
    assert chart.histogram
    assert chart.bin_counts.sum() == n  # every busway counted once
    assert chart.bin_counts[2] == 900 and chart.bin_counts[9] == 1700
    assert chart.bin_counts[10:].sum() == 16
    assert chart.bar_heights()["bw5"] == pytest.approx(percent[5])
    assert "2,616 busways, 16 over" in chart.plot_item.titleLabel.text
    assert chart.bin_text(9) == "1,700 busways at 90–100 % of their limit (click to select them)"
    assert set(chart.ids_in_bin(9)) == {ids[i] for i in range(900, 2600)}
    x, heights = chart.drawn_bars()
    assert len(x) <= 21  # a bar per 10 % bin, never a bar per busway
    # back to a bar per unit when there are few
    chart.set_units(ids[:MAX_UNIT_BARS], percent[:MAX_UNIT_BARS], np.zeros(MAX_UNIT_BARS, np.int64), ["busway"])
    assert not chart.histogram
    assert len(chart.drawn_bars()[0]) == MAX_UNIT_BARS


def QColorOk():  # noqa: N802 (reads like the colour it is)
    from designer.ui.docks.charts import OK_COLOR

    return OK_COLOR


def test_a_bin_of_the_distribution_selects_its_units(window):
    ids = list(window.design.equipment.ids)[:4]
    window.metrics.busway_chart.units_clicked.emit(ids)  # what a click on a bin sends
    assert window.document.selection == ids


# ====================================================================== assumptions
def test_assumptions_are_named_in_words_grouped_by_equipment(window):
    panel = window.assumptions
    model = panel.model
    groups = [model.index(g, 0).data() for g in range(model.rowCount())]
    assert "Trn3 Gen2 UltraServer rack" in groups and "Cabling (design-wide)" in groups
    gen2 = model.index(groups.index("Trn3 Gen2 UltraServer rack"), 0)
    names = [model.index(r, 0, gen2).data() for r in range(model.rowCount(gen2))]
    assert "Racks per UltraServer" in names and "IT power" in names
    # no raw key anywhere in the first column
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        for r in range(model.rowCount(group)):
            assert "." not in model.index(r, 0, group).data() or "%" in model.index(r, 0, group).data()
            assert "_" not in model.index(r, 0, group).data()
    # the key and the source in the tooltip
    tip = model.index_of("trn3-gen2-rack.racks_per_system", AssumptionsModel.KEY).data(Qt.ItemDataRole.ToolTipRole)
    assert "trn3-gen2-rack.racks_per_system" in tip and "S4" in tip and "S11" in tip
    assert panel.view.isColumnHidden(AssumptionsModel.SOURCE)
    assert field_name("mxfp8_tflops", "compute") == "MXFP8 compute per UltraServer"
    assert field_name("some_new_limit_kw") == "Some new limit"


def test_assumption_names_are_shown_whole(window, qtbot):
    window.assumptions_dock.raise_()
    panel = window.assumptions
    qtbot.waitUntil(lambda: panel.view.isVisible())
    view = panel.view
    view.header().resizeSection(AssumptionsModel.KEY, 90)  # narrow: the text wraps, it is not cut
    index = panel.proxy.mapFromSource(panel.model.index_of("cooling.delta_t_air_k", 0))
    text = index.data()
    assert text == "Air ΔT (supply to return)"
    line = view.fontMetrics().height()
    qtbot.waitUntil(lambda: view.visualRect(index).height() >= 2 * line)
    assert view.textElideMode() == Qt.TextElideMode.ElideNone


def test_the_filter_finds_figures_by_name_key_or_equipment(window):
    panel = window.assumptions
    proxy = panel.proxy
    panel.filter_edit.setText("racks per ultraserver")
    groups = [proxy.index(g, 0).data() for g in range(proxy.rowCount())]
    assert "Trn3 Gen2 UltraServer rack" in groups
    assert all(proxy.rowCount(proxy.index(g, 0)) == 1 for g in range(proxy.rowCount()))
    panel.filter_edit.setText("Trn3 Gen2 UltraServer rack")  # the equipment: all its figures
    gen2 = proxy.index(0, 0)
    assert proxy.rowCount(gen2) == sum(1 for f in panel.model.figures if f.key.startswith("trn3-gen2-rack."))
    panel.filter_edit.setText("")
    assert proxy.rowCount() == panel.model.rowCount(QModelIndex())


# ====================================================================== inspector wording
def test_a_missing_air_handler_is_blamed_on_the_air_not_the_cdu(open_window, make_small_design, qtbot):
    window = open_window(make_small_design())
    window.document.push(RemoveItems(("crah1",), "Delete"))  # the hall's only air handler
    window.inspector_dock.raise_()
    window.document.select(["us1-r1", "us1-r2"])
    box = window.inspector.item_page.evaluation_box
    qtbot.waitUntil(lambda: "without" in box.air_label.text())
    assert box.air_label.text().endswith("2 of 2 without an air handler")
    assert "without" not in box.liquid_label.text() and "not cooled" not in box.liquid_label.text()
    assert "to CDU cdu1" in box.liquid_label.text()


def test_powers_compared_are_given_in_one_unit(window):
    assert kw_pair_text(704.0, 20_000.0) == ("0.70 MW", "20.00 MW")
    assert kw_pair_text(704.0, 960.0) == ("704.0 kW", "960.0 kW")
    window.document.select([])
    window.inspector.refresh()
    text = window.inspector.design_page.hall_box.hall_info.text()
    line = next(line for line in text.splitlines() if line.startswith("IT load"))
    match = re.fullmatch(r"IT load ([\d,.]+) (kW|MW) of ([\d,.]+) (kW|MW) \(\d+ %\)", line)
    assert match and match.group(2) == match.group(4), line


# ====================================================================== open recent
def test_open_recent_shows_folders_once_each_and_clears(window, tmp_path, pilot_path):
    settings.forget("recent_files")
    try:
        a, b = tmp_path / "site-a", tmp_path / "site-b"
        a.mkdir()
        b.mkdir()
        for folder in (a, b):
            write_design(window.design, folder / "hall.dcplan")
        settings.add_recent_file(a / "hall.dcplan")
        settings.add_recent_file(b / "hall.dcplan")
        settings.add_recent_file(b / ".." / "site-a" / "hall.dcplan")  # the same file, spelt otherwise
        settings.add_recent_file(tmp_path / "gone.dcplan")
        window._fill_recent_menu()
        actions = [x for x in window.recent_menu.actions() if not x.isSeparator()]
        texts = [x.text() for x in actions]
        assert len(texts) == 4  # three files, then Clear List
        assert texts[0] == "&1 gone.dcplan  —  " + str(tmp_path) + "  (not found)" and not actions[0].isEnabled()
        assert texts[1] == f"&2 hall.dcplan  —  {a}" and actions[1].isEnabled()
        assert texts[2] == f"&3 hall.dcplan  —  {b}"
        assert texts[3] == "&Clear List" and actions[3].isEnabled()
        actions[3].trigger()
        assert settings.recent_files() == []
        window._fill_recent_menu()
        texts = [x.text() for x in window.recent_menu.actions() if not x.isSeparator()]
        assert texts == ["(none)", "&Clear List"]
    finally:
        settings.forget("recent_files")


def test_recent_files_written_twice_by_an_older_version_are_listed_once(tmp_path):
    settings.forget("recent_files")
    try:
        path = str((tmp_path / "x.dcplan").resolve())
        settings._store().setValue("recent_files", [path, path, str(tmp_path / "." / "x.dcplan")])
        assert settings.recent_files() == [path]
    finally:
        settings.forget("recent_files")


# ====================================================================== small screen
def test_at_1280_by_800_every_action_is_reachable_and_the_plan_has_half(window, qtbot):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280 and window.height() == 800)
    qtbot.wait(50)
    plan = window.plan_view.size()
    assert plan.width() >= 640 and plan.height() >= 400, plan
    for bar in (window.editor.toolbar, window.view_toolbar):
        extension = [b for b in bar.findChildren(QToolButton) if b.objectName() == "qt_toolbar_ext_button"]
        assert not any(b.isVisible() for b in extension), bar.objectName()  # no » overflow
        for action in bar.actions():
            if action.isSeparator():
                continue
            widget = bar.widgetForAction(action)
            assert widget is not None and widget.isVisible(), action.text()
            assert bar.rect().contains(widget.geometry()), action.text()
    # the same at 1600 × 1000, with the toolbars on one line
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    qtbot.wait(50)
    assert window.plan_view.width() >= 800 and window.plan_view.height() >= 500
    assert not window.toolBarBreak(window.view_toolbar)


def test_a_narrow_window_puts_the_view_toolbar_on_its_own_line(window, qtbot):
    window.resize(1180, 720)  # 92 % of a 1280 × 800 screen, as the first start opens it
    qtbot.waitUntil(lambda: window.width() == 1180)
    qtbot.wait(50)
    assert window.toolBarBreak(window.view_toolbar)
    heat = window.view_toolbar.widgetForAction(window.view_toolbar.overlay_actions["heat"])
    assert heat.isVisible() and window.view_toolbar.rect().contains(heat.geometry())


# ====================================================================== damaged file
def test_a_damaged_file_mentions_its_backup_and_opens_it(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "hall.dcplan"
    write_design(window.design, path)
    write_design(window.design, path)  # the second save keeps the first as hall.dcplan.bak
    assert (tmp_path / "hall.dcplan.bak").is_file()
    path.write_text('{"format": "datacenter-designer", "version": 2, "name": ', encoding="utf-8")  # truncated
    shown = []

    def answer(box):
        shown.append(box.text())
        backup = next(b for b in box.buttons() if b.text() == "Open Backup")
        box.setProperty("clicked", True)
        monkeypatch.setattr(box, "clickedButton", lambda: backup)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    name = window.design.name
    assert window.open_path_interactive(path)
    assert len(shown) == 1
    assert shown[0].startswith("hall.dcplan could not be opened:")
    assert "hall.dcplan.bak" in shown[0] and "Open Backup" in shown[0]
    assert window.design.name == name and window.document.path is None  # an unsaved copy: neither file changes
    assert "backup hall.dcplan.bak" in window.statusBar().currentMessage()


def test_a_damaged_file_without_a_backup_says_only_why(window, tmp_path, monkeypatch):
    path = tmp_path / "broken.dcplan"
    path.write_text("{ not json", encoding="utf-8")
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.text(), len(box.buttons()))) or 0)
    assert not window.open_path_interactive(path)
    assert len(shown) == 1
    text, buttons = shown[0]
    assert text.startswith("broken.dcplan could not be opened:\nbroken.dcplan: line 1")
    assert ".bak" not in text and buttons == 1
