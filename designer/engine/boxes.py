"""Axis-aligned boxes in numpy: footprints, service zones and a grid broad phase.

Shapely builds one geometry object per rack (~1 µs each), which is too slow for a
million-chip campus evaluated on every edit. Racks stand at multiples of 90° almost
always, so footprints are axis-aligned boxes: they are kept as (n, 4) arrays
``xmin, ymin, xmax, ymax`` and paired with a uniform-grid hash (cells keyed by hall,
so halls never interact). Items at other angles are paired by their bounding boxes
here and confirmed exactly with shapely by the caller. The grid's memory follows the
number of boxes, never the drawing's extent (see :class:`BoxIndex`).
"""

from __future__ import annotations

import numpy as np

from designer.engine.arrays import unique

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


#: A grid spreads its boxes over at most this many cell entries per box (plus
#: ``_ENTRIES_FREE``): beyond that, the boxes covering the most cells are paired by brute
#: force, or the cells are made coarser, so that memory follows the number of boxes and
#: never the extent of the drawing (a busway ending 100 km away covers 7·10⁹ cells of 1.2 m).
_ENTRIES_PER_BOX = 8
_ENTRIES_FREE = 65_536
#: Brute-force comparisons the large index boxes may cost (per query set) before the
#: cells are made coarser instead; and they must be few (``64 + √n``).
_BRUTE_MAX = 20_000_000
#: Comparisons of one brute-force block (its boolean matrix).
_BRUTE_BLOCK = 1 << 22
#: A query box is paired with at most this many boxes of one grid cell. A real layout
#: holds a handful of racks and zones per 1.2 m cell; only piles of items reach this.
CROWD = 64
#: Cell numbers are clamped to this (never reached by a design's ±100 km; it keeps a
#: garbage coordinate from wrapping around int64).
_FAR = float(2 ** 52)


def _spans(b: np.ndarray, cell: float):
    """The first and last grid cell of each box along x and y (int64)."""
    f = np.clip(np.floor(np.asarray(b, float) / cell), -_FAR, _FAR).astype(np.int64)
    return f[:, 0], f[:, 1], f[:, 2], f[:, 3]


def _counts(x0, y0, x1, y1) -> np.ndarray:
    """Cells each box covers (float: a far box may cover more than int64 holds)."""
    return np.maximum(x1 - x0 + 1, 0).astype(float) * np.maximum(y1 - y0 + 1, 0).astype(float)


def _cells(b: np.ndarray, cell: float, spans=None, clipped: bool = False):
    """Every grid cell each box covers: (box index, cell x, cell y). The caller bounds
    the number of cells; ``spans`` are the boxes' cell ranges when known (``clipped``:
    cut to a grid's extent, so that some may be empty)."""
    x0, y0, x1, y1 = _spans(b, cell) if spans is None else spans
    nx = x1 - x0 + 1
    k = nx * (y1 - y0 + 1)
    kmin = 1
    if clipped:
        k = np.where((nx > 0) & (y1 >= y0), k, 0)
        kmin = int(k.min(initial=1))
    kmax = int(k.max(initial=1))
    if kmax == 1 and kmin == 1:  # every box in a single cell
        return np.arange(len(b)), x0, y0
    if kmax <= 4 and kmin >= 1 and int(nx.max(initial=1)) <= 2 and int((y1 - y0).max(initial=0)) <= 1:
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


def _fewest_to_drop(k: np.ndarray, budget: float) -> np.ndarray:
    """The boxes covering the most cells that must leave a grid so that the others cover
    at most ``budget`` cells (indices, ascending)."""
    order = np.argsort(-k, kind="stable")
    rest = k.sum() - np.cumsum(k[order])
    m = int(np.searchsorted(-rest, -budget)) + 1  # rest is non-increasing
    return np.sort(order[:m])


