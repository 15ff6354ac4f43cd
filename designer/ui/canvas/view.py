"""The plan view: shows a :class:`~designer.ui.canvas.scene.PlanScene`, zooms with the
wheel about the cursor and pans with the middle or right button (or Space and drag); a
right click that does not drag opens the input's context menu there.

Editing is not done here: the view hands left-button mouse events (as
:class:`ToolEvent` objects), keys and palette drags to whatever :class:`PlanInput` it
is given — the editor (:class:`designer.ui.tools.editor.PlanEditor`) gives itself.
Without one the view only looks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsView, QMenu

from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.scene import PlanScene

#: Zoom limits in pixels per metre.
MIN_PPM, MAX_PPM = 0.05, 2000.0
#: Zoom factor of one wheel notch (120 eighths of a degree) and of Zoom in/out.
ZOOM_STEP = 1.25
#: A right press released within this many pixels is a click (a context menu), not a pan.
CLICK_SLOP_PX = 4.0


@dataclass
class ToolEvent:
    """A mouse event on the plan as the editing tools see it."""

    scene_pos: QPointF
    view_pos: QPointF
    modifiers: Qt.KeyboardModifier
    buttons: Qt.MouseButton
    ppm: float                 # zoom: screen pixels per metre
    hall: HallItem | None      # the hall under the cursor (or nearest within half the gap)

    def plan(self, hall: HallItem | None = None) -> tuple[float, float]:
        """Plan metres of the cursor in ``hall``'s frame (default: the hall under it)."""
        item = hall if hall is not None else self.hall
        if item is None:
            return math.nan, math.nan
        return item.to_plan(self.scene_pos)

    def has(self, modifier: Qt.KeyboardModifier) -> bool:
        """Whether a modifier key (Alt, Ctrl, Shift) was held."""
        return bool(self.modifiers & modifier)


class PlanInput(Protocol):
    """What the view hands its input to: mouse gestures as :class:`ToolEvent`, keys and
    palette drags (each ``drag_*``/``drop``/``key_press`` returns whether it took the event)."""

    def cursor(self) -> Qt.CursorShape: ...
    def mouse_press(self, ev: ToolEvent) -> None: ...
    def mouse_move(self, ev: ToolEvent) -> None: ...
    def mouse_release(self, ev: ToolEvent) -> None: ...
    def mouse_double_click(self, ev: ToolEvent) -> None: ...
    def key_press(self, event) -> bool: ...
    def drag_enter(self, event) -> bool: ...
    def drag_move(self, event) -> bool: ...
    def drag_leave(self) -> None: ...
    def drop(self, event) -> bool: ...
    def context_menu(self, ev: ToolEvent) -> QMenu | None: ...


