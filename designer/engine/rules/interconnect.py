"""Interconnect: scale-up reach within each UltraServer, scale-out links to network racks.

Cable length is routed, not straight: (Manhattan distance + a tray drop at each end) ×
the slack factor (PRODUCT.md §3). Each link takes the cheapest medium whose reach covers
it; network racks serve links nearest first, within their ports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from designer.engine.arrays import run_starts
from designer.engine.group import HallGroup
from designer.engine.serve import _serve_nearest
from designer.engine.types import COMPUTE, NETWORK


class LinkRuns(NamedTuple):
    """Scale-out cable runs: ``count`` links of one medium from a rack to a network rack
    (group positions, or positions within a hall once stored by the evaluator)."""

    rack: np.ndarray
    network: np.ndarray
    count: np.ndarray
    length_m: np.ndarray
    medium: np.ndarray     # index into the settings' media (-1: no medium reaches)

    @classmethod
    def empty(cls) -> "LinkRuns":
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64))


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class SystemGroups:
    """The compute racks of a group grouped by (hall, UltraServer): ``comp`` (group
    positions), ``order`` sorting them by group, each group's ``starts`` and ``sizes``."""

    comp: np.ndarray
    key: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, g: HallGroup) -> "SystemGroups":
        comp = np.flatnonzero(g.kind == COMPUTE)
        key = g.hall_of[comp].astype(np.int64) * (len(g.systems.names) + 1) + g.system[comp]
        # (the row as the last key makes each key unique: a plain sort is then stable, and fast)
        order = np.argsort(key * len(comp) + np.arange(len(comp)), kind="stable")
        ks = key[order]
        starts = run_starts(ks)
        sizes = np.diff(np.append(starts, len(order)))
        return cls(comp, key, order, starts, sizes)

    def members(self, grp: int) -> np.ndarray:
        """Group positions of the racks of group ``grp``."""
        return self.comp[self.order[self.starts[grp]:self.starts[grp] + self.sizes[grp]]]

    def first_racks(self) -> np.ndarray:
        """Each group's first rack (group positions)."""
        return self.comp[self.order[self.starts]]


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
class NetworkResult:
    """Links, ports used per network rack and racks whose links are down."""

    links: LinkRuns
    ports_used: np.ndarray
    link_down: np.ndarray  # a rack cabled to a network rack that has no power or cooling


def routed_length_m(manhattan_m, tray_drop_m, slack: float):
    """A cable's routed length: (Manhattan + two tray drops) × slack (PRODUCT.md §3)."""
    return (manhattan_m + 2 * tray_drop_m) * slack


def port_to_port_m(dx, dy, tray_drop_m, st):
    """A scale-out cable's length port to port: racks side by side in one row (centres
    within ``cable.direct_max_m``) are cabled directly through their side cable managers,
    (dx + 2 × in-rack run) × slack; others via the overhead tray (:func:`routed_length_m`)."""
    tray = routed_length_m(dx + dy, tray_drop_m, st.slack)
    direct = (dx + 2 * st.in_rack_m) * st.slack
    return np.where((dy < 0.05) & (dx <= st.direct_max_m + 1e-9), np.minimum(direct, tray), tray)


def check_scaleup(g: HallGroup, sg: SystemGroups, flags: dict[str, np.ndarray]) -> None:
    """Every pair of racks of one UltraServer in a hall within the scale-up reach (the
    widest Manhattan spread of the group, from the diagonal coordinates' ranges)."""
    if not len(sg.comp):
        return
    st = g.settings
    u = (g.x + g.y)[sg.comp][sg.order]
    v = (g.x - g.y)[sg.comp][sg.order]
    s = sg.starts
    diam = np.maximum(np.maximum.reduceat(u, s) - np.minimum.reduceat(u, s),
                      np.maximum.reduceat(v, s) - np.minimum.reduceat(v, s))
    routed = routed_length_m(diam, g.tray_drop_m[g.hall_of[sg.first_racks()]], st.slack)
    for grp in np.flatnonzero((sg.sizes > 1) & (routed > st.scaleup_max_m + 1e-9)):
        members = sg.members(grp)
        flags["scaleup-reach"][members] = True
        name = g.systems[int(g.system[members[0]])]
        g.add("scaleup-reach", members, f"UltraServer {name}: its racks need {routed[grp]:.1f} m of "
              f"scale-up cable, beyond the {st.scaleup_max_m:.1f} m scale-up reach")


