"""Tools that draw the hall itself and what runs over it: the outline (drag, add and
remove corners), columns and keep-out zones (drag a rectangle), and busway runs.

Lengths they show, and the outline's typed wall lengths, follow the units preference
(metres, or feet with imperial units); the design keeps metres."""

from __future__ import annotations

import math
import numpy as np
import shapely
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent

from designer.engine.placement import PlacementCheck
from designer.model import Equipment
from designer.model.commands import SetHall, new_hall
from designer.model.layouts import TILE_M
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.painting import with_alpha
from designer.ui.canvas.view import ToolEvent
from designer.ui.docks.fields import current_units
from designer.ui.tools.base import PICK_PX, Editing, PlanTool
from designer.ui.tools.clipboard import fresh_copies
from designer.ui.tools.floor import segment_distance
from designer.ui.tools.ghost import BAD_COLOR, OK_COLOR, busway_pen, polygon_scene_path, sketch_pen
from designer.ui.tools.snapping import snap_to_rows

COLUMN_SKETCH_COLOR = QColor("#50555c")
KEEPOUT_SKETCH_COLOR = QColor(200, 55, 55)


class OutlineTool(PlanTool):
    """Reshape a hall: drag a corner (Shift: both of its walls square to the axes);
    double-click an edge to add a corner there, double-click a corner to remove it.

    Or draw an outline corner by corner: click on the floor (or beside the halls) to
    start, click each next corner; Shift keeps each wall horizontal or vertical; type a
    length (metres, or feet with imperial units) and press Enter to put the next corner
    that far along the wall being drawn.
    Click the first corner, double-click, or press Enter with no length typed to close
    it: drawn inside a hall it becomes that hall's outline, beside the halls a new hall.
    One command per gesture."""

    name = "outline"
    label = "Outline"
    tooltip = ("Edit the hall outline: drag a corner, double-click an edge to add one, a corner to remove it; "
               "click the floor to draw a new outline")
    hint = ("Drag a corner (Shift: square); double-click a wall to add a corner, a corner to remove it. "
            "Click the floor to draw an outline: Shift keeps right angles, type a length + Enter for the next "
            "wall, click the first corner to close.")
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self._drag: tuple[HallItem, int] | None = None
        self._outline: list[tuple[float, float]] | None = None
        #: an outline being drawn: its corners in site metres, the hall it redraws (None: a new
        #: hall), the cursor's place (site metres) and the length being typed
        self.points: list[tuple[float, float]] = []
        self._target: HallItem | None = None
        self._cursor: tuple[float, float] | None = None
        self.typed = ""

    def refresh(self) -> None:
        if self._drag is None and not self.points:
            self._draw()

    def _draw(self, moving: HallItem | None = None) -> None:
        ed = self.editor
        handles, layers, lines = [], [], []
        for hall in ed.scene.hall_items:
            points = self._outline if moving is hall else hall.hall.outline
            handles += [hall.from_plan(float(x), float(y)) for x, y in points]
            if moving is hall:
                layers.append((polygon_scene_path(hall, points), sketch_pen(OK_COLOR, 2.0, Qt.PenStyle.DashLine),
                               QBrush(with_alpha(OK_COLOR, 25))))
        if self.points:
            drawn = [QPointF(x, -y) for x, y in self.points]
            if self._cursor is not None:
                drawn.append(QPointF(self._cursor[0], -self._cursor[1]))
            lines.append(([QLineF(a, b) for a, b in zip(drawn, drawn[1:])], sketch_pen(OK_COLOR, 2.0)))
            handles += [QPointF(x, -y) for x, y in self.points]
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content(layers, lines=lines, handles=handles)

    def corner_at(self, ev: ToolEvent) -> tuple[HallItem, int] | None:
        """The hall corner within a few pixels of the cursor."""
        best = None
        for hall in self.editor.scene.hall_items:
            for k, (x, y) in enumerate(hall.hall.outline):
                p = QPointF(self.editor.view.mapFromScene(hall.from_plan(float(x), float(y))))
                d = math.hypot(p.x() - ev.view_pos.x(), p.y() - ev.view_pos.y())
                if d <= PICK_PX * 1.5 and (best is None or d < best[0]):
                    best = (d, hall, k)
        return None if best is None else (best[1], best[2])

    def edge_at(self, ev: ToolEvent) -> tuple[HallItem, int, float, float] | None:
        """The wall under the cursor: (hall, index of its first corner, x, y on the wall)."""
        for hall in self.editor.scene.hall_items:
            pts = np.asarray(hall.hall.outline, float)
            seg = np.concatenate([pts, np.roll(pts, -1, axis=0)], axis=1)
            x, y = ev.plan(hall)
            dist = segment_distance(seg, x, y)
            k = int(np.argmin(dist))
            if dist[k] * ev.ppm <= PICK_PX:
                ax, ay, bx, by = seg[k]
                vx, vy = bx - ax, by - ay
                t = ((x - ax) * vx + (y - ay) * vy) / max(vx * vx + vy * vy, 1e-12)
                px, py = ax + t * vx, ay + t * vy
                snap = self.editor.snapper
                if abs(vy) < 1e-9:      # along a wall running east-west: only x is free
                    px = snap.value(px)
                elif abs(vx) < 1e-9:
                    py = snap.value(py)
                return hall, k, round(px, 6), round(py, 6)
        return None

    # ------------------------------------------------------------------ drawing a new outline
    def _site(self, ev: ToolEvent) -> tuple[float, float]:
        """The cursor in site metres, on the grid of the hall being redrawn (snapping on)."""
        x, y = ev.scene_pos.x(), -ev.scene_pos.y()
        ox, oy = (self._target.pos().x(), -self._target.pos().y()) if self._target is not None else (0.0, 0.0)
        sx, sy = self.editor.snapper.point(x - ox, y - oy)
        return round(sx + ox, 6), round(sy + oy, 6)

    def _next_point(self, ev: ToolEvent) -> tuple[float, float]:
        """Where the next corner goes: the cursor, kept square to the last corner with Shift."""
        x, y = self._site(ev)
        if self.points and ev.has(Qt.KeyboardModifier.ShiftModifier):
            lx, ly = self.points[-1]
            x, y = (x, ly) if abs(x - lx) >= abs(y - ly) else (lx, y)
        return x, y

    def _near_first(self, ev: ToolEvent) -> bool:
        if len(self.points) < 3:
            return False
        fx, fy = self.points[0]
        p = self.editor.view.mapFromScene(QPointF(fx, -fy))
        return math.hypot(p.x() - ev.view_pos.x(), p.y() - ev.view_pos.y()) <= PICK_PX * 1.5

    def _say(self) -> None:
        ed = self.editor
        n = len(self.points)
        units = current_units()
        if self.typed:
            ed.message.emit(f"Next wall: {self.typed}{units.length_suffix} — Enter puts the corner there "
                            "(Esc clears)")
        elif n and self._cursor is not None:
            lx, ly = self.points[-1]
            length = math.hypot(self._cursor[0] - lx, self._cursor[1] - ly)
            unit = units.length_suffix.strip()
            ed.message.emit(f"Wall {n}: {units.length(length)} — click the next corner, type a length in {unit} "
                            "+ Enter, or click the first corner to close")

    def add_corner(self, x: float, y: float) -> None:
        """Add a corner (site metres) to the outline being drawn."""
        p = (round(x, 6), round(y, 6))
        if not self.points or p != self.points[-1]:
            self.points.append(p)
        self._draw()

    def place_typed(self) -> bool:
        """Put the next corner the typed length (in the units preference: metres or feet)
        along the wall being drawn (towards the cursor; along the last wall's axis when the
        cursor gives no direction)."""
        units = current_units()
        try:
            length = float(self.typed.replace(",", ".")) / units.length_factor  # metres
        except ValueError:
            self.editor.message.emit(f"“{self.typed}” is not a length")
            self.typed = ""
            return False
        self.typed = ""
        if not self.points or not (length > 0 and math.isfinite(length)):
            self.editor.message.emit(f"Type a length above 0{units.length_suffix}")
            return False
        lx, ly = self.points[-1]
        cx, cy = self._cursor if self._cursor is not None else (lx + 1.0, ly)
        dx, dy = cx - lx, cy - ly
        d = math.hypot(dx, dy)
        if d < 1e-9:
            dx, dy, d = 1.0, 0.0, 1.0
        self.add_corner(lx + dx / d * length, ly + dy / d * length)
        self._cursor = self.points[-1]
        self._draw()
        self._say()
        return True

    def close_outline(self) -> bool:
        """Close the outline being drawn: the redrawn hall's new outline, or a new hall."""
        ed = self.editor
        points, target = list(self.points), self._target
        self.points, self._target, self._cursor, self.typed = [], None, None, ""
        self._draw()
        if len(points) < 3:
            ed.message.emit("An outline needs at least three corners")
            return False
        if target is not None:
            ox, oy = target.pos().x(), -target.pos().y()
            outline = tuple((round(x - ox, 6) + 0.0, round(y - oy, 6) + 0.0) for x, y in points)
            if not _valid_outline(outline):
                ed.message.emit("The outline crosses itself; it was not applied")
                return False
            ed.document.push(SetHall(target.hall.id, {"outline": outline}, f"Redraw {target.hall.name}"))
            area = current_units().area(shapely.Polygon(outline).area)
            ed.message.emit(f"New outline of {target.hall.name}: {area}")
            return True
        x0, y0 = min(p[0] for p in points), min(p[1] for p in points)
        outline = tuple((round(x - x0, 6) + 0.0, round(y - y0, 6) + 0.0) for x, y in points)
        if not _valid_outline(outline):
            ed.message.emit("The outline crosses itself; no hall was added")
            return False
        cmd = new_hall(ed.design, 1.0, 1.0)  # its id and name; the outline drawn
        cmd.hall.outline = outline
        cmd.hall.origin = (round(x0, 6) + 0.0, round(y0, 6) + 0.0)
        ed.document.push(cmd)
        ed.message.emit(f"Added {cmd.hall.name}: {current_units().area(shapely.Polygon(outline).area)}")
        return True

    def wants_key(self, event: QKeyEvent) -> bool:
        """While drawing, digits, the decimal point, Backspace and Enter are the typed length's
        (Backspace never deletes the selection then)."""
        if not self.points or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        text = event.text()
        return bool(text and (text.isdigit() or text in ".,")) or event.key() in (
            Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def key_press(self, event: QKeyEvent) -> bool:
        """Typed lengths while drawing: digits, a decimal point, Backspace, Enter."""
        if not self.points:
            return False
        key, text = event.key(), event.text()
        if text and (text.isdigit() or text in ".,"):
            self.typed += text
            self._say()
            return True
        if key == Qt.Key.Key_Backspace and self.typed:
            self.typed = self.typed[:-1]
            self._say()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.typed:
                self.place_typed()
            else:
                self.close_outline()
            return True
        if key == Qt.Key.Key_Escape and self.typed:
            self.typed = ""
            self._say()
            return True
        return False

    # ------------------------------------------------------------------ mouse
    def mouse_press(self, ev: ToolEvent) -> None:
        if self.points:
            if self._near_first(ev):
                self.close_outline()
            else:
                self.add_corner(*self._next_point(ev))
                self._say()
            return
        hit = self.corner_at(ev)
        if hit is not None:
            self._drag = hit
            self._outline = [tuple(p) for p in hit[0].hall.outline]
            return
        if self.edge_at(ev) is not None:
            return  # on a wall: a double-click adds a corner there
        self._target = ev.hall  # inside a hall: its outline is redrawn; beside them: a new hall
        self._cursor = None
        self.add_corner(*self._site(ev))
        unit = current_units().length_suffix.strip()
        self.editor.message.emit(f"Outline: click the next corner (Shift: right angles; type a length in {unit} "
                                 "+ Enter)")

    def mouse_move(self, ev: ToolEvent) -> None:
        if self.points:
            self._cursor = self._next_point(ev)
            self._draw()
            self._say()
            return
        if self._drag is None:
            over = self.corner_at(ev) is not None
            self.editor.view.viewport().setCursor(Qt.CursorShape.SizeAllCursor if over else self.cursor)
            return
        hall, k = self._drag
        x, y = self.editor.snapper.point(*ev.plan(hall))
        if ev.has(Qt.KeyboardModifier.ShiftModifier) and len(self._outline) >= 3:
            (px, py), (nx, ny) = self._outline[k - 1], self._outline[(k + 1) % len(self._outline)]
            options = [(px, ny), (nx, py)]  # both walls square to the axes
            x, y = min(options, key=lambda o: math.hypot(o[0] - x, o[1] - y))
        self._outline[k] = (round(x, 6), round(y, 6))
        self._draw(moving=hall)
        units = current_units()
        self.editor.message.emit(f"Corner {k + 1} of {hall.hall.name}: x {units.length(x)}, y {units.length(y)}")

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._drag is None:
            return
        hall, _ = self._drag
        outline = tuple(self._outline)
        self._drag = self._outline = None
        if outline != tuple(tuple(p) for p in hall.hall.outline) and _valid_outline(outline):
            self.editor.document.push(SetHall(hall.hall.id, {"outline": outline}, "Move hall corner"))
        self._draw()

    def mouse_double_click(self, ev: ToolEvent) -> None:
        ed = self.editor
        if self.points:  # the double-click's first click added this corner: close after it
            self.close_outline()
            return
        corner = self.corner_at(ev)
        if corner is not None:
            hall, k = corner
            outline = list(hall.hall.outline)
            if len(outline) <= 3:
                ed.message.emit("A hall needs at least three corners")
                return
            del outline[k]
            if _valid_outline(outline):
                ed.document.push(SetHall(hall.hall.id, {"outline": tuple(outline)}, "Remove hall corner"))
            return
        edge = self.edge_at(ev)
        if edge is not None:
            hall, k, x, y = edge
            outline = list(hall.hall.outline)
            outline.insert(k + 1, (x, y))
            ed.document.push(SetHall(hall.hall.id, {"outline": tuple(outline)}, "Add hall corner"))

    def cancel(self) -> bool:
        busy = self._drag is not None or bool(self.points)
        self._drag = self._outline = None
        self.points, self._target, self._cursor, self.typed = [], None, None, ""
        self._draw()
        return busy


def _valid_outline(points) -> bool:
    if len(points) < 3:
        return False
    poly = shapely.Polygon(points)
    return poly.is_valid and poly.area > 0


class RectangleTool(PlanTool):
    """Drag a rectangle (corners on the grid) that becomes a column or a keep-out zone;
    double-click one to remove it."""

    field = "columns"
    noun = "column"
    color = COLUMN_SKETCH_COLOR

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self._start: tuple[float, float] | None = None
        self._hall: HallItem | None = None
        self._rect: tuple[float, float, float, float] | None = None
        self._check: PlacementCheck | None = None

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._hall = ev.hall
        self._start = self.editor.snapper.point(*ev.plan(ev.hall))
        self._check = self.editor.cache.placement_check(ev.hall.hall.id)
        self._rect = None

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        ed = self.editor
        x1, y1 = ed.snapper.point(*ev.plan(self._hall))
        x0, y0 = self._start
        self._rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        r = self._rect
        covers = self._check.covers_equipment(r)
        color = BAD_COLOR if covers else self.color
        path = polygon_scene_path(self._hall, _rect_polygon(r))
        brush = QBrush(with_alpha(color, 110)) if self.field == "columns" else QBrush(with_alpha(color, 150),
                                                                                       Qt.BrushStyle.BDiagPattern)
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content([(path, sketch_pen(color, 1.5, Qt.PenStyle.DashLine), brush)])
        units = current_units()
        ed.message.emit(f"New {self.noun}: {units.length(r[2] - r[0]).removesuffix(units.length_suffix)} × "
                        f"{units.length(r[3] - r[1])}"
                        + ("  — on equipment (red)" if covers else ""))

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        self.mouse_move(ev)
        r, hall = self._rect, self._hall
        self.cancel()
        if r is None or r[2] - r[0] < 0.1 or r[3] - r[1] < 0.1:
            return
        polygons = list(getattr(hall.hall, self.field)) + [_rect_polygon(r)]
        self.editor.document.push(SetHall(hall.hall.id, {self.field: polygons}, f"Add {self.noun}"))

    def mouse_double_click(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        x, y = ev.plan(ev.hall)
        polygons = list(getattr(ev.hall.hall, self.field))
        for k in range(len(polygons) - 1, -1, -1):  # the one drawn last is on top
            if len(polygons[k]) >= 3 and shapely.intersects_xy(shapely.Polygon(polygons[k]), x, y):
                del polygons[k]
                self.editor.document.push(SetHall(ev.hall.hall.id, {self.field: polygons}, f"Remove {self.noun}"))
                return

    def cancel(self) -> bool:
        busy = self._start is not None
        self._start = self._rect = None
        self.editor.clear_sketch()
        return busy


def _rect_polygon(r) -> tuple[tuple[float, float], ...]:
    x0, y0, x1, y1 = (round(float(v), 6) for v in r)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


class ColumnTool(RectangleTool):
    """Draw a structural column."""

    name = "column"
    label = "Column"
    tooltip = "Draw a column: drag a rectangle; double-click a column to remove it"
    hint = "Drag a rectangle to add a column; double-click a column to remove it."


class KeepoutTool(RectangleTool):
    """Draw a keep-out zone."""

    name = "keepout"
    label = "Keep-out"
    tooltip = "Draw a keep-out zone: drag a rectangle; double-click one to remove it"
    hint = "Drag a rectangle to add a keep-out zone; double-click one to remove it."
    field = "keepouts"
    noun = "keep-out zone"
    color = KEEPOUT_SKETCH_COLOR


class BuswayTool(PlanTool):
    """Drag a busway run, kept east-west or north-south; its ends land on the grid and
    across the run it snaps to the centre line of a rack row within 0.3 m."""

    name = "busway"
    label = "Busway"
    tooltip = "Draw an overhead busway: drag along a row (kept horizontal or vertical)"
    hint = "Drag along a row to draw a busway; it stays horizontal or vertical."

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self._start: tuple[float, float] | None = None
        self._end: tuple[float, float] | None = None
        self._hall: HallItem | None = None

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._hall = ev.hall
        self._start = snap_to_rows(self.editor.snapper, self.editor.cache.floor(ev.hall.hall.id), *ev.plan(ev.hall))
        self._end = None

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        ed = self.editor
        x0, y0 = self._start
        x, y = ev.plan(self._hall)
        if abs(x - x0) >= abs(y - y0):
            self._end = (ed.snapper.value(x), y0)
        else:
            self._end = (x0, ed.snapper.value(y))
        a, b = self._hall.from_plan(x0, y0), self._hall.from_plan(*self._end)
        color = QColor(ed.catalog.types[ed.busway_type].color) if ed.busway_type in ed.catalog.types else OK_COLOR
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        sketch.set_content(lines=[([QLineF(a, b)], busway_pen(color))], handles=[a, b])
        length = math.hypot(self._end[0] - x0, self._end[1] - y0)
        feed = ed.busway_extra.get("feed", "A")
        ed.message.emit(f"Busway (feed {feed}) {current_units().length(length)}")

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._start is None:
            return
        self.mouse_move(ev)
        start, end, hall = self._start, self._end, self._hall
        self.cancel()
        if end is None or math.hypot(end[0] - start[0], end[1] - start[1]) < TILE_M - 1e-9:
            self.editor.message.emit("Drag at least one tile (0.6 m) to draw a busway")
            return
        ed = self.editor
        template = [Equipment("bw", ed.busway_type, hall.hall.id, round(start[0], 6), round(start[1], 6), 0.0,
                              None, (round(end[0], 6), round(end[1], 6)), dict(ed.busway_extra))]
        ed.add_items(fresh_copies(ed.design, ed.catalog, template), "Add busway")

    def cancel(self) -> bool:
        busy = self._start is not None
        self._start = self._end = None
        self.editor.clear_sketch()
        return busy
