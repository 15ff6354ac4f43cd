"""Service zones: which equipment keeps floor clear in front and behind, and where."""

from __future__ import annotations

import numpy as np
import pytest

from designer.engine import boxes as bx
from designer.engine.types import AIR, CDU, COMPUTE, NETWORK
from designer.engine.zones import has_front_zone, has_rear_zone, service_zones, zone_boxes, zone_corners

KINDS = np.array([COMPUTE, NETWORK, CDU, AIR], np.int8)


def test_racks_and_cdus_keep_both_zones_air_handlers_only_a_front_one():
    assert has_front_zone(KINDS).tolist() == [True, True, True, True]
    assert has_rear_zone(KINDS).tolist() == [True, True, True, False]
    zones = service_zones(KINDS, 1.2, 0.9)
    assert zones.owner.tolist() == [0, 1, 2, 3, 0, 1, 2]  # front zones first, then rear
    assert zones.rear.tolist() == [False] * 4 + [True] * 3
    assert zones.length_m.tolist() == [1.2] * 4 + [0.9] * 3


def test_no_depth_no_zones_and_a_zero_deep_side_clears_nothing():
    assert len(service_zones(KINDS, 0.0, 0.0)) == 0
    zones = service_zones(KINDS, 0.0, 0.9)
    assert len(zones) == 7 and zones.length_m[:4].tolist() == [0.0] * 4
    clearing = zones.clearing()
    assert clearing.rear.all() and clearing.owner.tolist() == [0, 1, 2]


def test_zone_rectangles_lie_along_the_depth_axis():
    # a 0.6 × 1.2 m rack at (5, 6): front faces −y at 0°, +x at 90° (counter-clockwise)
    x, y = np.array([5.0, 5.0]), np.array([6.0, 6.0])
    w, d = np.full(2, 0.6), np.full(2, 1.2)
    c, s = bx.axes(np.array([0.0, 90.0]))
    kind = np.array([COMPUTE, COMPUTE], np.int8)
    zones = service_zones(kind, 1.2, 0.9)
    b = zone_boxes(x, y, w, d, c, s, zones, shrink=0.0)
    assert b == pytest.approx(np.array([[4.7, 4.2, 5.3, 5.4],    # front at 0°: 1.2 m south of y 5.4
                                         [5.6, 5.7, 6.8, 6.3],    # front at 90°: 1.2 m east of x 5.6
                                         [4.7, 6.6, 5.3, 7.5],    # rear at 0°: 0.9 m north of y 6.6
                                         [3.5, 5.7, 4.4, 6.3]]))  # rear at 90°: 0.9 m west of x 4.4
    corners = zone_corners(x, y, w, d, c, s, zones)
    assert corners.shape == (4, 4, 2)
    assert corners[0].min(axis=0).tolist() == pytest.approx([4.7, 4.2])
    assert corners[0].max(axis=0).tolist() == pytest.approx([5.3, 5.4])
    # shrunk by 1 µm like footprints: a zone only touches its own rack
    assert zone_boxes(x, y, w, d, c, s, zones)[0].tolist() == pytest.approx(
        [4.7 + bx.EPS_M, 4.2 + bx.EPS_M, 5.3 - bx.EPS_M, 5.4 - bx.EPS_M], abs=1e-12)
