"""Small hand-built designs for the engine tests (no Qt).

Conventions (PRODUCT §2): a rack's (x, y) is its footprint centre; rotation is CCW in
degrees; at rotation 0 the front (intake) faces −y and the width runs along x.

The *supported row* used by many tests is one Trn3 Gen2 UltraServer that the engine
must find fully served: in hall ``A`` (20 m × 12 m), along y = 6 m, front to the south::

    cdu1 (4.3)  us1-r1 (4.9)  us1-r2 (5.5)  net1 (6.1)  spine1 (6.7)   ← centres, rotation 0
    ═════════════════════ bw1 (4.05 → 6.95) ═══════════════════════     ← busway over the row
                     crah1 at (10, 0.45), rotation 180 (front to the north), on the south wall

The spine rack is there because the UltraServer's 36 EFA links need two leaf switches
(32 server ports each at oversubscription 1), so the fabric has a tier above the leaves
(issue 14: tiers [2, 1], one switch; without a spine rack → ``fabric-capacity``).

Every piece of it is a function argument so that a test can move one thing.
"""

from __future__ import annotations

import inspect
import math
import random
from dataclasses import replace
from typing import Iterable, Sequence

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation
from designer.model import Design, Equipment, Hall
from designer.model.layouts import ultraserver_racks

RACK = "trn3-gen2-rack"
NET = "network-rack"
SPINE = "spine-rack"
CDU = "cdu-in-row"
CRAH = "crah"
BUSWAY = "busway-1200a"

ROW_Y = 6.0
HALL_W = 20.0
HALL_H = 12.0


def catalog() -> Catalog:
    return load_catalog()


def effective_catalog(design: Design) -> Catalog:
    """The catalog with the design's assumption overrides applied (what the engine sees)."""
    return load_catalog().with_overrides(design.assumptions)


# ------------------------------------------------------------------ records
def rect_outline(x0: float, y0: float, x1: float, y1: float):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def square(cx: float, cy: float, size: float = 0.6):
    h = size / 2
    return rect_outline(cx - h, cy - h, cx + h, cy + h)


def hall(hall_id: str = "A", w: float = HALL_W, h: float = HALL_H, *, x0: float = 0.0, y0: float = 0.0,
         name: str | None = None, columns=(), keepouts=(), floor_rating_kg_m2: float = 2500.0,
         it_capacity_kw: float = 20000.0, tray_drop_m: float | None = None) -> Hall:
    return Hall(id=hall_id, name=name or f"Hall {hall_id}", outline=rect_outline(x0, y0, x0 + w, y0 + h),
                columns=list(columns), keepouts=list(keepouts), floor_rating_kg_m2=floor_rating_kg_m2,
                it_capacity_kw=it_capacity_kw, tray_drop_m=tray_drop_m)


def rack(item_id: str, x: float, y: float = ROW_Y, rot: float = 0.0, system: str | None = None,
         type_id: str = RACK, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, type_id, hall_id, x, y, rot, system)


def net(item_id: str, x: float, y: float = ROW_Y, rot: float = 0.0, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, NET, hall_id, x, y, rot)


def spine(item_id: str, x: float, y: float = ROW_Y, rot: float = 0.0, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, SPINE, hall_id, x, y, rot)


def cdu(item_id: str, x: float, y: float = ROW_Y, rot: float = 0.0, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, CDU, hall_id, x, y, rot)


def crah(item_id: str, x: float, y: float, rot: float = 180.0, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, CRAH, hall_id, x, y, rot)


def busway(item_id: str, start, end, type_id: str = BUSWAY, hall_id: str = "A") -> Equipment:
    return Equipment(item_id, type_id, hall_id, float(start[0]), float(start[1]), 0.0, None,
                     (float(end[0]), float(end[1])))


def ultraserver(system: str, x0: float, y: float = ROW_Y, rot: float = 0.0, hall_id: str = "A",
                type_id: str = RACK) -> list[Equipment]:
    """The racks of one UltraServer side by side (ids ``<system>-r1`` …), as the palette drops them."""
    return ultraserver_racks(load_catalog(), type_id, system, hall_id, x0, y, rot)


def make_design(items: Iterable[Equipment], halls: Sequence[Hall] | None = None, *,
                assumptions: dict | None = None, name: str = "test", **site) -> Design:
    """A design from records; ``site`` keywords set Site fields (pue, utility_capacity_kw, …)."""
    d = Design(name)
    d.halls = list(halls) if halls is not None else [hall()]
    d.assumptions = dict(assumptions or {})
    for k, v in site.items():
        if not hasattr(d.site, k):
            raise AttributeError(k)
        setattr(d.site, k, v)
    d.equipment.insert(list(items))
    return d


def supported_items(*, system: str = "us1", y: float = ROW_Y, x_cdu: float = 4.3, x_rack: float = 4.9,
                    x_net: float = 6.1, x_spine: float = 6.7, busway_span=(4.05, 6.95), crah_at=(10.0, 0.45),
                    busway_type: str = BUSWAY, with_cdu: bool = True, with_net: bool = True,
                    with_crah: bool = True, with_busway: bool = True, with_spine: bool = True) -> list[Equipment]:
    """The supported row of the module docstring (one Trn3 Gen2 UltraServer, fully served)."""
    items: list[Equipment] = []
    if with_cdu:
        items.append(cdu("cdu1", x_cdu, y))
    items += ultraserver(system, x_rack, y)
    if with_net:
        items.append(net("net1", x_net, y))
    if with_spine:
        items.append(spine("spine1", x_spine, y))
    if with_busway:
        items.append(busway("bw1", (busway_span[0], y), (busway_span[1], y), busway_type))
    if with_crah:
        items.append(crah("crah1", *crah_at))
    return items


