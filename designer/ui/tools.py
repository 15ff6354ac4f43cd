"""Editing on the floor plan: tools, placement checks, snapping and the edit actions.

A :class:`PlanEditor` sits between the :class:`~designer.ui.plan_view.PlanView` and
the :class:`~designer.ui.document.Document`. The view hands it mouse events (as
:class:`~designer.ui.plan_view.ToolEvent`), keys and palette drags; the active tool
(:class:`SelectTool`, :class:`RowTool`, :class:`OutlineTool`, :class:`ColumnTool`,
:class:`KeepoutTool`, :class:`BuswayTool`) turns a gesture into **one** command
pushed on release (orange-canvas-core pushes a move once, on mouse release).

Everything scales to a campus: picking, rubber bands, snapping and the red/green
placement feedback are numpy box tests on the design's columns, and a gesture in
progress draws one lightweight :class:`SketchItem` over the plan (moved with
``setPos`` while dragging), never an item per rack. The engine runs once, after the
command lands.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np
import shapely
from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction, QActionGroup, QBrush, QColor, QKeyEvent, QKeySequence, QPainter, QPainterPath, QPen, QPolygonF,
)
from PySide6.QtWidgets import QApplication, QGraphicsItem, QLabel, QSpinBox, QToolBar

from designer.catalog import Catalog
from designer.model import Design, Equipment, Hall
from designer.model.commands import (
    AddItems, RemoveItems, SetHall, SetPlacements, move_items, move_to_hall, rotate_items, turn_points,
)
from designer.model.layouts import IdCounter, row_items, ultraserver_racks
from designer.ui.clipboard import ITEMS_MIME, clipboard_items, fresh_copies, put_items
from designer.ui.document import Document
from designer.ui.hall_item import (
    BUSWAY, KIND_CODES, LOD_ANTIALIAS, LOD_OUTLINES, HallItem, footprint_corners, pixels_per_metre,
)
from designer.ui.palette import PaletteWidget, equipment_type_of
from designer.ui.plan_view import (
    HANDLE_PX, SELECTION_COLOR, TILE_M, PlanView, ToolEvent, chunked_paths, chunks_rect, draw_chunks, overlay_margin,
)

#: Neighbouring edges closer than this pull a dragged footprint onto them (metres).
MAGNET_M = 0.3
#: Length of a busway dropped from the palette (metres, along x).
BUSWAY_DROP_M = 6.0
#: Arrow-key nudge, and with Shift (metres).
NUDGE_M, NUDGE_FINE_M = TILE_M, 0.1
#: Arrow presses further apart than this start a new undo step (seconds).
NUDGE_BURST_S = 1.0
#: Undo merge ids of nudges; consecutive bursts alternate so they never merge.
NUDGE_MERGE_IDS = (0x4E55, 0x4E56)
#: How near the cursor must be to pick a line, a handle or a corner (pixels).
PICK_PX = 6.0
#: Touching is not overlapping: box tests shrink by this (metres, as the engine's 1 µm).
EPS_M = 1e-6
#: A ghost with more service zones than this draws them filled, without dashed outlines.
GHOST_DASHED_ZONES = 400
#: Where the snap preference lives in ``QSettings("Designer", "Designer")``.
SNAP_SETTING = "prefs/snap"
#: UltraServers the row tool lays by default.
DEFAULT_ROW_ULTRASERVERS = 4
#: Kind codes (as the engine's): compute, network, CDU, air handler, busway.
COMPUTE, NETWORK, CDU, AIR = KIND_CODES["compute"], KIND_CODES["network"], KIND_CODES["cdu"], KIND_CODES["air-handler"]

OK_COLOR = QColor("#1a73e8")
BAD_COLOR = QColor("#d62728")
ZONE_OK_COLOR = QColor(46, 160, 67)
COLUMN_SKETCH_COLOR = QColor("#50555c")
KEEPOUT_SKETCH_COLOR = QColor(200, 55, 55)


def settings() -> QSettings:
    """The app's persistent settings (the same store as the main window's)."""
    return QSettings("Designer", "Designer")


def _round(v):
    """Positions to 1 µm, as the model's commands keep them."""
    return np.round(v, 6)


# ====================================================================== geometry (numpy, no Qt)
@dataclass(frozen=True)
class TypeTable:
    """Footprint width, depth and kind code per type code of a design's equipment table."""

    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray

    @classmethod
    def build(cls, design: Design, catalog: Catalog) -> "TypeTable":
        w, d, k = [], [], []
        for name in design.equipment.types.names:
            spec = catalog.types.get(name)
            if spec is None:  # not in the catalog: a rack-sized box, as the canvas draws it
                w.append(0.6), d.append(1.2), k.append(COMPUTE)
            else:
                w.append(spec.width_m if spec.on_floor else 0.0)
                d.append(spec.depth_m if spec.on_floor else 0.0)
                k.append(KIND_CODES.get(spec.kind, COMPUTE))
        return cls(np.array(w, float), np.array(d, float), np.array(k, np.int8))


def boxes_of(corners: np.ndarray) -> np.ndarray:
    """Axis-aligned boxes (n, 4: x min, y min, x max, y max) of polygons (n, k, 2)."""
    if not len(corners):
        return np.zeros((0, 4))
    return np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)


def service_zones(x, y, rotation, width, depth, kind, front_m: float, rear_m: float) -> np.ndarray:
    """Corners (m, 4, 2) of the service zones: in front of racks, CDUs and air handlers,
    behind racks and CDUs (as the engine checks them; front faces −y at 0°)."""
    parts = []
    for side, length, owners in ((-1.0, front_m, kind <= AIR), (1.0, rear_m, kind <= CDU)):
        if length <= 0 or not owners.any():
            continue
        o = np.flatnonzero(owners)
        ly = side * (depth[o] / 2 + length / 2)
        th = np.radians(rotation[o])
        cx = x[o] - ly * np.sin(th)
        cy = y[o] + ly * np.cos(th)
        parts.append(footprint_corners(cx, cy, rotation[o], width[o], np.full(len(o), length)))
    return np.concatenate(parts) if parts else np.zeros((0, 4, 2))


