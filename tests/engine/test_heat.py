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
