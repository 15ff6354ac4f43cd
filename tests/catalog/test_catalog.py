"""The bundled catalog: every figure is sourced or an assumption, overrides are validated,
and the Trn3 Gen2 UltraServer figures are AWS's published ones."""

from __future__ import annotations

import math
import shutil
import tomllib
from pathlib import Path

import pytest

from designer.catalog import Catalog, CatalogError, load_catalog, load_catalog_from

REPO = Path(__file__).resolve().parents[2]
CATALOG_DIR = REPO / "resources" / "catalog"
TEXT_FIELDS = {"kind", "name", "short", "color", "system_name"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    with (CATALOG_DIR / "sources.toml").open("rb") as fh:
        return set(tomllib.load(fh)["sources"])


# ------------------------------------------------------------------ loading
def test_catalog_loads_the_equipment_a_planner_places(catalog: Catalog) -> None:
    kinds = {t.kind for t in catalog.types.values()}
    assert {"compute", "network", "cdu", "air-handler", "busway"} <= kinds
    for type_id in ("trn3-gen2-rack", "trn3-gen1-rack", "trn2-rack", "network-rack",
                    "cdu-in-row", "busway-1200a"):
        assert type_id in catalog.types, type_id
    # the scale-out media the reach rules pick from (PRODUCT §3)
    assert {"aoc", "sr8", "dr8", "fr"} <= set(catalog.media)
    assert catalog.value("cable.slack_factor") == pytest.approx(1.1)
    assert catalog.value("cable.tray_drop_m") == pytest.approx(1.5)


def test_every_loaded_figure_cites_a_known_source_or_is_an_assumption(
        catalog: Catalog, source_ids: set[str]) -> None:
    figures = list(catalog.figures())
    assert len(figures) > 50
    for fig in figures:
        assert set(fig.sources) <= source_ids, f"{fig.key} cites {fig.sources}"
        if fig.is_assumption:
            assert fig.assumption.strip(), f"{fig.key}: an assumption must say why"
        else:
            assert fig.sources, f"{fig.key} has neither a source nor an assumption"


def test_every_figure_in_the_toml_files_is_an_inline_table_with_provenance(source_ids: set[str]) -> None:
    """Read the raw files (not through the loader) so a lax loader cannot hide a bad figure."""
    checked = 0
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        if path.name == "sources.toml":
            continue
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
        for section, table in doc.items():
            for name, raw in table.items():
                if name in TEXT_FIELDS:
                    continue
                where = f"{path.name}: [{section}].{name}"
                assert isinstance(raw, dict) and "value" in raw, f"{where} is not {{ value = …, … }}"
                if "source" in raw:
                    ids = raw["source"].split()
                    assert ids and set(ids) <= source_ids, f"{where}: source {raw['source']!r}"
                    assert "assumption" not in raw, where
                else:
                    assert isinstance(raw.get("assumption"), str) and raw["assumption"].strip(), \
                        f"{where} has neither a source nor an assumption"
                    assert set(raw.get("basis", "").split()) <= source_ids, f"{where}: basis {raw.get('basis')!r}"
                checked += 1
    assert checked > 50


def test_unpublished_figures_are_listed_as_assumptions(catalog: Catalog) -> None:
    """hardware.md: Trn3 rack power and racks per UltraServer are not published."""
    keys = {f.key for f in catalog.assumptions()}
    assert "trn3-gen2-rack.it_power_kw" in keys
    assert "trn3-gen2-rack.racks_per_system" in keys
    assert "scaleup.max_cable_m" in keys
    assert "trn3-gen2-rack.chips" not in keys  # published by AWS (S2)
    assert catalog.figure("trn3-gen2-rack.chips").sources == ("S2",)


# ------------------------------------------------------------------ rejection of bad catalog files
def _copy_with_edit(tmp_path: Path, fname: str, old: str, new: str) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    path = folder / fname
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test setup: {old!r} not found once in {fname}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_an_unedited_copy_of_the_catalog_loads(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    cat = load_catalog_from(folder)
    assert cat.value("trn3-gen2-rack.chips") == 144


IT_POWER_LINE = ('it_power_kw = { value = 85.0, assumption = "not published; 144 chips x ~1 kW + hosts and '
                 'switches = ~170 kW per UltraServer, 85 kW per rack on 2 racks", basis = "S6" }')


@pytest.mark.parametrize(
    ("fname", "old", "new", "fragments"),
    [
        pytest.param("compute.toml", IT_POWER_LINE, "it_power_kw = { value = 85.0 }",
                     ["trn3-gen2-rack", "it_power_kw", "neither"], id="neither-source-nor-assumption"),
        pytest.param("compute.toml", IT_POWER_LINE, 'it_power_kw = { value = 85.0, basis = "S6" }',
                     ["trn3-gen2-rack", "it_power_kw", "neither"], id="basis-without-assumption"),
        pytest.param("compute.toml", 'hbm_gib = { value = 20736, source = "S2" }',
                     'hbm_gib = { value = 20736, source = "S99" }',
                     ["trn3-gen2-rack", "hbm_gib", "S99"], id="unknown-source-id"),
        pytest.param("compute.toml", IT_POWER_LINE,
                     'it_power_kw = { value = 85.0, assumption = "a guess", basis = "X7" }',
                     ["trn3-gen2-rack", "it_power_kw", "X7"], id="unknown-basis-id"),
        pytest.param("compute.toml", 'hbm_gib = { value = 20736, source = "S2" }', "hbm_gib = 20736",
                     ["trn3-gen2-rack", "hbm_gib", "bare"], id="bare-number"),
        pytest.param("globals.toml",
                     'max_cable_m = { value = 7.0, assumption = "NeuronLink cable reach across racks not '
                     'published; active copper reaches 2-7 m", basis = "D13 S2" }',
                     "max_cable_m = 7.0", ["scaleup.max_cable_m"], id="bare-number-global"),
        pytest.param("facility.toml", 'amps = { value = 1200, source = "D28" }',
                     'amps = { value = "lots", source = "D28" }',
                     ["busway-1200a", "amps", "expected a number"], id="non-numeric-value"),
    ],
)
def test_loader_rejects_a_figure_without_valid_provenance(
        tmp_path: Path, fname: str, old: str, new: str, fragments: list[str]) -> None:
    folder = _copy_with_edit(tmp_path, fname, old, new)
    with pytest.raises(CatalogError) as err:
        load_catalog_from(folder)
    for fragment in fragments:
        assert fragment in str(err.value)


# ------------------------------------------------------------------ assumption overrides
def test_override_changes_the_value_and_keeps_the_catalog_default(catalog: Catalog) -> None:
    over = catalog.with_overrides({"trn3-gen2-rack.it_power_kw": 90})
    rack = over.type("trn3-gen2-rack")
    assert rack.it_power_kw == 90
    assert rack.system_power_kw == pytest.approx(180)  # 2 racks per UltraServer
    fig = over.figure("trn3-gen2-rack.it_power_kw")
    assert fig.value == 90
    assert fig.catalog_value == 85
    assert fig.overridden
    assert fig.is_assumption  # still listed in the Assumptions panel, with its reason
    # the shared catalog is untouched: another design still sees 85 kW
    assert catalog.type("trn3-gen2-rack").it_power_kw == 85
    assert not catalog.figure("trn3-gen2-rack.it_power_kw").overridden
    # other types are not affected
    assert over.type("trn3-gen1-rack").it_power_kw == catalog.type("trn3-gen1-rack").it_power_kw


def test_override_of_globals_and_counts(catalog: Catalog) -> None:
    over = catalog.with_overrides({"cable.slack_factor": 1.25, "trn3-gen2-rack.racks_per_system": 1})
    assert over.value("cable.slack_factor") == 1.25
    assert over.figure("cable.slack_factor").catalog_value == pytest.approx(1.1)
    assert over.type("trn3-gen2-rack").racks_per_system == 1
    assert over.type("trn3-gen2-rack").system_power_kw == pytest.approx(85)


def test_overriding_a_value_to_its_default_is_not_reported_as_changed(catalog: Catalog) -> None:
    over = catalog.with_overrides({"trn3-gen2-rack.it_power_kw": 85.0})
    assert not over.figure("trn3-gen2-rack.it_power_kw").overridden


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("trn3-gen2-rack.no_such_field", 1.0, id="unknown-field"),
        pytest.param("no-such-rack.it_power_kw", 90, id="unknown-type"),
        pytest.param("cable.no_such_global", 1.0, id="unknown-global"),
        pytest.param("slack_factor", 1.0, id="key-without-owner"),
        pytest.param("trn3-gen2-rack.it_power_kw", "90", id="text-not-number"),
        pytest.param("trn3-gen2-rack.it_power_kw", None, id="null"),
        pytest.param("trn3-gen2-rack.it_power_kw", True, id="boolean"),
        pytest.param("trn3-gen2-rack.it_power_kw", [90], id="list"),
        pytest.param("trn3-gen2-rack.it_power_kw", -5, id="negative"),
        pytest.param("trn3-gen2-rack.it_power_kw", float("nan"), id="nan"),
        pytest.param("trn3-gen2-rack.it_power_kw", float("inf"), id="infinite"),
        pytest.param("trn3-gen2-rack.it_power_kw", 850000, id="absurdly-large"),
        pytest.param("trn3-gen2-rack.liquid_fraction", 1.5, id="fraction-above-1"),
        pytest.param("trn3-gen2-rack.racks_per_system", 1.5, id="fractional-count"),
        pytest.param("trn3-gen2-rack.racks_per_system", 0, id="zero-count"),
        pytest.param("cable.slack_factor", 0, id="zero-slack"),
    ],
)
def test_bad_override_raises_catalog_error_naming_the_key(catalog: Catalog, key: str, value: object) -> None:
    with pytest.raises(CatalogError) as err:
        catalog.with_overrides({key: value})
    assert f"assumptions.{key}" in str(err.value)
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------ derived figures
@pytest.mark.parametrize("type_id", ["busway-800a", "busway-1200a"])
def test_busway_rating_is_three_phase_power(catalog: Catalog, type_id: str) -> None:
    bw = catalog.type(type_id)
    volts = catalog.value(f"{type_id}.voltage_v")
    amps = catalog.value(f"{type_id}.amps")
    pf = catalog.value(f"{type_id}.power_factor")
    # P = √3 · V_line · I · PF (three-phase), in kW
    assert bw.busway_rating_kw == pytest.approx(math.sqrt(3) * volts * amps * pf / 1000, rel=1e-12)


