"""The PDF report and the tables it shares with the CSV bill and ``designer report``:
an overloaded busway shown in red, the same cable bill in every format."""

from __future__ import annotations

import csv
import io

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import read_design, tables
from designer.io.bom import bom_csv
from tests.engine import helpers as H

pypdf = pytest.importorskip("pypdf")


def overloaded_busway_design():
    """A 6 m busway-1200a over four Trn3 Gen2 UltraServers (8 racks) and a network rack:
    the racks ask for more than its continuous limit."""
    items = []
    for k in range(4):
        items += H.ultraserver(f"us{k + 1}", 1.0 + 1.2 * k)
    items.append(H.net("net1", 5.8))
    items.append(H.busway("bw1", (0.7, H.ROW_Y), (6.7, H.ROW_Y)))
    return H.make_design(items)


def pdf_text_with_colour(path) -> list[tuple[str, tuple[float, ...] | None]]:
    """Every text run of a PDF with the fill colour it is drawn in (RGB 0..1)."""
    found: list[tuple[str, tuple[float, ...] | None]] = []
    fill: list[tuple[float, ...] | None] = [None]

    def before(op, args, cm, tm):
        if op in (b"rg", b"sc", b"scn") and len(args) == 3:
            fill[0] = tuple(float(a) for a in args)

    def text(t, cm, tm, font, size):
        if t.strip():
            found.append((" ".join(t.split()), fill[0]))

    for page in pypdf.PdfReader(str(path)).pages:
        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def test_the_report_shows_an_overloaded_busway_above_100_percent_in_red(qapp, tmp_path):
    from designer.ui.export.plan import ERROR
    from designer.ui.export.report import export_pdf_report

    design = overloaded_busway_design()
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    [busways] = [u for u in tables.hall_tables(design, catalog, ev)[0].utilisation if u.kind == "busway"]
    [bw1] = busways.rows
    assert bw1.item_id == "bw1" and bw1.overloaded and bw1.percent > 100  # what the racks ask for
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, ev, out)
    runs = pdf_text_with_colour(out)
    shown = f"{bw1.percent:,.0f}%"
    colours = [colour for text, colour in runs if text == shown]
    assert colours, f"{shown} is not in the report"
    red = (ERROR.redF(), ERROR.greenF(), ERROR.blueF())
    assert all(c == pytest.approx(red, abs=2e-3) for c in colours)
    # the busway's id and the other loads stay in ink
    assert all(c != pytest.approx(red, abs=2e-3) for text, c in runs if text == "bw1")


def test_csv_pdf_and_text_report_show_one_cable_bill(qapp, pilot_path, tmp_path, capsys):
    from designer.app import main
    from designer.ui.export.report import export_pdf_report

    design = read_design(pilot_path)
    catalog = load_catalog()
    cat = catalog.with_overrides(design.assumptions)
    ev = evaluate(design, catalog)
    bill = tables.cable_bill(ev, cat)
    assert sum(c.cables for c in bill) == ev.totals["cables"]["links"]
    rows = [r for r in csv.DictReader(io.StringIO(bom_csv(design, ev, catalog))) if r["section"] == "cables"]
    assert [(r["item"], float(r["length_m"]), int(r["quantity"])) for r in rows] == \
        [(c.medium, c.length_m, c.cables) for c in bill]
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, ev, out)
    text = " ".join(t for t, _ in pdf_text_with_colour(out))
    for c in bill:
        assert f"{c.short} {c.length_m:g} m {c.cables:,} {c.metres:,.0f} m" in text
    assert main(["report", str(pilot_path)]) == 0
    report = capsys.readouterr().out
    for r in tables.routed_cables(ev, cat):
        if r.links:
            assert f"{r.links:,} links, {r.metres:,.1f} m" in text
            assert f"{r.medium:<12} {r.links:>8,} links {r.metres:>12,.1f} m" in report


def test_hall_tables_add_up_to_the_totals(catalog):
    from designer.model.layouts import campus

    design = campus(catalog, 20_000)
    ev = evaluate(design, catalog)
    halls = tables.hall_tables(design, catalog.with_overrides(design.assumptions), ev)
    assert [h.hall.id for h in halls] == [h.id for h in design.halls] and len(halls) > 1
    assert sum(h.figures["it_kw"].value for h in halls) == pytest.approx(ev.totals["power"]["it_kw"], rel=1e-9)
    for h in halls:
        assert h.figures["it_kw"].unit == "kW" and h.figures["area_m2"].value == pytest.approx(h.hall.area())
        assert all(not u.overloaded for table in h.utilisation for u in table.rows)  # a generated campus is served
