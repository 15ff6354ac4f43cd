"""Axis-aligned boxes in numpy: footprints, service zones and a grid broad phase.

Shapely builds one geometry object per rack (~1 µs each), which is too slow for a
million-chip campus evaluated on every edit. Racks stand at multiples of 90° almost
always, so footprints are axis-aligned boxes: they are kept as (n, 4) arrays
``xmin, ymin, xmax, ymax`` and paired with a uniform-grid hash (cells keyed by hall,
so halls never interact). Items at other angles are paired by their bounding boxes
here and confirmed exactly with shapely by the caller.
"""

from __future__ import annotations

import numpy as np

#: Boxes are shrunk by this much on every side, so items that only touch (side by
#: side, against a wall) neither overlap nor leave the hall through rounding.
EPS_M = 1e-6
CELL_M = 1.2


def axes(rotation_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of each rotation, exact (0, ±1) at multiples of 90°."""
    th = np.radians(np.asarray(rotation_deg, float))
    c = np.cos(th)
    s = np.sin(th)
    c[np.abs(c) < 1e-12] = 0.0
    s[np.abs(s) < 1e-12] = 0.0
    c[np.abs(np.abs(c) - 1) < 1e-12] = np.sign(c[np.abs(np.abs(c) - 1) < 1e-12])
    s[np.abs(np.abs(s) - 1) < 1e-12] = np.sign(s[np.abs(np.abs(s) - 1) < 1e-12])
    return c, s


def boxes(cx, cy, width, depth, c, s, shrink: float = EPS_M) -> np.ndarray:
    """Bounding boxes (n, 4) of rectangles centred at (cx, cy), width along (c, s)."""
    hw = np.abs(c) * width / 2 + np.abs(s) * depth / 2 - shrink
    hh = np.abs(s) * width / 2 + np.abs(c) * depth / 2 - shrink
    return np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1)


def offset_rects(cx, cy, width, depth, c, s, along_depth: np.ndarray | float, length):
    """Centres and sizes of strips beside each rectangle along its depth axis.

    ``along_depth`` > 0 puts the strip behind (the rear, +v), < 0 in front (−v), where
    v = (−s, c) is the depth axis; at rotation 0 the front faces −y.
    """
    vx, vy = -s, c
    off = depth / 2 + np.asarray(length) / 2
    sign = np.sign(along_depth)
    return cx + sign * vx * off, cy + sign * vy * off


def rect_corners(cx, cy, width, depth, c, s) -> np.ndarray:
    """Corners (n, 4, 2) of rotated rectangles (for exact tests and drawing)."""
    ux, uy = c, s
    vx, vy = -s, c
    hw, hd = width / 2, depth / 2
    out = np.empty((len(cx), 4, 2))
    for k, (sx, sy) in enumerate(((-1, -1), (1, -1), (1, 1), (-1, 1))):
        out[:, k, 0] = cx + sx * hw * ux + sy * hd * vx
        out[:, k, 1] = cy + sx * hw * uy + sy * hd * vy
    return out


def _cells(b: np.ndarray, cell: float):
    """Every grid cell each box covers: (box index, cell x, cell y)."""
    x0 = np.floor(b[:, 0] / cell).astype(np.int64)
    y0 = np.floor(b[:, 1] / cell).astype(np.int64)
    x1 = np.floor(b[:, 2] / cell).astype(np.int64)
    y1 = np.floor(b[:, 3] / cell).astype(np.int64)
    nx = x1 - x0 + 1
    k = nx * (y1 - y0 + 1)
    kmax = int(k.max(initial=1))
    if kmax == 1:  # every box in a single cell
        return np.arange(len(b)), x0, y0
    if kmax <= 4 and int(nx.max(initial=1)) <= 2 and int((y1 - y0).max(initial=0)) <= 1:
        # every box within 2 × 2 cells (racks and zones on a 1.2 m grid): its corner cells, once each
        wide = x1 != x0
        tall = y1 != y0
        keep = np.stack([np.ones(len(b), bool), wide, tall, wide & tall], axis=1).ravel()
        idx = np.repeat(np.arange(len(b)), 4)[keep]
        gx = np.stack([x0, x1, x0, x1], axis=1).ravel()[keep]
        gy = np.stack([y0, y0, y1, y1], axis=1).ravel()[keep]
        return idx, gx, gy
    idx = np.repeat(np.arange(len(b)), k)
    within = np.arange(len(idx)) - np.repeat(np.cumsum(k) - k, k)
    nxi = nx[idx]
    return idx, x0[idx] + within % nxi, y0[idx] + within // nxi


class BoxIndex:
    """A grid index over boxes (keyed by hall) answering 'which boxes overlap these?'.

    Cells are numbered densely per hall over the boxes' extent (a counting sort, no
    comparison sort), so building and querying are O(n).
    """

    def __init__(self, b: np.ndarray, key: np.ndarray, cell: float = CELL_M):
        self.cell = cell
        self.n = len(b)
        self.cols = [np.ascontiguousarray(b[:, k]) for k in range(4)]
        key = np.asarray(key, np.int64)
        idx, gx, gy = _cells(b, cell)
        hk = key[idx]
        nk = int(key.max(initial=-1)) + 1
        self.gx0 = np.full(nk, np.iinfo(np.int64).max)
        self.gy0 = np.full(nk, np.iinfo(np.int64).max)
        gx1 = np.full(nk, np.iinfo(np.int64).min)
        gy1 = np.full(nk, np.iinfo(np.int64).min)
        np.minimum.at(self.gx0, hk, gx)
        np.minimum.at(self.gy0, hk, gy)
        np.maximum.at(gx1, hk, gx)
        np.maximum.at(gy1, hk, gy)
        present = gx1 >= self.gx0
        self.nx = np.where(present, gx1 - self.gx0 + 1, 0)
        self.ny = np.where(present, gy1 - self.gy0 + 1, 0)
        sizes = self.nx * self.ny
        self.base = np.cumsum(sizes) - sizes
        self.ncells = int(sizes.sum())
        if self.ncells > 8 * len(idx) + 1_000_000:  # absurd extents: keep memory bounded
            self.cell = cell = max(cell, float(np.sqrt(self.ncells / (8 * len(idx) + 1)) * cell))
            self.__init__(b, key, cell)
            return
        cid = self.base[hk] + (gx - self.gx0[hk]) * self.ny[hk] + (gy - self.gy0[hk])
        counts = np.bincount(cid, minlength=self.ncells)
        self.start = np.cumsum(counts) - counts
        self.count = counts
        # a stable order by cell: 16-bit keys sort by radix; wider ones are made unique with
        # the position as the last key (a plain sort of unique int64 keys is the fastest)
        if self.ncells < 1 << 16:
            order = np.argsort(cid.astype(np.uint16), kind="stable")
        else:
            order = np.argsort(cid * len(cid) + np.arange(len(cid)), kind="stable")
        self.idx = idx[order]

    def query(self, q: np.ndarray, qkey: np.ndarray, strict: bool = True):
        """Pairs (i of q, j of the index) whose boxes overlap with positive area
        (``strict``) or touch; each pair once."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        if len(q) == 0 or self.n == 0:
            return empty
        return self._pairs(q, np.asarray(qkey, np.int64), *_cells(q, self.cell), strict)

    def _pairs(self, q, qkey, qi, gx, gy, strict):
        """The pairs of query boxes ``q``, given the cells (qi, gx, gy) each covers."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        hk = qkey[qi]
        ok = hk < len(self.nx)
        hk = np.where(ok, hk, 0)
        lx = gx - self.gx0[hk]
        ly = gy - self.gy0[hk]
        ok &= (lx >= 0) & (ly >= 0) & (lx < self.nx[hk]) & (ly < self.ny[hk])
        qi, gx, gy, hk, lx, ly = qi[ok], gx[ok], gy[ok], hk[ok], lx[ok], ly[ok]
        cid = self.base[hk] + lx * self.ny[hk] + ly
        cnt = self.count[cid]
        total = int(cnt.sum())
        if total == 0:
            return empty
        rep = np.repeat(np.arange(len(cid)), cnt)
        pos = np.repeat(self.start[cid] - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
        i = qi[rep]
        j = self.idx[pos]
        ax0, ay0, ax1, ay1 = (np.ascontiguousarray(q[:, k])[i] for k in range(4))
        tx0, ty0, tx1, ty1 = (c[j] for c in self.cols)
        if strict:
            hit = (ax0 < tx1) & (tx0 < ax1) & (ay0 < ty1) & (ty0 < ay1)
        else:
            hit = (ax0 <= tx1) & (tx0 <= ax1) & (ay0 <= ty1) & (ty0 <= ay1)
        # report a pair only in the cell holding the lower-left corner of the overlap
        hit &= np.floor(np.maximum(ax0, tx0) / self.cell) == gx[rep]
        hit &= np.floor(np.maximum(ay0, ty0) / self.cell) == gy[rep]
        return i[hit], j[hit]

    def query_many(self, queries: list[tuple[np.ndarray, np.ndarray]], strict: bool = True):
        """:meth:`query` for several sets of (boxes, keys) in one pass over the grid: a list
        with the pairs of each set, as its own query would give them, in the same order."""
        if len(queries) == 1 or sum(len(q) for q, _ in queries) > 4_000:
            # batching saves numpy calls on small sets; on large ones the copies cost more
            return [self.query(q, k, strict=strict) for q, k in queries]
        bounds = np.cumsum([0] + [len(q) for q, _ in queries])
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        if bounds[-1] == 0 or self.n == 0:
            return [empty for _ in queries]
        cells = [_cells(q, self.cell) for q, _ in queries]  # each set takes its own fastest path
        i, j = self._pairs(np.concatenate([q for q, _ in queries]),
                           np.concatenate([np.asarray(k, np.int64) for _, k in queries]),
                           np.concatenate([c[0] + b for c, b in zip(cells, bounds)]),
                           np.concatenate([c[1] for c in cells]), np.concatenate([c[2] for c in cells]), strict)
        cut = np.searchsorted(i, bounds)  # pairs come ordered by query box
        return [(i[cut[n]:cut[n + 1]] - bounds[n], j[cut[n]:cut[n + 1]]) for n in range(len(queries))]


def overlapping(q: np.ndarray, qkey: np.ndarray, b: np.ndarray, bkey: np.ndarray, strict: bool = True):
    """Pairs (i of q, j of b) of boxes with the same key that overlap with positive area
    (``strict``) or touch, in (i, j) order, by testing every pair: exactly the pairs a
    :class:`BoxIndex` over ``b`` reports, for a few query boxes against a few hundred."""
    if len(q) == 0 or len(b) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ax0, ay0, ax1, ay1 = (q[:, k, None] for k in range(4))
    tx0, ty0, tx1, ty1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    if strict:
        hit = (ax0 < tx1) & (tx0 < ax1) & (ay0 < ty1) & (ty0 < ay1)
    else:
        hit = (ax0 <= tx1) & (tx0 <= ax1) & (ay0 <= ty1) & (ty0 <= ay1)
    hit &= np.asarray(qkey, np.int64)[:, None] == np.asarray(bkey, np.int64)[None, :]
    i, j = np.nonzero(hit)
    return i.astype(np.int64), j.astype(np.int64)


_DX = np.repeat(np.arange(-1, 2), 3)
_DY = np.tile(np.arange(-1, 2), 3)


class PointIndex(BoxIndex):
    """A grid index over points answering 'which points lie within r of these?' (cell = r)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, key: np.ndarray, r: float):
        super().__init__(np.stack([x, y, x, y], 1), key, cell=max(float(r), 1e-3))
        self.r = float(r)

    def near(self, x: np.ndarray, y: np.ndarray, key: np.ndarray):
        """Pairs (i of the query points, j of the index) in the 3×3 cells around each
        query point: a superset of the points within ``r`` (Chebyshev); each pair once."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        if len(x) == 0 or self.n == 0:
            return empty
        key = np.asarray(key, np.int64)
        valid = key < len(self.nx)
        hk1 = np.where(valid, key, 0)
        nx, ny = self.nx[hk1], self.ny[hk1]
        gx = np.floor(x / self.cell).astype(np.int64) - self.gx0[hk1]
        gy = np.floor(y / self.cell).astype(np.int64) - self.gy0[hk1]
        lx = gx[:, None] + _DX[None, :]
        ly = gy[:, None] + _DY[None, :]
        ok = ((lx >= 0) & (ly >= 0) & (lx < nx[:, None]) & (ly < ny[:, None]) & valid[:, None]).ravel()
        cid_all = (self.base[hk1][:, None] + lx * ny[:, None] + ly).ravel()
        qi = np.flatnonzero(ok) // 9
        cid = cid_all[ok]
        cnt = self.count[cid]
        total = int(cnt.sum())
        if total == 0:
            return empty
        pos = np.repeat(self.start[cid] - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)
        return np.repeat(qi, cnt), self.idx[pos]


def inside_box(b: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Boxes (n, 4) lying within the outer boxes (n, 4) (touching allowed)."""
    return (b[:, 0] >= outer[:, 0]) & (b[:, 1] >= outer[:, 1]) & (b[:, 2] <= outer[:, 2]) & (b[:, 3] <= outer[:, 3])
