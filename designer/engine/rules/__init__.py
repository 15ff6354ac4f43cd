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

from designer.engine.arrays import unique
from designer.engine.evaluation import HALL_FLAGS, Violation
from designer.engine.geometry import _geometry
from designer.engine.options import DEFAULT_OPTIONS, EngineOptions
from designer.engine.group import HallGroup
from designer.engine.rules.cooling import check_cooling
from designer.engine.rules.interconnect import LinkRuns, SystemGroups, check_scaleout, check_scaleup
from designer.engine.rules.placement import check_placement
from designer.engine.rules.power import BuswayMemory, busway_pairs, check_power
from designer.engine.rules.throughput import check_systems, hall_sums
from designer.engine.serve import Serving
from designer.engine.settings import Settings
from designer.engine.shapes import rect_box
from designer.engine.templates import tokenise
from designer.engine.types import BUSWAY, TypeTable
from designer.model.design import Design, Hall


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
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


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class HallSums:
    """Per-hall sums of a group (rows: its halls)."""

    table: np.ndarray             # (halls, HALL_SUMS)
    media_count: np.ndarray       # (halls, media)
    media_metres: np.ndarray
    longest_m: np.ndarray         # (halls,)
    worst_latency_ns: np.ndarray
    by_type: np.ndarray           # (halls, types, throughput.BY_TYPE_WIDTH): per compute type

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class HallMemory:
    """What one hall's last single-hall evaluation leaves for the next (a drag step):
    its floor geometry, busway assignment and pair tables. Reused only where the
    items match; results never depend on it."""

    geometry: object = None
    busway: BuswayMemory | None = None
    pairs: dict = field(default_factory=dict)  # "liquid", "air", "network" → serve._PairState
    group: HallGroup | None = None        # the hall's arrays (a move updates their positions)


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
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


#: Items in one batch of hall copies when failures are tried together.
COPY_ROWS = 250_000


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class _Run:
    """Everything one evaluation of a group found, before it is packed into a result."""

    g: HallGroup
    flag_block: np.ndarray
    pairs: tuple                  # busways through footprints (power.busway_pairs)
    power: object
    cooling: object
    sg: SystemGroups
    network: object


def _run(g: HallGroup, before: HallMemory, after: HallMemory | None, serving: Serving) -> _Run:
    """The rules in order over a group: placement, power, cooling, interconnect, systems."""
    n = len(g)
    flag_block = np.zeros((len(HALL_FLAGS), n), bool)  # one row per flag (spliced as one array)
    flags = dict(zip(HALL_FLAGS, flag_block))
    geo = _geometry(g, g.types, g.settings, g.halls, g.kept("shape", lambda: _hall_shape(g)), before.geometry)
    shapes = check_placement(g, geo, flags)
    pairs = busway_pairs(g, geo, shapes)
    power, busway_memory = check_power(g, pairs, flags, before.busway)
    new_pairs = after.pairs if after is not None else None
    cooling = check_cooling(g, flags, power.load_kw, power.limit_kw, serving, before.pairs, new_pairs)
    sg = g.kept("systems", lambda: SystemGroups.of(g))
    check_scaleup(g, sg, flags)
    network = check_scaleout(g, sg, flags, power.powered & cooling.cooled, serving, before.pairs, new_pairs)
    check_systems(g, sg, flags)
    if after is not None:
        after.geometry, after.busway, after.group = geo, busway_memory, g
    return _Run(g, flag_block, pairs, power, cooling, sg, network)


def _serving(halls: list[Hall], serving_memory: dict | None, options: EngineOptions | None) -> Serving:
    hall_ids = tuple(h.id for h in halls) if len(halls) <= 4 else None
    return Serving(options or DEFAULT_OPTIONS, serving_memory if serving_memory is not None else {}, hall_ids)


