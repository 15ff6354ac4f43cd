"""The PDF report's resilience page: the verdict, the declared redundancy and the worst
single failures (those that strand compute, worst first)."""

from __future__ import annotations

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.model import Design
from tests.exports.test_report import pdf_text_with_colour

pypdf = pytest.importorskip("pypdf")


def declared(design: Design, redundancy: dict) -> Design:
    """The design with this redundancy declared."""
    design.site.extra["redundancy"] = dict(redundancy)
    return design


def page_texts(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages]


def test_the_report_has_a_resilience_page_with_the_verdict_and_the_worst_failures(qapp, tmp_path, make_small_design):
    from designer.ui.export.plan import ERROR
    from designer.ui.export.report import export_pdf_report

    # the small hall with its second leaf (net2, beside net1 under bw1) and a spine rack
    # (under bw2): losing bw1 darkens both leaves (2 UltraServers), bw2 unpowers us2 and
    # the spine rack; losing the one spine rack cuts the leaves off each other (both
    # UltraServers): 7 components, every one strands compute
    design = declared(make_small_design(fabric=True), {"power": "N+1"})
    catalog = load_catalog()
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, evaluate(design, catalog), out)
    [page] = [t for t in page_texts(out) if t.startswith("Resilience")]
    assert "Losing bw1 strands 2 UltraServers (725 PFLOPS)" in page
    assert "Declared redundancy: power N+1 (not met) · cooling N · network N" in page
    assert "Every single failure tried: 7 components" in page and "7 strand compute" in page
    assert "Single failures that strand compute" in page
    assert "bw1 Overhead busway 1200 A Hall A power 2 725 us1, us2" in page
    assert "bw2 Overhead busway 1200 A Hall A power 2 725 us1, us2" in page   # (it powers the spine rack)
    assert "net1 Network rack" in page and "Hall A network 1 362 us2" in page
    assert "spine1 Spine rack" in page
    # worst first, then by id: bw1, bw2, cdu1, crah1, spine1 (2 each) before net1 (1)
    assert page.index("bw1 Overhead") < page.index("bw2 Overhead") < page.index("cdu1") < page.index("spine1 Spine") \
        < page.index("net1 Network")
    red = (ERROR.redF(), ERROR.greenF(), ERROR.blueF())
    runs = pdf_text_with_colour(out)
    verdict = [c for text, c in runs if text.startswith("Losing bw1 strands")]
    assert verdict and all(c == pytest.approx(red, abs=2e-3) for c in verdict)


def test_only_the_worst_failures_are_listed(qapp, tmp_path, monkeypatch, make_small_design):
    from designer.ui.export import report

    monkeypatch.setattr(report, "WORST_FAILURES_SHOWN", 3)
    design = make_small_design(fabric=True)
    catalog = load_catalog()
    out = tmp_path / "report.pdf"
    # the resilience passed in (the app's, already tried) is the one shown
    from designer.engine import Evaluator

    resilience = Evaluator(design, catalog).resilience()
    report.export_pdf_report(design, catalog, evaluate(design, catalog), out, resilience=resilience)
    [page] = [t for t in page_texts(out) if t.startswith("Resilience")]
    assert "Worst single failures (the 3 of 7 that strand the most)" in page
    assert "net1 Network" not in page and "spine1 Spine" not in page  # the less harmful are left out
    assert "Declared redundancy: power N · cooling N · network N" in page
