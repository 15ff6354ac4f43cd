"""The placement check behind the editor's ghost: the evaluation's floor rules for
footprints not placed yet, hand-computed cases (a 0.6 × 1.2 m rack; front faces −y at 0°)."""

from __future__ import annotations

import numpy as np
import pytest

from designer.engine import evaluate
from designer.engine.placement import Footprints, PlacementCheck
from designer.engine.types import AIR, COMPUTE
from designer.model import Design, Equipment, Hall

FRONT_M, REAR_M = 1.2, 0.9
OUTLINE = ((0.0, 0.0), (20.0, 0.0), (20.0, 12.0), (0.0, 12.0))


def racks(*placements, kind=COMPUTE, width=0.6, depth=1.2) -> Footprints:
    """Footprints of (x, y[, rotation]) placements."""
    p = [tuple(q) + (0.0,) * (3 - len(q)) for q in placements]
    n = len(p)
    a = np.array(p, float).reshape(n, 3)
    return Footprints(a[:, 0], a[:, 1], a[:, 2], np.full(n, width), np.full(n, depth), np.full(n, kind, np.int8))


def hall(columns=(), keepouts=(), outline=OUTLINE) -> Hall:
    return Hall("A", "Hall A", outline, list(columns), list(keepouts))


def verdict(candidate: Footprints, others: Footprints, h: Hall | None = None, dx=0.0, dy=0.0):
    check = PlacementCheck(h or hall(), others, FRONT_M, REAR_M)
    return check.check(check.prepare(candidate), dx, dy)


A = racks((5.0, 6.0))  # footprint x 4.7–5.3, y 5.4–6.6; front zone y 4.2–5.4, rear zone y 6.6–7.5


def test_a_rack_0_6_m_from_another_racks_front_is_in_its_zone():
    v = verdict(racks((5.0, 4.2)), A)  # y 3.6–4.8: 0.6 m south of A's front, in A's 1.2 m zone
    assert v.in_zone.tolist() == [True] and not v.overlap.any() and not v.outside.any()
    # its own rear zone (y 4.8–5.7) reaches A's footprint too
    assert v.zone_blocked.tolist() == [False, True]  # [front, rear]
    assert not v.ok


def test_a_rack_1_2_m_away_only_shares_the_aisle():
    v = verdict(racks((5.0, 3.6)), A)  # rear edge at y 4.2: touches A's front zone
    assert v.ok and not v.footprint_bad.any() and not v.zone_blocked.any()


def test_overlap_and_side_by_side():
    assert verdict(racks((5.3, 6.0)), A).overlap.tolist() == [True]
    beside = verdict(racks((5.6, 6.0)), A)  # x 5.3–5.9: touches A's side
    assert beside.ok
    # the same candidate checked at a shift: moved 0.3 m west it overlaps A
    assert verdict(racks((5.6, 6.0)), A, dx=-0.3).overlap.tolist() == [True]


def test_outside_the_hall_and_a_zone_through_the_wall():
    assert verdict(racks((0.2, 6.0)), A).outside.tolist() == [True]  # x −0.1–0.5
    against = verdict(racks((0.3, 6.0)), A)  # touching the west wall is inside
    assert against.ok
    south = verdict(racks((10.0, 0.6)), A)  # footprint y 0–1.2 inside; front zone y −1.2–0 is not
    assert not south.footprint_bad.any() and south.zone_blocked.tolist() == [True, False]
    # a rack that is itself outside: its zone through the wall is not counted again
    out = verdict(racks((10.0, -0.5)), A)
    assert out.outside.tolist() == [True] and out.zone_blocked.tolist() == [False, False]


def test_air_handlers_keep_no_rear_zone():
    crah = racks((10.0, 11.4, 0.0), kind=AIR, width=2.0, depth=1.2)  # back against the north wall
    check = PlacementCheck(hall(), A, FRONT_M, REAR_M)
    cand = check.prepare(crah)
    assert cand.zones.rear.tolist() == [False] and check.check(cand).ok


def test_columns_and_keep_outs_obstruct_and_block_zones():
    column = ((8.0, 8.0), (8.6, 8.0), (8.6, 8.6), (8.0, 8.6))
    h = hall(columns=[column])
    assert verdict(racks((8.3, 8.3)), Footprints.empty(), h).obstructed.tolist() == [True]
    # rack at (8.3, 9.8): footprint y 9.2–10.4 clear of the column, front zone y 8.0–9.2 on it
    v = verdict(racks((8.3, 9.8)), Footprints.empty(), h)
    assert not v.footprint_bad.any() and v.zone_blocked.tolist() == [True, False]
    keepout = ((12.0, 2.0), (14.0, 2.0), (14.0, 4.0), (12.0, 4.0))
    assert verdict(racks((13.0, 3.0)), Footprints.empty(), hall(keepouts=[keepout])).obstructed.tolist() == [True]


