"""Design → Evaluation: power, cooling, interconnect reach, throughput and rules.

Hall-local work (geometry, busways, cooling units, network racks) is done by
:func:`halls.evaluate_group` over all halls at once; the site-level step combines it
(utility feed, UltraServer completeness and spread, throughput, totals).
:class:`Evaluator` keeps the hall-local results in hall-sorted order so that an edit
re-evaluates only the halls it touched and splices their slice in; the combination is
a handful of O(n) numpy passes.
"""

from __future__ import annotations

import os

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.engine.evaluation import SEVERITY, STATUS_ERROR, STATUS_OK, STATUS_WARNING, Evaluation, Links, Violation
from designer.engine.halls import HALL_FLAGS, STRANDING_FLAGS, SUMMARY_FIELDS, GroupResult, evaluate_group
from designer.engine.halls import fmt_kw as _fmt_kw
from designer.engine.settings import Settings
from designer.engine.types import COMPUTE, SYSTEM_FIGURES, TypeTable
from designer.model.design import Change, Design

HOURS_PER_YEAR = 8760.0
#: Water: specific heat 4.186 kJ/(kg·K), 1 kg per litre → L/min = kW·60 / (4.186·ΔT).
WATER_CP_KJ_KG_K = 4.186
#: Air: ρ = 1.2 kg/m³, cp = 1,005 J/(kg·K) (hardware.md §6, D23) → m³/h = W·3600 / (ρ·cp·ΔT).
AIR_RHO_KG_M3 = 1.2
AIR_CP_J_KG_K = 1005.0
_ARRAYS = ("powered", "cooled", "served_by_busway", "served_by_cdu", "served_by_air", "load_kw", "limit_kw",
           "ports_used", "link_down")
_POSITIONS = ("served_by_busway", "served_by_cdu", "served_by_air")


