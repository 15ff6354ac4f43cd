"""Figures of an engine report (``Evaluation.totals`` / ``report()``) as text, for the
Metrics tiles and the Totals panel."""

from __future__ import annotations

from typing import Callable

#: Shown where a figure is missing (no evaluation, or the report lacks it).
DASH = "—"


def figure(report: dict, *keys: str) -> float:
    """A number at a path of the report: ``figure(r, "power", "it_kw")``."""
    v = report
    for k in keys:
        v = v[k]
    return float(v)


def cable_count_and_metres(report: dict) -> tuple[int, float]:
    """Scale-out cables over all media: how many and how many metres."""
    by = report.get("cables", {}).get("by_medium", {})
    return (sum(int(m.get("count", 0)) for m in by.values()),
            sum(float(m.get("metres", 0.0)) for m in by.values()))


def text_of(fmt: Callable[[dict], str], report: dict) -> str:
    """``fmt(report)``, or :data:`DASH` when the report lacks what it reads."""
    try:
        return fmt(report)
    except (KeyError, TypeError, ValueError):
        return DASH
