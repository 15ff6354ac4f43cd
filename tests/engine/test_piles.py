"""Piles of racks: overlap detection and its report stay near-linear whatever the input —
one violation per pile, the candidate pairs capped per grid cell (boxes.CROWD)."""

from __future__ import annotations

import pytest

from designer.engine import boxes as bx
from designer.engine import evaluate

from .helpers import hall, make_design, rack, row


def pile(n: int, rotation: float = 0.0, dx: float = 0.0):
    """``n`` single-rack UltraServers dropped on (almost) one spot."""
    return make_design([rack(f"us{k + 1}-r1", 5.0 + dx * k, 5.0, rotation, system=f"us{k + 1}") for k in range(n)],
                       [hall(w=20, h=20)], assumptions={"trn3-gen2-rack.racks_per_system": 1})


@pytest.mark.parametrize("rotation", [0.0, 37.5])
def test_a_pile_is_one_overlap_violation_naming_its_size_and_every_rack_is_flagged(rotation):
    n = 600
    d = pile(n, rotation)
    ev = evaluate(d)
    (v,) = ev.violations_of("overlap")
    assert v.message.startswith(f"{n} items are piled on one another: us1-r1, us10-r1, us100-r1 and {n - 3} more")
    assert len(v.ids) == n
    assert ev.items.flags["overlap"].all()
    # the report grows with the racks, not with their pairs (n² / 2 = 180,000 here)
    assert len(ev.violations) <= 5 * n   # (per rack: unpowered, uncooled, no port, …; one pile)


def test_a_row_of_racks_piled_behind_one_rack_names_the_blockers_with_a_count():
    """Ten racks standing in one rack's front service zone: one message, three named."""
    items = [rack("us1-r1", 5.0, 5.0, system="us1")]
    items += [rack(f"x{k}-r1", 4.76 + 0.06 * k, 4.0, system=f"x{k}") for k in range(10)]
    d = make_design(items, [hall(w=20, h=20)], assumptions={"trn3-gen2-rack.racks_per_system": 1})
    ev = evaluate(d)
    mine = [v for v in ev.violations_of("clearance") if v.ids[0] == "us1-r1"]
    assert len(mine) == 1
    assert mine[0].message.startswith("the front service zone of us1-r1 (1.20 m) is blocked by 10 items: x0-r1, "
                                      "x1-r1, x2-r1 and 7 more")


def test_the_pairs_of_a_pile_grow_linearly():
    boxes = [[0.0, 0.0, 0.6, 1.2]] * 3000
    index = bx.BoxIndex(boxes, [0] * 3000)
    i, j = index.query(boxes, [0] * 3000)
    assert len(i) <= bx.CROWD * 3000 * 4      # (a box covers up to four cells)
    assert set(range(3000)) <= set(i.tolist())   # every box still finds partners


def test_two_racks_side_by_side_and_a_small_stack_are_still_reported_pair_by_pair():
    d = pile(3, dx=0.3)   # three racks 0.6 m wide, 0.3 m apart: each overlaps the next by half
    ev = evaluate(d)
    assert sorted(v.ids for v in ev.violations_of("overlap")) == [("us1-r1", "us2-r1"), ("us2-r1", "us3-r1")]
    assert all(" overlaps " in v.message for v in ev.violations_of("overlap"))
