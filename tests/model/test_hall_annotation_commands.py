"""Halls on the campus and annotations as commands: a new rectangular hall, a hall
duplicated with everything in it, a hall moved on the campus, dimension lines and notes
added, edited and removed. Each edit is exact, undone byte for byte through its inverse
and redone byte for byte; a hall's deletion takes its annotations along (and undo brings
them back)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.io import dumps_design, loads_design
from designer.model import Design, Hall
from designer.model.commands import (
    AnnotationError, RemoveHall, SetAnnotations, add_annotation, annotations_of, dimension, duplicate_hall,
    fresh_hall_id, move_hall, new_hall, note, remove_annotations, replace_annotation,
)

from .support import listen, rect, round_trip, state, two_halls


def holds(predicate):
    """A ``round_trip`` check asserting a predicate of the design."""
    def check(d):
        assert predicate(d)
    return check


# ====================================================================== halls
def test_new_hall_is_a_rectangle_of_the_typed_size_with_the_next_letter():
    d = two_halls()
    cmd = new_hall(d, 36.0, 24.6)

    def edited(d):
        assert d.hall_ids() == ["A", "B", "C"]
        hall = d.hall("C")
        assert hall.name == "Hall C"
        assert hall.outline == ((0.0, 0.0), (36.0, 0.0), (36.0, 24.6), (0.0, 24.6))
        assert hall.area() == pytest.approx(36.0 * 24.6)
        assert hall.origin is None  # no hall is placed: laid side by side after the others

    round_trip(d, cmd, edited)
    assert cmd.label == "Add Hall C"


def test_new_hall_goes_east_of_a_campus_whose_halls_are_placed():
    d = two_halls()
    d.hall("B").origin = (0.0, 40.0)  # B north of A; A at 0..20
    cmd = new_hall(d, 10, 10, name="Spine room")
    cmd.apply(d)
    hall = d.hall("C")
    assert hall.name == "Spine room"
    assert hall.origin == (30.0, 0.0)  # 10 m east of A's east wall (20 m), level with the southmost hall


@pytest.mark.parametrize("width, depth, message", [
    (0, 10, "width must be a length above 0 m"),
    (10, -2, "depth must be a length above 0 m"),
    (float("nan"), 10, "width must be a length above 0 m"),
    (1500, 10, "width must be at most 1,000 m"),
])
def test_a_hall_size_that_is_not_a_length_is_refused(width, depth, message):
    with pytest.raises(ValueError, match=message):
        new_hall(two_halls(), width, depth)


def test_fresh_hall_ids_follow_the_designs_style():
    d = Design()
    for hall_id in ("H01", "H02", "H07"):
        d.halls.append(Hall(hall_id, hall_id, rect(0, 0, 10, 10)))
    assert fresh_hall_id(d) == "H08"
    assert fresh_hall_id(two_halls()) == "C"
    assert new_hall(d, 5, 5).hall.name == "Hall 8"


def test_duplicate_hall_copies_everything_with_fresh_ids_and_one_system_per_ultraserver():
    d = two_halls()
    d.hall("B").origin = (30.0, 0.0)
    d.extra["annotations"] = [note(d, "B", (1, 1), "cold aisle"), dimension(d, "A", (0, 0), (5, 0))]
    cmd = duplicate_hall(d, "B")

    def edited(d):
        assert d.hall_ids() == ["A", "B", "C"]
        c = d.hall("C")
        assert c.name == "Hall B (copy)" and c.outline == d.hall("B").outline and c.tray_drop_m == 2.0
        assert c.origin == (50.0, 0.0)  # east of B (30 + 10 m wide) by the 10 m gap
        copies = [e for e in d.equipment if e.hall == "C"]
        originals = [e for e in d.equipment if e.hall == "B"]
        assert len(copies) == len(originals) == 3
        assert {e.id for e in copies}.isdisjoint({e.id for e in originals})
        assert [(e.type, e.x, e.y, e.rotation) for e in copies] == [(e.type, e.x, e.y, e.rotation)
                                                                     for e in originals]
        systems = {e.system for e in copies if e.system}
        assert len(systems) == 1 and systems != {"us2"}
        assert [e.extra for e in copies if e.type == "network-rack"] == [{"label": "spare"}]
        notes = annotations_of(d)
        assert notes[-1] == {"kind": "note", "hall": "C", "at": [1.0, 1.0], "text": "cold aisle"}
        assert len(notes) == 3

    round_trip(d, cmd, edited)
    assert cmd.label == "Duplicate Hall B"


def test_duplicate_hall_renames_hall_prefixed_ids_into_the_new_hall():
    d = Design()
    d.halls.append(Hall("H01", "Hall 1", rect(0, 0, 20, 10)))
    from designer.model import Equipment
    d.equipment.insert([Equipment("H01-us1-r1", "trn3-gen2-rack", "H01", 3, 3, 0, "H01-us1"),
                        Equipment("H01-us1-r2", "trn3-gen2-rack", "H01", 3.6, 3, 0, "H01-us1")])
    duplicate_hall(d, "H01").apply(d)
    copies = [e for e in d.equipment if e.hall == "H02"]
    assert [e.id for e in copies] == ["H02-us1-r1", "H02-us1-r2"]
    assert {e.system for e in copies} == {"H02-us1"}


def test_move_hall_sets_its_origin_on_the_campus_and_back_to_side_by_side():
    d = two_halls()
    cmd = move_hall(d, "B", (12.34567891, -60.0))

    def edited(d):
        assert d.hall("B").origin == (12.345679, -60.0)
        assert d.hall_offsets()["B"] == (12.345679, -60.0)

    round_trip(d, cmd, edited)
    cmd.apply(d)
    round_trip(d, move_hall(d, "B", None), holds(lambda d: d.hall("B").origin is None))
    with pytest.raises(ValueError, match="within 100 km"):
        move_hall(d, "B", (2e5, 0))


def test_a_moved_hall_round_trips_through_the_file():
    d = two_halls()
    move_hall(d, "B", (-25.5, 80)).apply(d)
    text = dumps_design(d)
    assert '"origin": [-25.5, 80]' in text
    assert loads_design(text).hall("B").origin == (-25.5, 80.0)


# ====================================================================== annotations
def test_add_edit_and_remove_annotations_undo_byte_for_byte():
    d = two_halls()
    rec = listen(d)
    dim = dimension(d, "A", (1, 2), (7.5, 2))
    cmd = add_annotation(d, dim)
    round_trip(d, cmd, holds(lambda d: annotations_of(d) == [{"kind": "dimension", "hall": "A",
                                                              "a": [1.0, 2.0], "b": [7.5, 2.0]}]))
    rec.take()
    cmd.apply(d)
    change = rec.one()
    assert change.kind == "annotations" and change.halls == ("A",)
    add_annotation(d, note(d, "B", (2, 2), "  Fibre patch here  ")).apply(d)
    assert annotations_of(d)[1]["text"] == "Fibre patch here"
    edit = replace_annotation(d, 1, {**annotations_of(d)[1], "text": "Patch panel"})
    round_trip(d, edit, holds(lambda d: annotations_of(d)[1]["text"] == "Patch panel"))
    remove = remove_annotations(d, [0])
    round_trip(d, remove, holds(lambda d: [a["kind"] for a in annotations_of(d)] == ["note"]))
    assert remove.label == "Delete 1 annotation"
    everything = remove_annotations(d, [0, 1])
    round_trip(d, everything, holds(lambda d: "annotations" not in d.extra))


def test_annotations_are_written_in_the_file_and_read_back():
    d = two_halls()
    add_annotation(d, dimension(d, "A", (0, 6), (20, 6))).apply(d)
    add_annotation(d, note(d, "A", (10.5, 1), "Hot aisle — keep clear")).apply(d)
    text = dumps_design(d)
    assert ('"annotations": [{"kind": "dimension", "hall": "A", "a": [0, 6], "b": [20, 6]}, '
            '{"kind": "note", "hall": "A", "at": [10.5, 1], "text": "Hot aisle — keep clear"}]') in text
    back = loads_design(text)
    assert annotations_of(back) == [{"kind": "dimension", "hall": "A", "a": [0, 6], "b": [20, 6]},
                                    {"kind": "note", "hall": "A", "at": [10.5, 1], "text": "Hot aisle — keep clear"}]
    assert dumps_design(back) == text


@pytest.mark.parametrize("build, message", [
    (lambda d: dimension(d, "A", (1, 1), (1, 1)), "two different ends"),
    (lambda d: dimension(d, "Z", (1, 1), (2, 1)), "there is no hall 'Z'"),
    (lambda d: note(d, "A", (1, 1), "   "), "a note needs some text"),
    (lambda d: note(d, "A", (float("inf"), 1), "x"), "finite point"),
    (lambda d: remove_annotations(d, [3]), "there is no annotation 3"),
])
def test_bad_annotations_are_refused_with_a_reason(build, message):
    with pytest.raises(AnnotationError, match=message):
        build(two_halls())


def test_deleting_a_hall_takes_its_annotations_and_undo_brings_them_back():
    d = two_halls()
    add_annotation(d, dimension(d, "A", (0, 0), (3, 0))).apply(d)
    add_annotation(d, note(d, "B", (1, 1), "B's note")).apply(d)
    inverse, _, _ = round_trip(d, RemoveHall("B"), holds(lambda d: [a["hall"] for a in annotations_of(d)] == ["A"]))
    d2 = two_halls()
    add_annotation(d2, note(d2, "B", (1, 1), "only B")).apply(d2)
    RemoveHall("B").apply(d2)
    assert "annotations" not in d2.extra
    loads_design(dumps_design(d2))  # the file written after the deletion reads back


# ====================================================================== property: any sequence undoes exactly
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_hall_and_annotation_edits_undo_and_redo_byte_for_byte(data):
    d = two_halls()
    rec = listen(d)
    states, inverses = [state(d)], []
    for _ in range(data.draw(st.integers(1, 8), label="steps")):
        op = data.draw(st.sampled_from(["new", "dup", "move", "unplace", "dim", "note", "remove", "edit",
                                        "remove_hall"]), label="op")
        hall = data.draw(st.sampled_from(d.hall_ids()))
        xy = st.tuples(st.floats(-50, 50), st.floats(-50, 50))
        notes = annotations_of(d)
        if op == "new":
            cmd = new_hall(d, data.draw(st.floats(1, 200)), data.draw(st.floats(1, 200)))
        elif op == "dup":
            cmd = duplicate_hall(d, hall)
        elif op == "move":
            cmd = move_hall(d, hall, data.draw(xy))
        elif op == "unplace":
            cmd = move_hall(d, hall, None)
        elif op == "dim":
            try:
                cmd = add_annotation(d, dimension(d, hall, data.draw(xy), data.draw(xy)))
            except AnnotationError:  # the two ends on one point (to the µm): refused
                continue
        elif op == "note":
            cmd = add_annotation(d, note(d, hall, data.draw(xy), data.draw(st.text(min_size=1, max_size=8)
                                                                            .filter(str.strip))))
        elif op == "remove" and notes:
            cmd = remove_annotations(d, data.draw(st.lists(st.integers(0, len(notes) - 1), min_size=1)))
        elif op == "edit" and notes:
            cmd = replace_annotation(d, 0, {**notes[0], "hall": hall})
        elif op == "remove_hall" and len(d.halls) > 1:
            cmd = RemoveHall(hall)
        else:
            continue
        rec.take()
        inverses.append(cmd.apply(d))
        assert len(rec.take()) == 1  # one notification per step
        states.append(state(d))
        loads_design(dumps_design(d))  # every state is a file that reads back
    redos = []
    for k in range(len(inverses) - 1, -1, -1):
        redos.append(inverses[k].apply(d))
        assert state(d) == states[k]
    for k, cmd in enumerate(reversed(redos)):
        cmd.apply(d)
        assert state(d) == states[k + 1]
    assert isinstance(SetAnnotations(None), SetAnnotations)


def test_moving_one_hall_moves_no_other():
    """Halls without an origin are laid side by side after the halls before them: moving the
    first pins the others where they stood (one undo step puts all back)."""
    d = two_halls()
    before = d.hall_offsets()
    cmd = move_hall(d, d.halls[0].id, (200.0, 0.0))
    inverse = cmd.apply(d)
    after = d.hall_offsets()
    assert after[d.halls[0].id] == (200.0, 0.0)
    assert all(after[h.id] == before[h.id] for h in d.halls[1:])
    inverse.apply(d)
    assert d.hall_offsets() == before and all(h.origin is None for h in d.halls)
