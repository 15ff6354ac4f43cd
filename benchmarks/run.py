"""Benchmark the engine and the ``designer report --json`` process on the generated
campus designs; print tables of medians.

    python -m benchmarks.generate     # once
    python -m benchmarks.run [--repeat 7] [--baseline DIR]

Engine table: read (parse + validate the file), full evaluation, one rack moved
(incremental ``Evaluator.apply``) and the full evaluation's time per rack (the 1M/10k
ratio shows how it grows).

Report table: ``designer report --json`` as a whole process (with Python's bytecode
cache, as after ``pip install``) on the clean campuses and on the drafts (the same
campuses half-finished, tens of thousands of violations at 1M chips), beside the floor:
a process that starts Python, imports numpy and shapely and parses the file with
``json.loads``. The runs alternate (floor, report, baseline, then the other way round) so
that the neighbours' load falls on all alike; ``--baseline DIR`` adds the same process
run from another checkout (e.g. ``git worktree add /tmp/before HEAD``) for a before/after
table. The time above the floor per rack, 1M vs 10k, shows how the process grows.

Where the time goes: the report process's steps timed inside one process (importing
numpy and shapely, importing designer, reading, evaluating, building the report
document, encoding it as JSON: since the violations of halls alike are written as text
from their templates, the document holds no violations and the JSON step writes them),
medians, for each 1M design (and the baseline's).

Medians of ``--repeat`` runs; the machine is shared, so quote medians and ratios, and
the machine-speed line printed last (the same code runs up to 2× slower when the
neighbours are busy).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import DRAFT_SIZES, OUT, SIZES, campus_path, draft_path, generate
from designer.engine import Evaluator
from designer.io import read_design
from designer.model import Change

ROOT = Path(__file__).resolve().parent.parent

#: the floor: start Python, import numpy and shapely, parse the file
FLOOR = "import json, sys, numpy, shapely; json.loads(open(sys.argv[1], 'rb').read())"

#: ``report --json``'s steps timed in one fresh process; prints {step: seconds} as JSON.
#: Works on older checkouts too (without report_json, _evaluate or the paused collector).
PHASES = r"""
import contextlib, json, sys, time
t0 = time.perf_counter()
import numpy, shapely
t1 = time.perf_counter()
from designer import app
from designer.catalog import load_catalog
try:
    from designer.io.exports import evaluation_json_parts
except ImportError:
    evaluation_json_parts = None
try:
    from designer.io.exports import report_json
except ImportError:
    def report_json(report):
        return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
evaluate = getattr(app, "_evaluate", None)
if evaluate is None:
    from designer.engine import evaluate
t2 = time.perf_counter()
with getattr(app, "_without_cyclic_gc", contextlib.nullcontext)():
    design = app._load(sys.argv[1])
    t3 = time.perf_counter()
    evaluation = evaluate(design, load_catalog())
    t4 = time.perf_counter()
    if evaluation_json_parts is not None:   # as the report verb writes it
        report = evaluation.report(violations=False)
        t5 = time.perf_counter()
        data = evaluation_json_parts(evaluation, report)
    else:
        report = evaluation.report()
        t5 = time.perf_counter()
        try:   # (older checkouts: without the keyword)
            data = report_json(report, plain_violations=True)
        except TypeError:
            data = report_json(report)
    t6 = time.perf_counter()
print(json.dumps({"numpy+shapely": t1 - t0, "designer imports": t2 - t1, "read": t3 - t2, "evaluate": t4 - t3,
                  "report()": t5 - t4, "JSON": t6 - t5, "violations": len(evaluation.violations),
                  "MB": (len(data) if isinstance(data, bytes) else sum(map(len, data))) / 1e6}))
