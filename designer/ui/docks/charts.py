"""The Metrics dock's charts (pyqtgraph): load against a limit per unit, cable lengths
by medium, and compute against power over the session.

Every chart keeps its plot items and only feeds them new numpy arrays
(``setOpts``/``setData``), so a campus of 16,000 racks costs a few array passes, not
a rebuild.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal  # PySide6 first: pyqtgraph uses it
from PySide6.QtGui import QColor, QCursor, QFont
from PySide6.QtWidgets import QToolTip

import pyqtgraph as pg  # noqa: E402  (after PySide6 on purpose)

from designer.engine.evaluation import STATUS_ERROR
from designer.ui.docks.status import STATUS_COLORS

pg.setConfigOptions(antialias=True, background="w", foreground="k")

#: Bar colours: within the limit, close to it (≥ 90 %), over it (> 100 %), and the limit line.
OK_COLOR = QColor("#4e8fd6")
AIR_OK_COLOR = QColor("#5fb3a1")
NEAR_COLOR = QColor("#f0a202")
OVER_COLOR = STATUS_COLORS[STATUS_ERROR]
LIMIT_COLOR = STATUS_COLORS[STATUS_ERROR]
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
#: Above this many units a utilisation chart shows how many units sit at each load
#: (a histogram of % of limit) instead of one bar per unit (a solid block at campus scale).
MAX_UNIT_BARS = 120
#: Width of a load bin (percentage points) and the last bin's lower edge (all beyond it).
LOAD_BIN_PERCENT = 10.0
LOAD_BINS_UP_TO_PERCENT = 200.0
#: SI prefixes by power of 1000 (k … E), for PFLOPS shown as TFLOPS … EFLOPS and W as kW … GW.
_SI = {-1: "m", 0: "", 1: "k", 2: "M", 3: "G", 4: "T", 5: "P", 6: "E", 7: "Z"}


def si_text(value: float, unit: str, digits: int = 3) -> str:
    """``value`` (in base units) with an SI prefix and about ``digits`` significant
    digits: ``si_text(1.45e18, "FLOPS")`` → ``"1.45 EFLOPS"``, ``si_text(7.04e5, "W")`` → ``"704 kW"``."""
    if value == 0 or not math.isfinite(value):
        return f"0 {unit}" if value == 0 else f"{value} {unit}"
    power = max(min(int(math.floor(math.log10(abs(value)) / 3)), max(_SI)), min(_SI))
    shown = value / 1000.0 ** power
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(shown)))))
    return f"{shown:,.{decimals}f} {_SI[power]}{unit}"


def power_text_mw(mw: float) -> str:
    """A facility power given in MW, with the prefix that reads best (704 kW, 1.59 MW, 1.20 GW)."""
    return si_text(mw * 1e6, "W")


def flops_text(pflops: float) -> str:
    """PFLOPS with the prefix that reads best (950 TFLOPS, 1,450 PFLOPS → 1.45 EFLOPS)."""
    return si_text(pflops * 1e15, "FLOPS")


class ReadableAxis(pg.AxisItem):
    """An axis whose tick labels never turn into ``3e+06``: whole numbers get thousands
    separators (with a unit set, pyqtgraph's SI prefix keeps them short: kW, MW, EFLOPS)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing * scale > 0 else 0
        out = []
        for v in values:
            vs = v * scale
            if abs(vs) >= 1000 or places == 0:
                out.append(f"{vs:,.0f}")
            else:
                out.append(f"{vs:,.{places}f}")
        return out


def _axes() -> dict:
    return {"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")}


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
    return font


