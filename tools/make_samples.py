"""Regenerate the bundled sample designs in resources/examples/ (run from the repo root).

- pilot-hall: one row pair of 4 Trn3 Gen2 UltraServers each, N everywhere (small and simple).
- full-hall: 64 UltraServers in 16 rows; 2N power (A and B busways over every rack, a
  transformer → switchboard → UPS chain per side able to carry the hall alone), N+1
  cooling (a spare CDU per row, each row on its own loop; N+1 air handlers) and N+1
  network (a spare network rack per row); generators sized with the declared power
  redundancy. It reports 0 errors and survives any single failure (n_minus_1_safe).
"""

from __future__ import annotations

import math

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import write_design
from designer.io.atomic import backup_path
from designer.model import Design
from designer.model.design import Equipment
from designer.model.layouts import TILE_M, IdCounter, lay_out_hall, row_items, spine_racks_for
from designer.paths import examples_dir

GENERATOR = "generator-3000kw"


def pilot() -> Design:
    cat = load_catalog()
    d = Design("Hall A pilot — 8 Trn3 Gen2 UltraServers")
    d.site.utility_capacity_kw = 5000
    # 8 UltraServers × 36 EFA links: 9 leaf switches, 5 above them → one spine rack
    lay_out_hall(d, cat, "A", "Hall A", row_pairs=1, spare_row_pairs=1, ultraservers_per_row=4,
                 it_capacity_kw=4000, spine_racks=spine_racks_for(cat, 8 * 36))
    return d


def full_hall() -> Design:
    cat = load_catalog()
    d = Design("Hall B — 64 Trn3 Gen2 UltraServers, 2N power")
    d.site.utility_capacity_kw = 16000
    d.site.extra["redundancy"] = {"power": "2N", "cooling": "N+1", "network": "N+1"}
    d.site.extra["coolant"] = "water"
    # 64 UltraServers × 36 EFA links: 72 leaf switches, 72 + 36 above them → 7 spine racks, and a spare
    lay_out_hall(d, cat, "B", "Hall B", row_pairs=4, ultraservers_per_row=4, blocks=2,
                 power="2N", cooling="N+1", network="N+1", loops=True, power_chain=True,
                 spine_racks=spine_racks_for(cat, 64 * 36, spare=True))
    size_generators(d, cat)
    return d


#: GB300 NVL72 racks per row of the hybrid hall: with their CDU and the network racks for
#: 4 x 72 links the row is as long as a row of 4 Trn3 Gen2 UltraServers
GB300_PER_ROW = 4


