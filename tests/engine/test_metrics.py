"""Every metric of the report (PRODUCT §3, §5) on small hand-built designs.

Each expected number is worked out here from the inputs: catalog figures read through
the catalog, distances from the coordinates the test placed. Nothing is pasted from the
engine's output. See ``helpers.py`` for the *supported row* (one Trn3 Gen2 UltraServer
with a CDU, a network rack, a spine rack, a busway and an air handler, all within reach).
"""

from __future__ import annotations

import math

import pytest

from designer.engine import evaluate

from .helpers import (
    BUSWAY, CDU, CRAH, NET, RACK, SPINE, busway, busway_limit_kw, cdu, cheapest_medium, effective_catalog, hall,
    latency_ns, links_per_system, make_design, manhattan, net, port_to_port_m, rack, routed_m, row, server_link_m,
    supported_design,
    supported_items, ultraserver,
)

HOURS = 8760.0
#: report key (PRODUCT §5) → catalog field (per UltraServer) and the divisor to report units
FIGURES = {"mxfp8_pflops": ("mxfp8_tflops", 1000.0), "bf16_pflops": ("bf16_tflops", 1000.0),
           "fp32_pflops": ("fp32_tflops", 1000.0), "hbm_gib": ("hbm_gib", 1.0),
           "hbm_tbps": ("hbm_tbps", 1.0), "efa_tbps": ("efa_gbps", 1000.0),
           "fp4_pflops": ("fp4_tflops", 1000.0)}


def approx(v):
    # the report rounds to 6 decimals
    return pytest.approx(v, rel=1e-9, abs=2e-6)


# ------------------------------------------------------------------ AWS totals
def test_one_trn3_gen2_ultraserver_reproduces_aws_published_totals():
    """PRODUCT §3: 144 chips, 362,448 TFLOPS MXFP8, 96,624 BF16, 20,736 GiB, 705.6 TB/s (S2)."""
    ev = evaluate(supported_design())
    r = ev.report()
    assert r["chips"] == 144
    assert r["ultraservers"] == 1
    peak = r["throughput"]["peak"]
    # the official UltraServer row (hardware.md §2, S2), in report units
    assert peak["mxfp8_pflops"] == 362.448
    assert peak["bf16_pflops"] == 96.624
    assert peak["fp32_pflops"] == 26.352
    assert peak["hbm_gib"] == 20736
    assert peak["hbm_tbps"] == pytest.approx(705.6, abs=1e-9)
    assert peak["efa_tbps"] == 28.8
    # … which is the chip row times 144 (hardware.md §1)
    assert peak["mxfp8_pflops"] * 1000 == pytest.approx(144 * 2517)
    assert peak["hbm_gib"] == 144 * 144
    assert peak["hbm_tbps"] == pytest.approx(144 * 4.9)
    assert r["throughput"]["effective"] == peak
    assert r["throughput"]["stranded_ultraservers"] == 0


# ------------------------------------------------------------------ counts
def test_chips_ultraservers_and_racks_count_placed_compute_racks():
    cat = effective_catalog(make_design([]))
    spec = cat.types[RACK]
    # three UltraServers, one of them with only one of its two racks placed
    items = (ultraserver("us1", 2.3) + ultraserver("us2", 4.3) + [rack("us3-r1", 6.3, system="us3")]
             + [net("net1", 8.3)])
    ev = evaluate(make_design(items))
    r = ev.report()
    n_racks = 5
    assert r["racks"] == n_racks                     # network racks are not compute racks
    assert r["ultraservers"] == 3                    # distinct system ids
    assert r["chips"] == round(n_racks * spec.get("chips") / spec.racks_per_system)


def test_peak_counts_each_racks_share_and_effective_only_whole_served_systems():
    """us2's racks stand beyond the busway: unpowered, so us2 is stranded."""
    cat = effective_catalog(make_design([]))
    spec = cat.types[RACK]
    items = supported_items() + ultraserver("us2", 12.1)
    d = make_design(items)
    ev = evaluate(d)
    r = ev.report()
    assert not ev.items.powered[row(d, "us2-r1")]
    assert r["throughput"]["stranded_ultraservers"] == 1
    assert set(r["throughput"]["peak"]) == set(FIGURES) == set(r["throughput"]["effective"])
    for key, (fig, div) in FIGURES.items():
        per_system = spec.get(fig) / div
        assert r["throughput"]["peak"][key] == approx(2 * per_system), key
        assert r["throughput"]["effective"][key] == approx(1 * per_system), key


