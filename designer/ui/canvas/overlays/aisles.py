"""The aisles overlay: the width of the cold and hot aisles between facing rows (found
by :func:`designer.engine.aisles.find_aisles`), too narrow ones in bold red."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from designer.engine.aisles import Aisles, find_aisles, stands_in_row
from designer.ui.canvas.overlays.base import HallOverlay
from designer.ui.canvas.painting import cosmetic_pen, with_alpha

COLD_AISLE = QColor("#1f5fbf")
HOT_AISLE = QColor("#b03a2e")
MIXED_AISLE = QColor("#6b6b6b")
NARROW_AISLE = QColor("#d62728")
#: Zoom (px/m) below which aisle widths are not drawn / not labelled.
LOD_AISLES = 2.5
LOD_AISLE_LABELS = 11.0


def item_rects(boxes: np.ndarray) -> np.ndarray:
    """Plan boxes (n, 4: x0, y0, x1, y1) as item-coordinate rectangles left, top, right,
    bottom (y flipped: north up)."""
    return np.stack([boxes[:, 0], -boxes[:, 3], boxes[:, 2], -boxes[:, 1]], axis=1)


class AisleOverlay(HallOverlay):
    """Aisle widths: a light band over each aisle between facing rows, a dimension line
    across it and its width in metres (cold aisles blue, hot red; too narrow bold red)."""

    kind = "aisles"
    z = 5.0
    needs_evaluation = False
    COLORS = {Aisles.COLD: COLD_AISLE, Aisles.HOT: HOT_AISLE, Aisles.MIXED: MIXED_AISLE}
    NAMES = {Aisles.COLD: "cold", Aisles.HOT: "hot", Aisles.MIXED: ""}

    def compute(self):
        hall = self.hall_item
        t = hall.design.equipment
        st = hall.styles
        fp = hall.footprints
        in_rows = np.flatnonzero(stands_in_row(fp.kind))
        r = fp.rows[in_rows]
        aisles = find_aisles(t.x[r], t.y[r], fp.rotation[in_rows], fp.sizes[in_rows, 0],
                             fp.sizes[in_rows, 1], st.front_m, st.rear_m)
        if not len(aisles.u0):
            return None
        return aisles, item_rects(aisles.boxes())

    def aisles(self) -> Aisles | None:
        """The aisles found in this hall (None: none)."""
        data = self.data()
        return None if data is None else data[0]

    def draw(self, painter, data, exposed, ppm) -> None:
        if ppm < LOD_AISLES:
            return
        aisles, bands = data
        vis = np.flatnonzero((bands[:, 0] <= exposed.right()) & (bands[:, 2] >= exposed.left())
                             & (bands[:, 1] <= exposed.bottom()) & (bands[:, 3] >= exposed.top()))
        if not len(vis):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # one call per colour: the bands, then the dimension lines (a hall has dozens of aisles)
        styles = [(NARROW_AISLE, True) if aisles.narrow[i] else (self.COLORS[int(aisles.kind[i])], False)
                  for i in vis.tolist()]
        bands_by: dict = {}
        for (color, narrow), (left, top, right, bottom) in zip(styles, bands[vis].tolist()):
            bands_by.setdefault((color.rgba(), narrow), []).append(QRectF(left, top, right - left, bottom - top))
        painter.setPen(Qt.PenStyle.NoPen)
        for (rgba, narrow), rects in bands_by.items():
            painter.setBrush(with_alpha(QColor.fromRgba(rgba), 45 if narrow else 26))
            painter.drawRects(rects)
        # dimension lines every ~500 px along each aisle, at plan positions fixed for a
        # zoom (a partial repaint must draw them where the last full paint did)
        spacing = 2.0 ** math.ceil(math.log2(500.0 / ppm))
        tick = 4.0 / ppm
        labels = ppm >= LOD_AISLE_LABELS
        lines_by: dict = {}
        texts = []
        font = QFont()
        font.setPixelSize(11)
        metrics = QFontMetricsF(font)
        for i, (color, narrow) in zip(vis.tolist(), styles):
            u0, u1 = aisles.u0[i], aisles.u1[i]
            mid = (u0 + u1) / 2.0
            k = np.arange(-math.floor((mid - u0) / spacing), math.floor((u1 - mid) / spacing) + 1)
            positions = mid + k * spacing
            positions = positions[(positions >= u0 + 0.2) & (positions <= u1 - 0.2)] if len(k) > 1 else [mid]
            va, vb = float(aisles.va[i]), float(aisles.vb[i])
            lines = lines_by.setdefault((color.rgba(), narrow), [])
            text = None
            if labels:
                name = self.NAMES[int(aisles.kind[i])]
                text = f"{vb - va:.2f} m" + (f" {name}" if name else "") + (" !" if narrow else "")
                # a short stretch of aisle (between a few racks) keeps its line but not its
                # label when the label would run into the next stretch's
                room = (u1 - u0) * ppm
                need = (metrics.horizontalAdvance(text) * 1.1 + 10 if aisles.horizontal[i]
                        else metrics.height() + 4)
                if room < need:
                    text = None
            for u in np.asarray(positions, float).tolist():
                if aisles.horizontal[i]:
                    lines += [QLineF(u, -va, u, -vb), QLineF(u - tick, -va, u + tick, -va),
                              QLineF(u - tick, -vb, u + tick, -vb)]
                    centre = QPointF(u, -(va + vb) / 2.0)
                else:
                    lines += [QLineF(va, -u, vb, -u), QLineF(va, -u - tick, va, -u + tick),
                              QLineF(vb, -u - tick, vb, -u + tick)]
                    centre = QPointF((va + vb) / 2.0, -u)
                if text is not None:
                    texts.append((centre, text, color, narrow))
        for (rgba, narrow), lines in lines_by.items():
            painter.setPen(cosmetic_pen(QColor.fromRgba(rgba), 1.6 if narrow else 1.0))
            painter.drawLines(lines)
        if not texts:
            return
        tr = painter.worldTransform()
        painter.resetTransform()
        for centre, text, color, narrow in texts:
            font.setBold(narrow)
            painter.setFont(font)
            p = tr.map(centre)
            box = metrics.boundingRect(text).adjusted(-4, -1, 6, 1)
            box.moveCenter(p)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(color)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setTransform(tr)
