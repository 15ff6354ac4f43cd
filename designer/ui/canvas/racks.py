"""Painting a hall's equipment: racks, CDUs and air handlers filled by the colour mode,
front marks, status outlines, overhead busways, columns and keep-out zones.

:class:`RackPainter` keeps the ``QPainterPath`` of every (tag, floor chunk, colour) it
has drawn; a rebuild or a new status drops only the chunks that changed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from designer.ui.canvas.footprints import HallFootprints
from designer.ui.canvas.painting import polygons_path
from designer.ui.canvas.styles import (
    BUSWAY_WIDTH_M, COLUMN_COLOR, DENSITY_COLORS, DENSITY_PALETTE, FRONT_COLOR, KEEPOUT_COLOR, LOD_MERGE,
    LOD_OUTLINES, STATUS_COLORS, STATUS_PALETTE, STATUS_UNKNOWN, WHOLE_HALL, Palette, TypeStyle,
)


def colour_keys(mode: str, fp: HallFootprints, status_classes: np.ndarray | None,
                styles: TypeStyle) -> tuple[str, np.ndarray, Palette]:
    """(cache tag, palette index per footprint, palette) for a colour mode."""
    if mode == "density":
        keys = np.where(fp.density_key < 0, len(DENSITY_COLORS), fp.density_key)
        return "density", keys, DENSITY_PALETTE
    if mode == "status":
        if status_classes is None:
            return "status-none", np.full(len(fp.rows), STATUS_UNKNOWN), STATUS_PALETTE
        return "status", status_classes, STATUS_PALETTE
    return "type", fp.types, styles.palette


class RackPainter:
    """Paints one hall's footprints and busways from cached paths."""

    def __init__(self) -> None:
        self._paths: dict[tuple, object] = {}
        self._busway_lines: dict | None = None

    # ------------------------------------------------------------------ the cache
    def carry(self, carried: dict[int, int] | None, busways_same: bool) -> None:
        """Keep the paths of the chunks that did not change (old chunk → new chunk)."""
        kept = {}
        if carried:
            for key, value in self._paths.items():
                c = carried.get(key[1]) if len(key) > 1 and isinstance(key[1], int) else None
                if c is not None:
                    kept[(key[0], c, *key[2:])] = value
        self._paths = kept
        if not busways_same:
            self._busway_lines = None

    def drop_paths(self, *tags: str) -> None:
        """Forget every path of some tags."""
        self._paths = {k: v for k, v in self._paths.items() if k[0] not in tags}

    def drop_chunk_paths(self, chunks: np.ndarray, *tags: str) -> None:
        """Forget the paths of some chunks, and the whole-hall ones, of some tags."""
        chunks = set(chunks.tolist()) | {WHOLE_HALL}
        self._paths = {k: v for k, v in self._paths.items() if not (k[0] in tags and k[1] in chunks)}

    def _path(self, key: tuple, polygons: np.ndarray) -> QPainterPath:
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = polygons_path(polygons)
        return path

    def _runs(self, fp: HallFootprints, tag: str, chunk: int, keys: np.ndarray,
              skip: int | None = None) -> list[tuple[int, QPainterPath]]:
        """Cached (key, path) pairs of a chunk: one path per distinct key of its rows."""
        cache_key = (tag, chunk, "corners")
        runs = self._paths.get(cache_key)
        if runs is None:
            a, b = fp.chunk_range(chunk)
            sub = keys[a:b]
            runs = []
            for k in np.unique(sub):
                if skip is not None and k == skip:
                    continue
                sel = a + np.flatnonzero(sub == k)
                runs.append((int(k), polygons_path(fp.corners[sel])))
            self._paths[cache_key] = runs
        return runs

    # ------------------------------------------------------------------ painting
    @staticmethod
    def paint_structure(painter: QPainter, columns: QPainterPath, keepouts: QPainterPath) -> None:
        """Keep-out zones (hatched) and columns."""
        if not keepouts.isEmpty():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(KEEPOUT_COLOR.red(), KEEPOUT_COLOR.green(), KEEPOUT_COLOR.blue(), 28))
            painter.drawPath(keepouts)
            painter.setBrush(QBrush(QColor(KEEPOUT_COLOR.red(), KEEPOUT_COLOR.green(),
                                           KEEPOUT_COLOR.blue(), 150), Qt.BrushStyle.BDiagPattern))
            edge = QPen(KEEPOUT_COLOR, 1.5, Qt.PenStyle.DashLine)
            edge.setCosmetic(True)
            painter.setPen(edge)
            painter.drawPath(keepouts)
        if not columns.isEmpty():
            edge = QPen(COLUMN_COLOR.darker(150), 1.0)
            edge.setCosmetic(True)
            painter.setPen(edge)
            painter.setBrush(COLUMN_COLOR)
            painter.drawPath(columns)

    def paint_footprints(self, painter: QPainter, fp: HallFootprints, chunks: np.ndarray, ppm: float,
                         colours: tuple[str, np.ndarray, Palette]) -> None:
        """Footprints filled by colour key; edges and front marks once they can be seen."""
        tag, keys, palette = colours
        outlines = ppm >= LOD_OUTLINES
        for c in chunks:
            for k, path in self._runs(fp, "fill-" + tag, int(c), keys):
                painter.setBrush(palette.brushes[k])
                painter.setPen(palette.pens[k] if outlines else Qt.PenStyle.NoPen)
                painter.drawPath(path)
        if outlines:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(FRONT_COLOR)
            for c in chunks:
                a, b = fp.chunk_range(int(c))
                painter.drawPath(self._path(("front", int(c)), fp.front[a:b]))

    def paint_status(self, painter: QPainter, fp: HallFootprints, status: np.ndarray | None, chunks: np.ndarray,
                     ppm: float) -> None:
        """Orange (warning) and red (error) outlines."""
        if status is None or not status.any():
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        detailed = ppm >= LOD_OUTLINES
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        pens = {}
        for level, color in STATUS_COLORS.items():
            pen = pens[level] = QPen(color, 2.0 if detailed else 1.0)
            pen.setCosmetic(True)
        for c in chunks:
            for level, path in self._runs(fp, "status", int(c), status, skip=0):
                painter.setPen(pens[level])
                painter.drawPath(path)

    def _busway_paths(self, fp: HallFootprints, type_codes: np.ndarray) -> dict:
        """Per busway type code: centre lines and the band (a polygon path) it is drawn
        as when zoomed in (cached)."""
        if self._busway_lines is None:
            seg = fp.busway_segments
            by_type = {}
            for code in np.unique(type_codes):
                s = seg[type_codes == code]
                d = s[:, 2:] - s[:, :2]
                along = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
                across = np.stack([-along[:, 1], along[:, 0]], axis=1) * (BUSWAY_WIDTH_M / 2.0)
                band = np.stack([s[:, :2] - across, s[:, 2:] - across, s[:, 2:] + across, s[:, :2] + across], 1)
                by_type[int(code)] = ([QLineF(*map(float, row)) for row in s], polygons_path(band))
            self._busway_lines = by_type
        return self._busway_lines

    def paint_busways(self, painter: QPainter, fp: HallFootprints, styles: TypeStyle, type_codes: np.ndarray,
                      status: np.ndarray | None, ppm: float) -> None:
        """Busways overhead, translucent; dashed orange or red where the status says so."""
        if not len(fp.busway_rows):
            return
        colors = styles.colors
        wide = ppm * BUSWAY_WIDTH_M >= 2.0
        for code, (lines, band) in self._busway_paths(fp, type_codes).items():
            color = QColor(colors[code])
            color.setAlpha(150)  # overhead: the racks beneath stay visible
            if wide:  # a filled band: cheaper than stroking wide translucent lines
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawPath(band)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            else:  # a couple of pixels wide
                pen = QPen(color, 2.0)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                painter.setPen(pen)
                painter.drawLines(lines)
            if ppm >= LOD_MERGE:
                # a dark centre line keeps the busway readable over racks of a similar colour
                centre = QPen(QColor(colors[code]).darker(190), 1.0)
                centre.setCosmetic(True)
                painter.setPen(centre)
                painter.drawLines(lines)
        if status is not None and status.any():
            seg = fp.busway_segments
            for level, color in STATUS_COLORS.items():
                pick = [QLineF(*map(float, s)) for s in seg[status == level]]
                if pick:
                    pen = QPen(color, 2.0, Qt.PenStyle.DashLine)
                    pen.setCosmetic(True)
                    painter.setPen(pen)
                    painter.drawLines(pick)


def visible_chunks(fp: HallFootprints, exposed: QRectF, ppm: float, margin: float = 0.0) -> np.ndarray:
    """Chunks whose footprints (grown by ``margin`` metres) meet ``exposed``; just
    ``[WHOLE_HALL]`` when zoomed out below :data:`LOD_MERGE`."""
    if ppm < LOD_MERGE:
        return np.array([WHOLE_HALL]) if len(fp.rows) else np.zeros(0, np.int64)
    lo, hi = fp.chunk_lo, fp.chunk_hi
    return np.flatnonzero((lo[:, 0] - margin <= exposed.right()) & (hi[:, 0] + margin >= exposed.left())
                          & (lo[:, 1] - margin <= exposed.bottom()) & (hi[:, 1] + margin >= exposed.top()))
