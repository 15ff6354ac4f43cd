"""Overlays on the floor plan: service clearances, cable routes, cooling and power
feeds, heat map and aisle widths — plus the colour mode, and the legend that explains
what is shown.

Each overlay is one ``QGraphicsItem`` per hall and kind (top-level in the scene,
stacked above the halls, placed where its hall is), that paints numpy arrays as
cached ``QPainterPath``s grouped by the hall's floor chunks, culls to the exposed
rect and lightens its detail with the zoom. Overlays compute their arrays lazily, on
the first paint after something of *their* hall changed; a drag in one hall of a
55-hall campus recomputes one hall's overlays, not all of them.

:class:`ViewOptions` (``scene.view_options``) holds what is shown: the colour mode,
the overlays switched on and the evaluation they draw; a :class:`HallItem` entering
the scene asks it for its overlays. :class:`PlanLegend` is a strip along the bottom
of the plan view, in a margin the view keeps for it (it never covers the plan), that
lists the colours in use; :class:`ViewToolbar` switches modes and overlays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox, QGraphicsItem, QLabel, QMenu, QStyleOptionGraphicsItem, QToolBar, QWidget,
)

from designer.engine import boxes as bx
from designer.engine.heat import HeatGrid, heat_grid
from designer.ui.hall_item import (
    AIR_HANDLER, CDU, CHUNK_M, COLOUR_MODE_LABELS, COLOUR_MODES, DENSITY_COLORS, DENSITY_EDGES_KW_M2,
    LOD_LABELS, LOD_MERGE, LOD_OUTLINES, NO_LOAD_COLOR, STATUS_CLASS_COLORS, STATUS_CLASSES, STATUS_UNCOOLED,
    STATUS_UNPOWERED, WHOLE_HALL, ChangedHalls, HallItem, TypeStyle, cache_for_zoom, exposed_rect,
    painting_cache, pixels_per_metre, polygons_path, segments_path,
)
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle

#: Overlay kinds in toolbar order, with their labels and tooltips.
OVERLAYS: dict[str, tuple[str, str]] = {
    "clearances": ("Clearances", "Service clearances: front and rear zones of every rack; blocked zones in red"),
    "cables": ("Cables", "Scale-out cable routes from each rack to its network rack, coloured by medium"),
    "assignment": ("Feeds", "Which CDU, air handler and busway serves each rack; unserved racks marked"),
    "heat": ("Heat map", "Heat density (kW per m² of floor) on the cooling grid"),
    "aisles": ("Aisles", "Width of the cold and hot aisles between facing rows"),
}

# ------------------------------------------------------------------ colours
CLEARANCE_FRONT = QColor(66, 133, 244)
CLEARANCE_REAR = QColor(235, 140, 40)
CLEARANCE_BLOCKED = QColor(214, 39, 40)
CDU_LINE = QColor("#0f8b8d")
AIR_LINE = QColor("#3b6fd8")
#: Air-handler lines are many and long: drawn lighter, so that they stay in the background.
AIR_LINE_LIGHT = QColor("#93b1ea")
BUSWAY_FEED = QColor("#c0392b")
BUSWAY_GLOW = QColor(255, 196, 0, 130)
UNREACHABLE_CABLE = QColor("#d62728")
COLD_AISLE = QColor("#1f5fbf")
HOT_AISLE = QColor("#b03a2e")
MIXED_AISLE = QColor("#6b6b6b")
NARROW_AISLE = QColor("#d62728")
#: Heat ramp: transparent at zero, then light yellow → orange → red → dark red, more
#: opaque as it gets hotter so that cool floor stays readable under the map.
HEAT_STOPS = ((0.0, (255, 240, 170, 80)), (0.35, (253, 170, 70, 125)), (0.7, (225, 45, 30, 160)),
              (1.0, (120, 0, 30, 185)))

#: Zoom (px/m) below which cable routes are decimated to a pixel grid, and below which
#: aisle widths are not drawn / not labelled.
LOD_CABLE_DECIMATE = 3.0
#: Distance between the lanes of different cable media sharing a tray (pixels).
LANE_PX = 3.5
#: Radius of the dot marking where a rack's cables drop from the tray (metres).
DOT_M = 0.09
#: Width of the glow along a busway that feeds racks (metres).
GLOW_M = 0.7
LOD_AISLES = 2.5
LOD_AISLE_LABELS = 11.0
LOD_HEAT_VALUES = 70.0
#: Zoom (px/m) below which only blocked service zones are drawn, and feed lines are not.
LOD_CLEARANCE_ZONES = 2.0
LOD_FEED_LINES = 2.0
#: Largest gap between two facing rows still called an aisle (metres).
MAX_AISLE_M = 6.0


def heat_lut() -> np.ndarray:
    """256 RGBA entries of the heat ramp (index 0: transparent)."""
    pos = [p for p, _ in HEAT_STOPS]
    colors = [c for _, c in HEAT_STOPS]
    lut = pg.ColorMap(pos, colors).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)
    lut[0] = (0, 0, 0, 0)
    return lut


HEAT_LUT = heat_lut()


def nice_ceil(value: float) -> float:
    """The smallest 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ not below ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value - 1e-9 * exp:
            return step * exp
    return 10 * exp


def heat_scale_w_m2(styles: TypeStyle) -> float:
    """Top of the heat colour scale: the densest footprint a type of the design has,
    rounded up. A cell cannot be hotter than that (unless footprints overlap), and the
    scale does not jump while racks are dragged."""
    dens = styles.density_kw_m2()
    return nice_ceil(float(dens.max(initial=0.0)) * 1000.0) if dens.size and dens.max() > 0 else 1000.0


def links_in_hall(evaluation, design, hall_id: str) -> np.ndarray:
    """Indices into ``evaluation.links`` of the links whose rack stands in a hall
    (sorted by hall once per evaluation, then sliced)."""
    t = design.equipment
    cached = evaluation.extras.get("ui.links_by_hall")
    if cached is None:
        links = evaluation.links
        hc = t.hall_code[links.rack] if len(links.rack) else np.zeros(0, np.int64)
        order = np.argsort(hc, kind="stable")
        bounds = np.searchsorted(hc[order], np.arange(len(t.halls.names) + 1))
        cached = evaluation.extras["ui.links_by_hall"] = (order, bounds)
    order, bounds = cached
    code = t.halls.codes.get(hall_id)
    if code is None or code + 1 >= len(bounds):
        return np.zeros(0, np.int64)
    return order[bounds[code]:bounds[code + 1]]


def _pen(color: QColor, width: float = 1.0, style=Qt.PenStyle.SolidLine, alpha: int | None = None) -> QPen:
    c = QColor(color)
    if alpha is not None:
        c.setAlpha(alpha)
    pen = QPen(c, width, style)
    pen.setCosmetic(True)
    return pen


