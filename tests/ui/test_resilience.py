"""Would the design survive a failure? The Resilience dock, the what-if (Fail Selected,
the banner, Restore), busway feeds in the Inspector and the palette, and the declared
redundancy in the site's page (issue 13, the app side)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from designer.io import read_design
from designer.model import Design, Equipment, Hall
from designer.model.commands import move_items
from designer.ui.docks.palette import EQUIPMENT_EXTRA_MIME, equipment_extra_of, equipment_mime
from designer.ui.docks.resilience import FailuresModel

from tests.ui.test_palette import at, drag_drop

def settled(window) -> bool:
    """The evaluation shown, the docks caught up and every single failure tried."""
    doc = window.document
    return (doc.evaluation is not None and not window.updates_pending() and doc.resilience is not None
            and not doc.resilience_pending())


@pytest.fixture
def small(open_window, qtbot, make_small_design):
    """The small test hall with its fabric (conftest): two UltraServers across a hot aisle;
    bw1 powers us1 and the two leaf racks (net1, net2) both need, bw2 powers us2 and the
    spine rack; one CDU, one air handler. No problems."""
    window = open_window(make_small_design(fabric=True))
    qtbot.waitUntil(lambda: settled(window))
    return window


def stranded(window) -> int:
    """Stranded UltraServers as the Totals dock shows them."""
    return int(window.totals.text("stranded").replace(",", ""))


def dual_fed_design(rack_kw: float = 400.0) -> Design:
    """One row of two single-rack UltraServers and a network rack, under a feed-A busway
    0.1 m south of the row's centre line and a feed-B busway 0.1 m north of it."""
    design = Design("Dual-fed row")
    design.halls.append(Hall("A", "Hall A", ((0, 0), (20, 0), (20, 10), (0, 10))))
    design.assumptions.update({"trn3-gen2-rack.racks_per_system": 1, "trn3-gen2-rack.it_power_kw": rack_kw})
    design.equipment.insert([
        Equipment("cdu1", "cdu-in-row", "A", 2.4, 3.0, 0.0),
        Equipment("us1-r1", "trn3-gen2-rack", "A", 3.0, 3.0, 0.0, "us1"),
        Equipment("us2-r1", "trn3-gen2-rack", "A", 3.6, 3.0, 0.0, "us2"),
        Equipment("net1", "network-rack", "A", 4.2, 3.0, 0.0),
        Equipment("bwA", "busway-1200a", "A", 2.0, 2.9, 0.0, None, (5.0, 2.9)),
        Equipment("bwB", "busway-1200a", "A", 2.0, 3.1, 0.0, None, (5.0, 3.1), {"feed": "B"}),
        Equipment("crah1", "crah", "A", 11.0, 8.5, 0.0),
    ])
    return design


# ====================================================================== the dock
def test_the_dock_lists_every_component_worst_first_with_the_verdict(small):
    dock = small.resilience
    assert dock.row_count() == 7  # two busways, a CDU, an air handler, two leaf racks, a spine rack
    model = dock.model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(7)]
    # bw1 powers us1 and both leaf racks us2 needs too: both stranded, 2 × 362.4 PFLOPS
    assert rows[0] == ["bw1", "Overhead busway 1200 A", "Hall A", "power", "2", "725"]
    # the one CDU and the one air handler strand both; so does the one spine rack (the
    # leaves can no longer reach each other) and bw2, which powers it (and us2); either
    # leaf rack alone has 64 server ports for the 2 × 36 = 72 EFA links: one short
    assert [r[0] for r in rows] == ["bw1", "bw2", "cdu1", "crah1", "spine1", "net1", "net2"]
    assert [r[4:] for r in rows[1:]] == [["2", "725"]] * 4 + [["1", "362"]] * 2
    assert dock.verdict_label.text() == "Losing bw1 strands 2 UltraServers (725 PFLOPS)"
    assert dock.redundancy_label.text() == "Declared redundancy: power N · cooling N · network N"
    assert dock.status_label.text() == "7 components tried · 7 strand compute"
    assert small.resilience_dock.toggleViewAction() in small.panels_menu.actions()


