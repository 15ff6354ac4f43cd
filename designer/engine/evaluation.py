"""The result of evaluating a design: totals, per-item arrays and violations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from designer.engine.types import SYSTEM_FIGURES

#: Report keys of the UltraServer figures summed into throughput.
SYSTEM_KEYS = tuple(key for _, key, _ in SYSTEM_FIGURES)

#: Violation kinds (stable names) and their severity — PRODUCT.md §3.
SEVERITY = {
    "outside-hall": "error",
    "obstruction": "error",
    "overlap": "error",
    "clearance": "error",
    "airflow": "warning",
    "floor-load": "error",
    "power-capacity": "error",
    "unpowered": "error",
    "cooling-capacity": "error",
    "scaleup-reach": "error",
    "cable-reach": "error",
    "network-ports": "error",
    "incomplete-system": "warning",
    "assumed-power": "warning",
    "redundancy": "error",
    "fabric-capacity": "error",
}

STATUS_OK, STATUS_WARNING, STATUS_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Violation:
    """A broken rule: kind, severity, the ids involved, a planner's message, a location."""

    kind: str
    ids: tuple[str, ...]
    message: str
    hall: str = ""
    x: float = 0.0
    y: float = 0.0

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    def to_dict(self) -> dict:
        kind = self.kind
        return {"kind": kind, "severity": SEVERITY[kind], "ids": list(self.ids),
                "message": self.message, "hall": self.hall,
                "location": [round(self.x, 3), round(self.y, 3)]}


def violation(kind: str, ids: tuple[str, ...], message: str, hall: str, x: float, y: float) -> Violation:
    """``Violation(kind, ids, message, hall, x, y)`` made as its frozen dataclass
    ``__init__`` would, without a call per field (thousands of messages in a draft)."""
    v = object.__new__(Violation)
    v.__dict__.update(kind=kind, ids=ids, message=message, hall=hall, x=x, y=y)
    return v


#: Per-item flags the hall-local rules set (one row each in the evaluator's flag block).
HALL_FLAGS = ("outside-hall", "obstruction", "overlap", "clearance", "airflow", "floor-load",
              "power-capacity", "unpowered", "cooling-capacity", "scaleup-reach", "cable-reach",
              "network-ports", "incomplete-system")
#: Per-item flags that strand an UltraServer's compute (it cannot run).
STRANDING_FLAGS = ("outside-hall", "obstruction", "overlap", "unpowered", "cooling-capacity",
                   "scaleup-reach", "cable-reach", "network-ports", "incomplete-system")
#: Per-hall sums (the columns of :class:`HallTable`); the figures of an UltraServer are
#: summed per hall under ``peak.<key>`` and ``effective.<key>``.
HALL_SUMS = ("it_kw", "it_powered_kw", "liquid_kw", "air_kw", "liquid_powered_kw", "air_powered_kw", "unpowered_items", "uncooled_items",
             "links", "racks", "chips", "ultraservers", "stranded_ultraservers", "errors", "warnings",
             *(f"peak.{key}" for key in SYSTEM_KEYS), *(f"effective.{key}" for key in SYSTEM_KEYS))


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class Links:
    """Scale-out cable runs: ``count`` links of one medium between a rack and a network rack."""

    rack: np.ndarray        # equipment rows
    network: np.ndarray     # equipment rows
    count: np.ndarray
    length_m: np.ndarray
    medium: np.ndarray      # index into Evaluation.media (-1: no medium reaches)


