"""Small helpers shared by the docks."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

#: Text in the docks follows a drag at this interval at most (10 a second).
TEXT_INTERVAL_MS = 100


def set_style_sheet(widget: QWidget, css: str) -> None:
    """Set a widget's style sheet only when it changes: setting one, even the same, makes
    Qt re-polish the widget (about a millisecond a call, on every evaluation of a drag)."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


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
