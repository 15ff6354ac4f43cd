"""The scale-out fabric above the leaves: a folded Clos of k-port switches.

Sizing follows the fat-tree of Al-Fares, Loukissas and Vahdat, "A Scalable, Commodity
Data Center Network Architecture", SIGCOMM 2008 (hardware.md §7): L tiers of k-port
switches connect 2·(k/2)^L hosts without blocking. Here the leaves are the network
racks' switches; a leaf gives d = floor(k·o/(1+o)) ports to servers and k − d to
uplinks, and the tiers above are sized from those uplinks (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.engine.arrays import run_starts
from designer.engine.evaluation import Violation
from designer.engine.rules.interconnect import cheapest_medium
from designer.engine.serve import _serve_nearest
from designer.model.clos import clos_tiers, server_ports, spine_racks_needed  # noqa: F401 (re-exported)

#: Leaf → spine links first look for spine racks within this many metres (then further).
SEARCH_RADIUS_M = 60.0


def oversubscription(design) -> float:
    """The design's ``fabric.oversubscription`` (default 1.0: non-blocking)."""
    fabric = design.extra.get("fabric") if isinstance(design.extra.get("fabric"), dict) else {}
    return float(fabric.get("oversubscription", 1.0))


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class FabricLinks:
    """Cable runs of the fabric: ``count`` links of one medium between two racks (design
    rows), with their routed length; ``tier`` 1 for leaf → spine, 2+ above."""

    a: np.ndarray
    b: np.ndarray
    count: np.ndarray
    length_m: np.ndarray
    medium: np.ndarray
    tier: np.ndarray
    inter_hall: np.ndarray

    @classmethod
    def empty(cls) -> "FabricLinks":
        z = np.zeros(0, np.int64)
        return cls(z, z, np.zeros(0), np.zeros(0), z, z, np.zeros(0, bool))

    @classmethod
    def join(cls, parts: list["FabricLinks"]) -> "FabricLinks":
        parts = [p for p in parts if len(p.a)]
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("a", "b", "count", "length_m", "medium", "tier", "inter_hall")))


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class Fabric:
    """The scale-out fabric of a design: its tiers, the switches they need against those
    placed, and the fabric's cable runs."""

    endpoints: int
    oversubscription: float
    radix: int
    tiers: list[int]
    leaf_racks: int
    spine_racks: int
    spine_switches: int            # switches in spine racks that are up
    links: FabricLinks
    uplinks_needed: float
    uplinks_cabled: float
    port_gbps: float
    spine_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: per spine rack: its working switches (0 when failed, unpowered or uncooled)
    spine_switch_counts: np.ndarray | None = None
    #: why no fabric could be sized (switches of too few ports, none left for servers), or ""
    problem: str = ""

    @property
    def switches_above(self) -> int:
        return int(sum(self.tiers[1:]))

    def bisection_tbps(self) -> float:
        """Half the servers' scale-out bandwidth through the middle of the Clos, divided by
        the oversubscription (a blocking leaf gives its servers 1/o of their bandwidth
        upwards); less when the spines cable fewer uplinks than the leaves need, or hold
        fewer working switches than the tiers above the leaves need."""
        if not self.endpoints or len(self.tiers) < 2:
            return 0.0
        share = min(1.0, self.uplinks_cabled / self.uplinks_needed) if self.uplinks_needed else 0.0
        # fewer working switches above the leaves than the tiers need carry less across the middle
        share *= min(1.0, self.spine_switches / self.switches_above) if self.switches_above else 0.0
        return self.endpoints * self.port_gbps / 2.0 / max(1.0, self.oversubscription) * share / 1000.0


def leaf_uplinks(server_links: np.ndarray, radix: int, o: float) -> np.ndarray:
    """Uplinks a leaf rack cables for the server links it serves: in proportion, (k − d)/d
    uplinks per server link (d = a switch's server ports), rounded up."""
    d = server_ports(radix, o)
    return np.ceil(server_links * (radix - d) / d - 1e-9)


def routed_m(manhattan, tray_a, tray_b, slack: float):
    """(Manhattan + the tray drop at each end) × slack (PRODUCT.md §3), to the millimetre."""
    return np.round((manhattan + tray_a + tray_b) * slack, 3)