def evaluate_group(design: Design, types: TypeTable, settings: Settings, halls: list[Hall], rows: np.ndarray,
                   serving_memory: dict | None = None, options: EngineOptions | None = None,
                   memory: HallMemory | None = None, failed_rows: np.ndarray | None = None,
                   tokens: frozenset = frozenset(), runs: dict | None = None,
                   codes: tuple[np.ndarray, np.ndarray] | None = None, moved: bool = False) -> GroupResult:
    """Evaluate the hall-local rules and allocations for ``halls`` (items ``rows``, hall-sorted).
    The halls whose ids are in ``tokens`` name things by tokens in their messages
    (:mod:`designer.engine.templates`). A group of one hall leaves its rules' run in
    ``runs`` (by hall id) when given: the base of :func:`try_single_failures`.

    ``memory`` is what the previous evaluation of the same hall left; whatever does not
    match the items now is ignored. Only a group of one hall leaves or takes it.
    ``failed_rows`` (per design row) marks items taken as failed: they serve nothing.
    ``codes``: the design's cooling loop and feed-B rows (:class:`HallGroup`), if kept.
    ``moved``: the edit since ``memory`` only moved or turned items (their places are all
    that changed): the hall's arrays are taken from ``memory`` with the new places."""
    single = len(halls) == 1
    before = memory if single and memory is not None else HallMemory()
    after = HallMemory() if single else None
    g = None
    if moved and single and before.group is not None and before.group.types is types \
            and before.group.settings is settings and before.group.halls[0] is halls[0]:
        g = before.group.moved(design, rows)   # (a move: the same rows, only their places changed)
    if g is None:
        g = HallGroup(design, types, settings, halls, rows, failed_rows, codes)
    if tokens:
        tokenise(g, np.array([h for h, hall in enumerate(halls) if hall.id in tokens], np.int64))
    r = _run(g, before, after, _serving(halls, serving_memory, options))
    if runs is not None and single:
        runs[halls[0].id] = r
    power, cooling, network = r.power, r.cooling, r.network
    flags = dict(zip(HALL_FLAGS, r.flag_block))
    sums = hall_sums(g, r.sg, flags, power.powered, cooling.cooled, network.link_down, cooling.liquid_kw,
                     cooling.air_kw, network.links, len(settings.media))
    columns = ItemColumns(r.flag_block, power.powered, cooling.cooled, power.served_by_busway,
                          power.served_by_busway_b, cooling.served_by_cdu, cooling.served_by_air, power.load_kw,
                          power.limit_kw, power.failover_kw, network.ports_used, network.link_down)
    return GroupResult(columns, network.links, g.violations, HallSums(**sums), after)


def _links_down(links, up: np.ndarray, n: int, k: int) -> np.ndarray:
    """Per item of ``k`` copies: a rack cabled (``links``, positions in one copy) to a
    network rack that is not ``up`` (per item of the copies)."""
    down = np.zeros(n * k, bool)
    if len(links.rack):
        offset = np.repeat(np.arange(k) * n, len(links.rack))
        rack, net = np.tile(links.rack, k) + offset, np.tile(links.network, k) + offset
        down[rack[~up[net]]] = True
    return down


def _leaves_rehome(g: HallGroup, base: _Run, flags: dict, powered: np.ndarray, cooled: np.ndarray,
                   is_compute: np.ndarray, leaves: list) -> tuple[np.ndarray, np.ndarray]:
    """Per leaf position in ``leaves``: whether its failure provably re-homes every link
    of the hall, and the systems stranded then (the same for each such leaf).

    Exact without re-serving: the network's last pass offers each rack every network rack
    with ports left, with partial grants and no reach limit (rules.interconnect), so it
    serves min(links, ports). When the other racks' ports cover every link, none of them
    is down (power, cooling) and no rack is beyond every medium's reach of any of them,
    no link is short, down or too long, whatever the allocation: the failure strands what
    the hall strands without its network rules."""
    from designer.engine.rules.interconnect import routed_length_m
    from designer.engine.rules.throughput import stranded_items
    from designer.engine.types import NETWORK

    st = g.settings
    comp = base.sg.comp
    nets = np.flatnonzero(g.kind == NETWORK)
    at = np.array([int(np.atleast_1d(c)[0]) for c in leaves], np.int64)
    ok = np.zeros(len(at), bool)
    if flags["network-ports"].any():  # short of ports already: fewer ports cannot serve all
        return ok, np.zeros(0, np.int64)
    ports = np.where(g.failed[nets], 0.0, g.types.ports[g.type_code[nets]])
    needed = float(base.network.ports_used.sum())
    live = ports > 0
    down = live & ~(powered[nets] & cooled[nets])
    own = np.searchsorted(nets, at)
    ok = needed <= ports.sum() - ports[own] + 1e-9
    ok &= (down.sum() - down[own]) == 0
    if len(comp) and ok.any():
        cand = nets[live]
        if len(cand):
            span = (np.abs(g.x[comp][:, None] - g.x[cand][None, :])
                    + np.abs(g.y[comp][:, None] - g.y[cand][None, :])).max()
            longest = np.round(routed_length_m(span, g.tray_drop_m[0], st.slack), 3)
            if longest > st.reach.max() + 1e-9:
                ok[:] = False
    quiet = dict(flags)
    quiet["cable-reach"] = quiet["network-ports"] = np.zeros(len(g), bool)
    bad = stranded_items(quiet, powered, cooled, np.zeros(len(g), bool)) & is_compute
    return ok, unique(g.system[bad]).astype(np.int64)


