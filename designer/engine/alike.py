"""Halls alike: a digest of everything a hall's evaluation depends on, ids and names aside.

A campus is often built of identical halls (the same room, the same rows, the same feeds
and loops). Their hall-local results are the same, read through each hall's own rows and
UltraServers, so the evaluator evaluates one of each kind (and tries its single failures
once); the others take its results. The digest is exact: any difference in shape,
limits, types, places, feeds, loops, UltraServer grouping or what is taken as failed
gives another digest.
"""

from __future__ import annotations

import numpy as np

try:   # hashlib's BLAKE2 itself, without hashlib's OpenSSL set-up (3 ms of a report process)
    from _blake2 import blake2b
except ImportError:  # (another Python)
    from hashlib import blake2b


def first_seen(codes: np.ndarray) -> np.ndarray:
    """The distinct values of ``codes`` in the order they first appear."""
    uniq, first = np.unique(codes, return_index=True)
    return uniq[np.argsort(first, kind="stable")]


def renumbered(codes: np.ndarray) -> np.ndarray:
    """``codes`` numbered by first appearance from 1 (0 stays 0: none)."""
    out = np.zeros(len(codes), np.int64)
    named = codes != 0
    if named.any():
        order = first_seen(codes[named])
        lookup = np.zeros(int(order.max()) + 1, np.int64)
        lookup[order] = np.arange(1, len(order) + 1)
        out[named] = lookup[codes[named]]
    return out


def hall_digest(design, hall, rows: np.ndarray, loops: np.ndarray, feeds: np.ndarray,
                failed: np.ndarray | None, extra: tuple = ()) -> bytes:
    """A digest of a hall's shape and limits and, per item in hall order, its type, place,
    UltraServer, feed and cooling loop (both numbered by first appearance) and whether it
    is taken as failed; ``extra`` arrays are added as they are. ``loops`` and ``feeds``
    are per design row (:func:`designer.engine.group.loop_rows`, ``feed_b_rows``)."""
    t = design.equipment
    h = blake2b(digest_size=20)
    h.update(repr((hall.outline, hall.columns, hall.keepouts, hall.floor_rating_kg_m2, hall.it_capacity_kw,
                   hall.tray_drop_m, hall.extra.get("power_feed"))).encode())
    systems = t.system_code[rows]
    for arr in (t.type_code[rows], t.x[rows], t.y[rows], t.rotation[rows], t.x2[rows], t.y2[rows],
                renumbered(systems + 1), feeds[rows], renumbered(loops[rows]),
                failed[rows] if failed is not None else np.zeros(0, bool), *extra):
        h.update(np.ascontiguousarray(arr).tobytes())
        h.update(b"|")
    return h.digest()
