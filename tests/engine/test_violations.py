"""Every violation kind of PRODUCT §3: a small design that triggers it (kind, severity, ids,
a message with the number and its unit) and a near-identical one that does not.

Most designs start from the *supported row* of ``helpers.py`` (one Trn3 Gen2
UltraServer with its CDU, network rack, spine rack, busway and air handler; no violations) and
change one thing. Where the passing twin is fully clean the test says so
(``assert ev.violations == []``), which also guards against side effects.
"""

from __future__ import annotations

import pytest

from designer.engine import SEVERITY, evaluate
from designer.engine.evaluation import STATUS_ERROR, STATUS_WARNING

from .helpers import (
    RACK, ROW_Y, busway, busway_limit_kw, catalog, crah, describe, effective_catalog, hall, kind_counts, links_per_system,
    make_design, net, only, rack, rect_outline, routed_m, row, spine, square, supported_design, supported_items,
    ultraserver,
)

#: PRODUCT.md §3, copied from the spec (not from the engine): stable names and severities.
SPEC_KINDS = {
    "outside-hall": "error", "obstruction": "error", "overlap": "error", "clearance": "error",
    "airflow": "warning", "floor-load": "error", "power-capacity": "error", "unpowered": "error",
    "cooling-capacity": "error", "scaleup-reach": "error", "cable-reach": "error",
    "network-ports": "error", "incomplete-system": "warning",
    # PRODUCT.md §8
    "assumed-power": "warning", "redundancy": "error",
    # PRODUCT.md §8, Fabric (issue 14): spine racks hold fewer switches than the tiers need
    "fabric-capacity": "error",
}


def kw(v: float) -> str:
    """How a planner reads a power figure in the messages (below 10 MW)."""
    return f"{v:,.0f} kW"


def clean(ev) -> None:
    assert ev.violations == [], describe(ev)


def test_violation_kinds_and_severities_are_the_spec_table():
    assert dict(SEVERITY) == SPEC_KINDS


def test_the_supported_row_is_clean_and_effective():
    ev = evaluate(supported_design())
    clean(ev)
    assert ev.report()["throughput"]["stranded_ultraservers"] == 0
    assert (ev.items.status == 0).all()


# ------------------------------------------------------------------ outside-hall
def _east_row(x_rack: float):
    """The supported row against the east wall (x = 20): spine1, net1, cdu1, us1-r1, us1-r2."""
    return supported_design(x_spine=16.7, x_net=17.3, x_cdu=17.9, x_rack=x_rack, busway_span=(16.45, 19.95))


def test_outside_hall():
    d = _east_row(19.2)                # us1-r2 at 19.8: its footprint reaches x = 20.1 > 20
    ev = evaluate(d)
    v = only(ev, "outside-hall")
    assert v.severity == "error"
    assert v.ids == ("us1-r2",)
    assert "us1-r2" in v.message and "Hall A" in v.message
    assert (v.hall, v.x, v.y) == ("A", pytest.approx(19.8), pytest.approx(6.0))
    assert ev.items.flags["outside-hall"][row(d, "us1-r2")]
    assert ev.items.status[row(d, "us1-r2")] == STATUS_ERROR
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_inside_hall_when_moved_back_0_3_m():
    clean(evaluate(_east_row(18.9)))   # us1-r2 spans 19.2–19.8


# ------------------------------------------------------------------ obstruction
#: The spine rack at the west end of the row (3.4–4.0, beside cdu1), leaving net1's east side free.
WEST_SPINE = {"x_spine": 3.7, "busway_span": (3.45, 6.35)}


def test_obstruction_by_a_column():
    # net1 spans x 5.8–6.4; the column 6.3–6.9 overlaps it by 0.1 m
    d = supported_design(hall_kw={"columns": [rect_outline(6.3, 5.7, 6.9, 6.3)]}, **WEST_SPINE)
    ev = evaluate(d)
    v = only(ev, "obstruction")
    assert v.severity == "error"
    assert v.ids == ("net1",)
    assert "column" in v.message and "net1" in v.message and "Hall A" in v.message
    assert ev.items.flags["obstruction"].sum() == 1