def _spares_spines(g: HallGroup, pairs: tuple, spines: np.ndarray, candidates: list,
                   which: np.ndarray) -> np.ndarray:
    """Per candidate flagged in ``which`` (busways, or a power-chain node's busways): True
    when none of its busways powers, even through other racks, a rack that competes with
    the working spine racks ``spines`` (positions) for a busway. The power allocation of a
    group of racks and busways linked by "runs above" depends on that group alone, so
    such a failure leaves the spines' power as it was (the hall's IT capacity, served in
    file order, only gains from racks losing power)."""
    item, li = pairs
    n_bw = int((g.kind == BUSWAY).sum())
    racks = np.zeros(len(g), bool)
    racks[spines] = True
    ways = np.zeros(n_bw, bool)
    while True:   # the connected part of (rack, busway) pairs that holds the spine racks
        grown = np.zeros(n_bw, bool)
        grown[li[racks[item]]] = True
        grown |= ways
        more = racks.copy()
        more[item[grown[li]]] = True
        if np.array_equal(grown, ways) and np.array_equal(more, racks):
            break
        ways, racks = grown, more
    linked = np.zeros(len(g), bool)
    linked[np.flatnonzero(g.kind == BUSWAY)[ways]] = True
    out = np.zeros(len(candidates), bool)
    for w in np.flatnonzero(which):
        out[w] = not linked[np.atleast_1d(candidates[w])].any()
    return out


