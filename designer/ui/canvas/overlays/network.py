"""The network overlay: the scale-out fabric above the leaves (issue 14).

Per hall (:class:`NetworkOverlay`): each leaf rack's uplinks to the spine racks of its
hall, one L-shaped route per (leaf, spine rack, medium) run, coloured by the medium the
engine chose, merged into trunks zoomed out (drawn as the cable overlay draws the
server → leaf links). Across the campus (:class:`CampusNetworkItem`, one item for the
scene): leaf uplinks to a spine rack in another hall, and the links between the upper
tiers of different halls, aggregated to one thin line per pair of spine rooms (the
centre of a hall's spine racks) and shown zoomed out, where the halls
are small on screen.

The arrays come from ``evaluation.fabric`` (:class:`designer.engine.fabric.Fabric`);
the engine keeps one Fabric while its inputs are unchanged, so a drag that moves
compute racks redraws nothing here.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.ui.canvas.overlays.cables import UNREACHABLE_CABLE, CableOverlay
from designer.ui.canvas.painting import (
    cache_for_zoom, cosmetic_pen, exposed_rect, painting_cache, pixels_per_metre, segments_path,
)
from designer.ui.canvas.styles import LOD_MERGE
from designer.ui.evaluation_cache import derived

#: Tier of the fabric's leaf → spine links (FabricLinks.tier).
LEAF_TIER = 1
#: Zoom (px/m) below which the links between the spine rooms of different halls are drawn.
LOD_CAMPUS_LINKS = LOD_MERGE
#: Colour of a spine room's marker (the centre of a hall's spine racks), zoomed out.
SPINE_ROOM_COLOR = QColor("#5b4bb7")
#: Strength of the lines between spine rooms, mixed into the canvas colour (many cross: a
#: haze, not a wall of colour). Drawn opaque and aliased: translucent antialiased lines
#: across the whole campus cost more than the rest of the plan.
CAMPUS_LINE_ALPHA = 60
CANVAS_UNDER = QColor("#dde1e6")


def faint(color: QColor, alpha: int = CAMPUS_LINE_ALPHA) -> QColor:
    """``color`` at opacity ``alpha`` over the canvas, as an opaque colour."""
    a = alpha / 255.0
    return QColor.fromRgbF(*(a * c + (1 - a) * u for c, u in zip(color.getRgbF()[:3], CANVAS_UNDER.getRgbF()[:3])))
#: Radius of a spine room's marker (pixels).
SPINE_ROOM_PX = 4.0


def fabric_of(evaluation):
    """The evaluation's fabric, when it has one with links."""
    fab = getattr(evaluation, "fabric", None) if evaluation is not None else None
    return fab if fab is not None and len(fab.links.a) else None


def leaf_links_by_hall(evaluation, design) -> tuple[np.ndarray, np.ndarray]:
    """(order, bounds): indices into ``evaluation.fabric.links`` of the leaf → spine runs
    whose leaf and spine rack stand in the same hall, grouped by that hall's code (sorted
    once per evaluation; a hall's runs are ``order[bounds[c]:bounds[c + 1]]``)."""
    cache = derived(evaluation)
    cached = cache.get("ui.fabric_by_hall")
    if cached is None:
        t = design.equipment
        links = evaluation.fabric.links
        n_halls = len(t.halls.names)
        if len(links.a):
            ha, hb = t.hall_code[links.a], t.hall_code[links.b]
            sel = np.flatnonzero((links.tier == LEAF_TIER) & (ha == hb))
            order = sel[np.argsort(ha[sel], kind="stable")]
            bounds = np.searchsorted(ha[order], np.arange(n_halls + 1))
        else:
            order, bounds = np.zeros(0, np.int64), np.zeros(n_halls + 1, np.int64)
        cached = cache["ui.fabric_by_hall"] = (order, bounds)
    return cached


def leaf_links_in_hall(evaluation, design, hall_id: str) -> np.ndarray:
    """Indices into ``evaluation.fabric.links`` of the leaf → spine runs within a hall."""
    if fabric_of(evaluation) is None:
        return np.zeros(0, np.int64)
    order, bounds = leaf_links_by_hall(evaluation, design)
    code = design.equipment.halls.codes.get(hall_id)
    if code is None or code + 1 >= len(bounds):
        return np.zeros(0, np.int64)
    return order[bounds[code]:bounds[code + 1]]


