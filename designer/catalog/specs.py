"""Typed, frozen catalog specs: equipment types, cable media and design-wide figures.

Every number is a :class:`Figure` that carries where it comes from: a source id of
``shared/reference/hardware.md`` or an assumption (with its reason). A design may
override any figure through its ``assumptions`` table; the overridden catalog keeps
the catalog default beside the new value so the app can show both.
"""

from __future__ import annotations

import json

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Iterator, Mapping

#: Fields whose value is a count (must be a whole number ≥ 1 when overridden).
INTEGER_FIELDS = frozenset({"racks_per_system", "chips", "ports", "switch_radix", "switches"})
#: Fields that are a share between 0 and 1.
FRACTION_FIELDS = frozenset({"liquid_fraction", "power_factor", "continuous_load_factor"})
#: Fields that must be strictly positive (a zero would divide or make no sense).
POSITIVE_FIELDS = frozenset({
    "width_m", "depth_m", "height_m", "reach_m", "capacity_kw", "amps", "voltage_v",
    "slack_factor", "max_cable_m", "delta_t_liquid_k", "delta_t_air_k", "pue_liquid",
    "pue_air", "heat_grid_m", "racks_per_system", "efa_link_gbps", "port_gbps",
    "power_factor", "continuous_load_factor", "chips", "ports",
})
#: Upper bounds that catch absurd values (typos such as 850 kW per rack instead of 85).
UPPER_BOUNDS = {
    "it_power_kw": 2000.0, "weight_kg": 20000.0, "width_m": 20.0, "depth_m": 20.0,
    "height_m": 10.0, "racks_per_system": 64, "chips": 100000, "ports": 100000,
    "capacity_kw": 100000.0, "reach_m": 100000.0, "amps": 10000.0, "voltage_v": 50000.0,
    "slack_factor": 10.0, "tray_drop_m": 20.0, "max_cable_m": 1000.0,
    "delta_t_liquid_k": 60.0, "delta_t_air_k": 60.0, "pue_liquid": 5.0, "pue_air": 5.0,
    "heat_grid_m": 100.0, "front_m": 20.0, "rear_m": 20.0,
}
#: The physical range of every figure, inclusive: (lowest, highest, unit). A catalog file
#: or a design's override outside it is refused, so that nothing downstream divides by
#: almost nothing (a unit 5e-324 m wide) or overflows a sum; a figure with no range here
#: is refused too (add its range when adding a figure to the catalog).
RANGES: Mapping[str, tuple[float, float, str]] = MappingProxyType({
    # footprint and weight of a rack or unit
    "width_m": (0.05, 20.0, "m"), "depth_m": (0.05, 20.0, "m"), "height_m": (0.05, 10.0, "m"),
    "weight_kg": (0.0, 20_000.0, "kg"),
    # power
    "it_power_kw": (0.0, 2_000.0, "kW"), "liquid_fraction": (0.0, 1.0, ""),
    "amps": (1.0, 10_000.0, "A"), "voltage_v": (1.0, 50_000.0, "V"), "power_factor": (0.1, 1.0, ""),
    "efficiency": (0.5, 1.0, ""), "cp_kj_kg_k": (0.5, 10.0, "kJ/(kg·K)"), "density_kg_l": (0.3, 3.0, "kg/L"),
    "continuous_load_factor": (0.1, 1.0, ""),
    # compute (per UltraServer)
    "racks_per_system": (1, 64, ""), "chips": (1, 100_000, ""),
    "mxfp8_tflops": (0.0, 1e8, "TFLOPS"), "fp4_tflops": (0.0, 1e8, "TFLOPS"), "bf16_tflops": (0.0, 1e8, "TFLOPS"), "fp32_tflops": (0.0, 1e8, "TFLOPS"),
    "hbm_gib": (0.0, 1e8, "GiB"), "hbm_tbps": (0.0, 1e6, "TB/s"), "efa_gbps": (0.0, 1e8, "Gbps"),
    "efa_link_gbps": (1.0, 100_000.0, "Gbps"),
    # network
    "ports": (1, 100_000, ""), "port_gbps": (1.0, 100_000.0, "Gbps"),
    # cooling
    "capacity_kw": (0.1, 100_000.0, "kW"), "reach_m": (0.1, 100_000.0, "m"),
    "delta_t_liquid_k": (1.0, 60.0, "K"), "delta_t_air_k": (1.0, 60.0, "K"),
    "pue_liquid": (1.0, 5.0, ""), "pue_air": (1.0, 5.0, ""), "heat_grid_m": (0.3, 100.0, "m"),
    # cables
    "slack_factor": (1.0, 10.0, ""), "tray_drop_m": (0.0, 20.0, "m"), "direct_max_m": (0.0, 20.0, "m"),
    "in_rack_m": (0.0, 5.0, "m"), "max_cable_m": (0.1, 1_000.0, "m"),
    "cost_per_link": (0.0, 1e9, ""), "cost_per_m": (0.0, 1e9, ""), "latency_ns_per_m": (0.0, 100.0, "ns/m"),
    "latency_fixed_ns": (0.0, 1e6, "ns"), "length_steps_m": (0.1, 100_000.0, "m"),
    "transceivers_per_link": (0.0, 16.0, ""), "optics_w_per_link": (0.0, 1_000.0, "W"),
    # switches of leaf and spine racks (issue 14)
    "switch_radix": (4, 4_096, ""), "switch_kw": (0.0, 100.0, "kW"), "switches": (1, 1_000, ""),
    # service space and airflow
    "front_m": (0.0, 20.0, "m"), "rear_m": (0.0, 20.0, "m"), "check_distance_m": (0.0, 20.0, "m"),
})

