"""The base of the plan's tools: a way of using the mouse on the plan, one active at a
time; the editor hands it the view's mouse events as :class:`ToolEvent` objects."""

from __future__ import annotations

import math
from typing import Protocol

from PySide6.QtCore import QPointF, Qt, SignalInstance

from designer.catalog import Catalog
from designer.model import Design, Equipment
from designer.ui.canvas.scene import PlanScene
from designer.ui.canvas.sketch import SketchItem
from designer.ui.canvas.view import PlanView, ToolEvent
from designer.ui.document import Document
from designer.ui.tools.floor import FloorCache
from designer.ui.tools.snapping import Snapper

#: How near the cursor must be to pick a line, a handle or a corner (pixels).
PICK_PX = 6.0


def near(a: QPointF, b: QPointF, px: float = PICK_PX) -> bool:
    """Whether two view points are within ``px`` pixels."""
    return math.hypot(a.x() - b.x(), a.y() - b.y()) <= px


class Editing(Protocol):
    """What the tools and the editor's other helpers use of the editor that holds them
    (:class:`designer.ui.tools.editor.PlanEditor`, which creates them: they never import it)."""

    view: PlanView
    document: Document
    scene: PlanScene
    cache: FloorCache
    snapper: Snapper
    message: SignalInstance
    properties_requested: SignalInstance
    hall_properties_requested: SignalInstance
    row_type: str
    busway_type: str
    busway_extra: dict
    keyboard: object
    tools: dict[str, PlanTool]

    @property
    def design(self) -> Design: ...
    @property
    def catalog(self) -> Catalog: ...
    def sketch_item(self) -> SketchItem: ...
    def clear_sketch(self) -> None: ...
    def add_items(self, records: list[Equipment], label: str) -> None: ...
    def escape(self) -> None: ...
    def set_tool(self, name: str) -> None: ...
    def set_snapping(self, on: bool) -> None: ...
    def delete_selection(self) -> None: ...
    def select_all(self) -> None: ...
    def row_ultraservers(self) -> int: ...
    def complete_rows(self) -> bool: ...


class PlanTool:
    """A way of using the mouse on the plan; one is active at a time."""

    name = ""
    label = ""
    tooltip = ""
    #: Shown in the status bar while the tool is active.
    hint = ""
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, editor: Editing) -> None:
        self.editor = editor

    def activate(self) -> None:
        """Become the active tool."""
        self.editor.view.viewport().setCursor(self.cursor)
        self.refresh()

    def deactivate(self) -> None:
        """Stop being the active tool (a gesture in progress is dropped)."""
        self.cancel()
        self.editor.clear_sketch()

    def refresh(self) -> None:
        """Redraw what the tool shows between gestures (after the model changed)."""

    def cancel(self) -> bool:
        """Drop a gesture in progress; True when there was one."""
        return False

    def mouse_press(self, ev: ToolEvent) -> None:
        pass

    def mouse_move(self, ev: ToolEvent) -> None:
        pass

    def mouse_release(self, ev: ToolEvent) -> None:
        pass

    def mouse_double_click(self, ev: ToolEvent) -> None:
        pass
