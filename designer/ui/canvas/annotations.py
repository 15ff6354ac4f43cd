"""Dimension lines and notes on the plan (the design's ``annotations``, saved with it).

One :class:`AnnotationsItem` draws all of them over the halls, at their hall's place on
the campus: a dimension line with end ticks and its length, a note as a marker and its
text in a small box. Lines are cosmetic and text keeps its pixel size at every zoom.
Drawn on screen and in plan exports alike: they are part of the design.

:func:`measure_text` is the one wording of a measurement (the Measure tool's readout,
a dimension line's label): straight distance, Δx and Δy, and the routed cable length
((Manhattan + two tray drops) × slack, as the engine routes a cable). Lengths show in
the units preference (metres to the centimetre, or feet to the tenth); the design keeps
metres.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from designer.engine.rules.interconnect import routed_length_m
from designer.model import Design
from designer.ui.canvas.painting import overlay_margin, pixels_per_metre
from designer.ui.docks.fields import Units, current_units

DIMENSION_COLOR = QColor("#7b3fa0")
NOTE_COLOR = QColor("#5c4400")
NOTE_FILL = QColor(255, 244, 196, 235)
#: Length of a dimension line's end ticks, and the note marker's radius (pixels).
TICK_PX, MARKER_PX = 7.0, 4.0


def routed_m(a: tuple[float, float], b: tuple[float, float], tray_drop_m: float, slack: float) -> float:
    """The routed length of a cable from ``a`` to ``b`` (metres), as the engine routes one."""
    return float(routed_length_m(abs(b[0] - a[0]) + abs(b[1] - a[1]), tray_drop_m, slack))


def measured_length(m: float, units: Units | None = None) -> str:
    """A measured length (metres) in the units preference: "3.05 m", or "10.0 ft"."""
    units = units or current_units()
    return units.length(m, 1 if units.imperial else 2)


def measure_text(a: tuple[float, float], b: tuple[float, float], tray_drop_m: float | None = None,
                 slack: float | None = None, medium: str | None = None, units: Units | None = None) -> str:
    """The wording of a measurement from ``a`` to ``b`` (metres): distance, Δx, Δy and,
    given the tray drop and slack, the routed cable length (and the medium it takes), in
    ``units`` (the preference when None)."""
    units = units or current_units()
    dx, dy = b[0] - a[0], b[1] - a[1]

    def fmt(m: float) -> str:
        return measured_length(m, units)

    text = f"{fmt(math.hypot(dx, dy))}  (Δx {fmt(abs(dx))}, Δy {fmt(abs(dy))})"
    if tray_drop_m is not None and slack is not None:
        text += f"  ·  cable routed {fmt(routed_m(a, b, tray_drop_m, slack))}"
        if medium:
            text += f" ({medium})"
    return text


class AnnotationsItem(QGraphicsItem):
    """Every dimension line and note of a design, in scene coordinates."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(12.0)  # over the halls, overlays and selection; under the sketches (20)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.font = QFont()
        self.font.setPixelSize(12)
        #: (index in the design's list, kind, scene points, text)
        self.shapes: list[tuple[int, str, list[QPointF], str]] = []
        self._rect = QRectF()
        self._text_px = 0.0
        #: the units of dimension labels (None: the preference, read at each set_design)
        self.units: Units | None = None

    def set_design(self, design: Design | None, offsets: dict[str, tuple[float, float]]) -> None:
        """Show the annotations of ``design`` with each hall at ``offsets`` (site metres),
        dimension lines labelled in :attr:`units`."""
        self.prepareGeometryChange()
        units = self.units or current_units()
        self.shapes = []
        metrics = QFontMetricsF(self.font)
        widest = 0.0
        for k, ann in enumerate((design.extra.get("annotations") or []) if design is not None else []):
            ox, oy = offsets.get(ann.get("hall"), (None, None))
            if ox is None:
                continue
            if ann.get("kind") == "dimension":
                (ax, ay), (bx, by) = ann["a"], ann["b"]
                points = [QPointF(ox + ax, -(oy + ay)), QPointF(ox + bx, -(oy + by))]
                text = measured_length(math.hypot(bx - ax, by - ay), units)
            elif ann.get("kind") == "note":
                x, y = ann["at"]
                points = [QPointF(ox + x, -(oy + y))]
                text = str(ann.get("text", ""))
            else:
                continue
            widest = max(widest, max((metrics.horizontalAdvance(line) for line in text.splitlines() or [""]),
                                     default=0.0))
            self.shapes.append((k, ann["kind"], points, text))
        rect = QRectF()
        for _, _, points, _ in self.shapes:
            for p in points:
                r = QRectF(p, p)
                rect = r if rect.isNull() else rect.united(r)
        self._rect = rect
        self._text_px = widest + 3 * TICK_PX
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if not self.shapes:
            return QRectF()
        m = overlay_margin(self, self._text_px + 40.0)
        return self._rect.adjusted(-m, -m, m, m)

    def at(self, scene_pos: QPointF, ppm: float, pick_px: float = 6.0) -> int | None:
        """The index (in the design's list) of the annotation under a scene point: a note's
        marker or box, or a dimension line within ``pick_px``; the one drawn last wins."""
        metrics = QFontMetricsF(self.font)
        tol = pick_px / max(ppm, 1e-9)
        for k, kind, points, text in reversed(self.shapes):
            if kind == "note":
                box = self._note_box(points[0], text, metrics, ppm)
                if box.adjusted(-tol, -tol, tol, tol).contains(scene_pos):
                    return k
            else:
                a, b = points
                if _segment_distance(scene_pos, a, b) <= tol:
                    return k
        return None

    def _note_box(self, p: QPointF, text: str, metrics: QFontMetricsF, ppm: float) -> QRectF:
        """A note's box in scene coordinates: right of and above its marker."""
        lines = text.splitlines() or [""]
        w = max(metrics.horizontalAdvance(line) for line in lines) + 8
        h = metrics.height() * len(lines) + 4
        s = 1.0 / max(ppm, 1e-9)
        return QRectF(p.x() + MARKER_PX * s, p.y() - (h + MARKER_PX) * s, w * s, h * s)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.shapes:
            return
        ppm = pixels_per_metre(painter)
        s = 1.0 / max(ppm, 1e-9)
        metrics = QFontMetricsF(self.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self.font)
        for _, kind, points, text in self.shapes:
            if kind == "dimension":
                self._paint_dimension(painter, points[0], points[1], text, s, metrics)
            else:
                self._paint_note(painter, points[0], text, ppm, metrics)
        painter.restore()

    def _paint_dimension(self, painter: QPainter, a: QPointF, b: QPointF, text: str, s: float,
                         metrics: QFontMetricsF) -> None:
        pen = QPen(DIMENSION_COLOR, 1.5)
        pen.setCosmetic(True)
        painter.setPen(pen)
        line = QLineF(a, b)
        painter.drawLine(line)
        n = line.normalVector().unitVector()
        tx, ty = (n.p2().x() - n.p1().x()) * TICK_PX * s, (n.p2().y() - n.p1().y()) * TICK_PX * s
        for p in (a, b):
            painter.drawLine(QLineF(p.x() - tx, p.y() - ty, p.x() + tx, p.y() + ty))
        mid = line.center()
        _draw_label(painter, mid, text, s, metrics, DIMENSION_COLOR, QColor(255, 255, 255, 220))

    def _paint_note(self, painter: QPainter, p: QPointF, text: str, ppm: float, metrics: QFontMetricsF) -> None:
        s = 1.0 / max(ppm, 1e-9)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(NOTE_COLOR))
        painter.drawEllipse(p, MARKER_PX * s, MARKER_PX * s)
        box = self._note_box(p, text, metrics, ppm)
        painter.save()
        painter.translate(box.topLeft())
        painter.scale(s, s)
        w, h = box.width() * ppm, box.height() * ppm
        edge = QPen(NOTE_COLOR, 1.0)
        painter.setPen(edge)
        painter.setBrush(QBrush(NOTE_FILL))
        painter.drawRect(QRectF(0, 0, w, h))
        painter.setPen(NOTE_COLOR)
        painter.drawText(QRectF(4, 2, w - 8, h - 4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)
        painter.restore()


def _draw_label(painter: QPainter, at: QPointF, text: str, s: float, metrics: QFontMetricsF, color: QColor,
                fill: QColor) -> None:
    """Text centred on a scene point at its pixel size, on a light box."""
    w, h = metrics.horizontalAdvance(text) + 6, metrics.height() + 2
    painter.save()
    painter.translate(at)
    painter.scale(s, s)
    box = QRectF(-w / 2, -h / 2, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(fill))
    painter.drawRect(box)
    painter.setPen(color)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def _segment_distance(p: QPointF, a: QPointF, b: QPointF) -> float:
    vx, vy = b.x() - a.x(), b.y() - a.y()
    t = ((p.x() - a.x()) * vx + (p.y() - a.y()) * vy) / max(vx * vx + vy * vy, 1e-12)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(p.x() - a.x() - t * vx, p.y() - a.y() - t * vy)
