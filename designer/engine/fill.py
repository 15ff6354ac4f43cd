"""Fill a hall: from an empty room to the most UltraServers it can really hold (issue 15).

The layout is computed geometrically, then checked by one evaluation:

1. *Walls.* Air handlers stand against the walls that run along the rows (their front
   zone kept clear); a 1.2 m walkway runs round the room (D4: circulation ≥ 1.2 m).
2. *Rows.* Rows of racks come in pairs facing a cold aisle (two tiles, at least the front
   service zone, D5) with hot aisles between pairs (at least the rear zone, on whole
   tiles). For each row the floor it may use is found with shapely: where the band of
   its footprints *and* service zones lies inside the outline and clear of columns,
   keep-outs and the items already in the hall (their footprints and zones). The usable
   lengths are cut into runs of at most 20 positions with 1.2 m cross aisles (D4: rows
   ≤ 20 cabinets; circulation ≥ 1.2 m), on the 0.6 m tile grid.
3. *Pods.* Each run is a pod of its own: CDUs (enough for its liquid heat counted in
   whole racks, plus a spare with cooling N+1; its own cooling loop), UltraServers (their
   racks side by side), leaf racks (server ports floor(ports·o/(1+o)) for every EFA
   link, plus a spare with network N+1) and overhead busways in balanced runs (an A and
   a B run over every rack when power is 2N or N+1). When the catalog has a
   ``spine-rack`` type, spine racks for the site's whole Clos fabric stand in a row of
   their own.
4. *Budgets.* UltraServers are added pod by pod, one at a time, while the hall's
   critical IT capacity, the site's utility feed, the air handlers the walls can hold,
   the spine room and the target allow; the first limit met is the *binding* constraint
   (``space`` when the floor runs out). Both orientations and several row offsets are
   tried (``auto``) and the one holding most is kept.
5. *Check.* The design with the new items is evaluated once (with every single failure
   of the filled halls tried when the site declares redundancy); in the rare case that
   something the geometry did not foresee fails, the hall is filled again with fewer.

Qt-free; the CLI verb ``designer fill`` and Tools ▸ Fill Hall… use :func:`plan_fill`.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from designer.catalog import Catalog
from designer.engine.arrays import unique
from designer.engine.fabric import clos_tiers, spine_racks_needed
from designer.engine.fill_floor import (  # noqa: F401 (FillError and the type ids are part of fill's API)
    AIR_TYPE, BUSWAY_TYPE, CDU_TYPE, LEAF_TYPE, SPINE_TYPE, FillError, _Floor, _Kit, _kit, _Layout,
)
from designer.model.commands import AddItems, Command, Composite, SetPowerChain, SetSite, chain_nodes
from designer.model.design import Design, Equipment, Hall
from designer.model.layouts import FEED_OFFSET_M, TILE_M, balanced_runs, power_chain_nodes

#: What can stop a fill, in the words ``designer fill`` prints.
BINDINGS = ("space", "utility", "hall-capacity", "cooling", "network", "floor-load", "target")
ORIENTATIONS = ("auto", "x", "y")
#: Row offsets tried per orientation (multiples of a tile, across one row-pair pitch).
OFFSET_STEP_M = TILE_M
#: Air handlers of the rack type's reach kept for a rack: within reach less this margin.
AIR_REACH_MARGIN_M = 2.4
#: At most this many times a hall is filled again when the check finds a problem.
MAX_RETRIES = 4
DEFAULT_RACK_TYPE = "trn3-gen2-rack"




@dataclass(frozen=True)
class FillRequest:
    """What to fill: ``halls`` (empty: every hall), to the maximum or to a target
    (``ultraservers`` in all, or an IT load ``it_kw`` in all), with UltraServers of
    ``rack_type``, rows along ``orientation`` ("auto", "x" or "y")."""

    halls: tuple[str, ...] = ()
    ultraservers: int | None = None
    it_kw: float | None = None
    rack_type: str = DEFAULT_RACK_TYPE
    orientation: str = "auto"


@dataclass
class HallFill:
    """One hall's part of a fill."""

    hall: str
    ultraservers: int
    binding: str
    orientation: str           # "x" (rows east-west) or "y" (rows north-south)
    items: list[Equipment]
    it_kw: float
    rows: int                  # rows of racks (runs between cross aisles)
    area_m2: float
    #: with nothing in the way of budgets: how many the floor alone would hold
    space_ultraservers: int = 0
    #: power-chain nodes above the new busways (when the design has a power chain)
    chain: list[dict] = field(default_factory=list)


@dataclass
class FillResult:
    """The items a fill adds (not yet applied), what stopped it and its check."""

    halls: list[HallFill]
    generators: dict | None        # the site's generators resized for the new load (None: unchanged)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # errors the check still finds (normally none)
    cancelled: bool = False

    @property
    def items(self) -> list[Equipment]:
        return [e for h in self.halls for e in h.items]

    @property
    def ultraservers(self) -> int:
        return sum(h.ultraservers for h in self.halls)

    @property
    def binding(self) -> str:
        """What stopped the fill: ``target`` when it was met, else the binding constraint of
        the hall that fell furthest short of what its floor alone would hold."""
        if not self.halls:
            return "space"
        if any(h.binding == "target" for h in self.halls):
            return "target"
        # the hall that held least against its floor names the limit
        return min(self.halls, key=lambda h: (h.ultraservers - h.space_ultraservers, h.hall)).binding

    def chips(self, catalog: Catalog, rack_type: str) -> int:
        return int(self.ultraservers * catalog.types[rack_type].get("chips"))

    def summary(self, catalog: Catalog, rack_type: str) -> dict:
        """The one JSON line of ``designer fill``."""
        return {"ultraservers": self.ultraservers, "chips": self.chips(catalog, rack_type),
                "binding": self.binding, "seconds": round(self.seconds, 3)}

    def command(self, design: Design) -> Command:
        """The edit that applies the fill: one undo step."""
        commands: list[Command] = []
        items = self.items
        if items:
            commands.append(AddItems(items, None, "Fill"))
        new_nodes = [n for h in self.halls for n in h.chain]
        if new_nodes:
            commands.append(SetPowerChain(chain_nodes(design) + new_nodes, "Fill"))
        if self.generators is not None:
            extra = {k: v for k, v in design.site.extra.items() if k != "generators"}
            extra["generators"] = dict(self.generators)
            commands.append(SetSite({"extra": extra}, "Fill"))
        n = self.ultraservers
        halls = ", ".join(h.hall for h in self.halls if h.ultraservers) or "no hall"
        return Composite(commands, f"Fill {halls} with {n:,} UltraServer{'s' if n != 1 else ''}")


