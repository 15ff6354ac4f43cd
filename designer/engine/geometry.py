"""Floor geometry of a group of halls: footprints, service zones, exhaust strips and
obstacles as boxes, and the candidate pairs between them.

Coordinates are hall-relative and snapped to 1 µm (so a design moved as a whole
evaluates identically). The pairs come from a grid index (``boxes.BoxIndex``) or, when a
hall is evaluated again after a few of its items moved, from the previous geometry with
the moved items' pairs found again by brute force; both give the same lists, in
(first, second) order. Shapely is used only for outlines that are not rectangles and
items at odd angles.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from designer.engine import boxes as bx
from designer.engine.arrays import unique
from designer.engine.settings import Settings
from designer.engine.shapes import polygon as _polygon
from designer.engine.shapes import rect_box as _rect_box
from designer.engine.types import AIR, BUSWAY, NETWORK, TypeTable
from designer.engine.zones import service_zones
from designer.model.design import Hall

if TYPE_CHECKING:
    from designer.engine.group import HallGroup as _Group

_OBSTACLES: dict[tuple, tuple] = {}


def _obstacles(g: "_Group", halls: list[Hall]):
    """Columns and keep-out zones of the halls in relative coordinates, with their grid
    index: (polygons, (label, number) each, rectangle flags, BoxIndex or None, boxes, hall
    keys). Cached
    by the halls' obstacles and origins, which rarely change while racks are edited."""
    key = tuple((float(g.origin_x[i]), float(g.origin_y[i]), tuple(tuple(map(tuple, p)) for p in h.columns),
                 tuple(tuple(map(tuple, p)) for p in h.keepouts)) for i, h in enumerate(halls))
    hit = _OBSTACLES.get(key)
    if hit is not None:
        return hit
    ob_poly, ob_hall, ob_label, ob_box, ob_rect = [], [], [], [], []
    for hi, hall in enumerate(halls):
        for label, polys in (("column", hall.columns), ("keep-out zone", hall.keepouts)):
            for num, p in enumerate(polys, 1):
                p = g.poly(hi, p)
                rb = _rect_box(p)
                ob_poly.append(p)
                ob_hall.append(hi)
                ob_label.append((label, num))
                ob_rect.append(rb is not None)
                ob_box.append(rb if rb is not None else _polygon(p).bounds)
    boxes_ = np.array(ob_box, float).reshape(-1, 4)
    keys = np.array(ob_hall, np.int64)
    index = bx.BoxIndex(boxes_, keys) if ob_poly else None
    if len(_OBSTACLES) >= 256:
        _OBSTACLES.clear()
    _OBSTACLES[key] = hit = (ob_poly, ob_label, np.array(ob_rect, bool), index, boxes_ if ob_poly else None, keys)
    return hit


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class _Geometry:
    """The floor geometry of one evaluation: footprints, service zones and exhaust strips
    as boxes, whether each lies inside its hall, and the candidate pairs (boxes that
    overlap) between them and with the halls' obstacles, each list in (first, second)
    order. The evaluator keeps it per hall: the next evaluation of that hall (a drag step)
    recomputes the boxes and pairs of the items that moved and keeps the others'."""

    types: TypeTable
    st: Settings
    outlines: list
    obstacles: tuple
    rows: np.ndarray
    x: np.ndarray          # the group's snapped relative centres and rotations (all items)
    y: np.ndarray
    rot: np.ndarray
    tc: np.ndarray
    fl: np.ndarray         # floor items (group positions) and their per-item arrays
    fh: np.ndarray
    fk: np.ndarray
    w: np.ndarray
    d: np.ndarray
    c: np.ndarray
    s: np.ndarray
    fx: np.ndarray
    fy: np.ndarray
    fb: np.ndarray
    aligned: np.ndarray
    inside: np.ndarray
    owner: np.ndarray      # service zones: the floor item of each, rear or front, depth
    rear_side: np.ndarray
    zlen: np.ndarray
    zx: np.ndarray
    zy: np.ndarray
    zb: np.ndarray
    z_inside: np.ndarray
    racks: np.ndarray      # exhaust strips: the rack of each
    sb: np.ndarray
    fp: tuple = ()         # (a, b), a < b: footprints
    zone: tuple = ()       # (zone, footprint)
    strip: tuple = ()      # (strip, footprint)
    ob_fp: tuple = ()      # (footprint, obstacle)
    ob_zone: tuple = ()    # (zone, obstacle)
    bus_lb: np.ndarray | None = None  # busways as boxes (x0, y0, x1, y1) of their segments
    bus: tuple = ()        # (busway, footprint): segments touching footprints' boxes
    index: bx.BoxIndex | None = None  # the footprints' grid (not kept by an update)


