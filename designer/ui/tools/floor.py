"""What the editing tools read from the document, as arrays: a hall's equipment for
picking and rubber bands, what a gesture moves or adds, and the placement checks of
the engine (:mod:`designer.engine.placement`) — computed once per model change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from designer.catalog import Catalog
from designer.engine.placement import Footprints, PlacementCheck
from designer.engine.settings import Settings
from designer.engine.types import BUSWAY, COMPUTE, KIND_CODES, TypeTable
from designer.model import Design, Equipment
from designer.model.design import EquipmentTable
from designer.ui.canvas.painting import footprint_corners
from designer.ui.canvas.styles import FRONT_MARK_M
from designer.ui.document import Document

#: A point within this of a footprint's edge is on it (metres, as the engine's 1 µm).
EPS_M = 1e-6


@dataclass
class Shapes:
    """Floor footprints and busway segments in one hall's plan metres: what a gesture
    moves or adds."""

    footprints: Footprints
    segments: np.ndarray  # busways (k, 4): x1, y1, x2, y2

    @classmethod
    def of_rows(cls, table: EquipmentTable, types: TypeTable, rows: np.ndarray) -> "Shapes":
        """The shapes of equipment rows (floor items and busways sorted out)."""
        rows = np.asarray(rows, np.int64)
        kind = types.kind[table.type_code[rows]]
        bw = rows[(kind == BUSWAY) & np.isfinite(table.x2[rows])]
        return cls(Footprints.of_rows(table, types, rows),
                   np.stack([table.x[bw], table.y[bw], table.x2[bw], table.y2[bw]], axis=1) if len(bw)
                   else np.zeros((0, 4)))

    @classmethod
    def of_records(cls, records: Sequence[Equipment], catalog: Catalog) -> "Shapes":
        """The shapes of records not (yet) in the design."""
        floor, segs = [], []
        for r in records:
            spec = catalog.types.get(r.type)
            if r.end is not None:
                segs.append((r.x, r.y, r.end[0], r.end[1]))
            elif spec is None:  # not in the catalog: a rack-sized box, as the canvas draws it
                floor.append((r.x, r.y, r.rotation, 0.6, 1.2, COMPUTE))
            else:
                floor.append((r.x, r.y, r.rotation, spec.width_m, spec.depth_m, KIND_CODES.get(spec.kind, COMPUTE)))
        f = np.array(floor, float).reshape(-1, 6)
        return cls(Footprints(f[:, 0], f[:, 1], f[:, 2], f[:, 3], f[:, 4], f[:, 5].astype(np.int8)),
                   np.array(segs, float).reshape(-1, 4))

    def __len__(self) -> int:
        return len(self.footprints) + len(self.segments)

    def corners(self) -> np.ndarray:
        """Corners (n, 4, 2) of the footprints."""
        fp = self.footprints
        return footprint_corners(fp.x, fp.y, fp.rotation, fp.width, fp.depth)

    def fronts(self) -> np.ndarray:
        """The strip along each front (to show which way a ghost faces)."""
        fp = self.footprints
        return footprint_corners(fp.x, fp.y, fp.rotation, fp.width, fp.depth, np.minimum(FRONT_MARK_M, 0.2 * fp.depth))

    def box(self) -> np.ndarray | None:
        """x min, y min, x max, y max of everything (None when empty)."""
        parts = []
        if len(self.footprints):
            parts.append(self.footprints.boxes(shrink=0.0))
        if len(self.segments):
            parts.append(segment_boxes(self.segments))
        if not parts:
            return None
        b = np.concatenate(parts)
        return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


class FloorGeometry:
    """One hall's equipment as arrays, for picking and rubber bands."""

    def __init__(self, design: Design, types: TypeTable, hall_id: str) -> None:
        t = design.equipment
        code = t.halls.codes.get(hall_id)
        in_hall = (t.hall_code == code) if code is not None else np.zeros(len(t), bool)
        kind = types.kind[t.type_code] if len(t) else np.zeros(0, np.int8)
        self.rows = np.flatnonzero(in_hall & (kind != BUSWAY))
        self.footprints = Footprints.of_rows(t, types, self.rows)
        self.boxes = self.footprints.boxes(shrink=0.0)
        self.busway_rows = np.flatnonzero(in_hall & (kind == BUSWAY) & np.isfinite(t.x2))
        r = self.busway_rows
        self.segments = np.stack([t.x[r], t.y[r], t.x2[r], t.y2[r]], axis=1) if len(r) else np.zeros((0, 4))

    def hits(self, x: float, y: float, tolerance_m: float) -> np.ndarray:
        """Equipment rows under a plan point, in picking order: footprints holding it
        (smallest first), then busways within ``tolerance_m`` (nearest first)."""
        fp = self.footprints
        th = np.radians(fp.rotation)
        c, s = np.cos(th), np.sin(th)
        dx, dy = x - fp.x, y - fp.y
        u, v = dx * c + dy * s, -dx * s + dy * c  # into each footprint's own frame
        inside = np.flatnonzero((np.abs(u) <= fp.width / 2 + EPS_M) & (np.abs(v) <= fp.depth / 2 + EPS_M))
        inside = inside[np.argsort((fp.width * fp.depth)[inside], kind="stable")]
        near = np.zeros(0, np.int64)
        if len(self.segments):
            dist = segment_distance(self.segments, x, y)
            near = np.flatnonzero(dist <= tolerance_m)
            near = near[np.argsort(dist[near], kind="stable")]
        return np.concatenate([self.rows[inside], self.busway_rows[near]]).astype(np.int64)

    def rows_in(self, box: Sequence[float], crossing: bool) -> np.ndarray:
        """Rows inside a plan box (``crossing``: touching it is enough)."""
        x0, y0, x1, y1 = box
        out = []
        for rows, b in ((self.rows, self.boxes), (self.busway_rows, segment_boxes(self.segments))):
            if not len(rows):
                continue
            if crossing:
                m = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
            else:
                m = (b[:, 0] >= x0) & (b[:, 2] <= x1) & (b[:, 1] >= y0) & (b[:, 3] <= y1)
            out.append(rows[m])
        return np.concatenate(out) if out else np.zeros(0, np.int64)


