"""Crash recovery with the real app in separate processes: edit, SIGKILL, restart, recover."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

EDIT = """
from designer.model.commands import move_items, Rename
window.document.push(move_items(window.design, ["us1-r1", "us1-r2"], 0.0, 0.6))
window.document.push(Rename("Pilot after an edit"))
open({marker!r}, "w").write("edited")
"""

CHECK = """
import json
from PySide6.QtCore import QTimer
t = window.design.equipment
json.dump({{"name": window.design.name, "y": t.get("us1-r1").y, "modified": window.document.modified,
           "title": window.windowTitle(), "path": str(window.document.path)}}, open({out!r}, "w"))
window.document.undo_stack.setClean()
QTimer.singleShot(0, app.quit)
"""


def _env(tmp_path):
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


def _wait_for(predicate, timeout_s: float, what: str):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_edits_survive_a_sigkill_and_are_recovered_at_the_next_start(tmp_path, pilot_path):
    from designer.io import read_design

    env = _env(tmp_path)
    work = tmp_path / "hall.dcplan"
    work.write_bytes(pilot_path.read_bytes())
    marker = tmp_path / "edited"
    edit = tmp_path / "edit.py"
    edit.write_text(EDIT.format(marker=str(marker)))
    app = subprocess.Popen([sys.executable, "-m", "designer", str(work), "--autosave-seconds", "1",
                            "--script", str(edit)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(marker.exists, 60, "the edits")
        autosaves = lambda: list((tmp_path / "data").rglob("autosave/*.json"))  # noqa: E731
        _wait_for(lambda: autosaves() and "Pilot after an edit" in autosaves()[0].read_text(), 30, "the autosave")
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    assert app.returncode == -signal.SIGKILL
    assert read_design(work).name != "Pilot after an edit"  # the file itself was never saved

    out = tmp_path / "state.json"
    check = tmp_path / "check.py"
    check.write_text(CHECK.format(out=str(out)))
    again = subprocess.run([sys.executable, "-m", "designer", "--recover", "all", "--script", str(check)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    state = json.loads(out.read_text())
    assert state["name"] == "Pilot after an edit"
    assert state["y"] == pytest.approx(read_design(pilot_path).equipment.get("us1-r1").y + 0.6)
    assert state["modified"] is True
    assert state["path"] == str(work)          # saving goes back to the planner's own file
    assert not list((tmp_path / "data").rglob("autosave/*.dcplan"))  # taken over, not left behind


def test_an_unexpected_error_shows_a_dialog_logs_it_and_autosaves(main_window, qapp, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from designer.model.commands import Rename
    from designer.ui import autosave

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.informativeText())) or 0)
    old_hook = sys.excepthook
    try:
        autosave.install_error_dialog(qapp, lambda: main_window)
        main_window.document.push(Rename("work in progress"))
        try:
            raise RuntimeError("a bug in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old_hook
    assert len(shown) == 1 and "RuntimeError: a bug in a slot" in shown[0][0]
    log = autosave.log_path()
    assert str(log) in shown[0][1]
    assert "a bug in a slot" in log.read_text()
    assert "work in progress" in main_window.autosaver.path.read_text()  # the work is autosaved
    assert main_window.isVisible()                                       # and the app carries on
