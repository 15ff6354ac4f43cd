"""Where footprints may go in a hall, asked before they are placed (the editor's ghost).

The evaluation's floor rules (:mod:`designer.engine.rules.placement`) for candidate
footprints against the hall's other equipment, without evaluating the design:

* **overlap** — a candidate's footprint overlaps another item's;
* **obstruction** — it stands on a column or keep-out zone;
* **outside-hall** — it is not inside the hall's outline;
* **clearance** — it stands in another item's service zone (it would block that item's
  clearance), or one of its own service zones (:mod:`designer.engine.zones`) holds
  another item or an obstacle, or runs into the wall.

Candidates are checked against the others, not against each other: a group moves
rigidly, so what holds between its members does not change wherever it goes. Boxes
(:mod:`designer.engine.boxes`, shrunk by 1 µm so that touching is not overlapping)
find the candidate pairs; the evaluation's exact tests decide those of items at odd
angles (:func:`designer.engine.shapes.rectangles_overlap`) and on obstacles that are not
rectangles (interiors that meet). A check is built once per gesture and answers for the
candidates at any shift in a fraction of a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from designer.engine import boxes as bx
from designer.engine.shapes import rect_box, rectangles_overlap
from designer.engine.types import BUSWAY, TypeTable
from designer.engine.zones import ServiceZones, service_zones, zone_centres
from designer.model.design import EquipmentTable, Hall

#: Above this many box comparisons a grid index pairs the boxes instead of brute force.
_BRUTE_PAIRS = 1 << 20


@dataclass(frozen=True)
class Footprints:
    """Floor items as columns, in plan metres: centres, rotation (degrees, counter-
    clockwise; the front faces −y at 0°), width, depth and kind code."""

    x: np.ndarray
    y: np.ndarray
    rotation: np.ndarray
    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray

    @classmethod
    def of_rows(cls, table: EquipmentTable, types: TypeTable, rows: np.ndarray) -> "Footprints":
        """The footprints of equipment rows (busways, which stand on no floor, left out)."""
        rows = np.asarray(rows, np.int64)
        tc = table.type_code[rows]
        floor = types.kind[tc] != BUSWAY
        rows, tc = rows[floor], tc[floor]
        return cls(table.x[rows].copy(), table.y[rows].copy(), table.rotation[rows].copy(), types.width[tc],
                   types.depth[tc], types.kind[tc])

    @classmethod
    def empty(cls) -> "Footprints":
        z = np.zeros(0)
        return cls(z, z, z, z, z, np.zeros(0, np.int8))

    def __len__(self) -> int:
        return len(self.x)

    def take(self, index: np.ndarray) -> "Footprints":
        """Some of them, by index."""
        return Footprints(self.x[index], self.y[index], self.rotation[index], self.width[index], self.depth[index],
                          self.kind[index])

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """cos and sin of each rotation (exact at multiples of 90°)."""
        return bx.axes(self.rotation)

    def boxes(self, shrink: float = bx.EPS_M) -> np.ndarray:
        """Bounding boxes (n, 4), shrunk by ``shrink`` on every side."""
        return bx.boxes(self.x, self.y, self.width, self.depth, *self.axes(), shrink)

    def zones(self, front_m: float, rear_m: float) -> ServiceZones:
        """Their service zones that keep floor clear (deeper than 0)."""
        return service_zones(self.kind, front_m, rear_m).clearing()


class _Rects:
    """Rotated rectangles as boxes (shrunk by 1 µm), with exact corners made only for
    those at odd angles. As in the evaluation, footprints are tested exactly shrunk like
    their boxes and service zones at their full size (``exact_shrink``); both are shrunk
    when tested against the outline."""

    def __init__(self, cx, cy, width, depth, c, s, exact_shrink: float) -> None:
        self.cx, self.cy, self.width, self.depth, self.c, self.s = cx, cy, width, depth, c, s
        self.boxes = bx.boxes(cx, cy, width, depth, c, s)
        self.aligned = (c == 0) | (s == 0)
        self.exact_shrink = exact_shrink

    def __len__(self) -> int:
        return len(self.cx)

    def corners(self, k: np.ndarray, dx: float = 0.0, dy: float = 0.0, shrink: float | None = None) -> np.ndarray:
        """Corners (n, 4, 2) of rectangles ``k`` shifted by (dx, dy), shrunk by ``shrink``
        on every side (default: as their exact tests)."""
        e = 2 * (self.exact_shrink if shrink is None else shrink)
        return bx.rect_corners(self.cx[k] + dx, self.cy[k] + dy, self.width[k] - e, self.depth[k] - e,
                               self.c[k], self.s[k])


def _footprint_rects(fp: Footprints) -> _Rects:
    c, s = fp.axes()
    return _Rects(fp.x, fp.y, fp.width, fp.depth, c, s, bx.EPS_M)


def _zone_rects(fp: Footprints, zones: ServiceZones) -> _Rects:
    c, s = fp.axes()
    o = zones.owner
    zx, zy = zone_centres(fp.x, fp.y, fp.depth, c, s, zones)
    return _Rects(zx, zy, fp.width[o], zones.length_m, c[o], s[o], 0.0)


class _Pairing:
    """Boxes that candidates are paired with: by brute force for a few candidates, by a
    grid index (built on first need) for many; both report the same pairs."""

    def __init__(self, boxes: np.ndarray) -> None:
        self.boxes = boxes
        self._key = np.zeros(len(boxes), np.int64)
        self._index: bx.BoxIndex | None = None

    def pairs(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i of q, j of these boxes) that overlap with positive area."""
        if not len(q) or not len(self.boxes):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        qkey = np.zeros(len(q), np.int64)
        if len(q) * len(self.boxes) <= _BRUTE_PAIRS:
            return bx.overlapping(q, qkey, self.boxes, self._key)
        if self._index is None:
            self._index = bx.BoxIndex(self.boxes, self._key)
        return self._index.query(q, qkey)


