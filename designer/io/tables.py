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
from designer.catalog.specs import RANGES
from designer.engine import Evaluation
from designer.engine.power_chain import chain_of
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
        rps = spec.racks_per_system
        note = f"{rps} rack{'s' if rps != 1 else ''} per {spec.system_name}" if spec.is_compute else ""
        lines.append(EquipmentLine(type_id, spec.name, n, "rack" if spec.kind in ("compute", "network", "spine")
                                   else "unit",
                                   it_kw=n * spec.it_power_kw, note=note))
    return lines


def cable_bill(evaluation: Evaluation, catalog: Catalog) -> list[CableLine]:
    """Scale-out cables by medium (evaluation order) and orderable length (shortest first)."""
    links = evaluation.items.links
    return _bill(evaluation.media, catalog, links.medium, links.length_m, links.count)


def _bill(media: list[str], catalog: Catalog, medium: np.ndarray, length_m: np.ndarray,
          count: np.ndarray) -> list[CableLine]:
    """Cables by medium (in ``media`` order) and orderable length, shortest first: each run
    rounded up to the shortest vendor length that covers it (:func:`orderable_length`,
    vectorised); runs no medium reaches (-1) are left out, and lengths that round to no
    whole cable."""
    bill: list[CableLine] = []
    for m, medium_id in enumerate(media):
        sel = medium == m
        if not sel.any():
            continue
        spec = catalog.media[medium_id]
        steps = np.asarray(spec.get("length_steps_m"), float)
        pick = np.minimum(np.searchsorted(steps, length_m[sel] - 1e-9, side="left"), len(steps) - 1)
        per = np.bincount(pick, count[sel], minlength=len(steps))
        for k in np.flatnonzero(per > 0):
            cables = int(round(float(per[k])))
            if cables:
                bill.append(CableLine(medium_id, spec.name, spec.short, float(steps[k]), cables))
    return bill


def routed_cables(evaluation: Evaluation, catalog: Catalog) -> list[RoutedLine]:
    """Links by medium with their routed metres (the JSON report's ``cables.by_medium``)."""
    return [RoutedLine(medium_id, catalog.media[medium_id].short, int(m["count"]), float(m["metres"]))
            for medium_id, m in evaluation.totals["cables"]["by_medium"].items()]


def optics(evaluation: Evaluation, catalog: Catalog) -> list[OpticsLine]:
    """Transceivers by medium (evaluation order), for the media that need them and carry links
    (server → leaf and the fabric above the leaves)."""
    by_medium = evaluation.totals["cables"]["by_medium"]
    lines: list[OpticsLine] = []
    for m, medium_id in enumerate(evaluation.media):
        spec = catalog.media[medium_id]
        per_link = int(spec.get("transceivers_per_link"))
        if per_link and by_medium[medium_id]["count"] > 0:   # server → leaf and fabric links
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


