"""One graphics item per hall that paints all of its equipment from the numpy columns.

A campus of a million chips has ~16,000 racks; one ``QGraphicsItem`` per rack would
make opening, zooming and panning slow. A :class:`HallItem` instead keeps its hall's
footprints as arrays grouped into square floor chunks (:class:`HallFootprints`) and
paints each visible chunk with one cached ``QPainterPath`` per colour
(:class:`RackPainter`). Zoomed far out the chunks are merged into one path per colour
for the hall. Outlines, front marks and labels (:class:`HallLabels`) only appear when
they can be read.

Racks are coloured by type (catalog colour), by power density (kW per m² of
footprint) or by status (from the evaluation, :class:`HallStatus`). Overlays (service
clearances, cable routes, heat map, …) are separate items
(:mod:`designer.ui.canvas.overlays`), one per hall and kind; a hall item creates and
removes its overlays as it enters and leaves a scene (the scene's ``view_options``
say which).

Item coordinates are the hall's plan coordinates with y flipped (``(x, -y)``), so
north is up on screen; the scene places each hall with ``setPos``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.model import Design, Hall
from designer.ui.canvas.footprints import HallFootprints
from designer.ui.canvas.labels import HallLabels
from designer.ui.canvas.painting import cache_for_zoom, exposed_rect, painting_cache, pixels_per_metre, polygon_path
from designer.ui.canvas.racks import RackPainter, colour_keys, visible_chunks
from designer.ui.canvas.status import HallStatus, Recolour
from designer.ui.canvas.styles import (
    BUSWAY_WIDTH_M, COLOUR_MODES, LOD_ANTIALIAS, LOD_BUSWAY_LABELS, LOD_LABELS, WALL_COLOR, TypeStyle,
)


class HallItem(QGraphicsItem):
    """Paints one hall: walls, columns, keep-outs, racks, CDUs, air handlers, busways."""

    def __init__(self, design: Design, hall: Hall, styles: TypeStyle) -> None:
        super().__init__()
        self.design = design
        self.hall = hall
        self.styles = styles
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self._colour_mode = "type"
        self.status = HallStatus(design)
        self.racks = RackPainter()
        self.labels = HallLabels(design, hall.id)
        self.footprints: HallFootprints | None = None
        #: overlay kind → overlay item of this hall (top-level scene items, see overlays)
        self.overlays: dict[str, QGraphicsItem] = {}
        self._bounds = QRectF()
        self.rebuild_structure()
        self.rebuild_equipment()

    # ------------------------------------------------------------------ the model
    def rebuild_structure(self) -> None:
        """Recompute the outline, columns and keep-outs (after a hall edit)."""
        self.outline = polygon_path(self.hall.outline)
        self.columns = QPainterPath()
        for poly in self.hall.columns:
            self.columns.addPath(polygon_path(poly))
        self.keepouts = QPainterPath()
        for poly in self.hall.keepouts:
            self.keepouts.addPath(polygon_path(poly))
        self._update_bounds()

    def rebuild_equipment(self, styles: TypeStyle | None = None) -> None:
        """Recompute every footprint of this hall from the equipment table.

        When only some footprints changed (a drag moves a few racks), the cached paths
        of the floor chunks they neither left nor entered are kept, and only the floor
        they covered before and cover now is repainted."""
        if styles is not None:
            self.styles = styles
        before = self.footprints
        fp = self.footprints = HallFootprints(self.design, self.hall.id, self.styles)
        change = fp.changes_since(before, self.design)
        self.racks.carry(change.carried, change.busways_same)
        places_before = self.labels.equipment_changed(fp)
        self.status.equipment_changed(fp)
        dirty = None if change.dirty is None else self._grown_rect(change.dirty)
        if dirty is not None and places_before is not None and len(fp.busway_rows):
            dirty = self.labels.moved_busway_rect(places_before, dirty)
        self._update_bounds()
        for overlay in self.overlays.values():
            overlay.equipment_changed(moved_only=dirty is not None)
        if dirty is None:
            self.update()
        elif not dirty.isNull():
            self.update(dirty)

    def sync_rows(self) -> None:
        """Re-read this hall's row numbers after items were added to or removed from
        *other* halls: the footprints are unchanged, their rows in the table shifted."""
        fp = self.footprints
        if fp.ids_list is self.design.equipment.ids:
            return
        if not fp.sync_rows(self.design, self.hall.id):
            self.rebuild_equipment()
            return
        self.status.slice_status(fp)
        self.status.slice_classes(fp)

    # ------------------------------------------------------------------ evaluation
    def set_status(self, status: np.ndarray | None) -> None:
        """Per-row status of the whole equipment table (0 ok, 1 warning, 2 error)."""
        if status is self.status.status:
            return
        self.sync_rows()
        recolour = self.status.set_status(status, self.footprints, lambda: self._changed_here("status", status))
        if recolour is not None:
            self._recolour(recolour, ("status",), ("status",))

    def set_evaluation(self, evaluation) -> None:
        """The engine's result for the whole design: the status colour mode and the
        overlays read their per-row arrays from it. Overlays are told only when
        something of this hall changed (its equipment, or its items' status)."""
        self.sync_rows()
        recolour, tell = self.status.set_evaluation(evaluation, self.footprints,
                                                    lambda classes: self._changed_here("class", classes))
        if recolour is not None:
            self._recolour(recolour, ("fill-status", "fill-status-none"), ("fill-status",),
                           repaint=self._colour_mode == "status")
        if tell:
            for overlay in self.overlays.values():
                overlay.evaluation_changed()

    def evaluation(self):
        """The evaluation this hall shows, if it matches the equipment table (else None)."""
        return self.status.evaluation()

    def _recolour(self, recolour: Recolour, all_tags: tuple, chunk_tags: tuple, repaint: bool = True) -> None:
        """Drop the paths whose colours changed and repaint where they are."""
        if recolour.positions is None:
            self.racks.drop_paths(*all_tags)
            if repaint:
                self.update()
            return
        fp = self.footprints
        self.racks.drop_chunk_paths(fp.chunk[recolour.positions], *chunk_tags)
        if repaint:
            self.update(self._grown_rect(fp.points(recolour.positions, recolour.busways)))

    def _changed_here(self, key: str, rows_array: np.ndarray | None) -> bool:
        """Whether a new per-row array (of the whole table) differs from the previous
        one on this hall's rows. The diff is done once per array for all halls (the
        scene's ``changed_halls``); without one, assume it does."""
        memo = getattr(self.scene(), "changed_halls", None)
        if memo is None or rows_array is None:
            return True
        codes = memo.codes(key, rows_array, self.design.equipment)
        return codes is None or self.design.equipment.halls.codes.get(self.hall.id) in codes

    # ------------------------------------------------------------------ colour mode
    @property
    def colour_mode(self) -> str:
        return self._colour_mode

    def set_colour_mode(self, mode: str) -> None:
        """Colour racks by ``"type"`` (catalog colour), ``"density"`` (kW/m²) or ``"status"``."""
        if mode not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {mode!r}; expected one of {', '.join(COLOUR_MODES)}")
        if mode != self._colour_mode:
            self._colour_mode = mode
            self.update()

    # ------------------------------------------------------------------ scene membership
    def itemChange(self, change, value):  # noqa: N802 (Qt API)
        GIC = QGraphicsItem.GraphicsItemChange
        if change == GIC.ItemSceneChange:
            old = self.scene()
            if old is not None and value is not old:
                for overlay in list(self.overlays.values()):
                    _remove_from_scene(overlay, old)
                self.overlays.clear()
        elif change == GIC.ItemSceneHasChanged:
            options = getattr(value, "view_options", None) if value is not None else None
            if options is not None:
                options.attach(self)
        elif change == GIC.ItemPositionHasChanged:
            for overlay in self.overlays.values():
                overlay.setPos(self.pos())
        return super().itemChange(change, value)

    # ------------------------------------------------------------------ geometry
    def _update_bounds(self) -> None:
        rect = self.outline.boundingRect()
        fp = self.footprints
        if fp is not None and len(fp.rows):
            lo, hi = fp.corners.reshape(-1, 2).min(axis=0), fp.corners.reshape(-1, 2).max(axis=0)
            rect = rect.united(QRectF(QPointF(*lo), QPointF(*hi)))
        if fp is not None and len(fp.busway_rows):
            seg = fp.busway_segments
            xs, ys = seg[:, [0, 2]], seg[:, [1, 3]]
            rect = rect.united(QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max())))
        margin = BUSWAY_WIDTH_M + 0.1
        rect = rect.adjusted(-margin, -margin, margin, margin)
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = rect
            for overlay in self.overlays.values():
                overlay.hall_bounds_changed()

    def _grown_rect(self, points: np.ndarray) -> QRectF:
        """The bounds of item points, grown by what cosmetic pens and antialiasing add."""
        if not len(points):
            return QRectF()
        lo, hi = points.min(axis=0), points.max(axis=0)
        m = self._margin_m()
        return QRectF(QPointF(float(lo[0]) - m, float(lo[1]) - m), QPointF(float(hi[0]) + m, float(hi[1]) + m))

    def _margin_m(self, pixels: float = 6.0) -> float:
        """Metres that ``pixels`` screen pixels span at the zoom of the item's views."""
        scene = self.scene()
        views = scene.views() if scene is not None else []
        ppm = min((v.pixels_per_metre() for v in views if hasattr(v, "pixels_per_metre")), default=20.0)
        return max(pixels / max(ppm, 1e-6), 0.2)

    def outline_rect(self) -> QRectF:
        """The hall outline's bounds in item coordinates (metres)."""
        return self.outline.boundingRect()

    def to_plan(self, scene_point: QPointF) -> tuple[float, float]:
        """Plan coordinates (metres, y north) of a scene point."""
        p = self.mapFromScene(scene_point)
        return p.x(), -p.y()

    def from_plan(self, x: float, y: float) -> QPointF:
        """Scene point of plan coordinates in this hall."""
        return self.mapToScene(QPointF(x, -y))

    # ------------------------------------------------------------------ painting
    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        self.sync_rows()
        fp = self.footprints
        ppm = pixels_per_metre(painter)
        if widget is not None or painting_cache(painter):
            cache_for_zoom(self, ppm)
        exposed = exposed_rect(painter, option, self._bounds)
        colours = colour_keys(self._colour_mode, fp, self.status.classes, self.styles)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.racks.paint_structure(painter, self.columns, self.keepouts)
        visible = visible_chunks(fp, exposed, ppm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_ANTIALIAS)
        self.racks.paint_footprints(painter, fp, visible, ppm, colours)
        self.racks.paint_status(painter, fp, self.status.rows, visible, ppm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.racks.paint_busways(painter, fp, self.styles, fp.busway_types, self.status.busways, ppm)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        wall = QPen(WALL_COLOR, 2.5)
        wall.setCosmetic(True)
        wall.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(wall)
        painter.drawPath(self.outline)
        if ppm >= LOD_LABELS:
            self.labels.paint_rack_labels(painter, exposed, ppm, colours)
        if ppm >= LOD_BUSWAY_LABELS:
            self.labels.paint_busway_labels(painter, exposed, ppm)
        painter.restore()


def _remove_from_scene(item: QGraphicsItem, scene) -> None:
    try:
        if item.scene() is scene:
            scene.removeItem(item)
    except RuntimeError:  # the scene is being destroyed and took the item with it
        pass


class HallTitleItem(QGraphicsItem):
    """The hall's name and size above its north-west corner, at a constant pixel size.

    Shortened (or left out) when there is no room for it: it stops short of every other
    hall and every other title its band meets, wherever the halls sit on the campus
    (:meth:`PlanScene.title_room_m`), so titles never run into each other or into a
    hall. The band above the hall is also the handle that drags the hall on the campus.
    """

    #: Pixels kept clear between a title and what it stops short of.
    PAD_PX = 8.0

    def __init__(self, text: str, parent: HallItem, width_m: float) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.font = QFont()
        self.font.setPixelSize(15)
        self.font.setBold(True)
        self.text = text
        self.width_m = width_m  # the hall's width plus most of the gap to the next hall
        metrics = QFontMetricsF(self.font)
        self._rect = QRectF(0, -metrics.height() - 8, metrics.horizontalAdvance(text) + 4,
                            metrics.height() + 4)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._rect

    def band_px(self) -> float:
        """Height of the title's band above the hall, pixels."""
        return -self._rect.top()

    def room_m(self, pixels_per_metre: float) -> float:
        """Metres the title may run east at a zoom."""
        scene = self.scene()
        room = self.width_m
        if scene is not None and hasattr(scene, "title_room_m"):
            room = min(room, scene.title_room_m(self.parentItem(), pixels_per_metre))
        return room

    def shown_text(self, pixels_per_metre: float | None) -> str:
        """The title as drawn at a zoom (None: in full)."""
        if pixels_per_metre is None:
            return self.text
        room = self.room_m(pixels_per_metre) * pixels_per_metre
        if room < 30:
            return ""
        return QFontMetricsF(self.font).elidedText(self.text, Qt.TextElideMode.ElideRight, room)

    def text_scene_rect(self, pixels_per_metre: float) -> QRectF:
        """Scene rect of the text as drawn at a zoom (empty when it is left out)."""
        text = self.shown_text(pixels_per_metre)
        if not text:
            return QRectF()
        width = QFontMetricsF(self.font).horizontalAdvance(text) + 4
        anchor = self.scenePos()
        s = 1.0 / pixels_per_metre
        return QRectF(anchor.x(), anchor.y() + self._rect.top() * s, width * s, self._rect.height() * s)

    def handle_scene_rect(self, pixels_per_metre: float) -> QRectF:
        """Scene rect of the band a press on which drags the hall: above the hall, its
        width (or the title's, if longer), the title's height."""
        hall = self.parentItem()
        outline = hall.mapRectToScene(hall.outline_rect())
        text = self.text_scene_rect(pixels_per_metre)
        s = 1.0 / pixels_per_metre
        width = max(outline.width(), text.width())
        return QRectF(outline.left(), outline.top() - self.band_px() * s, width, self.band_px() * s)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        # Ignoring transformations, the painter has no zoom: ask the view showing us.
        view = widget.parentWidget() if widget is not None else None
        ppm = None
        if view is not None and hasattr(view, "pixels_per_metre"):
            ppm = view.pixels_per_metre()
        text = self.shown_text(ppm)
        if not text:
            return
        painter.setFont(self.font)
        painter.setPen(WALL_COLOR)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
