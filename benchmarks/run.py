"""Benchmark the engine on the generated campus designs; print a table of medians.

    python -m benchmarks.generate     # once
    python -m benchmarks.run [--repeat 7]

Columns: read (parse + validate the file), full evaluation, one rack moved
(incremental ``Evaluator.apply``), ``designer report --json`` as a whole process (with
Python's bytecode cache, as after ``pip install``), and
the full evaluation's time per rack (the 1M/10k ratio shows how it grows).
Medians of ``--repeat`` runs; the machine is shared, so quote medians and ratios, and
the machine-speed line printed last (the same code runs up to 2× slower when the
neighbours are busy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchmarks.generate import OUT, SIZES, generate
from designer.engine import Evaluator
from designer.io import read_design
from designer.model import Change


def machine_speed_s() -> float:
    """Seconds for ``sum(range(10**7))`` in pure Python: the shared machine's speed at the
    moment (it swings about 2× with the neighbours' load); quote it beside the medians."""
    t0 = time.perf_counter()
    sum(range(10**7))
    return time.perf_counter() - t0


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def bench(label: str, repeat: int) -> dict:
    path = OUT / f"campus-{label}.dcplan"
    read_ms = median_ms(lambda: read_design(path), max(3, repeat // 2))
    design = read_design(path)
    ev = Evaluator(design)
    full_ms = median_ms(ev.refresh, repeat)
    t = design.equipment
    racks = [i for i in t.ids if "-us" in i]
    rack = racks[len(racks) // 2]
    row = t.index[rack]
    hall = t.halls[int(t.hall_code[row])]
    step = [0]

    def move() -> None:
        step[0] += 1
        t.x[row] += 0.6 if step[0] % 2 else -0.6
        ev.apply(Change("moved", (rack,), (hall,)))

    move_ms = median_ms(move, max(repeat, 101))  # cheap: enough steps for a steady median
    cmd = [sys.executable, "-m", "designer", "report", "--json", str(path)]
    # as installed: Python's bytecode cache on (pip compiles it at install time; a
    # PYTHONDONTWRITEBYTECODE environment would recompile every module on every run)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # writes the cache once
    proc_ms = median_ms(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), max(3, repeat // 2))
    n_racks = ev.evaluation.totals["racks"]
    return {"label": label, "items": len(t), "racks": n_racks, "chips": ev.evaluation.totals["chips"],
            "read": read_ms, "full": full_ms, "move": move_ms, "process": proc_ms,
            "us_per_rack": full_ms * 1000.0 / max(n_racks, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sizes", nargs="*", default=list(SIZES))
    args = ap.parse_args()
    if not all((OUT / f"campus-{s}.dcplan").exists() for s in args.sizes):
        generate()
    before = machine_speed_s()
    rows = [bench(s, args.repeat) for s in args.sizes]
    after = machine_speed_s()
    print(f"{'design':<8}{'chips':>11}{'items':>8}{'read ms':>9}{'full ms':>9}{'move ms':>9}"
          f"{'report proc ms':>16}{'full µs/rack':>14}")
    for r in rows:
        print(f"{r['label']:<8}{r['chips']:>11,}{r['items']:>8,}{r['read']:>9.1f}{r['full']:>9.1f}"
              f"{r['move']:>9.2f}{r['process']:>16.0f}{r['us_per_rack']:>14.2f}")
    by = {r["label"]: r for r in rows}
    if "1m" in by and "10k" in by:
        print(f"time per rack, 1M vs 10k: {by['1m']['us_per_rack'] / by['10k']['us_per_rack']:.2f}x")
    print(f"machine speed, sum(range(10**7)): {before:.3f} s before, {after:.3f} s after")


if __name__ == "__main__":
    main()
