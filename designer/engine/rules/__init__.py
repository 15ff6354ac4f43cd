"""The hall-local rules, one module each, run over a group of halls by :func:`evaluate_group`.

=================  ===============================================================
module             rules (violation kinds) and results
=================  ===============================================================
``placement``      outside-hall, obstruction, overlap, clearance, airflow, floor-load
``power``          busway feeds and load, power-capacity (busway, hall), unpowered
``cooling``        CDUs and air handlers serving heat, cooling-capacity
``interconnect``   scaleup-reach, scale-out links and media, cable-reach, network-ports
``throughput``     incomplete-system, effective UltraServers, per-hall sums
=================  ===============================================================

Each takes the :class:`~designer.engine.group.HallGroup` (items' arrays, violations)
and the flags to set; site-level rules (utility feed, UltraServers split across halls)
are the evaluator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from designer.engine.evaluation import HALL_FLAGS, Violation
from designer.engine.geometry import _geometry
from designer.engine.options import DEFAULT_OPTIONS, EngineOptions
from designer.engine.group import HallGroup
from designer.engine.rules.cooling import check_cooling
from designer.engine.rules.interconnect import LinkRuns, SystemGroups, check_scaleout, check_scaleup
from designer.engine.rules.placement import check_placement
from designer.engine.rules.power import BuswayMemory, check_power
from designer.engine.rules.throughput import check_systems, hall_sums
from designer.engine.serve import Serving
from designer.engine.settings import Settings
from designer.engine.shapes import rect_box
from designer.engine.types import TypeTable
from designer.model.design import Design, Hall


@dataclass
class ItemColumns:
    """Per-item hall-local results in group (hall-sorted) order."""

    flag_block: np.ndarray        # (HALL_FLAGS, items)
    powered: np.ndarray
    cooled: np.ndarray
    served_by_busway: np.ndarray  # group position or -1 (the A side of a rack fed by both)
    served_by_busway_b: np.ndarray  # the B side of a rack fed by both feeds, or -1
    served_by_cdu: np.ndarray
    served_by_air: np.ndarray
    load_kw: np.ndarray
    limit_kw: np.ndarray
    failover_kw: np.ndarray
    ports_used: np.ndarray
    link_down: np.ndarray

    #: Columns holding group positions (shifted when groups are joined or spliced).
    POSITIONS = ("served_by_busway", "served_by_busway_b", "served_by_cdu", "served_by_air")

    @property
    def flags(self) -> dict[str, np.ndarray]:
        return dict(zip(HALL_FLAGS, self.flag_block))

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass
class HallSums:
    """Per-hall sums of a group (rows: its halls)."""

    table: np.ndarray             # (halls, HALL_SUMS)
    media_count: np.ndarray       # (halls, media)
    media_metres: np.ndarray
    longest_m: np.ndarray         # (halls,)
    worst_latency_ns: np.ndarray

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass
class HallMemory:
    """What one hall's last single-hall evaluation leaves for the next (a drag step):
    its floor geometry, busway assignment and pair tables. Reused only where the
    items match; results never depend on it."""

    geometry: object = None
    busway: BuswayMemory | None = None
    pairs: dict = field(default_factory=dict)  # "liquid", "air", "network" → serve._PairState


@dataclass
class GroupResult:
    """Per-item columns (group order), cable runs (group positions), violations per hall,
    per-hall sums, and (a group of one hall) the memory for its next evaluation."""

    items: ItemColumns
    links: LinkRuns
    violations: dict[str, list[Violation]]
    sums: HallSums
    memory: HallMemory | None = None


def _hall_shape(g: HallGroup):
    """Outlines (relative), their boxes when rectangles, and which are rectangles."""
    outlines = [g.poly(i, h.outline) for i, h in enumerate(g.halls)]
    boxes = [rect_box(o) for o in outlines]
    rect = np.array([b is not None for b in boxes], bool)
    hb = np.array([b if b is not None else [np.inf, np.inf, -np.inf, -np.inf] for b in boxes]).reshape(len(boxes), 4)
    return hb, rect, outlines


def evaluate_group(design: Design, types: TypeTable, settings: Settings, halls: list[Hall], rows: np.ndarray,
                   serving_memory: dict | None = None, options: EngineOptions | None = None,
                   memory: HallMemory | None = None, failed_rows: np.ndarray | None = None) -> GroupResult:
    """Evaluate the hall-local rules and allocations for ``halls`` (items ``rows``, hall-sorted).

    ``memory`` is what the previous evaluation of the same hall left; whatever does not
    match the items now is ignored. Only a group of one hall leaves or takes it.
    ``failed_rows`` (per design row) marks items taken as failed: they serve nothing."""
    single = len(halls) == 1
    before = memory if single and memory is not None else HallMemory()
    after = HallMemory() if single else None
    g = HallGroup(design, types, settings, halls, rows, failed_rows)
    n = len(rows)
    flag_block = np.zeros((len(HALL_FLAGS), n), bool)  # one row per flag (spliced as one array)
    flags = dict(zip(HALL_FLAGS, flag_block))
    hall_ids = tuple(h.id for h in halls) if len(halls) <= 4 else None
    serving = Serving(options or DEFAULT_OPTIONS, serving_memory if serving_memory is not None else {}, hall_ids)

    geo = _geometry(g, types, settings, halls, _hall_shape(g), before.geometry)
    shapes = check_placement(g, geo, flags)
    power, busway_memory = check_power(g, geo, shapes, flags, before.busway)
    load_kw, limit_kw = power.load_kw, power.limit_kw
    new_pairs = after.pairs if after is not None else None
    cooling = check_cooling(g, flags, load_kw, limit_kw, serving, before.pairs, new_pairs)
    sg = SystemGroups.of(g)
    check_scaleup(g, sg, flags)
    network = check_scaleout(g, sg, flags, power.powered & cooling.cooled, serving, before.pairs, new_pairs)
    check_systems(g, sg, flags)
    sums = hall_sums(g, sg, flags, power.powered, cooling.cooled, network.link_down, cooling.liquid_kw,
                     cooling.air_kw, network.links, len(settings.media))
    if after is not None:
        after.geometry, after.busway = geo, busway_memory
    columns = ItemColumns(flag_block, power.powered, cooling.cooled, power.served_by_busway, power.served_by_busway_b,
                          cooling.served_by_cdu, cooling.served_by_air, load_kw, limit_kw, power.failover_kw,
                          network.ports_used, network.link_down)
    return GroupResult(columns, network.links, g.violations, HallSums(**sums), after)
