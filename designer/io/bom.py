"""Bill of materials as CSV: equipment by type, cables by medium and orderable length,
optics, and totals that equal ``designer report --json``."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, evaluate
from designer.model import Design

COLUMNS = ("section", "item", "description", "quantity", "unit", "length_m", "metres", "kw", "note")


def orderable_length(length_m: float, steps: tuple[float, ...]) -> float:
    """The shortest vendor length that covers a routed length (the longest if none does)."""
    for step in steps:
        if step + 1e-9 >= length_m:
            return float(step)
    return float(steps[-1])


def bom_rows(design: Design, evaluation: Evaluation | None = None, catalog: Catalog | None = None) -> list[dict]:
    """The BOM as rows of :data:`COLUMNS`."""
    base = catalog or load_catalog()
    cat = base.with_overrides(design.assumptions)
    ev = evaluation if evaluation is not None else evaluate(design, base)
    t = design.equipment
    rows: list[dict] = []
    counts = np.bincount(t.type_code, minlength=len(t.types.names))
    for code, name in enumerate(t.types.names):
        n = int(counts[code])
        if not n:
            continue
        spec = cat.types[name]
        if spec.kind == "busway":
            busways = np.flatnonzero(t.type_code == code)
            metres = float(np.hypot(t.x2[busways] - t.x[busways], t.y2[busways] - t.y[busways]).sum())
            rows.append(dict(section="equipment", item=name, description=spec.name, quantity=n, unit="run",
                             metres=round(metres, 3), note=f"{spec.busway_rating_kw:,.0f} kW rating"))
            continue
        note = ""
        if spec.is_compute:
            note = f"{spec.racks_per_system} racks per {spec.system_name}"
        rows.append(dict(section="equipment", item=name, description=spec.name, quantity=n, unit="rack" if
                         spec.kind in ("compute", "network") else "unit", kw=round(n * spec.it_power_kw, 3),
                         note=note))
    links = ev.links
    by_medium = ev.totals["cables"]["by_medium"]
    optics = 0
    for m, medium_id in enumerate(ev.media):
        spec = cat.media[medium_id]
        sel = links.medium == m
        if not sel.any():
            continue
        steps = tuple(spec.get("length_steps_m"))
        ordered = np.array([orderable_length(L, steps) for L in links.length_m[sel]])
        count = links.count[sel]
        for length in np.unique(ordered):
            k = int(round(float(count[ordered == length].sum())))
            rows.append(dict(section="cables", item=medium_id, description=spec.name, quantity=k, unit="cable",
                             length_m=length, metres=round(k * float(length), 3), note="orderable length"))
        per_link = int(spec.get("transceivers_per_link"))
        if per_link:
            n_opt = per_link * by_medium[medium_id]["count"]
            optics += n_opt
            rows.append(dict(section="optics", item=f"{medium_id}-transceiver", description=f"{spec.short} transceiver",
                             quantity=n_opt, unit="transceiver", note=f"{per_link} per link"))
    # totals that equal the JSON report
    for medium_id, m in by_medium.items():
        rows.append(dict(section="total", item=f"links.{medium_id}", description=f"{cat.media[medium_id].short} links "
                         "(routed length)", quantity=m["count"], unit="link", metres=m["metres"]))
    totals = ev.totals
    for key, value, unit in (("chips", totals["chips"], "chip"), ("ultraservers", totals["ultraservers"], "system"),
                             ("racks", totals["racks"], "rack"), ("links", totals["cables"]["links"], "link"),
                             ("optics", optics, "transceiver")):
        rows.append(dict(section="total", item=key, quantity=value, unit=unit))
    rows.append(dict(section="total", item="it_kw", kw=totals["power"]["it_kw"], unit="kW"))
    rows.append(dict(section="total", item="facility_kw", kw=totals["power"]["facility_kw"], unit="kW"))
    return rows


def bom_csv(design: Design, evaluation: Evaluation | None = None, catalog: Catalog | None = None) -> str:
    """The BOM as CSV text (UTF-8, comma separated, header row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in bom_rows(design, evaluation, catalog):
        writer.writerow({k: ("" if row.get(k) is None else _fmt(row.get(k))) for k in COLUMNS})
    return out.getvalue()


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if math.isfinite(v) else ""
    return v
