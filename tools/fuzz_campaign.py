"""A long fuzzing campaign for the hostile-input readers (not part of the test suite).

    python tools/fuzz_campaign.py --reader 100000 --dxf 20000 [--seed 1]

Each case feeds the design reader (mutated, truncated or garbled pilot designs, random
bytes and random JSON) or the DXF importer (mutated drawings). A case passes when the
reader returns a design or raises its one-line error (DesignFileError / DxfError);
anything else is a crash, printed with the input that caused it (saved under
``fuzz-crashes/``). Prints counts per outcome.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from designer.io import DesignFileError, loads_design
from designer.io.dxf import DxfError, import_dxf
from designer.paths import pilot_sample

SPECIALS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "null", "true", "\"\"", "[]", "{}", "-0", "0",
            "1e-320", "\"\\ud800\"", "\"x\"" * 3, "[[[[[[[[[[[[[[[[[[[[", "\u0000"]


def rand_json(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 3 or r < 0.35:
        return rng.choice([None, True, False, rng.randint(-10**9, 10**9), rng.uniform(-1e6, 1e6),
                           rng.choice(["", "x", "A", "trn3-gen2-rack", "modelled", "é" * 3, "1e3"]),
                           float("inf") if rng.random() < 0.05 else 0.5])
    if r < 0.7:
        return [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["id", "x", "y", "type", "hall", "outline", "version", "halls", "equipment", "k"]):
            rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def paths_of(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths_of(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths_of(v, prefix + (i,))


def reader_case(rng: random.Random, base_doc: dict, base_text: str):
    kind = rng.random()
    if kind < 0.55:
        doc = copy.deepcopy(base_doc)
        for _ in range(rng.randint(1, 4)):
            paths = [p for p in paths_of(doc) if p]
            where = rng.choice(paths)
            parent = doc
            for k in where[:-1]:
                parent = parent[k]
            if isinstance(parent, dict) and rng.random() < 0.2:
                del parent[where[-1]]
            else:
                parent[where[-1]] = rand_json(rng)
        return json.dumps(doc, allow_nan=True)
    if kind < 0.85:
        text = base_text[: rng.randrange(len(base_text) + 1)] if rng.random() < 0.5 else base_text
        for _ in range(rng.randint(1, 5)):
            if not text:
                break
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice(SPECIALS) + text[i + rng.randint(0, 3):]
        return text
    if kind < 0.95:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    return json.dumps(rand_json(rng), allow_nan=True)


def run_reader(n: int, rng: random.Random, crashes: Path) -> Counter:
    base_text = pilot_sample().read_text()
    base_doc = json.loads(base_text)
    out: Counter = Counter()
    for i in range(n):
        data = reader_case(rng, base_doc, base_text)
        try:
            loads_design(data)
            out["read"] += 1
        except DesignFileError as exc:
            assert "\n" not in str(exc)
            out["refused with a message"] += 1
        except Exception:
            out["CRASH"] += 1
            p = crashes / f"reader-{i}.bin"
            p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
            print(f"crash on {p}:\n{traceback.format_exc()}", file=sys.stderr)
    return out


def run_dxf(n: int, rng: random.Random, crashes: Path) -> Counter:
    import ezdxf

    doc = ezdxf.new()
    doc.units = ezdxf.units.M
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (20, 0), (20, 10), (0, 10)], close=True, dxfattribs={"layer": "HALL"})
    msp.add_lwpolyline([(5, 5), (5.6, 5), (5.6, 5.6), (5, 5.6)], close=True, dxfattribs={"layer": "COLUMNS"})
    msp.add_lwpolyline([(12, 2), (15, 2), (15, 4), (12, 4)], close=True, dxfattribs={"layer": "KEEPOUTS"})
    tmpdir = Path(tempfile.mkdtemp(prefix="dxf-fuzz-"))
    base = tmpdir / "base.dxf"
    doc.saveas(base)
    lines = base.read_text().splitlines()
    out: Counter = Counter()
    path = tmpdir / "case.dxf"
    for i in range(n):
        case = list(lines)
        for _ in range(rng.randint(1, 6)):
            j = rng.randrange(len(case))
            r = rng.random()
            if r < 0.35:
                case[j] = rng.choice(["nan", "1e999", "-1e308", "0", "EOF", "SECTION", "LWPOLYLINE", "70",
                                      "999999999999", "", "abc", "\x00"])
            elif r < 0.6:
                del case[j]
            elif r < 0.8:
                case.insert(j, case[rng.randrange(len(case))])
            else:
                case[j] = case[j][: rng.randrange(len(case[j]) + 1)]
        if rng.random() < 0.2:
            case = case[: rng.randrange(len(case))]
        path.write_text("\n".join(case), errors="replace")
        try:
            import_dxf(path)
            out["read"] += 1
        except DxfError as exc:
            assert "\n" not in str(exc)
            out["refused with a message"] += 1
        except Exception:
            out["CRASH"] += 1
            keep = crashes / f"dxf-{i}.dxf"
            keep.write_text("\n".join(case), errors="replace")
            print(f"crash on {keep}:\n{traceback.format_exc()}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reader", type=int, default=100_000)
    ap.add_argument("--dxf", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    crashes = Path("fuzz-crashes")
    crashes.mkdir(exist_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    reader = run_reader(args.reader, rng, crashes)
    t1 = time.perf_counter()
    dxf = run_dxf(args.dxf, rng, crashes)
    t2 = time.perf_counter()
    print(f"design reader: {args.reader:,} cases in {t1 - t0:,.0f} s: {dict(reader)}")
    print(f"DXF importer:  {args.dxf:,} cases in {t2 - t1:,.0f} s: {dict(dxf)}")
    crashed = reader["CRASH"] + dxf["CRASH"]
    print(f"total {args.reader + args.dxf:,} cases, {crashed} crash(es)")
    if not crashed:
        crashes.rmdir()
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
