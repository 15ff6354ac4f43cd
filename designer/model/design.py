"""The design document: site, halls and an equipment table kept as numpy columns.

Placements are columns (type, hall, system codes; x, y, rotation; busway end points)
with an id → row index, so the engine reads arrays, never per-rack objects. Thin
:class:`Equipment` records are built on demand for the inspector, the file writer
and edit commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import repeat
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

Point = tuple[float, float]
Polygon = tuple[Point, ...]


@dataclass
class Site:
    """Site-wide settings: utility feed, PUE, energy price and carbon intensity."""

    utility_capacity_kw: float = 60000.0
    pue: float | str = 1.15  # a number, or "modelled" (from the cooling mix)
    electricity_price_per_kwh: float = 0.08
    grid_kg_co2_per_kwh: float = 0.35
    currency: str = "USD"
    extra: dict = field(default_factory=dict)

    @property
    def pue_modelled(self) -> bool:
        return isinstance(self.pue, str)


@dataclass
class Hall:
    """A data hall: outline, columns, keep-out zones and its limits."""

    id: str
    name: str
    outline: Polygon
    columns: list[Polygon] = field(default_factory=list)
    keepouts: list[Polygon] = field(default_factory=list)
    floor_rating_kg_m2: float = 2500.0
    it_capacity_kw: float = 20000.0
    tray_drop_m: float | None = None  # None: the design's cable.tray_drop_m assumption
    #: Where the hall's own (0, 0) sits on the campus plan, in site metres; None: laid
    #: side by side after the halls before it (:meth:`Design.hall_offsets`).
    origin: tuple[float, float] | None = None
    extra: dict = field(default_factory=dict)

    def area(self) -> float:
        """Floor area inside the outline (shoelace formula), m²."""
        pts = self.outline
        return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]))) / 2

    def bounds(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.outline]
        ys = [p[1] for p in self.outline]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class Equipment:
    """One placed item (a row of the equipment table) as a plain record."""

    id: str
    type: str
    hall: str
    x: float = 0.0
    y: float = 0.0
    rotation: float = 0.0
    system: str | None = None
    end: Point | None = None  # busways: (x, y) is the start, ``end`` the other end
    extra: dict = field(default_factory=dict)

    @property
    def is_busway(self) -> bool:
        return self.end is not None


class _Vocabulary:
    """Strings ↔ small integer codes (append-only, so codes stay valid)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        c = self.codes.get(name)
        if c is None:
            c = self.codes[name] = len(self.names)
            self.names.append(name)
        return c

    def __getitem__(self, code: int) -> str:
        return self.names[code]

    def codes_of(self, names: list) -> np.ndarray:
        """The codes of ``names`` (int32; None is -1), new names coded in order of first
        appearance, as :meth:`code` one by one would (a lookup per name, no call)."""
        for name in dict.fromkeys(names):
            if name is not None:
                self.code(name)
        return np.fromiter(map(self.codes.get, names, repeat(-1)), np.int32, len(names))