#: Figures each kind of equipment must define.
REQUIRED_FIGURES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "compute": ("racks_per_system", "chips", "mxfp8_tflops", "bf16_tflops", "fp32_tflops",
                "hbm_gib", "hbm_tbps", "efa_gbps", "efa_link_gbps", "it_power_kw",
                "liquid_fraction", "width_m", "depth_m", "height_m", "weight_kg"),
    # a switch rack's IT power follows from its switches (EquipmentType.it_power_kw)
    "network": ("ports", "port_gbps", "switch_radix", "switch_kw", "liquid_fraction", "width_m",
                "depth_m", "height_m", "weight_kg"),
    "spine": ("switches", "switch_radix", "port_gbps", "switch_kw", "liquid_fraction", "width_m",
              "depth_m", "height_m", "weight_kg"),
    "cdu": ("capacity_kw", "reach_m", "it_power_kw", "liquid_fraction", "width_m",
            "depth_m", "height_m", "weight_kg"),
    "air-handler": ("capacity_kw", "reach_m", "it_power_kw", "liquid_fraction", "width_m",
                    "depth_m", "height_m", "weight_kg"),
    "busway": ("amps", "voltage_v", "power_factor"),
    # the electrical chain above the busways (PRODUCT.md §8): not on the floor
    "transformer": ("capacity_kw", "efficiency"),
    "switchboard": ("capacity_kw", "efficiency"),
    "ups": ("capacity_kw", "efficiency"),
    "generator": ("capacity_kw",),
    "cable": ("reach_m", "cost_per_link", "cost_per_m", "latency_ns_per_m",
              "latency_fixed_ns", "length_steps_m", "transceivers_per_link"),
})
FLOOR_KINDS = ("compute", "network", "spine", "cdu", "air-handler")
#: Kinds a planner's own equipment types may have (user catalog folder, a design's "catalog").
USER_KINDS = (*FLOOR_KINDS, "busway")
#: Where a type comes from: the bundled catalog, the user catalog folder, or a design's own
#: ``"catalog"`` section (the palette shows the last two under their own heading).
ORIGINS = ("bundled", "user", "design")
#: Kinds of the power chain (nodes of a design's ``power_chain`` and its generators).
CHAIN_KINDS = ("transformer", "switchboard", "ups", "generator")


class CatalogError(ValueError):
    """A catalog file or an assumption override is invalid; the message names the place."""


