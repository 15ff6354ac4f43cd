"""Generate campus designs at 1k, 10k, 100k and 1M chips into benchmarks/out/, and
draft campuses at 10k, 100k and 1M chips full of violations.

Several halls of realistic rows (pairs of rows facing cold aisles, in-row CDUs,
network racks sized for every EFA link, overhead busways, air handlers on the walls,
structural columns), built by :func:`designer.model.layouts.campus`.

A draft (``draft-1m.dcplan``) is the same campus half-finished: every north row pushed
1.5 m into its partner across the cold aisle (overlaps and blocked service zones),
every third busway missing (racks under no busway) and every second network rack
missing (UltraServers short of ports); the 1M-chip draft holds about 37,000
violations. Its design and hall names are not ASCII (``Hall 1 — Entwurf``), so the
report exercises the writer's non-ASCII path.

    python -m benchmarks.generate [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.io import write_design
from designer.model import Design
from designer.model.layouts import campus

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DRAFT_SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
OUT = Path(__file__).resolve().parent / "out"
#: how the draft departs from the clean campus
PUSH_M = 1.5          # north rows moved south, into the row across the cold aisle
BUSWAY_EVERY = 3      # every third busway removed
NETWORK_EVERY = 2     # every second network rack removed


def campus_path(label: str, out: Path = OUT) -> Path:
    return out / f"campus-{label}.dcplan"


def draft_path(label: str, out: Path = OUT) -> Path:
    return out / f"draft-{label}.dcplan"


def draft_campus(catalog: Catalog, chips: int) -> Design:
    """The clean campus of ``chips`` chips as an unfinished draft (see the module doc)."""
    design = campus(catalog, chips, name=f"Campus {chips:,} chips — Entwurf «draft»")
    for hall in design.halls:
        hall.name = f"{hall.name} — Entwurf"
    t = design.equipment
    types = np.array(t.types.names, dtype=object)[t.type_code]
    in_row = np.isin(types, [ty for ty, spec in catalog.types.items() if spec.kind in ("compute", "network", "cdu")])
    north = in_row & (np.asarray(t.rotation) == 0.0)
    t.y[north] = np.round(t.y[north] - PUSH_M, 6)
    busways = [i for i, ty in zip(t.ids, types) if catalog.types[ty].kind == "busway"]
    network = [i for i, ty in zip(t.ids, types) if catalog.types[ty].kind == "network"]
    t.delete(busways[::BUSWAY_EVERY] + network[::NETWORK_EVERY])
    return design


def generate(out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    cat = load_catalog()
    paths = {}
    for label, chips in SIZES.items():
        design = campus(cat, chips)
        paths[label] = _write(design, campus_path(label, out))
    for label, chips in DRAFT_SIZES.items():
        paths[f"draft-{label}"] = _write(draft_campus(cat, chips), draft_path(label, out))
    return paths


def _write(design: Design, path: Path) -> Path:
    write_design(design, path, keep_backup=False)
    print(f"{path.name}: {len(design.halls)} halls, {len(design.equipment):,} items, "
          f"{path.stat().st_size / 1e6:.1f} MB")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=OUT)
    generate(ap.parse_args().out)


if __name__ == "__main__":
    main()