# ====================================================================== planning one hall
@dataclass
class _Budget:
    """What is left for the fill: hall IT kW, site facility kW, air handlers, UltraServers
    (target), IT kW (target); the site's links and spine switches so far."""

    hall_it_kw: float
    site_facility_kw: float
    target_us: float
    target_it_kw: float
    site_links: int
    site_spine_racks: int
    hall_air_kw: float          # air heat already in the hall beyond its air handlers


def _reach_ok(kit: _Kit, layout: _Layout, reach: float) -> None:
    """Runs whose racks have too few air-handler places within reach hold nothing."""
    slots = layout.air_slots
    need = 1 + kit.cooling_spare
    if not len(layout.runs):
        return
    if not len(slots):
        for r in layout.runs:
            layout.reach_lost += r.kmax
            r.kmax = 0
        return
    for r in layout.runs:
        if r.kmax <= 0:
            continue
        xs = np.array([r.x0 + TILE_M / 2, r.x0 + r.n * TILE_M - TILE_M / 2])
        d = np.abs(xs[:, None] - slots[None, :, 0]) + np.abs(r.y - slots[None, :, 1])
        r.wall = int(slots[int(np.argmin(d.sum(axis=0))), 3])
        r.air_m = float(d.min(axis=1).max())
        if ((d <= reach - AIR_REACH_MARGIN_M).sum(axis=1) < need + 1).any():
            layout.reach_lost += r.kmax
            r.kmax = 0


def _spine_row(layout: _Layout, racks: int) -> set[int]:
    """Runs of the row nearest the air handlers (spine racks are all air-cooled), enough
    to hold ``racks`` spine racks."""
    if racks <= 0:
        return set()
    by_row: dict[int, list[int]] = {}
    for i, r in enumerate(layout.runs):
        if r.kmax > 0 or r.wall >= 0:
            by_row.setdefault(r.row, []).append(i)
    near = {row: max(layout.runs[i].air_m for i in idx) for row, idx in by_row.items()}
    chosen: set[int] = set()
    held = 0
    for row in sorted(by_row, key=lambda row: (near[row], row)):
        for i in sorted(by_row[row], key=lambda i: (layout.runs[i].air_m, -layout.runs[i].n)):
            if held >= racks:
                return chosen
            chosen.add(i)
            held += layout.runs[i].n
    return chosen if held >= racks else set(range(len(layout.runs)))


def _fill_layout(kit: _Kit, layout: _Layout, budget: _Budget, floor_ok: bool) -> tuple[int, str, float, int]:
    """Add UltraServers pod by pod while the budgets last; sets each run's ``k`` and
    ``spine``. Returns (UltraServers, binding, IT kW added, air handlers)."""
    for r in layout.runs:
        r.k = r.spine = 0
    if not floor_ok:
        return 0, "floor-load", 0.0, 0
    spine_kw = kit.spine.it_power_kw if kit.spine is not None else 0.0
    spine_lf = kit.spine.liquid_fraction if kit.spine is not None else 0.0

    memo: dict[int, int] = {}

    def spines_for(links: int) -> int:
        if kit.spine is None or links <= 0:
            return 0
        if links in memo:
            return memo[links]
        memo[links] = _spines(links)
        return memo[links]

    def _spines(links: int) -> int:
        if kit.spine_rate is not None:   # this hall's share of the site's fabric
            own = math.ceil(kit.spine_rate * (links - budget.site_links) - 1e-9)
            return own + (kit.network_spare if own > 0 else 0)
        need = spine_racks_needed(clos_tiers(links, kit.radix, kit.o), kit.spine_switches)
        need = need + (kit.network_spare if need else 0)
        return max(0, need - budget.site_spine_racks)

    spine_runs: set[int] = set()
    if kit.spine is not None:
        # reserve the spine room for the most the floor could hold, twice (reserving shrinks it)
        most = sum(r.kmax for r in layout.runs)
        for _ in range(3):
            need = spines_for(budget.site_links + most * kit.links)
            spine_runs = _spine_row(layout, need)
            most = sum(r.kmax for i, r in enumerate(layout.runs) if i not in spine_runs)
    spine_room = sum(layout.runs[i].n for i in spine_runs)
    order = [i for i in range(len(layout.runs)) if i not in spine_runs]
    order.sort(key=lambda i: (layout.runs[i].row, layout.runs[i].x0))
    it = fac = air = 0.0
    total = 0
    spines = 0
    binding = "space"
    slots = len(layout.air_slots)
    walls = layout.air_slots[:, 3].astype(int) if slots else np.zeros(0, int)
    wall_slots = {int(w): int(c) for w, c in zip(*np.unique(walls, return_counts=True))}
    wall_air: dict[int, float] = {}
    cooling_short = False
    stop = False
    for i in order:
        run = layout.runs[i]
        for k in range(1, run.kmax + 1):
            d_it = kit.pod_it(k) - kit.pod_it(k - 1)
            d_fac = kit.pod_facility(k) - kit.pod_facility(k - 1)
            d_air = kit.pod_air(k) - kit.pod_air(k - 1)
            links = budget.site_links + (total + 1) * kit.links
            s_need = spines_for(links)
            d_sp = s_need - spines
            sp_it = d_sp * spine_kw
            sp_fac = kit.facility(sp_it, spine_lf)
            sp_air = sp_it * (1 - spine_lf)
            if total + 1 > budget.target_us + 1e-9 or it + d_it + sp_it > budget.target_it_kw + 1e-9:
                binding, stop = "target", True
            elif s_need > spine_room:
                binding, stop = "network", True
            elif it + d_it + sp_it > budget.hall_it_kw + 1e-9:
                binding, stop = "hall-capacity", True
            elif fac + d_fac + sp_fac > budget.site_facility_kw + 1e-9:
                binding, stop = "utility", True
            elif kit.air_units(budget.hall_air_kw + air + d_air + sp_air) > slots:
                binding, stop = "cooling", True
            elif kit.air_units(wall_air.get(run.wall, 0.0) + d_air + sp_air) > wall_slots.get(run.wall, 0):
                cooling_short = True     # this wall's air handlers are all taken: the next run
                break
            if stop:
                break
            it += d_it + sp_it
            fac += d_fac + sp_fac
            air += d_air + sp_air
            wall_air[run.wall] = wall_air.get(run.wall, 0.0) + d_air + sp_air
            spines = s_need
            total += 1
            run.k = k
        if stop:
            break
    if not stop and cooling_short:
        binding = "cooling"
    if not stop and layout.reach_lost:
        binding = "cooling"   # rows out of the air handlers' reach would have held more
    # spine racks into the spine room, run by run
    left = spines
    for i in sorted(spine_runs):
        take = min(left, layout.runs[i].n)
        layout.runs[i].spine = take
        left -= take
    return total, binding, it, kit.air_units(budget.hall_air_kw + air)


