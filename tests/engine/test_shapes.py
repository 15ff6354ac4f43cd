"""The vectorised rectangle overlap test (separating axes) against hand cases and shapely."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine import boxes as bx
from designer.engine.shapes import rectangles_overlap


def rect(cx, cy, w, d, deg):
    c, s = bx.axes(np.array([float(deg)]))
    return bx.rect_corners(np.array([cx], float), np.array([cy], float), np.array([w], float),
                           np.array([d], float), c, s)


def test_side_by_side_racks_touch_but_do_not_overlap():
    a, b = rect(0.3, 0.6, 0.6, 1.2, 0), rect(0.9, 0.6, 0.6, 1.2, 0)
    assert not rectangles_overlap(a, b)[0]
    assert rectangles_overlap(a, rect(0.89, 0.6, 0.6, 1.2, 0))[0]   # 1 cm onto it


def test_a_rack_turned_45_degrees_meets_a_neighbour_its_box_alone_would_not_decide():
    # two 0.6 m squares 0.8 m apart centre to centre: the turned one reaches 0.424 m from its
    # centre along x, so the gap of 0.8 − 0.3 − 0.424 = 0.076 m stays open
    a, b = rect(0.0, 0.0, 0.6, 0.6, 45), rect(0.8, 0.0, 0.6, 0.6, 0)
    assert not rectangles_overlap(a, b)[0]
    # 0.7 m apart: 0.7 − 0.3 = 0.4 < 0.424, the corner enters the square
    assert rectangles_overlap(a, rect(0.7, 0.0, 0.6, 0.6, 0))[0]
    # diagonal neighbours whose boxes overlap but whose corners pass each other
    assert not rectangles_overlap(rect(0, 0, 0.6, 0.6, 45), rect(0.6, 0.6, 0.6, 0.6, 45))[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2), st.floats(0.2, 2), st.floats(0.2, 2),
                          st.sampled_from([0, 15, 30, 37.5, 45, 90, 120])), min_size=2, max_size=2))
def test_agrees_with_shapely(pair):
    """Against GEOS's interior-intersection predicate, away from the 1 µm borderline.
    (GEOS's overlay can be wrong where edges are nearly collinear: for a 0.89 m square
    centred in a 2.0 × 0.89 m rectangle, both at 37.5°, intersection().area is 0.0.)"""
    (ax, ay, aw, ad, ar), (bx_, by, bw, bd, br) = pair
    a, b = rect(ax, ay, aw, ad, ar), rect(bx_, by, bw, bd, br)
    pa, pb = shapely.Polygon(a[0]), shapely.Polygon(b[0])
    inner, outer = pa.buffer(-1e-6, join_style="mitre"), pa.buffer(1e-6, join_style="mitre")
    meets = shapely.relate_pattern(inner, pb, "T********")
    if meets == shapely.relate_pattern(outer, pb, "T********"):  # (not at the tolerance)
        assert bool(rectangles_overlap(a, b)[0]) == meets


def test_a_square_centred_in_a_turned_rectangle_overlaps_it():
    """The case where GEOS's overlay area says 0: the separating-axis test says overlap."""
    a = rect(-0.25, -0.5122192224829936, 2.0, 0.8899911926987543, 37.5)
    b = rect(-0.25, -0.5122192224829936, 0.8899911926987543, 0.8899911926987543, 37.5)
    assert rectangles_overlap(a, b)[0]
