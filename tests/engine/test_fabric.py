"""The scale-out fabric above the leaves (issue 14): the folded Clos sized from the scale-out
links, oversubscription, spine capacity, links between halls on the campus plan, passive DAC
between racks side by side, transceivers and optics power, and ``report --json``'s
``network`` section. Every expected number is worked out here from the inputs.

Sizing (issue 14, Al-Fares et al. 2008): d = floor(k·o/(1+o)) server ports per k-port leaf
switch; leaves S1 = ceil(E/d); uplinks U = S1·(k − d); tiers L = 1 when S1 = 1, else the
smallest L ≥ 2 with U ≤ 2·(k/2)^L; tiers 2 … L−1 hold ceil(U/(k/2)) switches, the top
ceil(U/k).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.engine.evaluator import Evaluator
from designer.engine.fabric import clos_tiers, server_ports, spine_racks_needed
from designer.io import write_design

from .helpers import (
    busway, catalog, cdu, crah, describe, effective_catalog, hall, kind_counts, make_design, net, only, rack,
    routed_m, spine, supported_design, supported_items,
)

#: the catalog's leaf and spine figures these tests were worked out with
K = 64                 # network-rack.switch_radix, spine-rack.switch_radix
LEAF_PORTS = 128       # network-rack.ports: two 64-port switches
SPINE_SWITCHES = 16    # spine-rack.switches
LINKS = 36             # EFA links of one Trn3 Gen2 UltraServer: 28,800 / 800 Gbps


def test_the_catalog_figures_the_hand_numbers_use():
    cat = catalog()
    assert cat.types["network-rack"].get("switch_radix") == K
    assert cat.types["network-rack"].get("ports") == LEAF_PORTS
    assert cat.types["spine-rack"].get("switch_radix") == K
    assert cat.types["spine-rack"].get("switches") == SPINE_SWITCHES
    rk = cat.types["trn3-gen2-rack"]
    assert math.ceil(rk.get("efa_gbps") / rk.get("efa_link_gbps")) == LINKS
    # a switch rack's power follows from its switches: ceil(128 / 64) × 3 kW and 16 × 3 kW
    assert cat.types["network-rack"].it_power_kw == pytest.approx(2 * 3.0)
    assert cat.types["spine-rack"].it_power_kw == pytest.approx(16 * 3.0)


# ------------------------------------------------------------------ the worked example
def test_the_worked_example_of_issue_14():
    # E = 251,136, k = 64, o = 1: d = 32, S1 = 251,136 / 32 = 7,848, U = 7,848 × 32 = 251,136;
    # 2·32³ = 65,536 < U ≤ 2·32⁴ = 2,097,152 → L = 4; tiers 2 and 3: ceil(251,136 / 32) =
    # 7,848 each; the top: ceil(251,136 / 64) = 3,924
    tiers = clos_tiers(251_136, 64, 1.0)
    assert tiers == [7_848, 7_848, 7_848, 3_924]
    assert sum(tiers) == 27_468
    assert 2 * 32 ** 3 < 7_848 * 32 <= 2 * 32 ** 4


def test_small_fabrics_by_hand():
    assert clos_tiers(0, 64) == []
    assert clos_tiers(32, 64) == [1]              # one leaf switch: nothing above it
    # 36 links (one UltraServer): 2 leaves, 64 uplinks ≤ 2·32² → 2 tiers, ceil(64 / 64) = 1
    assert clos_tiers(36, 64) == [2, 1]
    # 2,048 links: 64 leaves, 2,048 uplinks = 2·32² exactly → still 2 tiers, 2,048 / 64 = 32
    assert clos_tiers(2_048, 64) == [64, 32]
    # one more link: 65 leaves, 2,080 uplinks > 2,048 → 3 tiers, ceil(2,080 / 32) = 65, ceil(2,080 / 64) = 33
    assert clos_tiers(2_049, 64) == [65, 65, 33]
    assert spine_racks_needed([65, 65, 33], 16) == math.ceil(98 / 16) == 7


def worked_example_design(spine_racks: int):
    """The worked example through the evaluator: 8 single-rack UltraServers of 31,392 EFA
    links each (efa_gbps = 800 × 31,392), so E = 8 × 31,392 = 251,136; 6 leaf racks of
    100,000 ports (50,000 facing servers: 300,000 ≥ E); spine racks of 1,000 switches. The
    switches' power is overridden down (the point here is the count, not the megawatts);
    the hall's power feed is assumed."""
    items = [cdu("cdu1", 1.5)]
    items += [rack(f"us{k + 1}-r1", 2.1 + 0.6 * k, system=f"us{k + 1}") for k in range(8)]
    items += [net(f"net{k + 1}", 6.9 + 0.6 * k) for k in range(6)]
    items += [spine(f"spine{k + 1}", 1.5 + 0.6 * k, 10.0) for k in range(spine_racks)]
    items.append(crah("crah1", 6.0, 0.45))
    h = hall(w=30.0)
    h.extra["power_feed"] = "hall"
    return make_design(items, [h], assumptions={
        "trn3-gen2-rack.racks_per_system": 1, "trn3-gen2-rack.efa_gbps": 800 * 31_392,
        "network-rack.ports": 100_000, "network-rack.switch_kw": 0.0,
        "spine-rack.switches": 1_000, "spine-rack.switch_kw": 0.001})


