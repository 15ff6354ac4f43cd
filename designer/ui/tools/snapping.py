"""Snapping: to the floor's 0.6 m tile grid, to the edges of neighbouring equipment,
and (for busways) onto the centre line of a rack row."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from designer.model.layouts import TILE_M
from designer.ui.tools.floor import FloorGeometry

#: Neighbouring edges closer than this pull a dragged footprint onto them (metres).
MAGNET_M = 0.3
#: A busway end snaps onto the centre line of a row up to this far along it (metres).
ROW_REACH_M = 6.0


class Snapper:
    """Snaps to the floor's 0.6 m tile grid (a footprint's south-west corner on a tile
    corner) and, within 0.3 m, to the edges of neighbouring equipment, which win.

    Something new (a drop, a paste, a row) lands on the grid; something moved moves by
    whole tiles, so that a rack on the grid stays on it and a row laid off the grid
    stays in line with its neighbours."""

    def __init__(self, enabled: bool = True, grid_m: float = TILE_M, magnet_m: float = MAGNET_M) -> None:
        self.enabled = enabled
        self.grid_m = grid_m
        self.magnet_m = magnet_m

    def value(self, v: float) -> float:
        """A coordinate on the grid (unchanged when snapping is off)."""
        if not self.enabled:
            return v
        return round(round(v / self.grid_m) * self.grid_m, 6)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.value(x), self.value(y)

    def box(self, box: Sequence[float], neighbours: np.ndarray | None = None,
            start: Sequence[float] | None = None) -> tuple[float, float]:
        """The correction (dx, dy) that snaps a box: to a neighbour's edge when one is
        within the magnet distance, else its south-west corner to the grid (or, for a box
        moved from ``start``, its displacement to whole tiles)."""
        if not self.enabled:
            return 0.0, 0.0
        x0, y0, x1, y1 = box
        ox, oy = (0.0, 0.0) if start is None else (float(start[0]), float(start[1]))
        reach = 4 * self.grid_m
        dx = dy = None
        if neighbours is not None and len(neighbours):
            n = neighbours
            beside_y = (n[:, 1] < y1 + reach) & (n[:, 3] > y0 - reach)
            beside_x = (n[:, 0] < x1 + reach) & (n[:, 2] > x0 - reach)
            dx = self._magnet(x0, x1, n[beside_y, 0], n[beside_y, 2])
            dy = self._magnet(y0, y1, n[beside_x, 1], n[beside_x, 3])
        if dx is None:
            dx = self.value(x0 - ox) - (x0 - ox)
        if dy is None:
            dy = self.value(y0 - oy) - (y0 - oy)
        return float(dx), float(dy)

    def _magnet(self, lo: float, hi: float, n_lo: np.ndarray, n_hi: np.ndarray) -> float | None:
        if not len(n_lo):
            return None
        candidates = np.concatenate([n_hi - lo, n_lo - hi, n_lo - lo, n_hi - hi])  # abut, then align
        near = candidates[np.abs(candidates) <= self.magnet_m + 1e-9]
        if not len(near):
            return None
        return float(near[np.argmin(np.abs(near))])


def snap_to_rows(snapper: Snapper, floor: FloorGeometry, x: float, y: float) -> tuple[float, float]:
    """A busway point: on the grid, except that within 0.3 m it goes onto the centre
    line of a rack row under it (y of an east-west row, x of a north-south one)."""
    if not snapper.enabled:
        return x, y
    fp = floor.footprints
    sx, sy = snapper.point(x, y)
    if len(fp.x):
        along_x = np.isclose(np.mod(fp.rotation, 180.0), 0.0)   # rows running east-west
        along_y = np.isclose(np.mod(fp.rotation, 180.0), 90.0)  # rows running north-south
        for centres, along, across, axis in ((fp.y, along_x, np.abs(fp.x - x), 1),
                                             (fp.x, along_y, np.abs(fp.y - y), 0)):
            d = np.abs(centres - (y if axis == 1 else x))
            near = along & (d <= snapper.magnet_m) & (across <= ROW_REACH_M)
            if near.any():
                k = np.flatnonzero(near)[np.argmin(d[near])]
                if axis == 1:
                    sy = float(centres[k])
                else:
                    sx = float(centres[k])
    return round(sx, 6), round(sy, 6)
