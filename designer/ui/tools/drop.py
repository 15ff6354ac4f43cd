"""Placing catalog types from the palette: a drag shows the entry's ghost under the
cursor (snapped, facing like the row it joins, red where the engine's placement rules
say it would break one) and a drop adds it as one undo step; a double-click in the
palette places it in the middle of the view."""

from __future__ import annotations

from dataclasses import dataclass, replace
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from designer.engine.placement import PlacementCheck
from designer.engine.aisles import stands_in_row
from designer.model import Equipment
from designer.model.commands import turn_points
from designer.model.layouts import ultraserver_racks
from designer.ui.canvas.hall_item import HallItem
from designer.ui.docks.palette import equipment_extra_of, equipment_type_of
from designer.ui.tools.base import Editing
from designer.ui.tools.clipboard import fresh_copies
from designer.ui.tools.floor import Shapes
from designer.ui.tools.ghost import Ghost
from designer.ui.tools.snapping import snap_to_rows

#: Length of a busway dropped from the palette (metres, along x).
BUSWAY_DROP_M = 6.0
#: A dropped item faces like the row it joins: the nearest rack within this distance.
ADOPT_M = 2.4
#: Compass names of rotations 0, 90, 180, 270 (the front faces −y at 0°).
FACINGS = ("south", "east", "north", "west")


def rotated_records(records: list[Equipment], angle_deg: float) -> list[Equipment]:
    """Records turned by ``angle_deg`` about the plan origin (a template centred there)."""
    if angle_deg % 360.0 == 0.0:
        return records

    x, y = turn_points([r.x for r in records], [r.y for r in records], angle_deg)
    ends = [None if r.end is None else tuple(map(float, turn_points(*r.end, angle_deg))) for r in records]
    return [replace(r, x=float(x[k]), y=float(y[k]), end=ends[k], rotation=(r.rotation + angle_deg) % 360.0)
            for k, r in enumerate(records)]


@dataclass
class DropState:
    """A palette drag over the plan: what is dragged, where, and its ghost."""

    type_id: str
    template: list[Equipment]
    hall: HallItem | None = None
    ghost: Ghost | None = None
    records: list[Equipment] | None = None
    rotation: float = 0.0
    extra: dict | None = None  # extra fields the placed items get (a feed-B busway: {"feed": "B"})


