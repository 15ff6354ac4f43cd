"""Every edit command of ``designer.model.commands``: the edit it makes (positions in
metres, ids, halls, site fields …), an exact undo through the returned inverse, and an
exact redo through the inverse's inverse."""

from __future__ import annotations

import numpy as np
import pytest

from designer.io import dumps_design, loads_design, read_design
from designer.model import Equipment, Hall
from designer.model.commands import (
    AddHall, AddItems, Composite, Rename, RemoveHall, RemoveItems, SetAssumption, SetHall, SetPlacements,
    SetSite, UpdateItem, duplicate_items, move_items, move_to_hall, rotate_items, turn_points,
)

from .support import BUSWAY, CDU, NET, RACK, item, pos, rect, round_trip, state, two_halls


# ====================================================================== placements
def test_set_placements_puts_items_at_the_given_values_and_undoes():
    d = two_halls()
    cmd = SetPlacements(("us1-r1", "bw1"), x=np.array([10.0, 1.0]), y=np.array([4.0, 2.0]),
                        rotation=np.array([90.0, 0.0]), x2=np.array([np.nan, 1.0]), y2=np.array([np.nan, 9.5]))

    def edited(d):
        assert pos(d, "us1-r1") == (10.0, 4.0) and item(d, "us1-r1").rotation == 90.0
        assert pos(d, "bw1") == (1.0, 2.0) and item(d, "bw1").end == (1.0, 9.5)
        assert pos(d, "us1-r2") == (5.5, 6.0)  # not named: untouched

    inverse, _, _ = round_trip(d, cmd, edited)
    assert isinstance(inverse, SetPlacements) and inverse.ids == ("us1-r1", "bw1")
    assert list(inverse.x) == [4.9, 4.05]


def test_set_placements_capture_records_the_current_placements():
    d = two_halls()
    cap = SetPlacements.capture(d, ["net2", "bw1"])
    assert cap.ids == ("net2", "bw1")
    assert list(cap.x) == [3.5, 4.05] and list(cap.y) == [3.0, 6.0] and list(cap.rotation) == [180.0, 0.0]
    assert np.isnan(cap.x2[0]) and cap.x2[1] == 6.35 and cap.y2[1] == 6.0
    before = state(d)
    cap.apply(d)  # setting what is there changes nothing
    assert state(d) == before


def test_move_items_shifts_racks_and_both_busway_ends():
    d = two_halls()
    cmd = move_items(d, ["us1-r1", "us1-r2", "bw1"], 0.6, -1.2)

    def edited(d):
        assert pos(d, "us1-r1") == (5.5, 4.8)
        assert pos(d, "us1-r2") == (6.1, 4.8)
        assert pos(d, "bw1") == (4.65, 4.8) and item(d, "bw1").end == (6.95, 4.8)
        assert pos(d, "net1") == (6.1, 6.0) and pos(d, "cdu1") == (4.3, 6.0)
        assert item(d, "us1-r1").rotation == 0.0 and item(d, "us1-r1").hall == "A"

    round_trip(d, cmd, edited)
    assert cmd.label == "Move"


def test_repeated_nudges_land_on_whole_millimetres_and_undo_exactly():
    """Eight nudges of 0.6 m from x = 0 land on 4.8 exactly (not 4.800000000000001, which
    the file would show), and undoing all eight gives x = 0 back."""
    d = two_halls()
    d.equipment.x[d.equipment.index["crah1"]] = 0.0
    before = state(d)
    undo = []
    for _ in range(8):
        undo.append(move_items(d, ["crah1"], 0.6, 0.0).apply(d))
    assert item(d, "crah1").x == 4.8
    assert '"id": "crah1", "type": "crah", "hall": "A", "x": 4.8, "y": 0.45' in dumps_design(d)
    for cmd in reversed(undo):
        cmd.apply(d)
    assert state(d) == before


