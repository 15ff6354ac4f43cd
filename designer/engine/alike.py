"""Halls alike: a digest of everything a hall's evaluation depends on, ids and names aside.

A campus is often built of identical halls (the same room, the same rows, the same feeds
and loops). Their hall-local results are the same, read through each hall's own rows and
UltraServers, so the evaluator evaluates one of each kind (and tries its single failures
once); the others take its results. The digest is exact: any difference in shape,
limits, types, places, feeds, loops, UltraServer grouping or what is taken as failed
gives another digest.
"""

from __future__ import annotations

import pickle

import numpy as np

try:   # hashlib's BLAKE2 itself, without hashlib's OpenSSL set-up (3 ms of a report process)
    from _blake2 import blake2b
except ImportError:  # (another Python)
    from hashlib import blake2b


def first_seen(codes: np.ndarray) -> np.ndarray:
    """The distinct values of ``codes`` in the order they first appear."""
    uniq, first = np.unique(codes, return_index=True)
    return uniq[np.argsort(first, kind="stable")]


def renumbered(codes: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """``codes`` numbered by first appearance from 1 (0 stays 0: none); with ``group``
    (per code, e.g. its hall), numbered within each group on its own."""
    out = np.zeros(len(codes), np.int64)
    at = np.flatnonzero(codes != 0)
    if not len(at):
        return out
    span = int(codes[at].max()) + 1
    key = codes[at].astype(np.int64) if group is None else group[at].astype(np.int64) * span + codes[at]
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    # each distinct code's rank within its group by first appearance
    of = uniq // span
    order = np.lexsort((first, of))
    rank = np.empty(len(uniq), np.int64)
    rank[order] = np.arange(len(uniq)) - np.searchsorted(of[order], of[order], side="left") + 1
    out[at] = rank[inverse.ravel()]
    return out


#: What a hall's digest holds per item, in hall order (:func:`hall_digest`).
_ITEM = np.dtype([("type", "<i8"), ("x", "<f8"), ("y", "<f8"), ("rotation", "<f8"), ("x2", "<f8"),
                  ("y2", "<f8"), ("system", "<i8"), ("feed", "?"), ("loop", "<i8"), ("failed", "?")])


def _items(design, rows: np.ndarray, group: np.ndarray | None, loops: np.ndarray, feeds: np.ndarray,
           failed: np.ndarray | None) -> np.ndarray:
    """Per item of ``rows``: its type, place, UltraServer and cooling loop (numbered by
    first appearance within its ``group``), feed and whether it is taken as failed."""
    t = design.equipment
    out = np.empty(len(rows), _ITEM)
    for name, column in (("type", t.type_code), ("x", t.x), ("y", t.y), ("rotation", t.rotation), ("x2", t.x2),
                         ("y2", t.y2), ("feed", feeds)):
        out[name] = column[rows]
    out["system"] = renumbered(t.system_code[rows] + 1, group)
    out["loop"] = renumbered(loops[rows], group)
    out["failed"] = failed[rows] if failed is not None else False
    return out


def _hall_key(hall) -> bytes:
    """The hall's shape and limits as bytes: pickled (ten times faster than their text),
    which is exact for the lists, numbers and text they are; two equal halls built apart
    give the same bytes (a hall sharing a list within itself would only miss a match)."""
    return pickle.dumps((hall.outline, hall.columns, hall.keepouts, hall.floor_rating_kg_m2, hall.it_capacity_kw,
                         hall.tray_drop_m, hall.extra.get("power_feed")), 5)


def hall_digest(design, hall, rows: np.ndarray, loops: np.ndarray, feeds: np.ndarray,
                failed: np.ndarray | None, extra: tuple = ()) -> bytes:
    """A digest of a hall's shape and limits and, per item in hall order, its type, place,
    UltraServer, feed and cooling loop (both numbered by first appearance) and whether it
    is taken as failed; ``extra`` arrays are added as they are. ``loops`` and ``feeds``
    are per design row (:func:`designer.engine.group.loop_rows`, ``feed_b_rows``)."""
    h = blake2b(_hall_key(hall), digest_size=20)
    h.update(_items(design, rows, None, loops, feeds, failed).tobytes())
    for arr in extra:
        h.update(b"|")
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.digest()


def hall_digests(design, halls: list, rows: list[np.ndarray], loops: np.ndarray, feeds: np.ndarray,
                 failed: np.ndarray | None) -> list[bytes]:
    """:func:`hall_digest` of each hall (its ``rows``), the items of all at once."""
    sizes = [len(r) for r in rows]
    items = _items(design, np.concatenate(rows) if rows else np.zeros(0, np.int64),
                   np.repeat(np.arange(len(rows)), sizes), loops, feeds, failed)
    out, lo = [], 0
    for hall, n in zip(halls, sizes):
        h = blake2b(_hall_key(hall), digest_size=20)
        h.update(items[lo:lo + n].tobytes())
        out.append(h.digest())
        lo += n
    return out
