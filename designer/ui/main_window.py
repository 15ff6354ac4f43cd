"""The main window: palette, plan and docks around one :class:`Document`.

Files: new, open, open recent, save, save as, close with an unsaved-changes prompt,
title with the modified mark, a ``.dcplan`` dropped on the window opens it. Window
layout, recent files and view options persist through :mod:`designer.ui.settings`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.io import DesignFileError, read_design
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
#: On a small screen the docks beside the plan may be made this narrow (px), so the plan keeps half the window.
SIDE_DOCK_MIN_PX = 220
#: How long a message about the last action stays in the status bar (ms).
STATUS_MS = 8000


def _short_folder(folder: Path) -> str:
    """A folder as the planner knows it: ``~/plans/site-a`` under the home folder."""
    try:
        return "~" + os.sep + str(folder.relative_to(Path.home())) if folder != Path.home() else "~"
    except ValueError:
        return str(folder)


def backup_of(path) -> Path | None:
    """The backup saving keeps beside a design (``name.dcplan.bak``), if there is one."""
    backup = Path(str(path) + ".bak")
    return backup if backup.is_file() else None


def cannot_open_text(path, error) -> str:
    """Why a design could not be opened, pointing at the backup beside it when there is one."""
    text = f"{Path(path).name} could not be opened:\n{error}"
    backup = backup_of(path)
    if backup is not None:
        text += (f"\n\nThe previous version is kept beside it as {backup.name} (saved {_file_time(backup)}). "
                 "Open Backup opens it as an unsaved copy; neither file is changed.")
    return text


def _file_time(path: Path) -> str:
    import datetime as _dt

    return _dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")

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
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_MS))
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
        self._build_workload()  # ---- the Workload dock (time to train, decode bound)
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
        self.editor.install(self.edit_menu, self.tools_menu)  # ---- editing
        self._build_help_and_preferences()
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
        # a hall activated in the list: its page in the Inspector (issue 17); its edits' results
        self.hall_list.hall_activated.connect(lambda hall_id: (self.document.select([]),
                                                               self.show_hall_properties(hall_id)))
        self.hall_list.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.tabifyDockWidget(self.palette_dock, self.hall_list_dock)
        self.palette_dock.raise_()
        from designer.ui import find  # Edit ▸ Find (Ctrl+F), Select All of Type / Row / in Hall

        self.selection_actions = find.install(self)
        from designer.ui import fill_dialog  # Tools ▸ Fill Hall… (issue 15)

        self.fill_hall_action = fill_dialog.install(self)

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
        self.statusBar().clearMessage()  # a message about the last design ("Saved …") is stale now
        self.scene.set_design(self.document.design, self.document.catalog)  # (with the design's own types)
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
        self.statusBar().showMessage(f"Opened {Path(path).name} from {_short_folder(Path(path).resolve().parent)}",
                                     STATUS_MS)

    def open_path_interactive(self, path: str | os.PathLike) -> bool:
        """Open after the unsaved-changes prompt; a bad file is reported, nothing is lost."""
        if not self.maybe_save():
            return False
        try:
            self.open_file(path)
        except DesignFileError as exc:
            return self._on_cannot_open(Path(path), exc)
        return True

    def open_failed(self, path: str | os.PathLike, error: DesignFileError) -> bool:
        """Say why a design cannot be opened (and offer its backup); True when the backup
        was opened instead."""
        return self._on_cannot_open(Path(path), error)

    def _on_cannot_open(self, path: Path, error: DesignFileError) -> bool:
        """Say why a design cannot be opened; when a backup lies beside it, offer to open
        that instead (as an unsaved copy, so that saving never overwrites either file)."""
        backup = backup_of(path)
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open design", cannot_open_text(path, error),
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("cannot_open_box")
        open_backup = None
        if backup is not None:
            open_backup = box.addButton("Open Backup", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(open_backup)
        box.exec()
        if open_backup is None or box.clickedButton() is not open_backup:
            return False
        try:
            design = read_design(backup, self.catalog)
        except DesignFileError as exc:
            QMessageBox.warning(self, "Cannot open the backup either", f"{backup.name}: {exc}")
            return False
        self.document.set_design(design, None)
        self.statusBar().showMessage(f"Opened the backup {backup.name} as an unsaved copy: "
                                     f"use File ▸ Save As to keep it", STATUS_MS)
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
        self.statusBar().showMessage(f"Saved {path}", STATUS_MS)
        return True

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        return settings.recent_files()

    def _remember_recent(self, path: Path) -> None:
        settings.add_recent_file(path)

    def _fill_recent_menu(self) -> None:
        """Each recent design once, with its folder (two of the same name told apart);
        a file that has gone is shown disabled; Clear List at the end."""
        self.recent_menu.clear()
        files = self.recent_files()
        for n, f in enumerate(files, start=1):
            path = Path(f)
            folder = _short_folder(path.parent)
            text = f"{path.name}  —  {folder}".replace("&", "&&")
            action = self.recent_menu.addAction(f"&{n} {text}" if n < 10 else text)
            action.setToolTip(f)
            action.setStatusTip(f)
            action.setData(f)
            exists = path.is_file()
            action.setEnabled(exists)
            if not exists:
                action.setText(action.text() + "  (not found)")
            action.triggered.connect(lambda _=False, f=f: self.open_path_interactive(f))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("&Clear List", self._clear_recent)
        clear.setObjectName("clear_recent_action")
        clear.setEnabled(bool(files))

    def _clear_recent(self) -> None:
        settings.clear_recent_files()
        self.statusBar().showMessage("Recent files list cleared", STATUS_MS)

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
        units = self.units
        self.cursor_label.setText(f"{hall}   x {units.length(x)}   y {units.length(y)}")

    def set_units(self, units) -> None:
        """Show lengths in these units (metric or imperial): status bar, Inspector, Metrics,
        dimension lines and the Measure tool's readout."""
        self.units = units
        self.inspector.refresh()
        self.metrics.set_units(units)
        self._on_cursor_moved(None)
        self.scene.refresh_annotations()
        self.editor.tools["measure"].refresh_readout()

    # ------------------------------------------------------------------ help, preferences
    def _build_help_and_preferences(self) -> None:
        """Edit ▸ Preferences (the application menu on macOS); Help ▸ User Guide, Keyboard
        Shortcuts, About."""
        from designer.ui.docks.fields import current_units

        self.units = current_units()
        self.edit_menu.addSeparator()
        platform_key = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self.preferences_action = self._action("Pr&eferences…", self.show_preferences,
                                               platform_key[0] if platform_key else "Ctrl+,", self.edit_menu)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.user_guide_action = self._action("&User Guide", self.show_user_guide,
                                              QKeySequence.StandardKey.HelpContents, self.help_menu)
        self.shortcuts_action = self._action("&Keyboard Shortcuts", self.show_keyboard_shortcuts,
                                             "Ctrl+/", self.help_menu)
        self.help_menu.addSeparator()
        self.about_action = self._action("&About Designer", self._about, None, self.help_menu)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.document.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._undo_index = self.document.undo_stack.index()
        self._help_windows: dict[str, QWidget] = {}

    def show_preferences(self):
        """Edit ▸ Preferences: units, grid, snapping, autosave (applied at once)."""
        from designer.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _show_help_window(self, name: str, make):
        window = self._help_windows.get(name)
        if window is None:
            window = self._help_windows[name] = make()
        if window.isVisible():  # open already (behind the main window): bring it forward
            window.raise_()
            window.activateWindow()
        else:
            window.show()
        return window

    def show_user_guide(self):
        """Help ▸ User Guide: the bundled guide, offline."""
        from designer.ui import help as help_

        return self._show_help_window("guide", lambda: help_.user_guide(self))

    def show_keyboard_shortcuts(self):
        """Help ▸ Keyboard Shortcuts, from the actions as they are now."""
        from designer.ui import help as help_

        window = self._show_help_window("shortcuts", lambda: help_.keyboard_shortcuts(self))
        window.browser.setHtml(help_.shortcuts_html(self))
        return window

    def _about(self) -> None:
        from designer.ui.help import show_about

        show_about(self)

    def _on_undo_index_changed(self, index: int) -> None:
        """The status bar says what the last step did: "Undid …" / "Redid …", or the edit
        itself (a tool's own message, emitted after the push, replaces it)."""
        stack = self.document.undo_stack
        before, self._undo_index = self._undo_index, index
        if stack.count() == 0 or index == before:
            return  # a new design (the stack cleared)
        if index < before:
            steps = before - index
            text = stack.text(index)
            self.statusBar().showMessage(f"Undid {text}" if steps == 1 else f"Undid {steps} steps", STATUS_MS)
            return
        command = stack.command(index - 1)
        if command is not None and getattr(command, "announced", False):
            steps = index - before
            self.statusBar().showMessage(f"Redid {stack.text(index - 1)}" if steps == 1
                                         else f"Redid {steps} steps", STATUS_MS)
        else:
            self.statusBar().showMessage(stack.text(index - 1), STATUS_MS)
        for i in range(before, index):  # seen now: their next appearance is a redo
            c = stack.command(i)
            if c is not None:
                c.announced = True

    # ------------------------------------------------------------------ layout
    def _restore_layout(self) -> None:
        geometry = settings.window_geometry()
        state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
            # saved on a larger screen (or another monitor): brought back onto this one
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            if screen is not None and screen.width() > 0 and not screen.contains(self.frameGeometry()):
                self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))
                self.move(max(screen.left(), min(self.x(), screen.right() - self.frameGeometry().width() + 1)),
                          max(screen.top(), min(self.y(), screen.bottom() - self.frameGeometry().height() + 1)))
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
            self._fit_toolbars()
            QTimer.singleShot(0, self._keep_plan_at_least_half)  # after the first-run dock sizes

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._shown:
            self._fit_toolbars()
            self._keep_plan_at_least_half()
            # once the window's layout has taken the new size: a dock may take room back
            QTimer.singleShot(0, self._keep_plan_at_least_half)

    # ------------------------------------------------------------------ small screens
    def _fit_toolbars(self) -> None:
        """The View tool bar goes onto a second line when the tool bars do not fit side by
        side (at 1280 px the overlays hid behind the overflow arrow)."""
        tools, view = self.editor.toolbar, self.view_toolbar
        if self.toolBarArea(tools) != self.toolBarArea(view) or self.toolBarArea(view) not in (
                Qt.ToolBarArea.TopToolBarArea, Qt.ToolBarArea.BottomToolBarArea):
            return  # the user moved them: their choice
        needed = tools.sizeHint().width() + view.sizeHint().width() + 16
        broken = self.toolBarBreak(view)
        if needed > self.width() and not broken:
            self.insertToolBarBreak(view)
        elif needed <= self.width() and broken:
            self.removeToolBarBreak(view)

    def _keep_plan_at_least_half(self) -> None:
        """When the window is made smaller, the docks give way until the plan has at least
        half the window's width and height (a dock the user widens later stays so)."""
        if self.isMinimized():
            return
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        # the palette's side gives way first; the Inspector's side only as far as its own fields allow
        for turn, sides in enumerate(((left,), (left, right), (left, right))):
            self.layout().activate()
            plan = self.plan_view.size()
            short_w, short_h = self.width() // 2 - plan.width(), self.height() // 2 - plan.height()
            if short_w <= 0 and short_h <= 0:
                self._let_metrics_grow(-short_h)
                return
            docks = [d for d in self.findChildren(QDockWidget)  # shown, and its tab in front
                     if d.isVisible() and not d.isFloating() and not d.visibleRegion().isEmpty()]
            if short_w > 0:
                self._let_side_docks_narrow(sides)
                self._shrink_docks([d for d in docks if self.dockWidgetArea(d) in sides], short_w,
                                   Qt.Orientation.Horizontal)
            if short_h > 0 and turn == 0:
                self._shrink_docks([d for d in docks if self.dockWidgetArea(d) not in (left, right)], short_h,
                                   Qt.Orientation.Vertical)

    def _let_metrics_grow(self, spare_px: int) -> None:
        """The Metrics dock scrolls when it is lower than its contents: when the window
        grows, it takes back up to what its contents need (the plan keeping half)."""
        contents = self.metrics.findChild(QWidget, "metrics_contents")
        dock = self.metrics_dock
        if (contents is None or spare_px <= 0 or not dock.isVisible() or dock.isFloating()
                or dock.visibleRegion().isEmpty()):
            return
        missing = contents.minimumSizeHint().height() - contents.parentWidget().height()  # the scroll's viewport
        if missing > 0:
            self.resizeDocks([dock], [self._dock_extent(dock, Qt.Orientation.Vertical) + min(missing, spare_px)],
                             Qt.Orientation.Vertical)

    def _dock_extent(self, dock: QDockWidget, orientation: Qt.Orientation) -> int:
        """The room a dock (and its tab bar, when tabbed) takes, as resizeDocks counts it."""
        if orientation == Qt.Orientation.Horizontal:
            return dock.width()
        area = self.dockWidgetArea(dock)
        if area == Qt.DockWidgetArea.BottomDockWidgetArea:  # the tab bar sits below the dock
            return self.statusBar().geometry().top() - dock.geometry().top()
        return dock.height()

    def _let_side_docks_narrow(self, sides) -> None:
        """A tab behind another holds its side as wide as its own minimum: let the tabs of
        the palette's side narrow to :data:`SIDE_DOCK_MIN_PX`, those of the Inspector's side
        to the Inspector's own minimum (its fields stay whole); their contents scroll."""
        inspector_min = self.inspector.minimumSizeHint().width()
        for d in self.findChildren(QDockWidget):
            w, area = d.widget(), self.dockWidgetArea(d)
            if w is None or area not in sides or w.minimumWidth() != 0:
                continue
            least = SIDE_DOCK_MIN_PX if area == Qt.DockWidgetArea.LeftDockWidgetArea else inspector_min
            if w.minimumSizeHint().width() > least:
                w.setMinimumWidth(least)

    def _shrink_docks(self, docks: list[QDockWidget], by_px: int, orientation: Qt.Orientation) -> None:
        """Take ``by_px`` from the docks in proportion to their sizes (one dock per side:
        a tabbed group or a column moves together)."""
        horizontal = orientation == Qt.Orientation.Horizontal
        sides: dict = {}
        for d in docks:
            sides.setdefault(self.dockWidgetArea(d), []).append(d)
        docks, sizes, slack = [], [], []
        for group in sides.values():  # a side is as narrow as its widest minimum allows
            size = self._dock_extent(group[0], orientation)
            least = max((d.minimumSizeHint().width() if horizontal else d.minimumSizeHint().height())
                        for d in group)
            docks.append(group[0])
            sizes.append(size)
            slack.append(max(0, size - least))
        total = sum(slack)
        if total <= 0:
            return
        take = min(by_px, total)
        self.resizeDocks(docks, [round(s - take * k / total) for s, k in zip(sizes, slack)], orientation)

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

    def _build_workload(self) -> None:
        """The Workload dock, tabbed with the bottom docks (issue 16)."""
        from designer.ui.docks.workload import WorkloadPanel

        self.workload = WorkloadPanel(self.document)
        self.workload_dock = self.add_dock("Workload", "workload_dock", self.workload,
                                           Qt.DockWidgetArea.BottomDockWidgetArea)
        last = getattr(self, "resilience_dock", None) or self.problems_dock
        self.tabifyDockWidget(last, self.workload_dock)
        self.metrics_dock.raise_()

    def _size_analysis_docks(self) -> None:
        """First run: a bottom strip tall enough for the Metrics' contents (charts at
        their smallest: the plan keeps half the window, see _keep_plan_at_least_half),
        the inspector taller than the totals."""
        contents = self.metrics.findChild(QWidget, "metrics_contents")
        # the contents at their smallest, the charts 60 px taller, the title and the tab bar
        wanted = contents.minimumSizeHint().height() + 60 + 50 if contents is not None else 0
        self.resizeDocks([self.metrics_dock], [max(290, wanted)], Qt.Orientation.Vertical)
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
