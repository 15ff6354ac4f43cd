"""The feeds overlay: which CDU, air handler and busway serves each rack; unpowered
and uncooled racks marked; busways and the drops to them coloured by power feed (A, B)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter

from designer.ui.canvas.overlays.base import ChunkedShapes, HallOverlay, grow_chunks, visible_groups
from designer.ui.canvas.painting import cosmetic_pen, polygons_path, segments_path, with_alpha
from designer.ui.canvas.styles import (
    BUSWAY_WIDTH_M, FEED_COLORS, LOD_LABELS, LOD_MERGE, LOD_OUTLINES, STATUS_CLASS_COLORS, STATUS_UNCOOLED,
    STATUS_UNPOWERED,
)

CDU_LINE = QColor("#0f8b8d")
AIR_LINE = QColor("#3b6fd8")
#: Air-handler lines are many and long: drawn lighter, so that they stay in the background.
AIR_LINE_LIGHT = QColor("#93b1ea")
#: The drop from a rack to its busway, and the busway itself, per feed.
FEED_A, FEED_B = FEED_COLORS["A"], FEED_COLORS["B"]
#: Opacity of a busway's band in its feed's colour (the racks beneath stay visible).
FEED_BAND_ALPHA = 210
BUSWAY_GLOW = QColor(255, 196, 0, 130)
#: Width of the glow along a busway that feeds racks (metres).
GLOW_M = 0.7
#: Zoom (px/m) below which feed lines are not drawn (only the marks).
LOD_FEED_LINES = 2.0


class AssignmentOverlay(HallOverlay):
    """Which unit serves each rack: a thin line to the CDU (liquid heat) and to the air
    handler (air heat), a drop to each busway feeding it (to its A and its B busway
    under 2N), in the colour of that busway's feed; busways drawn in their feed's
    colour (the ones that feed racks glow); unpowered racks crossed out, uncooled racks
    marked with a diamond."""

    kind = "assignment"
    z = 3.0
    CDU_LINE, AIR_LINE, DROP_A, DROP_B = range(4)
    UNPOWERED, UNCOOLED = range(2)

    def busway_colors(self) -> dict[str, QColor]:
        """Busway id → the colour it is drawn in (its feed's), as last computed."""
        data = self.data()
        if data is None:
            return {}
        return {i: FEED_B if b else FEED_A for i, b in zip(data["busway_ids"], data["busway_on_b"])}

    def drop_colors(self) -> dict[int, QColor]:
        """Line key → colour of the drops from racks to their busways (A and B)."""
        return {self.DROP_A: FEED_A, self.DROP_B: FEED_B}

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
        # busways of this hall and their feeds (B when the item says so; A is the default)
        brows = fp.busway_rows
        extra = t.extra
        on_b = np.array([extra.get(t.ids[int(r)], {}).get("feed") == "B" for r in brows], bool)
        fed = []
        for served in (ev.items.served_by_busway, ev.items.served_by_busway_b):
            bw = np.asarray(served)[rows]
            k = np.flatnonzero(bw >= 0)
            if not len(k):
                continue
            u = bw[k]
            fed.append(u)
            at = np.clip(np.searchsorted(brows, u), 0, max(len(brows) - 1, 0))
            b_side = (brows[at] == u) & on_b[at] if len(brows) else np.zeros(len(u), bool)
            x0, y0, x1, y1 = t.x[u], -t.y[u], t.x2[u], -t.y2[u]
            dx, dy = x1 - x0, y1 - y0
            length2 = np.maximum(dx * dx + dy * dy, 1e-12)
            along = np.clip(((cx[k] - x0) * dx + (cy[k] - y0) * dy) / length2, 0.0, 1.0)
            segs.append(np.stack([cx[k], cy[k], x0 + along * dx, y0 + along * dy], axis=1))
            keys.append(np.where(b_side, self.DROP_B, self.DROP_A))
            chunks.append(fp.chunk[k])
        fed = np.unique(np.concatenate(fed)) if fed else np.zeros(0, np.int64)
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
        feeding = fp.busway_segments[np.isin(brows, fed)]
        seg_all = fp.busway_segments
        feeds = {feed: (polygons_path(_bands(seg_all[pick], BUSWAY_WIDTH_M)), segments_path(seg_all[pick]))
                 for feed, pick in (("A", ~on_b), ("B", on_b)) if pick.any()}
        return {"lines": lines, "lo": lo, "up": up, "marks": marks, "fed": polygons_path(_bands(feeding, GLOW_M)),
                "fed_count": len(feeding), "feeds": feeds,
                "busway_ids": [t.ids[int(r)] for r in brows], "busway_on_b": on_b}

    def draw(self, painter, data, exposed, ppm) -> None:
        detailed = ppm >= LOD_OUTLINES
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if data["fed_count"]:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BUSWAY_GLOW)
            painter.drawPath(data["fed"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
        # busways in their feed's colour, over the hall's (type-coloured) drawing of them
        wide = ppm * BUSWAY_WIDTH_M >= 2.0
        for feed, (band, centre) in data["feeds"].items():
            color = FEED_COLORS[feed]
            if wide:
                # a dark edge keeps the band apart from racks of a similar colour beneath
                painter.setPen(cosmetic_pen(color.darker(200), 1.0))
                painter.setBrush(with_alpha(color, FEED_BAND_ALPHA))
                painter.drawPath(band)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                if ppm >= LOD_MERGE:
                    painter.setPen(cosmetic_pen(color.darker(170), 1.0))
                    painter.drawPath(centre)
            else:
                pen = cosmetic_pen(color, 2.0)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                painter.setPen(pen)
                painter.drawPath(centre)
        # one-pixel cosmetic pens: the raster engine's fast line path (wider ones are stroked)
        # (opaque: the raster engine draws translucent lines several times slower)
        pens = {self.CDU_LINE: cosmetic_pen(CDU_LINE, 1.0), self.AIR_LINE: cosmetic_pen(AIR_LINE_LIGHT, 1.0),
                self.DROP_A: cosmetic_pen(FEED_A, 1.0), self.DROP_B: cosmetic_pen(FEED_B, 1.0)}
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


def _bands(segments: np.ndarray, width_m: float) -> np.ndarray:
    """Rectangles (n, 4, 2) ``width_m`` wide along segments (n, 4)."""
    d = segments[:, 2:] - segments[:, :2]
    along = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
    across = np.stack([-along[:, 1], along[:, 0]], axis=1) * (width_m / 2.0)
    a, b = segments[:, :2], segments[:, 2:]
    return np.stack([a - across, b - across, b + across, a + across], axis=1)
