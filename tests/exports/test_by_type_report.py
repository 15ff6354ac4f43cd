"""Throughput by compute type in the reports: the table the PDF report prints (shared in
designer.io.tables) and the PDF itself, for a mixed Trn3 + GB300 + Trn2 design."""

from __future__ import annotations

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import tables
from tests.engine.test_mixed_fleets import PORTS, mixed_items
from tests.engine import helpers as H

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def mixed():
    design = H.make_design(mixed_items(), [H.hall(w=30.0)], assumptions=PORTS)
    return design, evaluate(design)


def test_the_by_type_table_has_one_row_per_type_and_a_total(mixed):
    _, ev = mixed
    header, rows = tables.throughput_by_type_table(ev)
    assert header[:3] == ["Type", "Systems (stranded)", "Chips"] and "FP4 PFLOPS" in header
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == {"Trn3 Gen2 UltraServer", "GB300 NVL72", "Trn2 UltraServer", "All types"}
    fp4, mxfp8 = header.index("FP4 PFLOPS"), header.index("MXFP8 PFLOPS")
    # hand figures: GB300 2 of 3 racks effective, 360 / 1,080 PF each (N5, N6)
    assert by_name["GB300 NVL72"][1:3] == ["3 (1)", "216"]
    assert by_name["GB300 NVL72"][mxfp8] == "720.0 / 1,080.0"
    assert by_name["GB300 NVL72"][fp4] == "2,160.0 / 3,240.0"
    assert by_name["Trn2 UltraServer"][fp4] == "n/a"                 # no published FP4 rate
    assert by_name["Trn3 Gen2 UltraServer"][mxfp8] == "362.4"        # all of it runs: one figure
    assert by_name["All types"][mxfp8] == "1,082.4 / 1,525.6"        # 362.448 + 720 / + 1,080 + 83.2
    assert by_name["All types"][1:3] == ["5 (2)", "424"]


def test_the_pdf_report_prints_the_by_type_table(qapp, mixed, tmp_path):
    from designer.ui.export.report import export_pdf_report

    design, ev = mixed
    out = tmp_path / "report.pdf"
    export_pdf_report(design, load_catalog(), ev, out)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(out)).pages)
    text = " ".join(text.split())
    assert "Throughput by compute type" in text
    for cell in ("GB300 NVL72", "720.0 / 1,080.0", "2,160.0 / 3,240.0", "1,082.4 / 1,525.6", "n/a"):
        assert cell in text, cell
