"""The numpy grid index under the geometry checks: its pairs are exactly the overlapping
boxes (checked against a brute-force comparison), however the queries are batched."""

from __future__ import annotations

import numpy as np
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
