"""Items drawn over the plan on screen only (not in exports): what a gesture sketches
(:class:`SketchItem`: ghost footprints and service zones, the rubber band, a new
column or busway, an outline's handles), and the base they share with the selection
outline (:class:`ScreenItem`)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from designer.ui.canvas.painting import (chunked_paths, chunks_rect, draw_chunks, overlay_margin, pixels_per_metre,
                                        shapes_rect)
from designer.ui.canvas.styles import HANDLE_PX, LOD_ANTIALIAS, SELECTION_COLOR


def draw_handles(painter: QPainter, points: Iterable[tuple[float, float]], ppm: float) -> None:
    """White square handles, :data:`HANDLE_PX` wide on screen, at scene points."""
    half = HANDLE_PX / 2 / max(ppm, 1e-9)
    edge = QPen(SELECTION_COLOR, 1.5)
    edge.setCosmetic(True)
    edge.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(edge)
    painter.setBrush(QBrush(QColor("white")))
    for x, y in points:
        painter.drawRect(QRectF(x - half, y - half, 2 * half, 2 * half))


class ScreenItem(QGraphicsItem):
    """An item over the halls, transparent to the mouse, painted only into a view (a
    plan rendered for export has no widget and shows none of it); its bounds grow by
    what cosmetic pens and handles add at the view's zoom."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._bounds = QRectF()

    def is_empty(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if self.is_empty():
            return QRectF()
        m = overlay_margin(self)
        return self._bounds.adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if widget is None or self.is_empty():
            return
        painter.save()
        ppm = pixels_per_metre(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_ANTIALIAS)
        self.draw(painter, option.exposedRect, ppm)
        painter.restore()


class ShapesItem(ScreenItem):
    """A screen item showing some items' footprints and busway segments (the selection,
    the what-if's failed items): their geometry in scene coordinates, chunked for drawing."""

    def __init__(self, z: float) -> None:
        super().__init__(z)
        self.footprints: list[tuple[QRectF, QPainterPath]] = []  # chunked, scene coordinates
        self.segments = np.zeros((0, 4))  # busways (x1, y1, x2, y2), scene coordinates

    def set_geometry(self, footprints: np.ndarray, segments: np.ndarray) -> None:
        """Show these footprints (corners (n, 4, 2)) and busway segments (n, 4)."""
        chunks = chunked_paths(footprints)
        rect = shapes_rect(chunks, segments)
        self.prepareGeometryChange()
        self.footprints = chunks
        self.segments = segments
        self._bounds = rect
        self.update()

    def is_empty(self) -> bool:
        return not self.footprints and not len(self.segments)


class SketchItem(ScreenItem):
    """What a gesture draws over the plan: ghost footprints and service zones, the
    rubber band, a new column or busway, an outline's handles. One item, in the
    scene only while it shows something, and only on screen (not in exports).
    Thousands of footprints are kept in floor chunks: a repaint draws what it shows."""

    def __init__(self, z: float = 20.0) -> None:
        super().__init__(z)
        self.layers: list[tuple[list[tuple[QRectF, QPainterPath]], QPen | None, QBrush | None, float]] = []
        self.lines: list[tuple[list[QLineF], QPen]] = []
        self.handles: list[QPointF] = []

    def set_content(self, layers=(), lines=(), handles=()) -> None:
        """Show layers ``(shape, pen, brush[, from_ppm])`` — a shape is a ``QPainterPath``
        or polygon corners (n, k, 2), drawn from a zoom of ``from_ppm`` pixels per metre
        — line sets ``(lines, pen)`` and square handles, all in scene coordinates
        (before :meth:`setPos`)."""
        self.prepareGeometryChange()
        self.layers = []
        for layer in layers:
            shape, pen, brush = layer[:3]
            from_ppm = layer[3] if len(layer) > 3 else 0.0
            if isinstance(shape, QPainterPath):
                chunks = [] if shape.isEmpty() else [(shape.boundingRect(), shape)]
            else:
                chunks = chunked_paths(shape)
            if chunks:
                self.layers.append((chunks, pen, brush, from_ppm))
        self.lines = [(ls, pen) for ls, pen in lines if ls]
        self.handles = list(handles)
        rect = QRectF()
        for chunks, pen, _, _ in self.layers:
            r = chunks_rect(chunks)
            if pen is not None and not pen.isCosmetic():
                w = pen.widthF() / 2
                r = r.adjusted(-w, -w, w, w)
            rect = r if rect.isNull() else rect.united(r)
        for ls, pen in self.lines:
            for ln in ls:
                w = 0.0 if pen.isCosmetic() else pen.widthF() / 2
                r = QRectF(ln.p1(), ln.p2()).normalized().adjusted(-w, -w, w, w)
                rect = r if rect.isNull() else rect.united(r)
        for p in self.handles:
            r = QRectF(p, p)
            rect = r if rect.isNull() else rect.united(r)
        self._bounds = rect
        self.update()

    def clear(self) -> None:
        self.set_content()
        self.setPos(0.0, 0.0)

    def is_empty(self) -> bool:
        return not (self.layers or self.lines or self.handles)

    def draw(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        for chunks, pen, brush, from_ppm in self.layers:
            if ppm < from_ppm:
                continue
            painter.setPen(pen if pen is not None else Qt.PenStyle.NoPen)
            painter.setBrush(brush if brush is not None else Qt.BrushStyle.NoBrush)
            draw_chunks(painter, chunks, exposed)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for ls, pen in self.lines:
            painter.setPen(pen)
            painter.drawLines(ls)
        draw_handles(painter, ((p.x(), p.y()) for p in self.handles), ppm)
