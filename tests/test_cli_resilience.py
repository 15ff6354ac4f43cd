"""The command line's resilience interface (issue 13: fixed keys and flags)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, env=ENV,
                          timeout=120)


def test_report_json_has_resilience_and_busway_loads(pilot_path):
    proc = run("report", "--json", str(pilot_path))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    res = doc["resilience"]
    assert set(res) >= {"single_failures", "worst", "n_minus_1_safe"}
    first = res["single_failures"][0]
    assert set(first) == {"id", "type", "stranded_ultraservers", "stranded_mxfp8_pflops"}
    counts = [f["stranded_ultraservers"] for f in res["single_failures"]]
    assert counts == sorted(counts, reverse=True)   # worst first
    assert res["worst"] == (first if first["stranded_ultraservers"] > 0 else None)
    assert res["n_minus_1_safe"] is (res["worst"] is None)
    bw = doc["power"]["busways"][0]
    assert set(bw) == {"id", "feed", "load_kw", "limit_kw", "failover_load_kw"} and bw["feed"] in ("A", "B")
    assert "it_powered_kw" in doc["power"]


def test_fail_strands_what_the_item_served_in_report_and_check(pilot_path):
    base = json.loads(run("report", "--json", str(pilot_path)).stdout)
    worst = base["resilience"]["worst"]
    assert worst is not None   # the pilot hall is not N+1 safe
    failed = json.loads(run("report", "--json", str(pilot_path), "--fail", worst["id"]).stdout)
    assert (failed["throughput"]["stranded_ultraservers"]
            == base["throughput"]["stranded_ultraservers"] + worst["stranded_ultraservers"])
    check = run("check", str(pilot_path), "--fail", worst["id"])
    # (the pilot's worst failure is its one spine rack: the leaves cannot reach each other)
    assert check.returncode == 1
    assert any(kind in check.stdout for kind in ("unpowered", "cooling", "fabric-capacity"))


def test_fail_with_an_unknown_id_is_one_clear_line(pilot_path):
    proc = run("report", str(pilot_path), "--fail", "no-such-item")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"designer: --fail no-such-item: no item or power-chain node with that id in "
                                   f"{pilot_path}")


def test_report_json_lists_the_power_chain_even_when_empty(pilot_path, full_hall_path):
    pilot = json.loads(run("report", "--json", str(pilot_path)).stdout)
    assert pilot["power"]["chain"] == []
    full = json.loads(run("report", "--json", str(full_hall_path)).stdout)
    node = full["power"]["chain"][0]
    assert set(node) == {"id", "type", "load_kw", "capacity_kw", "input_kw", "loss_kw"}
    assert len(full["power"]["chain"]) == 56 and full["resilience"]["n_minus_1_safe"] is True


def test_fail_takes_a_power_chain_node(full_hall_path):
    base = json.loads(run("report", "--json", str(full_hall_path)).stdout)
    ups = next(n["id"] for n in base["power"]["chain"] if n["type"] == "ups-1250kw" and n["load_kw"] > 0)
    failed = run("report", "--json", str(full_hall_path), "--fail", ups)
    assert failed.returncode == 0, failed.stderr
    doc = json.loads(failed.stdout)
    # 2N: the other side carries the UPS's busways; its load is now zero
    assert next(n for n in doc["power"]["chain"] if n["id"] == ups)["load_kw"] == 0.0
    assert doc["throughput"]["stranded_ultraservers"] == 0