class Evaluator:
    """Evaluates a design and keeps hall-local results for incremental updates.

    Hall-local arrays are stored in *hall-sorted order* (``self.order``: the rows of
    hall 1, then hall 2, …), each hall a contiguous slice; positions (which busway,
    CDU or network rack serves an item) are stored as positions in that order.
    """

    def __init__(self, design: Design, catalog: Catalog | None = None):
        self.design = design
        self.base_catalog = catalog or load_catalog()
        self._patch_from = None
        self.evaluation = self.refresh()

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
        rank = np.full(len(t.halls.names) + 1, len(self.design.halls), np.int64)
        for i, hall in enumerate(self.design.halls):
            code = t.halls.codes.get(hall.id)
            if code is not None:
                rank[code] = i
        hall_rank = rank[t.hall_code]
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

    # ------------------------------------------------------------------ API
    def refresh(self) -> Evaluation:
        """Re-evaluate everything (after site, hall or assumption changes)."""
        self._configure()
        self._reuse = {}  # per hall: what its last single-hall evaluation left (geometry, pair tables)
        self.order, self.slices = self._sorted_rows()
        self._distinct = None
        self._store(self._evaluate_all())
        self.evaluation = self._combine()
        return self.evaluation

    def _evaluate_all(self) -> GroupResult:
        """Every hall: one group, or (a large design, on a machine with several cores) two
        groups of about equal size evaluated at once and joined. A hall's result does not
        depend on the other halls of its group, so the two give the same evaluation."""
        halls, order = self.design.halls, self.order
        if len(order) < PARALLEL_MIN_ITEMS or len(halls) < 2 or (os.cpu_count() or 1) < 2:
            return evaluate_group(self.design, self.types, self.settings, halls, order)
        ends = np.array([self.slices[h.id][1] for h in halls])
        k = int(np.clip(np.searchsorted(ends, len(order) / 2), 1, len(halls) - 1))
        cut = int(ends[k - 1])
        first = _worker().submit(evaluate_group, self.design, self.types, self.settings, halls[:k], order[:cut])
        second = evaluate_group(self.design, self.types, self.settings, halls[k:], order[cut:])
        return _join(first.result(), second, cut)

    def apply(self, change: Change) -> Evaluation:
        """Update the evaluation after an edit; only the halls the edit touched are redone.

        Item edits (``moved``, ``added``, ``removed``, ``updated``) must name the halls
        they touched, before and after; anything else re-evaluates the whole design.
        """
        if change.kind not in ("moved", "added", "removed", "updated") or not change.halls:
            return self.refresh()
        known = set(self.slices)
        if any(h not in known for h in change.halls) or set(self.design.hall_ids()) != known:
            return self.refresh()
        self._ensure_types()
        order, slices = self._sorted_rows_after(change)
        if order is not self.order:
            self._distinct = None  # rows changed: count the UltraServers again
        # the per-item arrays of the evaluation before: the new ones patch the touched halls
        previous = self.evaluation if order is self.order else None
        self._patch_from = None
        for hall_id in dict.fromkeys(change.halls):
            lo_new, hi_new = slices[hall_id]
            hall = self.design.hall(hall_id)
            res = evaluate_group(self.design, self.types, self.settings, [hall], order[lo_new:hi_new],
                                 reuse=self._reuse.get(hall_id))
            self._reuse[hall_id] = res.reuse
            self._splice(hall_id, res)
        self.order, self.slices = order, slices
        if any(self.slices[h] != self._stored_slices[h] for h in self.slices):
            return self.refresh()  # a hall's size changed without being named: stay correct
        if (previous is not None and previous.extras.get("per_row_patchable")
                and isinstance(previous._per_row, dict)):  # built: (only then; no chain of evaluations)
            self._patch_from = (previous._per_row, [self.slices[h] for h in dict.fromkeys(change.halls)])
        self.evaluation = self._combine()
        self._patch_from = None
        return self.evaluation

    # ------------------------------------------------------------------ storage
    def _store(self, res: GroupResult) -> None:
        self._flag_block = res.flag_block
        self._flags = dict(zip(HALL_FLAGS, self._flag_block))
        self._arr = {k: getattr(res, k) for k in _ARRAYS}
        self._stored_slices = dict(self.slices)
        self._links_h = _links_by_hall(res.links, [self._stored_slices[h.id] for h in self.design.halls],
                                       self.design.hall_ids())
        self._violations = res.violations
        self._summary = res.summary
        self._media_count = res.media_count
        self._media_metres = res.media_metres
        self._longest = res.longest_m
        self._worst = res.worst_latency_ns

    def _splice(self, hall_id: str, res: GroupResult) -> None:
        lo, hi = self._stored_slices[hall_id]
        n_new = len(res.powered)
        delta = n_new - (hi - lo)

        def splice(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            # a new array, never in place: earlier evaluations' per-item views keep theirs
            if delta == 0:
                out = old.copy()
                out[..., lo:hi] = new
                return out
            return np.concatenate([old[..., :lo], new, old[..., hi:]], axis=-1)

        self._flag_block = splice(self._flag_block, res.flag_block)
        self._flags = dict(zip(HALL_FLAGS, self._flag_block))
        for k in _ARRAYS:
            new = getattr(res, k)
            old = self._arr[k]
            if k in _POSITIONS:
                new = np.where(new >= 0, new + lo, -1)
                if delta:
                    old = np.where(old >= hi, old + delta, old)
            self._arr[k] = splice(old, new)
        self._links_h[hall_id] = tuple(res.links)  # positions within the hall (a group of one)
        self._violations[hall_id] = res.violations[hall_id]
        h = self.design.hall_ids().index(hall_id)
        for name in ("_summary", "_media_count", "_media_metres"):
            getattr(self, name)[h] = getattr(res, name[1:] if name != "_summary" else "summary")[0]
        self._longest[h] = res.longest_m[0]
        self._worst[h] = res.worst_latency_ns[0]
        for h, (a, b) in list(self._stored_slices.items()):
            if h == hall_id:
                self._stored_slices[h] = (lo, hi + delta)
            elif a >= hi:
                self._stored_slices[h] = (a + delta, b + delta)

    # ------------------------------------------------------------------ site level
    def _combine(self) -> Evaluation:
        """Site totals from the per-hall summaries (O(halls)); the item-level path only
        when something crosses halls: an UltraServer split across halls, or a utility
        feed too small for the site."""
        design = self.design
        st = self.settings
        site = design.site
        tot = dict(zip(SUMMARY_FIELDS, self._summary.sum(axis=0))) if len(self._summary) else \
            dict.fromkeys(SUMMARY_FIELDS, 0.0)
        facility_kw = self._facility_kw(tot["it_kw"], tot["liquid_kw"], tot["air_kw"])
        t = design.equipment
        if self._distinct is None:  # UltraServers (system ids) in the design; moves keep it
            comp = self.types.kind[t.type_code] == COMPUTE
            self._distinct = int(np.count_nonzero(np.bincount(t.system_code[comp]))) if comp.any() else 0
        distinct = self._distinct
        if tot["ultraservers"] > distinct + 0.5 or facility_kw > site.utility_capacity_kw + 1e-9:
            return self._combine_items()
        violations: list[Violation] = []
        for hall in design.halls:
            violations.extend(self._violations.get(hall.id, ()))
        peak = {key: tot[f"peak.{key}"] for _, key, _ in SYSTEM_FIGURES}
        eff = {key: tot[f"effective.{key}"] for _, key, _ in SYSTEM_FIGURES}
        cables = (self._media_count.sum(axis=0), self._media_metres.sum(axis=0),
                  float(self._longest.max(initial=0.0)), float(self._worst.max(initial=0.0)), tot["links"])
        totals = self._totals(tot["it_kw"], tot["it_powered_kw"], tot["liquid_kw"], tot["air_kw"], facility_kw,
                              int(round(tot["unpowered_items"])), int(round(tot["uncooled_items"])),
                              tot["chips"], int(round(tot["ultraservers"])), int(round(tot["racks"])),
                              int(round(tot["stranded"])), peak, eff, cables)
        evaluation = Evaluation(st.media, totals, violations, self._per_row_factory())
        evaluation.extras["per_row_patchable"] = True  # hall-local per-item arrays only
        return evaluation

    def _facility_kw(self, it_kw: float, liquid_kw: float, air_kw: float) -> float:
        site = self.design.site
        if site.pue_modelled:
            # partial PUEs of liquid- and air-cooled load, weighted by heat (D22)
            return liquid_kw * self.settings.pue_liquid + air_kw * self.settings.pue_air
        return it_kw * float(site.pue)

    def _per_row_factory(self):
        """A closure building the per-item arrays from the current stored results: from
        scratch, or (after items moved within their halls) by patching the touched halls'
        rows into the previous evaluation's arrays, if those were built."""
        order, flags_s, arr_s = self.order, dict(self._flags), dict(self._arr)
        link_parts = self._link_parts()
        tc = self.design.equipment.type_code.copy()
        sys_code = self.design.equipment.system_code.copy()
        n_sys = len(self.design.equipment.systems.names)
        types = self.types
        patch_from = self._patch_from

        def build() -> dict:
            links_s = _joined_links(*link_parts)
            if patch_from is not None:
                return _patch(*patch_from, order, flags_s, arr_s, links_s, tc, sys_code, n_sys, types)
            return _scatter(order, flags_s, arr_s, links_s, tc, sys_code, n_sys, types)

        return build

    def _link_parts(self) -> tuple[dict[str, tuple], list[str], list[tuple[int, int]]]:
        """What :func:`_joined_links` needs, as of now (the per-hall runs are replaced,
        never changed in place, so a copy of the dict is a snapshot)."""
        hall_ids = self.design.hall_ids()
        return dict(self._links_h), hall_ids, [self._stored_slices[h] for h in hall_ids]

    def _combine_items(self) -> Evaluation:
        """Item-level combination (cross-hall UltraServers, binding utility feed)."""
        design = self.design
        t = design.equipment
        types = self.types
        st = self.settings
        site = design.site
        links = _joined_links(*self._link_parts())
        rows = _scatter(self.order, self._flags, self._arr, links, t.type_code, t.system_code,
                        len(t.systems.names), types)
        flags, powered, cooled = rows["flags"], rows["powered"], rows["cooled"]
        tc = t.type_code
        violations: list[Violation] = []
        for hall in design.halls:
            violations.extend(self._violations.get(hall.id, ()))
        it = rows["it_kw"]
        liquid, air = rows["liquid_kw"], rows["air_kw"]
        lf = types.liquid_fraction[tc]
        pue_item = (lf * st.pue_liquid + (1 - lf) * st.pue_air) if site.pue_modelled else np.full(len(t), float(site.pue))
        facility_item = it * pue_item
        facility_kw = float(facility_item.sum())
        # site utility: served in hall order, then file order; beyond the feed is unpowered
        on = self.order[powered[self.order] & (it[self.order] > 0)]
        over = on[np.cumsum(facility_item[on]) > site.utility_capacity_kw + 1e-9]
        if len(over):
            powered[over] = False
            flags["unpowered"][over] = True
            violations.append(Violation("power-capacity", ("site",),
                                        f"the site needs {_fmt_kw(facility_kw)} of facility power, over its "
                                        f"{_fmt_kw(site.utility_capacity_kw)} utility feed; {len(over)} item(s) "
                                        f"left unpowered", "", 0.0, 0.0))
            for r in over:
                violations.append(Violation("unpowered", (t.ids[r],), f"{t.ids[r]} is beyond the site's "
                                            f"{_fmt_kw(site.utility_capacity_kw)} utility feed",
                                            t.halls[int(t.hall_code[r])], float(t.x[r]), float(t.y[r])))
            # racks cabled to a network rack the feed leaves dark lose their scale-out links
            dark = np.zeros(len(t), bool)
            dark[over] = True
            cabled = rows["links"]
            rows["link_down"][cabled.rack[dark[cabled.network]]] = True
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
        bad = ~powered | ~cooled | rows["link_down"]
        for k in STRANDING_FLAGS:
            bad |= flags[k]
        count = np.bincount(sc, minlength=n_sys)
        present = count > 0
        sys_bad = np.bincount(sc, weights=bad[comp].astype(float), minlength=n_sys) > 0
        effective_sys = present & ~sys_bad
        eff_rack = effective_sys[sc]
        rps = types.racks_per_system[tc[comp]].astype(float)
        peak, eff = {}, {}
        for fig, key, div in SYSTEM_FIGURES:
            share = types.system[fig][tc[comp]] / rps
            peak[key] = float(share.sum()) / div
            eff[key] = float(share[eff_rack].sum()) / div
        chips = float((types.chips[tc[comp]] / rps).sum())
        links = rows["links"]
        ok = links.medium >= 0
        m = len(st.media)
        counts = np.bincount(links.medium[ok], links.count[ok], minlength=m)
        metres = np.bincount(links.medium[ok], links.count[ok] * links.length_m[ok], minlength=m)
        longest = float(links.length_m.max()) if len(links.length_m) else 0.0
        lat = links.length_m[ok] * st.lat_m[links.medium[ok]] + st.lat_fixed[links.medium[ok]]
        worst = float(lat.max()) if len(lat) else 0.0
        totals = self._totals(float(it.sum()), float(it[powered].sum()), float(liquid.sum()), float(air.sum()),
                              facility_kw, int(((~powered) & (it > 0)).sum()), int((~cooled).sum()), chips,
                              int(present.sum()), int(len(comp)), int((present & ~effective_sys).sum()), peak, eff,
                              (counts, metres, longest, worst, float(links.count.sum())))
        rows.update(flags=flags, powered=powered, status=status, system_effective=effective_sys)
        return Evaluation(st.media, totals, violations, rows)

    def _totals(self, it_kw, it_powered_kw, liquid_kw, air_kw, facility_kw, unpowered, uncooled, chips,
                ultraservers, racks, stranded, peak, eff, cables) -> dict:
        """The report's totals (PRODUCT.md §5 keys plus a few more)."""
        design = self.design
        st = self.settings
        site = design.site
        counts, metres, longest, worst, n_links = cables
        pue = facility_kw / it_kw if it_kw > 0 else (st.pue_liquid if site.pue_modelled else float(site.pue))
        annual_mwh = facility_kw * HOURS_PER_YEAR / 1000.0

        def r6(v: float) -> float:
            return round(float(v), 6)

        facility_mw = facility_kw / 1000.0
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
                # Q = m·cp·ΔT with water 4.186 kJ/(kg·K), 1 kg/L (hardware.md §6, D24)
                "coolant_lpm": r6(liquid_kw * 60.0 / (WATER_CP_KJ_KG_K * st.dt_liquid)),
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


#: Designs with at least this many items are evaluated in two threads (numpy releases
#: the GIL in its loops: about 1.5x faster on two cores at 1M chips).
PARALLEL_MIN_ITEMS = 10_000
_WORKER = None


def _worker():
    """The engine's one worker thread (imported and started on first use)."""
    global _WORKER
    if _WORKER is None:
        from concurrent.futures import ThreadPoolExecutor

        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="designer-engine")
    return _WORKER