def test_incomplete_system_counts_in_peak_but_not_in_effective():
    cat = effective_catalog(make_design([]))
    spec = cat.types[RACK]
    items = [e for e in supported_items() if e.id != "us1-r2"]
    ev = evaluate(make_design(items))
    r = ev.report()
    assert r["chips"] == spec.get("chips") / spec.racks_per_system
    assert r["throughput"]["peak"]["mxfp8_pflops"] == approx(spec.get("mxfp8_tflops") / spec.racks_per_system / 1000)
    assert r["throughput"]["effective"]["mxfp8_pflops"] == 0
    assert r["throughput"]["stranded_ultraservers"] == 1


# ------------------------------------------------------------------ power and energy
def _it_of_supported_row(cat) -> float:
    return (2 * cat.types[RACK].it_power_kw + cat.types[NET].it_power_kw + cat.types[SPINE].it_power_kw
            + cat.types[CDU].it_power_kw + cat.types[CRAH].it_power_kw)


def test_it_and_facility_power_with_fixed_pue_and_annual_energy_cost_co2():
    pue, price, co2 = 1.23, 0.11, 0.42
    d = supported_design(pue=pue, electricity_price_per_kwh=price, grid_kg_co2_per_kwh=co2)
    cat = effective_catalog(d)
    p = evaluate(d).report()["power"]
    it = _it_of_supported_row(cat)
    # sanity: the catalog defaults this test was written against: 2 racks × 85 kW, a network
    # rack of ceil(128 / 64) = 2 switches × 3 kW, a spine rack of 16 switches × 3 kW
    assert it == 2 * 85 + 2 * 3.0 + 16 * 3.0
    facility = it * pue
    mwh = facility * HOURS / 1000
    assert p["it_kw"] == approx(it)
    assert p["facility_kw"] == approx(facility)
    assert p["pue"] == approx(pue)
    assert p["pue_mode"] == "fixed"
    assert p["annual_mwh"] == approx(mwh)
    assert p["annual_cost"] == approx(mwh * 1000 * price)
    assert p["annual_co2_t"] == approx(mwh * 1000 * co2 / 1000)


def test_facility_power_with_modelled_pue_weights_partial_pues_by_liquid_fraction():
    d = supported_design(pue="modelled")
    cat = effective_catalog(d)
    pl, pa = cat.value("cooling.pue_liquid"), cat.value("cooling.pue_air")
    facility = 0.0
    it = 0.0
    for type_id, count in ((RACK, 2), (NET, 1), (SPINE, 1), (CDU, 1), (CRAH, 1)):
        t = cat.types[type_id]
        lf = t.liquid_fraction
        facility += count * t.it_power_kw * (lf * pl + (1 - lf) * pa)
        it += count * t.it_power_kw
    p = evaluate(d).report()["power"]
    assert p["pue_mode"] == "modelled"
    assert p["facility_kw"] == approx(facility)
    assert p["pue"] == approx(facility / it)
    assert pl < p["pue"] < pa  # mostly liquid-cooled load
    assert p["annual_mwh"] == approx(facility * HOURS / 1000)


def test_pflops_per_mw_is_effective_mxfp8_per_facility_megawatt():
    d = supported_design(pue=1.2)
    cat = effective_catalog(d)
    facility_mw = _it_of_supported_row(cat) * 1.2 / 1000
    r = evaluate(d).report()
    assert r["throughput"]["pflops_per_mw"] == approx(cat.types[RACK].get("mxfp8_tflops") / 1000 / facility_mw)


