"""The Metrics dock: key totals in a strip of tiles and four charts.

Charts: busway load (what the racks beneath each busway ask for, as % of its 80 %
continuous-load limit), cooling-unit load (% of CDU and air-handler capacity), the
scale-out and fabric cable-length histogram stacked by medium, and effective PFLOPS against
facility MW over this session's evaluations. While the dock is hidden the charts wait
and catch up when it is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDockWidget, QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from designer.engine import Evaluation
from designer.engine.evaluation import STATUS_ERROR
from designer.engine.types import AIR, BUSWAY, CDU, KIND_CODES
from designer.ui.docks.by_type import ByTypeTable
from designer.ui.docks.charts import (
    AIR_OK_COLOR, NO_MEDIUM_COLOR, OK_COLOR, CableHistogram, ThroughputChart, UtilisationChart,
)
from designer.ui.docks.fields import Units, current_units
from designer.ui.docks.metric_tiles import MetricTiles
from designer.ui.docks.network import NetworkSection
from designer.ui.docks.report_text import figure
from designer.ui.docks.status import STATUS_COLORS
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle, column_layout, set_style_sheet

#: Charts are redrawn at most this often (the header figures follow every evaluation).
CHART_INTERVAL_MS = 250


def kind_codes(design, catalog) -> np.ndarray:
    """Per equipment row: the engine's kind code (``KIND_CODES``), -1 for a type the catalog lacks."""
    t = design.equipment
    of_type = np.array([KIND_CODES.get(getattr(catalog.types.get(n), "kind", ""), -1) for n in t.types.names]
                       or [-1], np.int64)
    return of_type[t.type_code] if len(t) else np.zeros(0, np.int64)


