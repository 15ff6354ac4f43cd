"""Editing from the keyboard: the arrows nudge the selection (presses in quick
succession are one undo step), R turns it a quarter; Esc steps back."""

from __future__ import annotations

import time
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from designer.engine.placement import Footprints
from designer.engine.types import BUSWAY
from designer.model.commands import move_items, rotate_items
from designer.model.layouts import TILE_M
from designer.ui.tools.base import Editing
from designer.ui.tools.floor import Shapes

#: Arrow-key nudge with snapping off (with it on: the snap grid), and with Shift (metres).
NUDGE_M, NUDGE_FINE_M = TILE_M, 0.1
#: Arrow presses further apart than this start a new undo step (seconds).
NUDGE_BURST_S = 1.0
#: Undo merge ids of nudges; consecutive bursts alternate so they never merge.
NUDGE_MERGE_IDS = (0x4E55, 0x4E56)
#: Arrow keys and the direction each nudges (plan x east, y north).
ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}


def _round(v):
    """Positions to 1 µm, as the model's commands keep them."""
    return np.round(v, 6)


def _on_grid(point, grid: float) -> bool:
    return all(abs(v / grid - round(v / grid)) < 1e-6 for v in point)


class KeyboardEdits:
    """Keys the plan handles itself, and turning the selection."""

    def __init__(self, editor: Editing) -> None:
        self.editor = editor
        self._nudge_ids: tuple[str, ...] | None = None
        self._nudge_time = 0.0
        self._nudge_index = -1
        self._nudge_burst = 0

    def key_press(self, event: QKeyEvent) -> bool:
        """Esc, and the arrows (nudge; Shift: fine); True when the key was used."""
        key = event.key()
        ed = self.editor
        tool_keys = getattr(ed.tool, "key_press", None)  # a tool's own keys first (typed lengths)
        if tool_keys is not None and tool_keys(event):
            return True
        if key == Qt.Key.Key_Escape:
            ed.escape()
            return True
        if key in ARROWS and ed.document.selection:
            fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            step = NUDGE_FINE_M if fine else (ed.snapper.grid_m if ed.snapper.enabled else NUDGE_M)
            sx, sy = ARROWS[key]
            self.nudge(sx * step, sy * step)
            return True
        return False

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selection by (dx, dy) m; presses in quick succession are one undo step."""
        document = self.editor.document
        ids = tuple(document.selection)
        if not ids:
            return
        now = time.monotonic()
        stack = document.undo_stack
        if (ids != self._nudge_ids or now - self._nudge_time > NUDGE_BURST_S
                or stack.index() != self._nudge_index):
            self._nudge_burst += 1
        document.push(move_items(document.design, ids, dx, dy, "Nudge"),
                      merge_id=NUDGE_MERGE_IDS[self._nudge_burst % 2])
        self._nudge_ids, self._nudge_time, self._nudge_index = ids, now, stack.index()

    def end_nudge_burst(self) -> None:
        """The next nudge starts a new undo step."""
        self._nudge_ids = None

    def rotate_selection(self, angle_deg: float = 90.0) -> None:
        """Turn the selection as one rigid group about its centre (counter-clockwise).

        A group whose corner sat on the grid stays on it (a 0.6 × 1.2 m rack turned
        about its centre would otherwise end half a tile off)."""
        ed = self.editor
        ids = list(ed.document.selection)
        if not ids:
            return
        design = ed.design
        t = design.equipment
        rows = t.rows(ids)
        table = ed.cache.types()
        before = Shapes.of_rows(t, table, rows).box()
        cmd = rotate_items(design, ids, angle_deg, label="Rotate")
        snapper = ed.snapper
        if snapper.enabled and before is not None and _on_grid(before[:2], snapper.grid_m):
            tc = t.type_code[rows]
            busway = ~np.isnan(cmd.x2)
            f = (table.kind[tc] != BUSWAY) & ~busway
            after = Shapes(Footprints(cmd.x[f], cmd.y[f], cmd.rotation[f], table.width[tc[f]], table.depth[tc[f]],
                                      table.kind[tc[f]]),
                           np.stack([cmd.x[busway], cmd.y[busway], cmd.x2[busway], cmd.y2[busway]], axis=1))
            box = after.box()
            if box is not None:
                dx, dy = snapper.value(box[0]) - box[0], snapper.value(box[1]) - box[1]
                cmd.x, cmd.y = _round(cmd.x + dx), _round(cmd.y + dy)
                cmd.x2 = np.where(busway, _round(cmd.x2 + dx), np.nan)
                cmd.y2 = np.where(busway, _round(cmd.y2 + dy), np.nan)
        ed.document.push(cmd)
        n = len(ids)
        turn = "left" if angle_deg > 0 else "right"
        ed.message.emit(f"Rotated {n:,} item{'s' if n != 1 else ''} {abs(angle_deg):g}° {turn}")
