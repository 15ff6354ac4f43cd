"""The editor's actions: the Edit menu's commands (cut, copy, paste, duplicate, delete,
rotate, select all), one checkable action per tool, snapping, and the Tools tool bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QSpinBox, QToolBar

from designer.ui.tools.base import Editing
from designer.ui.tools.clipboard import ClipboardEdits
from designer.ui.tools.keyboard import KeyboardEdits
from designer.ui.tools.row import DEFAULT_ROW_ULTRASERVERS

#: Single-key shortcuts of the tools (Help ▸ Keyboard Shortcuts lists them). R and
#: Shift+R turn the selection, so the row tool is W. A tool this table does not name
#: may carry its own ``shortcut`` attribute. Text fields take their keys first: typing
#: "b" in a field never switches to the busway tool.
TOOL_SHORTCUTS = {"select": "V", "row": "W", "outline": "O", "column": "C", "keepout": "K", "busway": "B"}


class EditActions(QObject):
    """The actions and tool bar of one editor, wired to it and to its clipboard and keyboard edits."""

    def __init__(self, editor: Editing, clip: ClipboardEdits, keys: KeyboardEdits) -> None:
        super().__init__(editor)
        self.editor = editor
        self.cut_action = self._action("Cu&t", clip.cut, QKeySequence.StandardKey.Cut,
                                       "Remove the selection and put it on the clipboard")
        self.copy_action = self._action("&Copy", clip.copy, QKeySequence.StandardKey.Copy, "Copy the selection")
        self.paste_action = self._action("&Paste", clip.paste, QKeySequence.StandardKey.Paste,
                                         "Paste under the cursor, with new ids")
        self.duplicate_action = self._action("D&uplicate", clip.duplicate, "Ctrl+D",
                                             "Copy the selection one tile to the south-east")
        self.delete_action = self._action("&Delete", editor.delete_selection,
                                          [QKeySequence.StandardKey.Delete, "Backspace"], "Delete the selection")
        self.rotate_action = self._action("&Rotate 90° Left", lambda: keys.rotate_selection(90.0), "R",
                                          "Turn the selection a quarter counter-clockwise")
        self.rotate_back_action = self._action("Rotate 90° Ri&ght", lambda: keys.rotate_selection(-90.0), "Shift+R",
                                               "Turn the selection a quarter clockwise")
        self.select_all_action = self._action("Select &All", editor.select_all, QKeySequence.StandardKey.SelectAll,
                                              "Select all equipment")
        self.snap_action = QAction("&Snap to Grid and Racks", self)
        self.snap_action.setIconText("Snap")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(editor.snapper.enabled)
        self.snap_action.setStatusTip("Snap to the 0.6 m tile grid and to the edges of neighbouring racks")
        self.snap_action.setToolTip("Snap to the 0.6 m tile grid and to neighbouring racks' edges (within 0.3 m)")
        self.snap_action.toggled.connect(editor.set_snapping)
        self.complete_rows_action = QAction("Complete Rows", self)
        self.complete_rows_action.setCheckable(True)
        self.complete_rows_action.setToolTip("The row tool also lays the row's CDUs, network racks and busways")
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_actions: dict[str, QAction] = {}
        for name, tool in editor.tools.items():
            action = QAction(tool.label, self)
            action.setCheckable(True)
            action.setData(name)
            key = TOOL_SHORTCUTS.get(name) or getattr(tool, "shortcut", None)
            if key:
                action.setShortcut(QKeySequence(key))
                action.setToolTip(f"{tool.tooltip} ({key})")
            else:
                action.setToolTip(tool.tooltip)
            action.setStatusTip(tool.hint)
            self.tool_group.addAction(action)
            self.tool_actions[name] = action
        self.tool_actions["select"].setChecked(True)
        self.tool_group.triggered.connect(lambda action: editor.set_tool(action.data()))
        self.toolbar = self._build_toolbar()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar("Tools")
        bar.setObjectName("tools_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.tool_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        label = QLabel("UltraServers per row ")
        label.setContentsMargins(6, 0, 0, 0)
        bar.addWidget(label)
        self.row_spin = QSpinBox()
        self.row_spin.setObjectName("row_ultraservers")
        self.row_spin.setRange(1, 64)
        self.row_spin.setValue(DEFAULT_ROW_ULTRASERVERS)
        self.row_spin.setToolTip("How many UltraServers the row tool lays")
        bar.addWidget(self.row_spin)
        bar.addAction(self.complete_rows_action)
        bar.addSeparator()
        bar.addAction(self.snap_action)
        return bar

    def selection_changed(self, has_selection: bool) -> None:
        """Enable what needs a selection."""
        for action in (self.delete_action, self.duplicate_action, self.rotate_action, self.rotate_back_action,
                       self.copy_action, self.cut_action):
            action.setEnabled(has_selection)

    def install(self, edit_menu, tools_menu) -> None:
        """Put the edit actions in the Edit menu and the tools in the Tools menu."""
        for action in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                       self.delete_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.rotate_action)
        edit_menu.addAction(self.rotate_back_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)
        for action in self.tool_actions.values():
            tools_menu.addAction(action)
        tools_menu.addSeparator()
        tools_menu.addAction(self.complete_rows_action)
        tools_menu.addAction(self.snap_action)