class NetworkOverlay(CableOverlay):
    """Leaf → spine links of one hall: an L-shaped route per (leaf rack, spine rack,
    medium) run, first along the leaf's row in the tray, then across to the spine rack;
    coloured by medium (red dashes where none reaches). Zoomed out, routes merge into
    trunks (see :class:`CableOverlay`)."""

    kind = "network"
    z = 4.5
    # a dark casing: the fabric reads over racks of any colour and apart from the
    # server → leaf cables (white casing)
    line_px = (2.0, 1.5)
    casing = QColor("#2b2f36")
    casing_always = True
    #: the routes change with the fabric, not with every evaluation of the hall (a drag
    #: of compute racks changes their status, not the leaves' uplinks)
    needs_evaluation = False

    def __init__(self, hall_item, options) -> None:
        super().__init__(hall_item, options)
        self._fabric_seen = None
        self._runs_key = None   # what the routes were drawn from, to skip identical fabrics

    def equipment_changed(self, moved_only: bool = False) -> None:
        """Items added, removed or restyled: redo at once. Moves wait for the evaluation
        (:meth:`site_evaluation_changed` redoes the routes if a leaf or spine rack moved)."""
        if not moved_only:
            self.invalidate()

    def compute(self):
        hall = self.hall_item
        ev = hall.evaluation()
        self._fabric_seen = getattr(ev, "fabric", None)
        if ev is None:
            self._runs_key = None
            return None
        r, n, medium = self._runs(ev)
        self._runs_key = self._key_of(r, n, medium)
        if not len(r):
            return None
        return self.routes(r, n, medium)

    def _key_of(self, r: np.ndarray, n: np.ndarray, medium: np.ndarray) -> tuple:
        t = self.hall_item.design.equipment
        ends = np.concatenate([r, n])
        return r.tobytes(), n.tobytes(), medium.tobytes(), t.x[ends].tobytes(), t.y[ends].tobytes()

    def _runs(self, ev) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = leaf_links_in_hall(ev, self.hall_item.design, self.hall_item.hall.id)
        links = ev.fabric.links if len(idx) else None
        if links is None:
            z = np.zeros(0, np.int64)
            return z, z, z
        return links.a[idx], links.b[idx], np.asarray(links.medium)[idx]

    def site_evaluation_changed(self, evaluation) -> None:
        """A new evaluation of the design: redo the routes when this hall's runs changed
        (a leaf's uplinks re-home when a spine rack elsewhere fails or moves)."""
        fab = getattr(evaluation, "fabric", None)
        if fab is self._fabric_seen or not self.computed:
            return
        self._fabric_seen = fab
        ev = self.hall_item.evaluation()
        if ev is None:
            return
        if self._runs_key != self._key_of(*self._runs(ev)):
            self._invalidate_soon()


