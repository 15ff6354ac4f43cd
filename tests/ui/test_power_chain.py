"""The Power Chain dock (issue 13): the tree of utility → nodes → busways with each node's
load, capacity, input and loss; adding, removing and re-parenting nodes and feeding the
selected busways, each one undo step; a cycle refused with a message. Also the Totals'
violation count and the PDF report during a what-if (H7's leftovers)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from designer.engine.power_chain import busway_load_by_id
from designer.io import read_design
from designer.model.commands import SetSite
from designer.ui.docks.power_chain import AddNodeDialog, PowerChainPanel, kw
from designer.ui.export import actions as export_actions

P = PowerChainPanel


def shown(window) -> bool:
    """The latest evaluation evaluated and on show in the docks (the chain's tree too)."""
    return window.document.evaluation is not None and not window.document._pending and not window.updates_pending()


@pytest.fixture
def full_hall(open_window, qtbot, full_hall_path):
    """The full-hall sample (A and B sides: 56 nodes feeding 66 busways, bw33A/B over the
    spine racks), its Power Chain dock raised."""
    window = open_window(read_design(full_hall_path))
    window.power_chain_dock.raise_()
    qtbot.waitUntil(lambda: window.power_chain.isVisible() and shown(window))
    window.power_chain.refresh()
    return window


def chain_of(window) -> dict:
    """Node id → its ChainNode in the document's evaluation."""
    return {n.id: n for n in window.document.evaluation.chain}


def sources(window, *busways) -> list:
    t = window.document.design.equipment
    return [t.extra.get(b, {}).get("source") for b in busways]


# ====================================================================== the tree
def test_the_tree_lists_every_node_with_its_load_capacity_input_and_loss(full_hall):
    panel, window = full_hall.power_chain, full_hall
    assert window.power_chain_dock.toggleViewAction() in window.panels_menu.actions()
    assert window.power_chain_dock in window.tabifiedDockWidgets(window.history_dock)
    ids = panel.node_ids()
    assert len(ids) == 56 and len(set(ids)) == 56
    figures = chain_of(window)
    ups = [i for i in ids if figures[i].type == "ups-1250kw"]
    assert len(ups) == 28  # 14 transformers, 14 switchboards, 28 UPS modules
    for node_id in ups:  # every UPS shows what it carries, against its 1,250 kW
        n = figures[node_id]
        assert n.load_kw > 0
        assert panel.text("node", node_id, P.LOAD) == f"{kw(n.load_kw)} / 1,250"
        assert panel.text("node", node_id, P.USE) == f"{n.load_kw / 1250 * 100:.0f} %"
        assert panel.text("node", node_id, P.INPUT) == kw(n.input_kw)
        assert panel.text("node", node_id, P.TYPE) == "UPS1250"
    # B-ups-A1 feeds bw1A and bw2A, the A side of hall B's first row: 8 racks × 85 kW and
    # 4 network racks × 6 kW (two 3.0 kW switches each) = 704 kW, half on each side (2N):
    # 352 kW = 28 % of 1,250; input 352 / 0.965 = 364.8 kW, loss 12.8 kW
    assert [panel.text("node", "B-ups-A1", c) for c in range(6)] == [
        "B-ups-A1", "UPS1250", "352 / 1,250", "28 %", "365", "12.8"]
    assert panel.busways_shown_under("B-ups-A1") == ["bw1A", "bw2A"]
    assert not any(panel.is_over_capacity(i) for i in ids)
    # the generators against the design-day load: 10 sets, 2N keeps 5 spare. IT load:
    # 128 racks × 85 kW + 64 network racks × 6 kW + 8 spine racks × 48 kW = 11,648 kW,
    # × PUE 1.15 = 13,395.2 kW = 89 % of 5 × 3,000 kW
    assert [panel.text("generators", None, c) for c in range(4)] == [
        "Generators (10)", "GEN3000", "13,395 / 15,000", "89 %"]
    assert panel.generator_count.value() == 10


def test_picking_a_node_selects_on_the_plan_the_busways_it_feeds(full_hall):
    panel, doc = full_hall.power_chain, full_hall.document
    panel.pick("node", "B-ups-A1")
    assert doc.selection == ["bw1A", "bw2A"]
    panel.pick("node", "B-swb-A1")  # through both of its UPS modules
    assert sorted(doc.selection) == sorted(panel.busways_shown_under("B-ups-A1")
                                           + panel.busways_shown_under("B-ups-A2"))
    assert panel.remove_button.isEnabled() and panel.parent_combo.currentText() == "B-tx-A1"


# ====================================================================== edits
def test_a_new_ups_fed_two_busways_carries_their_load_and_undo_restores(full_hall, qtbot):
    panel, doc = full_hall.power_chain, full_hall.document
    depth = doc.undo_stack.count()
    assert panel.add_node("ups-1250kw", "B-swb-A1") == "ups1"  # the id proposed
    assert doc.undo_stack.undoText() == "Add ups1"
    qtbot.waitUntil(lambda: shown(full_hall) and "ups1" in panel.node_ids())
    assert "ups1" in chain_of(full_hall) and panel.text("node", "ups1", P.LOAD) == "0.0 / 1,250"

    doc.select(["bw3A", "bw4A", "us1-r1"])  # racks in the selection are left alone
    assert panel.feed_button.isEnabled() and panel.feed_button.text() == "Feed 2 Selected Busways From"
    panel.feed_combo.setCurrentIndex(panel.feed_combo.findData("ups1"))
    panel.feed_button.click()
    assert doc.undo_stack.count() == depth + 2 and doc.undo_stack.undoText() == "Feed 2 busways from ups1"
    qtbot.waitUntil(lambda: shown(full_hall))
    loads = busway_load_by_id(doc.evaluation)
    new = chain_of(full_hall)["ups1"]
    assert new.parent == "B-swb-A1" and new.load_kw > 0
    assert new.load_kw == pytest.approx(loads["bw3A"] + loads["bw4A"])
    assert panel.busways_shown_under("ups1") == ["bw3A", "bw4A"]
    assert panel.text("node", "ups1", P.LOAD) == f"{kw(new.load_kw)} / 1,250"

    doc.undo_stack.undo()  # the feed
    assert sources(full_hall, "bw3A", "bw4A") == ["B-ups-A2", "B-ups-A2"]
    doc.undo_stack.undo()  # the node
    qtbot.waitUntil(lambda: shown(full_hall))
    assert "ups1" not in chain_of(full_hall) and len(panel.node_ids()) == 56
    assert panel.busways_shown_under("B-ups-A2") == ["bw3A", "bw4A"]


def test_removing_a_node_unfeeds_its_busways_and_moves_its_children_up(full_hall, qtbot):
    panel, doc = full_hall.power_chain, full_hall.document
    assert panel.remove_node("B-ups-A1")
    assert doc.undo_stack.undoText() == "Remove B-ups-A1"
    assert sources(full_hall, "bw1A", "bw2A") == [None, None]
    qtbot.waitUntil(lambda: shown(full_hall) and "B-ups-A1" not in panel.node_ids())
    assert panel.text("unfed", None, P.NODE) == "Not fed (2)"
    assert chain_of(full_hall)["B-swb-A1"].load_kw == pytest.approx(chain_of(full_hall)["B-ups-A2"].input_kw)

    panel.pick("node", "B-swb-A2")
    panel.remove_button.click()  # a switchboard: its UPS modules are then fed from its transformer
    qtbot.waitUntil(lambda: shown(full_hall) and "B-swb-A2" not in panel.node_ids())
    assert {chain_of(full_hall)[u].parent for u in ("B-ups-A3", "B-ups-A4")} == {"B-tx-A2"}
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: shown(full_hall))
    assert sources(full_hall, "bw1A", "bw2A") == ["B-ups-A1", "B-ups-A1"] and len(panel.node_ids()) == 56
    assert panel.text("unfed", None, P.NODE) == ""  # every busway fed again: no such group