def test_no_obstruction_with_the_column_0_3_m_away():
    clean(evaluate(supported_design(hall_kw={"columns": [rect_outline(6.6, 5.7, 7.2, 6.3)]}, **WEST_SPINE)))


def test_obstruction_by_a_keepout_strands_the_ultraserver():
    # a 0.2 m keep-out post inside us1-r2's footprint (x 5.2–5.8, y 5.4–6.6)
    d = supported_design(hall_kw={"keepouts": [square(5.5, 6.0, 0.2)]})
    ev = evaluate(d)
    v = only(ev, "obstruction")
    assert v.ids == ("us1-r2",)
    assert "keep-out" in v.message
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_keepout_in_a_cross_aisle_obstructs_nothing():
    clean(evaluate(supported_design(hall_kw={"keepouts": [rect_outline(7.0, 5.4, 8.0, 6.6)]})))


# ------------------------------------------------------------------ overlap
def _with_second_network_rack(x: float):
    d = make_design(supported_items(x_spine=3.7, busway_span=(3.45, 6.95)) + [net("net2", x)])
    return d


def test_overlap():
    d = _with_second_network_rack(6.4)     # net1 spans 5.8–6.4, net2 6.1–6.7
    ev = evaluate(d)
    v = only(ev, "overlap")
    assert v.severity == "error"
    assert set(v.ids) == {"net1", "net2"}
    assert "net1" in v.message and "net2" in v.message
    assert ev.items.flags["overlap"][row(d, "net1")] and ev.items.flags["overlap"][row(d, "net2")]


def test_side_by_side_racks_do_not_overlap():
    clean(evaluate(_with_second_network_rack(6.7)))   # moved 0.3 m: they touch


# ------------------------------------------------------------------ clearance
def _back_to_back(gap_m: float):
    """net2 faces north behind us1-r1 (rear to rear) with ``gap_m`` between the racks."""
    y = 6.0 + 0.6 + gap_m + 0.6
    items = supported_items() + [net("net2", 4.9, y, 180.0), busway("bw2", (4.65, y), (5.15, y))]
    return make_design(items)


def test_clearance_rear_zone_blocked_by_equipment():
    d = _back_to_back(0.6)
    cat = effective_catalog(d)
    rear = cat.value("clearance.rear_m")
    assert rear == pytest.approx(0.9)
    ev = evaluate(d)
    vs = ev.violations_of("clearance")
    assert {v.ids for v in vs} == {("us1-r1", "net2"), ("net2", "us1-r1")}
    for v in vs:
        assert v.severity == "error"
        assert "rear service zone" in v.message
        assert f"{rear:.2f} m" in v.message
    assert ev.items.flags["clearance"][row(d, "us1-r1")] and ev.items.flags["clearance"][row(d, "net2")]
    assert kind_counts(ev) == {"clearance": 2}


def test_clearance_rear_zone_free_at_the_rear_service_depth():
    clean(evaluate(_back_to_back(0.9)))   # moved 0.3 m: exactly the 0.9 m service zone


def test_clearance_front_zone_blocked_by_a_column():
    # us1-r2's front zone spans y 4.2–5.4 (x 5.2–5.8); a column square reaching up to y = 4.5
    d = supported_design(hall_kw={"columns": [square(5.5, 4.2, 0.6)]})
    cat = effective_catalog(d)
    ev = evaluate(d)
    v = only(ev, "clearance")
    assert v.ids == ("us1-r2",)
    assert "front service zone" in v.message and "column" in v.message
    assert f"{cat.value('clearance.front_m'):.2f} m" in v.message


def test_clearance_front_zone_free_with_the_column_0_3_m_south():
    clean(evaluate(supported_design(hall_kw={"columns": [square(5.5, 3.9, 0.6)]})))


