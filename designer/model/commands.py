"""Edit commands: plain data, Qt-free. ``command.apply(design)`` performs the edit,
notifies the design's listeners once, and returns the inverse command (Orange3's
``owpaintdata`` pattern). The UI wraps them in ``QUndoCommand``s.

Positions are restored exactly on undo (commands store the old values rather than
subtracting), so undo/redo never drifts a coordinate by float noise.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

import numpy as np

from designer.model.design import ITEM_CHANGES, Change, Design, Equipment, Hall

#: Positions are rounded to this (1 µm) after arithmetic, so a nudge of 0.6 m lands on 4.8, not 4.800000000000001.
POSITION_DECIMALS = 6


class Command:
    """Base class: ``apply`` performs the edit and returns the inverse."""

    label = "Edit"

    def apply(self, design: Design) -> "Command":  # pragma: no cover - abstract
        raise NotImplementedError


def _halls_of(design: Design, ids: Iterable[str]) -> tuple[str, ...]:
    t = design.equipment
    codes = np.unique(t.hall_code[t.rows(ids)]) if ids else []
    return tuple(t.halls[int(c)] for c in codes)


@contextlib.contextmanager
def batch(design: Design):
    """Collect the changes of several commands and notify once, merged."""
    collected: list[Change] = []
    listeners = design._listeners
    design._listeners = [collected.append]
    try:
        yield
    finally:
        design._listeners = listeners
        merged = merge_changes(collected)
        if merged is not None:
            design.notify(merged)


def merge_changes(changes: Sequence[Change]) -> Change | None:
    """One change standing for several: item edits merge (ids and halls united);
    anything else makes it a ``reset``."""
    if not changes:
        return None
    if len(changes) == 1:
        return changes[0]
    item_kinds = set(ITEM_CHANGES)
    if all(c.kind in item_kinds for c in changes):
        ids = tuple(dict.fromkeys(i for c in changes for i in c.ids))
        halls = tuple(dict.fromkeys(h for c in changes for h in c.halls))
        kinds = {c.kind for c in changes}
        return Change(kinds.pop() if len(kinds) == 1 else "updated", ids, halls)
    return Change("reset")


# ====================================================================== placements
@dataclass
class SetPlacements(Command):
    """Set positions, rotations (and busway ends) of items to given values."""

    ids: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    rotation: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    label: str = "Move"

    @classmethod
    def capture(cls, design: Design, ids: Sequence[str], label: str = "Move") -> "SetPlacements":
        t = design.equipment
        rows = t.rows(ids)
        return cls(tuple(ids), t.x[rows].copy(), t.y[rows].copy(), t.rotation[rows].copy(),
                   t.x2[rows].copy(), t.y2[rows].copy(), label)

    def apply(self, design: Design) -> Command:
        inverse = SetPlacements.capture(design, self.ids, self.label)
        t = design.equipment
        rows = t.rows(self.ids)
        t.x[rows] = self.x
        t.y[rows] = self.y
        t.rotation[rows] = self.rotation
        t.x2[rows] = self.x2
        t.y2[rows] = self.y2
        design.notify(Change("moved", self.ids, _halls_of(design, self.ids)))
        return inverse


def move_items(design: Design, ids: Sequence[str], dx: float, dy: float, label: str = "Move") -> SetPlacements:
    """The command moving items by (dx, dy) metres (busways move both ends)."""
    cmd = SetPlacements.capture(design, ids, label)
    cmd.x = np.round(cmd.x + dx, POSITION_DECIMALS)
    cmd.y = np.round(cmd.y + dy, POSITION_DECIMALS)
    busway = ~np.isnan(cmd.x2)
    cmd.x2 = np.where(busway, np.round(cmd.x2 + dx, POSITION_DECIMALS), np.nan)
    cmd.y2 = np.where(busway, np.round(cmd.y2 + dy, POSITION_DECIMALS), np.nan)
    return cmd


def move_to_hall(design: Design, ids: Sequence[str], hall_id: str, dx: float, dy: float,
                 label: str | None = None) -> "Composite":
    """The command moving items into another hall: each keeps its place relative to the
    others, shifted by (dx, dy) metres from its coordinates into the new hall's frame
    (busways move both ends). One undo step."""
    moved = move_items(design, ids, dx, dy)
    commands: list[Command] = []
    for k, item_id in enumerate(ids):
        fields: dict[str, Any] = {"hall": hall_id, "x": float(moved.x[k]), "y": float(moved.y[k])}
        if not np.isnan(moved.x2[k]):
            fields["x2"], fields["y2"] = float(moved.x2[k]), float(moved.y2[k])
        commands.append(UpdateItem(item_id, fields))
    name = design.hall(hall_id).name
    return Composite(commands, label or f"Move to {name}")


def turn_points(x, y, angle_deg: float, about: tuple[float, float] = (0.0, 0.0)):
    """Points turned counter-clockwise by ``angle_deg`` about a point, rounded as stored
    positions are (exact at multiples of 90°)."""
    cx, cy = about
    th = math.radians(angle_deg)
    c, s = round(math.cos(th), 12), round(math.sin(th), 12)
    x, y = np.asarray(x, float), np.asarray(y, float)
    return (np.round(cx + c * (x - cx) - s * (y - cy), POSITION_DECIMALS),
            np.round(cy + s * (x - cx) + c * (y - cy), POSITION_DECIMALS))


def rotate_items(design: Design, ids: Sequence[str], angle_deg: float = 90.0,
                 about: tuple[float, float] | None = None, label: str = "Rotate") -> SetPlacements:
    """The command turning items counter-clockwise by ``angle_deg`` about a point (by
    default the centre of their bounding box), as one rigid group."""
    cmd = SetPlacements.capture(design, ids, label)
    busway = ~np.isnan(cmd.x2)
    xs = np.concatenate([cmd.x, cmd.x2[busway]])
    ys = np.concatenate([cmd.y, cmd.y2[busway]])
    about = about if about is not None else ((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2)
    cmd.x, cmd.y = turn_points(cmd.x, cmd.y, angle_deg, about)
    x2, y2 = turn_points(np.nan_to_num(cmd.x2), np.nan_to_num(cmd.y2), angle_deg, about)
    cmd.x2 = np.where(busway, x2, np.nan)
    cmd.y2 = np.where(busway, y2, np.nan)
    cmd.rotation = np.where(busway, 0.0, np.mod(cmd.rotation + angle_deg, 360.0))
    return cmd


# ====================================================================== add / remove
@dataclass
class AddItems(Command):
    """Add items (appended, or re-inserted at their former rows on undo)."""

    records: list[Equipment]
    at: list[int] | None = None
    label: str = "Add"

    def apply(self, design: Design) -> Command:
        design.equipment.insert(self.records, self.at)
        ids = tuple(r.id for r in self.records)
        design.notify(Change("added", ids, tuple(dict.fromkeys(r.hall for r in self.records))))
        return RemoveItems(ids, self.label)


@dataclass
class RemoveItems(Command):
    """Remove items; the inverse puts them back at the same rows."""

    ids: tuple[str, ...]
    label: str = "Delete"

    def apply(self, design: Design) -> Command:
        halls = _halls_of(design, self.ids)
        records, rows = design.equipment.delete(self.ids)
        design.notify(Change("removed", self.ids, halls))
        return AddItems(records, rows, self.label)


def duplicate_items(design: Design, ids: Sequence[str], dx: float = 0.0, dy: float = 0.0,
                    label: str = "Duplicate") -> AddItems:
    """Copies of items with fresh ids, offset by (dx, dy); racks of one UltraServer keep
    sharing a (new) system id."""
    t = design.equipment
    taken_ids = set(t.index)
    taken_systems = set(t.systems.codes)
    new_system: dict[str, str] = {}
    out = []
    for item_id in ids:
        e = t.get(item_id)
        if e.system is not None and e.system not in new_system:
            new_system[e.system] = _fresh(_stem(e.system), taken_systems)
        nid = _fresh(_stem(item_id), taken_ids)
        end = None if e.end is None else (round(e.end[0] + dx, POSITION_DECIMALS), round(e.end[1] + dy, POSITION_DECIMALS))
        out.append(replace(e, id=nid, x=round(e.x + dx, POSITION_DECIMALS), y=round(e.y + dy, POSITION_DECIMALS),
                           end=end, system=None if e.system is None else new_system[e.system]))
    return AddItems(out, None, label)


def _stem(item_id: str) -> str:
    return item_id.rstrip("0123456789") or item_id


def _fresh(stem: str, taken: set[str]) -> str:
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    taken.add(f"{stem}{n}")
    return f"{stem}{n}"


# ====================================================================== properties
@dataclass
class UpdateItem(Command):
    """Change an item's type, hall, system or extra fields (``{"hall": "B"}``)."""

    id: str
    fields: dict[str, Any]
    label: str = "Edit item"

    def apply(self, design: Design) -> Command:
        t = design.equipment
        row = t.index[self.id]
        old_hall = t.halls[int(t.hall_code[row])]
        before = t.get(self.id)
        old = {}
        for key, value in self.fields.items():
            if key == "type":
                old[key] = before.type
                t.type_code[row] = t.types.code(value)
            elif key == "hall":
                old[key] = before.hall
                t.hall_code[row] = t.halls.code(value)
            elif key == "system":
                old[key] = before.system
                t.system_code[row] = -1 if value is None else t.systems.code(value)
            elif key in ("x", "y", "rotation", "x2", "y2"):
                old[key] = float(getattr(t, key)[row])
                getattr(t, key)[row] = value
            else:
                extra = t.extra.setdefault(self.id, {})
                old[key] = extra.get(key)
                if value is None:
                    extra.pop(key, None)
                else:
                    extra[key] = value
        new_hall = t.halls[int(t.hall_code[row])]
        design.notify(Change("updated", (self.id,), tuple(dict.fromkeys((old_hall, new_hall)))))
        return UpdateItem(self.id, old, self.label)


