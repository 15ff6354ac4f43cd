"""Measuring on the plan, and the annotations a planner leaves on it.

* :class:`MeasureTool` (M): drag from one point to another (or click both): the
  straight distance, Δx and Δy, and the routed length of a cable between them —
  (Manhattan + a tray drop at each end) × slack, as the engine routes a scale-out
  cable (:func:`designer.engine.rules.interconnect.routed_length_m`), with the halls'
  tray drops and the design's ``cable.slack_factor``, and the medium such a link would
  take (the engine's cheapest that reaches). A point over a rack takes the
  rack's centre (where the engine measures from); else it lands on the grid when
  snapping is on. Shift keeps the line horizontal or vertical. Enter (or D) keeps the
  measurement as a dimension line of the design. The readout follows the units
  preference (metres, or feet); what is kept is in metres.
* :class:`NoteTool`: click to leave a free-text note.

Dimension lines and notes are the design's ``annotations`` (saved with it), added and
removed as undoable commands (:func:`designer.model.commands.add_annotation`).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QInputDialog, QWidget

from designer.model.commands import AnnotationError, add_annotation, dimension, note
from designer.engine.rules.interconnect import cheapest_medium
from designer.ui.canvas.annotations import measure_text, measured_length, routed_m
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.sketch import ScreenItem, draw_handles
from designer.ui.canvas.view import ToolEvent
from designer.ui.docks.fields import current_units
from designer.ui.tools.base import PICK_PX, Editing, PlanTool

MEASURE_COLOR = QColor("#d35400")


class MeasureItem(ScreenItem):
    """The measurement being made: a line between two scene points and its readout."""

    def __init__(self) -> None:
        super().__init__(21.0)
        self.a: QPointF | None = None
        self.b: QPointF | None = None
        self.text = ""
        self.font = QFont()
        self.font.setPixelSize(13)
        self.font.setBold(True)

    def set_line(self, a: QPointF | None, b: QPointF | None, text: str = "") -> None:
        self.prepareGeometryChange()
        self.a, self.b, self.text = a, b, text
        self._bounds = QRectF() if a is None or b is None else QRectF(a, b).normalized()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        if self.is_empty():
            return QRectF()
        from designer.ui.canvas.painting import overlay_margin

        m = overlay_margin(self, QFontMetricsF(self.font).horizontalAdvance(self.text) + 40)
        return self._bounds.adjusted(-m, -m, m, m)

    def is_empty(self) -> bool:
        return self.a is None or self.b is None

    def draw(self, painter: QPainter, exposed: QRectF, ppm: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(MEASURE_COLOR, 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLine(QLineF(self.a, self.b))
        draw_handles(painter, [(self.a.x(), self.a.y()), (self.b.x(), self.b.y())], ppm)
        if not self.text:
            return
        metrics = QFontMetricsF(self.font)
        w, h = metrics.horizontalAdvance(self.text) + 10, metrics.height() + 6
        # in device pixels, beside the second end, turned to whichever side the view has room on
        at = painter.worldTransform().map(self.b)
        device = painter.device()
        x = at.x() + 12 if at.x() + 12 + w <= device.width() else at.x() - 12 - w
        y = at.y() + 12 if at.y() + 12 + h <= device.height() else at.y() - 12 - h
        painter.save()
        painter.resetTransform()
        box = QRectF(max(x, 2.0), max(y, 2.0), w, h)
        painter.setPen(QPen(MEASURE_COLOR, 1.0))
        painter.setBrush(QBrush(QColor(255, 255, 255, 235)))
        painter.drawRect(box)
        painter.setFont(self.font)
        painter.setPen(QColor("#202124"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.restore()


class MeasureTool(PlanTool):
    """Measure a distance and the routed cable length between two points; Enter keeps
    it as a dimension line."""

    name = "measure"
    label = "Measure"
    shortcut = "M"
    tooltip = "Measure a distance and the routed cable length between two points"
    hint = ("Drag (or click twice) between two points: distance and routed cable length. "
            "Shift: horizontal or vertical. Enter keeps it as a dimension line; Esc clears it.")

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self.item = MeasureItem()
        #: the measurement: each end as (hall item or None, scene point)
        self.a: tuple[HallItem | None, QPointF] | None = None
        self.b: tuple[HallItem | None, QPointF] | None = None
        #: idle, dragging (button held), second (a click: the next one ends it), done
        self.state = "idle"
        self._press_view: QPointF | None = None
        #: the readout of the last measurement
        self.text = ""

    # ------------------------------------------------------------------ points
    def point(self, ev: ToolEvent) -> tuple[HallItem | None, QPointF]:
        """Where a measurement end lands: a rack's centre under the cursor, else the grid
        point (snapping on) or the cursor, in scene coordinates."""
        ed = self.editor
        hall = ev.hall
        if hall is None:
            return None, QPointF(ev.scene_pos)
        x, y = ev.plan(hall)
        hits = ed.cache.floor(hall.hall.id).hits(x, y, PICK_PX / max(ev.ppm, 1e-9))
        t = ed.design.equipment
        for row in hits:
            if not math.isfinite(t.x2[int(row)]):  # a floor item (a busway has no centre to take)
                return hall, hall.from_plan(float(t.x[int(row)]), float(t.y[int(row)]))
        return hall, hall.from_plan(*ed.snapper.point(x, y))

    def _constrained(self, p: QPointF, ev: ToolEvent) -> QPointF:
        if self.a is None or not ev.has(Qt.KeyboardModifier.ShiftModifier):
            return p
        a = self.a[1]
        return QPointF(p.x(), a.y()) if abs(p.x() - a.x()) >= abs(p.y() - a.y()) else QPointF(a.x(), p.y())

    def _tray_drop(self, hall: HallItem | None) -> float:
        drop = hall.hall.tray_drop_m if hall is not None else None
        return float(drop) if drop is not None else float(self.editor.catalog.value("cable.tray_drop_m"))

    def readout(self) -> str:
        """The measurement in words (empty before one is made)."""
        if self.a is None or self.b is None:
            return ""
        (ha, a), (hb, b) = self.a, self.b
        drop = (self._tray_drop(ha) + self._tray_drop(hb)) / 2  # one drop at each end
        slack = float(self.editor.catalog.value("cable.slack_factor"))
        # scene y runs south: site coordinates are (x, −y)
        pa, pb = (a.x(), -a.y()), (b.x(), -b.y())
        return measure_text(pa, pb, drop, slack, self._medium(routed_m(pa, pb, drop, slack)), current_units())

    def _medium(self, length_m: float) -> str:
        """The medium a scale-out link of that routed length would take (the engine's
        cheapest that reaches), or that none reaches."""
        try:
            st = self.editor.cache.engine_settings()
            k = int(cheapest_medium(st, np.array([length_m]))[0])
        except Exception:  # no media in a stripped catalog: the length alone
            return ""
        return f"{st.media_names[k]}" if k >= 0 else "beyond every medium's reach"

    def refresh_readout(self) -> None:
        """Word the measurement on show again (after the units preference changed)."""
        if self.a is not None and self.b is not None:
            self._show()

    def _show(self) -> None:
        ed = self.editor
        if self.item.scene() is not ed.scene:
            ed.scene.addItem(self.item)
        self.text = self.readout()
        self.item.set_line(self.a[1] if self.a else None, self.b[1] if self.b else None, self.text)
        if self.text:
            ed.message.emit(f"Measure: {self.text}")

    # ------------------------------------------------------------------ mouse
    def _end_at(self, ev: ToolEvent) -> tuple[HallItem | None, QPointF]:
        hall, p = self.point(ev)
        return hall, self._constrained(p, ev)

    def mouse_press(self, ev: ToolEvent) -> None:
        if self.state == "second":  # the second click of a click–click measurement
            self.b = self._end_at(ev)
            self.state = "done"
            self._show()
            return
        self.a = self.point(ev)
        self.b = self.a
        self.state = "dragging"
        self._press_view = QPointF(ev.view_pos)
        self._show()

    def mouse_move(self, ev: ToolEvent) -> None:
        if self.state in ("dragging", "second"):
            self.b = self._end_at(ev)
            self._show()

    def mouse_release(self, ev: ToolEvent) -> None:
        if self.state != "dragging":
            return
        moved = ev.view_pos - self._press_view
        if math.hypot(moved.x(), moved.y()) < 4.0:  # a click: the next click ends it
            self.state = "second"
            self.editor.message.emit("Measure: click the second point")
            return
        self.b = self._end_at(ev)
        self.state = "done"
        self._show()

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_D) and self.state == "done":
            self.keep_as_dimension()
            return True
        return False

    def keep_as_dimension(self) -> bool:
        """Add the measurement to the design as a dimension line (one undo step), in the
        frame of the hall its first end is in."""
        ed = self.editor
        if self.a is None or self.b is None:
            return False
        hall = self.a[0] or self.b[0]
        if hall is None:
            ed.message.emit("A dimension line belongs to a hall: start it in one")
            return False
        try:
            ann = dimension(ed.design, hall.hall.id, hall.to_plan(self.a[1]), hall.to_plan(self.b[1]))
        except AnnotationError as exc:
            ed.message.emit(f"Not kept: {exc}")
            return False
        ed.document.push(add_annotation(ed.design, ann))
        length = measured_length(math.dist(ann["a"], ann["b"]))
        ed.message.emit(f"Dimension line of {length} added to {hall.hall.name}")
        self.cancel()
        return True

    def cancel(self) -> bool:
        busy = self.a is not None
        self.a = self.b = None
        self.state = "idle"
        self._press_view = None
        self.text = ""
        self.item.set_line(None, None)
        if self.item.scene() is not None:
            self.item.scene().removeItem(self.item)
        return busy


def ask_note_text(parent: QWidget | None, title: str, current: str = "") -> str | None:
    """Ask for a note's text (None when cancelled). Tests replace this."""
    text, ok = QInputDialog.getMultiLineText(parent, title, "Note:", current)
    return text if ok else None


class NoteTool(PlanTool):
    """Click on a hall to leave a free-text note there."""

    name = "note"
    label = "Note"
    shortcut = "N"
    tooltip = "Leave a free-text note on the plan: click where it goes"
    hint = "Click where the note goes and type it; right-click a note to edit or delete it."

    def mouse_press(self, ev: ToolEvent) -> None:
        ed = self.editor
        if ev.hall is None:
            ed.message.emit("A note belongs to a hall: click on one")
            return
        text = ask_note_text(ed.view, "Add note")
        if text is None:
            return
        try:
            ann = note(ed.design, ev.hall.hall.id, ed.snapper.point(*ev.plan(ev.hall)), text)
        except AnnotationError as exc:
            ed.message.emit(f"No note added: {exc}")
            return
        ed.document.push(add_annotation(ed.design, ann))
        ed.message.emit(f"Note added to {ev.hall.hall.name}")