def test_rotate_items_turns_a_group_about_its_centre():
    """us1-r1 (4.9, 6) and us1-r2 (5.5, 6), both at 0°, turned 90° CCW about their centre
    (5.2, 6): the pair stands along y at x = 5.2, 0.3 m either side, each turned to 90°."""
    d = two_halls()

    def edited(d):
        assert pos(d, "us1-r1") == (5.2, 5.7) and pos(d, "us1-r2") == (5.2, 6.3)
        assert item(d, "us1-r1").rotation == 90.0 and item(d, "us1-r2").rotation == 90.0
        assert pos(d, "net1") == (6.1, 6.0)

    round_trip(d, rotate_items(d, ["us1-r1", "us1-r2"]), edited)


def test_rotate_a_busway_turns_both_ends_and_keeps_rotation_zero():
    """bw1 (4.05, 6) → (6.35, 6) turned 90° about its midpoint (5.2, 6) runs (5.2, 4.85) → (5.2, 7.15)."""
    d = two_halls()

    def edited(d):
        bw = item(d, "bw1")
        assert (bw.x, bw.y) == (5.2, 4.85) and bw.end == (5.2, 7.15) and bw.rotation == 0.0

    round_trip(d, rotate_items(d, ["bw1"], 90.0), edited)


def test_rotate_about_a_given_point_and_rotation_wraps_to_0_360():
    d = two_halls()
    # net2 at (3.5, 3), rotation 180, turned 180° about (0, 0): (-3.5, -3), rotation 0 (not 360)

    def edited(d):
        assert pos(d, "net2") == (-3.5, -3.0) and item(d, "net2").rotation == 0.0

    round_trip(d, rotate_items(d, ["net2"], 180.0, about=(0.0, 0.0)), edited)
    cmd = rotate_items(d, ["cdu1"], -90.0, about=(4.3, 6.0))
    cmd.apply(d)
    assert pos(d, "cdu1") == (4.3, 6.0) and item(d, "cdu1").rotation == 270.0


def test_four_quarter_turns_give_the_design_back_byte_for_byte():
    d = two_halls()
    before = dumps_design(d)
    ids = ["us1-r1", "us1-r2", "net1", "bw1"]
    for _ in range(4):
        rotate_items(d, ids, 90.0).apply(d)
    assert dumps_design(d) == before


def test_turn_points_is_exact_at_right_angles():
    x, y = turn_points([1.0, 2.5], [0.0, 1.0], 90.0, about=(1.0, 1.0))
    assert list(x) == [2.0, 1.0] and list(y) == [1.0, 2.5]
    x, y = turn_points([3.0], [4.0], 45.0)
    assert x[0] == pytest.approx(-0.707107, abs=1e-6) and y[0] == pytest.approx(4.949747, abs=1e-6)


# ====================================================================== move to another hall
def test_move_to_hall_changes_hall_and_shifts_into_its_frame():
    d = two_halls()
    ids = ["us1-r1", "us1-r2", "bw1"]
    cmd = move_to_hall(d, ids, "B", -2.0, -3.0)
    assert isinstance(cmd, Composite) and cmd.label == "Move to Hall B"

    def edited(d):
        assert [item(d, i).hall for i in ids] == ["B", "B", "B"]
        assert pos(d, "us1-r1") == (2.9, 3.0) and pos(d, "us1-r2") == (3.5, 3.0)
        assert pos(d, "bw1") == (2.05, 3.0) and item(d, "bw1").end == (4.35, 3.0)
        assert item(d, "us1-r1").system == "us1"
        assert item(d, "net1").hall == "A"
        assert d.equipment.ids.index("us1-r1") == 1  # stays in its row (file order)

    round_trip(d, cmd, edited)