def test_busway_load_and_limit():
    """bw1 carries the racks, the network rack and the spine rack beneath it;
    limit = √3·V·I·PF/1000 × 0.8."""
    d = supported_design()
    cat = effective_catalog(d)
    ev = evaluate(d)
    bw = row(d, "bw1")
    fed = 2 * cat.types[RACK].it_power_kw + cat.types[NET].it_power_kw + cat.types[SPINE].it_power_kw
    assert ev.items.load_kw[bw] == pytest.approx(fed)
    b = cat.types[BUSWAY]
    assert ev.items.limit_kw[bw] == pytest.approx(math.sqrt(3) * 415 * 1200 * 0.95 / 1000 * 0.8)
    assert ev.items.limit_kw[bw] == pytest.approx(
        math.sqrt(3) * b.get("voltage_v") * b.get("amps") * b.get("power_factor") / 1000 * 0.8)
    for item in ("us1-r1", "us1-r2", "net1", "spine1"):
        assert ev.items.served_by_busway[row(d, item)] == bw


def test_two_busways_split_the_load_by_what_hangs_beneath_them():
    d = supported_design(busway_span=(4.05, 5.0), busway_type="busway-800a")
    d.equipment.insert([busway("bw2", (5.3, 6.0), (6.95, 6.0))])
    cat = effective_catalog(d)
    ev = evaluate(d)
    rack_kw = cat.types[RACK].it_power_kw
    assert ev.items.load_kw[row(d, "bw1")] == pytest.approx(rack_kw)                  # us1-r1 (4.6–5.2)
    # us1-r2, net1 and spine1 (5.2–7.0): 85 + 6 + 48 kW
    assert ev.items.load_kw[row(d, "bw2")] == pytest.approx(
        rack_kw + cat.types[NET].it_power_kw + cat.types[SPINE].it_power_kw)
    assert ev.items.limit_kw[row(d, "bw1")] == pytest.approx(busway_limit_kw(cat, "busway-800a"))


def test_cdu_and_air_handler_load_and_limit():
    d = supported_design()
    cat = effective_catalog(d)
    ev = evaluate(d)
    rk = cat.types[RACK]
    nk = cat.types[NET]
    sk = cat.types[SPINE]
    liquid = 2 * rk.it_power_kw * rk.liquid_fraction
    air = (2 * rk.it_power_kw * (1 - rk.liquid_fraction) + nk.it_power_kw * (1 - nk.liquid_fraction)
           + sk.it_power_kw * (1 - sk.liquid_fraction))
    assert air == pytest.approx(2 * 85 * 0.15 + 6 + 48)     # 79.5 kW: switch racks are air cooled
    assert ev.items.load_kw[row(d, "cdu1")] == pytest.approx(liquid)
    assert ev.items.limit_kw[row(d, "cdu1")] == pytest.approx(cat.types[CDU].get("capacity_kw"))
    assert ev.items.load_kw[row(d, "crah1")] == pytest.approx(air)
    assert ev.items.limit_kw[row(d, "crah1")] == pytest.approx(cat.types[CRAH].get("capacity_kw"))


def test_cdus_serve_nearest_first_within_capacity():
    """Two CDUs: the near one fills up (capacity overridden to one rack's liquid heat), the
    next rack goes to the far one."""
    probe = effective_catalog(make_design([]))
    per_rack = probe.types[RACK].it_power_kw * probe.types[RACK].liquid_fraction
    d = make_design(supported_items() + [cdu("cdu2", 7.3)], assumptions={"cdu-in-row.capacity_kw": per_rack})
    ev = evaluate(d)
    assert ev.items.served_by_cdu[row(d, "us1-r1")] == row(d, "cdu1")   # 0.6 m from cdu1, 2.4 m from cdu2
    assert ev.items.served_by_cdu[row(d, "us1-r2")] == row(d, "cdu2")   # 1.2 m from cdu1, but it is full (1.8 m from cdu2)
    assert ev.items.load_kw[row(d, "cdu1")] == pytest.approx(per_rack)
    assert ev.items.load_kw[row(d, "cdu2")] == pytest.approx(per_rack)
    assert not ev.violations_of("cooling-capacity")


