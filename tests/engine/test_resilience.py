"""Every single failure tried: blast radius by hand, redundancy, and the batched trial equal
to evaluating each failure on its own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.engine import Evaluator, evaluate
from designer.engine.rules import evaluate_group
from designer.engine.rules.throughput import stranded_items
from designer.engine.types import COMPUTE

from .helpers import ROW_Y, busway, crah, make_design, net, rack, spine, supported_design
from .test_feeds import dual_fed_row, fed
from .test_properties import base_design, moves_strategy, perturbed

ONE_US_PFLOPS = 362448 / 1000   # one Trn3 Gen2 UltraServer, dense MXFP8 (AWS)


def failures(ev) -> dict:
    return {f.id: (f.stranded_ultraservers, round(f.stranded_mxfp8_pflops, 3)) for f in ev.resilience.single_failures}


def test_losing_the_only_busway_strands_its_ultraserver_and_nothing_else_does():
    ev = evaluate(supported_design(), resilience=True)
    got = failures(ev)
    assert got["bw1"] == (1, round(ONE_US_PFLOPS, 3))
    assert got["cdu1"] == (1, round(ONE_US_PFLOPS, 3))     # the only CDU
    assert got["crah1"] == (1, round(ONE_US_PFLOPS, 3))    # the only air handler (air heat of the racks)
    assert got["net1"] == (1, round(ONE_US_PFLOPS, 3))     # no other port for its links
    assert ev.resilience.worst.stranded_ultraservers == 1
    assert ev.resilience.n_minus_1_safe is False
    assert not ev.violations_of("redundancy")   # nothing declared above N


def served_dual_row(n_racks: int, rack_kw: float = 85.0, redundancy: str = "2N"):
    """A CDU, a spine rack, ``n_racks`` single-rack UltraServers with a network rack in the
    middle, under an A and a B busway (1200 A each); an air handler across
    the aisle. Cooling and ports to spare, so only power can strand anything: the network
    rack's 1,024 ports give 512 to servers (o = 1), more than 8 × 36 links; it holds
    ceil(1,024 / 64) = 16 switches × 3 kW = 48 kW. The spine rack (16 switches, 48 kW) holds
    the tier above the leaves (6 racks: 216 links → tiers [7, 4])."""
    from designer.model import Equipment

    half = n_racks // 2
    # (the spine rack second in file order: a feed that cannot carry the whole row leaves
    # the last rack served, an UltraServer, dark, not the fabric's only spine rack)
    kinds = ["cdu", "spine"] + ["rack"] * half + ["net"] + ["rack"] * (n_racks - half)
    items, k_rack = [], 0
    for k, kind in enumerate(kinds):
        x = 1.5 + 0.6 * k
        if kind == "rack":
            k_rack += 1
            items.append(rack(f"us{k_rack}-r1", x, system=f"us{k_rack}"))
        elif kind == "net":
            items.append(net("net1", x))
        elif kind == "spine":
            items.append(spine("spine1", x))
        else:
            items.append(Equipment("cdu1", "cdu-in-row", "A", x, ROW_Y, 0.0))
    x0, x1 = 1.2, 1.2 + 0.6 * len(kinds)
    items += [busway("bwA", (x0, ROW_Y - 0.2), (x1, ROW_Y - 0.2)),
              fed(busway("bwB", (x0, ROW_Y + 0.2), (x1, ROW_Y + 0.2)), "B"), crah("crah1", 4.0, 0.45)]
    d = make_design(items, assumptions={"trn3-gen2-rack.racks_per_system": 1, "trn3-gen2-rack.it_power_kw": rack_kw,
                                        "cdu-in-row.capacity_kw": 5000.0, "crah.capacity_kw": 5000.0,
                                        "network-rack.ports": 1024})
    d.site.extra["redundancy"] = {"power": redundancy}
    return d


def test_a_2n_row_survives_either_busway_and_declared_2n_is_met():
    d = served_dual_row(6)   # 6 × 85 + 48 + 48 + the CDU (0 kW) = 606 kW: within one busway's 655.5 kW
    ev = evaluate(d, resilience=True)
    assert not ev.violations, [v.message for v in ev.violations]
    got = failures(ev)
    assert got["bwA"] == (0, 0.0) and got["bwB"] == (0, 0.0)
    # the one CDU, network rack and spine rack are not redundant (losing the only spine rack
    # cuts the leaves off each other: every UltraServer's scale-out)
    assert ev.resilience.n_minus_1_safe is False
    assert {f.id for f in ev.resilience.single_failures if f.stranded_ultraservers} == {
        "cdu1", "net1", "crah1", "spine1"}
    assert failures(ev)["spine1"][0] == 6


def test_a_2n_row_whose_survivor_cannot_carry_it_breaks_declared_2n():
    # 8 × 85 + 48 + 48 + the CDU's draw (776 kW): half on each side normally, but over one 1200 A busway's
    # 655.5 kW continuous limit when it must carry all of it: served in file order, cdu1 0,
    # spine1 48, us1–us4 388, net1 436, us5 521, us6 606, us7 691 > 655.5: losing either
    # side strands the last two racks served (us7, us8)
    d = served_dual_row(8)
    ev = evaluate(d, resilience=True)
    got = failures(ev)
    two = (2, round(2 * ONE_US_PFLOPS, 3))
    assert got["bwA"] == two and got["bwB"] == two
    v = {x.ids: x.message for x in ev.violations_of("redundancy")}
    assert set(v) == {("bwA",), ("bwB",)}
    assert "power is declared 2N, but losing bwA strands 2 UltraServers (725 PFLOPS MXFP8)" in v[("bwA",)]
    assert not evaluate(d).violations_of("redundancy")   # (only an evaluation that tries failures)
    d.site.extra["redundancy"] = {"power": "N"}
    assert not evaluate(d, resilience=True).violations_of("redundancy")


def test_failing_an_item_what_if_strands_what_it_served():
    d = supported_design()
    ev = evaluate(d, failed=["bw1"])
    assert not ev.items.powered[d.equipment.index["us1-r1"]]
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1
    # the failed busway is still on the floor: no other rule changes
    assert not ev.violations_of("overlap")


def _one_by_one(design, hall_id: str) -> dict[str, int]:
    """Reference: each component failed and the whole design evaluated again, no batching."""
    ev = Evaluator(design)
    t = design.equipment
    lo, hi = ev.slices[hall_id]
    rows = ev.order[lo:hi]

    def stranded(failed_rows) -> set[int]:
        res = evaluate_group(design, ev.types, ev.settings, [design.hall(hall_id)], rows, failed_rows=failed_rows)
        it = res.items
        bad = stranded_items(it.flags, it.powered, it.cooled, it.link_down)
        comp = ev.types.kind[t.type_code[rows]] == COMPUTE
        return set(t.system_code[rows][comp & bad].tolist())

    # what the site already strands (an UltraServer split across halls, a fabric whose
    # spine racks all fail) is no failure's blast radius
    effective = ev.evaluation.items.system_effective
    before = stranded(None) | set(np.flatnonzero(~effective[:len(t.systems.names)]).tolist())
    out = {}
    for r in rows:
        if int(ev.types.kind[t.type_code[r]]) == COMPUTE:
            continue
        # the whole design evaluated with it failed: a failure that takes down every working
        # spine rack (the spine rack itself, or what powers or cools it) cuts the fabric
        effective = Evaluator(design, failed=[t.ids[r]]).evaluation.items.system_effective
        after = set(np.flatnonzero(~effective[:len(t.systems.names)]).tolist())
        out[t.ids[r]] = len(after - before)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=moves_strategy, tight=st.booleans())
def test_trying_failures_together_equals_trying_each_alone(moves, tight):
    d = perturbed(base_design(1), moves)
    if tight:
        d.assumptions.update({"cdu-in-row.capacity_kw": 300.0, "network-rack.ports": 40, "crah.capacity_kw": 60.0})
    ev = evaluate(d, resilience=True)
    batched = {f.id: f.stranded_ultraservers for f in ev.resilience.single_failures}
    assert batched == {k: v for k, v in _one_by_one(d, "A").items() if k in batched}
    assert len(batched) >= 6


def test_failures_follow_edits_hall_by_hall():
    d = base_design(2)
    ev = Evaluator(d, resilience=True)
    first = failures(ev.evaluation)
    from designer.model import Change
    t = d.equipment
    bw = next(i for i in t.ids if i.startswith("B-bw"))
    t.delete([bw])
    inc = ev.apply(Change("removed", (bw,), ("B",)))
    assert bw not in failures(inc)
    assert {k: v for k, v in failures(inc).items() if k.startswith("A-")} == \
        {k: v for k, v in first.items() if k.startswith("A-")}
    assert failures(inc) == failures(evaluate(d, resilience=True))


def test_what_the_site_already_strands_is_not_a_failures_blast_radius():
    """An UltraServer split across two halls is stranded by the site (scale-up cannot leave
    a hall): losing a busway of either hall strands nothing more, and a chain node feeding
    both halls counts the UltraServer once at most."""
    from designer.model import Equipment
    from .helpers import hall as make_hall

    d = supported_design()
    d.halls.append(make_hall("B", x0=30.0))
    t = d.equipment
    r2 = t.get("us1-r2")
    t.delete(["us1-r2"])
    t.insert([Equipment("us1-r2", r2.type, "B", r2.x + 30.0, r2.y, r2.rotation, "us1"),
              Equipment("bw2", "busway-1200a", "B", 34.05, r2.y, 0.0, None, (36.35, r2.y))])
    d.extra["power_chain"] = [{"id": "ups1", "type": "ups-1250kw", "parent": None},
                              {"id": "ups2", "type": "ups-1250kw", "parent": None}]
    t.extra["bw1"] = {"source": "ups1"}
    t.extra["bw2"] = {"source": "ups1"}
    ev = evaluate(d, resilience=True)
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1
    got = {f.id: f for f in ev.resilience.single_failures}
    assert got["bw1"].stranded_ultraservers == 0 and got["bw2"].stranded_ultraservers == 0
    assert got["ups1"].stranded_ultraservers == 0
    assert got["ups2"].stranded_ultraservers == 0 and got["ups2"].type == "ups-1250kw"   # feeds nothing: listed
    assert ev.resilience.n_minus_1_safe is False or not any(f.stranded_ultraservers for f in got.values())


LONG_REACH = {f"{m}.reach_m": 3.0 for m in ("passive-dac", "aec", "aoc", "sr8", "dr8", "fr")}


@pytest.mark.parametrize("case", ["spare ports", "ports bind", "a leaf down", "short media", "all stranded"])
def test_a_leafs_failure_judged_without_copies_equals_each_alone(case):
    """A leaf's loss is judged without re-serving when the other leaves have ports for
    every link, none of them is down and no run can exceed the media's reach; otherwise
    the hall is served again without it. Both agree with failing each leaf alone."""
    d = base_design(1)
    t = d.equipment
    if case == "ports bind":      # 80 ports: 4 leaves × 40 server ports for 144 links, 3 too few
        d.assumptions["network-rack.ports"] = 80
    elif case == "a leaf down":   # A-net1 outside the hall: unpowered, its links down
        t.y[t.index["A-net1"]] += 40.0
    elif case == "short media":   # every medium reaches 3 m: re-homed runs may be too long
        d.assumptions.update(LONG_REACH)
    elif case == "all stranded":  # 8 ports a leaf: every UltraServer short of ports already
        d.assumptions["network-rack.ports"] = 8
    ev = evaluate(d, resilience=True)
    batched = {f.id: f.stranded_ultraservers for f in ev.resilience.single_failures}
    expected = _one_by_one(d, "A")
    assert batched == {k: v for k, v in expected.items() if k in batched}
    leaves = {k: v for k, v in batched.items() if k.startswith("A-net")}
    assert len(leaves) == 4
    if case == "spare ports":
        assert set(leaves.values()) == {0}
    if case == "ports bind":
        assert max(leaves.values()) > 0
    if case == "all stranded":
        assert ev.totals["throughput"]["stranded_ultraservers"] == 4 and set(batched.values()) == {0}


def test_a_failure_in_a_hall_stranded_already_still_counts_what_it_takes_from_the_spines():
    """Hall A holds the only spine racks and strands all its UltraServers (no leaf racks);
    hall B's leaves reach A's spines. A failure in A strands nothing of A, but one that
    takes the spine racks' power cuts B off the fabric. The busways and CDUs judged
    without copies (they cannot reach the spine racks) agree with failing each alone."""
    d = base_design(2)
    t = d.equipment
    d.equipment.delete([i for i in t.ids if i.startswith("A-net") or i.startswith("B-spine")])
    ev = evaluate(d, resilience=True)
    a = [f for f in ev.resilience.single_failures if f.hall == "A"]
    batched = {f.id: f.stranded_ultraservers for f in a}
    assert batched == {k: v for k, v in _one_by_one(d, "A").items() if k in batched}
    assert max(batched.values()) == 4            # B's four UltraServers, cut off the fabric
    assert sorted(batched.values()).count(0) >= len(batched) - 3


def test_a_hall_stranded_already_is_tried_again_exactly_when_its_spines_become_all_there_are():
    """Hall A strands all its UltraServers (no leaf racks) and holds a spine rack of the
    site's two: no failure in A can cut the fabric, so what A's failures take from its
    spine rack is not worked out. Once B's spine rack is removed, A's is the site's last:
    A is tried again, exactly, and the busway feeding it cuts B off the fabric."""
    from designer.model import Change

    d = base_design(2)
    t = d.equipment
    d.equipment.delete([i for i in t.ids if i.startswith("A-net")])
    ev = Evaluator(d, resilience=True)
    assert "A" in ev.lost_bound                      # tried without what it takes from the spines
    before = {f.id: f.stranded_ultraservers for f in ev.evaluation.resilience.single_failures if f.hall == "A"}
    assert max(before.values()) == 0
    gone = [i for i in t.ids if i.startswith("B-spine")]
    d.equipment.delete(gone)
    ev.apply(Change("removed", tuple(gone), ("B",)))
    after = {f.id: f.stranded_ultraservers for f in ev.resilience().single_failures if f.hall == "A"}
    assert "A" not in ev.lost_bound
    assert after == {k: v for k, v in _one_by_one(d, "A").items() if k in after}
    assert max(after.values()) == 4                  # B's four UltraServers, cut off the fabric
