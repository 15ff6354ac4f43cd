"""Tuning knobs of the engine: how it gets to a result, never what the result is.

Passed to :class:`~designer.engine.evaluator.Evaluator` (tests compare the paths by
passing other options instead of patching module globals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineOptions:
    """How the engine computes; every combination gives the same evaluation, except
    another ``dense_pairs`` (see there)."""

    #: Designs with at least this many items are evaluated in two threads (numpy
    #: releases the GIL in its loops: about 1.5x faster on two cores at 1M chips).
    parallel_min_items: int = 10_000
    #: Halls with at most this many (item, unit) pairs skip the grid search and use the table.
    #: Unlike the other knobs this one is part of the allocation's definition: in a hall
    #: where a unit's capacity binds, the table and the widening search offer candidates
    #: in other orders, so another value can serve such a hall otherwise (the 10k-chip
    #: benchmark draft is). Tests and saved results assume 6,000.
    dense_pairs: int = 6_000
    #: Serve halls where no unit's capacity binds in one step (serve._serve_unconstrained).
    fast_path: bool = True
    #: Groups whose padded pair table (items × most units in a hall) is at most this big
    #: keep the table (and may take the one-step path); larger ones search a grid per pass.
    fast_cells: int = 100_000
    #: Run the passes over a pair table in the compiled kernel (engine/_allocate.c) when it
    #: is built: the same loops as the numpy passes, without numpy's cost per call.
    compiled: bool = True
    #: After a hall's one-step attempt found a unit that binds, skip it for this many calls.
    fast_retry_every: int = 8
    #: Evaluate (and try the single failures of) one hall of each kind and let the halls
    #: alike take its results (engine/alike.py).
    alike_halls: bool = True


DEFAULT_OPTIONS = EngineOptions()
