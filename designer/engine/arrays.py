"""Small array helpers the engine shares."""

from __future__ import annotations

import numpy as np


def unique(values) -> np.ndarray:
    """The sorted distinct values of a 1-D array of integers (or floats without NaN):
    ``np.unique(values)``, without the masked-array check numpy 2 makes first, whose
    first use imports ``numpy.ma`` (about 15 ms of a ``designer report`` process)."""
    a = np.sort(np.asarray(values).ravel())
    if len(a) < 2:
        return a
    keep = np.empty(len(a), bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def run_starts(keys: np.ndarray, end: bool = False) -> np.ndarray:
    """Where each run of equal values of a sorted (or grouped) 1-D array starts, and with
    ``end`` its length too: ``np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])`` without
    ``np.r_``'s index machinery (about 10 µs a call, on an edit's path many times)."""
    n = len(keys)
    new = np.empty(n + 1 if end else n, bool)
    if n:
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:n])
    if end:
        new[n] = True
    return np.flatnonzero(new)
