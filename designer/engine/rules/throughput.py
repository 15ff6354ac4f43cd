"""UltraServers: completeness, which ones are effective, and the per-hall sums.

An UltraServer is *effective* when every one of its racks is complete, inside the hall,
unobstructed, powered, cooled, within reach and has its links up; otherwise it is
*stranded* (PRODUCT.md §3). :func:`stranded_items` is the one definition of what strands
a rack, used here per hall and by the evaluator across halls."""

from __future__ import annotations

import numpy as np

from designer.engine.evaluation import HALL_SUMS, STRANDING_FLAGS
from designer.engine.group import HallGroup
from designer.engine.rules.interconnect import LinkRuns, SystemGroups
from designer.engine.types import SYSTEM_FIGURES


def stranded_items(flags: dict[str, np.ndarray], powered: np.ndarray, cooled: np.ndarray,
                   link_down: np.ndarray) -> np.ndarray:
    """Items that cannot run: unpowered, uncooled, links down, or flagged by a stranding rule."""
    bad = ~powered | ~cooled | link_down
    for kind in STRANDING_FLAGS:
        bad |= flags[kind]
    return bad


def effective_systems(system_of_rack: np.ndarray, rack_stranded: np.ndarray, n_systems: int) -> np.ndarray:
    """Per system code: present and none of its racks stranded."""
    present = np.bincount(system_of_rack, minlength=n_systems) > 0
    return present & ~(np.bincount(system_of_rack, rack_stranded.astype(float), minlength=n_systems) > 0)


def check_systems(g: HallGroup, sg: SystemGroups, flags: dict[str, np.ndarray]) -> None:
    """``incomplete-system``: an UltraServer (in a hall) with fewer or more racks than its type has."""
    if not len(sg.comp):
        return
    rps = g.types.racks_per_system[g.type_code[sg.first_racks()]]
    for grp in np.flatnonzero(sg.sizes != rps):
        members = sg.members(grp)
        flags["incomplete-system"][members] = True
        name = g.systems[int(g.system[members[0]])]
        label = g.types.labels[g.type_code[members[0]]]
        if sg.sizes[grp] > rps[grp]:
            n = int(rps[grp])
            g.add("incomplete-system", members, f"UltraServer {name} has {sg.sizes[grp]} racks; a "
                  f"{label} is {n} rack{'s' if n != 1 else ''} (give the extra racks their own system)")
            continue
        g.add("incomplete-system", members, f"UltraServer {name} has {sg.sizes[grp]} of the {rps[grp]} racks a {label} needs")


#: Columns of the per-hall, per-type sums (``by_type``, shape halls × types × columns):
#: racks, systems, stranded systems, chips, then peak and effective of each system figure.
BY_TYPE_COUNTS = ("racks", "systems", "stranded_systems", "chips")
BY_TYPE_WIDTH = len(BY_TYPE_COUNTS) + 2 * len(SYSTEM_FIGURES)


#: Each system figure's divisor to report units.
_FIGURE_DIV = np.array([div for _, _, div in SYSTEM_FIGURES])


def _figure_bins(bins: np.ndarray, nf: int) -> np.ndarray:
    """The flat bin of each (rack, figure) when the figures sit side by side."""
    return ((bins.astype(np.int64) * nf)[:, None] + np.arange(nf)).ravel()


def _figure_sum(flat: np.ndarray, n_bins: int, share: np.ndarray) -> np.ndarray:
    """Per bin, each system figure's sum of ``share`` (racks × figures; report units), by
    one bincount over the figures side by side: each (bin, figure) adds its racks in their
    order, as a bincount per figure does, so the sums are the same to the last bit."""
    nf = share.shape[1]
    return np.bincount(flat, share.ravel(), minlength=n_bins * nf).reshape(n_bins, nf) / _FIGURE_DIV


class _ByType:
    """Per hall and compute type, what does not depend on which systems are effective:
    racks, systems, chips and the peak figures (``by_type_sums`` adds the rest)."""

    def __init__(self, hall: np.ndarray, type_code: np.ndarray, rps: np.ndarray, share: np.ndarray,
                 first: np.ndarray, types, n_halls: int):
        T = len(types.names)
        self.out = out = np.zeros((n_halls, T, BY_TYPE_WIDTH))
        if not len(hall):
            return
        self.cell = cell = hall.astype(np.int64) * T + type_code
        self.n = n = n_halls * T
        k, nf = len(BY_TYPE_COUNTS), len(SYSTEM_FIGURES)
        self.first_cell = cell[first]
        self.flat = _figure_bins(cell, nf)
        self.share = share
        flat = out.reshape(n, BY_TYPE_WIDTH)
        flat[:, 0] = np.bincount(cell, minlength=n)
        flat[:, 1] = np.bincount(self.first_cell, minlength=n)
        flat[:, 3] = np.bincount(cell, types.chips[type_code] / rps, minlength=n)
        flat[:, k:k + nf] = _figure_sum(self.flat, n, share)

    def with_effective(self, eff_rack: np.ndarray, first_eff: np.ndarray) -> np.ndarray:
        """The sums with the stranded systems and the effective figures."""
        out = self.out.copy()
        if not hasattr(self, "cell"):
            return out
        k, nf = len(BY_TYPE_COUNTS), len(SYSTEM_FIGURES)
        flat = out.reshape(self.n, BY_TYPE_WIDTH)
        flat[:, 2] = np.bincount(self.first_cell, ~first_eff, minlength=self.n)
        flat[:, k + nf:] = _figure_sum(self.flat, self.n, self.share * eff_rack[:, None])
        return out