@dataclass(frozen=True, eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class ItemTable:
    """Per-item results, each array aligned with the design's equipment rows."""

    status: np.ndarray            # STATUS_OK / STATUS_WARNING / STATUS_ERROR
    flags: dict[str, np.ndarray]  # violation kind → bool per item
    it_kw: np.ndarray
    powered: np.ndarray
    cooled: np.ndarray
    liquid_kw: np.ndarray
    air_kw: np.ndarray
    served_by_busway: np.ndarray  # row of the serving busway, or -1 (the A side of a rack fed by both)
    served_by_busway_b: np.ndarray  # the B side of a rack fed by both feeds, or -1
    served_by_cdu: np.ndarray
    served_by_air: np.ndarray
    load_kw: np.ndarray           # busways, CDUs, air handlers: what they are asked for
    limit_kw: np.ndarray          # … and their limit (continuous limit, capacity)
    failover_kw: np.ndarray       # busways: their load if the other feed failed
    ports_used: np.ndarray        # network racks
    links: Links
    link_down: np.ndarray         # racks cabled to a network rack without power or cooling
    system_effective: np.ndarray  # per system code: present and not stranded


@dataclass(frozen=True)
class HallRow:
    """One hall's figures (see :data:`HALL_SUMS`)."""

    hall: str
    it_kw: float
    it_powered_kw: float
    liquid_kw: float
    air_kw: float
    liquid_powered_kw: float
    air_powered_kw: float
    unpowered_items: int
    uncooled_items: int
    links: int
    racks: int
    chips: int
    ultraservers: int
    stranded_ultraservers: int
    errors: int
    warnings: int
    peak: dict[str, float]
    effective: dict[str, float]


class HallTable:
    """Per-hall sums, one row per hall in design order (what the hall list, the
    Inspector's hall page and the reports show)."""

    def __init__(self, ids: list[str], table: np.ndarray):
        self.ids = list(ids)
        self.table = table  # (halls, HALL_SUMS)
        self._index = {h: i for i, h in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> np.ndarray:
        """One column of :data:`HALL_SUMS`, per hall."""
        return self.table[:, HALL_SUMS.index(name)] if len(self.ids) else np.zeros(0)

    def row(self, hall_id: str) -> HallRow:
        values = dict(zip(HALL_SUMS, self.table[self._index[hall_id]].tolist()))
        counts = {k: int(round(values[k])) for k in ("unpowered_items", "uncooled_items", "links", "racks", "chips",
                                                     "ultraservers", "stranded_ultraservers", "errors", "warnings")}
        return HallRow(hall_id, values["it_kw"], values["it_powered_kw"], values["liquid_kw"], values["air_kw"],
                       values["liquid_powered_kw"], values["air_powered_kw"],
                       peak={k: values[f"peak.{k}"] for k in SYSTEM_KEYS},
                       effective={k: values[f"effective.{k}"] for k in SYSTEM_KEYS}, **counts)

    def __iter__(self):
        return (self.row(h) for h in self.ids)


class Evaluation:
    """Everything the engine computed for one state of a design.

    ``totals`` and ``halls`` (per-hall sums) are ready at once; the per-item table
    (:class:`ItemTable`) is built on first access of :attr:`items`, so an edit that only
    needs the totals does not pay for it. The violations are kept in parts
    (:attr:`violation_parts`: lists, and halls' violations written from templates on
    demand, ``templates.Written``); :attr:`violations` is their list, made when asked for.
    """

    def __init__(self, media: list[str], totals: dict, violations: Sequence[Violation],
                 items: "ItemTable | Callable[[], ItemTable]", halls: HallTable, patchable: bool = False,
                 parts: list[Sequence[Violation]] | None = None):
        self.media = media
        self.totals = totals
        #: the violations in order, in parts (``violations`` then ``parts``)
        self.violation_parts: list[Sequence[Violation]] = [p for p in (violations, *(parts or ())) if len(p)]
        self._violations: list[Violation] | None = None
        self.halls = halls
        self._items = items  # the table, or a callable that builds it
        #: per-item arrays of hall-local results only (the next edit may patch them)
        self.patchable = patchable
        #: every single failure tried (:class:`designer.engine.resilience.Resilience`), when asked
        self.resilience = None
        #: the power chain's nodes after the roll-up (:class:`designer.engine.power_chain.ChainNode`)
        self.chain: list | None = None
        #: the generators against the design-day load (a dict), when the site has them
        self.generators: dict | None = None
        #: the scale-out fabric above the leaves (:class:`designer.engine.fabric.Fabric`)
        self.fabric = None
        #: the busways (design rows) and whether each is on feed B; the ids of the rows
        self.busway_items: np.ndarray | None = None
        self.busway_on_b: np.ndarray | None = None
        self.ids_snapshot: list[str] = []
        self._busway_ids: list[str] | None = None

    @property
    def violations(self) -> list[Violation]:
        """Every violation, in order (one list, made on first access)."""
        if self._violations is None:
            parts = self.violation_parts
            if len(parts) == 1 and type(parts[0]) is list:
                self._violations = parts[0]
            else:
                self._violations = [v for part in parts for v in part]
        return self._violations

    @violations.setter
    def violations(self, value: Sequence[Violation]) -> None:
        self.violation_parts = [value] if len(value) else []
        self._violations = None

    def add_violations(self, more: Sequence[Violation]) -> None:
        """Violations after those found so far (the site's, the chain's, the fabric's…)."""
        if len(more):
            self.violation_parts.append(more)
            self._violations = None

    def set_busways(self, rows: np.ndarray, ids: list[str], on_b: np.ndarray) -> None:
        """The busways of the design evaluated (rows), the ids of its rows, feed B or not."""
        self.busway_items, self.ids_snapshot, self.busway_on_b = rows, ids, on_b
        self._busway_ids = None

    @property
    def busway_ids(self) -> list[str]:
        """The busways' ids (kept: the panels ask at every evaluation of a drag)."""
        if self.busway_items is None:
            return []
        if self._busway_ids is None:
            snapshot = self.ids_snapshot
            self._busway_ids = [snapshot[r] for r in self.busway_items.tolist()]
        return self._busway_ids

    @property
    def busway_feeds(self) -> list[str]:
        return ["B" if b else "A" for b in self.busway_on_b] if self.busway_on_b is not None else []

    @property
    def items(self) -> ItemTable:
        if callable(self._items):
            self._items = self._items()
        return self._items

    @property
    def items_built(self) -> bool:
        """Whether :attr:`items` has been built (an edit then patches it)."""
        return not callable(self._items)

    def report(self, violations: bool = True) -> dict:
        """The ``designer report --json`` document (PRODUCT.md §5); its ``violations`` an
        empty list when not ``violations`` (``exports.evaluation_json`` writes them)."""
        out = dict(self.totals)
        if self.busway_items is not None:
            items = self.items
            rows = self.busway_items
            power = dict(out["power"])
            power["busways"] = [
                {"id": i, "feed": feed, "load_kw": round(load, 6), "limit_kw": round(limit, 6),
                 "failover_load_kw": round(failover, 6)}
                for i, feed, load, limit, failover in zip(self.busway_ids, self.busway_feeds,
                                                          items.load_kw[rows].tolist(), items.limit_kw[rows].tolist(),
                                                          items.failover_kw[rows].tolist())]
            if self.chain is not None:
                power["chain"] = [n.to_dict() for n in self.chain]
            if self.generators is not None:
                power["generators"] = dict(self.generators)
            out["power"] = power
        if self.resilience is not None:
            out["resilience"] = self.resilience.report()
        to_dict = Violation.to_dict
        out["violations"] = [to_dict(v) for v in self.violations] if violations else []
        return out

    def count_by_severity(self) -> dict[str, int]:
        """Errors and warnings in the whole design."""
        errors = total = 0
        for part in self.violation_parts:
            errors += part_errors(part)
            total += len(part)
        return {"error": errors, "warning": total - errors}

    def violations_of(self, kind: str) -> list[Violation]:
        return [v for v in self.violations if v.kind == kind]


def part_errors(part: Sequence[Violation]) -> int:
    """The errors among a part of the violations (a written part knows without them)."""
    known = getattr(part, "errors", None)
    return known if known is not None else sum(SEVERITY[v.kind] == "error" for v in part)
