"""The Metrics dock: key totals in a strip of tiles and four pyqtgraph charts.

Charts: busway load (% of the 80 % continuous-load limit), cooling-unit load (% of
CDU and air-handler capacity), the scale-out cable-length histogram stacked by
medium, and effective PFLOPS against facility MW over this session's evaluations.

Every chart keeps its plot items and only feeds them new numpy arrays
(``setOpts``/``setData``) on each evaluation, so a campus of 16,000 racks costs a
few array passes, not a rebuild. While the dock is hidden the charts wait and catch
up when it is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal  # PySide6 first: pyqtgraph uses it
from PySide6.QtGui import QColor, QCursor, QFont
from PySide6.QtWidgets import (
    QDockWidget, QFrame, QHBoxLayout, QLabel, QLayout, QSizePolicy, QToolTip, QVBoxLayout, QWidget, QWidgetItem,
)

import pyqtgraph as pg  # noqa: E402  (after PySide6 on purpose)

from designer.engine import Evaluation
from designer.engine.types import KIND_CODES
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle

pg.setConfigOptions(antialias=True, background="w", foreground="k")

DASH = "—"
#: Charts are redrawn at most this often (the header figures follow every evaluation).
CHART_INTERVAL_MS = 250
#: Bar colours: within the limit, close to it (≥ 90 %), over it (> 100 %).
OK_COLOR = QColor("#4e8fd6")
AIR_OK_COLOR = QColor("#5fb3a1")
NEAR_COLOR = QColor("#f0a202")
OVER_COLOR = QColor("#d62728")
LIMIT_COLOR = QColor("#c0392b")
NO_MEDIUM_COLOR = QColor("#7f7f7f")
HISTORY_COLOR = QColor("#9aa5b1")
LATEST_COLOR = QColor("#1f5fbf")
#: Bars at or above this share of their limit are drawn amber.
NEAR_LIMIT_PERCENT = 90.0
#: At most this many bar labels on a utilisation chart's x axis (every k-th id beyond).
MAX_TICK_LABELS = 16
#: Points of the throughput-vs-power history kept (oldest dropped first).
MAX_HISTORY = 400
#: Candidate histogram bin widths (m); the smallest giving at most MAX_BINS bins is used.
BIN_WIDTHS_M = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
MAX_BINS = 30
#: Utilisation charts are antialiased only while a bar is at least this wide (pixels).
BAR_ANTIALIAS_PX = 3.0


# ====================================================================== header tiles
def _get(report: dict, *keys: str) -> float:
    v = report
    for k in keys:
        v = v[k]
    return float(v)


def _cable_count(report: dict) -> str:
    return f"{int(_get(report, 'cables', 'links')):,}"


def _cable_metres(report: dict) -> str:
    metres = sum(float(m["metres"]) for m in report["cables"]["by_medium"].values())
    return f"{metres:,.0f} m"


#: (field name, caption, formatter(report) → text). Field names are stable for tests.
TILES: tuple[tuple[str, str, object], ...] = (
    ("chips", "Chips", lambda r: f"{int(r['chips']):,}"),
    ("ultraservers", "UltraServers", lambda r: f"{int(r['ultraservers']):,}"),
    ("peak_pflops", "Peak MXFP8", lambda r: f"{_get(r, 'throughput', 'peak', 'mxfp8_pflops'):,.1f} PFLOPS"),
    ("effective_pflops", "Effective MXFP8",
     lambda r: f"{_get(r, 'throughput', 'effective', 'mxfp8_pflops'):,.1f} PFLOPS"),
    ("it_mw", "IT load", lambda r: f"{_get(r, 'power', 'it_kw') / 1000:,.2f} MW"),
    ("facility_mw", "Facility", lambda r: f"{_get(r, 'power', 'facility_kw') / 1000:,.2f} MW"),
    ("pue", "PUE", lambda r: f"{_get(r, 'power', 'pue'):.2f}"),
    ("coolant_lpm", "Coolant", lambda r: f"{_get(r, 'cooling', 'coolant_lpm'):,.0f} L/min"),
    ("airflow_m3h", "Airflow", lambda r: f"{_get(r, 'cooling', 'airflow_m3h'):,.0f} m³/h"),
    ("cables", "Scale-out cables", _cable_count),
    ("cable_m", "Cable length", _cable_metres),
)


class _Tile(QFrame):
    """A caption above a value, like a dashboard figure."""

    def __init__(self, name: str, caption: str) -> None:
        super().__init__()
        self.setObjectName(f"metric_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 8, 3)
        layout.setSpacing(0)
        self.caption = QLabel(caption)
        small = self.caption.font()
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        self.caption.setFont(small)
        self.caption.setStyleSheet("color: #5f6368;")
        self.value = QLabel(DASH)
        bold = self.value.font()
        bold.setBold(True)
        self.value.setFont(bold)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to a new line when the width runs out
    (the Qt "Flow Layout" example), so the tiles fit a narrow dock."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 (Qt API)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


# ====================================================================== charts
def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
    return font


def _configure_plot(plot: pg.PlotWidget, title: str, x_label: str, y_label: str) -> pg.PlotItem:
    """Make a plot compact: small title and axis fonts, light grid, no context menu."""
    plot.setMinimumSize(170, 140)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    item = plot.getPlotItem()
    item.setTitle(title, size="9pt")
    font = _small_font()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setTickFont(font)
        axis.setStyle(tickTextOffset=3)
    item.setLabel("bottom", x_label, **{"font-size": "8pt"})
    item.setLabel("left", y_label, **{"font-size": "8pt"})
    item.showGrid(x=False, y=True, alpha=0.25)
    item.getViewBox().setMouseEnabled(x=True, y=False)
    item.setContentsMargins(0, 0, 8, 0)  # room for the last x tick label
    return item


def _empty_note(plot: pg.PlotWidget, text: str) -> pg.TextItem:
    note = pg.TextItem(text, color=(110, 110, 110), anchor=(0.5, 0.5))
    note.setZValue(10)
    plot.addItem(note, ignoreBounds=True)
    note.setPos(0.5, 0.5)
    return note


@dataclass
class BarGroup:
    """One colour of bars on a utilisation chart (bars of a kind, or over the limit)."""

    name: str
    item: pg.BarGraphItem


class UtilisationChart(pg.PlotWidget):
    """Bars of load as a percentage of a limit, one per unit, with a 100 % line.

    Bars are split by colour into a fixed set of :class:`pg.BarGraphItem`s (one brush
    each), so an update is a few ``setOpts`` calls whatever the number of bars. Hover
    names the unit; a click asks for it to be selected (:attr:`unit_clicked`).
    """

    unit_clicked = Signal(str)

    def __init__(self, title: str, limit_label: str, groups: dict[str, QColor], empty_text: str) -> None:
        super().__init__()
        self.plot_item = _configure_plot(self, title, "", "% of limit")
        self.plot_item.getAxis("bottom").setStyle(tickTextOffset=2)
        self._groups: dict[str, BarGroup] = {}
        for name, color in (*groups.items(), ("near", NEAR_COLOR), ("over", OVER_COLOR)):
            item = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.75,
                                   brush=pg.mkBrush(color), pen=pg.mkPen(color.darker(130), width=0.8))
            self.plot_item.addItem(item)
            self._groups[name] = BarGroup(name, item)
        self.limit_line = pg.InfiniteLine(pos=100.0, angle=0, movable=False,
                                          pen=pg.mkPen(LIMIT_COLOR, width=1.2, style=Qt.PenStyle.DashLine),
                                          label=limit_label,
                                          labelOpts={"position": 0.02, "color": LIMIT_COLOR, "anchors": [(0, 1), (0, 1)]})
        self.plot_item.addItem(self.limit_line)
        self.note = _empty_note(self, empty_text)
        self.ids: list[str] = []
        self.percent = np.zeros(0)
        self.overloaded = np.zeros(0, bool)
        self._count = -1
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def set_units(self, ids: list[str], percent: np.ndarray, group: np.ndarray, group_names: list[str],
                  overloaded: np.ndarray | None = None) -> None:
        """Show one bar per unit: ``percent`` of its limit, coloured by ``group_names[group]``
        (or amber / red when near / over the limit). ``overloaded`` marks units asked for
        more than they can give, although the load they serve stays within the limit."""
        self.ids = list(ids)
        self.percent = np.asarray(percent, float)
        n = len(self.ids)
        x = np.arange(n, dtype=float)
        self.overloaded = np.zeros(n, bool) if overloaded is None else np.asarray(overloaded, bool)
        over = (self.percent > 100.0 + 1e-9) | self.overloaded
        near = ~over & (self.percent >= NEAR_LIMIT_PERCENT)
        plain = ~over & ~near
        masks = {"near": near, "over": over}
        for g, name in enumerate(group_names):
            masks[name] = plain & (group == g)
        for name, bar_group in self._groups.items():
            m = masks.get(name)
            if m is None:
                m = np.zeros(n, bool)
            bar_group.item.setOpts(x=x[m], height=self.percent[m], y0=np.zeros(int(m.sum())))
        self.note.setVisible(n == 0)
        top = max(120.0, float(self.percent.max(initial=0.0)) * 1.08)
        if n != self._count:
            self._count = n
            self.plot_item.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
            self._set_ticks()
        self.plot_item.setYRange(0.0, top, padding=0)
        self.note.setPos(max(n, 1) / 2 - 0.5, top / 2)

    def _set_ticks(self) -> None:
        """Label every k-th bar so that the labels never run into each other."""
        n = len(self.ids)
        if n == 0:
            self.plot_item.getAxis("bottom").setTicks([[], []])
            return
        label_px = max(self.fontMetrics().horizontalAdvance(i) for i in self.ids) + 8
        width_px = max(self.plot_item.vb.width(), 1.0) if self.plot_item.vb.width() > 0 else self.width() * 0.8
        # bars a pixel or two wide (thousands of busways): antialiasing only blurs them, at
        # three times the cost of the whole chart
        self.setAntialiasing(width_px / n >= BAR_ANTIALIAS_PX)
        fit = max(1, int(width_px // label_px))
        step = max(1, math.ceil(n / min(fit, MAX_TICK_LABELS)))
        ticks = [(float(i), self.ids[i]) for i in range(0, n, step)]
        self.plot_item.getAxis("bottom").setTicks([ticks, []])

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if getattr(self, "ids", None):  # a resize may come while the chart is being built
            self._set_ticks()

    def bar_heights(self) -> dict[str, float]:
        """Unit id → bar height (% of its limit), as drawn."""
        return dict(zip(self.ids, self.percent.tolist()))

    def drawn_bars(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, height) of every bar as given to the plot items, sorted by x."""
        xs, hs = [], []
        for g in self._groups.values():
            xs.append(np.asarray(g.item.opts["x"], float))
            hs.append(np.asarray(g.item.opts["height"], float))
        x, h = np.concatenate(xs), np.concatenate(hs)
        order = np.argsort(x)
        return x[order], h[order]

    def _unit_at(self, scene_pos: QPointF) -> int | None:
        vb = self.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        i = int(round(p.x()))
        if 0 <= i < len(self.ids) and abs(p.x() - i) <= 0.4 and p.y() >= 0:
            return i
        return None

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        i = self._unit_at(scene_pos)
        if i is None:
            QToolTip.hideText()
            return
        text = f"{self.ids[i]}: {self.percent[i]:.0f} % of its limit"
        if self.overloaded[i]:
            text += " served; more is asked of it (see Problems)"
        QToolTip.showText(QCursor.pos(), text, self)

    def _on_mouse_clicked(self, event) -> None:
        i = self._unit_at(event.scenePos())
        if i is not None:
            self.unit_clicked.emit(self.ids[i])


