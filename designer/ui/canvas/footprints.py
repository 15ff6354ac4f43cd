"""One hall's equipment as the canvas paints it: footprints and busways as arrays in
item coordinates (y flipped), grouped into square floor chunks and, within a chunk,
by type, so that painting a visible chunk is one ``drawPath`` per colour.

A rebuild after a drag compares the new arrays with the previous ones: the chunks that
no moved footprint left or entered keep their cached paths, and only the floor the
moved ones covered before and cover now is repainted (:meth:`HallFootprints.changes_since`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.engine.types import BUSWAY
from designer.model import Design
from designer.ui.canvas.painting import footprint_corners
from designer.ui.canvas.styles import CHUNK_M, FRONT_MARK_M, WHOLE_HALL, TypeStyle, density_class


def hall_rows(design: Design, hall_id: str, styles: TypeStyle) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a hall's floor equipment and of its busways, ascending."""
    t = design.equipment
    code = t.halls.codes.get(hall_id)
    in_hall = (t.hall_code == code) if code is not None else np.zeros(len(t), bool)
    is_busway = styles.kind[t.type_code] == BUSWAY if len(t) else np.zeros(0, bool)
    return np.flatnonzero(in_hall & ~is_busway), np.flatnonzero(in_hall & is_busway & np.isfinite(t.x2))


@dataclass
class FootprintChange:
    """How a rebuild differs from the previous one: which chunks keep their paths (old
    chunk → new chunk; None: none do), the item points (k, 2) around which to repaint
    (None: the whole hall), and whether the busways stayed the same."""

    carried: dict[int, int] | None
    dirty: np.ndarray | None
    busways_same: bool


