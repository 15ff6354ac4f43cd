"""``designer.model.layouts``: UltraServer racks and rows, checked against figures worked
out by hand from the bundled catalog.

Catalog figures used: Trn3 Gen2 rack 0.6 m wide, 2 racks per UltraServer, 85 kW, 85 %
liquid, 28,800 Gbps EFA in 800G links (36 links per UltraServer); network rack 128
ports, 12 kW; in-row CDU 1,000 kW; busway 1200 A: √3 · 415 V · 1200 A · 0.95 = 819.4 kW,
× 0.8 continuous = 655.5 kW per busway. Trn2 rack: 24 kW, air cooled, 16 links.
"""

from __future__ import annotations

import pytest

from designer.io import read_design
from designer.model.layouts import TILE_M, IdCounter, row_items, row_length_m, ultraserver_racks

from .support import BUSWAY, CDU, NET, RACK


def floor(items):
    return [e for e in items if e.end is None]


def busways(items):
    return [e for e in items if e.end is not None]


def test_catalog_figures_the_hand_calculations_rely_on(catalog):
    rack, net, cdu, bw = (catalog.types[t] for t in (RACK, NET, CDU, BUSWAY))
    assert (rack.width_m, rack.racks_per_system, rack.it_power_kw, rack.liquid_fraction) == (0.6, 2, 85.0, 0.85)
    assert rack.get("efa_gbps") / rack.get("efa_link_gbps") == 36
    assert (net.get("ports"), net.it_power_kw, cdu.get("capacity_kw")) == (128, 12.0, 1000.0)
    assert bw.busway_rating_kw * catalog.value("power.continuous_load_factor") == pytest.approx(655.547, abs=1e-3)
    assert TILE_M == 0.6


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
    """4 UltraServers: 4 × 36 = 144 links → 2 network racks; 4 × 2 × 85 × 0.85 = 578 kW of
    liquid → 1 CDU (at the west end). 11 positions of 0.6 m from x0 = 2.4: centres 2.7 … 8.7.
    Busway load west to east: 0, 85 … 340, 352, 364, 449, 534, 619 kW for the first ten
    positions, +85 = 704 > 655.5 at the eleventh → two busways."""
    items = row_items(catalog, "A", 2.4, 3.3, 180.0, 4, IdCounter())
    got = [(e.id, e.type, e.x, e.y, e.rotation, e.system) for e in floor(items)]
    assert got == [
        ("cdu1", CDU, 2.7, 3.3, 180.0, None),
        ("us1-r1", RACK, 3.3, 3.3, 180.0, "us1"), ("us1-r2", RACK, 3.9, 3.3, 180.0, "us1"),
        ("us2-r1", RACK, 4.5, 3.3, 180.0, "us2"), ("us2-r2", RACK, 5.1, 3.3, 180.0, "us2"),
        ("net1", NET, 5.7, 3.3, 180.0, None), ("net2", NET, 6.3, 3.3, 180.0, None),
        ("us3-r1", RACK, 6.9, 3.3, 180.0, "us3"), ("us3-r2", RACK, 7.5, 3.3, 180.0, "us3"),
        ("us4-r1", RACK, 8.1, 3.3, 180.0, "us4"), ("us4-r2", RACK, 8.7, 3.3, 180.0, "us4"),
    ]
    # busways run 5 cm inside the row's first and last positions
    assert [(b.id, b.x, b.y, b.end, b.rotation) for b in busways(items)] == [
        ("bw1", 2.45, 3.3, (8.35, 3.3), 0.0), ("bw2", 8.45, 3.3, (8.95, 3.3), 0.0)]
    # … which is exactly what the bundled pilot hall holds
    pilot = read_design(pilot_path)
    assert [pilot.equipment.get(e.id) for e in items] == items


def test_a_row_of_eight_ultraservers_has_cdus_at_both_ends_and_three_busways(catalog):
    """8 UltraServers: 288 links → 3 network racks; 1,156 kW liquid → 2 CDUs (one per end).
    21 positions = 12.6 m. Loads: CDU + 7 racks = 595 kW, the 8th rack would make 680 →
    break after position 7; then 85 + 36 (nets) + 6 × 85 = 631, the next rack 716 → break
    after position 17; the rest 85 + 85 + 0."""
    items = row_items(catalog, "A", 0.0, 10.0, 0.0, 8, IdCounter())
    fl = floor(items)
    assert len(fl) == 21 and row_length_m(catalog, 8) == pytest.approx(12.6)
    assert [e.type for e in fl] == [CDU] + [RACK] * 8 + [NET] * 3 + [RACK] * 8 + [CDU]
    assert [e.x for e in fl] == [round(0.3 + 0.6 * k, 6) for k in range(21)]
    assert {e.y for e in fl} == {10.0} and {e.rotation for e in fl} == {0.0}
    assert [e.id for e in fl if e.type != RACK] == ["cdu1", "net1", "net2", "net3", "cdu2"]
    systems = [e.system for e in fl if e.type == RACK]
    assert systems == ["us1", "us1", "us2", "us2", "us3", "us3", "us4", "us4",
                       "us5", "us5", "us6", "us6", "us7", "us7", "us8", "us8"]
    assert [(b.id, b.x, b.end) for b in busways(items)] == [
        ("bw1", 0.05, (4.75, 10.0)), ("bw2", 4.85, (10.75, 10.0)), ("bw3", 10.85, (12.55, 10.0))]


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
    """4 Trn2 UltraServers: 4 × 16 = 64 links → 1 network rack; no liquid → no CDU;
    8 racks × 24 + 12 = 204 kW → one busway over 9 positions."""
    items = row_items(catalog, "A", 0.6, 1.0, 0.0, 4, IdCounter(), rack_type="trn2-rack")
    fl = floor(items)
    assert [e.type for e in fl] == ["trn2-rack"] * 4 + [NET] + ["trn2-rack"] * 4
    assert [e.x for e in fl] == [0.9, 1.5, 2.1, 2.7, 3.3, 3.9, 4.5, 5.1, 5.7]
    assert [(b.x, b.end) for b in busways(items)] == [(0.65, (5.95, 1.0))]


def test_ids_keep_counting_across_rows(catalog):
    ids = IdCounter()
    first = row_items(catalog, "A", 0.0, 3.3, 180.0, 2, ids)
    second = row_items(catalog, "A", 0.0, 5.7, 0.0, 2, ids)
    assert [e.id for e in second] == ["cdu2", "us3-r1", "us3-r2", "net2", "us4-r1", "us4-r2", "bw2"]
    assert not {e.id for e in first} & {e.id for e in second}
    assert row_length_m(catalog, 2) == pytest.approx(6 * 0.6)
