"""File ▸ Export and Import from the window."""

from __future__ import annotations

import csv
import io

import ezdxf

from designer.io.exports import FORMATS
from designer.ui.export import actions as export_actions


def test_every_export_is_in_the_file_menu(main_window):
    shown = [(a.objectName(), a.text()) for a in main_window.export_menu.actions()]
    assert shown == [(f"export_{f.name}", f.menu_text) for f in FORMATS]
    assert [a.text() for a in main_window.export_menu.actions()][:4] == [
        "Plan as &PNG…", "Plan as &SVG…", "Plan as P&DF…", "PDF &report…"]


def test_export_from_the_window_writes_what_the_app_shows(main_window, tmp_path):
    out = tmp_path / "bom.csv"
    export_actions.export_to(main_window, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    chips = next(r for r in rows if r["item"] == "chips")
    assert int(chips["quantity"]) == main_window.document.evaluation.totals["chips"]
    svg = tmp_path / "plan.svg"
    export_actions.export_to(main_window, "svg", svg)
    assert svg.read_text().startswith("<?xml")


def test_imported_dxf_becomes_a_new_hall_in_one_undo_step(main_window, tmp_path, qtbot):
    from designer.io.dxf import import_dxf

    path = tmp_path / "room.dxf"
    doc = ezdxf.new()
    doc.units = ezdxf.units.M
    doc.modelspace().add_lwpolyline([(0, 0), (40, 0), (40, 25), (0, 25)], close=True, dxfattribs={"layer": "HALL"})
    doc.saveas(path)
    halls_before = len(main_window.design.halls)
    hall_id = export_actions.apply_hall_geometry(main_window, import_dxf(path), None)
    assert len(main_window.design.halls) == halls_before + 1
    assert main_window.design.hall(hall_id).outline == ((0.0, 0.0), (40.0, 0.0), (40.0, 25.0), (0.0, 25.0))
    qtbot.waitUntil(lambda: len(main_window.scene.hall_items) == halls_before + 1)
    main_window.document.undo_stack.undo()
    assert len(main_window.design.halls) == halls_before