def try_single_failures(design: Design, types: TypeTable, settings: Settings, hall: Hall, rows: np.ndarray,
                        candidates: list, serving_memory: dict | None = None,
                        options: EngineOptions | None = None, memory: HallMemory | None = None,
                        failed_rows: np.ndarray | None = None, base: _Run | None = None,
                        partition_at: int | None = None) -> tuple:
    """Each candidate failed in turn (the hall alone, items ``rows``): a hall position, or
    an array of busway positions failing together (what a power-chain node feeds). Returns
    the system codes stranded before, per candidate those stranded with it failed, and
    per candidate how many of the hall's working spine racks its failure takes down. Exact and batched: the candidates of one kind are tried together in one
    allocation over copies of the hall (a copy per candidate, each served as the hall
    alone), re-running only the allocation the failed kind takes part in. The fourth value
    is None, or the hall's working spine racks when what each failure takes from them was
    not worked out (see ``partition_at``). ``base``: the
    rules' run of this hall alone as it is (left by :func:`evaluate_group`), if there is one.
    ``partition_at``: the site's working spine racks, when known: in a hall whose
    UltraServers are all stranded and that holds fewer working spine racks than that, no
    failure can cut the fabric, and what each takes from the spines is not worked out
    (counted 0)."""
    from designer.engine.rules.throughput import stranded_items
    from designer.engine.types import AIR, BUSWAY, CDU, COMPUTE, NETWORK

    serving = _serving([hall], serving_memory, options)
    if base is not None and base.g.n_halls == 1 and np.array_equal(base.g.rows, rows):
        g = base.g
    else:
        g = HallGroup(design, types, settings, [hall], rows, failed_rows)
        g.quiet = True
        base = _run(g, memory or HallMemory(), None, serving)
    g.quiet = True   # (the hall's messages come from its evaluation, not from here)

    n = len(g)
    flags = dict(zip(HALL_FLAGS, base.flag_block))
    powered, cooled = base.power.powered, base.cooling.cooled
    comp = g.kind == COMPUTE
    bad = stranded_items(flags, powered, cooled, base.network.link_down)
    before = unique(g.system[comp & bad])
    liquid_ok = (base.cooling.liquid_kw <= 0) | (base.cooling.served_by_cdu >= 0)
    air_ok = (base.cooling.air_kw <= 0) | (base.cooling.served_by_air >= 0)
    out: list[np.ndarray | None] = [None] * len(candidates)
    kinds = np.array([g.kind[np.atleast_1d(c)[0]] for c in candidates], np.int64)
    # a spine rack serves no server in the hall (its switches sit above the leaves): its
    # failure strands nothing here (the fabric re-homes the leaves' uplinks site-wide)
    spine = np.array([bool(types.spine[g.type_code[np.atleast_1d(c)[0]]]) for c in candidates], bool)
    # per candidate: the hall's working spine racks its failure takes down (the site
    # decides whether the fabric is left without one: resilience.hall_failures)
    spines = np.flatnonzero(types.spine[g.type_code] & (g.kind == NETWORK))
    spine_up = powered[spines] & cooled[spines] & ~g.failed[spines]
    lost = np.zeros(len(candidates), np.int64)
    for w in np.flatnonzero(spine):
        out[w] = before
        lost[w] = int(bool(spine_up[np.searchsorted(spines, np.atleast_1d(candidates[w])[0])]))
    kinds[spine] = -1
    lost_bound = None
    if len(before) == len(unique(g.system[comp])):
        # every UltraServer of the hall is stranded already: no failure strands another
        # (a draft); only what a failure takes from the working spines may need copies
        known = kinds >= 0
        if spine_up.any() and partition_at is not None and spine_up.sum() < partition_at:
            lost_bound = int(spine_up.sum())   # (fewer than cut the fabric: not worked out)
        elif spine_up.any():
            up = spines[spine_up]
            known = (kinds == NETWORK) | _spares_spines(g, base.pairs, up, candidates, kinds == BUSWAY)
            if (base.cooling.liquid_kw[up] <= 0).all():   # a CDU cools no spine rack
                known |= kinds == CDU
        for w in np.flatnonzero(known):
            out[w] = before
        kinds[known] = -1
    net = np.flatnonzero(kinds == NETWORK)
    if len(net):
        rehomed, systems = _leaves_rehome(g, base, flags, powered, cooled, comp, [candidates[w] for w in net])
        for w in net[rehomed]:
            out[w] = systems
        kinds[net[rehomed]] = -1
    # copies of the hall in chunks of at most COPY_ROWS items (memory stays bounded in a
    # hall with thousands of components)
    step = max(1, COPY_ROWS // max(n, 1))
    chunks = [(kind, part) for kind in (BUSWAY, CDU, AIR, NETWORK)
              for which in [np.flatnonzero(kinds == kind)] if len(which)
              for part in np.array_split(which, -(-len(which) // step))]
    for kind, which in chunks:
        k = len(which)
        c = g.copies([candidates[w] for w in which])
        block = np.tile(base.flag_block, k)
        cflags = dict(zip(HALL_FLAGS, block))
        c_powered, c_cooled = np.tile(powered, k), np.tile(cooled, k)
        if kind == BUSWAY:
            cflags["unpowered"][:] = False
            nbw = int((g.kind == BUSWAY).sum())
            item, li = base.pairs
            offset = np.repeat(np.arange(k), len(item))
            pairs = (np.tile(item, k) + offset * n, np.tile(li, k) + offset * nbw)
            c_powered = check_power(c, pairs, cflags, None)[0].powered
            link_down = _links_down(base.network.links, c_powered & c_cooled, n, k)
        elif kind in (CDU, AIR):
            label, other_ok = ("liquid", air_ok) if kind == CDU else ("air", liquid_ok)
            cflags["cooling-capacity"][:] = np.tile(~other_ok, k)
            zeros = np.zeros(n * k)
            c_cooled = check_cooling(c, cflags, zeros, zeros.copy(), serving, {}, None, only=label).cooled \
                & np.tile(other_ok, k)
            link_down = _links_down(base.network.links, c_powered & c_cooled, n, k)
        else:
            cflags["cable-reach"][:] = False
            cflags["network-ports"][:] = False
            link_down = check_scaleout(c, SystemGroups.of(c), cflags, c_powered & c_cooled, serving, {}, None).link_down
        c_bad = stranded_items(cflags, c_powered, c_cooled, link_down) & np.tile(comp, k)
        hit = np.flatnonzero(c_bad)
        copy, system = hit // n, c.system[hit]
        key = unique(copy * (len(g.systems.names) + 1) + system)
        copy, system = key // (len(g.systems.names) + 1), key % (len(g.systems.names) + 1)
        cuts = np.searchsorted(copy, np.arange(k + 1))
        for j, w in enumerate(which):
            out[w] = system[cuts[j]:cuts[j + 1]]
        if spine_up.any() and kind != NETWORK:   # (a leaf's failure leaves the spines' power and cooling)
            up_after = (c_powered & c_cooled).reshape(k, n)[:, spines[spine_up]]
            lost[which] = (~up_after).sum(axis=1)
    return before, out, lost, lost_bound