@dataclass
class SetHall(Command):
    """Change a hall's fields (outline, columns, keepouts, name, ratings, tray drop)."""

    hall_id: str
    fields: dict[str, Any]
    label: str = "Edit hall"

    def apply(self, design: Design) -> Command:
        hall = design.hall(self.hall_id)
        old = {k: getattr(hall, k) for k in self.fields}
        for k, v in self.fields.items():
            setattr(hall, k, v)
        design.notify(Change("halls", (), (self.hall_id,)))
        return SetHall(self.hall_id, old, self.label)


@dataclass
class AddHall(Command):
    """Add a hall (at the end, or at ``index``)."""

    hall: Hall
    index: int | None = None
    label: str = "Add hall"

    def apply(self, design: Design) -> Command:
        if self.hall.id in design.hall_ids():
            raise ValueError(f"a hall with id {self.hall.id!r} exists")
        design.halls.insert(len(design.halls) if self.index is None else self.index, self.hall)
        design.notify(Change("halls", (), (self.hall.id,)))
        return RemoveHall(self.hall.id, self.label)


@dataclass
class RemoveHall(Command):
    """Remove a hall and everything in it; the inverse restores both."""

    hall_id: str
    label: str = "Delete hall"
    _items: list[Equipment] = field(default_factory=list)

    def apply(self, design: Design) -> Command:
        index = design.hall_ids().index(self.hall_id)
        hall = design.halls[index]
        t = design.equipment
        code = t.halls.codes.get(self.hall_id)
        ids = [] if code is None else [t.ids[r] for r in np.flatnonzero(t.hall_code == code)]
        # the hall's dimension lines and notes go with it (kept in the inverse as they were)
        notes = design.extra.get("annotations")
        with batch(design):
            restore = RemoveItems(tuple(ids)).apply(design) if ids else None
            design.halls.pop(index)
            if notes is not None and any(a.get("hall") == self.hall_id for a in notes):
                kept = [a for a in notes if a.get("hall") != self.hall_id]
                if kept:
                    design.extra["annotations"] = kept
                else:
                    design.extra.pop("annotations")
            else:
                notes = None
            design.notify(Change("halls", (), (self.hall_id,)))
        return _RestoreHall(hall, index, restore, self.label, notes)


