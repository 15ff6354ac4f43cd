"""Bill of materials as CSV: equipment by type, cables by medium and orderable length,
optics, and totals that equal ``designer report --json``. The rows come from
:mod:`designer.io.tables`; this module only lays them out as CSV."""

from __future__ import annotations

import csv
import io
import itertools
import math

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, evaluate
from designer.io import tables
from designer.model import Design

COLUMNS = ("section", "item", "description", "quantity", "unit", "length_m", "metres", "kw", "note")


def bom_rows(design: Design, evaluation: Evaluation | None = None, catalog: Catalog | None = None) -> list[dict]:
    """The BOM as rows of :data:`COLUMNS`."""
    base = catalog or load_catalog()
    cat = base.with_overrides(design.assumptions)
    ev = evaluation if evaluation is not None else evaluate(design, base)
    rows: list[dict] = []
    for e in tables.equipment_lines(design, cat):
        rows.append(dict(section="equipment", item=e.type_id, description=e.name, quantity=e.quantity, unit=e.unit,
                         metres=None if e.metres is None else round(e.metres, 3),
                         kw=None if e.it_kw is None else round(e.it_kw, 3), note=e.note))
    optics = {o.medium: o for o in tables.optics(ev, cat)}
    bill = tables.cable_bill(ev, cat)
    for medium, cables in itertools.groupby(bill, key=lambda c: c.medium):
        for c in cables:
            rows.append(dict(section="cables", item=c.medium, description=c.name, quantity=c.cables, unit="cable",
                             length_m=c.length_m, metres=round(c.metres, 3), note="orderable length"))
        if medium in optics:
            o = optics[medium]
            rows.append(dict(section="optics", item=f"{o.medium}-transceiver", description=f"{o.short} transceiver",
                             quantity=o.transceivers, unit="transceiver", note=f"{o.per_link} per link"))
    for c in tables.fabric_cable_bill(ev, cat):
        rows.append(dict(section="fabric cables", item=c.medium, description=c.name, quantity=c.cables, unit="cable",
                         length_m=c.length_m, metres=round(c.metres, 3),
                         note="orderable length; leaf → spine and between the upper tiers"))
    for m, o in optics.items():   # media only the fabric uses (no server → leaf link of theirs)
        if not any(c.medium == m for c in bill):
            rows.append(dict(section="optics", item=f"{o.medium}-transceiver", description=f"{o.short} transceiver",
                             quantity=o.transceivers, unit="transceiver", note=f"{o.per_link} per link"))
    for sw in tables.switch_lines(design, cat, ev):
        rows.append(dict(section="switches", item=sw.key, description=sw.description, quantity=sw.switches,
                         unit="switch", kw=None if sw.kw is None else round(sw.kw, 3), note=sw.note))
    # totals that equal the JSON report
    for r in tables.routed_cables(ev, cat):
        rows.append(dict(section="total", item=f"links.{r.medium}", description=f"{r.short} links (routed length)",
                         quantity=r.links, unit="link", metres=r.metres))
    totals = ev.totals
    for key, value, unit in (("chips", totals["chips"], "chip"), ("ultraservers", totals["ultraservers"], "system"),
                             ("racks", totals["racks"], "rack"), ("links", totals["cables"]["links"], "link"),
                             ("optics", sum(o.transceivers for o in optics.values()), "transceiver")):
        rows.append(dict(section="total", item=key, quantity=value, unit=unit))
    net = totals.get("network")
    if net:
        rows.append(dict(section="total", item="network.switches", quantity=net["switches"], unit="switch",
                         note=" + ".join(f"{n:,}" for n in net["switches_by_tier"]) + " by tier, leaves first"))
        rows.append(dict(section="total", item="network.transceivers", quantity=net["transceivers"],
                         unit="transceiver", kw=net["optics_kw"], note="optics power in kW"))
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
