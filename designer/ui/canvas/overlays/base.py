"""The base of every overlay: one ``QGraphicsItem`` per hall and kind, top-level in the
scene above the halls and placed where its hall is, that computes its arrays lazily
(on the first paint after something of *its* hall changed) and paints them as cached
``QPainterPath``s grouped by the hall's floor chunks, culled to the exposed rect."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.painting import (
    cache_for_zoom, exposed_rect, painting_cache, pixels_per_metre, polygons_path, segments_path,
)
from designer.ui.canvas.styles import LOD_MERGE, WHOLE_HALL
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle

#: An overlay's arrays before they are computed (None means "computed: nothing to draw").
_UNSET = object()


class HallOverlay(QGraphicsItem):
    """One overlay of one hall: computes its arrays lazily and paints them culled."""

    kind = ""
    z = 1.0
    #: redo the arrays when the evaluation of this hall changes (not only its equipment)
    needs_evaluation = True

    def __init__(self, hall_item: HallItem, options: QObject) -> None:
        """An overlay of ``hall_item``, made by the scene's view ``options``."""
        super().__init__()
        self.hall_item = hall_item
        self.options = options
        self.setZValue(self.z)
        self.setPos(hall_item.pos())
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # editing tools see through it
        self._data = _UNSET
        self._cache: dict = {}
        self._bounds = self._grown_bounds()
        self._throttle: Throttle | None = None

    # ------------------------------------------------------------------ invalidation
    def equipment_changed(self, moved_only: bool = False) -> None:
        """The hall's equipment changed (moved, added, removed, restyled). Moves (a drag)
        redo the overlay at most 10 times a second; anything else at once."""
        if moved_only:
            self._invalidate_soon()
        else:
            self.invalidate()

    def evaluation_changed(self) -> None:
        """A new evaluation changed something of this hall (during a drag, every mouse
        move): the overlay is redone at most 10 times a second, the last time with the
        latest evaluation, and together with the scene's other overlays waiting (each
        redone on its own timer, they repainted the view several times as often). Until
        then it shows the previous state (drawn from its own arrays, never from the
        hall's current rows)."""
        if self.needs_evaluation:
            self._invalidate_soon()

    def site_evaluation_changed(self, evaluation) -> None:
        """A new evaluation of the whole design (after the halls got theirs): an overlay
        that draws site-level results (the fabric) checks here whether its hall's part
        changed. Nothing by default."""

    def _invalidate_soon(self) -> None:
        together = getattr(self.options, "refresh_soon", None)
        if together is not None:   # every overlay of the scene at once: one repaint
            together(self)
            return
        if self._throttle is None:
            self._throttle = Throttle(TEXT_INTERVAL_MS, self.invalidate, None)
        self._throttle.request()

    def updates_pending(self) -> bool:
        pending = getattr(self.options, "refresh_pending", None)
        if pending is not None:
            return pending(self)
        return self._throttle is not None and self._throttle.pending()

    def hall_bounds_changed(self) -> None:
        self.prepareGeometryChange()
        self._bounds = self._grown_bounds()

    def invalidate(self) -> None:
        """Forget the arrays and paths; they are rebuilt on the next paint."""
        self._data = _UNSET
        self._cache.clear()
        self.update()

    def _grown_bounds(self) -> QRectF:
        m = self.margin_m()
        return self.hall_item.boundingRect().adjusted(-m, -m, m, m)

    def margin_m(self) -> float:
        """How far past the hall's equipment this overlay may draw (metres)."""
        return 0.5

    def data(self):
        """The overlay's arrays for the current state (computed on first use; None when
        there is nothing to draw)."""
        if self._data is _UNSET:
            self.hall_item.sync_rows()
            self._data = self.compute()
        return self._data

    @property
    def computed(self) -> bool:
        """Whether the arrays for the current state are computed."""
        return self._data is not _UNSET

    # ------------------------------------------------------------------ subclass API
    def compute(self):  # pragma: no cover - abstract
        """Arrays to draw, or None when there is nothing (e.g. no evaluation yet)."""
        raise NotImplementedError

    def draw(self, painter: QPainter, data, exposed: QRectF, ppm: float) -> None:  # pragma: no cover
        raise NotImplementedError

    # ------------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        ppm = pixels_per_metre(painter)
        if widget is not None or painting_cache(painter):
            cache_for_zoom(self, ppm)
        data = self.data()
        if data is None:
            return
        exposed = exposed_rect(painter, option, self._bounds)
        painter.save()
        self.draw(painter, data, exposed, ppm)
        painter.restore()


@dataclass
class ChunkedShapes:
    """Polygons (or segments) grouped by the hall's floor chunks, with a key each
    (colour class); paths are built per (chunk, key) on first paint and cached."""

    shapes: np.ndarray      # (n, k, 2) polygon corners or (n, 4) segments, item coordinates
    chunk: np.ndarray       # (n,) chunk index per shape (hall chunk numbering)
    key: np.ndarray         # (n,) class per shape
    segments: bool = False

    def __post_init__(self) -> None:
        order = np.lexsort((self.key, self.chunk))
        self.shapes, self.chunk, self.key = self.shapes[order], self.chunk[order], self.key[order]
        self._paths: dict[int, list[tuple[int, QPainterPath]]] = {}

    def runs(self, chunk: int) -> list[tuple[int, QPainterPath]]:
        """(key, path) pairs of one chunk (every shape for :data:`WHOLE_HALL`)."""
        runs = self._paths.get(chunk)
        if runs is None:
            if chunk == WHOLE_HALL:
                a, b = 0, len(self.chunk)
            else:
                a, b = np.searchsorted(self.chunk, [chunk, chunk + 1])
            keys = self.key[a:b]
            runs = []
            for k in np.unique(keys):
                sel = self.shapes[a:b][keys == k]
                runs.append((int(k), segments_path(sel) if self.segments else polygons_path(sel)))
            self._paths[chunk] = runs
        return runs


def grow_chunks(hall: HallItem, chunk: np.ndarray, lo_pts: np.ndarray,
                 hi_pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per hall chunk, the bounds of its footprints grown to hold shapes of that chunk
    whose bounds are ``lo_pts``/``hi_pts`` (n, 2)."""
    lo, hi = hall.footprints.chunk_lo.copy(), hall.footprints.chunk_hi.copy()
    if len(chunk):
        np.minimum.at(lo, chunk, lo_pts)
        np.maximum.at(hi, chunk, hi_pts)
    return lo, hi


def visible_groups(lo: np.ndarray, hi: np.ndarray, exposed: QRectF, ppm: float) -> np.ndarray:
    if ppm < LOD_MERGE:
        return np.array([WHOLE_HALL])
    return np.flatnonzero((lo[:, 0] <= exposed.right()) & (hi[:, 0] >= exposed.left())
                          & (lo[:, 1] <= exposed.bottom()) & (hi[:, 1] >= exposed.top()))
