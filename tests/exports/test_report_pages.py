"""The PDF report as a manager reads it: a cover with the key figures and the plan, "Page
n of N" on every page, whole violation messages, numbers with separators and units,
sentences that read, only the equipment the design uses, and the plan page's rack ids."""

from __future__ import annotations

import datetime as _dt
import shutil
import subprocess
import unicodedata

import pytest

from designer.catalog import load_catalog
from designer.engine import Evaluator, evaluate
from designer.io import read_design
from designer.paths import examples_dir

pypdf = pytest.importorskip("pypdf")


def page_texts(path) -> list[str]:
    """Each page's text, white space folded (pypdf separates Qt's words with tabs) and
    ligatures undone ("ﬁ" → "fi")."""
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
            for page in pypdf.PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def full_hall(tmp_path_factory, qapp):
    """The bundled full hall's report: (design, evaluation, resilience, pdf path, pages written)."""
    from designer.ui.export.report import export_pdf_report

    design = read_design(examples_dir() / "full-hall.dcplan")
    catalog = load_catalog()
    evaluator = Evaluator(design, catalog)
    ev, res = evaluator.evaluation, evaluator.resilience()
    out = tmp_path_factory.mktemp("report") / "full-hall.pdf"
    pages = export_pdf_report(design, catalog, ev, out, resilience=res)
    return design, ev, res, out, pages


def test_every_page_says_page_n_of_n(full_hall):
    *_, out, pages = full_hall
    texts = page_texts(out)
    assert len(texts) == pages >= 6
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {pages}" in text
    assert "Page 1 of" not in " ".join(texts[1:])


def test_the_cover_shows_the_key_figures_and_the_verdict(full_hall):
    design, ev, res, out, _ = full_hall
    cover = page_texts(out)[0]
    t = ev.totals
    p, th = t["power"], t["throughput"]
    today = _dt.date.today()
    assert design.name in cover
    assert f"{today.day} {today.strftime('%B %Y')}" in cover
    for figure in (f"{t['chips']:,}", f"{t['ultraservers']:,}", f"{p['it_kw'] / 1000:,.2f} MW",
                   f"{p['facility_kw'] / 1000:,.2f} MW", f"{th['pflops_per_mw']:,.1f}",
                   f"{p['annual_mwh']:,.0f} MWh", f"USD {p['annual_cost'] / 1e6:,.2f} million",
                   f"{p['annual_co2_t']:,.0f} t"):
        assert figure in cover, figure
    eff = th["effective"]["mxfp8_pflops"]
    assert f"{eff / 1000:,.1f} EFLOPS" in cover  # 23,197 PFLOPS reads as 23.2 EFLOPS
    errors = sum(v.severity == "error" for v in ev.violations)
    assert f"Errors {errors:,}" in cover
    if res.n_minus_1_safe:
        assert "N−1 safe" in cover
    else:
        assert f"{res.worst.stranded_ultraservers:,} UltraServer" in cover and f"if {res.worst.id} fails" in cover


def test_the_cover_has_a_plan_thumbnail(full_hall, tmp_path):
    """Page 1 rendered: the lower half holds the plan (the racks in their legend colour)."""
    from PySide6.QtGui import QColor, QImage

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    *_, out, _ = full_hall
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "p")], check=True)
    [png] = tmp_path.glob("p*.png")
    image = QImage(str(png))
    rack = QColor(load_catalog().types["trn3-gen2-rack"].color)
    orange = 0
    for y in range(image.height() // 2, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            orange += abs(c.red() - rack.red()) + abs(c.green() - rack.green()) + abs(c.blue() - rack.blue()) < 40
    assert orange > 200


def test_a_long_violation_message_appears_whole(qapp, tmp_path):
    """A message longer than its column wraps onto more lines instead of ending in "…"."""
    from designer.ui.export.report import export_pdf_report
    from tests.exports.test_report import overloaded_busway_design

    design = overloaded_busway_design()
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    longest = max(ev.violations, key=lambda v: len(v.message))
    assert len(longest.message) > 100  # more than one line of the message column
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, ev, out)
    text = " ".join(page_texts(out))
    for v in ev.violations:
        assert " ".join(v.message.split()) in text, v.message
    assert "…" not in text.split("Violations (")[1].split("Resilience")[0]


