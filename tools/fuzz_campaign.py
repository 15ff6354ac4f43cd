"""A long fuzzing campaign for the hostile-input readers (not part of the test suite).

    python tools/fuzz_campaign.py --reader 100000 --dxf 20000 [--seed 1] [--no-evaluate]

Each case feeds the design reader (mutated, truncated or garbled pilot designs, random
bytes and random JSON, hostile values: far coordinates, degenerate figures, lone
surrogates, huge numbers, deep nesting) or the DXF importer (mutated drawings). A case
passes when the reader returns a design or raises its one-line error (DesignFileError /
DxfError). Every design the reader accepts then goes through what comes after it (issue
19): it is evaluated (no RuntimeWarning, every number of the report finite), saved with
``write_design`` and read back, and the saved file must read back to the same design
(the same bytes when saved again). Anything else is a crash, printed with the input
that caused it (saved under ``fuzz-crashes/``). Prints counts per outcome, the slowest
case and the peak memory.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design
from designer.io.dxf import DxfError, import_dxf
from designer.paths import pilot_sample

SPECIALS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "null", "true", "\"\"", "[]", "{}", "-0", "0",
            "1e-320", "\"\\ud800\"", "\"x\"" * 3, "[[[[[[[[[[[[[[[[[[[[", "\u0000", "5e-324", "1e400",
            "99999", "-99999", "9007199254740993", "1" * 401, "\\udc80", "[" * 70 + "]" * 70]

#: Hostile values (issue 19): far away, degenerate, unstorable, too deep.
HOSTILE = [5e-324, -5e-324, 1e-300, 1e300, 1.7976931348623157e308, 99_999.0, -99_999.0, 20_000.0, 100_000.0,
           2**53 + 1, -(2**53) - 1, 10**400, 0.0, -0.0, 1e15, 1e16 + 2, "\ud800", "a\udc80b", "\ud83d\ude00"]


def nested(depth: int):
    v: object = 1
    for _ in range(depth):
        v = [v]
    return v


def rand_json(rng: random.Random, depth: int = 0):
    r = rng.random()
    if r < 0.08:
        return rng.choice(HOSTILE + [nested(rng.choice([63, 64, 65, 500]))])
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


def rand_number(rng: random.Random) -> float:
    """A number on any scale: tiny, ordinary, far or huge (of either sign)."""
    return rng.choice([rng.uniform(-2, 2), rng.uniform(0, 100), 10.0 ** rng.uniform(-330, 308),
                       -(10.0 ** rng.uniform(-330, 308)), rng.uniform(-1e5, 1e5), rng.choice(HOSTILE[:13])])


def hostile_edit(rng: random.Random, doc: dict, keys: list[str]) -> None:
    """One targeted edit: an assumption override, a far or tiny coordinate, a closed-twice
    outline, an unstorable text, or an unknown field holding any value."""
    r = rng.random()
    items = doc.get("equipment") if isinstance(doc.get("equipment"), list) else []
    halls = doc.get("halls") if isinstance(doc.get("halls"), list) else []
    if r < 0.3:
        key = rng.choice(keys)
        if not isinstance(doc.get("assumptions"), dict):
            doc["assumptions"] = {}
        doc["assumptions"][key] = rand_number(rng) if rng.random() < 0.9 else rand_json(rng)
    elif r < 0.55 and items:
        item = rng.choice(items)
        if isinstance(item, dict):
            field = rng.choice(["x", "y", "rotation", "start", "end"])
            item[field] = [rand_number(rng), rand_number(rng)] if field in ("start", "end") else rand_number(rng)
    elif r < 0.65 and halls and isinstance(halls[0], dict) and isinstance(halls[0].get("outline"), list):
        outline = halls[0]["outline"]
        if outline:
            outline.extend([outline[0]] * rng.randint(1, 3))
            if rng.random() < 0.3:
                outline.insert(rng.randrange(len(outline)), outline[rng.randrange(len(outline))])
    elif r < 0.8:
        where = rng.choice([doc, doc.get("site"), rng.choice(items) if items else None,
                            rng.choice(halls) if halls else None])
        if isinstance(where, dict):
            where[rng.choice(["note", "future", "\ud800", "tags"])] = rand_json(rng)
    else:
        target = rng.choice([("name",), ("site", "currency"), ("halls", 0, "name"), ("equipment", 0, "id"),
                             ("equipment", 1, "system")])
        parent = doc
        try:
            for k in target[:-1]:
                parent = parent[k]
            parent[target[-1]] = rng.choice(["\ud800", "x\udfff", "\ud83d\ude00", "é\u0000", "a\nb"])
        except (KeyError, IndexError, TypeError):
            pass


def reader_case(rng: random.Random, base_doc: dict, base_text: str, keys: list[str]):
    kind = rng.random()
    if kind < 0.3:
        doc = copy.deepcopy(base_doc)
        for _ in range(rng.randint(1, 3)):
            hostile_edit(rng, doc, keys)
        return json.dumps(doc, allow_nan=True)
    if kind < 0.6:
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
    if kind < 0.87:
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


def non_finite(value, place: str = "report") -> str | None:
    """The place of the first number of a report that is not finite, or None."""
    stack = [(place, value)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return f"{where} = {v}"
        if isinstance(v, dict):
            stack.extend((f"{where}.{k}", x) for k, x in v.items())
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{where}[{i}]", x) for i, x in enumerate(v))
    return None


def after_reading(design, folder: Path) -> None:
    """What comes after the reader: evaluate (finite, no RuntimeWarning), save, read back."""
    from designer.engine import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = evaluate(design).report()
    bad = non_finite(report)
    if bad:
        raise AssertionError(f"the report holds a number that is not finite: {bad}")
    path = folder / "case.dcplan"
    write_design(design, path, keep_backup=False)
    first = path.read_bytes()
    again = dumps_design(read_design(path)).encode("utf-8")
    if again != first:
        raise AssertionError("the saved file does not read back to the same design")


def run_reader(n: int, rng: random.Random, crashes: Path, evaluate: bool = True) -> tuple[Counter, dict]:
    from designer.catalog import load_catalog

    base_text = pilot_sample().read_text()
    base_doc = json.loads(base_text)
    keys = sorted(f.key for f in load_catalog().figures())
    out: Counter = Counter()
    slowest = (0.0, -1)
    folder = Path(tempfile.mkdtemp(prefix="reader-fuzz-"))
    for i in range(n):
        data = reader_case(rng, base_doc, base_text, keys)
        t0 = time.perf_counter()
        stage = "read"
        try:
            design = loads_design(data)
            out["read"] += 1
            if evaluate:
                stage = "evaluate/save"
                after_reading(design, folder)
                out["evaluated and saved"] += 1
        except DesignFileError as exc:
            assert "\n" not in str(exc)
            out["refused with a message"] += 1
        except Exception:
            out["CRASH"] += 1
            out[f"CRASH in {stage}"] += 1
            p = crashes / f"reader-{i}.bin"
            p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
            print(f"crash on {p}:\n{traceback.format_exc()}", file=sys.stderr)
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, i)
    return out, {"slowest_s": slowest[0], "slowest_case": slowest[1]}


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
    ap.add_argument("--no-evaluate", action="store_true", help="only read (do not evaluate and save what is read)")
    args = ap.parse_args()
    crashes = Path("fuzz-crashes")
    crashes.mkdir(exist_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    reader, slow = run_reader(args.reader, rng, crashes, evaluate=not args.no_evaluate)
    t1 = time.perf_counter()
    dxf = run_dxf(args.dxf, rng, crashes)
    t2 = time.perf_counter()
    print(f"design reader: {args.reader:,} cases in {t1 - t0:,.0f} s: {dict(reader)}")
    print(f"  slowest case {slow['slowest_case']}: {slow['slowest_s']:.2f} s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"DXF importer:  {args.dxf:,} cases in {t2 - t1:,.0f} s: {dict(dxf)}")
    crashed = reader["CRASH"] + dxf["CRASH"]
    print(f"total {args.reader + args.dxf:,} cases, {crashed} crash(es)")
    if not crashed:
        crashes.rmdir()
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
