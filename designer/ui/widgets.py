"""Small helpers shared by the docks."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLayout, QToolButton, QVBoxLayout, QWidget

#: Text in the docks follows a drag at this interval at most (10 a second).
TEXT_INTERVAL_MS = 100


def set_style_sheet(widget: QWidget, css: str) -> None:
    """Set a widget's style sheet only when it changes: setting one, even the same, makes
    Qt re-polish the widget (about a millisecond a call, on every evaluation of a drag)."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


def column_layout(widget: QWidget, *parts, margin: int = 4, spacing: int = 4) -> QVBoxLayout:
    """Lay ``parts`` out top to bottom in ``widget``: widgets or layouts, or
    ``(part, stretch)`` pairs for the ones that take the spare height."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(spacing)
    for part in parts:
        part, stretch = part if isinstance(part, tuple) else (part, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def close_button(tip: str, on_click: Callable[[], None]) -> QToolButton:
    """A flat "×" button that closes or dismisses the bar it sits in."""
    button = QToolButton()
    button.setText("×")
    button.setAutoRaise(True)
    button.setToolTip(tip)
    button.clicked.connect(on_click)
    return button


def drawn_icon(size: int, paint: Callable[[QPainter], None]) -> QIcon:
    """A ``size``-pixel square icon on a transparent ground, drawn by ``paint(painter)``
    (antialiased, no pen to start with)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    paint(painter)
    painter.end()
    return QIcon(pix)


class Throttle(QObject):
    """Runs ``fn`` at once when it has not run for ``interval_ms``, else once that interval
    is over: a burst of requests (evaluations during a drag) costs a few runs a second,
    and the last request is always served."""

    def __init__(self, interval_ms: int, fn: Callable[[], None], parent: QObject | None) -> None:
        super().__init__(parent)
        self.interval_s = interval_ms / 1000.0
        self._fn = fn
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run)

    def request(self) -> None:
        now = time.monotonic()
        if self._last is None or now - self._last >= self.interval_s:
            self.run()
        elif not self._timer.isActive():
            self._timer.start(max(1, int((self.interval_s - (now - self._last)) * 1000) + 1))

    def pending(self) -> bool:
        return self._timer.isActive()

    def run(self) -> None:
        self._timer.stop()
        self._last = time.monotonic()
        self._fn()


class RefreshedWhenShown:
    """Mixin for a panel (a QWidget with ``refresh()`` and a ``_throttle`` calling
    ``_refresh_if_shown``): during a burst of evaluations it refreshes through its
    throttle while shown, and once when it is shown again after changes it missed."""

    _stale = False

    def _on_evaluation_changed(self, _evaluation=None) -> None:
        if not self.isVisible():
            self._stale = True
        else:
            self._throttle.request()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale:
            self.refresh()
