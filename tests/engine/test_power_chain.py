"""The power chain above the busways: load roll-up, losses, capacity, generators and node
failures, computed by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from designer.engine import evaluate

from .helpers import catalog, supported_design


def chained(ups_kw: float | None = None, **site_extra):
    """The supported UltraServer, its busway fed from ups1, fed from tx1 (utility)."""
    d = supported_design()
    d.extra["power_chain"] = [{"id": "tx1", "type": "transformer-2500kva", "parent": None},
                              {"id": "ups1", "type": "ups-1250kw", "parent": "tx1"}]
    t = d.equipment
    t.extra["bw1"] = {"source": "ups1"}
    if ups_kw is not None:
        d.assumptions["ups-1250kw.capacity_kw"] = ups_kw
    d.site.extra.update(site_extra)
    return d


def busway_load_kw() -> float:
    c = catalog()
    # 2 × 85 + 6 (network rack: 2 switches × 3 kW) + 48 (spine rack: 16 switches × 3 kW) = 224 kW
    return (2 * c.types["trn3-gen2-rack"].it_power_kw + c.types["network-rack"].it_power_kw
            + c.types["spine-rack"].it_power_kw)


def test_load_rolls_up_with_each_node_drawing_its_load_over_its_efficiency():
    ev = evaluate(chained())
    nodes = {n["id"]: n for n in ev.report()["power"]["chain"]}
    load = busway_load_kw()
    ups_in = load / 0.965
    assert nodes["ups1"]["load_kw"] == pytest.approx(load)
    assert nodes["ups1"]["input_kw"] == pytest.approx(ups_in)
    assert nodes["ups1"]["loss_kw"] == pytest.approx(ups_in - load)
    assert nodes["tx1"]["load_kw"] == pytest.approx(ups_in)
    assert nodes["tx1"]["input_kw"] == pytest.approx(ups_in / 0.99)
    assert nodes["tx1"]["capacity_kw"] == 2375
    assert not ev.violations


def test_a_node_over_its_capacity_is_a_power_capacity_error():
    ev = evaluate(chained(ups_kw=150.0))
    v = [v for v in ev.violations_of("power-capacity") if v.ids == ("ups1",)]
    assert busway_load_kw() == pytest.approx(224.0)
    assert v and "224 kW" in v[0].message and "150 kW" in v[0].message


def test_the_modelled_pue_counts_the_chains_losses():
    d = chained()
    d.site.pue = "modelled"
    with_chain = evaluate(d).totals["power"]
    d.extra.pop("power_chain")
    without = evaluate(d).totals["power"]
    load = busway_load_kw()
    losses = load / 0.965 / 0.99 - load
    assert with_chain["facility_kw"] == pytest.approx(without["facility_kw"] + losses)
    assert with_chain["pue"] > without["pue"]


def test_generators_are_checked_against_the_design_day_load_with_the_declared_redundancy():
    ok = evaluate(chained(generators={"type": "generator-3000kw", "count": 1}))
    assert not ok.violations_of("power-capacity")
    assert ok.report()["power"]["generators"]["usable_kw"] == 3000
    # 2N with one set: half of them spare, none left to carry the load
    short = evaluate(chained(generators={"type": "generator-3000kw", "count": 1}, redundancy={"power": "2N"}))
    v = [v for v in short.violations_of("power-capacity") if v.ids == ("generators",)]
    assert v and "1 spare (2N)" in v[0].message


def test_a_chain_node_failure_strands_what_it_feeds():
    ev = evaluate(chained(), resilience=True)
    got = {f.id: f for f in ev.resilience.single_failures}
    assert got["ups1"].stranded_ultraservers == 1 and got["ups1"].type == "ups-1250kw"
    assert got["tx1"].stranded_ultraservers == 1
    assert got["ups1"].stranded_systems == ("us1",)


def test_failing_a_chain_node_what_if_fails_the_busways_it_feeds():
    d = chained()
    ev = evaluate(d, failed=["tx1"])
    assert not ev.items.powered[d.equipment.index["us1-r1"]]
    assert ev.totals["throughput"]["stranded_ultraservers"] == 1
