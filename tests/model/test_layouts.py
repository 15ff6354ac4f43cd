"""``designer.model.layouts``: UltraServer racks and rows, checked against figures worked
out by hand from the bundled catalog.

Catalog figures used: Trn3 Gen2 rack 0.6 m wide, 2 racks per UltraServer, 85 kW, 85 %
liquid, 28,800 Gbps EFA in 800G links (36 links per UltraServer); network rack 128
ports, 12 kW; in-row CDU 1,000 kW; busway 1200 A: √3 · 415 V · 1200 A · 0.95 = 819.4 kW,
× 0.8 continuous = 655.5 kW per busway. Trn2 rack: 24 kW, air cooled, 16 links.
Power chain: UPS 1,250 kW at 96.5 %, switchboard 2,185 kW at 99.8 %, transformer 2,375 kW.

Busway runs are balanced: ceil(row load ÷ 655.5 kW) runs, split where the run loads are
most even (least sum of squares; on a tie the earlier boundaries).
"""

from __future__ import annotations

import pytest

from designer.io import read_design
from designer.model.clos import server_ports
from designer.model.layouts import (TILE_M, IdCounter, RowRedundancy, balanced_runs, power_chain_nodes, row_items,
                                    row_length_m, ultraserver_racks)

from .support import BUSWAY, CDU, NET, RACK


def floor(items):
    return [e for e in items if e.end is None]


def busways(items):
    return [e for e in items if e.end is not None]


def test_catalog_figures_the_hand_calculations_rely_on(catalog):
    rack, net, cdu, bw = (catalog.types[t] for t in (RACK, NET, CDU, BUSWAY))
    assert (rack.width_m, rack.racks_per_system, rack.it_power_kw, rack.liquid_fraction) == (0.6, 2, 85.0, 0.85)
    assert rack.get("efa_gbps") / rack.get("efa_link_gbps") == 36
    # a leaf rack: 128 ports, half facing servers at oversubscription 1 (64); its power from its
    # switches: ceil(128 / 64-port radix) = 2 switches × 3.0 kW = 6.0 kW
    assert (net.get("ports"), net.it_power_kw, cdu.get("capacity_kw")) == (128, 6.0, 1000.0)
    assert server_ports(net.get("ports"), 1.0) == 64
    assert bw.busway_rating_kw * catalog.value("power.continuous_load_factor") == pytest.approx(655.547, abs=1e-3)
    assert TILE_M == 0.6
    ups, swb, tx = (catalog.types[t] for t in ("ups-1250kw", "switchboard-4000a", "transformer-2500kva"))
    assert (ups.get("capacity_kw"), ups.get("efficiency")) == (1250, 0.965)
    assert (swb.get("capacity_kw"), swb.get("efficiency"), tx.get("capacity_kw")) == (2185, 0.998, 2375)


# ====================================================================== ultraserver_racks
def test_ultraserver_racks_side_by_side_along_the_row(catalog):
    racks = ultraserver_racks(catalog, RACK, "us7", "A", 1.0, 2.0)
    assert [(r.id, r.x, r.y, r.rotation, r.system, r.hall, r.type) for r in racks] == [
        ("us7-r1", 1.0, 2.0, 0.0, "us7", "A", RACK),
        ("us7-r2", 1.6, 2.0, 0.0, "us7", "A", RACK),
    ]


@pytest.mark.parametrize("rotation, second", [(90.0, (1.0, 2.6)), (180.0, (0.4, 2.0)), (270.0, (1.0, 1.4))])
def test_ultraserver_racks_follow_the_rack_width_axis_when_turned(catalog, rotation, second):
    racks = ultraserver_racks(catalog, RACK, "us1", "B", 1.0, 2.0, rotation=rotation, id_prefix="B-us1")
    assert [r.id for r in racks] == ["B-us1-r1", "B-us1-r2"]
    assert [(r.x, r.y) for r in racks] == [(1.0, 2.0), second]  # exactly, no float noise
    assert all(r.rotation == rotation and r.system == "us1" for r in racks)


def test_ultraserver_racks_per_system_follows_an_assumption_override(catalog):
    four = catalog.with_overrides({f"{RACK}.racks_per_system": 4})
    racks = ultraserver_racks(four, RACK, "us1", "A", 0.3, 5.0)
    assert [(r.id, r.x) for r in racks] == [("us1-r1", 0.3), ("us1-r2", 0.9), ("us1-r3", 1.5), ("us1-r4", 2.1)]