def _floor_ok(kit: _Kit, hall: Hall) -> bool:
    """Every type a pod needs loads the floor within the hall's rating."""
    cat = kit.catalog
    types = [kit.rack_type, LEAF_TYPE, AIR_TYPE] + ([CDU_TYPE] if kit.racks_per_cdu else [])
    if kit.spine is not None:
        types.append(SPINE_TYPE)
    for t in types:
        spec = cat.types[t]
        if spec.weight_kg / (spec.width_m * spec.depth_m) > hall.floor_rating_kg_m2 + 1e-9:
            return False
    return True


class _Ids:
    """Fresh ids ``<hall>-<stem><n>`` used by no item and no UltraServer."""

    def __init__(self, design: Design, prefix: str, taken: set[str]):
        self.prefix = prefix
        self.taken = taken
        self.counts: dict[str, int] = {}

    def next(self, stem: str) -> str:
        n = self.counts.get(stem, 0)
        while True:
            n += 1
            name = f"{self.prefix}{stem}{n}"
            if name not in self.taken:
                self.counts[stem] = n
                self.taken.add(name)
                return name


def _materialise(kit: _Kit, layout: _Layout, hall_id: str, ids: _Ids,
                 existing_loops: set[str]) -> list[Equipment]:
    """The items of a filled layout's runs (air handlers apart), in plan coordinates."""
    swap = layout.swap
    cat = kit.catalog

    def plan(x: float, y: float) -> tuple[float, float]:
        return (round(y, 6), round(x, 6)) if swap else (round(x, 6), round(y, 6))

    def plan_rot(rot: float) -> float:
        return float((270.0 - rot) % 360.0) if swap else rot

    items: list[Equipment] = []
    layout.run_of = run_of = {}
    layout.busway_kw = busway_kw = {}
    for ri, run in sorted(enumerate(layout.runs), key=lambda p: (p[1].row, p[1].x0)):
        if run.k <= 0 and run.spine <= 0:
            continue
        seq: list[tuple[str, str | None]] = []
        loop = None
        if run.spine > 0:
            seq = [(SPINE_TYPE, None)] * run.spine
        else:
            k = run.k
            n_cdu = kit.cdus(k)
            if n_cdu:
                loop = ids.next("loop")
                while loop in existing_loops:
                    loop = ids.next("loop")
            half = k // 2
            seq += [(CDU_TYPE, None)] * math.ceil(n_cdu / 2)
            for _ in range(half):
                seq += [(kit.rack_type, ids.next("us"))] * kit.rps
            seq += [(LEAF_TYPE, None)] * kit.leaves(k)
            for _ in range(k - half):
                seq += [(kit.rack_type, ids.next("us"))] * kit.rps
            seq += [(CDU_TYPE, None)] * (n_cdu - math.ceil(n_cdu / 2))
        xs = []
        rack_no: dict[str, int] = {}
        for p, (type_id, sid) in enumerate(seq):
            x = run.x0 + TILE_M * (p + 0.5)
            xs.append(x)
            px, py = plan(x, run.y)
            if sid is not None:
                rack_no[sid] = rack_no.get(sid, 0) + 1
                item_id = f"{sid}-r{rack_no[sid]}"
                ids.taken.add(item_id)
            else:
                item_id = ids.next({LEAF_TYPE: "net", CDU_TYPE: "cdu", SPINE_TYPE: "spine"}[type_id])
            extra = {"loop": loop} if loop is not None and type_id in (kit.rack_type, CDU_TYPE) else {}
            items.append(Equipment(item_id, type_id, hall_id, px, py, plan_rot(run.rotation), sid, None, extra))
            run_of[sid or item_id] = ri
        loads = tuple(cat.types[t].it_power_kw for t, _ in seq)
        for a, b in balanced_runs(loads, kit.busway_limit_kw):
            if sum(loads[a:b + 1]) <= 0:
                continue
            xa = xs[a] - TILE_M / 2 + 0.05
            xb = xs[b] + TILE_M / 2 - 0.05
            if kit.power_ab:
                base = ids.next("bw")
                for feed, dy in (("A", -FEED_OFFSET_M), ("B", FEED_OFFSET_M)):
                    s, e = plan(xa, run.y + dy), plan(xb, run.y + dy)
                    items.append(Equipment(f"{base}{feed}", BUSWAY_TYPE, hall_id, s[0], s[1], 0.0, None, e,
                                           {"feed": feed}))
                    ids.taken.add(f"{base}{feed}")
                    busway_kw[f"{base}{feed}"] = (feed, sum(loads[a:b + 1]))
            else:
                s, e = plan(xa, run.y), plan(xb, run.y)
                items.append(Equipment(ids.next("bw"), BUSWAY_TYPE, hall_id, s[0], s[1], 0.0, None, e))
                busway_kw[items[-1].id] = ("A", sum(loads[a:b + 1]))
    return items