def _brute_pairs(q: np.ndarray, qkey: np.ndarray, qsel: np.ndarray, b: np.ndarray, bkey: np.ndarray,
                 bsel: np.ndarray, strict: bool):
    """Pairs (i of q, j of b), i in ``qsel``, j in ``bsel``, by testing every pair in blocks."""
    out_i, out_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    if len(qsel) and len(bsel):
        bb, bk = b[bsel], bkey[bsel]
        step = max(1, _BRUTE_BLOCK // len(bsel))
        for s in range(0, len(qsel), step):
            qs = qsel[s:s + step]
            i, j = overlapping(q[qs], qkey[qs], bb, bk, strict)
            out_i.append(qs[i])
            out_j.append(bsel[j])
    return np.concatenate(out_i), np.concatenate(out_j)


class BoxIndex:
    """A grid index over boxes (keyed by hall) answering 'which boxes overlap these?'.

    Cells are numbered densely per hall over the boxes' extent (a counting sort, no
    comparison sort), so building and querying are O(n). Memory follows the number of
    boxes, never the drawing's extent: boxes that would cover too many cells are paired
    by brute force (or the cells grow), and a sparse extent is numbered by its occupied
    cells only.
    """

    def __init__(self, b: np.ndarray, key: np.ndarray, cell: float = CELL_M, _grown: bool = False):
        b = np.asarray(b, float).reshape(-1, 4)
        self.n = len(b)
        self.cols = [np.ascontiguousarray(b[:, k]) for k in range(4)]
        self.boxes = b
        key = np.asarray(key, np.int64)
        self.key = key
        self.sparse = False
        # boxes paired by brute force (hostile input only: a busway ending kilometres away)
        self.large = np.zeros(0, np.int64)
        budget = _ENTRIES_PER_BOX * self.n + _ENTRIES_FREE
        spans = _spans(b, cell)
        k = _counts(*spans)
        while k.sum() > budget:
            large = _fewest_to_drop(k, budget)
            if len(large) <= 64 + np.sqrt(self.n) and len(large) * self.n <= _BRUTE_MAX:
                self.large = large
                break
            cell *= 2.0  # many large boxes: coarser cells, brute force for none
            spans = _spans(b, cell)
            k = _counts(*spans)
        self.cell = cell
        if len(self.large):
            small = np.ones(self.n, bool)
            small[self.large] = False
            keep = np.flatnonzero(small)
            i, gx, gy = _cells(b[keep], cell, tuple(s[keep] for s in spans))
            idx = keep[i]
        else:
            idx, gx, gy = _cells(b, cell, spans)
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
        self.gx1, self.gy1 = gx1, gy1
        present = gx1 >= self.gx0
        self.nx = np.where(present, gx1 - self.gx0 + 1, 0)
        self.ny = np.where(present, gy1 - self.gy0 + 1, 0)
        sizes = self.nx.astype(float) * self.ny
        room = 8 * len(idx) + 1_000_000
        if room < sizes.sum() <= 4 * room and not len(self.large) and not _grown:
            # a wide extent: cells up to twice as large keep the dense numbering
            self.__init__(b, key, cell * 1.05 * np.sqrt(sizes.sum() / room), _grown=True)
            return
        if sizes.sum() > room:
            # a sparse extent (items kilometres apart): number the occupied cells only
            self.sparse = True
            self.ux, self.uy = unique(gx), unique(gy)
            a = hk * len(self.ux) + np.searchsorted(self.ux, gx)
            self.ua = unique(a)
            ckey = np.searchsorted(self.ua, a) * len(self.uy) + np.searchsorted(self.uy, gy)
            self.ukey = unique(ckey)
            cid = np.searchsorted(self.ukey, ckey)
            self.ncells = len(self.ukey)
        else:
            sizes = self.nx * self.ny
            self.base = np.cumsum(sizes) - sizes
            self.ncells = int(sizes.sum())
            cid = self.base[hk] + (gx - self.gx0[hk]) * self.ny[hk] + (gy - self.gy0[hk])
        counts = np.bincount(cid, minlength=self.ncells)
        self.start = np.cumsum(counts) - counts
        self.count = counts
        #: some cell holds more than CROWD boxes (a pile): its pairs are capped
        self.crowded = bool(len(counts)) and int(counts.max()) > CROWD
        # a stable order by cell: 16-bit keys sort by radix; wider ones are made unique with
        # the position as the last key (a plain sort of unique int64 keys is the fastest)
        if self.ncells < 1 << 16:
            order = np.argsort(cid.astype(np.uint16), kind="stable")
        else:
            order = np.argsort(cid * len(cid) + np.arange(len(cid)), kind="stable")
        self.idx = idx[order]

    def _cell_ids(self, hk: np.ndarray, gx: np.ndarray, gy: np.ndarray):
        """(found, cell id) of cells (hall key, x, y); ``hk`` must be a valid key."""
        if not self.sparse:
            lx = gx - self.gx0[hk]
            ly = gy - self.gy0[hk]
            ny = self.ny[hk]
            ok = (lx >= 0) & (ly >= 0) & (lx < self.nx[hk]) & (ly < ny)
            return ok, np.where(ok, self.base[hk] + lx * ny + ly, 0)

        def find(sorted_: np.ndarray, v: np.ndarray):
            at = np.minimum(np.searchsorted(sorted_, v), len(sorted_) - 1)
            return sorted_[at] == v, at

        okx, rx = find(self.ux, gx)
        oky, ry = find(self.uy, gy)
        oka, ra = find(self.ua, hk * len(self.ux) + rx)
        okc, cid = find(self.ukey, ra * len(self.uy) + ry)
        ok = okx & oky & oka & okc
        return ok, np.where(ok, cid, 0)

    def _query_cells(self, q: np.ndarray, qkey: np.ndarray):
        """The cells each query box covers (qi, gx, gy) and the query boxes left to brute
        force because they would cover too many (a far-away busway's bounding box)."""
        spans = _spans(q, self.cell)
        budget = _ENTRIES_PER_BOX * (len(q) + self.n) + _ENTRIES_FREE
        none = np.zeros(0, np.int64)
        if _counts(*spans).sum() <= budget:
            return (*_cells(q, self.cell, spans), none)
        # only cells within the index's extent (of the box's hall) can hold a pair
        valid = (qkey >= 0) & (qkey < len(self.nx))
        hk = np.where(valid, qkey, 0)
        valid &= self.nx[hk] > 0
        x0, y0, x1, y1 = spans
        x0, y0 = np.maximum(x0, self.gx0[hk]), np.maximum(y0, self.gy0[hk])
        x1, y1 = np.minimum(x1, self.gx1[hk]), np.minimum(y1, self.gy1[hk])
        x1 = np.where(valid, x1, x0 - 1)
        k = _counts(x0, y0, x1, y1)
        brute = none
        if k.sum() > budget:
            brute = _fewest_to_drop(k, budget)
            x1 = x1.copy()
            x1[brute] = x0[brute] - 1
        qi, gx, gy = _cells(q, self.cell, (x0, y0, x1, y1), clipped=True)
        return qi, gx, gy, brute

    def query(self, q: np.ndarray, qkey: np.ndarray, strict: bool = True):
        """Pairs (i of q, j of the index) whose boxes overlap with positive area
        (``strict``) or touch; each pair once, ordered by i."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        if len(q) == 0 or self.n == 0:
            return empty
        q = np.asarray(q, float).reshape(-1, 4)
        qkey = np.asarray(qkey, np.int64)
        qi, gx, gy, brute = self._query_cells(q, qkey)
        i, j = self._pairs(q, qkey, qi, gx, gy, strict)
        if not len(brute) and not len(self.large):
            return i, j
        # what the grid leaves out: large query boxes against every box, the others
        # against the large boxes of the index
        rest = np.ones(len(q), bool)
        rest[brute] = False
        everything = np.arange(self.n)
        bi, bj = _brute_pairs(q, qkey, brute, self.boxes, self.key, everything, strict)
        li, lj = _brute_pairs(q, qkey, np.flatnonzero(rest), self.boxes, self.key, self.large, strict)
        i, j = np.concatenate([i, bi, li]), np.concatenate([j, bj, lj])
        o = np.argsort(i, kind="stable")
        return i[o], j[o]

    def _pairs(self, q, qkey, qi, gx, gy, strict):
        """The pairs of query boxes ``q``, given the cells (qi, gx, gy) each covers."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        hk = qkey[qi]
        ok = (hk >= 0) & (hk < len(self.nx))
        hk = np.where(ok, hk, 0)
        found, cid = self._cell_ids(hk, gx, gy)
        ok &= found
        qi, gx, gy, cid = qi[ok], gx[ok], gy[ok], cid[ok]
        # a query box meets at most CROWD boxes of one cell: a pile of racks dropped on one
        # spot (thousands in a cell) yields pairs linear in its size, each box still paired
        # with the first CROWD boxes of the cell (enough to flag it and join it to its pile)
        cnt = np.minimum(self.count[cid], CROWD)
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
        if len(queries) == 1 or sum(len(q) for q, _ in queries) > 4_000 or len(self.large):
            # batching saves numpy calls on small sets; on large ones the copies cost more
            return [self.query(q, k, strict=strict) for q, k in queries]
        bounds = np.cumsum([0] + [len(q) for q, _ in queries])
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        if bounds[-1] == 0 or self.n == 0:
            return [empty for _ in queries]
        # each set takes its own fastest path
        cells = [self._query_cells(np.asarray(q, float).reshape(-1, 4), np.asarray(k, np.int64))
                 for q, k in queries]
        if any(len(c[3]) for c in cells):
            return [self.query(q, k, strict=strict) for q, k in queries]
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
    if len(q) == 1:   # (one box moved: the usual edit) the same tests on one row
        qx0, qy0, qx1, qy1 = q[0].tolist()
        if strict:
            hit = (qx0 < b[:, 2]) & (b[:, 0] < qx1) & (qy0 < b[:, 3]) & (b[:, 1] < qy1)
        else:
            hit = (qx0 <= b[:, 2]) & (b[:, 0] <= qx1) & (qy0 <= b[:, 3]) & (b[:, 1] <= qy1)
        hit &= np.asarray(bkey) == int(np.asarray(qkey)[0])
        j = np.flatnonzero(hit)
        return np.zeros(len(j), np.int64), j
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
        valid = (key >= 0) & (key < len(self.nx))
        hk1 = np.where(valid, key, 0)
        gx = np.clip(np.floor(np.asarray(x, float) / self.cell), -_FAR, _FAR).astype(np.int64)
        gy = np.clip(np.floor(np.asarray(y, float) / self.cell), -_FAR, _FAR).astype(np.int64)
        if self.sparse:
            found, cid_all = self._cell_ids(np.repeat(hk1, 9), (gx[:, None] + _DX[None, :]).ravel(),
                                            (gy[:, None] + _DY[None, :]).ravel())
            ok = found & np.repeat(valid, 9)
        else:
            nx, ny = self.nx[hk1], self.ny[hk1]
            lx = (gx - self.gx0[hk1])[:, None] + _DX[None, :]
            ly = (gy - self.gy0[hk1])[:, None] + _DY[None, :]
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