# ------------------------------------------------------------------ cooling totals
def test_liquid_and_air_heat_coolant_flow_and_airflow():
    d = supported_design(assumptions={"cooling.delta_t_liquid_k": 8.0, "cooling.delta_t_air_k": 14.0})
    cat = effective_catalog(d)
    rk, nk, sk = cat.types[RACK], cat.types[NET], cat.types[SPINE]
    liquid = (2 * rk.it_power_kw * rk.liquid_fraction + nk.it_power_kw * nk.liquid_fraction
              + sk.it_power_kw * sk.liquid_fraction)
    air = (2 * rk.it_power_kw * (1 - rk.liquid_fraction) + nk.it_power_kw * (1 - nk.liquid_fraction)
           + sk.it_power_kw * (1 - sk.liquid_fraction))
    c = evaluate(d).report()["cooling"]
    assert c["liquid_kw"] == approx(liquid)
    assert c["air_kw"] == approx(air)
    assert c["liquid_kw"] + c["air_kw"] == approx(_it_of_supported_row(cat))
    # water: kW·60 / (4.186·ΔT); air: kW·1000·3600 / (1.2·1005·ΔT)
    assert c["coolant_lpm"] == approx(liquid * 60 / (4.186 * 8.0))
    assert c["airflow_m3h"] == approx(air * 1000 * 3600 / (1.2 * 1005 * 14.0))
    # ~1.43 L/min per kW at 10 K (hardware.md §6, D24)
    assert 60 / (4.186 * 10) == pytest.approx(1.43, abs=0.01)


# ------------------------------------------------------------------ cables
def test_scale_out_links_counts_metres_longest_and_latency():
    """Each rack carries half of the 36 links to net1; lengths from the coordinates. The
    racks stand beside net1 in its row (1.2 and 0.6 m, centres), so they are cabled port to
    port: (1.2 + 2 × 0.25) × 1.1 = 1.87 m and (0.6 + 0.5) × 1.1 = 1.21 m, both passive DAC
    (2 m). ``by_medium`` also counts the fabric: net1's 36 uplinks to spine1, side by side
    0.6 m east, port to port too: (0.6 + 2 × 0.25) × 1.1 = 1.21 m: passive DAC."""
    d = supported_design()
    cat = effective_catalog(d)
    tray, slack = cat.value("cable.tray_drop_m"), cat.value("cable.slack_factor")
    by_id = {e.id: e for e in d.equipment}
    links = links_per_system(cat)
    assert links == 36
    per_rack = links // cat.types[RACK].racks_per_system
    lengths = [server_link_m(cat, by_id[r], by_id["net1"]) for r in ("us1-r1", "us1-r2")]
    assert lengths == [pytest.approx(1.87), pytest.approx(1.21)]
    assert lengths == [pytest.approx(port_to_port_m(dx, cat.value("cable.in_rack_m"), slack)) for dx in (1.2, 0.6)]
    media = [cheapest_medium(cat, L) for L in lengths]
    assert media == ["passive-dac", "passive-dac"]
    # uplinks of a leaf at o = 1: its 36 used server ports × (64 − 32) / 32 = 36
    uplinks = 36
    uplink_m = port_to_port_m(manhattan(by_id["net1"], by_id["spine1"]), cat.value("cable.in_rack_m"), slack)
    assert uplink_m == pytest.approx(1.21) and cheapest_medium(cat, uplink_m) == "passive-dac"
    assert routed_m(0.6, tray, slack) == pytest.approx(3.96)   # (via the tray it would be AEC)
    ev = evaluate(d)
    c = ev.report()["cables"]
    expected: dict[str, dict] = {m: {"count": 0, "metres": 0.0} for m in cat.media}
    for L, m in zip(lengths, media):
        expected[m]["count"] += per_rack
        expected[m]["metres"] += per_rack * L
    expected["passive-dac"]["count"] += uplinks
    expected["passive-dac"]["metres"] += uplinks * uplink_m
    for m in cat.media:
        assert c["by_medium"][m]["count"] == expected[m]["count"], m
        assert c["by_medium"][m]["metres"] == pytest.approx(expected[m]["metres"], abs=0.006), m
    assert c["links"] == links
    assert c["longest_m"] == approx(max(lengths))
    assert c["worst_latency_ns"] == approx(max(latency_ns(cat, m, L) for L, m in zip(lengths, media)))
    assert ev.items.ports_used[row(d, "net1")] == links


