"""One graphics item per hall that paints all of its equipment from the numpy columns.

A campus of a million chips has ~16,000 racks; one ``QGraphicsItem`` per rack would
make opening, zooming and panning slow. A :class:`HallItem` instead keeps the
footprints of its hall as arrays, groups them into square chunks of the floor, and
paints each visible chunk with one cached ``QPainterPath`` per colour. Zoomed far
out (a whole campus on screen) the chunks are merged into one path per colour for
the hall. What is painted depends on the zoom (pixels per metre): outlines, front
marks and labels only appear when they can be read.

Racks are coloured by type (catalog colour), by power density (kW per m² of
footprint, a sequential ramp) or by status (from the evaluation). Overlays (service
clearances, cable routes, heat map, …) are separate items from
:mod:`designer.ui.overlays`, one per hall and kind; a hall item creates and removes
its overlays as it enters and leaves a scene (the scene's ``view_options`` say which).

Item coordinates are the hall's plan coordinates with y flipped (``(x, -y)``), so
north is up on screen; the scene places each hall with ``setPos``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.catalog import Catalog
from designer.model import Design, Hall

# ------------------------------------------------------------------ level of detail
#: Pixels per metre from which each detail is drawn.
LOD_OUTLINES = 6.0       # rack edges and front marks (a 0.6 m rack is ~4 px wide)
LOD_ANTIALIAS = 24.0     # antialiased rack fills (costly; racks mostly stand at multiples of 90°)
LOD_LABELS = 36.0        # rack ids (a 1.2 m deep rack fits "us12-r1" at 8 px)
LOD_BUSWAY_LABELS = 28.0  # busway ids, placed beside the racks
LOD_GRID = 10.0          # 0.6 m floor tiles (6 px apart)
#: Below this zoom a hall is painted with one path per colour instead of per chunk
#: (a 12 m chunk is then under ~50 px: culling it saves less than the calls cost).
LOD_MERGE = 4.0
#: Below this zoom hall items and their overlays are cached as pixmaps (see cache_for_zoom).
LOD_CACHE = 3.0
#: Side of the square floor chunks footprints are grouped in (metres).
CHUNK_M = 12.0
#: Depth of the light strip that marks a rack's front (metres, at most 20 % of the depth).
FRONT_MARK_M = 0.16
#: Width a busway is drawn with (metres; never thinner than 2 px).
BUSWAY_WIDTH_M = 0.3
#: The chunk index standing for "the whole hall" in path caches.
WHOLE_HALL = -1

# ------------------------------------------------------------------ colours
FLOOR_COLOR = QColor("#f7f5ef")
WALL_COLOR = QColor("#2b2f36")
COLUMN_COLOR = QColor("#50555c")
KEEPOUT_COLOR = QColor(200, 55, 55)
FRONT_COLOR = QColor(255, 255, 255, 150)
STATUS_COLORS = {1: QColor("#f2a900"), 2: QColor("#d62728")}
UNKNOWN_TYPE_COLOR = "#9a9a9a"

KIND_CODES = {"compute": 0, "network": 1, "cdu": 2, "air-handler": 3, "busway": 4}
COMPUTE, NETWORK, CDU, AIR_HANDLER, BUSWAY = range(5)

# ------------------------------------------------------------------ colour modes
#: Colour modes of the racks: catalog colour, power density, evaluation status.
COLOUR_MODES = ("type", "density", "status")
COLOUR_MODE_LABELS = {"type": "Type", "density": "Power density", "status": "Status"}
#: Upper edges (kW per m² of footprint) of the power-density classes; the last class is
#: open-ended. Fixed, so that the same rack has the same colour in every design.
DENSITY_EDGES_KW_M2 = (10.0, 20.0, 40.0, 60.0, 80.0, 100.0, 125.0, 150.0)
#: Equipment without IT load (CDUs, air handlers) in the density mode.
NO_LOAD_COLOR = QColor("#c9c6bd")
#: Status classes: the evaluation's ok / warning / error, with unpowered and uncooled
#: (both errors) told apart; "not evaluated" while no evaluation is available.
STATUS_CLASSES = ("OK", "Warning", "Error", "Unpowered", "Uncooled", "Not evaluated")
STATUS_OK, STATUS_WARNING, STATUS_ERROR, STATUS_UNPOWERED, STATUS_UNCOOLED, STATUS_UNKNOWN = range(6)
STATUS_CLASS_COLORS = (QColor("#5fa55a"), QColor("#f2a900"), QColor("#d62728"), QColor("#7b3fa0"),
                       QColor("#1f78b4"), QColor("#b8b8b8"))


def density_colors() -> list[QColor]:
    """One colour per power-density class, light (low) to dark (high): viridis, reversed."""
    lut = pg.colormap.get("viridis").getLookupTable(0.0, 1.0, nPts=len(DENSITY_EDGES_KW_M2) + 1, alpha=False)
    return [QColor(int(r), int(g), int(b)) for r, g, b in lut[::-1]]


DENSITY_COLORS = density_colors()


def density_class(kw_per_m2: np.ndarray) -> np.ndarray:
    """Index into :data:`DENSITY_COLORS` per value; -1 where there is no IT load."""
    kw_per_m2 = np.asarray(kw_per_m2, float)
    cls = np.searchsorted(np.asarray(DENSITY_EDGES_KW_M2), kw_per_m2, side="right")
    return np.where(kw_per_m2 > 0, cls, -1)


def density_labels() -> list[str]:
    """Legend labels of the density classes ("< 10", "10–20", …, "≥ 150")."""
    edges = DENSITY_EDGES_KW_M2
    out = [f"< {edges[0]:g}"]
    out += [f"{a:g}–{b:g}" for a, b in zip(edges, edges[1:])]
    out.append(f"≥ {edges[-1]:g}")
    return out


def status_classes(evaluation) -> np.ndarray | None:
    """Per equipment row: the :data:`STATUS_CLASSES` index (cached on the evaluation)."""
    if evaluation is None:
        return None
    cached = evaluation.extras.get("ui.status_class")
    if cached is None:
        status = np.asarray(evaluation.status)
        cls = np.minimum(status, STATUS_ERROR).astype(np.int8)
        cls[~np.asarray(evaluation.cooled, bool)] = STATUS_UNCOOLED
        cls[~np.asarray(evaluation.powered, bool)] = STATUS_UNPOWERED  # the root cause first
        cached = evaluation.extras["ui.status_class"] = cls
    return cached


class ChangedHalls:
    """Which halls' rows differ between successive per-row arrays of the whole table
    (status, status classes): one numpy diff per new array, shared by every hall item,
    so an evaluation after a drag in one hall costs the other halls a set lookup."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple] = {}

    def codes(self, key: str, rows_array: np.ndarray, table) -> frozenset | None:
        """Hall codes whose rows changed since the previous array under ``key`` (None:
        unknown — the first array, or rows were added or removed in between)."""
        memo = self._memo.get(key)
        if memo is not None and memo[0] is rows_array and memo[1] is table.ids:
            return memo[3]
        result = None
        if memo is not None and memo[1] is table.ids and len(memo[2]) == len(rows_array):
            diff = np.flatnonzero(memo[2] != rows_array)
            result = frozenset(np.unique(table.hall_code[diff]).tolist())
        self._memo[key] = (rows_array, table.ids, np.array(rows_array, copy=True), result)
        return result


