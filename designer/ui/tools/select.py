"""The Select tool: pick, rubber-band, move and drag (as one ghost checked by the
engine's placement rules), and resize a busway by its end; plus what a click selects."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath
from PySide6.QtWidgets import QApplication

from designer.engine.types import BUSWAY
from designer.model import Design
from designer.model.commands import SetPlacements, move_hall, move_items, move_to_hall
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.painting import with_alpha
from designer.ui.canvas.view import ToolEvent
from designer.ui.tools.base import PICK_PX, Editing, PlanTool, near
from designer.ui.tools.floor import Shapes
from designer.ui.tools.ghost import OK_COLOR, ZONE_OK_COLOR, Ghost, busway_pen, sketch_pen


def pick_ids(design: Design, row: int, single: bool = False) -> list[str]:
    """What a click on a row selects: its whole UltraServer, or just it (``single``)."""
    t = design.equipment
    code = int(t.system_code[row])
    if single or code < 0:
        return [t.ids[row]]
    return [t.ids[r] for r in np.flatnonzero(t.system_code == code)]


def with_systems(design: Design, ids: Sequence[str]) -> list[str]:
    """``ids`` and every other rack of their UltraServers."""
    t = design.equipment
    if not ids:
        return []
    rows = t.rows(ids)
    codes = np.unique(t.system_code[rows])
    codes = codes[codes >= 0]
    if not len(codes):
        return list(ids)
    members = np.flatnonzero(np.isin(t.system_code, codes))
    return list(dict.fromkeys([*ids, *(t.ids[r] for r in members)]))


def announce_selection(editor: Editing) -> None:
    """Say what is selected in the status bar."""
    sel = editor.document.selection
    if not sel:
        return
    t = editor.design.equipment
    systems = {t.get(i).system for i in sel[:64]} - {None}
    if len(sel) == 1:
        e = t.get(sel[0])
        editor.message.emit(f"{e.id} ({e.type}) at x {e.x:.2f} m, y {e.y:.2f} m, {e.rotation:g}°")
    elif len(systems) == 1 and len(sel) <= 64:
        editor.message.emit(f"UltraServer {systems.pop()}: {len(sel)} racks")
    else:
        editor.message.emit(f"{len(sel)} items selected")


class SelectTool(PlanTool):
    """Pick, rubber-band, move; drag a selected busway's end to resize it.

    A click selects the item under the cursor (a rack: its whole UltraServer; with
    Alt just that rack); Ctrl-click toggles; clicking again on the same spot cycles
    through what lies there (a busway over a row). Dragging moves the selection as
    one ghost and pushes one ``Move`` on release; Alt-drag moves one rack out of its
    UltraServer's group. Dragging on empty floor draws a rubber band: left to right
    selects what is wholly inside, right to left what it touches. Dragging a hall's
    title (the band above its north wall) moves the hall on the campus: one undoable
    change of its origin on release, on the grid. A double-click on a
    hall's floor shows the hall in the Inspector; on an item, its properties.
    """

    name = "select"
    label = "Select"
    tooltip = "Select, move and edit equipment (Esc)"
    hint = ("Click to select (Alt: one rack, Ctrl: toggle), drag to move, drag on the floor to select an area; "
            "R rotates, Del deletes, arrows nudge.")
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self._state = "idle"
        self._press: ToolEvent | None = None
        self._hall: HallItem | None = None
        self._hits: tuple[int, ...] = ()
        self._hit_index = 0
        self._last_click: tuple[QPointF, tuple[int, ...], int] | None = None
        self._ghost: Ghost | None = None
        self._moving: list[str] = []
        self._neighbours: np.ndarray | None = None
        self._end: tuple[str, int] | None = None  # busway id, 0 start / 1 end
        #: a hall being moved on the campus: where its (0, 0) was and is now (site metres)
        self._hall_from: tuple[float, float] | None = None
        self._hall_to: tuple[float, float] | None = None
        self._hall_press: QPointF | None = None

    # ------------------------------------------------------------------ press
    def mouse_press(self, ev: ToolEvent) -> None:
        ed = self.editor
        if self._state == "hall-follow":  # Move Hall: this click puts it down
            self._drag_hall(ev)
            self._commit_hall()
            self._state = "hall-follow-done"
            return
        self._press = ev
        self._state = "idle"
        hall = ev.hall
        if hall is not None and self._press_busway_end(ev, hall):
            return
        hits = self.hits_at(hall, ev) if hall is not None else np.zeros(0, np.int64)
        if not len(hits):
            title = self.title_at(ev)
            if title is not None:
                self.start_hall_move(title, ev.scene_pos)
                self._state = "hall"
                return
            self._last_click = None
            self._state = "band"
            if not (ev.has(Qt.KeyboardModifier.ControlModifier) or ev.has(Qt.KeyboardModifier.ShiftModifier)):
                ed.document.select([])
            return
        key = tuple(int(h) for h in hits)
        index = 0
        last = self._last_click
        if last is not None and last[1] == key and near(last[0], ev.view_pos):
            index = last[2]  # a click on the same spot: the item picked last time stays the one pressed
        self._hits, self._hit_index, self._hall = key, index, hall
        row = key[index]
        alt = ev.has(Qt.KeyboardModifier.AltModifier)
        ids = pick_ids(ed.design, row, single=alt)
        selection = ed.document.selection
        if ev.has(Qt.KeyboardModifier.ControlModifier):
            if all(i in selection for i in ids):
                ed.document.select([i for i in selection if i not in ids])
            else:
                ed.document.select(selection + ids)
            return
        item_id = ed.design.equipment.ids[row]
        if alt or item_id not in selection:
            ed.document.select(ids)
        self._state = "pressed"

    def _press_busway_end(self, ev: ToolEvent, hall: HallItem) -> bool:
        """A press on an end handle of a selected busway starts resizing it."""
        ed = self.editor
        t = ed.design.equipment
        if not ed.document.selection:
            return False
        rows = t.rows(ed.document.selection)
        code = t.halls.codes.get(hall.hall.id)
        rows = rows[(ed.cache.types().kind[t.type_code[rows]] == BUSWAY) & (t.hall_code[rows] == code)
                    & np.isfinite(t.x2[rows])]
        for row in rows:
            item_id = t.ids[int(row)]
            for which, (x, y) in enumerate(((t.x[row], t.y[row]), (t.x2[row], t.y2[row]))):
                p = ed.view.mapFromScene(hall.from_plan(float(x), float(y)))
                if near(QPointF(p), ev.view_pos):
                    self._state, self._end, self._hall = "end", (item_id, which), hall
                    return True
        return False

    # ------------------------------------------------------------------ move
    def mouse_move(self, ev: ToolEvent) -> None:
        if self._state in ("hall", "hall-follow"):
            self._drag_hall(ev)
            return
        if self._state == "idle":
            self._hover(ev)
            return
        if self._state in ("pressed", "band") and not self._dragged(ev):
            return
        if self._state == "pressed":
            self._begin_move()
        if self._state == "moving":
            self._drag_to(ev)
        elif self._state == "band":
            self._draw_band(ev)
        elif self._state == "end":
            self._drag_end(ev)

    def _dragged(self, ev: ToolEvent) -> bool:
        d = ev.view_pos - self._press.view_pos
        return math.hypot(d.x(), d.y()) >= QApplication.startDragDistance()

    def _hover(self, ev: ToolEvent) -> None:
        over = ev.hall is not None and len(self.hits_at(ev.hall, ev)) > 0
        if over:
            cursor = Qt.CursorShape.SizeAllCursor
        else:
            cursor = Qt.CursorShape.OpenHandCursor if self.title_at(ev) is not None else self.cursor
        self.editor.view.viewport().setCursor(cursor)

    # ------------------------------------------------------------------ halls on the campus
    def title_at(self, ev: ToolEvent) -> HallItem | None:
        """The hall whose title band (above its north wall) is under the cursor."""
        ppm = max(ev.ppm, 1e-9)
        for hall in self.editor.scene.hall_items:
            title = getattr(hall, "title", None)
            if title is not None and title.handle_scene_rect(ppm).contains(ev.scene_pos):
                return hall
        return None

    def start_hall_move(self, hall: HallItem, scene_pos: QPointF, follow: bool = False) -> None:
        """Start moving a hall on the campus from a scene point: with the button held
        (a drag of its title), or following the cursor until the next click (``follow``:
        Move Hall in its context menu). Esc puts it back."""
        ed = self.editor
        self._hall = hall
        self._hall_press = QPointF(scene_pos)
        self._hall_from = self._hall_to = (hall.pos().x(), -hall.pos().y())
        if follow:
            self._state = "hall-follow"
            ed.view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            ed.message.emit(f"Move {hall.hall.name}: move the mouse and click where it goes (Esc cancels)")

    def _drag_hall(self, ev: ToolEvent) -> None:
        ed = self.editor
        hall = self._hall
        d = ev.scene_pos - self._hall_press
        x0, y0 = self._hall_from
        if self._state == "hall" and math.hypot(d.x(), d.y()) * ev.ppm < QApplication.startDragDistance():
            return  # not a drag yet: a click on the title moves nothing
        # its (0, 0) on the site's grid (snapping on)
        x, y = round(ed.snapper.value(x0 + d.x()), 3) + 0.0, round(ed.snapper.value(y0 - d.y()), 3) + 0.0
        self._hall_to = (x, y)
        hall.setPos(x, -y)
        ed.scene.forget_title_rooms()
        for other in ed.scene.hall_items:  # the other titles may get more room, or less
            title = getattr(other, "title", None)
            if title is not None:
                title.update()
        moved = hall.mapRectToScene(hall.outline_rect())
        hits = [o.hall.name for o in ed.scene.hall_items
                if o is not hall and o.mapRectToScene(o.outline_rect()).intersects(moved)]
        warn = f"  — overlaps {', '.join(hits)}" if hits else ""
        ed.message.emit(f"Move {hall.hall.name} to x {x:,.2f} m, y {y:,.2f} m on the campus{warn}")

    def _commit_hall(self) -> None:
        ed = self.editor
        hall, to, start = self._hall, self._hall_to, self._hall_from
        self._hall_from = self._hall_to = self._hall_press = None
        self._state = "idle"
        if hall is None or to is None or to == start:
            return
        ed.document.push(move_hall(ed.design, hall.hall.id, to))
        ed.message.emit(f"Moved {hall.hall.name} to x {to[0]:,.2f} m, y {to[1]:,.2f} m on the campus")

    def _begin_move(self) -> None:
        ed = self.editor
        t = ed.design.equipment
        code = t.halls.codes.get(self._hall.hall.id)
        ids = [i for i in ed.document.selection if t.hall_code[t.index[i]] == code]
        if not ids:
            self._state = "idle"
            return
        rows = t.rows(ids)
        check = ed.cache.placement_check(self._hall.hall.id, rows)
        self._moving = ids
        self._moving_rows = rows
        self._shapes = Shapes.of_rows(ed.design.equipment, ed.cache.types(), rows)
        self._target = self._hall
        self._neighbours = check.neighbour_boxes()
        self._ghost = Ghost(ed.sketch_item(), self._hall, self._shapes, check)
        self._state = "moving"

    def _follow_into(self, hall: HallItem | None) -> None:
        """The cursor entered another hall: the ghost moves there, checked against that
        hall's outline, obstacles and equipment."""
        if hall is None or hall is self._target:
            return
        ed = self.editor
        check = ed.cache.placement_check(hall.hall.id, self._moving_rows)
        self._target = hall
        self._neighbours = check.neighbour_boxes()
        self._ghost = Ghost(ed.sketch_item(), hall, self._shapes, check)

    def _drag_to(self, ev: ToolEvent) -> None:
        ed = self.editor
        self._follow_into(ev.hall)
        # the press point in the hall the drag started in, the cursor in the hall it is over:
        # the items keep their place under the cursor, in the frame of the hall they land in
        x0, y0 = self._press.plan(self._hall)
        x1, y1 = ev.plan(self._target)
        dx, dy = x1 - x0, y1 - y0
        g = self._ghost
        if g.box is not None:
            sx, sy = ed.snapper.box(g.box + np.array([dx, dy, dx, dy]), self._neighbours, start=g.box)
            dx, dy = dx + sx, dy + sy
        dx, dy = round(dx, 6), round(dy, 6)
        ok = g.show(dx, dy)
        where = "" if ok else "  — would break a rule (red)"
        into = f" into {self._target.hall.name}" if self._target is not self._hall else ""
        ed.message.emit(f"Move {len(self._moving)} item{'s' if len(self._moving) != 1 else ''}{into} "
                        f"by Δx {dx:+.2f} m, Δy {dy:+.2f} m{where}")

    def _draw_band(self, ev: ToolEvent) -> None:
        rect = QRectF(self._press.scene_pos, ev.scene_pos).normalized()
        crossing = ev.scene_pos.x() < self._press.scene_pos.x()
        color = ZONE_OK_COLOR if crossing else OK_COLOR
        path = QPainterPath()
        path.addRect(rect)
        pen = sketch_pen(color, 1.0, Qt.PenStyle.DashLine if crossing else Qt.PenStyle.SolidLine)
        sketch = self.editor.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content([(path, pen, QBrush(with_alpha(color, 40)))])

    def _drag_end(self, ev: ToolEvent) -> None:
        ed = self.editor
        item_id, which = self._end
        e = ed.design.equipment.get(item_id)
        fixed = e.end if which == 0 else (e.x, e.y)
        x, y = ed.snapper.point(*ev.plan(self._hall))
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        a, b = self._hall.from_plan(*fixed), self._hall.from_plan(x, y)
        sketch.set_content(lines=[([QLineF(a, b)], busway_pen(OK_COLOR))], handles=[a, b])
        length = math.hypot(x - fixed[0], y - fixed[1])
        ed.message.emit(f"Busway {item_id}: {length:.2f} m")
        self._end_to = (x, y)

    # ------------------------------------------------------------------ release
    def mouse_release(self, ev: ToolEvent) -> None:
        ed = self.editor
        if self._state == "hall-follow-done":
            self._state = "idle"
            return  # the press that put the hall down was the end of the move
        state, self._state = self._state, "idle"
        if state == "hall":
            self._commit_hall()
        elif state == "moving":
            g = self._ghost
            self._ghost = None
            ed.clear_sketch()
            n = f"{len(self._moving)} item{'s' if len(self._moving) != 1 else ''}"
            if self._target is not self._hall:
                ed.document.push(move_to_hall(ed.design, self._moving, self._target.hall.id, g.dx, g.dy))
                ed.message.emit(f"Moved {n} into {self._target.hall.name}")
            elif (g.dx, g.dy) != (0.0, 0.0):
                ed.document.push(move_items(ed.design, self._moving, g.dx, g.dy))
                ed.message.emit(f"Moved {n} by Δx {g.dx:+.2f} m, Δy {g.dy:+.2f} m")
            self._last_click = None
        elif state == "band":
            ed.clear_sketch()
            if self._dragged(ev):
                self._select_band(ev)
        elif state == "end":
            ed.clear_sketch()
            self._commit_end()
        elif state == "pressed":
            self._click_through(ev)

    def _select_band(self, ev: ToolEvent) -> None:
        ed = self.editor
        rect = QRectF(self._press.scene_pos, ev.scene_pos).normalized()
        crossing = ev.scene_pos.x() < self._press.scene_pos.x()
        t = ed.design.equipment
        rows = []
        for hall in ed.scene.hall_items:
            x0, y1 = hall.to_plan(rect.topLeft())
            x1, y0 = hall.to_plan(rect.bottomRight())
            rows.append(ed.cache.floor(hall.hall.id).rows_in((x0, y0, x1, y1), crossing))
        found = np.unique(np.concatenate(rows)) if rows else np.zeros(0, np.int64)
        ids = [t.ids[int(r)] for r in found]
        if not ev.has(Qt.KeyboardModifier.AltModifier):
            ids = with_systems(ed.design, ids)
        if ev.has(Qt.KeyboardModifier.ControlModifier) or ev.has(Qt.KeyboardModifier.ShiftModifier):
            ids = ed.document.selection + ids
        ed.document.select(ids)
        ed.message.emit(f"{len(ed.document.selection)} selected")

    def _click_through(self, ev: ToolEvent) -> None:
        """A click without a drag: the next click on the same spot picks the next item there."""
        ed = self.editor
        last = self._last_click
        repeat = last is not None and last[1] == self._hits and near(last[0], ev.view_pos)
        index = self._hit_index
        if repeat and len(self._hits) > 1:
            index = (index + 1) % len(self._hits)
            ed.document.select(pick_ids(ed.design, self._hits[index], single=ev.has(Qt.KeyboardModifier.AltModifier)))
        self._last_click = (QPointF(ev.view_pos), self._hits, index)
        announce_selection(ed)

    def _commit_end(self) -> None:
        ed = self.editor
        to = getattr(self, "_end_to", None)
        self._end_to = None
        if to is None:
            return
        item_id, which = self._end
        cmd = SetPlacements.capture(ed.design, [item_id], "Resize busway")
        if which == 0:
            cmd.x, cmd.y = np.array([to[0]]), np.array([to[1]])
        else:
            cmd.x2, cmd.y2 = np.array([to[0]]), np.array([to[1]])
        if (cmd.x[0], cmd.y[0]) == (cmd.x2[0], cmd.y2[0]):
            ed.message.emit("A busway needs two different ends")
            return
        ed.document.push(cmd)

    def mouse_double_click(self, ev: ToolEvent) -> None:
        """On a hall's floor: the hall in the Inspector; on an item: its properties."""
        ed = self.editor
        hall = ev.hall if ev.hall is not None else self.title_at(ev)
        if hall is None:
            return
        self._state = "idle"
        hits = self.hits_at(hall, ev) if ev.hall is not None else np.zeros(0, np.int64)
        if len(hits):
            ed.properties_requested.emit()
            return
        ed.document.select([])
        ed.hall_properties_requested.emit(hall.hall.id)

    def cancel(self) -> bool:
        if self._state in ("hall", "hall-follow") and self._hall is not None and self._hall_from is not None:
            x, y = self._hall_from
            self._hall.setPos(x, -y)  # back where it was
            self.editor.scene.forget_title_rooms()
            self._hall_from = self._hall_to = self._hall_press = None
            self._state = "idle"
            return True
        busy = self._state in ("moving", "band", "end")
        self._state = "idle"
        self._ghost = None
        self._end_to = None
        self.editor.clear_sketch()
        return busy

    def hits_at(self, hall: HallItem, ev: ToolEvent) -> np.ndarray:
        """Equipment rows under the cursor in a hall, in picking order."""
        x, y = ev.plan(hall)
        return self.editor.cache.floor(hall.hall.id).hits(x, y, PICK_PX / max(ev.ppm, 1e-9))