def supported_design(**kw) -> Design:
    """The supported row in the default hall; keywords go to :func:`supported_items` or
    :func:`make_design` (``hall_kw`` for the hall)."""
    item_keys = set(inspect.signature(supported_items).parameters)
    item_kw = {k: kw.pop(k) for k in list(kw) if k in item_keys}
    hall_kw = kw.pop("hall_kw", {})
    return make_design(supported_items(**item_kw), [hall(**hall_kw)], **kw)


# ------------------------------------------------------------------ lookups
def row(design: Design, item_id: str) -> int:
    return design.equipment.index[item_id]


def ids_of(design: Design, mask) -> set[str]:
    return {design.equipment.ids[i] for i, on in enumerate(mask) if on}


def kinds(ev: Evaluation) -> list[str]:
    return [v.kind for v in ev.violations]


def kind_counts(ev: Evaluation) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in ev.violations:
        out[v.kind] = out.get(v.kind, 0) + 1
    return out


def only(ev: Evaluation, kind: str):
    """The single violation of ``kind`` (fails with the full list otherwise)."""
    found = ev.violations_of(kind)
    assert len(found) == 1, (kind, [(v.kind, v.ids, v.message) for v in ev.violations])
    return found[0]


def describe(ev: Evaluation) -> list[tuple[str, tuple[str, ...], str]]:
    return [(v.kind, v.ids, v.message) for v in ev.violations]


# ------------------------------------------------------------------ hand arithmetic
def manhattan(a: Equipment, b: Equipment) -> float:
    return abs(a.x - b.x) + abs(a.y - b.y)


def routed_m(manhattan_m: float, tray_drop_m: float, slack: float) -> float:
    """PRODUCT §3: (Manhattan + 2 × tray drop) × slack."""
    return (manhattan_m + 2 * tray_drop_m) * slack


def port_to_port_m(dx_m: float, in_rack_m: float, slack: float) -> float:
    """Racks side by side in one row (centres within ``cable.direct_max_m``) are cabled
    port to port through their side cable managers: (dx + 2 × in-rack run) × slack."""
    return (dx_m + 2 * in_rack_m) * slack


def server_link_m(cat: Catalog, a: Equipment, b: Equipment, tray_drop_m: float | None = None) -> float:
    """A scale-out link's length between two racks of one hall: port to port when they
    stand side by side in one row within ``cable.direct_max_m`` (the shorter of the two
    ways), else via the tray (:func:`routed_m`)."""
    slack = cat.value("cable.slack_factor")
    tray = cat.value("cable.tray_drop_m") if tray_drop_m is None else tray_drop_m
    dx, dy = abs(a.x - b.x), abs(a.y - b.y)
    via_tray = routed_m(dx + dy, tray, slack)
    if dy < 0.05 and dx <= cat.value("cable.direct_max_m") + 1e-9:
        return min(via_tray, port_to_port_m(dx, cat.value("cable.in_rack_m"), slack))
    return via_tray


def medium_cost(cat: Catalog, medium: str, length_m: float) -> float:
    m = cat.media[medium]
    return m.get("cost_per_link") + m.get("cost_per_m") * length_m


def cheapest_medium(cat: Catalog, length_m: float) -> str | None:
    """The cheapest medium whose reach covers ``length_m`` (None: nothing reaches)."""
    fits = [k for k, m in cat.media.items() if m.get("reach_m") >= length_m]
    if not fits:
        return None
    return min(fits, key=lambda k: medium_cost(cat, k, length_m))


def latency_ns(cat: Catalog, medium: str, length_m: float) -> float:
    m = cat.media[medium]
    return m.get("latency_ns_per_m") * length_m + m.get("latency_fixed_ns")


def busway_limit_kw(cat: Catalog, type_id: str = BUSWAY) -> float:
    """√3 · V · I · PF / 1000 × continuous-load factor (0.8)."""
    b = cat.types[type_id]
    return (math.sqrt(3) * b.get("voltage_v") * b.get("amps") * b.get("power_factor") / 1000.0
            * cat.value("power.continuous_load_factor"))


def links_per_system(cat: Catalog, type_id: str = RACK) -> int:
    t = cat.types[type_id]
    return math.ceil(t.get("efa_gbps") / t.get("efa_link_gbps"))


# ------------------------------------------------------------------ whole-design edits
def records(design: Design) -> list[Equipment]:
    return list(design.equipment)


def rebuild(design: Design, items: Sequence[Equipment]) -> Design:
    """A copy of ``design`` (site, halls, assumptions) holding ``items``."""
    d = Design(design.name)
    d.site = replace(design.site)
    d.assumptions = dict(design.assumptions)
    d.halls = [replace(h, columns=list(h.columns), keepouts=list(h.keepouts)) for h in design.halls]
    d.equipment.insert(list(items))
    return d


def translated(design: Design, dx: float, dy: float) -> Design:
    """The whole design moved by (dx, dy): outlines, columns, keep-outs, every item and busway end."""
    def pts(poly):
        return tuple((px + dx, py + dy) for px, py in poly)

    d = rebuild(design, [replace(e, x=e.x + dx, y=e.y + dy,
                                 end=None if e.end is None else (e.end[0] + dx, e.end[1] + dy))
                         for e in design.equipment])
    d.halls = [replace(h, outline=pts(h.outline), columns=[pts(c) for c in h.columns],
                       keepouts=[pts(k) for k in h.keepouts]) for h in design.halls]
    return d


def shuffled(design: Design, seed: int) -> Design:
    items = records(design)
    random.Random(seed).shuffle(items)
    return rebuild(design, items)
