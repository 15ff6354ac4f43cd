"""Lay out UltraServers, rows and whole halls (used by the row tool, the samples and the
benchmark campus generator). Pure geometry on catalog figures; no Qt.

Conventions (PRODUCT.md §2): a rack's position is its centre; at rotation 0 its front
(intake) faces −y. Rows come in pairs facing a shared cold aisle: the south row turns
its front north (rotation 180), the north row south (rotation 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designer.catalog import Catalog
from designer.model.design import Design, Equipment, Hall

TILE_M = 0.6  # floor tile (TIA-942 two-tile aisles, D5)


def ultraserver_racks(catalog: Catalog, type_id: str, system: str, hall: str, x0: float, y: float,
                      rotation: float = 0.0, id_prefix: str | None = None) -> list[Equipment]:
    """The racks of one UltraServer side by side along the row, starting with the first
    rack's centre at (x0, y) and continuing along the rack's width axis."""
    spec = catalog.types[type_id]
    n = spec.racks_per_system
    th = math.radians(rotation)
    ux, uy = round(math.cos(th), 12), round(math.sin(th), 12)
    prefix = id_prefix or system
    return [Equipment(id=f"{prefix}-r{k + 1}", type=type_id, hall=hall,
                      x=round(x0 + k * spec.width_m * ux, 6), y=round(y + k * spec.width_m * uy, 6),
                      rotation=rotation, system=system) for k in range(n)]


@dataclass
class IdCounter:
    """Numbers ids per prefix (``us1``, ``us2``, … ``net1`` …), optionally hall-prefixed."""

    prefix: str = ""

    def __post_init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next(self, stem: str) -> str:
        self.counts[stem] = self.counts.get(stem, 0) + 1
        return f"{self.prefix}{stem}{self.counts[stem]}"


def row_items(catalog: Catalog, hall: str, x0: float, y: float, rotation: float, n_ultraservers: int,
              ids: IdCounter, rack_type: str = "trn3-gen2-rack", busway_type: str = "busway-1200a",
              network_type: str = "network-rack", cdu_type: str = "cdu-in-row") -> list[Equipment]:
    """One row: CDU(s), half the UltraServers, the network racks, the other half, and
    overhead busways above it, sized so every rack has ports, coolant and power.

    The row runs east from ``x0`` (first position's west edge) with centres on ``y``.
    """
    rack = catalog.types[rack_type]
    rps = rack.racks_per_system
    links = n_ultraservers * math.ceil(rack.get("efa_gbps") / rack.get("efa_link_gbps"))
    net = catalog.types[network_type]
    n_net = math.ceil(links / net.get("ports"))
    liquid = n_ultraservers * rps * rack.it_power_kw * rack.liquid_fraction
    cdu = catalog.types[cdu_type]
    n_cdu = math.ceil(liquid / cdu.get("capacity_kw")) if liquid > 0 else 0
    pitch = TILE_M
    # positions: (kind, type, system) in order along the row
    half = n_ultraservers // 2
    seq: list[tuple[str, str | None]] = []
    seq += [(cdu_type, None)] * math.ceil(n_cdu / 2)
    for _ in range(half):
        sid = ids.next("us")
        seq += [(rack_type, sid)] * rps
    seq += [(network_type, None)] * n_net
    for _ in range(n_ultraservers - half):
        sid = ids.next("us")
        seq += [(rack_type, sid)] * rps
    seq += [(cdu_type, None)] * (n_cdu - math.ceil(n_cdu / 2))
    items: list[Equipment] = []
    rack_no: dict[str, int] = {}
    xs = []
    for k, (type_id, sid) in enumerate(seq):
        x = round(x0 + pitch * (k + 0.5), 6)
        xs.append(x)
        if sid is not None:
            rack_no[sid] = rack_no.get(sid, 0) + 1
            item_id = f"{sid}-r{rack_no[sid]}"
        else:
            item_id = ids.next("net" if type_id == network_type else "cdu")
        items.append(Equipment(item_id, type_id, hall, x, y, rotation, sid))
    # busways: contiguous runs whose load stays within the continuous limit
    bw = catalog.types[busway_type]
    limit = bw.busway_rating_kw * catalog.value("power.continuous_load_factor")
    start = 0
    load = 0.0
    runs = []
    for k, item in enumerate(items):
        kw = catalog.types[item.type].it_power_kw
        if load + kw > limit and k > start:
            runs.append((start, k - 1))
            start, load = k, 0.0
        load += kw
    runs.append((start, len(items) - 1))
    for a, b in runs:
        x_a = round(xs[a] - pitch / 2 + 0.05, 6)
        x_b = round(xs[b] + pitch / 2 - 0.05, 6)
        items.append(Equipment(ids.next("bw"), busway_type, hall, x_a, y, 0.0, None, (x_b, y)))
    return items


def row_length_m(catalog: Catalog, n_ultraservers: int, rack_type: str = "trn3-gen2-rack") -> float:
    probe = row_items(catalog, "_", 0.0, 0.0, 0.0, n_ultraservers, IdCounter(), rack_type)
    return sum(1 for e in probe if e.end is None) * TILE_M


def lay_out_hall(design: Design, catalog: Catalog, hall_id: str, name: str, *, row_pairs: int,
                 ultraservers_per_row: int, blocks: int = 1, rack_type: str = "trn3-gen2-rack",
                 id_prefix: str = "", it_capacity_kw: float | None = None,
                 floor_rating_kg_m2: float = 2500.0, spare_row_pairs: int = 0) -> Hall:
    """Add a hall laid out as ``blocks`` side by side, each with ``row_pairs`` pairs of rows
    facing cold aisles; columns stand in the cross aisles; air handlers line the north
    and south walls. Returns the new hall (its equipment is appended to the design)."""
    ids = IdCounter(id_prefix)
    row_len = row_length_m(catalog, ultraservers_per_row, rack_type)
    rack = catalog.types[rack_type]
    depth = rack.depth_m
    front = catalog.value("clearance.front_m")
    crah = catalog.types["crah"]
    cold = 2 * TILE_M                      # cold aisle: two tiles (D5)
    hot = 2 * TILE_M                       # hot aisle, ≥ the rear service zone (D6)
    wall_zone = crah.depth_m + front + TILE_M  # air handlers, their service zone, a walkway
    cross = 5 * TILE_M                     # cross aisle between blocks, carrying a column line
    end_margin = 4 * TILE_M
    pitch = 2 * depth + cold + hot
    width = 2 * end_margin + blocks * row_len + (blocks - 1) * cross
    width = math.ceil(width / TILE_M) * TILE_M
    height = 2 * wall_zone + (row_pairs + spare_row_pairs) * pitch - hot
    height = math.ceil(height / TILE_M) * TILE_M
    hall = Hall(id=hall_id, name=name, outline=((0.0, 0.0), (round(width, 6), 0.0),
                                                (round(width, 6), round(height, 6)), (0.0, round(height, 6))),
                floor_rating_kg_m2=floor_rating_kg_m2)
    items: list[Equipment] = []
    for b in range(blocks):
        x0 = end_margin + b * (row_len + cross)
        for p in range(row_pairs):
            y_south = wall_zone + p * pitch + depth / 2
            y_north = y_south + depth + cold
            items += row_items(catalog, hall_id, x0, round(y_south, 6), 180.0, ultraservers_per_row, ids, rack_type)
            items += row_items(catalog, hall_id, x0, round(y_north, 6), 0.0, ultraservers_per_row, ids, rack_type)
    # structural columns: in the end margins and the cross aisles, on each cold-aisle line
    col_x = [end_margin / 2] + [end_margin + b * (row_len + cross) + row_len + cross / 2
                                for b in range(blocks - 1)] + [width - end_margin / 2]
    for cx in col_x:
        for p in range(row_pairs + spare_row_pairs):
            cy = wall_zone + p * pitch + depth + cold / 2
            hall.columns.append(_square(cx, cy, TILE_M))
    # air handlers along both long walls, enough for the air-side heat plus one spare (N+1)
    air_kw = sum(catalog.types[e.type].it_power_kw * (1 - catalog.types[e.type].liquid_fraction)
                 for e in items if e.end is None)
    n_crah = math.ceil(air_kw / crah.get("capacity_kw")) + 1
    south = math.ceil(n_crah / 2)
    north = n_crah - south
    for count, y, rot in ((south, crah.depth_m / 2, 180.0), (north, height - crah.depth_m / 2, 0.0)):
        for k in range(count):
            x = width * (k + 0.5) / count
            items.append(Equipment(ids.next("crah"), "crah", hall_id, round(x, 6), round(y, 6), rot))
    rack_kw = sum(catalog.types[e.type].it_power_kw for e in items if e.end is None)
    hall.it_capacity_kw = it_capacity_kw if it_capacity_kw is not None else math.ceil(rack_kw * 1.1 / 100) * 100
    design.halls.append(hall)
    design.equipment.insert(items)
    return hall


def _square(cx: float, cy: float, size: float):
    h = size / 2
    return tuple((round(x, 6), round(y, 6)) for x, y in
                 ((cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)))


def campus(catalog: Catalog, chips: int, *, ultraservers_per_row: int = 8, row_pairs: int = 4,
           blocks: int = 2, rack_type: str = "trn3-gen2-rack", name: str | None = None) -> Design:
    """A campus of identical halls holding at least ``chips`` chips (benchmarks, demos)."""
    spec = catalog.types[rack_type]
    per_system = int(spec.get("chips"))
    systems = math.ceil(chips / per_system)
    per_hall = ultraservers_per_row * row_pairs * 2 * blocks
    design = Design(name or f"Campus {chips:,} chips")
    remaining = systems
    h = 0
    while remaining > 0:
        h += 1
        take = min(per_hall, remaining)
        pairs = max(1, math.ceil(take / (ultraservers_per_row * 2 * blocks)))
        hall_id = f"H{h:02d}"
        lay_out_hall(design, catalog, hall_id, f"Hall {h}", row_pairs=pairs,
                     ultraservers_per_row=ultraservers_per_row, blocks=blocks, rack_type=rack_type,
                     id_prefix=f"{hall_id}-")
        remaining -= pairs * 2 * blocks * ultraservers_per_row
    total_it = sum(hall.it_capacity_kw for hall in design.halls)
    design.site.utility_capacity_kw = math.ceil(total_it * 1.3 / 1000) * 1000
    return design