def segment_boxes(seg: np.ndarray) -> np.ndarray:
    """Boxes (k, 4) of segments (k, 4)."""
    if not len(seg):
        return np.zeros((0, 4))
    return np.stack([np.minimum(seg[:, 0], seg[:, 2]), np.minimum(seg[:, 1], seg[:, 3]),
                     np.maximum(seg[:, 0], seg[:, 2]), np.maximum(seg[:, 1], seg[:, 3])], axis=1)


def segment_distance(seg: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from a point to each segment (k, 4)."""
    ax, ay, bx, by = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = np.clip(((x - ax) * vx + (y - ay) * vy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return np.hypot(ax + t * vx - x, ay + t * vy - y)


class FloorCache:
    """The document as the tools read it, kept until the model changes: the catalog with
    the design's overrides, the engine's type table and settings, each hall's floor."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._cache: dict = {}

    def clear(self) -> None:
        """Forget everything (the model changed)."""
        self._cache.clear()

    @property
    def design(self) -> Design:
        return self.document.design

    @property
    def catalog(self) -> Catalog:
        """The catalog with the design's assumption overrides (racks per UltraServer …)."""
        cat = self._cache.get("catalog")
        if cat is None:
            try:
                cat = self.document.catalog.with_overrides(self.design.assumptions)
            except ValueError:  # an invalid override is the engine's to report
                cat = self.document.catalog
            self._cache["catalog"] = cat
        return cat

    def types(self) -> TypeTable:
        """The engine's per-type figures for the design's equipment table."""
        table = self._cache.get("types")
        names = self.design.equipment.types.names
        if table is None or len(table.kind) != len(names):
            table = self._cache["types"] = TypeTable.build(list(names), self.catalog)
        return table

    def engine_settings(self) -> Settings:
        """The engine's design-wide figures (service clearances …)."""
        st = self._cache.get("settings")
        if st is None:
            st = self._cache["settings"] = Settings.from_catalog(self.catalog)
        return st

    def floor(self, hall_id: str) -> FloorGeometry:
        """A hall's equipment as arrays."""
        key = ("floor", hall_id)
        geometry = self._cache.get(key)
        if geometry is None:
            geometry = self._cache[key] = FloorGeometry(self.design, self.types(), hall_id)
        return geometry

    def placement_check(self, hall_id: str, exclude_rows: Iterable[int] = ()) -> PlacementCheck:
        """The engine's rules for placing footprints in a hall, ignoring the rows being moved."""
        floor = self.floor(hall_id)
        keep = np.flatnonzero(~np.isin(floor.rows, np.fromiter(exclude_rows, np.int64)))
        st = self.engine_settings()
        return PlacementCheck(self.design.hall(hall_id), floor.footprints.take(keep), st.front_m, st.rear_m)