class CableHistogram(pg.PlotWidget):
    """Scale-out links by routed length, stacked by cable medium (catalog colours)."""

    def __init__(self) -> None:
        super().__init__()
        self.plot_item = _configure_plot(self, "Cable lengths", "routed length (m)", "links")
        self.legend = self.plot_item.addLegend(offset=(4, 2), labelTextSize="8pt", colCount=4, verSpacing=-8,
                                               brush=pg.mkBrush(255, 255, 255, 200))
        self.note = _empty_note(self, "No scale-out links")
        self._items: list[pg.BarGraphItem] = []
        self._names: list[str] = []
        self._legend_shown: tuple[int, ...] = ()
        self.counts = np.zeros((0, 0))
        self.edges_m = np.zeros(1)

    def set_media(self, names: list[str], colors: list[QColor]) -> None:
        """The media to stack (catalog order) plus a last 'no medium reaches' group."""
        if names == self._names:
            return
        for item in self._items:
            self.plot_item.removeItem(item)
        self._items = []
        self._names = list(names)
        for color in colors:
            item = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=1.0, y0=np.zeros(0),
                                   brush=pg.mkBrush(color), pen=pg.mkPen(color.darker(125), width=0.6))
            self.plot_item.addItem(item)
            self._items.append(item)
        self._legend_shown = ()

    def set_links(self, length_m: np.ndarray, count: np.ndarray, medium: np.ndarray) -> None:
        """Bin links (``count`` cables per run) by length; medium ``-1`` = unreachable."""
        groups = len(self._items)
        length_m = np.asarray(length_m, float)
        count = np.asarray(count, float)
        longest = float(length_m.max(initial=0.0))
        width = next((w for w in BIN_WIDTHS_M if longest / w < MAX_BINS), BIN_WIDTHS_M[-1])
        bins = max(1, int(math.floor(longest / width)) + 1)
        b = np.minimum((length_m / width).astype(np.int64), bins - 1)
        g = np.where(medium >= 0, medium, groups - 1).astype(np.int64)
        counts = np.bincount(b * groups + g, weights=count, minlength=bins * groups).reshape(bins, groups) \
            if groups else np.zeros((bins, 0))
        self.counts = counts
        self.edges_m = np.arange(bins + 1) * width
        centres = (np.arange(bins) + 0.5) * width
        base = np.zeros(bins)
        present = []
        for k, item in enumerate(self._items):
            h = counts[:, k]
            m = h > 0
            item.setOpts(x=centres[m], height=h[m], y0=base[m], width=width * 0.85)
            base += h
            if m.any():
                present.append(k)
        if tuple(present) != self._legend_shown:
            self.legend.clear()
            for k in present:
                self.legend.addItem(self._items[k], self._names[k])
            self._legend_shown = tuple(present)
        total = float(base.max(initial=0.0))
        self.note.setVisible(total == 0)
        self.plot_item.setXRange(0.0, bins * width, padding=0.02)
        top = max(total * 1.3, 1.0)  # headroom for the legend
        self.plot_item.setYRange(0.0, top, padding=0)
        self.note.setPos(bins * width / 2, top / 2)


