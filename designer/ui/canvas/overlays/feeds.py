"""The feeds overlay: which CDU, air handler and busway serves each rack; unpowered
and uncooled racks marked."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter

from designer.ui.canvas.overlays.base import ChunkedShapes, HallOverlay, grow_chunks, visible_groups
from designer.ui.canvas.painting import cosmetic_pen, polygons_path
from designer.ui.canvas.styles import (
    LOD_LABELS, LOD_OUTLINES, STATUS_CLASS_COLORS, STATUS_UNCOOLED, STATUS_UNPOWERED,
)

CDU_LINE = QColor("#0f8b8d")
AIR_LINE = QColor("#3b6fd8")
#: Air-handler lines are many and long: drawn lighter, so that they stay in the background.
AIR_LINE_LIGHT = QColor("#93b1ea")
BUSWAY_FEED = QColor("#c0392b")
BUSWAY_GLOW = QColor(255, 196, 0, 130)
#: Width of the glow along a busway that feeds racks (metres).
GLOW_M = 0.7
#: Zoom (px/m) below which feed lines are not drawn (only the marks).
LOD_FEED_LINES = 2.0


class AssignmentOverlay(HallOverlay):
    """Which unit serves each rack: a thin line to the CDU (liquid heat) and to the air
    handler (air heat), a drop to the busway feeding it (the busways that feed racks
    glow); unpowered racks crossed out, uncooled racks marked with a diamond."""

    kind = "assignment"
    z = 3.0
    CDU_LINE, AIR_LINE, BUSWAY_DROP = range(3)
    UNPOWERED, UNCOOLED = range(2)

    def compute(self):
        hall = self.hall_item
        fp = hall.footprints
        ev = hall.evaluation()
        if ev is None or not len(fp.rows):
            return None
        t = hall.design.equipment
        rows = fp.rows
        cx, cy = fp.centres[:, 0], fp.centres[:, 1]
        segs, keys, chunks = [], [], []
        for key, served in ((self.CDU_LINE, np.asarray(ev.items.served_by_cdu)[rows]),
                            (self.AIR_LINE, np.asarray(ev.items.served_by_air)[rows])):
            k = np.flatnonzero(served >= 0)
            u = served[k]
            segs.append(np.stack([cx[k], cy[k], t.x[u], -t.y[u]], axis=1))
            keys.append(np.full(len(k), key))
            chunks.append(fp.chunk[k])
        bw = np.asarray(ev.items.served_by_busway)[rows]
        k = np.flatnonzero(bw >= 0)
        u = bw[k]
        fed = np.unique(u)
        if len(k):
            x0, y0, x1, y1 = t.x[u], -t.y[u], t.x2[u], -t.y2[u]
            dx, dy = x1 - x0, y1 - y0
            length2 = np.maximum(dx * dx + dy * dy, 1e-12)
            along = np.clip(((cx[k] - x0) * dx + (cy[k] - y0) * dy) / length2, 0.0, 1.0)
            segs.append(np.stack([cx[k], cy[k], x0 + along * dx, y0 + along * dy], axis=1))
            keys.append(np.full(len(k), self.BUSWAY_DROP))
            chunks.append(fp.chunk[k])
        seg = np.concatenate(segs) if segs else np.zeros((0, 4))
        chunk = np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
        lines = ChunkedShapes(seg, chunk, np.concatenate(keys) if keys else np.zeros(0, np.int64), segments=True)
        lo_pts = np.minimum(seg[:, :2], seg[:, 2:])
        up_pts = np.maximum(seg[:, :2], seg[:, 2:])
        lo, up = grow_chunks(hall, chunk, lo_pts, up_pts)
        # unserved: unpowered (with IT load) crossed out, uncooled with a diamond
        it = hall.styles.it_kw[fp.types]
        unpowered = np.flatnonzero(~np.asarray(ev.items.powered, bool)[rows] & (it > 0))
        uncooled = np.flatnonzero(~np.asarray(ev.items.cooled, bool)[rows])
        corners = fp.corners
        crosses = np.concatenate([corners[unpowered][:, [0, 2]].reshape(-1, 4),
                                  corners[unpowered][:, [1, 3]].reshape(-1, 4)])
        mids = (corners + np.roll(corners, -1, axis=1)) / 2.0  # edge midpoints: a diamond inside
        marks = (ChunkedShapes(crosses, np.tile(fp.chunk[unpowered], 2), np.zeros(len(crosses), np.int64),
                               segments=True),
                 ChunkedShapes(mids[uncooled], fp.chunk[uncooled], np.zeros(len(uncooled), np.int64)))
        # the busways that feed racks glow: a band along each (filled, which is cheaper than
        # stroking hundreds of wide translucent lines)
        feeding = fp.busway_segments[np.isin(fp.busway_rows, fed)]
        d = feeding[:, 2:] - feeding[:, :2]
        along = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
        across = np.stack([-along[:, 1], along[:, 0]], axis=1) * (GLOW_M / 2.0)
        a, b = feeding[:, :2], feeding[:, 2:]
        bands = np.stack([a - across, b - across, b + across, a + across], axis=1)
        return {"lines": lines, "lo": lo, "up": up, "marks": marks, "fed": polygons_path(bands),
                "fed_count": len(feeding)}

    def draw(self, painter, data, exposed, ppm) -> None:
        detailed = ppm >= LOD_OUTLINES
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if data["fed_count"]:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BUSWAY_GLOW)
            painter.drawPath(data["fed"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
        # one-pixel cosmetic pens: the raster engine's fast line path (wider ones are stroked)
        # (opaque: the raster engine draws translucent lines several times slower)
        pens = {self.CDU_LINE: cosmetic_pen(CDU_LINE, 1.0), self.AIR_LINE: cosmetic_pen(AIR_LINE_LIGHT, 1.0),
                self.BUSWAY_DROP: cosmetic_pen(BUSWAY_FEED, 1.0)}
        visible = visible_groups(data["lo"], data["up"], exposed, ppm)
        if ppm >= LOD_FEED_LINES:  # farther out the lines are a few pixels long: marks only
            # hundreds of long thin lines: antialiasing them would cost more than the rest
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_LABELS)
            for chunk in visible:
                for key, path in data["lines"].runs(int(chunk)):
                    painter.setPen(pens[key])
                    painter.drawPath(path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        crosses, diamonds = data["marks"]
        painter.setPen(cosmetic_pen(STATUS_CLASS_COLORS[STATUS_UNPOWERED], 2.0))
        for chunk in visible:
            for _, path in crosses.runs(int(chunk)):
                painter.drawPath(path)
        painter.setPen(cosmetic_pen(STATUS_CLASS_COLORS[STATUS_UNCOOLED], 2.0))
        for chunk in visible:
            for _, path in diamonds.runs(int(chunk)):
                painter.drawPath(path)
