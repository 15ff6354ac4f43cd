"""Vectorised footprints and service zones (numpy + shapely 2, no Python loops)."""

from __future__ import annotations

import numpy as np
import shapely

#: Footprints and zones are shrunk by this much on every side so that racks that only
#: touch (side by side, against a wall) neither overlap nor leave the hall through
#: floating-point noise. One micrometre is far below any planning tolerance.
EPS_M = 1e-6


def axes(rotation_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vector along a rack's width (u) for each rotation; depth runs along (−s, c).

    Multiples of 90° give exact 0/±1 so that aligned racks stay exactly aligned.
    """
    th = np.radians(np.asarray(rotation_deg, float))
    c = np.cos(th)
    s = np.sin(th)
    c = np.where(np.abs(c) < 1e-12, 0.0, c)
    s = np.where(np.abs(s) < 1e-12, 0.0, s)
    return c, s


def rect_coords(cx, cy, half_w, half_d, c, s) -> np.ndarray:
    """Corner coordinates (n, 4, 2) of rectangles centred at (cx, cy) with axes (c, s)."""
    ux, uy = c, s
    vx, vy = -s, c
    out = np.empty((len(cx), 4, 2))
    for k, (sx, sy) in enumerate(((-1, -1), (1, -1), (1, 1), (-1, 1))):
        out[:, k, 0] = cx + sx * half_w * ux + sy * half_d * vx
        out[:, k, 1] = cy + sx * half_w * uy + sy * half_d * vy
    return out


def rects(cx, cy, width, depth, c, s, shrink: float = EPS_M) -> np.ndarray:
    """Shapely polygons for rotated rectangles (vectorised)."""
    if len(cx) == 0:
        return np.empty(0, dtype=object)
    coords = rect_coords(cx, cy, width / 2 - shrink, depth / 2 - shrink, c, s)
    return shapely.polygons(coords)


def service_zones(cx, cy, width, depth, c, s, front_m: float, rear_m: float):
    """Front (intake) and rear (exhaust) service zones.

    At rotation 0 the front faces −y: the depth axis v = (−s, c) points to the rear.
    """
    vx, vy = -s, c
    f_off = depth / 2 + front_m / 2
    r_off = depth / 2 + rear_m / 2
    front = rects(cx - vx * f_off, cy - vy * f_off, width, np.full_like(cx, front_m), c, s)
    rear = rects(cx + vx * r_off, cy + vy * r_off, width, np.full_like(cx, rear_m), c, s)
    return front, rear


def behind_zone(cx, cy, width, depth, c, s, length_m: float) -> np.ndarray:
    """The strip behind each rack into which its exhaust blows."""
    vx, vy = -s, c
    off = depth / 2 + length_m / 2
    return rects(cx + vx * off, cy + vy * off, width, np.full_like(cx, length_m), c, s)


def polygon(points) -> shapely.Polygon:
    return shapely.Polygon(points)
