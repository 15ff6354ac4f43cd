"""The reader's fast path for ordinary equipment entries (checked in bulk, a field at a
time) accepts only what the full check accepts, and reads the same fields (hypothesis
over awkward values)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.catalog import load_catalog
from designer.io.columns import plain_flags
from designer.io.dcplan import MAX_COORD_M, DesignFileError, _read_item, _read_items

CATALOG = load_catalog()
HALLS = {"A", "B"}
AWKWARD = st.one_of(
    st.sampled_from([True, False, None, "", " ", "A", "x" * 10_001, [], {}, [1, 2], 0, -0.0, 1e300,
                     float("nan"), float("inf"), -float("inf"), 10**400, 100_000, 100_000.0001, -100_000,
                     360, 360.5, -360, "12"]),
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5))
FIELDS = {
    "id": st.one_of(st.sampled_from(["r1", "dup", " r2 "]), AWKWARD),
    "type": st.one_of(st.sampled_from(["trn3-gen2-rack", "network-rack", "cdu-in-row", "crah", "busway-800a",
                                       "nope"]), AWKWARD),
    "hall": st.one_of(st.sampled_from(["A", "B", "C"]), AWKWARD),
    "x": st.one_of(st.floats(-200_000, 200_000), AWKWARD),
    "y": st.one_of(st.floats(-200_000, 200_000), AWKWARD),
    "rotation": st.one_of(st.sampled_from([0, 90, 180.0, 270, -90]), AWKWARD),
    "system": st.one_of(st.sampled_from(["us-1", "us-2"]), AWKWARD),
    "start": st.just([0, 0]),
    "note": st.just("kept as extra"),
}


def fast(raw, seen=frozenset()):
    """What the fast path reads of one entry, as a record's fields, or None when it leaves
    the entry to the full check (or the id was seen before)."""
    if not plain_flags([raw], CATALOG.types, HALLS, MAX_COORD_M)[0] or raw.get("id") in seen:
        return None
    ids, types, halls, systems, x, y, rotation, *_ = _read_items([raw], CATALOG, HALLS, set())
    return ids[0], types[0], halls[0], float(x[0]), float(y[0]), float(rotation[0]), systems[0]


def fields(rec):
    return rec.id, rec.type, rec.hall, rec.x, rec.y, rec.rotation, rec.system


@settings(max_examples=600, deadline=None)
@given(st.fixed_dictionaries({}, optional=FIELDS), st.booleans())
def test_the_fast_path_agrees_with_the_full_check(entry, not_a_dict):
    raw = [entry] if not_a_dict else entry
    seen = {"dup"}
    quick = fast(raw, seen) if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        assert not plain_flags([raw], CATALOG.types, HALLS, MAX_COORD_M)[0]
    try:
        full = _read_item(raw, "equipment[0]", CATALOG, HALLS, seen)
    except DesignFileError:
        full = None
    # the fast path may decline a valid entry (the full check then reads it) but never
    # accept one the full check refuses, and reads what it reads
    assert quick is None or (full is not None and fields(full) == quick and not full.extra)


def test_an_ordinary_rack_takes_the_fast_path():
    raw = {"id": "r1", "type": "trn3-gen2-rack", "hall": "A", "x": 1, "y": 2.5, "rotation": 90, "system": "us-1"}
    assert fast(raw) == ("r1", "trn3-gen2-rack", "A", 1.0, 2.5, 90.0, "us-1")
    assert fast(raw) == fields(_read_item(raw, "equipment[0]", CATALOG, HALLS, set()))


@pytest.mark.parametrize("change", [{"x": True}, {"x": float("nan")}, {"rotation": 361}, {"system": " "},
                                    {"type": "network-rack"}, {"hall": "C"}, {"x": 10**400}, {"type": [1]}])
def test_odd_entries_leave_the_fast_path(change):
    raw = {"id": "r1", "type": "trn3-gen2-rack", "hall": "A", "x": 1, "y": 2, "system": "us-1", **change}
    assert not plain_flags([raw], CATALOG.types, HALLS, MAX_COORD_M)[0]


def test_an_id_used_twice_is_named_at_its_second_place():
    rack = {"type": "trn3-gen2-rack", "hall": "A", "x": 1, "y": 2, "system": "us-1"}
    with pytest.raises(DesignFileError, match=r"equipment\[2\]\.id"):
        _read_items([{"id": "r1", **rack}, {"id": "r2", **rack}, {"id": "r1", **rack}], CATALOG, HALLS, set())
