"""Aisles between facing rows of a hall: where they are, how wide, hot or cold, and
whether they hold the service zones they must (no Qt; the canvas draws them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.engine import boxes as bx
from designer.engine.types import CDU

#: Largest gap between two facing rows still called an aisle (metres).
MAX_AISLE_M = 6.0
#: Footprints side by side closer than this belong to one row (metres).
ROW_GAP_M = 0.05
#: Rows must share at least this much of their length to bound an aisle (metres).
MIN_SHARED_M = 0.3


def stands_in_row(kind: np.ndarray) -> np.ndarray:
    """Which items (kind codes) stand in rows: racks, network racks and in-row CDUs."""
    return np.asarray(kind) <= CDU


@dataclass
class Aisles:
    """Aisles between facing rows of one hall (plan metres)."""

    horizontal: np.ndarray  # bool: the rows run east-west (the aisle's width is along y)
    u0: np.ndarray          # along the rows: start and end of the part both rows share
    u1: np.ndarray
    va: np.ndarray          # across the rows (plan coordinate): edge of the first row
    vb: np.ndarray          # edge of the second row (vb - va = width)
    kind: np.ndarray        # 0 cold (fronts face each other), 1 hot (backs), 2 mixed
    narrow: np.ndarray      # narrower than the service zones need

    COLD, HOT, MIXED = range(3)

    @property
    def width(self) -> np.ndarray:
        return self.vb - self.va

    def boxes(self) -> np.ndarray:
        """(n, 4) plan boxes x min, y min, x max, y max of each aisle."""
        h = self.horizontal
        return np.stack([np.where(h, self.u0, self.va), np.where(h, self.va, self.u0),
                         np.where(h, self.u1, self.vb), np.where(h, self.vb, self.u1)], axis=1)

    @classmethod
    def none(cls) -> "Aisles":
        empty = np.zeros(0)
        return cls(np.zeros(0, bool), empty, empty, empty, empty, np.zeros(0, np.int64), np.zeros(0, bool))


def find_aisles(x: np.ndarray, y: np.ndarray, rotation: np.ndarray, width: np.ndarray, depth: np.ndarray,
                front_m: float, rear_m: float) -> Aisles:
    """Aisles between parallel rows of footprints (plan metres, centres).

    Footprints at multiples of 90° facing the same way with the same centre line and
    depth, side by side (gaps under 5 cm), form a row. Two rows whose extents overlap
    along their length and face each other across a gap of up to :data:`MAX_AISLE_M`
    (the nearest row on either side) bound an aisle: *cold* when both fronts face it,
    *hot* when both backs do. It is *narrow* when it is narrower than the service zone
    it must hold (front clearance for cold and mixed aisles, rear for hot ones).
    """
    c, s = bx.axes(rotation)
    horizontal = np.abs(c) == 1
    vertical = np.abs(s) == 1
    out = []
    for h_flag, sel in ((True, np.flatnonzero(horizontal)), (False, np.flatnonzero(vertical))):
        if len(sel) < 2:
            continue
        if h_flag:
            u, v, hu, hv, facing = x[sel], y[sel], width[sel] / 2, depth[sel] / 2, -c[sel]
        else:
            u, v, hu, hv, facing = y[sel], x[sel], width[sel] / 2, depth[sel] / 2, s[sel]
        vk = np.round(v * 1000).astype(np.int64)
        hk = np.round(hv * 1000).astype(np.int64)
        order = np.lexsort((u, hk, facing, vk))
        u, v, hu, hv, facing, vk, hk = (a[order] for a in (u, v, hu, hv, facing, vk, hk))
        lo, hi = u - hu, u + hu
        new = np.ones(len(u), bool)
        new[1:] = ((vk[1:] != vk[:-1]) | (hk[1:] != hk[:-1]) | (facing[1:] != facing[:-1])
                   | (lo[1:] > hi[:-1] + ROW_GAP_M))
        starts = np.flatnonzero(new)
        seg_lo = np.minimum.reduceat(lo, starts)
        seg_hi = np.maximum.reduceat(hi, starts)
        seg_v0 = (v - hv)[starts]
        seg_v1 = (v + hv)[starts]
        seg_face = facing[starts]
        # A (lower) and B (upper): gap between A's upper edge and B's lower edge
        gap = seg_v0[None, :] - seg_v1[:, None]
        shared = np.minimum(seg_hi[:, None], seg_hi[None, :]) - np.maximum(seg_lo[:, None], seg_lo[None, :])
        ok = (gap > ROW_GAP_M) & (gap <= MAX_AISLE_M) & (shared > MIN_SHARED_M)
        g = np.where(ok, gap, np.inf)
        pairs = set()
        for a, b in enumerate(np.argmin(g, axis=1)):  # nearest row above each row
            if np.isfinite(g[a, b]):
                pairs.add((a, int(b)))
        for b, a in enumerate(np.argmin(g, axis=0)):  # nearest row below each row
            if np.isfinite(g[a, b]):
                pairs.add((int(a), b))
        if not pairs:
            continue
        a, b = np.array(sorted(pairs)).T
        fa, fb = seg_face[a], seg_face[b]
        kind = np.where((fa > 0) & (fb < 0), Aisles.COLD, np.where((fa < 0) & (fb > 0), Aisles.HOT, Aisles.MIXED))
        need = np.choose(kind, [front_m, rear_m, max(front_m, rear_m)])
        width_m = seg_v0[b] - seg_v1[a]
        out.append(Aisles(np.full(len(a), h_flag), np.maximum(seg_lo[a], seg_lo[b]),
                          np.minimum(seg_hi[a], seg_hi[b]), seg_v1[a], seg_v0[b], kind,
                          width_m < need - 1e-6))
    if not out:
        return Aisles.none()
    return Aisles(*(np.concatenate([getattr(o, f) for o in out]) for f in
                    ("horizontal", "u0", "u1", "va", "vb", "kind", "narrow")))
