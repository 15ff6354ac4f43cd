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