def test_the_worked_example_through_an_evaluated_design():
    ev = evaluate(worked_example_design(20))
    net_ = ev.report()["network"]
    assert net_["endpoints"] == 8 * 31_392 == 251_136
    assert net_["tiers"] == 4
    assert net_["switches_by_tier"] == [7_848, 7_848, 7_848, 3_924]
    assert net_["switches"] == 27_468
    assert net_["leaf_racks"] == 6
    # 20 racks × 1,000 = 20,000 switches ≥ 7,848 + 7,848 + 3,924 = 19,620 above the leaves
    assert net_["spine_racks"] == 20 and net_["spine_switches"] == 20_000
    assert not ev.violations_of("fabric-capacity"), describe(ev)
    # links: leaf → tier 2 one per uplink (251,136), then one layer between tiers 2–3 and
    # one between 3–4 of as many: 3 × 251,136
    assert net_["fabric_links"] == 3 * 251_136
    # bisection: E × 800 Gbps / 2 (o = 1) = 100,454.4 Tb/s
    assert net_["bisection_tbps"] == pytest.approx(251_136 * 800 / 2 / 1000)


def test_the_worked_example_one_spine_rack_short():
    ev = evaluate(worked_example_design(19))    # 19,000 < 19,620
    v = only(ev, "fabric-capacity")
    assert v.severity == "error"
    assert "19,620 switches above the leaves (7,848 + 7,848 + 3,924)" in v.message
    assert "20 spine racks of 1000 switches" in v.message      # ceil(19,620 / 1,000)
    assert "19 spine rack(s) placed hold 19,000 working switch(es)" in v.message


# ------------------------------------------------------------------ oversubscription
def test_oversubscription_sets_the_server_ports_of_a_leaf():
    assert server_ports(128, 1.0) == 64      # 128 · 1/2
    assert server_ports(128, 3.0) == 96      # 128 · 3/4
    assert server_ports(64, 3.0) == 48
    assert server_ports(128, 2.0) == 85      # floor(128 · 2/3 = 85.33)


def test_oversubscription_gives_fewer_leaves_and_tiers():
    # E = 6,144. o = 1: d = 32, 192 leaves, U = 6,144 > 2·32² = 2,048 → 3 tiers:
    # 192, ceil(6,144 / 32) = 192, ceil(6,144 / 64) = 96
    assert clos_tiers(6_144, 64, 1.0) == [192, 192, 96]
    # o = 3: d = 48, 128 leaves, U = 128 × 16 = 2,048 ≤ 2,048 → 2 tiers: 128, 2,048 / 64 = 32
    assert clos_tiers(6_144, 64, 3.0) == [128, 32]


def _two_ultraservers_one_leaf(o: float | None, third: bool = False):
    """Two UltraServers (72 links) on one network rack, with a spine rack: the row of the
    supported design and a second UltraServer east of the spine rack (and a third, 108
    links, with ``third``)."""
    items = supported_items(busway_span=(4.05, 9.35)) + [rack("us2-r1", 7.3, system="us2"),
                                                          rack("us2-r2", 7.9, system="us2")]
    if third:
        items += [rack("us3-r1", 8.5, system="us3"), rack("us3-r2", 9.1, system="us3")]
    d = make_design(items)
    if o is not None:
        d.extra["fabric"] = {"oversubscription": o}
    return d