def _links_by_hall(links, slices: list[tuple[int, int]], hall_ids: list[str]) -> dict[str, tuple]:
    """A group's cable runs (group positions) split per hall, with positions within the
    hall; each hall's runs keep their order."""
    rack = links[0]
    ends = np.array([hi for _, hi in slices], np.int64)
    h = np.searchsorted(ends, rack, side="right") if len(ends) else np.zeros(len(rack), np.int64)
    order = np.argsort(h, kind="stable")
    cuts = np.searchsorted(h[order], np.arange(len(hall_ids) + 1))
    out = {}
    for k, hall_id in enumerate(hall_ids):
        sel = order[cuts[k]:cuts[k + 1]]
        lo = slices[k][0]
        out[hall_id] = (links[0][sel] - lo, links[1][sel] - lo, links[2][sel], links[3][sel], links[4][sel])
    return out


def _joined_links(links_h: dict[str, tuple], hall_ids: list[str], slices: list[tuple[int, int]]) -> list:
    """Every hall's cable runs in hall order, positions in the hall-sorted order."""
    parts = [links_h[h] for h in hall_ids]
    if not parts:
        return [np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64)]
    offset = np.repeat(np.array([lo for lo, _ in slices], np.int64), [len(p[0]) for p in parts])
    return [np.concatenate([p[0] for p in parts]) + offset, np.concatenate([p[1] for p in parts]) + offset,
            np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts]),
            np.concatenate([p[4] for p in parts])]