@dataclass
class _RestoreHall(Command):
    hall: Hall
    index: int
    items: Command | None
    label: str = "Delete hall"
    annotations: list | None = None  # the design's annotations before the hall went (None: untouched)

    def apply(self, design: Design) -> Command:
        with batch(design):
            AddHall(self.hall, self.index).apply(design)
            if self.annotations is not None:
                design.extra["annotations"] = self.annotations
            if self.items is not None:
                self.items.apply(design)
        return RemoveHall(self.hall.id, self.label)


@dataclass
class SetSite(Command):
    """Change site settings (utility capacity, PUE, price, carbon intensity, currency)."""

    fields: dict[str, Any]
    label: str = "Edit site"

    def apply(self, design: Design) -> Command:
        old = {k: getattr(design.site, k) for k in self.fields}
        for k, v in self.fields.items():
            setattr(design.site, k, v)
        design.notify(Change("site"))
        return SetSite(old, self.label)


@dataclass
class SetAssumption(Command):
    """Override a catalog assumption for this design (``None`` restores the catalog value)."""

    key: str
    value: float | list | None
    label: str = "Change assumption"

    def apply(self, design: Design) -> Command:
        old = design.assumptions.get(self.key)
        if self.value is None:
            design.assumptions.pop(self.key, None)
        else:
            design.assumptions[self.key] = self.value
        design.notify(Change("assumptions"))
        return SetAssumption(self.key, old, self.label)


