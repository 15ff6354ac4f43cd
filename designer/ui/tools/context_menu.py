"""The plan's context menus (right-click): on an item, Rotate, Delete, Select UltraServer
(a rack), Select All of Type / Row / in Hall, Properties and the what-if's Fail /
Restore; on a hall's empty floor, Select All in Hall, Hall Properties, Move, Duplicate
and Delete Hall, Add Note Here; on a dimension line or a note, Edit Note and Delete.
Built by :meth:`PlanContextMenu.menu_for`, which tests read without showing the menu."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from designer.engine.types import COMPUTE
from designer.model.commands import (
    AnnotationError, RemoveHall, add_annotation, annotations_of, duplicate_hall, note, remove_annotations,
    replace_annotation,
)
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
        annotation = ed.scene.annotations_item.at(scene_pos, ed.view.pixels_per_metre())
        if annotation is not None and row is None:
            kind = annotations_of(ed.design)[annotation]["kind"]
            if kind == "note":
                menu.addAction("Edit Note…", lambda: self.edit_note(annotation)).setObjectName("edit_note")
            what = "Note" if kind == "note" else "Dimension Line"
            menu.addAction(f"Delete {what}", lambda: self.delete_annotation(annotation)) \
                .setObjectName("delete_annotation")
            return menu
        if row is None:
            hall_id = hall.hall.id
            x, y = hall.to_plan(scene_pos)
            menu.addAction("Select All in Hall", lambda: self.select_hall(hall_id)).setObjectName("select_hall")
            menu.addAction("Hall Properties", lambda: self.hall_properties(hall_id)).setObjectName("hall_properties")
            menu.addSeparator()
            menu.addAction("Move Hall", lambda: self.move_hall(hall_id, scene_pos)).setObjectName("move_hall")
            menu.addAction("Duplicate Hall", lambda: self.duplicate_hall(hall_id)).setObjectName("duplicate_hall")
            delete = menu.addAction("Delete Hall", lambda: self.delete_hall(hall_id))
            delete.setObjectName("delete_hall")
            delete.setEnabled(len(ed.design.halls) > 1)
            menu.addSeparator()
            menu.addAction("Add Note Here…", lambda: self.add_note(hall_id, x, y)).setObjectName("add_note")
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
        menu.addAction("Select All of Type", lambda: self.select_same_type(item_id)).setObjectName("select_type")
        menu.addAction("Select Row", lambda: self.select_row(item_id)).setObjectName("select_row")
        hall_id = hall.hall.id
        menu.addAction("Select All in Hall", lambda: self.select_hall(hall_id)).setObjectName("select_hall")
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

    def select_same_type(self, item_id: str) -> None:
        """Select every item of an item's type."""
        from designer.ui.find import same_type_ids

        ed = self.editor
        if item_id in ed.design.equipment.index:
            ids = same_type_ids(ed.design, item_id)
            ed.document.select(ids)
            ed.message.emit(f"Selected {len(ids):,} items of type {ed.design.equipment.get(item_id).type}")

    def select_row(self, item_id: str) -> None:
        """Select the row an item stands in."""
        from designer.ui.find import row_ids

        ed = self.editor
        if item_id in ed.design.equipment.index:
            ids = row_ids(ed.design, ed.catalog, item_id)
            ed.document.select(ids)
            ed.message.emit(f"Selected the row of {item_id}: {len(ids):,} items")

    # ------------------------------------------------------------------ halls
    def move_hall(self, hall_id: str, scene_pos: QPointF) -> None:
        """Move a hall on the campus: it follows the cursor until the next click."""
        ed = self.editor
        hall = ed.scene.hall_item(hall_id)
        if hall is None:
            return
        ed.set_tool("select")
        ed.tools["select"].start_hall_move(hall, scene_pos, follow=True)

    def duplicate_hall(self, hall_id: str) -> None:
        """Copy a hall with everything in it (one undo step)."""
        ed = self.editor
        name = ed.design.hall(hall_id).name
        ed.document.push(duplicate_hall(ed.design, hall_id))
        ed.message.emit(f"Duplicated {name} as {ed.design.halls[-1].name}")

    def delete_hall(self, hall_id: str) -> None:
        """Delete a hall and everything in it (one undo step); never the last one."""
        ed = self.editor
        if len(ed.design.halls) <= 1:
            ed.message.emit("A design needs at least one hall; the last one was kept.")
            return
        name = ed.design.hall(hall_id).name
        ed.document.push(RemoveHall(hall_id, f"Delete {name}"))
        ed.message.emit(f"Deleted {name} (Undo brings it back)")

    # ------------------------------------------------------------------ annotations
    def add_note(self, hall_id: str, x: float, y: float) -> None:
        """Ask for a note's text and leave it at a point of a hall."""
        from designer.ui.tools.measure import ask_note_text

        ed = self.editor
        text = ask_note_text(ed.view, "Add note")
        if text is None:
            return
        try:
            ann = note(ed.design, hall_id, (x, y), text)
        except AnnotationError as exc:
            ed.message.emit(f"No note added: {exc}")
            return
        ed.document.push(add_annotation(ed.design, ann))

    def edit_note(self, index: int) -> None:
        """Change a note's text (an empty text keeps the old one)."""
        from designer.ui.tools.measure import ask_note_text

        ed = self.editor
        old = annotations_of(ed.design)[index]
        text = ask_note_text(ed.view, "Edit note", old["text"])
        if text is None or text.strip() == old["text"]:
            return
        try:
            ann = note(ed.design, old["hall"], old["at"], text)
        except AnnotationError as exc:
            ed.message.emit(f"Note not changed: {exc}")
            return
        ed.document.push(replace_annotation(ed.design, index, {**old, "text": ann["text"]}))

    def delete_annotation(self, index: int) -> None:
        ed = self.editor
        ed.document.push(remove_annotations(ed.design, [index]))
        ed.message.emit("Deleted the annotation (Undo brings it back)")
