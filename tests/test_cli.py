"""The command line as a user runs it: report, report --json, check, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from designer.io import read_design, write_design
from designer.model import Equipment

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, env=ENV,
                          timeout=120)


def one_ultraserver(tmp_path):
    """The pilot hall reduced to a single Trn3 Gen2 UltraServer (its two racks) plus its gear."""
    from designer.paths import pilot_sample

    design = read_design(pilot_sample())
    t = design.equipment
    drop = [i for i in t.ids if i.startswith("us") and not i.startswith("us1-")]
    t.delete(drop)
    path = tmp_path / "one.dcplan"
    write_design(design, path)
    return path


def test_report_json_has_every_key_of_the_product_spec(pilot_path):
    proc = run("report", "--json", str(pilot_path))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    for key in ("chips", "ultraservers", "racks", "power", "cooling", "throughput", "cables", "violations"):
        assert key in doc
    assert set(doc["power"]) >= {"it_kw", "facility_kw", "pue", "annual_mwh", "annual_cost", "annual_co2_t"}
    assert set(doc["cooling"]) >= {"liquid_kw", "air_kw", "coolant_lpm", "airflow_m3h"}
    figures = {"mxfp8_pflops", "bf16_pflops", "fp32_pflops", "hbm_gib", "hbm_tbps", "efa_tbps"}
    assert set(doc["throughput"]["peak"]) >= figures
    assert set(doc["throughput"]["effective"]) >= figures
    assert set(doc["throughput"]) >= {"stranded_ultraservers", "pflops_per_mw"}
    assert set(doc["cables"]) >= {"by_medium", "longest_m", "worst_latency_ns"}
    for medium in doc["cables"]["by_medium"].values():
        assert set(medium) == {"count", "metres"}
    # the pilot: 8 UltraServers × 144 chips, 36 EFA links each
    assert doc["chips"] == 8 * 144
    assert doc["ultraservers"] == 8
    # issue 14's fixed interface, and the two figures the Metrics dock reads beside it
    assert set(doc["network"]) == {"endpoints", "oversubscription", "leaf_racks", "tiers", "switches_by_tier",
                                   "switches", "fabric_links", "inter_hall_links", "transceivers", "optics_kw",
                                   "bisection_tbps", "longest_fabric_link_m", "spine_racks", "spine_switches"}
    # E = 8 × 36 = 288 on 64-port switches at o = 1: d = 32, 9 leaves, 9 × 32 = 288 uplinks
    # ≤ 2 · 32² → 2 tiers, the top ceil(288 / 64) = 5
    assert doc["network"]["endpoints"] == 8 * 36
    assert doc["network"]["switches_by_tier"] == [9, 5] and doc["network"]["switches"] == 14
    # by medium: the server links and the fabric's
    assert sum(m["count"] for m in doc["cables"]["by_medium"].values()) == 8 * 36 + doc["network"]["fabric_links"]


def test_one_ultraserver_reports_aws_published_totals(tmp_path):
    path = one_ultraserver(tmp_path)
    doc = json.loads(run("report", "--json", str(path)).stdout)
    peak = doc["throughput"]["peak"]
    assert doc["chips"] == 144
    assert peak["mxfp8_pflops"] * 1000 == pytest.approx(362_448, abs=1e-6)
    assert peak["bf16_pflops"] * 1000 == pytest.approx(96_624, abs=1e-6)
    assert peak["hbm_gib"] == pytest.approx(20_736, abs=1e-9)
    assert peak["hbm_tbps"] == pytest.approx(705.6, abs=1e-9)
    text = run("report", str(path)).stdout
    for figure in ("362,448 TFLOPS", "96,624 TFLOPS", "20,736 GiB", "705.6 TB/s"):
        assert figure in text


def test_check_exit_codes(tmp_path, pilot_path):
    ok = run("check", str(pilot_path))
    assert ok.returncode == 0, ok.stdout
    assert "0 error(s)" in ok.stdout
    design = read_design(pilot_path)
    t = design.equipment
    row = t.index["us1-r1"]
    design.equipment.insert([Equipment("intruder", "network-rack", "A", float(t.x[row]), float(t.y[row]), 0.0)])
    bad = tmp_path / "bad.dcplan"
    write_design(design, bad)
    proc = run("check", str(bad))
    assert proc.returncode == 1
    assert "overlap" in proc.stdout and "intruder" in proc.stdout


def test_unreadable_file_exit_2_one_line(tmp_path):
    missing = tmp_path / "nope.dcplan"
    for args in (("report", str(missing)), ("check", str(missing)), ("report", "--json", str(missing))):
        proc = run(*args)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_readme_test_command_is_what_ci_runs():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    ci = (root / ".ci" / "run").read_text()
    readme = (root / "README.md").read_text()
    command = next(line for line in ci.splitlines() if "pytest" in line and not line.startswith("#"))
    assert command.strip() in readme


def test_export_formats_are_the_ones_defined_for_every_export(pilot_path, tmp_path):
    """``--format`` offers exactly the formats File ▸ Export offers (designer.io.exports.FORMATS)."""
    from designer.io.exports import FORMAT_NAMES

    proc = run("export", str(pilot_path), "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert all(repr(name) in proc.stderr for name in FORMAT_NAMES)
    assert set(FORMAT_NAMES) >= {"svg", "png", "pdf", "plan-pdf", "dxf", "csv", "json"}
    helped = run("export", "-h").stdout
    assert all(name in helped for name in FORMAT_NAMES)


# ---------------------------------------------------------------- the JSON report's bytes
AWKWARD_TEXT = 'Hällé «draft» — 設計 🚀 "quoted" back\\slash tab\t line\u2028sep \x7f null 0.00001 1.5e-7'


def _awkward_design(tmp_path, *, tiny_co2: bool):
    """The pilot hall with non-ASCII names, ids and text, awkward floats and violations
    (an intruder on a rack); ``tiny_co2`` makes a report figure of 1e-05-ish (orjson would
    print it ``0.00001``), the other figures stay ordinary."""
    from designer.paths import pilot_sample

    design = read_design(pilot_sample())
    design.name = AWKWARD_TEXT
    design.halls[0].name = "Halle 1 — Süd ✓"
    design.site.electricity_price_per_kwh = 0.1 + 0.2          # 0.30000000000000004
    design.site.grid_kg_co2_per_kwh = 1e-9 if tiny_co2 else 1 / 3
    t = design.equipment
    row = t.index["us1-r1"]
    t.x[row] += 1 / 3                                           # a coordinate with 16 digits
    design.equipment.insert([Equipment("Eindringling-ä✓", "network-rack", design.halls[0].id,
                                       float(t.x[row]) + 0.1 + 0.2, float(t.y[row]) + 1e-7, 0.0)])
    path = tmp_path / ("tiny.dcplan" if tiny_co2 else "awkward.dcplan")
    write_design(design, path)
    return path


@pytest.mark.parametrize("tiny_co2", [False, True], ids=["orjson-path", "tiny-float"])
def test_report_json_is_byte_identical_to_json_dumps(tmp_path, monkeypatch, capsysbinary, tiny_co2):
    """The contract of ``report --json``: exactly ``json.dumps(report, indent=2,
    ensure_ascii=False)`` and a line break, in UTF-8 (whichever encoder writes it)."""
    from designer.app import _evaluate, main
    from designer.catalog import load_catalog, with_design_types
    from designer.io import read_design

    path = _awkward_design(tmp_path, tiny_co2=tiny_co2)
    design = read_design(path)
    report = _evaluate(design, with_design_types(load_catalog(), design.extra.get("catalog"))).report()
    assert main(["report", "--json", str(path)]) == 0  # in process
    assert report["violations"] and any(ord(ch) > 127 for v in report["violations"] for ch in v["message"])
    expected = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert capsysbinary.readouterr().out == expected
    proc = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path)], capture_output=True,
                          env={**ENV, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected
    out = tmp_path / "report.json"
    assert run("export", str(path), "--format", "json", "-o", str(out)).returncode == 0
    assert out.read_bytes() == expected


def test_report_json_of_halls_alike_that_break_rules_is_byte_identical_to_json_dumps(tmp_path):
    """A draft campus: its halls alike break the same rules, so their violations are
    written as text from one hall's templates, names escaped (quotes, non-ASCII)."""
    from designer.app import _evaluate
    from designer.catalog import load_catalog
    from designer.engine.templates import Written
    from designer.model import Design
    from designer.model.layouts import lay_out_hall

    cat = load_catalog()
    d = Design('Entwurf «draft» "2"')
    d.site.utility_capacity_kw = 100_000
    for k in range(3):
        h = f'H{k + 1} "50%"'   # (a hall's id is written into every record of its violations)
        lay_out_hall(d, cat, h, f'Halle {k + 1} — "Süd" \\ 50%', row_pairs=1, ultraservers_per_row=2,
                     id_prefix=f'H{k + 1}-"', spine_racks=3)
        t = d.equipment
        t.x[t.index[f'H{k + 1}-"us1-r2']] = t.x[t.index[f'H{k + 1}-"us1-r1']] + 0.3   # an overlap in each
    path = tmp_path / "draft.dcplan"
    write_design(d, path)
    evaluation = _evaluate(read_design(path), load_catalog())
    assert sum(isinstance(p, Written) for p in evaluation.violation_parts) == 3
    expected = _stdlib(evaluation.report())
    assert b'overlaps H2-\\"us1-r' in expected and b'"hall": "H2 \\"50%\\""' in expected   # (escaped)
    proc = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path)], capture_output=True,
                          env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected


