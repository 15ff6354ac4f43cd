"""The Metrics and Problems docks: numbers equal to the engine's, problems that lead to their items."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from designer.engine.evaluation import STATUS_ERROR
from designer.engine.types import KIND_CODES
from designer.model import Design
from designer.model.commands import move_items
from designer.ui.docks.problems import ProblemsModel
from designer.ui.docks.status import STATUS_COLORS
from designer.ui.main_window import MainWindow
from tests.engine.helpers import NET, RACK, ROW_Y, busway, busway_limit_kw, hall, make_design, net, rack


def _kind_rows(window, kind: str) -> np.ndarray:
    t = window.design.equipment
    kinds = np.array([KIND_CODES[window.catalog.types[n].kind] for n in t.types.names])
    return np.flatnonzero(kinds[t.type_code] == KIND_CODES[kind])


@pytest.fixture
def small_window(qtbot, make_small_design, catalog, monkeypatch):
    """A main window on the small test hall with its leaves and spine (no problems), shown.

    pytest-qt closes the window before fixtures tear down, so closing must not ask to
    save (a refused dialog inside ``closeEvent`` leaves Qt in a bad state, even when the
    test failed half-way); the stack is marked clean before the window is deleted."""
    window = MainWindow(make_small_design(fabric=True), catalog=catalog)
    monkeypatch.setattr(window, "maybe_save", lambda: True)
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    show_metrics(window, qtbot)
    yield window
    window.document.undo_stack.setClean()


@pytest.fixture
def window(main_window, qtbot):
    """The pilot-sample window with the Metrics tab in front (an earlier test may have
    left another tab in front in the saved layout)."""
    show_metrics(main_window, qtbot)
    return main_window


def show_metrics(window, qtbot) -> None:
    window.metrics_dock.raise_()
    qtbot.waitUntil(window.metrics.charts_shown)
    qtbot.waitUntil(lambda: not window.metrics.updates_pending())


def _overlap_us2_onto_us1(window, qtbot):
    """Move us2-r1 onto us1-r1 (an overlap) as one undoable edit; wait for the evaluation."""
    window.document.push(move_items(window.design, ["us2-r1"], 0.0, -2.8))
    qtbot.waitUntil(lambda: any(v.kind == "overlap" for v in window.evaluation.violations))


# ====================================================================== metrics
def test_metrics_header_shows_the_report(window):
    report = window.evaluation.report()
    metrics = window.metrics
    assert window.metrics_dock.isVisible()
    assert metrics.text("chips") == f"{report['chips']:,}" == "1,152"
    assert metrics.text("ultraservers") == "8"
    assert metrics.text("peak_pflops") == f"{report['throughput']['peak']['mxfp8_pflops']:,.1f} PFLOPS" \
        == "2,899.6 PFLOPS"
    assert metrics.text("effective_pflops") == f"{report['throughput']['effective']['mxfp8_pflops']:,.1f} PFLOPS"
    assert metrics.text("it_mw") == f"{report['power']['it_kw'] / 1000:,.2f} MW"
    assert metrics.text("facility_mw") == f"{report['power']['facility_kw'] / 1000:,.2f} MW"
    assert metrics.text("pue") == f"{report['power']['pue']:.2f}"
    assert metrics.text("coolant_lpm") == f"{report['cooling']['coolant_lpm']:,.0f} L/min"
    assert metrics.text("airflow_m3h") == f"{report['cooling']['airflow_m3h']:,.0f} m³/h"
    links = sum(m["count"] for m in report["cables"]["by_medium"].values())
    metres = sum(m["metres"] for m in report["cables"]["by_medium"].values())
    # 8 UltraServers × 36 EFA links = 288 server → leaf links; the fabric above the leaves
    # (k = 64, o = 1: d = 32 server ports per switch, S1 = ceil(288 / 32) = 9 leaves) takes
    # U = 9 × 32 = 288 uplinks to the spine: 288 + 288 = 576 cables
    assert report["cables"]["links"] == 288 and report["network"]["fabric_links"] == 288
    assert metrics.text("cables") == f"{links:,}" == "576"
    assert metrics.text("cable_m") == f"{metres:,.0f} m"


def test_busway_chart_has_one_bar_per_busway_at_its_share_of_the_limit(window):
    ev = window.evaluation
    rows = _kind_rows(window, "busway")
    assert len(rows) == 5  # two per row of racks, one over the spine rack
    expected = ev.items.load_kw[rows] / ev.items.limit_kw[rows] * 100.0
    chart = window.metrics.busway_chart
    ids = [window.design.equipment.ids[r] for r in rows]
    assert chart.bar_heights() == pytest.approx(dict(zip(ids, expected)))
    # bw5 carries spine1 alone: 48 kW of its √3 × 415 V × 1200 A × 0.95 × 0.8 = 655.5 kW
    assert chart.bar_heights()["bw5"] == pytest.approx(48.0 / 655.5466 * 100.0)  # 7.3 %
    x, heights = chart.drawn_bars()
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert heights == pytest.approx(expected)


def test_cooling_chart_shows_cdus_and_air_handlers_against_capacity(window):
    ev = window.evaluation
    rows = np.concatenate([_kind_rows(window, "cdu"), _kind_rows(window, "air-handler")])
    ids = [window.design.equipment.ids[r] for r in rows]
    expected = ev.items.load_kw[rows] / ev.items.limit_kw[rows] * 100.0
    assert window.metrics.cooling_chart.bar_heights() == pytest.approx(dict(zip(ids, expected)))


def test_cable_histogram_counts_every_link_once_by_medium(window):
    report = window.evaluation.report()
    chart = window.metrics.cable_chart
    # 288 server → leaf links and 288 leaf → spine links (9 leaves × 32 uplinks)
    fabric = window.evaluation.fabric.links
    assert report["cables"]["links"] == 288 and fabric.count.sum() == report["network"]["fabric_links"] == 288
    assert chart.counts.sum() == 288 + 288
    media = window.evaluation.media
    for i, name in enumerate(media):
        assert chart.counts[:, i].sum() == report["cables"]["by_medium"][name]["count"]
    drawn = sum(float(np.sum(item.opts["height"])) for item in chart._items)
    assert drawn == 576
    # every link falls in the bin that holds its length: the longest is a fabric link to spine1
    longest = max(window.evaluation.items.links.length_m.max(), fabric.length_m.max())
    assert longest == pytest.approx(report["network"]["longest_fabric_link_m"])
    width = chart.edges_m[1] - chart.edges_m[0]
    longest_bin = int(longest // width)
    assert chart.counts[longest_bin].sum() > 0
    assert chart.counts[longest_bin + 1:].sum() == 0


def test_throughput_chart_adds_a_point_per_edit_and_marks_the_latest(small_window, qtbot):
    chart = small_window.metrics.throughput_chart
    assert len(chart.mw) == 1
    _overlap_us2_onto_us1(small_window, qtbot)
    totals = small_window.evaluation.totals
    qtbot.waitUntil(lambda: len(chart.mw) == 2)
    assert chart.pflops[-1] == totals["throughput"]["effective"]["mxfp8_pflops"]
    assert chart.pflops[-1] < chart.pflops[0]  # an overlap strands both UltraServers' share
    # drawn with the other charts, a few times a second at most
    qtbot.waitUntil(lambda: len(chart.trail.getData()[0]) == 2)
    x, y = chart.latest.getData()
    assert (x[0], y[0]) == (chart.mw[-1], chart.pflops[-1])


def test_metrics_catch_up_when_shown_again(small_window, qtbot):
    small_window.problems_dock.raise_()
    qtbot.waitUntil(lambda: not small_window.metrics.charts_shown())
    before = small_window.metrics.busway_chart.drawn_bars()[1].copy()
    _overlap_us2_onto_us1(small_window, qtbot)
    qtbot.waitUntil(lambda: not small_window.updates_pending())  # the tiles follow at most 10 times a second
    assert small_window.metrics._dirty  # nothing drawn while hidden behind the Problems tab
    assert small_window.metrics.busway_chart.drawn_bars()[1] == pytest.approx(before)
    small_window.metrics_dock.raise_()
    qtbot.waitUntil(small_window.metrics.charts_shown)
    qtbot.waitUntil(lambda: not small_window.updates_pending())  # the charts' redraw is throttled
    ev = small_window.evaluation
    rows = _kind_rows(small_window, "busway")
    _, heights = small_window.metrics.busway_chart.drawn_bars()
    assert heights == pytest.approx(ev.items.load_kw[rows] / ev.items.limit_kw[rows] * 100.0)


# ====================================================================== problems
def test_problems_list_every_violation_with_a_status_line(small_window, qtbot):
    problems = small_window.problems
    assert problems.row_count() == 0
    assert problems.status_label.text() == "0 errors, 0 warnings"
    _overlap_us2_onto_us1(small_window, qtbot)
    violations = small_window.evaluation.violations
    errors = sum(v.severity == "error" for v in violations)
    warnings = len(violations) - errors
    qtbot.waitUntil(lambda: problems.row_count() == len(violations))
    assert problems.status_label.text().startswith(f"{errors} error")
    assert f"{warnings} warning" in problems.status_label.text()
    assert small_window.problems_dock.windowTitle() == f"Problems ({len(violations)})"
    kinds = {problems.violation_at(r).kind for r in range(problems.row_count())}
    assert "overlap" in kinds
    # errors come first
    severities = [problems.violation_at(r).severity for r in range(problems.row_count())]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_double_clicking_a_problem_selects_its_racks_and_centres_the_plan(small_window, qtbot):
    _overlap_us2_onto_us1(small_window, qtbot)
    problems = small_window.problems
    small_window.problems_dock.raise_()
    problems.filter_edit.setText("overlap")
    assert problems.row_count() == 1
    violation = problems.violation_at(0)
    assert set(violation.ids) == {"us1-r1", "us2-r1"}
    view = problems.view
    cell = view.visualRect(problems.proxy.index(0, ProblemsModel.MESSAGE)).center()
    # a real double-click: press and release, then the double-click event (QTest sends only the latter)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert small_window.document.selection == list(violation.ids)
    plan = small_window.plan_view
    centre = plan.mapToScene(plan.viewport().rect().center())
    target = small_window.scene.hall_items[0].from_plan(violation.x, violation.y)
    assert abs(centre.x() - target.x()) < 0.5 and abs(centre.y() - target.y()) < 0.5
    assert plan.pixels_per_metre() >= 24.0 - 1e-6


def test_enter_on_a_problem_selects_it(small_window, qtbot):
    _overlap_us2_onto_us1(small_window, qtbot)
    problems = small_window.problems
    small_window.problems_dock.raise_()
    small_window.document.select([])
    problems.filter_edit.setText("us2-r1")
    row = next(r for r in range(problems.row_count()) if problems.violation_at(r).kind == "overlap")
    problems.view.setCurrentIndex(problems.proxy.index(row, 0))
    small_window.document.select([])  # a click already selects; Enter must do it too
    qtbot.keyClick(problems.view, Qt.Key.Key_Return)
    assert small_window.document.selection == list(problems.violation_at(row).ids)


def test_problems_filter_by_severity_and_text(small_window, qtbot):
    _overlap_us2_onto_us1(small_window, qtbot)
    problems = small_window.problems
    total = problems.row_count()
    violations = small_window.evaluation.violations
    problems.severity_combo.setCurrentIndex(1)  # errors
    assert problems.row_count() == sum(v.severity == "error" for v in violations)
    problems.severity_combo.setCurrentIndex(2)  # warnings
    assert problems.row_count() == sum(v.severity == "warning" for v in violations)
    assert all(problems.violation_at(r).severity == "warning" for r in range(problems.row_count()))
    problems.severity_combo.setCurrentIndex(0)
    problems.filter_edit.setText("no such thing")
    assert problems.row_count() == 0
    assert "(0 shown)" in problems.status_label.text()
    problems.filter_edit.clear()
    assert problems.row_count() == total


def test_clicking_a_column_header_sorts_the_problems(small_window, qtbot):
    _overlap_us2_onto_us1(small_window, qtbot)
    problems = small_window.problems
    small_window.problems_dock.raise_()
    qtbot.waitUntil(lambda: problems.row_count() == len(small_window.evaluation.violations))
    assert problems.row_count() >= 3
    header = problems.view.horizontalHeader()

    def column(attr):
        return [getattr(problems.violation_at(r), attr) for r in range(problems.row_count())]

    x = header.sectionViewportPosition(ProblemsModel.KIND) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    kinds = column("kind")
    assert kinds == sorted(kinds) and len(set(kinds)) > 1
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert column("kind") == sorted(kinds, reverse=True)
    # a new evaluation keeps the order the planner chose
    small_window.document.push(move_items(small_window.design, ["us2-r1"], 0.0, 0.1))
    qtbot.waitUntil(lambda: problems.row_count() == len(small_window.evaluation.violations))
    assert column("kind") == sorted(column("kind"), reverse=True)


def test_undo_clears_the_problems(small_window, qtbot):
    _overlap_us2_onto_us1(small_window, qtbot)
    small_window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: small_window.problems.row_count() == 0)
    assert small_window.problems_dock.windowTitle() == "Problems"


def test_history_lists_the_edits(small_window, qtbot):
    history = small_window.history.view
    assert history.model().rowCount() == 1  # "Opened design"
    _overlap_us2_onto_us1(small_window, qtbot)
    assert history.model().rowCount() == 2
    assert history.model().index(1, 0).data() == "Move"


def test_docks_are_where_the_planner_expects_them(main_window):
    area = main_window.dockWidgetArea
    assert area(main_window.metrics_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert area(main_window.problems_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert area(main_window.inspector_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert main_window.problems_dock in main_window.tabifiedDockWidgets(main_window.metrics_dock)
    assert main_window.assumptions_dock in main_window.tabifiedDockWidgets(main_window.inspector_dock)
    assert main_window.inspector_dock.isVisible() and main_window.totals_dock.isVisible()
    titles = [a.text() for a in main_window.panels_menu.actions()]
    assert {"Metrics", "Inspector", "Assumptions", "History"} <= set(titles)
    assert any(t.startswith("Problems") for t in titles)


def test_clicking_a_busway_bar_selects_the_busway(window, qtbot):
    chart = window.metrics.busway_chart
    vb = chart.plot_item.getViewBox()
    # the bar at x = 1 (second busway), halfway up its height
    scene_point = vb.mapViewToScene(QPointF(1.0, chart.percent[1] / 2))
    at = chart.mapFromScene(scene_point)
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at.x(), at.y()))
    qtbot.waitUntil(lambda: window.document.selection == [chart.ids[1]])


def _red_ids(chart) -> list[str]:
    return sorted(chart.ids[int(x)] for x in chart._groups["over"].item.opts["x"])


def test_a_busway_asked_for_more_than_its_limit_is_drawn_red(small_window, qtbot):
    # 400 kW racks: the two racks under each busway ask for more than its 656 kW continuous limit
    assert small_window.assumptions.set_value("trn3-gen2-rack.it_power_kw", "400")
    qtbot.waitUntil(lambda: any(v.kind == "power-capacity" for v in small_window.evaluation.violations))
    over = {i for v in small_window.evaluation.violations if v.kind == "power-capacity" for i in v.ids}
    chart = small_window.metrics.busway_chart
    qtbot.waitUntil(lambda: _red_ids(chart) == sorted(over))  # charts redraw at most 4 times a second
    assert over and over <= set(chart.ids)
    heights = chart.bar_heights()
    assert all(heights[i] > 100.0 for i in over)  # a busway's load is what its racks ask for


# ====================================================================== an overloaded busway
def overloaded_busway_design() -> Design:
    """A 6 m busway-1200a over 8 Trn3 Gen2 racks (4 UltraServers) and a network rack:
    they ask for more than its continuous limit (80 % of its rating)."""
    racks = [rack(f"us{k // 2 + 1}-r{k % 2 + 1}", 4.3 + 0.6 * k, system=f"us{k // 2 + 1}") for k in range(8)]
    return make_design([*racks, net("net1", 9.1), busway("bw1", (4.0, ROW_Y), (10.0, ROW_Y))],
                       [hall()], name="Overloaded busway")


def overload(catalog) -> tuple[float, float]:
    """(what the racks under bw1 ask for, bw1's continuous limit), kW, from the catalog."""
    demand = 8 * catalog.types[RACK].it_power_kw + catalog.types[NET].it_power_kw
    return demand, busway_limit_kw(catalog)


@pytest.fixture
def overloaded_window(open_window):
    return open_window(overloaded_busway_design())


def test_an_overloaded_busway_is_drawn_above_the_100_percent_line(overloaded_window, qtbot, catalog):
    window = overloaded_window
    show_metrics(window, qtbot)
    demand, limit = overload(catalog)
    percent = demand / limit * 100.0
    # 8 racks × 85 kW + a network rack's two switches (2 × 3.0 kW) = 686 kW against
    # √3 × 415 V × 1200 A × 0.95 × 0.8 = 655.5 kW: 104.6 %
    assert (demand, round(limit, 1)) == (686.0, 655.5) and percent == pytest.approx(104.65, abs=0.01)
    chart = window.metrics.busway_chart
    qtbot.waitUntil(lambda: chart.ids == ["bw1"])
    assert chart.bar_heights()["bw1"] == pytest.approx(percent)
    x, heights = chart.drawn_bars()
    assert x.tolist() == [0.0] and heights[0] == pytest.approx(percent)
    assert _red_ids(chart) == ["bw1"]
    bottom, top = chart.plot_item.getViewBox().viewRange()[1]
    assert bottom <= 0.0 and top > percent  # the whole bar is visible, above the 100 % line
    assert chart.limit_line.value() == 100.0


def test_the_inspector_shows_an_overloaded_busway_load_in_red(overloaded_window, qtbot, catalog):
    window = overloaded_window
    window.inspector_dock.raise_()
    window.document.select(["bw1"])
    demand, limit = overload(catalog)
    label = window.inspector.item_page.evaluation_box.load_label
    assert label.isVisibleTo(window.inspector)
    assert label.text() == f"{demand:,.1f} kW of its {limit:,.1f} kW limit ({demand / limit * 100:.0f} %)"
    label.ensurePolished()
    shown = label.palette().color(label.foregroundRole())
    assert shown == STATUS_COLORS[STATUS_ERROR]
    assert shown.red() > 150 and shown.green() < 100 and shown.blue() < 100  # red
