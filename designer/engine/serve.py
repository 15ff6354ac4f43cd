"""Serving items from the units of their own hall, nearest first, within reach and
capacity (cooling units and network racks).

Candidates come in passes: the units within a radius of each item (a grid search, or
the hall's pair table when the group is small), then within four radii, then each
item's few nearest units of the hall with capacity left, then all of them; each pass is
one :func:`allocate.assign` call. Halls where no unit's capacity binds are served in one
step. Every choice depends only on the item's own hall.

Where the compiled kernel is built (``engine/_allocate.c``, an optional extension), a
group whose items are all in one hall (an edit's), or a small group's pair table, runs
the same passes there: the same results to the last bit, without numpy's cost per call
on a few hundred items (the numpy code below stays the definition and the fallback).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np

from designer.engine import boxes as bx
from designer.engine.allocate import assign
from designer.engine.geometry import few_moved
from designer.engine.options import DEFAULT_OPTIONS, EngineOptions

try:   # the passes, compiled (setup.py; optional: the numpy passes below give the same results).
    # By name: the import graph (tests/test_architecture.py) sees no module in an extension
    # and would take ``designer.engine._allocate`` for the package itself, a false cycle.
    _allocate = importlib.import_module("designer.engine._allocate")
except ImportError:
    _allocate = None

#: From the table, each item first asks its nearest few units, then (if still short) all.
TABLE_K = 4


def _sort_key(item: np.ndarray, dist: np.ndarray, unit: np.ndarray, n_items: int, n_units: int) -> np.ndarray:
    """One int64 key ordering candidates by (item, distance to the millimetre, unit): a
    single integer sort is ~10× faster than a three-key lexsort."""
    bu = max(1, int(n_units).bit_length())
    bi = max(1, int(n_items).bit_length())
    bd = 63 - bu - bi
    d_mm = np.minimum(np.rint(dist * 1000.0), float((1 << bd) - 1)).astype(np.int64)
    return (item.astype(np.int64) << (bd + bu)) | (d_mm << bu) | unit.astype(np.int64)


def _distance(adx, ady, ex, scale: float, direct: tuple[float, float] | None):
    """Distance of an item to a unit: (Manhattan + the item's extra) × scale; with
    ``direct`` = (most apart, run inside each rack), units side by side in the item's row
    (centres within that, the same y) are reached port to port: (dx + 2 × run) × scale
    when shorter (rules.interconnect.port_to_port_m). Rounded to 1 nm so that equal
    distances on a grid tie exactly, whatever the float noise."""
    d = (adx + ady + ex) * scale
    if direct is not None:
        most, run = direct
        d = np.where((ady < 0.05) & (adx <= most + 1e-9), np.minimum(d, (adx + 2 * run) * scale), d)
    return np.round(d, 9)


class _Pairs:
    """Every (item, unit of the item's hall) pair of a group, as padded arrays of shape
    (items, most units in a hall): unit index, routed distance, Chebyshev distance and
    whether the unit exists and reaches. Built once per allocation when the group is
    small (one hall re-evaluated after an edit, a small design) and shared by the
    one-step path, the passes and the table, instead of a grid index per pass; in a
    large group, per chunk of items for the table passes only."""

    def __init__(self, table: np.ndarray, ih, ix, iy, ux, uy, ex, reach, scale, cheb: bool = True, direct=None):
        cand = table[ih]
        self.unit = cu = np.maximum(cand, 0)
        adx = np.abs(ix[:, None] - ux[cu])
        ady = np.abs(iy[:, None] - uy[cu])
        # the same expressions as the passes' (so the same floats)
        self.dist = _distance(adx, ady, ex[:, None], scale, direct)
        self.cheb = np.maximum(adx, ady) if cheb else None  # (the table passes need none)
        self.ok = (cand >= 0) & (self.dist <= reach[cu])


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
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
    direct: tuple | None = None

    @classmethod
    def reused(cls, prev: "_PairState | None", items, units, ih, ix, iy, ex, ux, uy, reach,
               scale, direct=None) -> "_PairState | None":
        """``prev`` with the rows of items whose position (or extra length) changed built
        again (the same expressions, so the same floats); None when it does not apply."""
        if (prev is None or prev.pairs is None or prev.scale != scale or prev.direct != direct
                or not np.array_equal(prev.items, items)
                or not np.array_equal(prev.units, units) or not np.array_equal(prev.ux, ux)
                or not np.array_equal(prev.uy, uy) or not np.array_equal(prev.reach, reach)):
            return None
        rows = np.flatnonzero((prev.ix != ix) | (prev.iy != iy) | (prev.ex != ex))
        if not few_moved(len(rows), len(items)):
            return None
        pairs = prev.pairs
        if len(rows):
            old = prev.pairs
            pairs = object.__new__(_Pairs)   # (a shallow copy, without copy.copy's protocol)
            pairs.unit = old.unit
            sub = _Pairs(prev.table, ih[rows], ix[rows], iy[rows], ux, uy, ex[rows], reach, scale, direct=direct)
            for name in ("dist", "cheb", "ok"):
                arr = getattr(old, name).copy()
                arr[rows] = getattr(sub, name)
                setattr(pairs, name, arr)
        return cls(items, units, ix, iy, ex, ux, uy, reach, scale, prev.table, pairs, direct)


def _i64(a) -> np.ndarray:
    return np.ascontiguousarray(a, np.int64)


def _f64(a) -> np.ndarray:
    return np.ascontiguousarray(a, np.float64)


def _unit_table(uh: np.ndarray, n_h: int) -> np.ndarray:
    """(halls, most units in a hall): each hall's unit indices ascending, padded with -1."""
    counts = np.bincount(uh, minlength=n_h)
    u_order = np.argsort(uh, kind="stable")
    rank = np.arange(len(uh)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((n_h, int(counts.max())), -1, np.int64)
    table[uh[u_order], rank] = u_order
    return table


class Serving:
    """How the allocations of one hall group run: the engine's options and the
    evaluator's memory of the calls whose one-step attempt found a unit that binds
    (such a call skips the attempt for a few edits). Only speed depends on this."""

    def __init__(self, options: EngineOptions, skip: dict, hall_ids: tuple | None):
        self.options = options
        self.skip = skip
        self.hall_ids = hall_ids  # names the calls of a group of a few halls, else None

    def call(self, resource: str) -> "ServeCall":
        return ServeCall(self, (resource, self.hall_ids) if self.hall_ids else None)


@dataclass
class ServeCall:
    """One allocation call: its :class:`Serving` and the key naming it (resource, halls)."""

    serving: Serving
    key: tuple | None

    @property
    def options(self) -> EngineOptions:
        return self.serving.options

    def fast_worth_trying(self) -> bool:
        """Whether to try the one-step path (not when it failed in the last few calls)."""
        skip = self.serving.skip
        left = skip.get(self.key, 0) if self.key is not None else 0
        if left > 0:
            skip[self.key] = left - 1
            return False
        return True

    def fast_tried(self, served: bool) -> None:
        if self.key is None:
            return
        skip = self.serving.skip
        if served:
            skip.pop(self.key, None)
            return
        if len(skip) >= 4096:
            skip.clear()
        skip[self.key] = self.options.fast_retry_every - 1


def default_call(resource: str = "") -> ServeCall:
    """A call with the default options and no memory (one-off use, tests)."""
    return Serving(DEFAULT_OPTIONS, {}, None).call(resource)


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
                   partial: bool, radius_m: np.ndarray, scale: float = 1.0, serving: ServeCall | None = None,
                   reuse: tuple | None = None, direct: tuple[float, float] | None = None):
    """Serve items from units of their own hall, nearest first, within reach and capacity.

    Distance = (Manhattan between centres + ``extra[item]``) × ``scale``. First passes:
    the units within ``radius_m[hall]`` of each item (Chebyshev), then within four times
    that (most items are served by a unit nearby); then items still unserved try their
    ``TABLE_K`` nearest units of the hall that have capacity left, then all of them.
    Every choice depends only on the item's own hall, so evaluating one hall alone gives
    the same result as evaluating the whole site. Returns (served per item, grants as
    (item index, unit index, amount)). ``serving`` carries the options and names the call
    (resource and halls) so that a hall where capacity bound last time does not try the
    one-step path at every edit (the result is the same either way). ``reuse``
    is (the previous :class:`_PairState` of this call in this hall or None, the dict to
    leave the new one in or None, its key): the pair table is then patched for the items
    that moved instead of built again.
    """
    serving = serving if serving is not None else default_call()
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if not len(units) or not len(items):
        return np.zeros(len(items)), empty
    if _allocate is not None and serving.options.compiled:
        # items all in one hall (an edit's): the compiled passes, the pairs worked out from
        # the positions; no one-step attempt (for one hall it serves all or nothing, as the
        # passes do). None: several halls, or a pair table too big (the grid search below).
        done = _allocate.serve_hall(
            _i64(items), _i64(units), _i64(hall_of), _f64(x), _f64(y),
            _f64(extra) if np.ndim(extra) else float(extra), _f64(reach), _f64(demand), _f64(capacity),
            _f64(radius_m), float(scale), direct is not None, *(direct or (0.0, 0.0)),
            serving.options.dense_pairs, serving.options.fast_cells, partial, TABLE_K)
        if done is not None:
            served, gi, gu, ga = done
            return np.frombuffer(served), (np.frombuffer(gi, np.int64), np.frombuffer(gu, np.int64), np.frombuffer(ga))
    served = np.zeros(len(items))
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
    dense = np.bincount(ih, minlength=n_h) * np.bincount(uh, minlength=n_h) <= serving.options.dense_pairs
    state = _PairState.reused(reuse[0], items, units, ih, ix, iy, ex, ux, uy, reach, scale, direct) if reuse else None
    if state is None:
        table = _unit_table(uh, n_h)
        pairs = _Pairs(table, ih, ix, iy, ux, uy, ex, reach, scale, direct=direct) \
            if len(items) * table.shape[1] <= serving.options.fast_cells else None
        state = _PairState(items, units, ix, iy, ex, ux, uy, reach, scale, table, pairs, direct)
    table, pairs = state.table, state.pairs
    if reuse and reuse[1] is not None:
        reuse[1][reuse[2]] = state
    compiled = pairs is not None and _allocate is not None and serving.options.compiled
    if pairs is not None and serving.options.fast_path and serving.fast_worth_trying():
        fast = _serve_unconstrained(pairs, ih, uh, demand, remaining, dense, radius_m, n_h)
        serving.fast_tried(fast is not None)
        if fast is not None:
            done_items, grants = fast
            served[grants[0]] = grants[2]
            np.subtract.at(remaining, grants[1], grants[2])
            grants_all.append(grants)
            if done_items.all():
                return served, grants
            # the halls where some unit binds go through the passes below
            demand = np.where(done_items, 0.0, demand)
    if compiled:
        gi, gu, ga = _allocate.serve_passes(
            pairs.unit, pairs.dist, pairs.cheb, pairs.ok, ih.astype(np.int64, copy=False), dense,
            np.asarray(radius_m, float)[:n_h], np.asarray(demand, float), served, remaining,
            len(items), pairs.unit.shape[1], len(units), n_h, partial, TABLE_K)
        if len(gi):
            grants_all.append((np.frombuffer(gi, np.int64), np.frombuffer(gu, np.int64), np.frombuffer(ga)))
        if not grants_all:
            return served, empty
        return served, tuple(np.concatenate([gr[i] for gr in grants_all]) for i in range(3))
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
            dist = _distance(adx, ady, ex[qi], scale, direct)
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
                chunk = _Pairs(table, ih[t], ix[t], iy[t], ux, uy, ex[t], reach, scale, cheb=False, direct=direct)
                cu, ok, dist = chunk.unit, chunk.ok, chunk.dist
            dist = np.where(ok & (remaining[cu] > 1e-9), dist, np.inf)
            if k_limit is not None and dist.shape[1] > k_limit:
                # the k nearest, ties to the lower unit index (columns are in unit order; a
                # column's nudge of 1e-12 m stays below the 1 nm rounding of distances while
                # rows have fewer than 1,000 columns and distances stay under 16 km; where
                # nudged values still tie, the stable sort keeps the lower column, as the
                # compiled passes do: np.argpartition would take either)
                part = np.argsort(dist + np.arange(dist.shape[1]) * 1e-12, axis=1, kind="stable")[:, :k_limit]
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