@dataclass
class SetDesignExtra(Command):
    """Set (``None``: remove) one design-level section of ``design.extra`` that the engine
    reads, e.g. ``fabric`` (``{"oversubscription": 2.0}``); the whole design is re-evaluated."""

    key: str
    value: Any
    label: str = "Edit design setting"

    def apply(self, design: Design) -> Command:
        old = design.extra.get(self.key)
        if self.value is None:
            design.extra.pop(self.key, None)
        else:
            design.extra[self.key] = _copied(self.value)
        design.notify(Change("site"))  # design-wide: every hall may change
        return SetDesignExtra(self.key, None if old is None else _copied(old), self.label)


def _copied(value: Any) -> Any:
    """A copy of a JSON-like value (dicts and lists nested), so commands never share state."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def set_oversubscription(design: Design, oversubscription: float) -> SetDesignExtra:
    """Set the fabric's leaf oversubscription o (``fabric.oversubscription``; 1 = non-blocking),
    keeping the section's other fields."""
    o = float(oversubscription)
    if not (math.isfinite(o) and 0.1 <= o <= 16):
        raise ValueError("oversubscription must be a number from 0.1 to 16 (1 = non-blocking), "
                         f"got {oversubscription!r}")
    fabric = dict(design.extra.get("fabric") or {})
    fabric["oversubscription"] = o
    return SetDesignExtra("fabric", fabric, "Set oversubscription")


@dataclass
class Rename(Command):
    """Rename the design."""

    name: str
    label: str = "Rename design"

    def apply(self, design: Design) -> Command:
        old = design.name
        design.name = self.name
        design.notify(Change("site"))
        return Rename(old, self.label)


@dataclass
class Composite(Command):
    """Several commands as one undo step (a paste, a row, a drag of a group)."""

    commands: list[Command]
    label: str = "Edit"

    def apply(self, design: Design) -> Command:
        inverses = []
        with batch(design):
            for cmd in self.commands:
                inverses.append(cmd.apply(design))
        return Composite(inverses[::-1], self.label)


