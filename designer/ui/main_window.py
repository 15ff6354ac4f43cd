"""The main window: palette, plan and docks around one :class:`Document`.

Files: new, open, open recent, save, save as, close with an unsaved-changes prompt,
title with the modified mark, a ``.dcplan`` dropped on the window opens it. Window
layout, recent files and view options persist through :mod:`designer.ui.settings`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.io import DesignFileError
from designer.model import Design
from designer.ui import settings
from designer.ui.docks.totals import TotalsPanel
from designer.ui.document import Document, new_design
from designer.ui.canvas.scene import PlanScene
from designer.ui.canvas.styles import COLOUR_MODES
from designer.ui.canvas.view import PlanView
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle

log = logging.getLogger(__name__)

APP_NAME = settings.APP_NAME
FILE_FILTER = "Designer files (*.dcplan)"

__all__ = ["MainWindow", "new_design", "APP_NAME"]


class MainWindow(QMainWindow):
    """One document: its plan, docks, menus and toolbars."""

    def __init__(self, design: Design | None = None, path: str | os.PathLike | None = None,
                 catalog: Catalog | None = None, autosave_seconds: int | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.document = Document(catalog, self)
        self.catalog = self.document.catalog
        self._shown = False

        self.scene = PlanScene(self)
        self.plan_view = PlanView(self.scene, self)
        self._build_plan_area()  # the plan, with the what-if banner above it

        self.totals = TotalsPanel()
        self.totals_dock = self.add_dock("Totals", "totals_dock", self.totals, Qt.DockWidgetArea.RightDockWidgetArea)

        self.cursor_label = QLabel()
        self.cursor_label.setObjectName("cursor_label")
        self.cursor_label.setMinimumWidth(260)
        self.statusBar().addPermanentWidget(self.cursor_label)
        self.plan_view.cursor_moved.connect(self._on_cursor_moved)

        # ---- editing: the equipment palette (left), the plan's tools and edit actions
        from designer.ui.docks.palette import PaletteWidget
        from designer.ui.tools.editor import PlanEditor

        self.palette = PaletteWidget(self.catalog)
        self.palette_dock = self.add_dock("Equipment", "palette_dock", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.editor = PlanEditor(self.plan_view, self.document, self.palette, self)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._build_menus()
        self.document.design_replaced.connect(self._on_design_replaced)
        self._totals_throttle = Throttle(TEXT_INTERVAL_MS, self._show_totals, self)
        self.document.evaluation_changed.connect(self._on_evaluation_changed)
        # the redundancy errors count among the violations (None: a new design, evaluated next)
        self.document.resilience_changed.connect(lambda r: r is not None and self._totals_throttle.request())
        self.document.evaluation_failed.connect(self.totals.show_unavailable)
        self.document.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.document.path_changed.connect(self._update_title)
        self.resize(1400, 900)
        self._build_analysis_docks()  # ---- docks (metrics, problems, inspector)
        self._build_resilience()  # ---- the Resilience dock and the what-if actions
        self.document.set_design(design if design is not None else new_design(), path)
        self._restore_layout()
        from designer.ui import autosave  # unsaved changes survive a crash or a kill

        self.autosaver = autosave.install(self, autosave_seconds)

    # ------------------------------------------------------------------ docks
    def add_dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add a movable, closable dock; its toggle goes into View ▸ Panels."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if hasattr(self, "panels_menu"):
            self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    # ------------------------------------------------------------------ menus
    def _action(self, text: str, slot, shortcut=None, menu=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = file_menu = bar.addMenu("&File")
        self.new_action = self._action("&New", self.new_document, QKeySequence.StandardKey.New, file_menu)
        self.open_action = self._action("&Open…", self._on_open_triggered, QKeySequence.StandardKey.Open, file_menu)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.save_action = self._action("&Save", self.save, QKeySequence.StandardKey.Save, file_menu)
        self.save_as_action = self._action("Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs, file_menu)
        file_menu.addSeparator()
        self.export_menu = file_menu.addMenu("&Export")
        file_menu.addSeparator()
        self.close_action = self._action("&Close", self.close_document, QKeySequence.StandardKey.Close, file_menu)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, file_menu)

        self.edit_menu = edit_menu = bar.addMenu("&Edit")
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()

        self.view_menu = view_menu = bar.addMenu("&View")
        self.zoom_in_action = self._action("Zoom &In", self.plan_view.zoom_in,
                                           [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], view_menu)
        self.zoom_out_action = self._action("Zoom &Out", self.plan_view.zoom_out, QKeySequence.StandardKey.ZoomOut,
                                            view_menu)
        self.fit_action = self._action("&Fit to Window", self.plan_view.fit, "Ctrl+0", view_menu)
        view_menu.addSeparator()
        self.panels_menu = view_menu.addMenu("&Panels")
        self.panels_menu.addAction(self.totals_dock.toggleViewAction())
        self.tools_menu = bar.addMenu("&Tools")
        self.help_menu = bar.addMenu("&Help")
        from designer.ui.export import actions as export_actions  # File ▸ Export / Import (plan, report, BOM, DXF)

        self.import_dxf_action = export_actions.install(self)
        self._action("&About Designer", self._about, None, self.help_menu)
        self.editor.install(self.edit_menu, self.tools_menu)  # ---- editing
        self.panels_menu.addAction(self.palette_dock.toggleViewAction())
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.editor.toolbar)
        # ---- overlays and colour modes
        from designer.ui.docks.halls import HallListPanel
        from designer.ui.canvas.overlays.legend import PlanLegend
        from designer.ui.canvas.overlays.toolbar import ViewToolbar

        self.view_toolbar = ViewToolbar(self.scene, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.view_toolbar)
        self._restore_view_options()
        self.view_toolbar.colour_combo.currentIndexChanged.connect(self._save_view_options)
        for action in self.view_toolbar.overlay_actions.values():
            action.toggled.connect(self._save_view_options)
        view_menu.addMenu(self.view_toolbar.overlays_menu(self))
        self.plan_legend = PlanLegend(self.plan_view)
        self.document.evaluation_changed.connect(self.scene.set_evaluation)
        self.hall_list = HallListPanel(self.document, self.plan_view)
        self.hall_list_dock = self.add_dock("Halls", "halls_dock", self.hall_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.palette_dock, self.hall_list_dock)
        self.palette_dock.raise_()

    def _restore_view_options(self) -> None:
        """The colour mode and the overlays shown when the app was last used."""
        mode = settings.colour_mode()
        if mode in COLOUR_MODES:
            self.view_toolbar.set_colour_mode(mode)
        shown = settings.overlays()
        for kind, action in self.view_toolbar.overlay_actions.items():
            action.setChecked(kind in shown)

    def _save_view_options(self, *_args) -> None:
        settings.set_colour_mode(self.view_toolbar.colour_combo.currentData())
        settings.set_overlays(k for k, a in self.view_toolbar.overlay_actions.items() if a.isChecked())

    # ------------------------------------------------------------------ documents
    @property
    def design(self) -> Design:
        return self.document.design

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def evaluation(self) -> Evaluation | None:
        return self.document.evaluation

    def set_design(self, design: Design, path: str | os.PathLike | None = None) -> None:
        self.document.set_design(design, path)

    def _on_design_replaced(self) -> None:
        self.scene.set_design(self.document.design, self.catalog)
        self._update_title()
        self.setWindowModified(False)
        self.plan_view.fit()

    def _on_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _update_title(self) -> None:
        name = self.document.design.name
        where = f" ({self.document.path.name})" if self.document.path else ""
        self.setWindowTitle(f"{name}{where}[*] — {APP_NAME}")

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels."""
        if not self.document.modified:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"“{self.document.design.name}” has changes that are not saved.",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText("Save them before closing?")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self) -> None:
        if self.maybe_save():
            self.document.new()

    def close_document(self) -> None:
        """Close the design (after the prompt) and start a new one."""
        self.new_document()

    def open_file(self, path: str | os.PathLike) -> None:
        """Read a ``.dcplan`` and show it; raises :class:`DesignFileError` (one-line message)."""
        self.document.open(path)
        self._remember_recent(Path(path))

    def open_path_interactive(self, path: str | os.PathLike) -> bool:
        """Open after the unsaved-changes prompt; a bad file is reported, nothing is lost."""
        if not self.maybe_save():
            return False
        try:
            self.open_file(path)
        except DesignFileError as exc:
            QMessageBox.warning(self, "Cannot open design", str(exc))
            return False
        return True

    def _on_open_triggered(self) -> None:
        start = str(self.path.parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open design", start, FILE_FILTER)
        if path:
            self.open_path_interactive(path)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = str(self.document.path) if self.document.path else f"{self.document.design.name}.dcplan"
        path, _ = QFileDialog.getSaveFileName(self, "Save design as", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".dcplan"):
            path += ".dcplan"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            QMessageBox.critical(self, "Could not save",
                                 f"The design was not saved to {path}:\n{exc.strerror or exc}\n\n"
                                 "Your changes are still open; try another folder.")
            return False
        self._remember_recent(path)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        return settings.recent_files()

    def _remember_recent(self, path: Path) -> None:
        settings.add_recent_file(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for f in files:
            action = self.recent_menu.addAction(Path(f).name)
            action.setToolTip(f)
            action.setStatusTip(f)
            action.triggered.connect(lambda _=False, f=f: self.open_path_interactive(f))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    # ------------------------------------------------------------------ drop to open
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if any(u.toLocalFile().endswith(".dcplan") for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.toLocalFile().endswith(".dcplan")]
        if files:
            event.acceptProposedAction()
            self.open_path_interactive(files[0])
        else:
            super().dropEvent(event)

    # ------------------------------------------------------------------ evaluation
    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            self.scene.set_status(None)
            return
        self._totals_throttle.request()  # the totals' text: at most 10 times a second
        self.scene.set_status(evaluation.items.status)

    def updates_pending(self) -> bool:
        """Whether the docks have yet to show the latest evaluation (their text follows a
        drag a few times a second; see widgets.Throttle)."""
        return (self._totals_throttle.pending() or self.metrics.updates_pending()
                or self.power_chain.updates_pending()
                or self.inspector.updates_pending()
                or any(o.updates_pending() for item in self.scene.hall_items for o in item.overlays.values()))

    def _show_totals(self) -> None:
        evaluation = self.document.evaluation
        if evaluation is not None:  # violations: the Problems dock's (redundancy errors included)
            self.totals.show_report(evaluation.totals, self.document.violations())  # (no per-item lists)

    # ------------------------------------------------------------------ status bar
    def _on_cursor_moved(self, where) -> None:
        if where is None:
            self.cursor_label.setText("")
            return
        hall, x, y = where
        self.cursor_label.setText(f"{hall}   x {x:,.2f} m   y {y:,.2f} m")

    def _about(self) -> None:
        QMessageBox.about(self, "About Designer",
                          "Designer plans AI datacenter halls built from AWS Trainium3 UltraServers.\n"
                          "Every catalog figure carries its source or is marked as an assumption.")

    # ------------------------------------------------------------------ layout
    def _restore_layout(self) -> None:
        geometry = settings.window_geometry()
        state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # first run: most of the screen, centred
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            if screen is not None and screen.width() > 0:
                self.resize(int(screen.width() * 0.92), int(screen.height() * 0.9))
                self.move(screen.center() - self.rect().center())
        if state is not None:
            self.restoreState(state)

    def _save_layout(self) -> None:
        settings.set_window_geometry(self.saveGeometry())
        settings.set_window_state(self.saveState())

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            if settings.window_state() is None:
                self.resizeDocks([self.totals_dock], [self.totals.sizeHint().width()], Qt.Orientation.Horizontal)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self.maybe_save():
            event.ignore()
            return
        self._save_layout()
        self.autosaver.close()
        self.document.stop_background()
        self.scene.detach()
        super().closeEvent(event)

    # ---- docks (metrics, problems, inspector)
    def _build_analysis_docks(self) -> None:
        """Metrics and Problems (tabbed) at the bottom; Inspector, Assumptions and History
        (tabbed) on the right above Totals. The right column runs the window's full height."""
        from PySide6.QtCore import QTimer

        from designer.ui.docks.assumptions import AssumptionsPanel
        from designer.ui.docks.history import HistoryPanel
        from designer.ui.docks.inspector import Inspector
        from designer.ui.docks.metrics import MetricsDock
        from designer.ui.docks.problems import ProblemsDock

        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        self.metrics = MetricsDock(self.document)
        self.metrics_dock = self.add_dock("Metrics", "metrics_dock", self.metrics, bottom)
        self.problems = ProblemsDock(self.document, self.plan_view)
        self.problems_dock = self.add_dock("Problems", "problems_dock", self.problems, bottom)
        self.tabifyDockWidget(self.metrics_dock, self.problems_dock)
        self.problems.counts_changed.connect(self._on_problem_counts_changed)
        self.inspector = Inspector(self.document)
        self.inspector_dock = self.add_dock("Inspector", "inspector_dock", self.inspector, right)
        self.splitDockWidget(self.inspector_dock, self.totals_dock, Qt.Orientation.Vertical)
        self.assumptions = AssumptionsPanel(self.document)
        self.assumptions_dock = self.add_dock("Assumptions", "assumptions_dock", self.assumptions, right)
        self.history = HistoryPanel(self.document)
        self.history_dock = self.add_dock("History", "history_dock", self.history, right)
        self.tabifyDockWidget(self.inspector_dock, self.assumptions_dock)
        self.tabifyDockWidget(self.assumptions_dock, self.history_dock)
        from designer.ui.docks.power_chain import PowerChainPanel  # utility → nodes → busways (issue 13)

        self.power_chain = PowerChainPanel(self.document)
        self.power_chain_dock = self.add_dock("Power Chain", "power_chain_dock", self.power_chain, right)
        self.tabifyDockWidget(self.history_dock, self.power_chain_dock)
        self.inspector_dock.raise_()
        self.metrics_dock.raise_()
        self.document.changed.connect(self._on_design_renamed)
        if settings.window_state() is None:
            QTimer.singleShot(0, self._size_analysis_docks)

    def _size_analysis_docks(self) -> None:
        """First run: a bottom strip tall enough for the charts, the inspector taller than the totals."""
        self.resizeDocks([self.metrics_dock], [290], Qt.Orientation.Vertical)
        self.resizeDocks([self.inspector_dock, self.totals_dock], [560, 300], Qt.Orientation.Vertical)

    def _on_problem_counts_changed(self, errors: int, warnings: int) -> None:
        total = errors + warnings
        self.problems_dock.setWindowTitle(f"Problems ({total:,})" if total else "Problems")

    def _on_design_renamed(self, change) -> None:
        if change.kind == "site":  # Rename notifies as a site change
            self._update_title()

    # ---- resilience: the what-if and the Resilience dock
    def _build_plan_area(self) -> None:
        """The central area: the what-if banner (hidden unless one is on) above the plan."""
        from PySide6.QtWidgets import QVBoxLayout

        from designer.ui.docks.resilience import WhatIf, WhatIfBanner

        self.what_if = WhatIf(self.document, self)
        #: What-if actions (the canvas's context menu may add them too)
        self.fail_action, self.restore_action = self.what_if.fail_action, self.what_if.restore_action
        self.what_if_banner = WhatIfBanner(self.document)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.what_if_banner)
        column.addWidget(self.plan_view, 1)
        self.setCentralWidget(central)

    def _build_resilience(self) -> None:
        """Tools ▸ Fail Selected / Restore All, and the Resilience dock tabbed with Problems."""
        from designer.ui.docks.resilience import ResilienceDock

        self.tools_menu.addSeparator()
        self.tools_menu.addAction(self.fail_action)
        self.tools_menu.addAction(self.restore_action)
        self.resilience = ResilienceDock(self.document, self.plan_view, self.what_if)
        self.resilience_dock = self.add_dock("Resilience", "resilience_dock", self.resilience,
                                             Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.problems_dock, self.resilience_dock)
        self.metrics_dock.raise_()
        # the what-if on the plan, and in the items' context menus
        self.document.failed_changed.connect(self.scene.set_failed)
        self.editor.set_what_if_actions(self.fail_action, self.restore_action)
        self.editor.properties_requested.connect(self.show_inspector)
        self.editor.hall_properties_requested.connect(self.show_hall_properties)

    def show_inspector(self) -> None:
        """Bring the Inspector forward (it shows the selection)."""
        self.inspector_dock.show()
        self.inspector_dock.raise_()
        self.inspector.refresh()

    def show_hall_properties(self, hall_id: str) -> None:
        """Bring the Inspector forward on a hall's page."""
        self.inspector.show_hall(hall_id)
        self.show_inspector()
