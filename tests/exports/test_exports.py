"""Every export read back: SVG parsed, PDF text, DXF re-read and audited, CSV against
the JSON report, DXF import of a drawing made in the test."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import ezdxf
import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import read_design
from designer.io.bom import bom_csv
from designer.io.dxf import DxfError, export_dxf, import_dxf
from designer.io.exports import export_design
from designer.io.tables import orderable_length

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture
def pilot(pilot_path):
    design = read_design(pilot_path)
    return design, evaluate(design)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, env=ENV,
                          timeout=300)


# ------------------------------------------------------------------ CSV and JSON
def test_csv_totals_equal_the_json_report(pilot, tmp_path):
    design, ev = pilot
    export_design(design, "csv", tmp_path / "bom.csv", ev)
    export_design(design, "json", tmp_path / "report.json", ev)
    report = json.loads((tmp_path / "report.json").read_text())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "bom.csv").read_text())))
    total = {r["item"]: r for r in rows if r["section"] == "total"}
    assert int(total["chips"]["quantity"]) == report["chips"] == 1152
    assert int(total["racks"]["quantity"]) == report["racks"]
    assert int(total["links"]["quantity"]) == report["cables"]["links"]
    for medium, m in report["cables"]["by_medium"].items():
        assert int(total[f"links.{medium}"]["quantity"]) == m["count"]
        assert float(total[f"links.{medium}"]["metres"] or 0) == pytest.approx(m["metres"], abs=1e-3)
    # cables by orderable length: the same number of cables, each at least as long as routed
    # (by_medium counts the server links and the fabric's, issue 14)
    cables = [r for r in rows if r["section"] == "cables"]
    fabric = [r for r in rows if r["section"] == "fabric cables"]
    assert sum(int(r["quantity"]) for r in cables) == report["cables"]["links"]
    assert sum(int(r["quantity"]) for r in fabric) == report["network"]["fabric_links"]
    assert sum(float(r["metres"]) for r in cables + fabric) \
        >= sum(m["metres"] for m in report["cables"]["by_medium"].values())
    equipment = {r["item"]: int(r["quantity"]) for r in rows if r["section"] == "equipment"}
    # 8 UltraServers in 2 rows; each row's 4 × 36 = 144 links need ceil(144 / 64) = 3 leaf
    # racks (128 ports, 64 facing servers at o = 1); 288 links → tiers [9, 5]: 5 switches
    # above the leaves, one spine rack of 16
    assert equipment["trn3-gen2-rack"] == 16 and equipment["network-rack"] == 6
    assert equipment["spine-rack"] == 1


def test_orderable_length_rounds_up_to_the_vendor_step():
    steps = tuple(load_catalog().media["aoc"].get("length_steps_m"))
    assert orderable_length(5.01, steps) == 7
    assert orderable_length(5.0, steps) == 5
    assert orderable_length(0.2, steps) == steps[0]


def test_optics_are_counted_for_transceiver_media(tmp_path):
    """A link long enough for SR8 needs two transceivers (catalog: transceivers_per_link)."""
    from designer.model import Design, Equipment, Hall

    d = Design("optics")
    d.halls.append(Hall("A", "A", ((0, 0), (60, 0), (60, 10), (0, 10))))
    d.assumptions = {"trn3-gen2-rack.racks_per_system": 1}
    d.equipment.insert([Equipment("us1-r1", "trn3-gen2-rack", "A", 2.0, 5.0, 0.0, "us1"),
                        Equipment("net1", "network-rack", "A", 40.0, 5.0, 0.0)])
    ev = evaluate(d)
    sr8 = ev.totals["cables"]["by_medium"]["sr8"]["count"]
    assert sr8 == 36
    rows = list(csv.DictReader(io.StringIO(bom_csv(d, ev))))
    optics = {r["item"]: int(r["quantity"]) for r in rows if r["section"] == "optics"}
    assert optics == {"sr8-transceiver": 2 * sr8}


# ------------------------------------------------------------------ DXF
def test_dxf_export_reads_back_with_layers_and_a_clean_audit(pilot, tmp_path):
    design, ev = pilot
    path = tmp_path / "pilot.dxf"
    counts = export_dxf(design, path, ev)
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert not auditor.has_errors
    assert doc.header["$INSUNITS"] == 6  # metres
    per_layer: dict[str, int] = {}
    for e in doc.modelspace():
        per_layer[e.dxf.layer] = per_layer.get(e.dxf.layer, 0) + 1
    t = design.equipment
    floor = sum(1 for i in t.ids if not i.startswith("bw"))
    assert per_layer["RACKS"] == floor == counts["RACKS"]
    assert per_layer["BUSWAYS"] == sum(1 for i in t.ids if i.startswith("bw"))
    assert per_layer["COLUMNS"] == len(design.halls[0].columns)
    assert per_layer["HALL"] == 1
    assert per_layer["CABLES"] == len(ev.items.links.rack)
    racks = [e for e in doc.modelspace().query("INSERT") if e.dxf.layer == "RACKS"]
    attribs = {a.dxf.tag: a.dxf.text for a in racks[1].attribs}
    assert set(attribs) == {"ID", "TYPE", "SYSTEM", "KW"}
    assert attribs["ID"] in t.index


def make_architect_dxf(path, units=ezdxf.units.MM, close_outline=True):
    """A drawing as an architect would send it: millimetres, an L-shaped hall, two columns."""
    doc = ezdxf.new("R2013")
    doc.units = units
    for layer in ("A-WALL", "S-COLS", "KEEPOUT"):
        doc.layers.add(layer)
    msp = doc.modelspace()
    outline_mm = [(0, 0), (30000, 0), (30000, 12000), (18000, 12000), (18000, 20000), (0, 20000)]
    msp.add_lwpolyline(outline_mm, close=close_outline, dxfattribs={"layer": "A-WALL"})
    for cx in (6000, 12000):
        msp.add_lwpolyline([(cx, 6000), (cx + 600, 6000), (cx + 600, 6600), (cx, 6600)], close=True,
                           dxfattribs={"layer": "S-COLS"})
    msp.add_lwpolyline([(25000, 1000), (29000, 1000), (29000, 3000), (25000, 3000)], close=True,
                       dxfattribs={"layer": "KEEPOUT"})
    msp.add_line((0, 0), (5, 5), dxfattribs={"layer": "A-WALL"})  # stray entities are ignored
    doc.saveas(path)
    return [(x / 1000, y / 1000) for x, y in outline_mm]


def test_dxf_import_takes_the_outline_columns_and_keepouts_in_metres(tmp_path):
    path = tmp_path / "architect.dxf"
    expected = make_architect_dxf(path)
    geom = import_dxf(path, outline_layer="a-wall", column_layer="S-COLS", keepout_layer="KEEPOUT")
    assert geom.outline == tuple(expected)
    assert len(geom.columns) == 2 and geom.columns[0][0] == (6.0, 6.0)
    assert geom.keepouts == [((25.0, 1.0), (29.0, 1.0), (29.0, 3.0), (25.0, 3.0))]
    assert geom.scale == pytest.approx(0.001)


def test_dxf_round_trip_gives_back_the_same_outline(pilot, tmp_path):
    design, ev = pilot
    path = tmp_path / "out.dxf"
    export_dxf(design, path, ev)
    geom = import_dxf(path)
    assert geom.outline == tuple(tuple(map(float, p)) for p in design.halls[0].outline)
    assert geom.columns == [tuple(tuple(map(float, p)) for p in c) for c in design.halls[0].columns]


@pytest.mark.parametrize("case, expect", [
    ("unclosed", "not closed"),
    ("no outline", "no closed polyline on layer 'A-WALL'"),
    ("garbage", "not a readable DXF"),
    ("missing", "cannot be read"),
])
def test_dxf_import_errors_are_clear(tmp_path, case, expect):
    path = tmp_path / "bad.dxf"
    if case == "unclosed":
        make_architect_dxf(path, close_outline=False)
    elif case == "no outline":
        doc = ezdxf.new()
        doc.modelspace().add_lwpolyline([(0, 0), (1, 0), (1, 1)], close=True, dxfattribs={"layer": "OTHER"})
        doc.saveas(path)
    elif case == "garbage":
        path.write_bytes(b"\x00\xffthis is not a drawing\n" * 50)
    with pytest.raises(DxfError) as info:
        import_dxf(path, outline_layer="A-WALL")
    assert expect in str(info.value)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ plan and PDF (Qt, offscreen)
def test_svg_plan_is_vector_with_one_element_per_rack(pilot_path, tmp_path):
    out = tmp_path / "plan.svg"
    proc = cli("export", str(pilot_path), "--format", "svg", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    rack_colour = load_catalog().types["trn3-gen2-rack"].color
    rack_polygons = [g for g in root.iter(f"{ns}g") if g.get("fill") == rack_colour and g.get("stroke-width") in
                     ("0.02",) and g.find(f"{ns}polygon") is not None]
    assert len(rack_polygons) == 16  # the pilot's 16 Trn3 Gen2 racks
    assert not list(root.iter(f"{ns}image"))  # vector: no embedded bitmap
    texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "Hall A pilot" in texts and "Legend" in texts and "N" in texts


def test_png_plan_is_an_image_to_scale(pilot_path, tmp_path):
    from PySide6.QtGui import QImage

    out = tmp_path / "plan.png"
    assert cli("export", str(pilot_path), "--format", "png", "-o", str(out)).returncode == 0
    image = QImage(str(out))
    assert image.width() == 3508 and image.height() == 2480  # A3 landscape at 300 dpi


def test_pdf_report_pages_and_text(pilot_path, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "report.pdf"
    proc = cli("export", str(pilot_path), "--format", "pdf", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 5
    # pypdf separates words of Qt's PDFs with tabs: fold all white space
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Hall A pilot" in text and "Summary" in text
    assert "1,152 chips" in text
    assert "Cable bill by medium" in text and "Assumptions and sources" in text
    assert "trn3-gen2-rack.it_power_kw" in text  # every assumption is listed with its basis
    plan = tmp_path / "plan.pdf"
    assert cli("export", str(pilot_path), "--format", "plan-pdf", "-o", str(plan)).returncode == 0
    assert len(pypdf.PdfReader(str(plan)).pages) == 1


def test_export_to_an_unwritable_place_fails_cleanly(pilot_path, tmp_path):
    proc = cli("export", str(pilot_path), "--format", "csv", "-o", str(tmp_path / "missing" / "x.csv"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
