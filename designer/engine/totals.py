"""The site's totals: the report's ``power``, ``cooling``, ``throughput`` and ``cables``
figures from the sums of the halls (or of the items, when something crosses halls), and
the facility power a load draws. Functions of their inputs alone: the evaluator keeps
what it can between edits (engine/evaluator.py)."""

from __future__ import annotations

from designer.catalog import Catalog
from designer.engine.rules.throughput import BY_TYPE_COUNTS
from designer.engine.settings import Settings
from designer.engine.types import OPTIONAL_SYSTEM_FIGURES, SYSTEM_FIGURES, TypeTable
from designer.model.design import Design

HOURS_PER_YEAR = 8760.0
#: Air: ρ = 1.2 kg/m³, cp = 1,005 J/(kg·K) (hardware.md §6, D23) → m³/h = W·3600 / (ρ·cp·ΔT).
AIR_RHO_KG_M3 = 1.2
AIR_CP_J_KG_K = 1005.0


def facility_power_kw(design: Design, st: Settings, it_kw: float, liquid_kw: float, air_kw: float) -> float:
    """What the facility draws for this IT load and heat: IT × the design's PUE, or the
    partial PUEs of liquid- and air-cooled heat when the design models them."""
    site = design.site
    if site.pue_modelled:
        # partial PUEs of liquid- and air-cooled load, weighted by heat (D22)
        return liquid_kw * st.pue_liquid + air_kw * st.pue_air
    return it_kw * float(site.pue)


def site_totals(design: Design, st: Settings, it_kw, it_powered_kw, liquid_kw, air_kw, facility, unpowered,
                uncooled, chips, ultraservers, racks, stranded, peak, eff, cables, by_type: dict) -> dict:
    """The report's totals (PRODUCT.md §5 keys plus a few more). ``facility`` is (what
    the site draws, what it would draw with every rack powered); ``by_type`` the
    ``throughput.by_type`` and ``.missing`` sections (:func:`throughput_by_type`)."""
    site = design.site
    counts, metres, longest, worst, n_links = cables
    facility_kw, facility_demand_kw = facility
    pue = (facility_kw / it_powered_kw if it_powered_kw > 0 else
           (st.pue_liquid if site.pue_modelled else float(site.pue)))
    annual_mwh = facility_kw * HOURS_PER_YEAR / 1000.0

    def r6(v: float) -> float:
        return round(float(v), 6)

    facility_mw = facility_kw / 1000.0
    coolant = str(site.extra.get("coolant", "water"))
    cp, density = st.coolants.get(coolant, st.coolants["water"])
    return {
        "name": design.name,
        "chips": int(round(chips)),
        "ultraservers": int(ultraservers),
        "racks": int(racks),
        "equipment": len(design.equipment),
        "halls": len(design.halls),
        "power": {
            "it_kw": r6(it_kw),
            "it_powered_kw": r6(it_powered_kw),
            "facility_kw": r6(facility_kw),
            "facility_demand_kw": r6(facility_demand_kw),
            "pue": r6(pue),
            "pue_mode": "modelled" if site.pue_modelled else "fixed",
            "utility_capacity_kw": r6(site.utility_capacity_kw),
            "annual_mwh": r6(annual_mwh),
            "annual_cost": r6(annual_mwh * 1000.0 * site.electricity_price_per_kwh),
            "currency": site.currency,
            "annual_co2_t": r6(annual_mwh * site.grid_kg_co2_per_kwh),
            "unpowered_items": int(unpowered),
        },
        "cooling": {
            "liquid_kw": r6(liquid_kw),
            "air_kw": r6(air_kw),
            # Q = ṁ·cp·ΔT: L/min = kW·60 / (cp·ρ·ΔT), water 4.186 kJ/(kg·K) at 1 kg/L (D24),
            # PG25 3.94 kJ/(kg·K) at 1.019 kg/L (hardware.md §7)
            "coolant": coolant,
            "coolant_lpm": r6(liquid_kw * 60.0 / (cp * density * st.dt_liquid)),
            # V̇ = P / (ρ·cp·ΔT), ρ = 1.2 kg/m³, cp = 1,005 J/(kg·K) (hardware.md §6, D23)
            "airflow_m3h": r6(air_kw * 1000.0 * 3600.0 / (AIR_RHO_KG_M3 * AIR_CP_J_KG_K * st.dt_air)),
            "delta_t_liquid_k": st.dt_liquid,
            "delta_t_air_k": st.dt_air,
            "uncooled_items": int(uncooled),
        },
        "throughput": {
            "peak": {k: r6(v) for k, v in peak.items()},
            "effective": {k: r6(v) for k, v in eff.items()},
            "stranded_ultraservers": int(stranded),
            "pflops_per_mw": r6(eff["mxfp8_pflops"] / facility_mw) if facility_mw > 0 else 0.0,
            **by_type,
        },
        "cables": {
            "by_medium": {name: {"count": int(round(float(counts[i]))), "metres": round(float(metres[i]), 3)}
                          for i, name in enumerate(st.media)},
            "links": int(round(float(n_links))),
            "longest_m": r6(longest),
            "worst_latency_ns": r6(worst),
        },
    }


def throughput_by_type(types: TypeTable, catalog: Catalog, by_type) -> dict:
    """``throughput.by_type``: per compute type placed, its systems, chips and peak and
    effective figures (the totals are their sums). A figure a type does not publish
    (e.g. Trn2's FP4) is left out of its dicts and named in its ``missing`` list, and
    ``throughput.missing`` names, per figure, the placed types that add nothing to it."""
    out: dict = {}
    missing_by_key: dict[str, list[str]] = {}
    if by_type is None:
        return {"by_type": out, "missing": missing_by_key}
    k, nf = len(BY_TYPE_COUNTS), len(SYSTEM_FIGURES)
    for code, type_id in enumerate(types.names[:len(by_type)]):
        row = by_type[code]
        if row[0] <= 0:  # no rack of this type (or not a compute type)
            continue
        spec = catalog.types[type_id]
        absent = [key for fig, key, _ in SYSTEM_FIGURES if fig in OPTIONAL_SYSTEM_FIGURES and fig not in spec.figures]
        for key in absent:
            missing_by_key.setdefault(key, []).append(type_id)
        out[type_id] = {
            "name": types.labels[code],
            "origin": spec.origin,
            "systems": int(round(row[1])),
            "stranded_systems": int(round(row[2])),
            "racks": int(round(row[0])),
            "chips": int(round(row[3])),
            "peak": {key: round(float(row[k + f]), 6) for f, (_, key, _) in enumerate(SYSTEM_FIGURES)
                     if key not in absent},
            "effective": {key: round(float(row[k + nf + f]), 6) for f, (_, key, _) in enumerate(SYSTEM_FIGURES)
                          if key not in absent},
            "missing": absent,
        }
    return {"by_type": out, "missing": missing_by_key}


def add_facility_kw(totals: dict, kw: float) -> None:
    """Add load to the facility power (the chain's losses) and to what follows from it."""
    p = totals["power"]
    t = totals["throughput"]
    factor = (p["facility_kw"] + kw) / p["facility_kw"] if p["facility_kw"] > 0 else 1.0
    p["facility_kw"] = round(p["facility_kw"] + kw, 6)
    p["facility_demand_kw"] = round(p["facility_demand_kw"] + kw, 6)
    p["pue"] = round(p["pue"] * factor, 6)
    for key in ("annual_mwh", "annual_cost", "annual_co2_t"):
        p[key] = round(p[key] * factor, 6)
    t["pflops_per_mw"] = round(t["pflops_per_mw"] / factor, 6)
