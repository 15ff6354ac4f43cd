"""The fabric above the leaves in the CSV bill of materials and the report tables
(issue 14): switches placed and needed by tier, transceivers by medium (fabric-only
media included), the fabric's cables by orderable length."""

from __future__ import annotations

import csv
import io

import pytest

from designer.engine import evaluate
from designer.io import tables
from designer.io.bom import bom_csv
from designer.model import Design, Equipment, Hall


def fabric_design(far_hall_m: float | None = None) -> Design:
    """One hall with two UltraServers (36 links each), a leaf beside each and two spine
    racks under the busways; with ``far_hall_m``, a second hall that far east with the
    same racks but no spine rack (its leaves' uplinks cross to hall A)."""
    d = Design("fabric")
    outline = ((0, 0), (20, 0), (20, 10), (0, 10))
    d.halls.append(Hall("A", "Hall A", outline))
    halls = ["A"]
    if far_hall_m is not None:
        d.halls.append(Hall("B", "Hall B", outline, origin=(far_hall_m, 0.0)))
        halls.append("B")
    for h in halls:
        p = "" if h == "A" else "b-"
        d.equipment.insert([
            Equipment(f"{p}cdu1", "cdu-in-row", h, 2.4, 3.0, 0.0),
            Equipment(f"{p}us1-r1", "trn3-gen2-rack", h, 3.0, 3.0, 0.0, f"{p}us1"),
            Equipment(f"{p}us1-r2", "trn3-gen2-rack", h, 3.6, 3.0, 0.0, f"{p}us1"),
            Equipment(f"{p}net1", "network-rack", h, 4.2, 3.0, 0.0),
            Equipment(f"{p}us2-r1", "trn3-gen2-rack", h, 3.0, 6.0, 180.0, f"{p}us2"),
            Equipment(f"{p}us2-r2", "trn3-gen2-rack", h, 3.6, 6.0, 180.0, f"{p}us2"),
            Equipment(f"{p}net2", "network-rack", h, 4.2, 6.0, 180.0),
            Equipment(f"{p}bw1", "busway-1200a", h, 2.0, 3.0, 0.0, None, (5.0, 3.0)),
            Equipment(f"{p}bw2", "busway-1200a", h, 2.0, 6.0, 0.0, None, (5.0, 6.0)),
            Equipment(f"{p}crah1", "crah", h, 11.0, 8.5, 0.0),
        ])
    d.equipment.insert([Equipment("sp1", "spine-rack", "A", 4.8, 3.0, 0.0),
                        Equipment("sp2", "spine-rack", "A", 4.8, 6.0, 180.0)])
    return d


def rows_of(design, ev, catalog):
    return list(csv.DictReader(io.StringIO(bom_csv(design, ev, catalog))))


def test_the_bill_lists_switches_placed_and_needed_by_tier(catalog):
    design = fabric_design()
    ev = evaluate(design, catalog)
    net = ev.totals["network"]
    assert net["switches_by_tier"] == [3, 2]   # 72 links on 32 server ports per leaf; 96 uplinks on 64-port spines
    rows = rows_of(design, ev, catalog)
    switches = {r["item"]: r for r in rows if r["section"] == "switches"}
    leaf, spine = catalog.types["network-rack"], catalog.types["spine-rack"]
    assert int(switches["leaf:network-rack"]["quantity"]) == 2 * leaf.switches
    assert float(switches["leaf:network-rack"]["kw"]) == pytest.approx(2 * leaf.switches * leaf.get("switch_kw"))
    assert int(switches["spine:spine-rack"]["quantity"]) == 2 * spine.switches == 32
    assert float(switches["spine:spine-rack"]["kw"]) == pytest.approx(2 * spine.it_power_kw)
    assert [(k, int(r["quantity"])) for k, r in switches.items() if k.startswith("tier")] == [("tier1", 3),
                                                                                            ("tier2", 2)]
    total = {r["item"]: r for r in rows if r["section"] == "total"}
    assert int(total["network.switches"]["quantity"]) == net["switches"] == 5
    assert int(total["network.transceivers"]["quantity"]) == net["transceivers"]
    # spine racks are racks in the equipment section, with their switches' power
    equipment = {r["item"]: r for r in rows if r["section"] == "equipment"}
    assert equipment["spine-rack"]["unit"] == "rack" and int(equipment["spine-rack"]["quantity"]) == 2
    # the fabric's cables: 2 × 36 leaf uplinks, each at least as long as routed
    fabric = [r for r in rows if r["section"] == "fabric cables"]
    assert sum(int(r["quantity"]) for r in fabric) == net["fabric_links"] == 72
    steps = {m: set(catalog.media[m].get("length_steps_m")) for m in catalog.media}
    assert all(float(r["length_m"]) in steps[r["item"]] for r in fabric)   # vendor lengths
    bill = tables.fabric_cable_bill(ev, catalog.with_overrides(design.assumptions))
    assert sum(c.metres for c in bill) >= sum(
        float(L * n) for L, n in zip(ev.fabric.links.length_m, ev.fabric.links.count)) - 1e-6


