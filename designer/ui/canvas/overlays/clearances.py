"""The clearances overlay: every item's front and rear service zones, and in red the
zones the evaluation found blocked (``clearance`` violations)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter

from designer.engine.placement import Footprints, PlacementCheck
from designer.engine.zones import ServiceZones, zone_corners
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.overlays.base import ChunkedShapes, HallOverlay, grow_chunks, visible_groups
from designer.ui.canvas.painting import cosmetic_pen, with_alpha
from designer.ui.canvas.styles import LOD_LABELS

CLEARANCE_FRONT = QColor(66, 133, 244)
CLEARANCE_REAR = QColor(235, 140, 40)
CLEARANCE_BLOCKED = QColor(214, 39, 40)
#: Zoom (px/m) below which only blocked service zones are drawn.
LOD_CLEARANCE_ZONES = 2.0


def hall_footprints(hall: HallItem) -> Footprints:
    """A hall item's footprints as the engine's rules take them (plan metres, paint order)."""
    fp = hall.footprints
    t = hall.design.equipment
    return Footprints(t.x[fp.rows], t.y[fp.rows], fp.rotation, fp.sizes[:, 0], fp.sizes[:, 1], fp.kind)


class ClearanceOverlay(HallOverlay):
    """Front and rear service zones of every rack (translucent); zones that the
    evaluation found blocked (``clearance`` violations) in red."""

    kind = "clearances"
    z = 2.0
    FRONT, REAR, BLOCKED = range(3)

    def margin_m(self) -> float:
        st = self.hall_item.styles
        return max(st.front_m, st.rear_m) + 0.5

    def compute(self):
        hall = self.hall_item
        st = hall.styles
        if not len(hall.footprints.rows):
            return None
        items = hall_footprints(hall)
        zones = items.zones(st.front_m, st.rear_m)
        if not len(zones):
            return None
        corners = zone_corners(items.x, items.y, items.width, items.depth, *items.axes(), zones)
        blocked = self._blocked(items, zones)
        corners[..., 1] *= -1.0
        key = np.where(blocked, self.BLOCKED, np.where(zones.rear, self.REAR, self.FRONT))
        chunk = hall.footprints.chunk[zones.owner]
        lo, up = grow_chunks(hall, chunk, corners.min(axis=1), corners.max(axis=1))
        return ChunkedShapes(corners, chunk, key), lo, up

    def _blocked(self, items: Footprints, zones: ServiceZones) -> np.ndarray:
        """Which zones are blocked: the zones of the items the evaluation flagged, by the
        engine's placement rules (against the hall's items, columns, keep-outs, walls)."""
        hall = self.hall_item
        blocked = np.zeros(len(zones), bool)
        ev = hall.evaluation()
        if ev is None:
            return blocked
        flagged = np.asarray(ev.items.flags["clearance"])[hall.footprints.rows]
        if not flagged[zones.owner].any():
            return blocked
        st = hall.styles
        check = PlacementCheck(hall.hall, items, st.front_m, st.rear_m)
        f = np.flatnonzero(flagged)
        cand = check.prepare(items.take(f))
        # the flagged items' zones among all zones, by (item, rear or front)
        position = np.full((len(items), 2), -1)
        position[zones.owner, zones.rear.astype(int)] = np.arange(len(zones))
        blocked[position[f[cand.zones.owner], cand.zones.rear.astype(int)]] = check.zones_blocked(cand)
        # an item flagged with no zone found blocked (it cannot be told where): mark all its zones
        found_by_owner = np.zeros(len(items), bool)
        found_by_owner[zones.owner[blocked]] = True
        return blocked | (flagged[zones.owner] & ~found_by_owner[zones.owner])

    def draw(self, painter, data, exposed, ppm) -> None:
        shapes, lo, up = data
        # zones are rectangles, nearly all axis-aligned: antialiasing would only cost
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        styles = {
            self.FRONT: (with_alpha(CLEARANCE_FRONT, 50), cosmetic_pen(CLEARANCE_FRONT.lighter(130), 1.0)),
            self.REAR: (with_alpha(CLEARANCE_REAR, 50), cosmetic_pen(CLEARANCE_REAR.lighter(125), 1.0)),
            self.BLOCKED: (with_alpha(CLEARANCE_BLOCKED, 120), cosmetic_pen(CLEARANCE_BLOCKED, 1.5)),
        }
        only_blocked = ppm < LOD_CLEARANCE_ZONES  # zones of a few pixels: show just the problems
        for chunk in visible_groups(lo, up, exposed, ppm):
            for key, path in shapes.runs(int(chunk)):
                if only_blocked and key != self.BLOCKED:
                    continue
                brush, pen = styles[key]
                painter.setBrush(brush)
                # each rack's zone outlined only when zoomed in far enough to tell them apart
                painter.setPen(pen if ppm >= LOD_LABELS or key == self.BLOCKED else Qt.PenStyle.NoPen)
                painter.drawPath(path)