def _candidates(design: Design, kit: _Kit, hall: Hall, orientation: str,
                existing: list[Equipment]) -> list[_Layout]:
    """Every layout tried for a hall: each orientation, each row offset (tile steps
    across one row-pair pitch), runs out of the air handlers' reach left empty."""
    cat = kit.catalog
    depth = max(cat.types[t].depth_m for t in (kit.rack_type, LEAF_TYPE, CDU_TYPE)
                + ((SPINE_TYPE,) if kit.spine is not None else ()))
    reach = cat.types[AIR_TYPE].get("reach_m")
    cold = math.ceil(max(kit.front_m, 2 * TILE_M) / TILE_M - 1e-9) * TILE_M
    hot = math.ceil(max(kit.rear_m, 0.0) / TILE_M - 1e-9) * TILE_M
    pitch = 2 * depth + cold + hot
    out = []
    for swap in {"auto": (False, True), "x": (False,), "y": (True,)}[orientation]:
        floor = _Floor(design, cat, hall, kit, swap, existing)
        for j in range(max(1, int(round(pitch / OFFSET_STEP_M)))):
            lay = floor.layout(kit, kit.rear_m + j * OFFSET_STEP_M, depth)
            _reach_ok(kit, lay, reach)
            out.append(lay)
    return out


def _ranked_layouts(kit: _Kit, hall: Hall, candidates: list[_Layout], budget: _Budget, keep: int = 6
                    ) -> list[tuple[_Layout, int, str, float, int]]:
    """The candidate layouts holding most within the budgets, best first (then racks
    nearest the air handlers, then the least IT load), each as (layout, UltraServers, binding,
    IT kW, air handlers); the layouts are left filled as the last one returned."""
    floor_ok = _floor_ok(kit, hall)
    scored = []
    for idx, lay in enumerate(candidates):
        n, binding, it, n_air = _fill_layout(kit, lay, budget, floor_ok)
        far = max((r.air_m for r in lay.runs if r.k), default=0.0)
        scored.append(((-n, round(far, 3), round(it, 6), idx), idx, n, binding, it, n_air))
    scored.sort(key=lambda s: s[0])
    return [(candidates[idx], n, binding, it, n_air) for _, idx, n, binding, it, n_air in scored[:keep]]


def _refill(kit: _Kit, hall: Hall, lay: _Layout, budget: _Budget) -> None:
    _fill_layout(kit, lay, budget, _floor_ok(kit, hall))


# ====================================================================== the whole fill
def _check_request(design: Design, catalog: Catalog, request: FillRequest) -> list[Hall]:
    if request.orientation not in ORIENTATIONS:
        raise FillError(f"--orientation must be one of {', '.join(ORIENTATIONS)}, not {request.orientation!r}")
    spec = catalog.types.get(request.rack_type)
    if spec is None:
        raise FillError(f"--type {request.rack_type}: no such equipment type in the catalog")
    if not spec.is_compute:
        raise FillError(f"--type {request.rack_type}: {spec.kind} equipment, not a compute rack type (UltraServers)")
    for t in (LEAF_TYPE, CDU_TYPE, AIR_TYPE, BUSWAY_TYPE):
        if t not in catalog.types:
            raise FillError(f"the catalog has no {t!r} type, which a fill places")
    if request.ultraservers is not None:
        if isinstance(request.ultraservers, bool) or int(request.ultraservers) != request.ultraservers \
                or request.ultraservers < 1:
            raise FillError(f"--ultraservers must be a whole number of at least 1, got {request.ultraservers}")
    if request.it_kw is not None:
        if not math.isfinite(request.it_kw) or request.it_kw <= 0:
            raise FillError(f"--it-kw must be a power above 0 kW, got {request.it_kw}")
    if request.ultraservers is not None and request.it_kw is not None:
        raise FillError("give one target: --ultraservers or --it-kw, not both")
    if not design.halls:
        raise FillError("the design has no hall to fill")
    known = design.hall_ids()
    for h in request.halls:
        if h not in known:
            raise FillError(f"--hall {h}: no hall with that id (the design has {', '.join(known)})")
    wanted = list(dict.fromkeys(request.halls)) or known
    _check_reach(design, catalog, wanted)
    return [design.hall(h) for h in wanted]


