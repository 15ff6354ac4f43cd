"""Catalog figures as numpy arrays indexed by the equipment table's type codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.catalog import Catalog

KIND_CODES = {"compute": 0, "network": 1, "cdu": 2, "air-handler": 3, "busway": 4}
COMPUTE, NETWORK, CDU, AIR, BUSWAY = range(5)
#: System figures summed into throughput (catalog field, report key, divisor to report units).
SYSTEM_FIGURES = (
    ("mxfp8_tflops", "mxfp8_pflops", 1000.0),
    ("bf16_tflops", "bf16_pflops", 1000.0),
    ("fp32_tflops", "fp32_pflops", 1000.0),
    ("hbm_gib", "hbm_gib", 1.0),
    ("hbm_tbps", "hbm_tbps", 1.0),
    ("efa_gbps", "efa_tbps", 1000.0),
)


@dataclass
class TypeTable:
    """Per-type figures aligned with ``EquipmentTable.types`` codes."""

    names: list[str]
    labels: list[str]  # readable names (UltraServer name for compute racks)
    kind: np.ndarray
    width: np.ndarray
    depth: np.ndarray
    weight: np.ndarray
    it_kw: np.ndarray
    liquid_fraction: np.ndarray
    racks_per_system: np.ndarray
    chips: np.ndarray
    links_per_system: np.ndarray
    capacity_kw: np.ndarray
    reach_m: np.ndarray
    ports: np.ndarray
    busway_limit_kw: np.ndarray
    system: dict[str, np.ndarray]  # catalog field → per-system figure

    @classmethod
    def build(cls, names: list[str], catalog: Catalog) -> "TypeTable":
        specs = [catalog.types[n] for n in names]
        load_factor = catalog.value("power.continuous_load_factor")

        def col(fn, dtype=float):
            return np.array([fn(s) for s in specs], dtype=dtype)

        def links(s):
            if s.kind != "compute":
                return 0.0
            # e.g. Trn3 Gen2: 28,800 Gbps / 800 G = 36 links (S2)
            return float(np.ceil(s.get("efa_gbps") / s.get("efa_link_gbps")))

        return cls(
            names=list(names),
            labels=[s.system_name or s.name for s in specs],
            kind=col(lambda s: KIND_CODES[s.kind], np.int8),
            width=col(lambda s: s.get("width_m")),
            depth=col(lambda s: s.get("depth_m")),
            weight=col(lambda s: s.get("weight_kg")),
            it_kw=col(lambda s: s.get("it_power_kw")),
            liquid_fraction=col(lambda s: s.get("liquid_fraction")),
            racks_per_system=col(lambda s: s.racks_per_system if s.is_compute else 1, np.int64),
            chips=col(lambda s: s.get("chips")),
            links_per_system=col(links),
            capacity_kw=col(lambda s: s.get("capacity_kw")),
            reach_m=col(lambda s: s.get("reach_m")),
            ports=col(lambda s: s.get("ports")),
            # continuous-load rule: a busway carries at most 80 % of its rating (D29)
            busway_limit_kw=col(lambda s: s.busway_rating_kw * load_factor if s.kind == "busway" else 0.0),
            system={f: col(lambda s, f=f: s.get(f)) for f, _, _ in SYSTEM_FIGURES},
        )
