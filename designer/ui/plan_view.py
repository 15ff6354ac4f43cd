"""The floor-plan canvas: a scene of halls drawn to scale and a zoomable, pannable view.

One scene unit is one metre; y is flipped (scene y = −plan y) so north is up. Each
hall is one :class:`~designer.ui.hall_item.HallItem`; hall *i* is shifted east so
that it starts 10 m after the previous hall ends (halls may share coordinates in
the file). The floor and its 0.6 m tile grid are painted in ``drawBackground``.

Editing is not done here: the view hands left-button mouse events, keys and
palette drags to an editor (:class:`designer.ui.tools.PlanEditor`) as
:class:`ToolEvent` objects. The scene only draws what the editor decides: the selection
outline (:class:`SelectionItem`, one item however many racks are selected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView

from designer.catalog import Catalog
from designer.model import Change, Design
from designer.ui.hall_item import (
    BUSWAY, CHUNK_M, FLOOR_COLOR, LOD_ANTIALIAS, LOD_GRID, HallItem, HallTitleItem, TypeStyle, footprint_corners,
    pixels_per_metre, polygons_path,
)

if TYPE_CHECKING:  # the editor imports this module, not the other way round
    from designer.ui.tools import PlanEditor

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
#: Outline and tint of selected equipment.
SELECTION_COLOR = QColor("#1a73e8")
#: Side of the square handles at busway ends and hall vertices (pixels).
HANDLE_PX = 7.0


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


class SelectionItem(QGraphicsItem):
    """Outlines the selected equipment, whatever its number, as one path.

    Drawn on screen only: a plan rendered for export (no widget) shows no selection.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.footprints: list[tuple[QRectF, QPainterPath]] = []  # chunked, scene coordinates
        self.segments = np.zeros((0, 4))  # busways, scene coordinates
        self._bounds = QRectF()

    def set_geometry(self, footprints: np.ndarray, segments: np.ndarray) -> None:
        """Show these footprints (corners (n, 4, 2), scene coordinates) and busway
        segments (x1, y1, x2, y2)."""
        footprints = chunked_paths(footprints)
        rect = chunks_rect(footprints)
        if len(segments):
            xs, ys = segments[:, [0, 2]], segments[:, [1, 3]]
            seg = QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max()))
            rect = seg if rect.isNull() else rect.united(seg)
        self.prepareGeometryChange()
        self.footprints = footprints
        self.segments = segments
        self._bounds = rect
        self.update()

    def is_empty(self) -> bool:
        return not self.footprints and not len(self.segments)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if self._bounds.isNull():
            return QRectF()
        m = overlay_margin(self)
        return self._bounds.adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if widget is None or self.is_empty():
            return
        painter.save()
        ppm = pixels_per_metre(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_ANTIALIAS)
        tint = QColor(SELECTION_COLOR)
        tint.setAlpha(60)
        edge = QPen(SELECTION_COLOR, 2.0)
        edge.setCosmetic(True)
        edge.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(edge)
        painter.setBrush(tint)
        draw_chunks(painter, self.footprints, option.exposedRect)
        if len(self.segments):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            line = QPen(SELECTION_COLOR, 4.0)
            line.setCosmetic(True)
            line.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(line)
            painter.drawLines([QLineF(*map(float, s)) for s in self.segments])
            # handles at the ends: drag one to lengthen or turn the busway
            half = HANDLE_PX / 2 / max(ppm, 1e-9)
            edge.setWidthF(1.5)
            painter.setPen(edge)
            painter.setBrush(QBrush(QColor("white")))
            for x, y in self.segments.reshape(-1, 2):
                painter.drawRect(QRectF(x - half, y - half, 2 * half, 2 * half))
        painter.restore()


