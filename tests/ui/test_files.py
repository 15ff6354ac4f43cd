"""File handling in the window: save → reopen, failed saves, the modified mark, recent
files, dropping a design on the window."""

from __future__ import annotations

import errno

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from designer.io import dumps_design, read_design
from designer.io import dcplan
from designer.model.commands import Rename, move_items
from designer.ui.main_window import MainWindow


def test_save_then_reopen_gives_the_same_design(main_window, qtbot, tmp_path):
    main_window.document.push(move_items(main_window.design, ["us3-r1", "us3-r2"], 0.6, 0.0))
    main_window.document.push(Rename("Pilot, moved"))
    assert main_window.isWindowModified()
    path = tmp_path / "moved.dcplan"
    assert main_window._save_to(path)
    assert not main_window.isWindowModified()
    assert "moved.dcplan" in main_window.windowTitle()
    other = MainWindow()
    qtbot.addWidget(other)
    other.open_file(path)
    assert dumps_design(other.design) == dumps_design(main_window.design)
    assert other.design.equipment.get("us3-r1").x == pytest.approx(main_window.design.equipment.get("us3-r1").x)
    assert str(path.resolve()) == other.recent_files()[0]


def test_a_failed_save_says_so_and_keeps_the_work(main_window, tmp_path, monkeypatch):
    path = tmp_path / "hall.dcplan"
    assert main_window._save_to(path)
    before = path.read_bytes()
    main_window.document.push(Rename("unsaved work"))
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: shown.append(a[2])))

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dcplan.os, "fsync", full)
    assert not main_window._save_to(path)
    assert len(shown) == 1 and "No space left on device" in shown[0]
    assert main_window.document.modified and main_window.isWindowModified()
    assert main_window.design.name == "unsaved work"
    assert path.read_bytes() == before


def test_dropping_a_design_file_on_the_window_opens_it(main_window, full_hall_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(full_hall_path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    main_window.dropEvent(event)
    assert main_window.design.name == read_design(full_hall_path).name
    assert main_window.document.path == full_hall_path
