"""Placement rules: outside-hall, obstruction, overlap, clearance, airflow, floor-load.

Candidate pairs come from the hall group's floor geometry (:mod:`designer.engine.geometry`:
boxes and a grid index); shapely decides only for items at odd angles and obstacles that
are not boxes."""

from __future__ import annotations

import numpy as np
import shapely

from designer.engine.arrays import run_starts
from designer.engine import boxes as bx
from designer.engine.geometry import _corners
from designer.engine.group import HallGroup
from designer.engine.shapes import polygon, rectangles_overlap
from designer.engine.types import NETWORK


class _Shapes:
    """Exact shapely footprints and zones, made only for the items that need them
    (items at odd angles), as arrays so that a whole list of pairs is tested at once."""

    def __init__(self, geo):
        self.geo = geo
        self._footprints: dict[int, object] = {}

    def footprint(self, k: int):
        """Shapely footprint of floor item k."""
        if k not in self._footprints:
            self._footprints[k] = shapely.Polygon(_corners(self.geo, k))
        return self._footprints[k]

    def footprint_or_box(self, k: int):
        geo = self.geo
        return self.footprint(k) if not geo.aligned[k] else shapely.box(*geo.fb[k])

    def corners(self, ks: np.ndarray) -> np.ndarray:
        """Corners (n, 4, 2) of floor items ``ks``, shrunk like their boxes."""
        geo = self.geo
        e = 2 * bx.EPS_M
        return bx.rect_corners(geo.fx[ks], geo.fy[ks], geo.w[ks] - e, geo.d[ks] - e, geo.c[ks], geo.s[ks])

    def zone_corners(self, zs: np.ndarray) -> np.ndarray:
        """Corners (n, 4, 2) of service zones ``zs``."""
        geo = self.geo
        i = geo.owner[zs]
        return bx.rect_corners(geo.zx[zs], geo.zy[zs], geo.w[i], geo.zlen[zs], geo.c[i], geo.s[i])

    def footprints_or_boxes(self, ks: np.ndarray) -> np.ndarray:
        return np.array([self.footprint_or_box(int(k)) for k in ks], dtype=object).reshape(len(ks))

    def zones(self, zs: np.ndarray) -> np.ndarray:
        corners = self.zone_corners(zs)
        return shapely.polygons(corners) if len(zs) else np.zeros(0, dtype=object)

    def obstacles(self, os_: np.ndarray) -> np.ndarray:
        return np.array([polygon(self.geo.obstacles[0][int(o)]) for o in os_], dtype=object).reshape(len(os_))


def _meet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether the interiors of each pair of shapely shapes meet (vectorised)."""
    if not len(a):
        return np.zeros(0, bool)
    return shapely.relate_pattern(a, b, "T********")


#: A cluster of more overlapping pairs than this is reported as one pile, not pair by pair
#: (2,000 racks dropped on one spot make two million pairs: one message says it).
PILE_PAIRS = 8
#: A service zone (or intake) blocked by more items than this names the first few and a count.
NAMED_BLOCKERS = 3


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of the graph of pairs (a, b) over n nodes: a label per node
    (the smallest node of its component), by label propagation with pointer jumping."""
    label = np.arange(n)
    if not len(a):
        return label
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def _listed(ids: list[str], limit: int = NAMED_BLOCKERS) -> str:
    """'a, b and c' or 'a, b, c and 12 more' (sorted)."""
    ids = sorted(ids)  # (the same message whatever the order of the file)
    if len(ids) <= limit:
        return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"
    return f"{', '.join(ids[:limit])} and {len(ids) - limit} more"


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
    out = np.flatnonzero(~geo.inside)
    flags["outside-hall"][fl[out]] = True
    for k in [] if g.quiet else out:   # (a group trying failures says nothing)
        g.add("outside-hall", (fl[k],), f"{g.id(fl[k])} is not inside the outline of {g.halls[fh[k]].name}")