def test_a_cycle_is_refused_with_a_message(full_hall, qtbot):
    panel, doc = full_hall.power_chain, full_hall.document
    depth = doc.undo_stack.count()
    assert not panel.set_parent("B-tx-A1", "B-ups-A1")
    assert panel.message() == ("B-tx-A1 cannot be fed from B-ups-A1 (B-ups-A1 is fed through B-tx-A1): "
                               "a node cannot feed itself.")
    assert doc.undo_stack.count() == depth and chain_of(full_hall)["B-tx-A1"].parent is None
    panel.tree.dropped.emit(("node", "B-swb-A1"), ("node", "B-ups-A2"))  # a drag in the tree: the same
    assert panel.message().startswith("B-swb-A1 cannot be fed from B-ups-A2") and doc.undo_stack.count() == depth
    # the Fed from box does not even offer the nodes a node feeds
    panel.pick("node", "B-swb-A1")
    model = panel.parent_combo.model()
    offered = {panel.parent_combo.itemText(k): model.item(k).isEnabled() for k in range(panel.parent_combo.count())}
    assert offered["B-ups-A1"] is False and offered["B-swb-A1"] is False and offered["B-tx-A2"] is True
    # a valid move through the box: one undo step, and the message goes
    panel.parent_combo.setCurrentIndex(panel.parent_combo.findData("B-tx-A2"))
    panel.parent_combo.activated.emit(panel.parent_combo.currentIndex())
    assert doc.undo_stack.undoText() == "Feed B-swb-A1 from B-tx-A2" and panel.message() == ""
    qtbot.waitUntil(lambda: shown(full_hall))
    assert chain_of(full_hall)["B-swb-A1"].parent == "B-tx-A2"


