"""The cables overlay: scale-out cable routes from each rack to its network rack, in
the colour of the medium the engine chose."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath

from designer.engine import boxes as bx
from designer.ui.canvas.overlays.base import ChunkedShapes, HallOverlay
from designer.ui.canvas.painting import cosmetic_pen, segments_path
from designer.ui.canvas.styles import CHUNK_M, LOD_MERGE, LOD_OUTLINES, WHOLE_HALL
from designer.ui.evaluation_cache import derived

UNREACHABLE_CABLE = QColor("#d62728")
#: Zoom (px/m) below which cable routes are decimated to a pixel grid.
LOD_CABLE_DECIMATE = 3.0
#: Distance between the lanes of different cable media sharing a tray (pixels).
LANE_PX = 3.5
#: Radius of the dot marking where a rack's cables drop from the tray (metres).
DOT_M = 0.09


def links_in_hall(evaluation, design, hall_id: str) -> np.ndarray:
    """Indices into ``evaluation.items.links`` of the links whose rack stands in a hall
    (sorted by hall once per evaluation, then sliced)."""
    t = design.equipment
    cached = derived(evaluation).get("ui.links_by_hall")
    if cached is None:
        links = evaluation.items.links
        hc = t.hall_code[links.rack] if len(links.rack) else np.zeros(0, np.int64)
        order = np.argsort(hc, kind="stable")
        bounds = np.searchsorted(hc[order], np.arange(len(t.halls.names) + 1))
        cached = derived(evaluation)["ui.links_by_hall"] = (order, bounds)
    order, bounds = cached
    code = t.halls.codes.get(hall_id)
    if code is None or code + 1 >= len(bounds):
        return np.zeros(0, np.int64)
    return order[bounds[code]:bounds[code + 1]]


class CableOverlay(HallOverlay):
    """Scale-out cable routes: one L-shaped Manhattan polyline per (rack, network rack)
    link group, first along the rack's row (in the tray over the rear half of the
    racks), then across to the network rack; coloured by the medium the engine chose
    (red dashes where no medium reaches). Zoomed out, routes are snapped to a grid of
    a few pixels and merged into trunks."""

    kind = "cables"
    z = 4.0
    #: line width in pixels (zoomed in, zoomed out) and the casing under each line
    line_px = (2.0, 1.0)
    casing = QColor(255, 255, 255)
    #: draw the casing zoomed out too (else only once racks show their outlines)
    casing_always = False

    def compute(self):
        hall = self.hall_item
        ev = hall.evaluation()
        if ev is None:
            return None
        idx = links_in_hall(ev, hall.design, hall.hall.id)
        if not len(idx):
            return None
        links = ev.items.links
        return self.routes(links.rack[idx], links.network[idx], np.asarray(links.medium)[idx])

    def routes(self, r: np.ndarray, n: np.ndarray, medium: np.ndarray) -> dict:
        """The arrays :meth:`draw` paints for routes from racks ``r`` to racks ``n``
        (design rows of this hall) on cable media ``medium`` (-1: none reaches)."""
        t = self.hall_item.design.equipment
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
        width = self.line_px[0] if detailed else self.line_px[1]
        casing = cosmetic_pen(self.casing, width + 2.0)  # opaque: translucent lines draw slowly
        cased = detailed or self.casing_always
        for m in sorted(by_medium, key=lambda m: (m < 0, -m)):  # long reach first, short on top
            lane = lanes.index(m) - (len(lanes) - 1) / 2.0 if detailed else 0.0
            shift = lane * LANE_PX / ppm
            painter.save()
            painter.translate(shift, shift)
            if 0 <= m < len(media):
                pen = cosmetic_pen(media[m][1], width)
            else:
                pen = cosmetic_pen(UNREACHABLE_CABLE, width + 0.5, Qt.PenStyle.DashLine)
            for p in ((casing, pen) if cased else (pen,)):
                painter.setPen(p)
                for path in by_medium[m]:
                    painter.drawPath(path)
            painter.restore()
        if ppm * DOT_M >= 1.5:  # the racks' drops, once a dot is a few pixels wide
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            edge = cosmetic_pen(QColor(255, 255, 255), 1.0, alpha=220)
            painter.setPen(edge)
            for g in groups:
                for m, path in data["dots"].runs(int(g)):
                    painter.setBrush(media[m][1] if 0 <= m < len(media) else UNREACHABLE_CABLE)
                    painter.drawPath(path)
