"""The floor-plan canvas: a scene of halls drawn to scale and a zoomable, pannable view.

One scene unit is one metre; y is flipped (scene y = −plan y) so north is up. Each
hall is one :class:`~designer.ui.hall_item.HallItem`; hall *i* is shifted east so
that it starts 10 m after the previous hall ends (halls may share coordinates in
the file). The floor and its 0.6 m tile grid are painted in ``drawBackground``.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from designer.catalog import Catalog
from designer.model import Change, Design
from designer.ui.hall_item import (
    FLOOR_COLOR, LOD_GRID, HallItem, HallTitleItem, TypeStyle, pixels_per_metre,
)

#: East-west gap between halls laid side by side in the scene (metres).
HALL_GAP_M = 10.0
#: Floor tile pitch (metres).
TILE_M = 0.6
CANVAS_COLOR = QColor("#dde1e6")
GRID_COLOR = QColor("#e4e0d6")
GRID_MAJOR_COLOR = QColor("#d3cdbf")
#: Zoom limits in pixels per metre.
MIN_PPM, MAX_PPM = 0.05, 2000.0
#: Zoom factor of one wheel notch (120 eighths of a degree) and of Zoom in/out.
ZOOM_STEP = 1.25


class PlanScene(QGraphicsScene):
    """All halls of a design, one :class:`HallItem` each, kept in step with the model."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.design: Design | None = None
        self.catalog: Catalog | None = None
        self.hall_items: list[HallItem] = []
        self._status: np.ndarray | None = None

    # ------------------------------------------------------------------ model
    def set_design(self, design: Design, catalog: Catalog) -> None:
        """Show ``design`` (``catalog`` is the base catalog; the design's overrides apply)."""
        if self.design is not None:
            self.design.unsubscribe(self._on_design_changed)
        self.design = design
        self.catalog = catalog
        self._status = None
        design.subscribe(self._on_design_changed)
        self.rebuild()

    def detach(self) -> None:
        """Stop following the design (before the scene goes away)."""
        if self.design is not None:
            self.design.unsubscribe(self._on_design_changed)

    def _effective_catalog(self) -> Catalog:
        try:
            return self.catalog.with_overrides(self.design.assumptions)
        except ValueError:  # an invalid override is the engine's to report
            return self.catalog

    def rebuild(self) -> None:
        """Recreate every hall item (new design, hall edits or assumption changes)."""
        for item in self.hall_items:
            self.removeItem(item)
        self.hall_items = []
        if self.design is None:
            return
        styles = TypeStyle.build(self.design, self._effective_catalog())
        east = 0.0
        for i, hall in enumerate(self.design.halls):
            item = HallItem(self.design, hall, styles)
            min_x, min_y, max_x, max_y = hall.bounds()
            dx = 0.0 if i == 0 else east + HALL_GAP_M - min_x
            item.setPos(dx, 0.0)
            east = dx + max_x
            title = HallTitleItem(f"{hall.name}  ·  {max_x - min_x:g} × {max_y - min_y:g} m", item,
                                  max_x - min_x + 0.8 * HALL_GAP_M)
            title.setPos(min_x, -max_y)
            self.addItem(item)
            self.hall_items.append(item)
            if self._status is not None:
                item.set_status(self._status)
        self._update_scene_rect()
        self.update()

    def refresh_equipment(self, hall_ids: tuple[str, ...] = ()) -> None:
        """Redraw the equipment of the given halls (all when empty)."""
        styles = TypeStyle.build(self.design, self._effective_catalog())
        for item in self.hall_items:
            if not hall_ids or item.hall.id in hall_ids:
                item.rebuild_equipment(styles)
            else:
                item.styles = styles
        self._update_scene_rect()

    def set_status(self, status: np.ndarray | None) -> None:
        """Per-equipment status from the engine (0 ok, 1 warning, 2 error) for outlines."""
        self._status = status
        for item in self.hall_items:
            item.set_status(status)

    def _on_design_changed(self, change: Change) -> None:
        if change.kind in ("moved", "added", "removed", "updated"):
            self.refresh_equipment(change.halls)
        elif change.kind in ("halls", "assumptions", "reset"):
            self.rebuild()

    # ------------------------------------------------------------------ geometry
    def content_rect(self) -> QRectF:
        """Scene rect of everything drawn: all hall outlines and the equipment."""
        rect = QRectF()
        for item in self.hall_items:
            rect = rect.united(item.mapRectToScene(item.boundingRect()))
        return rect if rect.isValid() else QRectF(0, -30, 48, 30)

    def _update_scene_rect(self) -> None:
        # A generous margin so the view can pan, and zoom about the cursor, far past the halls.
        rect = self.content_rect()
        m = max(rect.width(), rect.height()) * 10.0 + 500.0
        self.setSceneRect(rect.adjusted(-m, -m, m, m))

    def hall_at(self, scene_point: QPointF) -> HallItem | None:
        """The hall whose outline (widened by half the gap) holds a scene point."""
        for item in self.hall_items:
            r = item.mapRectToScene(item.outline_rect())
            half = HALL_GAP_M / 2
            if r.adjusted(-half, -half, half, half).contains(scene_point):
                return item
        return None

    def plan_point(self, scene_point: QPointF) -> tuple[str, float, float] | None:
        """(hall name, x, y) in that hall's plan metres for a scene point, if near a hall."""
        item = self.hall_at(scene_point)
        if item is None:
            return None
        x, y = item.to_plan(scene_point)
        return item.hall.name, x, y

    # ------------------------------------------------------------------ floor and grid
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt API)
        painter.fillRect(rect, CANVAS_COLOR)
        ppm = pixels_per_metre(painter)
        for item in self.hall_items:
            floor = item.outline.translated(item.pos())
            if not floor.boundingRect().intersects(rect):
                continue
            painter.fillPath(floor, FLOOR_COLOR)
            if ppm >= LOD_GRID:
                self._draw_grid(painter, rect, floor, item.pos(), ppm)

    def _draw_grid(self, painter: QPainter, rect: QRectF, floor: QPainterPath,
                   origin: QPointF, ppm: float) -> None:
        """0.6 m tiles aligned with the hall's plan origin, a darker line every 3 m."""
        area = rect.intersected(floor.boundingRect())
        if area.isEmpty():
            return
        painter.save()
        painter.setClipPath(floor, Qt.ClipOperation.IntersectClip)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        minor, major = [], []
        ox, oy = origin.x(), origin.y()
        i0 = math.floor((area.left() - ox) / TILE_M)
        i1 = math.ceil((area.right() - ox) / TILE_M)
        for i in range(i0, i1 + 1):
            x = ox + i * TILE_M
            (major if i % 5 == 0 else minor).append(QLineF(x, area.top(), x, area.bottom()))
        j0 = math.floor((area.top() - oy) / TILE_M)
        j1 = math.ceil((area.bottom() - oy) / TILE_M)
        for j in range(j0, j1 + 1):
            y = oy + j * TILE_M
            (major if j % 5 == 0 else minor).append(QLineF(area.left(), y, area.right(), y))
        for color, lines in ((GRID_COLOR, minor), (GRID_MAJOR_COLOR, major)):
            pen = QPen(color, 1.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            if lines:
                painter.drawLines(lines)
        painter.restore()


class PlanView(QGraphicsView):
    """Shows a :class:`PlanScene`: wheel zooms to the cursor, middle/right/space-drag pans."""

    #: (hall name, x m, y m) under the cursor, or None away from the halls.
    cursor_moved = Signal(object)

    def __init__(self, scene: PlanScene | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setScene(scene if scene is not None else PlanScene(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._auto_fit = True  # keep fitting on resize until the user zooms or pans
        self._pan_last: QPointF | None = None
        self._space_held = False

    def plan_scene(self) -> PlanScene:
        """The :class:`PlanScene` shown."""
        return self.scene()  # type: ignore[return-value]

    # ------------------------------------------------------------------ zoom
    def pixels_per_metre(self) -> float:
        """Current zoom: screen pixels per plan metre."""
        return math.hypot(self.transform().m11(), self.transform().m12())

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` (clamped to the zoom limits) keeping the plan point under
        ``anchor`` (viewport pixels; the view centre when None) where it is."""
        ppm = self.pixels_per_metre()
        factor = min(max(factor, MIN_PPM / ppm), MAX_PPM / ppm)
        if abs(factor - 1.0) < 1e-12:
            return
        self._auto_fit = False
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(anchor.toPoint())
        old = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        self.setTransformationAnchor(old)
        moved = QPointF(self.mapFromScene(fixed)) - anchor
        self.pan_by(-moved.x(), -moved.y())

    def zoom_in(self) -> None:
        """One step closer, about the centre of the view."""
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step farther, about the centre of the view."""
        self.zoom_by(1.0 / ZOOM_STEP)

    def fit(self) -> None:
        """Show every hall whole, centred, with room for the hall names."""
        self._auto_fit = True
        rect = self.plan_scene().content_rect()
        vp = self.viewport().rect()
        pad, title = 24.0, 28.0
        avail_w = max(vp.width() - 2 * pad, 10.0)
        avail_h = max(vp.height() - 2 * pad - title, 10.0)
        s = min(avail_w / max(rect.width(), 1e-6), avail_h / max(rect.height(), 1e-6))
        s = min(max(s, MIN_PPM), MAX_PPM)
        self.setTransform(QTransform.fromScale(s, s))
        self.centerOn(rect.center() - QPointF(0.0, title / 2 / s))

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt API)
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(ZOOM_STEP ** (delta / 120.0), anchor=event.position())
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    # ------------------------------------------------------------------ pan
    def _starts_pan(self, event) -> bool:
        b = event.button()
        return b in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton) or (
            b == Qt.MouseButton.LeftButton and self._space_held)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._starts_pan(event):
            self._pan_last = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._pan_last is not None:
            delta = event.position() - self._pan_last
            self._pan_last = event.position()
            self.pan_by(delta.x(), delta.y())
            event.accept()
        else:
            super().mouseMoveEvent(event)
        self.cursor_moved.emit(self.plan_scene().plan_point(self.mapToScene(event.position().toPoint())))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._pan_last is not None:
            self._pan_last = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_held
                                      else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, dx_px: float, dy_px: float) -> None:
        """Move the plan with the hand by (dx, dy) screen pixels."""
        self._auto_fit = False
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(dx_px))
        v.setValue(v.value() - round(dy_px))

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._pan_last is None:
                self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        self.cursor_moved.emit(None)
        super().leaveEvent(event)
