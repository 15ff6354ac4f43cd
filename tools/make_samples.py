"""Regenerate the bundled sample designs in resources/examples/ (run from the repo root)."""

from __future__ import annotations

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import write_design
from designer.model import Design
from designer.model.layouts import lay_out_hall
from designer.paths import examples_dir


def pilot() -> Design:
    cat = load_catalog()
    d = Design("Hall A pilot — 8 Trn3 Gen2 UltraServers")
    d.site.utility_capacity_kw = 5000
    lay_out_hall(d, cat, "A", "Hall A", row_pairs=1, spare_row_pairs=1, ultraservers_per_row=4,
                 it_capacity_kw=4000)
    return d


def full_hall() -> Design:
    cat = load_catalog()
    d = Design("Hall B — 64 Trn3 Gen2 UltraServers")
    d.site.utility_capacity_kw = 16000
    lay_out_hall(d, cat, "B", "Hall B", row_pairs=4, ultraservers_per_row=4, blocks=2)
    return d


def main() -> None:
    out = examples_dir()
    out.mkdir(parents=True, exist_ok=True)
    for fname, design in (("pilot-hall.dcplan", pilot()), ("full-hall.dcplan", full_hall())):
        ev = evaluate(design)
        r = ev.report()
        print(f"{fname}: {r['ultraservers']} UltraServers, {r['chips']} chips, "
              f"{r['power']['it_kw']:.0f} kW IT, {len(ev.violations)} violations")
        for v in ev.violations:
            print("   ", v.kind, v.message)
        write_design(design, out / fname)


if __name__ == "__main__":
    main()