# ====================================================================== halls on the campus
#: East-west gap between a new hall and the halls already on the campus (metres).
NEW_HALL_GAP_M = 10.0
#: Largest hall side a planner may type (metres): a kilometre is a campus, not a hall.
MAX_HALL_SIDE_M = 1000.0


def fresh_hall_id(design: Design) -> str:
    """An id for a new hall: the next free letter when the halls are lettered (A, B …),
    else the next number in the style of the last numbered id (``H07`` after ``H06``)."""
    taken = set(design.hall_ids())
    ids = design.hall_ids()
    if all(len(h) == 1 and h.isalpha() and h.isupper() for h in ids):
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if c not in taken:
                return c
    numbered = [m for m in (re.fullmatch(r"(.*?)(\d+)", h) for h in ids) if m]
    prefix, width = (numbered[-1].group(1), len(numbered[-1].group(2))) if numbered else ("H", 1)
    n = max((int(m.group(2)) for m in numbered if m.group(1) == prefix), default=0) + 1
    while f"{prefix}{n:0{width}d}" in taken:
        n += 1
    return f"{prefix}{n:0{width}d}"


def _hall_name(hall_id: str) -> str:
    m = re.fullmatch(r"[A-Za-z]*0*(\d+)", hall_id)
    return f"Hall {m.group(1) if m else hall_id}"


def _campus_place(design: Design, outline) -> tuple[float, float] | None:
    """Where a new hall goes on the campus: None (laid side by side after the others)
    while no hall has an origin, else east of everything, ``NEW_HALL_GAP_M`` clear."""
    if all(h.origin is None for h in design.halls):
        return None
    offsets = design.hall_offsets(NEW_HALL_GAP_M)
    east = max(offsets[h.id][0] + h.bounds()[2] for h in design.halls)
    south = min(offsets[h.id][1] + h.bounds()[1] for h in design.halls)
    x0 = min(p[0] for p in outline)
    y0 = min(p[1] for p in outline)
    return (round(east + NEW_HALL_GAP_M - x0, POSITION_DECIMALS), round(south - y0, POSITION_DECIMALS))


def new_hall(design: Design, width_m: float, depth_m: float, name: str | None = None) -> AddHall:
    """The command adding a rectangular hall ``width_m`` (east-west) by ``depth_m``
    (north-south) metres, its south-west corner at its (0, 0), after the other halls.
    Raises ``ValueError`` for a side that is not a positive length up to 1 km."""
    for what, v in (("width", width_m), ("depth", depth_m)):
        if not (isinstance(v, (int, float)) and math.isfinite(v)) or v <= 0:
            raise ValueError(f"A hall's {what} must be a length above 0 m, got {v}")
        if v > MAX_HALL_SIDE_M:
            raise ValueError(f"A hall's {what} must be at most {MAX_HALL_SIDE_M:,.0f} m, got {v:,.1f} m")
    w, d = round(float(width_m), POSITION_DECIMALS), round(float(depth_m), POSITION_DECIMALS)
    outline = ((0.0, 0.0), (w, 0.0), (w, d), (0.0, d))
    hall_id = fresh_hall_id(design)
    name = (name or "").strip() or _hall_name(hall_id)
    hall = Hall(hall_id, name, outline, origin=_campus_place(design, outline))
    return AddHall(hall, None, f"Add {name}")