class HallFootprints:
    """A hall's footprints (sorted by chunk, then type) and busways, from the table."""

    def __init__(self, design: Design, hall_id: str, styles: TypeStyle) -> None:
        t = design.equipment
        self.styles = styles
        rows, self.busway_rows = hall_rows(design, hall_id, styles)
        self.rows_sorted = rows  # ascending; self.rows is in paint order
        self.row_ids = [t.ids[int(i)] for i in rows]
        self.busway_types = t.type_code[self.busway_rows].copy()
        r = self.busway_rows
        self.busway_segments = np.stack([t.x[r], -t.y[r], t.x2[r], -t.y2[r]], axis=1)
        types = t.type_code[rows]
        w, d = styles.width[types], styles.depth[types]
        x, y, rot = t.x[rows], t.y[rows], t.rotation[rows]
        corners = footprint_corners(x, y, rot, w, d)
        front = footprint_corners(x, y, rot, w, d, np.minimum(FRONT_MARK_M, 0.2 * d))
        corners[..., 1] *= -1.0  # plan → item coordinates (north up)
        front[..., 1] *= -1.0
        cx, cy = x, -y
        kx = np.floor(cx / CHUNK_M).astype(np.int64)
        ky = np.floor(cy / CHUNK_M).astype(np.int64)
        chunk_keys, chunk = np.unique(np.stack([kx, ky], axis=1), axis=0, return_inverse=True) \
            if len(rows) else (np.zeros((0, 2), np.int64), np.zeros(0, np.int64))
        chunk = chunk.ravel()
        order = np.lexsort((types, chunk))
        self.order = order
        self.ids_list = t.ids  # replaced (not mutated) by inserts and deletes: see sync_rows
        self.rows = rows[order]
        self.types = types[order]
        self.kind = styles.kind[self.types] if len(self.types) else np.zeros(0, np.int8)
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
        self.density_key = density_class(styles.density_kw_m2()[self.types]) if len(self.types) \
            else np.zeros(0, np.int64)
        self.chunk_keys = chunk_keys

    def __len__(self) -> int:
        return len(self.rows)

    # ------------------------------------------------------------------ rows
    def sync_rows(self, design: Design, hall_id: str) -> bool:
        """Re-read the row numbers after items were added to or removed from *other*
        halls (the footprints are unchanged, their rows in the table shifted). False when
        this hall's items changed too: the footprints must be rebuilt."""
        t = design.equipment
        if t.ids is self.ids_list:
            return True
        rows, busways = hall_rows(design, hall_id, self.styles)
        if len(rows) != len(self.order) or len(busways) != len(self.busway_rows):
            return False
        self.rows = rows[self.order]
        self.busway_rows = busways
        self.ids_list = t.ids
        return True

    def changes_since(self, before: HallFootprints | None, design: Design) -> FootprintChange:
        """Compared with the previous build: footprints are compared row by row; the
        chunks that held or now hold a changed footprint lose their paths, every other
        chunk keeps them (under its new chunk number). Anything else (rows added or
        removed, new sizes, busways changed, ids renamed) repaints the hall."""
        if before is None:
            return FootprintChange(None, None, False)
        t = design.equipment
        rows = self.rows_sorted
        old_st, st = before.styles, self.styles
        if (not np.array_equal(before.rows_sorted, rows)
                or (old_st is not st and not (np.array_equal(old_st.width, st.width)
                                              and np.array_equal(old_st.depth, st.depth)
                                              and np.array_equal(old_st.kind, st.kind)))):
            return FootprintChange(None, None, False)
        if not (np.array_equal(before.busway_rows, self.busway_rows)
                and np.array_equal(before.busway_segments, self.busway_segments)
                and np.array_equal(before.busway_types, self.busway_types)):
            return FootprintChange(None, None, False)
        if before.row_ids != self.row_ids:
            return FootprintChange(None, None, True)  # renamed: labels (and perhaps more) change
        # per hall row, in ascending row order (the unsorted order of both builds)
        n = len(rows)
        old = np.empty((n, 4))
        old[before.order] = np.column_stack([before.centres[:, 0], -before.centres[:, 1], before.rotation,
                                             before.types])
        changed = ~((t.x[rows] == old[:, 0]) & (t.y[rows] == old[:, 1])
                    & (t.rotation[rows] == old[:, 2]) & (t.type_code[rows] == old[:, 3]))
        if not changed.any():
            same = {c: c for c in range(len(self.chunk_keys))} | {WHOLE_HALL: WHOLE_HALL}
            return FootprintChange(same, np.zeros((0, 2)), True)
        # sorted positions of the changed footprints, before and after
        inv_new = np.empty(n, np.int64)
        inv_new[self.order] = np.arange(n)
        inv_old = np.empty(n, np.int64)
        inv_old[before.order] = np.arange(n)
        new_pos = inv_new[np.flatnonzero(changed)]
        old_pos = inv_old[np.flatnonzero(changed)]
        old_keys = before.chunk_keys
        dirty_keys = {tuple(k) for k in old_keys[before.chunk[old_pos]].tolist()}
        dirty_keys |= {tuple(k) for k in self.chunk_keys[self.chunk[new_pos]].tolist()}
        old_index = {tuple(k): i for i, k in enumerate(old_keys.tolist())}
        carried = {}
        for c, k in enumerate(self.chunk_keys.tolist()):
            k = tuple(k)
            if k not in dirty_keys and k in old_index:
                carried[old_index[k]] = c
        corners = np.concatenate([before.corners[old_pos], self.corners[new_pos]])
        return FootprintChange(carried, corners.reshape(-1, 2), True)

    # ------------------------------------------------------------------ chunks
    def chunk_range(self, chunk: int) -> tuple[int, int]:
        """Sorted-row range ``[a, b)`` of a chunk (the whole hall for :data:`WHOLE_HALL`)."""
        if chunk == WHOLE_HALL:
            return 0, len(self.rows)
        return int(self.chunk_start[chunk]), int(self.chunk_start[chunk + 1])

    def points(self, positions: np.ndarray, busway_positions: np.ndarray | None = None) -> np.ndarray:
        """Item points (k, 2) of footprints (sorted positions) and busways (indices)."""
        pts = [self.corners[positions].reshape(-1, 2)]
        if busway_positions is not None and len(busway_positions):
            pts.append(self.busway_segments[busway_positions].reshape(-1, 2))
        return np.concatenate(pts)