def test_numbers_have_thousands_separators_and_units(full_hall):
    *_, out, _ = full_hall
    text = " ".join(page_texts(out))
    # AWS's published Trn3 Gen2 UltraServer totals, as a reader expects them written
    assert "362,448 TFLOPS" in text and "20,736 GiB" in text and "705.6 TB/s" in text
    assert "362448" not in text and "20736.0" not in text and "1360.0" not in text
    assert "1,360 kg" in text  # a rack's weight, with its unit


def test_assumptions_list_only_the_equipment_the_design_uses(full_hall):
    design, ev, _, out, _ = full_hall
    text = " ".join(page_texts(out))
    used = set(design.equipment.types.names)
    assert "trn3-gen2-rack" in used and "trn2-rack" not in used
    assert "trn3-gen2-rack.it_power_kw" in text and "Trn3 Gen2 UltraServer rack" in text
    for absent in ("trn2-rack.", "trn3-gen1-rack.", "busway-800a.", "Trn2 UltraServer"):
        assert absent not in text, absent
    catalog = load_catalog()
    by_medium = ev.totals["cables"]["by_medium"]
    media = {m for m, used in by_medium.items() if used["count"]}
    assert media and set(catalog.media) - media  # some media carry links, some do not
    for medium in media:
        assert f"{medium}.reach_m" in text
    for medium in set(catalog.media) - media:  # media no link of the design uses
        assert f"{medium}.reach_m" not in text
    assert "pg25." not in text  # the site's coolant is water


def test_the_summary_reads_as_sentences(qapp, tmp_path, make_small_design):
    from designer.io import tables
    from designer.ui.export.report import export_pdf_report

    design = make_small_design()
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    ev.violations = []  # what a design that breaks no rule is told (the rules are tested in tests/engine)
    evaluator = Evaluator(design, catalog)
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, ev, out, resilience=evaluator.resilience())
    summary = next(t for t in page_texts(out) if t.startswith("Summary"))
    [(label, busway), *_] = tables.highest_loads(design, catalog, ev)
    assert f"No rule is broken. Highest loads: {label} {busway.item_id} at {busway.percent:,.0f} % of its limit" \
        in summary
    assert "broken. highest" not in summary and "(s)" not in " ".join(page_texts(out))


def test_the_plan_page_labels_racks_as_the_png_export_does(full_hall):
    design, _, _, out, _ = full_hall
    plan = next(t for t in page_texts(out) if "Legend" in t)
    t = design.equipment
    ids = [t.ids[r] for r in range(len(t)) if t.types.names[int(t.type_code[r])] == "trn3-gen2-rack"]
    assert len(ids) == 128
    assert all(i in plan.split() for i in ids)


def test_the_scale_bar_is_clear_of_the_plan(qapp):
    """The scale bar sits beside the plan, not across a wall."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from designer.ui.export.plan import PlanSheet, scene_for

    design = read_design(examples_dir() / "full-hall.dcplan")
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    image = QImage(1754, 1240, QImage.Format.Format_RGB32)  # A4 landscape at 150 dpi
    painter = QPainter(image)
    with scene_for(design, catalog, ev) as scene:
        placed = PlanSheet(scene, design, catalog, ev).draw(painter, QRectF(0, 0, 1754, 1240), 150 / 25.4)
    painter.end()
    assert placed["scale_bar"].width() > 0
    assert not placed["scale_bar"].intersects(placed["plan_box"])
    assert not placed["scale_bar"].intersects(placed["plan"])


def test_cancelling_writes_nothing_and_the_count_matches_the_pages(qapp, tmp_path, make_small_design):
    """The report is laid out once to count its pages: cancelling in either pass leaves no file."""
    from designer.ui.export.report import ExportCancelled, export_pdf_report

    design = make_small_design()
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    res = Evaluator(design, catalog).resilience()
    calls: list[None] = []
    out = tmp_path / "report.pdf"
    pages = export_pdf_report(design, catalog, ev, out, resilience=res, progress=lambda f: calls.append(f))
    assert len(pypdf.PdfReader(str(out)).pages) == pages
    for stop_at in (1, len(calls) - 1):  # in the counting pass, and near the end of the drawing pass
        seen = []
        cancelled = tmp_path / f"cancelled{stop_at}.pdf"
        with pytest.raises(ExportCancelled):
            export_pdf_report(design, catalog, ev, cancelled, resilience=res,
                              progress=lambda f: seen.append(f) or len(seen) < stop_at)
        assert not cancelled.exists() and not list(tmp_path.glob(f"cancelled{stop_at}*"))
