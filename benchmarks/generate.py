"""Generate campus designs at 1k, 10k, 100k and 1M chips into benchmarks/out/.

Several halls of realistic rows (pairs of rows facing cold aisles, in-row CDUs,
network racks sized for every EFA link, overhead busways, air handlers on the walls,
structural columns), built by :func:`designer.model.layouts.campus`.

    python -m benchmarks.generate [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from designer.catalog import load_catalog
from designer.io import write_design
from designer.model.layouts import campus

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
OUT = Path(__file__).resolve().parent / "out"


def generate(out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    cat = load_catalog()
    paths = {}
    for label, chips in SIZES.items():
        design = campus(cat, chips)
        path = out / f"campus-{label}.dcplan"
        write_design(design, path)
        paths[label] = path
        print(f"{path.name}: {len(design.halls)} halls, {len(design.equipment):,} items, "
              f"{path.stat().st_size / 1e6:.1f} MB")
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=OUT)
    generate(ap.parse_args().out)


if __name__ == "__main__":
    main()
