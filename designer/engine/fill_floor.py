"""Fill's parts: the figures a fill places (:class:`_Kit`) and the floor of one hall it
places them on (:class:`_Floor`: where rows of rack positions fit between walls, columns,
keep-outs and the items already there, as runs of a row; :class:`_Layout`). Qt-free;
:mod:`designer.engine.fill` plans and checks with them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from designer.catalog import Catalog
from designer.model.clos import leaf_server_ports, server_ports
from designer.model.design import Design, Equipment, Hall
from designer.model.layouts import TILE_M

#: A row is at most this many positions between cross aisles (D4: rows ≤ 20 cabinets).
MAX_ROW_POSITIONS = 20
#: Cross aisles between runs of a row and the walkway round the room (D4: ≥ 1.2 m).
CROSS_AISLE_M = 2 * TILE_M
WALKWAY_M = 2 * TILE_M
#: With cooling N+1, air handlers are planned for this share of their capacity: a failed
#: unit's racks go to its neighbours along the wall (nearest first), about four of them
#: within reach of a rack in the middle of the room, each with a quarter of a unit spare.
AIR_UTILISATION_N1 = 0.8
LEAF_TYPE = "network-rack"
SPINE_TYPE = "spine-rack"
CDU_TYPE = "cdu-in-row"
AIR_TYPE = "crah"
BUSWAY_TYPE = "busway-1200a"
_EPS = 1e-6


class FillError(ValueError):
    """A fill request that cannot be met; the message says why, in one line."""


# ====================================================================== the figures a fill uses
@dataclass
class _Kit:
    """Catalog figures of what a fill places, and the site's redundancy."""

    catalog: Catalog
    rack_type: str
    rps: int
    rack_kw: float
    rack_lf: float
    links: int                      # EFA links per UltraServer
    leaf_ports: int                 # server-facing ports of a leaf rack
    leaf_kw: float
    leaf_lf: float
    racks_per_cdu: int              # whole racks one CDU's capacity takes (0: no liquid heat)
    air_per_unit_kw: float          # what one air handler is counted for
    air_kw_unit: float
    spine: object | None            # the spine-rack type, when the catalog has one
    spine_switches: int
    radix: int
    o: float
    power_ab: bool
    cooling_spare: int
    network_spare: int
    front_m: float
    rear_m: float
    pue_fixed: float | None
    pue_liquid: float
    pue_air: float
    busway_limit_kw: float
    #: spine racks per EFA link when several halls are filled (each hall houses its share
    #: of the site's fabric); None: a hall houses what the whole site's fabric still lacks
    spine_rate: float | None = None

    def facility(self, it_kw: float, lf: float) -> float:
        if self.pue_fixed is not None:
            return it_kw * self.pue_fixed
        return it_kw * (lf * self.pue_liquid + (1 - lf) * self.pue_air)

    def leaves(self, k: int) -> int:
        return 0 if k <= 0 else -(-k * self.links // self.leaf_ports) + self.network_spare

    def cdus(self, k: int) -> int:
        if k <= 0 or self.racks_per_cdu <= 0:
            return 0
        return -(-k * self.rps // self.racks_per_cdu) + self.cooling_spare

    def positions(self, k: int) -> int:
        return k * self.rps + self.leaves(k) + self.cdus(k)

    def most_in(self, n_positions: int) -> int:
        k = n_positions // max(self.rps, 1)
        while k > 0 and self.positions(k) > n_positions:
            k -= 1
        return k

    def pod_it(self, k: int) -> float:
        return k * self.rps * self.rack_kw + self.leaves(k) * self.leaf_kw

    def pod_facility(self, k: int) -> float:
        return (self.facility(k * self.rps * self.rack_kw, self.rack_lf)
                + self.facility(self.leaves(k) * self.leaf_kw, self.leaf_lf))

    def pod_air(self, k: int) -> float:
        return k * self.rps * self.rack_kw * (1 - self.rack_lf) + self.leaves(k) * self.leaf_kw * (1 - self.leaf_lf)

    def air_units(self, air_kw: float) -> int:
        if air_kw <= 1e-9:
            return 0
        share = AIR_UTILISATION_N1 if self.cooling_spare else 1.0
        return math.ceil(air_kw / (share * self.air_per_unit_kw) - 1e-9) + self.cooling_spare


def _kit(design: Design, catalog: Catalog, rack_type: str) -> _Kit:
    types = catalog.types
    rack = types[rack_type]
    leaf = types[LEAF_TYPE]
    cdu = types[CDU_TYPE]
    air = types[AIR_TYPE]
    red = {k: str(v) for k, v in (design.site.extra.get("redundancy") or {}).items()}
    fabric = design.extra.get("fabric") if isinstance(design.extra.get("fabric"), dict) else {}
    o = float(fabric.get("oversubscription", 1.0))
    rack_liquid = rack.it_power_kw * rack.liquid_fraction
    racks_per_cdu = int((cdu.get("capacity_kw") + 1e-9) // rack_liquid) if rack_liquid > 0 else 0
    cooling_spare = 1 if red.get("cooling", "N") != "N" else 0
    airs = [rack.it_power_kw * (1 - rack.liquid_fraction), leaf.it_power_kw * (1 - leaf.liquid_fraction)]
    spine = types.get(SPINE_TYPE)
    if spine is not None:
        airs.append(spine.it_power_kw * (1 - spine.liquid_fraction))
    # with N+1 a unit takes whole racks: counted at its capacity less the largest rack's air heat
    per_unit = air.get("capacity_kw") - (max(airs) if cooling_spare else 0.0)
    radix = int(leaf.get("switch_radix", 0) or leaf.get("ports"))
    if leaf_server_ports(leaf.get("ports"), radix, o) < 1 or server_ports(radix, o) >= radix:
        raise FillError(f"fabric.oversubscription {o:g} leaves {'no server port' if server_ports(radix, o) < 1 else 'no uplink'} "
                        f"on a {radix}-port leaf switch: no fabric can be built")
    switches = 0
    if spine is not None:
        switches = int(getattr(spine, "switches", 0) or spine.get("switches"))
    busway = types[BUSWAY_TYPE]
    return _Kit(
        catalog=catalog, rack_type=rack_type, rps=rack.racks_per_system, rack_kw=rack.it_power_kw,
        rack_lf=rack.liquid_fraction, links=int(math.ceil(rack.get("efa_gbps") / rack.get("efa_link_gbps") - 1e-9)),
        leaf_ports=leaf_server_ports(leaf.get("ports"), leaf.get("switch_radix"), o), leaf_kw=leaf.it_power_kw, leaf_lf=leaf.liquid_fraction,
        racks_per_cdu=racks_per_cdu, air_per_unit_kw=max(per_unit, 1e-6), air_kw_unit=air.get("capacity_kw"),
        spine=spine, spine_switches=max(switches, 1), radix=max(radix, 2), o=o,
        power_ab=red.get("power", "N") != "N", cooling_spare=cooling_spare,
        network_spare=1 if red.get("network", "N") != "N" else 0,
        front_m=catalog.value("clearance.front_m"), rear_m=catalog.value("clearance.rear_m"),
        pue_fixed=None if design.site.pue_modelled else float(design.site.pue),
        pue_liquid=catalog.value("cooling.pue_liquid"), pue_air=catalog.value("cooling.pue_air"),
        busway_limit_kw=busway.busway_rating_kw * catalog.value("power.continuous_load_factor"),
    )


# ====================================================================== the floor of one hall
@dataclass
class _Run:
    """A run of positions in a row (frame coordinates): its west edge, centre line,
    rotation (0: front −y, 180: front +y), positions, and what it holds."""

    x0: float
    y: float
    rotation: float
    n: int
    row: int
    kmax: int = 0
    k: int = 0
    spine: int = 0       # spine racks standing here instead of UltraServers
    wall: int = -1       # the wall whose air handlers are nearest
    air_m: float = 0.0   # how far its farthest position is from the nearest air-handler place


@dataclass
class _Layout:
    """A candidate layout of one hall in one orientation and offset."""

    swap: bool
    runs: list[_Run]
    air_slots: np.ndarray          # (n, 4): x, y, rotation and wall of every place an air handler fits
    rows: int
    reach_lost: int = 0            # UltraServers the floor holds out of the air handlers' reach
    run_of: dict = field(default_factory=dict)   # UltraServer (or item) id → run, once materialised
    busway_kw: dict = field(default_factory=dict)  # busway id → (feed, whole load kW), once materialised

    @property
    def space(self) -> int:
        return sum(r.kmax for r in self.runs)


def _parts_x(geoms: np.ndarray) -> list[list[tuple[float, float]]]:
    """For each geometry of an array, the x extents of its areal parts."""
    out: list[list[tuple[float, float]]] = [[] for _ in range(len(geoms))]
    parts, index = shapely.get_parts(geoms, return_index=True)
    if len(parts):
        keep = shapely.area(parts) > 1e-9
        bounds = shapely.bounds(parts[keep])
        for i, (x0, _, x1, _) in zip(index[keep], bounds):
            out[int(i)].append((float(x0), float(x1)))
    return out


def _free(lo: float, hi: float, blocked: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of [lo, hi] outside every blocked interval."""
    out = []
    at = lo
    for a, b in sorted(blocked):
        if a > at:
            out.append((at, min(a, hi)))
        at = max(at, b)
        if at >= hi:
            break
    if at < hi:
        out.append((at, hi))
    return [(a, b) for a, b in out if b - a > _EPS]


def _tile(a: float, b: float, origin: float) -> tuple[float, int]:
    """The first tile edge at or after ``a`` and how many whole tiles fit before ``b``."""
    start = origin + math.ceil((a - origin) / TILE_M - 1e-6) * TILE_M
    n = int(math.floor((b - start) / TILE_M + 1e-6))
    return round(start, 6), max(n, 0)


def _split_runs(n: int) -> list[tuple[int, int]]:
    """(first position, positions) of the runs a row of ``n`` positions is cut into."""
    gap = int(round(CROSS_AISLE_M / TILE_M))
    if n <= 0:
        return []
    r = -(-(n + gap) // (MAX_ROW_POSITIONS + gap))
    usable = n - (r - 1) * gap
    base, extra = divmod(usable, r)
    out, at = [], 0
    for i in range(r):
        size = base + (1 if i < extra else 0)
        out.append((at, size))
        at += size + gap
    return out


def _rect(x0, y0, x1, y1):
    return shapely.box(x0, y0, x1, y1)


class _Floor:
    """A hall's floor in a frame where rows run along x (``swap``: plan x and y swapped):
    outline, what blocks a row's whole band (walls, columns, keep-outs, items in the
    hall and their zones, air handlers) and what blocks only its footprints (the
    walkway, air handlers' front zones, busways already overhead)."""

    def __init__(self, design: Design, catalog: Catalog, hall: Hall, kit: _Kit, swap: bool,
                 existing: list[Equipment]):
        self.swap = swap
        f = self.f
        self.poly = shapely.make_valid(shapely.Polygon([f(p) for p in hall.outline]))
        minx, miny, maxx, maxy = self.poly.bounds
        self.bounds = (minx, miny, maxx, maxy)
        hard = [shapely.make_valid(shapely.Polygon([f(p) for p in poly]))
                for poly in (*hall.columns, *hall.keepouts) if len(poly) >= 3]
        soft = []
        zone = max(kit.front_m, kit.rear_m)
        for e in existing:
            spec = catalog.types.get(e.type)
            if spec is None:
                continue
            if e.end is not None:
                soft.append(shapely.buffer(shapely.LineString([f((e.x, e.y)), f(e.end)]), 0.05))
                continue
            if not spec.on_floor:
                continue
            x, y = f((e.x, e.y))
            rot = math.radians(e.rotation)
            c, s = abs(math.cos(rot)), abs(math.sin(rot))
            w, d = spec.width_m, spec.depth_m
            hw = (c * w + s * d) / 2
            hd = (s * w + c * d) / 2
            if swap:
                hw, hd = hd, hw
            hard.append(_rect(x - hw - zone, y - hd - zone, x + hw + zone, y + hd + zone))
        # walls: air handlers on every wall along the rows, their front zone kept clear
        air = catalog.types[AIR_TYPE]
        self.air_w, self.air_d = air.width_m, air.depth_m
        slots = []
        boundary = np.asarray(self.poly.exterior.coords) if self.poly.geom_type == "Polygon" else np.zeros((0, 2))
        obstacles = shapely.union_all(hard) if hard else None
        for wall, ((x0, y0), (x1, y1)) in enumerate(zip(boundary[:-1], boundary[1:])):
            if abs(y1 - y0) > 1e-6 or abs(x1 - x0) < self.air_w - 1e-6:
                continue
            lo, hi = min(x0, x1), max(x0, x1)
            mid = (lo + hi) / 2
            up = self.poly.contains(shapely.Point(mid, y0 + 0.01))
            sign = 1.0 if up else -1.0
            deep = self.air_d + kit.front_m
            strip_foot = _rect(lo, min(y0, y0 + sign * self.air_d), hi, max(y0, y0 + sign * self.air_d))
            strip_zone = _rect(lo, min(y0, y0 + sign * deep), hi, max(y0, y0 + sign * deep))
            hard.append(strip_foot)
            soft.append(strip_zone)
            # where an air handler and its front zone fit along this wall
            band = strip_zone
            blocked = []
            outside = shapely.difference(band, self.poly)
            for piece in shapely.get_parts(outside):
                if shapely.area(piece) > 1e-9:
                    blocked.append(tuple(np.asarray(piece.bounds)[[0, 2]]))
            if obstacles is not None:
                for piece in shapely.get_parts(shapely.intersection(band, obstacles)):
                    if shapely.area(piece) > 1e-9:
                        blocked.append(tuple(np.asarray(piece.bounds)[[0, 2]]))
            for a, b in _free(lo, hi, blocked):
                start, n = _tile(a, b, minx)
                per = max(1, int(round(self.air_w / TILE_M)))
                for k in range(n // per):
                    cx = start + (k + 0.5) * self.air_w
                    slots.append((round(cx, 6), round(y0 + sign * self.air_d / 2, 6), 180.0 if up else 0.0, wall))
        self.air_slots = np.array(slots, float).reshape(-1, 4)
        # the walkway round the room: footprints keep off it
        inner = shapely.buffer(self.poly, -WALKWAY_M, join_style="mitre")
        soft.append(shapely.difference(self.poly, inner))
        frame = _rect(minx - 1, miny - 1, maxx + 1, maxy + 1)
        hard.append(shapely.difference(frame, self.poly))
        self.hard = shapely.union_all(hard)
        self.soft = shapely.union_all(soft) if soft else shapely.Polygon()

    def f(self, p) -> tuple[float, float]:
        """Plan point → frame point (and back: the swap is its own inverse)."""
        return (float(p[1]), float(p[0])) if self.swap else (float(p[0]), float(p[1]))

    def layout(self, kit: _Kit, offset: float, depth: float) -> _Layout:
        """Rows from the south (frame) with this offset: pairs facing cold aisles."""
        minx, miny, maxx, maxy = self.bounds
        cold = math.ceil(max(kit.front_m, 2 * TILE_M) / TILE_M - 1e-9) * TILE_M
        hot = math.ceil(max(kit.rear_m, 0.0) / TILE_M - 1e-9) * TILE_M
        pitch = 2 * depth + cold + hot
        rows = []   # (centre y, rotation, band y0, y1)
        y = miny + offset
        k = 0
        while True:
            p, north = divmod(k, 2)
            base = miny + offset + p * pitch
            if north:
                yc = base + depth + cold + depth / 2
                rot = 0.0      # front faces −y: the cold aisle south of it
                band = (yc - depth / 2 - kit.front_m, yc + depth / 2 + kit.rear_m)
            else:
                yc = base + depth / 2
                rot = 180.0    # front faces +y
                band = (yc - depth / 2 - kit.rear_m, yc + depth / 2 + kit.front_m)
            if yc - depth / 2 > maxy:
                break
            rows.append((round(yc, 6), rot, band))
            k += 1
        if not rows:
            return _Layout(self.swap, [], self.air_slots, 0)
        bands = np.array([_rect(minx - 0.5, b0 + _EPS, maxx + 0.5, b1 - _EPS) for _, _, (b0, b1) in rows])
        feet = np.array([_rect(minx - 0.5, yc - depth / 2 + _EPS, maxx + 0.5, yc + depth / 2 - _EPS)
                         for yc, _, _ in rows])
        hard = _parts_x(shapely.intersection(bands, self.hard))
        soft = _parts_x(shapely.intersection(feet, self.soft))
        runs: list[_Run] = []
        n_rows = 0
        for i, (yc, rot, _) in enumerate(rows):
            any_run = False
            for a, b in _free(minx, maxx, hard[i] + soft[i]):
                start, n = _tile(a, b, minx)
                for first, size in _split_runs(n):
                    runs.append(_Run(round(start + first * TILE_M, 6), yc, rot, size, i))
                    any_run = True
            n_rows += any_run
        for r in runs:
            r.kmax = kit.most_in(r.n)
        return _Layout(self.swap, runs, self.air_slots, n_rows)
