"""Lay out UltraServers, rows and whole halls (used by the row tool, the samples and the
benchmark campus generator). Pure geometry on catalog figures; no Qt.

Conventions (PRODUCT.md §2): a rack's position is its centre; at rotation 0 its front
(intake) faces −y. Rows come in pairs facing a shared cold aisle: the south row turns
its front north (rotation 180), the north row south (rotation 0).

Redundancy (PRODUCT.md §8), per row: power N (one busway run over each rack) or 2N (an A
and a B run over every rack, 0.2 m either side of the row's centre line, each able to
carry its racks' whole load alone); cooling N or N+1 (one CDU more than the liquid heat
needs, optionally the row's own cooling loop); network N or N+1 (one network rack more
than the links need). Busway runs are balanced: ceil(load ÷ continuous limit) runs of
about equal load, so no run is a stub over a single rack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from designer.catalog import Catalog
from designer.model.clos import clos_tiers, leaf_server_ports, spine_racks_needed
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


@dataclass(frozen=True)
class RowRedundancy:
    """What one row is built to survive: ``power`` "N" or "2N" (A and B busway runs over
    every rack), ``cooling`` and ``network`` "N" or "N+1" (one CDU / network rack more than
    needed), ``loops``: the row's CDUs and racks on a cooling loop of their own."""

    power: str = "N"
    cooling: str = "N"
    network: str = "N"
    loops: bool = False
    #: the design's ``fabric.oversubscription``: leaves give o/(1+o) of their ports to servers
    oversubscription: float = 1.0

    def __post_init__(self) -> None:
        for name, allowed in (("power", ("N", "2N")), ("cooling", ("N", "N+1")), ("network", ("N", "N+1"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} redundancy must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")


#: 2N: the A run 0.2 m on one side of the row's centre line, the B run 0.2 m on the other
#: (both inside every footprint: racks are 1.2 m deep).
FEED_OFFSET_M = 0.2


def balanced_runs(loads: tuple[float, ...], limit: float) -> list[tuple[int, int]]:
    """Split a sequence of loads into contiguous runs (first, last index), each within
    ``limit``: as few runs as the limit allows (ceil(total ÷ limit), one more while the
    loads' granularity forbids that many), and among those splits the one with the most
    even loads (least sum of squares; ties: the earliest boundaries). Every run carries
    some load (zero-load items join a neighbour). A single load over the limit gets a run
    of its own."""
    return list(_balanced_runs(tuple(float(v) for v in loads), float(limit)))


@lru_cache(maxsize=256)
def _balanced_runs(loads: tuple[float, ...], limit: float) -> tuple[tuple[int, int], ...]:
    m = len(loads)
    if m == 0:
        return ()
    prefix = [0.0]
    for v in loads:
        prefix.append(prefix[-1] + v)
    total = prefix[-1]
    loaded = [k for k, v in enumerate(loads) if v > 0]
    if not loaded or total <= limit + 1e-9:
        return ((0, m - 1),)
    eps = 1e-9
    n = max(1, math.ceil(total / limit - eps))
    while n <= len(loaded):
        inf = math.inf
        # cost[j][i]: least sum of squares of j runs over items [0, i); cut[j][i]: where the last starts
        cost = [[inf] * (m + 1) for _ in range(n + 1)]
        cut = [[-1] * (m + 1) for _ in range(n + 1)]
        cost[0][0] = 0.0
        for j in range(1, n + 1):
            for i in range(1, m + 1):
                best, at = inf, -1
                for s in range(i - 1, -1, -1):
                    load = prefix[i] - prefix[s]
                    if load > limit + eps and i - s > 1:
                        break
                    if cost[j - 1][s] == inf or load <= 0:
                        continue
                    c = cost[j - 1][s] + load * load
                    if c < best - eps or (abs(c - best) <= eps and s < at):
                        best, at = c, s
                cost[j][i], cut[j][i] = best, at
        if cost[n][m] < inf:
            runs = []
            i = m
            for j in range(n, 0, -1):
                s = cut[j][i]
                runs.append((s, i - 1))
                i = s
            return tuple(reversed(runs))
        n += 1
    return tuple(_single_runs(loads))


def _single_runs(loads: tuple[float, ...]) -> list[tuple[int, int]]:
    """One run per loaded item (zero-load items joining the run before, or the first)."""
    runs: list[list[int]] = []
    for k, v in enumerate(loads):
        if v > 0 or not runs:
            if runs and sum(loads[a] for a in range(runs[-1][0], runs[-1][1] + 1)) <= 0:
                runs[-1][1] = k
            else:
                runs.append([k, k])
        else:
            runs[-1][1] = k
    return [(a, b) for a, b in runs]


def row_items(catalog: Catalog, hall: str, x0: float, y: float, rotation: float, n_ultraservers: int,
              ids: IdCounter, rack_type: str = "trn3-gen2-rack", busway_type: str = "busway-1200a",
              network_type: str = "network-rack", cdu_type: str = "cdu-in-row",
              redundancy: RowRedundancy | None = None) -> list[Equipment]:
    """One row: CDU(s), half the UltraServers, the network racks, the other half, and
    overhead busways above it, sized so every rack has ports, coolant and power (with
    ``redundancy``: one spare CDU / network rack, A and B busway runs).

    The row runs east from ``x0`` (first position's west edge) with centres on ``y``.
    """
    return _row(catalog, hall, x0, y, rotation, n_ultraservers, ids, rack_type, busway_type, network_type,
                cdu_type, redundancy or RowRedundancy())[0]


def _row(catalog: Catalog, hall: str, x0: float, y: float, rotation: float, n_ultraservers: int,
         ids: IdCounter, rack_type: str, busway_type: str, network_type: str, cdu_type: str,
         red: RowRedundancy) -> tuple[list[Equipment], dict[str, tuple[str, float]]]:
    """:func:`row_items`, and per busway its feed and the whole load of the racks beneath it
    (what it carries alone when the other feed fails)."""
    rack = catalog.types[rack_type]
    rps = rack.racks_per_system
    links = n_ultraservers * math.ceil(rack.get("efa_gbps") / rack.get("efa_link_gbps"))
    net = catalog.types[network_type]
    n_net = math.ceil(links / leaf_server_ports(net.get("ports"), net.get("switch_radix"), red.oversubscription))
    if red.network == "N+1" and links > 0:
        n_net += 1
    liquid = n_ultraservers * rps * rack.it_power_kw * rack.liquid_fraction
    cdu = catalog.types[cdu_type]
    n_cdu = math.ceil(liquid / cdu.get("capacity_kw")) if liquid > 0 else 0
    if red.cooling == "N+1" and n_cdu:
        n_cdu += 1
    loop = ids.next("loop") if red.loops and n_cdu else None
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
        extra = {"loop": loop} if loop is not None and type_id in (rack_type, cdu_type) else {}
        items.append(Equipment(item_id, type_id, hall, x, y, rotation, sid, None, extra))
    # busways: balanced contiguous runs, each within the continuous limit on its own
    feeds = _busways_over(catalog, hall, items, y, ids, red, busway_type)
    return items, feeds


def _switch_row(catalog: Catalog, hall: str, x0: float, y: float, n: int, slots: int, ids: IdCounter,
                red: RowRedundancy, spine_type: str = "spine-rack", busway_type: str = "busway-1200a"):
    """A row of ``n`` spine racks spread over ``slots`` rack positions (front to the
    south), under balanced busway runs (A and B with 2N power), and per busway its feed
    and load."""
    # spread along the row (a spine rack's 48 kW of air heat is shared among more air handlers)
    step = max(1, slots // max(1, n))
    items = [Equipment(ids.next("spine"), spine_type, hall, round(x0 + TILE_M * (k * step + 0.5), 6), y, 180.0)
             for k in range(n)]
    # the room's busways run its whole length (tap-offs for the racks still to come)
    return items, _busways_over(catalog, hall, items, y, ids, red, busway_type,
                                span=(x0, x0 + TILE_M * slots))


def _busways_over(catalog: Catalog, hall: str, items: list[Equipment], y: float, ids: IdCounter,
                  red: RowRedundancy, busway_type: str, span: tuple[float, float] | None = None
                  ) -> dict[str, tuple[str, float]]:
    """Balanced busway runs over a row of racks (appended to ``items``), each within the
    continuous limit alone; A and B runs with 2N power. ``span``: the runs together cover
    it end to end (meeting halfway between their racks), else each ends at its racks.
    Returns each busway's feed and load."""
    pitch = TILE_M
    xs = [e.x for e in items]
    bw = catalog.types[busway_type]
    limit = bw.busway_rating_kw * catalog.value("power.continuous_load_factor")
    loads = tuple(catalog.types[item.type].it_power_kw for item in items)
    feeds = {}
    runs = balanced_runs(loads, limit)
    for k, (a, b) in enumerate(runs):
        x_a = round(xs[a] - pitch / 2 + 0.05, 6)
        x_b = round(xs[b] + pitch / 2 - 0.05, 6)
        if span is not None:
            x_a = round((span[0] if k == 0 else (xs[runs[k - 1][1]] + xs[a]) / 2) + 0.05, 6)
            x_b = round((span[1] if k == len(runs) - 1 else (xs[b] + xs[runs[k + 1][0]]) / 2) - 0.05, 6)
        kw = sum(loads[a:b + 1])
        if red.power == "2N":
            base = ids.next("bw")
            for feed, dy in (("A", -FEED_OFFSET_M), ("B", FEED_OFFSET_M)):
                yy = round(y + dy, 6)
                items.append(Equipment(f"{base}{feed}", busway_type, hall, x_a, yy, 0.0, None, (x_b, yy),
                                       {"feed": feed}))
                feeds[f"{base}{feed}"] = (feed, kw)
        else:
            bw_id = ids.next("bw")
            items.append(Equipment(bw_id, busway_type, hall, x_a, y, 0.0, None, (x_b, y)))
            feeds[bw_id] = ("A", kw)
    return feeds


def spine_racks_for(catalog: Catalog, endpoints: int, oversubscription: float = 1.0, spare: bool = False,
                    network_type: str = "network-rack", spine_type: str = "spine-rack") -> int:
    """Spine racks holding every switch above the leaves of a fabric of ``endpoints``
    server links (:func:`designer.engine.fabric.clos_tiers`), plus one with ``spare``."""
    radix = int(catalog.types[network_type].get("switch_radix"))
    tiers = clos_tiers(endpoints, radix, oversubscription)
    need = spine_racks_needed(tiers, int(catalog.types[spine_type].get("switches")))
    return need + (1 if spare and need else 0)


def row_length_m(catalog: Catalog, n_ultraservers: int, rack_type: str = "trn3-gen2-rack",
                 redundancy: RowRedundancy | None = None) -> float:
    probe = row_items(catalog, "_", 0.0, 0.0, 0.0, n_ultraservers, IdCounter(), rack_type, redundancy=redundancy)
    return sum(1 for e in probe if e.end is None) * TILE_M


def power_chain_nodes(catalog: Catalog, busways: list[tuple[str, str, float]], prefix: str = "", *,
                      transformer_type: str = "transformer-2500kva", switchboard_type: str = "switchboard-4000a",
                      ups_type: str = "ups-1250kw") -> tuple[list[dict], dict[str, str]]:
    """The power chain above ``busways`` ((id, feed, whole load kW) in floor order): per
    feed, transformers → switchboards → UPS modules, each side able to carry all of its
    busways' whole loads alone (2N when the busways come in A/B pairs). Busways are
    grouped in floor order: switchboard groups (one transformer each) within the
    switchboard's capacity counted at the UPS inputs, then each group's UPS modules, both
    balanced (:func:`balanced_runs`). Returns the nodes (``{"id", "type", "parent"}``) and
    each busway's source (a UPS of its own feed)."""
    tx, swb, ups = (catalog.types[t] for t in (transformer_type, switchboard_type, ups_type))
    ups_eff, swb_eff = ups.get("efficiency", 1.0), swb.get("efficiency", 1.0)
    # the most busway load one switchboard group carries: its UPS inputs within the
    # switchboard, the switchboard's input within the transformer
    group_kw = min(swb.get("capacity_kw") * ups_eff, tx.get("capacity_kw") * swb_eff * ups_eff)
    ups_kw = ups.get("capacity_kw")
    nodes: list[dict] = []
    sources: dict[str, str] = {}
    for feed in sorted({f for _, f, _ in busways}):
        side = [(b, kw) for b, f, kw in busways if f == feed]
        loads = tuple(kw for _, kw in side)
        n_ups = 0
        for g, (a, b) in enumerate(balanced_runs(loads, group_kw), start=1):
            tx_id, swb_id = f"{prefix}tx-{feed}{g}", f"{prefix}swb-{feed}{g}"
            nodes += [{"id": tx_id, "type": transformer_type, "parent": None},
                      {"id": swb_id, "type": switchboard_type, "parent": tx_id}]
            for u, w in balanced_runs(loads[a:b + 1], ups_kw):
                n_ups += 1
                ups_id = f"{prefix}ups-{feed}{n_ups}"
                nodes.append({"id": ups_id, "type": ups_type, "parent": swb_id})
                for k in range(a + u, a + w + 1):
                    sources[side[k][0]] = ups_id
    return nodes, sources


def lay_out_hall(design: Design, catalog: Catalog, hall_id: str, name: str, *, row_pairs: int,
                 ultraservers_per_row: int, blocks: int = 1, rack_type: str = "trn3-gen2-rack",
                 id_prefix: str = "", it_capacity_kw: float | None = None,
                 floor_rating_kg_m2: float = 2500.0, spare_row_pairs: int = 0, power: str = "N",
                 cooling: str = "N", network: str = "N", loops: bool = False, power_chain: bool = False,
                 spine_racks: int = 0, oversubscription: float = 1.0) -> Hall:
    """Add a hall laid out as ``blocks`` side by side, each with ``row_pairs`` pairs of rows
    facing cold aisles; columns stand in the cross aisles; air handlers line the north
    and south walls (N+1). ``power``/``cooling``/``network``/``loops``: each row's
    redundancy (:class:`RowRedundancy`). ``power_chain``: add the hall's transformers,
    switchboards and UPS modules to ``design.extra["power_chain"]`` and name each busway's
    source (:func:`power_chain_nodes`). ``spine_racks``: a spine room of that many spine
    racks in rows along the north of the hall, with their own busways (the fabric's
    switches above the leaves; :func:`spine_racks_for`). Returns the new hall (its
    equipment is appended to the design)."""
    ids = IdCounter(id_prefix)
    red = RowRedundancy(power, cooling, network, loops, oversubscription)
    row_len = row_length_m(catalog, ultraservers_per_row, rack_type, red)
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
    per_spine_row = max(1, int((width - 2 * end_margin) / TILE_M + 1e-9))   # rack positions along the room
    spine_rows = math.ceil(spine_racks / per_spine_row) if spine_racks else 0
    spine_room = spine_rows * (depth + cold + hot) if spine_rows else 0.0
    height = 2 * wall_zone + (row_pairs + spare_row_pairs) * pitch - hot + spine_room
    height = math.ceil(height / TILE_M) * TILE_M
    hall = Hall(id=hall_id, name=name, outline=((0.0, 0.0), (round(width, 6), 0.0),
                                                (round(width, 6), round(height, 6)), (0.0, round(height, 6))),
                floor_rating_kg_m2=floor_rating_kg_m2)
    items: list[Equipment] = []
    feeds: dict[str, tuple[str, float]] = {}
    for b in range(blocks):
        x0 = end_margin + b * (row_len + cross)
        for p in range(row_pairs):
            y_south = wall_zone + p * pitch + depth / 2
            y_north = y_south + depth + cold
            for y_row, rot in ((y_south, 180.0), (y_north, 0.0)):
                row, row_feeds = _row(catalog, hall_id, x0, round(y_row, 6), rot, ultraservers_per_row, ids,
                                      rack_type, "busway-1200a", "network-rack", "cdu-in-row", red)
                items += row
                feeds.update(row_feeds)
    # the spine room: rows of spine racks north of the last row pair, fronts to a cold aisle
    left = spine_racks
    for k in range(spine_rows):
        y_spine = wall_zone + (row_pairs + spare_row_pairs) * pitch + k * (depth + cold + hot) + depth / 2 + cold
        take = min(per_spine_row, left)
        left -= take
        row, row_feeds = _switch_row(catalog, hall_id, end_margin, round(y_spine, 6), take, per_spine_row, ids, red)
        items += row
        feeds.update(row_feeds)
    # structural columns: in the end margins and the cross aisles, on each cold-aisle line
    col_x = [end_margin / 2] + [end_margin + b * (row_len + cross) + row_len + cross / 2
                                for b in range(blocks - 1)] + [width - end_margin / 2]
    for cx in col_x:
        for p in range(row_pairs + spare_row_pairs):
            cy = wall_zone + p * pitch + depth + cold / 2
            hall.columns.append(_square(cx, cy, TILE_M))
    # air handlers along both long walls, enough for the air-side heat of their half of the
    # hall plus spares; each unit takes whole racks, so it is counted at its capacity less
    # the largest rack's air heat (what packing whole racks may leave unused)
    air = [catalog.types[e.type].it_power_kw * (1 - catalog.types[e.type].liquid_fraction)
           for e in items if e.end is None]
    # (whole racks per unit: a unit may be left short of its capacity by up to one rack's heat)
    per_unit = crah.get("capacity_kw") - max(air, default=0.0)
    # each wall's units take the air heat of its half of the hall (a spine room makes the
    # north half the warmer), with one spare per wall under N+1 and one in all under N
    floor = [e for e in items if e.end is None]
    south_kw = sum(a for a, e in zip(air, floor) if e.y < height / 2)
    north_kw = sum(air) - south_kw
    south = math.ceil(south_kw / per_unit)
    north = math.ceil(north_kw / per_unit)
    if red.cooling == "N+1":
        south, north = south + 1, north + 1
    elif north > south:
        north += 1
    else:
        south += 1
    for count, y, rot in ((south, crah.depth_m / 2, 180.0), (north, height - crah.depth_m / 2, 0.0)):
        for k in range(count):
            x = width * (k + 0.5) / count
            items.append(Equipment(ids.next("crah"), "crah", hall_id, round(x, 6), round(y, 6), rot))
    rack_kw = sum(catalog.types[e.type].it_power_kw for e in items if e.end is None)
    hall.it_capacity_kw = it_capacity_kw if it_capacity_kw is not None else math.ceil(rack_kw * 1.1 / 100) * 100
    if power_chain:
        nodes, sources = power_chain_nodes(catalog, [(b, f, kw) for b, (f, kw) in feeds.items()],
                                           id_prefix or f"{hall_id}-")
        items = [e if e.id not in sources else Equipment(e.id, e.type, e.hall, e.x, e.y, e.rotation, e.system, e.end,
                                                         {**e.extra, "source": sources[e.id]}) for e in items]
        design.extra["power_chain"] = list(design.extra.get("power_chain") or []) + nodes
    design.halls.append(hall)
    design.equipment.insert(items)
    return hall


def _square(cx: float, cy: float, size: float):
    h = size / 2
    return tuple((round(x, 6), round(y, 6)) for x, y in
                 ((cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)))


#: Road between the halls of a generated campus (metres).
CAMPUS_ROAD_M = 20.0


def campus(catalog: Catalog, chips: int, *, ultraservers_per_row: int = 8, row_pairs: int = 4,
           blocks: int = 2, rack_type: str = "trn3-gen2-rack", name: str | None = None) -> Design:
    """A campus of identical halls holding at least ``chips`` chips (benchmarks, demos)."""
    spec = catalog.types[rack_type]
    per_system = int(spec.get("chips"))
    systems = math.ceil(chips / per_system)
    per_hall = ultraservers_per_row * row_pairs * 2 * blocks
    design = Design(name or f"Campus {chips:,} chips")
    # the fabric above the leaves is one Clos for the whole campus: every hall holds a
    # spine room with its share of the spine racks
    per_row_pair = ultraservers_per_row * 2 * blocks
    laid = math.ceil(systems / per_row_pair) * per_row_pair
    links = math.ceil(spec.get("efa_gbps") / spec.get("efa_link_gbps"))
    spines_left = spine_racks_for(catalog, laid * links)
    remaining = systems
    h = 0
    while remaining > 0:
        h += 1
        take = min(per_hall, remaining)
        pairs = max(1, math.ceil(take / per_row_pair))
        hall_id = f"H{h:02d}"
        share = min(spines_left, math.ceil(spines_left * pairs * per_row_pair / max(1, remaining)))
        lay_out_hall(design, catalog, hall_id, f"Hall {h}", row_pairs=pairs,
                     ultraservers_per_row=ultraservers_per_row, blocks=blocks, rack_type=rack_type,
                     id_prefix=f"{hall_id}-", spine_racks=share)
        spines_left -= share
        remaining -= pairs * per_row_pair
    # the halls on a campus grid, about as many columns as rows, a 20 m road between them
    cols = max(1, math.ceil(math.sqrt(len(design.halls))))
    widest = max(h.bounds()[2] for h in design.halls)
    deepest = max(h.bounds()[3] for h in design.halls)
    for i, hall in enumerate(design.halls):
        hall.origin = (round((i % cols) * (widest + CAMPUS_ROAD_M), 6), round((i // cols) * (deepest + CAMPUS_ROAD_M), 6))
    total_it = sum(hall.it_capacity_kw for hall in design.halls)
    design.site.utility_capacity_kw = math.ceil(total_it * 1.3 / 1000) * 1000
    return design