# ---------------------------------------------------------------- catalog figures the design relies on
#: Readable names of catalog fields, defined once for the Assumptions panel and the report
#: (the raw key beside or in a tooltip); others read as their key (:func:`field_name`).
FIELD_NAMES = {
    "racks_per_system": "Racks per UltraServer", "chips": "Chips", "it_power_kw": "IT power",
    "liquid_fraction": "Share of heat to liquid", "width_m": "Width", "depth_m": "Depth", "height_m": "Height",
    "weight_kg": "Weight", "hbm_gib": "HBM", "hbm_tbps": "HBM bandwidth", "efa_gbps": "EFA bandwidth",
    "efa_link_gbps": "EFA link speed", "ports": "Ports", "port_gbps": "Port speed",
    "switch_radix": "Switch radix (ports per switch)", "switch_kw": "Power per switch", "switches": "Switches",
    "capacity_kw": "Capacity", "reach_m": "Reach", "amps": "Rated current", "voltage_v": "Voltage",
    "power_factor": "Power factor", "efficiency": "Efficiency", "continuous_load_factor": "Continuous-load factor",
    "slack_factor": "Cable slack factor", "tray_drop_m": "Tray drop at each end",
    "max_cable_m": "Longest scale-up cable", "direct_max_m": "Longest direct cable", "in_rack_m": "Cable inside a rack",
    "delta_t_liquid_k": "Coolant ΔT (supply to return)", "delta_t_air_k": "Air ΔT (supply to return)",
    "pue_liquid": "PUE of liquid-cooled load", "pue_air": "PUE of air-cooled load",
    "heat_grid_m": "Heat-map cell size", "front_m": "Front service clearance", "rear_m": "Rear service clearance",
    "check_distance_m": "Airflow check distance", "latency_ns_per_m": "Latency per metre",
    "latency_fixed_ns": "Fixed latency", "cost_per_link": "Relative cost per link",
    "cost_per_m": "Relative cost per metre", "length_steps_m": "Orderable lengths",
    "transceivers_per_link": "Transceivers per link", "optics_w_per_link": "Optics power per link",
    "cp_kj_kg_k": "Specific heat", "density_kg_l": "Density", "mxfp8_tflops": "MXFP8 compute",
    "bf16_tflops": "BF16 compute", "fp32_tflops": "FP32 compute", "fp4_tflops": "FP4 compute",
}
#: Figures a compute type gives per UltraServer (a rack carries its share).
_PER_SYSTEM = frozenset({"chips", "hbm_gib", "hbm_tbps", "efa_gbps"})
#: Design-wide figures, grouped by the first part of their key.
GLOBAL_GROUPS = {
    "cable": "Cabling (design-wide)", "scaleup": "Scale-up links (NeuronLink)", "cooling": "Cooling (design-wide)",
    "clearance": "Service clearances", "power": "Power distribution", "network": "Network latency",
    "airflow": "Airflow check", "water": "Coolant: water", "pg25": "Coolant: PG25 (25 % propylene glycol)",
}
_UNIT_SUFFIXES = ("_tflops", "_ns_per_m", "_kw", "_kg", "_m", "_k", "_gbps", "_tbps", "_gib", "_ns", "_v", "_w")


def field_name(field: str, kind: str = "") -> str:
    """A catalog field in words: ``racks_per_system`` → "Racks per UltraServer",
    ``mxfp8_tflops`` → "MXFP8 compute per UltraServer" (for a compute type)."""
    name = FIELD_NAMES.get(field)
    if name is None:
        if field.endswith("_tflops"):
            name = f"{field[:-len('_tflops')].upper()} compute"
        else:
            stem = next((field[:-len(s)] for s in _UNIT_SUFFIXES if field.endswith(s)), field)
            name = stem.replace("_", " ").strip().capitalize() or field
    if kind == "compute" and (field in _PER_SYSTEM or field.endswith("_tflops")):
        name += " per UltraServer"
    return name
_COOLANT_GROUPS = ("water", "pg25")