def _stdlib(doc) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _same_as_stdlib(doc) -> None:
    from designer.io.exports import report_json

    try:
        expected = _stdlib(doc)
    except Exception as exc:  # noqa: BLE001 (whatever the library refuses, report_json refuses alike)
        with pytest.raises(type(exc)):
            report_json(doc)
        return
    assert report_json(doc) == expected


AWKWARD_VALUES = [
    1e-05, 4.9e-05, 1.5e-07, 1e-09, 1e-10, 5e-324, 1e16, 1.2345678901234568e+17, 1e22, -0.0, 0.1 + 0.2, 10.00001,
    float("nan"), float("inf"), -float("inf"), 2**63, 2**64, -(2**70), True, False, None, "", AWKWARD_TEXT,
    "null", "\n", "\x00\x1f", [], {}, [[], {}], (1, 2.5), {"": []},
]


@pytest.mark.parametrize("value", AWKWARD_VALUES, ids=repr)
def test_report_json_writes_awkward_values_as_the_standard_library(value):
    _same_as_stdlib({"name": "x", "value": value, "violations": [{"kind": "overlap", "location": [value, 1.5]}]})
    _same_as_stdlib(value)


def test_report_json_falls_back_on_what_orjson_writes_differently_or_not_at_all():
    import numpy as np

    deep: list = [1]
    for _ in range(300):  # deeper than orjson goes (255)
        deep = [deep]
    for doc in ({1: "an int key"}, {"v": np.float64(0.1)}, {"v": np.int64(3)}, {"v": object()}, {"deep": deep}):
        _same_as_stdlib(doc)
    looped: list = []
    looped.append(looped)
    _same_as_stdlib({"loop": looped})