def test_a_node_over_its_capacity_shows_in_red(full_hall, qtbot):
    panel, doc = full_hall.power_chain, full_hall.document
    feeding_a = [b for b, s in zip(doc.design.equipment.ids, sources(full_hall, *doc.design.equipment.ids))
                 if s is not None and s.startswith("B-ups-A")]
    assert panel.feed_busways(feeding_a, "B-ups-A1")  # every A-side busway on one 1,250 kW UPS
    qtbot.waitUntil(lambda: shown(full_hall))
    assert chain_of(full_hall)["B-ups-A1"].load_kw > 1250
    assert panel.is_over_capacity("B-ups-A1") and not panel.is_over_capacity("B-ups-A2")
    assert any(v.kind == "power-capacity" and v.ids == ("B-ups-A1",) for v in doc.evaluation.violations)


def test_the_add_node_dialog_proposes_the_kind_below_and_a_free_id(full_hall):
    dialog = AddNodeDialog(full_hall.document, "B-swb-A1", full_hall)
    assert (dialog.type_combo.currentData(), dialog.parent_combo.currentData(), dialog.id_edit.text()) == (
        "ups-1250kw", "B-swb-A1", "ups1")
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("transformer-2500kva"))
    assert dialog.id_edit.text() == "tx1"
    dialog.id_edit.setText("B-ups-A1")
    dialog.id_edit.setModified(True)
    dialog.accept()  # a taken id: the dialog says so and stays open
    assert dialog.result() != QDialog.DialogCode.Accepted and "taken" in dialog.error_label.text()
    dialog.id_edit.setText("tx-new")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.command.nodes[-1] == {"id": "tx-new", "type": "transformer-2500kva", "parent": "B-swb-A1"}