def _single_rack_link(distance_m: float, tray_drop_m: float | None = None):
    """One single-rack UltraServer and a network rack ``distance_m`` east of it (a long hall,
    no busways, no cooling: only the cable metrics matter here)."""
    items = [rack("us1-r1", 2.0, system="us1"), net("net1", 2.0 + distance_m)]
    d = make_design(items, [hall(w=distance_m + 10, tray_drop_m=tray_drop_m)],
                    assumptions={"trn3-gen2-rack.racks_per_system": 1})
    cat = effective_catalog(d)
    tray = cat.value("cable.tray_drop_m") if tray_drop_m is None else tray_drop_m
    length = routed_m(distance_m, tray, cat.value("cable.slack_factor"))
    return d, cat, length


@pytest.mark.parametrize("distance_m, tray_drop_m, expected", [
    (0.6, 0.25, "passive-dac"),   # side by side: (0.6 + 2 × 0.25) × 1.1 = 1.21 m ≤ 2 m (800G DAC reach)
    (2.4, None, "aec"),           # (2.4 + 3) × 1.1 = 5.94 m: too long for DAC, AEC ≤ 7 m
    (20.0, None, "aoc"),          # 25.3 m: AOC 3 + 0.06·L beats SR8 5 + 0.01·L below 40 m
    (38.0, None, "sr8"),          # 45.1 m: SR8 is cheaper than AOC above 40 m, reaches 50 m
    (200.0, None, "dr8"),         # 223.3 m: only DR8 (500 m) and FR (2 km) reach; DR8 cheaper
    (1000.0, None, "fr"),         # 1,103.3 m: only FR reaches
])
def test_each_link_takes_the_cheapest_medium_that_reaches(distance_m, tray_drop_m, expected):
    d, cat, length = _single_rack_link(distance_m, tray_drop_m)
    # the medium is the cheapest one by the catalog's cost figures …
    assert cheapest_medium(cat, length) == expected
    ev = evaluate(d)
    c = ev.report()["cables"]
    links = links_per_system(cat)
    for m in cat.media:
        want = links if m == expected else 0
        assert c["by_medium"][m]["count"] == want, (m, c["by_medium"])
    assert c["by_medium"][expected]["metres"] == pytest.approx(links * length, abs=0.006)
    assert c["longest_m"] == approx(length)
    assert c["worst_latency_ns"] == approx(latency_ns(cat, expected, length))
    assert not ev.violations_of("cable-reach")


def test_medium_choice_follows_cost_assumptions():
    """Make SR8 cheaper per link than AOC: a 25.3 m link switches from AOC to SR8."""
    d, cat, length = _single_rack_link(20.0)
    assert cheapest_medium(cat, length) == "aoc"
    d.assumptions["sr8.cost_per_link"] = 1.0
    cat2 = effective_catalog(d)
    assert cheapest_medium(cat2, length) == "sr8"
    c = evaluate(d).report()["cables"]
    assert c["by_medium"]["sr8"]["count"] == links_per_system(cat2)
    assert c["by_medium"]["aoc"]["count"] == 0


def test_links_spill_to_the_next_network_rack_when_ports_run_out():
    """net1 (nearest) has 20 server ports: 20 links to it, the other 16 to net2 farther away."""
    ports = 20
    items = [rack("us1-r1", 2.0, system="us1"), net("net1", 4.4), net("net2", 9.2)]
    # 40 ports per rack, floor(40 · 1/(1 + 1)) = 20 of them facing servers (o = 1)
    d = make_design(items, [hall(w=20)], assumptions={"trn3-gen2-rack.racks_per_system": 1,
                                                      "network-rack.ports": 2 * ports})
    cat = effective_catalog(d)
    tray, slack = cat.value("cable.tray_drop_m"), cat.value("cable.slack_factor")
    links = links_per_system(cat)
    near = routed_m(2.4, tray, slack)
    far = routed_m(7.2, tray, slack)
    ev = evaluate(d)
    assert ev.items.ports_used[row(d, "net1")] == ports
    assert ev.items.ports_used[row(d, "net2")] == links - ports
    c = ev.report()["cables"]
    total_m = sum(v["metres"] for v in c["by_medium"].values())
    assert total_m == pytest.approx(ports * near + (links - ports) * far, abs=0.01)
    assert c["longest_m"] == approx(far)
    assert not ev.violations_of("network-ports")


