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
from designer.engine.templates import Written
from designer.io.exports import evaluation_json
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
    # the JSON report (violations written from templates as text) is the standard library's
    expected = (json.dumps(b.evaluation.report(), indent=2, ensure_ascii=False) + "\n").encode()
    assert evaluation_json(a.evaluation) == expected
    assert evaluation_json(a.evaluation, a.evaluation.report()) == expected   # (a full report given)
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


def test_codes_are_renumbered_by_first_appearance_within_each_hall():
    from designer.engine.alike import renumbered

    codes = np.array([7, 0, 3, 7, 5, 3, 0, 9, 3, 9])
    hall = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    assert renumbered(codes).tolist() == [1, 0, 2, 1, 3, 2, 0, 4, 2, 4]
    assert renumbered(codes, hall).tolist() == [1, 0, 2, 1, 3, 1, 0, 2, 1, 2]


def test_the_digests_of_all_halls_at_once_are_each_halls_own():
    from designer.engine.alike import hall_digests

    d = campus_of(3)
    t = d.equipment
    t.x[t.index["H3-us1-r1"]] += 0.6
    ev = Evaluator(d)
    loops, feeds = loop_rows(t), feed_b_rows(t)
    rows = [ev.order[slice(*ev.slices[h.id])] for h in d.halls]
    alone = [hall_digest(d, h, r, loops, feeds, None) for h, r in zip(d.halls, rows)]
    assert hall_digests(d, d.halls, rows, loops, feeds, None) == alone
    assert alone[0] == alone[1] != alone[2]


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


def broken_campus(n_halls: int = 4) -> Design:
    """Halls alike that break rules naming several items and UltraServers each: an
    overlap, five racks piled on one another, and too few network ports for the links."""
    d = campus_of(n_halls)
    d.assumptions["network-rack.ports"] = 24
    t = d.equipment
    for k in range(n_halls):
        h = f"H{k + 1}"
        t.x[t.index[f"{h}-us1-r2"]] = t.x[t.index[f"{h}-us1-r1"]] + 0.3
        for r in ("us2-r2", "us3-r1", "us3-r2", "us4-r1"):
            t.x[t.index[f"{h}-{r}"]] = t.x[t.index[f"{h}-us2-r1"]]
            t.y[t.index[f"{h}-{r}"]] = t.y[t.index[f"{h}-us2-r1"]]
    return d


def evaluated_halls(monkeypatch) -> list[int]:
    """Counts the halls each group evaluation takes (spied on the evaluator's call)."""
    import designer.engine.evaluator as evaluator_module

    sizes: list[int] = []
    real = evaluator_module.evaluate_group

    def spy(design, types, settings, halls, *args, **kw):
        sizes.append(len(halls))
        return real(design, types, settings, halls, *args, **kw)

    monkeypatch.setattr(evaluator_module, "evaluate_group", spy)
    return sizes


def test_halls_alike_that_break_rules_get_the_messages_of_one_written_in_their_own_names(monkeypatch):
    d = broken_campus()
    d.halls[2].name = "Hall 50% (%(h)s)"   # (names are written as they are, % and all)
    sizes = evaluated_halls(monkeypatch)
    fast = Evaluator(d)
    assert sum(sizes) == 1                 # one hall evaluated, three written from it
    each = Evaluator(d, options=EACH)
    same(fast, each)
    kinds = {v.kind for v in fast.evaluation.violations}
    assert {"overlap", "network-ports"} <= kinds
    piled = [v for v in fast.evaluation.violations_of("overlap") if v.hall == "H3" and "piled" in v.message]
    assert piled and "5 items are piled on one another: H3-us2-r1, H3-us2-r2, H3-us3-r1 and 2 more" in piled[0].message
    ports = [v.message for v in fast.evaluation.violations_of("network-ports") if v.hall == "H3"]
    assert ports and all("Hall 50% (%(h)s)" in m and m.startswith("UltraServer H3-us") for m in ports)