def hybrid() -> Design:
    """Trn3 Gen2 UltraServers and GB300 NVL72 racks in one hall (PRODUCT.md §8, mixed fleets)."""
    cat = load_catalog()
    d = Design("Hybrid hall — Trn3 Gen2 UltraServers beside GB300 NVL72 racks")
    # the Trn3 rows (and the hall around them, with a spare row pair for the GB300 rows)
    scratch = Design("scratch")
    # one Clos above the leaves of both fleets: 8 x 36 Trn3 links + 8 x 72 GB300 links (800G each)
    gb_links = 2 * GB300_PER_ROW * math.ceil(cat.types["gb300-nvl72-rack"].get("efa_gbps") / cat.types["gb300-nvl72-rack"].get("efa_link_gbps"))
    hall = lay_out_hall(scratch, cat, "H", "Hybrid hall", row_pairs=1, spare_row_pairs=1, ultraservers_per_row=4,
                        spine_racks=spine_racks_for(cat, 8 * 36 + gb_links))
    items = [e for e in scratch.equipment if e.type != "crah"]
    # the GB300 rows in the spare pair, laid out as lay_out_hall lays a row pair
    gb = cat.types["gb300-nvl72-rack"]
    crah = cat.types["crah"]
    depth = gb.depth_m
    wall_zone = crah.depth_m + cat.value("clearance.front_m") + TILE_M
    pitch = 2 * depth + 4 * TILE_M
    y_south = wall_zone + pitch + depth / 2
    ids = IdCounter("gb-")
    for y, rot in ((y_south, 180.0), (y_south + depth + 2 * TILE_M, 0.0)):
        items += row_items(cat, "H", 4 * TILE_M, round(y, 6), rot, GB300_PER_ROW, ids, rack_type="gb300-nvl72-rack")
    # air handlers along both long walls for the whole hall's air heat, plus one spare
    width, height = hall.outline[2]
    air = sum(cat.types[e.type].it_power_kw * (1 - cat.types[e.type].liquid_fraction) for e in items if e.end is None)
    n_crah = math.ceil(air / crah.get("capacity_kw")) + 1
    south = math.ceil(n_crah / 2)
    for count, y, rot in ((south, crah.depth_m / 2, 180.0), (n_crah - south, height - crah.depth_m / 2, 0.0)):
        for k in range(count):
            items.append(Equipment(ids.next("crah"), "crah", "H", round(width * (k + 0.5) / count, 6), round(y, 6), rot))
    it_kw = sum(cat.types[e.type].it_power_kw for e in items if e.end is None)
    hall.it_capacity_kw = math.ceil(it_kw * 1.1 / 100) * 100
    d.site.utility_capacity_kw = math.ceil(it_kw * 1.3 / 1000) * 1000
    d.halls.append(hall)
    d.equipment.insert(items)
    return d


def size_generators(design: Design, catalog) -> None:
    """Generator sets for the design-day facility load, with the declared power
    redundancy as the engine counts it (N+1: one spare set; 2N: as many spare as needed)."""
    design.site.extra.pop("generators", None)
    load = evaluate(design).totals["power"]["facility_demand_kw"]
    need = math.ceil(load / catalog.types[GENERATOR].get("capacity_kw"))
    level = (design.site.extra.get("redundancy") or {}).get("power", "N")
    count = {"N": need, "N+1": need + 1, "2N": 2 * need}[level]
    design.site.extra["generators"] = {"type": GENERATOR, "count": count}


SAMPLES = {"pilot-hall": pilot, "full-hall": full_hall, "hybrid-hall": hybrid}


def main(names: list[str] | None = None) -> None:
    out = examples_dir()
    out.mkdir(parents=True, exist_ok=True)
    for name in names or list(SAMPLES):
        fname, design = f"{name}.dcplan", SAMPLES[name]()
        ev = evaluate(design, resilience=True)
        r = ev.report()
        res = r["resilience"]
        worst = res["worst"]
        errors = sum(v.severity == "error" for v in ev.violations)
        bws = [e for e in design.equipment if e.end is not None]
        th = r["throughput"]
        for type_id, row in th["by_type"].items():
            print(f"    {type_id}: {row['systems']} systems, {row['chips']} chips, "
                  f"{row['effective']['mxfp8_pflops']:,.1f} PFLOPS MXFP8 effective")
        shortest = min(math.dist((e.x, e.y), e.end) for e in bws)
        print(f"{fname}: {r['ultraservers']} UltraServers, {r['chips']} chips, "
              f"{r['power']['it_kw']:.0f} kW IT, {r['power']['facility_demand_kw']:.0f} kW facility, "
              f"{errors} errors, {len(ev.violations) - errors} warnings; redundancy {res['redundancy']}; "
              f"{len(bws)} busways (shortest {shortest:.2f} m), {len(r['power'].get('chain') or [])} chain nodes, "
              f"generators {design.site.extra.get('generators')}; n_minus_1_safe {res['n_minus_1_safe']}, "
              f"worst failure "
              + (f"{worst['id']} strands {worst['stranded_ultraservers']} UltraServers" if worst else "strands nothing"))
        for v in ev.violations:
            print("   ", v.kind, v.message)
        write_design(design, out / fname)
        backup_path(out / fname).unlink(missing_ok=True)   # the samples are in git: no .bak beside them


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