# ====================================================================== add / remove
def test_add_items_appends_new_records():
    d = two_halls()
    n = len(d.equipment)
    new = [Equipment("net3", NET, "A", 8.0, 6.0, 0.0),
           Equipment("bw2", BUSWAY, "B", 1.0, 1.0, 0.0, None, (5.0, 1.0), {"note": "feed 2"})]

    def edited(d):
        assert len(d.equipment) == n + 2
        assert d.equipment.ids[-2:] == ["net3", "bw2"]
        assert item(d, "net3") == new[0]
        assert item(d, "bw2").end == (5.0, 1.0) and item(d, "bw2").extra == {"note": "feed 2"}

    inverse, _, _ = round_trip(d, AddItems(new, None, "Paste"), edited)
    assert isinstance(inverse, RemoveItems) and inverse.ids == ("net3", "bw2") and inverse.label == "Paste"


def test_add_items_at_given_rows():
    d = two_halls()
    new = [Equipment("cdu0", CDU, "A", 3.7, 6.0), Equipment("net9", NET, "B", 4.1, 3.0, 180.0)]

    def edited(d):
        assert d.equipment.ids[:3] == ["cdu0", "cdu1", "us1-r1"]
        assert d.equipment.ids[4] == "net9"
        assert len(d.equipment) == 11

    round_trip(d, AddItems(new, [0, 4]), edited)


def test_add_items_refuses_an_id_in_use_and_leaves_the_design_alone():
    d = two_halls()
    before = state(d)
    with pytest.raises(ValueError, match="net1"):
        AddItems([Equipment("net1", NET, "A", 9.0, 9.0)]).apply(d)
    assert state(d) == before


def test_add_items_refuses_one_id_twice_in_the_same_batch():
    """Two new records with the same id must be refused, not inserted as two rows that the
    id index can only find one of."""
    d = two_halls()
    before = state(d)
    with pytest.raises(ValueError, match="x1"):
        AddItems([Equipment("x1", NET, "A", 9.0, 9.0), Equipment("x1", NET, "A", 9.6, 9.0)]).apply(d)
    assert state(d) == before
    assert len(d.equipment.ids) == len(d.equipment.index) == 9


def test_remove_items_and_undo_puts_them_back_in_their_rows():
    d = two_halls()
    order = list(d.equipment.ids)

    def edited(d):
        assert "us1-r2" not in d.equipment and "net2" not in d.equipment
        assert d.equipment.ids == [i for i in order if i not in ("us1-r2", "net2")]
        assert pos(d, "net1") == (6.1, 6.0)  # rows after the gap still find their own data
        assert d.system_members("us1") == ["us1-r1"]

    inverse, _, _ = round_trip(d, RemoveItems(("net2", "us1-r2")), edited)
    assert isinstance(inverse, AddItems) and inverse.at == [2, 8]
    assert d.equipment.ids == order
    assert item(d, "net2").extra == {"label": "spare"}  # extra fields come back too


def test_remove_items_naming_an_item_twice_undoes_cleanly():
    """A selection that names an item twice (a rack picked alone and with its UltraServer)
    deletes it once and the undo brings back exactly one row."""
    d = two_halls()
    before = state(d)
    inverse = RemoveItems(("us1-r1", "us1-r2", "us1-r1")).apply(d)
    assert len(d.equipment) == 7 and "us1-r1" not in d.equipment
    inverse.apply(d)
    assert state(d) == before
    assert None not in d.equipment.ids and len(d.equipment.ids) == 9


def test_remove_items_of_an_unknown_id_raises_and_changes_nothing():
    d = two_halls()
    before = state(d)
    with pytest.raises(KeyError):
        RemoveItems(("net1", "nope")).apply(d)
    assert state(d) == before


def test_duplicate_items_makes_fresh_ids_offset_copies():
    d = two_halls()
    cmd = duplicate_items(d, ["net1", "bw1", "cdu1"], dx=0.0, dy=2.4)
    assert isinstance(cmd, AddItems)
    assert [r.id for r in cmd.records] == ["net3", "bw2", "cdu2"]  # net1, net2 are taken

    def edited(d):
        assert pos(d, "net3") == (6.1, 8.4) and item(d, "net3").rotation == 0.0
        assert pos(d, "bw2") == (4.05, 8.4) and item(d, "bw2").end == (6.35, 8.4)
        assert pos(d, "cdu2") == (4.3, 8.4)
        assert pos(d, "net1") == (6.1, 6.0)  # the originals stay
        assert len(d.equipment) == 12

    round_trip(d, cmd, edited)


