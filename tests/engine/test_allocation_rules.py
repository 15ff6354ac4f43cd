"""Rules of how capacity is served, and what strands an UltraServer."""

from __future__ import annotations

import pytest

from designer.engine import evaluate

from .helpers import hall, make_design, only, rack, row, supported_design, supported_items


def test_first_fit_a_small_item_is_powered_after_a_big_one_did_not_fit():
    """Capacity is served in file order, first fit: the network and spine racks, listed
    after a rack that no longer fits on the busway, still get the capacity that is left."""
    from .helpers import effective_catalog

    d = supported_design()
    cat = effective_catalog(d)
    rack_kw = cat.types["trn3-gen2-rack"].it_power_kw
    net_kw = cat.types["network-rack"].it_power_kw
    spine_kw = cat.types["spine-rack"].it_power_kw
    # room for one rack, the network rack and the spine rack (85 + 6 + 48 = 139 kW), not for
    # two racks (170 kW): 1.25 × 85 + 6 + 48 = 160.25 kW
    limit = 1.25 * rack_kw + net_kw + spine_kw
    load_factor = cat.value("power.continuous_load_factor")
    spec = cat.types["busway-1200a"]
    rating_kw = spec.busway_rating_kw
    # shrink the busway's amps so that its 80 % limit is `limit`
    amps = spec.get("amps") * limit / (rating_kw * load_factor)
    d.assumptions["busway-1200a.amps"] = amps
    ev = evaluate(d)
    t = d.equipment
    unpowered = {t.ids[r] for r in range(len(t)) if not ev.items.powered[r]}
    assert unpowered == {"us1-r2"}          # the second rack does not fit …
    assert ev.items.powered[row(d, "net1")]       # … but the network rack after it does
    assert ev.items.powered[row(d, "spine1")]     # … and the spine rack
    v = only(ev, "unpowered")
    assert "us1-r2" in v.ids and "left" in v.message and "kW" in v.message


def test_an_ultraserver_with_too_many_racks_is_flagged_and_not_effective():
    items = supported_items()
    extra = rack("us1-r3", 7.3, system="us1")
    d = make_design(items + [extra])
    ev = evaluate(d)
    v = only(ev, "incomplete-system")
    assert set(v.ids) == {"us1-r1", "us1-r2", "us1-r3"}
    assert "3 racks" in v.message
    assert ev.totals["throughput"]["effective"]["mxfp8_pflops"] == 0.0
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1


def test_a_network_rack_without_cooling_strands_the_ultraservers_cabled_to_it():
    d = supported_design()
    ok = evaluate(d)
    assert ok.totals["throughput"]["stranded_ultraservers"] == 0
    t = d.equipment
    crah_rows = [t.ids[r] for r in range(len(t)) if t.ids[r].startswith("crah")]
    t.delete(crah_rows)          # no air handler: the network rack (air cooled) is uncooled
    ev = evaluate(d)
    assert not ev.items.cooled[row(d, "net1")]
    assert ev.totals["cables"]["links"] == ok.totals["cables"]["links"]   # still cabled …
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1          # … but it cannot run


def test_a_network_rack_beyond_the_utility_feed_strands_the_ultraservers_cabled_to_it():
    """The feed serves items in file order: cdu1, us1-r1, us1-r2, then net1. A feed just
    big enough for the first three leaves the network rack dark, and the UltraServer,
    though powered, has no working scale-out link."""
    d = supported_design()
    ok = evaluate(d)
    assert ok.totals["throughput"]["stranded_ultraservers"] == 0
    first = [row(d, i) for i in ("cdu1", "us1-r1", "us1-r2")]
    d.site.utility_capacity_kw = float(ok.items.it_kw[first].sum()) * float(d.site.pue) + 0.5
    ev = evaluate(d)
    assert ev.items.powered[row(d, "us1-r1")] and ev.items.powered[row(d, "us1-r2")]
    assert not ev.items.powered[row(d, "net1")]
    assert ev.items.link_down[row(d, "us1-r1")] and ev.items.link_down[row(d, "us1-r2")]
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1
    assert ev.totals["throughput"]["effective"]["mxfp8_pflops"] == 0.0
    assert not ev.items.system_effective[d.equipment.systems.codes["us1"]]


def test_moving_items_into_another_hall_keeps_their_layout_and_undoes():
    """move_to_hall: the items change hall, shift by (dx, dy) into its frame (busways
    both ends) and one inverse brings everything back."""
    from designer.model.commands import move_to_hall

    d = make_design(supported_items(), [hall("A"), hall("B")])
    t = d.equipment
    before = {i: t.get(i) for i in t.ids}
    ids = ["us1-r1", "us1-r2", "bw1"]
    inverse = move_to_hall(d, ids, "B", 1.0, -2.0).apply(d)
    for i in ids:
        e, b = t.get(i), before[i]
        assert e.hall == "B" and (e.x, e.y) == pytest.approx((b.x + 1.0, b.y - 2.0))
    assert t.get("bw1").end == pytest.approx((before["bw1"].end[0] + 1.0, before["bw1"].end[1] - 2.0))
    ev = evaluate(d)
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1  # hall B has no CDU or network rack
    inverse.apply(d)
    assert {i: t.get(i) for i in t.ids} == before