def test_the_table_sorts_by_a_column_and_filters_to_what_strands(small, qtbot):
    dock = small.resilience
    header = dock.view.horizontalHeader()
    header.setSortIndicator(FailuresModel.ID, Qt.SortOrder.AscendingOrder)
    assert [dock.failure_at(r).id for r in range(7)] == ["bw1", "bw2", "cdu1", "crah1", "net1", "net2", "spine1"]
    header.setSortIndicator(FailuresModel.STRANDED, Qt.SortOrder.AscendingOrder)
    assert [dock.failure_at(r).id for r in range(2)] == ["net1", "net2"]  # 1 each, then the 2s
    # move net2 off its row (unpowered): us2 is stranded already (net1's 64 ports take
    # us1's 36 links); losing bw1, bw2 (the spine rack's power), cdu1, crah1, spine1 or
    # net1 now strands us1 alone, losing net2 nothing more: the filter hides net2
    small.document.push(move_items(small.design, ["net2"], 0.0, 2.4))
    qtbot.waitUntil(lambda: settled(small) and dock.status_label.text() == "7 components tried · 6 strand compute")
    dock.only_check.setChecked(True)
    assert dock.row_count() == 6 and "net2" not in {dock.failure_at(r).id for r in range(6)}
    assert {dock.failure_at(r).stranded_systems for r in range(6)} == {("us1",)}


def test_picking_a_row_selects_the_component_and_the_racks_it_would_strand(small):
    small.resilience.view.selectRow(0)
    assert small.document.selection == ["bw1", "us1-r1", "us1-r2", "us2-r1", "us2-r2"]
    small.resilience.view.selectRow(1)   # bw2 powers us2 and the spine rack: both UltraServers
    assert small.document.selection == ["bw2", "us1-r1", "us1-r2", "us2-r1", "us2-r2"]
    small.resilience.view.selectRow(5)  # net2's 64 ports serve us1's 36 links, not all of us2's
    assert small.document.selection == ["net1", "us2-r1", "us2-r2"]


def test_a_drag_never_waits_for_the_resilience_check(small, qtbot):
    doc = small.document
    tried: list = []
    doc.resilience_changed.connect(tried.append)
    with qtbot.waitSignal(doc.evaluation_changed):
        doc.push(move_items(small.design, ["crah1"], -0.6, 0.0))
    assert tried == [] and doc.resilience_pending()  # the evaluation came first, alone
    assert small.resilience.status_label.text() == "Checking every single failure…"
    with qtbot.waitSignal(doc.resilience_changed, timeout=5000):
        pass
    assert len(tried) == 1 and tried[0].worst.id == "bw1"
    qtbot.waitUntil(lambda: small.resilience.status_label.text() == "7 components tried · 7 strand compute")


# ====================================================================== what-if
def test_fail_selected_strands_what_the_dock_said_and_restore_brings_it_back(small, qtbot):
    doc = small.document
    assert stranded(small) == 0 and not small.restore_action.isEnabled()
    assert small.problems.model.counts() == (0, 0)
    doc.select(["bw1"])
    assert small.fail_action.isEnabled()
    small.fail_action.trigger()
    assert doc.failed_ids == ("bw1",)
    qtbot.waitUntil(lambda: stranded(small) == 2)  # the metrics show the failed state
    banner = small.what_if_banner
    assert banner.isVisible()
    assert banner.text() == "What-if: bw1 failed — 2 UltraServers stranded (725 PFLOPS MXFP8)."
    # the problems too: what bw1 fed is unpowered
    assert [(v.kind, v.ids) for v in small.problems.model.violations] == [
        ("unpowered", ("us1-r1",)), ("unpowered", ("us1-r2",)), ("unpowered", ("net1",)), ("unpowered", ("net2",))]
    assert small.restore_action.isEnabled() and not small.fail_action.isEnabled()
    qtbot.mouseClick(banner.restore_button, Qt.MouseButton.LeftButton)
    assert doc.failed_ids == ()
    qtbot.waitUntil(lambda: stranded(small) == 0)
    assert not banner.isVisible() and small.problems.model.counts() == (0, 0)


def test_several_components_fail_at_once_and_racks_in_the_selection_are_left_alone(small, qtbot):
    doc = small.document
    doc.select(["us2-r1"])
    assert not small.fail_action.isEnabled()  # a rack is not a component a what-if fails
    doc.select(["net2", "us2-r1"])
    small.fail_action.trigger()
    assert doc.failed_ids == ("net2",)
    qtbot.waitUntil(lambda: stranded(small) == 1)   # net1's 64 ports: us2 is one short
    doc.select(["cdu1"])
    small.fail_action.trigger()  # adds to the what-if
    assert doc.failed_ids == ("net2", "cdu1")
    qtbot.waitUntil(lambda: stranded(small) == 2)
    assert small.what_if_banner.text() == "What-if: net2, cdu1 failed — 2 UltraServers stranded (725 PFLOPS MXFP8)."
    small.restore_action.trigger()
    qtbot.waitUntil(lambda: stranded(small) == 0)


