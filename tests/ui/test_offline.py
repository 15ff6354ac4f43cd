"""The app never opens a network connection: a whole session with sockets blocked."""

from __future__ import annotations

import socket

import pytest

from designer.io import read_design
from designer.model.commands import move_items
from designer.io.exports import FORMATS
from designer.ui.export.actions import export_to
from designer.ui.main_window import MainWindow


@pytest.fixture
def no_sockets(monkeypatch):
    """Creating any socket fails the test (and is recorded)."""
    attempts = []

    class Blocked(socket.socket):
        def __init__(self, *args, **kwargs):
            attempts.append(args)
            raise AssertionError("the app tried to open a network socket")

    monkeypatch.setattr(socket, "socket", Blocked)
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(AssertionError("network")))
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(AssertionError("DNS lookup")))
    return attempts


def test_a_whole_session_runs_with_sockets_blocked(no_sockets, qtbot, pilot_path, tmp_path):
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_file(pilot_path)
    window.show()
    qtbot.waitExposed(window)
    chips = window.document.evaluation.totals["chips"]
    window.document.push(move_items(window.design, ["us1-r1", "us1-r2"], 0.0, 0.6))
    qtbot.waitUntil(lambda: window.document.evaluation is not None and window.document.modified)
    for fmt in (f.name for f in FORMATS):
        out = tmp_path / f"session.{fmt}"
        export_to(window, fmt, out)
        assert out.stat().st_size > 0
    saved = tmp_path / "session.dcplan"
    assert window._save_to(saved)
    assert not window.document.modified
    assert read_design(saved).equipment.get("us1-r1").y == pytest.approx(read_design(pilot_path).equipment.get("us1-r1").y + 0.6)
    assert window.document.evaluation.totals["chips"] == chips
    assert no_sockets == []
