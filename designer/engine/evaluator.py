"""Design → Evaluation: power, cooling, interconnect reach, throughput and rules.

Hall-local work (geometry, busways, cooling units, network racks) is done by
:func:`rules.evaluate_group` over all halls at once; the site-level step combines it
(utility feed, UltraServers split across halls, throughput, totals). :class:`Evaluator`
keeps the hall-local results in hall-sorted order (:class:`_Store`) so that an edit
re-evaluates only the halls it touched and splices their slice in; the combination is a
handful of O(n) numpy passes.
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from typing import Iterable

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.engine.evaluation import (HALL_FLAGS, HALL_SUMS, SEVERITY, STATUS_ERROR, STATUS_OK, STATUS_WARNING,
                                        SYSTEM_KEYS, Evaluation, HallTable, ItemTable, Links, Violation)
from designer.engine.group import feed_b_rows, fmt_kw
from designer.engine.options import DEFAULT_OPTIONS, EngineOptions
from designer.engine.power_chain import busways_under, chain_of, chain_violations, generator_check, roll_up
from designer.engine.resilience import Resilience, SingleFailure, declared_redundancy, hall_failures, order_failures
from designer.engine.rules import GroupResult, HallMemory, HallSums, ItemColumns, evaluate_group
from designer.engine.rules.interconnect import LinkRuns
from designer.engine.rules.throughput import effective_systems, stranded_items
from designer.engine.settings import Settings
from designer.engine.types import BUSWAY, COMPUTE, SYSTEM_FIGURES, TypeTable
from designer.model.design import ITEM_CHANGES, Change, Design

HOURS_PER_YEAR = 8760.0
#: Air: ρ = 1.2 kg/m³, cp = 1,005 J/(kg·K) (hardware.md §6, D23) → m³/h = W·3600 / (ρ·cp·ΔT).
AIR_RHO_KG_M3 = 1.2
AIR_CP_J_KG_K = 1005.0


class _Store:
    """The hall-local results of every hall, in hall-sorted order: per-item columns,
    each hall's cable runs (positions within the hall), violations and sums (rows in
    design order of halls), and each hall's slice of the order."""

    def __init__(self, res: GroupResult, slices: dict[str, tuple[int, int]], hall_ids: list[str]):
        self.items = res.items
        self.slices = dict(slices)
        self.links = _links_by_hall(res.links, [slices[h] for h in hall_ids], hall_ids)
        self.violations = res.violations
        self.sums = res.sums
        self.hall_ids = list(hall_ids)

    def splice(self, hall_id: str, res: GroupResult) -> None:
        """Replace one hall's results (a group of that hall alone)."""
        lo, hi = self.slices[hall_id]
        delta = len(res.items.powered) - (hi - lo)

        def splice(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            # a new array, never in place: earlier evaluations' per-item views keep theirs
            if delta == 0:
                out = old.copy()
                out[..., lo:hi] = new
                return out
            return np.concatenate([old[..., :lo], new, old[..., hi:]], axis=-1)

        columns = {}
        for name in self.items.names():
            old, new = getattr(self.items, name), getattr(res.items, name)
            if name in ItemColumns.POSITIONS:
                new = np.where(new >= 0, new + lo, -1)
                if delta:
                    old = np.where(old >= hi, old + delta, old)
            columns[name] = splice(old, new)
        self.items = ItemColumns(**columns)
        self.links[hall_id] = res.links  # positions within the hall (a group of one)
        self.violations[hall_id] = res.violations[hall_id]
        h = self.hall_ids.index(hall_id)
        for name in self.sums.names():
            getattr(self.sums, name)[h] = getattr(res.sums, name)[0]
        for other, (a, b) in list(self.slices.items()):
            if other == hall_id:
                self.slices[other] = (lo, hi + delta)
            elif a >= hi:
                self.slices[other] = (a + delta, b + delta)

    def joined_links(self) -> LinkRuns:
        """Every hall's cable runs in hall order, positions in the hall-sorted order."""
        return _joined_links(dict(self.links), self.hall_ids, [self.slices[h] for h in self.hall_ids])


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
        self.evaluation = self.refresh()

    @property
    def failed_rows(self) -> np.ndarray | None:
        """Per design row: taken as failed (None when nothing is)."""
        if not self.failed_ids:
            return None
        t = self.design.equipment
        out = np.zeros(len(t), bool)
        under = busways_under(self.design)   # a power-chain node fails the busways it feeds
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

    def hall_failures(self, hall_id: str) -> list[SingleFailure]:
        """Every single failure of one hall's components (kept until an edit touches the
        hall): for a caller that spreads the work over several event-loop turns."""
        if hall_id not in self.failures:
            self.failures[hall_id] = hall_failures(self, hall_id)
        return self.failures[hall_id]

    def resilience(self, evaluation: Evaluation | None = None) -> Resilience:
        """Every single failure of the design as it is now (halls an edit did not touch keep
        their last results), beyond what ``evaluation`` (default: the latest) strands."""
        todo = [h.id for h in self.design.halls if h.id not in self.failures]
        if len(todo) > 1 and len(self.order) >= self.options.parallel_min_items and (os.cpu_count() or 1) >= 2:
            # halls are independent: half of them in the engine's worker thread
            half = todo[:len(todo) // 2]
            first = _worker().submit(lambda: {h: hall_failures(self, h) for h in half})
            self.failures.update({h: hall_failures(self, h) for h in todo[len(half):]})
            self.failures.update(first.result())
        else:
            for hall_id in todo:
                self.failures[hall_id] = hall_failures(self, hall_id)
        found = [f for hall in self.design.halls for f in self.failures[hall.id]]
        evaluation = evaluation if evaluation is not None else self.evaluation
        t = self.design.equipment
        effective = evaluation.items.system_effective
        site_stranded = {t.systems[int(s)] for s in np.flatnonzero(~effective[:len(t.systems.names)])}
        return Resilience(order_failures(found, self.design, site_stranded), declared_redundancy(self.design.site))

    # ------------------------------------------------------------------ setup
    def _configure(self) -> None:
        self.catalog = self.base_catalog.with_overrides(self.design.assumptions)
        self.settings = Settings.from_catalog(self.catalog)
        self._types_len = -1
        self._ensure_types()

    def _ensure_types(self) -> None:
        names = self.design.equipment.types.names
        if len(names) != self._types_len:
            self.types = TypeTable.build(names, self.catalog)
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

    def _evaluate(self, halls, rows, memory: HallMemory | None = None) -> GroupResult:
        return evaluate_group(self.design, self.types, self.settings, halls, rows, self.serving_memory,
                              self.options, memory, self._failed_now)

    # ------------------------------------------------------------------ API
    def refresh(self) -> Evaluation:
        """Re-evaluate everything (after site, hall or assumption changes)."""
        self._configure()
        self.memory = {}
        self.failures = {}
        self._failed_now = self.failed_rows
        self._busways = None
        self.order, self.slices = self._sorted_rows()
        self._distinct = None
        self.store = _Store(self._evaluate_all(), self.slices, self.design.hall_ids())
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
        if self.with_resilience:
            evaluation.resilience = res = self.resilience(evaluation)
            evaluation.violations = evaluation.violations + res.violations(self.design)
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
            loads = self.store.items.load_kw[position[placed]]
            ids = [evaluation.ids_snapshot[r] for r in placed]
            evaluation.chain = nodes = roll_up(design, self.catalog, dict(zip(ids, loads.tolist())))
            evaluation.violations = evaluation.violations + chain_violations(nodes)
            if design.site.pue_modelled:  # the modelled PUE counts the chain's losses
                _add_facility_kw(evaluation.totals, sum(n.loss_kw for n in nodes))
        summary, found = generator_check(design, self.catalog, power["facility_demand_kw"],
                                         declared_redundancy(design.site)["power"])
        evaluation.generators = summary
        evaluation.violations = evaluation.violations + found

    def _evaluate_all(self) -> GroupResult:
        """Every hall: one group, or (a large design, on a machine with several cores) two
        groups of about equal size evaluated at once and joined. A hall's result does not
        depend on the other halls of its group, so the two give the same evaluation."""
        halls, order = self.design.halls, self.order
        if len(order) < self.options.parallel_min_items or len(halls) < 2 or (os.cpu_count() or 1) < 2:
            return self._evaluate(halls, order)
        ends = np.array([self.slices[h.id][1] for h in halls])
        k = int(np.clip(np.searchsorted(ends, len(order) / 2), 1, len(halls) - 1))
        cut = int(ends[k - 1])
        first = _worker().submit(self._evaluate, halls[:k], order[:cut])
        second = self._evaluate(halls[k:], order[cut:])
        return _join(first.result(), second, cut)

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
        order, slices = self._sorted_rows_after(change)
        if order is not self.order or change.kind != "moved":
            self._distinct = None  # rows changed: count the UltraServers again
            self._busways = None
        # the per-item table of the evaluation before: the new one patches the touched halls
        previous = self.evaluation if order is self.order else None
        touched = list(dict.fromkeys(change.halls))
        for hall_id in touched:
            lo, hi = slices[hall_id]
            res = self._evaluate([self.design.hall(hall_id)], order[lo:hi], self.memory.get(hall_id))
            self.memory[hall_id] = res.memory
            self.failures.pop(hall_id, None)
            self.store.splice(hall_id, res)
        self.order, self.slices = order, slices
        if self.store.slices != self.slices:
            return self.refresh()  # a hall's size changed without being named: stay correct
        patch = None
        if previous is not None and previous.patchable and previous.items_built:  # (no chain of evaluations)
            patch = (previous.items, [self.slices[h] for h in touched])
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
        facility_kw = self._facility_kw(tot["it_kw"], tot["liquid_kw"], tot["air_kw"])
        supplied_kw = self._facility_kw(tot["it_powered_kw"], tot["liquid_powered_kw"], tot["air_powered_kw"])
        t = design.equipment
        if self._distinct is None:  # UltraServers (system ids) in the design; moves keep it
            comp = self.types.kind[t.type_code] == COMPUTE
            self._distinct = int(np.count_nonzero(np.bincount(t.system_code[comp]))) if comp.any() else 0
        if tot["ultraservers"] > self._distinct + 0.5 or facility_kw > site.utility_capacity_kw + 1e-9:
            return self._combine_items()
        violations: list[Violation] = []
        for hall in design.halls:
            violations.extend(self.store.violations.get(hall.id, ()))
        peak = {key: tot[f"peak.{key}"] for key in SYSTEM_KEYS}
        eff = {key: tot[f"effective.{key}"] for key in SYSTEM_KEYS}
        cables = (sums.media_count.sum(axis=0), sums.media_metres.sum(axis=0),
                  float(sums.longest_m.max(initial=0.0)), float(sums.worst_latency_ns.max(initial=0.0)), tot["links"])
        totals = self._totals(tot["it_kw"], tot["it_powered_kw"], tot["liquid_kw"], tot["air_kw"],
                              (supplied_kw, facility_kw),
                              int(round(tot["unpowered_items"])), int(round(tot["uncooled_items"])),
                              tot["chips"], int(round(tot["ultraservers"])), int(round(tot["racks"])),
                              int(round(tot["stranded_ultraservers"])), peak, eff, cables)
        halls = HallTable(design.hall_ids(), sums.table.copy())
        return Evaluation(self.settings.media, totals, violations, self._item_table_factory(patch), halls,
                          patchable=True)

    def _facility_kw(self, it_kw: float, liquid_kw: float, air_kw: float) -> float:
        site = self.design.site
        if site.pue_modelled:
            # partial PUEs of liquid- and air-cooled load, weighted by heat (D22)
            return liquid_kw * self.settings.pue_liquid + air_kw * self.settings.pue_air
        return it_kw * float(site.pue)

    def _item_table_factory(self, patch):
        """A closure building the per-item table from the current stored results: from
        scratch, or (after items moved within their halls) by patching the touched halls'
        rows into the previous evaluation's table."""
        order, columns, store = self.order, self.store.items, self.store
        link_parts = (dict(store.links), list(store.hall_ids), [store.slices[h] for h in store.hall_ids])
        t = self.design.equipment
        tc, sys_code, n_sys = t.type_code.copy(), t.system_code.copy(), len(t.systems.names)
        types = self.types

        def build() -> ItemTable:
            links = _joined_links(*link_parts)
            if patch is not None:
                return _patch(*patch, order, columns, links, tc, sys_code, n_sys, types)
            return _scatter(order, columns, links, tc, sys_code, n_sys, types)

        return build

    def _combine_items(self) -> Evaluation:
        """Item-level combination (cross-hall UltraServers, binding utility feed)."""
        design = self.design
        t = design.equipment
        types = self.types
        st = self.settings
        site = design.site
        items = _scatter(self.order, self.store.items, self.store.joined_links(), t.type_code, t.system_code,
                         len(t.systems.names), types)
        flags, powered, cooled, link_down = items.flags, items.powered, items.cooled, items.link_down
        tc = t.type_code
        violations: list[Violation] = []
        for hall in design.halls:
            violations.extend(self.store.violations.get(hall.id, ()))
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
        status = _status(flags, powered, cooled)
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
        links = items.links
        ok = links.medium >= 0
        m = len(st.media)
        counts = np.bincount(links.medium[ok], links.count[ok], minlength=m)
        metres = np.bincount(links.medium[ok], links.count[ok] * links.length_m[ok], minlength=m)
        longest = float(links.length_m.max()) if len(links.length_m) else 0.0
        lat = links.length_m[ok] * st.lat_m[links.medium[ok]] + st.lat_fixed[links.medium[ok]]
        worst = float(lat.max()) if len(lat) else 0.0
        totals = self._totals(float(it.sum()), float(it[powered].sum()), float(items.liquid_kw.sum()),
                              float(items.air_kw.sum()), (float(facility_item[powered].sum()), facility_kw),
                              int(((~powered) & (it > 0)).sum()),
                              int((~cooled).sum()), chips, int(present.sum()), int(len(comp)),
                              int((present & ~effective_sys).sum()), peak, eff,
                              (counts, metres, longest, worst, float(links.count.sum())))
        items = replace(items, status=status, system_effective=effective_sys)
        # the halls' powered load after the utility feed, and the site-level violations
        hall_of = self._hall_index_of_rows()
        h = len(design.halls)
        hall_table[:, HALL_SUMS.index("it_powered_kw")] = np.bincount(hall_of, it * powered, minlength=h + 1)[:h]
        hall_table[:, HALL_SUMS.index("unpowered_items")] = np.bincount(hall_of, (~powered) & (it > 0),
                                                                          minlength=h + 1)[:h]
        errors, warnings = _severity_counts_by_hall(violations, design.hall_ids())
        hall_table[:, HALL_SUMS.index("errors")] = errors
        hall_table[:, HALL_SUMS.index("warnings")] = warnings
        return Evaluation(st.media, totals, violations, items, HallTable(design.hall_ids(), hall_table))

    def _hall_index_of_rows(self) -> np.ndarray:
        """Each row's hall index in design order (halls beyond the design's: len(halls))."""
        t = self.design.equipment
        rank = np.full(len(t.halls.names) + 1, len(self.design.halls), np.int64)
        for i, hall in enumerate(self.design.halls):
            code = t.halls.codes.get(hall.id)
            if code is not None:
                rank[code] = i
        return rank[t.hall_code]

    def _totals(self, it_kw, it_powered_kw, liquid_kw, air_kw, facility, unpowered, uncooled, chips,
                ultraservers, racks, stranded, peak, eff, cables) -> dict:
        """The report's totals (PRODUCT.md §5 keys plus a few more). ``facility`` is (what
        the site draws, what it would draw with every rack powered)."""
        design = self.design
        st = self.settings
        site = design.site
        counts, metres, longest, worst, n_links = cables
        facility_kw, facility_demand_kw = facility
        pue = (facility_kw / it_powered_kw if it_powered_kw > 0 else
               (st.pue_liquid if site.pue_modelled else float(site.pue)))
        annual_mwh = facility_kw * HOURS_PER_YEAR / 1000.0

        def r6(v: float) -> float:
            return round(float(v), 6)

        facility_mw = facility_kw / 1000.0
        coolant = str(site.extra.get("coolant", "water"))
        cp, density = st.coolants.get(coolant, st.coolants["water"])
        return {
            "name": design.name,
            "chips": int(round(chips)),
            "ultraservers": int(ultraservers),
            "racks": int(racks),
            "equipment": len(design.equipment),
            "halls": len(design.halls),
            "power": {
                "it_kw": r6(it_kw),
                "it_powered_kw": r6(it_powered_kw),
                "facility_kw": r6(facility_kw),
                "facility_demand_kw": r6(facility_demand_kw),
                "pue": r6(pue),
                "pue_mode": "modelled" if site.pue_modelled else "fixed",
                "utility_capacity_kw": r6(site.utility_capacity_kw),
                "annual_mwh": r6(annual_mwh),
                "annual_cost": r6(annual_mwh * 1000.0 * site.electricity_price_per_kwh),
                "currency": site.currency,
                "annual_co2_t": r6(annual_mwh * site.grid_kg_co2_per_kwh),
                "unpowered_items": int(unpowered),
            },
            "cooling": {
                "liquid_kw": r6(liquid_kw),
                "air_kw": r6(air_kw),
                # Q = ṁ·cp·ΔT: L/min = kW·60 / (cp·ρ·ΔT), water 4.186 kJ/(kg·K) at 1 kg/L (D24),
                # PG25 3.94 kJ/(kg·K) at 1.019 kg/L (hardware.md §7)
                "coolant": coolant,
                "coolant_lpm": r6(liquid_kw * 60.0 / (cp * density * st.dt_liquid)),
                # V̇ = P / (ρ·cp·ΔT), ρ = 1.2 kg/m³, cp = 1,005 J/(kg·K) (hardware.md §6, D23)
                "airflow_m3h": r6(air_kw * 1000.0 * 3600.0 / (AIR_RHO_KG_M3 * AIR_CP_J_KG_K * st.dt_air)),
                "delta_t_liquid_k": st.dt_liquid,
                "delta_t_air_k": st.dt_air,
                "uncooled_items": int(uncooled),
            },
            "throughput": {
                "peak": {k: r6(v) for k, v in peak.items()},
                "effective": {k: r6(v) for k, v in eff.items()},
                "stranded_ultraservers": int(stranded),
                "pflops_per_mw": r6(eff["mxfp8_pflops"] / facility_mw) if facility_mw > 0 else 0.0,
            },
            "cables": {
                "by_medium": {name: {"count": int(round(float(counts[i]))), "metres": round(float(metres[i]), 3)}
                              for i, name in enumerate(st.media)},
                "links": int(round(float(n_links))),
                "longest_m": r6(longest),
                "worst_latency_ns": r6(worst),
            },
        }


_WORKER = None


def _add_facility_kw(totals: dict, kw: float) -> None:
    """Add load to the facility power (the chain's losses) and to what follows from it."""
    p = totals["power"]
    t = totals["throughput"]
    factor = (p["facility_kw"] + kw) / p["facility_kw"] if p["facility_kw"] > 0 else 1.0
    p["facility_kw"] = round(p["facility_kw"] + kw, 6)
    p["facility_demand_kw"] = round(p["facility_demand_kw"] + kw, 6)
    p["pue"] = round(p["pue"] * factor, 6)
    for key in ("annual_mwh", "annual_cost", "annual_co2_t"):
        p[key] = round(p[key] * factor, 6)
    t["pflops_per_mw"] = round(t["pflops_per_mw"] / factor, 6)


def _worker():
    """The engine's one worker thread (imported and started on first use)."""
    global _WORKER
    if _WORKER is None:
        from concurrent.futures import ThreadPoolExecutor

        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="designer-engine")
    return _WORKER


def _severity_counts_by_hall(violations: list[Violation], hall_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    index = {h: i for i, h in enumerate(hall_ids)}
    errors = np.zeros(len(hall_ids))
    warnings = np.zeros(len(hall_ids))
    for v in violations:
        i = index.get(v.hall)
        if i is not None:
            if v.severity == "error":
                errors[i] += 1
            else:
                warnings[i] += 1
    return errors, warnings


def _links_by_hall(links: LinkRuns, slices: list[tuple[int, int]], hall_ids: list[str]) -> dict[str, LinkRuns]:
    """A group's cable runs (group positions) split per hall, with positions within the
    hall; each hall's runs keep their order."""
    ends = np.array([hi for _, hi in slices], np.int64)
    h = np.searchsorted(ends, links.rack, side="right") if len(ends) else np.zeros(len(links.rack), np.int64)
    order = np.argsort(h, kind="stable")
    cuts = np.searchsorted(h[order], np.arange(len(hall_ids) + 1))
    out = {}
    for k, hall_id in enumerate(hall_ids):
        sel = order[cuts[k]:cuts[k + 1]]
        lo = slices[k][0]
        out[hall_id] = LinkRuns(links.rack[sel] - lo, links.network[sel] - lo, links.count[sel],
                                links.length_m[sel], links.medium[sel])
    return out


def _joined_links(links_h: dict[str, LinkRuns], hall_ids: list[str], slices: list[tuple[int, int]]) -> LinkRuns:
    """Every hall's cable runs in hall order, positions in the hall-sorted order."""
    parts = [links_h[h] for h in hall_ids]
    if not parts:
        return LinkRuns.empty()
    offset = np.repeat(np.array([lo for lo, _ in slices], np.int64), [len(p.rack) for p in parts])
    return LinkRuns(np.concatenate([p.rack for p in parts]) + offset,
                    np.concatenate([p.network for p in parts]) + offset,
                    np.concatenate([p.count for p in parts]), np.concatenate([p.length_m for p in parts]),
                    np.concatenate([p.medium for p in parts]))


def _join(a: GroupResult, b: GroupResult, n_a: int) -> GroupResult:
    """The result of two consecutive groups of halls as one (b's positions follow a's)."""
    columns = {}
    for name in a.items.names():
        x, y = getattr(a.items, name), getattr(b.items, name)
        if name in ItemColumns.POSITIONS:
            y = np.where(y >= 0, y + n_a, -1)
        columns[name] = np.concatenate([x, y], axis=-1)
    links = LinkRuns(*(np.concatenate([p, q + (n_a if k < 2 else 0)])
                       for k, (p, q) in enumerate(zip(a.links, b.links))))
    sums = HallSums(**{f.name: np.concatenate([getattr(a.sums, f.name), getattr(b.sums, f.name)])
                       for f in fields(HallSums)})
    return GroupResult(ItemColumns(**columns), links, {**a.violations, **b.violations}, sums)


def _status(flags: dict[str, np.ndarray], powered: np.ndarray, cooled: np.ndarray) -> np.ndarray:
    status = np.full(len(powered), STATUS_OK, np.int8)
    for k, mask in flags.items():
        level = STATUS_ERROR if SEVERITY[k] == "error" else STATUS_WARNING
        status[mask] = np.maximum(status[mask], level)
    status[~powered | ~cooled] = STATUS_ERROR
    return status


def _full(columns: ItemColumns, name: str, n: int) -> np.ndarray:
    """An empty per-row array for a stored column (rows no hall holds keep these values)."""
    if name in ItemColumns.POSITIONS:
        return np.full(n, -1, np.int64)
    if name in ("powered", "cooled"):
        return np.ones(n, bool)
    return np.zeros(n, getattr(columns, name).dtype)


_SCATTERED = ("powered", "cooled", "served_by_busway", "served_by_busway_b", "served_by_cdu", "served_by_air",
              "load_kw", "limit_kw", "failover_kw", "ports_used", "link_down")


def _rows_of(columns: ItemColumns, name: str, order: np.ndarray, pos=slice(None)) -> np.ndarray:
    src = getattr(columns, name)[pos]
    if name in ItemColumns.POSITIONS:
        src = np.where(src >= 0, order[np.maximum(src, 0)], -1)
    return src


def _scatter(order, columns: ItemColumns, links: LinkRuns, tc, sys_code, n_sys, types) -> ItemTable:
    """The per-item table in row order from hall-sorted stored results."""
    n = len(tc)
    flags = {k: np.zeros(n, bool) for k in SEVERITY}
    for k, row in zip(HALL_FLAGS, columns.flag_block):
        flags[k][order] = row
    out = {}
    for name in _SCATTERED:
        full = _full(columns, name, n)
        full[order] = _rows_of(columns, name, order)
        out[name] = full
    it = types.it_kw[tc]
    lf = types.liquid_fraction[tc]
    status = _status(flags, out["powered"], out["cooled"])
    comp = np.flatnonzero(types.kind[tc] == COMPUTE)
    bad = stranded_items(flags, out["powered"], out["cooled"], out["link_down"])
    return ItemTable(status=status, flags=flags, it_kw=it, liquid_kw=it * lf, air_kw=it - it * lf,
                     links=Links(order[links.rack], order[links.network], links.count, links.length_m, links.medium),
                     system_effective=effective_systems(sys_code[comp], bad[comp], n_sys), **out)


def _patch(previous: ItemTable, touched: list[tuple[int, int]], order, columns: ItemColumns, links: LinkRuns, tc,
           sys_code, n_sys, types) -> ItemTable:
    """:func:`_scatter`'s result, from the previous one (same rows, same halls) with the
    rows of the touched halls (their hall-sorted slices) replaced."""
    pos = np.concatenate([np.arange(lo, hi) for lo, hi in touched])
    rows = order[pos]
    flags = {k: v.copy() for k, v in previous.flags.items()}
    for k, row in zip(HALL_FLAGS, columns.flag_block):
        flags[k][rows] = row[pos]
    out = {}
    for name in _SCATTERED:
        full = getattr(previous, name).copy()
        full[rows] = _rows_of(columns, name, order, pos)
        out[name] = full
    status = previous.status.copy()
    status[rows] = _status({k: v[rows] for k, v in flags.items()}, out["powered"][rows], out["cooled"][rows])
    comp = np.flatnonzero(types.kind[tc] == COMPUTE)
    bad = stranded_items(flags, out["powered"], out["cooled"], out["link_down"])
    return ItemTable(status=status, flags=flags, it_kw=previous.it_kw, liquid_kw=previous.liquid_kw,
                     air_kw=previous.air_kw,
                     links=Links(order[links.rack], order[links.network], links.count, links.length_m, links.medium),
                     system_effective=effective_systems(sys_code[comp], bad[comp], n_sys), **out)


def evaluate(design: Design, catalog: Catalog | None = None, options: EngineOptions = DEFAULT_OPTIONS,
             failed: Iterable[str] = (), resilience: bool = False) -> Evaluation:
    """Evaluate a design from scratch (the design's assumption overrides are applied), with
    ``failed`` items taken as failed, and every single failure tried when ``resilience``."""
    return Evaluator(design, catalog, options, failed, resilience).evaluation
