"""Everything that is local to halls, evaluated for a group of halls at once.

Items of a group arrive in hall-sorted order (each hall's rows ascending). Geometry
uses numpy boxes and a grid index keyed by hall (``boxes.BoxIndex``); shapely is used
only for exact tests on items at angles other than multiples of 90°, on halls that
are not rectangles and on non-rectangular obstacles. Allocation (busways, cooling
units, network ports) is one vectorised :func:`allocate.assign` call per resource.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import numpy as np
import shapely

from designer.engine import boxes as bx
from designer.engine.allocate import _group_cumsum, assign
from designer.engine.evaluation import Violation
from designer.engine.settings import Settings
from designer.engine.types import AIR, BUSWAY, CDU, COMPUTE, NETWORK, SYSTEM_FIGURES, TypeTable
from designer.model.design import Design, Hall

HALL_FLAGS = ("outside-hall", "obstruction", "overlap", "clearance", "airflow", "floor-load",
              "power-capacity", "unpowered", "cooling-capacity", "scaleup-reach", "cable-reach",
              "network-ports", "incomplete-system")
#: Per-item flags that strand an UltraServer's compute (it cannot run).
STRANDING_FLAGS = ("outside-hall", "obstruction", "overlap", "unpowered", "cooling-capacity",
                   "scaleup-reach", "cable-reach", "network-ports", "incomplete-system")
#: Per-hall sums kept by the evaluator so the site totals cost O(halls), not O(items).
SUMMARY_FIELDS = ("it_kw", "it_powered_kw", "liquid_kw", "air_kw", "unpowered_items", "uncooled_items",
                  "links", "racks", "chips", "ultraservers", "stranded",
                  *(f"peak.{key}" for _, key, _ in SYSTEM_FIGURES),
                  *(f"effective.{key}" for _, key, _ in SYSTEM_FIGURES))
#: Halls with at most this many (item, unit) pairs skip the grid search and use the table.
DENSE_PAIRS = 6_000
#: From the table, each item first asks its nearest few units, then (if still short) all.
TABLE_K = 4


def fmt_kw(kw: float) -> str:
    return f"{kw:,.0f} kW" if abs(kw) < 10000 else f"{kw / 1000:,.2f} MW"


@dataclass
class GroupResult:
    """Per-item arrays in group order, links (group positions) and violations per hall."""

    flags: dict[str, np.ndarray]   # rows of flag_block
    flag_block: np.ndarray         # (HALL_FLAGS, items)
    powered: np.ndarray
    cooled: np.ndarray
    served_by_busway: np.ndarray   # group position or -1
    served_by_cdu: np.ndarray
    served_by_air: np.ndarray
    link_down: np.ndarray          # racks cabled to a network rack without power or cooling
    load_kw: np.ndarray
    limit_kw: np.ndarray
    ports_used: np.ndarray
    links: tuple[np.ndarray, ...]  # rack pos, network pos, count, length, medium
    violations: dict[str, list[Violation]]
    summary: np.ndarray            # (halls, SUMMARY_FIELDS)
    media_count: np.ndarray        # (halls, media)
    media_metres: np.ndarray       # (halls, media)
    longest_m: np.ndarray          # (halls,)
    worst_latency_ns: np.ndarray   # (halls,)
    reuse: dict | None = None      # what the next evaluation of the same hall may reuse


@functools.lru_cache(maxsize=1 << 16)
def _rect_box(poly: tuple) -> tuple[float, float, float, float] | None:
    """The box of a polygon that is an axis-aligned rectangle, else None (cached: halls
    and their columns rarely change)."""
    if len(poly) != 4:
        return None
    for (xa, ya), (xb, yb) in zip(poly, poly[1:] + poly[:1]):
        if (xa == xb) == (ya == yb):  # each side must be vertical or horizontal, not both
            return None
    xs = {p[0] for p in poly}
    ys = {p[1] for p in poly}
    if len(xs) != 2 or len(ys) != 2:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


@functools.lru_cache(maxsize=1 << 14)
def _polygon(poly: tuple):
    return shapely.Polygon(poly)


#: Geometry is evaluated in hall-relative coordinates snapped to this grid (1 µm), so a
#: design moved as a whole evaluates identically: float noise cannot tip a comparison.
SNAP_M = 1e-6


def _snap(v):
    return np.round(np.asarray(v, float) / SNAP_M) * SNAP_M


@functools.lru_cache(maxsize=1 << 16)
def _relative_polygon(points: tuple, ox: float, oy: float) -> tuple:
    rel = _snap(np.asarray(points, float) - (ox, oy))
    return tuple(map(tuple, rel.tolist()))


class _Group:
    """Arrays for the items of a group of halls and helpers for messages.

    ``x``/``y`` (and busway ends) are relative to each hall's origin (the lower-left
    corner of its outline) and snapped to 1 µm; messages use the plan coordinates.
    """

    def __init__(self, design: Design, types: TypeTable, halls: list[Hall], rows: np.ndarray):
        t = design.equipment
        self.halls = halls
        self.rows = rows
        self.ids = t.ids
        self.tc = t.type_code[rows]
        self.kind = types.kind[self.tc]
        self.rot = t.rotation[rows]
        self.sys = t.system_code[rows]
        self.systems = t.systems
        code_to_group = np.full(max(len(t.halls.names), 1), -1, np.int64)
        for g, hall in enumerate(halls):
            code = t.halls.codes.get(hall.id)
            if code is not None:
                code_to_group[code] = g
        self.hk = code_to_group[t.hall_code[rows]]
        self.ox = np.array([hall.bounds()[0] for hall in halls] or [0.0])
        self.oy = np.array([hall.bounds()[1] for hall in halls] or [0.0])
        self.ax = t.x[rows]
        self.ay = t.y[rows]
        ox, oy = self.ox[self.hk], self.oy[self.hk]
        self.x = _snap(self.ax - ox)
        self.y = _snap(self.ay - oy)
        self.x2 = _snap(t.x2[rows] - ox)
        self.y2 = _snap(t.y2[rows] - oy)
        self.out: dict[str, list[Violation]] = {hall.id: [] for hall in halls}

    def poly(self, h: int, points) -> tuple:
        """A polygon of hall ``h`` in its snapped relative coordinates."""
        return _relative_polygon(tuple(map(tuple, points)), float(self.ox[h]), float(self.oy[h]))

    def id(self, p: int) -> str:
        return self.ids[int(self.rows[p])]

    def add(self, kind: str, positions, message: str, x=None, y=None) -> None:
        """Record a violation at the first item (or at relative ``x``, ``y`` of its hall)."""
        p = int(positions[0])
        h = int(self.hk[p])
        hall = self.halls[h]
        vx = float(self.ax[p] if x is None else x + self.ox[h])
        vy = float(self.ay[p] if y is None else y + self.oy[h])
        self.out[hall.id].append(Violation(kind, tuple(self.id(q) for q in positions), message, hall.id, vx, vy))


_OBSTACLES: dict[tuple, tuple] = {}


def _obstacles(g: "_Group", halls: list[Hall]):
    """Columns and keep-out zones of the halls in relative coordinates, with their grid
    index: (polygons, (label, number) each, rectangle flags, BoxIndex or None, boxes, hall
    keys). Cached
    by the halls' obstacles and origins, which rarely change while racks are edited."""
    key = tuple((float(g.ox[i]), float(g.oy[i]), tuple(tuple(map(tuple, p)) for p in h.columns),
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


@dataclass
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
    index: bx.BoxIndex | None = None  # the footprints' grid (not kept by an update)


#: An evaluation of one hall reuses the previous one's geometry when at most this many
#: floor items (or an eighth of them) moved; beyond, the grid is rebuilt.
GEOMETRY_MOVED_MAX = 16


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


def _geometry(g: "_Group", types: TypeTable, st: Settings, halls: list[Hall], hall_shape,
              prev: _Geometry | None) -> _Geometry:
    """The group's floor geometry: from ``prev`` (the same hall's last geometry) when only
    a few items moved, else from scratch with the grid index."""
    obstacles = _obstacles(g, halls)
    outlines = hall_shape[2]
    if (prev is not None and len(halls) == 1 and prev.types is types and prev.st is st
            and prev.obstacles is obstacles and prev.outlines == outlines and len(prev.rows) == len(g.rows)
            and np.array_equal(prev.rows, g.rows) and np.array_equal(prev.tc, g.tc)):
        geo = _moved_geometry(prev, g, st, hall_shape)
        if geo is not None:
            return geo
    kind, tc, hk = g.kind, g.tc, g.hk
    fl = np.flatnonzero(kind <= AIR)
    fh = hk[fl]
    fk = kind[fl]
    w = types.width[tc[fl]]
    d = types.depth[tc[fl]]
    c, s = bx.axes(g.rot[fl])
    fx, fy = g.x[fl], g.y[fl]
    fb = bx.boxes(fx, fy, w, d, c, s)
    # service zones (racks and CDUs front and rear; air handlers front only) and exhaust
    # strips (racks, when the airflow check is on)
    n_front, n_rear = int((fk <= AIR).sum()), int((fk <= CDU).sum())
    owner = np.concatenate([np.flatnonzero(fk <= AIR), np.flatnonzero(fk <= CDU)])
    rear_side = np.concatenate([np.zeros(n_front, bool), np.ones(n_rear, bool)])
    zlen = np.where(rear_side, st.rear_m, st.front_m)
    if not (st.front_m > 0 or st.rear_m > 0):
        owner, rear_side, zlen = owner[:0], rear_side[:0], zlen[:0]
    racks = np.flatnonzero(fk <= NETWORK) if st.airflow_m > 0 else np.zeros(0, np.int64)
    none = np.zeros((0, 4))
    geo = _Geometry(types, st, outlines, obstacles, g.rows.copy(), g.x, g.y, g.rot, g.tc, fl, fh, fk, w, d, c, s, fx, fy,
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
    n_fl = len(fl)
    a, b = found[0]
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
    moved = (prev.x != g.x) | (prev.y != g.y) | (prev.rot != g.rot)
    fl = prev.fl
    mk = np.flatnonzero(moved[fl])
    n_fl = len(fl)
    if len(mk) > max(GEOMETRY_MOVED_MAX, n_fl // 8):
        return None
    geo = copy.copy(prev)
    geo.x, geo.y, geo.rot = g.x, g.y, g.rot
    geo.index = None
    if not len(mk):
        return geo
    geo.c, geo.s = prev.c.copy(), prev.s.copy()
    geo.c[mk], geo.s[mk] = bx.axes(g.rot[fl[mk]])
    geo.fx, geo.fy = g.x[fl], g.y[fl]
    geo.fb = prev.fb.copy()
    geo.fb[mk] = bx.boxes(geo.fx[mk], geo.fy[mk], geo.w[mk], geo.d[mk], geo.c[mk], geo.s[mk])
    geo.aligned = prev.aligned.copy()
    geo.aligned[mk] = (geo.c[mk] == 0) | (geo.s[mk] == 0)
    geo.inside = prev.inside.copy()
    geo.inside[mk] = _within(geo.fb[mk], geo.fh[mk], geo.aligned[mk], lambda q: _corners(geo, mk[q]), hall_shape)
    is_moved = np.zeros(n_fl, bool)
    is_moved[mk] = True
    fb, fh = geo.fb, geo.fh
    # footprints: pairs of a moved item with any other, each unordered pair once
    a, b = prev.fp
    keep = ~(is_moved[a] | is_moved[b])
    qi, j = bx.overlapping(fb[mk], fh[mk], fb, fh)
    m = mk[qi]
    new = (m != j) & ~(is_moved[j] & (j < m))
    m, j = m[new], j[new]
    geo.fp = _canon(np.concatenate([a[keep], np.minimum(m, j)]), np.concatenate([b[keep], np.maximum(m, j)]), n_fl)
    ob_boxes, ob_keys = geo.obstacles[4], geo.obstacles[5]

    def update(pairs, boxes_, keys, moved_boxes, n_b):
        """Pairs (box, footprint) after the moved footprints and ``moved_boxes`` changed."""
        z, jj = pairs
        keep = ~(moved_boxes[z] | is_moved[jj])
        zm = np.flatnonzero(moved_boxes)
        z1, j1 = bx.overlapping(boxes_[zm], keys[zm], fb, fh)
        zs = np.flatnonzero(~moved_boxes)
        z2, j2 = bx.overlapping(boxes_[zs], keys[zs], fb[mk], fh[mk])
        return _canon(np.concatenate([z[keep], zm[z1], zs[z2]]), np.concatenate([jj[keep], j1, mk[j2]]), n_b)

    def update_ob(pairs, boxes_, keys, moved_boxes):
        """Pairs (box, obstacle) after ``moved_boxes`` changed."""
        z, o = pairs
        if ob_boxes is None:
            return z, o
        keep = ~moved_boxes[z]
        zm = np.flatnonzero(moved_boxes)
        z1, o1 = bx.overlapping(boxes_[zm], keys[zm], ob_boxes, ob_keys)
        return _canon(np.concatenate([z[keep], zm[z1]]), np.concatenate([o[keep], o1]), len(ob_keys))

    geo.ob_fp = update_ob(prev.ob_fp, fb, fh, is_moved)
    if len(geo.owner):
        zmoved = is_moved[geo.owner]
        zm = np.flatnonzero(zmoved)
        geo.zx, geo.zy, geo.zb = prev.zx.copy(), prev.zy.copy(), prev.zb.copy()
        geo.zx[zm], geo.zy[zm], geo.zb[zm] = _zone_boxes(geo, zm)
        geo.z_inside = prev.z_inside.copy()
        geo.z_inside[zm] = _within(geo.zb[zm], fh[geo.owner[zm]], geo.aligned[geo.owner[zm]],
                                   lambda q: _corners(geo, geo.owner[zm[q]], geo.zlen[zm[q]], geo.zx[zm[q]],
                                                      geo.zy[zm[q]]), hall_shape)
        zh = fh[geo.owner]
        geo.zone = update(prev.zone, geo.zb, zh, zmoved, n_fl)
        geo.ob_zone = update_ob(prev.ob_zone, geo.zb, zh, zmoved)
    if len(geo.racks):
        smoved = is_moved[geo.racks]
        sm = np.flatnonzero(smoved)
        geo.sb = prev.sb.copy()
        geo.sb[sm] = _strip_boxes(geo, sm, st.airflow_m)
        geo.strip = update(prev.strip, geo.sb, fh[geo.racks], smoved, n_fl)
    return geo


def _radius(g: "_Group", units: np.ndarray, hk: np.ndarray) -> np.ndarray:
    """Per hall, the first search radius: about one unit spacing (√ of floor area per unit)."""
    area = np.array([h.area() for h in g.halls])
    count = np.bincount(hk[units], minlength=len(g.halls))
    return np.clip(np.sqrt(area / np.maximum(count, 1)), 2.0, 50.0)


def evaluate_group(design: Design, types: TypeTable, st: Settings, halls: list[Hall],
                   rows: np.ndarray, reuse: dict | None = None) -> GroupResult:
    """Evaluate the hall-local rules and allocations for ``halls`` (items ``rows``, hall-sorted).

    ``reuse`` is what the previous evaluation of the same hall left (``GroupResult.reuse``:
    its geometry and pair tables), reused for the items that did not move; whatever does
    not match the items now is ignored. Only a group of one hall leaves or takes it."""
    before = reuse if len(halls) == 1 and reuse is not None else {}
    after: dict | None = {} if len(halls) == 1 else None
    g = _Group(design, types, halls, rows)
    n = len(rows)
    flag_block = np.zeros((len(HALL_FLAGS), n), bool)  # one row per flag (spliced as one array)
    flags = dict(zip(HALL_FLAGS, flag_block))
    kind, tc, hk = g.kind, g.tc, g.hk
    H = len(halls)
    tray = np.array([st.tray_drop_m if h.tray_drop_m is None else h.tray_drop_m for h in halls])
    hall_ids = tuple(h.id for h in halls) if len(halls) <= 4 else None

    def hint(resource: str) -> tuple | None:
        """Names an allocation of a few halls (see _fast_worth_trying)."""
        return (resource, hall_ids) if hall_ids else None

    # ------------------------------------------------------------ geometry
    outlines = [g.poly(i, h.outline) for i, h in enumerate(halls)]
    hall_box = [_rect_box(o) for o in outlines]
    rect_hall = np.array([b is not None for b in hall_box], bool)
    hb = np.array([b if b is not None else [np.inf, np.inf, -np.inf, -np.inf] for b in hall_box]).reshape(H, 4)
    geo = _geometry(g, types, st, halls, (hb, rect_hall, outlines), before.get("geometry"))
    if after is not None:
        after["geometry"] = geo
    fl, fh, fk, w, d, c, s, fx, fy, fb = geo.fl, geo.fh, geo.fk, geo.w, geo.d, geo.c, geo.s, geo.fx, geo.fy, geo.fb
    aligned = geo.aligned
    poly_cache: dict[int, object] = {}

    def exact(k: int):
        """Shapely footprint of floor item k (only for items at odd angles)."""
        if k not in poly_cache:
            poly_cache[k] = shapely.Polygon(_corners(geo, k))
        return poly_cache[k]

    for k in np.flatnonzero(~geo.inside):
        flags["outside-hall"][fl[k]] = True
        g.add("outside-hall", (fl[k],), f"{g.id(fl[k])} is not inside the outline of {halls[fh[k]].name}")

    owner, rear_side, zlen, zx, zy = geo.owner, geo.rear_side, geo.zlen, geo.zx, geo.zy
    zones = bool(len(owner))
    has_zone = zlen > 0
    racks = geo.racks
    ob_poly, ob_label, ob_rect_a, ob_index = geo.obstacles[:4]

    def ob_name(o: int) -> str:
        return f"{ob_label[o][0]} #{ob_label[o][1]}"

    def ob_exact(o: int):
        return _polygon(ob_poly[o])

    if ob_index is not None:
        fi, oi = geo.ob_fp
        for k, o in zip(fi, oi):
            if not (ob_rect_a[o] and aligned[k]):
                geom = exact(k) if not aligned[k] else shapely.box(*fb[k])
                if shapely.area(shapely.intersection(geom, ob_exact(o))) <= 0:
                    continue
            flags["obstruction"][fl[k]] = True
            g.add("obstruction", (fl[k],), f"{g.id(fl[k])} stands on {ob_name(o)} of {halls[fh[k]].name}")

    a, b = geo.fp
    for i, j in zip(a, b):
        if not (aligned[i] and aligned[j]):
            if shapely.area(shapely.intersection(exact(i), exact(j))) <= 1e-9:
                continue
        flags["overlap"][fl[i]] = True
        flags["overlap"][fl[j]] = True
        g.add("overlap", (fl[i], fl[j]), f"{g.id(fl[i])} overlaps {g.id(fl[j])}")

    # service zones
    if zones:
        zi, ej = geo.zone
        other = (owner[zi] != ej) & has_zone[zi]
        zi, ej = zi[other], ej[other]
        seen: set[tuple[int, int]] = set()
        for z, j in zip(zi, ej):
            i = owner[z]
            if (i, j) in seen:
                continue
            if not (aligned[i] and aligned[j]):
                zone = shapely.Polygon(bx.rect_corners(zx[z:z + 1], zy[z:z + 1], w[i:i + 1], zlen[z:z + 1],
                                                       c[i:i + 1], s[i:i + 1])[0])
                if shapely.area(shapely.intersection(zone, exact(j))) <= 1e-9:
                    continue
            seen.add((int(i), int(j)))
            flags["clearance"][fl[i]] = True
            g.add("clearance", (fl[i], fl[j]), f"the {'rear' if rear_side[z] else 'front'} service zone of "
                  f"{g.id(fl[i])} ({zlen[z]:.2f} m) is blocked by {g.id(fl[j])}")
        if ob_index is not None:
            zi, oi = geo.ob_zone
            for z, o in zip(zi, oi):
                i = owner[z]
                if not has_zone[z]:
                    continue
                if not (ob_rect_a[o] and aligned[i]):
                    zone = shapely.Polygon(bx.rect_corners(zx[z:z + 1], zy[z:z + 1], w[i:i + 1], zlen[z:z + 1],
                                                           c[i:i + 1], s[i:i + 1])[0])
                    if shapely.area(shapely.intersection(zone, ob_exact(o))) <= 1e-9:
                        continue
                flags["clearance"][fl[i]] = True
                g.add("clearance", (fl[i],), f"the {'rear' if rear_side[z] else 'front'} service zone of "
                      f"{g.id(fl[i])} ({zlen[z]:.2f} m) is blocked by {ob_name(o)}")

        for z in np.flatnonzero(~geo.z_inside & has_zone & geo.inside[owner]):
            i = owner[z]
            flags["clearance"][fl[i]] = True
            g.add("clearance", (fl[i],), f"the {'rear' if rear_side[z] else 'front'} service zone of "
                  f"{g.id(fl[i])} ({zlen[z]:.2f} m) runs into the wall of {halls[fh[i]].name}")

    # airflow: a rack's exhaust strip meets a rack facing the same way (its intake)
    if len(racks):
        zi, ej = geo.strip
        i = racks[zi]
        ok = (ej != i) & (fk[ej] <= NETWORK) & ((c[i] * c[ej] + s[i] * s[ej]) > 0.7)
        for a_, b_ in zip(i[ok], ej[ok]):
            flags["airflow"][fl[b_]] = True
            g.add("airflow", (fl[a_], fl[b_]), f"the exhaust of {g.id(fl[a_])} blows into the intake of "
                  f"{g.id(fl[b_])} (less than {st.airflow_m:.1f} m apart, same orientation)", x=fx[b_], y=fy[b_])

    # floor load: weight over footprint vs the hall's rating
    if len(fl):
        rating = np.array([h.floor_rating_kg_m2 for h in halls])
        load = types.weight[tc[fl]] / (w * d)
        for k in np.flatnonzero(load > rating[fh]):
            flags["floor-load"][fl[k]] = True
            g.add("floor-load", (fl[k],), f"{g.id(fl[k])} loads the floor with {load[k]:,.0f} kg/m², over the "
                  f"{rating[fh[k]]:,.0f} kg/m² rating of {halls[fh[k]].name}")

    # ------------------------------------------------------------ power
    it = types.it_kw[tc]
    consumers = np.flatnonzero(it > 0)
    powered = it <= 0
    served_bw = np.full(n, -1, np.int64)
    load_kw = np.zeros(n)
    limit_kw = np.zeros(n)
    bw = np.flatnonzero(kind == BUSWAY)
    has_busways = np.zeros(H, bool)
    has_busways[hk[bw]] = True
    feeds = np.zeros(n, bool)
    feed_item = feed_bw = np.zeros(0, np.int64)
    if len(bw):
        xa, xb = np.minimum(g.x[bw], g.x2[bw]), np.maximum(g.x[bw], g.x2[bw])
        ya, yb = np.minimum(g.y[bw], g.y2[bw]), np.maximum(g.y[bw], g.y2[bw])
        lb = np.stack([xa, ya, xb, yb], 1)
        if geo.index is not None:
            li, fj = geo.index.query(lb, hk[bw], strict=False)
        else:
            li, fj = bx.overlapping(lb, hk[bw], fb, fh, strict=False)
        # a busway feeds a rack when it runs through the rack's footprint (not along an edge)
        horiz = ya[li] == yb[li]
        vert = xa[li] == xb[li]
        fbj = fb[fj]
        through = np.where(
            horiz, (fbj[:, 1] < ya[li]) & (ya[li] < fbj[:, 3]) & (xa[li] < fbj[:, 2]) & (fbj[:, 0] < xb[li]),
            np.where(vert, (fbj[:, 0] < xa[li]) & (xa[li] < fbj[:, 2]) & (ya[li] < fbj[:, 3]) & (fbj[:, 1] < yb[li]),
                     False))
        diag = np.flatnonzero(~horiz & ~vert)
        if len(diag):
            seg = shapely.linestrings(np.stack([np.stack([g.x[bw[li[diag]]], g.y[bw[li[diag]]]], 1),
                                                np.stack([g.x2[bw[li[diag]]], g.y2[bw[li[diag]]]], 1)], 1))
            polys = [exact(k) if not aligned[k] else shapely.box(*fb[k]) for k in fj[diag]]
            through[diag] = shapely.length(shapely.intersection(seg, np.array(polys, dtype=object))) > 1e-9
        item = fl[fj[through]]
        li = li[through]
        use = it[item] > 0
        item, li = item[use], li[use]
        order = np.lexsort((li, item))
        item, li = item[order], li[order]
        feeds[item] = True
        feed_item, feed_bw = item, bw[li]
        limit = types.busway_limit_kw[tc[bw]]
        served, _, grants = assign(n, item, li, item.astype(float), it, limit)
        powered |= served > 0
        served_bw[grants[0]] = bw[grants[1]]
        load_kw[bw] = np.bincount(grants[1], grants[2], minlength=len(bw))
        limit_kw[bw] = limit
        first = np.full(n, -1, np.int64)
        if len(item):
            firsts = np.r_[True, item[1:] != item[:-1]]
            first[item[firsts]] = li[firsts]
        fed = first >= 0
        demand = np.bincount(first[fed], it[fed], minlength=len(bw))
        lf_ = st.continuous_load
        for k in np.flatnonzero(demand > limit + 1e-9):
            p = bw[k]
            g.add("power-capacity", (p,), f"busway {g.id(p)} feeds {fmt_kw(demand[k])} of racks, over its "
                  f"{fmt_kw(limit[k])} continuous limit ({lf_ * 100:.0f} % of {fmt_kw(limit[k] / lf_)})",
                  x=(g.x[p] + g.x2[p]) / 2, y=(g.y[p] + g.y2[p]) / 2)
            flags["power-capacity"][p] = True
    no_feed_hall = ~has_busways[hk]
    powered |= no_feed_hall & (it > 0)   # a hall without busways: power distribution not modelled
    for k in consumers[~powered[consumers]]:
        flags["unpowered"][k] = True
        hall = halls[hk[k]]
        if not feeds[k]:
            msg = f"{g.id(k)} ({fmt_kw(it[k])}) is under no busway of {hall.name}"
        else:
            left = [f"{g.id(b)} has {fmt_kw(max(limit_kw[b] - load_kw[b], 0.0))} left" for b in feed_bw[feed_item == k]]
            msg = (f"{g.id(k)} ({fmt_kw(it[k])}) gets no power: too little capacity on the busway(s) above it "
                   f"({'; '.join(left)})")
        g.add("unpowered", (k,), msg)
    # each hall's critical IT capacity, served in file order
    cap = np.array([h.it_capacity_kw for h in halls])
    on = consumers[powered[consumers]]
    cum = _group_cumsum(hk[on], it[on])
    over = on[cum > cap[hk[on]] + 1e-9]
    if len(over):
        powered[over] = False
        flags["unpowered"][over] = True
        demand_h = np.bincount(hk, it, minlength=H)
        for hi in np.unique(hk[over]):
            hall = halls[hi]
            n_over = int((hk[over] == hi).sum())
            x0, y0, _, _ = hall.bounds()
            g.out[hall.id].append(Violation(
                "power-capacity", (hall.id,), f"{hall.name} draws {fmt_kw(demand_h[hi])} of IT load, over its "
                f"critical capacity of {fmt_kw(hall.it_capacity_kw)}; {n_over} item(s) left unpowered",
                hall.id, float(x0), float(y0)))
        for k in over:
            g.add("unpowered", (k,), f"{g.id(k)} ({fmt_kw(it[k])}) is beyond the "
                  f"{fmt_kw(cap[hk[k]])} critical capacity of {halls[hk[k]].name}")

    # ------------------------------------------------------------ cooling
    lfr = types.liquid_fraction[tc]
    liquid = it * lfr
    air = it - liquid
    cooled = np.ones(n, bool)
    served_cdu = np.full(n, -1, np.int64)
    served_air = np.full(n, -1, np.int64)
    for unit_kind, heat, served_arr, label in ((CDU, liquid, served_cdu, "liquid"), (AIR, air, served_air, "air")):
        units = np.flatnonzero(kind == unit_kind)
        capacity = types.capacity_kw[tc[units]]
        limit_kw[units] = capacity  # a unit's limit is its capacity, whether or not any heat needs it
        need = np.flatnonzero(heat > 0)
        if not len(need):
            continue
        reach = types.reach_m[tc[units]]

        # piping and air paths run along the aisles: Manhattan distance between centres
        served, grants = _serve_nearest(need, units, hk, g.x, g.y, 0.0, reach, heat[need], capacity,
                                        partial=False, radius_m=_radius(g, units, hk), hint=hint(label),
                                        reuse=(before.get(label), after, label))
        served_arr[need[grants[0]]] = units[grants[1]]
        load_kw[units] = np.bincount(grants[1], grants[2], minlength=len(units))
        limit_kw[units] = capacity
        unit_name = "CDU" if unit_kind == CDU else "air handler"
        has_units = np.zeros(H, bool)
        has_units[hk[units]] = True
        for k in need[served <= 0]:
            cooled[k] = False
            flags["cooling-capacity"][k] = True
            hall = halls[hk[k]]
            reason = (f"no {unit_name} in {hall.name}" if not has_units[hk[k]]
                      else f"no {unit_name} within reach has capacity left")
            g.add("cooling-capacity", (k,), f"{fmt_kw(heat[k])} of {label} heat from {g.id(k)} is not removed: {reason}")

    # ------------------------------------------------------------ interconnect
    comp = np.flatnonzero(kind == COMPUTE)
    ports_used = np.zeros(n)
    link_down = np.zeros(n, bool)  # a rack cabled to a network rack that has no power or cooling
    links = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
    if len(comp):
        # group by (hall, system): scale-up is checked within a hall; across halls in the combine step
        gkey = hk[comp].astype(np.int64) * (len(g.systems.names) + 1) + g.sys[comp]
        # (the row as the last key makes each key unique: a plain sort is then stable, and fast)
        order = np.argsort(gkey * len(comp) + np.arange(len(comp)), kind="stable")
        gs = gkey[order]
        starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        u = (g.x + g.y)[comp][order]
        v = (g.x - g.y)[comp][order]
        diam = np.maximum(np.maximum.reduceat(u, starts) - np.minimum.reduceat(u, starts),
                          np.maximum.reduceat(v, starts) - np.minimum.reduceat(v, starts))
        routed = (diam + 2 * tray[hk[comp[order[starts]]]]) * st.slack
        for grp in np.flatnonzero((sizes > 1) & (routed > st.scaleup_max_m + 1e-9)):
            members = comp[order[starts[grp]:starts[grp] + sizes[grp]]]
            flags["scaleup-reach"][members] = True
            name = g.systems[int(g.sys[members[0]])]
            g.add("scaleup-reach", members, f"UltraServer {name}: its racks need {routed[grp]:.1f} m of "
                  f"scale-up cable, beyond the {st.scaleup_max_m:.1f} m scale-up reach")

        # scale-out: each rack carries its share of its UltraServer's EFA links
        per_sys = types.links_per_system[tc[comp]]
        rps = types.racks_per_system[tc[comp]]
        rank = np.empty(len(comp), np.int64)
        rank[order] = np.arange(len(order)) - np.repeat(starts, sizes)
        base = np.floor(per_sys / rps)
        links_needed = base + (rank < (per_sys - base * rps))
        nets = np.flatnonzero(kind == NETWORK)
        ports = types.ports[tc[nets]]

        # routed length: (Manhattan + two tray drops) × slack (PRODUCT.md §3)
        served, grants = _serve_nearest(comp, nets, hk, g.x, g.y, 2 * tray[hk], np.full(len(nets), np.inf),
                                        links_needed, ports, partial=True, radius_m=_radius(g, nets, hk),
                                        scale=st.slack, hint=hint("network"),
                                        reuse=(before.get("network"), after, "network"))
        residual = links_needed - served
        gi, gn, gc = grants
        ports_used[nets] = np.bincount(gn, gc, minlength=len(nets))
        if len(gi):
            # routed length to the millimetre (as a cable is measured)
            length = np.round((np.abs(g.x[comp[gi]] - g.x[nets[gn]]) + np.abs(g.y[comp[gi]] - g.y[nets[gn]])
                               + 2 * tray[hk[comp[gi]]]) * st.slack, 3)
            cost = st.cost_link[None, :] + st.cost_m[None, :] * length[:, None]
            cost = np.where(st.reach[None, :] + 1e-9 >= length[:, None], cost, np.inf)
            medium = np.argmin(cost, axis=1)
            medium[~np.isfinite(cost[np.arange(len(length)), medium])] = -1
            links = (comp[gi], nets[gn], gc, length, medium)
            down = ~(powered[nets[gn]] & cooled[nets[gn]])
            link_down[comp[gi[down]]] = True
            for k in np.flatnonzero(medium < 0):
                r, q = comp[gi[k]], nets[gn[k]]
                flags["cable-reach"][r] = True
                g.add("cable-reach", (r, q), f"{gc[k]:.0f} link(s) from {g.id(r)} to {g.id(q)} need "
                      f"{length[k]:,.0f} m of cable, beyond every medium's reach ({st.reach.max():,.0f} m)")
        short = np.flatnonzero(residual > 1e-9)
        if len(short):
            flags["network-ports"][comp[short]] = True
            key = gkey[short]
            for kk in np.unique(key):
                members = short[key == kk]
                hall = halls[hk[comp[members[0]]]]
                in_hall = nets[hk[nets] == hk[comp[members[0]]]]
                total_ports = float(types.ports[tc[in_hall]].sum())
                where = (f"its {len(in_hall)} network rack(s) in {hall.name} have {total_ports:,.0f} ports, all taken"
                         if len(in_hall) else f"there is no network rack in {hall.name}")
                name = g.systems[int(g.sys[comp[members[0]]])]
                g.add("network-ports", comp[members], f"UltraServer {name}: {residual[members].sum():.0f} EFA "
                      f"link(s) find no free network port ({where})")

    # ------------------------------------------------------------ UltraServers in this group
    # Racks of one system in one hall form a group; a system split across halls is
    # judged per part here and flagged (scale-up) in the site-level step.
    nf = len(SYSTEM_FIGURES)
    peak = np.zeros((H, nf))
    eff = np.zeros((H, nf))
    n_sys_h = np.zeros(H)
    stranded_h = np.zeros(H)
    chips_h = np.zeros(H)
    if len(comp):
        rps_g = types.racks_per_system[tc[comp[order[starts]]]]
        for grp in np.flatnonzero(sizes != rps_g):
            members = comp[order[starts[grp]:starts[grp] + sizes[grp]]]
            flags["incomplete-system"][members] = True
            name = g.systems[int(g.sys[members[0]])]
            if sizes[grp] > rps_g[grp]:
                g.add("incomplete-system", members, f"UltraServer {name} has {sizes[grp]} racks; a "
                      f"{types.labels[tc[members[0]]]} is {rps_g[grp]} racks (give the extra racks their own system)")
                continue
            g.add("incomplete-system", members, f"UltraServer {name} has {sizes[grp]} of the {rps_g[grp]} racks "
                  f"a {types.labels[tc[members[0]]]} needs")
        bad = ~powered | ~cooled | link_down
        for k in STRANDING_FLAGS:
            bad |= flags[k]
        bad_g = np.add.reduceat(bad[comp][order].astype(np.int64), starts) > 0
        eff_g = ~bad_g
        eff_comp = np.empty(len(comp), bool)
        eff_comp[order] = np.repeat(eff_g, sizes)
        hc = hk[comp]
        rps_f = rps.astype(float)
        for f, (fig, _, div) in enumerate(SYSTEM_FIGURES):
            share = types.system[fig][tc[comp]] / rps_f
            peak[:, f] = np.bincount(hc, share, minlength=H) / div
            eff[:, f] = np.bincount(hc, share * eff_comp, minlength=H) / div
        chips_h = np.bincount(hc, types.chips[tc[comp]] / rps_f, minlength=H)
        first_h = hk[comp[order[starts]]]
        n_sys_h = np.bincount(first_h, minlength=H).astype(float)
        stranded_h = np.bincount(first_h, ~eff_g, minlength=H)
    rack_count = np.bincount(hk[comp], minlength=H).astype(float)
    m = len(st.media)
    rack_pos, net_pos, count, length, medium = links
    ok = medium >= 0
    lh = hk[rack_pos[ok]] * m + medium[ok]
    media_count = np.bincount(lh, count[ok], minlength=H * m).reshape(H, m)
    media_metres = np.bincount(lh, count[ok] * length[ok], minlength=H * m).reshape(H, m)
    longest = np.zeros(H)
    worst = np.zeros(H)
    if len(rack_pos):
        np.maximum.at(longest, hk[rack_pos], length)
        lat = length[ok] * st.lat_m[medium[ok]] + st.lat_fixed[medium[ok]]
        np.maximum.at(worst, hk[rack_pos[ok]], lat)
    summary = np.column_stack([
        np.bincount(hk, it, minlength=H), np.bincount(hk, it * powered, minlength=H),
        np.bincount(hk, liquid, minlength=H), np.bincount(hk, air, minlength=H),
        np.bincount(hk, (~powered) & (it > 0), minlength=H), np.bincount(hk, ~cooled, minlength=H),
        np.bincount(hk[rack_pos], count, minlength=H) if len(rack_pos) else np.zeros(H),
        rack_count, chips_h, n_sys_h, stranded_h, peak, eff,
    ]).reshape(H, len(SUMMARY_FIELDS))
    return GroupResult(flags=flags, flag_block=flag_block, powered=powered, cooled=cooled, served_by_busway=served_bw,
                       served_by_cdu=served_cdu, served_by_air=served_air, link_down=link_down, load_kw=load_kw,
                       limit_kw=limit_kw, ports_used=ports_used, links=links, violations=g.out, summary=summary,
                       media_count=media_count, media_metres=media_metres, longest_m=longest,
                       worst_latency_ns=worst, reuse=after)


def _sort_key(item: np.ndarray, dist: np.ndarray, unit: np.ndarray, n_items: int, n_units: int) -> np.ndarray:
    """One int64 key ordering candidates by (item, distance to the millimetre, unit): a
    single integer sort is ~10× faster than a three-key lexsort."""
    bu = max(1, int(n_units).bit_length())
    bi = max(1, int(n_items).bit_length())
    bd = 63 - bu - bi
    d_mm = np.minimum(np.rint(dist * 1000.0), float((1 << bd) - 1)).astype(np.int64)
    return (item.astype(np.int64) << (bd + bu)) | (d_mm << bu) | unit.astype(np.int64)


class _Pairs:
    """Every (item, unit of the item's hall) pair of a group, as padded arrays of shape
    (items, most units in a hall): unit index, routed distance, Chebyshev distance and
    whether the unit exists and reaches. Built once per allocation when the group is
    small (one hall re-evaluated after an edit, a small design) and shared by the
    one-step path, the passes and the table, instead of a grid index per pass; in a
    large group, per chunk of items for the table passes only."""

    def __init__(self, table: np.ndarray, ih, ix, iy, ux, uy, ex, reach, scale):
        cand = table[ih]
        self.unit = cu = np.maximum(cand, 0)
        adx = np.abs(ix[:, None] - ux[cu])
        ady = np.abs(iy[:, None] - uy[cu])
        # the same expressions as the passes' (so the same floats)
        self.dist = np.round((adx + ady + ex[:, None]) * scale, 9)
        self.cheb = np.maximum(adx, ady)
        self.ok = (cand >= 0) & (self.dist <= reach[cu])


@dataclass
class _PairState:
    """A call's pair table with the inputs it was built from, so that the next evaluation
    of the same hall patches the rows of the items that moved (same items, same units)."""

    items: np.ndarray
    units: np.ndarray
    ix: np.ndarray
    iy: np.ndarray
    ex: np.ndarray
    ux: np.ndarray
    uy: np.ndarray
    reach: np.ndarray
    scale: float
    table: np.ndarray
    pairs: _Pairs | None

    @classmethod
    def reused(cls, prev: "_PairState | None", items, units, ih, ix, iy, ex, ux, uy, reach,
               scale) -> "_PairState | None":
        """``prev`` with the rows of items whose position (or extra length) changed built
        again (the same expressions, so the same floats); None when it does not apply."""
        if (prev is None or prev.pairs is None or prev.scale != scale or len(prev.items) != len(items)
                or len(prev.units) != len(units) or not np.array_equal(prev.items, items)
                or not np.array_equal(prev.units, units) or not np.array_equal(prev.ux, ux)
                or not np.array_equal(prev.uy, uy) or not np.array_equal(prev.reach, reach)):
            return None
        rows = np.flatnonzero((prev.ix != ix) | (prev.iy != iy) | (prev.ex != ex))
        if len(rows) > max(16, len(items) // 8):
            return None
        pairs = prev.pairs
        if len(rows):
            pairs = copy.copy(prev.pairs)
            sub = _Pairs(prev.table, ih[rows], ix[rows], iy[rows], ux, uy, ex[rows], reach, scale)
            for name in ("dist", "cheb", "ok"):
                arr = getattr(prev.pairs, name).copy()
                arr[rows] = getattr(sub, name)
                setattr(pairs, name, arr)
        return cls(items, units, ix, iy, ex, ux, uy, reach, scale, prev.table, pairs)


def _unit_table(uh: np.ndarray, n_h: int) -> np.ndarray:
    """(halls, most units in a hall): each hall's unit indices ascending, padded with -1."""
    counts = np.bincount(uh, minlength=n_h)
    u_order = np.argsort(uh, kind="stable")
    rank = np.arange(len(uh)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((n_h, int(counts.max())), -1, np.int64)
    table[uh[u_order], rank] = u_order
    return table


#: Serve halls where no unit's capacity binds in one step (see _serve_unconstrained).
FAST_PATH = True
#: Groups whose padded pair table (items × most units in a hall) is at most this big use
#: :class:`_Pairs` (and may take the one-step path); larger groups search a grid per pass.
FAST_CELLS = 100_000


#: Per call site (resource, halls): how many more calls skip the one-step path after it
#: last found a unit that binds. Only speed depends on this, never a result.
_FAST_SKIP: dict[tuple, int] = {}
FAST_RETRY_EVERY = 8


def _fast_worth_trying(hint: tuple | None) -> bool:
    left = _FAST_SKIP.get(hint, 0) if hint is not None else 0
    if left > 0:
        _FAST_SKIP[hint] = left - 1
        return False
    return True


def _fast_tried(hint: tuple | None, served: bool) -> None:
    if hint is None:
        return
    if served:
        _FAST_SKIP.pop(hint, None)
        return
    if len(_FAST_SKIP) >= 4096:
        _FAST_SKIP.clear()
    _FAST_SKIP[hint] = FAST_RETRY_EVERY - 1


def _serve_unconstrained(pairs: _Pairs, ih, uh, demand, capacity, dense, radius_m, n_h):
    """The passes of :func:`_serve_nearest` in one step for the halls where capacity never binds.

    In every pass an item asks its candidates in order and is served by the first one
    while that unit has room. If, in a hall, every unit can take the demand of *all* the
    items whose first candidate it is, with a margin, then no request is ever refused
    and every unit stays live in every pass: each item is served whole by its first
    candidate of the first pass that offers one. That first candidate is the nearest
    unit (ties to the lower unit index) among, in turn, the units within the hall's
    radius (pass 1, distance to the millimetre), within four radii (pass 2) and within
    reach (the table pass, exact distance) — exactly the passes' candidate orders.

    Returns ``(done per item, grants)`` with the grants in the order the passes would
    make them (pass, unit, millimetres, item), or None when no hall qualifies.
    """
    todo = np.flatnonzero(demand > 1e-9)
    if not len(todo):
        return None
    cu = pairs.unit[todo]
    dist = pairs.dist[todo]
    valid = pairs.ok[todo] & (capacity[cu] > 1e-9)
    cheb = pairs.cheb[todo]
    rad = radius_m[ih[todo]][:, None]
    grid = ~dense[ih[todo]][:, None]
    mm = np.rint(dist * 1000.0)
    rows = np.arange(len(todo))
    col = np.full(len(todo), -1, np.int64)
    tier = np.full(len(todo), 3, np.int64)
    # passes 1 and 2 (halls searched on the grid): nearest to the millimetre, then unit index
    for t_, widen in ((0, 1.0), (1, 4.0)):
        key = np.where(valid & grid & (cheb <= rad * widen) & (col < 0)[:, None], mm, np.inf)
        c_ = np.argmin(key, axis=1)
        got = np.isfinite(key[rows, c_])
        col[got] = c_[got]
        tier[got] = t_
    # the table pass: nearest by exact distance, then unit index
    key = np.where(valid & (col < 0)[:, None], dist, np.inf)
    c_ = np.argmin(key, axis=1)
    got = np.isfinite(key[rows, c_])
    col[got] = c_[got]
    tier[got] = 2
    sel = np.flatnonzero(col >= 0)
    unit = cu[sel, col[sel]]
    d_item = demand[todo]
    load = np.bincount(unit, d_item[sel], minlength=len(capacity))
    bad_h = np.zeros(n_h, bool)
    bad_h[uh[(load > 0) & (load > capacity - 1e-6)]] = True
    ok_item = ~bad_h[ih[todo]]
    if not ok_item.any():
        return None
    keep = ok_item[sel]
    sel, unit = sel[keep], unit[keep]
    item, gd, gt = todo[sel], dist[sel, col[sel]], tier[sel]
    o = np.lexsort((item, np.rint(gd * 1000.0), unit, gt))
    done = demand <= 1e-9
    done[todo[ok_item]] = True
    return done, (item[o], unit[o], d_item[sel][o])


def _serve_nearest(items: np.ndarray, units: np.ndarray, hall_of: np.ndarray, x: np.ndarray, y: np.ndarray,
                   extra: np.ndarray, reach: np.ndarray, demand: np.ndarray, capacity: np.ndarray,
                   partial: bool, radius_m: np.ndarray, scale: float = 1.0, hint: tuple | None = None,
                   reuse: tuple | None = None):
    """Serve items from units of their own hall, nearest first, within reach and capacity.

    Distance = (Manhattan between centres + ``extra[item]``) × ``scale``. First passes:
    the units within ``radius_m[hall]`` of each item (Chebyshev), then within four times
    that (most items are served by a unit nearby); then items still unserved try their
    ``TABLE_K`` nearest units of the hall that have capacity left, then all of them.
    Every choice depends only on the item's own hall, so evaluating one hall alone gives
    the same result as evaluating the whole site. Returns (served per item, grants as
    (item index, unit index, amount)). ``hint`` names the call (resource and halls) so
    that a hall where capacity bound last time does not try the one-step path at every
    edit (see :func:`_fast_worth_trying`; the result is the same either way). ``reuse``
    is (the previous :class:`_PairState` of this call in this hall or None, the dict to
    leave the new one in or None, its key): the pair table is then patched for the items
    that moved instead of built again.
    """
    served = np.zeros(len(items))
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if not len(units) or not len(items):
        return served, empty
    remaining = capacity.astype(float).copy()
    grants_all = []
    ih = hall_of[items]
    uh = hall_of[units]
    ix, iy, ux, uy = x[items], y[items], x[units], y[units]
    ex = extra[items] if np.ndim(extra) else np.full(len(items), float(extra))

    def run(ci: np.ndarray, cu: np.ndarray, ck: np.ndarray) -> None:
        nonlocal served
        got, _, grants = assign(len(items), ci, cu, ck, np.where(demand - served > 1e-9, demand - served, 0.0),
                                remaining, partial=partial)
        served = served + got
        np.subtract.at(remaining, grants[1], grants[2])
        grants_all.append(grants)

    # A hall with few pairs (items × units) goes straight to the full table; larger halls
    # first look near each item. Decided per hall, so one hall evaluated alone is served
    # exactly as when the whole site is evaluated.
    n_h = int(max(ih.max(), uh.max())) + 1
    dense = np.bincount(ih, minlength=n_h) * np.bincount(uh, minlength=n_h) <= DENSE_PAIRS
    state = _PairState.reused(reuse[0], items, units, ih, ix, iy, ex, ux, uy, reach, scale) if reuse else None
    if state is None:
        table = _unit_table(uh, n_h)
        pairs = _Pairs(table, ih, ix, iy, ux, uy, ex, reach, scale) if len(items) * table.shape[1] <= FAST_CELLS \
            else None
        state = _PairState(items, units, ix, iy, ex, ux, uy, reach, scale, table, pairs)
    table, pairs = state.table, state.pairs
    if reuse and reuse[1] is not None:
        reuse[1][reuse[2]] = state
    if pairs is not None and FAST_PATH and _fast_worth_trying(hint):
        fast = _serve_unconstrained(pairs, ih, uh, demand, remaining, dense, radius_m, n_h)
        _fast_tried(hint, fast is not None)
        if fast is not None:
            done_items, grants = fast
            served[grants[0]] = grants[2]
            np.subtract.at(remaining, grants[1], grants[2])
            grants_all.append(grants)
            if done_items.all():
                return served, grants
            # the halls where some unit binds go through the passes below
            demand = np.where(done_items, 0.0, demand)
    # passes 1 and 2: units near each item, widening
    for widen in (1.0, 4.0):
        todo = np.flatnonzero(demand - served > 1e-9)
        todo = todo[~dense[ih[todo]]]
        if not len(todo):
            break
        if pairs is not None:
            near = (pairs.ok[todo] & (remaining[pairs.unit[todo]] > 1e-9)
                    & (pairs.cheb[todo] <= radius_m[ih[todo]][:, None] * widen))
            r, c = np.nonzero(near)
            qi, qu, dist = todo[r], pairs.unit[todo[r], c], pairs.dist[todo[r], c]
        else:
            live = np.flatnonzero(remaining > 1e-9)
            if not len(live):
                break
            ru = radius_m[uh[live]] * widen
            rt = radius_m[ih[todo]] * widen
            index = bx.PointIndex(ux[live] / ru, uy[live] / ru, uh[live], 1.0)
            qi, qu = index.near(ix[todo] / rt, iy[todo] / rt, ih[todo])
            qi, qu = todo[qi], live[qu]
            # rounded to 1 nm so that equal distances on a grid tie exactly, whatever the float noise
            adx = np.abs(ix[qi] - ux[qu])
            ady = np.abs(iy[qi] - uy[qu])
            dxy = np.maximum(adx, ady)
            dist = np.round((adx + ady + ex[qi]) * scale, 9)
            # the grid only narrows the search; the candidates are exactly the units within
            # the hall's radius (Chebyshev), so the choice does not depend on where cells fall
            ok = (dist <= reach[qu]) & (dxy <= radius_m[ih[qi]] * widen)
            qi, qu, dist = qi[ok], qu[ok], dist[ok]
        if not len(qi):
            continue
        # order each item's candidates by distance, ties by unit index (not by grid-cell order)
        # keys are unique; candidates come grouped by item, so a merge sort (timsort) finds
        # the runs and is several times faster than the default quicksort
        o = np.argsort(_sort_key(qi, dist, qu, len(items), len(units)), kind="stable")
        run(qi[o], qu[o], dist[o])
    # then the table of every unit of the hall: first each item's TABLE_K nearest, then all
    for k_limit in (TABLE_K, None):
        todo = np.flatnonzero(demand - served > 1e-9)
        if not len(todo):
            break
        step = max(1, 4_000_000 // table.shape[1])
        parts = []
        for lo in range(0, len(todo), step):
            t = todo[lo:lo + step]
            if pairs is not None:
                cu, ok, dist = pairs.unit[t], pairs.ok[t], pairs.dist[t]
            else:  # a large group: the pairs of this chunk of items only
                chunk = _Pairs(table, ih[t], ix[t], iy[t], ux, uy, ex[t], reach, scale)
                cu, ok, dist = chunk.unit, chunk.ok, chunk.dist
            dist = np.where(ok & (remaining[cu] > 1e-9), dist, np.inf)
            if k_limit is not None and dist.shape[1] > k_limit:
                # the k nearest (ties to the lower unit index: columns are in unit order, and a
                # column's nudge stays below the 1 nm rounding of distances whatever the group)
                part = np.argpartition(dist + np.arange(dist.shape[1]) * 1e-12, k_limit - 1, axis=1)[:, :k_limit]
                pd = np.take_along_axis(dist, part, 1)
                pc = np.take_along_axis(cu, part, 1)
                o = np.lexsort((pc, pd), axis=1)
                dd = np.take_along_axis(pd, o, 1)
                uu = np.take_along_axis(pc, o, 1)
            else:
                cols = np.argsort(dist, axis=1, kind="stable")
                dd = np.take_along_axis(dist, cols, 1)
                uu = np.take_along_axis(cu, cols, 1)
            fin = np.isfinite(dd)
            parts.append((np.repeat(t, fin.sum(1)), uu[fin], dd[fin]))
        ci = np.concatenate([p[0] for p in parts])
        if len(ci):
            run(ci, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]))
        if table.shape[1] <= TABLE_K:
            break  # the first round already offered every unit
    if not grants_all:
        return served, empty
    return served, tuple(np.concatenate([gr[i] for gr in grants_all]) for i in range(3))