def test_report_json_takes_the_fast_path_for_a_report(monkeypatch, pilot_path):
    """A report as the CLI makes it (None among its values too) is written by orjson (a
    declared dependency), not by the standard library."""
    import orjson  # noqa: F401 (installed with Designer)

    from designer.app import _evaluate
    from designer.catalog import load_catalog
    from designer.io import exports

    report = _evaluate(read_design(pilot_path), load_catalog()).report()
    report["power"]["none_too"] = None
    expected = _stdlib(report)

    def refuse(*args, **kwargs):
        raise AssertionError("the standard library's encoder was used")

    monkeypatch.setattr(exports.json, "dumps", refuse)
    assert exports.report_json(report) == expected


@pytest.mark.parametrize("doc", [
    {"a": None, "b": [1.0, float("nan")]}, {"a": [None], "b": {"c": float("inf")}}, {"a": None, "b": -float("inf")},
    {"a": [None, float("nan")]}, [None, float("nan")], {"a": {"b": None}, "c": None}, [None], None,
], ids=repr)
def test_report_json_tells_none_from_nan(doc):
    """orjson writes None, NaN and ±Infinity alike (null); the library does not."""
    _same_as_stdlib(doc)


@pytest.fixture
def fresh_orjson_check():
    """``report_json`` looks orjson up again (it keeps the first answer)."""
    from designer.io import exports

    exports._orjson.cache_clear()
    yield
    exports._orjson.cache_clear()