def test_clearance_front_zone_runs_into_the_wall():
    d = supported_design(y=1.5)            # fronts face −y; the zones reach y = −0.3
    ev = evaluate(d)
    vs = ev.violations_of("clearance")
    assert sorted(v.ids for v in vs) == sorted([("cdu1",), ("us1-r1",), ("us1-r2",), ("net1",), ("spine1",)])
    for v in vs:
        assert "wall" in v.message and "1.20 m" in v.message
    assert kind_counts(ev) == {"clearance": 5}


def test_clearance_front_zone_fits_0_3_m_further_from_the_wall():
    clean(evaluate(supported_design(y=1.8)))   # the zones end exactly at the wall


def test_clearance_zone_change_with_the_assumption():
    """clearance.front_m = 1.5 makes the 1.8 m-from-the-wall row fail again."""
    d = supported_design(y=1.8, assumptions={"clearance.front_m": 1.5})
    ev = evaluate(d)
    assert len(ev.violations_of("clearance")) == 5     # cdu1, us1-r1, us1-r2, net1, spine1
    assert all("1.50 m" in v.message for v in ev.violations)


# ------------------------------------------------------------------ airflow
def _behind(gap_m: float):
    """net2 faces the same way as us1-r1, ``gap_m`` behind it: it breathes us1-r1's exhaust."""
    y = 6.0 + 0.6 + gap_m + 0.6
    return make_design(supported_items() + [net("net2", 4.9, y, 0.0), busway("bw2", (4.65, y), (5.15, y))])


def test_airflow_exhaust_into_intake():
    d = _behind(2.2)
    cat = effective_catalog(d)
    check = cat.value("airflow.check_distance_m")
    assert 2.2 < check < 2.5
    ev = evaluate(d)
    v = only(ev, "airflow")
    assert v.severity == "warning"
    assert v.ids == ("us1-r1", "net2")
    assert f"{check:.1f} m" in v.message
    assert (v.x, v.y) == (pytest.approx(4.9), pytest.approx(9.4))   # at the rack that suffers
    assert ev.items.flags["airflow"][row(d, "net2")] and not ev.items.flags["airflow"][row(d, "us1-r1")]
    assert ev.items.status[row(d, "net2")] == STATUS_WARNING
    assert kind_counts(ev) == {"airflow": 1}
    assert ev.report()["throughput"]["stranded_ultraservers"] == 0   # a warning strands nothing


def test_airflow_fine_0_3_m_further_back():
    clean(evaluate(_behind(2.5)))


def test_racks_facing_each_other_across_a_cold_aisle_are_fine():
    # a second row turned 180° across a 1.2 m cold aisle (two tiles, D5): fronts face each
    # other; each front zone (1.2 m) reaches the other row but meets no equipment. The two
    # UltraServers have 2 × 36 = 72 EFA links and a leaf rack 64 server ports (128 · 1/2),
    # so the second row has its own leaf rack net2 across from net1.
    y = 6.0 - 0.6 - 1.2 - 0.6
    items = supported_items() + ultraserver("us2", 5.5, y, 180.0)    # racks at x 5.5 and 4.9
    items += [net("net2", 6.1, y, 180.0), busway("bw2", (4.65, y), (6.35, y))]
    d = make_design(items)
    ev = evaluate(d)
    clean(ev)
    assert ev.report()["throughput"]["stranded_ultraservers"] == 0


# ------------------------------------------------------------------ floor-load
def test_floor_load():
    d = supported_design(hall_kw={"floor_rating_kg_m2": 1800})
    cat = effective_catalog(d)
    t = cat.types[RACK]
    load = t.weight_kg / (t.width_m * t.depth_m)          # 1,360 kg / 0.72 m² ≈ 1,889 kg/m²
    assert load > 1800
    for other in ("network-rack", "spine-rack", "cdu-in-row", "crah"):   # spine: 900 kg / 0.72 m² = 1,250
        o = cat.types[other]
        assert o.weight_kg / (o.width_m * o.depth_m) < 1800
    ev = evaluate(d)
    vs = ev.violations_of("floor-load")
    assert sorted(v.ids for v in vs) == [("us1-r1",), ("us1-r2",)]
    for v in vs:
        assert v.severity == "error"
        assert f"{load:,.0f} kg/m²" in v.message
        assert "1,800 kg/m²" in v.message


