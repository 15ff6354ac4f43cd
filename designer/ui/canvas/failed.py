"""The what-if on the plan: the items taken as failed drawn greyed, hatched and crossed
out (busways: a grey band with a dashed line and a cross), on screen only."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from designer.ui.canvas.painting import chunked_paths, cosmetic_pen, draw_chunks, with_alpha
from designer.ui.canvas.sketch import ShapesItem
from designer.ui.canvas.styles import BUSWAY_WIDTH_M, FAILED_COLOR

#: Half the size of the cross on a failed busway (pixels).
CROSS_PX = 6.0


class FailedItem(ShapesItem):
    """The failed items of a what-if, as one item over the halls (under the selection)."""

    #: the grey the failed items are covered with, their hatching and their edges
    FILL = with_alpha(FAILED_COLOR, 175)
    HATCH = QBrush(with_alpha(FAILED_COLOR.darker(160), 230), Qt.BrushStyle.BDiagPattern)
    EDGE = cosmetic_pen(FAILED_COLOR.darker(170), 1.5)
    BAND = cosmetic_pen(with_alpha(FAILED_COLOR, 235), 7.0)
    DASH = cosmetic_pen(QColor("white"), 1.5, Qt.PenStyle.DashLine)

    def __init__(self) -> None:
        super().__init__(9.0)
        self.crosses: list[tuple[QRectF, QPainterPath]] = []     # diagonals of the footprints

    def set_geometry(self, footprints: np.ndarray, segments: np.ndarray) -> None:
        """Show these footprints (corners (n, 4, 2)) and busway segments (n, 4) as failed
        (scene coordinates), each footprint crossed out."""
        # each footprint's two diagonals as a degenerate polygon: a cross that chunks like it
        diagonals = footprints[:, [0, 2, 1, 3]] if len(footprints) else np.zeros((0, 4, 2))
        self.crosses = chunked_paths(diagonals)
        super().set_geometry(footprints, segments)

    def draw(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.footprints:
            painter.setPen(self.EDGE)
            painter.setBrush(self.FILL)
            draw_chunks(painter, self.footprints, exposed)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.HATCH)
            draw_chunks(painter, self.footprints, exposed)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(self.EDGE)
            draw_chunks(painter, self.crosses, exposed)
        if len(self.segments):
            lines = [QLineF(*map(float, s)) for s in self.segments]
            # as wide as the busway is drawn (at least 7 px): its feed's colour must not show
            band = QPen(self.BAND.color(), max(BUSWAY_WIDTH_M + 0.06, 7.0 / max(ppm, 1e-9)))
            band.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(band)
            painter.drawLines(lines)
            painter.setPen(self.DASH)
            painter.drawLines(lines)
            # a cross over the middle of each busway, as wide on screen at any zoom
            h = CROSS_PX / max(ppm, 1e-9)
            mids = (self.segments[:, :2] + self.segments[:, 2:]) / 2.0
            cross = []
            for mx, my in mids.tolist():
                cross += [QLineF(mx - h, my - h, mx + h, my + h), QLineF(mx - h, my + h, mx + h, my - h)]
            pen = cosmetic_pen(FAILED_COLOR.darker(200), 2.5)
            painter.setPen(pen)
            painter.drawLines(cross)
