"""Cooling: liquid heat served by CDUs, air heat by air handlers, nearest first.

Piping and air paths run along the aisles: the distance is Manhattan between centres,
within each unit's reach and capacity (:func:`designer.engine.serve._serve_nearest`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.engine.group import HallGroup, fmt_kw
from designer.engine.serve import _serve_nearest
from designer.engine.types import AIR, CDU

#: (unit kind, heat label, unit name) of the two cooling systems, in the order served.
COOLING_SYSTEMS = ((CDU, "liquid", "CDU"), (AIR, "air", "air handler"))


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class CoolingResult:
    """Per item (group positions): cooled, the units serving it, and per unit its load."""

    cooled: np.ndarray
    served_by_cdu: np.ndarray      # group position or -1
    served_by_air: np.ndarray
    liquid_kw: np.ndarray
    air_kw: np.ndarray


def _partitions(g: HallGroup, units: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Who may serve whom: items and units of one hall, and for liquid heat of one cooling
    loop too (a CDU of loop L serves only racks of loop L; items without a loop, CDUs
    without one). Returns each item's partition and each partition's first search radius."""
    if label != "liquid" or not g.loop.any():
        return g.hall_of, g.search_radius(units)
    n_loops = int(g.loop.max()) + 1
    part = g.hall_of * n_loops + g.loop
    count = np.bincount(part[units], minlength=g.n_halls * n_loops)
    area = np.repeat(g.area, n_loops)
    return part, np.clip(np.sqrt(area / np.maximum(count, 1)), 2.0, 50.0)


def _heat(g: HallGroup) -> tuple[np.ndarray, np.ndarray]:
    """Each item's liquid and air heat, kW."""
    liquid = g.it_kw * g.types.liquid_fraction[g.type_code]
    return liquid, g.it_kw - liquid


def _cooling_inputs(g: HallGroup, unit_kind: int, label: str, heat: np.ndarray) -> tuple:
    """What serving one kind of heat starts from, wherever the items stand: the units,
    their capacity, the items with heat, the units' reach and working capacity, who may
    serve whom and the first search radius."""
    tc = g.type_code
    units = np.flatnonzero(g.kind == unit_kind)
    capacity = g.types.capacity_kw[tc[units]]
    need = np.flatnonzero(heat > 0)
    reach = g.types.reach_m[tc[units]]
    working = np.where(g.failed[units], 0.0, capacity)   # a failed unit removes no heat
    return (units, capacity, need, reach, working, *_partitions(g, units, label))


def check_cooling(g: HallGroup, flags: dict[str, np.ndarray], load_kw: np.ndarray, limit_kw: np.ndarray,
                  serving, memory: dict, new_memory: dict | None, only: str | None = None) -> CoolingResult:
    """Serve each item's liquid and air heat; write units' load and capacity into
    ``load_kw``/``limit_kw``; flag and report heat that no unit removes. ``serving`` is
    the :class:`~designer.engine.serve.Serving` context; ``memory`` holds the hall's last
    pair tables by heat label, ``new_memory`` receives this evaluation's. ``only`` ("liquid"
    or "air") serves that heat alone (the other counts as removed)."""
    n = len(g)
    liquid, air = g.kept("heat", lambda: _heat(g))
    cooled = np.ones(n, bool)
    served = {"liquid": np.full(n, -1, np.int64), "air": np.full(n, -1, np.int64)}
    for unit_kind, label, unit_name in COOLING_SYSTEMS:
        if only is not None and label != only:
            continue
        heat = liquid if label == "liquid" else air
        units, capacity, need, reach, working, part, radius = g.kept(
            label, lambda: _cooling_inputs(g, unit_kind, label, heat))
        limit_kw[units] = capacity  # a unit's limit is its capacity, whether or not any heat needs it
        if not len(need):
            continue
        got, grants = _serve_nearest(need, units, part, g.x, g.y, 0.0, reach, heat[need], working,
                                     partial=False, radius_m=radius, serving=serving.call(label),
                                     reuse=(memory.get(label), new_memory, label))
        served[label][need[grants[0]]] = units[grants[1]]
        load_kw[units] = np.bincount(grants[1], grants[2], minlength=len(units))
        has_units = np.zeros(g.n_halls, bool)
        has_units[g.hall_of[units]] = True
        short = need[got <= 0]
        cooled[short] = False
        flags["cooling-capacity"][short] = True
        for k in [] if g.quiet else short:   # (copies trying failures say nothing)
            reason = (f"no {unit_name} in {g.hall_name(k)}" if not has_units[g.hall_of[k]]
                      else f"no {unit_name} within reach has capacity left")
            g.add("cooling-capacity", (k,), f"{fmt_kw(heat[k])} of {label} heat from {g.id(k)} is not removed: {reason}")
    return CoolingResult(cooled, served["liquid"], served["air"], liquid, air)