def test_floor_load_within_a_higher_rating():
    clean(evaluate(supported_design(hall_kw={"floor_rating_kg_m2": 1900})))


def test_floor_load_follows_the_weight_assumption():
    clean(evaluate(supported_design(hall_kw={"floor_rating_kg_m2": 1800},
                                    assumptions={"trn3-gen2-rack.weight_kg": 1250})))


# ------------------------------------------------------------------ power-capacity: busway
def test_power_capacity_busway():
    d = supported_design(busway_type="busway-800a", assumptions={"trn3-gen2-rack.it_power_kw": 250.0})
    cat = effective_catalog(d)
    limit = busway_limit_kw(cat, "busway-800a")
    # 2 × 250 + 6 (network rack: 2 switches × 3 kW) + 48 (spine rack: 16 × 3 kW) = 554 kW
    demand = 2 * 250.0 + cat.types["network-rack"].it_power_kw + cat.types["spine-rack"].it_power_kw
    assert demand == pytest.approx(554.0)
    assert demand > limit
    ev = evaluate(d)
    v = only(ev, "power-capacity")
    assert v.severity == "error"
    assert v.ids == ("bw1",)
    assert kw(demand) in v.message
    assert kw(limit) in v.message
    assert kw(limit / cat.value("power.continuous_load_factor")) in v.message   # the rating
    assert ev.items.flags["power-capacity"][row(d, "bw1")]
    # served in file order: us1-r1 fits, us1-r2 would not, so it is unpowered
    assert ev.items.powered[row(d, "us1-r1")] and not ev.items.powered[row(d, "us1-r2")]
    unp = {v.ids for v in ev.violations_of("unpowered")}
    assert ("us1-r2",) in unp
    # a busway's load is what the racks beneath it ask for: the figure in the message
    assert ev.items.load_kw[row(d, "bw1")] == pytest.approx(demand)
    assert ev.items.limit_kw[row(d, "bw1")] == pytest.approx(limit)


def test_busway_load_is_what_the_racks_beneath_ask_for_everywhere():
    """A 6 m 1200 A busway over 8 Trn3 Gen2 racks and a network rack: the violation, the
    per-item load (charts, Inspector, report) and the hall's figures give one load."""
    cat = catalog()
    racks = [rack(f"us{k // 2 + 1}-r{k % 2 + 1}", 1.5 + 0.6 * k, system=f"us{k // 2 + 1}") for k in range(4)]
    racks += [net("net1", 1.5 + 0.6 * 4)]
    racks += [rack(f"us{k // 2 + 3}-r{k % 2 + 1}", 1.5 + 0.6 * (k + 5), system=f"us{k // 2 + 3}") for k in range(4)]
    d = make_design(racks + [busway("bw1", (1.2, ROW_Y), (7.2, ROW_Y), type_id="busway-1200a")])
    ev = evaluate(d)
    asked = 8 * cat.types["trn3-gen2-rack"].it_power_kw + cat.types["network-rack"].it_power_kw
    limit = busway_limit_kw(cat, "busway-1200a")
    assert asked > limit
    assert ev.items.load_kw[row(d, "bw1")] == pytest.approx(asked)
    assert ev.items.load_kw[row(d, "bw1")] / ev.items.limit_kw[row(d, "bw1")] > 1.0
    v = [v for v in ev.violations_of("power-capacity") if v.ids == ("bw1",)][0]
    assert kw(asked) in v.message and kw(limit) in v.message
    # racks the busway cannot carry are unpowered, with what is left on it
    unpowered = ev.violations_of("unpowered")
    assert unpowered and all("gets no power" in u.message for u in unpowered)


