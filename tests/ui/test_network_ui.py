"""The fabric above the leaves in the app (issue 14): the network overlay, the Metrics
dock's Network section and its oversubscription, spine racks in the palette, the
Inspector and the what-if failures."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from designer.engine import evaluate
from designer.model import Equipment, Hall
from designer.ui.canvas.overlays.legend import legend_sections
from designer.ui.canvas.overlays.network import CampusNetworkItem, NetworkOverlay
from designer.ui.docks.fields import kw_text
from designer.ui.docks.palette import PaletteWidget, entry_tooltip
from designer.ui.docks.resilience import FAILABLE_KINDS, failable_ids


def fabric_hall(design) -> None:
    """The small hall with a second leaf (net2, beside us2) and a spine rack at the end of
    each row, under its busway: two leaves, 36 server links each, two tiers."""
    design.equipment.insert([
        Equipment("net2", "network-rack", "A", 4.2, 6.0, 180.0),
        Equipment("sp1", "spine-rack", "A", 4.8, 3.0, 0.0),
        Equipment("sp2", "spine-rack", "A", 4.8, 6.0, 180.0),
    ])


@pytest.fixture
def fabric_design(make_small_design):
    design = make_small_design()
    fabric_hall(design)
    return design


def leaf_runs(ev):
    links = ev.fabric.links
    return np.flatnonzero(links.tier == 1)


# ---------------------------------------------------------------- the overlay
def test_the_overlay_draws_one_route_per_leaf_spine_run_in_its_mediums_colour(qtbot, plan, catalog, fabric_design,
                                                                                 probe):
    scene = plan.plan_scene()
    scene.set_design(fabric_design, catalog)
    ev = evaluate(fabric_design, catalog)
    t = fabric_design.equipment
    runs = leaf_runs(ev)
    # each leaf's 36 uplinks (o = 1: as many as its server links) go to the spine rack beside it
    pairs = sorted((t.ids[int(ev.fabric.links.a[k])], t.ids[int(ev.fabric.links.b[k])],
                    float(ev.fabric.links.count[k])) for k in runs)
    assert pairs == [("net1", "sp1", 36.0), ("net2", "sp2", 36.0)]
    scene.set_evaluation(ev)
    scene.set_overlay("network")
    overlay = scene.hall_items[0].overlays["network"]
    assert isinstance(overlay, NetworkOverlay)
    data = overlay.data()
    assert len(data["pts"]) == 2   # one route per (leaf, spine rack, medium) run
    # routes start over the leaf and end over the spine rack (x = 4.2 → 4.8)
    assert sorted(data["pts"][:, 0, 0].tolist()) == pytest.approx([4.2, 4.2])
    assert sorted(data["pts"][:, -1, 0].tolist()) == pytest.approx([4.8, 4.8])
    medium = ev.media[int(ev.fabric.links.medium[runs[0]])]
    colour = QColor(catalog.media[medium].color)
    assert sorted(data["media"]) == sorted({int(m) for m in ev.fabric.links.medium[runs]})
    # drawn: the tray line between net1 and sp1 (0.3 m behind their centres) in the medium's colour
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 3.8, 2.0, 5.4, 4.5)
    image = probe.render(scene, source, 80.0)
    seen = [probe.pixel_at(image, source, item.from_plan(4.5, 3.3 + dy)) for dy in np.linspace(-0.05, 0.05, 11)]
    assert any(all(abs(a - b) <= 40 for a, b in zip(c.getRgb()[:3], colour.getRgb()[:3])) for c in seen), \
        f"no {medium} line between net1 and sp1: {[c.name() for c in seen]}"
    # the legend names the medium
    sections = dict(legend_sections(scene.view_options))
    assert catalog.media[medium].short in [e.label for e in sections["Network fabric: leaf → spine"]]
    # with the cable routes shown too, one section explains the media colours of both
    scene.set_overlay("cables")
    titles = [title for title, _ in legend_sections(scene.view_options)]
    assert "Cable routes; fabric: dark edge" in titles and "Network fabric: leaf → spine" not in titles


def test_leaf_uplinks_to_another_hall_are_drawn_across_the_campus(qtbot, plan, catalog, fabric_design):
    """Hall B has leaves but no spine rack: its leaves' uplinks go to hall A's spine racks,
    drawn by the scene's one campus item (hall overlays stay inside their hall)."""
    design = fabric_design
    a = design.halls[0]
    design.halls.append(Hall("B", "Hall B", a.outline, origin=(30.0, 0.0)))
    t = design.equipment
    records = [t.get(i) for i in t.ids if t.get(i).type != "spine-rack"]
    design.equipment.insert([Equipment(f"b-{r.id}", r.type, "B", r.x, r.y, r.rotation,
                                       f"b-{r.system}" if r.system else None, r.end) for r in records])
    scene = plan.plan_scene()
    scene.set_design(design, catalog)
    ev = evaluate(design, catalog)
    links = ev.fabric.links
    between = np.flatnonzero(links.inter_hall & (links.tier == 1))
    assert len(between) >= 2 and ev.totals["network"]["inter_hall_links"] == 72
    assert {t.halls[int(t.hall_code[b])] for b in links.b[between]} == {"A"}
    scene.set_evaluation(ev)
    scene.set_overlay("network")
    campus = scene.view_options.campus_items["network"]
    assert isinstance(campus, CampusNetworkItem) and campus.isVisible()
    assert campus.leaf_links == len(between)
    # the runs of hall A's own leaves stay in its overlay; hall B's overlay has none
    assert len(scene.hall_items[0].overlays["network"].data()["pts"]) == 2
    assert scene.hall_items[1].overlays["network"].data() is None
    # the campus item spans both halls (site metres: hall B starts 30 m east)
    rect = campus.boundingRect()
    assert rect.left() < 5.0 and rect.right() > 34.0
    scene.set_overlay("network", False)
    assert not campus.isVisible()


