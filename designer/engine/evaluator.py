"""Design → Evaluation: power, cooling, interconnect reach, throughput and rules.

Hall-local work (geometry, busways, cooling units, network racks) is done by
:func:`rules.evaluate_group` over all halls at once; the site-level step combines it
(utility feed, UltraServers split across halls, throughput, totals). :class:`Evaluator`
keeps the hall-local results in hall-sorted order (:class:`Store`) so that an edit
re-evaluates only the halls it touched and splices their slice in; the combination is a
handful of O(n) numpy passes.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import replace
from typing import Iterable

import numpy as np

from designer.catalog import Catalog, load_catalog, with_design_types
from designer.engine.arrays import unique
from designer.engine.evaluation import HALL_SUMS, SYSTEM_KEYS, Evaluation, HallTable, ItemTable, Violation
from designer.engine.group import feed_b_rows, fmt_kw, loop_rows
from designer.engine.alike import hall_digests
from designer.engine.fabric import (build_fabric, fabric_report, oversubscription, partitioned, spine_redundancy,
                                    spines_working)
from designer.engine.options import DEFAULT_OPTIONS, EngineOptions
from designer.engine.power_chain import busways_under, chain_of, chain_violations, generator_check, roll_up
from designer.engine.resilience import (Resilience, SingleFailure, declared_redundancy, hall_failures,
                                        order_failures, prepare_hall)
from designer.engine.rules import GroupResult, HallMemory, evaluate_group
from designer.engine.rules.throughput import by_type_sums, effective_systems, stranded_items
from designer.engine.settings import Settings
from designer.engine.store import Store, join_results, joined_links, patch_items, replicated, scatter, status_of
from designer.engine.templates import Written, shared_systems, templatable, write_alike
from designer.engine.totals import add_facility_kw, facility_power_kw, site_totals, throughput_by_type
from designer.engine.types import BUSWAY, COMPUTE, NETWORK, SYSTEM_FIGURES, TypeTable
from designer.model.design import ITEM_CHANGES, Change, Design



class Evaluator:
    """Evaluates a design and keeps hall-local results for incremental updates.

    Hall-local arrays are stored in *hall-sorted order* (``self.order``: the rows of
    hall 1, then hall 2, …), each hall a contiguous slice; positions (which busway,
    CDU or network rack serves an item) are stored as positions in that order.
    ``options`` choose how (never what) the engine computes.
    """

    def __init__(self, design: Design, catalog: Catalog | None = None, options: EngineOptions = DEFAULT_OPTIONS,
                 failed: Iterable[str] = (), resilience: bool = False):
        self.design = design
        self.base_catalog = catalog or load_catalog()
        self.options = options
        self.memory: dict[str, HallMemory] = {}   # per hall: what its last single-hall evaluation left
        self.serving_memory: dict = {}           # per allocation call: when to skip the one-step path
        #: items taken as failed (``--fail``, the app's what-if): on the floor, serving nothing
        self.failed_ids: tuple[str, ...] = tuple(dict.fromkeys(failed))
        #: whether every evaluation also tries every single failure (report, check)
        self.with_resilience = resilience
        self.failures: dict[str, list[SingleFailure]] = {}  # per hall, kept until an edit touches it
        self._fabric_memo = None   # (inputs, Fabric) of the last evaluation
        self._upper_links: dict = {}   # the fabric's upper-tier links, kept while their inputs hold
        self._fabric_static = None
        self._by_type_memo = None  # (types, sums by type) → throughput.by_type and .missing
        self._fabric_xy = None     # the leaves' and spines' positions, kept while no network rack moves
        self._fabric_key_memo = None   # the last fabric inputs and their bytes (fabric memo key)
        self._fabric_now = None    # the fabric of the evaluation being made
        #: (Fabric, server links by medium, its report's parts) while the ids stay (moves only)
        self._fabric_report = None
        #: single failures of a hall by its content (:func:`resilience.hall_failures`)
        self.failure_memo: dict = {}
        #: per hall: the digest of what its evaluation depended on (alike.py), while it holds
        self.digests: dict[str, bytes] = {}
        #: per hall tried without what its failures take from its working spine racks:
        #: how many it has (resilience.hall_failures)
        self.lost_bound: dict[str, int] = {}
        #: per hall evaluated alone in the last refresh: its rules' run, the base of its
        #: single failures (taken by the first trial; an edit of the hall drops it)
        self.runs: dict = {}
        self._item_codes = None
        self._under = None
        self.evaluation = self.refresh()

    @property
    def failed_rows(self) -> np.ndarray | None:
        """Per design row: taken as failed (None when nothing is)."""
        if not self.failed_ids:
            return None
        t = self.design.equipment
        out = np.zeros(len(t), bool)
        under = self.busways_under()   # a power-chain node fails the busways it feeds
        ids = [b for i in self.failed_ids for b in (under.get(i) or [i])]
        out[[t.index[i] for i in ids if i in t.index]] = True
        return out

    def set_failed(self, ids: Iterable[str]) -> Evaluation:
        """Take these items as failed (replacing the last set) and evaluate again."""
        self.failed_ids = tuple(dict.fromkeys(ids))
        return self.refresh()

    def evaluate_hall(self, hall, rows: np.ndarray, memory: HallMemory | None, failed_rows) -> GroupResult:
        """One hall alone (rows hall-sorted), with these items failed; nothing is stored."""
        return evaluate_group(self.design, self.types, self.settings, [hall], rows, self.serving_memory,
                              self.options, memory, failed_rows)

    def busways_under(self) -> dict[str, list[str]]:
        """Power-chain node → the busways it feeds (kept until the next edit)."""
        if self._under is None:
            self._under = busways_under(self.design)
        return self._under

    def item_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Per design row: its cooling loop number and whether it is a busway on feed B
        (kept until an edit other than a move)."""
        if self._item_codes is None:
            t = self.design.equipment
            self._item_codes = (loop_rows(t), feed_b_rows(t))
        return self._item_codes

    def hall_failures(self, hall_id: str) -> list[SingleFailure]:
        """Every single failure of one hall's components (kept until an edit touches the
        hall): for a caller that spreads the work over several event-loop turns."""
        if hall_id not in self.failures:
            self.failures[hall_id] = hall_failures(self, hall_id, False, spines_working(self.evaluation.fabric))
        return self.failures[hall_id]

    def resilience(self, evaluation: Evaluation | None = None) -> Resilience:
        """Every single failure of the design as it is now (halls an edit did not touch keep
        their last results), beyond what ``evaluation`` (default: the latest) strands."""
        evaluation = evaluation if evaluation is not None else self.evaluation
        working = spines_working(evaluation.fabric)
        # a hall tried without what its failures take from its spine racks (fewer than the
        # site's working ones then): tried again, exactly, if they are now all there are
        for hall_id, bound in list(self.lost_bound.items()):
            if working and bound >= working:
                self.failures.pop(hall_id, None)
        todo = [h.id for h in self.design.halls if h.id not in self.failures]
        # halls alike (a campus of replicated halls) are tried once: first one of each kind,
        # then the rest read their results from the memo
        trials = {hall_id: prepare_hall(self, hall_id) for hall_id in todo}
        first_of: dict = {}
        for hall_id, trial in trials.items():
            first_of.setdefault(trial.key if trial is not None else None, hall_id)
        alike = list(first_of.values())
        firsts = set(alike)
        rest = [h for h in todo if h not in firsts]
        if len(alike) > 1 and len(self.order) >= self.options.parallel_min_items and (os.cpu_count() or 1) >= 2:
            # halls are independent: half of them in the engine's worker thread
            half = alike[:len(alike) // 2]
            first = _Task(lambda: {h: hall_failures(self, h, trials[h], working) for h in half})
            self.failures.update({h: hall_failures(self, h, trials[h], working) for h in alike[len(half):]})
            self.failures.update(first.result())
        else:
            for hall_id in alike:
                self.failures[hall_id] = hall_failures(self, hall_id, trials[hall_id], working)
        for hall_id in rest:
            self.failures[hall_id] = hall_failures(self, hall_id, trials[hall_id], working)
        found = [f for hall in self.design.halls for f in self.failures[hall.id]]
        t = self.design.equipment
        effective = evaluation.items.system_effective
        names = t.systems.names
        site_stranded = {names[s] for s in np.flatnonzero(~effective[:len(names)]).tolist()}
        if working:   # a failure that takes down every working spine rack cuts the leaves off each other
            found = [self._partition(f, effective) if f.spines_lost >= working else f for f in found]
        return Resilience(order_failures(found, self.design, site_stranded), declared_redundancy(self.design.site))

    def _partition(self, f: SingleFailure, effective: np.ndarray) -> SingleFailure:
        """A failure that leaves the fabric without a working spine switch (the last spine
        rack, or the busway, CDU or air handler it hangs on): the leaves can no longer reach
        each other, so every UltraServer's scale-out is cut (each is stranded)."""
        t = self.design.equipment
        types = self.types
        comp = np.flatnonzero(types.kind[t.type_code] == COMPUTE)
        tc = t.type_code[comp]
        share = types.system["mxfp8_tflops"][tc] / types.racks_per_system[tc] / 1000.0
        pflops = np.bincount(t.system_code[comp], share, minlength=len(t.systems.names))
        codes = [int(c) for c in unique(t.system_code[comp]) if effective[c]]
        names = sorted((t.systems[c], float(pflops[c])) for c in codes)
        return SingleFailure(f.id, f.type, f.hall, f.system, len(names), sum(p for _, p in names),
                             tuple(n for n, _ in names), tuple(p for _, p in names), f.spines_lost)

    # ------------------------------------------------------------------ setup
    def _configure(self) -> None:
        # the design's own equipment types ("catalog" section), then its overrides
        self.catalog = with_design_types(self.base_catalog, self.design.extra.get("catalog")) \
            .with_overrides(self.design.assumptions)
        self.settings = Settings.from_catalog(self.catalog)
        self._types_len = -1
        self._ensure_types()

    def _ensure_types(self) -> None:
        names = self.design.equipment.types.names
        if len(names) != self._types_len:
            self.types = TypeTable.build(names, self.catalog, oversubscription(self.design))
            self._types_len = len(names)

    def _sorted_rows(self) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
        """Rows in hall order (design order of halls, rows ascending) and each hall's slice."""
        t = self.design.equipment
        hall_rank = self._hall_index_of_rows()
        self._sorted_codes = t.hall_code.copy()
        order = np.argsort(hall_rank.astype(np.uint16 if len(self.design.halls) < 65535 else np.int64),
                           kind="stable")
        bounds = np.searchsorted(hall_rank[order], np.arange(len(self.design.halls) + 1))
        slices = {hall.id: (int(bounds[i]), int(bounds[i + 1])) for i, hall in enumerate(self.design.halls)}
        return order[:bounds[-1]], slices

    def _sorted_rows_after(self, change: Change) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
        """The hall order after an edit: unchanged when items only moved within their halls
        (rows and hall membership are the same), else sorted again."""
        t = self.design.equipment
        if change.kind == "moved" and len(t) == len(self._sorted_codes):
            rows = [t.index[i] for i in change.ids if i in t.index]
            if len(rows) == len(change.ids) and np.array_equal(t.hall_code[rows], self._sorted_codes[rows]):
                return self.order, self.slices
        return self._sorted_rows()

    def _evaluate(self, halls, rows, memory: HallMemory | None = None, tokens: frozenset = frozenset(),
                  runs: dict | None = None, moved: bool = False) -> GroupResult:
        return evaluate_group(self.design, self.types, self.settings, halls, rows, self.serving_memory,
                              self.options, memory, self._failed_now, tokens, runs, self.item_codes(), moved)

    def _evaluate_each(self, halls, tokens: frozenset) -> GroupResult:
        """Halls each evaluated alone, joined in order; each leaves its rules' run in
        :attr:`runs` for its single failures (the first hall of each kind: their trials
        then skip that run). In one thread: half of them in the worker thread made the
        1M-chip report's evaluation 5–25 ms slower (a few halls' Python-bound rules
        contending for the interpreter lock), the campus's and the draft's alike."""
        rows = [self.order[slice(*self.slices[h.id])] for h in halls]
        results = [self._evaluate([hall], r, None, tokens, self.runs) for hall, r in zip(halls, rows)]
        out, n = results[0], len(rows[0])
        for res, r in zip(results[1:], rows[1:]):
            out = join_results(out, res, n)
            n += len(r)
        return out

    # ------------------------------------------------------------------ API
    def refresh(self) -> Evaluation:
        """Re-evaluate everything (after site, hall or assumption changes)."""
        self._configure()
        self.memory = {}
        self.failures = {}
        self.runs = {}
        self.digests = {}
        self.lost_bound = {}
        self._failed_now = self.failed_rows
        self._busways = None
        self._fabric_memo = None
        self._fabric_static = None
        self._fabric_xy = None
        self._by_type_memo = None
        self._fabric_now = None
        self._fabric_report = None
        self._item_codes = None
        self._under = None
        self.failure_memo = {}
        self.order, self.slices = self._sorted_rows()
        self._distinct = None
        self.store = Store(self._evaluate_all(), self.slices, self.design.hall_ids())
        self.evaluation = self._with_resilience(self._combine(None))
        return self.evaluation

    def _with_resilience(self, evaluation: Evaluation) -> Evaluation:
        t = self.design.equipment
        if self._busways is None:  # (kept while edits only move items: the rows stay)
            rows = np.flatnonzero(self.types.kind[t.type_code] == BUSWAY)
            # a snapshot: the ids of the rows now, and which busways are on feed B
            self._busways = (rows, list(t.ids), feed_b_rows(t)[rows])
        evaluation.set_busways(*self._busways)
        self._power_chain(evaluation, self._busways[0])
        self._fabric(evaluation)
        if self.with_resilience:
            evaluation.resilience = res = self.resilience(evaluation)
            evaluation.add_violations(res.violations(self.design) + spine_redundancy(
                evaluation.fabric, self.design, declared_redundancy(self.design.site)["network"]))
        return evaluation

    def _power_chain(self, evaluation: Evaluation, busway_rows: np.ndarray) -> None:
        """The chain above the busways (load, losses, capacity) and the generators."""
        design = self.design
        power = evaluation.totals["power"]
        evaluation.chain = []
        if chain_of(design):
            position = np.full(len(design.equipment), -1, np.int64)
            position[self.order] = np.arange(len(self.order))
            placed = busway_rows[position[busway_rows] >= 0]   # (busways in a hall of the design)
            loads = self.store.column("load_kw")[position[placed]]
            ids = [evaluation.ids_snapshot[r] for r in placed]
            evaluation.chain = nodes = roll_up(design, self.catalog, dict(zip(ids, loads.tolist())))
            evaluation.add_violations(chain_violations(nodes))
            if design.site.pue_modelled:  # the modelled PUE counts the chain's losses
                add_facility_kw(evaluation.totals, sum(n.loss_kw for n in nodes))
        summary, found = generator_check(design, self.catalog, power["facility_demand_kw"],
                                         declared_redundancy(design.site)["power"])
        evaluation.generators = summary
        evaluation.add_violations(found)

    def _fabric(self, evaluation: Evaluation) -> None:
        """The scale-out fabric above the leaves (site level: leaf uplinks may go to a
        spine rack in any hall): ``evaluation.fabric``, ``totals["network"]``, fabric
        cables in ``totals["cables"]["by_medium"]``, ``fabric-capacity`` and
        ``cable-reach``. Kept while its inputs are unchanged (a drag rarely changes them)."""
        fab = self._current_fabric()
        evaluation.fabric = fab
        totals = evaluation.totals
        media = self._server_link_media(evaluation)
        kept = self._fabric_report
        if kept is not None and kept[0] is fab and np.array_equal(kept[1], media):
            network, violations, counts, metres = kept[2:]   # (a drag: the same fabric, the same report)
        else:
            network, violations = fabric_report(fab, self.design, self.settings, self.types, media)
            links = fab.links
            ok = links.medium >= 0
            counts = np.bincount(links.medium[ok], links.count[ok], minlength=len(self.settings.media))
            metres = np.bincount(links.medium[ok], links.count[ok] * links.length_m[ok],
                                 minlength=len(self.settings.media))
            self._fabric_report = (fab, media, network, violations, counts, metres)
        totals["network"] = dict(network)
        by_medium = totals["cables"]["by_medium"]
        for i, name in enumerate(self.settings.media):
            if counts[i] > 0:
                entry = by_medium[name]
                by_medium[name] = {"count": entry["count"] + int(round(float(counts[i]))),
                                   "metres": round(entry["metres"] + float(metres[i]), 3)}
        evaluation.add_violations(violations)

    def _current_fabric(self):
        """The fabric of the hall-local results stored now (kept while its inputs are the same;
        worked out once per evaluation)."""
        if self._fabric_now is not None:
            return self._fabric_now
        inputs = self._fabric_inputs()
        # (the parts kept since the last edit are the same objects: their bytes are kept too)
        before, kept = self._fabric_key_memo or ((), ())
        key = tuple(kept[i] if i < len(before) and a is before[i] else (a.tobytes() if isinstance(a, np.ndarray) else a)
                    for i, a in enumerate(inputs))
        self._fabric_key_memo = (inputs, key)
        if self._fabric_memo is None or self._fabric_memo[0] != key:
            fab = build_fabric(*inputs[:4], self.settings, *inputs[4:], memo=self._upper_links)
            self._fabric_memo = (key, fab)
        self._fabric_now = self._fabric_memo[1]
        return self._fabric_now

    def _server_link_media(self, evaluation: Evaluation) -> np.ndarray:
        """Scale-out (server → leaf) links per medium."""
        by_medium = evaluation.totals["cables"]["by_medium"]
        return np.array([by_medium[name]["count"] for name in self.settings.media], float)

    def _fabric_inputs(self) -> tuple:
        """What the fabric depends on: (endpoints, o, radix, port Gbps, leaves…, spines…)."""
        t = self.design.equipment
        if self._fabric_static is None:   # (kept while edits only move items: the rows stay)
            self._fabric_static = self._fabric_rows()
        (endpoints, radix, gbps, leaf_rows, spine_rows, lh, sh, ox, oy, tray, lpos, spos, switches,
         spine_radix) = self._fabric_static
        store = self.store
        used = store.gather("ports_used", lpos)
        up = store.gather("powered", spos) & store.gather("cooled", spos)
        if self._failed_now is not None:
            up = up & ~self._failed_now[spine_rows]
        if self._fabric_xy is None:   # (kept while edits move no network rack)
            self._fabric_xy = (np.column_stack([t.x[leaf_rows] + ox[lh], t.y[leaf_rows] + oy[lh]]),
                               np.column_stack([t.x[spine_rows] + ox[sh], t.y[spine_rows] + oy[sh]]),
                               tray[lh], tray[sh])
        lxy, sxy, ltray, stray = self._fabric_xy
        return (endpoints, oversubscription(self.design), radix, gbps,
                leaf_rows, lxy, lh, ltray, used, spine_rows, sxy, sh, stray, switches, up, spine_radix)

    def _moves_network(self, change: Change) -> bool:
        """Whether a move takes a network rack (a leaf or spine) somewhere else."""
        t = self.design.equipment
        rows = [t.index.get(i) for i in change.ids]
        if not rows or None in rows:
            return True
        return bool((self.types.kind[t.type_code[rows]] == NETWORK).any())

    def _fabric_rows(self) -> tuple:
        """The parts of the fabric's inputs that moving items leaves alone."""
        t = self.design.equipment
        types = self.types
        tc = t.type_code
        kind = types.kind[tc]
        hall_rank = self._hall_index_of_rows()
        in_design = hall_rank < len(self.design.halls)
        comp = np.flatnonzero((kind == COMPUTE) & in_design)
        endpoints = int(round(float((types.links_per_system[tc[comp]] / types.racks_per_system[tc[comp]]).sum())))
        net = (kind == NETWORK) & in_design
        leaf_rows = np.flatnonzero(net & ~types.spine[tc])
        spine_rows = np.flatnonzero(net & types.spine[tc])
        # the leaves' type sets the switch radix (the most common placed; the catalog's network-rack else)
        codes = tc[leaf_rows] if len(leaf_rows) else tc[spine_rows]
        if len(codes):
            code = int(np.bincount(codes).argmax())
            radix, gbps = int(types.radix[code]), float(self.catalog.types[types.names[code]].get("port_gbps"))
        else:
            spec = self.catalog.types.get("network-rack")
            radix, gbps = (int(spec.get("switch_radix")), float(spec.get("port_gbps"))) if spec else (64, 800.0)
        offsets = self.design.hall_offsets()
        halls = self.design.halls
        ox = np.array([offsets[h.id][0] for h in halls] + [0.0])
        oy = np.array([offsets[h.id][1] for h in halls] + [0.0])
        tray = np.array([h.tray_drop_m if h.tray_drop_m is not None else self.settings.tray_drop_m for h in halls]
                        + [self.settings.tray_drop_m])
        position = np.full(len(t), -1, np.int64)
        position[self.order] = np.arange(len(self.order))
        return (endpoints, radix, gbps, leaf_rows, spine_rows, hall_rank[leaf_rows], hall_rank[spine_rows], ox, oy,
                tray, position[leaf_rows], position[spine_rows], types.switches[tc[spine_rows]].astype(np.int64),
                np.where(types.radix[tc[spine_rows]] > 0, types.radix[tc[spine_rows]], radix).astype(np.int64))

    def _evaluate_all(self) -> GroupResult:
        """Every hall, each kind of hall once (:mod:`designer.engine.alike`): halls alike
        take the results of the first of their kind. Where that hall breaks rules, it is
        evaluated with tokens for names and each hall alike gets the violations in its own
        names (:mod:`designer.engine.templates`); a hall the templates do not fit exactly
        is evaluated on its own."""
        halls, order = self.design.halls, self.order
        if len(halls) < 2 or not self.options.alike_halls:
            return self._evaluate_halls(halls, order)
        design = self.design
        loops, feeds = self.item_codes()
        failed = self._failed_now
        rows = [order[slice(*self.slices[h.id])] for h in halls]
        keys = hall_digests(design, halls, rows, loops, feeds, failed)
        self.digests = {h.id: key for h, key in zip(halls, keys)}
        first_of: dict[bytes, int] = {}
        for i, key in enumerate(keys):
            first_of.setdefault(key, i)
        if len(first_of) == len(halls):
            return self._evaluate_halls(halls, order)
        firsts = sorted(first_of.values())
        kind_size = Counter(keys)
        shared = shared_systems(design)
        tokenised = {i for i in firsts if kind_size[keys[i]] > 1 and templatable(design, halls[i], rows[i], shared)}
        tokens = frozenset(halls[i].id for i in tokenised)
        if self.with_resilience:   # (each alone: its run is the base of its single failures)
            res = self._evaluate_each([halls[i] for i in firsts], tokens)
        else:
            res = self._evaluate_halls([halls[i] for i in firsts], self._rows_of_halls([halls[i] for i in firsts]),
                                       tokens)
        written, own = write_alike(design, halls, rows, keys, first_of, tokenised, shared, res.violations)
        first_set = set(firsts)
        parts = [(res, {halls[i].id: k for k, i in enumerate(firsts)})]
        if own:
            res_own = self._evaluate_halls([halls[i] for i in own], self._rows_of_halls([halls[i] for i in own]))
            parts.append((res_own, {halls[i].id: k for k, i in enumerate(own)}))
        own_ids = {halls[i].id for i in own}
        sources = [h.id if h.id in own_ids or i in first_set else halls[first_of[keys[i]]].id
                   for i, h in enumerate(halls)]
        return replicated(halls, sources, parts, self.slices, written)

    def _rows_of_halls(self, halls) -> np.ndarray:
        return np.concatenate([self.order[slice(*self.slices[h.id])] for h in halls])

    def _evaluate_halls(self, halls, order, tokens: frozenset = frozenset()) -> GroupResult:
        """Halls in one group, or (a large design, on a machine with several cores) two
        groups of about equal size evaluated at once and joined. A hall's result does not
        depend on the other halls of its group, so the two give the same evaluation.
        ``tokens``: the halls whose messages name things by tokens (templates.py)."""
        if len(order) < self.options.parallel_min_items or len(halls) < 2 or (os.cpu_count() or 1) < 2:
            return self._evaluate(halls, order, None, tokens)
        sizes = np.array([self.slices[h.id][1] - self.slices[h.id][0] for h in halls])
        ends = np.cumsum(sizes)
        k = int(np.clip(np.searchsorted(ends, len(order) / 2), 1, len(halls) - 1))
        cut = int(ends[k - 1])
        first = _Task(self._evaluate, halls[:k], order[:cut], None, tokens)
        second = self._evaluate(halls[k:], order[cut:], None, tokens)
        return join_results(first.result(), second, cut)

    def apply(self, change: Change) -> Evaluation:
        """Update the evaluation after an edit; only the halls the edit touched are redone.

        Item edits (``moved``, ``added``, ``removed``, ``updated``) must name the halls
        they touched, before and after; anything else re-evaluates the whole design.
        """
        if change.kind not in ITEM_CHANGES or not change.halls:
            return self.refresh()
        known = set(self.slices)
        if any(h not in known for h in change.halls) or set(self.design.hall_ids()) != known:
            return self.refresh()
        self._ensure_types()
        self._failed_now = self.failed_rows
        if change.kind != "moved":
            self._item_codes = None   # (a move keeps every item's loop and feed)
        self._under = None
        self._fabric_now = None
        if len(self.failure_memo) > 256:
            self.failure_memo.clear()
        order, slices = self._sorted_rows_after(change)
        if order is not self.order or change.kind != "moved":
            self._distinct = None  # rows changed: count the UltraServers again
            self._busways = None
            self._fabric_static = None
            self._fabric_xy = None
            self._fabric_report = None   # (its messages name items: ids may have changed)
        elif self._moves_network(change):
            self._fabric_xy = None   # a leaf or spine rack moved: the fabric's positions
        # the per-item table of the evaluation before: the new one patches the touched halls
        previous = self.evaluation if order is self.order else None
        touched = list(dict.fromkeys(change.halls))
        for hall_id in touched:
            lo, hi = slices[hall_id]
            res = self._evaluate([self.design.hall(hall_id)], order[lo:hi], self.memory.get(hall_id),
                                 moved=change.kind == "moved")
            self.memory[hall_id] = res.memory
            self.failures.pop(hall_id, None)
            self.runs.pop(hall_id, None)
            self.digests.pop(hall_id, None)
            self.store.splice(hall_id, res)
        self.order, self.slices = order, slices
        if self.store.slices != self.slices:
            return self.refresh()  # a hall's size changed without being named: stay correct
        patch = None
        if previous is not None and previous.patchable and previous.items_built:  # (no chain of evaluations)
            patch = (previous.items, touched)
        self.evaluation = self._with_resilience(self._combine(patch))
        return self.evaluation

    # ------------------------------------------------------------------ site level
    def _combine(self, patch) -> Evaluation:
        """Site totals from the per-hall sums (O(halls)); the item-level path only when
        something crosses halls: an UltraServer split across halls, or a utility feed too
        small for the site."""
        design = self.design
        site = design.site
        sums = self.store.sums
        tot = dict(zip(HALL_SUMS, sums.table.sum(axis=0))) if len(sums.table) else dict.fromkeys(HALL_SUMS, 0.0)
        # what the site would draw with every rack powered (checked against the utility feed),
        # and what it draws: energy, cost, CO₂ and PFLOPS per MW count only supplied power
        facility_kw = facility_power_kw(self.design, self.settings, tot["it_kw"], tot["liquid_kw"], tot["air_kw"])
        supplied_kw = facility_power_kw(self.design, self.settings, tot["it_powered_kw"], tot["liquid_powered_kw"],
                                        tot["air_powered_kw"])
        t = design.equipment
        if self._distinct is None:  # UltraServers (system ids) in the design; moves keep it
            comp = self.types.kind[t.type_code] == COMPUTE
            self._distinct = int(np.count_nonzero(np.bincount(t.system_code[comp]))) if comp.any() else 0
        if (tot["ultraservers"] > self._distinct + 0.5 or facility_kw > site.utility_capacity_kw + 1e-9
                or partitioned(self._current_fabric())):
            return self._combine_items()
        found = [self.store.violations.get(hall.id, ()) for hall in design.halls]
        peak = {key: tot[f"peak.{key}"] for key in SYSTEM_KEYS}
        eff = {key: tot[f"effective.{key}"] for key in SYSTEM_KEYS}
        cables = (sums.media_count.sum(axis=0), sums.media_metres.sum(axis=0),
                  float(sums.longest_m.max(initial=0.0)), float(sums.worst_latency_ns.max(initial=0.0)), tot["links"])
        totals = site_totals(self.design, self.settings, tot["it_kw"], tot["it_powered_kw"], tot["liquid_kw"],
                             tot["air_kw"], (supplied_kw, facility_kw),
                             int(round(tot["unpowered_items"])), int(round(tot["uncooled_items"])),
                             tot["chips"], int(round(tot["ultraservers"])), int(round(tot["racks"])),
                             int(round(tot["stranded_ultraservers"])), peak, eff, cables,
                             self._throughput_by_type_kept(sums.by_type.sum(axis=0)))
        halls = HallTable(design.hall_ids(), sums.table.copy())
        return Evaluation(self.settings.media, totals, [], self._item_table_factory(patch), halls,
                          patchable=True, parts=found)

    def _item_table_factory(self, patch):
        """A closure building the per-item table from the current stored results: from
        scratch, or (after items moved within their halls) by patching the touched halls'
        rows into the previous evaluation's table."""
        order, store = self.order, self.store
        view = store.snapshot()   # (the parts as they are now: later splices leave it alone)
        link_parts = (dict(store.links), list(store.hall_ids), [store.slices[h] for h in store.hall_ids])
        t = self.design.equipment
        tc, sys_code, n_sys = t.type_code.copy(), t.system_code.copy(), len(t.systems.names)
        types = self.types

        def build() -> ItemTable:
            links = joined_links(*link_parts)
            if patch is not None:
                previous, touched = patch
                parts = [(*view.slices[h], view.part(h)) for h in touched]
                return patch_items(previous, parts, order, links, tc, sys_code, n_sys, types)
            return scatter(order, view.items, links, tc, sys_code, n_sys, types)

        return build

    def _combine_items(self) -> Evaluation:
        """Item-level combination (cross-hall UltraServers, binding utility feed)."""
        design = self.design
        t = design.equipment
        types = self.types
        st = self.settings
        site = design.site
        items = scatter(self.order, self.store.items, self.store.joined_links(), t.type_code, t.system_code,
                         len(t.systems.names), types)
        flags, powered, cooled, link_down = items.flags, items.powered, items.cooled, items.link_down
        tc = t.type_code
        found = [self.store.violations.get(hall.id, ()) for hall in design.halls]
        violations: list[Violation] = []   # (the site's)
        it = items.it_kw
        lf = types.liquid_fraction[tc]
        pue_item = (lf * st.pue_liquid + (1 - lf) * st.pue_air) if site.pue_modelled else np.full(len(t), float(site.pue))
        facility_item = it * pue_item
        facility_kw = float(facility_item.sum())
        hall_table = self.store.sums.table.copy()
        # site utility: served in hall order, then file order; beyond the feed is unpowered
        on = self.order[powered[self.order] & (it[self.order] > 0)]
        over = on[np.cumsum(facility_item[on]) > site.utility_capacity_kw + 1e-9]
        if len(over):
            powered[over] = False
            flags["unpowered"][over] = True
            violations.append(Violation("power-capacity", ("site",),
                                        f"the site needs {fmt_kw(facility_kw)} of facility power, over its "
                                        f"{fmt_kw(site.utility_capacity_kw)} utility feed; {len(over)} item(s) "
                                        f"left unpowered", "", 0.0, 0.0))
            for r in over:
                violations.append(Violation("unpowered", (t.ids[r],), f"{t.ids[r]} is beyond the site's "
                                            f"{fmt_kw(site.utility_capacity_kw)} utility feed",
                                            t.halls[int(t.hall_code[r])], float(t.x[r]), float(t.y[r])))
            # racks cabled to a network rack the feed leaves dark lose their scale-out links
            dark = np.zeros(len(t), bool)
            dark[over] = True
            link_down[items.links.rack[dark[items.links.network]]] = True
        if partitioned(self._current_fabric()):
            # spine racks placed, none working: the leaves cannot reach each other, every
            # rack's scale-out links are cut
            link_down[items.links.rack] = True
        # UltraServers split across halls: scale-up cables cannot leave a hall
        comp = np.flatnonzero(types.kind[tc] == COMPUTE)
        n_sys = len(t.systems.names)
        sc = t.system_code[comp]
        if len(comp):
            hmin = np.full(n_sys, np.iinfo(np.int64).max)
            hmax = np.full(n_sys, -1)
            np.minimum.at(hmin, sc, t.hall_code[comp])
            np.maximum.at(hmax, sc, t.hall_code[comp])
            for code in np.flatnonzero((hmax >= 0) & (hmin != hmax)):
                members = comp[sc == code]
                flags["scaleup-reach"][members] = True
                r0 = members[0]
                violations.append(Violation("scaleup-reach", tuple(t.ids[m] for m in members),
                                            f"UltraServer {t.systems[int(code)]} is split across halls; "
                                            f"scale-up cables stay within {st.scaleup_max_m:.1f} m",
                                            t.halls[int(t.hall_code[r0])], float(t.x[r0]), float(t.y[r0])))
        status = status_of(flags, powered, cooled)
        effective_sys = effective_systems(sc, stranded_items(flags, powered, cooled, link_down)[comp], n_sys)
        present = np.bincount(sc, minlength=n_sys) > 0
        eff_rack = effective_sys[sc]
        rps = types.racks_per_system[tc[comp]].astype(float)
        peak, eff = {}, {}
        for fig, key, div in SYSTEM_FIGURES:
            share = types.system[fig][tc[comp]] / rps
            peak[key] = float(share.sum()) / div
            eff[key] = float(share[eff_rack].sum()) / div
        chips = float((types.chips[tc[comp]] / rps).sum())
        first = np.unique(sc, return_index=True)[1]  # each system's first rack (position in comp)
        by_type = by_type_sums(np.zeros(len(comp), np.int64), tc[comp], rps, eff_rack, first,
                               effective_sys[sc[first]], types, 1)[0]
        links = items.links
        ok = links.medium >= 0
        m = len(st.media)
        counts = np.bincount(links.medium[ok], links.count[ok], minlength=m)
        metres = np.bincount(links.medium[ok], links.count[ok] * links.length_m[ok], minlength=m)
        longest = float(links.length_m.max()) if len(links.length_m) else 0.0
        lat = links.length_m[ok] * st.lat_m[links.medium[ok]] + st.lat_fixed[links.medium[ok]]
        worst = float(lat.max()) if len(lat) else 0.0
        totals = site_totals(self.design, self.settings, float(it.sum()), float(it[powered].sum()),
                             float(items.liquid_kw.sum()), float(items.air_kw.sum()),
                             (float(facility_item[powered].sum()), facility_kw), int(((~powered) & (it > 0)).sum()),
                             int((~cooled).sum()), chips, int(present.sum()), int(len(comp)),
                             int((present & ~effective_sys).sum()), peak, eff,
                             (counts, metres, longest, worst, float(links.count.sum())),
                             self._throughput_by_type_kept(by_type))
        items = replace(items, status=status, system_effective=effective_sys)
        # the halls' powered load after the utility feed, and the site-level violations
        hall_of = self._hall_index_of_rows()
        h = len(design.halls)
        hall_table[:, HALL_SUMS.index("it_powered_kw")] = np.bincount(hall_of, it * powered, minlength=h + 1)[:h]
        hall_table[:, HALL_SUMS.index("unpowered_items")] = np.bincount(hall_of, (~powered) & (it > 0),
                                                                          minlength=h + 1)[:h]
        errors, warnings = _severity_counts_by_hall([*found, violations], design.hall_ids())
        hall_table[:, HALL_SUMS.index("errors")] = errors
        hall_table[:, HALL_SUMS.index("warnings")] = warnings
        return Evaluation(st.media, totals, [], items, HallTable(design.hall_ids(), hall_table),
                          parts=[*found, violations])

    def _hall_index_of_rows(self) -> np.ndarray:
        """Each row's hall index in design order (halls beyond the design's: len(halls))."""
        t = self.design.equipment
        rank = np.full(len(t.halls.names) + 1, len(self.design.halls), np.int64)
        for i, hall in enumerate(self.design.halls):
            code = t.halls.codes.get(hall.id)
            if code is not None:
                rank[code] = i
        return rank[t.hall_code]

    def _throughput_by_type_kept(self, by_type) -> dict:
        """:func:`totals.throughput_by_type`, kept while the sums by type stay the same (a move
        rarely changes them). The dicts are shared by the evaluations: nothing writes them."""
        key = (self.types, None if by_type is None else by_type.tobytes())
        kept = self._by_type_memo
        if kept is None or kept[0][0] is not key[0] or kept[0][1] != key[1]:
            kept = self._by_type_memo = (key, throughput_by_type(self.types, self.catalog, by_type))
        return kept[1]

class _Task:
    """``fn(*args)`` run in a thread of the engine's own while the caller goes on;
    :meth:`result` waits for it and returns its value (or raises its exception). A thread
    per task (tens of µs to start) spares the report process importing
    ``concurrent.futures`` and ``logging`` (about 6 ms) for the one or two tasks it runs."""

    def __init__(self, fn, *args) -> None:
        self._fn, self._args = fn, args
        self._value = self._error = None
        self._thread = threading.Thread(target=self._run, name="designer-engine", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as exc:  # noqa: BLE001 (raised again in the caller's thread)
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _severity_counts_by_hall(parts: list, hall_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per hall: the errors and the warnings among the violations (in parts)."""
    index = {h: i for i, h in enumerate(hall_ids)}
    errors = np.zeros(len(hall_ids))
    total = np.zeros(len(hall_ids))
    for part in parts:
        if isinstance(part, Written):   # (one hall's, counted without writing them)
            i = index.get(part.hall.id)
            if i is not None:
                errors[i] += part.errors
                total[i] += len(part)
            continue
        for v in part:
            i = index.get(v.hall)
            if i is not None:
                errors[i] += v.severity == "error"
                total[i] += 1
    return errors, total - errors


def evaluate(design: Design, catalog: Catalog | None = None, options: EngineOptions = DEFAULT_OPTIONS,
             failed: Iterable[str] = (), resilience: bool = False) -> Evaluation:
    """Evaluate a design from scratch (the design's assumption overrides are applied), with
    ``failed`` items taken as failed, and every single failure tried when ``resilience``."""
    return Evaluator(design, catalog, options, failed, resilience).evaluation