@dataclass
class Candidates:
    """Footprints to be placed, prepared once for :meth:`PlacementCheck.check` at any shift."""

    footprints: Footprints
    zones: ServiceZones
    rects: _Rects
    zone_rects: _Rects

    def __len__(self) -> int:
        return len(self.footprints)


@dataclass
class Verdict:
    """Which candidates (and which of their service zones) would break a rule."""

    overlap: np.ndarray      # per candidate: overlaps another item
    obstructed: np.ndarray   # stands on a column or keep-out zone
    outside: np.ndarray      # not inside the hall's outline
    in_zone: np.ndarray      # stands in another item's service zone
    zone_blocked: np.ndarray  # per candidate zone: holds an item or obstacle, or meets the wall

    @property
    def footprint_bad(self) -> np.ndarray:
        """Per candidate: breaks a rule with its footprint."""
        return self.overlap | self.obstructed | self.outside | self.in_zone

    @property
    def ok(self) -> bool:
        """Nothing breaks a rule."""
        return not (self.footprint_bad.any() or self.zone_blocked.any())


class PlacementCheck:
    """The floor rules for candidates in one hall against its other equipment (``others``:
    the items that stay where they are) and its columns, keep-outs and outline."""

    def __init__(self, hall: Hall, others: Footprints, front_m: float, rear_m: float) -> None:
        self.front_m, self.rear_m = float(front_m), float(rear_m)
        self.others = others
        self._rects = _footprint_rects(others)
        self._others = _Pairing(self._rects.boxes)
        self._zones: tuple[_Rects, _Pairing] | None = None
        obstacles = [tuple(map(tuple, p)) for p in (*hall.columns, *hall.keepouts) if len(p) >= 3]
        self._obstacle_shapes = np.empty(len(obstacles), object)
        self._obstacle_shapes[:] = [shapely.Polygon(p) for p in obstacles]
        self._obstacle_rect = np.array([rect_box(p) is not None for p in obstacles], bool)
        ob_boxes = np.array([[min(x for x, _ in p), min(y for _, y in p), max(x for x, _ in p),
                              max(y for _, y in p)] for p in obstacles], float).reshape(-1, 4)
        self._obstacles = _Pairing(ob_boxes)
        self.outline = None
        self.hall_box: np.ndarray | None = None  # the outline's box when it is an upright rectangle
        points = tuple(map(tuple, hall.outline))
        if len(points) >= 3:
            outline = shapely.Polygon(points)
            self.outline = outline if outline.is_valid else shapely.make_valid(outline)
            shapely.prepare(self.outline)
            box = rect_box(points)
            self.hall_box = None if box is None else np.array(box, float)

    # ------------------------------------------------------------------ candidates
    def prepare(self, footprints: Footprints) -> Candidates:
        """Candidates for :meth:`check`: their boxes and service zones, computed once."""
        zones = footprints.zones(self.front_m, self.rear_m)
        return Candidates(footprints, zones, _footprint_rects(footprints), _zone_rects(footprints, zones))

    def neighbour_boxes(self) -> np.ndarray:
        """The others' footprints as boxes (n, 4), not shrunk (what a placement snaps to)."""
        return self.others.boxes(shrink=0.0)

    def check(self, cand: Candidates, dx: float = 0.0, dy: float = 0.0) -> Verdict:
        """Which candidates, moved by (dx, dy) metres, would break a rule."""
        rects = cand.rects
        fb = rects.boxes + np.array([dx, dy, dx, dy])
        outside = ~self._inside(rects, fb, dx, dy)
        overlap = self._hits(rects, fb, self._rects, self._others, dx, dy)
        obstructed = self._on_obstacles(rects, fb, dx, dy)
        in_zone = np.zeros(len(cand), bool)
        if self.front_m > 0 or self.rear_m > 0:
            others_zones, pairing = self._other_zones()
            in_zone = self._hits(rects, fb, others_zones, pairing, dx, dy)
        return Verdict(overlap, obstructed, outside, in_zone, self._zones_blocked(cand, dx, dy, ~outside))

    def zones_blocked(self, cand: Candidates) -> np.ndarray:
        """Per candidate zone, where the candidates stand: whether it holds one of the
        others or an obstacle, or runs into the wall while its item stands inside (the
        evaluation's clearance rule). The candidates may be among the others: an item's
        own footprint only touches its zones."""
        return self._zones_blocked(cand, 0.0, 0.0, self._inside(cand.rects, cand.rects.boxes, 0.0, 0.0))

    def _zones_blocked(self, cand: Candidates, dx: float, dy: float, inside: np.ndarray) -> np.ndarray:
        zrects = cand.zone_rects
        zb = zrects.boxes + np.array([dx, dy, dx, dy])
        return (self._hits(zrects, zb, self._rects, self._others, dx, dy)
                | self._on_obstacles(zrects, zb, dx, dy)
                | (~self._inside(zrects, zb, dx, dy) & inside[cand.zones.owner]))

    def covers_equipment(self, box) -> bool:
        """Whether a box (x0, y0, x1, y1) covers some of the others' floor (a new column)."""
        q = np.asarray(box, float).reshape(1, 4)
        return bool(len(self._others.pairs(q)[0]))

    def segments_inside(self, segments: np.ndarray, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
        """Per busway segment (k, 4: x1, y1, x2, y2) moved by (dx, dy): within the outline."""
        if not len(segments):
            return np.zeros(0, bool)
        if self.outline is None:
            return np.zeros(len(segments), bool)
        moved = np.asarray(segments, float) + np.array([dx, dy, dx, dy])
        return shapely.covers(self.outline, shapely.linestrings(moved.reshape(-1, 2, 2)))

    # ------------------------------------------------------------------ rules
    def _other_zones(self) -> tuple[_Rects, _Pairing]:
        if self._zones is None:
            zones = self.others.zones(self.front_m, self.rear_m)
            rects = _zone_rects(self.others, zones)
            self._zones = (rects, _Pairing(rects.boxes))
        return self._zones

    @staticmethod
    def _hits(rects: _Rects, boxes: np.ndarray, targets: _Rects, pairing: _Pairing, dx: float, dy: float
              ) -> np.ndarray:
        """Per rectangle (at ``boxes``: moved by dx, dy): overlaps one of ``targets``
        (boxes; the exact test for pairs at odd angles)."""
        i, j = pairing.pairs(boxes)
        out = np.zeros(len(rects), bool)
        exact = ~(rects.aligned[i] & targets.aligned[j])
        out[i[~exact]] = True
        if exact.any():
            hit = rectangles_overlap(rects.corners(i[exact], dx, dy), targets.corners(j[exact]))
            out[i[exact][hit]] = True
        return out

    def _on_obstacles(self, rects: _Rects, boxes: np.ndarray, dx: float, dy: float) -> np.ndarray:
        """Per rectangle: its interior meets a column or keep-out zone."""
        i, o = self._obstacles.pairs(boxes)
        out = np.zeros(len(rects), bool)
        exact = ~(self._obstacle_rect[o] & rects.aligned[i])
        out[i[~exact]] = True
        if exact.any():
            shapes = shapely.polygons(rects.corners(i[exact], dx, dy))
            hit = shapely.relate_pattern(shapes, self._obstacle_shapes[o[exact]], "T********")
            out[i[exact][hit]] = True
        return out

    def _inside(self, rects: _Rects, boxes: np.ndarray, dx: float, dy: float) -> np.ndarray:
        """Per rectangle: inside the outline (touching the wall is inside)."""
        if self.outline is None:
            return np.zeros(len(rects), bool)
        if self.hall_box is not None:
            inside = bx.inside_box(boxes, np.broadcast_to(self.hall_box, boxes.shape))
            odd = np.flatnonzero(~rects.aligned)
        else:
            inside = np.zeros(len(rects), bool)
            odd = np.arange(len(rects))
        if len(odd):
            inside[odd] = shapely.covers(self.outline, shapely.polygons(rects.corners(odd, dx, dy, bx.EPS_M)))
        return inside