def by_type_sums(hall: np.ndarray, type_code: np.ndarray, rps: np.ndarray, eff_rack: np.ndarray,
                 first: np.ndarray, first_eff: np.ndarray, types, n_halls: int) -> np.ndarray:
    """Per hall and compute type: racks, systems, stranded systems, chips and the peak and
    effective system figures (report units). ``hall``/``type_code``/``eff_rack`` are per
    compute rack (``rps``: its type's racks per system); ``first`` indexes each system's
    first rack, ``first_eff`` whether that system is effective. Summing over types gives
    the per-hall totals (the same shares, so totals equal the sum of types)."""
    share = types.system_matrix[type_code] / rps[:, None] if len(hall) else None
    return _ByType(hall, type_code, rps, share, first, types, n_halls).with_effective(eff_rack, first_eff)


class _HallStatic:
    """What the per-hall sums of a group start from wherever its items stand (kept by the
    groups a move makes: ``HallGroup.kept``)."""

    def __init__(self, g: HallGroup, sg: SystemGroups, liquid: np.ndarray, air: np.ndarray):
        H = g.n_halls
        hk, tc, it = g.hall_of, g.type_code, g.it_kw
        nf = len(SYSTEM_FIGURES)
        comp = sg.comp
        self.peak = np.zeros((H, nf))
        self.n_sys = np.zeros(H)
        self.chips = np.zeros(H)
        self.first_hall = None
        self.by_type = _ByType(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), None,
                               np.zeros(0, np.int64), g.types, H)
        if len(comp):
            hc = hk[comp]
            rps = g.types.racks_per_system[tc[comp]].astype(float)
            self.share = g.types.system_matrix[tc[comp]] / rps[:, None]
            self.flat = _figure_bins(hc, nf)
            self.peak = _figure_sum(self.flat, H, self.share)
            self.chips = np.bincount(hc, g.types.chips[tc[comp]] / rps, minlength=H)
            self.first_hall = hk[sg.first_racks()]
            self.n_sys = np.bincount(self.first_hall, minlength=H).astype(float)
            # the first rack of each (hall, system) group, as a position in ``comp``
            self.by_type = _ByType(hc, tc[comp], rps, self.share, sg.order[sg.starts], g.types, H)
        self.racks = np.bincount(hk[comp], minlength=H).astype(float)
        self.it = np.bincount(hk, it, minlength=H)
        self.liquid = np.bincount(hk, liquid, minlength=H)
        self.air = np.bincount(hk, air, minlength=H)
        self.consumer = it > 0


def hall_sums(g: HallGroup, sg: SystemGroups, flags, powered, cooled, link_down, liquid, air, links: LinkRuns,
              media: int) -> dict[str, np.ndarray]:
    """The per-hall sums the evaluator keeps (:data:`HALL_SUMS` columns, cables by medium,
    longest run and worst latency), so that site totals cost O(halls)."""
    H = g.n_halls
    hk, it = g.hall_of, g.it_kw
    nf = len(SYSTEM_FIGURES)
    kept = g.kept("sums", lambda: _HallStatic(g, sg, liquid, air))
    peak, n_sys, chips = kept.peak, kept.n_sys, kept.chips
    eff = np.zeros((H, nf))
    stranded = np.zeros(H)
    comp = sg.comp
    by_type = kept.by_type.out.copy()   # (the kept one is never handed out: stores write theirs)
    if len(comp):
        bad = stranded_items(flags, powered, cooled, link_down)
        # Racks of one system in one hall form a group; a system split across halls is
        # judged per part here and flagged (scale-up) in the site-level step.
        eff_group = ~(np.add.reduceat(bad[comp][sg.order].astype(np.int64), sg.starts) > 0)
        eff_rack = np.empty(len(comp), bool)
        eff_rack[sg.order] = np.repeat(eff_group, sg.sizes)
        eff = _figure_sum(kept.flat, H, kept.share * eff_rack[:, None])
        stranded = np.bincount(kept.first_hall, ~eff_group, minlength=H)
        by_type = kept.by_type.with_effective(eff_rack, eff_group)
    racks = kept.racks
    ok = links.medium >= 0
    run_hall = hk[links.rack]
    cell = run_hall[ok] * media + links.medium[ok]
    # (float weights and an explicit dtype: numpy's bincount of nothing is int64)
    media_count = np.bincount(cell, links.count[ok], minlength=H * media).astype(float).reshape(H, media)
    media_metres = np.bincount(cell, links.count[ok] * links.length_m[ok], minlength=H * media).astype(float) \
        .reshape(H, media)
    longest = np.zeros(H)
    worst = np.zeros(H)
    if len(links.rack):
        np.maximum.at(longest, run_hall, links.length_m)
        st = g.settings
        latency = links.length_m[ok] * st.lat_m[links.medium[ok]] + st.lat_fixed[links.medium[ok]]
        np.maximum.at(worst, run_hall[ok], latency)
    errors = np.zeros(H)
    warnings = np.zeros(H)
    for h, hall in enumerate(g.halls):
        found = g.violations[hall.id]
        e = sum(1 for v in found if v.severity == "error")
        errors[h], warnings[h] = e, len(found) - e
    columns = [
        kept.it, np.bincount(hk, it * powered, minlength=H),
        kept.liquid, kept.air,
        np.bincount(hk, liquid * powered, minlength=H), np.bincount(hk, air * powered, minlength=H),
        np.bincount(hk, (~powered) & kept.consumer, minlength=H), np.bincount(hk, ~cooled, minlength=H),
        np.bincount(run_hall, links.count, minlength=H) if len(links.rack) else np.zeros(H),
        racks, chips, n_sys, stranded, errors, warnings, peak, eff,
    ]
    table = np.column_stack(columns).astype(float).reshape(H, len(HALL_SUMS))
    return {"table": table, "media_count": media_count, "media_metres": media_metres, "longest_m": longest,
            "worst_latency_ns": worst, "by_type": by_type}