def _configure_plot(plot: pg.PlotWidget, title: str, x_label: str, y_label: str) -> pg.PlotItem:
    """Make a plot compact: small title and axis fonts, light grid, no context menu."""
    # (150 px: title, limit label, bars and axis labels all fit; on a 1280 × 800 screen the
    # Metrics dock scrolls rather than squeeze them, and the plan keeps half the height)
    plot.setMinimumSize(170, 150)
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
    """Bars of load as a percentage of a limit, one per unit, with a 100 % line; with
    more than :data:`MAX_UNIT_BARS` units, a histogram: how many units sit at each 10 %
    of load (stacked by colour), with the 100 % line upright.

    Bars are split by colour into a fixed set of :class:`pg.BarGraphItem`s (one brush
    each), so an update is a few ``setOpts`` calls whatever the number of bars. Hover
    names the unit (or counts the bin); a click asks for it to be selected
    (:attr:`unit_clicked`; a bin's units: :attr:`units_clicked`).
    """

    unit_clicked = Signal(str)
    units_clicked = Signal(list)

    def __init__(self, title: str, limit_label: str, groups: dict[str, QColor], empty_text: str,
                 unit_name: str = "units") -> None:
        super().__init__(axisItems=_axes())
        self.plot_item = _configure_plot(self, title, "", "% of limit")
        self.plot_item.getAxis("bottom").setStyle(tickTextOffset=2)
        self.title = title
        self.unit_name = unit_name
        #: True while the chart shows the distribution of load (many units), not a bar each
        self.histogram = False
        self.bin_counts = np.zeros(0, np.int64)
        self._bin_of = np.zeros(0, np.int64)
        self._groups: dict[str, BarGroup] = {}
        for name, color in (*groups.items(), ("near", NEAR_COLOR), ("over", OVER_COLOR)):
            item = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.75,
                                   brush=pg.mkBrush(color), pen=pg.mkPen(color.darker(130), width=0.8))
            self.plot_item.addItem(item)
            self._groups[name] = BarGroup(name, item)
        self.limit_line = pg.InfiniteLine(pos=100.0, angle=0, movable=False,
                                          pen=pg.mkPen(LIMIT_COLOR, width=1.2, style=Qt.PenStyle.DashLine),
                                          label=limit_label,
                                          labelOpts={"position": 0.02, "color": LIMIT_COLOR,
                                                     "anchors": [(0, 1), (0, 1)]})
        self.plot_item.addItem(self.limit_line)
        self.note = _empty_note(self, empty_text)
        self.ids: list[str] = []
        self.percent = np.zeros(0)
        self._count = -1
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def set_units(self, ids: list[str], percent: np.ndarray, group: np.ndarray, group_names: list[str]) -> None:
        """Show one bar per unit: ``percent`` of its limit, coloured by ``group_names[group]``
        (or amber / red when near / over the limit). The y axis reaches past the tallest
        bar, so a unit over its limit shows how far over it is."""
        self.ids = list(ids)
        self.percent = np.asarray(percent, float)
        n = len(self.ids)
        histogram = n > MAX_UNIT_BARS
        if histogram != self.histogram:
            self._set_mode(histogram)
        if histogram:
            self._show_distribution(np.asarray(group), group_names)
            return
        x = np.arange(n, dtype=float)
        over = self.percent > 100.0 + 1e-9
        near = ~over & (self.percent >= NEAR_LIMIT_PERCENT)
        plain = ~over & ~near
        masks = {"near": near, "over": over}
        for g, name in enumerate(group_names):
            masks[name] = plain & (group == g)
        for name, bar_group in self._groups.items():
            m = masks.get(name)
            if m is None:
                m = np.zeros(n, bool)
            bar_group.item.setOpts(x=x[m], height=self.percent[m], y0=np.zeros(int(m.sum())), width=0.75)
        self.note.setVisible(n == 0)
        top = max(120.0, float(self.percent.max(initial=0.0)) * 1.08)
        if n != self._count:
            self._count = n
            self.plot_item.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
            self._set_ticks()
        self.plot_item.setYRange(0.0, top, padding=0)
        self.note.setPos(max(n, 1) / 2 - 0.5, top / 2)

    # ------------------------------------------------------------------ many units
    def _set_mode(self, histogram: bool) -> None:
        """Switch between a bar per unit and the distribution of load."""
        self.histogram = histogram
        self._count = -1
        item = self.plot_item
        if histogram:
            self.limit_line.setAngle(90)
            self.limit_line.label.anchors = [(0, 0), (0, 0)]
            self.limit_line.label.setPosition(0.95)
            item.setLabel("bottom", "% of limit", **{"font-size": "8pt"})
            item.setLabel("left", self.unit_name, **{"font-size": "8pt"})
            ticks = [(float(v), f"{v:g}") for v in np.arange(0.0, LOAD_BINS_UP_TO_PERCENT, 50.0)]
            ticks.append((LOAD_BINS_UP_TO_PERCENT + LOAD_BIN_PERCENT / 2, f"≥{LOAD_BINS_UP_TO_PERCENT:g}"))
            item.getAxis("bottom").setTicks([ticks, []])
            item.getViewBox().setMouseEnabled(x=False, y=False)
            self.setAntialiasing(True)
        else:
            self.limit_line.setAngle(0)
            self.limit_line.label.anchors = [(0, 1), (0, 1)]
            self.limit_line.label.setPosition(0.02)
            item.setLabel("bottom", "", **{"font-size": "8pt"})
            item.setLabel("left", "% of limit", **{"font-size": "8pt"})
            item.getViewBox().setMouseEnabled(x=True, y=False)
        self.limit_line.setPos(100.0)
        item.setTitle(self.title, size="9pt")

    def _show_distribution(self, group: np.ndarray, group_names: list[str]) -> None:
        """How many units at each 10 % of load, stacked: plain (by group), near, over."""
        n = len(self.ids)
        nbins = int(LOAD_BINS_UP_TO_PERCENT / LOAD_BIN_PERCENT) + 1
        p = np.nan_to_num(self.percent, nan=0.0, posinf=LOAD_BINS_UP_TO_PERCENT)
        b = np.clip((np.maximum(p, 0.0) // LOAD_BIN_PERCENT).astype(np.int64), 0, nbins - 1)
        self._bin_of = b
        over = p > 100.0 + 1e-9
        near = ~over & (p >= NEAR_LIMIT_PERCENT)
        plain = ~over & ~near
        masks = {"near": near, "over": over}
        for g, name in enumerate(group_names):
            masks[name] = plain & (group == g)
        centres = (np.arange(nbins) + 0.5) * LOAD_BIN_PERCENT
        base = np.zeros(nbins)
        for name, bar_group in self._groups.items():
            m = masks.get(name)
            counts = np.bincount(b[m], minlength=nbins).astype(float) if m is not None else np.zeros(nbins)
            shown = counts > 0
            bar_group.item.setOpts(x=centres[shown], height=counts[shown], y0=base[shown],
                                   width=LOAD_BIN_PERCENT * 0.9)
            base += counts
        self.bin_counts = base.astype(np.int64)
        over_n = int(over.sum())
        self.plot_item.setTitle(f"{self.title}: {n:,} {self.unit_name}"
                                + (f", {over_n:,} over" if over_n else ""), size="9pt")
        top = max(float(base.max(initial=0.0)) * 1.15, 1.0)
        self.plot_item.setXRange(-LOAD_BIN_PERCENT * 0.2, nbins * LOAD_BIN_PERCENT + LOAD_BIN_PERCENT * 0.2,
                                 padding=0)
        self.plot_item.setYRange(0.0, top, padding=0)
        self.note.setVisible(False)

    def _bin_at(self, scene_pos: QPointF) -> int | None:
        vb = self.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        k = int(p.x() // LOAD_BIN_PERCENT)
        if 0 <= k < len(self.bin_counts) and self.bin_counts[k] > 0 and 0 <= p.y() <= self.bin_counts[k]:
            return k
        return None

    def bin_text(self, k: int) -> str:
        """What a bin of the distribution holds, in words."""
        lo = k * LOAD_BIN_PERCENT
        span = (f"{lo:g}–{lo + LOAD_BIN_PERCENT:g} %" if lo < LOAD_BINS_UP_TO_PERCENT
                else f"{LOAD_BINS_UP_TO_PERCENT:g} % or more")
        return f"{int(self.bin_counts[k]):,} {self.unit_name} at {span} of their limit (click to select them)"

    def ids_in_bin(self, k: int) -> list[str]:
        """The units a bin of the distribution counts."""
        return [self.ids[i] for i in np.flatnonzero(self._bin_of == k)]

    def _set_ticks(self) -> None:
        """Label every k-th bar so that the labels never run into each other."""
        if self.histogram:
            return
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
        if getattr(self, "ids", None) and not self.histogram:  # a resize may come while the chart is being built
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
        if self.histogram:
            k = self._bin_at(scene_pos)
            if k is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(QCursor.pos(), self.bin_text(k), self)
            return
        i = self._unit_at(scene_pos)
        if i is None:
            QToolTip.hideText()
            return
        QToolTip.showText(QCursor.pos(), f"{self.ids[i]}: {self.percent[i]:.0f} % of its limit", self)

    def _on_mouse_clicked(self, event) -> None:
        if self.histogram:
            k = self._bin_at(event.scenePos())
            if k is not None:
                self.units_clicked.emit(self.ids_in_bin(k))
            return
        i = self._unit_at(event.scenePos())
        if i is not None:
            self.unit_clicked.emit(self.ids[i])


class CableHistogram(pg.PlotWidget):
    """Scale-out links by routed length, stacked by cable medium (catalog colours)."""

    def __init__(self) -> None:
        super().__init__(axisItems=_axes())
        self.plot_item = _configure_plot(self, "Cable lengths", "routed length (m)", "links")
        self.legend = self.plot_item.addLegend(offset=(4, 2), labelTextSize="8pt", colCount=4, verSpacing=-8,
                                               brush=pg.mkBrush(255, 255, 255, 200))
        self.note = _empty_note(self, "No scale-out links")
        self._items: list[pg.BarGraphItem] = []
        self._names: list[str] = []
        self._legend_shown: tuple[int, ...] = ()
        self.counts = np.zeros((0, 0))
        self.edges_m = np.zeros(1)

    def set_length_units(self, factor: float, suffix: str) -> None:
        """Label the length axis in other units (feet: factor 1/0.3048, suffix "ft"); the
        bins stay in metres, the ticks fall on round numbers of the unit shown."""
        self.plot_item.getAxis("bottom").setScale(factor)
        self.plot_item.setLabel("bottom", f"routed length ({suffix})", **{"font-size": "8pt"})

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
        super().__init__(axisItems=_axes())
        # plotted in MW and PFLOPS; the axes scale them to W and FLOPS, so that pyqtgraph's
        # SI prefix reads kW/MW/GW and TFLOPS/PFLOPS/EFLOPS instead of "(x0.001)" or "3e+06"
        self.plot_item = _configure_plot(self, "Compute vs power", "", "")
        self.plot_item.setLabel("bottom", "facility power", units="W", **{"font-size": "8pt"})
        self.plot_item.setLabel("left", "effective MXFP8", units="FLOPS", **{"font-size": "8pt"})
        self.plot_item.getAxis("bottom").setScale(1e6)
        self.plot_item.getAxis("left").setScale(1e15)
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
            self.label.setText(f"{flops_text(y[-1])} at {power_text_mw(x[-1])}")
            # from the origin: the slope of a point is its PFLOPS per MW
            self.plot_item.setXRange(0.0, max(float(x.max()) * 1.15, 0.1), padding=0)
            self.plot_item.setYRange(0.0, max(float(y.max()) * 1.3, 1.0), padding=0)
        else:
            self.latest.setData([], [])
            self.label.setText("")
