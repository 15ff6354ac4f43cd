"""The numpy grid index under the geometry checks: its pairs are exactly the overlapping
boxes (checked against a brute-force comparison), however the queries are batched."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine import boxes as bx


def _random_boxes(rng, n, halls, span, size):
    lo = rng.uniform(0, span, (n, 2))
    wh = rng.uniform(0.05, size, (n, 2))
    return np.column_stack([lo, lo + wh]), rng.integers(0, halls, n)


def _brute(q, qk, b, bk, strict=True):
    pairs = set()
    for i in range(len(q)):
        for j in range(len(b)):
            if qk[i] != bk[j]:
                continue
            if strict:
                hit = q[i, 0] < b[j, 2] and b[j, 0] < q[i, 2] and q[i, 1] < b[j, 3] and b[j, 1] < q[i, 3]
            else:
                hit = q[i, 0] <= b[j, 2] and b[j, 0] <= q[i, 2] and q[i, 1] <= b[j, 3] and b[j, 1] <= q[i, 3]
            if hit:
                pairs.add((i, j))
    return pairs


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), halls=st.integers(1, 3), sets=st.integers(1, 4))
def test_batched_queries_find_exactly_the_overlapping_boxes(seed, halls, sets):
    rng = np.random.default_rng(seed)
    b, bk = _random_boxes(rng, 60, halls, 12.0, 2.0)
    index = bx.BoxIndex(b, bk)
    queries = [_random_boxes(rng, int(rng.integers(0, 30)), halls, 12.0, float(rng.choice([0.5, 1.0, 4.0])))
               for _ in range(sets)]
    batched = index.query_many(queries)
    assert len(batched) == sets
    for (q, qk), (i, j) in zip(queries, batched):
        single = index.query(q, qk)
        assert np.array_equal(i, single[0]) and np.array_equal(j, single[1])  # same pairs, same order
        assert len(set(zip(i.tolist(), j.tolist()))) == len(i)                 # each pair once
        assert set(zip(i.tolist(), j.tolist())) == _brute(q, qk, b, bk)


# ------------------------------------------------------------------ far away (issue 19, class 1)
def _far_boxes(rng, n, halls):
    """Rack-sized boxes, a few of them kilometres away or kilometres long (a busway
    ending 99,999 m away): the extent of the drawing is anything up to ±100 km."""
    b, k = _random_boxes(rng, n, halls, 12.0, 2.0)
    far = rng.random(n) < 0.2
    shift = rng.uniform(-1e5, 1e5, (int(far.sum()), 2))
    b[far] += np.hstack([shift, shift])
    huge = rng.random(n) < 0.1
    b[huge, 2:] = b[huge, :2] + rng.uniform(0, 2e5, (int(huge.sum()), 2))
    return b, k


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), halls=st.integers(1, 3), strict=st.booleans())
def test_far_and_huge_boxes_pair_exactly_within_bounded_cells(seed, halls, strict):
    """The broad phase is bounded by the number of boxes, not by the drawing's extent:
    its cell entries stay within 8 per box (+ a fixed allowance), and the pairs are still
    exactly the overlapping boxes, each once, ordered by query box."""
    rng = np.random.default_rng(seed)
    b, bk = _far_boxes(rng, 80, halls)
    q, qk = _far_boxes(rng, 40, halls)
    index = bx.BoxIndex(b, bk)
    assert len(index.idx) <= bx._ENTRIES_PER_BOX * len(b) + bx._ENTRIES_FREE
    assert index.ncells <= 8 * len(index.idx) + 4_000_000
    qi, gx, gy, brute = index._query_cells(q, np.asarray(qk, np.int64))
    assert len(qi) <= bx._ENTRIES_PER_BOX * (len(q) + len(b)) + bx._ENTRIES_FREE
    i, j = index.query(q, qk, strict=strict)
    assert (np.diff(i) >= 0).all()
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i)
    assert set(zip(i.tolist(), j.tolist())) == _brute(q, qk, b, bk, strict)
    (bi, bj), = index.query_many([(q, qk)], strict=strict)
    assert np.array_equal(bi, i) and np.array_equal(bj, j)


def test_a_busway_ending_100_km_away_costs_what_its_items_cost():
    """The pilot's failure: one busway's bounding box 100 km across against a hall of
    racks asked for 51.7 GiB; now it is paired with the racks under it in a few MB."""
    import tracemalloc

    rng = np.random.default_rng(3)
    racks, keys = _random_boxes(rng, 2_000, 1, 60.0, 1.2)
    busway = np.array([[8.95, 3.3, 99_999.0, 99_999.0], [1.0, 5.6, 40.0, 5.6]])
    tracemalloc.start()
    index = bx.BoxIndex(racks, keys)
    i, j = index.query(busway, np.zeros(2, np.int64), strict=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20
    assert set(zip(i.tolist(), j.tolist())) == _brute(busway, np.zeros(2), racks, keys, strict=False)
    # and as an index: far boxes among the racks
    both = np.concatenate([racks, busway])
    index = bx.BoxIndex(both, np.zeros(len(both), np.int64))
    i, j = index.query(racks[:50], keys[:50])
    assert set(zip(i.tolist(), j.tolist())) == _brute(racks[:50], keys[:50], both, np.zeros(len(both)))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), r=st.sampled_from([0.5, 1.0, 30.0]))
def test_points_kilometres_apart_find_their_3x3_cells(seed, r):
    """A point index over a sparse extent (racks in two places 100 km apart) numbers only
    its occupied cells and answers exactly the points of the 3 × 3 cells around each query."""
    rng = np.random.default_rng(seed)
    n = 300
    x = rng.uniform(0, 20, n)
    y = rng.uniform(0, 20, n)
    far = rng.random(n) < 0.3
    x[far] += 99_000.0
    y[far] -= 99_000.0
    key = rng.integers(0, 2, n)
    index = bx.PointIndex(x, y, key, r)
    assert index.ncells <= len(index.idx) + 8 * len(index.idx) + 4_000_000
    qx, qy, qk = x[:60] + rng.uniform(-r, r, 60), y[:60] + rng.uniform(-r, r, 60), key[:60]
    i, j = index.near(qx, qy, qk)
    cell = index.cell
    gi = np.floor(np.stack([qx, qy], 1) / cell)
    gj = np.floor(np.stack([x, y], 1) / cell)
    want = {(a, b) for a in range(60) for b in range(n)
            if qk[a] == key[b] and np.abs(gi[a] - gj[b]).max() <= 1}
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i)
    assert set(zip(i.tolist(), j.tolist())) == want


def test_many_large_boxes_make_the_cells_coarser():
    """Ten thousand 20 m boxes (the largest figure a catalog allows) would cover 3 million
    cells of 1.2 m: the grid grows its cells instead, and still finds exactly the pairs."""
    rng = np.random.default_rng(5)
    b, k = _random_boxes(rng, 10_000, 2, 2_000.0, 20.0)
    b[:, 2:] = b[:, :2] + 20.0
    index = bx.BoxIndex(b, k)
    assert index.cell > bx.CELL_M and not len(index.large)
    assert len(index.idx) <= bx._ENTRIES_PER_BOX * len(b) + bx._ENTRIES_FREE
    q, qk = b[:300], k[:300]
    i, j = index.query(q, qk)
    want_i, want_j = bx.overlapping(q, qk, b, k)
    assert set(zip(i.tolist(), j.tolist())) == set(zip(want_i.tolist(), want_j.tolist()))


@pytest.mark.parametrize("span", [1_500.0, 30_000.0])
def test_a_wide_or_sparse_extent_pairs_exactly(span):
    """Boxes spread over 1.5 km (cells grown up to twice) or 30 km (only occupied cells
    numbered) pair exactly as a brute-force comparison does."""
    rng = np.random.default_rng(int(span))
    b, k = _random_boxes(rng, 400, 2, span, 3.0)
    b = np.concatenate([b, b[:200] + 0.5])   # overlapping neighbours, so there are pairs
    k = np.concatenate([k, k[:200]])
    index = bx.BoxIndex(b, k)
    assert index.sparse == (span > 10_000) and (index.cell > bx.CELL_M) == (span < 10_000)
    assert index.ncells <= 8 * len(index.idx) + 1_000_000
    i, j = index.query(b, k)
    assert len(i) > len(b)
    want_i, want_j = bx.overlapping(b, k, b, k)
    assert set(zip(i.tolist(), j.tolist())) == set(zip(want_i.tolist(), want_j.tolist()))