class PaletteDrop:
    """Drags from the palette onto the plan, and palette entries placed directly."""

    def __init__(self, editor: Editing) -> None:
        self.editor = editor
        #: the drag in progress (None between drags)
        self.state: DropState | None = None

    def template(self, type_id: str) -> list[Equipment]:
        """Records of one palette entry centred on the plan origin, front facing south:
        an UltraServer's racks side by side, a 6 m busway along x, or one item."""
        ed = self.editor
        spec = ed.catalog.types[type_id]
        if spec.is_compute:
            x0 = -(spec.racks_per_system - 1) * spec.width_m / 2
            return ultraserver_racks(ed.catalog, type_id, "us", "", round(x0, 6), 0.0, 0.0)
        if spec.kind == "busway":
            half = BUSWAY_DROP_M / 2
            return [Equipment("bw", type_id, "", -half, 0.0, 0.0, None, (half, 0.0))]
        return [Equipment("item", type_id, "", 0.0, 0.0, 0.0)]

    def placed(self, template: list[Equipment], hall: HallItem, x: float, y: float,
               check: PlacementCheck | None = None) -> list[Equipment]:
        """``template`` centred on plan point (x, y) of a hall, snapped, with new ids."""
        ed = self.editor
        cat = ed.catalog
        box = Shapes.of_records(template, cat).box()
        dx, dy = x - (box[0] + box[2]) / 2, y - (box[1] + box[3]) / 2
        if all(r.end is not None for r in template):  # a busway: over the nearest row's centre line
            sx, sy = snap_to_rows(ed.snapper, ed.cache.floor(hall.hall.id), box[0] + dx, box[1] + dy)
            dx, dy = sx - box[0], sy - box[1]
        else:
            check = check if check is not None else ed.cache.placement_check(hall.hall.id)
            sx, sy = ed.snapper.box(box + np.array([dx, dy, dx, dy]), check.neighbour_boxes())
            dx, dy = dx + sx, dy + sy
        return fresh_copies(ed.design, cat, template, round(dx, 6), round(dy, 6), hall.hall.id)

    def place_at_view_centre(self, type_id: str, extra: dict | None = None) -> None:
        """Place one palette entry in the middle of the view (double-click in the palette)."""
        ed = self.editor
        if type_id not in ed.catalog.types or not ed.scene.hall_items:
            return
        centre = ed.view.mapToScene(ed.view.viewport().rect().center())
        hall = ed.scene.hall_at(centre)
        if hall is None:  # the view shows no hall: the middle of the first one
            hall = ed.scene.hall_items[0]
            centre = hall.mapToScene(hall.outline_rect().center())
        x, y = hall.to_plan(centre)
        self._add_palette_items(type_id, self.placed(self.template(type_id), hall, x, y), extra)

    def _add_palette_items(self, type_id: str, records: list[Equipment], extra: dict | None = None) -> None:
        ed = self.editor
        if extra:
            records = [replace(r, extra={**r.extra, **extra}) for r in records]
        spec = ed.catalog.types[type_id]
        name = spec.system_name if spec.is_compute and spec.system_name else spec.name
        ed.add_items(records, f"Add {name}")

    def drag_enter(self, event) -> bool:
        """A palette drag entered the plan: accept it and show its ghost."""
        ed = self.editor
        type_id = equipment_type_of(event.mimeData())
        if type_id is None or type_id not in ed.catalog.types or not ed.scene.hall_items:
            return False
        self.state = DropState(type_id, self.template(type_id), extra=equipment_extra_of(event.mimeData()))
        return self.drag_move(event)

    def drag_move(self, event) -> bool:
        """Move the ghost with the cursor (snapped; red where it would break a rule)."""
        ed = self.editor
        if self.state is None:
            return self.drag_enter(event) if equipment_type_of(event.mimeData()) else False
        state = self.state
        ev = ed.view.tool_event(event.position(), event.modifiers())
        if ev.hall is None:
            state.records = state.ghost = None
            ed.clear_sketch()
            event.ignore()  # nowhere to put it: the cursor says so
            return True
        x, y = ev.plan()
        rotation = self.drop_rotation(state.type_id, ev.hall.hall.id, x, y,
                                      turned=ev.has(Qt.KeyboardModifier.ShiftModifier))
        if state.hall is not ev.hall or state.ghost is None or rotation != state.rotation:
            state.hall = ev.hall
            state.rotation = rotation
            state.template = rotated_records(self.template(state.type_id), rotation)
            check = ed.cache.placement_check(ev.hall.hall.id)
            color = QColor(ed.catalog.types[state.type_id].color)
            state.ghost = Ghost(ed.sketch_item(), ev.hall, Shapes.of_records(state.template, ed.catalog),
                                check, color)
        state.records = self.placed(state.template, ev.hall, x, y, state.ghost.check)
        # the ghost is the template at the origin: shift it to where the records landed
        ok = state.ghost.show(state.records[0].x - state.template[0].x, state.records[0].y - state.template[0].y)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        name = ed.catalog.types[state.type_id]
        label = name.system_name if name.is_compute and name.system_name else name.name
        faces = "" if ed.catalog.types[state.type_id].kind == "busway" else \
            f", facing {FACINGS[int(round(state.rotation / 90.0)) % 4]} (Shift: the other way)"
        ed.message.emit(f"{label} at x {x:.2f} m, y {y:.2f} m{faces}"
                        + ("" if ok else "  — would break a rule (red)"))
        return True

    def drop_rotation(self, type_id: str, hall_id: str, x: float, y: float, turned: bool = False) -> float:
        """How a dropped item faces: like the nearest rack, CDU or network rack within
        ``ADOPT_M`` of the cursor (joining a row), else south; Shift turns it round."""
        ed = self.editor
        if ed.catalog.types[type_id].kind == "busway":
            return 0.0
        sh = ed.cache.floor(hall_id).footprints
        rotation = 0.0
        if len(sh.x):
            in_rows = stands_in_row(sh.kind)
            d = np.where(in_rows, np.hypot(sh.x - x, sh.y - y), np.inf)
            k = int(np.argmin(d))
            if d[k] <= ADOPT_M:
                rotation = float(sh.rotation[k]) % 360.0
        return (rotation + 180.0) % 360.0 if turned else rotation

    def drag_leave(self) -> None:
        ed = self.editor
        self.state = None
        ed.clear_sketch()

    def drop(self, event) -> bool:
        """Add what was dropped as one undo step."""
        ed = self.editor
        if self.state is None and not self.drag_enter(event):
            return False
        self.drag_move(event)
        state, self.state = self.state, None
        ed.clear_sketch()
        if state is None or not state.records:
            event.ignore()
            return True
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self._add_palette_items(state.type_id, state.records, state.extra)
        ed.view.setFocus()
        return True