# ====================================================================== row_items
def test_a_row_of_four_ultraservers_is_the_pilot_hall_south_row(catalog, pilot_path):
    """4 UltraServers: 4 × 36 = 144 links over 64 server ports per leaf rack → 3 network
    racks; 4 × 2 × 85 × 0.85 = 578 kW of liquid → 1 CDU (at the west end). 12 positions of
    0.6 m from x0 = 2.4: centres 2.7 … 9.3. Row load 8 × 85 + 3 × 6 = 698 kW > 655.5 →
    ceil(698 / 655.5) = 2 runs; cumulative load west to east 0, 85 … 340, 346 (net1), 352,
    358, …: after net1 346 | 352 and after net2 352 | 346 tie, the earlier boundary wins
    (position 6): no stub over the last rack."""
    items = row_items(catalog, "A", 2.4, 3.3, 180.0, 4, IdCounter())
    got = [(e.id, e.type, e.x, e.y, e.rotation, e.system) for e in floor(items)]
    assert got == [
        ("cdu1", CDU, 2.7, 3.3, 180.0, None),
        ("us1-r1", RACK, 3.3, 3.3, 180.0, "us1"), ("us1-r2", RACK, 3.9, 3.3, 180.0, "us1"),
        ("us2-r1", RACK, 4.5, 3.3, 180.0, "us2"), ("us2-r2", RACK, 5.1, 3.3, 180.0, "us2"),
        ("net1", NET, 5.7, 3.3, 180.0, None), ("net2", NET, 6.3, 3.3, 180.0, None),
        ("net3", NET, 6.9, 3.3, 180.0, None),
        ("us3-r1", RACK, 7.5, 3.3, 180.0, "us3"), ("us3-r2", RACK, 8.1, 3.3, 180.0, "us3"),
        ("us4-r1", RACK, 8.7, 3.3, 180.0, "us4"), ("us4-r2", RACK, 9.3, 3.3, 180.0, "us4"),
    ]
    # busways run 5 cm inside the row's first and last positions
    assert [(b.id, b.x, b.y, b.end, b.rotation) for b in busways(items)] == [
        ("bw1", 2.45, 3.3, (5.95, 3.3), 0.0), ("bw2", 6.05, 3.3, (9.55, 3.3), 0.0)]
    # … which is exactly what the bundled pilot hall holds
    pilot = read_design(pilot_path)
    assert [pilot.equipment.get(e.id) for e in items] == items


def test_a_row_of_eight_ultraservers_has_cdus_at_both_ends_and_three_busways(catalog):
    """8 UltraServers: 288 links / 64 server ports → 5 network racks; 1,156 kW liquid → 2
    CDUs (one per end). 23 positions = 13.8 m. Row load 16 × 85 + 5 × 6 = 1,390 kW →
    ceil(1,390 / 655.5) = 3 runs (even: 463.3 kW each). Most even split: CDU + 5 racks = 425 |
    3 racks + 5 nets + 2 racks = 455 | 6 racks + CDU = 510 kW (sum of squares 647,750; its
    mirror 510 | 455 | 425 ties, the earlier boundaries win; the next best, 425 | 540 | 425,
    is 652,850)."""
    items = row_items(catalog, "A", 0.0, 10.0, 0.0, 8, IdCounter())
    fl = floor(items)
    assert len(fl) == 23 and row_length_m(catalog, 8) == pytest.approx(13.8)
    assert [e.type for e in fl] == [CDU] + [RACK] * 8 + [NET] * 5 + [RACK] * 8 + [CDU]
    assert [e.x for e in fl] == [round(0.3 + 0.6 * k, 6) for k in range(23)]
    assert {e.y for e in fl} == {10.0} and {e.rotation for e in fl} == {0.0}
    assert [e.id for e in fl if e.type != RACK] == ["cdu1", "net1", "net2", "net3", "net4", "net5", "cdu2"]
    systems = [e.system for e in fl if e.type == RACK]
    assert systems == ["us1", "us1", "us2", "us2", "us3", "us3", "us4", "us4",
                       "us5", "us5", "us6", "us6", "us7", "us7", "us8", "us8"]
    assert [(b.id, b.x, b.end) for b in busways(items)] == [
        ("bw1", 0.05, (3.55, 10.0)), ("bw2", 3.65, (9.55, 10.0)), ("bw3", 9.65, (13.75, 10.0))]