def test_during_a_what_if_the_dock_shows_what_one_more_failure_strands(small, qtbot):
    doc = small.document
    doc.set_failed(["net2"])
    qtbot.waitUntil(lambda: settled(small) and "net2" not in {f.id for f in doc.resilience.single_failures})
    dock = small.resilience
    assert dock.row_count() == 6  # every component but net2
    assert dock.note_label.isVisible() and "net2 failed" in dock.note_label.text()
    # us2 is stranded already (net1's 64 ports): losing bw1 now strands one more, us1
    assert (dock.failure_at(0).id, dock.failure_at(0).stranded_systems) == ("bw1", ("us1",))
    assert dock.verdict_label.text() == "One more failure: losing bw1 strands 1 UltraServer (362 PFLOPS)"
    # the Inspector says the busway is failed
    doc.set_failed(["bw2"])
    small.inspector_dock.raise_()
    doc.select(["bw2"])
    qtbot.waitUntil(lambda: not small.updates_pending())
    evaluation = small.inspector.item_page.evaluation_box
    assert evaluation.status_label.text() == "Failed (what-if)"
    assert evaluation.failover_label.text() == "Failed in the what-if: it carries nothing"


def test_deleting_a_failed_component_ends_its_part_of_the_what_if(small, qtbot):
    from designer.model.commands import RemoveItems

    doc = small.document
    doc.set_failed(["bw1", "bw2"])
    doc.push(RemoveItems(("bw1",)))
    assert doc.failed_ids == ("bw2",)
    qtbot.waitUntil(lambda: small.what_if_banner.text().startswith("What-if: bw2 failed"))


def test_on_the_full_hall_sample_one_feed_lost_strands_nothing_both_strand_their_row(open_window, qtbot,
                                                                                     full_hall_path, catalog):
    window = open_window(read_design(full_hall_path, catalog))
    qtbot.waitUntil(lambda: settled(window))
    # the sample declares its redundancy and meets it
    assert window.resilience.verdict_label.text() == "N−1 safe: no single failure strands compute"
    assert window.resilience.redundancy_label.text() == "Declared redundancy: power 2N · cooling N+1 · network N+1"
    doc = window.document
    items, t = doc.evaluation.items, window.design.equipment
    rack = t.index["us1-r1"]
    feed_a, feed_b = t.ids[items.served_by_busway[rack]], t.ids[items.served_by_busway_b[rack]]
    doc.select([feed_a])
    window.fail_action.trigger()
    qtbot.waitUntil(lambda: not window.updates_pending() and window.what_if_banner.isVisible())
    assert stranded(window) == 0  # the other feed carries the row
    doc.select([feed_b])
    window.fail_action.trigger()
    qtbot.waitUntil(lambda: stranded(window) > 0)
    n = stranded(window)
    assert window.what_if_banner.text().startswith(f"What-if: {feed_a}, {feed_b} failed — {n:,} UltraServers")
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: stranded(window) == 0 and not window.what_if_banner.isVisible())


# ====================================================================== declared redundancy
def test_declaring_n_plus_1_power_makes_each_stranding_busway_a_problem_undoably(small, qtbot):
    doc = small.document
    doc.select([])
    small.inspector_dock.raise_()
    site = small.inspector.design_page.site_box
    combo = site.redundancy_combos["power"]
    assert [combo.itemText(k) for k in range(combo.count())] == ["N", "N+1", "2N"]
    assert combo.currentText() == "N"
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert small.design.site.extra["redundancy"] == {"power": "N+1"}
    assert doc.undo_stack.undoText() == "Declare power redundancy N+1"
    qtbot.waitUntil(lambda: settled(small) and doc.resilience.redundancy["power"] == "N+1")
    assert [(v.kind, v.ids, v.message) for v in small.problems.model.violations] == [
        ("redundancy", ("bw1",), "power is declared N+1, but losing bw1 strands 2 UltraServers (725 PFLOPS MXFP8)"),
        # bw2 powers us2 and the one spine rack: losing it cuts the fabric, both UltraServers
        ("redundancy", ("bw2",), "power is declared N+1, but losing bw2 strands 2 UltraServers (725 PFLOPS MXFP8)")]
    assert small.problems_dock.windowTitle() == "Problems (2)"
    assert small.resilience.redundancy_label.text() == \
        "Declared redundancy: power N+1 (not met) · cooling N · network N"
    # a what-if tries one failure more than declared: the design's redundancy errors stay as they were
    doc.set_failed(["cdu1"])
    qtbot.waitUntil(lambda: settled(small) and "cdu1" not in {f.id for f in doc.resilience.single_failures})
    assert [v.ids for v in small.problems.model.violations if v.kind == "redundancy"] == [("bw1",), ("bw2",)]
    assert small.resilience.redundancy_label.text() == "Declared redundancy: power N+1 · cooling N · network N"
    doc.clear_failed()
    doc.undo_stack.undo()
    assert "redundancy" not in small.design.site.extra
    qtbot.waitUntil(lambda: settled(small) and doc.resilience.redundancy["power"] == "N")
    assert small.problems.model.counts() == (0, 0)
    assert combo.currentText() == "N"


