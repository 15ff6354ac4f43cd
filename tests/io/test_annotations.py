"""Dimension lines and notes in the design file (``"annotations"``, issue 17): read into
``design.extra["annotations"]``, written back byte for byte, and every bad annotation
refused with one line naming its place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design

ANNOTATIONS = [
    {"kind": "dimension", "hall": "A", "a": [0, 5.6], "b": [48, 5.6]},
    {"kind": "note", "hall": "A", "at": [24, 28.5], "text": "Fibre entry — north wall"},
    {"kind": "note", "hall": "B", "at": [1.2, 1.2], "text": "Spine room"},
]


def doc() -> dict:
    return {
        "format": "datacenter-designer", "version": 2, "name": "Annotated",
        "site": {"utility_capacity_kw": 60000, "pue": 1.15, "electricity_price_per_kwh": 0.08,
                 "grid_kg_co2_per_kwh": 0.35, "currency": "USD"},
        "assumptions": {},
        "halls": [{"id": "A", "name": "Hall A", "outline": [[0, 0], [48, 0], [48, 30], [0, 30]],
                   "columns": [], "keepouts": [], "floor_rating_kg_m2": 2500, "it_capacity_kw": 20000},
                  {"id": "B", "name": "Hall B", "outline": [[0, 0], [12, 0], [12, 9], [0, 9]],
                   "columns": [], "keepouts": [], "floor_rating_kg_m2": 2500, "it_capacity_kw": 2000,
                   "origin": [0, 45]}],
        "equipment": [],
        "annotations": copy.deepcopy(ANNOTATIONS),
    }


def test_annotations_are_read_and_written_back_byte_for_byte(tmp_path: Path) -> None:
    design = loads_design(json.dumps(doc(), indent=2))
    assert design.extra["annotations"] == ANNOTATIONS
    path = tmp_path / "annotated.dcplan"
    write_design(design, path)
    first = path.read_bytes()
    assert b'"text": "Fibre entry \xe2\x80\x94 north wall"' in first  # UTF-8, not escaped
    again = read_design(path)
    assert again.extra["annotations"] == ANNOTATIONS
    write_design(again, path)
    assert path.read_bytes() == first
    assert dumps_design(again) == first.decode("utf-8")


def _with(index: int, **fields: Any) -> dict:
    d = doc()
    ann = d["annotations"][index]
    for k, v in fields.items():
        if v is ...:
            ann.pop(k)
        else:
            ann[k] = v
    return d


BAD = [
    ("not-a-list", {**doc(), "annotations": {"kind": "note"}}, "annotations: expected a list, got an object"),
    ("not-an-object", {**doc(), "annotations": [3]}, "annotations[0]: expected an object, got 3"),
    ("no-kind", _with(0, kind=...), "annotations[0].kind: missing"),
    ("unknown-kind", _with(0, kind="arrow"), 'annotations[0].kind: expected "dimension" or "note", got "arrow"'),
    ("unknown-hall", _with(1, hall="Z"), 'annotations[1].hall: no hall "Z"'),
    ("hall-not-text", _with(1, hall=7), "annotations[1].hall: expected text, got 7"),
    ("dimension-without-end", _with(0, b=...), "annotations[0].b: missing"),
    ("dimension-bad-point", _with(0, a=[1, "x"]), 'annotations[0].a[1]: expected a number, got "x"'),
    ("dimension-three-coords", _with(0, a=[1, 2, 3]), "annotations[0].a: expected a point [x, y], got a list of 3"),
    ("dimension-zero-length", _with(0, b=[0, 5.6]),
     "annotations[0]: a dimension line needs two different ends (a and b are the same point)"),
    ("note-empty-text", _with(1, text="  "), "annotations[1].text: must not be empty"),
    ("note-text-not-text", _with(2, text=12), "annotations[2].text: expected text, got 12"),
    ("note-without-place", _with(2, at=...), "annotations[2].at: missing"),
    ("note-far-away", _with(2, at=[1e9, 0]), "annotations[2].at[0]: must be at most 100000"),
]


@pytest.mark.parametrize(("document", "message"), [pytest.param(d, m, id=n) for n, d, m in BAD])
def test_each_bad_annotation_is_refused_with_one_line_naming_its_place(document: dict, message: str) -> None:
    with pytest.raises(DesignFileError) as err:
        loads_design(json.dumps(document))
    got = str(err.value)
    assert "\n" not in got
    assert got.startswith(message), got


def test_fields_a_later_designer_adds_to_an_annotation_are_kept() -> None:
    d = _with(1, colour="#ff0000")
    design = loads_design(json.dumps(d))
    assert design.extra["annotations"][1]["colour"] == "#ff0000"
    assert '"colour": "#ff0000"' in dumps_design(design)
