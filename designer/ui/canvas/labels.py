"""Labels on the plan: each rack's id (and short type, when there is room) along its
long side, and each busway's id beside the racks rather than over them.

Layouts are kept per zoom, by (id, type, rotation): panning reuses them, and a drag
lays out again only the labels of what moved."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTransform

from designer.model import Design
from designer.ui.canvas.footprints import HallFootprints
from designer.ui.canvas.styles import Palette

#: How far a busway label may slide off the busway's end to find free floor (metres).
_LABEL_SLIDES_M = np.arange(0.0, 1.5, 0.15)


class HallLabels:
    """The rack and busway labels of one hall."""

    def __init__(self, design: Design, hall_id: str) -> None:
        self.design = design
        self.hall_id = hall_id
        self.fp: HallFootprints | None = None
        self._label_font = QFont()
        self._fonts: dict[int, tuple[QFont, QFontMetricsF]] = {}
        self._labels = None  # (zoom, rack label layouts, busway label places)
        self._busway_places_before: tuple = (None, {})
        self._text_boxes: dict[str, QRectF] = {}

    def equipment_changed(self, fp: HallFootprints) -> list | None:
        """New footprints: rack labels stay (by id), busway labels are placed again.
        Returns where the busway labels were (None: not laid out)."""
        self.fp = fp
        places_before = self._labels[2] if self._labels is not None else None
        if self._labels is not None:
            self._labels = (self._labels[0], self._labels[1], None)
        return places_before

    def short_id(self, item_id: str) -> str:
        """An id as labelled inside its hall: without a leading ``<hall id>-`` (campus
        generators prefix every id with its hall; the hall is obvious on the plan)."""
        prefix = self.hall_id + "-"
        return item_id[len(prefix):] if item_id.startswith(prefix) and len(item_id) > len(prefix) else item_id

    def _font(self, size: int) -> tuple[QFont, QFontMetricsF]:
        """A label font of a pixel size and its metrics (kept: labels reuse a few sizes)."""
        entry = self._fonts.get(size)
        if entry is None:
            font = QFont(self._label_font)
            font.setPixelSize(size)
            entry = self._fonts[size] = (font, QFontMetricsF(font))
        return entry

    def _label_cache(self, ppm: float) -> dict:
        """Label layouts for one zoom, by (id, type, rotation): kept while panning, and
        through edits (a drag re-lays the moved racks' labels only)."""
        key = round(ppm, 6)
        if self._labels is None or self._labels[0] != key:
            self._labels = (key, {}, None)
        return self._labels[1]

    def _rack_label(self, i: int, ppm: float):
        """(pixel size, elided lines, screen angle, width px, line height) of footprint
        ``i``'s label at a zoom, or None when it does not fit."""
        w, d = self.fp.sizes[i]
        along_depth = d > w
        long_px = (d if along_depth else w) * ppm - 4.0
        short_px = (w if along_depth else d) * ppm
        size = int(min(12.0, max(8.0, short_px * 0.32)))
        if short_px < size + 2:
            return None
        _, metrics = self._font(size)
        lines = [self.short_id(self.design.equipment.ids[int(self.fp.rows[i])])]
        if short_px >= 2.4 * metrics.height() + 4:
            lines.append(self.fp.styles.shorts[int(self.fp.types[i])])
        # the end of an id tells racks apart ("…us12-r2"): elide its start
        lines = [metrics.elidedText(lines[0], Qt.TextElideMode.ElideLeft, long_px),
                 *(metrics.elidedText(s, Qt.TextElideMode.ElideRight, long_px) for s in lines[1:])]
        # screen angle of the long axis; plan rotation is CCW, screen y points down
        angle = -(float(self.fp.rotation[i]) + (90.0 if along_depth else 0.0))
        angle = (angle + 90.0) % 180.0 - 90.0  # keep text upright: [-90, 90)
        return size, lines, angle, long_px, metrics.height()

    def paint_rack_labels(self, painter: QPainter, exposed: QRectF, ppm: float,
                          colours: tuple[str, np.ndarray, Palette]) -> None:
        """Ids (and, when there is room, the short type) along each footprint's long side."""
        pad = float(np.max(self.fp.sizes)) if len(self.fp.sizes) else 0.0
        c = self.fp.centres
        vis = np.flatnonzero((c[:, 0] >= exposed.left() - pad) & (c[:, 0] <= exposed.right() + pad)
                             & (c[:, 1] >= exposed.top() - pad) & (c[:, 1] <= exposed.bottom() + pad))
        if len(vis) > 3000:
            return
        _, keys, palette = colours
        cache = self._label_cache(ppm)
        ids = self.design.equipment.ids
        tr = painter.worldTransform()
        dev_x = c[vis, 0] * tr.m11() + c[vis, 1] * tr.m21() + tr.dx()
        dev_y = c[vis, 0] * tr.m12() + c[vis, 1] * tr.m22() + tr.dy()
        painter.resetTransform()
        current = None
        rows, types, rotation = self.fp.rows, self.fp.types, self.fp.rotation
        for i, px, py in zip(vis.tolist(), dev_x.tolist(), dev_y.tolist()):
            key = (ids[rows[i]], int(types[i]), float(rotation[i]))
            label = cache.get(key, False)
            if label is False:
                label = cache[key] = self._rack_label(i, ppm)
            if label is None:
                continue
            size, lines, angle, long_px, h = label
            if size != current:
                painter.setFont(self._font(size)[0])
                current = size
            painter.setTransform(_rotation_at(px, py, angle))
            painter.setPen(palette.texts[int(keys[i])])
            top = -h * len(lines) / 2.0
            for k, line in enumerate(lines):
                painter.drawText(QRectF(-long_px / 2, top + k * h, long_px, h), Qt.AlignmentFlag.AlignCenter, line)
        painter.setTransform(tr)

    def busway_label_places(self, ppm: float) -> list[tuple]:
        """Where each busway's label goes at a zoom (cached with the rack labels):
        before the busway's start, after its end, or at its middle, whichever first
        covers no footprint and no other busway label. (centre x, y, angle, text,
        box in px, bounds in item coordinates)."""
        self._label_cache(ppm)
        if self._labels[2] is not None:
            return self._labels[2]
        t = self.design.equipment
        _, metrics = self._font(10)
        if len(self.fp.rows):
            fp_lo, fp_hi = self.fp.corners.min(axis=1), self.fp.corners.max(axis=1)
        else:
            fp_lo = fp_hi = np.zeros((0, 2))
        placed: list[tuple] = []
        previous = self._busway_places_before if self._busway_places_before[0] == self._labels[0] else (None, {})
        # where the labels were before this edit: still clear of every footprint? (one numpy
        # test for all of them; they never overlap each other)
        keys = [(self.short_id(t.ids[int(r)]), *seg) for r, seg in zip(self.fp.busway_rows, self.fp.busway_segments.tolist())]
        before_places = [previous[1].get(k) for k in keys]
        kept = [p for p in before_places if p is not None]
        if kept and len(fp_lo):
            b = np.array([p[5] for p in kept])
            clear = ~((fp_lo[None, :, 0] < b[:, None, 2]) & (fp_hi[None, :, 0] > b[:, None, 0])
                      & (fp_lo[None, :, 1] < b[:, None, 3]) & (fp_hi[None, :, 1] > b[:, None, 1])).any(axis=1)
            still = {id(p) for p, ok in zip(kept, clear) if ok}
        else:
            still = {id(p) for p in kept}
        for i, (x1, y1, x2, y2) in enumerate(self.fp.busway_segments.tolist()):
            length = math.hypot(x2 - x1, y2 - y1)
            if length == 0:
                continue
            row = int(self.fp.busway_rows[i])
            text = f"{self.short_id(t.ids[row])} · {self.fp.styles.shorts[int(t.type_code[row])]}"
            box = self._text_boxes.get(text)
            if box is None:
                box = self._text_boxes[text] = metrics.boundingRect(text).adjusted(-4, -1, 4, 1)
            box = QRectF(box)
            before = before_places[i]
            if before is not None and id(before) in still and before[3] == text and not any(
                    a < before[5][2] and c > before[5][0] and b < before[5][3] and d > before[5][1]
                    for a, b, c, d in (p[5] for p in placed)):
                placed.append(before)  # still free: labels stay put while racks move
                continue
            half_l, half_h = box.width() / 2 / ppm, box.height() / 2 / ppm  # metres
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            gap = half_l + 4.0 / ppm
            ex = abs(ux) * half_l + abs(uy) * half_h  # half extents of the rotated box
            ey = abs(uy) * half_l + abs(ux) * half_h
            # only the footprints near this busway can be in the way
            reach = gap + 1.5 + ex + ey
            near = ((fp_lo[:, 0] < max(x1, x2) + reach) & (fp_hi[:, 0] > min(x1, x2) - reach)
                    & (fp_lo[:, 1] < max(y1, y2) + reach) & (fp_hi[:, 1] > min(y1, y2) - reach))
            lo, hi = fp_lo[near], fp_hi[near]
            # a busway often starts or ends just inside a footprint: slide outwards a little
            slides = _LABEL_SLIDES_M + gap
            cand = np.concatenate([np.stack([x1 - ux * slides, y1 - uy * slides], 1),
                                   np.stack([x2 + ux * slides, y2 + uy * slides], 1),
                                   [((x1 + x2) / 2, (y1 + y2) / 2)]])
            box_lo, box_hi = cand - (ex, ey), cand + (ex, ey)
            blocked = ((lo[None, :, 0] < box_hi[:, None, 0]) & (hi[None, :, 0] > box_lo[:, None, 0])
                       & (lo[None, :, 1] < box_hi[:, None, 1]) & (hi[None, :, 1] > box_lo[:, None, 1])).any(axis=1)
            for k in np.flatnonzero(~blocked).tolist():
                lo_x, lo_y = box_lo[k]
                hi_x, hi_y = box_hi[k]
                if not any(a < hi_x and c > lo_x and b < hi_y and d > lo_y for a, b, c, d in (p[5] for p in placed)):
                    cx, cy = cand[k]
                    bounds = (float(lo_x), float(lo_y), float(hi_x), float(hi_y))
                    break
            else:
                continue  # no free place: the racks' own labels win
            angle = -math.degrees(math.atan2(-(y2 - y1), x2 - x1))
            angle = (angle + 90.0) % 180.0 - 90.0
            box.moveCenter(QPointF(0.0, 0.0))
            placed.append((float(cx), float(cy), angle, text, box, bounds, keys[i]))
        self._labels = (self._labels[0], self._labels[1], placed)
        self._busway_places_before = (self._labels[0], {p[6]: p for p in placed})
        return placed

    def paint_busway_labels(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        """Busway ids beside the racks, not over them (see :meth:`_busway_label_places`)."""
        if not len(self.fp.busway_rows):
            return
        places = self.busway_label_places(ppm)
        tr = painter.worldTransform()
        painter.resetTransform()
        painter.setFont(self._font(10)[0])
        for cx, cy, angle, text, box, (lo_x, lo_y, hi_x, hi_y), _ in places:
            if lo_x > exposed.right() or hi_x < exposed.left() or lo_y > exposed.bottom() or hi_y < exposed.top():
                continue
            p = tr.map(QPointF(cx, cy))
            painter.setTransform(_rotation_at(p.x(), p.y(), angle))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 220))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(QColor("#7a1f14"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setTransform(tr)

    def moved_busway_rect(self, places_before: list, dirty: QRectF) -> QRectF:
        """Lay the busway labels out again at the zoom they were drawn at; add the ones
        that moved (where they were and where they go) to the rect to repaint."""
        zoom = self._labels[0]
        places = self.busway_label_places(zoom)
        old = {(p[3], p[5]) for p in places_before}
        new = {(p[3], p[5]) for p in places}
        m = 2.0 / max(zoom, 1e-6)
        for _, (lo_x, lo_y, hi_x, hi_y) in old ^ new:
            dirty = dirty.united(QRectF(QPointF(lo_x - m, lo_y - m), QPointF(hi_x + m, hi_y + m)))
        return dirty


def _rotation_at(x: float, y: float, angle_deg: float) -> QTransform:
    """Device transform for text centred at (x, y) px, turned by ``angle_deg`` (clockwise)."""
    tr = QTransform()
    tr.translate(x, y)
    tr.rotate(angle_deg)
    return tr