# ====================================================================== feeds in the Inspector
def test_a_rack_shows_both_feeds_and_a_busway_its_failover_load(open_window, qtbot):
    window = open_window(dual_fed_design())
    window.inspector_dock.raise_()
    doc = window.document
    doc.select(["us1-r1"])
    qtbot.waitUntil(lambda: not window.updates_pending())
    evaluation = window.inspector.item_page.evaluation_box
    assert evaluation.power_label.text() == "A: bwA, B: bwB"
    doc.select(["bwA"])
    qtbot.waitUntil(lambda: not window.updates_pending())
    page = window.inspector.item_page
    assert page.feed_combo.isVisible() and page.feed_combo.currentText() == "A"
    items = doc.evaluation.items
    row = window.design.equipment.index["bwA"]
    load, failover = items.load_kw[row], items.failover_kw[row]
    limit = items.limit_kw[row]
    assert load < limit < failover  # fine on both feeds, over its limit if B fails
    assert evaluation.load_label.text().startswith(f"{load:,.1f} kW of its {limit:,.1f} kW limit")
    assert evaluation.failover_label.text() == (f"{failover:,.1f} kW of its {limit:,.1f} kW limit "
                                                f"({failover / limit * 100:.0f} %) if the other feed fails"
                                                " — over the limit")
    assert "#b7791f" in evaluation.failover_label.styleSheet()  # amber: no power redundancy declared
    from designer.model.commands import SetSite

    doc.push(SetSite({"extra": {"redundancy": {"power": "2N"}}}))
    qtbot.waitUntil(lambda: "#c0392b" in evaluation.failover_label.styleSheet())  # red: 2N is not met


def test_a_busways_feed_is_edited_in_the_inspector_in_one_undo_step(open_window, qtbot):
    window = open_window(dual_fed_design(rack_kw=100.0))
    window.inspector_dock.raise_()
    doc = window.document
    doc.select(["bwB"])
    qtbot.waitUntil(lambda: not window.updates_pending())
    combo = window.inspector.item_page.feed_combo
    assert combo.currentText() == "B"
    combo.setCurrentIndex(combo.findData("A"))
    combo.activated.emit(combo.currentIndex())
    assert "feed" not in window.design.equipment.extra.get("bwB", {})  # A: the default
    assert doc.undo_stack.undoText() == "Put bwB on feed A"
    # both busways on feed A: each rack is served by one of them alone
    qtbot.waitUntil(lambda: int(doc.evaluation.items.served_by_busway_b.max()) == -1)
    doc.undo_stack.undo()
    assert window.design.equipment.extra["bwB"] == {"feed": "B"}
    qtbot.waitUntil(lambda: int(doc.evaluation.items.served_by_busway_b.max()) >= 0)


# ====================================================================== the palette
def test_the_palette_offers_each_busway_on_feed_a_and_on_feed_b(main_window):
    labels = [label for _, label in main_window.palette.entries()["Power"]]
    assert "Overhead busway 1200 A (feed A)" in labels and "Overhead busway 1200 A (feed B)" in labels
    entry = main_window.palette.item_for("busway-1200a", {"feed": "B"})
    mime = main_window.palette.tree.mimeData([entry])
    assert mime.hasFormat(EQUIPMENT_EXTRA_MIME) and equipment_extra_of(mime) == {"feed": "B"}


def test_dropping_the_feed_b_entry_places_a_busway_on_feed_b(open_window, qtbot):
    window = open_window()
    vp = window.plan_view.viewport()
    assert drag_drop(vp, equipment_mime("busway-1200a", {"feed": "B"}), at(window, 20.0, 12.0))
    assert drag_drop(vp, equipment_mime("busway-1200a"), at(window, 20.0, 18.0))
    t = window.design.equipment
    assert t.ids == ["bw1", "bw2"]
    assert t.extra.get("bw1") == {"feed": "B"} and not t.extra.get("bw2")
    qtbot.waitUntil(lambda: window.document.evaluation.busway_feeds == ["B", "A"])
    # a double-click on the entry places one in the middle of the view, on feed B too
    palette = window.palette
    entry = palette.item_for("busway-1200a", {"feed": "B"})
    palette.tree.itemActivated.emit(entry, 0)
    assert t.extra.get("bw3") == {"feed": "B"}