def _join(a: GroupResult, b: GroupResult, n_a: int) -> GroupResult:
    """The result of two consecutive groups of halls as one (b's positions follow a's)."""
    def cat(x, y):
        return np.concatenate([x, y], axis=-1)

    def shift(p):
        return np.where(p >= 0, p + n_a, -1)

    block = cat(a.flag_block, b.flag_block)
    ar, an, ac, al, am = a.links
    br, bn, bc, bl, bm = b.links
    return GroupResult(
        flags=dict(zip(HALL_FLAGS, block)), flag_block=block, powered=cat(a.powered, b.powered),
        cooled=cat(a.cooled, b.cooled), served_by_busway=cat(a.served_by_busway, shift(b.served_by_busway)),
        served_by_cdu=cat(a.served_by_cdu, shift(b.served_by_cdu)),
        served_by_air=cat(a.served_by_air, shift(b.served_by_air)), link_down=cat(a.link_down, b.link_down),
        load_kw=cat(a.load_kw, b.load_kw), limit_kw=cat(a.limit_kw, b.limit_kw),
        ports_used=cat(a.ports_used, b.ports_used),
        links=(cat(ar, br + n_a), cat(an, bn + n_a), cat(ac, bc), cat(al, bl), cat(am, bm)),
        violations={**a.violations, **b.violations}, summary=np.vstack([a.summary, b.summary]),
        media_count=np.vstack([a.media_count, b.media_count]),
        media_metres=np.vstack([a.media_metres, b.media_metres]),
        longest_m=cat(a.longest_m, b.longest_m), worst_latency_ns=cat(a.worst_latency_ns, b.worst_latency_ns))