# ---------------------------------------------------------------- the Metrics dock
def test_the_network_section_shows_the_reports_figures(open_window, fabric_design):
    window = open_window(fabric_design)
    net = window.document.evaluation.totals["network"]
    section = window.metrics.network
    assert net["tiers"] == 2 and net["switches_by_tier"] == [3, 2]
    assert section.text("tiers") == "2"
    assert section.text("switches") == f"{net['switches']:,} = 3 + 2" == "5 = 3 + 2"
    assert section.text("transceivers") == f"{net['transceivers']:,}"
    assert section.text("optics_kw") == kw_text(net["optics_kw"])
    assert section.text("bisection_tbps") == f"{net['bisection_tbps']:,.1f} Tb/s"
    assert section.text("inter_hall_links") == f"0 of {net['fabric_links']:,}" == "0 of 72"
    assert section.text("longest_fabric_link_m") == f"{net['longest_fabric_link_m']:,.0f} m"
    # two spine racks of 16 switches hold the 2 switches above the leaves: one would do
    assert section.text("spine_racks") == "2 (1 needed)"
    assert section.oversubscription.value() == 1.0


def test_setting_the_oversubscription_resizes_the_fabric_and_undoes(open_window, fabric_design, qtbot):
    window = open_window(fabric_design)
    section = window.metrics.network
    document = window.document
    section.oversubscription.setValue(2.0)
    section.oversubscription.setValue(3.0)   # stepping on: one undo step
    assert fabric_design.extra["fabric"] == {"oversubscription": 3.0}
    assert document.undo_stack.count() == 1
    qtbot.waitUntil(lambda: document.evaluation.totals["network"]["oversubscription"] == 3.0
                    and not window.updates_pending())
    # o = 3: a 64-port leaf gives floor(64·3/4) = 48 ports to servers: 72 links → 2 leaves,
    # 2 × 16 uplinks → one top switch
    net = document.evaluation.totals["network"]
    assert net["switches_by_tier"] == [2, 1]
    assert section.text("switches") == "3 = 2 + 1"
    assert document.undo_stack.undoText() == "Set oversubscription"
    document.undo_stack.undo()
    assert "fabric" not in fabric_design.extra
    qtbot.waitUntil(lambda: document.evaluation.totals["network"]["oversubscription"] == 1.0
                    and not window.updates_pending())
    assert section.text("switches") == "5 = 3 + 2"
    assert section.oversubscription.value() == 1.0
    document.undo_stack.redo()
    assert fabric_design.extra["fabric"]["oversubscription"] == 3.0