def test_report_json_without_orjson_writes_the_same_bytes(monkeypatch, fresh_orjson_check):
    from designer.io import exports

    doc = {"name": AWKWARD_TEXT, "pue": 1.15, "violations": [{"kind": "overlap", "location": [0.1, 1e-05]}]}
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson → ImportError
    assert exports._orjson() is None
    assert exports.report_json(doc) == _stdlib(doc)


def test_report_json_ignores_an_orjson_writing_floats_otherwise(monkeypatch, fresh_orjson_check):
    """orjson before 3.11.7 wrote 1e+30 as 1e30: such a release is not used."""
    import types

    import orjson

    from designer.io import exports

    def old_dumps(obj, option=0):
        return orjson.dumps(obj, option=option).replace(b"e+", b"e")

    monkeypatch.setitem(sys.modules, "orjson", types.SimpleNamespace(**{**vars(orjson), "dumps": old_dumps}))
    assert exports._orjson() is None
    doc = {"big": 1e30, "violations": []}
    assert exports.report_json(doc) == _stdlib(doc)


def test_report_json_property():
    """Random documents of what JSON holds: the same bytes as the standard library."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
               | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
    docs = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                               max_size=4), max_leaves=25)

    @settings(max_examples=300, deadline=None)
    @given(docs, st.dictionaries(st.text(max_size=6), docs, max_size=5))
    def check(doc, sections):
        _same_as_stdlib(doc)
        _same_as_stdlib(sections)

    check()


@pytest.mark.parametrize("doc", [
    {"name": "x", "resilience": {"worst": None, "single_failures": [{"stranded_mxfp8_pflops": float("nan")}]}},
    {"name": "x", "resilience": {"worst": None, "n_minus_1_safe": True}, "power": {"busways": [{"load_kw": 1.5}]}},
    {"name": "x", "power": {"a": None, "b": {"c": [1.0, float("inf")]}}, "cooling": None},
    {"name": "x", 'a": b': {'c"': None, "d": float("-inf")}},
], ids=["nan-below-a-null", "nulls-only", "inf-beside-a-null", "awkward-keys"])
def test_report_json_looks_at_the_value_holding_each_null(doc):
    """A null in orjson's text is None or a non-finite float: the value holding it (its
    first- or second-level key's) is looked at, so a NaN beside a None is still caught."""
    _same_as_stdlib(doc)


@pytest.mark.parametrize("value", [1e-05, 1.5e-07, float("nan"), float("inf"), None, 0.25], ids=repr)
def test_report_json_vouched_violations_still_checks_the_rest(value):
    """``plain_violations``: the top-level violations (text, millimetre locations) are not
    scanned; a tiny or non-finite float anywhere else is still written as the library does."""
    from designer.io.exports import report_json

    doc = {"name": "x", "power": {"pue": value, "chain": [value]},
           "violations": [{"kind": "overlap", "ids": ["a", "b"], "message": "a overlaps b", "hall": "A",
                           "location": [1.5, 0.001]}, {"kind": "floor-load", "ids": ["c"], "message": "m",
                                                        "hall": "A", "location": [0.0, 12.345]}],
           "workload": {"train_days": value}}
    assert report_json(doc, plain_violations=True) == _stdlib(doc)


def test_report_json_of_an_evaluation_is_the_library_s_with_violations_vouched(full_hall_path):
    from designer.engine import evaluate
    from designer.io import read_design
    from designer.io.exports import report_json

    design = read_design(full_hall_path)
    t = design.equipment
    t.x[t.index[t.ids[3]]] = t.x[t.index[t.ids[2]]]   # an overlap or two: violations to write
    report = evaluate(design, resilience=True).report()
    assert report["violations"]
    assert report_json(report, plain_violations=True) == _stdlib(report)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("report", "--json"), ("report",), ("check",)], ids=" ".join)
def test_a_full_disk_on_standard_output_is_one_line_not_a_traceback(pilot_path, args):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "designer", *args, str(pilot_path)], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=ENV, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["designer: cannot write the output (No space left on device)"]
