"""Mixed fleets (PRODUCT.md §8): GB300 NVL72 and Trainium4 beside Trainium, throughput by
compute type (the totals are the sum of the types), FP4 where a type publishes it, and the
workload figures (time to train, decode bound) — every expected number worked out by hand
from the catalog rows of hardware.md."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from designer.engine import evaluate
from designer.engine.workload import Workload, WorkloadError, parse_count, train_flops, workload_figures
from designer.io import write_design
from designer.model import Equipment
from designer.model.design import Change

from tests.engine.helpers import busway, cdu, crah, hall, make_design, net, ultraserver

GB = "gb300-nvl72-rack"
TRN2 = "trn2-rack"
#: enough leaf ports on each network rack for every link here (the fabric may keep some for uplinks)
PORTS = {"network-rack.ports": 384}


def mixed_items() -> list[Equipment]:
    """One row at y = 6 m, all under one busway, one CDU, one air handler:
    cdu1 | Trn3 Gen2 us1 (2 racks) | net1 | GB300 gb1, gb2 | net2;
    beyond the busway (so unpowered, stranded): GB300 gb3 and a Trn2 UltraServer."""
    y = 6.0
    return [cdu("cdu1", 4.3, y), *ultraserver("us1", 4.9, y), net("net1", 6.1, y),
            Equipment("gb1", GB, "A", 6.7, y, 0.0, "gb1"), Equipment("gb2", GB, "A", 7.3, y, 0.0, "gb2"),
            net("net2", 7.9, y), busway("bw1", (4.05, y), (8.15, y)), crah("crah1", 10.0, 0.45),
            Equipment("gb3", GB, "A", 15.0, y, 0.0, "gb3"), *ultraserver("t2", 20.0, y, type_id=TRN2)]


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate(make_design(mixed_items(), [hall(w=30.0)], assumptions=PORTS)).report()


def test_gb300_rack_is_one_system_of_72_gpus_with_sourced_figures(report):
    gb = report["throughput"]["by_type"][GB]
    assert (gb["racks"], gb["systems"], gb["chips"]) == (3, 3, 3 * 72)
    # hardware.md §5 (N5, N6): 360 PF FP8 dense, 1,080 PF FP4 dense, 576 TB/s per rack
    assert gb["peak"]["mxfp8_pflops"] == pytest.approx(3 * 360.0)
    assert gb["peak"]["fp4_pflops"] == pytest.approx(3 * 1080.0)
    assert gb["peak"]["hbm_tbps"] == pytest.approx(3 * 576.0)
    assert gb["peak"]["efa_tbps"] == pytest.approx(3 * 72 * 0.8)       # 800 Gb/s per GPU (N6)
    # gb3 stands beyond the busway: one of the three systems is stranded
    assert gb["stranded_systems"] == 1
    assert gb["effective"]["mxfp8_pflops"] == pytest.approx(2 * 360.0)
    assert gb["effective"]["fp4_pflops"] == pytest.approx(2 * 1080.0)


def test_by_type_is_hand_computed_and_the_totals_are_its_sum(report):
    th = report["throughput"]
    assert set(th["by_type"]) == {"trn3-gen2-rack", GB, TRN2}
    trn3 = th["by_type"]["trn3-gen2-rack"]
    assert (trn3["systems"], trn3["chips"], trn3["stranded_systems"]) == (1, 144, 0)
    assert trn3["peak"]["mxfp8_pflops"] == pytest.approx(362.448)          # S2
    assert trn3["effective"] == trn3["peak"]
    # hand sums: 362.448 + 3 x 360 + 83.2 (Trn2, S16) peak; 362.448 + 2 x 360 effective
    assert th["peak"]["mxfp8_pflops"] == pytest.approx(362.448 + 1080.0 + 83.2)
    assert th["effective"]["mxfp8_pflops"] == pytest.approx(362.448 + 720.0)
    assert th["peak"]["hbm_tbps"] == pytest.approx(705.6 + 3 * 576.0 + 185.6)
    assert report["ultraservers"] == 1 + 3 + 1 and th["stranded_ultraservers"] == 2
    assert report["chips"] == 144 + 216 + 64
    for key in th["peak"]:
        assert th["peak"][key] == pytest.approx(sum(t["peak"].get(key, 0.0) for t in th["by_type"].values()))
        assert th["effective"][key] == pytest.approx(
            sum(t["effective"].get(key, 0.0) for t in th["by_type"].values()))
    assert report["chips"] == sum(t["chips"] for t in th["by_type"].values())
    assert th["stranded_ultraservers"] == sum(t["stranded_systems"] for t in th["by_type"].values())


def test_a_type_without_an_fp4_figure_adds_nothing_and_says_so(report):
    th = report["throughput"]
    trn2 = th["by_type"][TRN2]
    assert "fp4_pflops" not in trn2["peak"] and trn2["missing"] == ["fp4_pflops"]
    assert th["missing"] == {"fp4_pflops": [TRN2]}
    # FP4: Trn3 Gen2 dense MXFP4 = MXFP8 (S1, S2) plus three GB300 racks; Trn2 none
    assert th["peak"]["fp4_pflops"] == pytest.approx(362.448 + 3 * 1080.0)


def test_by_type_is_the_same_incrementally_and_when_a_system_spans_halls():
    """The incremental path (per-hall sums, a type added after the first evaluation) and
    the item path (a system split across halls) agree with a fresh evaluation."""
    from designer.engine import Evaluator
    from designer.model.commands import AddItems, SetPlacements

    items = mixed_items()
    first = [e for e in items if e.type != GB]
    d = make_design(first, [hall(w=30.0)], assumptions=PORTS)
    ev = Evaluator(d)
    AddItems([e for e in items if e.type == GB]).apply(d)          # a new type code
    ev.apply(Change("added", ("gb1", "gb2", "gb3"), ("A",)))
    assert ev.evaluation.report()["throughput"] == evaluate(d).report()["throughput"]
    move = SetPlacements.capture(d, ["gb3"])
    move.x = move.x + 1.0
    move.apply(d)
    inc = ev.apply(Change("moved", ("gb3",), ("A",)))
    assert inc.report()["throughput"]["by_type"] == evaluate(d).report()["throughput"]["by_type"]
    assert inc.report()["throughput"]["by_type"][GB]["stranded_systems"] == 1
    # a Trn3 UltraServer with one rack in another hall: the item-level path
    halls = [hall(w=30.0), hall("B", x0=0.0, w=10.0)]
    items = mixed_items() + [Equipment("x-r1", "trn3-gen2-rack", "A", 25.0, 6.0, 0.0, "x"),
                             Equipment("x-r2", "trn3-gen2-rack", "B", 5.0, 6.0, 0.0, "x")]
    th = evaluate(make_design(items, halls, assumptions=PORTS)).report()["throughput"]
    trn3 = th["by_type"]["trn3-gen2-rack"]
    assert (trn3["systems"], trn3["racks"], trn3["stranded_systems"]) == (2, 4, 1)
    assert trn3["peak"]["mxfp8_pflops"] == pytest.approx(2 * 362.448)
    assert trn3["effective"]["mxfp8_pflops"] == pytest.approx(362.448)
    assert th["peak"]["mxfp8_pflops"] == pytest.approx(sum(t["peak"]["mxfp8_pflops"] for t in th["by_type"].values()))


def test_trainium4_is_the_announced_multiples_of_trainium3():
    from designer.catalog import load_catalog

    cat = load_catalog()
    t4, t3 = cat.types["trn4-rack"], cat.types["trn3-gen2-rack"]
    per_chip_t3 = {f: t3.get(f) / t3.get("chips") for f in ("fp4_tflops", "mxfp8_tflops", "hbm_tbps")}
    chips = t4.get("chips")
    assert chips == 72                                                       # NVLink Fusion domain (S22)
    assert t4.get("fp4_tflops") == pytest.approx(6 * per_chip_t3["fp4_tflops"] * chips)    # 6 x 2,517 x 72
    assert t4.get("mxfp8_tflops") == pytest.approx(3 * per_chip_t3["mxfp8_tflops"] * chips)  # 3 x 2,517 x 72
    assert t4.get("hbm_tbps") == pytest.approx(4 * 4.9 * chips)              # 4 x 4.9 TB/s x 72 = 1,411.2
    assert all(f.is_assumption for f in t4.figures.values())
    d = make_design([Equipment("t4a", "trn4-rack", "A", 5.0, 6.0, 0.0, "t4a")])
    peak = evaluate(d).report()["throughput"]["by_type"]["trn4-rack"]["peak"]
    assert peak["fp4_pflops"] == pytest.approx(1087.344)
    assert peak["mxfp8_pflops"] == pytest.approx(543.672)


# ------------------------------------------------------------------ workload
def totals(eff: dict, facility_kw: float, missing: dict | None = None) -> dict:
    return {"throughput": {"effective": eff, "missing": missing or {}}, "power": {"facility_kw": facility_kw}}


def test_time_to_train_is_6nd_over_effective_flops_times_mfu():
    """70e9 parameters, 1.4e12 tokens: 6·N·D = 5.88e23 FLOPs. At 1,000 effective BF16 PFLOPS
    and MFU 0.4: 5.88e23 / (1e18 x 0.4) = 1.47e6 s = 17.013888… days."""
    assert train_flops(70e9, 1.4e12) == pytest.approx(5.88e23)
    w = workload_figures(totals({"bf16_pflops": 1000.0, "hbm_tbps": 700.0}, 2000.0), Workload(70e9, 1.4e12))
    assert w["train_flops"] == pytest.approx(5.88e23)
    assert w["mfu"] == 0.4 and w["precision"] == "bf16"
    assert w["train_days"] == pytest.approx(1_470_000 / 86_400)  # 17.0139 days
    # MFU 0.5 at MXFP8 (2,000 PFLOPS): 5.88e23 / 1e18 = 588,000 s = 6.805… days
    w8 = workload_figures(totals({"mxfp8_pflops": 2000.0, "hbm_tbps": 700.0}, 2000.0),
                          Workload(70e9, 1.4e12, mfu=0.5, precision="mxfp8"))
    assert w8["train_days"] == pytest.approx(588_000 / 86_400)


def test_decode_bound_is_hbm_bandwidth_over_weight_bytes_per_facility_mw():
    """70e9 BF16 parameters = 140 GB of weights; 700 TB/s reads them 5,000 times a second;
    at 2 MW facility power that is 2,500 tokens/s per MW. FP4: 35 GB → 20,000 tokens/s."""
    w = workload_figures(totals({"bf16_pflops": 1000.0, "hbm_tbps": 700.0}, 2000.0), Workload(70e9, 1.4e12))
    assert w["decode"]["tokens_per_s"] == pytest.approx(5000.0)
    assert w["decode"]["tokens_per_s_per_mw"] == pytest.approx(2500.0)
    w4 = workload_figures(totals({"fp4_pflops": 1.0, "hbm_tbps": 700.0}, 2000.0),
                          Workload(70e9, 1.4e12, precision="fp4"))
    assert w4["decode"]["tokens_per_s"] == pytest.approx(20_000.0)


def test_no_effective_compute_at_a_precision_gives_no_time_and_names_what_is_missing():
    w = workload_figures(totals({"fp4_pflops": 0.0, "hbm_tbps": 0.0}, 0.0, {"fp4_pflops": ["trn2-rack"]}),
                         Workload(1e9, 1e9, precision="fp4"))
    assert w["train_days"] is None
    assert w["not_counted"] == ["trn2-rack"]
    assert w["decode"]["tokens_per_s_per_mw"] is None


@pytest.mark.parametrize("args, message", [
    ((0.0, 1e9), "parameters"), ((1e9, float("nan")), "tokens"), ((1e9, 1e9, 1.5), "MFU"),
    ((1e9, 1e9, 0.4, "int8"), "precision"),
])
def test_bad_workload_inputs_are_refused_with_a_message(args, message):
    with pytest.raises(WorkloadError, match=message):
        Workload(*args)


def test_counts_read_as_a_planner_types_them():
    assert parse_count("70B", "n") == 70e9
    assert parse_count("15.6T", "n") == pytest.approx(15.6e12)
    assert parse_count("405e9", "n") == 405e9
    assert parse_count("1,000", "n") == 1000
    with pytest.raises(WorkloadError, match="--train-params"):
        parse_count("seventy", "--train-params")


def test_report_json_workload_from_the_command_line(tmp_path):
    """One supported Trn3 Gen2 UltraServer: BF16 96.624 PFLOPS (S2), 705.6 TB/s.
    8e9 parameters x 1e12 tokens: 4.8e22 FLOPs / (96.624e15 x 0.4) = 1,241,927.5 s
    = 14.374 days; decode 705.6e12 / 16e9 B = 44,100 tokens/s."""
    from tests.engine.helpers import supported_design

    path = tmp_path / "one.dcplan"
    write_design(supported_design(), path)
    proc = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path),
                           "--train-params", "8e9", "--train-tokens", "1T"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    w = doc["workload"]
    assert w["train_flops"] == pytest.approx(4.8e22)
    assert w["train_days"] == pytest.approx(4.8e22 / (96.624e15 * 0.4) / 86_400)
    assert w["train_days"] == pytest.approx(14.3741, abs=1e-4)
    assert w["decode"]["tokens_per_s"] == pytest.approx(44_100.0)
    assert w["decode"]["tokens_per_s_per_mw"] == pytest.approx(44_100.0 / (doc["power"]["facility_kw"] / 1000))
    bad = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path), "--train-params", "8e9",
                          "--train-tokens", "1T", "--mfu", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "MFU" in bad.stderr


def test_the_hybrid_sample_runs_both_fleets_with_no_errors():
    """resources/examples/hybrid-hall.dcplan (tools/make_samples.py): Trn3 Gen2 UltraServers and
    GB300 NVL72 racks in one hall, each row with its own CDU, network racks and busways."""
    from designer.io import read_design
    from designer.paths import examples_dir

    design = read_design(examples_dir() / "hybrid-hall.dcplan")
    ev = evaluate(design)
    assert [v.message for v in ev.violations if v.severity == "error"] == []
    by_type = ev.report()["throughput"]["by_type"]
    assert set(by_type) == {"trn3-gen2-rack", GB}
    for t in by_type.values():
        assert t["stranded_systems"] == 0 and t["effective"] == t["peak"]
    assert by_type[GB]["systems"] == by_type[GB]["racks"] and by_type[GB]["chips"] == 72 * by_type[GB]["systems"]
    assert by_type["trn3-gen2-rack"]["racks"] == 2 * by_type["trn3-gen2-rack"]["systems"]
    # each fleet's rows have their own coolant units and network racks
    t = design.equipment
    rows = {}
    for e in t:
        if e.end is None and e.type in ("cdu-in-row", "network-rack", "trn3-gen2-rack", GB):
            rows.setdefault(round(e.y, 3), set()).add(e.type)
    assert {frozenset(s) for s in rows.values()} == {frozenset({"cdu-in-row", "network-rack", "trn3-gen2-rack"}),
                                                     frozenset({"cdu-in-row", "network-rack", GB})}


def test_a_gb300_rack_counts_as_one_system_when_a_failure_strands_it():
    """Resilience counts systems of any type: losing bw1 (the one busway) strands the Trn3
    UltraServer and both powered GB300 racks: 3 systems, 362.448 + 2 x 360 PFLOPS MXFP8."""
    ev = evaluate(make_design(mixed_items(), [hall(w=30.0)], assumptions=PORTS), resilience=True)
    bw1 = next(f for f in ev.resilience.single_failures if f.id == "bw1")
    assert bw1.stranded_ultraservers == 3
    assert bw1.stranded_mxfp8_pflops == pytest.approx(362.448 + 2 * 360.0)