def test_odd_angles_are_decided_by_the_exact_shapes():
    column = ((10.0, 10.0), (10.6, 10.0), (10.6, 10.6), (10.0, 10.6))
    # at 45° the rack's box reaches (10.14, 10.14), over the column's corner; the rack does not:
    # the corner (10, 10) is 0.71 m from the centre along the rack's width axis (half-width 0.3)
    v = verdict(racks((9.5, 9.5, 45.0)), Footprints.empty(), hall(columns=[column]))
    assert not v.obstructed.any()
    assert verdict(racks((9.9, 9.9, 45.0)), Footprints.empty(), hall(columns=[column])).obstructed.tolist() == [True]
    # two racks at 45° 0.9 m apart along x: their boxes overlap, but along the racks' width
    # axis their centres are 0.64 m apart, over the two half-widths (0.6 m)
    tilted = racks((5.0, 6.0, 45.0))
    assert not verdict(racks((5.9, 6.0, 45.0)), tilted).overlap.any()
    assert verdict(racks((5.5, 6.0, 45.0)), tilted).overlap.tolist() == [True]


def test_an_l_shaped_hall_is_checked_against_its_outline():
    l_shape = ((0.0, 0.0), (20.0, 0.0), (20.0, 6.0), (10.0, 6.0), (10.0, 12.0), (0.0, 12.0))
    h = hall(outline=l_shape)
    assert verdict(racks((15.0, 3.0)), Footprints.empty(), h).ok
    assert verdict(racks((15.0, 9.0)), Footprints.empty(), h).outside.tolist() == [True]  # the cut-out corner


def test_busways_must_stay_inside_and_boxes_report_equipment():
    check = PlacementCheck(hall(), A, FRONT_M, REAR_M)
    seg = np.array([[2.0, 6.0, 8.0, 6.0], [15.0, 6.0, 25.0, 6.0]])
    assert check.segments_inside(seg).tolist() == [True, False]
    assert check.segments_inside(seg, dx=-12.0).tolist() == [False, True]
    assert check.covers_equipment((4.0, 5.0, 5.0, 6.0)) and not check.covers_equipment((6.0, 5.0, 7.0, 6.0))
    assert check.neighbour_boxes() == pytest.approx(np.array([[4.7, 5.4, 5.3, 6.6]]))


def test_a_large_group_is_paired_through_the_grid_like_a_small_one():
    # 2,000 racks against 1,000 (over the brute-force budget): the same verdicts as one by one
    rng = np.random.default_rng(7)
    others = racks(*rng.uniform(1.0, 19.0, (1000, 2)).round(1))
    cands = racks(*rng.uniform(1.0, 19.0, (2000, 2)).round(1))
    check = PlacementCheck(Hall("A", "A", ((0.0, 0.0), (20.0, 0.0), (20.0, 20.0), (0.0, 20.0))), others,
                           FRONT_M, REAR_M)
    whole = check.check(check.prepare(cands))
    for k in range(0, 2000, 97):
        one = check.check(check.prepare(racks((cands.x[k], cands.y[k]))))
        assert one.overlap[0] == whole.overlap[k] and one.in_zone[0] == whole.in_zone[k]
        assert one.zone_blocked.tolist() == whole.zone_blocked[[k, 2000 + k]].tolist()


def test_the_check_says_what_the_evaluation_then_reports(catalog):
    # network racks 0.6 m apart, one in front of the other: the check before placing the
    # second one and the evaluation after agree on whose clearance is broken
    kind = "network-rack"
    spec = catalog.types[kind]
    w, d = spec.width_m, spec.depth_m
    front_y = 6.0 - d - 0.6
    design = Design("t")
    design.halls.append(hall())
    design.equipment.insert([Equipment("n1", kind, "A", 5.0, 6.0), Equipment("n2", kind, "A", 5.0, front_y)])
    blocked = {v.ids[0] for v in evaluate(design, catalog).violations if v.kind == "clearance"}
    assert blocked == {"n1", "n2"}

    def net(y: float) -> Footprints:
        return Footprints(np.array([5.0]), np.array([y]), np.zeros(1), np.array([w]), np.array([d]),
                          np.array([1], np.int8))

    check = PlacementCheck(design.halls[0], net(6.0), catalog.value("clearance.front_m"),
                           catalog.value("clearance.rear_m"))
    v = check.check(check.prepare(net(front_y)))
    assert v.in_zone.tolist() == [True]            # n2 stands in n1's front zone
    assert v.zone_blocked.tolist() == [False, True]  # n2's rear zone reaches n1
