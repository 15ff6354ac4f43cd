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
    assert sum(m["count"] for m in doc["cables"]["by_medium"].values()) == 8 * 36


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