def _check_reach(design: Design, catalog: Catalog, wanted: list[str]) -> None:
    """One fabric joins every hall with compute: the spine rooms of two halls are cabled
    to each other (the tiers above the leaves), so halls farther apart than every
    medium reaches cannot share a fabric. The shortest such trunk, between the nearest
    corners of the two halls on the campus, routed (Manhattan + two tray drops) × slack."""
    t = design.equipment
    comp = {k for k, spec in catalog.types.items() if spec.is_compute}
    with_compute = {t.halls[int(c)] for c, code in zip(t.hall_code, t.type_code) if t.types[int(code)] in comp}
    halls = [h for h in design.halls if h.id in set(wanted) | with_compute]
    if len(halls) < 2:
        return
    reach = max(float(m.get("reach_m")) for m in catalog.media.values())
    slack, tray = catalog.value("cable.slack_factor"), catalog.value("cable.tray_drop_m")
    offsets = design.hall_offsets()
    boxes = []
    for h in halls:
        x0, y0, x1, y1 = h.bounds()
        dx, dy = offsets[h.id]
        boxes.append((x0 + dx, y0 + dy, x1 + dx, y1 + dy))
    for i in range(len(halls)):
        for j in range(i + 1, len(halls)):
            a, b = boxes[i], boxes[j]
            gap = max(0.0, b[0] - a[2], a[0] - b[2]) + max(0.0, b[1] - a[3], a[1] - b[3])
            trunk = (gap + 2 * tray) * slack
            if trunk > reach + 1e-9:
                raise FillError(f"{halls[i].name} and {halls[j].name} are at least {trunk:,.0f} m of cable apart, "
                                f"beyond every medium's reach ({reach:,.0f} m): one fabric cannot join them "
                                f"(move the halls closer on the campus, or fill them as separate designs)")


def _site_figures(design: Design, kit: _Kit) -> tuple[dict[str, float], float, int, int, dict[str, float],
                                                        dict[str, float]]:
    """Per hall IT kW, site facility kW, site EFA links, spine racks, per hall air heat
    and air-handler capacity (of the items already placed)."""
    t = design.equipment
    cat = kit.catalog
    hall_it: dict[str, float] = {}
    hall_air: dict[str, float] = {}
    hall_air_cap: dict[str, float] = {}
    facility = 0.0
    links = 0.0
    spines = 0
    names = t.types.names
    kinds = {}
    for code, name in enumerate(names):
        spec = cat.types.get(name)
        kinds[code] = spec
    tc = t.type_code
    hc = t.hall_code
    for code in unique(tc) if len(tc) else []:
        spec = kinds[int(code)]
        if spec is None:
            continue
        rows = np.flatnonzero(tc == code)
        it = spec.it_power_kw if spec.on_floor else 0.0
        lf = spec.liquid_fraction if spec.on_floor else 0.0
        counts = np.bincount(hc[rows], minlength=len(t.halls.names))
        for h, n in enumerate(counts):
            if not n:
                continue
            hall = t.halls[h]
            hall_it[hall] = hall_it.get(hall, 0.0) + n * it
            hall_air[hall] = hall_air.get(hall, 0.0) + n * it * (1 - lf)
            if spec.kind == "air-handler":
                hall_air_cap[hall] = hall_air_cap.get(hall, 0.0) + n * spec.get("capacity_kw")
        facility += kit.facility(len(rows) * it, lf)
        if spec.kind == "compute":
            links += len(rows) * math.ceil(spec.get("efa_gbps") / spec.get("efa_link_gbps") - 1e-9) \
                / spec.racks_per_system
        if spec.kind == "spine":
            spines += len(rows)
    return hall_it, facility, int(round(links)), spines, hall_air, hall_air_cap


def plan_fill(design: Design, catalog: Catalog, request: FillRequest,
              progress: Callable[[int, int, str], None] | None = None,
              cancelled: Callable[[], bool] | None = None, verify: bool = True) -> FillResult:
    """Plan a fill of ``design`` (left unchanged): the items to add, what binds, checked by
    one evaluation. ``progress(done, total, hall)`` is called hall by hall; when
    ``cancelled()`` turns true the fill stops and the result says so. Raises
    :class:`FillError` for a request that cannot be met."""
    t0 = time.perf_counter()
    catalog = catalog.with_overrides(design.assumptions)
    halls = _check_request(design, catalog, request)
    kit = _kit(design, catalog, request.rack_type)
    target_us = float(request.ultraservers) if request.ultraservers is not None else math.inf
    target_it = float(request.it_kw) if request.it_kw is not None else math.inf
    if kit.spine is not None and len(halls) > 1:
        # several halls: each houses its share of the site's spine racks. A first pass
        # without spines gives the site's links; the share per link follows from them.
        kit.spine_rate = 0.0
        first, _ = _plan_halls(design, catalog, kit, halls, request.orientation, target_us, target_it,
                               None, cancelled, {})
        kit.spine_rate = _spine_rate(design, kit, sum(f.ultraservers for f in first))
    fills, cancelled_now = _plan_halls(design, catalog, kit, halls, request.orientation, target_us, target_it,
                                       progress, cancelled, {})
    result = FillResult(fills, None, cancelled=cancelled_now)
    if request.ultraservers is not None and result.ultraservers < request.ultraservers and not cancelled_now:
        raise FillError(f"{_where(halls)} can hold {result.ultraservers:,} more UltraServer"
                        f"{'s' if result.ultraservers != 1 else ''} of {request.rack_type}, not "
                        f"{request.ultraservers:,}: {_why(result.binding)}")
    if request.it_kw is not None and result.ultraservers == 0 and not cancelled_now:
        raise FillError(f"{_where(halls)} cannot take one more UltraServer of {request.rack_type} within "
                        f"{request.it_kw:,.0f} kW of IT load: {_why(result.binding if result.binding != 'target' else 'target')}")
    if verify and result.items and not cancelled_now:
        _verify(design, catalog, kit, result, halls, request)
    result.seconds = time.perf_counter() - t0
    return result


def _spine_rate(design: Design, kit: _Kit, new_ultraservers: int) -> float:
    """Spine racks per new EFA link so that the site's fabric (existing links and these)
    has every switch above the leaves housed."""
    _, _, links, spines, _, _ = _site_figures(design, kit)
    new_links = new_ultraservers * kit.links
    if new_links <= 0:
        return 0.0
    need = spine_racks_needed(clos_tiers(links + new_links, kit.radix, kit.o), kit.spine_switches)
    return max(0, need - spines) / new_links


def _where(halls: Sequence[Hall]) -> str:
    return halls[0].name if len(halls) == 1 else f"the {len(halls)} halls"


