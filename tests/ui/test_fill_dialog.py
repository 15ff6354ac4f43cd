"""Tools ▸ Fill Hall… (issue 15): a preview with its count and binding constraint before
applying, applied as one undo step, progress and cancel over a campus."""

from __future__ import annotations

from designer.model import Design, Hall
from designer.ui.fill_dialog import FillHallDialog, open_fill_dialog


def empty_design(halls: int = 1, width: float = 36.0, depth: float = 27.0, it_kw: float = 20000.0) -> Design:
    d = Design("Empty halls")
    d.site.utility_capacity_kw = 1e6
    for h in range(halls):
        hid = "ABCDEF"[h]
        d.halls.append(Hall(hid, f"Hall {hid}", ((0, 0), (width, 0), (width, depth), (0, depth)), it_capacity_kw=it_kw))
    return d


def systems(design) -> int:
    return len({e.system for e in design.equipment if e.system})


def wait_preview(qtbot, dialog: FillHallDialog) -> None:
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=60000)


def test_the_action_is_in_the_tools_menu(open_window):
    window = open_window(empty_design())
    assert window.fill_hall_action in window.tools_menu.actions()
    assert window.fill_hall_action.text() == "&Fill Hall…"


def test_preview_shows_count_and_binding_then_apply_is_one_undo_step(open_window, qtbot):
    window = open_window(empty_design(it_kw=3000.0))
    dialog = open_fill_dialog(window)
    qtbot.addWidget(dialog)
    wait_preview(qtbot, dialog)
    result = dialog.result
    assert result is not None and result.ultraservers > 0
    text = dialog.summary.text()
    assert f"<b>{result.ultraservers:,} Trn3 Gen2 UltraServers</b>" in text
    assert "Binding constraint: <b>hall capacity" in text
    assert dialog.apply_button.isEnabled()
    assert len(window.document.design.equipment) == 0   # a preview adds nothing
    assert dialog.preview.added and all(e.hall == "A" for e in dialog.preview.added)
    depth = window.document.undo_stack.count()
    dialog.apply_button.click()
    assert systems(window.document.design) == result.ultraservers
    assert window.document.undo_stack.count() == depth + 1
    window.document.undo_stack.undo()
    assert len(window.document.design.equipment) == 0
    window.document.undo_stack.redo()
    assert systems(window.document.design) == result.ultraservers
    qtbot.waitUntil(lambda: window.document.evaluation is not None and not window.updates_pending())
    errors = [v for v in window.document.evaluation.violations if v.severity == "error"]
    assert errors == []


def test_an_exact_target_and_a_changed_request_needs_a_new_preview(open_window, qtbot):
    window = open_window(empty_design())
    dialog = open_fill_dialog(window)
    qtbot.addWidget(dialog)
    wait_preview(qtbot, dialog)
    dialog.target_combo.setCurrentIndex(dialog.target_combo.findData("ultraservers"))
    assert not dialog.apply_button.isEnabled()   # the shown preview no longer matches
    dialog.count_spin.setValue(9)
    dialog.start_preview()
    wait_preview(qtbot, dialog)
    assert dialog.result.ultraservers == 9
    assert "Binding constraint: <b>target" in dialog.summary.text()
    dialog.apply_button.click()
    assert systems(window.document.design) == 9


def test_a_target_the_hall_cannot_hold_says_why_and_cannot_be_applied(open_window, qtbot):
    window = open_window(empty_design(width=20.0, depth=15.0))
    dialog = FillHallDialog(window)
    qtbot.addWidget(dialog)
    dialog.target_combo.setCurrentIndex(dialog.target_combo.findData("ultraservers"))
    dialog.count_spin.setValue(400)
    dialog.start_preview()
    wait_preview(qtbot, dialog)
    assert dialog.summary.text().startswith("Cannot fill: Hall A can hold")
    assert "space binds" in dialog.summary.text()
    assert not dialog.apply_button.isEnabled()


def test_a_campus_fill_shows_progress_per_hall_and_can_be_cancelled(open_window, qtbot):
    window = open_window(empty_design(halls=3))
    dialog = FillHallDialog(window)
    qtbot.addWidget(dialog)
    dialog.hall_combo.setCurrentIndex(dialog.hall_combo.findData(""))
    steps = []
    shown = dialog._on_progressed
    dialog._on_progressed = lambda done, total, hall: (steps.append((done, total, hall)), shown(done, total, hall))
    dialog.start_preview()
    assert not dialog.progress.isHidden() and not dialog.cancel_button.isHidden()
    wait_preview(qtbot, dialog)
    assert steps == [(1, 3, "A"), (2, 3, "B"), (3, 3, "C")]
    assert dialog.result is not None and len(dialog.result.halls) == 3
    assert "<td>C</td>" in dialog.summary.text()
    assert dialog.progress.isHidden() and dialog.cancel_button.isHidden()
    # cancelled before the first hall: nothing to apply
    dialog.start_preview()
    dialog.cancel_preview()
    wait_preview(qtbot, dialog)
    assert dialog.result is None and not dialog.apply_button.isEnabled()
    assert dialog.summary.text() == "Cancelled: nothing will be added."
    assert len(window.document.design.equipment) == 0
