"""Site and hall figures have a physical range at the reader (issue 19): a floor rating of
5e-324 kg/m² (reported as "over the 0 kg/m² rating") or an IT capacity of half a watt is
refused with one line naming the place; the ends of each range are accepted."""

from __future__ import annotations

import json

import pytest

from designer.io import DesignFileError, dumps_design, loads_design
from designer.io.dcplan import FIGURE_RANGES


def doc() -> dict:
    return {
        "format": "datacenter-designer", "version": 2, "name": "ranges",
        "site": {"utility_capacity_kw": 60000, "pue": 1.15, "electricity_price_per_kwh": 0.08,
                 "grid_kg_co2_per_kwh": 0.35},
        "halls": [{"id": "A", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "floor_rating_kg_m2": 2500,
                   "it_capacity_kw": 5000, "tray_drop_m": 1.5}],
        "equipment": [],
    }


SITE = ("utility_capacity_kw", "pue", "electricity_price_per_kwh", "grid_kg_co2_per_kwh")
HALL = ("floor_rating_kg_m2", "it_capacity_kw", "tray_drop_m")
PLACES = [(f"site.{k}", k) for k in SITE] + [(f"halls[0].{k}", k) for k in HALL]


def with_value(key: str, value) -> str:
    d = doc()
    (d["site"] if key in SITE else d["halls"][0])[key] = value
    return json.dumps(d)


def read_value(key: str, value) -> float:
    design = loads_design(with_value(key, value))
    return getattr(design.site, key) if key in SITE else getattr(design.halls[0], key)


def refused(key: str, value) -> str:
    with pytest.raises(DesignFileError) as err:
        loads_design(with_value(key, value))
    message = str(err.value)
    assert "\n" not in message
    return message


def test_every_site_and_hall_figure_has_a_range() -> None:
    assert set(FIGURE_RANGES) == set(SITE) | set(HALL)


@pytest.mark.parametrize(("place", "key"), PLACES)
def test_the_ends_of_each_range_are_accepted_and_written_back(place: str, key: str) -> None:
    lo, hi, least, _ = FIGURE_RANGES[key]
    for value in {lo, hi, least or lo}:
        assert read_value(key, value) == value
        text = dumps_design(loads_design(with_value(key, value)))
        assert dumps_design(loads_design(text)) == text


@pytest.mark.parametrize(("place", "key"), PLACES)
def test_values_outside_each_range_are_refused_naming_the_place(place: str, key: str) -> None:
    lo, hi, least, _ = FIGURE_RANGES[key]
    assert refused(key, hi * 10).startswith(f"{place}: must be at most {hi:g}")
    assert refused(key, -1).startswith(f"{place}: must be at least {lo:g}")
    assert refused(key, "5").startswith(f"{place}: expected a number")


@pytest.mark.parametrize(("place", "key"), PLACES)
def test_almost_nothing_is_refused(place: str, key: str) -> None:
    """5e-324 (the smallest float) is never a physical figure: refused everywhere."""
    lo, _, least, unit = FIGURE_RANGES[key]
    message = refused(key, 5e-324)
    if least is None:
        assert message == f"{place}: must be at least {lo:g}, got 5e-324"
    else:
        unit = f" {unit}" if unit else ""
        assert message == f"{place}: must be 0 or at least {least:g}{unit}, got 5e-324"
        assert read_value(key, 0) == 0  # zero itself is a figure (free power, no capacity yet)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("floor_rating_kg_m2", 5e-324, "halls[0].floor_rating_kg_m2: must be at least 1, got 5e-324"),
    ("floor_rating_kg_m2", 0, "halls[0].floor_rating_kg_m2: must be at least 1, got 0"),
    ("floor_rating_kg_m2", 0.5, "halls[0].floor_rating_kg_m2: must be at least 1, got 0.5"),
    ("it_capacity_kw", 0.5, "halls[0].it_capacity_kw: must be 0 or at least 1 kW, got 0.5"),
    ("utility_capacity_kw", 1e-3, "site.utility_capacity_kw: must be 0 or at least 1 kW, got 0.001"),
    ("tray_drop_m", 1e-6, "halls[0].tray_drop_m: must be 0 or at least 0.001 m, got 1e-06"),
    ("pue", 0.9, "site.pue: must be at least 1, got 0.9"),
    ("pue", 6, "site.pue: must be at most 5, got 6"),
    ("electricity_price_per_kwh", 1e-9, "site.electricity_price_per_kwh: must be 0 or at least 1e-06 per kWh, got 1e-09"),
    ("grid_kg_co2_per_kwh", 1e-12, "site.grid_kg_co2_per_kwh: must be 0 or at least 1e-09 kg/kWh, got 1e-12"),
    ("grid_kg_co2_per_kwh", 11, "site.grid_kg_co2_per_kwh: must be at most 10, got 11"),
    ("it_capacity_kw", 10**9, "halls[0].it_capacity_kw: must be at most 1e+08, got 1000000000"),
])
def test_the_messages(key: str, value, message: str) -> None:
    assert refused(key, value) == message


def test_the_inspectors_ranges_read_back() -> None:
    """What the inspector's fields allow (floor 1 … 100,000 kg/m², IT 0 … 10 GW, utility
    0 … 100 GW, tray 0 … 20 m at 2 decimals, PUE 1 … 3, price 0 … 10 at 3 decimals, CO₂
    0 … 5 at 3 decimals) is within the reader's ranges, so an edited design always reopens."""
    ui = {"floor_rating_kg_m2": (1.0, 100_000.0), "it_capacity_kw": (0.0, 1e7), "utility_capacity_kw": (0.0, 1e8),
          "tray_drop_m": (0.0, 0.01, 20.0), "pue": (1.0, 3.0), "electricity_price_per_kwh": (0.0, 0.001, 10.0),
          "grid_kg_co2_per_kwh": (0.0, 0.001, 5.0)}
    for key, values in ui.items():
        for value in values:
            assert read_value(key, value) == value
