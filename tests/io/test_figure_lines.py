"""The figures the report lists (no Qt): readable numbers with units, and only the
equipment, media and coolant a design uses."""

from __future__ import annotations

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import read_design, tables
from designer.paths import examples_dir


def test_numbers_read_as_a_person_writes_them():
    assert tables.format_number(362448.0) == "362,448"
    assert tables.format_number(705.6) == "705.6"
    assert tables.format_number(0.998) == "0.998"
    assert tables.format_number(1_000_544.0) == "1,000,544"
    assert tables.format_figure(362448.0, "mxfp8_tflops") == "362,448 TFLOPS"
    assert tables.format_figure(1360.0, "weight_kg") == "1,360 kg"
    assert tables.format_figure((1.0, 2.0, 3.0), "length_steps_m") == "1, 2, 3 m"
    assert tables.format_figure(0.85, "liquid_fraction") == "0.85"


def test_used_figures_name_only_what_the_design_uses():
    design = read_design(examples_dir() / "full-hall.dcplan")
    catalog = load_catalog()
    ev = evaluate(design, catalog)
    lines = tables.used_figures(design, catalog, ev)
    keys = {line.key for line in lines}
    owners = {key.rpartition(".")[0] for key in keys}
    placed = set(design.equipment.types.names)
    for type_id, spec in catalog.types.items():
        if type_id in placed:
            assert f"{type_id}.width_m" in keys or spec.kind not in ("compute", "network", "cdu", "air-handler")
        elif spec.kind in ("compute", "network", "cdu", "air-handler", "busway"):
            assert type_id not in owners, type_id  # a type the design does not place
    used_media = {m for m, x in ev.totals["cables"]["by_medium"].items() if x["count"]}
    assert {o for o in owners if o in catalog.media} == used_media
    assert "water.cp_kj_kg_k" in keys and "pg25.cp_kj_kg_k" not in keys  # the site's coolant only
    rack_power = next(line for line in lines if line.key == "trn3-gen2-rack.it_power_kw")
    assert rack_power.is_assumption and rack_power.value == "85 kW" and rack_power.group == "Trn3 Gen2 UltraServer rack"
    assert rack_power.label == "IT power" and rack_power.basis.startswith("not published")


def test_an_override_shows_beside_the_catalog_value():
    design = read_design(examples_dir() / "full-hall.dcplan")
    design.assumptions = {"trn3-gen2-rack.it_power_kw": 90.0}
    catalog = load_catalog()
    lines = tables.used_figures(design, catalog.with_overrides(design.assumptions), evaluate(design, catalog))
    line = next(x for x in lines if x.key == "trn3-gen2-rack.it_power_kw")
    assert (line.value, line.catalog_value) == ("90 kW", "85 kW")
