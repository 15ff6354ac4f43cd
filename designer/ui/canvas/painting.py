"""Drawing helpers of the canvas: footprint corners, numpy arrays → ``QPainterPath``,
floor chunks, pens, and what a painter says about the zoom and the exposed area.

Scene units are metres; item coordinates are plan coordinates with y flipped."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.ui.canvas.styles import CHUNK_M, LOD_CACHE

def footprint_corners(x: np.ndarray, y: np.ndarray, rotation_deg: np.ndarray,
                      width: np.ndarray, depth: np.ndarray,
                      front_m: np.ndarray | None = None) -> np.ndarray:
    """Corners (n, 4, 2) in plan coordinates of rotated footprints.

    Corner order: front-left, front-right, rear-right, rear-left (at rotation 0 the
    front edge is the south edge). With ``front_m`` the rectangle is the strip of
    that depth along the front edge instead of the whole footprint.
    """
    hw, hd = width / 2.0, depth / 2.0
    back = hd if front_m is None else -hd + front_m
    lx = np.stack([-hw, hw, hw, -hw], axis=1)
    ly = np.stack([-hd, -hd, back, back], axis=1)
    theta = np.radians(rotation_deg)[:, None]
    c, s = np.cos(theta), np.sin(theta)
    px = x[:, None] + lx * c - ly * s
    py = y[:, None] + lx * s + ly * c
    return np.stack([px, py], axis=2)


def polygons_path(corners: np.ndarray) -> QPainterPath:
    """One path of closed polygons from corners (n, k, 2), built without a Python loop."""
    n, k = corners.shape[:2]
    if n == 0:
        return QPainterPath()
    closed = np.concatenate([corners, corners[:, :1]], axis=1)  # repeat the first corner
    connect = np.ones((n, k + 1), bool)
    connect[:, -1] = False  # do not join one polygon to the next
    path = pg.arrayToQPath(closed[..., 0].ravel(), closed[..., 1].ravel(),
                           connect=connect.ravel(), finiteCheck=False)
    path.setFillRule(Qt.FillRule.WindingFill)  # overlapping racks stay filled
    return path


def segments_path(segments: np.ndarray) -> QPainterPath:
    """One path of separate line segments from an (n, 4) array ``x0, y0, x1, y1``."""
    if not len(segments):
        return QPainterPath()
    xs = segments[:, [0, 2]].ravel()
    ys = segments[:, [1, 3]].ravel()
    connect = np.zeros(2 * len(segments), bool)
    connect[0::2] = True  # join each start to its end, never an end to the next start
    return pg.arrayToQPath(xs, ys, connect=connect, finiteCheck=False)


def polygon_path(points) -> QPainterPath:
    """A closed path through plan points, y flipped to item coordinates."""
    path = QPainterPath()
    poly = QPolygonF([QPointF(float(px), -float(py)) for px, py in points])
    if not poly.isEmpty():
        path.addPolygon(poly)
        path.closeSubpath()
    return path


def cache_for_zoom(item: QGraphicsItem, ppm: float) -> None:
    """Zoomed out (a campus on screen), keep the item's picture as a pixmap: panning,
    zooming and an edit in another hall then cost a copy, not a repaint of every hall.
    Zoomed in, paint directly: few halls are on screen and their pixmaps would be large.
    The switch is made after the paint (not allowed during it)."""
    want = (QGraphicsItem.CacheMode.DeviceCoordinateCache if ppm < LOD_CACHE
            else QGraphicsItem.CacheMode.NoCache)
    if item.cacheMode() == want or getattr(item, "_cache_switch", None) == want:
        return
    item._cache_switch = want

    def switch() -> None:
        try:
            if item._cache_switch == want:
                item.setCacheMode(want)
            item._cache_switch = None
        except RuntimeError:  # the item is gone
            pass

    QTimer.singleShot(0, switch)


def painting_cache(painter: QPainter) -> bool:
    """Whether the view is painting an item into its cache pixmap (there is no widget
    then), as opposed to rendering the scene for an export or a test image."""
    device = painter.device()
    return device is not None and device.devType() == 2  # QInternal::Pixmap


def pixels_per_metre(painter: QPainter) -> float:
    """The painter's current scale (scene units are metres)."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def exposed_rect(painter: QPainter, option: QStyleOptionGraphicsItem, bounds: QRectF) -> QRectF:
    """The part of an item to paint, in item coordinates: the exposed rect, cut down to
    what lands on the device (``scene.render`` exposes whole items)."""
    exposed = option.exposedRect if option.exposedRect.isValid() else bounds
    inverse, ok = painter.combinedTransform().inverted()
    if ok:
        exposed = exposed.intersected(inverse.mapRect(QRectF(painter.viewport())))
    return exposed


