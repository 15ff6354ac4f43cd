"""A planner's own equipment: types from the user catalog folder and from a design's own
"catalog" section, under the bundled catalog's rule (every figure has a source or says
``assumption``); a bad type is refused with one message naming the file and the field."""

from __future__ import annotations

import json

import pytest

from designer.catalog import CatalogError, load_catalog, with_design_types
from designer.engine import evaluate
from designer.io import DesignFileError, dumps_design, loads_design
from designer.paths import app_data_dir, user_catalog_dir

ACME = """
[sources]
V1 = "Acme AX-9 rack data sheet, rev. 3 (2026)"

[acme-ax9-rack]
kind = "compute"
name = "Acme AX-9 rack"
system_name = "Acme AX-9"
short = "AX-9"
racks_per_system = { value = 1, source = "V1" }
chips = { value = 32, source = "V1" }
mxfp8_tflops = { value = 64000, source = "V1" }
bf16_tflops = { value = 32000, source = "V1" }
fp32_tflops = { value = 4000, source = "V1" }
hbm_gib = { value = 4096, source = "V1" }
hbm_tbps = { value = 160, source = "V1" }
efa_gbps = { value = 12800, source = "V1" }
efa_link_gbps = { value = 800, source = "V1" }
it_power_kw = { value = 60.0, assumption = "data sheet gives 55-65 kW; the middle", basis = "V1" }
liquid_fraction = { value = 0.8, source = "V1" }
width_m = { value = 0.6, source = "V1" }
depth_m = { value = 1.2, source = "V1" }
height_m = { value = 2.2, source = "V1" }
weight_kg = { value = 1100, source = "V1" }
"""


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "catalog"
    folder.mkdir()
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(folder))
    return folder


def test_the_user_catalog_is_the_app_data_folder_unless_overridden(monkeypatch):
    monkeypatch.delenv("DESIGNER_USER_CATALOG", raising=False)
    assert user_catalog_dir() == app_data_dir() / "catalog"
    monkeypatch.setenv("DESIGNER_USER_CATALOG", "/somewhere/else")
    assert str(user_catalog_dir()) == "/somewhere/else"


def test_a_user_type_loads_beside_the_bundled_ones_and_evaluates(user_dir):
    (user_dir / "acme.toml").write_text(ACME, encoding="utf-8")
    cat = load_catalog()
    spec = cat.types["acme-ax9-rack"]
    assert spec.origin == "user" and spec.is_own and spec.defined_in.endswith("acme.toml")
    assert cat.types["trn3-gen2-rack"].origin == "bundled"
    assert [t.id for t in cat.own_types()] == ["acme-ax9-rack"]
    assert spec.figures["chips"].sources == ("V1",) and cat.sources["V1"].startswith("Acme")
    assert cat.problems == ()
    doc = _design_doc([{"id": "a1", "type": "acme-ax9-rack", "hall": "A", "x": 5, "y": 5, "rotation": 0,
                        "system": "a1"}])
    report = evaluate(loads_design(json.dumps(doc))).report()
    assert report["throughput"]["by_type"]["acme-ax9-rack"]["peak"]["mxfp8_pflops"] == pytest.approx(64.0)
    assert report["throughput"]["by_type"]["acme-ax9-rack"]["origin"] == "user"


@pytest.mark.parametrize("edit, field, words", [
    (('chips = { value = 32, source = "V1" }', 'chips = { value = 32 }'), "chips",
     "neither a 'source' nor an 'assumption'"),
    (('kind = "compute"', 'kind = "gpu"'), "kind", "unknown kind 'gpu'"),
    (('liquid_fraction = { value = 0.8, source = "V1" }', 'liquid_fraction = { value = 1.5, source = "V1" }'),
     "liquid_fraction", "between 0 and 1"),
    (('hbm_tbps = { value = 160, source = "V1" }', 'hbm_tbps = { value = 160, source = "X9" }'), "hbm_tbps",
     "source 'X9'"),
    (('weight_kg = { value = 1100, source = "V1" }', ''), "", "missing figure(s) weight_kg"),
])
def test_a_bad_user_type_is_refused_with_one_message_naming_file_and_field(user_dir, edit, field, words):
    (user_dir / "acme.toml").write_text(ACME.replace(*edit), encoding="utf-8")
    (user_dir / "good.toml").write_text(ACME.replace("acme-ax9-rack", "acme-ax8-rack"), encoding="utf-8")
    cat = load_catalog()  # the app keeps running: the bad type is left out, the rest loads
    assert "acme-ax9-rack" not in cat.types and "acme-ax8-rack" in cat.types
    assert "trn3-gen2-rack" in cat.types
    assert len(cat.problems) == 1
    message = cat.problems[0]
    assert "acme.toml" in message and "[acme-ax9-rack]" in message and words in message
    if field:
        assert f"[acme-ax9-rack].{field}" in message
    assert "\n" not in message


def test_a_user_type_may_not_take_a_bundled_id_or_be_defined_twice(user_dir):
    (user_dir / "a.toml").write_text(ACME.replace("acme-ax9-rack", "trn3-gen2-rack"), encoding="utf-8")
    (user_dir / "b.toml").write_text(ACME, encoding="utf-8")
    (user_dir / "c.toml").write_text(ACME, encoding="utf-8")
    (user_dir / "d.toml").write_text("not [valid toml", encoding="utf-8")
    cat = load_catalog()
    assert cat.types["trn3-gen2-rack"].origin == "bundled"
    assert cat.types["acme-ax9-rack"].defined_in.endswith("b.toml")
    assert any("a.toml" in p and "bundled catalog" in p for p in cat.problems)
    assert any("c.toml" in p and "already defined" in p for p in cat.problems)
    assert any("d.toml" in p for p in cat.problems)
    assert len(cat.problems) == 3


