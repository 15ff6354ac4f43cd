"""The SVG plan as other programs read it: text at its real font size (not font-size 1
scaled up, which ImageMagick spaces letter by letter) and every rack's id, as in the PNG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import read_design
from designer.paths import examples_dir

NS = "{http://www.w3.org/2000/svg}"


def matrix_scale(transform: str | None) -> float:
    """The scale of an SVG ``matrix(a,b,c,d,e,f)`` transform (1 when there is none)."""
    if not transform:
        return 1.0
    a, b = (float(v) for v in re.findall(r"-?[\d.eE+-]+", transform)[:2])
    return (a * a + b * b) ** 0.5


@pytest.fixture(scope="module")
def svg(tmp_path_factory, qapp):
    from designer.ui.export.plan import export_plan

    design = read_design(examples_dir() / "full-hall.dcplan")
    out = tmp_path_factory.mktemp("svg") / "plan.svg"
    export_plan(design, load_catalog(), evaluate(design), out, "svg")
    texts = []  # (text, font size in user units, the scale of its group's transform)
    for group in ET.parse(out).getroot().iter(f"{NS}g"):
        for text in group.findall(f"{NS}text"):
            texts.append(((text.text or "").strip(), float(text.get("font-size")),
                          matrix_scale(group.get("transform"))))
    return design, texts


def test_svg_text_has_real_font_sizes(svg):
    _, texts = svg
    assert texts
    for text, size, scale in texts:
        assert 2.0 <= size * scale <= 60.0, (text, size, scale)  # drawn size, in 96-dpi user units
        assert scale == pytest.approx(1.0, abs=1e-6), text  # the size is the font's, not a transform's
    assert max(size for text, size, _ in texts if text == "Hall B") > 20  # the hall's title: 0.8 m at the sheet's scale


def test_svg_names_every_rack(svg):
    design, texts = svg
    shown = {text for text, _, _ in texts}
    t = design.equipment
    floor = [t.ids[r] for r in range(len(t)) if t.types.names[int(t.type_code[r])] != "busway-1200a"]
    assert len(floor) > 200  # every item but the busways
    assert set(floor) <= shown
