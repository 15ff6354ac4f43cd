"""Energy, cost, CO₂ and PFLOPS per MW count only the power the site can supply; the demand
stays visible. Hand-computed on a fixed PUE."""

from __future__ import annotations

import pytest

from designer.engine import evaluate

from .helpers import catalog, supported_items, make_design, ultraserver, hall


def test_energy_counts_the_powered_load_and_the_demand_stays_visible():
    # the supported UltraServer (2 racks + network rack + spine rack under bw1) and a second
    # UltraServer 10 m away under no busway: its two racks draw nothing
    cat = catalog()
    items = supported_items() + ultraserver("us2", 14.9)
    d = make_design(items, [hall(w=30)], pue=1.2, electricity_price_per_kwh=0.1, grid_kg_co2_per_kwh=0.4)
    ev = evaluate(d)
    rack_kw = cat.types["trn3-gen2-rack"].it_power_kw
    net_kw = cat.types["network-rack"].it_power_kw
    spine_kw = cat.types["spine-rack"].it_power_kw
    cdu_kw = cat.types["cdu-in-row"].it_power_kw
    crah_kw = cat.types["crah"].it_power_kw
    powered_it = 2 * rack_kw + net_kw + spine_kw + cdu_kw + crah_kw
    assert powered_it == pytest.approx(2 * 85 + 6 + 48)    # 2 racks, 2 + 16 switches × 3 kW
    p = ev.totals["power"]
    assert p["it_kw"] == pytest.approx(powered_it + 2 * rack_kw)          # the demand
    assert p["it_powered_kw"] == pytest.approx(powered_it)
    assert p["facility_kw"] == pytest.approx(powered_it * 1.2)            # what is supplied
    assert p["facility_demand_kw"] == pytest.approx((powered_it + 2 * rack_kw) * 1.2)
    assert p["annual_mwh"] == pytest.approx(powered_it * 1.2 * 8760 / 1000)
    assert p["annual_cost"] == pytest.approx(powered_it * 1.2 * 8760 * 0.1)
    assert p["annual_co2_t"] == pytest.approx(powered_it * 1.2 * 8760 / 1000 * 0.4)
    assert p["pue"] == pytest.approx(1.2)
    t = ev.totals["throughput"]
    one_us = 362448 / 1000   # PFLOPS MXFP8 of one Trn3 Gen2 UltraServer (AWS)
    assert t["effective"]["mxfp8_pflops"] == pytest.approx(one_us)
    assert t["pflops_per_mw"] == pytest.approx(one_us / (powered_it * 1.2 / 1000))
