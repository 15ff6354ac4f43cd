"""Mixed fleets in the app: the Workload dock (time to train, decode bound, live on every
edit and input), the Metrics dock's throughput by type, and the palette's heading for a
planner's own equipment types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication

from designer.model.commands import RemoveItems
from designer.paths import app_data_dir
from designer.ui.main_window import MainWindow
from tests.engine import helpers as H
from tests.engine.test_mixed_fleets import PORTS, mixed_items


def _window(qtbot, design) -> MainWindow:
    window = MainWindow(design)
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.document.evaluation is not None and not window.updates_pending())
    return window


def test_workload_dock_shows_time_to_train_and_decode_bound_live(qtbot):
    """One Trn3 Gen2 UltraServer: BF16 96.624 PFLOPS, 705.6 TB/s (S2). 8e9 x 1e12 tokens:
    4.8e22 FLOPs / (96.624e15 x 0.4) / 86,400 = 14.4 days; decode 705.6e12 / 16e9 B = 44,100
    tokens/s. At MFU 0.5: 11.5 days; at FP4 (362.448 PF, 0.5 B per parameter) and MFU 0.4:
    3.8 days and 176,400 tokens/s."""
    window = _window(qtbot, H.supported_design())
    panel = window.workload
    window.workload_dock.raise_()
    panel.params_edit.setText("8e9")
    panel.tokens_edit.setText("1T")
    assert panel.text("train_days") == "14.4 days"
    assert panel.text("decode_tokens_s") == "44,100 tokens/s"
    facility_mw = window.document.evaluation.totals["power"]["facility_kw"] / 1000
    assert panel.text("decode_per_mw") == f"{44_100 / facility_mw:,.0f} tokens/s per MW"
    assert panel.text("train_flops").startswith("4.80 × 10²² FLOPs")
    panel.mfu_spin.setValue(0.5)
    assert panel.text("train_days") == f"{4.8e22 / (96.624e15 * 0.5) / 86_400:,.1f} days" == "11.5 days"
    panel.mfu_spin.setValue(0.4)
    panel.precision_combo.setCurrentIndex(panel.precision_combo.findData("fp4"))
    assert panel.text("train_days") == f"{4.8e22 / (362.448e15 * 0.4) / 86_400:,.1f} days" == "3.8 days"
    assert panel.text("decode_tokens_s") == "176,400 tokens/s"            # 705.6e12 / 4e9 B
    # an edit: the UltraServer goes, nothing effective is left — the dock follows
    window.document.push(RemoveItems(("us1-r1", "us1-r2")))
    qtbot.waitUntil(lambda: not window.updates_pending() and panel.text("train_days") == "—", timeout=3000)
    assert "No effective compute" in panel.note.text()


def test_a_bad_input_is_named_and_nothing_is_shown(qtbot):
    window = _window(qtbot, H.supported_design())
    panel = window.workload
    panel.params_edit.setText("seventy")
    assert panel.text("train_days") == "—"
    assert "Parameters" in panel.note.text() and "70B" in panel.note.text()
    panel.params_edit.setText("70B")
    assert panel.text("train_days") != "—" and not panel.note.isVisible()


def test_metrics_dock_lists_throughput_by_type(qtbot):
    window = _window(qtbot, H.make_design(mixed_items(), [H.hall(w=30.0)], assumptions=PORTS))
    table = window.metrics.by_type
    assert table.isVisible()
    rows = {table.cell_text(r, 0): r for r in range(table.rowCount())}
    assert set(rows) == {"Trn3 Gen2 UltraServer", "GB300 NVL72", "Trn2 UltraServer", "All types"}
    gb = rows["GB300 NVL72"]
    assert table.cell_text(gb, 1) == "3 (1)" and table.cell_text(gb, 2) == "216"
    assert table.cell_text(gb, 3) == "720.0 of 1,080.0"                     # MXFP8 effective of peak
    assert table.cell_text(rows["Trn2 UltraServer"], 5) == "n/a"            # no published FP4
    assert table.cell_text(rows["All types"], 3) == "1,082.4 of 1,525.6"


def test_own_types_are_listed_under_their_heading(qtbot, tmp_path, monkeypatch):
    from tests.catalog.test_user_catalog import ACME

    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "acme.toml").write_text(ACME, encoding="utf-8")
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(folder))
    window = _window(qtbot, H.supported_design())
    entries = window.palette.entries()
    assert list(entries)[-1] == "Your equipment"
    assert [t for t, _ in entries["Your equipment"]] == ["acme-ax9-rack"]
    assert "acme-ax9-rack" not in [t for t, _ in entries["Compute"]]
    assert "acme.toml" in window.palette.item_for("acme-ax9-rack").toolTip(0)


def test_the_user_catalog_lives_in_qts_app_data_folder(qapp, monkeypatch):
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    app.setApplicationName("Designer")
    app.setOrganizationName("Designer")
    try:
        qt_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    finally:
        app.setApplicationName(names[0])
        app.setOrganizationName(names[1])
    assert str(app_data_dir()) == qt_dir


def test_a_refused_user_type_is_named_in_the_palette_and_the_app_runs_on(qtbot, tmp_path, monkeypatch):
    from tests.catalog.test_user_catalog import ACME

    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "acme.toml").write_text(ACME.replace('chips = { value = 32, source = "V1" }', "chips = { value = 32 }"),
                                      encoding="utf-8")
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(folder))
    window = _window(qtbot, H.supported_design())
    assert "acme-ax9-rack" not in window.document.catalog.types
    [message] = window.palette.refused
    assert "acme.toml" in message and "[acme-ax9-rack].chips" in message
    group = window.palette.tree.topLevelItem(window.palette.tree.topLevelItemCount() - 1)
    assert group.text(0) == "Your equipment"
    assert group.child(0).text(0) == "⚠ 1 type refused (hover for why)"
    assert "[acme-ax9-rack].chips" in group.child(0).toolTip(0)
    assert window.document.evaluation is not None  # the app runs on


def test_a_designs_own_type_opens_draws_and_is_offered_in_the_palette(qtbot, tmp_path, monkeypatch):
    import json

    from tests.catalog.test_user_catalog import _acme_section, _design_doc

    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(tmp_path / "none"))
    rack = {"id": "a1", "type": "acme-ax9-rack", "hall": "A", "x": 5, "y": 5, "rotation": 0, "system": "a1"}
    path = tmp_path / "own.dcplan"
    path.write_text(json.dumps(_design_doc([rack], _acme_section())), encoding="utf-8")
    window = _window(qtbot, None)
    window.open_file(path)
    qtbot.waitUntil(lambda: window.document.evaluation is not None and not window.updates_pending())
    assert [t for t, _ in window.palette.entries()["Your equipment"]] == ["acme-ax9-rack"]
    assert "defined in this design" in window.palette.item_for("acme-ax9-rack").toolTip(0)
    by_type = window.document.evaluation.totals["throughput"]["by_type"]
    assert by_type["acme-ax9-rack"]["chips"] == 32
    assert window.metrics.by_type.cell_text(0, 0) == "Acme AX-9"
    assert not window.metrics.by_type.isVisible()   # one type: the tiles say it all
    window.document.save(tmp_path / "again.dcplan")
    assert json.loads((tmp_path / "again.dcplan").read_text(encoding="utf-8"))["catalog"] == _acme_section()