# ---------------------------------------------------------------- palette, inspector, what-if
def test_the_palette_lists_spine_racks_with_their_switches(catalog, qtbot):
    palette = PaletteWidget(catalog)
    qtbot.addWidget(palette)
    network = dict(palette.entries()["Network"])
    assert "spine-rack" in network and "network-rack" in network
    spine = catalog.types["spine-rack"]
    tip = entry_tooltip(spine)
    assert f"{spine.switches} switches of {spine.get('switch_radix'):g} ports" in tip
    assert f"{spine.it_power_kw:,.1f} kW" in tip
    leaf = entry_tooltip(catalog.types["network-rack"])
    assert f"{catalog.types['network-rack'].switches} switches" in leaf


def test_the_inspector_shows_a_spine_racks_ports_and_a_leafs_uplinks(open_window, fabric_design, qtbot):
    window = open_window(fabric_design)
    box = window.inspector.item_page.evaluation_box
    window.document.select(["sp1"])
    qtbot.waitUntil(lambda: box.fabric_label.isVisibleTo(box) and "switches" in box.fabric_label.text())
    # a 2-tier fabric: a spine switch gives all 64 ports to the leaves; net1's 36 uplinks use 36
    assert box.fabric_label.text() == "16 switches; 36 of 1,024 down ports in use (uplinks of 1 leaf rack)"
    window.document.select(["net1"])
    qtbot.waitUntil(lambda: "uplinks to" in box.fabric_label.text())
    assert box.fabric_label.text().startswith("36 uplinks to sp1 (36); longest ")
    # its 128 ports: half to servers at o = 1, the other half to those uplinks
    assert box.ports_label.text() == "36 of 64 server ports used; 64 for uplinks"
    window.document.select(["us1-r1"])
    qtbot.waitUntil(lambda: not box.fabric_label.isVisibleTo(box))


def test_a_spine_rack_can_fail_in_a_what_if(open_window, fabric_design):
    window = open_window(fabric_design)
    assert "spine" in FAILABLE_KINDS
    assert failable_ids(window.document, ["sp1", "us1-r1", "net1"]) == ["sp1", "net1"]


def test_the_network_overlay_is_on_the_view_toolbar(open_window, fabric_design, qtbot):
    window = open_window(fabric_design)
    action = window.view_toolbar.overlay_actions["network"]
    action.trigger()
    assert "network" in window.scene.view_options.shown
    overlay = window.scene.hall_items[0].overlays["network"]
    qtbot.wait(1)  # the scene takes in the new items
    window.plan_view.viewport().repaint()
    qtbot.waitUntil(lambda: overlay.computed)  # computed by the paint, not before
    assert len(overlay.data()["pts"]) == 2


def test_too_few_spine_racks_show_in_red(open_window, make_small_design):
    from designer.engine.evaluation import STATUS_ERROR
    from designer.ui.docks.status import STATUS_COLORS

    window = open_window(make_small_design())   # a leaf, two tiers, no spine rack
    section = window.metrics.network
    assert section.text("spine_racks") == "0 (1 needed)"
    assert STATUS_COLORS[STATUS_ERROR].name() in section.tiles["spine_racks"].value.styleSheet()
    assert any(v.kind == "fabric-capacity" for v in window.document.evaluation.violations)


def test_when_a_spine_rack_fails_its_leaves_uplinks_are_drawn_to_the_other(open_window, fabric_design, qtbot):
    window = open_window(fabric_design)
    window.view_toolbar.overlay_actions["network"].trigger()
    overlay = window.scene.hall_items[0].overlays["network"]
    qtbot.wait(1)
    window.plan_view.viewport().repaint()
    qtbot.waitUntil(lambda: overlay.computed)
    ends = sorted(map(tuple, overlay.data()["pts"][:, -1].round(3).tolist()))
    window.document.set_failed(["sp1"])
    qtbot.waitUntil(lambda: not window.updates_pending() and not overlay.updates_pending())
    window.plan_view.viewport().repaint()
    ev = window.document.evaluation
    t = fabric_design.equipment
    assert {t.ids[int(b)] for b in ev.fabric.links.b[ev.fabric.links.tier == 1]} == {"sp2"}
    after = sorted(map(tuple, overlay.data()["pts"][:, -1].round(3).tolist()))
    assert after != ends and len({p for p in after}) == 1   # both runs end over sp2 now
    window.document.set_failed([])
    qtbot.waitUntil(lambda: not window.updates_pending() and not overlay.updates_pending())
    window.plan_view.viewport().repaint()
    assert sorted(map(tuple, overlay.data()["pts"][:, -1].round(3).tolist())) == ends
