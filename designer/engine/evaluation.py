"""The result of evaluating a design: totals, per-item arrays and violations."""

from __future__ import annotations

from dataclasses import dataclass, field

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
#: Per-item flags that strand an UltraServer's compute (it cannot run).
STRANDING_FLAGS = ("outside-hall", "obstruction", "overlap", "unpowered", "cooling-capacity",
                   "scaleup-reach", "cable-reach", "network-ports")

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


@dataclass
class Evaluation:
    """Everything the engine computed for one state of a design."""

    media: list[str]
    totals: dict
    violations: list[Violation]
    status: np.ndarray               # per equipment row: 0 ok, 1 warning, 2 error
    flags: dict[str, np.ndarray]     # violation kind → bool per row
    it_kw: np.ndarray                # per row IT demand
    powered: np.ndarray              # per row
    cooled: np.ndarray               # per row
    liquid_kw: np.ndarray
    air_kw: np.ndarray
    served_by_busway: np.ndarray     # per row: busway row or -1
    served_by_cdu: np.ndarray        # per row: CDU row or -1
    served_by_air: np.ndarray        # per row: air-handler row or -1
    load_kw: np.ndarray              # per row: busway / CDU / air-handler load (kW); 0 otherwise
    limit_kw: np.ndarray             # per row: its limit (busway 80 % rating, cooling capacity)
    ports_used: np.ndarray           # per row: network ports used (network racks)
    links: Links
    system_effective: np.ndarray     # per system code: bool
    extras: dict = field(default_factory=dict)

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