def format_number(value: float) -> str:
    """A figure with thousands separators and no trailing zeros: 362448.0 → ``362,448``,
    705.6 → ``705.6``, 0.998 → ``0.998``."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    digits = len(str(int(abs(v)))) if abs(v) >= 1 else 0
    text = f"{v:,.{max(6 - digits, 1)}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def format_figure(value: float | tuple[float, ...], field: str) -> str:
    """A catalog figure's value with its unit (units from the catalog's ranges)."""
    unit = RANGES.get(field, (0, 0, ""))[2]
    if isinstance(value, tuple):
        text = ", ".join(format_number(v) for v in value)
    else:
        text = format_number(value)
    return f"{text} {unit}" if unit else text


@dataclass(frozen=True)
class FigureLine:
    """One catalog figure the design relies on, readable: its group (an equipment type's
    name, a cable medium or a design-wide group), label, key, value with unit, the catalog
    value when the design overrides it, its source ids and why (assumption) or where from."""

    group: str
    label: str
    key: str
    value: str
    catalog_value: str | None
    sources: tuple[str, ...]
    basis: str
    is_assumption: bool


def used_figures(design: Design, catalog: Catalog, evaluation: Evaluation | None = None) -> list[FigureLine]:
    """The catalog figures this design relies on, grouped: design-wide figures (only the
    site's coolant), then each equipment type it places or names in its power chain and
    generators, then each cable medium its links use (all media when not evaluated)."""
    t = design.equipment
    used_types = [name for code, name in enumerate(t.types.names) if len(t) and (t.type_code == code).any()]
    used_types += [str(n.get("type")) for n in chain_of(design) if n.get("type")]
    gen = design.site.extra.get("generators")
    if gen and gen.get("type"):
        used_types.append(str(gen["type"]))
    order = ("compute", "network", "spine", "cdu", "air-handler", "busway", "transformer", "switchboard", "ups",
             "generator")
    used_types = sorted((name for name in dict.fromkeys(used_types) if name in catalog.types),
                        key=lambda n: order.index(catalog.types[n].kind) if catalog.types[n].kind in order else 99)
    if evaluation is not None:  # the media of the scale-out links and of the fabric's links above them
        by_medium = evaluation.totals["cables"]["by_medium"]
        used_media = [m for m in evaluation.media if by_medium.get(m, {}).get("count")]
        codes = np.unique(evaluation.items.links.medium) if len(evaluation.items.links.medium) else []
        used_media += [evaluation.media[int(m)] for m in codes if m >= 0 and evaluation.media[int(m)] not in used_media]
        used_media = [m for m in used_media if m in catalog.media]
    else:
        used_media = list(catalog.media)
    coolant = str(design.site.extra.get("coolant", "water"))

    def line(group: str, fig, kind: str = "") -> FigureLine:
        value = format_figure(fig.value, fig.field)
        before = format_figure(fig.catalog_value, fig.field) if fig.overridden else None
        basis = fig.assumption if fig.is_assumption else "; ".join(
            [catalog.sources[s] for s in fig.sources if catalog.sources.get(s)] + ([fig.note] if fig.note else []))
        return FigureLine(group, field_name(fig.field, kind), fig.key,
                          value, before, tuple(fig.sources), basis or "", fig.is_assumption)

    out: list[FigureLine] = []
    for key, fig in catalog.globals.items():
        group = key.split(".", 1)[0]
        if group in _COOLANT_GROUPS and group != coolant:
            continue
        out.append(line(GLOBAL_GROUPS.get(group, group.capitalize()), fig))
    for type_id in used_types:
        spec = catalog.types[type_id]
        out += [line(spec.name, fig, spec.kind) for fig in spec.figures.values()]
    for medium_id in used_media:
        spec = catalog.media[medium_id]
        out += [line(f"Cable: {spec.name}", fig) for fig in spec.figures.values()]
    return out


# ---------------------------------------------------------------- throughput by compute type
#: The columns of the by-type table: (title, report key of a system figure or None).
BY_TYPE_COLUMNS = (("Type", None), ("Systems (stranded)", None), ("Chips", None),
                   ("MXFP8 PFLOPS", "mxfp8_pflops"), ("BF16 PFLOPS", "bf16_pflops"), ("FP4 PFLOPS", "fp4_pflops"),
                   ("HBM TB/s", "hbm_tbps"))
#: Shown where a type publishes no figure for a precision (it adds nothing to that total).
NOT_PUBLISHED = "n/a"


def throughput_by_type_table(evaluation: Evaluation) -> tuple[list[str], list[list[str]]]:
    """The report's ``throughput.by_type`` as a table: header, one row per compute type
    placed and (with two types or more) an "All types" row equal to the totals. Figures
    are "effective / peak" (one figure when nothing is stranded); "n/a" where the type
    publishes no figure (e.g. Trn2's FP4)."""
    th = evaluation.totals["throughput"]
    by_type = th.get("by_type", {})

    def pair(eff: float, peak: float) -> str:
        return f"{peak:,.1f}" if abs(eff - peak) < 5e-7 else f"{eff:,.1f} / {peak:,.1f}"

    rows = []
    for type_id, t in by_type.items():
        row = [t.get("name", type_id), f"{t['systems']:,} ({t['stranded_systems']:,})", f"{t['chips']:,}"]
        row += [NOT_PUBLISHED if key not in t["peak"] else pair(t["effective"][key], t["peak"][key])
                for _, key in BY_TYPE_COLUMNS[3:]]
        rows.append(row)
    if len(rows) > 1:
        row = ["All types", f"{sum(t['systems'] for t in by_type.values()):,} ({th['stranded_ultraservers']:,})",
               f"{sum(t['chips'] for t in by_type.values()):,}"]
        row += [pair(th["effective"].get(key, 0.0), th["peak"].get(key, 0.0)) for _, key in BY_TYPE_COLUMNS[3:]]
        rows.append(row)
    return [title for title, _ in BY_TYPE_COLUMNS], rows


# ---------------------------------------------------------------- the fabric above the leaves (issue 14)
@dataclass(frozen=True)
class SwitchLine:
    """Switches: those in the placed leaf or spine racks of one type (``key``
    ``leaf:<type>`` / ``spine:<type>``, with their power), or those one tier of the
    fabric needs (``tier<n>``, leaves are tier 1)."""

    key: str
    description: str
    switches: int
    kw: float | None
    note: str


def switch_lines(design: Design, catalog: Catalog, evaluation: Evaluation) -> list[SwitchLine]:
    """Switches placed (leaf racks, then spine racks, by type in the design's order) and
    switches the fabric needs by tier (``totals["network"]["switches_by_tier"]``)."""
    t = design.equipment
    counts = np.bincount(t.type_code, minlength=len(t.types.names)) if len(t) else np.zeros(0, np.int64)
    lines: list[SwitchLine] = []
    for kind, role in (("network", "leaf"), ("spine", "spine")):
        for code, type_id in enumerate(t.types.names):
            spec = catalog.types.get(type_id)
            racks = int(counts[code]) if code < len(counts) else 0
            if spec is None or spec.kind != kind or not racks:
                continue
            per = int(spec.switches)
            radix = int(spec.get("switch_radix")) if "switch_radix" in spec.figures else 0
            kw = racks * per * float(spec.get("switch_kw")) if "switch_kw" in spec.figures else None
            lines.append(SwitchLine(f"{role}:{type_id}", f"{role.capitalize()} switches in {spec.name}", racks * per,
                                    kw, f"{racks:,} rack{'s' if racks != 1 else ''} × {per} switches" + (f" of {radix} ports" if radix else "")))
    net = evaluation.totals.get("network") or {}
    tiers = list(net.get("switches_by_tier") or [])
    for k, n in enumerate(tiers, start=1):
        what = "leaves" if k == 1 else ("top tier" if k == len(tiers) else "a middle tier")
        note = f"folded Clos of {len(tiers)} tiers, oversubscription {net.get('oversubscription', 1):g}"
        lines.append(SwitchLine(f"tier{k}", f"Tier {k} switches the fabric needs ({what})", int(n), None, note))
    return lines


def fabric_cable_bill(evaluation: Evaluation, catalog: Catalog) -> list[CableLine]:
    """The fabric's cables (leaf → spine and between the upper tiers) by medium and
    orderable length, as :func:`cable_bill` does for the server → leaf links; runs beyond
    every medium's reach are left out (they are ``cable-reach`` violations)."""
    fab = getattr(evaluation, "fabric", None)
    if fab is None or not len(fab.links.a):
        return []
    return _bill(evaluation.media, catalog, fab.links.medium, fab.links.length_m, fab.links.count)


def network_rows(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The fabric above the leaves as (label, value) rows (``totals["network"]``), for the
    report's network page; empty when the report has no network section."""
    net = evaluation.totals.get("network")
    if not net:
        return []
    tiers = list(net["switches_by_tier"])
    above = sum(tiers[1:])
    spine = (f"{net['spine_racks']:,} placed, holding {net['spine_switches']:,} working switches "
             f"of the {above:,} the tiers above the leaves need") if len(tiers) > 1 else \
        f"{net['spine_racks']:,} placed; no tier above the leaves is needed"
    return [
        ("Server links (fabric endpoints)", f"{net['endpoints']:,}"),
        ("Leaf oversubscription", f"{net['oversubscription']:g} : 1"),
        ("Leaf racks", f"{net['leaf_racks']:,}"),
        ("Tiers", f"{net['tiers']:,}"),
        ("Switches by tier (leaves first)", " + ".join(f"{n:,}" for n in tiers) or "0"),
        ("Switches", f"{net['switches']:,}"),
        ("Spine racks", spine),
        ("Fabric links (above the leaves)", f"{net['fabric_links']:,}"),
        ("Links between halls", f"{net['inter_hall_links']:,}"),
        ("Longest fabric link", f"{net['longest_fabric_link_m']:,.1f} m"),
        ("Transceivers (all scale-out and fabric links)", f"{net['transceivers']:,}"),
        ("Optics power", f"{net['optics_kw']:,.1f} kW"),
        ("Bisection bandwidth", f"{net['bisection_tbps']:,.1f} Tb/s"),
    ]
