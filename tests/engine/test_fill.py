"""Fill a hall (issue 15): the result passes the engine's checks, the binding constraint is
named, targets are met exactly, and requests that cannot be met say why."""

from __future__ import annotations

import pytest

from designer.engine.evaluator import Evaluator
from designer.engine.fill import BINDINGS, FillError, FillRequest, apply_fill, plan_fill
from designer.model import Design, Hall
from designer.model.layouts import _square

RACK = "trn3-gen2-rack"
REDUNDANT = {"power": "2N", "cooling": "N+1", "network": "N+1"}
RECT = ((0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0))
L_SHAPE = ((0.0, 0.0), (50.0, 0.0), (50.0, 20.0), (25.0, 20.0), (25.0, 40.0), (0.0, 40.0))


def hall_design(outline=RECT, *, columns=(), keepouts=(), it_kw=40000.0, utility_kw=60000.0, rating=2500.0,
                redundancy=None, halls=1) -> Design:
    d = Design("Fill test")
    d.site.utility_capacity_kw = utility_kw
    if redundancy:
        d.site.extra["redundancy"] = dict(redundancy)
    for h in range(halls):
        hid = "ABCDEFGH"[h]
        d.halls.append(Hall(hid, f"Hall {hid}", tuple(outline), columns=list(columns), keepouts=list(keepouts),
                            it_capacity_kw=it_kw, floor_rating_kg_m2=rating))
    return d


def filled(design: Design, catalog, request=FillRequest()):
    result = plan_fill(design, catalog, request)
    apply_fill(design, result)
    evaluation = Evaluator(design, catalog, resilience=True).evaluation
    errors = [f"{v.kind}: {v.message}" for v in evaluation.violations if v.severity == "error"]
    return result, evaluation, errors


def systems(design: Design) -> int:
    t = design.equipment
    return len({e.system for e in t if e.system})


def test_an_empty_hall_filled_passes_check(catalog):
    d = hall_design()
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert result.problems == []
    assert result.ultraservers > 100
    # what the fill says it placed is what the design holds
    assert ev.totals["ultraservers"] == result.ultraservers == systems(d)
    assert ev.totals["throughput"]["stranded_ultraservers"] == 0
    assert result.summary(catalog, RACK)["chips"] == 144 * result.ultraservers
    assert result.binding in BINDINGS


def test_the_hall_capacity_binds_and_the_fill_stays_within_it(catalog):
    d = hall_design(it_kw=6000.0)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert result.binding == "hall-capacity"
    it = ev.totals["power"]["it_kw"]
    assert it <= 6000.0
    # one more UltraServer (two 85 kW racks) would not have fitted
    assert it + 2 * 85.0 > 6000.0


def test_the_utility_binds_and_is_named(catalog):
    d = hall_design(utility_kw=8000.0)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert result.binding == "utility"
    facility = ev.totals["power"]["facility_kw"]
    assert facility <= 8000.0 + 1e-6
    assert facility + 2 * 85.0 * 1.15 > 8000.0   # (PUE 1.15: the next UltraServer is over the feed)


@pytest.mark.parametrize("target", [1, 7, 37])
def test_exact_targets_are_met(catalog, target):
    d = hall_design()
    result, ev, errors = filled(d, catalog, FillRequest(ultraservers=target))
    assert errors == []
    assert result.ultraservers == target == systems(d) == ev.totals["ultraservers"]
    assert result.binding == "target"


def test_an_it_target_takes_the_most_that_stays_within_it(catalog):
    d = hall_design()
    result, ev, errors = filled(d, catalog, FillRequest(it_kw=3000.0))
    assert errors == []
    assert result.binding == "target"
    assert ev.totals["power"]["it_kw"] <= 3000.0
    assert ev.totals["power"]["it_kw"] + 170.0 > 3000.0 - 30.0   # (one more UltraServer and its leaf share)


def test_redundant_site_fill_survives_any_single_failure(catalog):
    d = hall_design(redundancy=REDUNDANT)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert ev.resilience.n_minus_1_safe
    t = d.equipment
    feeds = {e.extra.get("feed", "A") for e in t if e.end is not None}
    assert feeds == {"A", "B"}
    # every compute rack lies under an A and a B busway
    assert result.ultraservers > 50


