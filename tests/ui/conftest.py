"""UI fixtures: a main window on the pilot sample (napari's ``make_napari_viewer`` style)
and small designs built in code whose geometry the tests know exactly."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from designer.model import Design
from designer.paths import pilot_sample
from designer.ui.main_window import MainWindow
from designer.ui.canvas.scene import PlanScene
from designer.ui.canvas.view import PlanView



#: Qt's offscreen platform (headless tests) warns that it cannot pass a main window's
#: size hints to a window system it does not have; not a defect of ours.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def default_view_options():
    """Every test starts with the default colour mode and no overlays (the app remembers
    the last ones; one test's choice must not leak into the next)."""
    from designer.ui import settings

    settings.forget("view")
    yield
    settings.forget("view")


@pytest.fixture(autouse=True)
def no_unexpected_modal_dialogs(monkeypatch):
    """A modal dialog would block a headless test forever. Instead it is answered at once
    (Discard when offered, else OK/No) and recorded; a dialog shown during the test body
    fails the test afterwards. Raising instead would throw inside Qt's virtual overrides
    (closeEvent), which crashes the interpreter. Tests that expect a dialog patch
    ``QMessageBox.exec`` (or the static helpers) themselves."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    SB = QMessageBox.StandardButton

    def answer(self, *args, **kwargs):
        shown.append(self.text())
        buttons = self.standardButtons()
        return SB.Discard if buttons & SB.Discard else SB.Ok

    monkeypatch.setattr(QMessageBox, "exec", answer)
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(
            lambda *a, _n=name, **k: shown.append(f"QMessageBox.{_n}: {a[2:3]}") or (SB.No if _n == "question"
                                                                                     else SB.Ok)))
    yield shown
    # closing a window left modified at teardown asks to save (answered Discard): not a failure
    unexpected = [text for text in shown if "not saved" not in text]
    assert not unexpected, f"unexpected modal dialog(s): {unexpected}"


@pytest.fixture
def open_window(qtbot):
    """Open a shown, evaluated main window on a design (a new one when None); pytest-qt
    marks it clean before closing it (that runs before fixture teardown), so closing
    never asks to save."""

    def mark_clean(window) -> None:
        window.document.undo_stack.setClean()

    def open_(design: Design | None = None) -> MainWindow:
        window = MainWindow(design)
        qtbot.addWidget(window, before_close_func=mark_clean)
        window.resize(1300, 850)
        window.show()
        qtbot.waitExposed(window)
        window.plan_view.fit()
        qtbot.waitUntil(lambda: window.document.evaluation is not None and not window.updates_pending())
        return window

    return open_


@pytest.fixture
def main_window(qtbot):
    """The main window showing the pilot sample, shown and torn down with the test
    (its undo stack marked clean first, so closing does not ask to save)."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_file(pilot_sample())
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.document.evaluation is not None and not window.updates_pending())
    yield window
    window.document.undo_stack.setClean()




@pytest.fixture
def design(make_small_design) -> Design:
    """The small test hall (tests/conftest.py ``small_design``)."""
    return make_small_design()


@pytest.fixture
def plan(qtbot, catalog, design):
    """A plan view of :func:`small_design`, 800 × 600 px, shown."""
    scene = PlanScene()
    scene.set_design(design, catalog)
    view = PlanView(scene)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    yield view
    scene.detach()


class CanvasProbe:
    """Render parts of a plan scene and read the pixels that show plan points."""

    @staticmethod
    def render(scene: PlanScene, source: QRectF, pixels_per_metre: float) -> QImage:
        """Render a scene rect at a given zoom into an image (white where nothing is drawn)."""
        w = max(1, round(source.width() * pixels_per_metre))
        h = max(1, round(source.height() * pixels_per_metre))
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        scene.render(painter, QRectF(0, 0, w, h), source)
        painter.end()
        return image

    @staticmethod
    def plan_rect(scene: PlanScene, x0: float, y0: float, x1: float, y1: float, hall: int = 0) -> QRectF:
        """Scene rect of a plan rectangle (metres, y north) in one hall."""
        item = scene.hall_items[hall]
        return QRectF(item.from_plan(x0, y1), item.from_plan(x1, y0))  # north-west, south-east

    @staticmethod
    def pixel_at(image: QImage, source: QRectF, scene_point: QPointF) -> QColor:
        """Colour of the image pixel that shows a scene point."""
        sx = (scene_point.x() - source.left()) / source.width() * image.width()
        sy = (scene_point.y() - source.top()) / source.height() * image.height()
        return image.pixelColor(min(int(sx), image.width() - 1), min(int(sy), image.height() - 1))


@pytest.fixture
def probe() -> CanvasProbe:
    return CanvasProbe()
