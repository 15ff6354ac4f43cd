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
from designer.model.layouts import lay_out_hall
from designer.paths import examples_dir

GENERATOR = "generator-3000kw"


def pilot() -> Design:
    cat = load_catalog()
    d = Design("Hall A pilot — 8 Trn3 Gen2 UltraServers")
    d.site.utility_capacity_kw = 5000
    lay_out_hall(d, cat, "A", "Hall A", row_pairs=1, spare_row_pairs=1, ultraservers_per_row=4,
                 it_capacity_kw=4000)
    return d


def full_hall() -> Design:
    cat = load_catalog()
    d = Design("Hall B — 64 Trn3 Gen2 UltraServers, 2N power")
    d.site.utility_capacity_kw = 16000
    d.site.extra["redundancy"] = {"power": "2N", "cooling": "N+1", "network": "N+1"}
    d.site.extra["coolant"] = "water"
    lay_out_hall(d, cat, "B", "Hall B", row_pairs=4, ultraservers_per_row=4, blocks=2,
                 power="2N", cooling="N+1", network="N+1", loops=True, power_chain=True)
    size_generators(d, cat)
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


def main() -> None:
    out = examples_dir()
    out.mkdir(parents=True, exist_ok=True)
    for fname, design in (("pilot-hall.dcplan", pilot()), ("full-hall.dcplan", full_hall())):
        ev = evaluate(design, resilience=True)
        r = ev.report()
        res = r["resilience"]
        worst = res["worst"]
        errors = sum(v.severity == "error" for v in ev.violations)
        bws = [e for e in design.equipment if e.end is not None]
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
    main()
