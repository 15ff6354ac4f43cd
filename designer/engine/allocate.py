"""Deterministic, capacity-aware assignment of consumers to servers, in vectorised rounds.

Used for racks → busways (power), racks → CDUs / air handlers (cooling) and
UltraServer links → network racks (ports). Each consumer lists its candidate servers
in order of preference (nearest first, or file order). In each round every consumer
still waiting asks its current candidate; each server serves the waiting consumers in
priority order (its ``key``: distance, then file order) while capacity lasts; a
consumer that did not fit but would fit in what is left asks again (first fit), the
others move on to their next candidate. No Python loop runs per consumer.
"""

from __future__ import annotations

import numpy as np


def _group_cumsum(groups_sorted: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each new value of ``groups_sorted``."""
    cum = np.cumsum(values)
    if len(values) == 0:
        return cum
    start = np.ones(len(values), bool)
    start[1:] = groups_sorted[1:] != groups_sorted[:-1]
    idx = np.flatnonzero(start)
    offsets = np.zeros(len(values))
    before = cum[idx] - values[idx]
    offsets[idx] = before
    np.maximum.accumulate(np.where(start, np.arange(len(values)), 0), out=(seg := np.empty(len(values), np.int64)))
    return cum - offsets[seg]


def _priority(srv: np.ndarray, key: np.ndarray, item: np.ndarray, n_servers: int, n_items: int,
              key_bits: int) -> np.ndarray:
    """Order of requests by (server, key to the millimetre, item): one int64 sort when the
    three fit in 63 bits (a three-key lexsort is several times slower)."""
    bs = max(1, n_servers.bit_length())
    bi = max(1, int(n_items).bit_length())
    if bs + bi + key_bits > 63:
        return np.lexsort((item, key, srv))
    k = np.rint(key * 1000.0).astype(np.int64)
    return np.argsort((srv.astype(np.int64) << (key_bits + bi)) | (k << bi) | item.astype(np.int64), kind="stable")


def assign(n_items: int, cand_item: np.ndarray, cand_server: np.ndarray, cand_key: np.ndarray,
           demand: np.ndarray, capacity: np.ndarray, partial: bool = False):
    """Serve ``demand[item]`` from ``capacity[server]``.

    Candidates must be sorted by item, then preference. Returns ``(served, residual,
    grants)``: the demand served per item, what is left unserved, and the grants as
    arrays ``(item, server, amount)``. With ``partial`` a consumer may be split over
    several servers (links over network racks); otherwise it is served whole or not.
    """
    demand = np.asarray(demand, float)
    remaining = np.asarray(capacity, float).copy()
    residual = demand.copy()
    g_item: list[np.ndarray] = []
    g_server: list[np.ndarray] = []
    g_amount: list[np.ndarray] = []
    if len(cand_item) == 0:
        return demand - residual, residual, (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    n_servers = int(cand_server.max()) + 1
    key_bits = max(1, int(np.rint(float(np.max(cand_key, initial=0.0)) * 1000.0)).bit_length())
    counts = np.bincount(cand_item, minlength=n_items)  # candidates are sorted by item
    ends = np.cumsum(counts)
    starts = ends - counts
    ptr = starts.copy()
    waiting = np.flatnonzero((ends > starts) & (residual > 0))
    while len(waiting):
        srv = cand_server[ptr[waiting]]
        key = cand_key[ptr[waiting]]
        order = _priority(srv, key, waiting, n_servers, n_items, key_bits)
        items = waiting[order]
        srv = srv[order]
        dem = residual[items]
        cum = _group_cumsum(srv, dem)
        room = remaining[srv]
        if partial:
            got = np.clip(room - (cum - dem), 0.0, dem)
        else:
            got = np.where(cum <= room + 1e-9, dem, 0.0)
        took = got > 0
        if took.any():
            g_item.append(items[took])
            g_server.append(srv[took])
            g_amount.append(got[took])
            remaining -= np.bincount(srv[took], got[took], minlength=len(remaining))
            residual[items[took]] -= got[took]
        residual[np.abs(residual) < 1e-9] = 0.0
        still = items[residual[items] > 0]
        # first fit: an item that did not fit behind the others but fits in what its
        # server has left asks the same server again; the rest move on
        srv_of = cand_server[ptr[still]]
        retry = residual[still] <= remaining[srv_of] + 1e-9
        if not partial and took.any():
            ptr[still[~retry]] += 1
        else:
            ptr[still] += 1
        waiting = np.sort(still[ptr[still] < ends[still]])
    if g_item:
        grants = (np.concatenate(g_item), np.concatenate(g_server), np.concatenate(g_amount))
    else:
        grants = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    return demand - residual, residual, grants


def candidates_within(dist: np.ndarray, reach: np.ndarray):
    """Candidate pairs from a dense (items × servers) distance matrix, nearest first."""
    ok = dist <= reach[None, :]
    item, server = np.nonzero(ok)
    key = dist[item, server]
    order = np.lexsort((server, key, item))
    return item[order], server[order], key[order]