def _obstruction(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    if geo.obstacles[3] is None:
        return
    fl, fh, aligned, rect_obstacle = geo.fl, geo.fh, geo.aligned, geo.obstacles[2]
    k, o = geo.ob_fp
    hit = np.ones(len(k), bool)
    odd = np.flatnonzero(~(rect_obstacle[o] & aligned[k]))
    if len(odd):
        hit[odd] = _meet(shapes.footprints_or_boxes(k[odd]), shapes.obstacles(o[odd]))
    flags["obstruction"][fl[k[hit]]] = True
    if g.quiet:
        return
    for k_, o_ in zip(k[hit], o[hit]):
        g.add("obstruction", (fl[k_],), f"{g.id(fl[k_])} stands on {_obstacle_name(geo, o_)} of {g.halls[fh[k_]].name}")


def _overlap(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    """Footprints that overlap: pair by pair, or one violation per pile of items."""
    fl, aligned = geo.fl, geo.aligned
    a, b = geo.fp
    hit = np.ones(len(a), bool)
    odd = np.flatnonzero(~(aligned[a] & aligned[b]))
    if len(odd):
        hit[odd] = rectangles_overlap(shapes.corners(a[odd]), shapes.corners(b[odd]))
    a, b = a[hit], b[hit]
    if not len(a):
        return
    flags["overlap"][fl[a]] = True
    flags["overlap"][fl[b]] = True
    if g.quiet:
        return
    label = _components(len(fl), a, b)
    pairs_in = np.bincount(label[a], minlength=len(fl))
    piles = np.flatnonzero(pairs_in > PILE_PAIRS)
    single = pairs_in[label[a]] <= PILE_PAIRS
    name = g.id
    for i, j in zip(fl[a[single]].tolist(), fl[b[single]].tolist()):
        g.add("overlap", (i, j), f"{name(i)} overlaps {name(j)}")
    for root in piles:
        members = np.flatnonzero(label == root)
        names = [g.id(fl[k]) for k in members]
        g.add("overlap", fl[members], f"{len(members)} items are piled on one another: {_listed(names)}")


def _zone_text(g: HallGroup, geo, z: int) -> str:
    z = int(z)
    i = int(geo.owner[z])
    return f"the {'rear' if geo.rear_side[z] else 'front'} service zone of {g.id(int(geo.fl[i]))} ({geo.zlen[z]:.2f} m)"


def _clearance(g: HallGroup, geo, flags, shapes: _Shapes) -> None:
    """Front and rear service zones: blocked by equipment, by an obstacle, or by the wall.
    A zone blocked by many items names the first few and counts the rest."""
    fl, owner, aligned = geo.fl, geo.owner, geo.aligned
    has_zone = geo.zlen > 0
    zi, ej = geo.zone
    keep = (owner[zi] != ej) & has_zone[zi]
    zi, ej = zi[keep], ej[keep]
    odd = np.flatnonzero(~(aligned[owner[zi]] & aligned[ej]))
    hit = np.ones(len(zi), bool)
    if len(odd):
        hit[odd] = rectangles_overlap(shapes.zone_corners(zi[odd]), shapes.corners(ej[odd]))
    zi, ej = zi[hit], ej[hit]
    # (a front and a rear zone of one item blocked by the same item: once, by the first zone)
    _, first = np.unique(owner[zi].astype(np.int64) * max(len(fl), 1) + ej, return_index=True)
    first.sort()
    zi, ej = zi[first], ej[first]
    flags["clearance"][fl[owner[zi]]] = True
    if g.quiet:
        zi = zi[:0]
    starts = run_starts(zi)
    ends = np.append(starts[1:], len(zi))
    # (as Python lists: a draft hall has hundreds of these messages)
    name = g.id
    zone, owner_at, blocker = zi.tolist(), fl[owner[zi]].tolist(), fl[ej].tolist()
    for s_, e_ in zip(starts.tolist(), ends.tolist()):
        z, i = zone[s_], owner_at[s_]
        if e_ - s_ <= NAMED_BLOCKERS:
            text = _zone_text(g, geo, z)
            for j in blocker[s_:e_]:
                g.add("clearance", (i, j), f"{text} is blocked by {name(j)}")
            continue
        blockers = [name(j) for j in blocker[s_:e_]]
        g.add("clearance", (i, *blocker[s_:e_]), f"{_zone_text(g, geo, z)} is blocked by {len(blockers)} items: "
              f"{_listed(blockers)}")
    if geo.obstacles[3] is not None:
        rect_obstacle = geo.obstacles[2]
        zo, o = geo.ob_zone
        keep = has_zone[zo]
        zo, o = zo[keep], o[keep]
        odd = np.flatnonzero(~(rect_obstacle[o] & aligned[owner[zo]]))
        hit = np.ones(len(zo), bool)
        if len(odd):
            hit[odd] = _meet(shapes.zones(zo[odd]), shapes.obstacles(o[odd]))
        flags["clearance"][fl[owner[zo[hit]]]] = True
        for z, o_ in [] if g.quiet else zip(zo[hit], o[hit]):
            i = owner[z]
            g.add("clearance", (fl[i],), f"{_zone_text(g, geo, z)} is blocked by {_obstacle_name(geo, o_)}")
    walls = np.flatnonzero(~geo.z_inside & has_zone & geo.inside[owner])
    flags["clearance"][fl[owner[walls]]] = True
    for z in [] if g.quiet else walls:
        i = owner[z]
        g.add("clearance", (fl[i],), f"{_zone_text(g, geo, z)} runs into the wall of {g.halls[geo.fh[i]].name}")


def _airflow(g: HallGroup, geo, flags) -> None:
    """A rack's exhaust strip meets a rack facing the same way (its intake). An intake
    that many exhausts blow into names the first few and counts the rest."""
    fl, fk, c, s = geo.fl, geo.fk, geo.c, geo.s
    zi, ej = geo.strip
    i = geo.racks[zi]
    ok = (ej != i) & (fk[ej] <= NETWORK) & ((c[i] * c[ej] + s[i] * s[ej]) > 0.7)
    src, dst = i[ok], ej[ok]
    if not len(src):
        return
    flags["airflow"][fl[dst]] = True
    if g.quiet:
        return
    many = np.bincount(dst, minlength=len(fl)) > NAMED_BLOCKERS
    for a, b in zip(src[~many[dst]], dst[~many[dst]]):
        g.add("airflow", (fl[a], fl[b]), f"the exhaust of {g.id(fl[a])} blows into the intake of "
              f"{g.id(fl[b])} (less than {g.settings.airflow_m:.1f} m apart, same orientation)", x=geo.fx[b], y=geo.fy[b])
    for b in np.flatnonzero(many):
        sources = src[dst == b]
        names = [g.id(fl[a]) for a in sources]
        g.add("airflow", (*fl[sources], fl[b]), f"the exhausts of {len(names)} racks blow into the intake of "
              f"{g.id(fl[b])} (less than {g.settings.airflow_m:.1f} m apart, same orientation): {_listed(names)}",
              x=geo.fx[b], y=geo.fy[b])


def _loads(g: HallGroup, geo) -> tuple:
    """Each hall's floor rating, each floor item's load and those over their hall's
    rating (wherever they stand)."""
    rating = np.array([h.floor_rating_kg_m2 for h in g.halls])
    load = g.types.weight[g.type_code[geo.fl]] / (geo.w * geo.d)
    return rating, load, np.flatnonzero(load > rating[geo.fh])


def _floor_load(g: HallGroup, geo, flags) -> None:
    """Weight over footprint against the hall's rating."""
    fl, fh = geo.fl, geo.fh
    rating, load, heavy = g.kept("floor-load", lambda: _loads(g, geo))
    flags["floor-load"][fl[heavy]] = True
    for k in [] if g.quiet else heavy:
        g.add("floor-load", (fl[k],), f"{g.id(fl[k])} loads the floor with {load[k]:,.0f} kg/m², over the "
              f"{rating[fh[k]]:,.0f} kg/m² rating of {g.halls[fh[k]].name}")
