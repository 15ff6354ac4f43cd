"""Halls alike (engine/alike.py): evaluating one hall of each kind and letting the others
take its results gives exactly what evaluating every hall gives, report and per-item
arrays alike, with and without broken rules, and the single failures too."""

from __future__ import annotations

import json
import numpy as np
import pytest

from designer.catalog import load_catalog
from designer.engine.alike import hall_digest
from designer.engine.evaluator import Evaluator
from designer.engine.group import feed_b_rows, loop_rows
from designer.engine.options import EngineOptions
from designer.model.design import Change, Design
from designer.model.layouts import lay_out_hall, spine_racks_for

EACH = EngineOptions(alike_halls=False)
ITEM_ARRAYS = ("powered", "cooled", "status", "load_kw", "limit_kw", "failover_kw", "ports_used",
               "served_by_busway", "served_by_busway_b", "served_by_cdu", "served_by_air", "link_down")


def campus_of(n_halls: int, power: str = "N") -> Design:
    """``n_halls`` halls laid out alike (ids prefixed per hall), one spine room each."""
    cat = load_catalog()
    d = Design("alike")
    d.site.utility_capacity_kw = 100_000
    for k in range(n_halls):
        hid = f"H{k + 1}"
        lay_out_hall(d, cat, hid, f"Hall {k + 1}", row_pairs=1, ultraservers_per_row=2, id_prefix=f"{hid}-",
                     spine_racks=spine_racks_for(cat, n_halls * 2 * 2 * 36) // n_halls + 1, power=power)
    return d


def same(a: Evaluator, b: Evaluator) -> None:
    assert json.dumps(a.evaluation.report()) == json.dumps(b.evaluation.report())
    for name in ITEM_ARRAYS:
        assert np.array_equal(getattr(a.evaluation.items, name), getattr(b.evaluation.items, name)), name
    la, lb = a.evaluation.items.links, b.evaluation.items.links
    for field in ("rack", "network", "count", "length_m", "medium"):
        assert np.array_equal(getattr(la, field), getattr(lb, field)), field


def test_halls_laid_out_alike_have_one_digest_and_a_moved_rack_makes_another():
    d = campus_of(3)
    ev = Evaluator(d)
    loops, feeds = loop_rows(d.equipment), feed_b_rows(d.equipment)
    digests = [hall_digest(d, h, ev.order[slice(*ev.slices[h.id])], loops, feeds, None) for h in d.halls]
    assert digests[0] == digests[1] == digests[2]
    t = d.equipment
    r = t.index["H2-us1-r1"]
    t.x[r] += 0.6
    moved = hall_digest(d, d.hall("H2"), ev.order[slice(*ev.slices["H2"])], loops, feeds, None)
    assert moved != digests[0]


@pytest.mark.parametrize("power", ["N", "2N"])
def test_a_campus_of_halls_alike_evaluates_as_every_hall_evaluated(power):
    d = campus_of(4, power)
    fast, each = Evaluator(d, resilience=True), Evaluator(d, options=EACH, resilience=True)
    assert fast.evaluation.count_by_severity()["error"] == 0
    same(fast, each)
    assert fast.evaluation.resilience.report() == each.evaluation.resilience.report()
    # one hall of each kind was tried: the others took its failures (renamed to their ids)
    assert len(fast.failure_memo) == 1
    ids = {f.id for f in fast.evaluation.resilience.single_failures}
    bw = "bw1" if power == "N" else "bw1B"
    assert {f"H1-{bw}", f"H4-{bw}", "H3-cdu1"} <= ids


def test_halls_alike_that_break_a_rule_are_evaluated_each_with_their_own_messages():
    d = campus_of(3)
    t = d.equipment
    for h in ("H1", "H2", "H3"):   # the same overlap in every hall: the halls stay alike
        r = t.index[f"{h}-us1-r2"]
        t.x[r] = t.x[t.index[f"{h}-us1-r1"]] + 0.3
    fast, each = Evaluator(d), Evaluator(d, options=EACH)
    same(fast, each)
    overlaps = fast.evaluation.violations_of("overlap")
    assert sorted(v.hall for v in overlaps) == ["H1", "H2", "H3"]
    assert any("H3-us1-r2" in v.ids for v in overlaps)


def test_edits_after_a_campus_of_halls_alike_match_a_fresh_evaluation():
    d = campus_of(3)
    ev = Evaluator(d)
    t = d.equipment
    r = t.index["H2-us2-r1"]
    t.x[r] += 0.6
    ev.apply(Change("moved", ("H2-us2-r1",), ("H2",)))
    fresh = Evaluator(d, options=EACH)
    assert json.dumps(ev.evaluation.report()) == json.dumps(fresh.evaluation.report())
    # what was alike before the edit still is: H1 and H3 keep sharing their failures
    res = ev.resilience()
    assert {f.id: f.stranded_ultraservers for f in res.single_failures} == {
        f.id: f.stranded_ultraservers for f in fresh.resilience().single_failures}


def test_a_what_if_failure_in_one_hall_makes_it_unlike_the_others():
    d = campus_of(3)
    fast = Evaluator(d, failed=["H2-bw1"])
    each = Evaluator(d, options=EACH, failed=["H2-bw1"])
    same(fast, each)
    assert fast.evaluation.report()["throughput"]["stranded_ultraservers"] > 0