@dataclass(frozen=True)
class Figure:
    """One catalog number with its provenance."""

    key: str
    value: float | tuple[float, ...]
    sources: tuple[str, ...] = ()
    assumption: str | None = None
    note: str = ""
    default: float | tuple[float, ...] | None = None

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None

    @property
    def overridden(self) -> bool:
        return self.default is not None and self.default != self.value

    @property
    def catalog_value(self) -> float | tuple[float, ...]:
        """The value the catalog ships, before any design override."""
        return self.value if self.default is None else self.default

    @property
    def field(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    def provenance(self) -> str:
        """Readable provenance: ``S2`` or ``assumption (basis S6): reason``."""
        if self.assumption is None:
            return " ".join(self.sources)
        basis = f" (basis {' '.join(self.sources)})" if self.sources else ""
        return f"assumption{basis}: {self.assumption}"


@dataclass(frozen=True)
class EquipmentType:
    """An equipment (or cable medium) type of the catalog."""

    id: str
    kind: str
    name: str
    short: str
    color: str
    system_name: str = ""
    figures: Mapping[str, Figure] = field(default_factory=dict)
    #: "bundled", "user" (the user catalog folder) or "design" (the design's own section)
    origin: str = "bundled"
    #: the file (or design section) it was read from
    defined_in: str = ""

    @property
    def is_own(self) -> bool:
        """A planner's own type (user catalog folder or the design's own section)."""
        return self.origin != "bundled"

    def get(self, name: str, default: float = 0.0) -> float:
        fig = self.figures.get(name)
        return default if fig is None else fig.value  # type: ignore[return-value]

    # Typed accessors for what the engine and the UI read most.
    @property
    def width_m(self) -> float:
        return float(self.get("width_m"))

    @property
    def depth_m(self) -> float:
        return float(self.get("depth_m"))

    @property
    def weight_kg(self) -> float:
        return float(self.get("weight_kg"))

    @property
    def switches(self) -> int:
        """Switches in a leaf (ports / radix, rounded up) or spine rack; 0 for the rest."""
        if self.kind == "spine":
            return int(self.get("switches"))
        if self.kind == "network":
            return int(math.ceil(self.get("ports") / max(1.0, self.get("switch_radix", 1.0)) - 1e-9))
        return 0

    @property
    def it_power_kw(self) -> float:
        if "switch_kw" in self.figures and "it_power_kw" not in self.figures:
            return self.switches * float(self.get("switch_kw"))
        return float(self.get("it_power_kw"))

    @property
    def liquid_fraction(self) -> float:
        return float(self.get("liquid_fraction"))

    @property
    def racks_per_system(self) -> int:
        return int(self.get("racks_per_system", 1))

    @property
    def is_compute(self) -> bool:
        return self.kind == "compute"

    @property
    def on_floor(self) -> bool:
        """Has a footprint on the floor (everything but busways and cables)."""
        return self.kind in FLOOR_KINDS

    @property
    def busway_rating_kw(self) -> float:
        """Three-phase busway rating: P = √3 · V · I · PF (IEC 60038 line voltage)."""
        return math.sqrt(3.0) * self.get("voltage_v") * self.get("amps") * self.get("power_factor") / 1000.0

    @property
    def system_power_kw(self) -> float:
        """IT power of one whole UltraServer of this rack type."""
        return self.it_power_kw * self.racks_per_system


def kept(owner, slot: str, key, build):
    """``build()``, kept on ``owner`` under ``key`` (the last few kept, in ``slot``): the
    catalogs derived from one catalog (a design's overrides, its own types) are made once
    and shared by every view of the design."""
    cache = owner.__dict__.setdefault(slot, {})
    hit = cache.get(key)
    if hit is None:
        if len(cache) >= 8:
            cache.clear()
        hit = cache[key] = build()
    return hit


@dataclass(frozen=True)
class Catalog:
    """All equipment types, cable media and design-wide figures, possibly overridden."""

    types: Mapping[str, EquipmentType]
    media: Mapping[str, EquipmentType]
    globals: Mapping[str, Figure]
    sources: Mapping[str, str]
    #: what was refused while reading the user catalog folder (one message each; the
    #: types of those messages are left out, everything else loads)
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", MappingProxyType(dict(self.types)))
        object.__setattr__(self, "media", MappingProxyType(dict(self.media)))
        object.__setattr__(self, "globals", MappingProxyType(dict(self.globals)))

    def type(self, type_id: str) -> EquipmentType:
        return self.types[type_id]

    def value(self, key: str) -> float:
        """A figure's value by key: ``cable.slack_factor`` or ``trn3-gen2-rack.it_power_kw``."""
        return self.figure(key).value  # type: ignore[return-value]

    def figure(self, key: str) -> Figure:
        if key in self.globals:
            return self.globals[key]
        owner, _, name = key.rpartition(".")
        spec = self.types.get(owner) or self.media.get(owner)
        if spec is None or name not in spec.figures:
            raise KeyError(key)
        return spec.figures[name]

    def figures(self) -> Iterator[Figure]:
        """Every figure: global ones, then per type, then per medium, in file order."""
        yield from self.globals.values()
        for spec in (*self.types.values(), *self.media.values()):
            yield from spec.figures.values()

    def assumptions(self) -> list[Figure]:
        """Every figure marked as an assumption (what the Assumptions panel lists)."""
        return [f for f in self.figures() if f.is_assumption]

    def types_of_kind(self, kind: str) -> list[EquipmentType]:
        return [t for t in self.types.values() if t.kind == kind]

    def with_overrides(self, overrides: Mapping[str, object], where: str = "assumptions") -> "Catalog":
        """The catalog with a design's assumption overrides applied (validated).

        The one place a design's effective catalog is made: the result is kept per set of
        overrides (the last few), so every view and export of one design shares one."""
        if not overrides:
            return self
        return kept(self, "_overridden", (where, json.dumps(overrides, sort_keys=True, default=repr)),
                    lambda: self._overridden_by(overrides, where))

    def _overridden_by(self, overrides: Mapping[str, object], where: str) -> "Catalog":
        types = dict(self.types)
        media = dict(self.media)
        globals_ = dict(self.globals)
        for key, raw in overrides.items():
            place = f"{where}.{key}"
            try:
                fig = self.figure(key)
            except KeyError:
                raise CatalogError(f"{place}: unknown assumption key (expected '<type>.<field>' of the catalog or a global such as 'cable.slack_factor')") from None
            value = check_value(fig.field, raw, place, list_ok=isinstance(fig.value, tuple))
            new = replace(fig, value=value, default=fig.catalog_value)
            if key in globals_:
                globals_[key] = new
                continue
            owner, _, name = key.rpartition(".")
            table = types if owner in types else media
            spec = table[owner]
            figs = dict(spec.figures)
            figs[name] = new
            table[owner] = replace(spec, figures=MappingProxyType(figs))
        return Catalog(types=types, media=media, globals=globals_, sources=self.sources, problems=self.problems)

    def own_types(self) -> list[EquipmentType]:
        """The planner's own types (user folder, then the design's), in catalog order."""
        return [t for t in self.types.values() if t.is_own]


def check_value(name: str, raw: object, place: str, list_ok: bool = False) -> float | tuple[float, ...]:
    """Validate one figure value (number, or list of numbers where the field is a list)."""
    if list_ok and isinstance(raw, (list, tuple)):
        if not raw:
            raise CatalogError(f"{place}: expected a non-empty list of lengths")
        vals = tuple(float(check_value(name, v, f"{place}[{i}]")) for i, v in enumerate(raw))
        if any(v <= 0 for v in vals):
            raise CatalogError(f"{place}: lengths must be positive")
        return tuple(sorted(vals))
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise CatalogError(f"{place}: expected a number, got {_show(raw)}")
    try:
        value = float(raw)
    except OverflowError:  # an integer with hundreds of digits
        raise CatalogError(f"{place}: expected a finite number, got an integer of {len(str(abs(raw)))} "
                           "digits") from None
    if not math.isfinite(value):
        raise CatalogError(f"{place}: expected a finite number, got {raw}")
    if value < 0:
        raise CatalogError(f"{place}: must not be negative, got {raw}")
    if name in POSITIVE_FIELDS and value == 0:
        raise CatalogError(f"{place}: must be greater than zero")
    if name in FRACTION_FIELDS and value > 1:
        raise CatalogError(f"{place}: must be a fraction between 0 and 1, got {raw}")
    if name in INTEGER_FIELDS:
        if value != int(value):
            raise CatalogError(f"{place}: must be a whole number, got {raw}")
        value = int(value)
    bound = UPPER_BOUNDS.get(name)
    if bound is not None and value > bound:
        raise CatalogError(f"{place}: {raw} is beyond the plausible limit of {bound:g}")
    if name not in RANGES:
        raise CatalogError(f"{place}: no physical range is known for a figure '{name}' "
                           "(add one to designer.catalog.specs.RANGES)")
    lo, hi, unit = RANGES[name]
    if not lo <= value <= hi:
        unit = f" {unit}" if unit else ""
        raise CatalogError(f"{place}: {raw!r}{unit} is outside {lo:g}–{hi:g}{unit}")
    return value


def _show(raw: object) -> str:
    text = repr(raw) if not isinstance(raw, str) else f'"{raw}"'
    return text if len(text) <= 40 else text[:37] + "..."
