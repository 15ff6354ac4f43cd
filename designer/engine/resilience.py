"""Would the design survive a failure? Every single failure tried, and its blast radius.

A *single failure* of component X is the design evaluated with X failed: still on the
floor, serving nothing (PRODUCT.md §8). Its *blast radius* is the UltraServers it strands
beyond those already stranded, and their dense MXFP8 PFLOPS. Components: every busway,
CDU, air handler and network rack. Each failure is local to its hall, so it is tried by
evaluating that hall alone (reusing its geometry and pair tables), and the results are
kept per hall: an edit re-tries only the halls it touched.

``redundancy`` (error): the site declares a level above N for a system (power, cooling,
network) and a single failure of one of its components strands compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from designer.engine.alike import blake2b, first_seen, hall_digest
from designer.engine.evaluation import Violation
from designer.engine.power_chain import busways_under
from designer.engine.rules import try_single_failures
from designer.engine.types import AIR, BUSWAY, CDU, COMPUTE, NETWORK

#: Component kinds tried, and the system (site.redundancy key) each belongs to.
SYSTEM_OF_KIND = {BUSWAY: "power", CDU: "cooling", AIR: "cooling", NETWORK: "network"}
#: Declared levels above N, per system (PRODUCT.md §8).
LEVELS = {"power": ("N", "N+1", "2N"), "cooling": ("N", "N+1"), "network": ("N", "N+1")}


@dataclass(frozen=True)
class SingleFailure:
    """One component failed: what it strands beyond what was already stranded."""

    id: str
    type: str
    hall: str
    system: str                      # power, cooling or network
    stranded_ultraservers: int
    stranded_mxfp8_pflops: float
    stranded_systems: tuple[str, ...]  # the UltraServers it strands (system ids)
    system_pflops: tuple[float, ...] = ()  # MXFP8 PFLOPS of each of those, in this hall
    spines_lost: int = 0  # working spine racks its failure takes down (the site judges the fabric)

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "stranded_ultraservers": self.stranded_ultraservers,
                "stranded_mxfp8_pflops": round(self.stranded_mxfp8_pflops, 6)}


@dataclass
class Resilience:
    """Every single failure, worst first (then by id), and the verdict."""

    single_failures: list[SingleFailure]
    redundancy: dict[str, str]

    @property
    def worst(self) -> SingleFailure | None:
        """The first failure that strands anything, or None."""
        first = self.single_failures[0] if self.single_failures else None
        return first if first is not None and first.stranded_ultraservers > 0 else None

    @property
    def n_minus_1_safe(self) -> bool:
        """No single failure strands compute."""
        return self.worst is None

    def report(self) -> dict:
        """The ``resilience`` section of ``designer report --json``."""
        worst = self.worst
        return {"redundancy": dict(self.redundancy),
                "single_failures": [f.to_dict() for f in self.single_failures],
                "worst": worst.to_dict() if worst is not None else None,
                "n_minus_1_safe": self.n_minus_1_safe}

    def violations(self, design) -> list[Violation]:
        """``redundancy`` errors: a declared level above N not met by a component's failure."""
        out = []
        t = design.equipment
        for f in self.single_failures:
            level = self.redundancy.get(f.system, "N")
            if level == "N" or f.stranded_ultraservers <= 0:
                continue
            r = t.index.get(f.id)
            if r is None:  # a power-chain node: no place on the plan
                x = y = 0.0
            else:
                x = float(t.x[r] if np.isnan(t.x2[r]) else (t.x[r] + t.x2[r]) / 2)
                y = float(t.y[r] if np.isnan(t.y2[r]) else (t.y[r] + t.y2[r]) / 2)
            out.append(Violation("redundancy", (f.id,), f"{f.system} is declared {level}, but losing {f.id} strands "
                                 f"{f.stranded_ultraservers:,} UltraServer{'s' if f.stranded_ultraservers != 1 else ''} "
                                 f"({f.stranded_mxfp8_pflops:,.0f} PFLOPS MXFP8)", f.hall, x, y))
        return out