class ThroughputChart(pg.PlotWidget):
    """Effective MXFP8 PFLOPS against facility MW, one point per evaluation this session."""

    def __init__(self) -> None:
        super().__init__()
        self.plot_item = _configure_plot(self, "Compute vs power", "facility power (MW)", "effective PFLOPS")
        self.plot_item.getViewBox().setMouseEnabled(x=True, y=True)
        self.trail = pg.PlotDataItem(pen=pg.mkPen(HISTORY_COLOR, width=1), symbol="o", symbolSize=5,
                                     symbolBrush=pg.mkBrush(HISTORY_COLOR), symbolPen=None)
        self.latest = pg.ScatterPlotItem(size=11, brush=pg.mkBrush(LATEST_COLOR), pen=pg.mkPen("w", width=1.5))
        # the latest point in words, pinned to the top-left corner of the plot area
        self.label = pg.TextItem("", color=LATEST_COLOR, anchor=(0, 0))
        self.label.setFont(_small_font())
        self.label.setParentItem(self.plot_item.getViewBox())
        self.label.setPos(4, 2)
        self.plot_item.addItem(self.trail)
        self.plot_item.addItem(self.latest)
        self.mw: list[float] = []
        self.pflops: list[float] = []
        self._stale = False

    def clear_history(self) -> None:
        """Forget the session's points (another design was opened)."""
        self.mw, self.pflops = [], []
        self._redraw()

    def add_point(self, facility_mw: float, effective_pflops: float, redraw: bool = True) -> None:
        """Append an evaluation (repeats of the last point are not added); drawn now, or
        at the next :meth:`redraw` (the dock draws its charts a few times a second)."""
        if self.mw and self.mw[-1] == facility_mw and self.pflops[-1] == effective_pflops:
            return
        self.mw.append(facility_mw)
        self.pflops.append(effective_pflops)
        del self.mw[:-MAX_HISTORY], self.pflops[:-MAX_HISTORY]
        self._stale = True
        if redraw:
            self._redraw()

    def redraw(self) -> None:
        """Draw the points added since the last drawing."""
        if self._stale:
            self._redraw()

    def _redraw(self) -> None:
        self._stale = False
        x, y = np.asarray(self.mw), np.asarray(self.pflops)
        self.trail.setData(x, y)
        if len(x):
            self.latest.setData([x[-1]], [y[-1]])
            self.label.setText(f"{y[-1]:,.0f} PFLOPS at {x[-1]:,.2f} MW")
            # from the origin: the slope of a point is its PFLOPS per MW
            self.plot_item.setXRange(0.0, max(float(x.max()) * 1.15, 0.1), padding=0)
            self.plot_item.setYRange(0.0, max(float(y.max()) * 1.3, 1.0), padding=0)
        else:
            self.latest.setData([], [])
            self.label.setText("")