def test_fill_works_around_columns_and_keep_outs(catalog):
    columns = [_square(x, y, 0.6) for x in range(6, 60, 12) for y in (10.2, 20.1, 30.3)]
    keepouts = [((40.0, 15.0), (48.0, 15.0), (48.0, 25.0), (40.0, 25.0))]
    d = hall_design(columns=columns, keepouts=keepouts)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert result.ultraservers > 50


def test_an_l_shaped_hall_is_filled_in_both_wings(catalog):
    d = hall_design(L_SHAPE, redundancy=REDUNDANT)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert ev.resilience.n_minus_1_safe
    racks = [e for e in d.equipment if e.system]
    assert any(e.x > 26 for e in racks) and any(e.y > 21 for e in racks)


def test_items_already_in_the_hall_stay_and_the_fill_works_around_them(catalog):
    d = hall_design(outline=((0, 0), (40, 0), (40, 30), (0, 30)))
    first = plan_fill(d, catalog, FillRequest(ultraservers=5))
    apply_fill(d, first)
    before = {e.id: (e.x, e.y) for e in d.equipment}
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert all(d.equipment.get(i).x == x and d.equipment.get(i).y == y for i, (x, y) in before.items())
    assert systems(d) == 5 + result.ultraservers
    assert result.ultraservers > 20


def test_a_target_beyond_what_the_hall_holds_says_why(catalog):
    d = hall_design(outline=((0, 0), (20, 0), (20, 15), (0, 15)))
    with pytest.raises(FillError, match=r"can hold \d+ more UltraServers of trn3-gen2-rack, not 500: space binds"):
        plan_fill(d, catalog, FillRequest(ultraservers=500))
    assert len(d.equipment) == 0


def test_a_floor_too_weak_for_a_rack_binds_as_floor_load(catalog):
    rack = catalog.types[RACK]
    too_weak = rack.weight_kg / (rack.width_m * rack.depth_m) - 1
    result = plan_fill(hall_design(rating=too_weak), catalog, FillRequest())
    assert result.ultraservers == 0 and result.binding == "floor-load"


@pytest.mark.parametrize("request_, message", [
    (FillRequest(halls=("Z",)), "--hall Z: no hall with that id"),
    (FillRequest(ultraservers=-3), "--ultraservers must be a whole number of at least 1"),
    (FillRequest(ultraservers=0), "--ultraservers must be a whole number of at least 1"),
    (FillRequest(it_kw=-5.0), "--it-kw must be a power above 0 kW"),
    (FillRequest(rack_type="crah"), "--type crah: air-handler equipment, not a compute rack type"),
    (FillRequest(rack_type="nope"), "--type nope: no such equipment type"),
])
def test_bad_requests_are_refused_with_one_clear_line(catalog, request_, message):
    with pytest.raises(FillError) as info:
        plan_fill(hall_design(), catalog, request_)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_plan_leaves_the_design_alone_and_applies_as_one_undoable_step(catalog):
    d = hall_design(outline=((0, 0), (30, 0), (30, 20), (0, 20)))
    result = plan_fill(d, catalog, FillRequest())
    assert len(d.equipment) == 0
    inverse = result.command(d).apply(d)
    assert systems(d) == result.ultraservers > 0
    inverse.apply(d)
    assert len(d.equipment) == 0


def test_a_campus_is_filled_hall_by_hall_with_progress_and_a_share_of_the_spines(catalog):
    d = hall_design(outline=((0, 0), (36, 0), (36, 27), (0, 27)), halls=3, utility_kw=300000.0)
    seen = []
    result = plan_fill(d, catalog, FillRequest(), progress=lambda done, total, hall: seen.append((done, total, hall)))
    assert seen[-1] == (3, 3, "C")
    per_hall = [h.ultraservers for h in result.halls]
    assert len(set(per_hall)) == 1 and per_hall[0] > 0   # alike halls, alike fills
    apply_fill(d, result)
    ev = Evaluator(d, catalog).evaluation
    assert [v.message for v in ev.violations if v.severity == "error"] == []
    if "spine-rack" in catalog.types:   # (issue 14's spine racks: each hall houses its share)
        assert all(any(e.type == "spine-rack" and e.hall == h.id for e in d.equipment) for h in d.halls)


