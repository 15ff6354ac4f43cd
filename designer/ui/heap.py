"""The app's use of Python's cyclic garbage collector.

A 1M-chip campus holds a few million objects (the parsed design, its evaluation, Qt's
wrappers). With the default settings the collector ran about five times per drag step
and, now and then, walked all of them (a 15–50 ms pause: the slowest steps of a drag).
So the app (not the library: :func:`enable` is called by :func:`designer.ui.run_app`)

* collects young objects after 10,000 allocations instead of 700 (most die young, freed
  by reference counting, and each pass costs about as much however many it finds), and
* once a design is open and shown, collects once and *freezes* what survives
  (:func:`gc.freeze`): later passes leave the design's own objects alone. Opening another
  design thaws them first, so what the old one leaves in cycles is collected.
"""

from __future__ import annotations

import gc

#: Allocations between passes over the youngest generation (Python's default: 700).
YOUNG_THRESHOLD = 10_000
#: How long after a design is shown its objects are collected once and frozen (ms): after
#: the first paint, not in the way of opening it.
SETTLE_AFTER_MS = 400

_enabled = False


def enable() -> None:
    """Use the app's settings from now on (the app, ``benchmarks.ui_bench``)."""
    global _enabled
    _enabled = True
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def enabled() -> bool:
    return _enabled


def disable() -> None:
    """Back to Python's defaults, nothing frozen (tests that ran the app in-process)."""
    global _enabled
    if _enabled:
        _enabled = False
        gc.unfreeze()
        gc.set_threshold(700, *gc.get_threshold()[1:])


def thaw() -> None:
    """Before another design replaces the open one: let the collector see everything again."""
    if _enabled:
        gc.unfreeze()


def settle() -> None:
    """Collect once and freeze what survives (the open design and its window)."""
    if _enabled:
        gc.collect()
        gc.freeze()


def settle_soon(parent) -> None:
    """:func:`settle` once the event loop is idle a moment after opening a design."""
    if _enabled:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(SETTLE_AFTER_MS, parent, settle)