# ====================================================================== the dock
class MetricsDock(QWidget):
    """Totals and charts of the document's latest evaluation."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._dirty = False
        self._dock_visible = True  # False while another tab of our dock's tab group is in front

        self._tiles: dict[str, _Tile] = {}
        strip_widget = QWidget()
        strip = FlowLayout(strip_widget)
        for name, caption, _ in TILES:
            tile = _Tile(name, caption)
            self._tiles[name] = tile
            strip.addWidget(tile)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        strip_widget.setSizePolicy(policy)
        self.note = QLabel()
        self.note.setObjectName("metrics_note")
        self.note.setStyleSheet("color: #c0392b;")
        self.note.hide()

        self.busway_chart = UtilisationChart("Busway load", "80 % limit",
                                             {"busway": OK_COLOR}, "No busways")
        self.cooling_chart = UtilisationChart("Cooling load", "capacity",
                                              {"cdu": OK_COLOR, "air": AIR_OK_COLOR}, "No CDUs or air handlers")
        self.cable_chart = CableHistogram()
        self.throughput_chart = ThroughputChart()
        self.busway_chart.setToolTip("Load of each busway as a share of its continuous limit (80 % of its "
                                     "rating). Red: over the limit. Click a bar to select the busway.")
        self.cooling_chart.setToolTip("Heat load of each CDU (blue) and air handler (green) as a share of its "
                                      "capacity. Click a bar to select the unit.")
        self.cable_chart.setToolTip("Scale-out links by routed length, stacked by the cable medium chosen")
        self.throughput_chart.setToolTip("Effective MXFP8 PFLOPS against facility MW after each edit in this "
                                         "session; the blue dot is the current design")
        charts = QHBoxLayout()
        charts.setContentsMargins(0, 0, 0, 0)
        charts.setSpacing(4)
        for chart in (self.busway_chart, self.cooling_chart, self.cable_chart, self.throughput_chart):
            charts.addWidget(chart, 1)
        self.busway_chart.unit_clicked.connect(self._on_unit_clicked)
        self.cooling_chart.unit_clicked.connect(self._on_unit_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(strip_widget)
        layout.addWidget(self.note)
        layout.addLayout(charts, 1)

        # charts redraw at most 4 times a second, their text 10 times (a drag re-evaluates
        # on every mouse move); the last evaluation of a burst is always shown
        self._chart_throttle = Throttle(CHART_INTERVAL_MS, self._on_chart_turn, self)
        self._tiles_throttle = Throttle(TEXT_INTERVAL_MS, self._show_latest, self)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.evaluation_failed.connect(self._on_evaluation_failed)
        document.design_replaced.connect(self._on_design_replaced)
        if document.evaluation is not None:
            self._on_evaluation_changed(document.evaluation)

    # ------------------------------------------------------------------ API
    def text(self, name: str) -> str:
        """The text of a header tile (``chips``, ``effective_pflops``, ``it_mw``, …)."""
        return self._tiles[name].value.text()

    # ------------------------------------------------------------------ updates
    def _on_design_replaced(self) -> None:
        self.throughput_chart.clear_history()

    def _on_evaluation_failed(self, reason: str) -> None:
        self.note.setText(reason)
        self.note.show()

    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            for tile in self._tiles.values():
                tile.value.setText(DASH)
            return
        self._tiles_throttle.request()

    def _show_latest(self) -> None:
        evaluation = self.document.evaluation
        if evaluation is None:
            return  # failed since
        self.note.hide()
        report = evaluation.totals
        for name, _, fmt in TILES:
            try:
                text = fmt(report)
            except (KeyError, TypeError, ValueError):
                text = DASH
            self._tiles[name].value.setText(text)
        try:
            self.throughput_chart.add_point(_get(report, "power", "facility_kw") / 1000.0,
                                            _get(report, "throughput", "effective", "mxfp8_pflops"), redraw=False)
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
        if len(evaluation.status) != len(t):
            return  # a newer evaluation is on its way
        catalog = self.document.catalog
        kind_of_type = np.array([KIND_CODES.get(getattr(catalog.types.get(n), "kind", ""), -1)
                                 for n in t.types.names] or [-1], np.int64)
        kind = kind_of_type[t.type_code] if len(t) else np.zeros(0, np.int64)
        load, limit = evaluation.load_kw, evaluation.limit_kw
        ids = np.asarray(t.ids, dtype=object)

        # a busway asked for more than its limit serves up to the limit; the rest is unpowered
        over_ids = {i for v in evaluation.violations if v.kind == "power-capacity" for i in v.ids}
        bus = np.flatnonzero(kind == KIND_CODES["busway"])
        bus_ids = ids[bus].tolist()
        self.busway_chart.set_units(bus_ids, _percent(load[bus], limit[bus]), np.zeros(len(bus), np.int64),
                                    ["busway"], np.array([i in over_ids for i in bus_ids], bool))

        cdu, air = np.flatnonzero(kind == KIND_CODES["cdu"]), np.flatnonzero(kind == KIND_CODES["air-handler"])
        units = np.concatenate([cdu, air])
        self.cooling_chart.set_units(ids[units].tolist(), _percent(load[units], limit[units]),
                                     np.r_[np.zeros(len(cdu), np.int64), np.ones(len(air), np.int64)],
                                     ["cdu", "air"])

        media = [catalog.media.get(m) for m in evaluation.media]
        names = [m.short if m is not None else key for m, key in zip(media, evaluation.media)] + ["no medium"]
        colors = [QColor(m.color) if m is not None else NO_MEDIUM_COLOR for m in media] + [NO_MEDIUM_COLOR]
        self.cable_chart.set_media(names, colors)
        links = evaluation.links
        self.cable_chart.set_links(links.length_m, links.count, links.medium)

    def _on_unit_clicked(self, item_id: str) -> None:
        self.document.select([item_id])


def _percent(load_kw: np.ndarray, limit_kw: np.ndarray) -> np.ndarray:
    """Load as % of limit; a unit with no limit but some load counts as far over."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(limit_kw > 0, load_kw / np.where(limit_kw > 0, limit_kw, 1.0) * 100.0,
                       np.where(load_kw > 0, 999.0, 0.0))
    return pct