def percent_of_limit(load_kw: np.ndarray, limit_kw: np.ndarray) -> np.ndarray:
    """Load as % of limit; a unit with no limit but some load counts as far over."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(limit_kw > 0, load_kw / np.where(limit_kw > 0, limit_kw, 1.0) * 100.0,
                        np.where(load_kw > 0, 999.0, 0.0))


class _Contents(QWidget):
    """The Metrics' contents in their scroll area: as low as their wrapped tiles allow,
    not as tall as the charts would like (a scroll area grows a widget whose height
    depends on its width to its preferred height, and would always scroll)."""

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        layout = self.layout()
        if layout is not None and hasattr(layout, "minimumHeightForWidth"):
            return layout.minimumHeightForWidth(width)
        return super().heightForWidth(width)


class MetricsDock(QWidget):
    """Totals and charts of the document's latest evaluation."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._dirty = False
        self._dock_visible = True  # False while another tab of our dock's tab group is in front

        self.units = current_units()
        self.tiles = MetricTiles()
        self.note = QLabel()
        self.note.setObjectName("metrics_note")
        set_style_sheet(self.note, f"color: {STATUS_COLORS[STATUS_ERROR].name()};")
        self.note.hide()

        self.busway_chart = UtilisationChart("Busway load", "80 % limit",
                                             {"busway": OK_COLOR}, "No busways", unit_name="busways")
        self.cooling_chart = UtilisationChart("Cooling load", "capacity",
                                              {"cdu": OK_COLOR, "air": AIR_OK_COLOR}, "No CDUs or air handlers",
                                              unit_name="cooling units")
        self.cable_chart = CableHistogram()
        if self.units.imperial:
            self.cable_chart.set_length_units(self.units.length_factor, self.units.length_suffix.strip())
        self.throughput_chart = ThroughputChart()
        self.busway_chart.setToolTip("Load of each busway (what the racks beneath it ask for) as a share of its "
                                     "continuous limit (80 % of its rating). Red: over the limit. "
                                     "Click a bar to select the busway.")
        self.cooling_chart.setToolTip("Heat load of each CDU (blue) and air handler (green) as a share of its "
                                      "capacity. Click a bar to select the unit.")
        self.cable_chart.setToolTip("Scale-out links (server to leaf) and fabric links (leaf to spine, between "
                                    "halls) by routed length, stacked by the cable medium chosen")
        self.throughput_chart.setToolTip("Effective MXFP8 PFLOPS against facility MW after each edit in this "
                                         "session; the blue dot is the current design")
        charts = QHBoxLayout()
        charts.setContentsMargins(0, 0, 0, 0)
        charts.setSpacing(4)
        for chart in (self.busway_chart, self.cooling_chart, self.cable_chart, self.throughput_chart):
            charts.addWidget(chart, 1)
        for chart in (self.busway_chart, self.cooling_chart):
            chart.unit_clicked.connect(self._on_unit_clicked)
            chart.units_clicked.connect(self.document.select)  # a bin of the distribution (many units)

        self.by_type = ByTypeTable()  # throughput by compute type (issue 16)
        self.network = NetworkSection(document)  # the fabric above the leaves (issue 14)
        column_layout(self._scrolled(), self.tiles, self.by_type, self.network, self.note, (charts, 1))

        # charts redraw at most 4 times a second, their text 10 times (a drag re-evaluates
        # on every mouse move); the last evaluation of a burst is always shown
        self._chart_throttle = Throttle(CHART_INTERVAL_MS, self._on_chart_turn, self)
        self._tiles_throttle = Throttle(TEXT_INTERVAL_MS, self._show_latest, self)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.evaluation_failed.connect(self._on_evaluation_failed)
        document.design_replaced.connect(self._on_design_replaced)
        if document.evaluation is not None:
            self._on_evaluation_changed(document.evaluation)

    def _scrolled(self) -> QWidget:
        """The widget the dock's contents go in: inside a scroll area, so that on a small
        screen (1280 × 800) the dock can be lower than its contents and the plan keeps
        half the window; the contents fill the dock whenever it is tall enough."""
        inner = _Contents()
        inner.setObjectName("metrics_contents")
        scroll = QScrollArea()
        scroll.setObjectName("metrics_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        column_layout(self, scroll, margin=0)
        return inner

    # ------------------------------------------------------------------ API
    def set_units(self, units: Units) -> None:
        """Show lengths, coolant flow and airflow in these units (metric or imperial)."""
        if units != self.units:
            self.units = units
            self.cable_chart.set_length_units(units.length_factor, units.length_suffix.strip())
            if self.document.evaluation is not None:
                self.tiles.show_report(self.document.evaluation.totals, units)
                self.network.show_report(self.document.evaluation.totals, units)

    def text(self, name: str) -> str:
        """The text of a header tile (``chips``, ``effective_pflops``, ``it_mw``, …)."""
        return self.tiles.text(name)

    # ------------------------------------------------------------------ updates
    def _on_design_replaced(self) -> None:
        self.throughput_chart.clear_history()

    def _on_evaluation_failed(self, reason: str) -> None:
        self.note.setText(reason)
        self.note.show()

    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            self.tiles.clear()
            self.network.clear()
            return
        self._tiles_throttle.request()

    def _show_latest(self) -> None:
        evaluation = self.document.evaluation
        if evaluation is None:
            return  # failed since
        self.note.hide()
        report = evaluation.totals
        self.tiles.show_report(report, self.units)
        self.by_type.show_throughput(report.get("throughput"))
        self.network.show_report(report, self.units)
        try:
            self.throughput_chart.add_point(figure(report, "power", "facility_kw") / 1000.0,
                                            figure(report, "throughput", "effective", "mxfp8_pflops"), redraw=False)
        except (KeyError, TypeError, ValueError):
            pass
        self._dirty = True
        if self.charts_shown():  # else: catch up when shown
            self._chart_throttle.request()

    def updates_pending(self) -> bool:
        """Whether a newer evaluation is still to be drawn (its text or charts wait for
        their next turn: a few times a second during a drag)."""
        return self._tiles_throttle.pending() or (self._dirty and self._chart_throttle.pending())

    def charts_shown(self) -> bool:
        """Whether the charts can be seen (shown, and our dock's tab in front)."""
        return self.isVisible() and self._dock_visible

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ParentChange and isinstance(self.parentWidget(), QDockWidget):
            # a tabbed dock behind another stays "visible" to Qt; its visibilityChanged tells
            self.parentWidget().visibilityChanged.connect(self._on_dock_visibility_changed)
        return super().event(event)

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        self._dock_visible = visible
        if visible and self._dirty:
            self._update_charts()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._dirty and self.charts_shown():
            self._update_charts()

    def _on_chart_turn(self) -> None:
        if self._dirty and self.charts_shown():
            self._update_charts()

    def _update_charts(self) -> None:
        """Feed the charts from the pending evaluation (numpy over all equipment)."""
        self._dirty = False
        self.throughput_chart.redraw()
        evaluation = self.document.evaluation
        if evaluation is None:
            return
        design = self.document.design
        t = design.equipment
        if len(evaluation.items.status) != len(t):
            return  # a newer evaluation is on its way
        catalog = self.document.catalog
        kind = kind_codes(design, catalog)
        load, limit = evaluation.items.load_kw, evaluation.items.limit_kw
        ids = np.asarray(t.ids, dtype=object)

        bus = np.flatnonzero(kind == BUSWAY)
        self.busway_chart.set_units(ids[bus].tolist(), percent_of_limit(load[bus], limit[bus]),
                                    np.zeros(len(bus), np.int64), ["busway"])

        cdu, air = np.flatnonzero(kind == CDU), np.flatnonzero(kind == AIR)
        units = np.concatenate([cdu, air])
        self.cooling_chart.set_units(ids[units].tolist(), percent_of_limit(load[units], limit[units]),
                                     np.r_[np.zeros(len(cdu), np.int64), np.ones(len(air), np.int64)],
                                     ["cdu", "air"])

        media = [catalog.media.get(m) for m in evaluation.media]
        names = [m.short if m is not None else key for m, key in zip(media, evaluation.media)] + ["no medium"]
        colors = [QColor(m.color) if m is not None else NO_MEDIUM_COLOR for m in media] + [NO_MEDIUM_COLOR]
        self.cable_chart.set_media(names, colors)
        # every cable the report counts by medium: server → leaf links and the fabric's
        # runs above the leaves (leaf → spine, between halls)
        links = evaluation.items.links
        length_m, count, medium = links.length_m, links.count, links.medium
        fabric = getattr(evaluation, "fabric", None)
        if fabric is not None and len(fabric.links.a):
            length_m = np.concatenate([length_m, fabric.links.length_m])
            count = np.concatenate([count, fabric.links.count])
            medium = np.concatenate([medium, fabric.links.medium])
        self.cable_chart.set_links(length_m, count, medium)

    def _on_unit_clicked(self, item_id: str) -> None:
        self.document.select([item_id])