def test_power_capacity_busway_within_limit():
    # 2 × 190 + 6 (network rack) + 48 (spine rack) = 434 kW under the 437 kW limit
    d = supported_design(busway_type="busway-800a", assumptions={"trn3-gen2-rack.it_power_kw": 190.0})
    assert 2 * 190 + 6 + 48 < busway_limit_kw(effective_catalog(d), "busway-800a")
    clean(evaluate(d))


# ------------------------------------------------------------------ power-capacity: hall
def test_power_capacity_hall():
    d = supported_design(hall_kw={"it_capacity_kw": 150.0})
    cat = effective_catalog(d)
    # 2 × 85 + 6 (network rack) + 48 (spine rack) = 224 kW
    demand = 2 * cat.types[RACK].it_power_kw + cat.types["network-rack"].it_power_kw \
        + cat.types["spine-rack"].it_power_kw
    assert demand == pytest.approx(224.0)
    ev = evaluate(d)
    v = only(ev, "power-capacity")
    assert v.severity == "error"
    assert v.ids == ("A",)
    assert kw(demand) in v.message and kw(150) in v.message
    assert v.hall == "A"
    # served in file order: us1-r1 (85 kW) fits in 150 kW, us1-r2 takes the total over
    assert ev.items.powered[row(d, "us1-r1")]
    assert not ev.items.powered[row(d, "us1-r2")]
    assert ("us1-r2",) in {u.ids for u in ev.violations_of("unpowered")}
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_power_capacity_hall_within_capacity():
    clean(evaluate(supported_design(hall_kw={"it_capacity_kw": 230.0})))    # ≥ 224 kW


# ------------------------------------------------------------------ power-capacity: site
def test_power_capacity_site():
    d = supported_design(utility_capacity_kw=200.0, pue=1.15)
    cat = effective_catalog(d)
    # (2 × 85 + 6 + 48) × 1.15 = 257.6 kW
    facility = (2 * cat.types[RACK].it_power_kw + cat.types["network-rack"].it_power_kw
                + cat.types["spine-rack"].it_power_kw) * 1.15
    assert facility == pytest.approx(257.6)
    ev = evaluate(d)
    v = only(ev, "power-capacity")
    assert v.severity == "error"
    assert v.ids == ("site",)
    assert kw(facility) in v.message and kw(200) in v.message
    # served in file order: the racks fit (2 × 85 × 1.15 = 195.5 kW), the network rack
    # ((170 + 6) × 1.15 = 202.4 kW) does not, nor the spine rack after it
    assert {u.ids for u in ev.violations_of("unpowered")} == {("net1",), ("spine1",)}
    assert not ev.items.powered[row(d, "net1")]


def test_power_capacity_site_within_the_feed():
    clean(evaluate(supported_design(utility_capacity_kw=260.0, pue=1.15)))   # ≥ 257.6 kW


# ------------------------------------------------------------------ unpowered
def test_unpowered_rack_under_no_busway():
    # the busway starts at x = 5.25: us1-r1 (4.6–5.2) hangs under nothing
    d = supported_design(busway_span=(5.25, 6.95))
    cat = effective_catalog(d)
    ev = evaluate(d)
    v = only(ev, "unpowered")
    assert v.severity == "error"
    assert v.ids == ("us1-r1",)
    assert kw(cat.types[RACK].it_power_kw) in v.message and "no busway" in v.message
    assert not ev.items.powered[row(d, "us1-r1")] and ev.items.powered[row(d, "us1-r2")]
    assert ev.report()["power"]["unpowered_items"] == 1
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_powered_when_the_busway_starts_0_3_m_earlier():
    clean(evaluate(supported_design(busway_span=(4.95, 6.95))))


def test_a_hall_without_busways_leaves_its_racks_unpowered():
    """No busway anywhere in the hall is no excuse: every consumer is unpowered, and the
    UltraServer stranded (it used to count as powered and pass ``check``)."""
    d = supported_design(with_busway=False)
    ev = evaluate(d)
    assert {v.ids for v in ev.violations_of("unpowered")} == {("us1-r1",), ("us1-r2",), ("net1",), ("spine1",)}
    assert all("under no busway of Hall A" in v.message for v in ev.violations_of("unpowered"))
    assert ev.totals["power"]["it_powered_kw"] == 0.0
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1