def test_oversubscription_3_lets_one_leaf_rack_serve_two_ultraservers():
    d = _two_ultraservers_one_leaf(None)      # o = 1: 64 server ports for 72 links
    v = only(evaluate(d), "network-ports")
    assert "8 EFA link(s)" in v.message and "64 ports" in v.message
    d = _two_ultraservers_one_leaf(3.0)       # o = 3: 96 server ports
    ev = evaluate(d)
    assert ev.violations == [], describe(ev)
    net_ = ev.report()["network"]
    assert net_["oversubscription"] == 3.0
    # E = 72, d = 48: 2 leaves, U = 2 × 16 = 32 ≤ 2,048 → 2 tiers, ceil(32 / 64) = 1
    assert net_["switches_by_tier"] == [2, 1]
    # net1 cables ceil(72 × 16 / 48) = 24 uplinks to spine1
    assert net_["fabric_links"] == 24
    # bisection: 72 × 800 / 2 / 3 = 9.6 Tb/s
    assert net_["bisection_tbps"] == pytest.approx(72 * 800 / 2 / 3 / 1000)
    # a third UltraServer: 108 links for floor(128 · 3/4) = 96 server ports, 12 short
    v = only(evaluate(_two_ultraservers_one_leaf(3.0, third=True)), "network-ports")
    assert "12 EFA link(s)" in v.message and "96 ports" in v.message


def test_oversubscription_3_puts_one_ultraserver_on_a_single_leaf_switch():
    d = supported_design()
    d.extra["fabric"] = {"oversubscription": 3.0}
    ev = evaluate(d)
    net_ = ev.report()["network"]
    # E = 36 ≤ d = 48: one leaf switch, no tier above it and no fabric link
    assert net_["tiers"] == 1 and net_["switches_by_tier"] == [1] and net_["switches"] == 1
    assert net_["fabric_links"] == 0 and net_["bisection_tbps"] == 0
    assert ev.violations == [], describe(ev)
    # with o = 1 the same row needs the tier above: [2, 1]
    assert evaluate(supported_design()).report()["network"]["switches_by_tier"] == [2, 1]


# ------------------------------------------------------------------ spine capacity
def four_ultraservers(spines: int, *, failed_busway_for_spine2: bool = False):
    """Four UltraServers (144 links) in one row around three leaf racks, ``spines`` spine
    racks of 2 switches each (spine-rack.switches overridden) at the east end: E = 144 →
    d = 32, 5 leaves, U = 160 ≤ 2,048 → tiers [5, 3]: 3 switches above the leaves, so one
    spine rack (2) is short and two (4) are enough. Two busways: bw1 4 × 85 + 2 × 6 = 352 kW,
    bw2 6 + 4 × 85 + 6 per spine rack (2 switches × 3 kW) = 352–358 kW; a CDU (8 × 72.25 =
    578 kW of liquid heat), an air handler (8 × 12.75 + 18 + 12 = 132 kW of air heat at most)."""
    items = [cdu("cdu1", 1.5)]
    for k, x0 in enumerate((2.1, 3.3, 6.3, 7.5)):
        items += [rack(f"us{k + 1}-r1", x0, system=f"us{k + 1}"), rack(f"us{k + 1}-r2", x0 + 0.6, system=f"us{k + 1}")]
    items += [net("net1", 4.5), net("net2", 5.1), net("net3", 5.7)]
    items += [spine(f"spine{k + 1}", 8.7 + 0.6 * k) for k in range(spines)]
    end = 8.7 + 0.6 * spines - 0.35
    if failed_busway_for_spine2:
        end -= 0.6      # spine2 hangs under no busway
    items += [busway("bw1", (1.25, 6.0), (5.35, 6.0)), busway("bw2", (5.45, 6.0), (end, 6.0)),
              crah("crah1", 5.7, 0.45)]
    return make_design(items, assumptions={"spine-rack.switches": 2})


def test_one_spine_rack_too_few_is_a_fabric_capacity_error():
    ev = evaluate(four_ultraservers(1))
    assert ev.report()["network"]["switches_by_tier"] == [5, 3]
    v = only(ev, "fabric-capacity")
    assert v.severity == "error" and v.ids == ("spine1",)
    assert "need 3 switches above the leaves" in v.message
    assert "2 spine racks of 2 switches hold them" in v.message        # ceil(3 / 2)
    assert "the 1 spine rack(s) placed hold 2 working switch(es)" in v.message
    assert kind_counts(ev) == {"fabric-capacity": 1}


def test_enough_spine_racks_clear_it():
    ev = evaluate(four_ultraservers(2))
    assert ev.violations == [], describe(ev)
    net_ = ev.report()["network"]
    assert net_["spine_racks"] == 2 and net_["spine_switches"] == 4
    # each leaf cables as many uplinks as server links it serves (o = 1): 144 in all
    assert net_["fabric_links"] == 144


