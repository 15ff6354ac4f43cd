"""The ghost of a gesture: footprints following the cursor with their service zones,
drawn red where the engine's placement rules say they would break one."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF

from designer.engine.placement import PlacementCheck
from designer.engine.zones import zone_corners
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.painting import cosmetic_pen, with_alpha
from designer.ui.canvas.sketch import SketchItem
from designer.ui.canvas.styles import LOD_OUTLINES
from designer.ui.tools.floor import Shapes

OK_COLOR = QColor("#1a73e8")
BAD_COLOR = QColor("#d62728")
ZONE_OK_COLOR = QColor(46, 160, 67)
#: A ghost with more service zones than this draws them filled, without dashed outlines.
GHOST_DASHED_ZONES = 400


def sketch_pen(color: QColor, width: float = 1.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen with sharp corners, for what a gesture sketches."""
    return cosmetic_pen(color, width, style, join=Qt.PenJoinStyle.MiterJoin)


def busway_pen(color: QColor) -> QPen:
    """The pen of a busway run being drawn (0.3 m wide, translucent, square ends)."""
    pen = QPen(with_alpha(color, 200), 0.3)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def to_scene(hall: HallItem, corners: np.ndarray) -> np.ndarray:
    """Plan corners (…, 2) of a hall → scene coordinates (y flipped, hall offset)."""
    out = np.array(corners, float, copy=True)
    out[..., 1] *= -1.0
    out[..., 0] += hall.pos().x()
    out[..., 1] += hall.pos().y()
    return out


def polygon_scene_path(hall: HallItem, points) -> QPainterPath:
    """A closed scene path through plan points of a hall."""
    path = QPainterPath()
    pts = [hall.from_plan(float(x), float(y)) for x, y in points]
    if pts:
        path.addPolygon(QPolygonF(pts))
        path.closeSubpath()
    return path


class Ghost:
    """Footprints following the cursor with their service zones, drawn red where they
    would break a rule (overlap, outside the hall, on a column or keep-out, in a
    service zone or with a blocked zone). Built once per gesture; each move asks the
    check about the shifted shapes, moves the sketch and, when the verdict changes,
    recolours it."""

    def __init__(self, sketch: SketchItem, hall: HallItem, shapes: Shapes, check: PlacementCheck,
                 color: QColor = OK_COLOR) -> None:
        self.sketch, self.hall, self.shapes, self.check, self.color = sketch, hall, shapes, check, color
        self.candidates = check.prepare(shapes.footprints)
        fp = shapes.footprints
        self.corners = shapes.corners()
        self.fronts = shapes.fronts()
        self.zones = zone_corners(fp.x, fp.y, fp.width, fp.depth, *fp.axes(), self.candidates.zones)
        self.segments = shapes.segments
        self.box = shapes.box()
        self.ok = True
        self._verdict: tuple | None = None
        self.dx = self.dy = 0.0

    def show(self, dx: float, dy: float) -> bool:
        """Show the shapes moved by (dx, dy) plan metres; True when nothing is red."""
        verdict = self.check.check(self.candidates, dx, dy)
        fp_bad, zone_bad = verdict.footprint_bad, verdict.zone_blocked
        seg_bad = ~self.check.segments_inside(self.segments, dx, dy)
        key = (fp_bad.tobytes(), zone_bad.tobytes(), seg_bad.tobytes())
        if key != self._verdict:
            self._verdict = key
            self._draw(fp_bad, zone_bad, seg_bad)
        self.sketch.setPos(dx, -dy)  # plan → scene: y flips
        self.dx, self.dy = dx, dy
        self.ok = not (fp_bad.any() or zone_bad.any() or seg_bad.any())
        return self.ok

    def _draw(self, fp_bad: np.ndarray, zone_bad: np.ndarray, seg_bad: np.ndarray) -> None:
        hall = self.hall
        layers = []
        zones = to_scene(hall, self.zones)
        dashed = len(zones) <= GHOST_DASHED_ZONES  # stroking thousands of dashed outlines is slow
        for mask, color in ((~zone_bad, ZONE_OK_COLOR), (zone_bad, BAD_COLOR)):
            if mask.any():
                layers.append((zones[mask], sketch_pen(color, 1.0, Qt.PenStyle.DashLine) if dashed else None,
                               QBrush(with_alpha(color, 45 if color is ZONE_OK_COLOR else 70))))
        fp = to_scene(hall, self.corners)
        for mask, color in ((~fp_bad, self.color), (fp_bad, BAD_COLOR)):
            if mask.any():
                layers.append((fp[mask], sketch_pen(color.darker(130), 1.5), QBrush(with_alpha(color, 150))))
        if len(self.fronts):  # which way it faces, once a front strip is a few pixels deep
            layers.append((to_scene(hall, self.fronts), None, QBrush(QColor(255, 255, 255, 170)), LOD_OUTLINES))
        lines = []
        if len(self.segments):
            seg = to_scene(hall, self.segments.reshape(-1, 2, 2)).reshape(-1, 4)
            for mask, color in ((~seg_bad, self.color), (seg_bad, BAD_COLOR)):
                if mask.any():
                    lines.append(([QLineF(*map(float, s)) for s in seg[mask]], busway_pen(color)))
        self.sketch.set_content(layers, lines)
