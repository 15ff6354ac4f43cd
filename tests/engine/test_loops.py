"""Cooling loops and the coolant: a CDU with a loop serves only racks of that loop; the
coolant's cp and density set the flow. Hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from designer.engine import evaluate

from .helpers import catalog, cdu, supported_design, supported_items, make_design, hall, ultraserver, busway, net, crah, spine, ROW_Y


def two_rows_two_cdus(loops: bool):
    """Two UltraServers in one row (us1 west, us2 east) with a CDU at each end; with
    ``loops`` the west CDU and us2 are on loop L1, the east CDU and us1 on loop L2 (each
    UltraServer piped to the far CDU). The 2 × 36 EFA links need two leaf racks (64 server
    ports each at oversubscription 1) and so a tier above them: net2 and spine1 stand east
    of cduE."""
    items = [cdu("cduW", 1.5), *ultraserver("us1", 2.1), net("net1", 3.3), *ultraserver("us2", 3.9), cdu("cduE", 5.1),
             net("net2", 5.7), spine("spine1", 6.3),
             busway("bw1", (1.25, ROW_Y), (6.55, ROW_Y)), crah("crah1", 3.0, 0.45)]
    if loops:
        loop = {"cduW": "L1", "us2-r1": "L1", "us2-r2": "L1", "cduE": "L2", "us1-r1": "L2", "us1-r2": "L2"}
        items = [replace(e, extra={"loop": loop[e.id]}) if e.id in loop else e for e in items]
    return make_design(items, [hall(w=12)])


def served_by(ev, d, item_id):
    r = ev.items.served_by_cdu[d.equipment.index[item_id]]
    return d.equipment.ids[r] if r >= 0 else None


def test_without_loops_each_rack_takes_its_nearest_cdu():
    d = two_rows_two_cdus(loops=False)
    ev = evaluate(d)
    assert served_by(ev, d, "us1-r1") == "cduW" and served_by(ev, d, "us2-r2") == "cduE"


def test_a_cdu_on_a_loop_serves_only_racks_of_that_loop():
    d = two_rows_two_cdus(loops=True)
    ev = evaluate(d)
    assert not ev.violations, [v.message for v in ev.violations]
    assert served_by(ev, d, "us1-r1") == "cduE" and served_by(ev, d, "us2-r2") == "cduW"


def test_with_loops_losing_a_cdu_strands_its_loop_though_the_other_has_room():
    loose = evaluate(two_rows_two_cdus(loops=False), resilience=True)
    assert {f.id: f.stranded_ultraservers for f in loose.resilience.single_failures}["cduW"] == 0
    looped = evaluate(two_rows_two_cdus(loops=True), resilience=True)
    got = {f.id: f for f in looped.resilience.single_failures}
    assert got["cduW"].stranded_systems == ("us2",) and got["cduE"].stranded_systems == ("us1",)


@pytest.mark.parametrize("coolant, cp, rho", [("water", 4.186, 1.0), ("pg25", 3.94, 1.019)])
def test_coolant_flow_follows_the_coolants_heat_capacity_and_density(coolant, cp, rho):
    d = supported_design()
    d.site.extra["coolant"] = coolant
    c = evaluate(d).totals["cooling"]
    rack = catalog().types["trn3-gen2-rack"]
    liquid = 2 * rack.it_power_kw * rack.liquid_fraction
    assert c["liquid_kw"] == pytest.approx(liquid)
    assert c["coolant"] == coolant
    # L/min = kW × 60 / (cp · ρ · ΔT), ΔT = 10 K: PG25 needs 1.494 L/min per kW (hardware.md §7)
    assert c["coolant_lpm"] == pytest.approx(liquid * 60 / (cp * rho * 10.0))