def _with_alpha(color: QColor, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c


# ====================================================================== options
class ViewOptions(QObject):
    """What a plan scene shows beyond the equipment: the colour mode, the overlays
    switched on, and the evaluation (of the scene's design) they draw."""

    #: the colour mode, the overlays shown or the evaluation changed
    changed = Signal()

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.scene = scene
        self.colour_mode = "type"
        self.shown: set[str] = set()
        self.evaluation = None
        self._evaluated_design = None
        self.changed_halls = ChangedHalls()

    # ------------------------------------------------------------------ state
    def evaluation_for(self, design):
        """The evaluation if it belongs to ``design`` (a new design's arrives later)."""
        return self.evaluation if design is self._evaluated_design else None

    def set_evaluation(self, evaluation) -> None:
        """Show a new evaluation of the scene's design (None: it failed)."""
        self.evaluation = evaluation
        self._evaluated_design = self.scene.design
        for item in self.scene.hall_items:
            item.set_evaluation(evaluation)
        self.changed.emit()

    def set_colour_mode(self, mode: str) -> None:
        """Colour racks by ``type``, ``density`` or ``status``."""
        if mode not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {mode!r}")
        if mode == self.colour_mode:
            return
        self.colour_mode = mode
        for item in self.scene.hall_items:
            item.set_colour_mode(mode)
        self.changed.emit()

    def set_overlay(self, kind: str, shown: bool = True) -> None:
        """Switch an overlay (a key of :data:`OVERLAYS`) on or off for every hall."""
        if kind not in OVERLAYS:
            raise ValueError(f"unknown overlay {kind!r}; expected one of {', '.join(OVERLAYS)}")
        if shown == (kind in self.shown):
            return
        if shown:
            self.shown.add(kind)
            for item in self.scene.hall_items:
                self._overlay_of(item, kind).setVisible(True)
        else:
            self.shown.discard(kind)
            for item in self.scene.hall_items:
                overlay = item.overlays.get(kind)
                if overlay is not None:
                    overlay.setVisible(False)
        self.changed.emit()

    def attach(self, item: HallItem) -> None:
        """Bring a hall item that just entered the scene in line with the options."""
        item.set_colour_mode(self.colour_mode)
        ev = self.evaluation_for(item.design)
        if ev is not None:
            item.set_evaluation(ev)
        for kind in self.shown:
            self._overlay_of(item, kind).setVisible(True)

    def _overlay_of(self, item: HallItem, kind: str) -> "HallOverlay":
        overlay = item.overlays.get(kind)
        if overlay is None:
            overlay = item.overlays[kind] = OVERLAY_CLASSES[kind](item, self)
            if item.scene() is not None:
                item.scene().addItem(overlay)
        return overlay

    def overlay_items(self, kind: str) -> list["HallOverlay"]:
        """The overlay items of one kind, one per hall (those created so far)."""
        return [i.overlays[kind] for i in self.scene.hall_items if kind in i.overlays]

    # ------------------------------------------------------------------ for the legend
    def styles(self) -> TypeStyle | None:
        items = self.scene.hall_items
        return items[0].styles if items else None

    def media_in_use(self) -> list[tuple[str, QColor]]:
        """(short name, colour) of the cable media the evaluation's links use."""
        ev = self.evaluation_for(self.scene.design)
        styles = self.styles()
        if ev is None or styles is None:
            return []
        by_medium = ev.totals.get("cables", {}).get("by_medium", {})
        return [styles.media[m] for m in styles.media if by_medium.get(m, {}).get("count", 0) > 0]


# ====================================================================== base item
#: An overlay's arrays before they are computed (None means "computed: nothing to draw").
_UNSET = object()


class HallOverlay(QGraphicsItem):
    """One overlay of one hall: computes its arrays lazily and paints them culled."""

    kind = ""
    z = 1.0
    #: redo the arrays when the evaluation of this hall changes (not only its equipment)
    needs_evaluation = True

    def __init__(self, hall_item: HallItem, options: ViewOptions) -> None:
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
        latest evaluation. Until then it shows the previous state (drawn from its own
        arrays, never from the hall's current rows)."""
        if self.needs_evaluation:
            self._invalidate_soon()

    def _invalidate_soon(self) -> None:
        if self._throttle is None:
            self._throttle = Throttle(TEXT_INTERVAL_MS, self.invalidate, None)
        self._throttle.request()

    def updates_pending(self) -> bool:
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
            self.hall_item._sync_rows()
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


def _grow_chunks(hall: HallItem, chunk: np.ndarray, lo_pts: np.ndarray,
                 hi_pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per hall chunk, the bounds of its footprints grown to hold shapes of that chunk
    whose bounds are ``lo_pts``/``hi_pts`` (n, 2)."""
    lo, hi = hall.chunk_lo.copy(), hall.chunk_hi.copy()
    if len(chunk):
        np.minimum.at(lo, chunk, lo_pts)
        np.maximum.at(hi, chunk, hi_pts)
    return lo, hi


def _visible(lo: np.ndarray, hi: np.ndarray, exposed: QRectF, ppm: float) -> np.ndarray:
    if ppm < LOD_MERGE:
        return np.array([WHOLE_HALL])
    return np.flatnonzero((lo[:, 0] <= exposed.right()) & (hi[:, 0] >= exposed.left())
                          & (lo[:, 1] <= exposed.bottom()) & (hi[:, 1] >= exposed.top()))


# ====================================================================== clearances
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
        hi = self.hall_item
        st = hi.styles
        t = hi.design.equipment
        rows = hi.rows
        if not len(rows):
            return None
        x, y = t.x[rows], t.y[rows]
        w, d = hi.sizes[:, 0], hi.sizes[:, 1]
        c, s = bx.axes(hi.rotation)
        # as the engine: racks and CDUs have front and rear zones, air handlers a front one
        owners, sides, lengths = [], [], []
        for side, owner_mask, length in ((self.FRONT, hi.kind <= AIR_HANDLER, st.front_m),
                                         (self.REAR, hi.kind <= CDU, st.rear_m)):
            if length > 0:
                idx = np.flatnonzero(owner_mask)
                owners.append(idx)
                sides.append(np.full(len(idx), side))
                lengths.append(np.full(len(idx), length))
        if not owners:
            return None
        own = np.concatenate(owners)
        side = np.concatenate(sides)
        zlen = np.concatenate(lengths)
        sign = np.where(side == self.REAR, 1.0, -1.0)
        zx, zy = bx.offset_rects(x[own], y[own], w[own], d[own], c[own], s[own], sign, zlen)
        corners = bx.rect_corners(zx, zy, w[own], zlen, c[own], s[own])
        blocked = self._blocked(own, zx, zy, zlen, x, y, w, d, c, s)
        corners[..., 1] *= -1.0
        key = np.where(blocked, self.BLOCKED, side)
        lo, up = _grow_chunks(hi, hi.chunk[own], corners.min(axis=1), corners.max(axis=1))
        return ChunkedShapes(corners, hi.chunk[own], key), lo, up

    def _blocked(self, own, zx, zy, zlen, x, y, w, d, c, s) -> np.ndarray:
        """Which zones are blocked: only zones of items the evaluation flagged, tested
        against the hall's footprints, columns, keep-outs and walls (boxes)."""
        hi = self.hall_item
        blocked = np.zeros(len(own), bool)
        ev = hi.evaluation()
        if ev is None:
            return blocked
        flagged = np.asarray(ev.flags["clearance"])[hi.rows]
        zones = np.flatnonzero(flagged[own])
        if not len(zones):
            return blocked
        o = own[zones]
        zb = bx.boxes(zx[zones], zy[zones], w[o], zlen[zones], c[o], s[o])
        fb = bx.boxes(x, y, w, d, c, s)
        hit = ((zb[:, None, 0] < fb[None, :, 2]) & (fb[None, :, 0] < zb[:, None, 2])
               & (zb[:, None, 1] < fb[None, :, 3]) & (fb[None, :, 1] < zb[:, None, 3]))
        hit[np.arange(len(zones)), o] = False  # not its own footprint
        found = hit.any(axis=1)
        hall = hi.hall
        obstacles = [p for p in (*hall.columns, *hall.keepouts)]
        if obstacles:
            ob = np.array([[min(px for px, _ in p), min(py for _, py in p), max(px for px, _ in p),
                            max(py for _, py in p)] for p in obstacles])
            found |= ((zb[:, None, 0] < ob[None, :, 2]) & (ob[None, :, 0] < zb[:, None, 2])
                      & (zb[:, None, 1] < ob[None, :, 3]) & (ob[None, :, 1] < zb[:, None, 3])).any(axis=1)
        x0, y0, x1, y1 = hall.bounds()
        found |= (zb[:, 0] < x0 - 1e-6) | (zb[:, 1] < y0 - 1e-6) | (zb[:, 2] > x1 + 1e-6) | (zb[:, 3] > y1 + 1e-6)
        blocked[zones] = found
        # an item flagged with no zone found blocked (odd angles, odd outlines): mark all its zones
        found_by_owner = np.zeros(len(hi.rows), bool)
        found_by_owner[o[found]] = True
        lost = flagged[own] & ~found_by_owner[own]
        blocked |= lost
        return blocked

    def draw(self, painter, data, exposed, ppm) -> None:
        shapes, lo, up = data
        # zones are rectangles, nearly all axis-aligned: antialiasing would only cost
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        styles = {
            self.FRONT: (_with_alpha(CLEARANCE_FRONT, 50), _pen(CLEARANCE_FRONT.lighter(130), 1.0)),
            self.REAR: (_with_alpha(CLEARANCE_REAR, 50), _pen(CLEARANCE_REAR.lighter(125), 1.0)),
            self.BLOCKED: (_with_alpha(CLEARANCE_BLOCKED, 120), _pen(CLEARANCE_BLOCKED, 1.5)),
        }
        only_blocked = ppm < LOD_CLEARANCE_ZONES  # zones of a few pixels: show just the problems
        for chunk in _visible(lo, up, exposed, ppm):
            for key, path in shapes.runs(int(chunk)):
                if only_blocked and key != self.BLOCKED:
                    continue
                brush, pen = styles[key]
                painter.setBrush(brush)
                # each rack's zone outlined only when zoomed in far enough to tell them apart
                painter.setPen(pen if ppm >= LOD_LABELS or key == self.BLOCKED else Qt.PenStyle.NoPen)
                painter.drawPath(path)


# ====================================================================== cable routes
class CableOverlay(HallOverlay):
    """Scale-out cable routes: one L-shaped Manhattan polyline per (rack, network rack)
    link group, first along the rack's row (in the tray over the rear half of the
    racks), then across to the network rack; coloured by the medium the engine chose
    (red dashes where no medium reaches). Zoomed out, routes are snapped to a grid of
    a few pixels and merged into trunks."""

    kind = "cables"
    z = 4.0

    def compute(self):
        hall = self.hall_item
        ev = hall.evaluation()
        if ev is None:
            return None
        idx = links_in_hall(ev, hall.design, hall.hall.id)
        if not len(idx):
            return None
        t = hall.design.equipment
        links = ev.links
        r, n, medium = links.rack[idx], links.network[idx], np.asarray(links.medium)[idx]
        xr, yr = self._tray_point(r)
        xn, yn = self._tray_point(n)
        c, s = bx.axes(t.rotation[r])
        along_x = np.abs(c) >= np.abs(s)  # the rack's row runs east-west
        bend_x = np.where(along_x, xn, xr)
        bend_y = np.where(along_x, yr, yn)
        pts = np.stack([np.stack([xr, yr], 1), np.stack([bend_x, bend_y], 1), np.stack([xn, yn], 1)], axis=1)
        # group routes by the floor chunk their rack stands in, to cull and cache by group
        cells = np.stack([np.floor(xr / CHUNK_M), np.floor(yr / CHUNK_M)], axis=1).astype(np.int64)
        _, group = np.unique(cells, axis=0, return_inverse=True)
        group = group.ravel()
        order = np.lexsort((medium, group))
        pts, group, medium = pts[order], group[order], medium[order]
        n_groups = int(group.max()) + 1
        lo = np.full((n_groups, 2), np.inf)
        up = np.full((n_groups, 2), -np.inf)
        np.minimum.at(lo, group, pts.min(axis=1))
        np.maximum.at(up, group, pts.max(axis=1))
        starts = np.searchsorted(group, np.arange(n_groups + 1))
        # a dot where each rack's cables drop from the tray, in its medium's colour
        angles = np.linspace(0.0, 2.0 * np.pi, 9)[:-1]
        ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * DOT_M
        dots = pts[:, 0, None, :] + ring[None, :, :]
        return {"pts": pts, "medium": medium, "lo": lo, "up": up, "starts": starts,
                "media": np.unique(medium).tolist(), "dots": ChunkedShapes(dots, group, medium)}

    def _tray_point(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where a rack's cables enter the overhead tray (item coordinates): over the
        rear half of the rack, a quarter of its depth behind the centre, so that a route
        runs beside the busway over the row's centre line rather than under it."""
        hall = self.hall_item
        t = hall.design.equipment
        depth = hall.styles.depth[t.type_code[rows]]
        c, s = bx.axes(t.rotation[rows])
        # the rear faces (−sin θ, cos θ) in plan coordinates (the front faces −y at 0°)
        x = t.x[rows] - s * depth / 4.0
        y = t.y[rows] + c * depth / 4.0
        return x, -y

    def _paths(self, data, group: int, quantum: float) -> list[tuple[int, QPainterPath]]:
        """(medium, path) of one group of routes (all for WHOLE_HALL), decimated to a grid
        of ``quantum`` metres when > 0 (zoomed out, routes merge into trunks)."""
        key = (group, quantum)
        paths = self._cache.get(key)
        if paths is None:
            if group == WHOLE_HALL:
                a, b = 0, len(data["medium"])
            else:
                a, b = int(data["starts"][group]), int(data["starts"][group + 1])
            pts, medium = data["pts"][a:b], data["medium"][a:b]
            paths = []
            for m in np.unique(medium):
                sel = pts[medium == m]
                if quantum > 0:
                    seg = np.concatenate([sel[:, :2].reshape(-1, 4), sel[:, 1:].reshape(-1, 4)])
                    seg = np.round(seg / quantum) * quantum
                    seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]
                    path = segments_path(np.unique(seg, axis=0))
                else:
                    connect = np.ones((len(sel), 3), bool)
                    connect[:, -1] = False
                    path = pg.arrayToQPath(sel[..., 0].ravel(), sel[..., 1].ravel(), connect=connect.ravel(),
                                           finiteCheck=False)
                paths.append((int(m), path))
            # long-reach media first: the short-reach ones near the racks stay on top
            paths.sort(key=lambda mp: (mp[0] < 0, -mp[0]))
            self._cache[key] = paths
        return paths

    def draw(self, painter, data, exposed, ppm) -> None:
        media = list(self.hall_item.styles.media.values())
        quantum = 0.0
        if ppm < LOD_CABLE_DECIMATE:
            quantum = 2.0 ** math.ceil(math.log2(2.0 / max(ppm, 1e-6)))
        if ppm < LOD_MERGE:
            groups = [WHOLE_HALL]
        else:
            lo, up = data["lo"], data["up"]
            groups = np.flatnonzero((lo[:, 0] <= exposed.right()) & (up[:, 0] >= exposed.left())
                                    & (lo[:, 1] <= exposed.bottom()) & (up[:, 1] >= exposed.top())).tolist()
        detailed = ppm >= LOD_OUTLINES
        # routes run east-west and north-south: no antialiasing needed (the dots get it)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        by_medium: dict[int, list[QPainterPath]] = {}
        for g in groups:
            for m, path in self._paths(data, int(g), quantum):
                by_medium.setdefault(m, []).append(path)
        # media side by side in lanes a few pixels apart where their routes share a tray,
        # each on a light casing so that it reads over racks of any colour
        lanes = data["media"]
        width = 2.0 if detailed else 1.0
        casing = _pen(QColor(255, 255, 255), width + 2.0)  # opaque: translucent lines draw slowly
        for m in sorted(by_medium, key=lambda m: (m < 0, -m)):  # long reach first, short on top
            lane = lanes.index(m) - (len(lanes) - 1) / 2.0 if detailed else 0.0
            shift = lane * LANE_PX / ppm
            painter.save()
            painter.translate(shift, shift)
            if 0 <= m < len(media):
                pen = _pen(media[m][1], width)
            else:
                pen = _pen(UNREACHABLE_CABLE, width + 0.5, Qt.PenStyle.DashLine)
            for p in ((casing, pen) if detailed else (pen,)):
                painter.setPen(p)
                for path in by_medium[m]:
                    painter.drawPath(path)
            painter.restore()
        if ppm * DOT_M >= 1.5:  # the racks' drops, once a dot is a few pixels wide
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            edge = _pen(QColor(255, 255, 255), 1.0, alpha=220)
            painter.setPen(edge)
            for g in groups:
                for m, path in data["dots"].runs(int(g)):
                    painter.setBrush(media[m][1] if 0 <= m < len(media) else UNREACHABLE_CABLE)
                    painter.drawPath(path)


# ====================================================================== cooling and power feeds
class AssignmentOverlay(HallOverlay):
    """Which unit serves each rack: a thin line to the CDU (liquid heat) and to the air
    handler (air heat), a drop to the busway feeding it (the busways that feed racks
    glow); unpowered racks crossed out, uncooled racks marked with a diamond."""

    kind = "assignment"
    z = 3.0
    CDU_LINE, AIR_LINE, BUSWAY_DROP = range(3)
    UNPOWERED, UNCOOLED = range(2)

    def compute(self):
        hall = self.hall_item
        ev = hall.evaluation()
        if ev is None or not len(hall.rows):
            return None
        t = hall.design.equipment
        rows = hall.rows
        cx, cy = hall.centres[:, 0], hall.centres[:, 1]
        segs, keys, chunks = [], [], []
        for key, served in ((self.CDU_LINE, np.asarray(ev.served_by_cdu)[rows]),
                            (self.AIR_LINE, np.asarray(ev.served_by_air)[rows])):
            k = np.flatnonzero(served >= 0)
            u = served[k]
            segs.append(np.stack([cx[k], cy[k], t.x[u], -t.y[u]], axis=1))
            keys.append(np.full(len(k), key))
            chunks.append(hall.chunk[k])
        bw = np.asarray(ev.served_by_busway)[rows]
        k = np.flatnonzero(bw >= 0)
        u = bw[k]
        fed = np.unique(u)
        if len(k):
            x0, y0, x1, y1 = t.x[u], -t.y[u], t.x2[u], -t.y2[u]
            dx, dy = x1 - x0, y1 - y0
            length2 = np.maximum(dx * dx + dy * dy, 1e-12)
            along = np.clip(((cx[k] - x0) * dx + (cy[k] - y0) * dy) / length2, 0.0, 1.0)
            segs.append(np.stack([cx[k], cy[k], x0 + along * dx, y0 + along * dy], axis=1))
            keys.append(np.full(len(k), self.BUSWAY_DROP))
            chunks.append(hall.chunk[k])
        seg = np.concatenate(segs) if segs else np.zeros((0, 4))
        chunk = np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
        lines = ChunkedShapes(seg, chunk, np.concatenate(keys) if keys else np.zeros(0, np.int64), segments=True)
        lo_pts = np.minimum(seg[:, :2], seg[:, 2:])
        up_pts = np.maximum(seg[:, :2], seg[:, 2:])
        lo, up = _grow_chunks(hall, chunk, lo_pts, up_pts)
        # unserved: unpowered (with IT load) crossed out, uncooled with a diamond
        it = hall.styles.it_kw[hall.types]
        unpowered = np.flatnonzero(~np.asarray(ev.powered, bool)[rows] & (it > 0))
        uncooled = np.flatnonzero(~np.asarray(ev.cooled, bool)[rows])
        corners = hall.corners
        crosses = np.concatenate([corners[unpowered][:, [0, 2]].reshape(-1, 4),
                                  corners[unpowered][:, [1, 3]].reshape(-1, 4)])
        mids = (corners + np.roll(corners, -1, axis=1)) / 2.0  # edge midpoints: a diamond inside
        marks = (ChunkedShapes(crosses, np.tile(hall.chunk[unpowered], 2), np.zeros(len(crosses), np.int64),
                               segments=True),
                 ChunkedShapes(mids[uncooled], hall.chunk[uncooled], np.zeros(len(uncooled), np.int64)))
        # the busways that feed racks glow: a band along each (filled, which is cheaper than
        # stroking hundreds of wide translucent lines)
        feeding = hall.busway_segments[np.isin(hall.busway_rows, fed)]
        d = feeding[:, 2:] - feeding[:, :2]
        along = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
        across = np.stack([-along[:, 1], along[:, 0]], axis=1) * (GLOW_M / 2.0)
        a, b = feeding[:, :2], feeding[:, 2:]
        bands = np.stack([a - across, b - across, b + across, a + across], axis=1)
        return {"lines": lines, "lo": lo, "up": up, "marks": marks, "fed": polygons_path(bands),
                "fed_count": len(feeding)}

    def draw(self, painter, data, exposed, ppm) -> None:
        detailed = ppm >= LOD_OUTLINES
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if data["fed_count"]:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BUSWAY_GLOW)
            painter.drawPath(data["fed"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
        # one-pixel cosmetic pens: the raster engine's fast line path (wider ones are stroked)
        # (opaque: the raster engine draws translucent lines several times slower)
        pens = {self.CDU_LINE: _pen(CDU_LINE, 1.0), self.AIR_LINE: _pen(AIR_LINE_LIGHT, 1.0),
                self.BUSWAY_DROP: _pen(BUSWAY_FEED, 1.0)}
        visible = _visible(data["lo"], data["up"], exposed, ppm)
        if ppm >= LOD_FEED_LINES:  # farther out the lines are a few pixels long: marks only
            # hundreds of long thin lines: antialiasing them would cost more than the rest
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_LABELS)
            for chunk in visible:
                for key, path in data["lines"].runs(int(chunk)):
                    painter.setPen(pens[key])
                    painter.drawPath(path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        crosses, diamonds = data["marks"]
        painter.setPen(_pen(STATUS_CLASS_COLORS[STATUS_UNPOWERED], 2.0))
        for chunk in visible:
            for _, path in crosses.runs(int(chunk)):
                painter.drawPath(path)
        painter.setPen(_pen(STATUS_CLASS_COLORS[STATUS_UNCOOLED], 2.0))
        for chunk in visible:
            for _, path in diamonds.runs(int(chunk)):
                painter.drawPath(path)


# ====================================================================== heat map
class HeatOverlay(HallOverlay):
    """Heat density (W/m²) on cells of ``cooling.heat_grid_m``, from the IT power of
    each footprint (:func:`designer.engine.heat.heat_grid`), drawn as one translucent
    image per hall; cell values written in when the cells are large on screen."""

    kind = "heat"
    z = 1.0
    needs_evaluation = False

    def compute(self):
        hall = self.hall_item
        st = hall.styles
        t = hall.design.equipment
        rows = hall.rows
        grid = heat_grid(t.x[rows], t.y[rows], hall.rotation, hall.sizes[:, 0], hall.sizes[:, 1],
                         st.it_kw[hall.types], hall.hall.bounds(), st.heat_cell_m)
        scale = heat_scale_w_m2(st)
        index = np.where(grid.grid > 0, np.clip(np.ceil(grid.grid / scale * 255.0), 1, 255), 0).astype(np.uint8)
        rgba = np.ascontiguousarray(HEAT_LUT[index][::-1])  # image rows run north to south
        rows_n, cols_n = index.shape
        image = QImage(rgba.tobytes(), cols_n, rows_n, 4 * cols_n, QImage.Format.Format_RGBA8888).copy()
        x0, y0, x1, y1 = grid.extent
        return {"grid": grid, "image": image, "target": QRectF(x0, -y1, x1 - x0, y1 - y0), "scale": scale}

    def heat(self) -> HeatGrid | None:
        """The hall's heat grid (W/m²)."""
        data = self.data()
        return None if data is None else data["grid"]

    def draw(self, painter, data, exposed, ppm) -> None:
        painter.setClipPath(self.hall_item.outline, Qt.ClipOperation.IntersectClip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(data["target"], data["image"])
        grid: HeatGrid = data["grid"]
        if ppm * grid.cell < LOD_HEAT_VALUES:
            return
        # values in kW/m², centred in the cells that are on screen
        x0, y0, _, _ = grid.extent
        rows_n, cols_n = grid.grid.shape
        j0 = max(0, int((exposed.left() - x0) // grid.cell))
        j1 = min(cols_n - 1, int((exposed.right() - x0) // grid.cell))
        i0 = max(0, int((-exposed.bottom() - y0) // grid.cell))
        i1 = min(rows_n - 1, int((-exposed.top() - y0) // grid.cell))
        if j1 < j0 or i1 < i0:
            return
        sub = grid.grid[i0:i1 + 1, j0:j1 + 1]
        ii, jj = np.nonzero(sub > 0)
        if len(ii) > 2000:
            return
        tr = painter.worldTransform()
        painter.resetTransform()
        font = QFont()
        font.setPixelSize(11)
        painter.setFont(font)
        for i, j in zip(ii + i0, jj + j0):
            centre = tr.map(QPointF(x0 + (j + 0.5) * grid.cell, -(y0 + (i + 0.5) * grid.cell)))
            value = grid.grid[i, j] / 1000.0
            painter.setPen(QColor("#ffffff") if value / (data["scale"] / 1000.0) > 0.55 else QColor("#3a1500"))
            painter.drawText(QRectF(centre.x() - 40, centre.y() - 8, 80, 16), Qt.AlignmentFlag.AlignCenter,
                             f"{value:,.0f}")
        painter.setTransform(tr)


# ====================================================================== aisle widths
@dataclass
class Aisles:
    """Aisles between facing rows of one hall (item coordinates)."""

    horizontal: np.ndarray  # bool: the rows run east-west (the aisle's width is along y)
    u0: np.ndarray          # along the rows: start and end of the part both rows share
    u1: np.ndarray
    va: np.ndarray          # across the rows (plan coordinate): edge of the first row
    vb: np.ndarray          # edge of the second row (vb - va = width)
    kind: np.ndarray        # 0 cold (fronts face each other), 1 hot (backs), 2 mixed
    narrow: np.ndarray      # narrower than the service zones need

    COLD, HOT, MIXED = range(3)

    @property
    def width(self) -> np.ndarray:
        return self.vb - self.va

    def bands(self) -> np.ndarray:
        """(n, 4) item-coordinate rectangles left, top, right, bottom of each aisle."""
        h = self.horizontal
        left = np.where(h, self.u0, self.va)
        right = np.where(h, self.u1, self.vb)
        top = np.where(h, -self.vb, -self.u1)
        bottom = np.where(h, -self.va, -self.u0)
        return np.stack([left, top, right, bottom], axis=1)


def find_aisles(x: np.ndarray, y: np.ndarray, rotation: np.ndarray, width: np.ndarray, depth: np.ndarray,
                front_m: float, rear_m: float) -> Aisles:
    """Aisles between parallel rows of footprints (plan metres, centres).

    Footprints at multiples of 90° facing the same way with the same centre line and
    depth, side by side (gaps under 5 cm), form a row. Two rows whose extents overlap
    along their length and face each other across a gap of up to :data:`MAX_AISLE_M`
    (the nearest row on either side) bound an aisle: *cold* when both fronts face it,
    *hot* when both backs do. It is *narrow* when it is narrower than the service zone
    it must hold (front clearance for cold and mixed aisles, rear for hot ones).
    """
    c, s = bx.axes(rotation)
    horizontal = np.abs(c) == 1
    vertical = np.abs(s) == 1
    out = []
    for h_flag, sel in ((True, np.flatnonzero(horizontal)), (False, np.flatnonzero(vertical))):
        if len(sel) < 2:
            continue
        if h_flag:
            u, v, hu, hv, facing = x[sel], y[sel], width[sel] / 2, depth[sel] / 2, -c[sel]
        else:
            u, v, hu, hv, facing = y[sel], x[sel], width[sel] / 2, depth[sel] / 2, s[sel]
        vk = np.round(v * 1000).astype(np.int64)
        hk = np.round(hv * 1000).astype(np.int64)
        order = np.lexsort((u, hk, facing, vk))
        u, v, hu, hv, facing, vk, hk = (a[order] for a in (u, v, hu, hv, facing, vk, hk))
        lo, hi = u - hu, u + hu
        new = np.ones(len(u), bool)
        new[1:] = (vk[1:] != vk[:-1]) | (hk[1:] != hk[:-1]) | (facing[1:] != facing[:-1]) | (lo[1:] > hi[:-1] + 0.05)
        starts = np.flatnonzero(new)
        seg_lo = np.minimum.reduceat(lo, starts)
        seg_hi = np.maximum.reduceat(hi, starts)
        seg_v0 = (v - hv)[starts]
        seg_v1 = (v + hv)[starts]
        seg_face = facing[starts]
        # A (lower) and B (upper): gap between A's upper edge and B's lower edge
        gap = seg_v0[None, :] - seg_v1[:, None]
        shared = np.minimum(seg_hi[:, None], seg_hi[None, :]) - np.maximum(seg_lo[:, None], seg_lo[None, :])
        ok = (gap > 0.05) & (gap <= MAX_AISLE_M) & (shared > 0.3)
        g = np.where(ok, gap, np.inf)
        pairs = set()
        for a, b in enumerate(np.argmin(g, axis=1)):  # nearest row above each row
            if np.isfinite(g[a, b]):
                pairs.add((a, int(b)))
        for b, a in enumerate(np.argmin(g, axis=0)):  # nearest row below each row
            if np.isfinite(g[a, b]):
                pairs.add((int(a), b))
        if not pairs:
            continue
        a, b = np.array(sorted(pairs)).T
        fa, fb = seg_face[a], seg_face[b]
        kind = np.where((fa > 0) & (fb < 0), Aisles.COLD, np.where((fa < 0) & (fb > 0), Aisles.HOT, Aisles.MIXED))
        need = np.choose(kind, [front_m, rear_m, max(front_m, rear_m)])
        width_m = seg_v0[b] - seg_v1[a]
        out.append(Aisles(np.full(len(a), h_flag), np.maximum(seg_lo[a], seg_lo[b]),
                          np.minimum(seg_hi[a], seg_hi[b]), seg_v1[a], seg_v0[b], kind,
                          width_m < need - 1e-6))
    if not out:
        empty = np.zeros(0)
        return Aisles(np.zeros(0, bool), empty, empty, empty, empty, np.zeros(0, np.int64), np.zeros(0, bool))
    return Aisles(*(np.concatenate([getattr(o, f) for o in out]) for f in
                    ("horizontal", "u0", "u1", "va", "vb", "kind", "narrow")))


class AisleOverlay(HallOverlay):
    """Aisle widths: a light band over each aisle between facing rows, a dimension line
    across it and its width in metres (cold aisles blue, hot red; too narrow bold red)."""

    kind = "aisles"
    z = 5.0
    needs_evaluation = False
    COLORS = {Aisles.COLD: COLD_AISLE, Aisles.HOT: HOT_AISLE, Aisles.MIXED: MIXED_AISLE}
    NAMES = {Aisles.COLD: "cold", Aisles.HOT: "hot", Aisles.MIXED: ""}

    def compute(self):
        hall = self.hall_item
        t = hall.design.equipment
        st = hall.styles
        rows = hall.rows
        in_rows = np.flatnonzero(hall.kind <= CDU)  # racks and in-row CDUs stand in rows
        r = rows[in_rows]
        aisles = find_aisles(t.x[r], t.y[r], hall.rotation[in_rows], hall.sizes[in_rows, 0],
                             hall.sizes[in_rows, 1], st.front_m, st.rear_m)
        if not len(aisles.u0):
            return None
        return aisles, aisles.bands()

    def aisles(self) -> Aisles | None:
        """The aisles found in this hall (None: none)."""
        data = self.data()
        return None if data is None else data[0]

    def draw(self, painter, data, exposed, ppm) -> None:
        if ppm < LOD_AISLES:
            return
        aisles, bands = data
        vis = np.flatnonzero((bands[:, 0] <= exposed.right()) & (bands[:, 2] >= exposed.left())
                             & (bands[:, 1] <= exposed.bottom()) & (bands[:, 3] >= exposed.top()))
        if not len(vis):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for i in vis:
            kind = int(aisles.kind[i])
            color = NARROW_AISLE if aisles.narrow[i] else self.COLORS[kind]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_with_alpha(color, 45 if aisles.narrow[i] else 26))
            left, top, right, bottom = bands[i]
            painter.drawRect(QRectF(left, top, right - left, bottom - top))
        # dimension lines every ~500 px along each aisle, at plan positions fixed for a
        # zoom (a partial repaint must draw them where the last full paint did)
        spacing = 2.0 ** math.ceil(math.log2(500.0 / ppm))
        tick = 4.0 / ppm
        labels = ppm >= LOD_AISLE_LABELS
        font = QFont()
        font.setPixelSize(11)
        metrics = QFontMetricsF(font)
        texts = []
        for i in vis:
            u0, u1 = aisles.u0[i], aisles.u1[i]
            mid = (u0 + u1) / 2.0
            k = np.arange(-math.floor((mid - u0) / spacing), math.floor((u1 - mid) / spacing) + 1)
            positions = mid + k * spacing
            positions = positions[(positions >= u0 + 0.2) & (positions <= u1 - 0.2)] if len(k) > 1 else [mid]
            kind = int(aisles.kind[i])
            color = NARROW_AISLE if aisles.narrow[i] else self.COLORS[kind]
            painter.setPen(_pen(color, 1.6 if aisles.narrow[i] else 1.0))
            va, vb = aisles.va[i], aisles.vb[i]
            for u in positions:
                if aisles.horizontal[i]:
                    a, b = QPointF(u, -va), QPointF(u, -vb)
                    ticks = ((QPointF(u - tick, -va), QPointF(u + tick, -va)),
                             (QPointF(u - tick, -vb), QPointF(u + tick, -vb)))
                else:
                    a, b = QPointF(va, -u), QPointF(vb, -u)
                    ticks = ((QPointF(va, -u - tick), QPointF(va, -u + tick)),
                             (QPointF(vb, -u - tick), QPointF(vb, -u + tick)))
                painter.drawLine(a, b)
                for p, q in ticks:
                    painter.drawLine(p, q)
                if labels:
                    name = self.NAMES[kind]
                    text = f"{vb - va:.2f} m" + (f" {name}" if name else "")
                    if aisles.narrow[i]:
                        text += " !"
                    texts.append(((a + b) / 2.0, text, color, bool(aisles.narrow[i])))
        if not texts:
            return
        tr = painter.worldTransform()
        painter.resetTransform()
        for centre, text, color, narrow in texts:
            font.setBold(narrow)
            painter.setFont(font)
            p = tr.map(centre)
            box = metrics.boundingRect(text).adjusted(-4, -1, 6, 1)
            box.moveCenter(p)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(color)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setTransform(tr)


OVERLAY_CLASSES: dict[str, type[HallOverlay]] = {
    "clearances": ClearanceOverlay,
    "cables": CableOverlay,
    "assignment": AssignmentOverlay,
    "heat": HeatOverlay,
    "aisles": AisleOverlay,
}


# ====================================================================== legend
@dataclass
class LegendEntry:
    """One item of the legend: a swatch (``box``, ``line``, ``cross``, ``diamond``) with
    its label, or a colour ramp (``ramp``: continuous, labels at its ends; ``steps``:
    one block per class, ``ticks`` between the blocks)."""

    shape: str
    color: QColor
    label: str = ""
    edge: QColor | None = None
    style: Qt.PenStyle = Qt.PenStyle.SolidLine
    width: float = 2.0
    ramp: tuple[QColor, ...] = ()
    end_label: str = ""
    ticks: tuple[str, ...] = ()


def legend_sections(options: ViewOptions) -> list[tuple[str, list[LegendEntry]]]:
    """(title, entries) for the colour mode (unless by type) and each overlay shown."""
    styles = options.styles()
    out: list[tuple[str, list[LegendEntry]]] = []
    if options.colour_mode == "density":
        edges = [f"{e:g}" for e in DENSITY_EDGES_KW_M2]
        out.append(("Power density (kW/m² of footprint)", [
            LegendEntry("steps", DENSITY_COLORS[-1], ramp=tuple(DENSITY_COLORS), ticks=tuple(edges)),
            LegendEntry("box", NO_LOAD_COLOR, "no IT load")]))
    elif options.colour_mode == "status":
        n = len(STATUS_CLASSES) - (0 if options.evaluation is None else 1)
        out.append(("Status", [LegendEntry("box", STATUS_CLASS_COLORS[i], STATUS_CLASSES[i]) for i in range(n)]))
    shown = options.shown
    if "heat" in shown and styles is not None:
        scale = heat_scale_w_m2(styles) / 1000.0
        ramp = tuple(QColor(int(r), int(g), int(b), int(a)) for r, g, b, a in HEAT_LUT[1::8])
        out.append((f"Heat (kW/m², {styles.heat_cell_m:g} m cells)",
                    [LegendEntry("ramp", ramp[-1], "0", ramp=ramp, end_label=f"{scale:g}")]))
    if "cables" in shown:
        entries = [LegendEntry("line", color, short) for short, color in options.media_in_use()]
        ev = options.evaluation_for(options.scene.design)
        if ev is not None and any(v.kind == "cable-reach" for v in ev.violations):
            entries.append(LegendEntry("line", UNREACHABLE_CABLE, "beyond reach", style=Qt.PenStyle.DashLine))
        out.append(("Cable routes", entries or [LegendEntry("line", QColor("#999999"), "no scale-out links")]))
    if "clearances" in shown and styles is not None:
        out.append(("Service clearances", [
            LegendEntry("box", _with_alpha(CLEARANCE_FRONT, 70), f"front {styles.front_m:g} m", CLEARANCE_FRONT),
            LegendEntry("box", _with_alpha(CLEARANCE_REAR, 70), f"rear {styles.rear_m:g} m", CLEARANCE_REAR),
            LegendEntry("box", _with_alpha(CLEARANCE_BLOCKED, 130), "blocked", CLEARANCE_BLOCKED)]))
    if "assignment" in shown:
        out.append(("Cooling and power feeds", [
            LegendEntry("line", CDU_LINE, "to its CDU", width=1.5),
            LegendEntry("line", AIR_LINE_LIGHT, "to its air handler", width=1.5),
            LegendEntry("line", BUSWAY_GLOW, "busway feeding racks", width=7.0),
            LegendEntry("cross", STATUS_CLASS_COLORS[STATUS_UNPOWERED], "unpowered"),
            LegendEntry("diamond", STATUS_CLASS_COLORS[STATUS_UNCOOLED], "uncooled")]))
    if "aisles" in shown:
        out.append(("Aisles", [LegendEntry("box", _with_alpha(COLD_AISLE, 60), "cold (fronts)", COLD_AISLE),
                               LegendEntry("box", _with_alpha(HOT_AISLE, 60), "hot (backs)", HOT_AISLE),
                               LegendEntry("box", _with_alpha(NARROW_AISLE, 90), "too narrow", NARROW_AISLE)]))
    return out


@dataclass
class _Placed:
    """A legend entry (or a section title) and where it is drawn, in widget pixels."""

    entry: LegendEntry | None
    rect: QRectF
    title: str = ""


class PlanLegend(QWidget):
    """The legend of the plan view: a strip along the bottom of the canvas, in a margin
    the view keeps free for it, so that it never covers the plan. It lists the colour
    mode's classes and each overlay's colours, section by section, and is hidden (and
    the margin given back) while racks are coloured by type and no overlay is shown.

    Transparent to the mouse, so that it never gets in the way of editing.
    """

    PAD = 6
    ROW = 16
    ROWS = 3           # entries per column inside a section
    GAP = 22           # between sections
    SWATCH = QSize(22, 10)
    RAMP_W = 170
    STEP_W = 24

    def __init__(self, view) -> None:
        super().__init__(view)
        self.setObjectName("plan_legend")
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.title_font = QFont()
        self.title_font.setPixelSize(11)
        self.title_font.setBold(True)
        self.text_font = QFont()
        self.text_font.setPixelSize(11)
        self.sections: list[tuple[str, list[LegendEntry]]] = []
        self._placed: list[_Placed] = []
        self._separators: list[float] = []
        self._height = 0
        self.options = view.plan_scene().view_options
        self.options.changed.connect(self._on_options_changed)
        view.installEventFilter(self)
        self.hide()
        self._on_options_changed()

    # ------------------------------------------------------------------ content
    def _on_options_changed(self) -> None:
        sections = legend_sections(self.options)
        if _legend_key(sections) == _legend_key(self.sections):
            return
        self.sections = sections
        self._relayout()

    def _relayout(self) -> None:
        """Lay the sections out for the view's width; reserve (or free) the margin."""
        try:
            width = self.view.width()
        except RuntimeError:  # the view is being destroyed
            return
        height = self._layout(width) if self.sections else 0
        if height != self._height:
            self._height = height
            self.view.setViewportMargins(0, 0, 0, height)
        if height:
            frame = self.view.frameWidth()
            self.setGeometry(frame, self.view.height() - frame - height, width - 2 * frame, height)
            self.show()
            self.raise_()
            self.update()
        else:
            self.hide()

    def _entry_size(self, e: LegendEntry) -> tuple[float, int]:
        """(width px, rows) of one entry."""
        if e.shape == "ramp":
            return self.RAMP_W, 2
        if e.shape == "steps":
            return self.STEP_W * len(e.ramp), 2
        fm = QFontMetricsF(self.text_font)
        return self.SWATCH.width() + 5 + fm.horizontalAdvance(e.label) + 4, 1

    def _layout(self, width: int) -> int:
        """Place every entry; sections flow left to right and wrap. Returns the height."""
        placed: list[_Placed] = []
        separators: list[float] = []
        title_fm = QFontMetricsF(self.title_font)
        x, y, line_h = float(self.PAD), float(self.PAD), 0.0
        for title, entries in self.sections:
            # columns of up to ROWS rows (a ramp fills a column of its own)
            columns: list[list[LegendEntry]] = [[]]
            used = 0
            for e in entries:
                w, rows = self._entry_size(e)
                if used + rows > self.ROWS and columns[-1]:
                    columns.append([])
                    used = 0
                columns[-1].append(e)
                used += rows
            col_w = [max(self._entry_size(e)[0] for e in col) for col in columns]
            sec_w = max(title_fm.horizontalAdvance(title) + 4, sum(col_w) + 12 * (len(columns) - 1))
            sec_h = self.ROW + max(sum(self._entry_size(e)[1] for e in col) for col in columns) * self.ROW
            if x > self.PAD and x + sec_w > width - self.PAD:  # wrap onto a new line
                x, y = float(self.PAD), y + line_h + self.PAD
                line_h = 0.0
            elif x > self.PAD:
                separators.append((x - self.GAP / 2, y, sec_h))
            placed.append(_Placed(None, QRectF(x, y, sec_w, self.ROW), title))
            cx = x
            for col, cw in zip(columns, col_w):
                cy = y + self.ROW
                for e in col:
                    w, rows = self._entry_size(e)
                    placed.append(_Placed(e, QRectF(cx, cy, cw, rows * self.ROW)))
                    cy += rows * self.ROW
                cx += cw + 12
            x += sec_w + self.GAP
            line_h = max(line_h, sec_h)
        self._placed = placed
        self._separators = separators
        return int(math.ceil(y + line_h + self.PAD))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.width(), self._height)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == event.Type.Resize and self.sections:
            try:
                if watched is self.view:
                    self._relayout()
            except RuntimeError:  # the view is being destroyed
                pass
        return False

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fafaf8"))
        painter.setPen(QPen(QColor("#c9ccd1"), 1.0))
        painter.drawLine(0, 0, self.width(), 0)
        for x, y, h in self._separators:
            painter.drawLine(QPointF(x, y + 2), QPointF(x, y + h - 2))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for p in self._placed:
            if p.entry is None:
                painter.setFont(self.title_font)
                painter.setPen(QColor("#222222"))
                painter.drawText(p.rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, p.title)
            else:
                painter.setFont(self.text_font)
                self._paint_entry(painter, p.entry, p.rect)
        painter.end()

    def _paint_entry(self, painter: QPainter, e: LegendEntry, rect: QRectF) -> None:
        sw, sh = self.SWATCH.width(), self.SWATCH.height()
        row = QRectF(rect.left(), rect.top(), rect.width(), self.ROW)
        swatch = QRectF(row.left(), row.top() + (self.ROW - sh) / 2, sw, sh)
        text = row.adjusted(sw + 5, 0, 0, 0)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if e.shape in ("ramp", "steps"):
            n = len(e.ramp)
            step = (self.RAMP_W - 4 if e.shape == "ramp" else self.STEP_W * n) / n
            bar = QRectF(row.left(), row.top() + 3, step * n, self.ROW - 5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(FLOOR_LEGEND))
            painter.drawRect(bar)
            for k, c in enumerate(e.ramp):
                painter.setBrush(c)
                painter.drawRect(QRectF(bar.left() + k * step, bar.top(), step + 0.5, bar.height()))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(0, 0, 0, 70), 1.0))
            painter.drawRect(bar)
            painter.setPen(QColor("#333333"))
            below = QRectF(bar.left(), row.bottom(), bar.width(), self.ROW)
            if e.shape == "ramp":
                painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, e.label)
                painter.drawText(below, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, e.end_label)
            else:  # class edges under the boundaries between blocks
                for k, tick in enumerate(e.ticks, start=1):
                    painter.drawText(QRectF(bar.left() + k * step - 20, row.bottom(), 40, self.ROW),
                                     Qt.AlignmentFlag.AlignCenter, tick)
            return
        if e.shape == "box":
            painter.setPen(QPen(e.edge if e.edge is not None else e.color.darker(150), 1.0))
            painter.setBrush(e.color)
            painter.drawRect(swatch)
        elif e.shape == "line":
            pen = QPen(e.color, e.width, e.style)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            mid = swatch.center().y()
            painter.drawLine(QPointF(swatch.left(), mid), QPointF(swatch.right(), mid))
        elif e.shape == "cross":
            painter.setPen(QPen(e.color, 2.0))
            box = QRectF(swatch.center().x() - sh / 2, swatch.top(), sh, sh)
            painter.drawLine(box.topLeft(), box.bottomRight())
            painter.drawLine(box.topRight(), box.bottomLeft())
        elif e.shape == "diamond":
            painter.setPen(QPen(e.color, 2.0))
            c = swatch.center()
            h = sh / 2 + 1
            painter.drawPolygon([QPointF(c.x(), c.y() - h), QPointF(c.x() + h, c.y()), QPointF(c.x(), c.y() + h),
                                 QPointF(c.x() - h, c.y())])
        painter.setPen(QColor("#333333"))
        painter.drawText(text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, e.label)


#: The floor colour under the heat ramp in the legend (the ramp is translucent).
FLOOR_LEGEND = "#f7f5ef"


def _legend_key(sections) -> tuple:
    return tuple((title, tuple((e.shape, e.color.rgba(), e.label, e.end_label) for e in entries))
                 for title, entries in sections)


# ====================================================================== toolbar
class ViewToolbar(QToolBar):
    """The "View" toolbar: the colour mode of the racks and a checkable action per overlay."""

    def __init__(self, scene, parent: QWidget | None = None) -> None:
        super().__init__("View", parent)
        self.setObjectName("view_toolbar")
        self.scene = scene
        label = QLabel(" Colour by ")
        self.colour_combo = QComboBox()
        self.colour_combo.setObjectName("colour_mode")
        self.colour_combo.setToolTip("Colour racks by type, by power density (kW per m² of footprint) or by status")
        for mode in COLOUR_MODES:
            self.colour_combo.addItem(COLOUR_MODE_LABELS[mode], mode)
        self.colour_combo.currentIndexChanged.connect(self._on_colour_mode_changed)
        label.setBuddy(self.colour_combo)
        self.addWidget(label)
        self.addWidget(self.colour_combo)
        self.addSeparator()
        self.overlay_actions: dict[str, QAction] = {}
        for kind, (text, tip) in OVERLAYS.items():
            action = QAction(text, self)
            action.setObjectName(f"overlay_{kind}")
            action.setCheckable(True)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.toggled.connect(lambda on, k=kind: self._on_overlay_toggled(k, on))
            self.addAction(action)
            self.overlay_actions[kind] = action

    def overlays_menu(self, parent: QWidget | None = None) -> QMenu:
        """A menu with the same overlay actions (for View ▸ Overlays)."""
        menu = QMenu("&Overlays", parent)
        for action in self.overlay_actions.values():
            menu.addAction(action)
        return menu

    def set_colour_mode(self, mode: str) -> None:
        """Select a colour mode (as the combo does)."""
        self.colour_combo.setCurrentIndex(COLOUR_MODES.index(mode))

    def _on_colour_mode_changed(self, index: int) -> None:
        self.scene.set_colour_mode(self.colour_combo.itemData(index))

    def _on_overlay_toggled(self, kind: str, shown: bool) -> None:
        self.scene.set_overlay(kind, shown)
