"""A and B feeds: a rack under busways of both feeds draws half its load from each; if one
side fails the other carries all of it (its failover load). Hand-computed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from designer.engine import evaluate

from .helpers import ROW_Y, busway, busway_limit_kw, catalog, make_design, net, rack, row


def fed(item, feed: str):
    """A busway record on feed ``feed``."""
    return replace(item, extra={"feed": feed})


def dual_fed_row(n_racks: int, type_id: str = "busway-1200a", rack_kw: float | None = None):
    """``n_racks`` single-rack UltraServers with a busway of feed A 0.2 m south of the row's
    centre line and one of feed B 0.2 m north, both through every footprint."""
    racks = [rack(f"us{k + 1}-r1", 1.5 + 0.6 * k, system=f"us{k + 1}") for k in range(n_racks)]
    x0, x1 = 1.2, 1.2 + 0.6 * n_racks
    items = racks + [busway("bwA", (x0, ROW_Y - 0.2), (x1, ROW_Y - 0.2), type_id),
                     fed(busway("bwB", (x0, ROW_Y + 0.2), (x1, ROW_Y + 0.2), type_id), "B")]
    assumptions = {"trn3-gen2-rack.racks_per_system": 1}
    if rack_kw is not None:
        assumptions["trn3-gen2-rack.it_power_kw"] = rack_kw
    return make_design(items, assumptions=assumptions)


def test_a_rack_under_both_feeds_draws_half_from_each_and_all_from_one_on_failover():
    d = dual_fed_row(4, rack_kw=100.0)
    ev = evaluate(d)
    assert ev.items.load_kw[row(d, "bwA")] == pytest.approx(200.0)       # 4 × 100 kW ÷ 2
    assert ev.items.load_kw[row(d, "bwB")] == pytest.approx(200.0)
    assert ev.items.failover_kw[row(d, "bwA")] == pytest.approx(400.0)   # B lost: all of it on A
    assert ev.items.failover_kw[row(d, "bwB")] == pytest.approx(400.0)
    r = row(d, "us1-r1")
    assert ev.items.served_by_busway[r] == row(d, "bwA") and ev.items.served_by_busway_b[r] == row(d, "bwB")
    assert ev.items.powered[r] and not ev.violations_of("power-capacity")


def test_the_continuous_limit_applies_to_the_normal_load_not_the_failover_load():
    # 8 × 85 kW = 680 kW over two 1200 A busways: 340 kW each, under the 655.5 kW limit;
    # on failover one would carry 680 kW (over the limit: the redundancy check's concern)
    limit = busway_limit_kw(catalog(), "busway-1200a")
    d = dual_fed_row(8, rack_kw=85.0)
    ev = evaluate(d)
    assert ev.items.load_kw[row(d, "bwA")] == pytest.approx(340.0)
    assert ev.items.failover_kw[row(d, "bwA")] == pytest.approx(680.0) and 680.0 > limit
    assert not ev.violations_of("power-capacity") and not ev.violations_of("unpowered")


def test_a_rack_under_feed_b_alone_draws_all_of_its_load_from_it():
    items = [rack("us1-r1", 1.5, system="us1"), net("net1", 2.1),
             fed(busway("bwB", (1.2, ROW_Y), (2.4, ROW_Y)), "B")]
    d = make_design(items, assumptions={"trn3-gen2-rack.racks_per_system": 1})
    ev = evaluate(d)
    kw = catalog().types["trn3-gen2-rack"].it_power_kw + catalog().types["network-rack"].it_power_kw
    assert ev.items.load_kw[row(d, "bwB")] == pytest.approx(kw)
    assert ev.items.failover_kw[row(d, "bwB")] == pytest.approx(kw)   # nothing moves onto it
    assert ev.items.powered[row(d, "us1-r1")] and ev.items.served_by_busway_b[row(d, "us1-r1")] == -1


def test_a_2n_rack_needs_both_halves_an_overloaded_side_leaves_it_unpowered():
    # feed A is an 800 A busway that takes 2 of the 4 halves (limit ≈ 437 kW, halves 150 kW):
    # the third rack's A half does not fit, so that rack is unpowered though B has room
    items = [rack(f"us{k + 1}-r1", 1.5 + 0.6 * k, system=f"us{k + 1}") for k in range(4)]
    items += [busway("bwA", (1.2, ROW_Y - 0.2), (3.6, ROW_Y - 0.2), "busway-800a"),
              fed(busway("bwB", (1.2, ROW_Y + 0.2), (3.6, ROW_Y + 0.2), "busway-1200a"), "B")]
    d = make_design(items, assumptions={"trn3-gen2-rack.racks_per_system": 1, "trn3-gen2-rack.it_power_kw": 300.0})
    limit_a = busway_limit_kw(catalog(), "busway-800a")
    assert 2 * 150.0 <= limit_a < 3 * 150.0
    ev = evaluate(d)
    assert [bool(ev.items.powered[row(d, f"us{k}-r1")]) for k in (1, 2, 3, 4)] == [True, True, False, False]
    assert ev.items.load_kw[row(d, "bwA")] == pytest.approx(600.0)   # what the four racks ask of feed A
    assert {v.ids for v in ev.violations_of("unpowered")} == {("us3-r1",), ("us4-r1",)}
