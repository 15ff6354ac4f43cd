"""The change events commands emit: one per command (a composite merges its parts), of
the right kind, naming the items and every hall an item edit touched, before and after
(the incremental engine re-evaluates only the halls a change names)."""

from __future__ import annotations

import pytest

from designer.model import Change, Equipment, Hall
from designer.model.commands import (
    AddHall, AddItems, Composite, Rename, RemoveHall, RemoveItems, SetAssumption, SetHall, SetSite, UpdateItem,
    batch, duplicate_items, merge_changes, move_items, move_to_hall, rotate_items,
)

from .support import NET, listen, rect, two_halls


def test_move_within_a_hall_is_one_moved_change_naming_it():
    d = two_halls()
    rec = listen(d)
    inverse = move_items(d, ["us1-r1", "us1-r2"], 0.6, 0.0).apply(d)
    assert rec.one() == Change("moved", ("us1-r1", "us1-r2"), ("A",))
    inverse.apply(d)
    assert rec.one() == Change("moved", ("us1-r1", "us1-r2"), ("A",))


def test_moving_items_of_two_halls_names_both():
    d = two_halls()
    rec = listen(d)
    rotate_items(d, ["net1", "net2"], 90.0).apply(d)
    ch = rec.one()
    assert ch.kind == "moved" and set(ch.ids) == {"net1", "net2"} and set(ch.halls) == {"A", "B"}


def test_move_to_another_hall_names_the_hall_left_and_the_hall_entered():
    d = two_halls()
    rec = listen(d)
    inverse = move_to_hall(d, ["us1-r1", "us1-r2", "bw1"], "B", -2.0, -3.0).apply(d)
    ch = rec.one()
    assert ch.kind == "updated" and set(ch.ids) == {"us1-r1", "us1-r2", "bw1"}
    assert set(ch.halls) == {"A", "B"}
    inverse.apply(d)  # the undo moves them back: it touches both halls too
    ch = rec.one()
    assert ch.kind == "updated" and set(ch.halls) == {"A", "B"}


def test_move_from_two_halls_into_a_third_names_all_three():
    d = two_halls()
    d.halls.append(Hall("C", "Hall C", rect(0, 0, 10, 10)))
    rec = listen(d)
    move_to_hall(d, ["net1", "net2"], "C", 0.0, 0.0).apply(d)
    assert set(rec.one().halls) == {"A", "B", "C"}


def test_update_item_hall_names_old_and_new_hall():
    d = two_halls()
    rec = listen(d)
    inverse = UpdateItem("net2", {"hall": "A"}).apply(d)
    assert rec.one() == Change("updated", ("net2",), ("B", "A"))
    inverse.apply(d)
    assert rec.one() == Change("updated", ("net2",), ("A", "B"))
    UpdateItem("net2", {"label": "x"}).apply(d)
    assert rec.one() == Change("updated", ("net2",), ("B",))


def test_add_remove_and_duplicate_name_ids_and_halls():
    d = two_halls()
    rec = listen(d)
    new = [Equipment("net3", NET, "A", 8.0, 6.0), Equipment("net4", NET, "B", 5.0, 3.0)]
    inverse = AddItems(new).apply(d)
    assert rec.one() == Change("added", ("net3", "net4"), ("A", "B"))
    inverse.apply(d)
    assert rec.one() == Change("removed", ("net3", "net4"), ("A", "B"))
    inverse = RemoveItems(("us2-r1",)).apply(d)
    assert rec.one() == Change("removed", ("us2-r1",), ("B",))
    inverse.apply(d)
    assert rec.one() == Change("added", ("us2-r1",), ("B",))
    duplicate_items(d, ["crah1"], 0.0, 11.0).apply(d)
    assert rec.one() == Change("added", ("crah2",), ("A",))


