"""Property test (hypothesis): a random sequence of edit commands (moves, rotations, adds,
removes, duplicates, item edits, moves between halls, hall / site / assumption edits,
composites of these), undone in reverse order, gives the original design back byte for
byte; redone, gives the edited design back byte for byte. Every single step notifies its
listeners exactly once, and an item change names every item and every hall it touched.

MODEL_PROPERTY_EXAMPLES=1000 runs a longer search.
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.model import Design, Equipment, Hall
from designer.model.commands import (
    AddHall, AddItems, Command, Composite, Rename, RemoveHall, RemoveItems, SetAssumption, SetHall, SetPlacements,
    SetSite, UpdateItem, duplicate_items, move_items, move_to_hall, rotate_items,
)

from .support import BUSWAY, CDU, CRAH, NET, RACK, listen, rect, state, two_halls

EXAMPLES = int(os.environ.get("MODEL_PROPERTY_EXAMPLES", "100"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ITEM_KINDS = {"moved", "added", "removed", "updated"}
FLOOR_TYPES = [RACK, "trn2-rack", NET, CDU, CRAH]
ASSUMPTIONS = ["cable.slack_factor", "cable.tray_drop_m", "power.continuous_load_factor", "clearance.front_m",
               "trn3-gen2-rack.racks_per_system"]

coord = st.floats(-40, 40, allow_nan=False, allow_infinity=False)
shift = st.one_of(st.integers(-20, 20).map(lambda k: k * 0.6), coord)
angle = st.sampled_from([90.0, 180.0, 270.0, -90.0, 45.0, 30.5])
text = st.text(max_size=10)
small_rect = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 6), st.integers(1, 6)).map(
    lambda r: rect(r[0] * 0.6, r[1] * 0.6, (r[0] + r[2]) * 0.6, (r[1] + r[3]) * 0.6))


# ====================================================================== drawing commands
def pick_ids(data, d: Design, repeats: bool = False) -> list[str]:
    return data.draw(st.lists(st.sampled_from(d.equipment.ids), min_size=1, max_size=5, unique=not repeats))


def fresh_ids(d: Design, n: int, stem: str = "new") -> list[str]:
    out, k = [], 1
    while len(out) < n:
        name = f"{stem}{k}"
        if name not in d.equipment and name not in out:
            out.append(name)
        k += 1
    return out


def draw_record(data, d: Design, item_id: str) -> Equipment:
    hall = data.draw(st.sampled_from(d.hall_ids()))
    extra = data.draw(st.sampled_from([{}, {"note": "a"}, {"note": "b", "asset": 7}]))
    if data.draw(st.booleans(), label="busway") and data.draw(st.booleans()):
        x, y = data.draw(coord), data.draw(coord)
        return Equipment(item_id, BUSWAY, hall, x, y, 0.0, None, (x + data.draw(st.floats(0.5, 9)), y), extra)
    type_id = data.draw(st.sampled_from(FLOOR_TYPES))
    system = data.draw(st.sampled_from(["us1", "us2", "us9"])) if type_id in (RACK, "trn2-rack") else None
    return Equipment(item_id, type_id, hall, data.draw(coord), data.draw(coord),
                     data.draw(st.sampled_from([0.0, 90.0, 180.0, 270.0])), system, None, extra)


def draw_item_update(data, d: Design) -> UpdateItem:
    item_id = data.draw(st.sampled_from(d.equipment.ids))
    e = d.equipment.get(item_id)
    keys = ["hall", "x", "y", "note"] + ([] if e.is_busway else ["type", "system", "rotation"])
    fields = {}
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)):
        if key == "hall":
            fields[key] = data.draw(st.sampled_from(d.hall_ids()))
        elif key in ("x", "y"):
            fields[key] = data.draw(coord)
        elif key == "rotation":
            fields[key] = data.draw(st.sampled_from([0.0, 90.0, 180.0, 270.0]))
        elif key == "note":
            fields[key] = data.draw(st.one_of(st.none(), text))
        elif key == "type":
            fields[key] = data.draw(st.sampled_from(FLOOR_TYPES))
        elif key == "system":
            fields[key] = data.draw(st.sampled_from([None, "us1", "us2", "us9"]))
    return UpdateItem(item_id, fields)


def draw_hall_edit(data, d: Design) -> SetHall:
    hall_id = data.draw(st.sampled_from(d.hall_ids()))
    choices = {
        "name": text.filter(bool),
        "outline": small_rect,
        "columns": st.lists(small_rect, max_size=3),
        "keepouts": st.lists(small_rect, max_size=2),
        "floor_rating_kg_m2": st.sampled_from([1200.0, 2500.0, 3000.5]),
        "it_capacity_kw": st.floats(0, 1e5),
        "tray_drop_m": st.one_of(st.none(), st.floats(0, 20)),
    }
    keys = data.draw(st.lists(st.sampled_from(sorted(choices)), min_size=1, max_size=3, unique=True))
    return SetHall(hall_id, {k: data.draw(choices[k]) for k in keys})


def draw_simple(data, d: Design) -> Command:
    """One command built for the design as it is now."""
    ops = ["add", "add_hall", "set_hall", "site", "assumption", "rename"]
    if len(d.equipment):
        ops += ["move", "move", "rotate", "place", "remove", "remove", "duplicate", "update", "update", "to_hall"]
    if len(d.halls) > 1:
        ops += ["remove_hall"]
    op = data.draw(st.sampled_from(ops), label="op")
    if op == "move":
        return move_items(d, pick_ids(data, d, repeats=True), data.draw(shift), data.draw(shift))
    if op == "rotate":
        about = data.draw(st.one_of(st.none(), st.tuples(coord, coord)))
        return rotate_items(d, pick_ids(data, d), data.draw(angle), about)
    if op == "place":
        ids = pick_ids(data, d)
        cmd = SetPlacements.capture(d, ids)
        n = len(ids)
        busway = ~np.isnan(cmd.x2)
        cmd.x = np.array([data.draw(coord) for _ in range(n)])
        cmd.y = np.array([data.draw(coord) for _ in range(n)])
        cmd.rotation = np.where(busway, 0.0, [data.draw(st.floats(0, 359.5)) for _ in range(n)])
        cmd.x2 = np.where(busway, [data.draw(coord) for _ in range(n)], np.nan)
        cmd.y2 = np.where(busway, [data.draw(coord) for _ in range(n)], np.nan)
        return cmd
    if op == "remove":
        return RemoveItems(tuple(pick_ids(data, d, repeats=True)))
    if op == "duplicate":
        return duplicate_items(d, pick_ids(data, d), data.draw(shift), data.draw(shift))
    if op == "update":
        return draw_item_update(data, d)
    if op == "to_hall":
        return move_to_hall(d, pick_ids(data, d), data.draw(st.sampled_from(d.hall_ids())),
                            data.draw(shift), data.draw(shift))
    if op == "add":
        n = data.draw(st.integers(1, 3))
        records = [draw_record(data, d, i) for i in fresh_ids(d, n)]
        at = None
        if data.draw(st.booleans()):
            at = data.draw(st.lists(st.integers(0, len(d.equipment) + n - 1), min_size=n, max_size=n, unique=True))
        return AddItems(records, at)
    if op == "add_hall":
        k = 1
        while f"H{k}" in d.hall_ids():
            k += 1
        hall = Hall(f"H{k}", data.draw(text.filter(bool)), data.draw(small_rect),
                    tray_drop_m=data.draw(st.one_of(st.none(), st.just(1.0))))
        return AddHall(hall, data.draw(st.one_of(st.none(), st.integers(0, len(d.halls)))))
    if op == "remove_hall":
        return RemoveHall(data.draw(st.sampled_from(d.hall_ids())))
    if op == "set_hall":
        return draw_hall_edit(data, d)
    if op == "site":
        choices = {"utility_capacity_kw": st.floats(0, 1e6), "pue": st.one_of(st.just("modelled"), st.floats(1, 3)),
                   "electricity_price_per_kwh": st.floats(0, 1), "grid_kg_co2_per_kwh": st.floats(0, 2),
                   "currency": st.sampled_from(["USD", "EUR", "NOK"])}
        keys = data.draw(st.lists(st.sampled_from(sorted(choices)), min_size=1, max_size=3, unique=True))
        return SetSite({k: data.draw(choices[k]) for k in keys})
    if op == "assumption":
        value = data.draw(st.one_of(st.none(), st.floats(0.1, 10), st.lists(st.floats(1, 100), min_size=1, max_size=3)))
        return SetAssumption(data.draw(st.sampled_from(ASSUMPTIONS)), value)
    assert op == "rename"
    return Rename(data.draw(text))


def draw_command(data, d: Design) -> Command:
    """A simple command, or a composite of 2–3 (each built for the design as the ones
    before it leave it: they are applied to build the next, then undone)."""
    if not data.draw(st.integers(0, 3), label="composite?") == 0:
        return draw_simple(data, d)
    parts, undo = [], []
    for _ in range(data.draw(st.integers(2, 3))):
        parts.append(draw_simple(data, d))
        undo.append(parts[-1].apply(d))
    for cmd in reversed(undo):
        cmd.apply(d)
    return Composite(parts)


# ====================================================================== what a change must name
def facets(d: Design):
    items = {e.id: e for e in d.equipment}
    by_hall: dict[str, list[str]] = {}
    for e in d.equipment:
        by_hall.setdefault(e.hall, []).append(e.id)
    return {"name": d.name, "site": repr(d.site), "assumptions": repr(sorted(d.assumptions.items())),
            "halls": {h.id: repr(h) for h in d.halls}, "hall_order": d.hall_ids(), "items": items,
            "by_hall": by_hall}


def check_change(before, after, changes) -> None:
    assert len(changes) == 1, changes
    ch = changes[0]
    if ch.kind == "reset":
        return
    if ch.kind != "site":
        assert (before["name"], before["site"]) == (after["name"], after["site"]), ch
    if ch.kind != "assumptions":
        assert before["assumptions"] == after["assumptions"], ch
    if ch.kind != "halls":
        assert before["halls"] == after["halls"] and before["hall_order"] == after["hall_order"], ch
    else:
        touched = {h for h in set(before["halls"]) | set(after["halls"])
                   if before["halls"].get(h) != after["halls"].get(h)}
        assert touched <= set(ch.halls), (ch, touched)
    if ch.kind not in ITEM_KINDS:
        assert before["items"] == after["items"] and before["by_hall"] == after["by_hall"], ch
        return
    b, a = before["items"], after["items"]
    changed_ids = {i for i in set(b) | set(a) if b.get(i) != a.get(i)}
    assert changed_ids <= set(ch.ids), (ch, changed_ids)
    halls_touched = {h for h in set(before["by_hall"]) | set(after["by_hall"])
                     if before["by_hall"].get(h) != after["by_hall"].get(h)}
    halls_touched |= {e.hall for i in changed_ids for e in (b.get(i), a.get(i)) if e is not None}
    assert halls_touched <= set(ch.halls), (ch, halls_touched)


def apply_checked(cmd: Command, d: Design, rec) -> Command:
    before = facets(d)
    rec.take()
    inverse = cmd.apply(d)
    check_change(before, facets(d), rec.take())
    return inverse


# ====================================================================== the property
@SETTINGS
@given(st.data())
def test_random_edits_undo_and_redo_byte_for_byte(data):
    d = two_halls()
    rec = listen(d)
    original = state(d)
    inverses: list[Command] = []
    states = [original]
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        cmd = draw_command(data, d)
        inverses.append(apply_checked(cmd, d, rec))
        states.append(state(d))
    edited = states[-1]
    redos: list[Command] = []
    for k in range(len(inverses) - 1, -1, -1):  # undo, newest first
        redos.append(apply_checked(inverses[k], d, rec))
        assert state(d) == states[k]
    assert state(d) == original
    for k, cmd in enumerate(reversed(redos)):  # redo, oldest first
        apply_checked(cmd, d, rec)
        assert state(d) == states[k + 1]
    assert state(d) == edited


@SETTINGS
@given(st.data())
def test_a_composite_equals_its_parts_applied_in_turn(data):
    d = two_halls()
    parts, undo = [], []
    for _ in range(data.draw(st.integers(2, 4))):
        parts.append(draw_simple(data, d))
        undo.append(parts[-1].apply(d))
    in_turn = state(d)
    for cmd in reversed(undo):
        cmd.apply(d)
    original = state(d)
    inverse = Composite(parts).apply(d)
    assert state(d) == in_turn
    inverse.apply(d)
    assert state(d) == original