# ------------------------------------------------------------------ assumption overrides
def test_rack_power_override_changes_it_kw_and_everything_downstream():
    base = supported_design()
    over = supported_design(assumptions={"trn3-gen2-rack.it_power_kw": 90.0})
    cat = effective_catalog(base)
    rb, ro = evaluate(base).report(), evaluate(over).report()
    assert ro["power"]["it_kw"] == approx(2 * 90.0 + cat.types[NET].it_power_kw + cat.types[SPINE].it_power_kw)
    assert ro["power"]["it_kw"] - rb["power"]["it_kw"] == approx(2 * (90.0 - cat.types[RACK].it_power_kw))
    assert ro["power"]["facility_kw"] == approx(ro["power"]["it_kw"] * over.site.pue)
    lf = cat.types[RACK].liquid_fraction
    assert ro["cooling"]["liquid_kw"] == approx(2 * 90.0 * lf)


def test_slack_and_tray_drop_overrides_change_cable_lengths():
    d = supported_design(assumptions={"cable.slack_factor": 1.3, "cable.tray_drop_m": 2.0})
    cat = effective_catalog(d)
    by_id = {e.id: e for e in d.equipment}
    r = evaluate(d).report()
    # the longest server link, us1-r1 → net1 1.2 m along the row, runs port to port (no
    # tray drop): (1.2 + 2 × 0.25) × 1.3 = 2.21 m
    longest = port_to_port_m(manhattan(by_id["us1-r1"], by_id["net1"]), cat.value("cable.in_rack_m"), 1.3)
    assert longest == pytest.approx(2.21)
    assert r["cables"]["longest_m"] == approx(longest)
    # the fabric's net1 → spine1 uplinks, side by side, run port to port too, with the slack:
    # (0.6 + 2 × 0.25) × 1.3 = 1.43 m (the tray drop does not apply)
    uplink = port_to_port_m(manhattan(by_id["net1"], by_id["spine1"]), cat.value("cable.in_rack_m"), 1.3)
    assert uplink == pytest.approx(1.43)
    assert r["network"]["longest_fabric_link_m"] == approx(uplink)


def test_hall_tray_drop_overrides_the_global_one():
    # a link via the tray: a rack 2.4 m from its network rack (beyond cable.direct_max_m),
    # (2.4 + 2 × 0.5) × 1.1 = 3.74 m with the hall's 0.5 m tray drop
    d, cat, length = _single_rack_link(2.4, tray_drop_m=0.5)
    assert length == pytest.approx((2.4 + 2 * 0.5) * cat.value("cable.slack_factor"))
    assert evaluate(d).report()["cables"]["longest_m"] == approx(length)
    # the fabric's uplinks in the supported row run side by side, port to port: the hall's
    # tray drop does not apply, (0.6 + 2 × 0.25) × 1.1 = 1.21 m either way
    for tray_drop in (0.5, 3.0):
        d = supported_design(hall_kw={"tray_drop_m": tray_drop})
        assert evaluate(d).report()["network"]["longest_fabric_link_m"] == approx(1.21)


def test_liquid_fraction_override_moves_heat_from_liquid_to_air():
    d = supported_design(assumptions={"trn3-gen2-rack.liquid_fraction": 0.5})
    cat = effective_catalog(d)
    rk, nk, sk = cat.types[RACK], cat.types[NET], cat.types[SPINE]
    c = evaluate(d).report()["cooling"]
    assert c["liquid_kw"] == approx(2 * rk.it_power_kw * 0.5)
    assert c["air_kw"] == approx(2 * rk.it_power_kw * 0.5 + nk.it_power_kw + sk.it_power_kw)   # 85 + 6 + 48


def test_racks_per_system_override_makes_each_rack_a_whole_ultraserver():
    """With 1 rack per UltraServer, a lone rack carries all 144 chips and is complete."""
    d = make_design([rack("us1-r1", 4.9, system="us1"), rack("us2-r1", 8.0, system="us2")],
                    assumptions={"trn3-gen2-rack.racks_per_system": 1})
    cat = effective_catalog(d)
    ev = evaluate(d)
    r = ev.report()
    assert r["racks"] == 2
    assert r["chips"] == 2 * cat.types[RACK].get("chips")
    assert not ev.violations_of("incomplete-system")