def duplicate_hall(design: Design, hall_id: str) -> Composite:
    """The command copying a hall with everything in it (items with fresh ids, an
    UltraServer's racks sharing a fresh system id) and its dimension lines and notes, as
    a new hall after the others. One undo step."""
    src = design.hall(hall_id)
    new_id = fresh_hall_id(design)
    name = f"{src.name} (copy)"
    hall = replace(src, id=new_id, name=name, outline=tuple(src.outline), columns=list(src.columns),
                   keepouts=list(src.keepouts), extra=dict(src.extra),
                   origin=_campus_place(design, src.outline))
    t = design.equipment
    code = t.halls.codes.get(hall_id)
    rows = np.flatnonzero(t.hall_code == code) if code is not None else np.zeros(0, np.int64)
    taken_ids, taken_systems = set(t.index), set(t.systems.codes)
    old_prefix, new_prefix = f"{hall_id}-", f"{new_id}-"

    def renamed(old: str, taken: set[str]) -> str:
        if old.startswith(old_prefix) and new_prefix + old[len(old_prefix):] not in taken:
            taken.add(new_prefix + old[len(old_prefix):])
            return new_prefix + old[len(old_prefix):]
        return _fresh(_stem(old), taken)

    systems: dict[str, str] = {}
    records = []
    for r in rows:
        e = t.record(int(r))
        if e.system is not None and e.system not in systems:
            systems[e.system] = renamed(e.system, taken_systems)
        records.append(replace(e, id=renamed(e.id, taken_ids), hall=new_id,
                               system=None if e.system is None else systems[e.system]))
    commands: list[Command] = [AddHall(hall)]
    if records:
        commands.append(AddItems(records))
    notes = annotations_of(design)
    copies = [{**a, "hall": new_id} for a in notes if a.get("hall") == hall_id]
    if copies:
        commands.append(SetAnnotations(notes + copies))
    return Composite(commands, f"Duplicate {src.name}")


def move_hall(design: Design, hall_id: str, origin: tuple[float, float] | None,
              label: str | None = None) -> Command:
    """The command putting a hall's (0, 0) at ``origin`` on the campus (site metres;
    None: back to side by side), the other halls staying where they are. Raises
    ``ValueError`` for a point beyond ±100 km."""
    hall = design.hall(hall_id)
    if origin is not None:
        x, y = (float(v) for v in origin)
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 100_000.0:
            raise ValueError(f"A hall's origin must lie within 100 km of the site's (0, 0), got ({x:g}, {y:g})")
        origin = (round(x, POSITION_DECIMALS) + 0.0, round(y, POSITION_DECIMALS) + 0.0)
    label = label or f"Move {hall.name}"
    move = SetHall(hall_id, {"origin": origin}, label)
    # halls laid side by side follow the halls before them: pin the others where they are
    # now, so that moving one hall moves no other
    offsets = design.hall_offsets()
    pins = [SetHall(h.id, {"origin": tuple(round(v, POSITION_DECIMALS) + 0.0 for v in offsets[h.id])}, label)
            for h in design.halls if h.id != hall_id and h.origin is None]
    return Composite([*pins, move], label) if pins else move


# ====================================================================== annotations
#: What a design's ``annotations`` hold (``design.extra["annotations"]``, hall metres):
#: ``{"kind": "dimension", "hall", "a": [x, y], "b": [x, y]}`` and
#: ``{"kind": "note", "hall", "at": [x, y], "text"}``.
ANNOTATION_KINDS = ("dimension", "note")


class AnnotationError(ValueError):
    """An annotation the design cannot hold; the message says why, in the planner's words."""


def annotations_of(design: Design) -> list[dict]:
    """Copies of the design's dimension lines and notes, in file order (empty when none)."""
    return [dict(a) for a in design.extra.get("annotations") or []]


@dataclass
class SetAnnotations(Command):
    """Replace the design's dimension lines and notes (``design.extra["annotations"]``;
    ``None``: it has none). Nothing the engine reads changes: the change kind is
    ``annotations`` (:data:`designer.model.design.VIEW_CHANGES`)."""

    annotations: list[dict] | None
    label: str = "Edit annotations"

    def apply(self, design: Design) -> Command:
        old = design.extra.get("annotations")
        if self.annotations is None:
            design.extra.pop("annotations", None)
        else:
            design.extra["annotations"] = [dict(a) for a in self.annotations]
        halls = tuple(dict.fromkeys(a.get("hall") for a in [*(old or []), *(self.annotations or [])]))
        design.notify(Change("annotations", (), halls))
        return SetAnnotations(None if old is None else [dict(a) for a in old], self.label)


