"""The main window: the floor plan in the centre, the totals on the right."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, Evaluator
from designer.io import DesignFileError, read_design
from designer.model import Change, Design, Hall
from designer.ui.plan_view import PlanScene, PlanView
from designer.ui.totals_panel import TotalsPanel

log = logging.getLogger(__name__)

APP_NAME = "Designer"
#: Change kinds the engine can redo hall by hall.
_ITEM_CHANGES = ("moved", "added", "removed", "updated")


def new_design() -> Design:
    """An empty design with one 48 × 30 m hall to start drawing in."""
    design = Design("Untitled design")
    design.halls.append(Hall("A", "Hall A", ((0.0, 0.0), (48.0, 0.0), (48.0, 30.0), (0.0, 30.0))))
    return design


class MainWindow(QMainWindow):
    """One design: its plan, its totals, and the menus to look at them."""

    def __init__(self, design: Design | None = None, path: str | os.PathLike | None = None,
                 catalog: Catalog | None = None) -> None:
        super().__init__()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.design: Design | None = None
        self.path: Path | None = None
        self.evaluator: Evaluator | None = None
        self.evaluation: Evaluation | None = None
        self._pending: list[Change] = []
        self._shown = False
        self._evaluate_timer = QTimer(self)
        self._evaluate_timer.setSingleShot(True)
        self._evaluate_timer.setInterval(0)  # once per burst of edits, after they land
        self._evaluate_timer.timeout.connect(self._evaluate_pending)

        self.scene = PlanScene(self)
        self.plan_view = PlanView(self.scene, self)
        self.setCentralWidget(self.plan_view)

        self.totals = TotalsPanel()
        self.totals_dock = QDockWidget("Totals", self)
        self.totals_dock.setObjectName("totals_dock")
        self.totals_dock.setWidget(self.totals)
        self.totals_dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                                         | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.totals_dock)

        self.cursor_label = QLabel()
        self.cursor_label.setObjectName("cursor_label")
        self.cursor_label.setMinimumWidth(260)
        self.statusBar().addPermanentWidget(self.cursor_label)
        self.plan_view.cursor_moved.connect(self._on_cursor_moved)

        self._build_menus()
        self.resize(1400, 900)
        self.set_design(design if design is not None else new_design(), path)

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self._on_open_triggered)
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.zoom_in_action = QAction("Zoom &In", self)
        self.zoom_in_action.setShortcuts([QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")])
        self.zoom_in_action.triggered.connect(self.plan_view.zoom_in)
        self.zoom_out_action = QAction("Zoom &Out", self)
        self.zoom_out_action.setShortcut(QKeySequence.StandardKey.ZoomOut)
        self.zoom_out_action.triggered.connect(self.plan_view.zoom_out)
        self.fit_action = QAction("&Fit to Window", self)
        self.fit_action.setShortcut(QKeySequence("Ctrl+0"))
        self.fit_action.triggered.connect(self.plan_view.fit)
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.panels_menu = view_menu.addMenu("&Panels")
        self.panels_menu.addAction(self.totals_dock.toggleViewAction())
        self.view_menu = view_menu

    # ------------------------------------------------------------------ documents
    def set_design(self, design: Design, path: str | os.PathLike | None = None) -> None:
        """Show ``design`` (read from ``path``, or new when None) and evaluate it."""
        if self.design is not None:
            self.design.unsubscribe(self._on_design_changed)
        self.design = design
        self.path = Path(path) if path is not None else None
        self.setWindowTitle(f"{design.name} — {APP_NAME}")
        self.scene.set_design(design, self.catalog)
        design.subscribe(self._on_design_changed)
        self.evaluator = None
        self._pending.clear()
        self._evaluate_all()
        self.plan_view.fit()

    def open_file(self, path: str | os.PathLike) -> None:
        """Read a ``.dcplan`` and show it; raises :class:`DesignFileError` (one-line message)."""
        design = read_design(path, self.catalog)
        self.set_design(design, path)

    def _on_open_triggered(self) -> None:
        start = str(self.path.parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open design", start, "Designer files (*.dcplan)")
        if not path:
            return
        try:
            self.open_file(path)
        except DesignFileError as exc:
            QMessageBox.warning(self, "Cannot open design", str(exc))

    # ------------------------------------------------------------------ evaluation
    def _evaluate_all(self) -> None:
        try:
            self.evaluator = Evaluator(self.design, self.catalog)
        except Exception as exc:  # a broken evaluation must not take the window down
            log.exception("evaluation failed")
            self._show_failure(exc)
            return
        self._show_evaluation(self.evaluator.evaluation)

    def _on_design_changed(self, change: Change) -> None:
        self._pending.append(change)
        self._evaluate_timer.start()

    def _evaluate_pending(self) -> None:
        changes, self._pending = self._pending, []
        if not changes:
            return
        if self.evaluator is None or any(c.kind not in _ITEM_CHANGES or not c.halls for c in changes):
            self._evaluate_all()
            return
        halls = tuple(dict.fromkeys(h for c in changes for h in c.halls))
        try:
            evaluation = self.evaluator.apply(Change("updated", halls=halls))
        except Exception as exc:
            log.exception("evaluation failed")
            self._show_failure(exc)
            return
        self._show_evaluation(evaluation)

    def _show_evaluation(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.totals.show_report(evaluation.report())
        self.scene.set_status(evaluation.status)

    def _show_failure(self, exc: Exception) -> None:
        self.evaluation = None
        self.scene.set_status(None)
        self.totals.show_unavailable(f"The design could not be evaluated: {exc}")

    # ------------------------------------------------------------------ status bar
    def _on_cursor_moved(self, where) -> None:
        if where is None:
            self.cursor_label.setText("")
            return
        hall, x, y = where
        self.cursor_label.setText(f"{hall}   x {x:,.2f} m   y {y:,.2f} m")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.resizeDocks([self.totals_dock], [self.totals.sizeHint().width()], Qt.Orientation.Horizontal)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.design is not None:
            self.design.unsubscribe(self._on_design_changed)
        self.scene.detach()
        super().closeEvent(event)
