"""Placement rules: outside-hall, obstruction, overlap, clearance, airflow, floor-load.

Candidate pairs come from the hall group's floor geometry (:mod:`designer.engine.geometry`:
boxes and a grid index); shapely decides only for items at odd angles and obstacles that
are not boxes."""

from __future__ import annotations

import numpy as np
import shapely

from designer.engine import boxes as bx
from designer.engine.geometry import _corners
from designer.engine.group import HallGroup
from designer.engine.shapes import polygon
from designer.engine.types import NETWORK


class _Shapes:
    """Exact shapely footprints and zones, made only for the items that need them."""

    def __init__(self, geo):
        self.geo = geo
        self._footprints: dict[int, object] = {}

    def footprint(self, k: int):
        """Shapely footprint of floor item k (only for items at odd angles)."""
        if k not in self._footprints:
            self._footprints[k] = shapely.Polygon(_corners(self.geo, k))
        return self._footprints[k]

    def footprint_or_box(self, k: int):
        geo = self.geo
        return self.footprint(k) if not geo.aligned[k] else shapely.box(*geo.fb[k])

    def zone(self, z: int):
        geo = self.geo
        i = geo.owner[z]
        return shapely.Polygon(bx.rect_corners(geo.zx[z:z + 1], geo.zy[z:z + 1], geo.w[i:i + 1], geo.zlen[z:z + 1],
                                               geo.c[i:i + 1], geo.s[i:i + 1])[0])

    def obstacle(self, o: int):
        return polygon(self.geo.obstacles[0][o])


def check_placement(g: HallGroup, geo, flags: dict[str, np.ndarray]) -> _Shapes:
    """Flag and report every placement rule of the group; returns the exact shapes made
    (the power rule reuses them for busways at odd angles)."""
    shapes = _Shapes(geo)
    _outside(g, geo, flags)
    _obstruction(g, geo, flags, shapes)
    _overlap(g, geo, flags, shapes)
    if len(geo.owner):
        _clearance(g, geo, flags, shapes)
    if len(geo.racks):
        _airflow(g, geo, flags)
    if len(geo.fl):
        _floor_load(g, geo, flags)
    return shapes


def _obstacle_name(geo, o: int) -> str:
    label, number = geo.obstacles[1][o]
    return f"{label} #{number}"


def _outside(g: HallGroup, geo, flags) -> None:
    fl, fh = geo.fl, geo.fh
    for k in np.flatnonzero(~geo.inside):
        flags["outside-hall"][fl[k]] = True
        g.add("outside-hall", (fl[k],), f"{g.id(fl[k])} is not inside the outline of {g.halls[fh[k]].name}")


def _obstruction(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    if geo.obstacles[3] is None:
        return
    fl, fh, aligned, rect_obstacle = geo.fl, geo.fh, geo.aligned, geo.obstacles[2]
    for k, o in zip(*geo.ob_fp):
        if not (rect_obstacle[o] and aligned[k]):
            if shapely.area(shapely.intersection(shapes.footprint_or_box(k), shapes.obstacle(o))) <= 0:
                continue
        flags["obstruction"][fl[k]] = True
        g.add("obstruction", (fl[k],), f"{g.id(fl[k])} stands on {_obstacle_name(geo, o)} of {g.halls[fh[k]].name}")


def _overlap(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    fl, aligned = geo.fl, geo.aligned
    for i, j in zip(*geo.fp):
        if not (aligned[i] and aligned[j]):
            if shapely.area(shapely.intersection(shapes.footprint(i), shapes.footprint(j))) <= 1e-9:
                continue
        flags["overlap"][fl[i]] = True
        flags["overlap"][fl[j]] = True
        g.add("overlap", (fl[i], fl[j]), f"{g.id(fl[i])} overlaps {g.id(fl[j])}")


def _zone_text(g: HallGroup, geo, z: int) -> str:
    i = geo.owner[z]
    return f"the {'rear' if geo.rear_side[z] else 'front'} service zone of {g.id(geo.fl[i])} ({geo.zlen[z]:.2f} m)"


def _clearance(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    """Front and rear service zones: blocked by equipment, by an obstacle, or by the wall."""
    fl, owner, aligned = geo.fl, geo.owner, geo.aligned
    has_zone = geo.zlen > 0
    zi, ej = geo.zone
    other = (owner[zi] != ej) & has_zone[zi]
    seen: set[tuple[int, int]] = set()
    for z, j in zip(zi[other], ej[other]):
        i = owner[z]
        if (i, j) in seen:
            continue
        if not (aligned[i] and aligned[j]):
            if shapely.area(shapely.intersection(shapes.zone(z), shapes.footprint(j))) <= 1e-9:
                continue
        seen.add((int(i), int(j)))
        flags["clearance"][fl[i]] = True
        g.add("clearance", (fl[i], fl[j]), f"{_zone_text(g, geo, z)} is blocked by {g.id(fl[j])}")
    if geo.obstacles[3] is not None:
        rect_obstacle = geo.obstacles[2]
        for z, o in zip(*geo.ob_zone):
            i = owner[z]
            if not has_zone[z]:
                continue
            if not (rect_obstacle[o] and aligned[i]):
                if shapely.area(shapely.intersection(shapes.zone(z), shapes.obstacle(o))) <= 1e-9:
                    continue
            flags["clearance"][fl[i]] = True
            g.add("clearance", (fl[i],), f"{_zone_text(g, geo, z)} is blocked by {_obstacle_name(geo, o)}")
    for z in np.flatnonzero(~geo.z_inside & has_zone & geo.inside[owner]):
        i = owner[z]
        flags["clearance"][fl[i]] = True
        g.add("clearance", (fl[i],), f"{_zone_text(g, geo, z)} runs into the wall of {g.halls[geo.fh[i]].name}")


def _airflow(g: HallGroup, geo, flags) -> None:
    """A rack's exhaust strip meets a rack facing the same way (its intake)."""
    fl, fk, c, s = geo.fl, geo.fk, geo.c, geo.s
    zi, ej = geo.strip
    i = geo.racks[zi]
    ok = (ej != i) & (fk[ej] <= NETWORK) & ((c[i] * c[ej] + s[i] * s[ej]) > 0.7)
    for a, b in zip(i[ok], ej[ok]):
        flags["airflow"][fl[b]] = True
        g.add("airflow", (fl[a], fl[b]), f"the exhaust of {g.id(fl[a])} blows into the intake of "
              f"{g.id(fl[b])} (less than {g.settings.airflow_m:.1f} m apart, same orientation)", x=geo.fx[b], y=geo.fy[b])


def _floor_load(g: HallGroup, geo, flags) -> None:
    """Weight over footprint against the hall's rating."""
    fl, fh = geo.fl, geo.fh
    rating = np.array([h.floor_rating_kg_m2 for h in g.halls])
    load = g.types.weight[g.type_code[fl]] / (geo.w * geo.d)
    for k in np.flatnonzero(load > rating[fh]):
        flags["floor-load"][fl[k]] = True
        g.add("floor-load", (fl[k],), f"{g.id(fl[k])} loads the floor with {load[k]:,.0f} kg/m², over the "
              f"{rating[fh[k]]:,.0f} kg/m² rating of {g.halls[fh[k]].name}")
