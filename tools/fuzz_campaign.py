"""A long fuzzing campaign for the hostile-input readers (not part of the test suite).

    python tools/fuzz_campaign.py --reader 100000 --dxf 20000 [--seed 1] [--no-evaluate] [--verbose]

Each case feeds the design reader (mutated, truncated or garbled pilot designs, random
bytes and random JSON, hostile values: far coordinates, degenerate figures, lone
surrogates, huge numbers, deep nesting, bad version-2 fields) or the DXF importer (mutated
drawings of several kinds and units: structure, coordinates, flags, units, layers). A case
passes when the reader returns a design or raises its one-line error (DesignFileError /
DxfError). Every design the reader accepts then goes through what comes after it (issue
19): it is evaluated (no RuntimeWarning, every number of the report finite), saved with
``write_design`` and read back, and the saved file must read back to the same design
(the same bytes when saved again); a hall the DXF importer accepts is made into a design,
saved, reopened (to the same bytes), given its heat grid and evaluated. Anything else is
a crash, printed with the input
that caused it (saved under ``fuzz-crashes/``). Prints counts per outcome, the slowest
case and the peak memory.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import json
import math
import os
import random
import resource
import shutil
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


#: Values a version-2 field may be given: right, nearly right and wrong.
V2_VALUES = ["A", "B", "C", "a", "", None, 0, 2, True, "N", "N+1", "2N", "3N", "water", "pg25", "oil", "hall",
             "busway", "tx1", "ups1", "ups9", "generator-3000kw", "ups-1250kw", "transformer-2500kva",
             "switchboard-4000a", "busway-1200a", "trn3-gen2-rack", [], {}, 1.5, -1, 10**6]


def v2_edit(rng: random.Random, doc: dict) -> None:
    """One edit of a version-2 field: a feed, source or loop on any item, a power-chain
    node (its id, type or parent: unknown, a cycle, a duplicate), the site's generators,
    redundancy or coolant, a hall's power feed."""
    items = doc.get("equipment") if isinstance(doc.get("equipment"), list) else []
    if not isinstance(doc.get("power_chain"), list) or rng.random() < 0.1:
        doc["power_chain"] = [{"id": "tx1", "type": "transformer-2500kva", "parent": None},
                              {"id": "ups1", "type": "ups-1250kw", "parent": "tx1"}]
    chain = doc["power_chain"]
    r = rng.random()
    if r < 0.35 and items:
        item = rng.choice(items)
        if isinstance(item, dict):
            item[rng.choice(["feed", "source", "loop"])] = rng.choice(V2_VALUES)
    elif r < 0.6:
        if chain and isinstance(chain[-1], dict) and rng.random() < 0.7:
            node = rng.choice([n for n in chain if isinstance(n, dict)] or [{}])
            node[rng.choice(["id", "type", "parent", "note"])] = rng.choice(V2_VALUES)
        else:
            chain.append({"id": rng.choice(["ups2", "tx1", "ups1"]), "type": rng.choice(V2_VALUES),
                          "parent": rng.choice(["ups1", "ups2", "tx1", None, "nowhere"])})
    elif r < 0.85:
        site = doc.get("site")
        if isinstance(site, dict):
            key = rng.choice(["generators", "redundancy", "coolant"])
            if key == "generators":
                site[key] = {"type": rng.choice(V2_VALUES), "count": rng.choice([1, 2, 0, -1, 2.5, 10**4, 10**5,
                                                                                 "2", None])}
            elif key == "redundancy":
                site[key] = {rng.choice(["power", "cooling", "network", "fire"]): rng.choice(V2_VALUES)}
            else:
                site[key] = rng.choice(V2_VALUES)
    else:
        halls = doc.get("halls") if isinstance(doc.get("halls"), list) else []
        if halls and isinstance(halls[0], dict):
            halls[0]["power_feed"] = rng.choice(V2_VALUES)


def hostile_edit(rng: random.Random, doc: dict, keys: list[str]) -> None:
    """One targeted edit: an assumption override, a far or tiny coordinate, a closed-twice
    outline, an unstorable text, an unknown field holding any value, or a version-2 field."""
    r = rng.random()
    items = doc.get("equipment") if isinstance(doc.get("equipment"), list) else []
    halls = doc.get("halls") if isinstance(doc.get("halls"), list) else []
    if rng.random() < 0.25:
        v2_edit(rng, doc)
        return
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
    atexit.register(shutil.rmtree, folder, True)
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


#: Numbers a drawing may hold where a coordinate, flag or unit code is expected.
DXF_NUMBERS = ["nan", "inf", "-inf", "1e999", "-1e308", "1e308", "5e-324", "-5e-324", "1e-9", "0", "-0", "1e6",
               "-1e6", "99999.9999995", "100000.0000001", "-100000", "1e15", "9" * 40, "1.5.2", "0x10", "1,5",
               " 12 ", "-", "", "abc", "\x00", "3.4028235e38", "65536", "-1", "2147483648"]