@dataclass
class ToolEvent:
    """A mouse event on the plan as the editing tools see it."""

    scene_pos: QPointF
    view_pos: QPointF
    modifiers: Qt.KeyboardModifier
    buttons: Qt.MouseButton
    ppm: float                 # zoom: screen pixels per metre
    hall: HallItem | None      # the hall under the cursor (or nearest within half the gap)

    def plan(self, hall: HallItem | None = None) -> tuple[float, float]:
        """Plan metres of the cursor in ``hall``'s frame (default: the hall under it)."""
        item = hall if hall is not None else self.hall
        if item is None:
            return math.nan, math.nan
        return item.to_plan(self.scene_pos)

    def has(self, modifier: Qt.KeyboardModifier) -> bool:
        """Whether a modifier key (Alt, Ctrl, Shift) was held."""
        return bool(self.modifiers & modifier)


class PlanScene(QGraphicsScene):
    """All halls of a design, one :class:`HallItem` each, kept in step with the model."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.design: Design | None = None
        self.catalog: Catalog | None = None
        self.hall_items: list[HallItem] = []
        self._status: np.ndarray | None = None
        self.selection: list[str] = []
        # in the scene only while something is selected: the scene stays a few items
        self.selection_item = SelectionItem()

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

    def effective_catalog(self) -> Catalog:
        """The catalog with the design's assumption overrides (the base one if they are invalid)."""
        return self._effective_catalog()

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
        self._refresh_selection()
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
        self._refresh_selection()

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

    # ------------------------------------------------------------------ selection
    def set_selection(self, ids: Iterable[str]) -> None:
        """Outline these items (ids of equipment; unknown ids are skipped)."""
        self.selection = list(ids)
        self._refresh_selection()

    def _refresh_selection(self) -> None:
        design = self.design
        footprints = []
        segments = []
        if design is not None and self.selection:
            t = design.equipment
            rows = t.rows([i for i in self.selection if i in t.index])
            for item in self.hall_items:
                code = t.halls.codes.get(item.hall.id)
                st = item.styles
                r = rows[(t.hall_code[rows] == code) & (t.type_code[rows] < len(st.kind))]
                if not len(r):
                    continue
                tc = t.type_code[r]
                floor = st.kind[tc] != BUSWAY
                f = r[floor]
                ox, oy = item.pos().x(), item.pos().y()
                if len(f):
                    corners = footprint_corners(t.x[f], t.y[f], t.rotation[f], st.width[t.type_code[f]],
                                                st.depth[t.type_code[f]])
                    corners[..., 1] *= -1.0
                    corners[..., 0] += ox
                    corners[..., 1] += oy
                    footprints.append(corners)
                b = r[~floor & np.isfinite(t.x2[r])]
                if len(b):
                    segments.append(np.stack([t.x[b] + ox, -t.y[b] + oy, t.x2[b] + ox, -t.y2[b] + oy], axis=1))
        item = self.selection_item
        item.set_geometry(np.concatenate(footprints) if footprints else np.zeros((0, 4, 2)),
                          np.concatenate(segments) if segments else np.zeros((0, 4)))
        if item.is_empty() and item.scene() is self:
            self.removeItem(item)
        elif not item.is_empty() and item.scene() is None:
            self.addItem(item)

    def hall_item(self, hall_id: str) -> HallItem | None:
        """The item drawing a hall, by the hall's id."""
        return next((i for i in self.hall_items if i.hall.id == hall_id), None)

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

    # ---- overlays and colour modes (designer.ui.overlays; added for issue 4)
    @property
    def view_options(self):
        """What the plan shows beyond the equipment: colour mode, overlays, evaluation
        (a :class:`designer.ui.overlays.ViewOptions`, created on first use)."""
        options = getattr(self, "_view_options", None)
        if options is None:
            from designer.ui.overlays import ViewOptions

            options = self._view_options = ViewOptions(self)
        return options

    @property
    def changed_halls(self):
        """Shared per-hall diff of per-row arrays (see :class:`designer.ui.hall_item.ChangedHalls`)."""
        return self.view_options.changed_halls

    def set_evaluation(self, evaluation) -> None:
        """The engine's evaluation of the design: colours by status and overlays read it."""
        self.view_options.set_evaluation(evaluation)

    def set_colour_mode(self, mode: str) -> None:
        """Colour racks by ``"type"``, ``"density"`` (kW/m²) or ``"status"``."""
        self.view_options.set_colour_mode(mode)

    def set_overlay(self, kind: str, shown: bool = True) -> None:
        """Show or hide an overlay: ``clearances``, ``cables``, ``assignment``, ``heat``, ``aisles``."""
        self.view_options.set_overlay(kind, shown)


