"""Everything that is local to halls, evaluated for a group of halls at once.

Items of a group arrive in hall-sorted order (each hall's rows ascending). The floor
geometry and its candidate pairs come from :mod:`geometry` (numpy boxes, a grid index
keyed by hall; shapely only for odd angles, outlines that are not rectangles and
obstacles that are not boxes); this module turns them into rules and violations.
Busways serve the racks beneath them in one :func:`allocate.assign` call; cooling units
and network racks serve items nearest first (:mod:`serve`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from designer.engine import boxes as bx
from designer.engine.allocate import _group_cumsum, assign
from designer.engine.evaluation import Violation
from designer.engine.geometry import _corners, _geometry, _polygon, _rect_box, _relative_polygon, _snap
from designer.engine.serve import _serve_nearest
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
        self.area = np.array([hall.area() for hall in halls])

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


def _radius(g: "_Group", units: np.ndarray, hk: np.ndarray) -> np.ndarray:
    """Per hall, the first search radius: about one unit spacing (√ of floor area per unit)."""
    area = g.area
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
        xa, ya, xb, yb = geo.bus_lb.T
        li, fj = geo.bus  # busway segments touching footprints' boxes (any order)
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
        # the same requests as at the hall's last evaluation (a rack dragged along its
        # busway): the same grants, without running the rounds again
        requests = (item, li, it, limit)
        last = before.get("busway")
        if last is not None and all(np.array_equal(p, q) for p, q in zip(last[0], requests)):
            served, grants = last[1]
        else:
            served, _, grants = assign(n, item, li, item.astype(float), it, limit)
        if after is not None:
            after["busway"] = (requests, (served, grants))
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
