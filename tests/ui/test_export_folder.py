"""File ▸ Export dialogs open in the folder the last export went to, across sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from designer.ui import settings


@pytest.fixture(autouse=True)
def no_remembered_folder():
    settings.forget("folders")
    yield
    settings.forget("folders")


def export_action(window, name: str):
    return next(a for a in window.export_menu.actions() if a.objectName() == f"export_{name}")


def test_the_export_dialog_opens_where_the_last_export_went(main_window, tmp_path, monkeypatch):
    asked: list[str] = []
    answers = iter([str(tmp_path / "deliverables" / "bill.csv"), ""])

    def save_dialog(parent, caption, start, filters):
        asked.append(start)
        return next(answers), filters

    (tmp_path / "deliverables").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    pilot_folder = main_window.document.path.parent
    export_action(main_window, "csv").trigger()  # first export: next to the design
    assert Path(asked[0]).parent == pilot_folder
    assert (tmp_path / "deliverables" / "bill.csv").stat().st_size > 0
    export_action(main_window, "svg").trigger()  # the next dialog, another format: where the last one went
    assert Path(asked[1]).parent == tmp_path / "deliverables"
    assert Path(asked[1]).suffix == ".svg"
    assert settings.export_folder() == tmp_path / "deliverables"  # remembered for the next session


def test_a_folder_that_is_gone_is_not_offered(main_window, tmp_path):
    from designer.io.exports import export_format
    from designer.ui.export.actions import export_start_path

    gone = tmp_path / "removed"
    gone.mkdir()
    settings.set_export_folder(gone)
    gone.rmdir()
    start = Path(export_start_path(main_window, export_format("pdf")))
    assert start.parent == main_window.document.path.parent and start.suffix == ".pdf"