def _scaleout_inputs(g: HallGroup, sg: SystemGroups) -> tuple:
    """What serving the scale-out links starts from, wherever the racks stand: each
    compute rack's share of its UltraServer's links, the network racks, their ports (a
    failed one's links re-home), the runs' extra length, reach and the first search radius."""
    tc, comp = g.type_code, sg.comp
    per_sys = g.types.links_per_system[tc[comp]]
    rps = g.types.racks_per_system[tc[comp]]
    rank = np.empty(len(comp), np.int64)
    rank[sg.order] = np.arange(len(sg.order)) - np.repeat(sg.starts, sg.sizes)
    base = np.floor(per_sys / rps)
    links_needed = base + (rank < (per_sys - base * rps))
    nets = np.flatnonzero(g.kind == NETWORK)
    ports = np.where(g.failed[nets], 0.0, g.types.ports[tc[nets]])
    return (links_needed, nets, ports, 2 * g.tray_drop_m[g.hall_of], np.full(len(nets), np.inf),
            g.search_radius(nets))


def check_scaleout(g: HallGroup, sg: SystemGroups, flags: dict[str, np.ndarray], up: np.ndarray, serving,
                   memory: dict, new_memory: dict | None) -> NetworkResult:
    """Each rack's share of its UltraServer's EFA links, served by network racks nearest
    first; the medium of each run; links beyond reach and links without a port. ``up``:
    items with power and cooling (a network rack without them leaves its links down)."""
    n = len(g)
    st = g.settings
    tc, hk = g.type_code, g.hall_of
    ports_used = np.zeros(n)
    link_down = np.zeros(n, bool)
    comp = sg.comp
    if not len(comp):
        return NetworkResult(LinkRuns.empty(), ports_used, link_down)
    links_needed, nets, ports, extra, reach, radius = g.kept("scale-out", lambda: _scaleout_inputs(g, sg))
    tray = g.tray_drop_m
    served, grants = _serve_nearest(comp, nets, hk, g.x, g.y, extra, reach,
                                    links_needed, ports, partial=True, radius_m=radius,
                                    scale=st.slack, serving=serving.call("network"),
                                    reuse=(memory.get("network"), new_memory, "network"),
                                    direct=(st.direct_max_m, st.in_rack_m))
    residual = links_needed - served
    gi, gn, gc = grants
    ports_used[nets] = np.bincount(gn, gc, minlength=len(nets))
    links = LinkRuns.empty()
    if len(gi):
        r, q = comp[gi], nets[gn]
        # routed length to the millimetre (as a cable is measured)
        dx, dy = np.abs(g.x[r] - g.x[q]), np.abs(g.y[r] - g.y[q])
        length = np.round(port_to_port_m(dx, dy, tray[hk[r]], st), 3)
        medium = cheapest_medium(st, length)
        links = LinkRuns(r, q, gc, length, medium)
        link_down[r[~up[q]]] = True
        far = np.flatnonzero(medium < 0)
        flags["cable-reach"][r[far]] = True
        for k in [] if g.quiet else far:   # (copies trying failures say nothing)
            g.add("cable-reach", (r[k], q[k]), f"{gc[k]:.0f} link(s) from {g.id(r[k])} to {g.id(q[k])} need "
                  f"{length[k]:,.0f} m of cable, beyond every medium's reach ({st.reach.max():,.0f} m)")
    short = np.flatnonzero(residual > 1e-9)
    if len(short):
        flags["network-ports"][comp[short]] = True
    if len(short) and not g.quiet:
        # per hall: its leaf racks (a spine faces no server) and their server ports
        leaves = nets[~g.types.spine[tc[nets]]]
        n_h = len(g.halls)
        leaf_count = np.bincount(hk[leaves], minlength=n_h)
        leaf_ports = np.bincount(hk[leaves], g.types.ports[tc[leaves]], minlength=n_h)
        # one message per UltraServer: its short racks grouped by key (one sort, not a scan each)
        key = sg.key[short]
        order = np.argsort(key, kind="stable")
        bounds = run_starts(key[order], end=True)
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            members = short[order[lo:hi]]
            h = hk[comp[members[0]]]
            name = g.halls[h].name
            where = (f"its {leaf_count[h]} network rack(s) in {name} have {leaf_ports[h]:,.0f} ports, all taken"
                     if leaf_count[h] else f"there is no network rack in {name}")
            system = g.systems[int(g.system[comp[members[0]]])]
            g.add("network-ports", comp[members], f"UltraServer {system}: {residual[members].sum():.0f} EFA "
                  f"link(s) find no free network port ({where})")
    return NetworkResult(links, ports_used, link_down)


def cheapest_medium(st, length_m: np.ndarray) -> np.ndarray:
    """Per run, the cheapest medium whose reach covers it (-1 when none does)."""
    cost = st.cost_link[None, :] + st.cost_m[None, :] * length_m[:, None]
    cost = np.where(st.reach[None, :] + 1e-9 >= length_m[:, None], cost, np.inf)
    medium = np.argmin(cost, axis=1)
    medium[~np.isfinite(cost[np.arange(len(length_m)), medium])] = -1
    return medium