def test_busway_rating_by_hand(catalog: Catalog) -> None:
    # 1,200 A at 415 V three-phase, PF 0.95: 1.732 × 415 × 1200 × 0.95 ≈ 819.4 kW
    assert catalog.type("busway-1200a").busway_rating_kw == pytest.approx(819.4, abs=0.1)
    # the rating follows an override of the line voltage
    over = catalog.with_overrides({"busway-1200a.voltage_v": 480})
    assert over.type("busway-1200a").busway_rating_kw == pytest.approx(
        math.sqrt(3) * 480 * 1200 * 0.95 / 1000, rel=1e-12)


# Per-chip Trainium3 figures from hardware.md §1, source S1 (AWS Neuron docs,
# "Trainium3 Architecture"): dense MXFP8 2,517 TFLOPS; BF16 dense 671 TFLOPS;
# FP32 183 TFLOPS; HBM3E 144 GiB; HBM bandwidth 4.9 TB/s.
CHIP_MXFP8_TFLOPS = 2517  # S1
CHIP_BF16_TFLOPS = 671  # S1
CHIP_FP32_TFLOPS = 183  # S1
CHIP_HBM_GIB = 144  # S1
CHIP_HBM_TBPS = 4.9  # S1


def test_trn3_gen2_ultraserver_matches_aws_published_totals(catalog: Catalog) -> None:
    """hardware.md §2, source S2: the official Trn3 Gen2 UltraServer row."""
    rack = catalog.type("trn3-gen2-rack")
    assert rack.get("chips") == 144
    assert rack.get("mxfp8_tflops") == 362_448
    assert rack.get("bf16_tflops") == 96_624
    assert rack.get("fp32_tflops") == 26_352
    assert rack.get("hbm_gib") == 20_736
    assert rack.get("hbm_tbps") == pytest.approx(705.6, abs=1e-9)
    assert rack.get("efa_gbps") == 28_800


@pytest.mark.parametrize(("type_id", "chips"), [("trn3-gen2-rack", 144), ("trn3-gen1-rack", 64)])
def test_trn3_ultraserver_totals_are_chips_times_per_chip_figures(
        catalog: Catalog, type_id: str, chips: int) -> None:
    rack = catalog.type(type_id)
    assert rack.get("chips") == chips
    assert rack.get("mxfp8_tflops") == chips * CHIP_MXFP8_TFLOPS
    assert rack.get("bf16_tflops") == chips * CHIP_BF16_TFLOPS
    assert rack.get("fp32_tflops") == chips * CHIP_FP32_TFLOPS
    assert rack.get("hbm_gib") == chips * CHIP_HBM_GIB
    assert rack.get("hbm_tbps") == pytest.approx(chips * CHIP_HBM_TBPS, rel=1e-12)


def test_trn3_gen2_ultraserver_defaults_to_two_racks(catalog: Catalog) -> None:
    """hardware.md: sources disagree (S4: one rack, S11: NL72x2); the default is 2."""
    rack = catalog.type("trn3-gen2-rack")
    assert rack.racks_per_system == 2
    assert set(catalog.figure("trn3-gen2-rack.racks_per_system").sources) == {"S4", "S11"}