def test_duplicate_an_ultraserver_gives_its_racks_one_new_shared_system():
    d = two_halls()
    old_ids = set(d.equipment.ids)
    cmd = duplicate_items(d, ["us1-r1", "us1-r2", "us2-r1"], dx=1.2)
    cmd.apply(d)
    new = cmd.records
    assert len({r.id for r in new}) == 3 and not old_ids & {r.id for r in new}
    assert new[0].system == new[1].system != new[2].system
    assert {new[0].system, new[2].system}.isdisjoint({"us1", "us2"})
    assert (new[0].x, new[0].y) == (6.1, 6.0) and (new[2].x, new[2].y) == (3.5, 3.0)
    assert d.system_members(new[0].system) == [new[0].id, new[1].id]
    assert d.system_members("us1") == ["us1-r1", "us1-r2"]


# ====================================================================== item properties
def test_update_item_changes_type_system_and_extra_fields():
    d = two_halls()
    cmd = UpdateItem("us1-r2", {"type": "trn2-rack", "system": "us7", "label": "test bed"})

    def edited(d):
        e = item(d, "us1-r2")
        assert (e.type, e.system, e.extra) == ("trn2-rack", "us7", {"label": "test bed"})
        assert d.system_members("us1") == ["us1-r1"]
        assert pos(d, "us1-r2") == (5.5, 6.0)

    inverse, _, _ = round_trip(d, cmd, edited)
    assert inverse.fields == {"type": RACK, "system": "us1", "label": None}


def test_update_item_clears_an_extra_field_and_system():
    d = two_halls()

    def edited(d):
        assert item(d, "net2").extra == {}
        assert item(d, "us2-r1").system is None

    round_trip(d, Composite([UpdateItem("net2", {"label": None}), UpdateItem("us2-r1", {"system": None})]),
               edited)


def test_update_item_moves_an_item_to_another_hall_and_position():
    d = two_halls()

    def edited(d):
        e = item(d, "net1")
        assert (e.hall, e.x, e.y, e.rotation) == ("B", 7.0, 2.0, 90.0)

    round_trip(d, UpdateItem("net1", {"hall": "B", "x": 7.0, "y": 2.0, "rotation": 90.0}), edited)


def test_update_item_busway_end():
    d = two_halls()

    def edited(d):
        assert item(d, "bw1").end == (8.0, 6.0) and pos(d, "bw1") == (4.05, 6.0)

    round_trip(d, UpdateItem("bw1", {"x2": 8.0}), edited)


# ====================================================================== halls
def test_set_hall_changes_its_fields():
    d = two_halls()
    outline = rect(0, 0, 24, 12)
    keepouts = [rect(18, 0, 24, 3)]
    cmd = SetHall("A", {"name": "Data hall 1", "outline": outline, "keepouts": keepouts, "columns": [],
                        "floor_rating_kg_m2": 1800.0, "it_capacity_kw": 5000.0, "tray_drop_m": 1.2})

    def edited(d):
        h = d.hall("A")
        assert (h.name, h.outline, h.keepouts, h.columns) == ("Data hall 1", outline, keepouts, [])
        assert (h.floor_rating_kg_m2, h.it_capacity_kw, h.tray_drop_m) == (1800.0, 5000.0, 1.2)
        assert h.area() == 288.0
        assert d.hall("B").name == "Hall B"

    inverse, _, _ = round_trip(d, cmd, edited)
    assert inverse.fields["name"] == "Hall A" and inverse.fields["tray_drop_m"] is None