class CampusNetworkItem(QGraphicsItem):
    """The fabric across halls, in scene coordinates (site metres, y flipped): leaf
    uplinks to a spine rack in another hall (always), and, zoomed out, one thin line per
    pair of halls whose upper tiers are linked, between their spine rooms, with a marker
    on each spine room."""

    def __init__(self, options) -> None:
        super().__init__()
        self.options = options
        self.setZValue(-0.5)   # under the halls' equipment and titles, over the floor
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._key = None
        self._bounds = QRectF()
        #: medium → path of leaf → spine links between halls (scene coordinates)
        self.leaf_paths: list[tuple[int, QPainterPath]] = []
        #: medium → path of the lines between spine rooms
        self.room_paths: list[tuple[int, QPainterPath]] = []
        self.rooms = np.zeros((0, 2))      # spine-room centres (scene coordinates)
        self.room_links = 0                # lines between spine rooms
        self.leaf_links = 0                # leaf → spine runs between halls

    def set_evaluation(self, evaluation) -> None:
        """Recompute when the fabric or the halls' places changed."""
        design = self.options.scene.design
        if evaluation is None or design is None or len(evaluation.items.status) != len(design.equipment):
            return
        offsets = design.hall_offsets()
        fab = getattr(evaluation, "fabric", None)
        if self._key is not None and self._key[0] is fab and self._key[1] == offsets:
            return
        key = (fab, offsets, self._drawn_from(fab, design))
        if self._key is not None and key[1:] == self._key[1:]:
            self._key = key   # a new fabric, the same links between halls
            return
        self._key = key
        self._compute(evaluation, design, offsets)

    @staticmethod
    def _drawn_from(fab, design) -> tuple:
        """What the item's lines depend on: the links between halls and where the spine
        racks and those links' ends stand."""
        if fab is None or not len(fab.links.a):
            return ()
        t = design.equipment
        links = fab.links
        sel = np.flatnonzero(links.inter_hall)
        ends = np.concatenate([links.a[sel], links.b[sel], np.asarray(fab.spine_rows, np.int64)])
        return (links.a[sel].tobytes(), links.b[sel].tobytes(), links.medium[sel].tobytes(), ends.tobytes(),
                t.x[ends].tobytes(), t.y[ends].tobytes(), t.hall_code[ends].tobytes())

    def _compute(self, evaluation, design, offsets: dict) -> None:
        t = design.equipment
        fab = fabric_of(evaluation)
        leaf, room, rooms = [], [], np.zeros((0, 2))
        if fab is not None:
            links = fab.links
            ox = np.array([offsets.get(h, (0.0, 0.0))[0] for h in t.halls.names] + [0.0])
            oy = np.array([offsets.get(h, (0.0, 0.0))[1] for h in t.halls.names] + [0.0])

            def scene_xy(rows):
                h = t.hall_code[rows]
                return np.column_stack([t.x[rows] + ox[h], -(t.y[rows] + oy[h])])

            between = links.inter_hall
            tier1 = np.flatnonzero(between & (links.tier == LEAF_TIER))
            if len(tier1):
                seg = np.hstack([scene_xy(links.a[tier1]), scene_xy(links.b[tier1])])
                leaf = [(seg, links.medium[tier1])]
            upper = np.flatnonzero(between & (links.tier > LEAF_TIER))
            # each hall's spine room: the centre of its spine racks
            spines = np.asarray(fab.spine_rows, np.int64)
            if len(spines):
                w = np.ones(len(spines))
                xy = scene_xy(spines)
                h = t.hall_code[spines]
                n = len(t.halls.names)
                weight = np.bincount(h, w, minlength=n)
                cx = np.bincount(h, w * xy[:, 0], minlength=n)
                cy = np.bincount(h, w * xy[:, 1], minlength=n)
                has = weight > 0
                centre = np.zeros((n, 2))
                centre[has] = np.column_stack([cx[has], cy[has]]) / weight[has, None]
                rooms = centre[has]
                if len(upper):
                    ha, hb = t.hall_code[links.a[upper]], t.hall_code[links.b[upper]]
                    ok = has[ha] & has[hb] & (ha != hb)
                    seg = np.hstack([centre[ha[ok]], centre[hb[ok]]])
                    room = [(seg, links.medium[upper][ok])]
        self.leaf_paths = _paths_by_medium(leaf)
        self.room_paths = _paths_by_medium(room)
        self.leaf_links = int(sum(len(s) for s, _ in leaf))
        self.room_links = int(sum(len(s) for s, _ in room))
        self.rooms = rooms
        pts = [rooms] + [s.reshape(-1, 2) for s, _ in leaf + room]
        pts = np.concatenate(pts) if any(len(p) for p in pts) else np.zeros((0, 2))
        self.prepareGeometryChange()
        if len(pts):
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            m = 5.0
            self._bounds = QRectF(QPointF(lo[0] - m, lo[1] - m), QPointF(hi[0] + m, hi[1] + m))
        else:
            self._bounds = QRectF()
        self.update()

    # ------------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self._bounds.isNull():
            return
        ppm = pixels_per_metre(painter)
        if widget is not None or painting_cache(painter):
            cache_for_zoom(self, ppm)
        exposed_rect(painter, option, self._bounds)
        styles = self.options.styles()
        media = list(styles.media.values()) if styles is not None else []

        def pen_of(m: int, width: float, thin: bool = False):
            color = media[m][1] if 0 <= m < len(media) else UNREACHABLE_CABLE
            style = Qt.PenStyle.SolidLine if 0 <= m < len(media) else Qt.PenStyle.DashLine
            return cosmetic_pen(faint(color) if thin else color, width, style)

        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if ppm < LOD_CAMPUS_LINKS and self.room_paths:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            for m, path in self.room_paths:
                painter.setPen(pen_of(m, 1.0, thin=True))
                painter.drawPath(path)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(cosmetic_pen(QColor(255, 255, 255), 1.0))
            painter.setBrush(SPINE_ROOM_COLOR)
            r = SPINE_ROOM_PX / max(ppm, 1e-6)
            for x, y in self.rooms:
                painter.drawEllipse(QPointF(float(x), float(y)), r, r)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for m, path in self.leaf_paths:
            painter.setPen(pen_of(m, 1.5))
            painter.drawPath(path)
        painter.restore()


def _paths_by_medium(parts: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, QPainterPath]]:
    """One path of segments (n, 4) per medium; the long-reach media first, so the
    short-reach ones stay on top; beyond reach (-1) last."""
    if not parts:
        return []
    seg = np.concatenate([s for s, _ in parts])
    medium = np.concatenate([m for _, m in parts])
    out = [(int(m), segments_path(seg[medium == m])) for m in np.unique(medium)]
    out.sort(key=lambda mp: (mp[0] < 0, -mp[0]))
    return out


def unreachable_runs(evaluation) -> bool:
    """Whether any fabric run is beyond every medium's reach."""
    fab = fabric_of(evaluation)
    return fab is not None and bool(fab.links.medium.min() < 0)


_MEDIA_MEMO: list = [None, []]   # (fabric, its media): the legend asks at every evaluation


def media_of_fabric(evaluation) -> list[int]:
    """The media (evaluation order) the fabric's links use."""
    fab = fabric_of(evaluation)
    if fab is None:
        return []
    if _MEDIA_MEMO[0] is not fab:
        m = np.unique(fab.links.medium)
        _MEDIA_MEMO[:] = [fab, [int(v) for v in m if v >= 0]]
    return list(_MEDIA_MEMO[1])