_FIELDS = tuple(SingleFailure.__dataclass_fields__)


def _failure(*values) -> SingleFailure:
    """``SingleFailure(*values)`` (every field) built as the frozen dataclass's ``__init__``
    would, without its per-field calls (thousands per campus)."""
    f = object.__new__(SingleFailure)
    f.__dict__.update(zip(_FIELDS, values))
    return f



def declared_redundancy(site) -> dict[str, str]:
    """The site's declared redundancy per system (``site.redundancy``; N where not said)."""
    raw = site.extra.get("redundancy") or {}
    return {system: str(raw.get(system, "N")) for system in LEVELS}


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class _HallTrial:
    """What one hall's single failures are computed from (:func:`hall_failures`)."""

    rows: np.ndarray
    candidates: list
    n_items: int
    nodes: list
    pflops: np.ndarray
    systems: np.ndarray
    key: bytes


def _prepare(evaluator, hall_id: str) -> _HallTrial | None:
    design, types = evaluator.design, evaluator.types
    t = design.equipment
    lo, hi = evaluator.slices[hall_id]
    rows = evaluator.order[lo:hi]
    if not len(rows):
        return None
    failed = evaluator.failed_rows
    kinds = types.kind[t.type_code[rows]]
    tried = np.isin(kinds, list(SYSTEM_OF_KIND))
    if failed is not None:
        tried &= ~failed[rows]  # already failed (a what-if): not tried again
    candidates: list = list(np.flatnonzero(tried))
    n_items = len(candidates)
    nodes = []
    under = evaluator.busways_under()
    if under:
        position = {t.ids[r]: p for p, r in enumerate(rows)}
        for node, busways in under.items():
            here = [position[b] for b in busways
                    if b in position and (failed is None or not failed[rows[position[b]]])]
            if here:
                nodes.append(node)
                candidates.append(np.array(here, np.int64))
    if not candidates:
        return None
    comp_rows = rows[kinds == COMPUTE]
    # per system code in this hall: MXFP8 PFLOPS (each rack its share of its UltraServer)
    tc = t.type_code[comp_rows]
    share = types.system["mxfp8_tflops"][tc] / types.racks_per_system[tc] / 1000.0
    pflops = np.bincount(t.system_code[comp_rows], share, minlength=len(t.systems.names))
    systems = first_seen(t.system_code[rows])
    key = _hall_signature(evaluator, design.hall(hall_id), rows, candidates, n_items, failed)
    return _HallTrial(rows, candidates, n_items, nodes, pflops, systems, key)


def prepare_hall(evaluator, hall_id: str) -> _HallTrial | None:
    """What a hall's single failures are computed from, with ``key``: a digest of what
    they depend on (None: nothing to try)."""
    return _prepare(evaluator, hall_id)