def test_a_failed_spine_rack_does_not_count():
    d = four_ultraservers(2)
    ev = evaluate(d, failed=["spine2"])
    v = only(ev, "fabric-capacity")
    assert "hold 2 working switch(es)" in v.message    # spine1's 2; spine2's are down


def test_an_unpowered_spine_rack_does_not_count():
    ev = evaluate(four_ultraservers(2, failed_busway_for_spine2=True))
    assert {u.ids for u in ev.violations_of("unpowered")} == {("spine2",)}
    v = only(ev, "fabric-capacity")
    assert "the 2 spine rack(s) placed hold 2 working switch(es)" in v.message


# ------------------------------------------------------------------ links between halls
def _in_hall(items, hall_id: str, prefix: str):
    """The items moved to another hall with their ids (and UltraServer names) prefixed."""
    return [replace(e, id=prefix + e.id, hall=hall_id, system=None if e.system is None else prefix + e.system)
            for e in items]


def two_halls(origin_b, *, b_has_spine: bool = False):
    """Hall A: the supported row with its spine rack. Hall B (the same 20 × 12 m hall, its
    (0, 0) at ``origin_b`` on the campus plan): the supported row without a spine rack, so
    its leaf's uplinks cross to hall A's spine rack. E = 72 → tiers [3, 2]: 2 switches, within
    spine1's 16."""
    a = supported_items()
    b = _in_hall(supported_items(with_spine=b_has_spine), "B", "b-")
    ha, hb = hall("A"), hall("B")
    hb = replace(hb, origin=tuple(origin_b))
    return make_design(a + b, [ha, hb])


def test_inter_hall_links_are_the_other_halls_uplinks():
    d = two_halls((500.0, 300.0))
    ev = evaluate(d)
    cat = effective_catalog(d)
    net_ = ev.report()["network"]
    assert net_["switches_by_tier"] == [3, 2]
    # b-net1 serves its UltraServer's 36 links → 36 uplinks, all to spine1 in hall A
    assert net_["inter_hall_links"] == 36
    assert net_["fabric_links"] == 36 + 36
    # routed in site coordinates: b-net1 at (500 + 6.1, 300 + 6), spine1 at (6.7, 6):
    # Manhattan 499.4 + 300 = 799.4 m; (799.4 + 2 × 1.5) × 1.1 = 882.64 m: only FR (2 km) reaches
    length = routed_m(799.4, cat.value("cable.tray_drop_m"), cat.value("cable.slack_factor"))
    assert length == pytest.approx(882.64)
    assert net_["longest_fabric_link_m"] == pytest.approx(length)
    assert ev.report()["cables"]["by_medium"]["fr"]["count"] == 36
    assert ev.violations == [], describe(ev)


def test_a_spine_room_in_each_hall_keeps_the_uplinks_at_home():
    ev = evaluate(two_halls((500.0, 300.0), b_has_spine=True))
    assert ev.report()["network"]["inter_hall_links"] == 0
    assert ev.report()["network"]["fabric_links"] == 72


def test_a_failed_spine_rack_re_homes_its_uplinks_to_the_other_hall():
    # hall B's spine rack lost: its leaf's 36 uplinks go to spine1 in hall A (16 switches,
    # 1,024 down ports in a 2-tier fabric, 36 + 36 used; 2 switches needed of 16)
    ev = evaluate(two_halls((500.0, 300.0), b_has_spine=True), failed=["b-spine1"])
    assert ev.report()["network"]["inter_hall_links"] == 36
    assert ev.report()["network"]["fabric_links"] == 72
    assert not ev.violations_of("fabric-capacity")


def test_an_inter_hall_link_beyond_every_medium_is_a_cable_reach_error():
    # origin 2,000 m east: Manhattan 2,000 + 6.1 − 6.7 = 1,999.4 m; (1,999.4 + 3) × 1.1 =
    # 2,202.64 m > FR's 2,000 m
    d = two_halls((2000.0, 0.0))
    ev = evaluate(d)
    v = only(ev, "cable-reach")
    assert v.severity == "error"
    assert set(v.ids) == {"b-net1", "spine1"}
    assert "36 fabric link(s)" in v.message and "2,203 m" in v.message and "(2,000 m)" in v.message
    # no medium: not counted as cables
    assert ev.report()["cables"]["by_medium"]["fr"]["count"] == 0


