"""Aisles between facing rows: found, measured and called hot, cold or too narrow."""

from __future__ import annotations

import numpy as np
import pytest

from designer.engine.aisles import Aisles, find_aisles, stands_in_row
from designer.engine.types import AIR, CDU, COMPUTE, NETWORK


def test_aisle_width_between_facing_rows():
    # two rows of racks back to back across 1.8 m (hot), and a row facing the first across 1.2 m (cold)
    x = np.array([0.3, 0.9, 0.3, 0.9, 0.3, 0.9])
    y = np.array([0.6, 0.6, 3.6, 3.6, -1.8, -1.8])
    rot = np.array([0.0, 0.0, 180.0, 180.0, 180.0, 180.0])
    w, d = np.full(6, 0.6), np.full(6, 1.2)
    # rows at 0.6 (front south) and 3.6 (front north): backs face across y 1.2–3.0
    aisles = find_aisles(x, y, rot, w, d, 1.2, 0.9)
    found = sorted(zip(aisles.va, aisles.vb, aisles.kind, aisles.narrow))
    assert found == [(pytest.approx(-1.2), pytest.approx(0.0), Aisles.COLD, False),
                     (pytest.approx(1.2), pytest.approx(3.0), Aisles.HOT, False)]
    assert aisles.u0.tolist() == pytest.approx([0.0, 0.0]) and aisles.u1.tolist() == pytest.approx([1.2, 1.2])
    # squeeze the cold aisle to 0.9 m: narrower than the 1.2 m front clearance
    y2 = y.copy()
    y2[4:] = -1.5
    narrow = find_aisles(x, y2, rot, w, d, 1.2, 0.9)
    cold = narrow.kind == Aisles.COLD
    assert narrow.width[cold] == pytest.approx([0.9]) and narrow.narrow[cold].all()


def test_rows_running_north_south_bound_an_aisle_along_x():
    # fronts east (90°) at x 0–1.2 and fronts west (270°) at x 2.4–3.6, two racks each along y 0–1.2
    x = np.array([0.6, 0.6, 3.0, 3.0])
    y = np.array([0.3, 0.9, 0.3, 0.9])
    rot = np.array([90.0, 90.0, 270.0, 270.0])
    aisles = find_aisles(x, y, rot, np.full(4, 0.6), np.full(4, 1.2), 1.2, 0.9)
    assert aisles.kind.tolist() == [Aisles.COLD] and not aisles.horizontal[0]
    assert aisles.width.tolist() == pytest.approx([1.2]) and not aisles.narrow[0]  # exactly the front zone
    assert aisles.boxes() == pytest.approx(np.array([[1.2, 0.0, 2.4, 1.2]]))


def test_rows_too_far_apart_or_side_by_side_make_no_aisle():
    x = np.array([0.3, 0.3, 5.0])
    y = np.array([0.6, 8.0, 0.6])  # 6.2 m apart (over 6 m), and a rack 4.4 m east in the same line
    rot = np.array([0.0, 180.0, 0.0])
    aisles = find_aisles(x, y, rot, np.full(3, 0.6), np.full(3, 1.2), 1.2, 0.9)
    assert len(aisles.u0) == 0


def test_racks_network_racks_and_cdus_stand_in_rows_air_handlers_do_not():
    kinds = np.array([COMPUTE, NETWORK, CDU, AIR], np.int8)
    assert stands_in_row(kinds).tolist() == [True, True, True, False]
