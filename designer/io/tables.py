"""The report tables, built once from a design and its evaluation: equipment, the cable
bill (cables by medium and orderable length), optics, routed cables by medium, and the
per-hall figures and utilisation. No Qt: the CSV bill (:mod:`designer.io.bom`), the PDF
report (:mod:`designer.ui.export.report`) and ``designer report`` only format these rows.

Every ``catalog`` here is the design's effective catalog (assumption overrides applied).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.model import Design, Hall


@dataclass(frozen=True)
class EquipmentLine:
    """One equipment type: how many, its IT power (racks) or run metres (busways)."""

    type_id: str
    name: str
    quantity: int
    unit: str                  # "rack", "unit" or "run"
    it_kw: float | None = None
    metres: float | None = None
    note: str = ""


@dataclass(frozen=True)
class CableLine:
    """Cables of one medium cut to one orderable (vendor) length."""

    medium: str
    name: str
    short: str
    length_m: float
    cables: int

    @property
    def metres(self) -> float:
        return self.cables * self.length_m


@dataclass(frozen=True)
class OpticsLine:
    """The transceivers one medium's links need (none for copper and AOC)."""

    medium: str
    short: str
    per_link: int
    transceivers: int


@dataclass(frozen=True)
class RoutedLine:
    """Links of one medium and their routed length, as the JSON report counts them."""

    medium: str
    short: str
    links: int
    metres: float


@dataclass(frozen=True)
class Figure:
    """A labelled value with its unit."""

    key: str
    label: str
    value: float
    unit: str


@dataclass(frozen=True)
class Utilisation:
    """One busway, CDU or air handler: the load it is asked for against its limit."""

    item_id: str
    load_kw: float
    limit_kw: float

    @property
    def percent(self) -> float:
        return self.load_kw / self.limit_kw * 100

    @property
    def overloaded(self) -> bool:
        return self.load_kw > self.limit_kw + 1e-9


@dataclass(frozen=True)
class UtilisationTable:
    """The utilisation of one kind of supply equipment in one hall."""

    kind: str       # catalog kind: busway, cdu, air-handler
    title: str
    rows: tuple[Utilisation, ...]


@dataclass(frozen=True)
class HallTables:
    """One hall's figures (by key: area_m2, it_kw, …) and its supply utilisation."""

    hall: Hall
    figures: dict[str, Figure]
    utilisation: tuple[UtilisationTable, ...]


#: supply equipment whose load the reports show: (kind, short label, utilisation table title)
SUPPLY_KINDS = (
    ("busway", "busway", "Busway load (% of the 80 % continuous limit)"),
    ("cdu", "CDU", "CDU load (% of capacity)"),
    ("air-handler", "air handler", "Air handler load (% of capacity)"),
)


def orderable_length(length_m: float, steps: tuple[float, ...]) -> float:
    """The shortest vendor length that covers a routed length (the longest if none does)."""
    for step in steps:
        if step + 1e-9 >= length_m:
            return float(step)
    return float(steps[-1])


def equipment_lines(design: Design, catalog: Catalog) -> list[EquipmentLine]:
    """Equipment by type, in the design's type order."""
    t = design.equipment
    counts = np.bincount(t.type_code, minlength=len(t.types.names))
    lines: list[EquipmentLine] = []
    for code, type_id in enumerate(t.types.names):
        n = int(counts[code])
        if not n:
            continue
        spec = catalog.types[type_id]
        if spec.kind == "busway":
            runs = np.flatnonzero(t.type_code == code)
            metres = float(np.hypot(t.x2[runs] - t.x[runs], t.y2[runs] - t.y[runs]).sum())
            lines.append(EquipmentLine(type_id, spec.name, n, "run", metres=metres,
                                       note=f"{spec.busway_rating_kw:,.0f} kW rating"))
            continue
        note = f"{spec.racks_per_system} racks per {spec.system_name}" if spec.is_compute else ""
        lines.append(EquipmentLine(type_id, spec.name, n, "rack" if spec.kind in ("compute", "network") else "unit",
                                   it_kw=n * spec.it_power_kw, note=note))
    return lines