def test_transceivers_of_media_only_the_fabric_uses_are_billed(catalog):
    """Hall B stands 200 m east with no spine rack: its leaves' 72 uplinks run to hall A on
    single-mode optics that no server link uses; the bill still counts their transceivers."""
    design = fabric_design(far_hall_m=200.0)
    ev = evaluate(design, catalog)
    cat = catalog.with_overrides(design.assumptions)
    net = ev.totals["network"]
    assert net["inter_hall_links"] == 72
    links = ev.fabric.links
    far = {ev.media[int(m)] for m in links.medium[links.inter_hall]}
    assert len(far) == 1
    medium = far.pop()
    per_link = int(catalog.media[medium].get("transceivers_per_link"))
    assert per_link > 0 and not (ev.items.links.medium == ev.media.index(medium)).any()
    rows = rows_of(design, ev, catalog)
    optics = {r["item"]: int(r["quantity"]) for r in rows if r["section"] == "optics"}
    count = ev.totals["cables"]["by_medium"][medium]["count"]
    assert optics[f"{medium}-transceiver"] == per_link * count == per_link * 72
    # every transceiver of the bill is one of the report's
    assert sum(optics.values()) == sum(o.transceivers for o in tables.optics(ev, cat)) == net["transceivers"]


def test_network_rows_for_the_report(catalog):
    ev = evaluate(fabric_design(), catalog)
    rows = dict(tables.network_rows(ev))
    net = ev.totals["network"]
    assert rows["Tiers"] == "2"
    assert rows["Switches by tier (leaves first)"] == "3 + 2"
    assert rows["Switches"] == "5"
    assert rows["Leaf oversubscription"] == "1 : 1"
    assert rows["Transceivers (all scale-out and fabric links)"] == f"{net['transceivers']:,}"
    assert rows["Spine racks"] == "2 placed, holding 32 working switches of the 2 the tiers above the leaves need"


def test_the_pdf_report_has_a_network_page(qapp, tmp_path, catalog):
    import unicodedata

    pypdf = pytest.importorskip("pypdf")
    from designer.ui.export.report import export_pdf_report

    design = fabric_design(far_hall_m=200.0)
    ev = evaluate(design, catalog)
    out = tmp_path / "report.pdf"
    export_pdf_report(design, catalog, ev, out)
    pages = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split())
             for p in pypdf.PdfReader(str(out)).pages]
    [page] = [p for p in pages if p.startswith("Network fabric")]
    net = ev.totals["network"]
    assert f"Switches by tier (leaves first) {' + '.join(f'{n:,}' for n in net['switches_by_tier'])}" in page
    assert f"Links between halls {net['inter_hall_links']:,}" in page
    assert f"Transceivers (all scale-out and fabric links) {net['transceivers']:,}" in page
    assert "Spine switches in Spine rack" in page and "Fabric cables by medium" in page