# ------------------------------------------------------------------ passive DAC, port to port
def _rack_and_leaf(dx: float, dy: float = 0.0):
    """A single-rack UltraServer and a network rack ``dx`` east (and ``dy`` north) of it."""
    items = [rack("us1-r1", 2.0, system="us1"), net("net1", 2.0 + dx, 6.0 + dy)]
    return make_design(items, [hall(w=20)], assumptions={"trn3-gen2-rack.racks_per_system": 1})


def test_racks_side_by_side_are_cabled_port_to_port_on_passive_dac():
    ev = evaluate(_rack_and_leaf(0.6))
    c = ev.report()["cables"]
    # (0.6 + 2 × 0.25) × 1.1 = 1.21 m ≤ 2 m DAC reach; via the tray it would be
    # (0.6 + 2 × 1.5) × 1.1 = 3.96 m, too long for DAC
    assert c["longest_m"] == pytest.approx(1.21)
    assert c["by_medium"]["passive-dac"] == {"count": 36, "metres": pytest.approx(36 * 1.21)}


def test_racks_further_apart_or_in_another_row_go_via_the_tray():
    # 1.3 m apart (beyond cable.direct_max_m = 1.2): (1.3 + 3) × 1.1 = 4.73 m → AEC (7 m)
    c = evaluate(_rack_and_leaf(1.3)).report()["cables"]
    assert c["longest_m"] == pytest.approx(4.73)
    assert c["by_medium"]["aec"]["count"] == 36 and c["by_medium"]["passive-dac"]["count"] == 0
    # 0.6 m apart but in the next row (2.4 m north): (3.0 + 3) × 1.1 = 6.6 m → AEC
    c = evaluate(_rack_and_leaf(0.6, 2.4)).report()["cables"]
    assert c["longest_m"] == pytest.approx(6.6)
    assert c["by_medium"]["aec"]["count"] == 36


# ------------------------------------------------------------------ transceivers and optics
def test_transceivers_and_optics_power_by_medium():
    """The two halls: 72 server links on DAC (side by side, 1.87 and 1.21 m), hall A's 36
    uplinks on DAC too (net1 → spine1 side by side 0.6 m apart, port to port (0.6 + 2 ×
    0.25) × 1.1 = 1.21 m), hall B's 36 on FR."""
    d = two_halls((500.0, 300.0))
    cat = effective_catalog(d)
    ev = evaluate(d)
    by = ev.report()["cables"]["by_medium"]
    assert {m: v["count"] for m, v in by.items() if v["count"]} == {"passive-dac": 72 + 36, "fr": 36}
    per = {m: (cat.media[m].get("transceivers_per_link"), cat.media[m].get("optics_w_per_link")) for m in by}
    # cables.toml: DAC 0 transceivers / 0 W; AEC 0 / 36 W (retimers); FR 2 / 36 W
    assert per["passive-dac"] == (0, 0) and per["aec"] == (0, 36) and per["fr"] == (2, 36)
    net_ = ev.report()["network"]
    assert net_["transceivers"] == 36 * 2 == 72
    assert net_["optics_kw"] == pytest.approx(36 * 36 / 1000)      # 1.296 kW: FR's 36 links at 36 W


# ------------------------------------------------------------------ report --json
NETWORK_KEYS = {"endpoints", "oversubscription", "leaf_racks", "tiers", "switches_by_tier", "switches",
                "fabric_links", "inter_hall_links", "transceivers", "optics_kw", "bisection_tbps",
                "longest_fabric_link_m"}


