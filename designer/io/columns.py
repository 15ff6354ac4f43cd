"""Checking a design file's equipment a column at a time (the reader's fast path).

A 1M-chip campus has tens of thousands of ordinary entries: racks and units with an id,
a type, a hall, a place and (compute) an UltraServer, and busways between two points.
These are checked here a field at a time over all entries, with C-level loops where the
column allows (``map`` over the entries, ``numpy.fromiter``); :mod:`designer.io.dcplan`
reads the flagged ones as columns and sends every other entry through its one-by-one
check, which names the place of the first fault.
"""

from __future__ import annotations

import operator
from itertools import repeat
from typing import Any

import numpy as np

from designer.catalog.specs import FLOOR_KINDS


def plain_number(v: Any, bound: float) -> bool:
    """An int or float (not a bool) within ±bound (NaN compares false)."""
    return (type(v) is float or type(v) is int) and -bound <= v <= bound


#: The keys of an ordinary (non-busway) item.
PLAIN_KEYS = frozenset(("id", "type", "hall", "x", "y", "rotation", "system"))


def texts_ok(values: list) -> np.ndarray:
    """Per value: text of 1 to 10,000 characters, not only white space (as ``_V.text``);
    a column of text is checked with C-level loops."""
    n = len(values)
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:   # (None: a field not given, e.g. a unit's system)
        if type(None) in kinds:
            given = np.fromiter(map(str.__instancecheck__, values), bool, n)
            out = np.zeros(n, bool)
            out[given] = texts_ok([v for v in values if v is not None])
            return out
        lengths = np.fromiter(map(len, values), np.int64, n)
        return (lengths > 0) & (lengths <= 10_000) & ~np.fromiter(map(str.isspace, values), bool, n)
    return np.fromiter((type(v) is str and 0 < len(v) <= 10_000 and not v.isspace() for v in values), bool, n)


def members(values: list, allowed: set) -> np.ndarray:
    """Per value: text that is one of ``allowed``."""
    if set(map(type, values)) <= {str}:
        return np.fromiter(map(allowed.__contains__, values), bool, len(values))
    return np.fromiter((type(v) is str and v in allowed for v in values), bool, len(values))


def numbers(values: list, bound: float) -> tuple[np.ndarray, np.ndarray]:
    """Per value: whether it is a plain number within ±bound (:func:`_plain_number`), and
    the values as floats (0 where not)."""
    n = len(values)
    if set(map(type, values)) <= {int, float}:
        try:
            arr = np.fromiter(values, float, n)
        except OverflowError:  # an integer with hundreds of digits: one at a time
            pass
        else:
            ok = np.abs(arr) <= bound     # (NaN and infinities compare false)
            return ok, np.where(ok, arr, 0.0)
    ok = np.fromiter((plain_number(v, bound) for v in values), bool, n)
    return ok, np.array([float(v) if k else 0.0 for v, k in zip(values, ok.tolist())])


def plain_flags(items: list, types: dict, halls: set[str], coord_bound: float) -> tuple[np.ndarray, dict]:
    """Per entry: an ordinary rack or unit (every field present, of its type and in
    range, no extra keys), checked in bulk, a field at a time; the rest is left to
    ``dcplan._read_item``. The fast path of a large file: no place names are built unless
    something is wrong (the id's uniqueness is checked in file order by the caller).
    Also returns the entries' fields as columns (``rows``, ``id``, ``type``, ``hall``,
    ``system``, ``x``, ``y``, ``rotation``; valid where flagged)."""
    n = len(items)
    if set(map(type, items)) <= {dict}:
        ok = np.fromiter(map(PLAIN_KEYS.issuperset, items), bool, n)
    else:
        ok = np.fromiter((type(o) is dict and o.keys() <= PLAIN_KEYS for o in items), bool, n)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return ok, {}
    objs = items if len(rows) == n else [items[r] for r in rows.tolist()]
    m = len(objs)

    def column(key: str, default=None) -> list:
        return list(map(dict.get, objs, repeat(key), repeat(default)))

    cols = {"rows": rows, "id": column("id"), "type": column("type"), "hall": column("hall"),
            "system": column("system")}
    floor = {t for t, spec in types.items() if spec.kind in FLOOR_KINDS}
    compute = {t for t in floor if types[t].is_compute}
    good = texts_ok(cols["id"]) & members(cols["type"], floor) & members(cols["hall"], halls)
    for key, bound, default in (("x", coord_bound, None), ("y", coord_bound, None), ("rotation", 360, 0)):
        fine, cols[key] = numbers(column(key, default), bound)
        good &= fine
    is_compute = members(cols["type"], compute)
    has_system = np.fromiter(map(dict.__contains__, objs, repeat("system")), bool, m)
    good &= np.where(is_compute, texts_ok(cols["system"]), ~has_system)
    ok[rows] = good
    return ok, cols


