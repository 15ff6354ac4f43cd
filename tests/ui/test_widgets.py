"""Throttled dock updates: a burst of evaluations (a drag) refreshes the docks' text a
few times a second, and always ends on the latest evaluation."""

from __future__ import annotations

from PySide6.QtCore import QObject

from designer.model.commands import move_items
from designer.ui.widgets import Throttle


def test_a_burst_runs_once_at_once_and_once_at_the_end(qtbot):
    calls = []
    owner = QObject()
    throttle = Throttle(100, lambda: calls.append(len(calls)), owner)
    for _ in range(20):
        throttle.request()
    assert len(calls) == 1 and throttle.pending()
    qtbot.waitUntil(lambda: not throttle.pending(), timeout=2000)
    assert len(calls) == 2
    qtbot.wait(150)
    throttle.request()  # quiet for longer than the interval: runs at once again
    assert len(calls) == 3 and not throttle.pending()


def test_dragging_updates_the_docks_text_a_few_times_and_ends_on_the_last_evaluation(main_window, qtbot):
    window = main_window
    shown = []
    original = window.metrics._show_latest
    window.metrics._show_latest = lambda: (shown.append(1), original())  # type: ignore[method-assign]
    window.metrics._tiles_throttle._fn = window.metrics._show_latest
    qtbot.waitUntil(lambda: not window.metrics.updates_pending())
    ids = ["us1-r1", "us1-r2"]
    steps = 12
    for _ in range(steps):  # one UltraServer out into the aisle, a mouse move at a time
        move_items(window.design, ids, 0.0, -0.25).apply(window.design)
        window.document.evaluate_pending()
    assert len(shown) < steps
    qtbot.waitUntil(lambda: not window.metrics.updates_pending())
    report = window.document.evaluation.report()
    assert window.metrics.text("effective_pflops") == \
        f"{report['throughput']['effective']['mxfp8_pflops']:,.1f} PFLOPS"
    assert report["throughput"]["stranded_ultraservers"] >= 1  # out in the aisle: it no longer runs
    assert window.totals._values["stranded"].text() == f"{report['throughput']['stranded_ultraservers']:,}"