def test_the_utility_shared_by_a_campus_leaves_the_last_halls_empty(catalog):
    d = hall_design(outline=((0, 0), (36, 0), (36, 27), (0, 27)), halls=3, utility_kw=40000.0)
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert result.binding == "utility"
    assert ev.totals["power"]["facility_kw"] <= 40000.0
    assert result.halls[0].ultraservers > result.halls[-1].ultraservers


def test_a_cancelled_campus_fill_stops_between_halls(catalog):
    d = hall_design(outline=((0, 0), (36, 0), (36, 27), (0, 27)), halls=3)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    result = plan_fill(d, catalog, FillRequest(orientation="x"), cancelled=cancelled)
    assert result.cancelled and len(result.halls) <= 1


def test_both_orientations_are_tried_and_a_forced_one_is_kept(catalog):
    d = hall_design(outline=((0, 0), (24, 0), (24, 60), (0, 60)))
    auto = plan_fill(d, catalog, FillRequest())
    along_x = plan_fill(d, catalog, FillRequest(orientation="x"))
    along_y = plan_fill(d, catalog, FillRequest(orientation="y"))
    assert along_x.halls[0].orientation == "x" and along_y.halls[0].orientation == "y"
    assert auto.ultraservers == max(along_x.ultraservers, along_y.ultraservers)
    # rows of a north-south row run: racks turned to face east or west
    racks = [e for e in along_y.items if e.system]
    assert {e.rotation for e in racks} <= {90.0, 270.0}


def test_declared_generators_are_sized_for_the_new_load(catalog):
    d = hall_design(outline=((0, 0), (36, 0), (36, 27), (0, 27)), redundancy=REDUNDANT)
    d.site.extra["generators"] = {"type": "generator-3000kw", "count": 2}
    result = plan_fill(d, catalog, FillRequest())
    assert result.generators is not None and result.generators["type"] == "generator-3000kw"
    apply_fill(d, result)
    ev = Evaluator(d, catalog, resilience=True).evaluation
    assert [v.message for v in ev.violations if v.severity == "error"] == []
    facility = ev.totals["power"]["facility_demand_kw"]
    need = -(-facility // 3000.0)
    assert d.site.extra["generators"]["count"] == 2 * need   # 2N: as many again spare


def test_a_design_with_a_power_chain_gets_a_chain_above_the_new_busways(catalog, full_hall_path):
    from designer.io import read_design

    d = read_design(full_hall_path)
    d.equipment.delete([e.id for e in d.equipment if e.hall == "B"])   # an empty hall B, its chain kept
    kept = [n["id"] for n in d.extra["power_chain"]]
    result, ev, errors = filled(d, catalog)
    assert errors == []
    assert ev.resilience.n_minus_1_safe
    assert [n["id"] for n in d.extra["power_chain"]][:len(kept)] == kept
    nodes = d.extra["power_chain"][len(kept):]
    assert {n["type"] for n in nodes} == {"transformer-2500kva", "switchboard-4000a", "ups-1250kw"}
    busways = [e for e in d.equipment if e.end is not None]
    assert busways and all(e.extra.get("source") in {n["id"] for n in nodes} for e in busways)
    assert {n["id"] for n in nodes if n["type"] == "ups-1250kw"} == {e.extra["source"] for e in busways}


def test_every_compute_type_of_the_catalog_fills_a_hall_that_passes_check(catalog):
    for spec in catalog.types_of_kind("compute"):
        d = hall_design(outline=((0, 0), (30, 0), (30, 24), (0, 24)), it_kw=1e5, utility_kw=1e6,
                        redundancy=REDUNDANT)
        result, ev, errors = filled(d, catalog, FillRequest(rack_type=spec.id))
        assert errors == [], spec.id
        assert result.ultraservers > 0 and ev.resilience.n_minus_1_safe, spec.id
        assert {e.type for e in d.equipment if e.system} == {spec.id}