#: The keys of an ordinary busway.
BUSWAY_KEYS = frozenset(("id", "type", "hall", "start", "end", "feed", "source"))


def plain_point(p: Any, bound: float) -> bool:
    """A list of two plain numbers within ±bound."""
    return type(p) is list and len(p) == 2 and plain_number(p[0], bound) and plain_number(p[1], bound)


def points_ok(values: list, bound: float) -> np.ndarray:
    """Per value: a list of two plain numbers within ±bound (:func:`plain_point`); a column
    of such lists is checked with C-level loops."""
    n = len(values)
    if set(map(type, values)) <= {list} and set(map(len, values)) <= {2}:
        return (numbers([p[0] for p in values], bound)[0] & numbers([p[1] for p in values], bound)[0])
    return np.fromiter(map(plain_point, values, repeat(bound)), bool, n)


def plain_busways(items: list, rows: np.ndarray, types: dict, halls: set[str], nodes: set[str],
                  feeds: tuple[str, ...], coord_bound: float) -> tuple[np.ndarray, dict[int, dict]]:
    """Of the entries ``rows``: the ordinary busways (id, type, hall, two different
    points in range, a known feed and source, no other keys), checked a field at a time
    like :func:`plain_flags`, and, per such row, its ``feed``/``source`` fields as
    ``dcplan._read_item`` keeps them (file order). The rest is left to ``dcplan._read_item``."""
    busway = {t for t, spec in types.items() if spec.kind == "busway"}
    rows = np.asarray(rows, np.int64)
    objs = [items[r] for r in rows.tolist()]
    if set(map(type, objs)) <= {dict}:
        shaped = np.fromiter(map(BUSWAY_KEYS.issuperset, objs), bool, len(objs))
    else:
        shaped = np.fromiter((type(o) is dict and o.keys() <= BUSWAY_KEYS for o in objs), bool, len(objs))
    at = np.flatnonzero(shaped)
    if not len(at):
        return np.zeros(0, np.int64), {}
    objs = [objs[k] for k in at.tolist()]

    def column(key: str, default=None) -> list:
        return list(map(dict.get, objs, repeat(key), repeat(default)))

    starts, ends = column("start"), column("end")
    good = (texts_ok(column("id")) & members(column("type"), busway) & members(column("hall"), halls)
            & points_ok(starts, coord_bound) & points_ok(ends, coord_bound)
            & np.fromiter(map(operator.ne, starts, ends), bool, len(objs))
            & members(column("feed", feeds[0]), set(feeds)))
    has_source = np.fromiter(map(dict.__contains__, objs, repeat("source")), bool, len(objs))
    if has_source.any():
        good &= ~has_source | members(column("source"), nodes)
    found = rows[at[good]]
    extra = {int(r): {k: v for k, v in o.items() if k == "feed" or k == "source"}
             for r, o, ok in zip(rows[at].tolist(), objs, good.tolist()) if ok and len(o) > 5}
    return found, extra