# ------------------------------------------------------------------ a design's own types
def _acme_section(**changes) -> dict:
    import tomllib

    doc = tomllib.loads(ACME)
    doc["acme-ax9-rack"].update(changes)
    return doc


def _design_doc(equipment, catalog=None) -> dict:
    doc = {"format": "datacenter-designer", "version": 2, "name": "own types",
           "halls": [{"id": "A", "name": "Hall A", "outline": [[0, 0], [20, 0], [20, 12], [0, 12]]}],
           "equipment": equipment}
    if catalog is not None:
        doc["catalog"] = catalog
    return doc


def test_a_design_carries_its_own_types_and_they_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(tmp_path / "none"))
    rack = {"id": "a1", "type": "acme-ax9-rack", "hall": "A", "x": 5, "y": 5, "rotation": 0, "system": "a1"}
    text = json.dumps(_design_doc([rack], _acme_section()))
    design = loads_design(text)
    assert "acme-ax9-rack" not in load_catalog().types       # only this design knows it
    saved = dumps_design(design)
    assert json.loads(saved)["catalog"] == _acme_section()
    again = loads_design(saved)
    assert dumps_design(again) == saved                       # byte for byte
    report = evaluate(again).report()
    own = report["throughput"]["by_type"]["acme-ax9-rack"]
    assert own["origin"] == "design" and own["chips"] == 32
    assert own["peak"]["hbm_tbps"] == pytest.approx(160.0)
    cat = with_design_types(load_catalog(), again.extra["catalog"])
    assert cat.types["acme-ax9-rack"].origin == "design"


def test_a_design_type_without_a_source_is_refused_naming_the_field(monkeypatch, tmp_path):
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(tmp_path / "none"))
    section = _acme_section(hbm_gib={"value": 4096})
    with pytest.raises(DesignFileError) as info:
        loads_design(json.dumps(_design_doc([], section)))
    assert str(info.value).startswith("catalog: [acme-ax9-rack].hbm_gib: has neither a 'source' nor an 'assumption'")
    with pytest.raises(DesignFileError, match=r"catalog: \[trn3-gen2-rack\] is a type of the bundled catalog"):
        loads_design(json.dumps(_design_doc([], {"trn3-gen2-rack": _acme_section()["acme-ax9-rack"]})))
    with pytest.raises(CatalogError, match="catalog: expected a table"):
        with_design_types(load_catalog(), ["not", "a", "table"])


def test_the_bundled_gb300_figures_cite_hardware_md_and_trn4_is_all_assumption():
    cat = load_catalog()
    gb = cat.types["gb300-nvl72-rack"]
    for name in ("racks_per_system", "chips", "fp4_tflops", "mxfp8_tflops", "hbm_gib", "hbm_tbps", "efa_gbps",
                 "weight_kg", "width_m", "depth_m"):
        assert not gb.figures[name].is_assumption and gb.figures[name].sources, name
    assert gb.racks_per_system == 1 and gb.get("chips") == 72
    assert gb.get("weight_kg") == 1360 and gb.get("hbm_tbps") == 576
    t4 = cat.types["trn4-rack"]
    announcement = {"S13", "S20", "S21", "S22"}
    for fig in t4.figures.values():
        assert fig.is_assumption, fig.key
    assert all(announcement & set(t4.figures[f].sources) for f in ("fp4_tflops", "mxfp8_tflops", "hbm_tbps",
                                                                   "chips", "racks_per_system"))


def test_the_command_line_warns_about_a_refused_user_type_and_reports_on(user_dir, tmp_path):
    import os
    import subprocess
    import sys

    (user_dir / "acme.toml").write_text(ACME.replace('chips = { value = 32, source = "V1" }', "chips = { value = 32 }"),
                                        encoding="utf-8")
    path = tmp_path / "d.dcplan"
    path.write_text(json.dumps(_design_doc([])), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path)], capture_output=True,
                          text=True, env={**os.environ, "DESIGNER_USER_CATALOG": str(user_dir)})
    assert proc.returncode == 0
    [warning] = proc.stderr.splitlines()
    assert warning.startswith("designer: warning: ") and "acme.toml" in warning and "[acme-ax9-rack].chips" in warning
    assert json.loads(proc.stdout)["throughput"]["by_type"] == {}


@pytest.mark.parametrize("figure, words", [
    ({"foo_kw": {"value": 1, "source": "V1"}}, "[acme-ax9-rack].foo_kw: unknown figure (a compute type has"),
    ({"chips": {"value": [32, 64], "source": "V1"}}, "[acme-ax9-rack].chips.value: expected a number, got a list"),
    ({"it_power_kw": {"value": 5000, "source": "V1"}}, "[acme-ax9-rack].it_power_kw.value"),
])
def test_a_design_type_with_an_unknown_or_odd_figure_is_refused(monkeypatch, tmp_path, figure, words):
    monkeypatch.setenv("DESIGNER_USER_CATALOG", str(tmp_path / "none"))
    with pytest.raises(DesignFileError) as info:
        loads_design(json.dumps(_design_doc([], _acme_section(**figure))))
    assert str(info.value).startswith("catalog: ") and words in str(info.value)
