"""The result of evaluating a design: totals, per-item arrays and violations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Violation kinds (stable names) and their severity — PRODUCT.md §3.
SEVERITY = {
    "outside-hall": "error",
    "obstruction": "error",
    "overlap": "error",
    "clearance": "error",
    "airflow": "warning",
    "floor-load": "error",
    "power-capacity": "error",
    "unpowered": "error",
    "cooling-capacity": "error",
    "scaleup-reach": "error",
    "cable-reach": "error",
    "network-ports": "error",
    "incomplete-system": "warning",
}

STATUS_OK, STATUS_WARNING, STATUS_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Violation:
    """A broken rule: kind, severity, the ids involved, a planner's message, a location."""

    kind: str
    ids: tuple[str, ...]
    message: str
    hall: str = ""
    x: float = 0.0
    y: float = 0.0

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "ids": list(self.ids),
                "message": self.message, "hall": self.hall,
                "location": [round(self.x, 3), round(self.y, 3)]}


@dataclass
class Links:
    """Scale-out cable runs: ``count`` links of one medium between a rack and a network rack."""

    rack: np.ndarray        # equipment rows
    network: np.ndarray     # equipment rows
    count: np.ndarray
    length_m: np.ndarray
    medium: np.ndarray      # index into Evaluation.media (-1: no medium reaches)


class Evaluation:
    """Everything the engine computed for one state of a design.

    ``totals`` and ``violations`` are ready at once; the per-item arrays (status, flags,
    power and cooling assignment, links …) are built on first access, so an edit that
    only needs the totals does not pay for them.
    """

    PER_ROW = ("status", "flags", "it_kw", "powered", "cooled", "liquid_kw", "air_kw", "served_by_busway",
               "served_by_cdu", "served_by_air", "load_kw", "limit_kw", "ports_used", "links",
               "link_down", "system_effective")

    def __init__(self, media: list[str], totals: dict, violations: list[Violation], per_row):
        self.media = media
        self.totals = totals
        self.violations = violations
        self._per_row = per_row  # a dict, or a callable that builds it
        self.extras: dict = {}

    def __getattr__(self, name: str):
        if name in Evaluation.PER_ROW:
            if callable(self._per_row):
                self._per_row = self._per_row()
            return self._per_row[name]
        raise AttributeError(name)

    def report(self) -> dict:
        """The ``designer report --json`` document (PRODUCT.md §5)."""
        out = dict(self.totals)
        out["violations"] = [v.to_dict() for v in self.violations]
        return out

    def count_by_severity(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0}
        for v in self.violations:
            counts[v.severity] += 1
        return counts

    def violations_of(self, kind: str) -> list[Violation]:
        return [v for v in self.violations if v.kind == kind]
