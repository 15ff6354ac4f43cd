"""The first window: opens a design, shows its plan and the engine's totals."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

import designer.ui
from designer.engine import evaluate
from designer.model import Change
from designer.ui import settings
from designer.ui.main_window import MainWindow


def test_window_opens_the_sample_and_names_it_in_the_title(main_window):
    assert main_window.windowTitle() == f"{main_window.design.name} (pilot-hall.dcplan)[*] — Designer"
    assert not main_window.isWindowModified()
    assert "Hall A pilot" in main_window.windowTitle()
    assert main_window.plan_view.isVisible()
    assert main_window.totals_dock.isVisible()


def test_totals_show_the_engine_report(main_window, catalog):
    report = evaluate(main_window.design, catalog).report()
    totals = main_window.totals
    assert totals.text("chips") == f"{report['chips']:,}" == "1,152"
    assert totals.text("ultraservers") == "8"
    assert totals.text("racks") == "16"
    peak = report["throughput"]["peak"]["mxfp8_pflops"]
    assert totals.text("peak_pflops") == f"{peak:,.1f} PFLOPS" == "2,899.6 PFLOPS"  # 8 × 362,448 TFLOPS
    assert totals.text("it_mw") == f"{report['power']['it_kw'] / 1000:,.2f} MW"
    assert totals.text("pue") == f"{report['power']['pue']:.2f}"
    assert totals.text("violations") == "0 errors, 0 warnings"


def test_an_edit_updates_totals_and_marks_the_culprits(qtbot, catalog, make_small_design):
    design = make_small_design(fabric=True)  # with its leaves and spine: no problem before the edit
    window = MainWindow(design, catalog=catalog)
    qtbot.addWidget(window)
    assert window.totals.text("chips") == "288"
    assert window.totals.text("violations") == "0 errors, 0 warnings"
    t = design.equipment
    row = t.index["us2-r1"]
    t.x[row], t.y[row] = 3.0, 3.2  # onto us1-r1
    design.notify(Change("moved", ("us2-r1",), ("A",)))
    qtbot.waitUntil(lambda: window.totals.text("violations") != "0 errors, 0 warnings")
    overlaps = window.evaluation.violations_of("overlap")
    assert overlaps and set(overlaps[0].ids) == {"us1-r1", "us2-r1"}
    expected = evaluate(design, catalog).report()  # the same as evaluating from scratch
    errors = sum(v["severity"] == "error" for v in expected["violations"])
    assert window.totals.text("violations").startswith(f"{errors} error")
    assert window.evaluation.items.status[row] == 2
    assert window.evaluation.items.status[t.index["us1-r1"]] == 2
    assert window.evaluation.items.status[t.index["net1"]] == 0


def test_status_bar_shows_plan_coordinates_under_the_cursor(main_window, qtbot):
    view = main_window.plan_view
    item = main_window.scene.hall_items[0]
    at = view.mapFromScene(item.from_plan(5.0, 7.0))
    qtbot.mouseMove(view.viewport(), at)
    qtbot.waitUntil(lambda: main_window.cursor_label.text() != "")
    text = main_window.cursor_label.text()
    assert text.startswith("Hall A")
    x = float(text.split("x ")[1].split(" m")[0])
    y = float(text.split("y ")[1].split(" m")[0])
    tolerance = 1.5 / view.pixels_per_metre()  # one pixel, rounded
    assert x == pytest.approx(5.0, abs=tolerance) and y == pytest.approx(7.0, abs=tolerance)


def test_view_menu_zooms_fits_and_toggles_the_totals(main_window):
    view = main_window.plan_view
    assert main_window.fit_action.shortcut().toString() == "Ctrl+0"
    ppm = view.pixels_per_metre()
    main_window.zoom_in_action.trigger()
    assert view.pixels_per_metre() == pytest.approx(ppm * 1.25)
    main_window.zoom_out_action.trigger()
    main_window.zoom_out_action.trigger()
    main_window.fit_action.trigger()
    assert view.pixels_per_metre() == pytest.approx(ppm)
    toggle = main_window.totals_dock.toggleViewAction()
    assert toggle in main_window.panels_menu.actions()
    assert main_window.panels_menu.menuAction() in main_window.view_menu.actions()
    toggle.trigger()
    assert not main_window.totals_dock.isVisible()
    toggle.trigger()
    assert main_window.totals_dock.isVisible()


def test_totals_are_readable_not_clipped(main_window):
    panel = main_window.totals
    for name in ("total_pflops_per_mw", "total_peak_pflops", "total_violations"):
        label = panel.findChild(QLabel, name)
        assert label.isVisible()
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_an_unreadable_file_opens_a_new_design_and_says_why(qtbot, monkeypatch, tmp_path):
    bad = tmp_path / "broken.dcplan"
    bad.write_text("{ not json", encoding="utf-8")
    messages, seen = [], {}
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: messages.append(text))

    def event_loop(self=None):  # stands in for app.exec(): look at the window it shows
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.waitUntil(lambda: bool(messages))
        seen.update(title=window.windowTitle(), halls=len(window.scene.hall_items))
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert designer.ui.run_app(str(bad)) == 0
    assert len(messages) == 1 and messages[0].startswith("broken.dcplan: line 1")
    assert "\n" not in messages[0]
    assert seen == {"title": "Untitled design[*] — Designer", "halls": 1}


def test_void_qt_calls_keep_none_alive():
    """PySide6 6.12.0 on Python 3.11 released a reference to None on every void call and
    aborted the app after a few thousand paints; pyproject.toml excludes it there."""
    from PySide6.QtCore import QRectF

    rect = QRectF()
    before = sys.getrefcount(None)
    for _ in range(20000):
        rect.setX(0.0)
    assert before - sys.getrefcount(None) < 100


def test_colour_mode_and_overlays_are_remembered_for_the_next_window(qtbot, open_window):
    first = open_window()
    first.view_toolbar.set_colour_mode("status")
    first.view_toolbar.overlay_actions["cables"].trigger()
    first.view_toolbar.overlay_actions["heat"].trigger()
    second = open_window()
    assert second.view_toolbar.colour_combo.currentData() == "status"
    shown = {k for k, a in second.view_toolbar.overlay_actions.items() if a.isChecked()}
    assert shown == {"cables", "heat"}
    assert second.scene.hall_items[0].overlays["cables"].isVisible()
    assert second.scene.hall_items[0].colour_mode == "status"


def test_recent_files_are_newest_first_once_each_and_at_most_ten(tmp_path):
    settings.forget("recent_files")
    try:
        paths = [tmp_path / f"hall-{i}.dcplan" for i in range(12)]
        for path in paths:
            settings.add_recent_file(path)
        settings.add_recent_file(paths[5])  # opened again: first, and listed once
        recent = settings.recent_files()
        assert recent[0] == str(paths[5].resolve())
        assert recent[1:] == [str(p.resolve()) for p in paths[::-1] if p != paths[5]][:settings.MAX_RECENT - 1]
        assert len(recent) == settings.MAX_RECENT == len(set(recent))
    finally:
        settings.forget("recent_files")


def test_preferences_read_back_with_their_types():
    try:
        assert settings.imperial_units() is False and settings.snap_enabled() is True
        assert settings.autosave_seconds() == settings.DEFAULT_AUTOSAVE_S
        settings.set_imperial_units(True)
        settings.set_snap_enabled(False)
        settings.set_autosave_seconds(0)  # at least a second between autosaves
        assert settings.imperial_units() is True and settings.snap_enabled() is False
        assert settings.autosave_seconds() == 1
    finally:
        settings.forget("prefs")
    assert settings.imperial_units() is False
