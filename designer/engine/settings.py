"""Design-wide engine settings read once from the (overridden) catalog."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.catalog import Catalog


@dataclass
class Settings:
    """Design-wide figures read once from the (overridden) catalog."""

    front_m: float
    rear_m: float
    slack: float
    tray_drop_m: float
    direct_max_m: float   # racks side by side this close are cabled port to port
    in_rack_m: float
    scaleup_max_m: float
    airflow_m: float
    dt_liquid: float
    dt_air: float
    pue_liquid: float
    pue_air: float
    continuous_load: float
    coolants: dict[str, tuple[float, float]]   # name → (cp kJ/(kg·K), density kg/L)
    media: list[str]
    media_names: list[str]
    reach: np.ndarray
    cost_link: np.ndarray
    cost_m: np.ndarray
    lat_m: np.ndarray
    lat_fixed: np.ndarray
    transceivers: np.ndarray   # per link of each medium
    optics_w: np.ndarray       # optics power per link of each medium, W

    @classmethod
    def from_catalog(cls, cat: Catalog) -> "Settings":
        media = list(cat.media)
        m = [cat.media[k] for k in media]
        return cls(
            front_m=cat.value("clearance.front_m"), rear_m=cat.value("clearance.rear_m"),
            slack=cat.value("cable.slack_factor"), tray_drop_m=cat.value("cable.tray_drop_m"),
            direct_max_m=cat.value("cable.direct_max_m"), in_rack_m=cat.value("cable.in_rack_m"),
            scaleup_max_m=cat.value("scaleup.max_cable_m"), airflow_m=cat.value("airflow.check_distance_m"),
            dt_liquid=cat.value("cooling.delta_t_liquid_k"), dt_air=cat.value("cooling.delta_t_air_k"),
            pue_liquid=cat.value("cooling.pue_liquid"), pue_air=cat.value("cooling.pue_air"),
            continuous_load=cat.value("power.continuous_load_factor"),
            coolants={name: (cat.value(f"{name}.cp_kj_kg_k"), cat.value(f"{name}.density_kg_l"))
                      for name in ("water", "pg25")},
            media=media, media_names=[x.short for x in m],
            reach=np.array([x.get("reach_m") for x in m]),
            cost_link=np.array([x.get("cost_per_link") for x in m]),
            cost_m=np.array([x.get("cost_per_m") for x in m]),
            lat_m=np.array([x.get("latency_ns_per_m") for x in m]),
            lat_fixed=np.array([x.get("latency_fixed_ns") for x in m]),
            transceivers=np.array([x.get("transceivers_per_link") for x in m]),
            optics_w=np.array([x.get("optics_w_per_link") for x in m]),
        )
