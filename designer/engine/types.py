"""Catalog figures as numpy arrays indexed by the equipment table's type codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.catalog import Catalog
from designer.model.clos import leaf_server_ports

#: Spine racks are network equipment to the engine (power, cooling, failures); what sets
#: them apart (no server-facing ports, switches above the leaves) is in the TypeTable.
KIND_CODES = {"compute": 0, "network": 1, "cdu": 2, "air-handler": 3, "busway": 4, "spine": 1}
COMPUTE, NETWORK, CDU, AIR, BUSWAY = range(5)
#: System figures summed into throughput (catalog field, report key, divisor to report units).
SYSTEM_FIGURES = (
    ("mxfp8_tflops", "mxfp8_pflops", 1000.0),
    ("bf16_tflops", "bf16_pflops", 1000.0),
    ("fp32_tflops", "fp32_pflops", 1000.0),
    ("hbm_gib", "hbm_gib", 1.0),
    ("hbm_tbps", "hbm_tbps", 1.0),
    ("efa_gbps", "efa_tbps", 1000.0),
    # dense FP4 (optional in the catalog: a type without a figure adds 0; OPTIONAL_SYSTEM_FIGURES)
    ("fp4_tflops", "fp4_pflops", 1000.0),
)
#: Throughput figures a compute type may lack (not published for it): it adds 0 to their
#: totals and the report lists it under ``throughput.by_type.<type>.missing``.
OPTIONAL_SYSTEM_FIGURES = frozenset({"fp4_tflops"})


@dataclass(eq=False, repr=False)  # (holds arrays: no == or repr made, 2x faster to import)
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
    ports: np.ndarray           # server-facing ports of a leaf rack (clos.leaf_server_ports)
    switches: np.ndarray        # switches in a leaf or spine rack
    radix: np.ndarray           # ports per switch
    spine: np.ndarray           # a spine rack (switches above the leaves)
    busway_limit_kw: np.ndarray
    system: dict[str, np.ndarray]  # catalog field → per-system figure

    @property
    def system_matrix(self) -> np.ndarray:
        """(types, SYSTEM_FIGURES): the per-system figures side by side (made once)."""
        m = self.__dict__.get("_system_matrix")
        if m is None:
            m = self.__dict__["_system_matrix"] = np.column_stack([self.system[f] for f, _, _ in SYSTEM_FIGURES])
        return m

    @classmethod
    def build(cls, names: list[str], catalog: Catalog, oversubscription: float = 1.0) -> "TypeTable":
        """``oversubscription``: the design's ``fabric.oversubscription`` o (leaves give
        o/(1+o) of their ports to servers, the rest to uplinks)."""
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
            it_kw=col(lambda s: s.it_power_kw),
            liquid_fraction=col(lambda s: s.get("liquid_fraction")),
            racks_per_system=col(lambda s: s.racks_per_system if s.is_compute else 1, np.int64),
            chips=col(lambda s: s.get("chips")),
            links_per_system=col(links),
            capacity_kw=col(lambda s: s.get("capacity_kw")),
            reach_m=col(lambda s: s.get("reach_m")),
            ports=col(lambda s: leaf_server_ports(s.get("ports"), s.get("switch_radix"), oversubscription)
                      if s.kind == "network" else 0.0),
            switches=col(lambda s: s.switches),
            radix=col(lambda s: s.get("switch_radix")),
            spine=col(lambda s: s.kind == "spine", bool),
            # continuous-load rule: a busway carries at most 80 % of its rating (D29)
            busway_limit_kw=col(lambda s: s.busway_rating_kw * load_factor if s.kind == "busway" else 0.0),
            system={f: col(lambda s, f=f: s.get(f)) for f, _, _ in SYSTEM_FIGURES},
        )