def cable_bill(evaluation: Evaluation, catalog: Catalog) -> list[CableLine]:
    """Scale-out cables by medium (evaluation order) and orderable length (shortest first)."""
    links = evaluation.items.links
    bill: list[CableLine] = []
    for m, medium_id in enumerate(evaluation.media):
        sel = links.medium == m
        if not sel.any():
            continue
        spec = catalog.media[medium_id]
        steps = tuple(spec.get("length_steps_m"))
        ordered = np.array([orderable_length(L, steps) for L in links.length_m[sel]])
        count = links.count[sel]
        for length in np.unique(ordered):
            cables = int(round(float(count[ordered == length].sum())))
            bill.append(CableLine(medium_id, spec.name, spec.short, float(length), cables))
    return bill


def routed_cables(evaluation: Evaluation, catalog: Catalog) -> list[RoutedLine]:
    """Links by medium with their routed metres (the JSON report's ``cables.by_medium``)."""
    return [RoutedLine(medium_id, catalog.media[medium_id].short, int(m["count"]), float(m["metres"]))
            for medium_id, m in evaluation.totals["cables"]["by_medium"].items()]


def optics(evaluation: Evaluation, catalog: Catalog) -> list[OpticsLine]:
    """Transceivers by medium (evaluation order), for the media that need them and carry links."""
    by_medium = evaluation.totals["cables"]["by_medium"]
    lines: list[OpticsLine] = []
    for m, medium_id in enumerate(evaluation.media):
        spec = catalog.media[medium_id]
        per_link = int(spec.get("transceivers_per_link"))
        if per_link and (evaluation.items.links.medium == m).any():
            lines.append(OpticsLine(medium_id, spec.short, per_link, per_link * int(by_medium[medium_id]["count"])))
    return lines


def _kind_of_rows(design: Design, catalog: Catalog) -> np.ndarray:
    t = design.equipment
    if not len(t):
        return np.array([], dtype=object)
    return np.array([catalog.types[n].kind for n in t.types.names], dtype=object)[t.type_code]


def _utilisation(evaluation: Evaluation, design: Design, rows: np.ndarray, kind_of_row: np.ndarray,
                 kind: str) -> tuple[Utilisation, ...]:
    """The ``kind`` items among equipment ``rows`` that have a limit, with their load."""
    sel = rows[kind_of_row[rows] == kind] if len(rows) else rows
    sel = sel[evaluation.items.limit_kw[sel] > 0]
    ids = design.equipment.ids
    return tuple(Utilisation(ids[r], float(evaluation.items.load_kw[r]), float(evaluation.items.limit_kw[r])) for r in sel)


def hall_tables(design: Design, catalog: Catalog, evaluation: Evaluation) -> list[HallTables]:
    """Per hall, in the design's order: floor area, IT load against critical capacity,
    liquid and air heat, floor rating; and the utilisation of its busways, CDUs and air handlers."""
    t = design.equipment
    kind_of_row = _kind_of_rows(design, catalog)
    out: list[HallTables] = []
    for hall in design.halls:
        code = t.halls.codes.get(hall.id)
        rows = np.flatnonzero(t.hall_code == code) if code is not None else np.zeros(0, int)
        sums = evaluation.halls.row(hall.id)
        share = sums.it_kw / hall.it_capacity_kw * 100 if hall.it_capacity_kw else 0.0
        figures = (
            Figure("area_m2", "Floor area", hall.area(), "m²"),
            Figure("it_kw", "IT load", sums.it_kw, "kW"),
            Figure("it_capacity_kw", "Critical IT capacity", hall.it_capacity_kw, "kW"),
            Figure("it_share_pct", "IT load share of capacity", share, "%"),
            Figure("liquid_kw", "Liquid heat", sums.liquid_kw, "kW"),
            Figure("air_kw", "Air heat", sums.air_kw, "kW"),
            Figure("floor_rating_kg_m2", "Floor rating", hall.floor_rating_kg_m2, "kg/m²"),
        )
        tables = tuple(UtilisationTable(kind, title, _utilisation(evaluation, design, rows, kind_of_row, kind))
                       for kind, _, title in SUPPLY_KINDS)
        out.append(HallTables(hall, {f.key: f for f in figures}, tables))
    return out


def highest_loads(design: Design, catalog: Catalog, evaluation: Evaluation) -> list[tuple[str, Utilisation]]:
    """Per supply kind present (short label first), the most loaded item of the whole design."""
    rows = np.arange(len(design.equipment))
    kind_of_row = _kind_of_rows(design, catalog)
    out = []
    for kind, label, _ in SUPPLY_KINDS:
        items = _utilisation(evaluation, design, rows, kind_of_row, kind)
        if items:
            out.append((label, max(items, key=lambda u: u.percent)))
    return out
