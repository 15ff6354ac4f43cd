"""The PDF report's resilience page: the verdict, the declared redundancy and the worst
single failures (those that strand compute, worst first)."""

from __future__ import annotations

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.model import Design, Equipment, Hall
from tests.exports.test_report import pdf_text_with_colour

pypdf = pytest.importorskip("pypdf")


def two_ultraservers(declared: dict | None = None) -> Design:
    """Two UltraServers across a hot aisle: bw1 powers us1 and the network rack both need,
    bw2 powers us2; one CDU and one air handler (the UI tests' small hall)."""
    design = Design("Two UltraServers")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (20, 0), (20, 10), (0, 10))))
    design.equipment.insert([
        Equipment("cdu1", "cdu-in-row", "A", 2.4, 3.0, 0.0),
        Equipment("us1-r1", "trn3-gen2-rack", "A", 3.0, 3.0, 0.0, "us1"),
        Equipment("us1-r2", "trn3-gen2-rack", "A", 3.6, 3.0, 0.0, "us1"),
        Equipment("net1", "network-rack", "A", 4.2, 3.0, 0.0),
        Equipment("us2-r1", "trn3-gen2-rack", "A", 3.0, 6.0, 180.0, "us2"),
        Equipment("us2-r2", "trn3-gen2-rack", "A", 3.6, 6.0, 180.0, "us2"),
        Equipment("bw1", "busway-1200a", "A", 2.0, 3.0, 0.0, None, (5.0, 3.0)),
        Equipment("bw2", "busway-1200a", "A", 2.0, 6.0, 0.0, None, (5.0, 6.0)),
        Equipment("crah1", "crah", "A", 11.0, 8.5, 0.0),
    ])
    if declared:
        design.site.extra["redundancy"] = dict(declared)
    return design


def page_texts(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages]


def test_the_report_has_a_resilience_page_with_the_verdict_and_the_worst_failures(qapp, tmp_path):
    from designer.ui.export.plan import ERROR
    from designer.ui.export.report import export_pdf_report

    design = two_ultraservers({"power": "N+1"})
    catalog = load_catalog()
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, evaluate(design, catalog), out)
    [page] = [t for t in page_texts(out) if t.startswith("Resilience")]
    assert "Losing bw1 strands 2 UltraServers (725 PFLOPS)" in page
    assert "Declared redundancy: power N+1 (not met) · cooling N · network N" in page
    assert "Every single failure tried: 5 components" in page and "5 strand compute" in page
    assert "Single failures that strand compute" in page
    assert "bw1 Overhead busway 1200 A Hall A power 2 725 us1, us2" in page
    assert "bw2 Overhead busway 1200 A Hall A power 1 362 us2" in page
    assert page.index("bw1 Overhead") < page.index("cdu1") < page.index("bw2 Overhead")  # worst first
    red = (ERROR.redF(), ERROR.greenF(), ERROR.blueF())
    runs = pdf_text_with_colour(out)
    verdict = [c for text, c in runs if text.startswith("Losing bw1 strands")]
    assert verdict and all(c == pytest.approx(red, abs=2e-3) for c in verdict)


def test_only_the_worst_failures_are_listed(qapp, tmp_path, monkeypatch):
    from designer.ui.export import report

    monkeypatch.setattr(report, "WORST_FAILURES_SHOWN", 3)
    design = two_ultraservers()
    catalog = load_catalog()
    out = tmp_path / "report.pdf"
    # the resilience passed in (the app's, already tried) is the one shown
    from designer.engine import Evaluator

    resilience = Evaluator(design, catalog).resilience()
    report.export_pdf_report(design, catalog, evaluate(design, catalog), out, resilience=resilience)
    [page] = [t for t in page_texts(out) if t.startswith("Resilience")]
    assert "Worst single failures (the 3 of 5 that strand the most)" in page
    assert "bw2 Overhead" not in page  # the least harmful is left out
    assert "Declared redundancy: power N · cooling N · network N" in page