def test_generators_are_declared_in_one_undo_step(full_hall, qtbot):
    panel, doc = full_hall.power_chain, full_hall.document
    panel.generator_count.setValue(12)
    assert doc.design.site.extra["generators"] == {"type": "generator-3000kw", "count": 12}
    assert doc.undo_stack.undoText() == "Set generators"
    qtbot.waitUntil(lambda: shown(full_hall) and panel.text("generators", None, P.NODE) == "Generators (12)")
    assert doc.evaluation.generators["usable_kw"] == 18000  # 2N: 6 of 12 spare
    assert panel.text("generators", None, P.LOAD) == "13,395 / 18,000"  # 11,648 kW IT × 1.15
    doc.undo_stack.undo()
    assert doc.design.site.extra["generators"]["count"] == 10
    qtbot.waitUntil(lambda: shown(full_hall) and panel.generator_count.value() == 10)


def test_a_design_without_a_chain_lists_its_busways_as_not_fed(open_window, qtbot, design):
    window = open_window(design)
    window.power_chain_dock.raise_()
    panel = window.power_chain
    qtbot.waitUntil(lambda: panel.isVisible() and shown(window))
    panel.refresh()
    assert panel.node_ids() == [] and panel.text("unfed", None, P.NODE) == "Not fed (2)"
    assert panel.text("generators", None, P.TYPE) == "none"
    assert panel.add_node("transformer-2500kva", None) == "tx1"
    assert panel.add_node("ups-1250kw", "tx1") == "ups1"
    assert panel.feed_busways(["bw1", "bw2"], "ups1")
    qtbot.waitUntil(lambda: shown(window) and panel.busways_shown_under("ups1") == ["bw1", "bw2"])
    ev = window.document.evaluation
    assert {n.id: n.parent for n in ev.chain} == {"tx1": None, "ups1": "tx1"}
    assert ev.chain[0].load_kw == pytest.approx(ev.chain[1].input_kw)


# ====================================================================== H7's leftovers
def test_the_totals_count_the_redundancy_errors_the_problems_dock_shows(open_window, qtbot, make_small_design):
    # with its leaves and spine: us2 is not stranded already, so losing bw2 strands it too
    window = open_window(make_small_design(fabric=True))
    doc = window.document
    doc.push(SetSite({"extra": {"redundancy": {"power": "N+1"}}}))
    qtbot.waitUntil(lambda: doc.resilience is not None and not doc.resilience_pending()
                    and doc.resilience.redundancy["power"] == "N+1" and shown(window))
    errors = sum(v.severity == "error" for v in doc.violations())
    assert errors == sum(v.severity == "error" for v in doc.evaluation.violations) + 2  # bw1, bw2
    assert window.totals.text("violations").startswith(f"{errors:,} error")


def test_the_pdf_report_during_a_what_if_is_of_the_design_as_built(open_window, qtbot, design, monkeypatch):
    window = open_window(design)
    doc = window.document
    qtbot.waitUntil(lambda: doc.resilience is not None and not doc.resilience_pending())
    calls = []
    monkeypatch.setattr(export_actions, "export_file", lambda *a, **k: calls.append((a, k)))
    export_actions.export_to(window, "pdf", "report.pdf")
    (args, kwargs), = calls
    assert args[2] is doc.evaluation and kwargs["resilience"] is doc.resilience
    normal = doc.evaluation.totals["throughput"]["stranded_ultraservers"]
    doc.set_failed(["bw1"])
    assert doc.evaluation.totals["throughput"]["stranded_ultraservers"] > normal
    calls.clear()
    export_actions.export_to(window, "pdf", "report.pdf")
    (args, kwargs), = calls
    assert args[2] is not doc.evaluation and args[2].totals["throughput"]["stranded_ultraservers"] == normal
    assert kwargs["scene"] is None  # the canvas shows the what-if: the report draws its own plan
    assert [f.id for f in kwargs["resilience"].single_failures][:1] == ["bw1"]
    calls.clear()
    export_actions.export_to(window, "csv", "bom.csv")  # the other exports: what the app shows
    assert calls[0][0][2] is doc.evaluation