@dataclass
class Palette:
    """Fill brush, edge pen and label colour per colour key."""

    brushes: list[QBrush]
    pens: list[QPen]
    texts: list[QColor]

    @classmethod
    def of(cls, colors: list[QColor]) -> "Palette":
        brushes, pens, texts = [], [], []
        for c in colors:
            brushes.append(QBrush(c))
            pen = QPen(c.darker(170), 1.0)
            pen.setCosmetic(True)
            pens.append(pen)
            texts.append(QColor("#111111") if c.lightnessF() > 0.55 else QColor("#ffffff"))
        return cls(brushes, pens, texts)


#: Density palette: the classes, then "no IT load" last (key -1 maps to it).
DENSITY_PALETTE = Palette.of([*DENSITY_COLORS, NO_LOAD_COLOR])
STATUS_PALETTE = Palette.of(list(STATUS_CLASS_COLORS))


@dataclass
class TypeStyle:
    """Per type code (aligned with ``EquipmentTable.types``): sizes, colours and power,
    plus the design-wide figures the overlays draw with (from the overridden catalog)."""

    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray
    brushes: list[QBrush]
    edge_pens: list[QPen]
    text_colors: list[QColor]
    shorts: list[str]
    colors: list[QColor]
    it_kw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    front_m: float = 1.2
    rear_m: float = 0.9
    heat_cell_m: float = 1.2
    #: medium id → (short name, colour), in catalog order
    media: dict[str, tuple[str, QColor]] = field(default_factory=dict)

    @classmethod
    def build(cls, design: Design, catalog: Catalog) -> "TypeStyle":
        """Styles for every type the design's equipment table knows."""
        names = design.equipment.types.names
        width, depth, kind, it_kw = [], [], [], []
        colors, shorts = [], []
        for name in names:
            spec = catalog.types.get(name)
            if spec is None:  # not in the catalog: draw a grey rack-sized box
                w, d, k, color, short, kw = 0.6, 1.2, 0, UNKNOWN_TYPE_COLOR, name, 0.0
            else:
                w = spec.width_m if spec.on_floor else 0.0
                d = spec.depth_m if spec.on_floor else 0.0
                k, color, short = KIND_CODES.get(spec.kind, 0), spec.color, spec.short
                kw = spec.it_power_kw if spec.on_floor else 0.0
            width.append(w)
            depth.append(d)
            kind.append(k)
            it_kw.append(kw)
            colors.append(QColor(color))
            shorts.append(short)
        palette = Palette.of(colors)

        def figure(key: str, default: float) -> float:
            try:
                return float(catalog.value(key))
            except KeyError:
                return default

        media = {mid: (spec.short, QColor(spec.color)) for mid, spec in catalog.media.items()}
        return cls(np.array(width, float), np.array(depth, float), np.array(kind, np.int8),
                   palette.brushes, palette.pens, palette.texts, shorts, colors,
                   it_kw=np.array(it_kw, float), front_m=figure("clearance.front_m", 1.2),
                   rear_m=figure("clearance.rear_m", 0.9), heat_cell_m=figure("cooling.heat_grid_m", 1.2),
                   media=media)

    @property
    def palette(self) -> Palette:
        return Palette(self.brushes, self.edge_pens, self.text_colors)

    def density_kw_m2(self) -> np.ndarray:
        """Power density (kW per m² of footprint) per type; 0 without a footprint."""
        area = self.width * self.depth
        return np.divide(self.it_kw, area, out=np.zeros(len(area)), where=area > 0)


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