"""
PHASE_STEPS = ("numpy+shapely", "designer imports", "read", "evaluate", "report()", "JSON")


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
    path = campus_path(label)
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
    n_racks = ev.evaluation.totals["racks"]
    return {"label": label, "items": len(t), "racks": n_racks, "chips": ev.evaluation.totals["chips"],
            "read": read_ms, "full": full_ms, "move": move_ms, "us_per_rack": full_ms * 1000.0 / max(n_racks, 1)}


# ---------------------------------------------------------------- fill (issue 15)
#: The fill benchmark's hall: an empty 60 × 40 m room (IT capacity and utility feed not
#: binding first, so the floor, the walls' air handlers and the fabric decide).
FILL_HALL_M = (60.0, 40.0)


def fill_hall_design(redundancy: dict | None = None):
    """An empty 60 × 40 m hall (with 2N / N+1 / N+1 redundancy when given)."""
    from designer.model import Design, Hall

    w, d = FILL_HALL_M
    design = Design("Fill benchmark hall")
    design.site.utility_capacity_kw = 60000.0
    if redundancy:
        design.site.extra["redundancy"] = dict(redundancy)
    design.halls.append(Hall("A", "Hall A", ((0.0, 0.0), (w, 0.0), (w, d), (0.0, d)), it_capacity_kw=40000.0))
    return design


def bench_fill(repeat: int) -> list[dict]:
    """Median seconds of ``plan_fill`` (layout, air handlers, the checking evaluation) for
    the 60 × 40 m hall (N, then 2N / N+1 / N+1 with every single failure tried), and for
    every hall of the 1M-chip campus emptied then filled."""
    from designer.catalog import load_catalog
    from designer.engine.fill import FillRequest, plan_fill

    catalog = load_catalog()
    rows = []
    cases = [("60 x 40 m hall, N", lambda: fill_hall_design()),
             ("60 x 40 m hall, 2N/N+1/N+1", lambda: fill_hall_design({"power": "2N", "cooling": "N+1",
                                                                         "network": "N+1"}))]
    path = campus_path("1m")
    if path.exists():
        def emptied():
            design = read_design(path)
            design.equipment.delete(list(design.equipment.ids))
            return design
        cases.append(("1M campus, every hall emptied then filled", emptied))
    for label, make in cases:
        designs = [make() for _ in range(repeat if "campus" not in label else max(3, repeat // 3))]
        times, result = [], None
        for design in designs:
            t0 = time.perf_counter()
            result = plan_fill(design, catalog, FillRequest())
            times.append(time.perf_counter() - t0)
        rows.append({"label": label, "halls": len(designs[0].halls), "ultraservers": result.ultraservers,
                     "binding": result.binding, "problems": len(result.problems),
                     "s": statistics.median(times)})
    return rows


# ---------------------------------------------------------------- whole processes
def _env(tree: Path) -> dict[str, str]:
    # as installed: Python's bytecode cache on (pip compiles it at install time; a
    # PYTHONDONTWRITEBYTECODE environment would recompile every module on every run);
    # the tree first on the path (the working directory is too, for ``-m``)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def _command(kind: str, path: Path, tree: Path) -> tuple[list[str], Path, dict]:
    if kind == "floor":
        return [sys.executable, "-c", FLOOR, str(path)], ROOT, _env(ROOT)
    if kind == "phases":
        return [sys.executable, "-c", PHASES, str(path)], tree, _env(tree)
    return [sys.executable, "-m", "designer", "report", "--json", str(path)], tree, _env(tree)


def _run(cmd: tuple[list[str], Path, dict]) -> subprocess.CompletedProcess:
    args, cwd, env = cmd
    return subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def report_processes(paths: dict[str, Path], repeat: int, baseline: Path | None) -> list[dict]:
    """Per design: the floor and the report process (and the baseline's), run alternately."""
    trees = {"report": ROOT, **({"baseline": baseline} if baseline else {})}
    rows = []
    for label, path in paths.items():
        cmds = {"floor": _command("floor", path, ROOT), **{k: _command("report", path, t) for k, t in trees.items()}}
        first = {k: _run(c) for k, c in cmds.items()}  # writes the bytecode caches once
        doc = json.loads(first["report"].stdout)
        times: dict[str, list[float]] = {k: [] for k in cmds}
        order = list(cmds)
        for i in range(repeat):
            for k in order if i % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                _run(cmds[k])
                times[k].append(time.perf_counter() - t0)
        row = {"label": label, "chips": doc["chips"], "items": doc["equipment"],
               "violations": len(doc["violations"]), "MB": len(first["report"].stdout) / 1e6,
               **{k: statistics.median(v) * 1000.0 for k, v in times.items()}}
        if baseline:
            row["same_bytes"] = first["baseline"].stdout == first["report"].stdout
        rows.append(row)
    return rows


def phases(path: Path, tree: Path, repeat: int) -> dict[str, float]:
    """Medians of the report process's steps, in ms (one fresh process per run)."""
    runs = [json.loads(_run(_command("phases", path, tree)).stdout) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) * (1000.0 if k in PHASE_STEPS else 1.0) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sizes", nargs="*", default=list(SIZES))
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout whose report process runs beside this one's")
    ap.add_argument("--no-engine", action="store_true", help="only the report processes and their steps")
    ap.add_argument("--fill-only", action="store_true", help="only the fill benchmark (issue 15)")
    args = ap.parse_args()
    wanted = [campus_path(s) for s in args.sizes] + [draft_path(s) for s in args.sizes if s in DRAFT_SIZES]
    if not all(p.exists() for p in wanted):
        generate()
    baseline = args.baseline.resolve() if args.baseline else None
    before = machine_speed_s()

    if args.fill_only or not args.no_engine:
        print(f"{'fill':<44}{'halls':>6}{'UltraServers':>14}{'binding':>15}{'problems':>10}{'median s':>10}")
        for r in bench_fill(args.repeat):
            print(f"{r['label']:<44}{r['halls']:>6}{r['ultraservers']:>14,}{r['binding']:>15}{r['problems']:>10}"
                  f"{r['s']:>10.2f}")
        print()
        if args.fill_only:
            return
    if not args.no_engine:
        rows = [bench(s, args.repeat) for s in args.sizes]
        print(f"{'design':<8}{'chips':>11}{'items':>8}{'read ms':>9}{'full ms':>9}{'move ms':>9}{'full µs/rack':>14}")
        for r in rows:
            print(f"{r['label']:<8}{r['chips']:>11,}{r['items']:>8,}{r['read']:>9.1f}{r['full']:>9.1f}"
                  f"{r['move']:>9.2f}{r['us_per_rack']:>14.2f}")
        by = {r["label"]: r for r in rows}
        if "1m" in by and "10k" in by:
            print(f"full evaluation per rack, 1M vs 10k: {by['1m']['us_per_rack'] / by['10k']['us_per_rack']:.2f}x")
        print()

    paths = {f"campus-{s}": campus_path(s) for s in args.sizes if s != "1k"}
    paths.update({f"draft-{s}": draft_path(s) for s in args.sizes if s in DRAFT_SIZES})
    rows = report_processes(paths, args.repeat, baseline)
    head = f"{'report --json':<14}{'chips':>11}{'items':>8}{'violations':>11}{'MB':>6}{'floor ms':>10}{'report ms':>11}{'× floor':>9}"
    if baseline:
        head += f"{'baseline ms':>13}{'× floor':>9}{'speed-up':>10}  same bytes"
    print(head)
    for r in rows:
        line = (f"{r['label']:<14}{r['chips']:>11,}{r['items']:>8,}{r['violations']:>11,}{r['MB']:>6.1f}"
                f"{r['floor']:>10.0f}{r['report']:>11.0f}{r['report'] / r['floor']:>9.2f}")
        if baseline:
            line += (f"{r['baseline']:>13.0f}{r['baseline'] / r['floor']:>9.2f}{r['baseline'] / r['report']:>10.2f}"
                     f"  {'yes' if r['same_bytes'] else 'no'}")
        print(line)
    by = {r["label"]: r for r in rows}
    for kind in ("campus", "draft"):
        small, large = by.get(f"{kind}-10k"), by.get(f"{kind}-1m")
        if small and large:
            per = [(r["report"] - r["floor"]) / r["chips"] for r in (small, large)]
            print(f"{kind}: report above the floor per chip, 1M vs 10k: {per[1] / per[0]:.2f}x")
    print()

    trees = {"this tree": ROOT, **({"baseline": baseline} if baseline else {})}
    print(f"{'where the time goes (ms)':<30}" + "".join(f"{step:>18}" for step in PHASE_STEPS) + f"{'sum':>8}")
    for label in (f"campus-{args.sizes[-1]}", f"draft-{args.sizes[-1]}"):
        if label not in paths:
            continue
        for name, tree in trees.items():
            steps = phases(paths[label], tree, max(3, args.repeat // 2))
            print(f"{label + ', ' + name:<30}" + "".join(f"{steps[s]:>18.0f}" for s in PHASE_STEPS)
                  + f"{sum(steps[s] for s in PHASE_STEPS):>8.0f}")
    after = machine_speed_s()
    print(f"machine speed, sum(range(10**7)): {before:.3f} s before, {after:.3f} s after")


if __name__ == "__main__":
    main()
