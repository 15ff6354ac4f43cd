"""The DXF export carries the design's dimension lines and notes (issue 17): on layer
ANNOTATIONS, each hall placed as the rest of the drawing, and the file still passes
ezdxf's audit. Qt-free."""

from __future__ import annotations

import math

import ezdxf
import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io.dxf import export_dxf
from designer.model import Design, Hall
from designer.model.commands import add_annotation, dimension, note


@pytest.fixture(scope="module")
def two_halls() -> Design:
    """Two empty halls side by side (B 10 m east of A, as the canvas lays them out), a
    dimension line and a note in each."""
    design = Design("Annotated campus")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (20, 0), (20, 10), (0, 10))))
    design.halls.append(Hall("B", "Hall B", ((0, 0), (12, 0), (12, 8), (0, 8))))
    for ann in (dimension(design, "A", (1.0, 2.0), (4.048, 2.0)),
                note(design, "A", (5.0, 5.0), "Fire door {north}\nkeep 1.2 m clear"),
                dimension(design, "B", (0.0, 0.0), (3.0, 4.0)),
                note(design, "B", (2.0, 6.0), "Chiller yard")):
        add_annotation(design, ann).apply(design)
    return design


@pytest.fixture(scope="module")
def exported(two_halls, tmp_path_factory):
    path = tmp_path_factory.mktemp("dxf") / "annotated.dxf"
    catalog = load_catalog()
    counts = export_dxf(two_halls, path, evaluate(two_halls, catalog), catalog)
    return counts, ezdxf.readfile(path)


def test_the_file_with_annotations_passes_the_audit(exported):
    _, doc = exported
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e) for e in auditor.errors]
    assert "ANNOTATIONS" in doc.layers


def test_dimension_lines_measure_in_metres_at_their_halls_place(two_halls, exported):
    counts, doc = exported
    dims = [e for e in doc.modelspace().query("DIMENSION") if e.dxf.layer == "ANNOTATIONS"]
    assert len(dims) == 2
    assert counts["ANNOTATIONS"] == 4
    ox, _ = two_halls.hall_offsets()["B"]
    assert ox == pytest.approx(30.0)  # hall B starts 10 m east of hall A's 20 m
    ends = sorted(((round(e.dxf.defpoint2.x, 3), round(e.dxf.defpoint2.y, 3)),
                   (round(e.dxf.defpoint3.x, 3), round(e.dxf.defpoint3.y, 3))) for e in dims)
    assert ends == [((1.0, 2.0), (4.048, 2.0)), ((30.0, 0.0), (33.0, 4.0))]
    # what a CAD program shows: the measured length in metres, two decimals
    measured = sorted(round(e.get_measurement(), 3) for e in dims)
    assert measured == [3.048, 5.0]
    texts = sorted(t.plain_text() for e in dims for t in e.get_geometry_block().query("MTEXT"))
    assert texts == ["3.05 m", "5.00 m"]


def test_notes_are_mtext_with_their_whole_text(two_halls, exported):
    _, doc = exported
    notes = {e.plain_text(): e for e in doc.modelspace().query("MTEXT") if e.dxf.layer == "ANNOTATIONS"}
    assert set(notes) == {"Fire door {north}\nkeep 1.2 m clear", "Chiller yard"}
    ox, oy = two_halls.hall_offsets()["B"]
    at = notes["Chiller yard"].dxf.insert
    assert (at.x, at.y) == pytest.approx((2.0 + ox, 6.0 + oy))
    at = notes["Fire door {north}\nkeep 1.2 m clear"].dxf.insert
    assert (at.x, at.y) == pytest.approx((5.0, 5.0))


def test_malformed_annotations_are_skipped_not_fatal(tmp_path):
    design = Design("Odd file")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (10, 0), (10, 10), (0, 10))))
    design.extra["annotations"] = [
        {"kind": "dimension", "hall": "A", "a": [0, 0], "b": [2, 0]},
        {"kind": "dimension", "hall": "gone", "a": [0, 0], "b": [1, 1]},  # a hall since deleted
        {"kind": "dimension", "hall": "A", "a": ["x", 0], "b": [1, 1]},
        {"kind": "note", "hall": "A", "at": [1, 1], "text": "  "},
        {"kind": "arrow", "hall": "A"},
    ]
    path = tmp_path / "odd.dxf"
    counts = export_dxf(design, path)
    doc = ezdxf.readfile(path)
    assert not doc.audit().has_errors
    assert counts["ANNOTATIONS"] == 1
    (dim,) = doc.modelspace().query("DIMENSION")
    assert math.isclose(dim.get_measurement(), 2.0)