class HallItem(QGraphicsItem):
    """Paints one hall: walls, columns, keep-outs, racks, CDUs, air handlers, busways."""

    def __init__(self, design: Design, hall: Hall, styles: TypeStyle) -> None:
        super().__init__()
        self.design = design
        self.hall = hall
        self.styles = styles
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self._status: np.ndarray | None = None          # whole table, as given
        self._status_rows: np.ndarray | None = None     # per footprint row (sorted order)
        self._status_busways: np.ndarray | None = None  # per busway row
        self._colour_mode = "type"
        self._evaluation = None
        self._status_class: np.ndarray | None = None    # per footprint row (sorted order)
        self._eval_stale = True  # the equipment changed since the last evaluation arrived
        #: overlay kind → overlay item of this hall (top-level scene items, see overlays.py)
        self.overlays: dict[str, QGraphicsItem] = {}
        self._bounds = QRectF()
        self._label_font = QFont()
        self._fonts: dict[int, tuple[QFont, QFontMetricsF]] = {}
        self._labels = None  # (zoom, rack label layouts, busway label places)
        self._busway_places_before: tuple = (None, {})
        self._text_boxes: dict[str, QRectF] = {}
        self.rebuild_structure()
        self.rebuild_equipment()

    # ------------------------------------------------------------------ geometry
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

    def _hall_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of this hall's floor equipment and of its busways, ascending."""
        t = self.design.equipment
        st = self.styles
        code = t.halls.codes.get(self.hall.id)
        in_hall = (t.hall_code == code) if code is not None else np.zeros(len(t), bool)
        is_busway = st.kind[t.type_code] == BUSWAY if len(t) else np.zeros(0, bool)
        return np.flatnonzero(in_hall & ~is_busway), np.flatnonzero(in_hall & is_busway & np.isfinite(t.x2))

    def rebuild_equipment(self, styles: TypeStyle | None = None) -> None:
        """Recompute every footprint of this hall from the equipment table.

        When only some footprints changed (a drag moves a few racks), the cached paths
        of the floor chunks they neither left nor entered are kept, and only the floor
        they covered before and cover now is repainted (see :meth:`_carry_over`)."""
        before = self._before_rebuild()
        if styles is not None:
            self.styles = styles
        t = self.design.equipment
        st = self.styles
        rows, self.busway_rows = self._hall_rows()
        self._hall_rows_sorted = rows  # ascending; self.rows is in paint order
        self._row_ids = [t.ids[int(i)] for i in rows]
        self._busway_types = t.type_code[self.busway_rows].copy()
        # Busways: overhead line segments.
        r = self.busway_rows
        self.busway_segments = np.stack([t.x[r], -t.y[r], t.x2[r], -t.y2[r]], axis=1)
        # Floor equipment: rotated rectangles.
        types = t.type_code[rows]
        w, d = st.width[types], st.depth[types]
        x, y, rot = t.x[rows], t.y[rows], t.rotation[rows]
        corners = footprint_corners(x, y, rot, w, d)
        front = footprint_corners(x, y, rot, w, d, np.minimum(FRONT_MARK_M, 0.2 * d))
        corners[..., 1] *= -1.0  # plan → item coordinates (north up)
        front[..., 1] *= -1.0
        # Group into floor chunks, and within a chunk by type, so that painting a
        # visible chunk is one drawPath per colour.
        cx, cy = x, -y
        kx = np.floor(cx / CHUNK_M).astype(np.int64)
        ky = np.floor(cy / CHUNK_M).astype(np.int64)
        chunk_keys, chunk = np.unique(np.stack([kx, ky], axis=1), axis=0, return_inverse=True) \
            if len(rows) else (np.zeros((0, 2), np.int64), np.zeros(0, np.int64))
        chunk = chunk.ravel()
        order = np.lexsort((types, chunk))
        self._order = order
        self._ids_list = t.ids  # replaced (not mutated) by inserts and deletes: see _sync_rows
        self.rows = rows[order]
        self.types = types[order]
        self.kind = st.kind[self.types] if len(self.types) else np.zeros(0, np.int8)
        self.chunk = chunk[order]
        self.corners = corners[order]
        self.front = front[order]
        self.centres = np.stack([cx, cy], axis=1)[order]
        self.rotation = rot[order]
        self.sizes = np.stack([w, d], axis=1)[order]
        n_chunks = len(chunk_keys)
        self.chunk_start = np.searchsorted(self.chunk, np.arange(n_chunks + 1))
        if len(rows):
            lo = self.corners.min(axis=1)
            hi = self.corners.max(axis=1)
            self.chunk_lo = np.full((n_chunks, 2), np.inf)
            self.chunk_hi = np.full((n_chunks, 2), -np.inf)
            np.minimum.at(self.chunk_lo, self.chunk, lo)
            np.maximum.at(self.chunk_hi, self.chunk, hi)
        else:
            self.chunk_lo = self.chunk_hi = np.zeros((0, 2))
        self._density_key = density_class(st.density_kw_m2()[self.types]) if len(self.types) \
            else np.zeros(0, np.int64)
        self._chunk_keys = chunk_keys
        carried, dirty = self._carry_over(before)
        self._paths: dict[tuple, object] = carried
        if before is None or not before["busways_same"]:
            self._busway_lines = None
        places_before = self._labels[2] if self._labels is not None else None
        if self._labels is not None:  # rack labels stay (by id); busway labels move with racks
            self._labels = (self._labels[0], self._labels[1], None)
        self._slice_status()
        self._slice_status_class()
        self._eval_stale = True
        if dirty is not None and places_before is not None and len(self.busway_rows):
            dirty = self._moved_busway_labels(places_before, dirty)
        self._update_bounds()
        for overlay in self.overlays.values():
            overlay.equipment_changed(moved_only=dirty is not None)
        if dirty is None:
            self.update()
        elif not dirty.isNull():
            self.update(dirty)

    # ------------------------------------------------------------------ partial rebuilds
    def _before_rebuild(self) -> dict | None:
        """What :meth:`_carry_over` compares the rebuilt footprints with (None: first build)."""
        if getattr(self, "_hall_rows_sorted", None) is None:
            return None
        return {"styles": self.styles, "rows": self._hall_rows_sorted, "order": self._order, "chunk": self.chunk,
                "chunk_keys": self._chunk_keys, "corners": self.corners, "paths": self._paths,
                "centres": self.centres, "rotation": self.rotation, "types": self.types,
                "row_ids": self._row_ids, "busway_rows": self.busway_rows,
                "busway_segments": self.busway_segments, "busway_types": self._busway_types,
                "busways_same": False}

    def _carry_over(self, before: dict | None) -> tuple[dict, QRectF | None]:
        """(path cache to start from, rect of this item to repaint; None: all of it).

        Footprints are compared row by row with the previous build; the chunks that held
        or now hold a changed footprint lose their paths, every other chunk keeps them
        (under its new chunk number). Anything else (rows added or removed, new sizes,
        busways changed) repaints the hall and starts from an empty cache."""
        if before is None:
            return {}, None
        t = self.design.equipment
        rows = self._hall_rows_sorted
        old_st, st = before["styles"], self.styles
        if (not np.array_equal(before["rows"], rows)
                or (old_st is not st and not (np.array_equal(old_st.width, st.width)
                                              and np.array_equal(old_st.depth, st.depth)
                                              and np.array_equal(old_st.kind, st.kind)))):
            return {}, None
        busways_same = (np.array_equal(before["busway_rows"], self.busway_rows)
                        and np.array_equal(before["busway_segments"], self.busway_segments)
                        and np.array_equal(before["busway_types"], self._busway_types))
        if not busways_same:
            return {}, None
        before["busways_same"] = True
        if before["row_ids"] != self._row_ids:
            return {}, None  # renamed: labels (and perhaps more) change
        # per hall row, in ascending row order (the unsorted order of both builds)
        n = len(rows)
        old = np.empty((n, 4))
        old[before["order"]] = np.column_stack([before["centres"][:, 0], -before["centres"][:, 1],
                                                before["rotation"], before["types"]])
        changed = ~((t.x[rows] == old[:, 0]) & (t.y[rows] == old[:, 1])
                    & (t.rotation[rows] == old[:, 2]) & (t.type_code[rows] == old[:, 3]))
        if not changed.any():
            return dict(before["paths"]), QRectF()
        # sorted positions of the changed footprints, before and after
        inv_new = np.empty(len(rows), np.int64)
        inv_new[self._order] = np.arange(len(rows))
        inv_old = np.empty(len(rows), np.int64)
        inv_old[before["order"]] = np.arange(len(rows))
        new_pos = inv_new[np.flatnonzero(changed)]
        old_pos = inv_old[np.flatnonzero(changed)]
        old_keys = before["chunk_keys"]
        dirty_keys = {tuple(k) for k in old_keys[before["chunk"][old_pos]].tolist()}
        dirty_keys |= {tuple(k) for k in self._chunk_keys[self.chunk[new_pos]].tolist()}
        old_index = {tuple(k): i for i, k in enumerate(old_keys.tolist())}
        remap = {}
        for c, k in enumerate(self._chunk_keys.tolist()):
            k = tuple(k)
            if k not in dirty_keys and k in old_index:
                remap[old_index[k]] = c
        carried = {}
        for key, value in before["paths"].items():
            c = remap.get(key[1]) if len(key) > 1 and isinstance(key[1], int) else None
            if c is not None:
                carried[(key[0], c, *key[2:])] = value
        corners = np.concatenate([before["corners"][old_pos], self.corners[new_pos]])
        return carried, self._grown_rect(corners.reshape(-1, 2))

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

    def _moved_busway_labels(self, places_before: list, dirty: QRectF) -> QRectF:
        """Lay the busway labels out again at the zoom they were drawn at; add the ones
        that moved (where they were and where they go) to the rect to repaint."""
        zoom = self._labels[0]
        places = self._busway_label_places(zoom)
        old = {(p[3], p[5]) for p in places_before}
        new = {(p[3], p[5]) for p in places}
        m = 2.0 / max(zoom, 1e-6)
        for _, (lo_x, lo_y, hi_x, hi_y) in old ^ new:
            dirty = dirty.united(QRectF(QPointF(lo_x - m, lo_y - m), QPointF(hi_x + m, hi_y + m)))
        return dirty

    def _rows_rect(self, positions: np.ndarray, busway_positions: np.ndarray = np.zeros(0, np.int64)) -> QRectF:
        """Item rect to repaint for footprints (sorted positions) and busways (indices)."""
        pts = [self.corners[positions].reshape(-1, 2)]
        if len(busway_positions):
            pts.append(self.busway_segments[busway_positions].reshape(-1, 2))
        return self._grown_rect(np.concatenate(pts))

    def _drop_chunk_paths(self, positions: np.ndarray, *tags: str) -> None:
        """Forget the paths of the chunks holding footprints (sorted positions), and the
        whole-hall ones, of some tags."""
        chunks = set(self.chunk[positions].tolist()) | {WHOLE_HALL}
        self._paths = {k: v for k, v in self._paths.items() if not (k[0] in tags and k[1] in chunks)}

    def _sync_rows(self) -> None:
        """Re-read this hall's row numbers after items were added to or removed from
        *other* halls: the footprints are unchanged, their rows in the table shifted."""
        t = self.design.equipment
        if t.ids is self._ids_list:
            return
        rows, busways = self._hall_rows()
        if len(rows) != len(self._order) or len(busways) != len(self.busway_rows):
            self.rebuild_equipment()
            return
        self.rows = rows[self._order]
        self.busway_rows = busways
        self._ids_list = t.ids
        self._slice_status()
        self._slice_status_class()

    # ------------------------------------------------------------------ evaluation
    def set_status(self, status: np.ndarray | None) -> None:
        """Per-row status of the whole equipment table (0 ok, 1 warning, 2 error)."""
        if status is self._status:
            return
        self._sync_rows()
        if self._status_rows is not None and not self._changed_here("status", status):
            self._status = status  # same values for this hall's rows: keep the paths
            return
        self._status = status
        before = (self._status_rows, self._status_busways)
        self._slice_status()
        if _same(before[0], self._status_rows) and _same(before[1], self._status_busways):
            return
        diff = _diff(before[0], self._status_rows)
        diff_busways = _diff(before[1], self._status_busways)
        if diff is None or diff_busways is None:
            self._drop_paths("status")
            self.update()
            return
        self._drop_chunk_paths(diff, "status")
        self.update(self._rows_rect(diff, diff_busways))

    def _slice_status(self) -> None:
        status = self._status
        if status is None or len(status) != len(self.design.equipment):
            self._status_rows = self._status_busways = None
        else:
            self._status_rows = np.asarray(status)[self.rows]
            self._status_busways = np.asarray(status)[self.busway_rows]

    def set_evaluation(self, evaluation) -> None:
        """The engine's result for the whole design: the status colour mode and the
        overlays read their per-row arrays from it. Overlays are told only when
        something of this hall changed (its equipment, or its items' status)."""
        self._sync_rows()
        had = self._evaluation is not None
        self._evaluation = evaluation
        if (not self._eval_stale and had == (evaluation is not None) and self._status_class is not None
                and not self._changed_here("class", status_classes(self.evaluation()))):
            return  # nothing of this hall changed: a drag elsewhere costs this hall nothing
        before = self._status_class
        self._slice_status_class()
        changed = not _same(before, self._status_class)
        if changed:
            diff = _diff(before, self._status_class)
            if diff is None:
                self._drop_paths("fill-status", "fill-status-none")
                if self._colour_mode == "status":
                    self.update()
            else:  # the same footprints: only those whose class changed are recoloured
                self._drop_chunk_paths(diff, "fill-status")
                if self._colour_mode == "status":
                    self.update(self._rows_rect(diff))
        if changed or self._eval_stale or had != (evaluation is not None):
            for overlay in self.overlays.values():
                overlay.evaluation_changed()
        self._eval_stale = False

    def evaluation(self):
        """The evaluation this hall shows, if it matches the equipment table (else None)."""
        ev = self._evaluation
        if ev is None:
            return None
        try:
            if len(ev.status) != len(self.design.equipment):
                return None  # an edit landed and its evaluation has not arrived yet
        except Exception:  # noqa: BLE001 (an evaluation that cannot build its arrays)
            return None
        return ev

    def _changed_here(self, key: str, rows_array: np.ndarray | None) -> bool:
        """Whether a new per-row array (of the whole table) differs from the previous
        one on this hall's rows. The diff is done once per array for all halls
        (:class:`ChangedHalls` of the scene); without one, assume it does."""
        memo = getattr(self.scene(), "changed_halls", None)
        if memo is None or rows_array is None:
            return True
        codes = memo.codes(key, rows_array, self.design.equipment)
        return codes is None or self.design.equipment.halls.codes.get(self.hall.id) in codes

    def _slice_status_class(self) -> None:
        ev = self.evaluation()
        cls = status_classes(ev) if ev is not None else None
        self._status_class = None if cls is None else cls[self.rows]

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

    def colour_keys(self) -> tuple[str, np.ndarray, Palette]:
        """(cache tag, palette index per footprint row, palette) for the colour mode."""
        mode = self._colour_mode
        if mode == "density":
            keys = np.where(self._density_key < 0, len(DENSITY_COLORS), self._density_key)
            return "density", keys, DENSITY_PALETTE
        if mode == "status":
            if self._status_class is None:
                return "status-none", np.full(len(self.rows), STATUS_UNKNOWN), STATUS_PALETTE
            return "status", self._status_class, STATUS_PALETTE
        return "type", self.types, self.styles.palette

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

    def _update_bounds(self) -> None:
        rect = self.outline.boundingRect()
        if len(getattr(self, "rows", ())):
            lo, hi = self.corners.reshape(-1, 2).min(axis=0), self.corners.reshape(-1, 2).max(axis=0)
            rect = rect.united(QRectF(QPointF(*lo), QPointF(*hi)))
        if len(getattr(self, "busway_rows", ())):
            seg = self.busway_segments
            xs, ys = seg[:, [0, 2]], seg[:, [1, 3]]
            rect = rect.united(QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max())))
        margin = BUSWAY_WIDTH_M + 0.1
        rect = rect.adjusted(-margin, -margin, margin, margin)
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = rect
            for overlay in self.overlays.values():
                overlay.hall_bounds_changed()

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
        self._sync_rows()
        ppm = pixels_per_metre(painter)
        if widget is not None or painting_cache(painter):
            cache_for_zoom(self, ppm)
        exposed = exposed_rect(painter, option, self._bounds)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_structure(painter)
        visible = self.visible_chunks(exposed, ppm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, ppm >= LOD_ANTIALIAS)
        self._paint_footprints(painter, visible, ppm)
        self._paint_status(painter, visible, ppm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_busways(painter, exposed, ppm)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        wall = QPen(WALL_COLOR, 2.5)
        wall.setCosmetic(True)
        wall.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(wall)
        painter.drawPath(self.outline)
        if ppm >= LOD_LABELS:
            self._paint_labels(painter, exposed, ppm)
        if ppm >= LOD_BUSWAY_LABELS:
            self._paint_busway_labels(painter, exposed, ppm)
        painter.restore()

    def _paint_structure(self, painter: QPainter) -> None:
        if not self.keepouts.isEmpty():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(KEEPOUT_COLOR.red(), KEEPOUT_COLOR.green(), KEEPOUT_COLOR.blue(), 28))
            painter.drawPath(self.keepouts)
            painter.setBrush(QBrush(QColor(KEEPOUT_COLOR.red(), KEEPOUT_COLOR.green(),
                                           KEEPOUT_COLOR.blue(), 150), Qt.BrushStyle.BDiagPattern))
            edge = QPen(KEEPOUT_COLOR, 1.5, Qt.PenStyle.DashLine)
            edge.setCosmetic(True)
            painter.setPen(edge)
            painter.drawPath(self.keepouts)
        if not self.columns.isEmpty():
            edge = QPen(COLUMN_COLOR.darker(150), 1.0)
            edge.setCosmetic(True)
            painter.setPen(edge)
            painter.setBrush(COLUMN_COLOR)
            painter.drawPath(self.columns)

    def visible_chunks(self, exposed: QRectF, ppm: float = math.inf, margin: float = 0.0) -> np.ndarray:
        """Chunks whose footprints (grown by ``margin`` metres) meet ``exposed``; just
        ``[WHOLE_HALL]`` when zoomed out below :data:`LOD_MERGE`."""
        if ppm < LOD_MERGE:
            return np.array([WHOLE_HALL]) if len(self.rows) else np.zeros(0, np.int64)
        lo, hi = self.chunk_lo, self.chunk_hi
        return np.flatnonzero((lo[:, 0] - margin <= exposed.right()) & (hi[:, 0] + margin >= exposed.left())
                              & (lo[:, 1] - margin <= exposed.bottom()) & (hi[:, 1] + margin >= exposed.top()))

    def chunk_range(self, chunk: int) -> tuple[int, int]:
        """Sorted-row range ``[a, b)`` of a chunk (the whole hall for :data:`WHOLE_HALL`)."""
        if chunk == WHOLE_HALL:
            return 0, len(self.rows)
        return int(self.chunk_start[chunk]), int(self.chunk_start[chunk + 1])

    def _drop_paths(self, *tags: str) -> None:
        self._paths = {k: v for k, v in self._paths.items() if k[0] not in tags}

    def _path(self, key: tuple, sel: slice | np.ndarray, which: str = "corners") -> QPainterPath:
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = polygons_path(getattr(self, which)[sel])
        return path

    def _runs(self, tag: str, chunk: int, keys: np.ndarray, which: str = "corners",
              skip: int | None = None) -> list[tuple[int, QPainterPath]]:
        """Cached (key, path) pairs of a chunk: one path per distinct key of its rows."""
        cache_key = (tag, chunk, which)
        runs = self._paths.get(cache_key)
        if runs is None:
            a, b = self.chunk_range(chunk)
            sub = keys[a:b]
            runs = []
            for k in np.unique(sub):
                if skip is not None and k == skip:
                    continue
                sel = a + np.flatnonzero(sub == k)
                runs.append((int(k), polygons_path(getattr(self, which)[sel])))
            self._paths[cache_key] = runs
        return runs

    def _paint_footprints(self, painter: QPainter, chunks: np.ndarray, ppm: float) -> None:
        tag, keys, palette = self.colour_keys()
        outlines = ppm >= LOD_OUTLINES
        for c in chunks:
            for k, path in self._runs("fill-" + tag, int(c), keys):
                painter.setBrush(palette.brushes[k])
                painter.setPen(palette.pens[k] if outlines else Qt.PenStyle.NoPen)
                painter.drawPath(path)
        if outlines:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(FRONT_COLOR)
            for c in chunks:
                a, b = self.chunk_range(int(c))
                painter.drawPath(self._path(("front", int(c)), slice(a, b), "front"))

    def _paint_status(self, painter: QPainter, chunks: np.ndarray, ppm: float) -> None:
        status = self._status_rows
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
            for level, path in self._runs("status", int(c), status, skip=0):
                painter.setPen(pens[level])
                painter.drawPath(path)

    def _busway_paths(self) -> dict:
        """Per busway type code: centre lines and the band (a polygon path) it is drawn
        as when zoomed in (cached)."""
        if self._busway_lines is None:
            seg = self.busway_segments
            types = self.design.equipment.type_code[self.busway_rows]
            by_type = {}
            for code in np.unique(types):
                s = seg[types == code]
                d = s[:, 2:] - s[:, :2]
                along = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
                across = np.stack([-along[:, 1], along[:, 0]], axis=1) * (BUSWAY_WIDTH_M / 2.0)
                band = np.stack([s[:, :2] - across, s[:, 2:] - across, s[:, 2:] + across, s[:, :2] + across], 1)
                by_type[int(code)] = ([QLineF(*map(float, row)) for row in s], polygons_path(band))
            self._busway_lines = by_type
        return self._busway_lines

    def _paint_busways(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        if not len(self.busway_rows):
            return
        wide = ppm * BUSWAY_WIDTH_M >= 2.0
        for code, (lines, band) in self._busway_paths().items():
            color = QColor(self.styles.colors[code])
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
                centre = QPen(QColor(self.styles.colors[code]).darker(190), 1.0)
                centre.setCosmetic(True)
                painter.setPen(centre)
                painter.drawLines(lines)
        status = self._status_busways
        if status is not None and status.any():
            seg = self.busway_segments
            for level, color in STATUS_COLORS.items():
                pick = [QLineF(*map(float, s)) for s in seg[status == level]]
                if pick:
                    pen = QPen(color, 2.0, Qt.PenStyle.DashLine)
                    pen.setCosmetic(True)
                    painter.setPen(pen)
                    painter.drawLines(pick)

    def short_id(self, item_id: str) -> str:
        """An id as labelled inside its hall: without a leading ``<hall id>-`` (campus
        generators prefix every id with its hall; the hall is obvious on the plan)."""
        prefix = self.hall.id + "-"
        return item_id[len(prefix):] if item_id.startswith(prefix) and len(item_id) > len(prefix) else item_id

    def _font(self, size: int) -> tuple[QFont, QFontMetricsF]:
        """A label font of a pixel size and its metrics (kept: labels reuse a few sizes)."""
        entry = self._fonts.get(size)
        if entry is None:
            font = QFont(self._label_font)
            font.setPixelSize(size)
            entry = self._fonts[size] = (font, QFontMetricsF(font))
        return entry

    def _label_cache(self, ppm: float) -> dict:
        """Label layouts for one zoom, by (id, type, rotation): kept while panning, and
        through edits (a drag re-lays the moved racks' labels only)."""
        key = round(ppm, 6)
        if self._labels is None or self._labels[0] != key:
            self._labels = (key, {}, None)
        return self._labels[1]

    def _rack_label(self, i: int, ppm: float):
        """(pixel size, elided lines, screen angle, width px, line height) of footprint
        ``i``'s label at a zoom, or None when it does not fit."""
        w, d = self.sizes[i]
        along_depth = d > w
        long_px = (d if along_depth else w) * ppm - 4.0
        short_px = (w if along_depth else d) * ppm
        size = int(min(12.0, max(8.0, short_px * 0.32)))
        if short_px < size + 2:
            return None
        _, metrics = self._font(size)
        lines = [self.short_id(self.design.equipment.ids[int(self.rows[i])])]
        if short_px >= 2.4 * metrics.height() + 4:
            lines.append(self.styles.shorts[int(self.types[i])])
        # the end of an id tells racks apart ("…us12-r2"): elide its start
        lines = [metrics.elidedText(lines[0], Qt.TextElideMode.ElideLeft, long_px),
                 *(metrics.elidedText(s, Qt.TextElideMode.ElideRight, long_px) for s in lines[1:])]
        # screen angle of the long axis; plan rotation is CCW, screen y points down
        angle = -(float(self.rotation[i]) + (90.0 if along_depth else 0.0))
        angle = (angle + 90.0) % 180.0 - 90.0  # keep text upright: [-90, 90)
        return size, lines, angle, long_px, metrics.height()

    def _paint_labels(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        """Ids (and, when there is room, the short type) along each footprint's long side."""
        pad = float(np.max(self.sizes)) if len(self.sizes) else 0.0
        c = self.centres
        vis = np.flatnonzero((c[:, 0] >= exposed.left() - pad) & (c[:, 0] <= exposed.right() + pad)
                             & (c[:, 1] >= exposed.top() - pad) & (c[:, 1] <= exposed.bottom() + pad))
        if len(vis) > 3000:
            return
        _, keys, palette = self.colour_keys()
        cache = self._label_cache(ppm)
        ids = self.design.equipment.ids
        tr = painter.worldTransform()
        dev_x = c[vis, 0] * tr.m11() + c[vis, 1] * tr.m21() + tr.dx()
        dev_y = c[vis, 0] * tr.m12() + c[vis, 1] * tr.m22() + tr.dy()
        painter.resetTransform()
        current = None
        rows, types, rotation = self.rows, self.types, self.rotation
        for i, px, py in zip(vis.tolist(), dev_x.tolist(), dev_y.tolist()):
            key = (ids[rows[i]], int(types[i]), float(rotation[i]))
            label = cache.get(key, False)
            if label is False:
                label = cache[key] = self._rack_label(i, ppm)
            if label is None:
                continue
            size, lines, angle, long_px, h = label
            if size != current:
                painter.setFont(self._font(size)[0])
                current = size
            painter.setTransform(_rotation_at(px, py, angle))
            painter.setPen(palette.texts[int(keys[i])])
            top = -h * len(lines) / 2.0
            for k, line in enumerate(lines):
                painter.drawText(QRectF(-long_px / 2, top + k * h, long_px, h), Qt.AlignmentFlag.AlignCenter, line)
        painter.setTransform(tr)

    def _busway_label_places(self, ppm: float) -> list[tuple]:
        """Where each busway's label goes at a zoom (cached with the rack labels):
        before the busway's start, after its end, or at its middle, whichever first
        covers no footprint and no other busway label. (centre x, y, angle, text,
        box in px, bounds in item coordinates)."""
        self._label_cache(ppm)
        if self._labels[2] is not None:
            return self._labels[2]
        t = self.design.equipment
        _, metrics = self._font(10)
        if len(self.rows):
            fp_lo, fp_hi = self.corners.min(axis=1), self.corners.max(axis=1)
        else:
            fp_lo = fp_hi = np.zeros((0, 2))
        placed: list[tuple] = []
        previous = self._busway_places_before if self._busway_places_before[0] == self._labels[0] else (None, {})
        # where the labels were before this edit: still clear of every footprint? (one numpy
        # test for all of them; they never overlap each other)
        keys = [(self.short_id(t.ids[int(r)]), *seg) for r, seg in zip(self.busway_rows, self.busway_segments.tolist())]
        before_places = [previous[1].get(k) for k in keys]
        kept = [p for p in before_places if p is not None]
        if kept and len(fp_lo):
            b = np.array([p[5] for p in kept])
            clear = ~((fp_lo[None, :, 0] < b[:, None, 2]) & (fp_hi[None, :, 0] > b[:, None, 0])
                      & (fp_lo[None, :, 1] < b[:, None, 3]) & (fp_hi[None, :, 1] > b[:, None, 1])).any(axis=1)
            still = {id(p) for p, ok in zip(kept, clear) if ok}
        else:
            still = {id(p) for p in kept}
        for i, (x1, y1, x2, y2) in enumerate(self.busway_segments.tolist()):
            length = math.hypot(x2 - x1, y2 - y1)
            if length == 0:
                continue
            row = int(self.busway_rows[i])
            text = f"{self.short_id(t.ids[row])} · {self.styles.shorts[int(t.type_code[row])]}"
            box = self._text_boxes.get(text)
            if box is None:
                box = self._text_boxes[text] = metrics.boundingRect(text).adjusted(-4, -1, 4, 1)
            box = QRectF(box)
            before = before_places[i]
            if before is not None and id(before) in still and before[3] == text and not any(
                    a < before[5][2] and c > before[5][0] and b < before[5][3] and d > before[5][1]
                    for a, b, c, d in (p[5] for p in placed)):
                placed.append(before)  # still free: labels stay put while racks move
                continue
            half_l, half_h = box.width() / 2 / ppm, box.height() / 2 / ppm  # metres
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            gap = half_l + 4.0 / ppm
            ex = abs(ux) * half_l + abs(uy) * half_h  # half extents of the rotated box
            ey = abs(uy) * half_l + abs(ux) * half_h
            # only the footprints near this busway can be in the way
            reach = gap + 1.5 + ex + ey
            near = ((fp_lo[:, 0] < max(x1, x2) + reach) & (fp_hi[:, 0] > min(x1, x2) - reach)
                    & (fp_lo[:, 1] < max(y1, y2) + reach) & (fp_hi[:, 1] > min(y1, y2) - reach))
            lo, hi = fp_lo[near], fp_hi[near]
            # a busway often starts or ends just inside a footprint: slide outwards a little
            slides = _LABEL_SLIDES_M + gap
            cand = np.concatenate([np.stack([x1 - ux * slides, y1 - uy * slides], 1),
                                   np.stack([x2 + ux * slides, y2 + uy * slides], 1),
                                   [((x1 + x2) / 2, (y1 + y2) / 2)]])
            box_lo, box_hi = cand - (ex, ey), cand + (ex, ey)
            blocked = ((lo[None, :, 0] < box_hi[:, None, 0]) & (hi[None, :, 0] > box_lo[:, None, 0])
                       & (lo[None, :, 1] < box_hi[:, None, 1]) & (hi[None, :, 1] > box_lo[:, None, 1])).any(axis=1)
            for k in np.flatnonzero(~blocked).tolist():
                lo_x, lo_y = box_lo[k]
                hi_x, hi_y = box_hi[k]
                if not any(a < hi_x and c > lo_x and b < hi_y and d > lo_y for a, b, c, d in (p[5] for p in placed)):
                    cx, cy = cand[k]
                    bounds = (float(lo_x), float(lo_y), float(hi_x), float(hi_y))
                    break
            else:
                continue  # no free place: the racks' own labels win
            angle = -math.degrees(math.atan2(-(y2 - y1), x2 - x1))
            angle = (angle + 90.0) % 180.0 - 90.0
            box.moveCenter(QPointF(0.0, 0.0))
            placed.append((float(cx), float(cy), angle, text, box, bounds, keys[i]))
        self._labels = (self._labels[0], self._labels[1], placed)
        self._busway_places_before = (self._labels[0], {p[6]: p for p in placed})
        return placed

    def _paint_busway_labels(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        """Busway ids beside the racks, not over them (see :meth:`_busway_label_places`)."""
        if not len(self.busway_rows):
            return
        places = self._busway_label_places(ppm)
        tr = painter.worldTransform()
        painter.resetTransform()
        painter.setFont(self._font(10)[0])
        for cx, cy, angle, text, box, (lo_x, lo_y, hi_x, hi_y), _ in places:
            if lo_x > exposed.right() or hi_x < exposed.left() or lo_y > exposed.bottom() or hi_y < exposed.top():
                continue
            p = tr.map(QPointF(cx, cy))
            painter.setTransform(_rotation_at(p.x(), p.y(), angle))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 220))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(QColor("#7a1f14"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setTransform(tr)


#: How far a busway label may slide off the busway's end to find free floor (metres).
_LABEL_SLIDES_M = np.arange(0.0, 1.5, 0.15)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether two optional arrays hold the same values."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _diff(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Positions where two arrays of the same shape differ (None: not comparable)."""
    if a is None or b is None or a.shape != b.shape:
        return None
    return np.flatnonzero(a != b)


def _remove_from_scene(item: QGraphicsItem, scene) -> None:
    try:
        if item.scene() is scene:
            scene.removeItem(item)
    except RuntimeError:  # the scene is being destroyed and took the item with it
        pass


def _rotation_at(x: float, y: float, angle_deg: float) -> QTransform:
    """Device transform for text centred at (x, y) px, turned by ``angle_deg`` (clockwise)."""
    tr = QTransform()
    tr.translate(x, y)
    tr.rotate(angle_deg)
    return tr


class HallTitleItem(QGraphicsItem):
    """The hall's name and size above its north-west corner, at a constant pixel size.

    Shortened (or left out) when the hall is drawn too narrow for it, so that the
    titles of halls side by side never run into each other.
    """

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

    def shown_text(self, pixels_per_metre: float | None) -> str:
        """The title as drawn at a zoom (None: in full)."""
        if pixels_per_metre is None:
            return self.text
        room = self.width_m * pixels_per_metre
        if room < 30:
            return ""
        return QFontMetricsF(self.font).elidedText(self.text, Qt.TextElideMode.ElideRight, room)

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