def test_every_rack_of_a_row_is_under_a_busway_and_no_busway_is_overloaded(catalog):
    for n in (1, 2, 3, 5, 8, 12):
        items = row_items(catalog, "A", 1.2, 4.0, 0.0, n, IdCounter())
        fl, bws = floor(items), busways(items)
        for e in fl:
            covering = [b for b in bws if b.x < e.x < b.end[0]]
            assert len(covering) == 1, (n, e.id)
        for b in bws:
            load = sum(catalog.types[e.type].it_power_kw for e in fl if b.x < e.x < b.end[0])
            assert load <= 655.55, (n, b.id, load)


def test_a_row_of_one_ultraserver(catalog):
    """1 UltraServer: 36 links → 1 network rack; 144.5 kW liquid → 1 CDU; half = 0, so the
    network rack comes before the UltraServer. One busway over 4 positions: 0.05 → 2.35."""
    items = row_items(catalog, "H", 0.0, 2.0, 180.0, 1, IdCounter("H1-"))
    assert [(e.id, e.x) for e in floor(items)] == [("H1-cdu1", 0.3), ("H1-net1", 0.9),
                                                   ("H1-us1-r1", 1.5), ("H1-us1-r2", 2.1)]
    assert [(b.id, b.x, b.end) for b in busways(items)] == [("H1-bw1", 0.05, (2.35, 2.0))]
    assert {e.hall for e in items} == {"H"}


def test_air_cooled_trn2_row_has_no_cdu(catalog):
    """4 Trn2 UltraServers: 4 × 16 = 64 links → 1 network rack (64 server ports); no liquid
    → no CDU; 8 racks × 24 + 6 = 198 kW → one busway over 9 positions."""
    items = row_items(catalog, "A", 0.6, 1.0, 0.0, 4, IdCounter(), rack_type="trn2-rack")
    fl = floor(items)
    assert [e.type for e in fl] == ["trn2-rack"] * 4 + [NET] + ["trn2-rack"] * 4
    assert [e.x for e in fl] == [0.9, 1.5, 2.1, 2.7, 3.3, 3.9, 4.5, 5.1, 5.7]
    assert [(b.x, b.end) for b in busways(items)] == [(0.65, (5.95, 1.0))]


def test_ids_keep_counting_across_rows(catalog):
    ids = IdCounter()
    first = row_items(catalog, "A", 0.0, 3.3, 180.0, 2, ids)
    second = row_items(catalog, "A", 0.0, 5.7, 0.0, 2, ids)
    # 2 UltraServers: 72 links / 64 server ports → 2 network racks per row
    assert [e.id for e in second] == ["cdu2", "us3-r1", "us3-r2", "net3", "net4", "us4-r1", "us4-r2", "bw2"]
    assert not {e.id for e in first} & {e.id for e in second}
    assert row_length_m(catalog, 2) == pytest.approx(7 * 0.6)


# ====================================================================== redundancy
N2 = RowRedundancy(power="2N", cooling="N+1", network="N+1", loops=True)


def test_a_2n_row_of_four_ultraservers_with_spares_and_its_own_loop(catalog):
    """4 UltraServers, N+1 network: 144 links / 64 server ports → 3 network racks + 1 spare
    = 4; N+1 cooling: 578 kW liquid → 1 CDU + 1 spare = 2 (one per end); 14 positions from
    x0 = 2.4. Row load 8 × 85 + 4 × 6 = 704 kW → 2 runs per feed; after net2 the split is
    even, 352 | 352: positions 1–7 and 8–14, each under 655.5 kW, so one feed carries its
    racks alone. A runs 0.2 m south of the centre line (y 3.1), B north (3.5)."""
    items = row_items(catalog, "A", 2.4, 3.3, 180.0, 4, IdCounter(), redundancy=N2)
    fl = floor(items)
    assert [e.type for e in fl] == [CDU] + [RACK] * 4 + [NET] * 4 + [RACK] * 4 + [CDU]
    assert [e.x for e in fl] == [round(2.7 + 0.6 * k, 6) for k in range(14)]
    assert row_length_m(catalog, 4, redundancy=N2) == pytest.approx(14 * 0.6)
    # the row's CDUs and racks on the row's own loop; network racks (air cooled) on none
    assert {e.id: e.extra.get("loop") for e in fl if e.type != RACK} == {
        "cdu1": "loop1", "net1": None, "net2": None, "net3": None, "net4": None, "cdu2": "loop1"}
    assert {e.extra["loop"] for e in fl if e.type == RACK} == {"loop1"}
    assert [(b.id, b.x, b.y, b.end, b.extra) for b in busways(items)] == [
        ("bw1A", 2.45, 3.1, (6.55, 3.1), {"feed": "A"}), ("bw1B", 2.45, 3.5, (6.55, 3.5), {"feed": "B"}),
        ("bw2A", 6.65, 3.1, (10.75, 3.1), {"feed": "A"}), ("bw2B", 6.65, 3.5, (10.75, 3.5), {"feed": "B"})]


