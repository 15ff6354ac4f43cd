"""Small shape helpers shared by the engine: hall-relative snapped coordinates and
cached polygons (halls and their obstacles rarely change while racks are edited)."""

from __future__ import annotations

import functools

import numpy as np
import shapely


@functools.lru_cache(maxsize=1 << 16)
def rect_box(poly: tuple) -> tuple[float, float, float, float] | None:
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
def polygon(poly: tuple):
    """A shapely polygon of a point tuple (cached)."""
    return shapely.Polygon(poly)


#: Geometry is evaluated in hall-relative coordinates snapped to this grid (1 µm), so a
#: design moved as a whole evaluates identically: float noise cannot tip a comparison.
SNAP_M = 1e-6


def snap(v):
    """Values snapped to the 1 µm grid."""
    return np.round(np.asarray(v, float) / SNAP_M) * SNAP_M


@functools.lru_cache(maxsize=1 << 16)
def relative_polygon(points: tuple, ox: float, oy: float) -> tuple:
    """A polygon's points relative to a hall origin, snapped (cached)."""
    rel = snap(np.asarray(points, float) - (ox, oy))
    return tuple(map(tuple, rel.tolist()))


def rectangles_overlap(a: np.ndarray, b: np.ndarray, tolerance_m: float = 1e-9) -> np.ndarray:
    """Whether the interiors of rectangles ``a[k]`` and ``b[k]`` (corners, shape (n, 4, 2),
    in order around each rectangle) overlap by more than ``tolerance_m`` — vectorised.

    Separating axis theorem: two convex polygons are disjoint exactly when their
    projections on some edge normal do not overlap; a rectangle's edge normals are its
    two edge directions, so four axes decide each pair."""
    if not len(a):
        return np.zeros(0, bool)
    overlap = np.ones(len(a), bool)
    for rect in (a, b):
        for edge in ((1, 0), (3, 0)):
            axis = rect[:, edge[0]] - rect[:, edge[1]]                       # (n, 2)
            axis = axis / np.maximum(np.hypot(axis[:, 0], axis[:, 1]), 1e-300)[:, None]
            pa = np.einsum("nkd,nd->nk", a, axis)
            pb = np.einsum("nkd,nd->nk", b, axis)
            overlap &= (np.minimum(pa.max(1), pb.max(1)) - np.maximum(pa.min(1), pb.min(1))) > tolerance_m
    return overlap