def _status(flags: dict[str, np.ndarray], powered: np.ndarray, cooled: np.ndarray) -> np.ndarray:
    status = np.full(len(powered), STATUS_OK, np.int8)
    for k, mask in flags.items():
        level = STATUS_ERROR if SEVERITY[k] == "error" else STATUS_WARNING
        status[mask] = np.maximum(status[mask], level)
    status[~powered | ~cooled] = STATUS_ERROR
    return status


def _scatter(order, flags_s, arr_s, links_s, tc, sys_code, n_sys, types) -> dict:
    """Per-item arrays in row order from hall-sorted stored results."""
    n = len(tc)
    flags = {k: np.zeros(n, bool) for k in SEVERITY}
    for k in HALL_FLAGS:
        flags[k][order] = flags_s[k]
    out: dict = {"flags": flags}
    for k in _ARRAYS:
        src = arr_s[k]
        if k in _POSITIONS:
            src = np.where(src >= 0, order[np.maximum(src, 0)], -1)
            full = np.full(n, -1, np.int64)
        elif k in ("powered", "cooled"):
            full = np.ones(n, bool)
        elif k == "link_down":
            full = np.zeros(n, bool)
        else:
            full = np.zeros(n, src.dtype)
        full[order] = src
        out[k] = full
    it = types.it_kw[tc]
    lf = types.liquid_fraction[tc]
    out["it_kw"] = it
    out["liquid_kw"] = it * lf
    out["air_kw"] = it - it * lf
    rack, net, count, length, medium = links_s
    out["links"] = Links(order[rack], order[net], count, length, medium)
    out["status"] = _status(flags, out["powered"], out["cooled"])
    out["system_effective"] = _system_effective(flags, out, tc, sys_code, n_sys, types)
    return out