class PlanView(QGraphicsView):
    """Shows a :class:`PlanScene`: wheel zooms to the cursor, middle/right/space-drag pans.

    With an editor (:meth:`set_editor`), the left button, keys and drags from the
    palette go to it; without one the view only looks.
    """

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
        self._editor: PlanEditor | None = None
        self._left_down = False
        #: The cursor's last position over the viewport (pixels), None when it left.
        self.hover_pos: QPointF | None = None

    # ------------------------------------------------------------------ editing
    def set_editor(self, editor: "PlanEditor | None") -> None:
        """Hand mouse, key and drop events to ``editor`` (None: view only)."""
        self._editor = editor
        self.setAcceptDrops(editor is not None)
        self.viewport().setAcceptDrops(editor is not None)

    @property
    def editor(self) -> "PlanEditor | None":
        return self._editor

    def tool_event(self, pos: QPointF, modifiers: Qt.KeyboardModifier,
                   buttons: Qt.MouseButton = Qt.MouseButton.NoButton) -> ToolEvent:
        """A :class:`ToolEvent` for a viewport position (pixels)."""
        scene_pos = self.mapToScene(pos.toPoint())
        return ToolEvent(scene_pos, QPointF(pos), modifiers, buttons, self.pixels_per_metre(),
                         self.plan_scene().hall_at(scene_pos))

    def _tool_event_of(self, event) -> ToolEvent:
        return self.tool_event(event.position(), event.modifiers(), event.buttons())

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
        if self._editor is not None and event.button() == Qt.MouseButton.LeftButton:
            self._left_down = True
            self._editor.tool.mouse_press(self._tool_event_of(event))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.hover_pos = QPointF(event.position())
        if self._pan_last is not None:
            delta = event.position() - self._pan_last
            self._pan_last = event.position()
            self.pan_by(delta.x(), delta.y())
            event.accept()
        elif self._editor is not None and not self._space_held:
            self._editor.tool.mouse_move(self._tool_event_of(event))
            event.accept()
        else:
            super().mouseMoveEvent(event)
        self.cursor_moved.emit(self.plan_scene().plan_point(self.mapToScene(event.position().toPoint())))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._pan_last is not None:
            self._pan_last = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_held
                                      else self._tool_cursor())
            event.accept()
            return
        if self._editor is not None and event.button() == Qt.MouseButton.LeftButton and self._left_down:
            self._left_down = False
            self._editor.tool.mouse_release(self._tool_event_of(event))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._editor is not None and event.button() == Qt.MouseButton.LeftButton and not self._space_held:
            self._left_down = True  # the release that follows belongs to the tool
            self._editor.tool.mouse_double_click(self._tool_event_of(event))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _tool_cursor(self) -> Qt.CursorShape:
        return self._editor.tool.cursor if self._editor is not None else Qt.CursorShape.ArrowCursor

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
        if self._editor is not None and self._editor.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._pan_last is None:
                self.viewport().setCursor(self._tool_cursor())
            event.accept()
            return
        super().keyReleaseEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        self.hover_pos = None
        self.cursor_moved.emit(None)
        super().leaveEvent(event)

    # ------------------------------------------------------------------ drops from the palette
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._editor is not None and self._editor.drag_enter(event):
            return
        event.ignore()  # not ours (a .dcplan file): the window opens it

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._editor is not None and self._editor.drag_move(event):
            return
        event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._editor is not None:
            self._editor.drag_leave()
        event.accept()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._editor is not None and self._editor.drop(event):
            return
        event.ignore()
