"""Power: busways feed the racks beneath them; each hall's critical IT capacity.

A busway feeds a rack when it runs through the rack's footprint (not along an edge).
Racks are served whole, in one :func:`allocate.assign` call over all busways. A busway's
*load* is what the racks it feeds ask of it: the racks it serves plus the racks left
unserved beneath it (attributed to the first busway over them), so an overloaded busway
shows a load above its continuous limit — the same figure in the violation, the charts,
the Inspector and the report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from designer.engine.allocate import _group_cumsum, assign
from designer.engine.arrays import run_starts, unique
from designer.engine.group import HallGroup, fmt_kw
from designer.engine.types import BUSWAY


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class PowerResult:
    """Per item (group positions): powered, the busway serving it, and per busway its load."""

    powered: np.ndarray
    served_by_busway: np.ndarray   # group position or -1 (the A side of a 2N rack)
    served_by_busway_b: np.ndarray  # the B side of a rack fed by both feeds, or -1
    load_kw: np.ndarray            # busways: what the racks beneath ask (0 elsewhere)
    limit_kw: np.ndarray           # busways: continuous limit (0 elsewhere)
    failover_kw: np.ndarray        # busways: their load if the other feed failed


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class BuswayMemory:
    """The last busway assignment of a hall: its requests and what they were granted."""

    requests: tuple
    served: np.ndarray
    grants: tuple

    def matches(self, requests: tuple) -> bool:
        return all(np.array_equal(p, q) for p, q in zip(self.requests, requests))


def busway_pairs(g: HallGroup, geo, shapes) -> tuple[np.ndarray, np.ndarray]:
    """(item, busway index among the group's busways) for every busway segment that runs
    through a footprint (not along an edge)."""
    bw = np.flatnonzero(g.kind == BUSWAY)
    if not len(bw):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    xa, ya, xb, yb = geo.bus_lb.T
    li, fj = geo.bus  # busway segments touching footprints' boxes (any order)
    horiz = ya[li] == yb[li]
    vert = xa[li] == xb[li]
    fbj = geo.fb[fj]
    through = np.where(
        horiz, (fbj[:, 1] < ya[li]) & (ya[li] < fbj[:, 3]) & (xa[li] < fbj[:, 2]) & (fbj[:, 0] < xb[li]),
        np.where(vert, (fbj[:, 0] < xa[li]) & (xa[li] < fbj[:, 2]) & (ya[li] < fbj[:, 3]) & (fbj[:, 1] < yb[li]),
                 False))
    diag = np.flatnonzero(~horiz & ~vert)
    if len(diag):
        seg = shapely.linestrings(np.stack([np.stack([g.x[bw[li[diag]]], g.y[bw[li[diag]]]], 1),
                                            np.stack([g.x2[bw[li[diag]]], g.y2[bw[li[diag]]]], 1)], 1))
        polys = [shapes.footprint_or_box(k) for k in fj[diag]]
        through[diag] = shapely.length(shapely.intersection(seg, np.array(polys, dtype=object))) > 1e-9
    return geo.fl[fj[through]], li[through]


def _consumers(g: HallGroup) -> tuple[np.ndarray, np.ndarray]:
    """The items that draw power, and the halls that say ``"power_feed": "hall"`` (an
    early sketch: their power distribution is assumed, every consumer counts as powered,
    and a warning says so)."""
    return np.flatnonzero(g.it_kw > 0), np.array([h.extra.get("power_feed") == "hall" for h in g.halls], bool)


def check_power(g: HallGroup, pairs: tuple[np.ndarray, np.ndarray], flags: dict[str, np.ndarray],
                memory: BuswayMemory | None) -> tuple[PowerResult, BuswayMemory | None]:
    """Busway feeds and capacity, unpowered racks, each hall's critical capacity.
    ``pairs``: :func:`busway_pairs`."""
    n = len(g)
    it = g.it_kw
    powered = it <= 0
    served_bw = np.full(n, -1, np.int64)
    load_kw = np.zeros(n)
    limit_kw = np.zeros(n)
    bw = np.flatnonzero(g.kind == BUSWAY)
    feeds = np.zeros(n, bool)
    feed_item = feed_bw = np.zeros(0, np.int64)
    granted_kw = np.zeros(n)       # what each busway actually delivers
    failover_kw = np.zeros(n)      # … and would carry if the other feed failed
    served_bw_b = np.full(n, -1, np.int64)
    new_memory = None
    if len(bw):
        item, li = pairs
        use = (it[item] > 0) & ~g.failed[bw[li]]   # a failed busway feeds nothing
        item, li = item[use], li[use]
        # each rack asks each feed it is under (A, B) through a consumer of its own:
        # half its load from each when under both (2N), all of it from the one otherwise
        side = g.feed_b[bw[li]].astype(np.int64)
        consumer = item * 2 + side
        order = np.lexsort((li, consumer))
        item, li, side, consumer = item[order], li[order], side[order], consumer[order]
        feeds[item] = True
        feed_item, feed_bw = item, bw[li]
        under = np.zeros((n, 2), bool)
        under[item, side] = True
        dual = under[:, 0] & under[:, 1]
        demand = np.repeat(it * np.where(dual, 0.5, 1.0), 2)
        limit = g.types.busway_limit_kw[g.type_code[bw]]
        # the same requests as at the hall's last evaluation (a rack dragged along its
        # busway): the same grants, without running the rounds again
        requests = (consumer, li, demand, limit)
        if memory is not None and memory.matches(requests):
            served, grants = memory.served, memory.grants
        else:
            served, _, grants = assign(2 * n, consumer, li, consumer.astype(float), demand, limit)
        new_memory = BuswayMemory(requests, served, grants)
        got = (served.reshape(n, 2) > 0) | ~under
        powered |= feeds & got.all(axis=1)
        granted_by = grants[0] // 2
        a_side = grants[0] % 2 == 0
        served_bw[granted_by[~a_side]] = bw[grants[1][~a_side]]
        served_bw[granted_by[a_side]] = bw[grants[1][a_side]]   # the A side first
        served_bw_b[granted_by[~a_side & dual[granted_by]]] = bw[grants[1][~a_side & dual[granted_by]]]
        # what each busway is asked for: the racks it serves, and the racks beneath it that
        # no busway could take (on the first busway over them, per feed)
        first = np.full(2 * n, -1, np.int64)
        if len(consumer):
            firsts = run_starts(consumer)
            first[consumer[firsts]] = li[firsts]
        waiting = (first >= 0) & (served <= 0)
        granted_kw[bw] = np.bincount(grants[1], grants[2], minlength=len(bw))
        asked = granted_kw[bw] + np.bincount(first[waiting], demand[waiting], minlength=len(bw))
        load_kw[bw] = asked
        limit_kw[bw] = limit
        # failover: a 2N rack's other half moves onto the busway that still feeds it
        failover_kw[bw] = np.bincount(grants[1], grants[2] * np.where(dual[granted_by], 2.0, 1.0), minlength=len(bw))
        factor = g.settings.continuous_load
        over = np.flatnonzero(asked > limit + 1e-9)
        flags["power-capacity"][bw[over]] = True
        for k in [] if g.quiet else over:   # (copies trying failures say nothing)
            p = bw[k]
            g.add("power-capacity", (p,), f"busway {g.id(p)} feeds {fmt_kw(asked[k])} of racks, over its "
                  f"{fmt_kw(limit[k])} continuous limit ({factor * 100:.0f} % of {fmt_kw(limit[k] / factor)})",
                  x=(g.x[p] + g.x2[p]) / 2, y=(g.y[p] + g.y2[p]) / 2)
    consumers, assumed = g.kept("consumers", lambda: _consumers(g))
    powered |= assumed[g.hall_of] & (it > 0)
    for h in np.flatnonzero(assumed & (np.bincount(g.hall_of[consumers], minlength=g.n_halls) > 0)):
        g.add_to_hall(int(h), "assumed-power", f"the power distribution of {g.halls[h].name} is assumed "
                      f"(\"power_feed\": \"hall\"): its busways are not checked for the racks they miss")
    dark = consumers[~powered[consumers]]
    flags["unpowered"][dark] = True
    if g.quiet:
        dark = dark[:0]
    # the busways above each dark rack (feed pairs sorted by rack once, not scanned per rack)
    by_item = np.argsort(feed_item, kind="stable")
    starts = np.searchsorted(feed_item[by_item], dark, side="left")
    ends = np.searchsorted(feed_item[by_item], dark, side="right")
    for k, lo, hi in zip(dark.tolist(), starts.tolist(), ends.tolist()):
        if not feeds[k]:
            msg = f"{g.id(k)} ({fmt_kw(it[k])}) is under no busway of {g.hall_name(k)}"
        else:
            left = [f"{g.id(b)} has {fmt_kw(max(limit_kw[b] - granted_kw[b], 0.0))} left"
                    for b in feed_bw[by_item[lo:hi]]]
            msg = (f"{g.id(k)} ({fmt_kw(it[k])}) gets no power: too little capacity on the busway(s) above it "
                   f"({'; '.join(left)})")
        g.add("unpowered", (k,), msg)
    _hall_capacity(g, consumers, powered, flags)
    return PowerResult(powered, served_bw, served_bw_b, load_kw, limit_kw, failover_kw), new_memory


def _hall_capacity(g: HallGroup, consumers: np.ndarray, powered: np.ndarray, flags) -> None:
    """Each hall's critical IT capacity, served in file order; beyond it racks are unpowered."""
    it, hk = g.it_kw, g.hall_of
    cap = np.array([h.it_capacity_kw for h in g.halls])
    on = consumers[powered[consumers]]
    cum = _group_cumsum(hk[on], it[on])
    over = on[cum > cap[hk[on]] + 1e-9]
    if not len(over):
        return
    powered[over] = False
    flags["unpowered"][over] = True
    if g.quiet:
        return
    demand = np.bincount(hk, it, minlength=g.n_halls)
    for h in unique(hk[over]):
        hall = g.halls[h]
        n_over = int((hk[over] == h).sum())
        g.add_to_hall(int(h), "power-capacity", f"{hall.name} draws {fmt_kw(demand[h])} of IT load, over its "
                      f"critical capacity of {fmt_kw(hall.it_capacity_kw)}; {n_over} item(s) left unpowered")
    for k in over:
        g.add("unpowered", (k,), f"{g.id(k)} ({fmt_kw(it[k])}) is beyond the "
              f"{fmt_kw(cap[hk[k]])} critical capacity of {g.hall_name(k)}")