def test_a_hall_whose_power_feed_is_assumed_counts_its_racks_powered_with_a_warning():
    d = supported_design(with_busway=False)
    d.halls[0].extra["power_feed"] = "hall"
    ev = evaluate(d)
    assert ev.items.powered.all()
    v = only(ev, "assumed-power")
    assert v.severity == "warning" and v.ids == ("A",) and "Hall A" in v.message
    assert ev.totals["throughput"]["stranded_ultraservers"] == 0


# ------------------------------------------------------------------ cooling-capacity
def test_cooling_capacity_liquid():
    d = supported_design(assumptions={"cdu-in-row.capacity_kw": 100.0})
    cat = effective_catalog(d)
    per_rack = cat.types[RACK].it_power_kw * cat.types[RACK].liquid_fraction   # 72.25 kW
    assert per_rack < 100 < 2 * per_rack
    ev = evaluate(d)
    v = only(ev, "cooling-capacity")
    assert v.severity == "error"
    assert v.ids == ("us1-r2",)                # us1-r1 is nearer to cdu1 and served first
    assert kw(per_rack) in v.message and "liquid" in v.message
    assert not ev.items.cooled[row(d, "us1-r2")]
    assert ev.report()["cooling"]["uncooled_items"] == 1
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_cooling_capacity_liquid_enough():
    clean(evaluate(supported_design(assumptions={"cdu-in-row.capacity_kw": 150.0})))


def test_cooling_capacity_cdu_out_of_reach():
    # Manhattan distances from cdu1 (x 4.3): us1-r1 0.6 m, us1-r2 1.2 m
    ev = evaluate(supported_design(assumptions={"cdu-in-row.reach_m": 1.0}))
    v = only(ev, "cooling-capacity")
    assert v.ids == ("us1-r2",) and "within reach" in v.message
    clean(evaluate(supported_design(assumptions={"cdu-in-row.reach_m": 1.5})))


def test_cooling_capacity_air_without_air_handler():
    d = supported_design(with_crah=False)
    cat = effective_catalog(d)
    rk = cat.types[RACK]
    ev = evaluate(d)
    vs = ev.violations_of("cooling-capacity")
    assert sorted(v.ids for v in vs) == sorted([("us1-r1",), ("us1-r2",), ("net1",), ("spine1",)])
    msg = {v.ids[0]: v.message for v in vs}
    assert kw(rk.it_power_kw * (1 - rk.liquid_fraction)) in msg["us1-r1"]
    assert kw(cat.types["network-rack"].it_power_kw) in msg["net1"]     # 2 switches × 3 kW, all air
    assert kw(16 * 3.0) in msg["spine1"]                                # 16 switches × 3 kW, all air
    assert all("air" in m and "no air handler" in m for m in msg.values())


def _crah_at(x: float):
    return supported_design(crah_at=(x, 0.45), hall_kw={"w": 30.0})


def test_cooling_capacity_air_handler_out_of_reach():
    # Manhattan distance from crah1 at (24.7, 0.45) to us1-r1 at (4.9, 6.0): 25.35 m > 25 m
    d = _crah_at(24.7)
    cat = effective_catalog(d)
    assert 19.8 + 5.55 > cat.types["crah"].get("reach_m") > 19.2 + 5.55
    ev = evaluate(d)
    v = only(ev, "cooling-capacity")
    assert v.ids == ("us1-r1",)
    assert "air heat" in v.message and "within reach" in v.message


def test_cooling_air_handler_within_reach_0_7_m_closer():
    clean(evaluate(_crah_at(24.0)))


# ------------------------------------------------------------------ scaleup-reach
def _split_ultraserver(x_r2: float):
    items = [e for e in supported_items(busway_span=(4.05, 8.95)) if e.id != "us1-r2"]
    items.append(rack("us1-r2", x_r2, system="us1"))
    return make_design(items)