class EquipmentTable:
    """All placed equipment as columns. Row order is file order."""

    def __init__(self) -> None:
        self.types = _Vocabulary()
        self.halls = _Vocabulary()
        self.systems = _Vocabulary()
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.type_code = np.zeros(0, np.int32)
        self.hall_code = np.zeros(0, np.int32)
        self.system_code = np.zeros(0, np.int32)  # -1: not part of an UltraServer
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.rotation = np.zeros(0)
        self.x2 = np.zeros(0)  # busway end; NaN for floor equipment
        self.y2 = np.zeros(0)
        self.extra: dict[str, dict] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.index

    # ----------------------------------------------------------- records
    def record(self, row: int) -> Equipment:
        sc = int(self.system_code[row])
        end = None if math.isnan(self.x2[row]) else (float(self.x2[row]), float(self.y2[row]))
        item_id = self.ids[row]
        return Equipment(
            id=item_id, type=self.types[int(self.type_code[row])], hall=self.halls[int(self.hall_code[row])],
            x=float(self.x[row]), y=float(self.y[row]), rotation=float(self.rotation[row]),
            system=None if sc < 0 else self.systems[sc], end=end,
            extra=dict(self.extra.get(item_id, {})),
        )

    def get(self, item_id: str) -> Equipment:
        return self.record(self.index[item_id])

    def __iter__(self) -> Iterator[Equipment]:
        for row in range(len(self.ids)):
            yield self.record(row)

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        return np.fromiter((self.index[i] for i in ids), dtype=np.int64)

    # ----------------------------------------------------------- edits
    def insert(self, records: Sequence[Equipment], at: Sequence[int] | None = None) -> np.ndarray:
        """Insert records (appended, or at the given final row positions); returns their rows."""
        if not records:
            return np.zeros(0, np.int64)
        fresh: set[str] = set()
        for r in records:
            if r.id in self.index or r.id in fresh:
                raise ValueError(f"duplicate equipment id {r.id!r}")
            fresh.add(r.id)
        n_old, n_new = len(self.ids), len(records)
        cols = {
            "type_code": np.array([self.types.code(r.type) for r in records], np.int32),
            "hall_code": np.array([self.halls.code(r.hall) for r in records], np.int32),
            "system_code": np.array([-1 if r.system is None else self.systems.code(r.system) for r in records], np.int32),
            "x": np.array([r.x for r in records], float),
            "y": np.array([r.y for r in records], float),
            "rotation": np.array([r.rotation for r in records], float),
            "x2": np.array([np.nan if r.end is None else r.end[0] for r in records], float),
            "y2": np.array([np.nan if r.end is None else r.end[1] for r in records], float),
        }
        if at is None:
            positions = np.arange(n_old, n_old + n_new)
        else:
            positions = np.asarray(at, np.int64)
        order = np.argsort(positions, kind="stable")
        positions = positions[order]
        total = n_old + n_new
        is_new = np.zeros(total, bool)
        is_new[positions] = True
        old_slots = np.flatnonzero(~is_new)
        for name, new_vals in cols.items():
            old = getattr(self, name)
            merged = np.empty(total, old.dtype)
            merged[old_slots] = old
            merged[positions] = new_vals[order]
            setattr(self, name, merged)
        ids = [None] * total
        for slot, item_id in zip(old_slots, self.ids):
            ids[slot] = item_id
        for slot, k in zip(positions, order):
            ids[slot] = records[k].id
        self.ids = ids  # type: ignore[assignment]
        self.index = {item_id: i for i, item_id in enumerate(self.ids)}
        for r in records:
            if r.extra:
                self.extra[r.id] = dict(r.extra)
        return positions

    def extend_columns(self, ids: list[str], types: list[str], halls: list[str], systems: list[str | None],
                       x: np.ndarray, y: np.ndarray, rotation: np.ndarray, x2: np.ndarray, y2: np.ndarray,
                       extras: dict[str, dict]) -> None:
        """Append items given as columns (a file read in bulk; the same as :meth:`insert`
        of their records at the end, without building them)."""
        if not ids:
            return
        fresh = set(ids)
        if len(fresh) != len(ids) or fresh & self.index.keys():
            raise ValueError("duplicate equipment id")
        self.type_code = np.concatenate([self.type_code, self.types.codes_of(types)])
        self.hall_code = np.concatenate([self.hall_code, self.halls.codes_of(halls)])
        self.system_code = np.concatenate([self.system_code, self.systems.codes_of(systems)])
        for name, values in (("x", x), ("y", y), ("rotation", rotation), ("x2", x2), ("y2", y2)):
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(values, float)]))
        start = len(self.ids)
        self.ids = self.ids + list(ids)
        self.index.update(zip(ids, range(start, start + len(ids))))
        for item_id, extra in extras.items():
            if extra:
                self.extra[item_id] = dict(extra)

    def delete(self, ids: Iterable[str]) -> tuple[list[Equipment], list[int]]:
        """Delete items; returns their records and former rows (to re-insert on undo)."""
        rows = np.unique(self.rows(ids))  # sorted, each item once even if named twice
        records = [self.record(int(r)) for r in rows]
        keep = np.ones(len(self.ids), bool)
        keep[rows] = False
        for name in ("type_code", "hall_code", "system_code", "x", "y", "rotation", "x2", "y2"):
            setattr(self, name, getattr(self, name)[keep])
        self.ids = [i for i, k in zip(self.ids, keep) if k]
        self.index = {item_id: i for i, item_id in enumerate(self.ids)}
        for r in records:
            self.extra.pop(r.id, None)
        return records, [int(r) for r in rows]

    def is_compute(self, compute_type_codes: np.ndarray) -> np.ndarray:
        return np.isin(self.type_code, compute_type_codes)