#: An evaluation of one hall reuses the previous one's geometry and pair tables when at
#: most this many items (or an eighth of them) moved; beyond, they are rebuilt.
MOVED_MAX = 16


def few_moved(n_moved: int, n: int) -> bool:
    """Whether patching ``n_moved`` of ``n`` rows is worth it rather than rebuilding."""
    return n_moved <= max(MOVED_MAX, n // 8)


def _canon(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs in (a, b) order (a grid reports them in cell order)."""
    if len(a) > 1:
        key = a.astype(np.int64) * max(nb, 1) + b
        if not (key[1:] > key[:-1]).all():
            o = np.argsort(key, kind="stable")
            a, b = a[o], b[o]
    return a, b


def _zone_boxes(geo: _Geometry, z: np.ndarray):
    """Centres and boxes of service zones ``z``."""
    i = geo.owner[z]
    zx, zy = bx.offset_rects(geo.fx[i], geo.fy[i], geo.w[i], geo.d[i], geo.c[i], geo.s[i],
                             np.where(geo.rear_side[z], 1.0, -1.0), geo.zlen[z])
    return zx, zy, bx.boxes(zx, zy, geo.w[i], geo.zlen[z], geo.c[i], geo.s[i])


def _strip_boxes(geo: _Geometry, r: np.ndarray, airflow_m: float) -> np.ndarray:
    """Boxes of the exhaust strips of racks ``geo.racks[r]``."""
    i = geo.racks[r]
    sx, sy = bx.offset_rects(geo.fx[i], geo.fy[i], geo.w[i], geo.d[i], geo.c[i], geo.s[i], 1.0, airflow_m)
    return bx.boxes(sx, sy, geo.w[i], np.full(len(i), airflow_m), geo.c[i], geo.s[i])


def _corners(geo: _Geometry, i: int, length: float | None = None, zx=None, zy=None) -> np.ndarray:
    """Corners of floor item ``i`` (or of a zone of it: centre, depth), shrunk like its box."""
    k = slice(i, i + 1)
    if length is None:
        return bx.rect_corners(geo.fx[k], geo.fy[k], geo.w[k] - 2 * bx.EPS_M, geo.d[k] - 2 * bx.EPS_M,
                               geo.c[k], geo.s[k])[0]
    return bx.rect_corners(np.array([zx]), np.array([zy]), geo.w[k] - 2 * bx.EPS_M,
                           np.array([length - 2 * bx.EPS_M]), geo.c[k], geo.s[k])[0]


def _within(boxes_: np.ndarray, hall_of: np.ndarray, aligned_: np.ndarray, corners, hall_shape) -> np.ndarray:
    """Whether each box (of an item in hall ``hall_of``) lies inside its hall: the box test
    for aligned items in rectangular halls, shapely for the others."""
    hb, rect_hall, outlines = hall_shape
    inside = bx.inside_box(boxes_, hb[hall_of])
    for k in np.flatnonzero(~rect_hall[hall_of] | ~aligned_):
        inside[k] = _polygon(outlines[hall_of[k]]).covers(shapely.Polygon(corners(k)))
    return inside


def _busway_boxes(g: "_Group") -> np.ndarray:
    """The boxes of the group's busways' segments, in the order of their positions."""
    bw = np.flatnonzero(g.kind == BUSWAY)
    xa, xb = np.minimum(g.x[bw], g.x2[bw]), np.maximum(g.x[bw], g.x2[bw])
    ya, yb = np.minimum(g.y[bw], g.y2[bw]), np.maximum(g.y[bw], g.y2[bw])
    return np.stack([xa, ya, xb, yb], 1)


def _geometry(g: "_Group", types: TypeTable, st: Settings, halls: list[Hall], hall_shape,
              prev: _Geometry | None) -> _Geometry:
    """The group's floor geometry: from ``prev`` (the same hall's last geometry) when only
    a few items moved, else from scratch with the grid index."""
    obstacles = g.kept("obstacles", lambda: _obstacles(g, halls))   # (a moved group keeps them)
    outlines = hall_shape[2]
    if (prev is not None and len(halls) == 1 and prev.types is types and prev.st is st
            and prev.obstacles is obstacles and prev.outlines == outlines
            and np.array_equal(prev.rows, g.rows) and np.array_equal(prev.tc, g.type_code)):
        geo = _moved_geometry(prev, g, st, hall_shape)
        if geo is not None:
            return geo
    kind, tc, hk = g.kind, g.type_code, g.hall_of
    fl = np.flatnonzero(kind <= AIR)
    fh = hk[fl]
    fk = kind[fl]
    w = types.width[tc[fl]]
    d = types.depth[tc[fl]]
    c, s = bx.axes(g.rotation[fl])
    fx, fy = g.x[fl], g.y[fl]
    fb = bx.boxes(fx, fy, w, d, c, s)
    # service zones (racks and CDUs front and rear; air handlers front only) and exhaust
    # strips (racks, when the airflow check is on)
    zones = service_zones(fk, st.front_m, st.rear_m)
    owner, rear_side, zlen = zones.owner, zones.rear, zones.length_m
    racks = np.flatnonzero(fk <= NETWORK) if st.airflow_m > 0 else np.zeros(0, np.int64)
    none = np.zeros((0, 4))
    geo = _Geometry(types, st, outlines, obstacles, g.rows.copy(), g.x, g.y, g.rotation, g.type_code, fl, fh, fk, w, d, c, s, fx, fy,
                    fb, (c == 0) | (s == 0), np.zeros(len(fl), bool), owner, rear_side, zlen, np.zeros(0),
                    np.zeros(0), none, np.zeros(0, bool), racks, none)
    geo.inside = _within(fb, fh, geo.aligned, lambda k: _corners(geo, k), hall_shape)
    queries = [(fb, fh)]
    if len(owner):
        geo.zx, geo.zy, geo.zb = _zone_boxes(geo, np.arange(len(owner)))
        geo.z_inside = _within(geo.zb, fh[owner], geo.aligned[owner],
                               lambda z: _corners(geo, owner[z], zlen[z], geo.zx[z], geo.zy[z]), hall_shape)
        queries.append((geo.zb, fh[owner]))
    if len(racks):
        geo.sb = _strip_boxes(geo, np.arange(len(racks)), st.airflow_m)
        queries.append((geo.sb, fh[racks]))
    geo.index = index = bx.BoxIndex(fb, fh)
    found = index.query_many(queries)
    geo.bus_lb = _busway_boxes(g)
    geo.bus = index.query(geo.bus_lb, hk[g.kind == BUSWAY], strict=False)
    n_fl = len(fl)
    a, b = found[0]
    if index.crowded:
        # a pile: each box met only the first boxes of its crowded cells, so a pair may be
        # found from one side only: keep every pair once, whichever side found it
        keep = a != b
        key = unique(np.minimum(a[keep], b[keep]).astype(np.int64) * max(n_fl, 1) + np.maximum(a[keep], b[keep]))
        geo.fp = (key // max(n_fl, 1), key % max(n_fl, 1))
    else:
        keep = a < b
        geo.fp = _canon(a[keep], b[keep], n_fl)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    geo.zone = _canon(*found[1], n_fl) if len(owner) else empty
    geo.strip = _canon(*found[-1], n_fl) if len(racks) else empty
    ob_index = obstacles[3]
    geo.ob_fp = geo.ob_zone = empty
    if ob_index is not None:
        n_ob = len(obstacles[0])
        ob_found = ob_index.query_many(queries[:1 + bool(len(owner))])
        geo.ob_fp = _canon(*ob_found[0], n_ob)
        if len(owner):
            geo.ob_zone = _canon(*ob_found[1], n_ob)
    return geo


def _moved_geometry(prev: _Geometry, g: "_Group", st: Settings, hall_shape) -> _Geometry | None:
    """``prev`` updated for the floor items that moved or turned (same items, same hall):
    their boxes are recomputed and their pairs found again against every box by brute
    force, which reports exactly the pairs the grid would; None when too many moved."""
    moved = (prev.x != g.x) | (prev.y != g.y) | (prev.rot != g.rotation)
    fl = prev.fl
    mk = np.flatnonzero(moved[fl])
    n_fl = len(fl)
    if not few_moved(len(mk), n_fl):
        return None
    geo = copy.copy(prev)
    geo.x, geo.y, geo.rot = g.x, g.y, g.rotation
    geo.index = None
    turned = (prev.rot[fl[mk]] != g.rotation[fl[mk]]).any()
    if turned:   # (a move keeps each item's axes)
        geo.c, geo.s = prev.c.copy(), prev.s.copy()
        geo.c[mk], geo.s[mk] = bx.axes(g.rotation[fl[mk]])
    geo.fx, geo.fy = g.x[fl], g.y[fl]
    geo.fb = prev.fb.copy()
    geo.fb[mk] = bx.boxes(geo.fx[mk], geo.fy[mk], geo.w[mk], geo.d[mk], geo.c[mk], geo.s[mk])
    if turned:
        geo.aligned = prev.aligned.copy()
        geo.aligned[mk] = (geo.c[mk] == 0) | (geo.s[mk] == 0)
    geo.inside = prev.inside.copy()
    geo.inside[mk] = _within(geo.fb[mk], geo.fh[mk], geo.aligned[mk], lambda q: _corners(geo, mk[q]), hall_shape)
    is_moved = np.zeros(n_fl, bool)
    is_moved[mk] = True
    fb, fh = geo.fb, geo.fh
    # the moved items' service zones and exhaust strips
    zmoved = is_moved[geo.owner]
    zm = np.flatnonzero(zmoved)
    zh = fh[geo.owner]
    if len(geo.owner):
        geo.zx, geo.zy, geo.zb = prev.zx.copy(), prev.zy.copy(), prev.zb.copy()
        geo.zx[zm], geo.zy[zm], geo.zb[zm] = _zone_boxes(geo, zm)
        geo.z_inside = prev.z_inside.copy()
        geo.z_inside[zm] = _within(geo.zb[zm], fh[geo.owner[zm]], geo.aligned[geo.owner[zm]],
                                   lambda q: _corners(geo, geo.owner[zm[q]], geo.zlen[zm[q]], geo.zx[zm[q]],
                                                      geo.zy[zm[q]]), hall_shape)
    smoved = is_moved[geo.racks]
    sm = np.flatnonzero(smoved)
    rh = fh[geo.racks]
    if len(geo.racks):
        geo.sb = prev.sb.copy()
        geo.sb[sm] = _strip_boxes(geo, sm, st.airflow_m)
    # every moved box (footprints, zones, strips) against every footprint, in one test
    qb = np.concatenate([fb[mk], geo.zb[zm], geo.sb[sm]])
    qk = np.concatenate([fh[mk], zh[zm], rh[sm]])
    qi, qj = bx.overlapping(qb, qk, fb, fh)
    cut = np.searchsorted(qi, [len(mk), len(mk) + len(zm)])
    # footprints: pairs of a moved item with any other, each unordered pair once
    a, b = prev.fp
    keep = ~(is_moved[a] | is_moved[b])
    m, j = mk[qi[:cut[0]]], qj[:cut[0]]
    new = (m != j) & ~(is_moved[j] & (j < m))
    m, j = m[new], j[new]
    geo.fp = _canon(np.concatenate([a[keep], np.minimum(m, j)]), np.concatenate([b[keep], np.maximum(m, j)]), n_fl)
    ob_boxes, ob_keys = geo.obstacles[4], geo.obstacles[5]

    def update(pairs, boxes_, keys, moved_boxes, n_b, found, strict=True):
        """Pairs (box, footprint) after the moved footprints and ``moved_boxes`` changed;
        ``found``: the moved boxes' pairs (index among the moved, footprint), or None."""
        z, jj = pairs
        keep = ~(moved_boxes[z] | is_moved[jj])
        zm_ = np.flatnonzero(moved_boxes)
        z1, j1 = found if found is not None else bx.overlapping(boxes_[zm_], keys[zm_], fb, fh, strict)
        # the boxes that stayed, against the moved footprints (the test is symmetric)
        j2, z2 = bx.overlapping(fb[mk], fh[mk], boxes_, keys, strict)
        stayed = ~moved_boxes[z2]
        return _canon(np.concatenate([z[keep], zm_[z1], z2[stayed]]), np.concatenate([jj[keep], j1, mk[j2[stayed]]]),
                      n_b)

    if ob_boxes is not None:   # the moved footprints and zones against the obstacles, in one test
        oi, oj = bx.overlapping(qb[:len(mk) + len(zm)], qk[:len(mk) + len(zm)], ob_boxes, ob_keys)
        oc = np.searchsorted(oi, len(mk))
        for name, z_moved, z_at, lo, hi, first in (("ob_fp", is_moved, mk, 0, oc, 0),
                                                   ("ob_zone", zmoved, zm, oc, len(oi), len(mk))):
            z, o = getattr(prev, name)
            kept = ~z_moved[z]
            setattr(geo, name, _canon(np.concatenate([z[kept], z_at[oi[lo:hi] - first]]),
                                      np.concatenate([o[kept], oj[lo:hi]]), len(ob_keys)))
    if len(geo.owner):
        geo.zone = update(prev.zone, geo.zb, zh, zmoved, n_fl, (qi[cut[0]:cut[1]] - len(mk), qj[cut[0]:cut[1]]))
    if len(geo.racks):
        geo.strip = update(prev.strip, geo.sb, rh, smoved, n_fl, (qi[cut[1]:] - len(mk) - len(zm), qj[cut[1]:]))
    # busways (not floor items, same count): segments touching the footprints' boxes
    geo.bus_lb = _busway_boxes(g)
    geo.bus = update(prev.bus, geo.bus_lb, g.hall_of[g.kind == BUSWAY], (geo.bus_lb != prev.bus_lb).any(axis=1), n_fl,
                     None, strict=False)
    return geo
