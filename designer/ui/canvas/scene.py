"""The plan scene: every hall of a design drawn to scale, one
:class:`~designer.ui.canvas.hall_item.HallItem` each, kept in step with the model.

One scene unit is one metre; y is flipped (scene y = −plan y) so north is up. Each
hall sits at its place on the campus (:meth:`Design.hall_offsets`: its ``origin``, or
10 m east of the halls before it). The floor and its 0.6 m tile grid are painted in
``drawBackground``. The scene also draws the selection outline
(:class:`SelectionItem`, one item however many racks are selected) and holds the view
options: colour mode, overlays, evaluation (:class:`~designer.ui.canvas.overlays.options.ViewOptions`).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene

from designer.catalog import Catalog
from designer.engine.types import BUSWAY
from designer.model import Change, Design
from designer.model.layouts import TILE_M
from designer.ui.canvas.annotations import AnnotationsItem
from designer.ui.canvas.failed import FailedItem
from designer.ui.canvas.hall_item import HallItem, HallTitleItem
from designer.ui.canvas.overlays.options import ViewOptions
from designer.ui.canvas.painting import draw_chunks, footprint_corners, pixels_per_metre
from designer.ui.canvas.sketch import ShapesItem, draw_handles
from designer.ui.canvas.styles import FLOOR_COLOR, LOD_GRID, SELECTION_COLOR, TypeStyle

#: East-west gap between halls laid side by side in the scene (metres).
HALL_GAP_M = 10.0
CANVAS_COLOR = QColor("#dde1e6")
GRID_COLOR = QColor("#e4e0d6")
GRID_MAJOR_COLOR = QColor("#d3cdbf")


class SelectionItem(ShapesItem):
    """Outlines the selected equipment, whatever its number, as one path.

    Drawn on screen only: a plan rendered for export (no widget) shows no selection.
    """

    def __init__(self) -> None:
        super().__init__(10.0)

    def draw(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        tint = QColor(SELECTION_COLOR)
        tint.setAlpha(60)
        edge = QPen(SELECTION_COLOR, 2.0)
        edge.setCosmetic(True)
        edge.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(edge)
        painter.setBrush(tint)
        draw_chunks(painter, self.footprints, exposed)
        if len(self.segments):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            line = QPen(SELECTION_COLOR, 4.0)
            line.setCosmetic(True)
            line.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(line)
            painter.drawLines([QLineF(*map(float, s)) for s in self.segments])
            # handles at the ends: drag one to lengthen or turn the busway
            draw_handles(painter, self.segments.reshape(-1, 2).tolist(), ppm)


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
        #: ids taken as failed (the document's what-if), drawn by ``failed_item`` while any
        self.failed: list[str] = []
        self.failed_item = FailedItem()
        #: the design's dimension lines and notes (issue 17), over the halls; in the scene
        #: only while the design has some
        self.annotations_item = AnnotationsItem()

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
        self.forget_title_rooms()
        if self.design is None:
            return
        styles = TypeStyle.build(self.design, self._effective_catalog())
        offsets = self.design.hall_offsets(HALL_GAP_M)
        for hall in self.design.halls:
            item = HallItem(self.design, hall, styles)
            min_x, min_y, max_x, max_y = hall.bounds()
            dx, dy = offsets[hall.id]
            item.setPos(dx, -dy)   # the scene's y runs down, the site's up
            title = HallTitleItem(f"{hall.name}  ·  {max_x - min_x:g} × {max_y - min_y:g} m", item,
                                  max_x - min_x + 0.8 * HALL_GAP_M)
            title.setPos(min_x, -max_y)
            item.title = title
            self.addItem(item)
            self.hall_items.append(item)
            if self._status is not None:
                item.set_status(self._status)
        self._update_scene_rect()
        self._refresh_selection()
        self._refresh_failed()
        self.refresh_annotations(offsets)
        self.update()

    def refresh_annotations(self, offsets: dict | None = None) -> None:
        """Redraw the design's dimension lines and notes."""
        item = self.annotations_item
        if self.design is None:
            item.set_design(None, {})
        else:
            item.set_design(self.design, offsets or self.design.hall_offsets(HALL_GAP_M))
        if not item.shapes and item.scene() is self:
            self.removeItem(item)
        elif item.shapes and item.scene() is None:
            self.addItem(item)

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
        self._refresh_failed()

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
        elif change.kind == "annotations":
            self.refresh_annotations()

    # ------------------------------------------------------------------ selection
    def set_selection(self, ids: Iterable[str]) -> None:
        """Outline these items (ids of equipment; unknown ids are skipped)."""
        self.selection = list(ids)
        self._refresh_selection()

    def _refresh_selection(self) -> None:
        self._show_items(self.selection_item, self.selection)

    # ------------------------------------------------------------------ what-if
    def set_failed(self, ids: Iterable[str]) -> None:
        """Draw these items as failed (the document's what-if; none: as built)."""
        self.failed = list(ids)
        self._refresh_failed()

    def _refresh_failed(self) -> None:
        self._show_items(self.failed_item, self.failed)

    def _show_items(self, item, ids: list[str]) -> None:
        """Give a screen item the scene geometry of some equipment; in the scene only while
        it shows something."""
        footprints, segments = self.scene_geometry(ids)
        item.set_geometry(footprints, segments)
        if item.is_empty() and item.scene() is self:
            self.removeItem(item)
        elif not item.is_empty() and item.scene() is None:
            self.addItem(item)

    def scene_geometry(self, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Scene footprints (n, 4, 2) of the floor items and segments (m, 4) of the busways
        among ``ids`` (unknown ids are skipped)."""
        design = self.design
        footprints = []
        segments = []
        if design is not None and ids:
            t = design.equipment
            rows = t.rows([i for i in ids if i in t.index])
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
        return (np.concatenate(footprints) if footprints else np.zeros((0, 4, 2)),
                np.concatenate(segments) if segments else np.zeros((0, 4)))

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

    def title_room_m(self, hall: HallItem, pixels_per_metre: float) -> float:
        """Metres a hall's title may run east of the hall's north-west corner at a zoom:
        up to the nearest other hall, or other title, that its band meets (a title that
        starts where another one does gives way to the earlier hall's). 0: no room."""
        cache = getattr(self, "_title_rooms", None)
        if cache is None or cache[0] != pixels_per_metre:
            cache = self._title_rooms = (pixels_per_metre, {})
        room = cache[1].get(id(hall))
        if room is None:
            room = cache[1][id(hall)] = self._title_room(hall, pixels_per_metre)
        return room

    def forget_title_rooms(self) -> None:
        """The halls moved (a rebuild, a hall dragged): the titles' rooms are measured again."""
        self._title_rooms = None

    def _title_room(self, hall: HallItem, pixels_per_metre: float) -> float:
        s = 1.0 / max(pixels_per_metre, 1e-9)
        band = getattr(hall, "title", None)
        band_m = (band.band_px() if band is not None else 28.0) * s
        pad = HallTitleItem.PAD_PX * s
        r = hall.mapRectToScene(hall.outline_rect())
        left, top, bottom = r.left(), r.top() - band_m, r.top()
        room = math.inf
        mine = next((k for k, h in enumerate(self.hall_items) if h is hall), len(self.hall_items))
        for k, other in enumerate(self.hall_items):
            if other is hall:
                continue
            o = other.mapRectToScene(other.outline_rect())
            for is_band, (o_top, o_bottom) in ((False, (o.top(), o.bottom())), (True, (o.top() - band_m, o.top()))):
                if o_bottom <= top + 1e-9 or o_top >= bottom - 1e-9 or o.right() <= left + 1e-9:
                    continue  # above, below or west of the band
                if o.left() > left + 1e-9:
                    room = min(room, o.left() - left - pad)
                elif not is_band or (abs(o.left() - left) <= 1e-9 and k < mine):
                    return 0.0  # a hall over the band, or a title starting here that comes first
        return max(room, 0.0)

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

    # ------------------------------------------------------------------ overlays and colour modes
    @property
    def view_options(self) -> ViewOptions:
        """What the plan shows beyond the equipment: colour mode, overlays, evaluation
        (created on first use)."""
        options = getattr(self, "_view_options", None)
        if options is None:
            options = self._view_options = ViewOptions(self)
        return options

    @property
    def changed_halls(self):
        """Shared per-hall diff of per-row arrays (see :class:`designer.ui.canvas.status.ChangedHalls`)."""
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