def test_names_that_json_escapes_are_written_into_the_report_as_the_standard_library_writes_them(monkeypatch):
    """Hall names and ids holding quotes, backslashes, control and non-ASCII characters
    (the report's text of written violations escapes the names as json.dumps does)."""
    d = broken_campus()
    for k, hall in enumerate(d.halls):
        hall.name = f'Hall "{k}" \\ tab\there\nnew line, \x01, é ✓ 50%'
    t = d.equipment
    for k in range(4):   # (the same place in the sort order in every hall)
        old = f"H{k + 1}-us2-r1"
        new = f'H{k + 1}-us2-r1 "west"\\'
        r = t.index.pop(old)
        t.ids[r] = new
        t.index[new] = r
    sizes = evaluated_halls(monkeypatch)
    fast = Evaluator(d)
    assert sum(sizes) == 1                 # still one hall evaluated, three written
    assert any(isinstance(p, Written) for p in fast.evaluation.violation_parts)
    same(fast, Evaluator(d, options=EACH))
    text = evaluation_json(fast.evaluation).decode()
    assert '"H3-us2-r1 \\"west\\"\\\\"' in text and '\\u0001, é ✓ 50%' in text


def test_a_hall_whose_ids_sort_otherwise_or_whose_ultraservers_come_in_another_order_is_evaluated_itself(
        monkeypatch):
    d = broken_campus()
    t = d.equipment
    # H2: one id renamed so that it sorts first (a message listing piled racks lists it first)
    r = t.index.pop("H2-us3-r1")
    t.ids[r] = "H2-a-us3-r1"
    t.index["H2-a-us3-r1"] = r
    # H3: its two UltraServers' codes swapped (rules walk UltraServers in code order)
    a, b = t.systems.codes["H3-us1"], t.systems.codes["H3-us2"]
    rows_a, rows_b = t.system_code == a, t.system_code == b
    t.system_code[rows_a], t.system_code[rows_b] = b, a
    sizes = evaluated_halls(monkeypatch)
    fast = Evaluator(d)
    assert sum(sizes) == 3                 # H1 (the templates, H4 written), then H2 and H3 each
    same(fast, Evaluator(d, options=EACH))
    piled = [v.message for v in fast.evaluation.violations_of("overlap") if v.hall == "H2" and "piled" in v.message]
    assert "H2-a-us3-r1, H2-us2-r1, H2-us2-r2 and 2 more" in piled[0]


def test_an_ultraserver_across_two_halls_keeps_those_halls_out_of_templates(monkeypatch):
    d = broken_campus()
    t = d.equipment
    t.system_code[t.index["H4-us1-r1"]] = t.systems.codes["H3-us1"]   # one rack of H3-us1 stands in H4
    sizes = evaluated_halls(monkeypatch)
    fast = Evaluator(d)
    assert sum(sizes) == 3    # H1 (H2 written from it), H3 and H4 (H4 unlike now) each
    same(fast, Evaluator(d, options=EACH))


def test_single_failures_of_halls_alike_that_break_rules_match_every_hall_tried():
    """The first hall of each kind is evaluated alone and its run (names as tokens) is the
    base of its single failures: the same failures as every hall evaluated and tried."""
    d = broken_campus()
    d.site.extra["redundancy"] = {"power": "N+1", "cooling": "N+1", "network": "N+1"}
    fast, each = Evaluator(d, resilience=True), Evaluator(d, options=EACH, resilience=True)
    same(fast, each)
    assert fast.evaluation.resilience.report() == each.evaluation.resilience.report()
    assert len(fast.evaluation.resilience.single_failures) > 40


def test_a_message_holding_the_token_marker_outside_a_token_is_not_a_template():
    """Only tokens may hold the marker characters: a name from elsewhere (a catalog type's)
    holding one makes the hall's messages no template (the evaluator then evaluates the
    halls of that kind by name)."""
    from designer.engine.evaluation import Violation
    from designer.engine.templates import END, MARK, Templates

    token = f"{MARK}i0000001{END}"
    good = Violation("overlap", (token,), f"{token} is 80 % over, in {MARK}h{END}", "H1", 1.0, 2.0)
    tpl = Templates([good], "H1")
    hall = type("Hall", (), {"id": "H2", "name": "Hall 2"})()
    (v,) = tpl.written(hall, {"i0000001": "H2-us1-r1", "h": "Hall 2", "hall-id": "H2"})
    assert (v.ids, v.message, v.hall) == (("H2-us1-r1",), "H2-us1-r1 is 80 % over, in Hall 2", "H2")
    for odd in (f"{token} of a type named Odd{END}", f"{token} of a type named Odd{MARK}x", f"{MARK}q{END} rack"):
        with pytest.raises(ValueError):
            Templates([Violation("overlap", (token,), odd, "H1", 1.0, 2.0)], "H1")