def chunked_paths(corners: np.ndarray) -> list[tuple[QRectF, QPainterPath]]:
    """Polygons (n, k, 2) grouped into square floor chunks, one path and its bounds each,
    so that an overlay over thousands of racks paints only the chunks on screen."""
    if not len(corners):
        return []
    keys = np.floor(corners.mean(axis=1) / CHUNK_M).astype(np.int64)
    _, chunk = np.unique(keys, axis=0, return_inverse=True)
    chunk = chunk.ravel()
    order = np.argsort(chunk, kind="stable")
    starts = np.searchsorted(chunk[order], np.arange(int(chunk.max()) + 2))
    out = []
    for c in range(len(starts) - 1):
        polygons = corners[order[starts[c]:starts[c + 1]]]
        points = polygons.reshape(-1, 2)
        lo, hi = points.min(axis=0), points.max(axis=0)
        out.append((QRectF(QPointF(float(lo[0]), float(lo[1])), QPointF(float(hi[0]), float(hi[1]))),
                    polygons_path(polygons)))
    return out


def chunks_rect(chunks: list[tuple[QRectF, QPainterPath]]) -> QRectF:
    """The bounds of all chunks."""
    rect = QRectF()
    for r, _ in chunks:
        rect = r if rect.isNull() else rect.united(r)
    return rect


def shapes_rect(chunks: list[tuple[QRectF, QPainterPath]], segments: np.ndarray) -> QRectF:
    """The bounds of footprint chunks and busway segments (x1, y1, x2, y2) together."""
    rect = chunks_rect(chunks)
    if len(segments):
        xs, ys = segments[:, [0, 2]], segments[:, [1, 3]]
        seg = QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max()))
        rect = seg if rect.isNull() else rect.united(seg)
    return rect


def draw_chunks(painter: QPainter, chunks: list[tuple[QRectF, QPainterPath]], exposed: QRectF) -> None:
    """Draw the chunks that meet the exposed rect (all of them when it is invalid)."""
    for rect, path in chunks:
        if not exposed.isValid() or rect.intersects(exposed):
            painter.drawPath(path)


def overlay_margin(item: QGraphicsItem, pixels: float = 12.0) -> float:
    """Metres that ``pixels`` screen pixels span at the zoom of the item's first view:
    how far cosmetic pens and handles reach beyond an overlay's geometry."""
    scene = item.scene()
    views = scene.views() if scene is not None else []
    ppm = min((v.pixels_per_metre() for v in views if hasattr(v, "pixels_per_metre")), default=20.0)
    return pixels / max(ppm, 1e-6)

def cosmetic_pen(color: QColor, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine,
                 alpha: int | None = None, join: Qt.PenJoinStyle | None = None) -> QPen:
    """A pen as wide in pixels whatever the zoom (``alpha``: the colour's opacity, 0–255)."""
    pen = QPen(color if alpha is None else with_alpha(color, alpha), width, style)
    pen.setCosmetic(True)
    if join is not None:
        pen.setJoinStyle(join)
    return pen


def with_alpha(color: QColor, alpha: int) -> QColor:
    """``color`` with opacity ``alpha`` (0–255)."""
    c = QColor(color)
    c.setAlpha(alpha)
    return c