#: Group codes whose next line is a number worth mangling (coordinates, bulge, flags, counts).
DXF_NUMERIC_CODES = {"10", "20", "30", "11", "21", "38", "39", "40", "41", "42", "43", "70", "90"}


def dxf_bases() -> list[str]:
    """Small architect's drawings of several kinds: LWPOLYLINE and POLYLINE, units of
    metres, millimetres, feet, inches and kilometres (and none), a closed-by-repeat
    outline, several outlines, a hall of 1 cm and one of 150 km."""
    import io

    import ezdxf

    def drawing(unit, outline, polyline=False, close=True, extra=()):
        doc = ezdxf.new("R2010")
        doc.units = unit
        msp = doc.modelspace()
        add = (lambda pts, **kw: msp.add_polyline2d(pts, **kw)) if polyline else \
            (lambda pts, **kw: msp.add_lwpolyline(pts, **kw))
        ent = add(outline, dxfattribs={"layer": "HALL"})
        if close:
            ent.close(True)
        x0, y0 = outline[0]
        s = max(abs(outline[2][0] - x0), 1e-9) / 20
        for layer, (a, b, c, d) in (("COLUMNS", (5, 5, 5.6, 5.6)), ("KEEPOUTS", (12, 2, 15, 4))):
            e = add([(x0 + a * s, y0 + b * s), (x0 + c * s, y0 + b * s), (x0 + c * s, y0 + d * s),
                     (x0 + a * s, y0 + d * s)], dxfattribs={"layer": layer})
            e.close(True)
        for pts in extra:
            add(pts, dxfattribs={"layer": "HALL"}).close(True)
        out = io.StringIO()
        doc.write(out)
        return out.getvalue()

    u = ezdxf.units
    rect = [(0, 0), (20, 0), (20, 10), (0, 10)]
    return [
        drawing(u.M, rect),
        drawing(u.MM, [(0, 0), (48000, 0), (48000, 30000), (0, 30000)]),
        drawing(u.FT, [(0, 0), (150, 0), (150, 90), (0, 90)], polyline=True),
        drawing(u.IN, [(0, 0), (800, 0), (800, 400), (0, 400)]),
        drawing(u.KM, [(0, 0), (150, 0), (150, 1), (0, 1)]),          # 150 km: beyond what a design holds
        drawing(0, [(0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01)]),    # 1 cm, no units
        drawing(u.M, rect + [(0, 0)], close=False),                  # closed by repeating the first point
        drawing(u.M, [(0, 0), (20, 0), (20, 0), (20, 10), (0, 10)]),  # a repeated corner
        drawing(u.M, [(99_990, 99_990), (99_999.9, 99_990), (99_999.9, 99_999.9), (99_990, 99_999.9)]),
        drawing(u.M, rect, extra=[[(30, 0), (40, 0), (40, 5), (30, 5)], [(0, 0), (1, 0), (1, 1), (0, 1)]]),
    ]


def mutate_dxf(rng: random.Random, lines: list[str]) -> list[str]:
    case = list(lines)
    numeric = [j for j in range(1, len(case)) if case[j - 1].strip() in DXF_NUMERIC_CODES]
    try:  # the drawing's entities (the polylines): most of the file is header and tables
        lo = case.index("ENTITIES")
        hi = case.index("ENDSEC", lo)
    except ValueError:
        lo = hi = 0
    in_entities = [j for j in numeric if lo < j < hi]
    for _ in range(rng.randint(1, 6)):
        if not case:
            break
        r = rng.random()
        if r < 0.35 and numeric:  # a coordinate, flag or count (mostly of the polylines)
            j = rng.choice(in_entities if in_entities and rng.random() < 0.7 else numeric)
            if j < len(case):
                case[j] = rng.choice(DXF_NUMBERS) if rng.random() < 0.6 else repr(rand_number(rng))
            continue
        if r < 0.42:  # the units
            for j in range(len(case) - 2):
                if case[j].strip() == "$INSUNITS":
                    case[j + 2] = rng.choice(["0", "1", "2", "4", "5", "6", "7", "14", "20", "21", "24", "-1",
                                              "99", "abc", "1e9"])
            continue
        if r < 0.47:  # a layer name
            layers = [j for j in range(1, len(case)) if case[j - 1].strip() == "8"]
            if layers:
                case[rng.choice(layers)] = rng.choice(["HALL", "hall", "HALL ", "\x00", "", "ＨＡＬＬ", "COLUMNS",
                                                       "KEEPOUTS", "0", "a" * 300])
            continue
        j = rng.randrange(len(case))
        pair = j - j % 2  # a (group code, value) pair: the structure around it stays readable
        if r < 0.6:
            case[j] = rng.choice(["nan", "1e999", "-1e308", "0", "EOF", "SECTION", "LWPOLYLINE", "POLYLINE", "VERTEX",
                                  "SEQEND", "70", "999999999999", "", "abc", "\x00"])
        elif r < 0.72:
            del case[pair:pair + 2]
        elif r < 0.84:
            src = rng.randrange(len(case)) // 2 * 2
            case[pair:pair] = case[src:src + 2]
        elif r < 0.9:
            del case[j]  # a lone line: everything after it is out of step
        elif r < 0.95:
            case.insert(j, case[rng.randrange(len(case))])
        else:
            case[j] = case[j][: rng.randrange(len(case[j]) + 1)]
    if rng.random() < 0.1:
        case = case[: rng.randrange(len(case) + 1)]
    return case