def overlapping(a: np.ndarray, b: np.ndarray, eps: float = EPS_M) -> np.ndarray:
    """For each box of ``a``, whether it overlaps (more than touches) a box of ``b``."""
    out = np.zeros(len(a), bool)
    if not len(a) or not len(b):
        return out
    lo, hi = a[:, :2].min(axis=0), a[:, 2:].max(axis=0)
    near = (b[:, 0] < hi[0] - eps) & (b[:, 2] > lo[0] + eps) & (b[:, 1] < hi[1] - eps) & (b[:, 3] > lo[1] + eps)
    b = b[near]
    if not len(b):
        return out
    step = max(1, 2_000_000 // len(b))  # bounded memory for a whole hall dragged at once
    for i in range(0, len(a), step):
        blk = a[i:i + step, None, :]
        out[i:i + step] = ((blk[..., 0] < b[:, 2] - eps) & (blk[..., 2] > b[:, 0] + eps)
                           & (blk[..., 1] < b[:, 3] - eps) & (blk[..., 3] > b[:, 1] + eps)).any(axis=1)
    return out


@dataclass
class Shapes:
    """Floor footprints and busway segments in one hall's plan metres, as arrays."""

    x: np.ndarray
    y: np.ndarray
    rotation: np.ndarray
    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray
    segments: np.ndarray  # busways (k, 4): x1, y1, x2, y2

    @classmethod
    def of_rows(cls, design: Design, table: TypeTable, rows: np.ndarray) -> "Shapes":
        """The shapes of equipment rows (floor items and busways sorted out)."""
        t = design.equipment
        rows = np.asarray(rows, np.int64)
        tc = t.type_code[rows]
        kind = table.kind[tc]
        floor = rows[kind != BUSWAY]
        bw = rows[(kind == BUSWAY) & np.isfinite(t.x2[rows])]
        ftc = t.type_code[floor]
        return cls(t.x[floor].copy(), t.y[floor].copy(), t.rotation[floor].copy(), table.width[ftc],
                   table.depth[ftc], table.kind[ftc],
                   np.stack([t.x[bw], t.y[bw], t.x2[bw], t.y2[bw]], axis=1) if len(bw) else np.zeros((0, 4)))

    @classmethod
    def of_records(cls, records: Sequence[Equipment], catalog: Catalog) -> "Shapes":
        """The shapes of records not (yet) in the design."""
        floor, segs = [], []
        for r in records:
            spec = catalog.types.get(r.type)
            if r.end is not None:
                segs.append((r.x, r.y, r.end[0], r.end[1]))
            elif spec is None:
                floor.append((r.x, r.y, r.rotation, 0.6, 1.2, COMPUTE))
            else:
                floor.append((r.x, r.y, r.rotation, spec.width_m, spec.depth_m, KIND_CODES.get(spec.kind, COMPUTE)))
        f = np.array(floor, float).reshape(-1, 6)
        return cls(f[:, 0], f[:, 1], f[:, 2], f[:, 3], f[:, 4], f[:, 5].astype(np.int8),
                   np.array(segs, float).reshape(-1, 4))

    def __len__(self) -> int:
        return len(self.x) + len(self.segments)

    def corners(self) -> np.ndarray:
        return footprint_corners(self.x, self.y, self.rotation, self.width, self.depth)

    def fronts(self, strip_m: float = 0.16) -> np.ndarray:
        """The strip along each front (to show which way a ghost faces)."""
        return footprint_corners(self.x, self.y, self.rotation, self.width, self.depth,
                                 np.minimum(strip_m, 0.2 * self.depth))

    def zones(self, front_m: float, rear_m: float) -> np.ndarray:
        return service_zones(self.x, self.y, self.rotation, self.width, self.depth, self.kind, front_m, rear_m)

    def box(self) -> np.ndarray | None:
        """x min, y min, x max, y max of everything (None when empty)."""
        parts = []
        if len(self.x):
            parts.append(boxes_of(self.corners()))
        if len(self.segments):
            s = self.segments
            parts.append(np.stack([np.minimum(s[:, 0], s[:, 2]), np.minimum(s[:, 1], s[:, 3]),
                                   np.maximum(s[:, 0], s[:, 2]), np.maximum(s[:, 1], s[:, 3])], axis=1))
        if not parts:
            return None
        b = np.concatenate(parts)
        return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


class FloorGeometry:
    """One hall's equipment as arrays, for picking, rubber bands and placement checks."""

    def __init__(self, design: Design, table: TypeTable, hall_id: str) -> None:
        t = design.equipment
        code = t.halls.codes.get(hall_id)
        in_hall = (t.hall_code == code) if code is not None else np.zeros(len(t), bool)
        kind = table.kind[t.type_code] if len(t) else np.zeros(0, np.int8)
        self.rows = np.flatnonzero(in_hall & (kind != BUSWAY))
        self.shapes = Shapes.of_rows(design, table, self.rows)
        self.corners = self.shapes.corners()
        self.boxes = boxes_of(self.corners)
        self.busway_rows = np.flatnonzero(in_hall & (kind == BUSWAY) & np.isfinite(t.x2))
        r = self.busway_rows
        self.segments = np.stack([t.x[r], t.y[r], t.x2[r], t.y2[r]], axis=1) if len(r) else np.zeros((0, 4))

    def hits(self, x: float, y: float, tolerance_m: float) -> np.ndarray:
        """Equipment rows under a plan point, in picking order: footprints holding it
        (smallest first), then busways within ``tolerance_m`` (nearest first)."""
        sh = self.shapes
        th = np.radians(sh.rotation)
        c, s = np.cos(th), np.sin(th)
        dx, dy = x - sh.x, y - sh.y
        u, v = dx * c + dy * s, -dx * s + dy * c  # into each footprint's own frame
        inside = np.flatnonzero((np.abs(u) <= sh.width / 2 + EPS_M) & (np.abs(v) <= sh.depth / 2 + EPS_M))
        inside = inside[np.argsort((sh.width * sh.depth)[inside], kind="stable")]
        near = np.zeros(0, np.int64)
        if len(self.segments):
            dist = segment_distance(self.segments, x, y)
            near = np.flatnonzero(dist <= tolerance_m)
            near = near[np.argsort(dist[near], kind="stable")]
        return np.concatenate([self.rows[inside], self.busway_rows[near]]).astype(np.int64)

    def rows_in(self, box: Sequence[float], crossing: bool) -> np.ndarray:
        """Rows inside a plan box (``crossing``: touching it is enough)."""
        x0, y0, x1, y1 = box
        out = []
        for rows, b in ((self.rows, self.boxes), (self.busway_rows, _segment_boxes(self.segments))):
            if not len(rows):
                continue
            if crossing:
                m = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
            else:
                m = (b[:, 0] >= x0) & (b[:, 2] <= x1) & (b[:, 1] >= y0) & (b[:, 3] <= y1)
            out.append(rows[m])
        return np.concatenate(out) if out else np.zeros(0, np.int64)


def _segment_boxes(seg: np.ndarray) -> np.ndarray:
    if not len(seg):
        return np.zeros((0, 4))
    return np.stack([np.minimum(seg[:, 0], seg[:, 2]), np.minimum(seg[:, 1], seg[:, 3]),
                     np.maximum(seg[:, 0], seg[:, 2]), np.maximum(seg[:, 1], seg[:, 3])], axis=1)


def segment_distance(seg: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from a point to each segment (k, 4)."""
    ax, ay, bx, by = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = np.clip(((x - ax) * vx + (y - ay) * vy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return np.hypot(ax + t * vx - x, ay + t * vy - y)


class PlacementCheck:
    """Where footprints may go in a hall: box tests against the other equipment and
    its service zones, the columns and keep-outs, and the outline. Built once per
    gesture, cheap enough to run on every mouse move (no engine call)."""

    def __init__(self, floor: FloorGeometry, hall: Hall, front_m: float, rear_m: float,
                 exclude_rows: Iterable[int] = ()) -> None:
        self.front_m, self.rear_m = front_m, rear_m
        exclude = np.fromiter(exclude_rows, np.int64)
        keep = ~np.isin(floor.rows, exclude)
        sh = floor.shapes
        self.item_boxes = floor.boxes[keep]
        self.zone_boxes = boxes_of(service_zones(sh.x[keep], sh.y[keep], sh.rotation[keep], sh.width[keep],
                                                 sh.depth[keep], sh.kind[keep], front_m, rear_m))
        obstacles = [np.asarray(p, float) for p in (*hall.columns, *hall.keepouts) if len(p) >= 3]
        self.obstacle_boxes = (np.array([[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()]
                                         for p in obstacles]) if obstacles else np.zeros((0, 4)))
        self.outline = shapely.Polygon(hall.outline) if len(hall.outline) >= 3 else None
        self.outline_box: np.ndarray | None = None  # set when the hall is an upright rectangle
        if self.outline is not None:
            if not self.outline.is_valid:
                self.outline = shapely.make_valid(self.outline)
            shapely.prepare(self.outline)
            if abs(shapely.area(shapely.envelope(self.outline)) - self.outline.area) < 1e-9:
                self.outline_box = np.array(self.outline.bounds)

    def inside(self, corners: np.ndarray) -> np.ndarray:
        """Which polygons (n, k, 2) lie within the hall outline (touching the wall is
        fine): exact for a rectangular hall, by their corners for any other outline."""
        return self._inside(corners, None)

    def _inside(self, corners: np.ndarray, boxes: np.ndarray | None) -> np.ndarray:
        if not len(corners):
            return np.zeros(0, bool)
        if self.outline is None:
            return np.zeros(len(corners), bool)
        if self.outline_box is not None:
            x0, y0, x1, y1 = self.outline_box
            b = boxes_of(corners) if boxes is None else boxes
            return ((b[:, 0] >= x0 - EPS_M) & (b[:, 1] >= y0 - EPS_M)
                    & (b[:, 2] <= x1 + EPS_M) & (b[:, 3] <= y1 + EPS_M))
        centre = corners.mean(axis=1, keepdims=True)
        shrunk = (corners + np.sign(centre - corners) * EPS_M).reshape(-1, 2)
        return shapely.intersects_xy(self.outline, shrunk[:, 0], shrunk[:, 1]).reshape(len(corners), -1).all(axis=1)

    def check(self, footprints: np.ndarray, zones: np.ndarray, segments: np.ndarray | None = None,
              footprint_boxes: np.ndarray | None = None,
              zone_boxes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which footprints, zones and busway segments would break a rule (their boxes
        may be given when known: a dragged group's boxes only shift)."""
        fb = boxes_of(footprints) if footprint_boxes is None else footprint_boxes
        fp_bad = (overlapping(fb, self.item_boxes) | overlapping(fb, self.obstacle_boxes)
                  | overlapping(fb, self.zone_boxes) | ~self._inside(footprints, fb))
        zb = boxes_of(zones) if zone_boxes is None else zone_boxes
        zone_bad = (overlapping(zb, self.item_boxes) | overlapping(zb, self.obstacle_boxes)
                    | ~self._inside(zones, zb))
        seg_bad = np.zeros(0, bool)
        if segments is not None and len(segments):
            if self.outline is None:
                seg_bad = np.ones(len(segments), bool)
            else:
                seg_bad = ~shapely.covers(self.outline, shapely.linestrings(segments.reshape(-1, 2, 2)))
        return fp_bad, zone_bad, seg_bad


class Snapper:
    """Snaps to the floor's 0.6 m tile grid (a footprint's south-west corner on a tile
    corner) and, within 0.3 m, to the edges of neighbouring equipment, which win.

    Something new (a drop, a paste, a row) lands on the grid; something moved moves by
    whole tiles, so that a rack on the grid stays on it and a row laid off the grid
    stays in line with its neighbours."""

    def __init__(self, enabled: bool = True, grid_m: float = TILE_M, magnet_m: float = MAGNET_M) -> None:
        self.enabled = enabled
        self.grid_m = grid_m
        self.magnet_m = magnet_m

    def value(self, v: float) -> float:
        """A coordinate on the grid (unchanged when snapping is off)."""
        if not self.enabled:
            return v
        return round(round(v / self.grid_m) * self.grid_m, 6)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.value(x), self.value(y)

    def box(self, box: Sequence[float], neighbours: np.ndarray | None = None,
            start: Sequence[float] | None = None) -> tuple[float, float]:
        """The correction (dx, dy) that snaps a box: to a neighbour's edge when one is
        within the magnet distance, else its south-west corner to the grid (or, for a box
        moved from ``start``, its displacement to whole tiles)."""
        if not self.enabled:
            return 0.0, 0.0
        x0, y0, x1, y1 = box
        ox, oy = (0.0, 0.0) if start is None else (float(start[0]), float(start[1]))
        reach = 4 * self.grid_m
        dx = dy = None
        if neighbours is not None and len(neighbours):
            n = neighbours
            beside_y = (n[:, 1] < y1 + reach) & (n[:, 3] > y0 - reach)
            beside_x = (n[:, 0] < x1 + reach) & (n[:, 2] > x0 - reach)
            dx = self._magnet(x0, x1, n[beside_y, 0], n[beside_y, 2])
            dy = self._magnet(y0, y1, n[beside_x, 1], n[beside_x, 3])
        if dx is None:
            dx = self.value(x0 - ox) - (x0 - ox)
        if dy is None:
            dy = self.value(y0 - oy) - (y0 - oy)
        return float(dx), float(dy)

    def _magnet(self, lo: float, hi: float, n_lo: np.ndarray, n_hi: np.ndarray) -> float | None:
        if not len(n_lo):
            return None
        candidates = np.concatenate([n_hi - lo, n_lo - hi, n_lo - lo, n_hi - hi])  # abut, then align
        near = candidates[np.abs(candidates) <= self.magnet_m + 1e-9]
        if not len(near):
            return None
        return float(near[np.argmin(np.abs(near))])


# ====================================================================== overlay
class SketchItem(QGraphicsItem):
    """What a gesture draws over the plan: ghost footprints and service zones, the
    rubber band, a new column or busway, an outline's handles. One item, in the
    scene only while it shows something, and only on screen (not in exports).
    Thousands of footprints are kept in floor chunks: a repaint draws what it shows."""

    def __init__(self, z: float = 20.0) -> None:
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.layers: list[tuple[list[tuple[QRectF, QPainterPath]], QPen | None, QBrush | None, float]] = []
        self.lines: list[tuple[list[QLineF], QPen]] = []
        self.handles: list[QPointF] = []
        self._bounds = QRectF()

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
        for chunks, pen, brush, from_ppm in self.layers:
            if ppm < from_ppm:
                continue
            painter.setPen(pen if pen is not None else Qt.PenStyle.NoPen)
            painter.setBrush(brush if brush is not None else Qt.BrushStyle.NoBrush)
            draw_chunks(painter, chunks, option.exposedRect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for ls, pen in self.lines:
            painter.setPen(pen)
            painter.drawLines(ls)
        if self.handles:
            half = HANDLE_PX / 2 / max(ppm, 1e-9)
            edge = QPen(SELECTION_COLOR, 1.5)
            edge.setCosmetic(True)
            painter.setPen(edge)
            painter.setBrush(QColor("white"))
            for p in self.handles:
                painter.drawRect(QRectF(p.x() - half, p.y() - half, 2 * half, 2 * half))
        painter.restore()


def cosmetic_pen(color: QColor, width: float = 1.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen as wide in pixels whatever the zoom."""
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def alpha(color: QColor, a: int) -> QColor:
    """``color`` with opacity ``a`` (0–255)."""
    c = QColor(color)
    c.setAlpha(a)
    return c


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
    service zone). Built once per gesture; each move only shifts the sketch and, when
    the verdict changes, recolours it."""

    def __init__(self, sketch: SketchItem, hall: HallItem, shapes: Shapes, check: PlacementCheck,
                 color: QColor = OK_COLOR) -> None:
        self.sketch, self.hall, self.shapes, self.check, self.color = sketch, hall, shapes, check, color
        self.corners = shapes.corners()
        self.fronts = shapes.fronts()
        self.zones = shapes.zones(check.front_m, check.rear_m)
        self.corner_boxes = boxes_of(self.corners)
        self.zone_boxes = boxes_of(self.zones)
        self.segments = shapes.segments
        self.box = shapes.box()
        self.ok = True
        self._verdict: tuple | None = None
        self.dx = self.dy = 0.0

    def show(self, dx: float, dy: float) -> bool:
        """Show the shapes moved by (dx, dy) plan metres; True when nothing is red."""
        shift = np.array([dx, dy])
        box_shift = np.tile(shift, 2)
        fp_bad, zone_bad, seg_bad = self.check.check(
            self.corners + shift, self.zones + shift, self.segments + box_shift if len(self.segments) else None,
            footprint_boxes=self.corner_boxes + box_shift, zone_boxes=self.zone_boxes + box_shift)
        verdict = (fp_bad.tobytes(), zone_bad.tobytes(), seg_bad.tobytes())
        if verdict != self._verdict:
            self._verdict = verdict
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
                layers.append((zones[mask], cosmetic_pen(color, 1.0, Qt.PenStyle.DashLine) if dashed else None,
                               QBrush(alpha(color, 45 if color is ZONE_OK_COLOR else 70))))
        fp = to_scene(hall, self.corners)
        for mask, color in ((~fp_bad, self.color), (fp_bad, BAD_COLOR)):
            if mask.any():
                layers.append((fp[mask], cosmetic_pen(color.darker(130), 1.5), QBrush(alpha(color, 150))))
        if len(self.fronts):  # which way it faces, once a front strip is a few pixels deep
            layers.append((to_scene(hall, self.fronts), None, QBrush(QColor(255, 255, 255, 170)), LOD_OUTLINES))
        lines = []
        if len(self.segments):
            seg = to_scene(hall, self.segments.reshape(-1, 2, 2)).reshape(-1, 4)
            for mask, color in ((~seg_bad, self.color), (seg_bad, BAD_COLOR)):
                if mask.any():
                    pen = QPen(alpha(color, 200), 0.3)
                    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                    lines.append(([QLineF(*map(float, s)) for s in seg[mask]], pen))
        self.sketch.set_content(layers, lines)


# ====================================================================== tools
class PlanTool:
    """A way of using the mouse on the plan; one is active at a time."""

    name = ""
    label = ""
    tooltip = ""
    #: Shown in the status bar while the tool is active.
    hint = ""
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, editor: "PlanEditor") -> None:
        self.editor = editor

    def activate(self) -> None:
        """Become the active tool."""
        self.editor.view.viewport().setCursor(self.cursor)
        self.refresh()

    def deactivate(self) -> None:
        """Stop being the active tool (a gesture in progress is dropped)."""
        self.cancel()
        self.editor.clear_sketch()

    def refresh(self) -> None:
        """Redraw what the tool shows between gestures (after the model changed)."""

    def cancel(self) -> bool:
        """Drop a gesture in progress; True when there was one."""
        return False

    def mouse_press(self, ev: ToolEvent) -> None:
        pass

    def mouse_move(self, ev: ToolEvent) -> None:
        pass

    def mouse_release(self, ev: ToolEvent) -> None:
        pass

    def mouse_double_click(self, ev: ToolEvent) -> None:
        pass


class SelectTool(PlanTool):
    """Pick, rubber-band, move; drag a selected busway's end to resize it.

    A click selects the item under the cursor (a rack: its whole UltraServer; with
    Alt just that rack); Ctrl-click toggles; clicking again on the same spot cycles
    through what lies there (a busway over a row). Dragging moves the selection as
    one ghost and pushes one ``Move`` on release; Alt-drag moves one rack out of its
    UltraServer's group. Dragging on empty floor draws a rubber band: left to right
    selects what is wholly inside, right to left what it touches.
    """

    name = "select"
    label = "Select"
    tooltip = "Select, move and edit equipment (Esc)"
    hint = ("Click to select (Alt: one rack, Ctrl: toggle), drag to move, drag on the floor to select an area; "
            "R rotates, Del deletes, arrows nudge.")
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, editor: "PlanEditor") -> None:
        super().__init__(editor)
        self._state = "idle"
        self._press: ToolEvent | None = None
        self._hall: HallItem | None = None
        self._hits: tuple[int, ...] = ()
        self._hit_index = 0
        self._last_click: tuple[QPointF, tuple[int, ...], int] | None = None
        self._ghost: Ghost | None = None
        self._moving: list[str] = []
        self._neighbours: np.ndarray | None = None
        self._end: tuple[str, int] | None = None  # busway id, 0 start / 1 end

    # ------------------------------------------------------------------ press
    def mouse_press(self, ev: ToolEvent) -> None:
        ed = self.editor
        self._press = ev
        self._state = "idle"
        hall = ev.hall
        if hall is not None and self._press_busway_end(ev, hall):
            return
        hits = ed.hits_at(hall, ev) if hall is not None else np.zeros(0, np.int64)
        if not len(hits):
            self._last_click = None
            self._state = "band"
            if not (ev.has(Qt.KeyboardModifier.ControlModifier) or ev.has(Qt.KeyboardModifier.ShiftModifier)):
                ed.document.select([])
            return
        key = tuple(int(h) for h in hits)
        index = 0
        last = self._last_click
        if last is not None and last[1] == key and _near(last[0], ev.view_pos, PICK_PX):
            index = last[2]  # a click on the same spot: the item picked last time stays the one pressed
        self._hits, self._hit_index, self._hall = key, index, hall
        row = key[index]
        alt = ev.has(Qt.KeyboardModifier.AltModifier)
        ids = ed.pick_ids(row, single=alt)
        selection = ed.document.selection
        if ev.has(Qt.KeyboardModifier.ControlModifier):
            if all(i in selection for i in ids):
                ed.document.select([i for i in selection if i not in ids])
            else:
                ed.document.select(selection + ids)
            return
        item_id = ed.design.equipment.ids[row]
        if alt or item_id not in selection:
            ed.document.select(ids)
        self._state = "pressed"

    def _press_busway_end(self, ev: ToolEvent, hall: HallItem) -> bool:
        """A press on an end handle of a selected busway starts resizing it."""
        ed = self.editor
        t = ed.design.equipment
        if not ed.document.selection:
            return False
        rows = t.rows(ed.document.selection)
        code = t.halls.codes.get(hall.hall.id)
        rows = rows[(ed.types().kind[t.type_code[rows]] == BUSWAY) & (t.hall_code[rows] == code)
                    & np.isfinite(t.x2[rows])]
        for row in rows:
            item_id = t.ids[int(row)]
            for which, (x, y) in enumerate(((t.x[row], t.y[row]), (t.x2[row], t.y2[row]))):
                p = ed.view.mapFromScene(hall.from_plan(float(x), float(y)))
                if _near(QPointF(p), ev.view_pos, PICK_PX):
                    self._state, self._end, self._hall = "end", (item_id, which), hall
                    return True
        return False

    # ------------------------------------------------------------------ move
    def mouse_move(self, ev: ToolEvent) -> None:
        if self._state == "idle":
            self._hover(ev)
            return
        if self._state in ("pressed", "band") and not self._dragged(ev):
            return
        if self._state == "pressed":
            self._begin_move()
        if self._state == "moving":
            self._drag_to(ev)
        elif self._state == "band":
            self._draw_band(ev)
        elif self._state == "end":
            self._drag_end(ev)

    def _dragged(self, ev: ToolEvent) -> bool:
        d = ev.view_pos - self._press.view_pos
        return math.hypot(d.x(), d.y()) >= QApplication.startDragDistance()

    def _hover(self, ev: ToolEvent) -> None:
        over = ev.hall is not None and len(self.editor.hits_at(ev.hall, ev)) > 0
        self.editor.view.viewport().setCursor(Qt.CursorShape.SizeAllCursor if over else self.cursor)

    def _begin_move(self) -> None:
        ed = self.editor
        t = ed.design.equipment
        code = t.halls.codes.get(self._hall.hall.id)
        ids = [i for i in ed.document.selection if t.hall_code[t.index[i]] == code]
        if not ids:
            self._state = "idle"
            return
        rows = t.rows(ids)
        check = ed.placement_check(self._hall.hall.id, rows)
        self._moving = ids
        self._moving_rows = rows
        self._shapes = Shapes.of_rows(ed.design, ed.types(), rows)
        self._target = self._hall
        self._neighbours = check.item_boxes
        self._ghost = Ghost(ed.sketch_item(), self._hall, self._shapes, check)
        self._state = "moving"

    def _follow_into(self, hall: HallItem | None) -> None:
        """The cursor entered another hall: the ghost moves there, checked against that
        hall's outline, obstacles and equipment."""
        if hall is None or hall is self._target:
            return
        ed = self.editor
        check = ed.placement_check(hall.hall.id, self._moving_rows)
        self._target = hall
        self._neighbours = check.item_boxes
        self._ghost = Ghost(ed.sketch_item(), hall, self._shapes, check)

    def _drag_to(self, ev: ToolEvent) -> None:
        ed = self.editor
        self._follow_into(ev.hall)
        # the press point in the hall the drag started in, the cursor in the hall it is over:
        # the items keep their place under the cursor, in the frame of the hall they land in
        x0, y0 = self._press.plan(self._hall)
        x1, y1 = ev.plan(self._target)
        dx, dy = x1 - x0, y1 - y0
        g = self._ghost
        if g.box is not None:
            sx, sy = ed.snapper.box(g.box + np.array([dx, dy, dx, dy]), self._neighbours, start=g.box)
            dx, dy = dx + sx, dy + sy
        dx, dy = round(dx, 6), round(dy, 6)
        ok = g.show(dx, dy)
        where = "" if ok else "  — would break a rule (red)"
        into = f" into {self._target.hall.name}" if self._target is not self._hall else ""
        ed.message.emit(f"Move {len(self._moving)} item{'s' if len(self._moving) != 1 else ''}{into} "
                        f"by Δx {dx:+.2f} m, Δy {dy:+.2f} m{where}")

    def _draw_band(self, ev: ToolEvent) -> None:
        rect = QRectF(self._press.scene_pos, ev.scene_pos).normalized()
        crossing = ev.scene_pos.x() < self._press.scene_pos.x()
        color = ZONE_OK_COLOR if crossing else OK_COLOR
        path = QPainterPath()
        path.addRect(rect)
        pen = cosmetic_pen(color, 1.0, Qt.PenStyle.DashLine if crossing else Qt.PenStyle.SolidLine)
        sketch = self.editor.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content([(path, pen, QBrush(alpha(color, 40)))])

    def _drag_end(self, ev: ToolEvent) -> None:
        ed = self.editor
        item_id, which = self._end
        e = ed.design.equipment.get(item_id)
        fixed = e.end if which == 0 else (e.x, e.y)
        x, y = ed.snapper.point(*ev.plan(self._hall))
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        pen = QPen(alpha(OK_COLOR, 200), 0.3)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        a, b = self._hall.from_plan(*fixed), self._hall.from_plan(x, y)
        sketch.set_content(lines=[([QLineF(a, b)], pen)], handles=[a, b])
        length = math.hypot(x - fixed[0], y - fixed[1])
        ed.message.emit(f"Busway {item_id}: {length:.2f} m")
        self._end_to = (x, y)

    # ------------------------------------------------------------------ release
    def mouse_release(self, ev: ToolEvent) -> None:
        ed = self.editor
        state, self._state = self._state, "idle"
        if state == "moving":
            g = self._ghost
            self._ghost = None
            ed.clear_sketch()
            n = f"{len(self._moving)} item{'s' if len(self._moving) != 1 else ''}"
            if self._target is not self._hall:
                ed.document.push(move_to_hall(ed.design, self._moving, self._target.hall.id, g.dx, g.dy))
                ed.message.emit(f"Moved {n} into {self._target.hall.name}")
            elif (g.dx, g.dy) != (0.0, 0.0):
                ed.document.push(move_items(ed.design, self._moving, g.dx, g.dy))
                ed.message.emit(f"Moved {n} by Δx {g.dx:+.2f} m, Δy {g.dy:+.2f} m")
            self._last_click = None
        elif state == "band":
            ed.clear_sketch()
            if self._dragged(ev):
                self._select_band(ev)
        elif state == "end":
            ed.clear_sketch()
            self._commit_end()
        elif state == "pressed":
            self._click_through(ev)

    def _select_band(self, ev: ToolEvent) -> None:
        ed = self.editor
        rect = QRectF(self._press.scene_pos, ev.scene_pos).normalized()
        crossing = ev.scene_pos.x() < self._press.scene_pos.x()
        t = ed.design.equipment
        rows = []
        for hall in ed.scene.hall_items:
            x0, y1 = hall.to_plan(rect.topLeft())
            x1, y0 = hall.to_plan(rect.bottomRight())
            rows.append(ed.floor(hall.hall.id).rows_in((x0, y0, x1, y1), crossing))
        found = np.unique(np.concatenate(rows)) if rows else np.zeros(0, np.int64)
        ids = [t.ids[int(r)] for r in found]
        if not ev.has(Qt.KeyboardModifier.AltModifier):
            ids = ed.with_systems(ids)
        if ev.has(Qt.KeyboardModifier.ControlModifier) or ev.has(Qt.KeyboardModifier.ShiftModifier):
            ids = ed.document.selection + ids
        ed.document.select(ids)
        ed.message.emit(f"{len(ed.document.selection)} selected")

    def _click_through(self, ev: ToolEvent) -> None:
        """A click without a drag: the next click on the same spot picks the next item there."""
        ed = self.editor
        last = self._last_click
        repeat = last is not None and last[1] == self._hits and _near(last[0], ev.view_pos, PICK_PX)
        index = self._hit_index
        if repeat and len(self._hits) > 1:
            index = (index + 1) % len(self._hits)
            ed.document.select(ed.pick_ids(self._hits[index], single=ev.has(Qt.KeyboardModifier.AltModifier)))
        self._last_click = (QPointF(ev.view_pos), self._hits, index)
        ed.announce_selection()

    def _commit_end(self) -> None:
        ed = self.editor
        to = getattr(self, "_end_to", None)
        self._end_to = None
        if to is None:
            return
        item_id, which = self._end
        cmd = SetPlacements.capture(ed.design, [item_id], "Resize busway")
        if which == 0:
            cmd.x, cmd.y = np.array([to[0]]), np.array([to[1]])
        else:
            cmd.x2, cmd.y2 = np.array([to[0]]), np.array([to[1]])
        if (cmd.x[0], cmd.y[0]) == (cmd.x2[0], cmd.y2[0]):
            ed.message.emit("A busway needs two different ends")
            return
        ed.document.push(cmd)

    def cancel(self) -> bool:
        busy = self._state in ("moving", "band", "end")
        self._state = "idle"
        self._ghost = None
        self._end_to = None
        self.editor.clear_sketch()
        return busy


def _near(a: QPointF, b: QPointF, px: float) -> bool:
    return math.hypot(a.x() - b.x(), a.y() - b.y()) <= px


class RowTool(PlanTool):
    """Drag on the floor to lay a row of N UltraServers (one undo step).

    The row starts where the drag starts and runs east, or west when dragging west;
    dragging north turns the fronts north (rotation 180°), otherwise they face south
    (0°): drag towards the cold aisle. N comes from the tool bar; with "Complete
    rows" the row also gets its CDUs, network racks and overhead busways.
    """

    name = "row"
    label = "Row"
    tooltip = "Lay a row of UltraServers: drag from the row's start; drag north or south to face that way"
    hint = "Drag from where the row starts: east or west sets its direction, north or south where the fronts face."

    def __init__(self, editor: "PlanEditor") -> None:
        super().__init__(editor)
        self._press: ToolEvent | None = None
        self._hall: HallItem | None = None
        self._check: PlacementCheck | None = None
        self._records: list[Equipment] = []

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._press, self._hall = ev, ev.hall
        self._check = self.editor.placement_check(ev.hall.hall.id)
        self._preview(ev)

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._press is not None:
            self._preview(ev)

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._press is None:
            return
        self._preview(ev)
        records = self._records
        self.cancel()
        ed = self.editor
        if records:
            n = ed.row_ultraservers()
            ed.add_items(records, f"Add row of {n} UltraServer{'s' if n != 1 else ''}")

    def layout(self, ev: ToolEvent) -> tuple[list[Equipment], float]:
        """The row for a drag from the press to ``ev``: its records (in plan metres) and rotation."""
        ed = self.editor
        x0, y0 = self._press.plan(self._hall)
        x1, y1 = ev.plan(self._hall)
        rotation = 180.0 if y1 - y0 > MAGNET_M else 0.0
        west = x1 < x0 - MAGNET_M
        template = ed.row_template(rotation)
        if not template:
            return [], rotation
        box = Shapes.of_records(template, ed.catalog).box()
        dx = (x0 - (box[2] - box[0])) if west else x0
        dx -= box[0]
        dy = y0 - (box[1] + box[3]) / 2
        sx, sy = ed.snapper.box(box + np.array([dx, dy, dx, dy]), self._check.item_boxes)
        dx, dy = round(dx + sx, 6), round(dy + sy, 6)
        return fresh_copies(ed.design, ed.catalog, template, dx, dy, self._hall.hall.id), rotation

    def _preview(self, ev: ToolEvent) -> None:
        ed = self.editor
        self._records, rotation = self.layout(ev)
        if not self._records:
            ed.message.emit("Choose a compute type in the palette first")
            return
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        ghost = Ghost(sketch, self._hall, Shapes.of_records(self._records, ed.catalog), self._check,
                      QColor(ed.catalog.types[ed.row_type].color))
        ok = ghost.show(0.0, 0.0)
        n = ed.row_ultraservers()
        faces = "north" if rotation == 180.0 else "south"
        ed.message.emit(f"Row of {n} UltraServer{'s' if n != 1 else ''}, fronts facing {faces}"
                        + ("" if ok else "  — would break a rule (red)"))

    def cancel(self) -> bool:
        busy = self._press is not None
        self._press = None
        self._records = []
        self.editor.clear_sketch()
        return busy


class OutlineTool(PlanTool):
    """Reshape a hall: drag a corner; double-click an edge to add a corner there,
    double-click a corner to remove it. One ``SetHall`` per gesture."""

    name = "outline"
    label = "Outline"
    tooltip = "Edit the hall outline: drag a corner, double-click an edge to add one, a corner to remove it"
    hint = "Drag a corner of the hall; double-click a wall to add a corner, a corner to remove it."
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, editor: "PlanEditor") -> None:
        super().__init__(editor)
        self._drag: tuple[HallItem, int] | None = None
        self._outline: list[tuple[float, float]] | None = None

    def refresh(self) -> None:
        if self._drag is None:
            self._draw()

    def _draw(self, moving: HallItem | None = None) -> None:
        ed = self.editor
        handles, layers = [], []
        for hall in ed.scene.hall_items:
            points = self._outline if moving is hall else hall.hall.outline
            handles += [hall.from_plan(float(x), float(y)) for x, y in points]
            if moving is hall:
                layers.append((polygon_scene_path(hall, points), cosmetic_pen(OK_COLOR, 2.0, Qt.PenStyle.DashLine),
                               QBrush(alpha(OK_COLOR, 25))))
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content(layers, handles=handles)

    def corner_at(self, ev: ToolEvent) -> tuple[HallItem, int] | None:
        """The hall corner within a few pixels of the cursor."""
        best = None
        for hall in self.editor.scene.hall_items:
            for k, (x, y) in enumerate(hall.hall.outline):
                p = QPointF(self.editor.view.mapFromScene(hall.from_plan(float(x), float(y))))
                d = math.hypot(p.x() - ev.view_pos.x(), p.y() - ev.view_pos.y())
                if d <= PICK_PX * 1.5 and (best is None or d < best[0]):
                    best = (d, hall, k)
        return None if best is None else (best[1], best[2])

    def edge_at(self, ev: ToolEvent) -> tuple[HallItem, int, float, float] | None:
        """The wall under the cursor: (hall, index of its first corner, x, y on the wall)."""
        for hall in self.editor.scene.hall_items:
            pts = np.asarray(hall.hall.outline, float)
            seg = np.concatenate([pts, np.roll(pts, -1, axis=0)], axis=1)
            x, y = ev.plan(hall)
            dist = segment_distance(seg, x, y)
            k = int(np.argmin(dist))
            if dist[k] * ev.ppm <= PICK_PX:
                ax, ay, bx, by = seg[k]
                vx, vy = bx - ax, by - ay
                t = ((x - ax) * vx + (y - ay) * vy) / max(vx * vx + vy * vy, 1e-12)
                px, py = ax + t * vx, ay + t * vy
                snap = self.editor.snapper
                if abs(vy) < 1e-9:      # along a wall running east-west: only x is free
                    px = snap.value(px)
                elif abs(vx) < 1e-9:
                    py = snap.value(py)
                return hall, k, round(px, 6), round(py, 6)
        return None

    def mouse_press(self, ev: ToolEvent) -> None:
        hit = self.corner_at(ev)
        if hit is not None:
            self._drag = hit
            self._outline = [tuple(p) for p in hit[0].hall.outline]

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._drag is None:
            over = self.corner_at(ev) is not None
            self.editor.view.viewport().setCursor(Qt.CursorShape.SizeAllCursor if over else self.cursor)
            return
        hall, k = self._drag
        x, y = self.editor.snapper.point(*ev.plan(hall))
        self._outline[k] = (round(x, 6), round(y, 6))
        self._draw(moving=hall)
        self.editor.message.emit(f"Corner {k + 1} of {hall.hall.name}: x {x:.2f} m, y {y:.2f} m")

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._drag is None:
            return
        hall, _ = self._drag
        outline = tuple(self._outline)
        self._drag = self._outline = None
        if outline != tuple(tuple(p) for p in hall.hall.outline) and _valid_outline(outline):
            self.editor.document.push(SetHall(hall.hall.id, {"outline": outline}, "Move hall corner"))
        self._draw()

    def mouse_double_click(self, ev: ToolEvent) -> None:
        ed = self.editor
        corner = self.corner_at(ev)
        if corner is not None:
            hall, k = corner
            outline = list(hall.hall.outline)
            if len(outline) <= 3:
                ed.message.emit("A hall needs at least three corners")
                return
            del outline[k]
            if _valid_outline(outline):
                ed.document.push(SetHall(hall.hall.id, {"outline": tuple(outline)}, "Remove hall corner"))
            return
        edge = self.edge_at(ev)
        if edge is not None:
            hall, k, x, y = edge
            outline = list(hall.hall.outline)
            outline.insert(k + 1, (x, y))
            ed.document.push(SetHall(hall.hall.id, {"outline": tuple(outline)}, "Add hall corner"))

    def cancel(self) -> bool:
        busy = self._drag is not None
        self._drag = self._outline = None
        self._draw()
        return busy


def _valid_outline(points) -> bool:
    if len(points) < 3:
        return False
    poly = shapely.Polygon(points)
    return poly.is_valid and poly.area > 0


class RectangleTool(PlanTool):
    """Drag a rectangle (corners on the grid) that becomes a column or a keep-out zone;
    double-click one to remove it."""

    field = "columns"
    noun = "column"
    color = COLUMN_SKETCH_COLOR

    def __init__(self, editor: "PlanEditor") -> None:
        super().__init__(editor)
        self._start: tuple[float, float] | None = None
        self._hall: HallItem | None = None
        self._rect: tuple[float, float, float, float] | None = None
        self._check: PlacementCheck | None = None

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._hall = ev.hall
        self._start = self.editor.snapper.point(*ev.plan(ev.hall))
        self._check = self.editor.placement_check(ev.hall.hall.id)
        self._rect = None

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        ed = self.editor
        x1, y1 = ed.snapper.point(*ev.plan(self._hall))
        x0, y0 = self._start
        self._rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        r = self._rect
        covers = bool(overlapping(np.array([r]), self._check.item_boxes).any())
        color = BAD_COLOR if covers else self.color
        path = polygon_scene_path(self._hall, _rect_polygon(r))
        brush = QBrush(alpha(color, 110)) if self.field == "columns" else QBrush(alpha(color, 150),
                                                                                  Qt.BrushStyle.BDiagPattern)
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content([(path, cosmetic_pen(color, 1.5, Qt.PenStyle.DashLine), brush)])
        ed.message.emit(f"New {self.noun}: {r[2] - r[0]:.2f} × {r[3] - r[1]:.2f} m"
                        + ("  — on equipment (red)" if covers else ""))

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        self.mouse_move(ev)
        r, hall = self._rect, self._hall
        self.cancel()
        if r is None or r[2] - r[0] < 0.1 or r[3] - r[1] < 0.1:
            return
        polygons = list(getattr(hall.hall, self.field)) + [_rect_polygon(r)]
        self.editor.document.push(SetHall(hall.hall.id, {self.field: polygons}, f"Add {self.noun}"))

    def mouse_double_click(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        x, y = ev.plan(ev.hall)
        polygons = list(getattr(ev.hall.hall, self.field))
        for k in range(len(polygons) - 1, -1, -1):  # the one drawn last is on top
            if len(polygons[k]) >= 3 and shapely.intersects_xy(shapely.Polygon(polygons[k]), x, y):
                del polygons[k]
                self.editor.document.push(SetHall(ev.hall.hall.id, {self.field: polygons}, f"Remove {self.noun}"))
                return

    def cancel(self) -> bool:
        busy = self._start is not None
        self._start = self._rect = None
        self.editor.clear_sketch()
        return busy


def _rect_polygon(r) -> tuple[tuple[float, float], ...]:
    x0, y0, x1, y1 = (round(float(v), 6) for v in r)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


class ColumnTool(RectangleTool):
    """Draw a structural column."""

    name = "column"
    label = "Column"
    tooltip = "Draw a column: drag a rectangle; double-click a column to remove it"
    hint = "Drag a rectangle to add a column; double-click a column to remove it."


class KeepoutTool(RectangleTool):
    """Draw a keep-out zone."""

    name = "keepout"
    label = "Keep-out"
    tooltip = "Draw a keep-out zone: drag a rectangle; double-click one to remove it"
    hint = "Drag a rectangle to add a keep-out zone; double-click one to remove it."
    field = "keepouts"
    noun = "keep-out zone"
    color = KEEPOUT_SKETCH_COLOR


class BuswayTool(PlanTool):
    """Drag a busway run, kept east-west or north-south; its ends land on the grid and
    across the run it snaps to the centre line of a rack row within 0.3 m."""

    name = "busway"
    label = "Busway"
    tooltip = "Draw an overhead busway: drag along a row (kept horizontal or vertical)"
    hint = "Drag along a row to draw a busway; it stays horizontal or vertical."

    def __init__(self, editor: "PlanEditor") -> None:
        super().__init__(editor)
        self._start: tuple[float, float] | None = None
        self._end: tuple[float, float] | None = None
        self._hall: HallItem | None = None

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._hall = ev.hall
        self._start = self.editor.snap_to_rows(ev.hall.hall.id, *ev.plan(ev.hall))
        self._end = None

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        ed = self.editor
        x0, y0 = self._start
        x, y = ev.plan(self._hall)
        if abs(x - x0) >= abs(y - y0):
            self._end = (ed.snapper.value(x), y0)
        else:
            self._end = (x0, ed.snapper.value(y))
        a, b = self._hall.from_plan(x0, y0), self._hall.from_plan(*self._end)
        color = QColor(ed.catalog.types[ed.busway_type].color) if ed.busway_type in ed.catalog.types else OK_COLOR
        pen = QPen(alpha(color, 200), 0.3)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content(lines=[([QLineF(a, b)], pen)], handles=[a, b])
        length = math.hypot(self._end[0] - x0, self._end[1] - y0)
        ed.message.emit(f"Busway {length:.2f} m")

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        self.mouse_move(ev)
        start, end, hall = self._start, self._end, self._hall
        self.cancel()
        if end is None or math.hypot(end[0] - start[0], end[1] - start[1]) < TILE_M - 1e-9:
            self.editor.message.emit("Drag at least one tile (0.6 m) to draw a busway")
            return
        ed = self.editor
        template = [Equipment("bw", ed.busway_type, hall.hall.id, round(start[0], 6), round(start[1], 6), 0.0,
                              None, (round(end[0], 6), round(end[1], 6)))]
        ed.add_items(fresh_copies(ed.design, ed.catalog, template), "Add busway")

    def cancel(self) -> bool:
        busy = self._start is not None
        self._start = self._end = None
        self.editor.clear_sketch()
        return busy


# ====================================================================== the editor
#: A dropped item faces like the row it joins: the nearest rack within this distance.
ADOPT_M = 2.4
#: Compass names of rotations 0, 90, 180, 270 (the front faces −y at 0°).
FACINGS = ("south", "east", "north", "west")


def rotated_records(records: list[Equipment], angle_deg: float) -> list[Equipment]:
    """Records turned by ``angle_deg`` about the plan origin (a template centred there)."""
    if angle_deg % 360.0 == 0.0:
        return records

    x, y = turn_points([r.x for r in records], [r.y for r in records], angle_deg)
    ends = [None if r.end is None else tuple(map(float, turn_points(*r.end, angle_deg))) for r in records]
    return [replace(r, x=float(x[k]), y=float(y[k]), end=ends[k], rotation=(r.rotation + angle_deg) % 360.0)
            for k, r in enumerate(records)]


@dataclass
class _DropState:
    type_id: str
    template: list[Equipment]
    hall: HallItem | None = None
    ghost: Ghost | None = None
    records: list[Equipment] | None = None
    rotation: float = 0.0


class PlanEditor(QObject):
    """Editing on one plan view of one document: its tools, edit actions and snapping."""

    #: A hint or a result for the status bar.
    message = Signal(str)
    #: The active tool changed (its name).
    tool_changed = Signal(str)

    TOOL_CLASSES = (SelectTool, RowTool, OutlineTool, ColumnTool, KeepoutTool, BuswayTool)

    def __init__(self, view: PlanView, document: Document, palette: PaletteWidget | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.document = document
        self.palette = palette
        self.scene = view.plan_scene()
        self._sketch = SketchItem()
        snap = settings().value(SNAP_SETTING, True)
        self.snapper = Snapper(enabled=snap not in (False, "false", "0", 0))
        self._cache: dict = {}
        self._drop: _DropState | None = None
        self._nudge_ids: tuple[str, ...] | None = None
        self._nudge_time = 0.0
        self._nudge_index = -1
        self._nudge_burst = 0
        catalog = self.catalog
        computes = [t.id for t in catalog.types.values() if t.is_compute]
        busways = [t.id for t in catalog.types.values() if t.kind == "busway"]
        self.row_type = "trn3-gen2-rack" if "trn3-gen2-rack" in computes else (computes[0] if computes else "")
        self.busway_type = "busway-1200a" if "busway-1200a" in busways else (busways[0] if busways else "")
        self.tools: dict[str, PlanTool] = {cls.name: cls(self) for cls in self.TOOL_CLASSES}
        self.tool: PlanTool = self.tools["select"]
        self._build_actions()
        self._build_toolbar()
        document.selection_changed.connect(self._on_selection_changed)
        document.changed.connect(self._on_document_changed)
        document.design_replaced.connect(self._on_design_replaced)
        QApplication.clipboard().dataChanged.connect(self._on_clipboard_changed)
        if palette is not None:
            palette.type_activated.connect(self.place_at_view_centre)
            palette.type_chosen.connect(self._on_palette_type_chosen)
            palette.set_catalog(catalog)
        view.set_editor(self)
        self.tool.activate()
        self._on_selection_changed(document.selection)
        self._on_clipboard_changed()

    # ------------------------------------------------------------------ state
    @property
    def design(self) -> Design:
        return self.document.design

    @property
    def catalog(self) -> Catalog:
        """The catalog with the design's assumption overrides (racks per UltraServer …)."""
        cat = self._cache.get("catalog")
        if cat is None:
            try:
                cat = self.document.catalog.with_overrides(self.design.assumptions)
            except ValueError:  # an invalid override is the engine's to report
                cat = self.document.catalog
            self._cache["catalog"] = cat
        return cat

    def types(self) -> TypeTable:
        table = self._cache.get("types")
        if table is None or len(table.kind) != len(self.design.equipment.types.names):
            table = self._cache["types"] = TypeTable.build(self.design, self.catalog)
        return table

    def floor(self, hall_id: str) -> FloorGeometry:
        """A hall's equipment as arrays (cached until the model changes)."""
        key = ("floor", hall_id)
        geometry = self._cache.get(key)
        if geometry is None:
            geometry = self._cache[key] = FloorGeometry(self.design, self.types(), hall_id)
        return geometry

    def placement_check(self, hall_id: str, exclude_rows: Iterable[int] = ()) -> PlacementCheck:
        """Rules for placing footprints in a hall, ignoring the rows being moved."""
        cat = self.catalog
        return PlacementCheck(self.floor(hall_id), self.design.hall(hall_id), cat.value("clearance.front_m"),
                              cat.value("clearance.rear_m"), exclude_rows)

    def sketch_item(self) -> SketchItem:
        """The overlay gestures draw on (put in the scene on first use)."""
        if self._sketch.scene() is not self.scene:
            self.scene.addItem(self._sketch)
        return self._sketch

    def clear_sketch(self) -> None:
        """Take the gesture overlay off the plan."""
        self._sketch.clear()
        if self._sketch.scene() is not None:
            self._sketch.scene().removeItem(self._sketch)

    def row_ultraservers(self) -> int:
        """How many UltraServers the row tool lays (the tool bar's spin box)."""
        return self.row_spin.value()

    # ------------------------------------------------------------------ picking
    def hits_at(self, hall: HallItem, ev: ToolEvent) -> np.ndarray:
        """Equipment rows under the cursor in a hall, in picking order."""
        x, y = ev.plan(hall)
        return self.floor(hall.hall.id).hits(x, y, PICK_PX / max(ev.ppm, 1e-9))

    def pick_ids(self, row: int, single: bool = False) -> list[str]:
        """What a click on a row selects: its whole UltraServer, or just it (``single``)."""
        t = self.design.equipment
        code = int(t.system_code[row])
        if single or code < 0:
            return [t.ids[row]]
        return [t.ids[r] for r in np.flatnonzero(t.system_code == code)]

    def with_systems(self, ids: Sequence[str]) -> list[str]:
        """``ids`` and every other rack of their UltraServers."""
        t = self.design.equipment
        if not ids:
            return []
        rows = t.rows(ids)
        codes = np.unique(t.system_code[rows])
        codes = codes[codes >= 0]
        if not len(codes):
            return list(ids)
        members = np.flatnonzero(np.isin(t.system_code, codes))
        return list(dict.fromkeys([*ids, *(t.ids[r] for r in members)]))

    def announce_selection(self) -> None:
        """Say what is selected in the status bar."""
        sel = self.document.selection
        if not sel:
            return
        t = self.design.equipment
        systems = {t.get(i).system for i in sel[:64]} - {None}
        if len(sel) == 1:
            e = t.get(sel[0])
            self.message.emit(f"{e.id} ({e.type}) at x {e.x:.2f} m, y {e.y:.2f} m, {e.rotation:g}°")
        elif len(systems) == 1 and len(sel) <= 64:
            self.message.emit(f"UltraServer {systems.pop()}: {len(sel)} racks")
        else:
            self.message.emit(f"{len(sel)} items selected")

    # ------------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        """Make a tool active (``select``, ``row``, ``outline``, ``column``, ``keepout``, ``busway``)."""
        tool = self.tools[name]
        if tool is not self.tool:
            self.tool.deactivate()
            self.tool = tool
            tool.activate()
        action = self.tool_actions[name]
        if not action.isChecked():
            action.setChecked(True)
        self.message.emit(tool.hint)
        self.tool_changed.emit(name)

    def escape(self) -> None:
        """Esc: drop the gesture in progress, else go back to Select, else clear the selection."""
        if self.tool.cancel():
            self.message.emit("Cancelled")
        elif self.tool is not self.tools["select"]:
            self.set_tool("select")
        else:
            self.document.select([])

    def key_press(self, event: QKeyEvent) -> bool:
        """Keys the plan handles itself: Esc, and the arrows (nudge; Shift: fine)."""
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.escape()
            return True
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}
        if key in steps and self.document.selection:
            step = NUDGE_FINE_M if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE_M
            sx, sy = steps[key]
            self.nudge(sx * step, sy * step)
            return True
        return False

    # ------------------------------------------------------------------ edits
    def add_items(self, records: list[Equipment], label: str) -> None:
        """Add new items as one undo step and select them."""
        if not records:
            return
        self.document.push(AddItems(records, None, label))
        self.document.select([r.id for r in records])
        self.message.emit(f"{label}: {len(records)} item{'s' if len(records) != 1 else ''}")

    def delete_selection(self) -> None:
        ids = tuple(self.document.selection)
        if ids:
            self.document.push(RemoveItems(ids, "Delete"))
            self.message.emit(f"Deleted {len(ids)} item{'s' if len(ids) != 1 else ''}")

    def rotate_selection(self, angle_deg: float = 90.0) -> None:
        """Turn the selection as one rigid group about its centre (counter-clockwise).

        A group whose corner sat on the grid stays on it (a 0.6 × 1.2 m rack turned
        about its centre would otherwise end half a tile off)."""
        ids = list(self.document.selection)
        if not ids:
            return
        t = self.design.equipment
        rows = t.rows(ids)
        table = self.types()
        before = Shapes.of_rows(self.design, table, rows).box()
        cmd = rotate_items(self.design, ids, angle_deg, label="Rotate")
        if self.snapper.enabled and before is not None and _on_grid(before[:2], self.snapper.grid_m):
            tc = t.type_code[rows]
            busway = ~np.isnan(cmd.x2)
            f = (table.kind[tc] != BUSWAY) & ~busway
            after = Shapes(cmd.x[f], cmd.y[f], cmd.rotation[f], table.width[tc[f]], table.depth[tc[f]],
                           table.kind[tc[f]],
                           np.stack([cmd.x[busway], cmd.y[busway], cmd.x2[busway], cmd.y2[busway]], axis=1))
            box = after.box()
            if box is not None:
                dx, dy = self.snapper.value(box[0]) - box[0], self.snapper.value(box[1]) - box[1]
                cmd.x, cmd.y = _round(cmd.x + dx), _round(cmd.y + dy)
                cmd.x2 = np.where(busway, _round(cmd.x2 + dx), np.nan)
                cmd.y2 = np.where(busway, _round(cmd.y2 + dy), np.nan)
        self.document.push(cmd)

    def duplicate_selection(self) -> None:
        """Copies of the selection one tile east and one south, selected."""
        records = self._selected_records()
        if records:
            self.add_items(fresh_copies(self.design, self.catalog, records, TILE_M, -TILE_M), "Duplicate")

    def copy_selection(self) -> None:
        records = self._selected_records()
        if records:
            put_items(records)
            self.message.emit(f"Copied {len(records)} item{'s' if len(records) != 1 else ''}")

    def cut_selection(self) -> None:
        records = self._selected_records()
        if records:
            put_items(records)
            self.document.push(RemoveItems(tuple(r.id for r in records), "Cut"))

    def paste(self) -> None:
        """Paste the clipboard's equipment under the cursor (snapped), with new ids; with
        the cursor off the plan, one tile from where it was copied."""
        records = clipboard_items()
        if not records or not self.design.halls:
            return
        cat = self.catalog
        box = Shapes.of_records(records, cat).box()
        target = self._cursor_target()
        if target is not None:
            hall, x, y = target
            dx = x - (box[0] + box[2]) / 2
            dy = y - (box[1] + box[3]) / 2
        else:
            hall_ids = self.design.hall_ids()
            hall_id = records[0].hall if records[0].hall in hall_ids else hall_ids[0]
            hall = self.scene.hall_item(hall_id)
            dx, dy = TILE_M, -TILE_M
        if hall is None:
            return
        check = self.placement_check(hall.hall.id)
        sx, sy = self.snapper.box(box + np.array([dx, dy, dx, dy]), check.item_boxes,
                                  start=None if target is not None else box)
        copies = fresh_copies(self.design, cat, records, round(dx + sx, 6), round(dy + sy, 6), hall.hall.id)
        self.add_items(copies, "Paste")

    def select_all(self) -> None:
        self.document.select(list(self.design.equipment.ids))
        self.announce_selection()

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selection by (dx, dy) m; presses in quick succession are one undo step."""
        ids = tuple(self.document.selection)
        if not ids:
            return
        now = time.monotonic()
        stack = self.document.undo_stack
        if (ids != self._nudge_ids or now - self._nudge_time > NUDGE_BURST_S
                or stack.index() != self._nudge_index):
            self._nudge_burst += 1
        self.document.push(move_items(self.design, ids, dx, dy, "Nudge"),
                           merge_id=NUDGE_MERGE_IDS[self._nudge_burst % 2])
        self._nudge_ids, self._nudge_time, self._nudge_index = ids, now, stack.index()

    def end_nudge_burst(self) -> None:
        """The next nudge starts a new undo step."""
        self._nudge_ids = None

    def _selected_records(self) -> list[Equipment]:
        t = self.design.equipment
        return [t.get(i) for i in self.document.selection if i in t.index]

    def _cursor_target(self) -> tuple[HallItem, float, float] | None:
        pos = self.view.hover_pos
        if pos is None or not self.view.viewport().rect().contains(pos.toPoint()):
            return None
        scene_pos = self.view.mapToScene(pos.toPoint())
        hall = self.scene.hall_at(scene_pos)
        if hall is None:
            return None
        x, y = hall.to_plan(scene_pos)
        return hall, x, y

    # ------------------------------------------------------------------ placing catalog types
    def template(self, type_id: str) -> list[Equipment]:
        """Records of one palette entry centred on the plan origin, front facing south:
        an UltraServer's racks side by side, a 6 m busway along x, or one item."""
        spec = self.catalog.types[type_id]
        if spec.is_compute:
            x0 = -(spec.racks_per_system - 1) * spec.width_m / 2
            return ultraserver_racks(self.catalog, type_id, "us", "", round(x0, 6), 0.0, 0.0)
        if spec.kind == "busway":
            half = BUSWAY_DROP_M / 2
            return [Equipment("bw", type_id, "", -half, 0.0, 0.0, None, (half, 0.0))]
        return [Equipment("item", type_id, "", 0.0, 0.0, 0.0)]

    def row_template(self, rotation: float) -> list[Equipment]:
        """One row of the row tool, its west edge at x = 0 and centres on y = 0."""
        cat = self.catalog
        spec = cat.types.get(self.row_type)
        if spec is None:
            return []
        n = self.row_ultraservers()
        if self.complete_rows_action.isChecked():
            return row_items(cat, "", 0.0, 0.0, rotation, n, IdCounter(), self.row_type)
        out = []
        rps = spec.racks_per_system
        for s in range(n):
            for k in range(rps):
                x = round(spec.width_m * (s * rps + k + 0.5), 6)
                out.append(Equipment(f"us{s}-r{k + 1}", self.row_type, "", x, 0.0, rotation, f"us{s}"))
        return out

    def placed(self, template: list[Equipment], hall: HallItem, x: float, y: float,
               check: PlacementCheck | None = None) -> list[Equipment]:
        """``template`` centred on plan point (x, y) of a hall, snapped, with new ids."""
        cat = self.catalog
        box = Shapes.of_records(template, cat).box()
        dx, dy = x - (box[0] + box[2]) / 2, y - (box[1] + box[3]) / 2
        if all(r.end is not None for r in template):  # a busway: over the nearest row's centre line
            sx, sy = self.snap_to_rows(hall.hall.id, box[0] + dx, box[1] + dy)
            dx, dy = sx - box[0], sy - box[1]
        else:
            check = check if check is not None else self.placement_check(hall.hall.id)
            sx, sy = self.snapper.box(box + np.array([dx, dy, dx, dy]), check.item_boxes)
            dx, dy = dx + sx, dy + sy
        return fresh_copies(self.design, cat, template, round(dx, 6), round(dy, 6), hall.hall.id)

    def snap_to_rows(self, hall_id: str, x: float, y: float) -> tuple[float, float]:
        """A busway point: on the grid, except that within 0.3 m it goes onto the centre
        line of a rack row under it (y of an east-west row, x of a north-south one)."""
        if not self.snapper.enabled:
            return x, y
        sh = self.floor(hall_id).shapes
        sx, sy = self.snapper.point(x, y)
        if len(sh.x):
            along_x = np.isclose(np.mod(sh.rotation, 180.0), 0.0)   # rows running east-west
            along_y = np.isclose(np.mod(sh.rotation, 180.0), 90.0)  # rows running north-south
            for centres, along, across, axis in ((sh.y, along_x, np.abs(sh.x - x), 1),
                                                 (sh.x, along_y, np.abs(sh.y - y), 0)):
                d = np.abs(centres - (y if axis == 1 else x))
                near = along & (d <= MAGNET_M) & (across <= 6.0)
                if near.any():
                    k = np.flatnonzero(near)[np.argmin(d[near])]
                    if axis == 1:
                        sy = float(centres[k])
                    else:
                        sx = float(centres[k])
        return round(sx, 6), round(sy, 6)

    def place_at_view_centre(self, type_id: str) -> None:
        """Place one palette entry in the middle of the view (double-click in the palette)."""
        if type_id not in self.catalog.types or not self.scene.hall_items:
            return
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        hall = self.scene.hall_at(centre)
        if hall is None:  # the view shows no hall: the middle of the first one
            hall = self.scene.hall_items[0]
            centre = hall.mapToScene(hall.outline_rect().center())
        x, y = hall.to_plan(centre)
        self._add_palette_items(type_id, self.placed(self.template(type_id), hall, x, y))

    def _add_palette_items(self, type_id: str, records: list[Equipment]) -> None:
        spec = self.catalog.types[type_id]
        name = spec.system_name if spec.is_compute and spec.system_name else spec.name
        self.add_items(records, f"Add {name}")

    # ------------------------------------------------------------------ drops from the palette
    def drag_enter(self, event) -> bool:
        """A palette drag entered the plan: accept it and show its ghost."""
        type_id = equipment_type_of(event.mimeData())
        if type_id is None or type_id not in self.catalog.types or not self.scene.hall_items:
            return False
        self._drop = _DropState(type_id, self.template(type_id))
        return self.drag_move(event)

    def drag_move(self, event) -> bool:
        """Move the ghost with the cursor (snapped; red where it would break a rule)."""
        if self._drop is None:
            return self.drag_enter(event) if equipment_type_of(event.mimeData()) else False
        state = self._drop
        ev = self.view.tool_event(event.position(), event.modifiers())
        if ev.hall is None:
            state.records = state.ghost = None
            self.clear_sketch()
            event.ignore()  # nowhere to put it: the cursor says so
            return True
        x, y = ev.plan()
        rotation = self.drop_rotation(state.type_id, ev.hall.hall.id, x, y,
                                      turned=ev.has(Qt.KeyboardModifier.ShiftModifier))
        if state.hall is not ev.hall or state.ghost is None or rotation != state.rotation:
            state.hall = ev.hall
            state.rotation = rotation
            state.template = rotated_records(self.template(state.type_id), rotation)
            check = self.placement_check(ev.hall.hall.id)
            color = QColor(self.catalog.types[state.type_id].color)
            state.ghost = Ghost(self.sketch_item(), ev.hall, Shapes.of_records(state.template, self.catalog),
                                check, color)
        state.records = self.placed(state.template, ev.hall, x, y, state.ghost.check)
        # the ghost is the template at the origin: shift it to where the records landed
        ok = state.ghost.show(state.records[0].x - state.template[0].x, state.records[0].y - state.template[0].y)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        name = self.catalog.types[state.type_id]
        label = name.system_name if name.is_compute and name.system_name else name.name
        faces = "" if self.catalog.types[state.type_id].kind == "busway" else \
            f", facing {FACINGS[int(round(state.rotation / 90.0)) % 4]} (Shift: the other way)"
        self.message.emit(f"{label} at x {x:.2f} m, y {y:.2f} m{faces}"
                          + ("" if ok else "  — would break a rule (red)"))
        return True

    def drop_rotation(self, type_id: str, hall_id: str, x: float, y: float, turned: bool = False) -> float:
        """How a dropped item faces: like the nearest rack, CDU or network rack within
        ``ADOPT_M`` of the cursor (joining a row), else south; Shift turns it round."""
        if self.catalog.types[type_id].kind == "busway":
            return 0.0
        sh = self.floor(hall_id).shapes
        rotation = 0.0
        if len(sh.x):
            in_rows = np.isin(sh.kind, (COMPUTE, NETWORK, CDU))
            d = np.where(in_rows, np.hypot(sh.x - x, sh.y - y), np.inf)
            k = int(np.argmin(d))
            if d[k] <= ADOPT_M:
                rotation = float(sh.rotation[k]) % 360.0
        return (rotation + 180.0) % 360.0 if turned else rotation

    def drag_leave(self) -> None:
        self._drop = None
        self.clear_sketch()

    def drop(self, event) -> bool:
        """Add what was dropped as one undo step."""
        if self._drop is None and not self.drag_enter(event):
            return False
        self.drag_move(event)
        state, self._drop = self._drop, None
        self.clear_sketch()
        if state is None or not state.records:
            event.ignore()
            return True
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self._add_palette_items(state.type_id, state.records)
        self.view.setFocus()
        return True

    # ------------------------------------------------------------------ handlers
    def _on_selection_changed(self, ids: list) -> None:
        self.scene.set_selection(ids)
        has = bool(ids)
        for action in (self.delete_action, self.duplicate_action, self.rotate_action, self.rotate_back_action,
                       self.copy_action, self.cut_action):
            action.setEnabled(has)

    def _on_document_changed(self, change) -> None:
        self._cache.clear()
        if change.kind in ("halls", "reset", "assumptions"):
            if change.kind == "assumptions" and self.palette is not None:
                self.palette.set_catalog(self.catalog)
            # the scene rebuilds its hall items after this signal: redraw once it has
            QTimer.singleShot(0, self._refresh_tool)

    def _on_design_replaced(self) -> None:
        self._cache.clear()
        self.tool.cancel()
        self.end_nudge_burst()
        if self.palette is not None:
            self.palette.set_catalog(self.catalog)
        QTimer.singleShot(0, self._refresh_tool)  # the window gives the scene the new design after us

    def _refresh_tool(self) -> None:
        self.tool.refresh()

    def _on_clipboard_changed(self) -> None:
        mime = QApplication.clipboard().mimeData()
        self.paste_action.setEnabled(mime is not None and mime.hasFormat(ITEMS_MIME))

    def _on_palette_type_chosen(self, type_id: str) -> None:
        spec = self.catalog.types.get(type_id)
        if spec is None:
            return
        if spec.is_compute:
            self.row_type = type_id
        elif spec.kind == "busway":
            self.busway_type = type_id

    def _on_snap_toggled(self, on: bool) -> None:
        self.snapper.enabled = on
        settings().setValue(SNAP_SETTING, on)
        self.message.emit("Snapping on: tile grid and neighbouring racks" if on else "Snapping off")

    def _on_tool_triggered(self, action: QAction) -> None:
        self.set_tool(action.data())

    # ------------------------------------------------------------------ actions and tool bar
    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.cut_action = self._action("Cu&t", self.cut_selection, QKeySequence.StandardKey.Cut,
                                       "Remove the selection and put it on the clipboard")
        self.copy_action = self._action("&Copy", self.copy_selection, QKeySequence.StandardKey.Copy,
                                        "Copy the selection")
        self.paste_action = self._action("&Paste", self.paste, QKeySequence.StandardKey.Paste,
                                         "Paste under the cursor, with new ids")
        self.duplicate_action = self._action("D&uplicate", self.duplicate_selection, "Ctrl+D",
                                             "Copy the selection one tile to the south-east")
        self.delete_action = self._action("&Delete", self.delete_selection,
                                          [QKeySequence.StandardKey.Delete, "Backspace"], "Delete the selection")
        self.rotate_action = self._action("&Rotate 90° Left", lambda: self.rotate_selection(90.0), "R",
                                          "Turn the selection a quarter counter-clockwise")
        self.rotate_back_action = self._action("Rotate 90° Ri&ght", lambda: self.rotate_selection(-90.0), "Shift+R",
                                               "Turn the selection a quarter clockwise")
        self.select_all_action = self._action("Select &All", self.select_all, QKeySequence.StandardKey.SelectAll,
                                              "Select all equipment")
        self.snap_action = QAction("&Snap to Grid and Racks", self)
        self.snap_action.setIconText("Snap")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(self.snapper.enabled)
        self.snap_action.setStatusTip("Snap to the 0.6 m tile grid and to the edges of neighbouring racks")
        self.snap_action.setToolTip("Snap to the 0.6 m tile grid and to neighbouring racks' edges (within 0.3 m)")
        self.snap_action.toggled.connect(self._on_snap_toggled)
        self.complete_rows_action = QAction("Complete Rows", self)
        self.complete_rows_action.setCheckable(True)
        self.complete_rows_action.setToolTip("The row tool also lays the row's CDUs, network racks and busways")
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_actions: dict[str, QAction] = {}
        for name, tool in self.tools.items():
            action = QAction(tool.label, self)
            action.setCheckable(True)
            action.setData(name)
            action.setToolTip(tool.tooltip)
            action.setStatusTip(tool.hint)
            self.tool_group.addAction(action)
            self.tool_actions[name] = action
        self.tool_actions["select"].setChecked(True)
        self.tool_group.triggered.connect(self._on_tool_triggered)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Tools")
        bar.setObjectName("tools_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.tool_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        label = QLabel("UltraServers per row ")
        label.setContentsMargins(6, 0, 0, 0)
        bar.addWidget(label)
        self.row_spin = QSpinBox()
        self.row_spin.setObjectName("row_ultraservers")
        self.row_spin.setRange(1, 64)
        self.row_spin.setValue(DEFAULT_ROW_ULTRASERVERS)
        self.row_spin.setToolTip("How many UltraServers the row tool lays")
        bar.addWidget(self.row_spin)
        bar.addAction(self.complete_rows_action)
        bar.addSeparator()
        bar.addAction(self.snap_action)
        self.toolbar = bar

    def install(self, edit_menu, tools_menu) -> None:
        """Put the edit actions in the Edit menu and the tools in the Tools menu."""
        for action in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                       self.delete_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.rotate_action)
        edit_menu.addAction(self.rotate_back_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)
        for action in self.tool_actions.values():
            tools_menu.addAction(action)
        tools_menu.addSeparator()
        tools_menu.addAction(self.complete_rows_action)
        tools_menu.addAction(self.snap_action)


def _on_grid(point, grid: float) -> bool:
    return all(abs(v / grid - round(v / grid)) < 1e-6 for v in point)
