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
    # Requests are ordered by (server, key to the millimetre, item). When the three fit in
    # 63 bits each candidate's (server, key) part is packed into an int64 once and a round
    # sorts one integer per request (a three-key lexsort is several times slower).
    key_mm = np.rint(cand_key * 1000.0)
    key_bits = max(1, int(key_mm.max(initial=0.0)).bit_length())
    item_bits = max(1, int(n_items).bit_length())
    packed = None
    if max(1, n_servers.bit_length()) + item_bits + key_bits <= 63:
        packed = (cand_server.astype(np.int64) << (key_bits + item_bits)) | (key_mm.astype(np.int64) << item_bits)
    counts = np.bincount(cand_item, minlength=n_items)  # candidates are sorted by item
    ends = np.cumsum(counts)
    starts = ends - counts
    ptr = starts.copy()
    waiting = np.flatnonzero((ends > starts) & (residual > 0))
    first = True
    while len(waiting):
        p = ptr[waiting]
        if packed is not None:
            order = np.argsort(packed[p] | waiting, kind="stable")
        else:
            order = np.lexsort((waiting, cand_key[p], cand_server[p]))
        items = waiting[order]
        srv = cand_server[p[order]]
        dem = residual[items]
        # the running total of each server's requests, in order (demands are positive,
        # so the total before each server's first request never decreases along the array)
        cum = np.cumsum(dem)
        head = np.empty(len(srv), bool)
        head[0] = True
        np.not_equal(srv[1:], srv[:-1], out=head[1:])
        cum -= np.maximum.accumulate(np.where(head, cum - dem, 0.0))
        room = remaining[srv]
        if partial:
            got = np.clip(room - (cum - dem), 0.0, dem)
        else:
            got = np.where(cum <= room + 1e-9, dem, 0.0)
        took = np.flatnonzero(got > 0)
        if len(took):
            t_item, t_srv, t_got = items[took], srv[took], got[took]
            g_item.append(t_item)
            g_server.append(t_srv)
            g_amount.append(t_got)
            remaining -= np.bincount(t_srv, t_got, minlength=len(remaining))
            left = residual[t_item] - t_got
            left[np.abs(left) < 1e-9] = 0.0
            residual[t_item] = left
        if first:  # demands below a nano-unit count as met; later only grants change residuals
            residual[np.abs(residual) < 1e-9] = 0.0
            first = False
        still = items[residual[items] > 0]
        # first fit: an item that did not fit behind the others but fits in what its
        # server has left asks the same server again; the rest move on
        if not partial and len(took):
            retry = residual[still] <= remaining[cand_server[ptr[still]]] + 1e-9
            ptr[still[~retry]] += 1
        else:
            ptr[still] += 1
        waiting = still[ptr[still] < ends[still]]
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
