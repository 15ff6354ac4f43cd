"""Design → Evaluation: power, cooling, interconnect reach, throughput and rules.

Hall-local work (geometry, busways, cooling units, network racks) is done by
:func:`halls.evaluate_group` over all halls at once; the site-level step combines it
(utility feed, UltraServer completeness and spread, throughput, totals).
:class:`Evaluator` keeps the hall-local results in hall-sorted order so that an edit
re-evaluates only the halls it touched and splices their slice in; the combination is
a handful of O(n) numpy passes.
"""

from __future__ import annotations

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.engine.evaluation import (
    SEVERITY, STATUS_ERROR, STATUS_OK, STATUS_WARNING, STRANDING_FLAGS, Evaluation, Links, Violation,
)
from designer.engine.halls import HALL_FLAGS, GroupResult, evaluate_group, fmt_kw as _fmt_kw
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
           "ports_used")
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
        order = np.argsort(hall_rank.astype(np.uint16 if len(self.design.halls) < 65535 else np.int64),
                           kind="stable")
        bounds = np.searchsorted(hall_rank[order], np.arange(len(self.design.halls) + 1))
        slices = {hall.id: (int(bounds[i]), int(bounds[i + 1])) for i, hall in enumerate(self.design.halls)}
        return order[:bounds[-1]], slices

    # ------------------------------------------------------------------ API
    def refresh(self) -> Evaluation:
        """Re-evaluate everything (after site, hall or assumption changes)."""
        self._configure()
        self.order, self.slices = self._sorted_rows()
        res = evaluate_group(self.design, self.types, self.settings, self.design.halls, self.order)
        self._store(res)
        self.evaluation = self._combine()
        return self.evaluation

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
        order, slices = self._sorted_rows()
        for hall_id in dict.fromkeys(change.halls):
            lo_new, hi_new = slices[hall_id]
            hall = self.design.hall(hall_id)
            res = evaluate_group(self.design, self.types, self.settings, [hall], order[lo_new:hi_new])
            self._splice(hall_id, res)
        self.order, self.slices = order, slices
        if any(self.slices[h] != self._stored_slices[h] for h in self.slices):
            return self.refresh()  # a hall's size changed without being named: stay correct
        self.evaluation = self._combine()
        return self.evaluation

    # ------------------------------------------------------------------ storage
    def _store(self, res: GroupResult) -> None:
        self._flags = res.flags
        self._arr = {k: getattr(res, k) for k in _ARRAYS}
        rack, net, count, length, medium = res.links
        self._links = [rack, net, count, length, medium]
        self._violations = res.violations
        self._stored_slices = dict(self.slices)

    def _splice(self, hall_id: str, res: GroupResult) -> None:
        lo, hi = self._stored_slices[hall_id]
        n_new = len(res.powered)
        delta = n_new - (hi - lo)

        def splice(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            return np.concatenate([old[:lo], new, old[hi:]])

        for k in HALL_FLAGS:
            self._flags[k] = splice(self._flags[k], res.flags[k])
        for k in _ARRAYS:
            new = getattr(res, k)
            old = self._arr[k]
            if k in _POSITIONS:
                new = np.where(new >= 0, new + lo, -1)
                old = np.where(old >= hi, old + delta, old)
            self._arr[k] = splice(old, new)
        rack, net, count, length, medium = self._links
        keep = (rack < lo) | (rack >= hi)
        rack, net = rack[keep], net[keep]
        rack = np.where(rack >= hi, rack + delta, rack)
        net = np.where(net >= hi, net + delta, net)
        nr, nn, nc, nl, nm = res.links
        self._links = [np.concatenate([rack, nr + lo]), np.concatenate([net, nn + lo]),
                       np.concatenate([count[keep], nc]), np.concatenate([length[keep], nl]),
                       np.concatenate([medium[keep], nm])]
        self._violations[hall_id] = res.violations[hall_id]
        for h, (a, b) in list(self._stored_slices.items()):
            if h == hall_id:
                self._stored_slices[h] = (lo, hi + delta)
            elif a >= hi:
                self._stored_slices[h] = (a + delta, b + delta)

    # ------------------------------------------------------------------ site level
    def _combine(self) -> Evaluation:
        design = self.design
        t = design.equipment
        types = self.types
        st = self.settings
        n = len(t)
        tc = t.type_code
        order = self.order
        flags = {k: np.zeros(n, bool) for k in SEVERITY}
        for k in HALL_FLAGS:
            flags[k][order] = self._flags[k]
        arr = {}
        for k in _ARRAYS:
            src = self._arr[k]
            if k in _POSITIONS:
                src = np.where(src >= 0, order[np.maximum(src, 0)], -1)
            full = np.full(n, -1 if k in _POSITIONS else 0, src.dtype)
            if k in ("powered", "cooled"):
                full[:] = True
            full[order] = src
            arr[k] = full
        powered, cooled = arr["powered"], arr["cooled"]
        violations: list[Violation] = []
        for hall in design.halls:
            violations.extend(self._violations.get(hall.id, ()))

        it = types.it_kw[tc]
        lf = types.liquid_fraction[tc]
        liquid = it * lf
        air = it - liquid
        site = design.site
        if site.pue_modelled:
            # partial PUEs of liquid- and air-cooled load, weighted by heat (D22)
            pue_item = lf * st.pue_liquid + (1 - lf) * st.pue_air
        else:
            pue_item = np.full(n, float(site.pue))
        facility_item = it * pue_item
        # site utility: served in hall order, then file order; beyond the feed is unpowered
        hall_order = {hid: i for i, hid in enumerate(design.hall_ids())}
        hall_rank = np.array([hall_order.get(name, len(hall_order)) for name in t.halls.names], np.int64)
        on = np.flatnonzero(powered & (it > 0))
        if len(on):
            on = on[np.lexsort((on, hall_rank[t.hall_code[on]]))]
        cum = np.cumsum(facility_item[on])
        over = on[cum > site.utility_capacity_kw + 1e-9]
        total_facility_demand = float(facility_item.sum())
        if len(over):
            powered[over] = False
            flags["unpowered"][over] = True
            violations.append(Violation("power-capacity", ("site",),
                                        f"the site needs {_fmt_kw(total_facility_demand)} of facility power, over its "
                                        f"{_fmt_kw(site.utility_capacity_kw)} utility feed; {len(over)} item(s) left unpowered",
                                        "", 0.0, 0.0))
            for r in over:
                violations.append(Violation("unpowered", (t.ids[r],), f"{t.ids[r]} is beyond the site's "
                                            f"{_fmt_kw(site.utility_capacity_kw)} utility feed",
                                            t.halls[int(t.hall_code[r])], float(t.x[r]), float(t.y[r])))

        # UltraServers: completeness (warning) and hall spread, across the whole site
        comp = np.flatnonzero(types.kind[tc] == COMPUTE)
        n_sys = len(t.systems.names)
        sc = t.system_code[comp]
        count = np.bincount(sc, minlength=n_sys)
        sys_type = np.full(n_sys, -1, np.int64)
        sys_type[sc[::-1]] = tc[comp][::-1]   # the type of each system's first rack
        present = count > 0
        need = np.where(present, types.racks_per_system[np.maximum(sys_type, 0)], 0)
        incomplete = present & (count < need)
        for code in np.flatnonzero(incomplete):
            members = comp[sc == code]
            flags["incomplete-system"][members] = True
            r0 = members[0]
            violations.append(Violation("incomplete-system", tuple(t.ids[m] for m in members),
                                        f"UltraServer {t.systems[int(code)]} has {count[code]} of the "
                                        f"{need[code]} racks a {types.labels[sys_type[code]]} needs",
                                        t.halls[int(t.hall_code[r0])], float(t.x[r0]), float(t.y[r0])))
        if len(comp):
            pair = np.unique(sc.astype(np.int64) * (len(t.halls.names) + 1) + t.hall_code[comp])
            halls_per_sys = np.bincount(pair // (len(t.halls.names) + 1), minlength=n_sys)
            for code in np.flatnonzero(halls_per_sys > 1):
                members = comp[sc == code]
                flags["scaleup-reach"][members] = True
                r0 = members[0]
                violations.append(Violation("scaleup-reach", tuple(t.ids[m] for m in members),
                                            f"UltraServer {t.systems[int(code)]} is split across halls; "
                                            f"scale-up cables stay within {st.scaleup_max_m:.1f} m",
                                            t.halls[int(t.hall_code[r0])], float(t.x[r0]), float(t.y[r0])))

        # throughput: each rack carries 1/racks_per_system of its UltraServer's figures
        rps = types.racks_per_system[tc[comp]].astype(float)
        bad = np.zeros(n, bool)
        for k in STRANDING_FLAGS:
            bad |= flags[k]
        bad |= ~powered | ~cooled
        sys_bad = np.bincount(sc, weights=bad[comp].astype(float), minlength=n_sys) > 0
        effective_sys = present & ~incomplete & ~sys_bad
        eff_rack = effective_sys[sc]
        peak = {}
        eff = {}
        for fig, key, div in SYSTEM_FIGURES:
            share = types.system[fig][tc[comp]] / rps
            peak[key] = float(share.sum()) / div
            eff[key] = float(share[eff_rack].sum()) / div
        chips_share = types.chips[tc[comp]] / rps
        chips = float(chips_share.sum())

        # power and energy
        it_kw = float(it.sum())
        facility_kw = total_facility_demand
        pue = facility_kw / it_kw if it_kw > 0 else (float(site.pue) if not site.pue_modelled else st.pue_liquid)
        annual_mwh = facility_kw * HOURS_PER_YEAR / 1000.0
        liquid_kw = float(liquid.sum())
        air_kw = float(air.sum())

        # cables
        rack, net, count, length, medium = self._links
        links = Links(order[rack], order[net], count, length, medium)
        by_medium = {}
        ok_links = links.medium >= 0
        counts = np.bincount(links.medium[ok_links], links.count[ok_links], minlength=len(st.media))
        metres = np.bincount(links.medium[ok_links], links.count[ok_links] * links.length_m[ok_links],
                             minlength=len(st.media))
        for i, name in enumerate(st.media):
            by_medium[name] = {"count": int(round(counts[i])), "metres": round(float(metres[i]), 2)}
        longest = float(links.length_m.max()) if len(links.length_m) else 0.0
        if ok_links.any():
            lat = links.length_m[ok_links] * st.lat_m[links.medium[ok_links]] + st.lat_fixed[links.medium[ok_links]]
            worst_latency = float(lat.max())
        else:
            worst_latency = 0.0

        def r6(v: float) -> float:
            return round(v, 6)

        eff_mw = facility_kw / 1000.0
        totals = {
            "name": design.name,
            "chips": int(round(chips)),
            "ultraservers": int(present.sum()),
            "racks": int(len(comp)),
            "equipment": int(n),
            "halls": len(design.halls),
            "power": {
                "it_kw": r6(it_kw),
                "it_powered_kw": r6(float(it[powered].sum())),
                "facility_kw": r6(facility_kw),
                "pue": r6(pue),
                "pue_mode": "modelled" if site.pue_modelled else "fixed",
                "utility_capacity_kw": r6(site.utility_capacity_kw),
                "annual_mwh": r6(annual_mwh),
                "annual_cost": r6(annual_mwh * 1000.0 * site.electricity_price_per_kwh),
                "currency": site.currency,
                "annual_co2_t": r6(annual_mwh * site.grid_kg_co2_per_kwh),
                "unpowered_items": int(((~powered) & (it > 0)).sum()),
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
                "uncooled_items": int((~cooled).sum()),
            },
            "throughput": {
                "peak": {k: r6(v) for k, v in peak.items()},
                "effective": {k: r6(v) for k, v in eff.items()},
                "stranded_ultraservers": int((present & ~effective_sys).sum()),
                "pflops_per_mw": r6(eff["mxfp8_pflops"] / eff_mw) if eff_mw > 0 else 0.0,
            },
            "cables": {
                "by_medium": by_medium,
                "links": int(round(float(links.count.sum()))),
                "longest_m": r6(longest),
                "worst_latency_ns": r6(worst_latency),
            },
        }
        status = np.full(n, STATUS_OK, np.int8)
        for k, mask in flags.items():
            level = STATUS_ERROR if SEVERITY[k] == "error" else STATUS_WARNING
            status[mask] = np.maximum(status[mask], level)
        status[(~powered | ~cooled)] = STATUS_ERROR
        return Evaluation(
            media=st.media, totals=totals, violations=violations, status=status, flags=flags, it_kw=it,
            powered=powered, cooled=cooled, liquid_kw=liquid, air_kw=air,
            served_by_busway=arr["served_by_busway"], served_by_cdu=arr["served_by_cdu"],
            served_by_air=arr["served_by_air"], load_kw=arr["load_kw"], limit_kw=arr["limit_kw"],
            ports_used=arr["ports_used"], links=links, system_effective=effective_sys,
        )




def evaluate(design: Design, catalog: Catalog | None = None) -> Evaluation:
    """Evaluate a design from scratch (the design's assumption overrides are applied)."""
    return Evaluator(design, catalog).evaluation
