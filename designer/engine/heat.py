"""Heat density on a floor grid: W/m² per cell from the IT power of each footprint.

Heat equals IT power (PRODUCT.md §3). Each item's power is spread evenly over its
footprint and summed into square cells of ``cooling.heat_grid_m``; a cell's value is
the power that lands in it divided by the cell's area. Footprints are taken as their
axis-aligned boxes (exact for racks at multiples of 90°; at other angles the box is a
little larger, and the power it spreads stays the rack's power). A hall too large for
:data:`MAX_CELLS` cells of that size gets coarser cells (a whole multiple of the size
asked for), so a hostile outline cannot allocate gigabytes. Qt-free.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from designer.engine import boxes as bx

#: At most this many cells in one hall's grid (8 MB of float64); larger halls get coarser cells.
MAX_CELLS = 1_000_000
#: Footprint × cell overlaps summed at once (bounds the working memory of many large footprints).
_CHUNK_OVERLAPS = 1 << 22


class HeatGrid(NamedTuple):
    """Heat density per cell (W/m²), rows from south to north, columns west to east."""

    grid: np.ndarray                 # (rows, cols) W/m²
    origin: tuple[float, float]      # plan (x, y) of the grid's south-west corner, metres
    cell: float                      # side of a cell, metres

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in plan metres covered by the grid."""
        rows, cols = self.grid.shape
        x0, y0 = self.origin
        return x0, y0, x0 + cols * self.cell, y0 + rows * self.cell

    def at(self, x: float, y: float) -> float:
        """W/m² of the cell holding plan point (x, y); 0 outside the grid."""
        j = int(np.floor((x - self.origin[0]) / self.cell))
        i = int(np.floor((y - self.origin[1]) / self.cell))
        rows, cols = self.grid.shape
        return float(self.grid[i, j]) if 0 <= i < rows and 0 <= j < cols else 0.0


def heat_grid(x: np.ndarray, y: np.ndarray, rotation_deg: np.ndarray, width_m: np.ndarray,
              depth_m: np.ndarray, it_kw: np.ndarray, bounds: tuple[float, float, float, float],
              cell_m: float) -> HeatGrid:
    """Heat density (W/m²) over the rectangle ``bounds`` (x0, y0, x1, y1; a hall's
    outline bounds) on cells of ``cell_m``, aligned with the south-west corner. When
    that would make more than :data:`MAX_CELLS` cells, the cell is a whole multiple of
    ``cell_m`` (about the square root of the excess) that keeps within it; the result's
    ``cell`` says which.

    Power falling outside ``bounds`` is dropped (an item outside the hall heats no
    cell of it). Vectorised: each footprint is expanded into the few cells its box
    covers and the overlaps are summed with ``bincount`` (in chunks of bounded size).
    """
    x0, y0, x1, y1 = map(float, bounds)
    cell = float(cell_m)
    if not cell > 0:
        raise ValueError(f"heat grid cell must be positive, got {cell_m!r}")
    if not (np.isfinite([x0, y0, x1, y1]).all() and np.isfinite([(x1 - x0) / cell, (y1 - y0) / cell]).all()):
        raise ValueError(f"heat grid bounds and cell must be finite, got {bounds!r}, {cell_m!r}")
    rows, cols = _shape(x0, y0, x1, y1, cell)
    if rows * cols > MAX_CELLS:
        factor = max(2, int(np.ceil(np.sqrt(rows * cols / MAX_CELLS))))
        while True:
            rows, cols = _shape(x0, y0, x1, y1, cell * factor)
            if rows * cols <= MAX_CELLS:
                break
            factor += 1
        cell *= factor
    grid = np.zeros(rows * cols)
    x = np.asarray(x, float)
    kw = np.asarray(it_kw, float)
    hot = np.flatnonzero((kw > 0) & (np.asarray(width_m) > 0) & (np.asarray(depth_m) > 0))
    if len(hot):
        c, s = bx.axes(np.asarray(rotation_deg, float)[hot])
        b = bx.boxes(x[hot] - x0, np.asarray(y, float)[hot] - y0, np.asarray(width_m, float)[hot],
                     np.asarray(depth_m, float)[hot], c, s, shrink=0.0)
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        w_per_m2 = kw[hot] * 1000.0 / area  # power density over the box
        # cells each box covers, clipped to the grid
        i0 = np.clip(np.floor(b[:, 1] / cell).astype(np.int64), 0, rows - 1)
        i1 = np.clip(np.ceil(b[:, 3] / cell).astype(np.int64) - 1, 0, rows - 1)
        j0 = np.clip(np.floor(b[:, 0] / cell).astype(np.int64), 0, cols - 1)
        j1 = np.clip(np.ceil(b[:, 2] / cell).astype(np.int64) - 1, 0, cols - 1)
        ni = np.maximum(i1 - i0 + 1, 0)
        nj = np.maximum(j1 - j0 + 1, 0)
        k = ni * nj
        # footprints in chunks of at most _CHUNK_OVERLAPS overlaps (one footprint may exceed it alone)
        ends = np.cumsum(k)
        lo = 0
        while lo < len(b):
            base = ends[lo] - k[lo]
            hi = max(lo + 1, int(np.searchsorted(ends, base + _CHUNK_OVERLAPS, side="right")))
            sel = np.arange(lo, hi)
            kk = k[sel]
            idx = np.repeat(sel, kk)
            within = np.arange(len(idx)) - np.repeat(np.cumsum(kk) - kk, kk)
            ii = i0[idx] + within // nj[idx]
            jj = j0[idx] + within % nj[idx]
            ox = np.minimum(b[idx, 2], (jj + 1) * cell) - np.maximum(b[idx, 0], jj * cell)
            oy = np.minimum(b[idx, 3], (ii + 1) * cell) - np.maximum(b[idx, 1], ii * cell)
            overlap = np.clip(ox, 0.0, None) * np.clip(oy, 0.0, None)
            grid += np.bincount(ii * cols + jj, w_per_m2[idx] * overlap, minlength=rows * cols)
            lo = hi
        grid /= cell * cell
    return HeatGrid(grid.reshape(rows, cols), (x0, y0), cell)


def _shape(x0: float, y0: float, x1: float, y1: float, cell: float) -> tuple[int, int]:
    """(rows, cols) of cells of ``cell`` covering the rectangle."""
    cols = max(1, int(np.ceil((x1 - x0) / cell - 1e-9)))
    rows = max(1, int(np.ceil((y1 - y0) / cell - 1e-9)))
    return rows, cols