def test_scaleup_reach():
    d = _split_ultraserver(8.5)             # 3.6 m from us1-r1
    cat = effective_catalog(d)
    need = routed_m(3.6, cat.value("cable.tray_drop_m"), cat.value("cable.slack_factor"))
    reach = cat.value("scaleup.max_cable_m")
    assert need > reach
    ev = evaluate(d)
    v = only(ev, "scaleup-reach")
    assert v.severity == "error"
    assert v.ids == ("us1-r1", "us1-r2")
    assert f"{need:.1f} m" in v.message and f"{reach:.1f} m" in v.message
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_scaleup_reach_fine_0_3_m_closer():
    d = _split_ultraserver(8.2)             # 3.3 m: (3.3 + 3) × 1.1 = 6.93 m ≤ 7 m
    clean(evaluate(d))


def test_scaleup_reach_follows_the_assumption():
    d = _split_ultraserver(8.5)
    d.assumptions["scaleup.max_cable_m"] = 7.5
    clean(evaluate(d))


def test_scaleup_reach_ultraserver_split_across_halls():
    a = hall("A")
    b = hall("B", x0=30.0)
    items = supported_items()
    items = [e for e in items if e.id != "us1-r2"] + [rack("us1-r2", 34.9, system="us1", hall_id="B")]
    d = make_design(items, [a, b])
    ev = evaluate(d)
    v = only(ev, "scaleup-reach")
    assert set(v.ids) == {"us1-r1", "us1-r2"}
    assert "across halls" in v.message and "7.0 m" in v.message


# ------------------------------------------------------------------ cable-reach
def _far_network(distance_m: float, assumptions: dict | None = None, hall_w: float | None = None):
    """The supported row without net1 and spine1; net1 stands ``distance_m`` east of us1-r2
    with spine1 beside it, their own busway and air handler, in a hall long enough."""
    xn = 5.5 + distance_m
    items = supported_items(with_net=False, with_spine=False, busway_span=(4.05, 5.75))
    items += [net("net1", xn), spine("spine1", xn + 0.6), busway("bw2", (xn - 0.25, 6.0), (xn + 0.85, 6.0)),
              crah("crah2", xn, 0.45)]
    return make_design(items, [hall(w=hall_w or xn + 5)], assumptions=assumptions)


def test_cable_reach_beyond_every_medium_in_a_long_hall():
    d = _far_network(1860.0)
    cat = effective_catalog(d)
    tray, slack = cat.value("cable.tray_drop_m"), cat.value("cable.slack_factor")
    reach = max(m.get("reach_m") for m in cat.media.values())
    assert reach == 2000
    per_rack = links_per_system(cat) // cat.types[RACK].racks_per_system
    ev = evaluate(d)
    vs = ev.violations_of("cable-reach")
    assert sorted(v.ids for v in vs) == [("us1-r1", "net1"), ("us1-r2", "net1")]
    for v in vs:
        assert v.severity == "error"
        dist = 1860.0 + (0.6 if v.ids[0] == "us1-r1" else 0.0)
        assert f"{routed_m(dist, tray, slack):,.0f} m" in v.message
        assert f"{reach:,.0f} m" in v.message
        assert f"{per_rack} link(s)" in v.message
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1
    # server links no medium reaches are not counted as cables: by medium, only the fabric's
    # leaf → spine uplinks (net1 to spine1 beside it) are
    assert ev.report()["cables"]["links"] == 2 * per_rack
    assert sum(m["count"] for m in ev.report()["cables"]["by_medium"].values()) \
        == ev.report()["network"]["fabric_links"]


def test_cable_reach_fine_50_m_closer():
    d = _far_network(1810.0)
    ev = evaluate(d)
    clean(ev)
    assert ev.report()["cables"]["by_medium"]["fr"]["count"] == links_per_system(effective_catalog(d))