def test_in_a_2n_row_every_rack_is_under_one_a_and_one_b_run_each_able_to_carry_it_alone(catalog):
    for n in (1, 2, 3, 5, 8, 12):
        items = row_items(catalog, "A", 1.2, 4.0, 0.0, n, IdCounter(), redundancy=N2)
        fl, bws = floor(items), busways(items)
        depth = catalog.types[RACK].depth_m
        for e in fl:
            over = [b for b in bws if b.x < e.x < b.end[0] and abs(b.y - e.y) < depth / 2]
            assert sorted(b.extra["feed"] for b in over) == ["A", "B"], (n, e.id)
        for b in bws:
            whole = sum(catalog.types[e.type].it_power_kw for e in fl if b.x < e.x < b.end[0])
            assert whole <= 655.55, (n, b.id, whole)   # the failover load: the whole racks
            assert b.end[0] - b.x >= 1.2 - 1e-9, (n, b.id)  # no stub


def test_defaults_keep_a_row_n(catalog):
    plain = row_items(catalog, "A", 0.0, 3.3, 0.0, 4, IdCounter())
    assert plain == row_items(catalog, "A", 0.0, 3.3, 0.0, 4, IdCounter(), redundancy=RowRedundancy())
    assert all(not e.extra for e in plain)
    with pytest.raises(ValueError):
        RowRedundancy(power="N+1")


# ====================================================================== balanced_runs
def test_balanced_runs(catalog):
    assert balanced_runs((0, 85, 85, 85, 85, 12, 12, 85, 85, 85, 85), 655.5) == [(0, 5), (6, 10)]
    assert balanced_runs((85, 85, 12), 655.5) == [(0, 2)]             # within the limit: one run
    assert balanced_runs((0, 0, 400, 400, 0), 500.0) == [(0, 2), (3, 4)]  # zero loads join a neighbour
    assert balanced_runs((700, 10), 500.0) == [(0, 0), (1, 1)]        # an item over the limit alone
    assert balanced_runs((), 500.0) == []


# ====================================================================== power chain
def test_power_chain_per_feed_carries_its_side_alone_in_balanced_groups(catalog):
    """Four 2N rows' worth of busways: per feed runs of 352, 364, 352, 364, … kW (whole
    loads, 8 runs, 2,864 kW). A switchboard group may carry 2,185 × 0.965 = 2,108.5 kW of
    busway load (its UPS inputs within the switchboard) → ceil(2,864 / 2,108.5) = 2 groups,
    split evenly after the 4th run: 1,432 + 1,432 kW. Each group over 1,250 kW → 2 UPS of
    352 + 364 = 716 kW. Per feed: 2 transformers, 2 switchboards, 4 UPS."""
    runs = [(f"bw{k + 1}{feed}", feed, (352.0, 364.0)[k % 2]) for k in range(8) for feed in "AB"]
    nodes, sources = power_chain_nodes(catalog, runs, "H-")
    by_feed = {feed: [n for n in nodes if f"-{feed}" in n["id"]] for feed in "AB"}
    assert [(n["id"], n["type"], n["parent"]) for n in by_feed["A"]] == [
        ("H-tx-A1", "transformer-2500kva", None), ("H-swb-A1", "switchboard-4000a", "H-tx-A1"),
        ("H-ups-A1", "ups-1250kw", "H-swb-A1"), ("H-ups-A2", "ups-1250kw", "H-swb-A1"),
        ("H-tx-A2", "transformer-2500kva", None), ("H-swb-A2", "switchboard-4000a", "H-tx-A2"),
        ("H-ups-A3", "ups-1250kw", "H-swb-A2"), ("H-ups-A4", "ups-1250kw", "H-swb-A2")]
    assert len(by_feed["B"]) == 8 and len(nodes) == 16
    assert sources == {f"bw{k + 1}{feed}": f"H-ups-{feed}{k // 2 + 1}" for k in range(8) for feed in "AB"}