def hall_failures(evaluator, hall_id: str, trial: "_HallTrial | None | bool" = False,
                  partition_at: int | None = None) -> list[SingleFailure]:
    """Every single failure of one hall's components (:func:`rules.try_single_failures`),
    and (as hall parts, ``type`` "") of each power-chain node feeding busways here. A hall
    identical to one tried before (a campus of replicated halls: same shape, items, places,
    feeds and loops, ids aside) takes that hall's results, read through its own rows and
    UltraServers.

    ``partition_at`` (the site's working spine racks, when known) lets a hall whose
    UltraServers are all stranded skip what its failures take from fewer spine racks than
    that; ``evaluator.lost_bound[hall_id]`` then holds how many it has (the evaluator tries
    the hall again, exactly, should the site come to have no more working spine racks)."""
    if trial is False:   # (not prepared by the caller)
        trial = _prepare(evaluator, hall_id)
    if trial is None:
        return []
    design, types = evaluator.design, evaluator.types
    t = design.equipment
    rows, candidates, n_items, nodes, pflops, systems, key = (trial.rows, trial.candidates, trial.n_items,
                                                             trial.nodes, trial.pflops, trial.systems, trial.key)
    failed = evaluator.failed_rows
    memo = evaluator.failure_memo if evaluator.options.alike_halls else {}
    kept = memo.get(key)
    if kept is None or (kept.lost_bound is not None and (partition_at is None or kept.lost_bound >= partition_at)):
        before, after, lost, bound = try_single_failures(design, types, evaluator.settings, design.hall(hall_id),
                                                         rows, candidates, evaluator.serving_memory,
                                                         evaluator.options, evaluator.memory.get(hall_id), failed,
                                                         evaluator.runs.pop(hall_id, None), partition_at)
        memo[key] = _stranded_anew(after, before, systems, pflops, len(t.systems.names), lost, bound)
    trial_out = memo[key]
    if trial_out.lost_bound is None:
        evaluator.lost_bound.pop(hall_id, None)
    else:
        evaluator.lost_bound[hall_id] = trial_out.lost_bound
    new_rel, lost, shares, totals = trial_out.rel, trial_out.lost, trial_out.pflops, trial_out.total
    names = t.systems.names
    # by the hall's UltraServers (first appearance; -1 is "no UltraServer": never stranded)
    hall_names = [names[s] if s >= 0 else "" for s in systems.tolist()]

    def failure(item_id: str, type_id: str, system: str, k: int) -> SingleFailure:
        named = sorted(zip([hall_names[r] for r in new_rel[k]], shares[k]))
        return _failure(item_id, type_id, hall_id, system, len(named), totals[k],
                        tuple([n for n, _ in named]), tuple([p for _, p in named]), lost[k])

    out = [failure(node, "", "power", n_items + j) for j, node in enumerate(nodes)]
    item_rows = rows[np.asarray(candidates[:n_items], np.int64)]
    codes = t.type_code[item_rows]
    ids, type_names = t.ids, t.types
    systems_of = [SYSTEM_OF_KIND[k] for k in types.kind[codes].tolist()]
    type_names = type_names.names
    new = object.__new__
    for k, (r, code, system) in enumerate(zip(item_rows.tolist(), codes.tolist(), systems_of)):
        if new_rel[k]:
            out.append(failure(ids[r], type_names[code], system, k))
            continue
        # most strand nothing new: nothing stranded, its spine racks lost (made as _failure does)
        f = new(SingleFailure)
        f.__dict__.update(id=ids[r], type=type_names[code], hall=hall_id, system=system, stranded_ultraservers=0,
                          stranded_mxfp8_pflops=0, stranded_systems=(), system_pflops=(), spines_lost=lost[k])
        out.append(f)
    return out


def _stranded_anew(after: list, before: np.ndarray, systems: np.ndarray, pflops: np.ndarray, n_systems: int,
                   lost: np.ndarray, bound) -> "_Trial":
    """Per candidate tried: what it strands beyond what was stranded ``before`` (system
    codes, rising), kept by the hall's own UltraServers (first appearance: the halls alike
    read it through theirs), with their PFLOPS, alike too and summed in the same order.
    (All candidates at once: a sort by candidate and code, then slices.)"""
    stranded_before = np.zeros(n_systems + 1, bool)
    stranded_before[before] = True
    counts = [len(a) for a in after]
    flat = np.concatenate(after).astype(np.int64) if sum(counts) else np.zeros(0, np.int64)
    which = np.repeat(np.arange(len(after)), counts)
    new = ~stranded_before[flat]
    flat, which = flat[new], which[new]
    order = np.lexsort((flat, which))
    flat = flat[order]
    rel = np.full(n_systems + 2, -1, np.int64)
    rel[systems] = np.arange(len(systems))
    rel_all, pflops_all = rel[flat].tolist(), pflops[flat].tolist()
    ends = np.cumsum(np.bincount(which, minlength=len(after))).tolist()
    rels, shares, totals = [], [], []
    lo = 0
    for hi in ends:
        rels.append(rel_all[lo:hi])
        shares.append(pflops_all[lo:hi])
        totals.append(float(pflops[flat[lo:hi]].sum()) if hi > lo else 0.0)   # (numpy's sum, as ever)
        lo = hi
    return _Trial(rels, lost.tolist(), shares, totals, bound)