ChangeListener = Callable[["Change"], None]

#: Change kinds of edits to items (the engine redoes only the halls they name).
ITEM_CHANGES = ("moved", "added", "removed", "updated")
#: Change kinds that touch the whole design (a full evaluation).
DESIGN_CHANGES = ("halls", "site", "assumptions", "reset")
#: Change kinds of what is drawn on the plan but never evaluated (dimension lines, notes).
VIEW_CHANGES = ("annotations",)


@dataclass(frozen=True)
class Change:
    """What an edit touched, for views and the incremental engine.

    ``kind`` is one of :data:`ITEM_CHANGES` (items) or :data:`DESIGN_CHANGES`
    (``halls``, ``site``, ``assumptions``, ``reset``: everything).
    """

    kind: str
    ids: tuple[str, ...] = ()
    halls: tuple[str, ...] = ()  # halls touched (before and after the edit)


class Design:
    """A whole design document (one ``.dcplan`` file)."""

    def __init__(self, name: str = "Untitled design") -> None:
        self.name = name
        self.site = Site()
        self.assumptions: dict[str, float | list] = {}
        self.halls: list[Hall] = []
        self.equipment = EquipmentTable()
        self.extra: dict = {}
        self._listeners: list[ChangeListener] = []

    # ----------------------------------------------------------- events
    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: ChangeListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # ----------------------------------------------------------- lookups
    def hall(self, hall_id: str) -> Hall:
        for h in self.halls:
            if h.id == hall_id:
                return h
        raise KeyError(hall_id)

    def hall_ids(self) -> list[str]:
        return [h.id for h in self.halls]

    def hall_offsets(self, gap_m: float = 10.0) -> dict[str, tuple[float, float]]:
        """Where each hall's (0, 0) sits on the campus plan, in site metres (canvas, plan
        exports, DXF, links between halls). A hall with an ``origin`` sits there; the
        others are laid side by side: the first keeps its own coordinates, each next one
        starts ``gap_m`` east of everything placed before it."""
        out: dict[str, tuple[float, float]] = {}
        east = None
        for hall in self.halls:
            x0, _, x1, _ = hall.bounds()
            if hall.origin is not None:
                dx, dy = hall.origin
            else:
                dx, dy = (0.0 if east is None else east + gap_m - x0), 0.0
            out[hall.id] = (float(dx), float(dy))
            east = dx + x1 if east is None else max(east, dx + x1)
        return out

    def system_members(self, system: str) -> list[str]:
        t = self.equipment
        code = t.systems.codes.get(system)
        if code is None:
            return []
        return [t.ids[r] for r in np.flatnonzero(t.system_code == code)]

    def new_id(self, prefix: str) -> str:
        """A fresh id ``prefix<N>`` not used by any item or system."""
        used = self.equipment.index
        systems = self.equipment.systems.codes
        n = 1
        while f"{prefix}{n}" in used or f"{prefix}{n}" in systems:
            n += 1
        return f"{prefix}{n}"