def pair_length_m(xy_a, xy_b, tray_a, tray_b, same_hall, settings) -> np.ndarray:
    """A fabric cable's length: via the tray (:func:`routed_m`), or port to port between
    racks side by side in one row of a hall (``cable.direct_max_m``; a rack's links among
    its own switches are the in-rack runs alone), as server links are
    (rules.interconnect.port_to_port_m)."""
    dx = np.abs(xy_a[:, 0] - xy_b[:, 0])
    dy = np.abs(xy_a[:, 1] - xy_b[:, 1])
    tray = routed_m(dx + dy, tray_a, tray_b, settings.slack)
    direct = np.round((dx + 2 * settings.in_rack_m) * settings.slack, 3)
    side = same_hall & (dy < 0.05) & (dx <= settings.direct_max_m + 1e-9)
    return np.where(side, np.minimum(direct, tray), tray)


def cheapest(settings, length_m: np.ndarray) -> np.ndarray:
    return cheapest_medium(settings, length_m)


def build_fabric(endpoints: int, o: float, radix: int, port_gbps: float, settings,
                 leaf_rows, leaf_xy, leaf_hall, leaf_tray, leaf_used,
                 spine_rows, spine_xy, spine_hall, spine_tray, spine_switches, spine_up,
                 spine_radix: np.ndarray | None = None, memo: dict | None = None) -> Fabric:
    """Size the Clos from ``endpoints`` and cable it: each leaf rack's uplinks go to the
    nearest spine racks with free down ports (site coordinates, any hall); the links
    between the tiers above run from every spine rack to every other in proportion to
    their switches (a Clos's upper tiers interconnect all its spine switches), routed in
    site coordinates. Positions are site metres; rows are design rows. ``memo``: a dict
    the caller keeps between fabrics (the upper tiers' links are kept in it)."""

    try:
        tiers = clos_tiers(endpoints, radix, o) if endpoints > 0 else []
        problem = ""
    except ValueError as exc:   # switches that cannot form a fabric (too few ports, none left for servers)
        tiers, problem = [], str(exc)
    switches_up = spine_switches * spine_up
    fab = Fabric(int(endpoints), float(o), int(radix), tiers, len(leaf_rows), len(spine_rows),
                 int(switches_up.sum()), FabricLinks.empty(), 0.0, 0.0, float(port_gbps), spine_rows, switches_up,
                 problem)
    if len(tiers) < 2:
        return fab
    uplinks = leaf_uplinks(leaf_used, radix, o)
    fab.uplinks_needed = float(uplinks.sum())
    # a tier-2 switch gives half its ports to the leaves, or all of them in a 2-tier fabric
    # (each spine rack's own switches: ``spine_radix`` ports each, the leaves' radix when not given)
    k_spine = spine_radix if spine_radix is not None else np.full(len(spine_rows), radix)
    down = switches_up * (k_spine if len(tiers) == 2 else k_spine // 2)
    parts = []
    if len(spine_rows) and fab.uplinks_needed > 0:
        n_l = len(leaf_rows)
        x = np.concatenate([leaf_xy[:, 0], spine_xy[:, 0]])
        y = np.concatenate([leaf_xy[:, 1], spine_xy[:, 1]])
        extra = np.concatenate([leaf_tray * 2.0, spine_tray * 0.0])
        leaves, units = np.arange(n_l), n_l + np.arange(len(spine_rows))
        # first from the spine racks of the leaf's own hall, then whatever is short from any hall
        key = np.concatenate([leaf_hall, spine_hall]).astype(np.int64)
        served, (gi, gu, gc) = _serve_nearest(leaves, units, key, x, y, extra, np.full(len(spine_rows), np.inf),
                                              uplinks, down.astype(float), partial=True,
                                              radius_m=np.full(int(key.max()) + 1, SEARCH_RADIUS_M),
                                              scale=settings.slack, direct=(settings.direct_max_m, settings.in_rack_m))
        short = uplinks - served
        if (short > 1e-9).any():
            left = down - np.bincount(gu, gc, minlength=len(spine_rows))
            if (left > 1e-9).any():
                more, (gi2, gu2, gc2) = _serve_nearest(leaves, units, np.zeros(len(x), np.int64), x, y, extra,
                                                       np.full(len(spine_rows), np.inf), short, left, partial=True,
                                                       radius_m=np.array([SEARCH_RADIUS_M]), scale=settings.slack)
                served = served + more
                gi, gu, gc = np.r_[gi, gi2], np.r_[gu, gu2], np.r_[gc, gc2]
        fab.uplinks_cabled = float(served.sum())
        if len(gi):
            length = pair_length_m(leaf_xy[gi], spine_xy[gu], leaf_tray[gi], spine_tray[gu],
                                   leaf_hall[gi] == spine_hall[gu], settings)
            parts.append(FabricLinks(leaf_rows[gi], spine_rows[gu], gc, length, cheapest(settings, length),
                                     np.ones(len(gi), np.int64), leaf_hall[gi] != spine_hall[gu]))
    above = len(tiers) - 2   # link layers between tiers 2 … L
    if above and fab.uplinks_cabled > 0 and switches_up.sum() > 0:
        parts += _upper_links(fab.uplinks_cabled * above, spine_rows, spine_xy, spine_hall, spine_tray,
                              switches_up, settings, memo)
    fab.links = FabricLinks.join(parts)
    return fab


def _upper_links(total: float, rows, xy, hall, tray, switches, settings, memo: dict | None) -> list[FabricLinks]:
    """:func:`_upper_for`, or the last result kept in ``memo`` when its inputs are the same
    (a drag moves uplinks among the leaves, rarely changes how many there are, and never
    moves the spine racks)."""
    if memo is None:
        return _upper_for(total, rows, xy, hall, tray, switches, settings)
    key = (total, rows.tobytes(), np.ascontiguousarray(xy).tobytes(), hall.tobytes(), tray.tobytes(),
           switches.tobytes())
    # (the settings compared by identity: the memo holds them, so their id is not reused)
    if memo.get("settings") is settings and memo.get("key") == key:
        return list(memo["parts"])
    parts = _upper_for(total, rows, xy, hall, tray, switches, settings)
    memo.update(settings=settings, key=key, parts=parts)
    return list(parts)


def _upper_for(total: float, rows, xy, hall, tray, switches, settings) -> list[FabricLinks]:
    """The links between the tiers above the leaves: a Clos's upper tiers interconnect all
    its spine switches, so each pair of spine racks carries links in proportion to the
    product of their switches. Within a hall, rack to rack; between halls, one run per
    pair of halls, between the switch-weighted centres of their spine rooms (what the
    trunk between two spine rooms is measured on), carried by the halls' first racks."""
    on = np.flatnonzero(switches > 0)
    w = switches[on] / switches[on].sum()
    h = hall[on]
    parts = []
    # within each hall: every pair of its spine racks (and a rack with itself)
    order = np.argsort(h, kind="stable")
    bounds = run_starts(h[order], end=True)
    halls, first, centre, weight, trays = [], [], [], [], []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        idx = on[order[lo:hi]]
        wi = w[order[lo:hi]]
        pa, pb = np.triu_indices(len(idx))
        count = total * wi[pa] * wi[pb] * np.where(pa == pb, 1.0, 2.0)
        a, b = idx[pa], idx[pb]
        length = pair_length_m(xy[a], xy[b], tray[a], tray[b], np.ones(len(a), bool), settings)
        parts.append(FabricLinks(rows[a], rows[b], count, length, cheapest(settings, length),
                                 np.full(len(a), 2, np.int64), np.zeros(len(a), bool)))
        halls.append(hall[idx[0]])
        first.append(idx[0])
        weight.append(wi.sum())
        centre.append((wi[:, None] * xy[idx]).sum(axis=0) / wi.sum())
        trays.append(tray[idx[0]])
    if len(halls) > 1:
        first, weight, centre, trays = np.array(first), np.array(weight), np.array(centre), np.array(trays)
        pa, pb = np.triu_indices(len(halls), k=1)
        count = total * weight[pa] * weight[pb] * 2.0
        manh = np.abs(centre[pa, 0] - centre[pb, 0]) + np.abs(centre[pa, 1] - centre[pb, 1])
        length = routed_m(manh, trays[pa], trays[pb], settings.slack)
        parts.append(FabricLinks(rows[first[pa]], rows[first[pb]], count, length, cheapest(settings, length),
                                 np.full(len(pa), 2, np.int64), np.ones(len(pa), bool)))
    return parts


def fabric_report(fab: Fabric, design, settings, types, server_links_by_medium: np.ndarray):
    """``report --json``'s ``network`` section and the fabric's violations."""

    links = fab.links
    ok = links.medium >= 0
    by_medium = np.bincount(links.medium[ok], links.count[ok], minlength=len(settings.media)) + server_links_by_medium
    transceivers = float((by_medium * settings.transceivers).sum())
    optics_kw = float((by_medium * settings.optics_w).sum()) / 1000.0
    t = design.equipment
    violations = []
    if fab.problem:
        violations.append(Violation("fabric-capacity", ("site",), f"no fabric can be built: {fab.problem} "
                                    f"(leaf switches of {fab.radix} ports, oversubscription {fab.oversubscription:g})"))
    short_switches = fab.switches_above - fab.spine_switches
    short_links = fab.uplinks_needed - fab.uplinks_cabled
    if len(fab.tiers) >= 2 and (short_switches > 0 or short_links > 0.5):
        spec_switches = [int(types.switches[c]) for c in range(len(types.names)) if types.spine[c]]
        per_rack = max(spec_switches) if spec_switches else 0
        need = f"; {spine_racks_needed(fab.tiers, per_rack):,} spine racks of {per_rack} switches hold them" \
            if per_rack else ""
        have = (f"the {fab.spine_racks:,} spine rack(s) placed hold {fab.spine_switches:,} working switch(es)"
                if fab.spine_racks else "no spine rack is placed")
        msg = (f"the fabric's {len(fab.tiers)} tiers need {fab.switches_above:,} switches above the leaves "
               f"({' + '.join(f'{n:,}' for n in fab.tiers[1:])}){need}; {have}")
        if short_links > 0.5:
            msg += f"; {short_links:,.0f} leaf uplink(s) find no spine port"
        if fab.spine_racks and not fab.spine_switches:
            msg += " — no spine switch works: the leaves cannot reach each other"
        ids = tuple(t.ids[int(r)] for r in fab.spine_rows) or ("site",)
        violations.append(Violation("fabric-capacity", ids, msg))
    far = np.flatnonzero(links.medium < 0)
    if len(far) > 200:   # (a campus misplaced by kilometres: the first 200 runs, then how many more)
        violations.append(Violation("cable-reach", ("site",), f"{len(far) - 200:,} more fabric runs need more "
                                    f"cable than every medium reaches ({settings.reach.max():,.0f} m)"))
    for k in far[:200]:   # every run beyond reach is its own message
        a, b = int(links.a[k]), int(links.b[k])
        violations.append(Violation(
            "cable-reach", (t.ids[a], t.ids[b]),
            f"{links.count[k]:,.0f} fabric link(s) from {t.ids[a]} to {t.ids[b]} need {links.length_m[k]:,.0f} m "
            f"of cable, beyond every medium's reach ({settings.reach.max():,.0f} m)",
            t.halls[int(t.hall_code[a])], float(t.x[a]), float(t.y[a])))
    network = {
        "endpoints": int(fab.endpoints),
        "oversubscription": round(fab.oversubscription, 6),
        "leaf_racks": int(fab.leaf_racks),
        "tiers": len(fab.tiers),
        "switches_by_tier": [int(n) for n in fab.tiers],
        "switches": int(sum(fab.tiers)),
        "spine_racks": int(fab.spine_racks),
        "spine_switches": int(fab.spine_switches),
        "fabric_links": int(round(float(links.count.sum()))),
        "inter_hall_links": int(round(float(links.count[links.inter_hall].sum()))),
        "transceivers": int(round(transceivers)),
        "optics_kw": round(optics_kw, 6),
        "bisection_tbps": round(fab.bisection_tbps(), 6),
        "longest_fabric_link_m": round(float(links.length_m.max()) if len(links.length_m) else 0.0, 6),
    }
    return network, violations



def spine_redundancy(fab: Fabric, design, level: str) -> list:
    """With the network declared N+1, the spine racks must survive the loss of any one:
    a ``redundancy`` error names the spine rack whose loss leaves the tiers above the
    leaves short of switches (the busiest such rack; the message gives how many)."""

    if level == "N" or len(fab.tiers) < 2 or fab.spine_switch_counts is None or not len(fab.spine_rows):
        return []
    t = design.equipment
    spare = fab.spine_switches - fab.switches_above
    if spare < 0:   # already short: fabric-capacity says so
        return []
    per = fab.spine_switch_counts
    worst = int(np.argmax(per))
    if per[worst] <= spare:
        return []
    r = int(fab.spine_rows[worst])
    short = int(per[worst] - spare)
    return [Violation("redundancy", (t.ids[r],),
                      f"network is declared {level}, but losing {t.ids[r]} leaves the fabric {short:,} switch"
                      f"{'es' if short != 1 else ''} short of the {fab.switches_above:,} its tiers above the leaves need",
                      t.halls[int(t.hall_code[r])], float(t.x[r]), float(t.y[r]))]



def spines_working(fab: "Fabric | None") -> int:
    """Spine racks with a working switch, in a fabric that needs tiers above its leaves
    (0 when no tier is needed, or none works)."""
    if fab is None or len(fab.tiers) < 2 or fab.spine_switch_counts is None:
        return 0
    return int(np.count_nonzero(fab.spine_switch_counts > 0))


def partitioned(fab: "Fabric | None") -> bool:
    """Spine racks are placed, the fabric needs tiers above its leaves, and no spine
    switch works (failed, unpowered or uncooled): the leaves cannot reach each other, so
    every UltraServer's scale-out is cut. (No spine rack placed at all is a fabric not yet
    designed: ``fabric-capacity`` says so, and nothing is counted as stranded.)"""
    return fab is not None and len(fab.tiers) >= 2 and fab.spine_racks > 0 and fab.spine_switches == 0
