"""The plan's context menus (right-click): on an item, Rotate, Delete, Select UltraServer
(a rack), Properties and the what-if's Fail / Restore; on a hall's empty floor, Select
All in Hall and Hall Properties. Built by :meth:`PlanContextMenu.menu_for`, which tests
read without showing the menu."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from designer.engine.types import COMPUTE
from designer.ui.tools.base import PICK_PX, Editing
from designer.ui.tools.select import announce_selection, pick_ids, with_systems


class PlanContextMenu:
    """Builds the context menu of a point of the plan and carries out its entries."""

    def __init__(self, editor: Editing) -> None:
        self.editor = editor
        #: the what-if's Fail Selected and Restore All (the main window's; None without one)
        self.fail_action: QAction | None = None
        self.restore_action: QAction | None = None

    def row_at(self, scene_pos: QPointF) -> tuple[object, int | None]:
        """(hall item, equipment row under the point or None) at a scene point; the hall is
        None away from every hall."""
        ed = self.editor
        hall = ed.scene.hall_at(scene_pos)
        if hall is None:
            return None, None
        x, y = hall.to_plan(scene_pos)
        hits = ed.cache.floor(hall.hall.id).hits(x, y, PICK_PX / max(ed.view.pixels_per_metre(), 1e-9))
        return hall, (int(hits[0]) if len(hits) else None)

    def menu_for(self, scene_pos: QPointF, parent: QWidget | None = None) -> QMenu | None:
        """The menu for a right-click at a scene point (None away from the halls). A click
        on an item that is not selected selects it first, as a left click would."""
        ed = self.editor
        hall, row = self.row_at(scene_pos)
        if hall is None:
            return None
        menu = QMenu(parent)
        menu.setObjectName("plan_context_menu")
        if row is None:
            hall_id = hall.hall.id
            menu.addAction("Select All in Hall", lambda: self.select_hall(hall_id)).setObjectName("select_hall")
            menu.addAction("Hall Properties", lambda: self.hall_properties(hall_id)).setObjectName("hall_properties")
            if self.restore_action is not None and ed.document.failed_ids:
                menu.addSeparator()
                menu.addAction(self.restore_action)
            return menu
        t = ed.design.equipment
        item_id = t.ids[row]
        if item_id not in ed.document.selection:
            ed.document.select(pick_ids(ed.design, row))
            announce_selection(ed)
        is_rack = int(ed.cache.types().kind[t.type_code[row]]) == COMPUTE
        n = len(ed.document.selection)
        what = "" if n == 1 else f" {n} Items"
        menu.addAction(f"Rotate{what} 90°", lambda: ed.keyboard.rotate_selection(90.0)).setObjectName("rotate")
        menu.addAction(f"Delete{what}", ed.delete_selection).setObjectName("delete")
        if is_rack and int(t.system_code[row]) >= 0:
            menu.addAction("Select UltraServer", lambda: self.select_ultraserver(item_id)) \
                .setObjectName("select_ultraserver")
        menu.addAction("Properties", ed.properties_requested.emit).setObjectName("properties")
        if self.fail_action is not None:
            menu.addSeparator()
            menu.addAction(self.fail_action)
            menu.addAction(self.restore_action)
        return menu

    # ------------------------------------------------------------------ entries
    def select_ultraserver(self, item_id: str) -> None:
        """Select every rack of an item's UltraServer."""
        ed = self.editor
        if item_id in ed.design.equipment.index:
            ed.document.select(with_systems(ed.design, [item_id]))
            announce_selection(ed)

    def select_hall(self, hall_id: str) -> None:
        """Select everything in a hall."""
        ed = self.editor
        t = ed.design.equipment
        code = t.halls.codes.get(hall_id)
        rows = np.flatnonzero(t.hall_code == code) if code is not None else np.zeros(0, np.int64)
        ed.document.select([t.ids[int(r)] for r in rows])
        announce_selection(ed)

    def hall_properties(self, hall_id: str) -> None:
        """Show a hall's page of the Inspector (nothing selected)."""
        ed = self.editor
        ed.document.select([])
        ed.hall_properties_requested.emit(hall_id)