def test_cable_reach_threshold_is_the_longest_reach():
    """Just across the threshold: D* = reach / slack − 2 × tray for the far rack (us1-r1)."""
    cat = effective_catalog(make_design([]))
    d_star = 2000 / cat.value("cable.slack_factor") - 2 * cat.value("cable.tray_drop_m") - 0.6
    over = evaluate(_far_network(d_star + 0.3))
    under = evaluate(_far_network(d_star - 0.3))
    assert [v.ids for v in over.violations_of("cable-reach")] == [("us1-r1", "net1")]
    clean(under)


def test_cable_reach_with_overridden_media_reach():
    shorter = {k: 300.0 for k in ("aoc", "sr8", "dr8", "fr")}
    assumptions = {f"{k}.reach_m": v for k, v in shorter.items()}
    ev = evaluate(_far_network(300.0, assumptions))
    vs = ev.violations_of("cable-reach")
    assert len(vs) == 2 and all("(300 m)" in v.message for v in vs)
    clean(evaluate(_far_network(260.0, assumptions)))     # (260.6 + 3) × 1.1 = 290 m


# ------------------------------------------------------------------ network-ports
def test_network_ports():
    # 40 ports in all, of which floor(40 · 1/(1 + 1)) = 20 face servers (o = 1)
    d = supported_design(assumptions={"network-rack.ports": 40})
    cat = effective_catalog(d)
    missing = links_per_system(cat) - 20
    ev = evaluate(d)
    v = only(ev, "network-ports")
    assert v.severity == "error"
    # nearest first: us1-r2 (0.6 m from net1) takes its 18 links, us1-r1 gets the 2 left
    assert v.ids == ("us1-r1",)
    assert f"{missing} EFA link(s)" in v.message and "20 ports" in v.message
    assert ev.items.ports_used[row(d, "net1")] == 20
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_network_ports_enough():
    # 72 ports, floor(72 · 1/2) = 36 facing servers: the UltraServer's 36 links
    clean(evaluate(supported_design(assumptions={"network-rack.ports": 72})))


def test_network_ports_without_any_network_rack():
    ev = evaluate(supported_design(with_net=False))
    v = only(ev, "network-ports")
    assert set(v.ids) == {"us1-r1", "us1-r2"}
    assert "36 EFA link(s)" in v.message and "no network rack" in v.message


# ------------------------------------------------------------------ incomplete-system
def test_incomplete_system():
    d = make_design([e for e in supported_items() if e.id != "us1-r2"])
    ev = evaluate(d)
    v = only(ev, "incomplete-system")
    assert v.severity == "warning"
    assert v.ids == ("us1-r1",)
    assert "1 of the 2 racks" in v.message
    assert ev.items.status[row(d, "us1-r1")] == STATUS_WARNING
    assert kind_counts(ev) == {"incomplete-system": 1}
    assert ev.report()["throughput"]["stranded_ultraservers"] == 1


def test_complete_system():
    clean(evaluate(supported_design()))


def test_incomplete_system_follows_racks_per_system():
    d = make_design([e for e in supported_items() if e.id != "us1-r2"],
                    assumptions={"trn3-gen2-rack.racks_per_system": 1})
    clean(evaluate(d))


# ------------------------------------------------------------------ report form
def test_report_lists_violations_with_kind_severity_ids_message():
    ev = evaluate(supported_design(hall_kw={"floor_rating_kg_m2": 1800}))
    rows = ev.report()["violations"]
    assert len(rows) == 2
    for r in rows:
        assert set(r) >= {"kind", "severity", "ids", "message"}
        assert r["kind"] == "floor-load" and r["severity"] == "error"
        assert isinstance(r["ids"], list)


def test_errors_are_listed_before_warnings():
    items = [e for e in supported_items() if e.id != "us1-r2"]      # incomplete (warning)
    d = make_design(items, [hall(floor_rating_kg_m2=1800)])          # floor-load (error)
    sev = [v.severity for v in evaluate(d).violations]
    assert sev == sorted(sev, key=lambda s: s != "error")
    assert set(sev) == {"error", "warning"}