class PlanView(QGraphicsView):
    """Shows a :class:`PlanScene`: wheel zooms to the cursor, middle/right/space-drag pans.

    With an input (:meth:`set_input`: the editor), the left button, keys and drags
    from the palette go to it; without one the view only looks.
    """

    #: (hall name, x m, y m) under the cursor, or None away from the halls.
    cursor_moved = Signal(object)

    def __init__(self, scene: PlanScene | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setScene(scene if scene is not None else PlanScene(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._auto_fit = True  # keep fitting on resize until the user zooms or pans
        self._keeping_scale = False  # a legend margin is changing: no refit
        self._pan_last: QPointF | None = None
        self._space_held = False
        self._input: PlanInput | None = None
        self._left_down = False
        self._right_press: QPointF | None = None  # where a right press that may be a click began
        #: The cursor's last position over the viewport (pixels), None when it left.
        self.hover_pos: QPointF | None = None

    # ------------------------------------------------------------------ editing
    def set_input(self, handler: PlanInput | None) -> None:
        """Hand mouse, key and drop events to ``handler`` (None: view only)."""
        self._input = handler
        self.setAcceptDrops(handler is not None)
        self.viewport().setAcceptDrops(handler is not None)

    def tool_event(self, pos: QPointF, modifiers: Qt.KeyboardModifier,
                   buttons: Qt.MouseButton = Qt.MouseButton.NoButton) -> ToolEvent:
        """A :class:`ToolEvent` for a viewport position (pixels)."""
        scene_pos = self.mapToScene(pos.toPoint())
        return ToolEvent(scene_pos, QPointF(pos), modifiers, buttons, self.pixels_per_metre(),
                         self.plan_scene().hall_at(scene_pos))

    def _tool_event_of(self, event) -> ToolEvent:
        return self.tool_event(event.position(), event.modifiers(), event.buttons())

    def plan_scene(self) -> PlanScene:
        """The :class:`PlanScene` shown."""
        return self.scene()  # type: ignore[return-value]

    # ------------------------------------------------------------------ zoom
    def pixels_per_metre(self) -> float:
        """Current zoom: screen pixels per plan metre."""
        return math.hypot(self.transform().m11(), self.transform().m12())

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` (clamped to the zoom limits) keeping the plan point under
        ``anchor`` (viewport pixels; the view centre when None) where it is."""
        ppm = self.pixels_per_metre()
        factor = min(max(factor, MIN_PPM / ppm), MAX_PPM / ppm)
        if abs(factor - 1.0) < 1e-12:
            return
        self._auto_fit = False
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(anchor.toPoint())
        old = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        self.setTransformationAnchor(old)
        moved = QPointF(self.mapFromScene(fixed)) - anchor
        self.pan_by(-moved.x(), -moved.y())

    def zoom_in(self) -> None:
        """One step closer, about the centre of the view."""
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step farther, about the centre of the view."""
        self.zoom_by(1.0 / ZOOM_STEP)

    def fit(self) -> None:
        """Show every hall whole, centred, with room for the hall names."""
        self._auto_fit = True
        rect = self.plan_scene().content_rect()
        vp = self.viewport().rect()
        pad, title = 24.0, 28.0
        avail_w = max(vp.width() - 2 * pad, 10.0)
        avail_h = max(vp.height() - 2 * pad - title, 10.0)
        s = min(avail_w / max(rect.width(), 1e-6), avail_h / max(rect.height(), 1e-6))
        s = min(max(s, MIN_PPM), MAX_PPM)
        self.setTransform(QTransform.fromScale(s, s))
        self.centerOn(rect.center() - QPointF(0.0, title / 2 / s))

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt API)
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(ZOOM_STEP ** (delta / 120.0), anchor=event.position())
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._auto_fit and not self._keeping_scale:
            self.fit()

    def set_bottom_margin(self, height_px: int) -> None:
        """Reserve ``height_px`` along the bottom of the view (the legend's strip) keeping
        the zoom and the plan point at the centre of the view: turning an overlay or a
        colour mode on or off never rescales the plan (a fitted plan moves up by half the
        strip, into the room fitting leaves for the hall titles)."""
        margins = self.viewportMargins()
        if margins.bottom() == height_px:
            return
        centre = self.mapToScene(self.viewport().rect().center())
        transform = self.transform()
        self._keeping_scale = True
        try:
            self.setViewportMargins(margins.left(), margins.top(), margins.right(), height_px)
        finally:
            self._keeping_scale = False
        if self.transform() != transform:
            self.setTransform(transform)
        moved = QPointF(self.mapFromScene(centre)) - QPointF(self.viewport().rect().center())
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(moved.x()))
        v.setValue(v.value() + round(moved.y()))

    # ------------------------------------------------------------------ pan
    def _starts_pan(self, event) -> bool:
        b = event.button()
        return b in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton) or (
            b == Qt.MouseButton.LeftButton and self._space_held)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._starts_pan(event):
            self._pan_last = event.position()
            self._right_press = QPointF(event.position()) if event.button() == Qt.MouseButton.RightButton else None
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if self._input is not None and event.button() == Qt.MouseButton.LeftButton:
            self._left_down = True
            self._input.mouse_press(self._tool_event_of(event))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.hover_pos = QPointF(event.position())
        if self._pan_last is not None:
            delta = event.position() - self._pan_last
            self._pan_last = event.position()
            self.pan_by(delta.x(), delta.y())
            event.accept()
        elif self._input is not None and not self._space_held:
            self._input.mouse_move(self._tool_event_of(event))
            event.accept()
        else:
            super().mouseMoveEvent(event)
        self.cursor_moved.emit(self.plan_scene().plan_point(self.mapToScene(event.position().toPoint())))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._pan_last is not None:
            self._pan_last = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_held
                                      else self._tool_cursor())
            press, self._right_press = self._right_press, None
            if press is not None and event.button() == Qt.MouseButton.RightButton:
                moved = event.position() - press
                if math.hypot(moved.x(), moved.y()) <= CLICK_SLOP_PX:
                    self.open_context_menu(event.position(), event.globalPosition().toPoint())
            event.accept()
            return
        if self._input is not None and event.button() == Qt.MouseButton.LeftButton and self._left_down:
            self._left_down = False
            self._input.mouse_release(self._tool_event_of(event))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._input is not None and event.button() == Qt.MouseButton.LeftButton and not self._space_held:
            self._left_down = True  # the release that follows belongs to the tool
            self._input.mouse_double_click(self._tool_event_of(event))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def context_menu_at(self, pos: QPointF) -> QMenu | None:
        """The input's context menu for a viewport position (None: none there)."""
        if self._input is None or not hasattr(self._input, "context_menu"):
            return None
        return self._input.context_menu(self.tool_event(pos, Qt.KeyboardModifier.NoModifier))

    def open_context_menu(self, pos: QPointF, global_pos) -> None:
        """Show the context menu of a viewport position (a right click, the Menu key)."""
        menu = self.context_menu_at(pos)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            menu.popup(global_pos)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt API)
        # a right click opens the menu on release (a right drag pans); the Menu key here
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            event.accept()
            return
        pos = self.hover_pos if self.hover_pos is not None else QPointF(self.viewport().rect().center())
        self.open_context_menu(pos, self.viewport().mapToGlobal(pos.toPoint()))
        event.accept()

    def _tool_cursor(self) -> Qt.CursorShape:
        return self._input.cursor() if self._input is not None else Qt.CursorShape.ArrowCursor

    def pan_by(self, dx_px: float, dy_px: float) -> None:
        """Move the plan with the hand by (dx, dy) screen pixels."""
        self._auto_fit = False
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(dx_px))
        v.setValue(v.value() - round(dy_px))

    def event(self, event) -> bool:  # noqa: D102 (Qt API)
        # a key the input is using (a length typed while drawing: digits, Backspace, Enter)
        # comes here as a key press, not as the shortcut of a menu action
        if event.type() == QEvent.Type.ShortcutOverride and self._input is not None:
            wants = getattr(self._input, "wants_key", None)
            if wants is not None and wants(event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if self._input is not None and self._input.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._pan_last is None:
                self.viewport().setCursor(self._tool_cursor())
            event.accept()
            return
        super().keyReleaseEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        self.hover_pos = None
        self.cursor_moved.emit(None)
        super().leaveEvent(event)

    # ------------------------------------------------------------------ drops from the palette
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._input is not None and self._input.drag_enter(event):
            return
        event.ignore()  # not ours (a .dcplan file): the window opens it

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._input is not None and self._input.drag_move(event):
            return
        event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._input is not None:
            self._input.drag_leave()
        event.accept()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._input is not None and self._input.drop(event):
            return
        event.ignore()