@dataclass
class _Trial:
    """A kind of hall's single failures, per candidate: the UltraServers it strands beyond
    those stranded before (indices among the hall's UltraServers by first appearance,
    rising by code in the hall tried), their MXFP8 PFLOPS in that order and summed, and the
    working spine racks its failure takes down."""

    rel: list[list[int]]
    lost: list[int]
    pflops: list[list[float]]
    total: list[float]
    #: None, or the hall's working spine racks when ``lost`` was not worked out (all 0)
    lost_bound: int | None = None


def _hall_signature(evaluator, hall, rows: np.ndarray, candidates: list, n_items: int,
                    failed: np.ndarray | None) -> bytes:
    """What a hall's single failures depend on (:func:`alike.hall_digest`) and the
    candidates tried (power-chain parts as groups of positions)."""
    # ``n_items`` single positions first, then the power-chain nodes' groups (_prepare)
    groups = [np.asarray(c, np.int64) for c in candidates[n_items:]]
    sizes = np.array([1] * n_items + [len(c) for c in groups], np.int64)
    tried = (sizes, np.concatenate([np.asarray(candidates[:n_items], np.int64), *groups]))
    digest = evaluator.digests.get(hall.id)   # (the hall's, from its evaluation: the same state)
    if digest is not None:
        h = blake2b(digest, digest_size=20)
        for arr in tried:
            h.update(np.ascontiguousarray(arr).tobytes())
            h.update(b"|")
        return h.digest()
    loops, feeds = evaluator.item_codes()
    return hall_digest(evaluator.design, hall, rows, loops, feeds, failed, tried)


def order_failures(failures: list[SingleFailure], design=None, site_stranded: set[str] = frozenset()
                   ) -> list[SingleFailure]:
    """Worst first (UltraServers stranded, then PFLOPS), then by id.

    Hall by hall a failure sees its own hall; here what the site already strands (an
    UltraServer split across halls, racks beyond the utility feed: ``site_stranded``) is
    taken out, a power-chain node's parts (one per hall it feeds) are joined into one
    failure of the site, and a node that feeds nothing is listed with nothing stranded."""
    def beyond_site(f: SingleFailure, item_id: str, type_id: str) -> SingleFailure:
        if item_id == f.id and type_id == f.type and (not f.stranded_systems or (
                not f.spines_lost and site_stranded.isdisjoint(f.stranded_systems))):
            return f   # (nothing to take out: the same failure)
        kept = [(s, p) for s, p in zip(f.stranded_systems, f.system_pflops) if s not in site_stranded]
        return SingleFailure(item_id, type_id, f.hall, f.system, len(kept), sum(p for _, p in kept),
                             tuple(s for s, _ in kept), tuple(p for _, p in kept))

    out = [beyond_site(f, f.id, f.type) for f in failures if f.type != ""]
    chain = (design.extra.get("power_chain") or []) if design is not None else []
    types = {n["id"]: n["type"] for n in chain}
    by_node: dict[str, dict[str, float]] = {n["id"]: {} for n in chain}
    for f in failures:
        if f.type == "":
            by_node.setdefault(f.id, {}).update(zip(f.stranded_systems, f.system_pflops))
    for node, systems in by_node.items():
        names = tuple(sorted(systems))
        joined = SingleFailure(node, types.get(node, "power-chain"), "", "power", len(names),
                               sum(systems[s] for s in names), names, tuple(systems[s] for s in names))
        out.append(beyond_site(joined, node, joined.type))
    # (those that strand nothing, most of them, sorted by id alone: the same order, sooner)
    stranding = sorted((f for f in out if f.stranded_ultraservers),
                       key=lambda f: (-f.stranded_ultraservers, -f.stranded_mxfp8_pflops, f.id))
    return stranding + sorted((f for f in out if not f.stranded_ultraservers), key=attrgetter("id"))
