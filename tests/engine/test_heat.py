"""Heat density grid: power conserved, spread over footprints, clipped to the hall."""

from __future__ import annotations

import numpy as np
import pytest

from designer.engine.heat import heat_grid


def test_a_rack_filling_one_cell_heats_that_cell_only():
    grid = heat_grid(np.array([0.6]), np.array([0.6]), np.array([0.0]), np.array([1.2]), np.array([1.2]),
                     np.array([72.0]), (0.0, 0.0, 3.6, 2.4), 1.2)
    assert grid.grid.shape == (2, 3)  # rows south → north, columns west → east
    assert grid.grid[0, 0] == pytest.approx(72_000 / 1.44)  # W/m²
    assert grid.grid.sum() == pytest.approx(grid.grid[0, 0])
    assert grid.at(0.5, 0.5) == grid.grid[0, 0] and grid.at(3.0, 2.0) == 0.0


def test_power_is_conserved_across_cells_and_rotations():
    rng = np.random.default_rng(3)
    n = 200
    x, y = rng.uniform(1, 29, n), rng.uniform(1, 19, n)
    rot = rng.choice([0.0, 90.0, 180.0, 270.0], n)
    kw = rng.uniform(10, 120, n)
    grid = heat_grid(x, y, rot, np.full(n, 0.6), np.full(n, 1.2), kw, (0, 0, 30, 20), 1.2)
    assert grid.grid.sum() * 1.2 ** 2 == pytest.approx(kw.sum() * 1000)
    # a rack turned 90° spreads its heat over a 1.2 m (x) by 0.6 m (y) box
    one = heat_grid(np.array([1.2]), np.array([0.3]), np.array([90.0]), np.array([0.6]), np.array([1.2]),
                    np.array([10.0]), (0, 0, 2.4, 1.2), 1.2)
    assert one.grid[0, 0] == pytest.approx(one.grid[0, 1]) and one.grid[0, 0] > 0


def test_heat_outside_the_hall_is_dropped_and_no_load_is_cold():
    grid = heat_grid(np.array([-5.0, 2.0]), np.array([1.0, 1.0]), np.zeros(2), np.full(2, 0.6),
                     np.full(2, 1.2), np.array([50.0, 0.0]), (0, 0, 6, 6), 1.2)
    assert not grid.grid.any()


def test_a_huge_hall_gets_coarser_cells_not_gigabytes():
    """A hall outline 100 km across on 0.6 m cells would be ~2.8e10 cells (hundreds of
    GB): the grid keeps within MAX_CELLS by a whole multiple of the cell, and still
    conserves the power that lands in it."""
    from designer.engine.heat import MAX_CELLS

    x = np.array([10.0, 99_990.0])
    y = np.array([10.0, 99_990.0])
    kw = np.array([72.0, 30.0])
    grid = heat_grid(x, y, np.zeros(2), np.full(2, 0.6), np.full(2, 1.2), kw, (0.0, 0.0, 100_000.0, 100_000.0), 0.6)
    assert grid.grid.size <= MAX_CELLS and grid.grid.nbytes <= 8 * MAX_CELLS
    factor = grid.cell / 0.6
    assert factor == pytest.approx(round(factor)) and factor > 1
    x0, y0, x1, y1 = grid.extent
    assert x1 >= 100_000.0 and y1 >= 100_000.0
    assert grid.grid.sum() * grid.cell ** 2 == pytest.approx(kw.sum() * 1000)
    assert grid.at(10.0, 10.0) == pytest.approx(72_000 / grid.cell ** 2)
    # a long thin hall is bounded too, and an ordinary hall keeps its cells
    thin = heat_grid(x[:1], y[:1], np.zeros(1), np.full(1, 0.6), np.full(1, 1.2), kw[:1],
                     (-100_000.0, 0.0, 100_000.0, 2_000.0), 0.3)
    assert thin.grid.size <= MAX_CELLS and thin.grid.sum() * thin.cell ** 2 == pytest.approx(72_000)
    assert heat_grid(x[:1], y[:1], np.zeros(1), np.full(1, 0.6), np.full(1, 1.2), kw[:1],
                     (0, 0, 48, 30), 1.2).cell == 1.2


def test_many_large_footprints_are_summed_in_bounded_chunks(monkeypatch):
    from designer.engine import heat

    rng = np.random.default_rng(5)
    n = 300
    args = (rng.uniform(0, 60, n), rng.uniform(0, 40, n), rng.choice([0.0, 90.0], n), np.full(n, 6.0),
            np.full(n, 3.0), rng.uniform(1, 100, n), (0, 0, 60, 40), 0.3)
    whole = heat_grid(*args)
    monkeypatch.setattr(heat, "_CHUNK_OVERLAPS", 50)  # fewer than one footprint's cells: one at a time
    chunked = heat_grid(*args)
    assert np.allclose(chunked.grid, whole.grid)


@pytest.mark.parametrize("bounds, cell", [((0, 0, float("inf"), 10), 1.0), ((0, 0, 10, 10), 5e-324)])
def test_unbounded_grids_are_refused(bounds, cell):
    with pytest.raises(ValueError):
        heat_grid(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), bounds, cell)