def _plan_point(p, what: str) -> list[float]:
    try:
        x, y = (float(v) for v in p)
    except (TypeError, ValueError):
        raise AnnotationError(f"{what} must be a point (x, y), got {p!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise AnnotationError(f"{what} must be a finite point, got ({x}, {y})")
    return [round(x, POSITION_DECIMALS) + 0.0, round(y, POSITION_DECIMALS) + 0.0]


def dimension(design: Design, hall_id: str, a, b) -> dict:
    """A dimension line between two points of a hall (plan metres); raises
    :class:`AnnotationError` for an unknown hall or two ends on one point."""
    if hall_id not in design.hall_ids():
        raise AnnotationError(f"there is no hall {hall_id!r}")
    a, b = _plan_point(a, "a dimension's start"), _plan_point(b, "a dimension's end")
    if a == b:
        raise AnnotationError("a dimension line needs two different ends")
    return {"kind": "dimension", "hall": hall_id, "a": a, "b": b}


def note(design: Design, hall_id: str, at, text: str) -> dict:
    """A free-text note at a point of a hall; raises :class:`AnnotationError` for an
    unknown hall or an empty text."""
    if hall_id not in design.hall_ids():
        raise AnnotationError(f"there is no hall {hall_id!r}")
    text = (text or "").strip()
    if not text:
        raise AnnotationError("a note needs some text")
    if len(text) > 10_000:
        raise AnnotationError("a note holds at most 10,000 characters")
    return {"kind": "note", "hall": hall_id, "at": _plan_point(at, "a note's place"), "text": text}


def add_annotation(design: Design, annotation: dict) -> SetAnnotations:
    """The command adding a dimension line or a note (built by :func:`dimension` / :func:`note`)."""
    what = "dimension" if annotation.get("kind") == "dimension" else "note"
    return SetAnnotations(annotations_of(design) + [dict(annotation)], f"Add {what}")


def remove_annotations(design: Design, indices) -> SetAnnotations:
    """The command removing the annotations at these positions of the list."""
    notes = annotations_of(design)
    drop = {int(i) for i in indices}
    bad = sorted(i for i in drop if not 0 <= i < len(notes))
    if bad:
        raise AnnotationError(f"there is no annotation {bad[0]}")
    kept = [a for i, a in enumerate(notes) if i not in drop]
    n = len(drop)
    return SetAnnotations(kept or None, f"Delete {n} annotation{'s' if n != 1 else ''}")


def replace_annotation(design: Design, index: int, annotation: dict, label: str = "Edit note") -> SetAnnotations:
    """The command replacing the annotation at a position (a note's new text, a moved end)."""
    notes = annotations_of(design)
    if not 0 <= index < len(notes):
        raise AnnotationError(f"there is no annotation {index}")
    notes[index] = dict(annotation)
    return SetAnnotations(notes, label)


# ====================================================================== power chain
class ChainError(ValueError):
    """A power-chain edit that would make the chain invalid (a cycle, an unknown node, an id
    taken); its message says why, in the planner's words."""


#: The id stem a new node of each kind gets (``ups3``).
NODE_ID_STEMS = {"transformer": "tx", "switchboard": "swb", "ups": "ups"}


@dataclass
class SetPowerChain(Command):
    """Replace the design's power chain (``design.extra["power_chain"]``: nodes
    ``{"id", "type", "parent"}``; ``None``: the design has none)."""

    nodes: list[dict] | None
    label: str = "Edit power chain"

    def apply(self, design: Design) -> Command:
        old = design.extra.get("power_chain")
        if self.nodes is None:
            design.extra.pop("power_chain", None)
        else:
            design.extra["power_chain"] = [dict(n) for n in self.nodes]
        design.notify(Change("site"))  # the whole design: the chain spans every hall
        return SetPowerChain(None if old is None else [dict(n) for n in old], self.label)


def chain_nodes(design: Design) -> list[dict]:
    """Copies of the design's power-chain nodes, in file order (empty when it has none)."""
    return [{"id": n["id"], "type": n["type"], "parent": n.get("parent")}
            for n in design.extra.get("power_chain") or []]


def fresh_node_id(design: Design, kind: str) -> str:
    """An id for a new node of a kind (``ups3``), used by no node and no item."""
    taken = {n["id"] for n in chain_nodes(design)} | set(design.equipment.index)
    return _fresh(NODE_ID_STEMS.get(kind, kind), taken)


def _node_ids(nodes: list[dict]) -> list[str]:
    return [n["id"] for n in nodes]


def _check_node(nodes: list[dict], node_id: str | None, what: str = "node") -> None:
    if node_id is not None and node_id not in _node_ids(nodes):
        raise ChainError(f"there is no {what} {node_id!r} in the power chain")


def add_chain_node(design: Design, node_type: str, parent: str | None, node_id: str) -> SetPowerChain:
    """The command adding a node of ``node_type`` fed from ``parent`` (None: the utility)."""
    nodes = chain_nodes(design)
    node_id = node_id.strip()
    if not node_id:
        raise ChainError("a node needs an id")
    if node_id in _node_ids(nodes) or node_id in design.equipment.index:
        raise ChainError(f"the id {node_id!r} is taken")
    _check_node(nodes, parent, "parent")
    return SetPowerChain(nodes + [{"id": node_id, "type": node_type, "parent": parent}], f"Add {node_id}")


def remove_chain_node(design: Design, node_id: str) -> Composite:
    """The command removing a node: the nodes it fed are then fed from its parent, and the
    busways it fed lose their source. One undo step."""
    nodes = chain_nodes(design)
    _check_node(nodes, node_id)
    parent = next(n["parent"] for n in nodes if n["id"] == node_id)
    kept = [{**n, "parent": parent} if n["parent"] == node_id else n for n in nodes if n["id"] != node_id]
    t = design.equipment
    fed = [i for i, extra in t.extra.items() if extra.get("source") == node_id]
    return Composite([SetPowerChain(kept or None), *(UpdateItem(i, {"source": None}) for i in fed)],
                     f"Remove {node_id}")


def set_chain_parent(design: Design, node_id: str, parent: str | None) -> SetPowerChain:
    """The command feeding a node from another (None: the utility); raises
    :class:`ChainError` when that would make a cycle."""
    nodes = chain_nodes(design)
    _check_node(nodes, node_id)
    _check_node(nodes, parent, "parent")
    parents = {n["id"]: n["parent"] for n in nodes}
    k = parent
    while k is not None:  # up from the new parent: reaching the node itself is a cycle
        if k == node_id:
            through = "" if parent == node_id else f" ({parent} is fed through {node_id})"
            raise ChainError(f"{node_id} cannot be fed from {parent}{through}: a node cannot feed itself")
        k = parents[k]
    return SetPowerChain([{**n, "parent": parent} if n["id"] == node_id else n for n in nodes],
                         f"Feed {node_id} from {parent or 'the utility'}")


def feed_busways(design: Design, busway_ids: Sequence[str], node_id: str | None) -> Composite:
    """The command feeding busways from a node (None: no source). One undo step."""
    _check_node(chain_nodes(design), node_id)
    t = design.equipment
    ids = [i for i in dict.fromkeys(busway_ids) if t.extra.get(i, {}).get("source") != node_id]
    what = f"{len(ids)} busway{'s' if len(ids) != 1 else ''}"
    label = f"Feed {what} from {node_id}" if node_id is not None else f"Disconnect {what}"
    return Composite([UpdateItem(i, {"source": node_id}) for i in ids], label)


def set_generators(design: Design, generator_type: str, count: int) -> SetSite:
    """The command declaring the site's standby generators (``count`` 0: none)."""
    extra = {k: v for k, v in design.site.extra.items() if k != "generators"}
    if count > 0:
        extra["generators"] = {"type": generator_type, "count": int(count)}
    return SetSite({"extra": extra}, "Set generators")