def test_add_hall_at_the_end_and_at_an_index():
    d = two_halls()
    c = Hall("C", "Hall C", rect(0, 0, 30, 20))

    def at_end(d):
        assert d.hall_ids() == ["A", "B", "C"] and d.hall("C").area() == 600.0

    inverse, _, _ = round_trip(d, AddHall(c), at_end)
    assert isinstance(inverse, RemoveHall) and inverse.hall_id == "C"

    def first(d):
        assert d.hall_ids() == ["Z", "A", "B"]

    round_trip(d, AddHall(Hall("Z", "Hall Z", rect(0, 0, 5, 5)), index=0), first)


def test_add_hall_refuses_an_id_in_use():
    d = two_halls()
    before = state(d)
    with pytest.raises(ValueError, match="'B'"):
        AddHall(Hall("B", "Another B", rect(0, 0, 5, 5))).apply(d)
    assert state(d) == before and d.hall_ids() == ["A", "B"]


def test_remove_hall_takes_its_equipment_and_undo_restores_both():
    d = two_halls()
    d.halls.append(Hall("C", "Hall C", rect(0, 0, 5, 5)))
    order = list(d.equipment.ids)

    def edited(d):
        assert d.hall_ids() == ["A", "C"]
        assert d.equipment.ids == ["cdu1", "us1-r1", "us1-r2", "net1", "bw1", "crah1"]
        assert d.system_members("us2") == []

    round_trip(d, RemoveHall("B"), edited)
    assert d.equipment.ids == order and d.hall_ids() == ["A", "B", "C"]


def test_remove_the_first_hall_and_an_empty_hall():
    d = two_halls()
    d.halls.append(Hall("C", "Hall C", rect(0, 0, 5, 5)))

    def no_a(d):
        assert d.hall_ids() == ["B", "C"] and d.equipment.ids == ["us2-r1", "us2-r2", "net2"]
        assert pos(d, "net2") == (3.5, 3.0)

    round_trip(d, RemoveHall("A"), no_a)

    def no_c(d):
        assert d.hall_ids() == ["A", "B"] and len(d.equipment) == 9

    round_trip(d, RemoveHall("C"), no_c)


def test_removed_hall_restored_reads_back_from_its_file_text():
    """After delete + undo the design still saves as a valid file equal to the original."""
    d = two_halls()
    text = dumps_design(d)
    RemoveHall("A").apply(d).apply(d)
    assert dumps_design(d) == text
    assert dumps_design(loads_design(text)) == text


# ====================================================================== site, assumptions, name
def test_set_site_changes_site_settings():
    d = two_halls()
    cmd = SetSite({"utility_capacity_kw": 12000.0, "pue": "modelled", "currency": "EUR",
                   "electricity_price_per_kwh": 0.11, "grid_kg_co2_per_kwh": 0.2})

    def edited(d):
        s = d.site
        assert (s.utility_capacity_kw, s.pue, s.currency) == (12000.0, "modelled", "EUR")
        assert (s.electricity_price_per_kwh, s.grid_kg_co2_per_kwh) == (0.11, 0.2) and s.pue_modelled

    inverse, _, _ = round_trip(d, cmd, edited)
    assert inverse.fields == {"utility_capacity_kw": 60000.0, "pue": 1.15, "currency": "USD",
                              "electricity_price_per_kwh": 0.08, "grid_kg_co2_per_kwh": 0.35}


def test_set_assumption_adds_changes_and_resets_an_override():
    d = two_halls()

    def added(d):
        assert d.assumptions == {"power.continuous_load_factor": 0.9}

    inverse, _, _ = round_trip(d, SetAssumption("power.continuous_load_factor", 0.9), added)
    assert inverse.value is None  # undo removes the override (back to the catalog value)

    d.assumptions["cable.tray_drop_m"] = 2.0

    def changed(d):
        assert d.assumptions["cable.tray_drop_m"] == 2.5

    inverse, _, _ = round_trip(d, SetAssumption("cable.tray_drop_m", 2.5), changed)
    assert inverse.value == 2.0

    def reset(d):
        assert "cable.tray_drop_m" not in d.assumptions

    round_trip(d, SetAssumption("cable.tray_drop_m", None), reset)


