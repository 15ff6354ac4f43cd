"""Editing on the floor plan: the editor that wires the tools to a plan view and a document.

A :class:`PlanEditor` sits between the :class:`~designer.ui.canvas.view.PlanView` and
the :class:`~designer.ui.document.Document`. The view hands it mouse events (as
:class:`~designer.ui.canvas.view.ToolEvent`), keys and palette drags; the active tool
(:mod:`.select`, :mod:`.row`, :mod:`.drawing`) turns a gesture into **one** command
pushed on release (orange-canvas-core pushes a move once, on mouse release). Keys go
to :class:`~.keyboard.KeyboardEdits`, palette drags to :class:`~.drop.PaletteDrop`,
copy and paste to :class:`~.clipboard.ClipboardEdits`; the menus' actions and the tool
bar are :class:`~.actions.EditActions`.

Everything scales to a campus: picking, rubber bands, snapping and the red/green
placement feedback (the engine's :mod:`designer.engine.placement`) are numpy box tests
on the design's columns, and a gesture in progress draws one lightweight
:class:`~designer.ui.canvas.sketch.SketchItem` over the plan (moved with ``setPos``
while dragging), never an item per rack. The engine runs once, after the command lands.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication, QMenu

from designer.catalog import Catalog
from designer.model import Design, Equipment
from designer.model.commands import AddItems, RemoveItems
from designer.ui import settings
from designer.ui.canvas.sketch import SketchItem
from designer.ui.canvas.view import PlanView, ToolEvent
from designer.ui.docks.palette import PaletteWidget
from designer.ui.document import Document
from designer.ui.tools.actions import EditActions
from designer.ui.tools.base import PlanTool
from designer.ui.tools.clipboard import ITEMS_MIME, ClipboardEdits
from designer.ui.tools.context_menu import PlanContextMenu
from designer.ui.tools.drawing import BuswayTool, ColumnTool, KeepoutTool, OutlineTool
from designer.ui.tools.drop import PaletteDrop
from designer.ui.tools.floor import FloorCache
from designer.ui.tools.keyboard import KeyboardEdits
from designer.ui.tools.measure import MeasureTool, NoteTool
from designer.ui.tools.row import RowTool
from designer.ui.tools.select import SelectTool, announce_selection
from designer.ui.tools.snapping import Snapper


class PlanEditor(QObject):
    """Editing on one plan view of one document: the active tool, the sketch it draws
    on, and the collaborators that handle keys, drops, the clipboard and the actions."""

    #: A hint or a result for the status bar.
    message = Signal(str)
    #: The active tool changed (its name).
    tool_changed = Signal(str)
    #: Properties was chosen in a context menu: show the Inspector (on the selection).
    properties_requested = Signal()
    #: Hall Properties was chosen in a context menu: show that hall's page (its id).
    hall_properties_requested = Signal(str)

    TOOL_CLASSES = (SelectTool, RowTool, OutlineTool, ColumnTool, KeepoutTool, BuswayTool, MeasureTool, NoteTool)

    def __init__(self, view: PlanView, document: Document, palette: PaletteWidget | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.document = document
        self.palette = palette
        self.scene = view.plan_scene()
        self.cache = FloorCache(document)
        #: The overlay gestures draw on (in the scene only while it shows something).
        self.sketch = SketchItem()
        self.snapper = Snapper(enabled=settings.snap_enabled(), grid_m=settings.grid_m())
        catalog = self.catalog
        computes = [t.id for t in catalog.types.values() if t.is_compute]
        busways = [t.id for t in catalog.types.values() if t.kind == "busway"]
        self.row_type = "trn3-gen2-rack" if "trn3-gen2-rack" in computes else (computes[0] if computes else "")
        self.busway_type = "busway-1200a" if "busway-1200a" in busways else (busways[0] if busways else "")
        #: extra fields the busway tool gives what it draws (the palette's "(feed B)" entry: {"feed": "B"})
        self.busway_extra: dict = {}
        self.tools: dict[str, PlanTool] = {cls.name: cls(self) for cls in self.TOOL_CLASSES}
        self.tool: PlanTool = self.tools["select"]
        self.keyboard = KeyboardEdits(self)
        self.clipboard = ClipboardEdits(self)
        self.drops = PaletteDrop(self)
        self.actions = EditActions(self, self.clipboard, self.keyboard)
        self.context_menus = PlanContextMenu(self)
        self.toolbar = self.actions.toolbar
        document.selection_changed.connect(self._on_selection_changed)
        document.changed.connect(self._on_document_changed)
        document.design_replaced.connect(self._on_design_replaced)
        QApplication.clipboard().dataChanged.connect(self._on_clipboard_changed)
        if palette is not None:
            palette.type_activated.connect(self.drops.place_at_view_centre)
            palette.type_chosen.connect(self._on_palette_type_chosen)
            palette.set_catalog(catalog)
        view.set_input(EditorInput(self))
        self.tool.activate()
        self._on_selection_changed(document.selection)
        self._on_clipboard_changed()

    # ------------------------------------------------------------------ state
    @property
    def design(self) -> Design:
        return self.document.design

    @property
    def catalog(self) -> Catalog:
        """The catalog with the design's assumption overrides (racks per UltraServer …)."""
        return self.cache.catalog

    def sketch_item(self) -> SketchItem:
        """The overlay gestures draw on (put in the scene on first use)."""
        if self.sketch.scene() is not self.scene:
            self.scene.addItem(self.sketch)
        return self.sketch

    def clear_sketch(self) -> None:
        """Take the gesture overlay off the plan."""
        self.sketch.clear()
        if self.sketch.scene() is not None:
            self.sketch.scene().removeItem(self.sketch)

    def row_ultraservers(self) -> int:
        """How many UltraServers the row tool lays (the tool bar's spin box)."""
        return self.actions.row_spin.value()

    def complete_rows(self) -> bool:
        """Whether the row tool also lays the row's CDUs, network racks and busways."""
        return self.actions.complete_rows_action.isChecked()

    def install(self, edit_menu, tools_menu) -> None:
        """Put the edit actions in the Edit menu and the tools in the Tools menu."""
        self.actions.install(edit_menu, tools_menu)

    # ------------------------------------------------------------------ context menus
    def set_what_if_actions(self, fail: QAction, restore: QAction) -> None:
        """Offer the what-if's Fail Selected and Restore All in the items' context menus."""
        self.context_menus.fail_action, self.context_menus.restore_action = fail, restore

    def context_menu_for(self, scene_pos: QPointF) -> QMenu | None:
        """The context menu of a scene point (None away from the halls); a right-click on
        an unselected item selects it first. Not shown: the caller execs it."""
        return self.context_menus.menu_for(scene_pos, self.view)

    # ------------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        """Make a tool active (``select``, ``row``, ``outline``, ``column``, ``keepout``, ``busway``,
        ``measure``, ``note``)."""
        tool = self.tools[name]
        if tool is not self.tool:
            self.tool.deactivate()
            self.tool = tool
            tool.activate()
        action = self.actions.tool_actions[name]
        if not action.isChecked():
            action.setChecked(True)
        self.message.emit(tool.hint)
        self.tool_changed.emit(name)

    def escape(self) -> None:
        """Esc: drop the gesture in progress, else go back to Select, else clear the selection."""
        if self.tool.cancel():
            self.message.emit("Cancelled")
        elif self.tool is not self.tools["select"]:
            self.set_tool("select")
        else:
            self.document.select([])

    def set_snapping(self, on: bool) -> None:
        """Snap to the grid and to neighbours (a remembered preference), or not."""
        self.snapper.enabled = on
        settings.set_snap_enabled(on)
        self.message.emit("Snapping on: tile grid and neighbouring racks" if on else "Snapping off")

    # ------------------------------------------------------------------ edits
    def add_items(self, records: list[Equipment], label: str) -> None:
        """Add new items as one undo step and select them."""
        if not records:
            return
        self.document.push(AddItems(records, None, label))
        self.document.select([r.id for r in records])
        self.message.emit(f"{label}: {len(records)} item{'s' if len(records) != 1 else ''}")

    def delete_selection(self) -> None:
        ids = tuple(self.document.selection)
        if ids:
            self.document.push(RemoveItems(ids, "Delete"))
            self.message.emit(f"Deleted {len(ids)} item{'s' if len(ids) != 1 else ''}")

    def select_all(self) -> None:
        self.document.select(list(self.design.equipment.ids))
        announce_selection(self)

    # ------------------------------------------------------------------ handlers
    def _on_selection_changed(self, ids: list) -> None:
        self.scene.set_selection(ids)
        self.actions.selection_changed(bool(ids))

    def _on_document_changed(self, change) -> None:
        self.cache.clear()
        if change.kind in ("halls", "reset", "assumptions"):
            if change.kind == "assumptions" and self.palette is not None:
                self.palette.set_catalog(self.catalog)
            # the scene rebuilds its hall items after this signal: redraw once it has
            QTimer.singleShot(0, self._refresh_tool)

    def _on_design_replaced(self) -> None:
        self.cache.clear()
        self.tool.cancel()
        self.keyboard.end_nudge_burst()
        if self.palette is not None:
            self.palette.set_catalog(self.catalog)
        QTimer.singleShot(0, self._refresh_tool)  # the window gives the scene the new design after us

    def _refresh_tool(self) -> None:
        self.tool.refresh()

    def _on_clipboard_changed(self) -> None:
        mime = QApplication.clipboard().mimeData()
        self.actions.paste_action.setEnabled(mime is not None and mime.hasFormat(ITEMS_MIME))

    def _on_palette_type_chosen(self, type_id: str) -> None:
        spec = self.catalog.types.get(type_id)
        if spec is None:
            return
        if spec.is_compute:
            self.row_type = type_id
        elif spec.kind == "busway":
            self.busway_type = type_id
            self.busway_extra = self.palette.current_extra() if self.palette is not None else {}


class EditorInput:
    """The plan view's input (:class:`~designer.ui.canvas.view.PlanInput`) as an editor
    routes it: mouse gestures to its active tool, keys to its keyboard edits, palette
    drags to its drops."""

    def __init__(self, editor: PlanEditor) -> None:
        self.editor = editor

    def cursor(self) -> Qt.CursorShape:
        return self.editor.tool.cursor

    def mouse_press(self, ev: ToolEvent) -> None:
        self.editor.tool.mouse_press(ev)

    def mouse_move(self, ev: ToolEvent) -> None:
        self.editor.tool.mouse_move(ev)

    def mouse_release(self, ev: ToolEvent) -> None:
        self.editor.tool.mouse_release(ev)

    def mouse_double_click(self, ev: ToolEvent) -> None:
        self.editor.tool.mouse_double_click(ev)

    def key_press(self, event: QKeyEvent) -> bool:
        return self.editor.keyboard.key_press(event)

    def wants_key(self, event: QKeyEvent) -> bool:
        """Whether the active tool takes a key itself before any shortcut (typed lengths)."""
        wants = getattr(self.editor.tool, "wants_key", None)
        return bool(wants is not None and wants(event))

    def drag_enter(self, event) -> bool:
        return self.editor.drops.drag_enter(event)

    def drag_move(self, event) -> bool:
        return self.editor.drops.drag_move(event)

    def drag_leave(self) -> None:
        self.editor.drops.drag_leave()

    def drop(self, event) -> bool:
        return self.editor.drops.drop(event)

    def context_menu(self, ev: ToolEvent) -> QMenu | None:
        self.editor.tool.cancel()  # a gesture in progress ends where the menu opens
        return self.editor.context_menu_for(ev.scene_pos)