_WHY = {
    "space": "the floor is full (rows, aisles and clearances round the columns and keep-outs)",
    "utility": "the site's utility feed is used up",
    "hall-capacity": "the hall's critical IT capacity is used up",
    "cooling": "no more air handlers fit along the walls within reach of the racks",
    "network": "no room is left for the spine racks the fabric needs",
    "floor-load": "the floor rating is below what a rack (or CDU, leaf, air handler) loads it with",
    "target": "the target is smaller than one UltraServer with its leaves",
}


def _why(binding: str) -> str:
    return f"{binding} binds ({_WHY.get(binding, binding)})"


def _plan_halls(design: Design, catalog: Catalog, kit: _Kit, halls: list[Hall], orientation: str,
                target_us: float, target_it: float, progress, cancelled, shrink: dict[str, int]
                ) -> tuple[list[HallFill], bool]:
    hall_it, facility, links, spines, hall_air, hall_air_cap = _site_figures(design, kit)
    t = design.equipment
    taken = set(t.index) | set(t.systems.codes)
    loops = {str(v.get("loop")) for v in t.extra.values() if v.get("loop") is not None}
    site_left = design.site.utility_capacity_kw - facility
    fills: list[HallFill] = []
    # empty halls alike (outline, columns, keep-outs, ratings) take the same layout when
    # no site-wide budget (utility, target) bound it: planned once, laid out again
    alike: dict[tuple, tuple] = {}

    def finish(i, hall, lay, n, binding, items, it, space, links, spines):
        """A hall's fill recorded (with the chain above its busways); the site's scale-out
        links and spine racks so far."""
        items, chain = _chain_above(design, kit, hall.id, items, lay.busway_kw, taken)
        fills.append(HallFill(hall.id, n, binding, "y" if lay.swap else "x", items, it,
                              sum(1 for r in lay.runs if r.k or r.spine), hall.area(), space, chain))
        if progress is not None:
            progress(i + 1, len(halls), hall.id)
        return links + n * kit.links, spines + sum(r.spine for r in lay.runs)
    for i, hall in enumerate(halls):
        if cancelled is not None and cancelled():
            return fills, True
        code = t.halls.codes.get(hall.id)
        existing = [t.record(int(r)) for r in np.flatnonzero(t.hall_code == code)] if code is not None else []
        cap = shrink.get(hall.id, math.inf)
        want = target_us - sum(f.ultraservers for f in fills)
        forced = shrink_binding(shrink, hall.id) if hall.id in shrink else None
        key = None
        if not existing and hall.id not in shrink:
            key = (tuple(hall.outline), tuple(tuple(c) for c in hall.columns), tuple(tuple(k) for k in hall.keepouts),
                   hall.it_capacity_kw, hall.floor_rating_kg_m2)
            hit = alike.get(key)
            if hit is not None:
                lay, n, binding, it, space, air_at, used_kw = hit
                if n <= want and it <= target_it - sum(f.it_kw for f in fills) + 1e-9 and used_kw <= site_left + 1e-9:
                    ids = _Ids(design, f"{hall.id}-", taken)
                    items = _materialise(kit, lay, hall.id, ids, loops)
                    items += [Equipment(ids.next("crah"), AIR_TYPE, hall.id, x, y, rot) for x, y, rot in air_at]
                    taken = ids.taken
                    site_left -= used_kw
                    links, spines = finish(i, hall, lay, n, binding, items, it, space, links, spines)
                    continue
        space = 0
        candidates = _candidates(design, kit, hall, orientation, existing)
        budget = _Budget(hall.it_capacity_kw - hall_it.get(hall.id, 0.0), site_left, min(want, cap),
                         target_it - sum(f.it_kw for f in fills), links, spines,
                         max(0.0, hall_air.get(hall.id, 0.0) - hall_air_cap.get(hall.id, 0.0)))
        ranked = _ranked_layouts(kit, hall, candidates, budget)
        space = max(sum(r.kmax for r in c.runs) for c in candidates)
        best_n = ranked[0][1]
        short: set[str] = set()
        ids = _Ids(design, f"{hall.id}-", set(taken))
        for lay, n, binding, it, n_air in ranked:     # the best few layouts, as long as they hold as many
            if n < best_n:
                break
            _refill(kit, hall, lay, budget)
            ids = _Ids(design, f"{hall.id}-", set(taken))
            items = _materialise(kit, lay, hall.id, ids, loops) if n or any(r.spine for r in lay.runs) else []
            air_items, short = _air_handlers(kit, hall, lay, items, existing, ids, n_air)
            if not short:
                break
        if short and lay is not ranked[0][0]:   # trim the best layout (its runs as materialised)
            lay, n, binding, it, n_air = ranked[0]
            _refill(kit, hall, lay, budget)
            ids = _Ids(design, f"{hall.id}-", set(taken))
            items = _materialise(kit, lay, hall.id, ids, loops)
            air_items, short = _air_handlers(kit, hall, lay, items, existing, ids, n_air)
        for step in range(24):
            if not short:
                break
            # racks the air handlers cannot take: their runs hold fewer, and cooling binds
            run_of = lay.run_of
            trimmed = False
            for owner in short:
                r = run_of.get(owner)
                if r is not None and lay.runs[r].kmax > 0:
                    lay.runs[r].kmax = max(0, min(lay.runs[r].kmax, lay.runs[r].k) - 1)
                    trimmed = True
            if not trimmed:   # (spine racks left over): the filled run farthest from the walls holds one less
                filled = [r for r in lay.runs if r.k > 0]
                if not filled:
                    for r in lay.runs:
                        r.kmax = 0
                else:
                    far = max(filled, key=lambda r: (r.air_m, r.row, r.x0))
                    far.kmax = far.k - 1
            before = n
            n, binding, it, n_air = _fill_layout(kit, lay, budget, _floor_ok(kit, hall))
            if n >= before and step >= 6:   # the freed air keeps going to other runs of the wall: fewer in all
                budget.target_us = min(budget.target_us, before - max(1, len(short)))
                n, binding, it, n_air = _fill_layout(kit, lay, budget, _floor_ok(kit, hall))
            if binding in ("space", "target") and n < want:
                binding = "cooling"
            ids = _Ids(design, f"{hall.id}-", set(taken))
            items = _materialise(kit, lay, hall.id, ids, loops) if n or any(r.spine for r in lay.runs) else []
            air_items, short = _air_handlers(kit, hall, lay, items, existing, ids, n_air)
        if short:  # no layout found that every air handler place can cool: nothing here
            for r in lay.runs:
                r.k = r.spine = 0
            n, it, items, air_items, binding = 0, 0.0, [], [], "cooling"
        if forced is not None and binding == "target" and want > n:
            binding = forced
        taken = ids.taken
        items = items + air_items
        spine_n = sum(r.spine for r in lay.runs)
        used_kw = sum(kit.pod_facility(r.k) for r in lay.runs if r.k)
        if kit.spine is not None:
            used_kw += kit.facility(spine_n * kit.spine.it_power_kw, kit.spine.liquid_fraction)
        site_left -= used_kw
        if key is not None and binding not in ("utility", "target"):
            alike[key] = (lay, n, binding, it, space, [(e.x, e.y, e.rotation) for e in air_items], used_kw)
        links, spines = finish(i, hall, lay, n, binding, items, it, space, links, spines)
    return fills, False