def test_report_json_has_the_network_section(tmp_path):
    path = tmp_path / "two-halls.dcplan"
    write_design(two_halls((500.0, 300.0)), path)
    proc = subprocess.run([sys.executable, "-m", "designer", "report", "--json", str(path)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    net_ = doc["network"]
    # the fixed interface of issue 14, and the spine racks and their switches the Metrics dock shows
    assert set(net_) == NETWORK_KEYS | {"spine_racks", "spine_switches"}
    assert net_ == {
        "endpoints": 72, "oversubscription": 1.0, "leaf_racks": 2, "tiers": 2, "switches_by_tier": [3, 2],
        "switches": 5, "fabric_links": 72, "inter_hall_links": 36, "transceivers": 72,
        "optics_kw": pytest.approx(1.296), "bisection_tbps": pytest.approx(72 * 800 / 2 / 1000),
        "longest_fabric_link_m": pytest.approx(882.64), "spine_racks": 1, "spine_switches": 16}
    # cables.by_medium counts the fabric's links too: 72 server + 72 fabric
    assert sum(m["count"] for m in doc["cables"]["by_medium"].values()) == 144


def test_losing_the_last_working_spine_rack_strands_every_ultraserver():
    """The pilot hall: 8 UltraServers, 288 links → 9 leaf switches and 5 above them, all in
    its one spine rack. Losing that rack cuts every leaf off the others: the resilience
    check counts all 8 UltraServers (8 × 362.448 = 2,899.584 PFLOPS MXFP8) as stranded, and
    the what-if says why."""
    from designer.io import read_design
    from designer.paths import examples_dir

    d = read_design(examples_dir() / "pilot-hall.dcplan")
    ev = Evaluator(d, resilience=True).evaluation
    spine = next(f for f in ev.resilience.single_failures if f.type == "spine-rack")
    assert (spine.stranded_ultraservers, spine.system) == (8, "network")
    assert spine.stranded_mxfp8_pflops == pytest.approx(8 * 362.448)
    # so do the busways that power it (the worst failures, first by id, include it)
    assert ev.resilience.worst.stranded_ultraservers == 8
    assert {f.id for f in ev.resilience.single_failures if f.stranded_ultraservers == 8} >= {spine.id}
    what_if = Evaluator(d, failed=[spine.id]).evaluation
    (v,) = what_if.violations_of("fabric-capacity")
    assert "no spine switch works" in v.message


def test_switches_that_cannot_form_a_fabric_are_one_clear_error_not_a_crash():
    """8-port leaf switches at oversubscription 0.1 give floor(8 · 0.1 / 1.1) = 0 ports to
    servers: no fabric can be built, and the report says so instead of failing."""
    from designer.catalog import CatalogError

    d = supported_design(assumptions={"network-rack.switch_radix": 8})
    d.extra["fabric"] = {"oversubscription": 0.1}
    ev = evaluate(d)
    (v,) = [v for v in ev.violations_of("fabric-capacity") if "no fabric can be built" in v.message]
    assert "8 ports" in v.message and "oversubscription 0.1" in v.message
    # a switch of 2 or 3 ports builds no tree (k/2 up, k/2 down): refused as a figure
    with pytest.raises(CatalogError, match="switch_radix"):
        load_catalog().with_overrides({"network-rack.switch_radix": 3})


def test_a_spine_rack_offers_the_down_ports_of_its_own_switches():
    """The supported row: one UltraServer's 36 links on one leaf rack (switches of 32
    server ports) → tiers [2, 1] and, at o = 1, 36 uplinks. In a 2-tier fabric a tier-2
    switch gives all its ports to the leaves: one 64-port spine switch takes all 36; one of
    16 ports (the spine rack overridden to 1 switch of 16 ports) takes 16, and
    `fabric-capacity` says the other 20 are short."""
    ok = evaluate(supported_design(assumptions={"spine-rack.switches": 1}))
    assert not ok.violations_of("fabric-capacity")
    small = evaluate(supported_design(assumptions={"spine-rack.switches": 1, "spine-rack.switch_radix": 16}))
    (v,) = small.violations_of("fabric-capacity")
    assert "20 leaf uplink(s) find no spine port" in v.message


def test_a_drag_keeps_the_fabric_report_and_an_edit_of_ids_writes_it_again():
    """While a drag leaves the fabric as it was, its report (the network section, the
    fabric-capacity error) is kept, the same as a fresh evaluation's; an edit that may
    change ids (a spine rack renamed) writes it again with the new id."""
    from designer.model import Change

    d = four_ultraservers(1)
    ev = Evaluator(d)
    (before,) = ev.evaluation.violations_of("fabric-capacity")
    t = d.equipment
    t.x[t.index["us1-r1"]] += 0.3
    after = ev.apply(Change("moved", ("us1-r1",), ("A",)))
    (kept,) = after.violations_of("fabric-capacity")
    assert kept is before   # (not written again)
    assert after.report()["network"] == evaluate(d).report()["network"]
    assert [v.message for v in after.violations] == [v.message for v in evaluate(d).violations]
    r = t.index.pop("spine1")   # renamed in place: the same rows, the same fabric
    t.ids[r] = "spine-east"
    t.index["spine-east"] = r
    renamed = ev.apply(Change("updated", ("spine-east",), ("A",)))
    (v,) = renamed.violations_of("fabric-capacity")
    assert v.ids == ("spine-east",) and v.ids == only(evaluate(d), "fabric-capacity").ids