def _system_effective(flags, out, tc, sys_code, n_sys, types) -> np.ndarray:
    """Per UltraServer: present, and none of its racks stranded."""
    comp = np.flatnonzero(types.kind[tc] == COMPUTE)
    sc = sys_code[comp]
    bad = ~out["powered"] | ~out["cooled"] | out["link_down"]
    for k in STRANDING_FLAGS:
        bad |= flags[k]
    present = np.bincount(sc, minlength=n_sys) > 0
    return present & ~(np.bincount(sc, bad[comp].astype(float), minlength=n_sys) > 0)


def _patch(previous: dict, touched: list[tuple[int, int]], order, flags_s, arr_s, links_s, tc, sys_code, n_sys,
           types) -> dict:
    """:func:`_scatter`'s result, from the previous one (same rows, same halls) with the
    rows of the touched halls (their hall-sorted slices) replaced."""
    pos = np.concatenate([np.arange(lo, hi) for lo, hi in touched])
    rows = order[pos]
    flags = {k: v.copy() for k, v in previous["flags"].items()}
    for k in HALL_FLAGS:
        flags[k][rows] = flags_s[k][pos]
    out: dict = {"flags": flags}
    for k in _ARRAYS:
        src = arr_s[k][pos]
        if k in _POSITIONS:
            src = np.where(src >= 0, order[np.maximum(src, 0)], -1)
        full = previous[k].copy()
        full[rows] = src
        out[k] = full
    for k in ("it_kw", "liquid_kw", "air_kw"):
        out[k] = previous[k]
    rack, net, count, length, medium = links_s
    out["links"] = Links(order[rack], order[net], count, length, medium)
    status = previous["status"].copy()
    status[rows] = _status({k: v[rows] for k, v in flags.items()}, out["powered"][rows], out["cooled"][rows])
    out["status"] = status
    out["system_effective"] = _system_effective(flags, out, tc, sys_code, n_sys, types)
    return out


def evaluate(design: Design, catalog: Catalog | None = None) -> Evaluation:
    """Evaluate a design from scratch (the design's assumption overrides are applied)."""
    return Evaluator(design, catalog).evaluation