def _chain_above(design: Design, kit: _Kit, hall_id: str, items: list[Equipment], busway_kw: dict,
                 taken: set[str]) -> tuple[list[Equipment], list[dict]]:
    """When the design has a power chain: transformers, switchboards and UPS modules above
    the new busways (per feed, each side able to carry its busways alone), and each new
    busway's ``source``."""
    if not design.extra.get("power_chain") or not busway_kw:
        return items, []
    used = {n["id"] for n in chain_nodes(design)} | taken
    k = 1
    while any(i.startswith(f"{hall_id}-fill{k}-") for i in used):
        k += 1
    rows = [(e.id, *busway_kw[e.id]) for e in items if e.id in busway_kw]
    nodes, sources = power_chain_nodes(kit.catalog, rows, f"{hall_id}-fill{k}-")
    taken.update(n["id"] for n in nodes)
    out = [e if e.id not in sources else Equipment(e.id, e.type, e.hall, e.x, e.y, e.rotation, e.system, e.end,
                                                   {**e.extra, "source": sources[e.id]}) for e in items]
    return out, nodes


def _air_handlers(kit: _Kit, hall: Hall, layout: _Layout, items: list[Equipment], existing: list[Equipment],
                  ids: _Ids, n_start: int) -> tuple[list[Equipment], set[str]]:
    """Air handlers along the walls so that the engine's nearest-first service (the same
    function) takes every rack's air heat, and with cooling N+1 still does when any one
    unit fails: start evenly spread, add a unit at the free place nearest to a rack left
    over until none is. Returns the units and the UltraServers (or items) left over."""
    from designer.engine.serve import _serve_nearest

    cat = kit.catalog
    air_spec = cat.types[AIR_TYPE]
    cap, reach = air_spec.get("capacity_kw"), air_spec.get("reach_m")
    slots = layout.air_slots[:, :3].copy()
    if layout.swap:
        slots = slots[:, [1, 0, 2]]
        slots[:, 2] = (270.0 - slots[:, 2]) % 360.0
    cons, kw, owner = [], [], []
    fixed, fixed_cap = [], []
    for e in (*existing, *items):
        spec = cat.types.get(e.type)
        if spec is None or e.end is not None or not spec.on_floor:
            continue
        if spec.kind == "air-handler":
            fixed.append((e.x, e.y))
            fixed_cap.append(spec.get("capacity_kw"))
            continue
        heat = spec.it_power_kw * (1 - spec.liquid_fraction)
        if heat > 0:
            cons.append((e.x, e.y))
            kw.append(heat)
            owner.append(e.system or e.id)
    new_ids = {e.system or e.id for e in items}
    if not cons:
        return [], set()
    cons_xy = np.array(cons, float)
    demand = np.array(kw, float)
    fixed_xy = np.array(fixed, float).reshape(-1, 2)
    fixed_cap_a = np.array(fixed_cap, float)
    chosen: list[int] = []
    if len(slots):
        n0 = min(max(n_start, 1), len(slots))
        chosen = sorted(set(np.round((np.arange(n0) + 0.5) * len(slots) / n0 - 0.5).astype(int).tolist()))
    radius_area = max(hall.area(), 1.0)

    def unserved(fail: int | None = None) -> np.ndarray:
        ux = np.concatenate([fixed_xy, slots[chosen, :2]]) if chosen else fixed_xy
        caps = np.concatenate([fixed_cap_a, np.full(len(chosen), cap)])
        if fail is not None:
            caps = caps.copy()
            caps[fail] = 0.0
        if not len(ux):
            return np.arange(len(demand))
        xs = np.concatenate([cons_xy[:, 0], ux[:, 0]])
        ys = np.concatenate([cons_xy[:, 1], ux[:, 1]])
        n_c = len(demand)
        hall_of = np.zeros(n_c + len(ux), np.int64)
        radius = np.array([np.clip(math.sqrt(radius_area / max(len(ux), 1)), 2.0, 50.0)])
        got, _ = _serve_nearest(np.arange(n_c), np.arange(n_c, n_c + len(ux)), hall_of, xs, ys, 0.0,
                                np.full(len(ux), reach), demand, caps, partial=False, radius_m=radius)
        return np.flatnonzero(got < demand - 1e-9)

    def add_near(left: np.ndarray) -> bool:
        free = np.setdiff1d(np.arange(len(slots)), chosen)
        if not len(free):
            return False
        d = (np.abs(cons_xy[left, 0][:, None] - slots[free, 0][None, :])
             + np.abs(cons_xy[left, 1][:, None] - slots[free, 1][None, :]))
        within = d <= reach + 1e-9
        if not within.any():
            return False
        # the free place within reach of most racks left over (nearest among equals)
        score = within.sum(axis=0) * 1e6 - np.where(within, d, 0).sum(axis=0)
        best = int(free[int(np.argmax(score))])
        chosen.append(best)
        chosen.sort()
        return True

    spare = kit.cooling_spare > 0
    tried = 0    # with N+1: units whose failure has been tried (a unit added keeps those tried)
    for _ in range(4 * max(len(slots), 1)):
        left = unserved()
        if not len(left) and spare:
            while tried < len(fixed_xy) + len(chosen):
                left = unserved(tried)
                if len(left):
                    break
                tried += 1
        if not len(left):
            break
        if not add_near(left):
            return [], {owner[k] for k in left if owner[k] in new_ids} or {"?"}
    out = []
    for k in chosen:
        x, y, rot = slots[k]
        out.append(Equipment(ids.next("crah"), AIR_TYPE, hall.id, round(float(x), 6), round(float(y), 6),
                             float(rot)))
    return out, set()


