"""The legend of the plan view: a strip along the bottom of the canvas listing the
colour mode's classes and each overlay's colours, section by section."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from designer.ui.canvas.overlays.aisles import COLD_AISLE, HOT_AISLE, NARROW_AISLE
from designer.ui.canvas.overlays.cables import UNREACHABLE_CABLE
from designer.ui.canvas.overlays.clearances import CLEARANCE_BLOCKED, CLEARANCE_FRONT, CLEARANCE_REAR
from designer.ui.canvas.overlays.feeds import AIR_LINE_LIGHT, BUSWAY_GLOW, CDU_LINE, FEED_A, FEED_B
from designer.ui.canvas.overlays.heat import HEAT_LUT, heat_scale_w_m2
from designer.ui.canvas.overlays.network import media_of_fabric, unreachable_runs
from designer.ui.canvas.overlays.options import ViewOptions
from designer.ui.canvas.painting import with_alpha
from designer.ui.canvas.styles import (
    DENSITY_COLORS, DENSITY_EDGES_KW_M2, NO_LOAD_COLOR, STATUS_CLASS_COLORS, STATUS_CLASSES, STATUS_UNCOOLED,
    STATUS_UNPOWERED,
)


@dataclass
class LegendEntry:
    """One item of the legend: a swatch (``box``, ``line``, ``cross``, ``diamond``) with
    its label, or a colour ramp (``ramp``: continuous, labels at its ends; ``steps``:
    one block per class, ``ticks`` between the blocks)."""

    shape: str
    color: QColor
    label: str = ""
    edge: QColor | None = None
    style: Qt.PenStyle = Qt.PenStyle.SolidLine
    width: float = 2.0
    ramp: tuple[QColor, ...] = ()
    end_label: str = ""
    ticks: tuple[str, ...] = ()


def legend_sections(options: ViewOptions) -> list[tuple[str, list[LegendEntry]]]:
    """(title, entries) for the colour mode (unless by type) and each overlay shown."""
    styles = options.styles()
    out: list[tuple[str, list[LegendEntry]]] = []
    if options.colour_mode == "density":
        edges = [f"{e:g}" for e in DENSITY_EDGES_KW_M2]
        out.append(("Power density (kW/m² of footprint)", [
            LegendEntry("steps", DENSITY_COLORS[-1], ramp=tuple(DENSITY_COLORS), ticks=tuple(edges)),
            LegendEntry("box", NO_LOAD_COLOR, "no IT load")]))
    elif options.colour_mode == "status":
        n = len(STATUS_CLASSES) - (0 if options.evaluation is None else 1)
        out.append(("Status", [LegendEntry("box", STATUS_CLASS_COLORS[i], STATUS_CLASSES[i]) for i in range(n)]))
    shown = options.shown
    if "heat" in shown and styles is not None:
        scale = heat_scale_w_m2(styles) / 1000.0
        ramp = tuple(QColor(int(r), int(g), int(b), int(a)) for r, g, b, a in HEAT_LUT[1::8])
        out.append((f"Heat (kW/m², {styles.heat_cell_m:g} m cells)",
                    [LegendEntry("ramp", ramp[-1], "0", ramp=ramp, end_label=f"{scale:g}")]))
    if "cables" in shown:
        entries = [LegendEntry("line", color, short) for short, color in options.media_in_use()]
        ev = options.evaluation_for(options.scene.design)
        if ev is not None and any(v.kind == "cable-reach" for v in ev.violations):
            entries.append(LegendEntry("line", UNREACHABLE_CABLE, "beyond reach", style=Qt.PenStyle.DashLine))
        title = "Cable routes"
        if "network" in shown:  # one section: the media (server and fabric links) share their colours
            title = "Cable routes; fabric: dark edge"
            entries += [e for e in network_legend(options) if e.label.startswith("between halls")]
        out.append((title, entries or [LegendEntry("line", QColor("#999999"), "no scale-out links")]))
    if "network" in shown and "cables" not in shown:
        out.append(("Network fabric: leaf → spine", network_legend(options)))
    if "clearances" in shown and styles is not None:
        out.append(("Service clearances", [
            LegendEntry("box", with_alpha(CLEARANCE_FRONT, 70), f"front {styles.front_m:g} m", CLEARANCE_FRONT),
            LegendEntry("box", with_alpha(CLEARANCE_REAR, 70), f"rear {styles.rear_m:g} m", CLEARANCE_REAR),
            LegendEntry("box", with_alpha(CLEARANCE_BLOCKED, 130), "blocked", CLEARANCE_BLOCKED)]))
    if "assignment" in shown:
        out.append(("Cooling and power feeds", [
            LegendEntry("line", CDU_LINE, "to its CDU", width=1.5),
            LegendEntry("line", AIR_LINE_LIGHT, "to its air handler", width=1.5),
            LegendEntry("line", FEED_A, "feed A: busway, drop", width=4.0),
            LegendEntry("line", FEED_B, "feed B: busway, drop", width=4.0),
            LegendEntry("line", BUSWAY_GLOW, "busway feeding racks", width=7.0),
            LegendEntry("cross", STATUS_CLASS_COLORS[STATUS_UNPOWERED], "unpowered"),
            LegendEntry("diamond", STATUS_CLASS_COLORS[STATUS_UNCOOLED], "uncooled")]))
    if "aisles" in shown:
        out.append(("Aisles", [LegendEntry("box", with_alpha(COLD_AISLE, 60), "cold (fronts)", COLD_AISLE),
                               LegendEntry("box", with_alpha(HOT_AISLE, 60), "hot (backs)", HOT_AISLE),
                               LegendEntry("box", with_alpha(NARROW_AISLE, 90), "too narrow", NARROW_AISLE)]))
    return out


def network_legend(options: ViewOptions) -> list[LegendEntry]:
    """The network overlay's entries: leaf → spine links by medium, the lines between
    spine rooms (zoomed out), links beyond reach."""
    styles = options.styles()
    ev = options.evaluation_for(options.scene.design)
    media = list(styles.media.values()) if styles is not None else []
    used = [m for m in media_of_fabric(ev) if m < len(media)]
    entries = [LegendEntry("line", media[m][1], media[m][0]) for m in used]
    fab = getattr(ev, "fabric", None)
    if fab is not None and bool(fab.links.inter_hall.any()):
        # thin lines in the same medium colours, spine room to spine room (zoomed out)
        entries.append(LegendEntry("line", QColor("#6b6f76"), "between halls (thin)", width=1.0))
    if unreachable_runs(ev):
        entries.append(LegendEntry("line", UNREACHABLE_CABLE, "beyond reach", style=Qt.PenStyle.DashLine))
    return entries or [LegendEntry("line", QColor("#999999"), "no fabric links (one leaf, or no spine rack)")]


@dataclass
class _Placed:
    """A legend entry (or a section title) and where it is drawn, in widget pixels."""

    entry: LegendEntry | None
    rect: QRectF
    title: str = ""


class PlanLegend(QWidget):
    """The legend of the plan view: a strip along the bottom of the canvas, in a margin
    the view keeps free for it, so that it never covers the plan. It lists the colour
    mode's classes and each overlay's colours, section by section, and is hidden (and
    the margin given back) while racks are coloured by type and no overlay is shown.

    Transparent to the mouse, so that it never gets in the way of editing.
    """

    PAD = 6
    ROW = 16
    ROWS = 3           # entries per column inside a section
    GAP = 22           # between sections
    SWATCH = QSize(22, 10)
    RAMP_W = 170
    STEP_W = 24

    def __init__(self, view) -> None:
        super().__init__(view)
        self.setObjectName("plan_legend")
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.title_font = QFont()
        self.title_font.setPixelSize(11)
        self.title_font.setBold(True)
        self.text_font = QFont()
        self.text_font.setPixelSize(11)
        self.sections: list[tuple[str, list[LegendEntry]]] = []
        self._placed: list[_Placed] = []
        self._separators: list[float] = []
        self._height = 0
        self.options = view.plan_scene().view_options
        self.options.changed.connect(self._on_options_changed)
        view.installEventFilter(self)
        self.hide()
        self._on_options_changed()

    # ------------------------------------------------------------------ content
    def _on_options_changed(self) -> None:
        sections = legend_sections(self.options)
        if _legend_key(sections) == _legend_key(self.sections):
            return
        self.sections = sections
        self._relayout()

    def _relayout(self) -> None:
        """Lay the sections out for the view's width; reserve (or free) the margin."""
        try:
            width = self.view.width()
        except RuntimeError:  # the view is being destroyed
            return
        height = self._layout(width) if self.sections else 0
        if height != self._height:
            self._height = height
            self.view.set_bottom_margin(height)  # keeps the zoom (the plan is not refitted)
        if height:
            frame = self.view.frameWidth()
            self.setGeometry(frame, self.view.height() - frame - height, width - 2 * frame, height)
            self.show()
            self.raise_()
            self.update()
        else:
            self.hide()

    def _entry_size(self, e: LegendEntry) -> tuple[float, int]:
        """(width px, rows) of one entry."""
        if e.shape == "ramp":
            return self.RAMP_W, 2
        if e.shape == "steps":
            return self.STEP_W * len(e.ramp), 2
        fm = QFontMetricsF(self.text_font)
        return self.SWATCH.width() + 5 + fm.horizontalAdvance(e.label) + 4, 1

    def _layout(self, width: int) -> int:
        """Place every entry; sections flow left to right and wrap. Returns the height."""
        placed: list[_Placed] = []
        separators: list[float] = []
        title_fm = QFontMetricsF(self.title_font)
        x, y, line_h = float(self.PAD), float(self.PAD), 0.0
        for title, entries in self.sections:
            # columns of up to ROWS rows (a ramp fills a column of its own)
            columns: list[list[LegendEntry]] = [[]]
            used = 0
            for e in entries:
                w, rows = self._entry_size(e)
                if used + rows > self.ROWS and columns[-1]:
                    columns.append([])
                    used = 0
                columns[-1].append(e)
                used += rows
            col_w = [max(self._entry_size(e)[0] for e in col) for col in columns]
            sec_w = max(title_fm.horizontalAdvance(title) + 4, sum(col_w) + 12 * (len(columns) - 1))
            sec_h = self.ROW + max(sum(self._entry_size(e)[1] for e in col) for col in columns) * self.ROW
            if x > self.PAD and x + sec_w > width - self.PAD:  # wrap onto a new line
                x, y = float(self.PAD), y + line_h + self.PAD
                line_h = 0.0
            elif x > self.PAD:
                separators.append((x - self.GAP / 2, y, sec_h))
            placed.append(_Placed(None, QRectF(x, y, sec_w, self.ROW), title))
            cx = x
            for col, cw in zip(columns, col_w):
                cy = y + self.ROW
                for e in col:
                    w, rows = self._entry_size(e)
                    placed.append(_Placed(e, QRectF(cx, cy, cw, rows * self.ROW)))
                    cy += rows * self.ROW
                cx += cw + 12
            x += sec_w + self.GAP
            line_h = max(line_h, sec_h)
        self._placed = placed
        self._separators = separators
        return int(math.ceil(y + line_h + self.PAD))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.width(), self._height)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == event.Type.Resize and self.sections:
            try:
                if watched is self.view:
                    self._relayout()
            except RuntimeError:  # the view is being destroyed
                pass
        return False

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fafaf8"))
        painter.setPen(QPen(QColor("#c9ccd1"), 1.0))
        painter.drawLine(0, 0, self.width(), 0)
        for x, y, h in self._separators:
            painter.drawLine(QPointF(x, y + 2), QPointF(x, y + h - 2))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for p in self._placed:
            if p.entry is None:
                painter.setFont(self.title_font)
                painter.setPen(QColor("#222222"))
                painter.drawText(p.rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, p.title)
            else:
                painter.setFont(self.text_font)
                self._paint_entry(painter, p.entry, p.rect)
        painter.end()

    def _paint_entry(self, painter: QPainter, e: LegendEntry, rect: QRectF) -> None:
        sw, sh = self.SWATCH.width(), self.SWATCH.height()
        row = QRectF(rect.left(), rect.top(), rect.width(), self.ROW)
        swatch = QRectF(row.left(), row.top() + (self.ROW - sh) / 2, sw, sh)
        text = row.adjusted(sw + 5, 0, 0, 0)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if e.shape in ("ramp", "steps"):
            n = len(e.ramp)
            step = (self.RAMP_W - 4 if e.shape == "ramp" else self.STEP_W * n) / n
            bar = QRectF(row.left(), row.top() + 3, step * n, self.ROW - 5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(FLOOR_LEGEND))
            painter.drawRect(bar)
            for k, c in enumerate(e.ramp):
                painter.setBrush(c)
                painter.drawRect(QRectF(bar.left() + k * step, bar.top(), step + 0.5, bar.height()))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(0, 0, 0, 70), 1.0))
            painter.drawRect(bar)
            painter.setPen(QColor("#333333"))
            below = QRectF(bar.left(), row.bottom(), bar.width(), self.ROW)
            if e.shape == "ramp":
                painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, e.label)
                painter.drawText(below, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, e.end_label)
            else:  # class edges under the boundaries between blocks
                for k, tick in enumerate(e.ticks, start=1):
                    painter.drawText(QRectF(bar.left() + k * step - 20, row.bottom(), 40, self.ROW),
                                     Qt.AlignmentFlag.AlignCenter, tick)
            return
        if e.shape == "box":
            painter.setPen(QPen(e.edge if e.edge is not None else e.color.darker(150), 1.0))
            painter.setBrush(e.color)
            painter.drawRect(swatch)
        elif e.shape == "line":
            pen = QPen(e.color, e.width, e.style)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            mid = swatch.center().y()
            painter.drawLine(QPointF(swatch.left(), mid), QPointF(swatch.right(), mid))
        elif e.shape == "cross":
            painter.setPen(QPen(e.color, 2.0))
            box = QRectF(swatch.center().x() - sh / 2, swatch.top(), sh, sh)
            painter.drawLine(box.topLeft(), box.bottomRight())
            painter.drawLine(box.topRight(), box.bottomLeft())
        elif e.shape == "diamond":
            painter.setPen(QPen(e.color, 2.0))
            c = swatch.center()
            h = sh / 2 + 1
            painter.drawPolygon([QPointF(c.x(), c.y() - h), QPointF(c.x() + h, c.y()), QPointF(c.x(), c.y() + h),
                                 QPointF(c.x() - h, c.y())])
        painter.setPen(QColor("#333333"))
        painter.drawText(text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, e.label)


#: The floor colour under the heat ramp in the legend (the ramp is translucent).
FLOOR_LEGEND = "#f7f5ef"


def _legend_key(sections) -> tuple:
    return tuple((title, tuple((e.shape, e.color.rgba(), e.label, e.end_label) for e in entries))
                 for title, entries in sections)
