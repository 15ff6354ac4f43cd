"""What the views derive from an evaluation, kept beside it in the UI (never in the
engine's Evaluation): one dict per evaluation, gone with it."""

from __future__ import annotations

import weakref

from designer.engine import Evaluation

_CACHES: "weakref.WeakKeyDictionary[Evaluation, dict]" = weakref.WeakKeyDictionary()


def derived(evaluation: Evaluation) -> dict:
    """The views' cache for ``evaluation`` (e.g. status classes, cable runs by hall)."""
    cache = _CACHES.get(evaluation)
    if cache is None:
        cache = _CACHES[evaluation] = {}
    return cache