def test_hall_site_assumption_and_name_edits():
    d = two_halls()
    rec = listen(d)
    SetHall("B", {"name": "Hall 2"}).apply(d)
    assert rec.one() == Change("halls", (), ("B",))
    inverse = AddHall(Hall("C", "Hall C", rect(0, 0, 5, 5))).apply(d)
    assert rec.one() == Change("halls", (), ("C",))
    inverse.apply(d)  # removing an empty hall
    assert rec.one() == Change("halls", (), ("C",))
    SetSite({"pue": 1.3}).apply(d)
    assert rec.one() == Change("site")
    SetAssumption("cable.slack_factor", 1.2).apply(d)
    assert rec.one() == Change("assumptions")
    Rename("New name").apply(d)
    assert rec.one() == Change("site")


def test_removing_a_hall_with_equipment_is_one_reset_each_way():
    """Items and a hall both change: one ``reset`` (everything re-evaluated), not a
    ``removed`` naming a hall that no longer exists followed by a ``halls``."""
    d = two_halls()
    rec = listen(d)
    inverse = RemoveHall("B").apply(d)
    assert rec.one() == Change("reset")
    inverse.apply(d)
    assert rec.one() == Change("reset")


def test_composite_notifies_once_with_the_changes_merged():
    d = two_halls()
    rec = listen(d)
    cmd = Composite([move_items(d, ["net1"], 0.0, 1.2), UpdateItem("net2", {"hall": "A"}),
                     AddItems([Equipment("net3", NET, "B", 8.0, 6.0)])])
    inverse = cmd.apply(d)
    ch = rec.one()
    assert ch.kind == "updated"  # mixed item kinds
    assert ch.ids == ("net1", "net2", "net3") and set(ch.halls) == {"A", "B"}
    inverse.apply(d)
    ch = rec.one()
    assert set(ch.ids) == {"net1", "net2", "net3"} and set(ch.halls) == {"A", "B"}


def test_composite_of_one_kind_keeps_the_kind():
    d = two_halls()
    rec = listen(d)
    Composite([move_items(d, ["net1"], 1.0, 0.0), move_items(d, ["net2"], 1.0, 0.0)]).apply(d)
    assert rec.one() == Change("moved", ("net1", "net2"), ("A", "B"))


def test_composite_mixing_items_with_site_edits_is_a_reset():
    d = two_halls()
    rec = listen(d)
    Composite([move_items(d, ["net1"], 1.0, 0.0), SetSite({"currency": "EUR"})]).apply(d)
    assert rec.one() == Change("reset")


def test_batch_collects_changes_and_restores_listeners():
    d = two_halls()
    rec = listen(d)
    with batch(d):
        move_items(d, ["net1"], 1.0, 0.0).apply(d)
        move_items(d, ["cdu1"], 1.0, 0.0).apply(d)
        assert rec.changes == []  # nothing reaches listeners inside the batch
    assert rec.one() == Change("moved", ("net1", "cdu1"), ("A",))
    with batch(d):
        pass
    assert rec.take() == []  # an empty batch says nothing
    with pytest.raises(KeyError):
        with batch(d):
            move_items(d, ["net2"], 1.0, 0.0).apply(d)
            RemoveItems(("nope",)).apply(d)
    assert rec.one() == Change("moved", ("net2",), ("B",))  # what did happen is still told
    Rename("after").apply(d)
    assert rec.one() == Change("site")  # the listener is subscribed again


def test_merge_changes():
    assert merge_changes([]) is None
    one = Change("added", ("a",), ("A",))
    assert merge_changes([one]) is one
    assert merge_changes([Change("removed", ("a", "b"), ("A",)), Change("removed", ("b", "c"), ("B", "A"))]) \
        == Change("removed", ("a", "b", "c"), ("A", "B"))
    assert merge_changes([Change("moved", ("a",), ("A",)), Change("added", ("b",), ("C",))]) \
        == Change("updated", ("a", "b"), ("A", "C"))
    assert merge_changes([Change("moved", ("a",), ("A",)), Change("halls", (), ("A",))]) == Change("reset")
    assert merge_changes([Change("site"), Change("assumptions")]) == Change("reset")