#: what a problem the check finds says about the binding constraint
_KIND_BINDING = {"cooling-capacity": "cooling", "network-ports": "network", "fabric-capacity": "network",
                 "cable-reach": "network", "floor-load": "floor-load", "redundancy": "cooling"}


def shrink_binding(shrink: dict, hall_id: str) -> str:
    """The binding constraint a check named for a hall filled again with fewer."""
    return shrink.get(f"binding:{hall_id}", "space")


def _verify(design: Design, catalog: Catalog, kit: _Kit, result: FillResult, halls: list[Hall],
            request: FillRequest) -> None:
    """Evaluate the filled design once (with the single failures of the filled halls
    when redundancy is declared); fill a hall again with fewer if the check finds a
    problem the geometry did not foresee; size the site's generators for the new load."""
    from designer.engine.evaluator import Evaluator
    from designer.engine.power_chain import generator_check
    from designer.engine.resilience import declared_redundancy

    declared = declared_redundancy(design.site)
    redundant = any(v != "N" for v in declared.values())
    before: set = set()
    if len(design.equipment):
        ev0 = Evaluator(design, catalog)
        before = {(v.kind, v.ids) for v in ev0.evaluation.violations if v.severity == "error"}
    shrink: dict = {}
    for attempt in range(MAX_RETRIES + 1):
        trial = _with_items(design, result.items, [n for h in result.halls for n in h.chain])
        ev = Evaluator(trial, catalog)
        errors = [v for v in ev.evaluation.violations
                  if v.severity == "error" and (v.kind, v.ids) not in before and v.ids != ("generators",)]
        if redundant:
            ours = {e.system for e in result.items if e.system}
            for h in result.halls:
                if not h.ultraservers:
                    continue
                for f in ev.hall_failures(h.hall):   # (what it strands of the new UltraServers)
                    if declared.get(f.system, "N") != "N" and ours.intersection(f.stranded_systems):
                        errors.append(_Problem("redundancy", (f.id,), h.hall,
                                               f"{f.system} is declared {declared[f.system]}, but losing {f.id} "
                                               f"strands {f.stranded_ultraservers} UltraServer(s)"))
        if not errors or attempt == MAX_RETRIES:
            result.problems = [f"{v.kind}: {v.message}" for v in errors]
            break
        # fill the halls with problems again, with fewer UltraServers
        new_ids = {e.id: e.hall for e in result.items}
        bad_halls: dict[str, str] = {}
        for v in errors:
            hall = getattr(v, "hall", "") or next((new_ids[i] for i in v.ids if i in new_ids), "")
            hall = hall or (result.halls[-1].hall if result.halls else "")
            bad_halls.setdefault(hall, _KIND_BINDING.get(v.kind, "space"))
        for fill in result.halls:
            if fill.hall in bad_halls or not bad_halls.keys() & {h.hall for h in result.halls}:
                shrink[fill.hall] = max(0, fill.ultraservers - max(1, fill.ultraservers // 8))
                shrink[f"binding:{fill.hall}"] = bad_halls.get(fill.hall, "space")
        target_us = float(request.ultraservers) if request.ultraservers is not None else math.inf
        target_it = float(request.it_kw) if request.it_kw is not None else math.inf
        fills, _ = _plan_halls(design, catalog, kit, halls, request.orientation, target_us, target_it, None,
                               None, shrink)
        result.halls = fills
    gen = design.site.extra.get("generators")
    if gen and result.items:
        facility = ev.evaluation.totals["power"]["facility_demand_kw"]
        _, found = generator_check(design, catalog, facility, declared["power"])
        if found:
            cap = catalog.types[gen["type"]].get("capacity_kw")
            need = math.ceil(facility / cap - 1e-9)
            count = {"N": need, "N+1": need + 1, "2N": 2 * need}.get(declared["power"], need)
            result.generators = {**gen, "count": int(count)}


@dataclass(frozen=True)
class _Problem:
    kind: str
    ids: tuple
    hall: str
    message: str
    severity: str = "error"


def _with_items(design: Design, items: list[Equipment], new_nodes: Sequence[dict] = ()) -> Design:
    """A copy of the design with the items added (the design itself is left alone)."""
    trial = copy.copy(design)
    trial._listeners = []
    trial.equipment = copy.deepcopy(design.equipment)
    trial.equipment.insert(items)
    if new_nodes:
        trial.extra = {**design.extra, "power_chain": chain_nodes(design) + list(new_nodes)}
    return trial


def apply_fill(design: Design, result: FillResult) -> None:
    """Apply a planned fill to the design (headless use; the app pushes ``result.command``)."""
    result.command(design).apply(design)