def test_set_assumption_list_value():
    d = two_halls()

    def edited(d):
        assert d.assumptions["aoc.length_steps_m"] == [3.0, 5.0, 10.0]

    round_trip(d, SetAssumption("aoc.length_steps_m", [3.0, 5.0, 10.0]), edited)


def test_rename_changes_the_design_name():
    d = two_halls()

    def edited(d):
        assert d.name == "Campus west"
        assert '"name": "Campus west"' in dumps_design(d)

    inverse, _, _ = round_trip(d, Rename("Campus west"), edited)
    assert inverse.name == "Two halls"


# ====================================================================== composite
def test_composite_is_one_step_and_undoes_in_reverse_order():
    """A row paste: add two racks, then move them; the inverse must undo the move before
    removing the racks (in the opposite order it would move items that are gone)."""
    d = two_halls()
    new = [Equipment("us9-r1", RACK, "A", 10.0, 9.0, 0.0, "us9"), Equipment("us9-r2", RACK, "A", 10.6, 9.0, 0.0, "us9")]
    add = AddItems(new)
    move = SetPlacements(("us9-r1", "us9-r2"), np.array([12.0, 12.6]), np.array([9.0, 9.0]), np.array([0.0, 0.0]),
                         np.array([np.nan, np.nan]), np.array([np.nan, np.nan]))
    cmd = Composite([add, move, SetSite({"currency": "EUR"})], "Paste row")

    def edited(d):
        assert pos(d, "us9-r1") == (12.0, 9.0) and pos(d, "us9-r2") == (12.6, 9.0)
        assert d.system_members("us9") == ["us9-r1", "us9-r2"] and d.site.currency == "EUR"

    inverse, _, _ = round_trip(d, cmd, edited)
    assert isinstance(inverse, Composite) and inverse.label == "Paste row"
    assert [type(c).__name__ for c in inverse.commands] == ["SetSite", "SetPlacements", "RemoveItems"]


def test_nested_composites_and_a_hall_with_its_items():
    d = two_halls()
    hall = Hall("C", "Hall C", rect(0, 0, 12, 12))
    cmd = Composite([
        AddHall(hall),
        Composite([AddItems([Equipment("net5", NET, "C", 1.0, 1.0)]),
                   UpdateItem("net1", {"hall": "C", "x": 2.1, "y": 2.0})]),
        Rename("Three halls"),
        SetAssumption("cable.slack_factor", 1.2),
    ])

    def edited(d):
        assert d.hall_ids() == ["A", "B", "C"] and d.name == "Three halls"
        assert (item(d, "net1").hall, pos(d, "net1")) == ("C", (2.1, 2.0))
        assert item(d, "net5").hall == "C" and d.assumptions == {"cable.slack_factor": 1.2}

    round_trip(d, cmd, edited)


def test_every_command_round_trips_on_the_pilot_hall(pilot_path):
    """The bundled example: each command, then undo, gives the file's text back exactly."""
    d = read_design(pilot_path)
    text = pilot_path.read_text(encoding="utf-8")
    assert dumps_design(d) == text
    ids = ["us1-r1", "us1-r2", "bw1", "net1"]
    commands = [
        move_items(d, ids, 0.6, 1.2), rotate_items(d, ids, 90.0), RemoveItems(tuple(ids)),
        duplicate_items(d, ids, 0, 6.0), UpdateItem("net2", {"type": CDU}), SetHall("A", {"it_capacity_kw": 9000}),
        AddHall(Hall("B", "Hall B", rect(0, 0, 10, 10))), RemoveHall("A"), SetSite({"pue": 1.3}),
        SetAssumption("clearance.front_m", 1.8), Rename("Pilot v2"),
    ]
    for cmd in commands:
        inverse = cmd.apply(d)
        assert dumps_design(d) != text, cmd
        inverse.apply(d)
        assert dumps_design(d) == text, cmd