def after_import(geom, folder: Path) -> None:
    """What comes after the importer (File ▸ Import Hall from DXF): the geometry becomes a
    hall, which is evaluated with its heat grid, saved, and read back to the same bytes."""
    from designer.engine import evaluate
    from designer.engine.heat import MAX_CELLS, heat_grid
    from designer.model import Design, Hall

    hall = Hall("H1", "Hall 1", tuple(geom.outline), list(geom.columns), list(geom.keepouts))
    design = Design("dxf import")
    design.halls.append(hall)
    path = folder / "case.dcplan"
    write_design(design, path, keep_backup=False)
    first = path.read_bytes()
    again = read_design(path)  # a DesignFileError here: the import made a design that cannot be reopened
    if dumps_design(again).encode("utf-8") != first:
        raise AssertionError("the imported hall does not read back to the same design")
    import numpy as np

    grid = heat_grid(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0),
                     hall.bounds(), 0.3)
    if grid.grid.size > MAX_CELLS:
        raise AssertionError(f"the heat grid has {grid.grid.size:,} cells")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = evaluate(again).report()
    bad = non_finite(report)
    if bad:
        raise AssertionError(f"the report holds a number that is not finite: {bad}")


def run_dxf(n: int, rng: random.Random, crashes: Path, evaluate: bool = True) -> tuple[Counter, Counter]:
    """``n`` mutated drawings through :func:`import_dxf` (and :func:`after_import`).
    Returns the outcomes and the refusals by message (its kind, without names)."""
    import logging
    import re

    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)  # ezdxf logs every repair it makes
    bases = [b.splitlines() for b in dxf_bases()]
    tmpdir = Path(tempfile.mkdtemp(prefix="dxf-fuzz-"))
    atexit.register(shutil.rmtree, tmpdir, True)
    out: Counter = Counter()
    reasons: Counter = Counter()
    path = tmpdir / "case.dxf"
    for i in range(n):
        case = mutate_dxf(rng, rng.choice(bases)) if rng.random() < 0.97 else list(rng.choice(bases))
        path.write_text("\n".join(case), errors="replace")
        stage = "import"
        try:
            geom = import_dxf(path)
            out["read"] += 1
            if evaluate:
                stage = "after import"
                after_import(geom, tmpdir)
                out["hall evaluated, saved and reopened"] += 1
        except DxfError as exc:
            message = str(exc)
            if "\n" in message or not message:
                out["CRASH"] += 1
                out["CRASH: a message not of one line"] += 1
            else:
                out["refused with a message"] += 1
                reasons[re.sub(r"#[0-9A-F]+|'[^']*'|\([^)]*\)|-?\d[\d.e+-]*", "…", message.split(": ", 1)[-1])[:70]] += 1
        except Exception:
            out["CRASH"] += 1
            out[f"CRASH in {stage}"] += 1
            keep = crashes / f"dxf-{i}.dxf"
            keep.write_text("\n".join(case), errors="replace")
            print(f"crash on {keep}:\n{traceback.format_exc()}", file=sys.stderr)
    return out, reasons


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reader", type=int, default=100_000)
    ap.add_argument("--dxf", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-evaluate", action="store_true", help="only read (do not evaluate and save what is read)")
    ap.add_argument("--verbose", action="store_true", help="list the commonest refusals of the DXF importer")
    args = ap.parse_args()
    crashes = Path("fuzz-crashes")
    crashes.mkdir(exist_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    reader, slow = run_reader(args.reader, rng, crashes, evaluate=not args.no_evaluate)
    t1 = time.perf_counter()
    dxf, reasons = run_dxf(args.dxf, rng, crashes, evaluate=not args.no_evaluate)
    t2 = time.perf_counter()
    print(f"design reader: {args.reader:,} cases in {t1 - t0:,.0f} s: {dict(reader)}")
    print(f"  slowest case {slow['slowest_case']}: {slow['slowest_s']:.2f} s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"DXF importer:  {args.dxf:,} cases in {t2 - t1:,.0f} s: {dict(dxf)}")
    if args.verbose:
        for reason, count in reasons.most_common(15):
            print(f"  {count:>7,} × {reason}")
    crashed = reader["CRASH"] + dxf["CRASH"]
    print(f"total {args.reader + args.dxf:,} cases, {crashed} crash(es)")
    if not crashed:
        crashes.rmdir()
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
