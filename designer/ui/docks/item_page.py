"""The Inspector's page for selected equipment: identity (type, hall, UltraServer,
a busway's feed), position (centre and rotation, or a busway's ends) and the engine's findings.

Every edit is one undoable command; values the model cannot take are refused in the
inspector's message bar and the design is left as it was.
"""

from __future__ import annotations

import math
import numpy as np
from PySide6.QtWidgets import QGroupBox, QLineEdit, QVBoxLayout, QWidget

from designer.model.commands import POSITION_DECIMALS, SetPlacements, UpdateItem, move_items
from designer.ui.docks.context import InspectorContext, one_or_many
from designer.ui.docks.fields import (
    MeasureSpinBox, NoWheelComboBox, Units, form_layout, info_label, set_combo, set_text,
)
from designer.ui.docks.item_evaluation import EvaluationBox

#: Plan coordinates the inspector accepts (metres either side of the origin).
COORDINATE_LIMIT_M = 100_000.0
#: A busway's feeds as the Feed combo offers them (text, value).
FEEDS = (("A", "A"), ("B", "B"))


class ItemPage(QWidget):
    """Properties of the selected items; edits apply to all of them at once."""

    def __init__(self, context: InspectorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ids: list[str] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_identity())
        column.addWidget(self._build_position())
        self.evaluation_box = EvaluationBox(context)
        column.addWidget(self.evaluation_box)
        column.addStretch(1)

    # ------------------------------------------------------------------ building
    def _build_identity(self) -> QGroupBox:
        box = QGroupBox("Item")
        self.item_form = form = form_layout(box)
        self.id_label = info_label()
        self.id_label.setObjectName("inspector_id")
        form.addRow("Id", self.id_label)
        self.count_label = info_label()
        form.addRow("Selected", self.count_label)
        self.type_combo = NoWheelComboBox()
        self.type_combo.setObjectName("inspector_type")
        self.type_combo.activated.connect(self._on_type_activated)
        form.addRow("Type", self.type_combo)
        self.hall_combo = NoWheelComboBox()
        self.hall_combo.setObjectName("inspector_hall")
        self.hall_combo.activated.connect(self._on_hall_activated)
        form.addRow("Hall", self.hall_combo)
        self.system_edit = QLineEdit()
        self.system_edit.setObjectName("inspector_system")
        self.system_edit.setToolTip("The UltraServer these racks belong to. Racks with the same id form one "
                                    "UltraServer; give several racks one id to group them.")
        self.system_edit.editingFinished.connect(self._on_system_edited)
        form.addRow("UltraServer", self.system_edit)
        self.members_label = info_label()
        form.addRow("Its racks", self.members_label)
        self.feed_combo = NoWheelComboBox()
        self.feed_combo.setObjectName("inspector_feed")
        self.feed_combo.setToolTip("The power feed this busway belongs to. A rack under busways of both feeds "
                                   "draws half from each; if one feed fails the other carries all of it.")
        self.feed_combo.activated.connect(self._on_feed_activated)
        form.addRow("Feed", self.feed_combo)
        return box

    def _build_position(self) -> QGroupBox:
        box = QGroupBox("Position")
        self.position_form = form = form_layout(box)
        length = self.context.units.length_suffix
        lim = COORDINATE_LIMIT_M

        spin = self.context.measure_spin
        self.x_spin = spin("inspector_x", "X", -lim, lim, 3, 0.6, length, lambda v: self._move_to(v, None))
        self.y_spin = spin("inspector_y", "Y", -lim, lim, 3, 0.6, length, lambda v: self._move_to(None, v))
        self.rotation_spin = spin("inspector_rotation", "Rotation", 0.0, 359.9, 1, 90.0, "°",
                                  self._on_rotation_committed)
        self.rotation_spin.setWrapping(True)
        self.rotation_spin.setToolTip("Degrees counter-clockwise; at 0° the front (air intake) faces south.")
        form.addRow("X", self.x_spin)
        form.addRow("Y", self.y_spin)
        form.addRow("Rotation", self.rotation_spin)
        self.end_spins = []
        for which, (name, what) in enumerate((("start_x", "Start X"), ("start_y", "Start Y"),
                                              ("end_x", "End X"), ("end_y", "End Y"))):
            end = spin(f"inspector_{name}", what, -lim, lim, 3, 0.6, length,
                       lambda v, which=which: self._on_busway_end_committed(which, v))
            form.addRow(what, end)
            self.end_spins.append(end)
        self.start_x_spin, self.start_y_spin, self.end_x_spin, self.end_y_spin = self.end_spins
        self.length_label = info_label()
        form.addRow("Length", self.length_label)
        return box

    def length_spins(self) -> list[MeasureSpinBox]:
        """The fields that show a length (they follow the units preference)."""
        return [self.x_spin, self.y_spin, *self.end_spins]

    def apply_units(self, units: Units) -> None:
        """Show lengths in these units."""
        for spin in self.length_spins():
            spin.set_units(units.length_factor, units.length_suffix)

    # ------------------------------------------------------------------ refresh
    def refresh(self, ids: list[str]) -> tuple[str, str]:
        """Show the items ``ids`` (all in the design); returns the inspector's title and subtitle."""
        context, design = self.context, self.context.design
        self.ids = ids
        t = design.equipment
        rows = t.rows(ids)
        n = len(rows)
        single = n == 1
        codes, counts = np.unique(t.type_code[rows], return_counts=True)
        type_ids = [t.types[int(c)] for c in codes]
        kinds = {context.type_kind(tid) for tid in type_ids}
        kind = next(iter(kinds)) if len(kinds) == 1 else None

        if single:
            title, subtitle = ids[0], context.type_name(type_ids[0])
        else:
            title = f"{n:,} items selected"
            parts = sorted(zip(counts.tolist(), type_ids), reverse=True)
            subtitle = (", ".join(f"{c:,} × {context.type_name(tid)}" for c, tid in parts[:4])
                        + (f", {len(parts) - 4} more types" if len(parts) > 4 else ""))
        self._show_identity(rows, type_ids, kind)
        self._show_position(rows)
        self.evaluation_box.refresh(ids, rows, kind)
        return title, subtitle

    def _show_identity(self, rows: np.ndarray, type_ids: list[str], kind: str | None) -> None:
        context, design, ids = self.context, self.context.design, self.ids
        t = design.equipment
        single = len(rows) == 1
        form = self.item_form
        form.setRowVisible(self.id_label, single)
        form.setRowVisible(self.count_label, not single)
        self.id_label.setText(ids[0] if single else "")
        self.count_label.setText(f"{len(rows):,} items")

        catalog = context.catalog()
        if kind:
            entries = [(spec.name, spec.id) for spec in catalog.types.values() if spec.kind == kind]
            if not any(tid == type_ids[0] for _, tid in entries) and len(type_ids) == 1:
                entries.append((context.type_name(type_ids[0]), type_ids[0]))
            set_combo(self.type_combo, entries, type_ids[0] if len(type_ids) == 1 else None,
                      None if len(type_ids) == 1 else "(several types)")
            self.type_combo.setEnabled(True)
            self.type_combo.setToolTip("Types of the same kind that can take this place")
        else:
            set_combo(self.type_combo, [], None, "(several kinds)")
            self.type_combo.setEnabled(False)
            self.type_combo.setToolTip("Select items of one kind to change their type")

        hall_codes = np.unique(t.hall_code[rows])
        common_hall = t.halls[int(hall_codes[0])] if len(hall_codes) == 1 else None
        entries = [(f"{h.name} ({h.id})" if h.name != h.id else h.id, h.id) for h in design.halls]
        if common_hall is not None and common_hall not in design.hall_ids():
            entries.append((f"{common_hall} (missing)", common_hall))
        set_combo(self.hall_combo, entries, common_hall, None if common_hall is not None else "(several halls)")

        busway = kind == "busway"
        form.setRowVisible(self.feed_combo, busway)
        if busway:
            feeds = {self._feed(i) for i in ids}
            set_combo(self.feed_combo, list(FEEDS), feeds.pop() if len(feeds) == 1 else None,
                      None if len(feeds) <= 1 else "(both feeds)")

        compute = kind == "compute"
        form.setRowVisible(self.system_edit, compute)
        form.setRowVisible(self.members_label, compute and single)
        if compute:
            sys_codes = np.unique(t.system_code[rows])
            common_sys = t.systems[int(sys_codes[0])] if len(sys_codes) == 1 and sys_codes[0] >= 0 else ""
            set_text(self.system_edit, common_sys)
            self.system_edit.setPlaceholderText("(several UltraServers)" if len(sys_codes) > 1 else "")
            if single and common_sys:
                members = design.system_members(common_sys)
                need = catalog.types[type_ids[0]].racks_per_system if type_ids[0] in catalog.types else 0
                listed = ", ".join(members[:6]) + (f" +{len(members) - 6}" if len(members) > 6 else "")
                self.members_label.setText(f"{len(members)} of {need}: {listed}")

    def _show_position(self, rows: np.ndarray) -> None:
        t = self.context.design.equipment
        single = len(rows) == 1
        busway_rows = ~np.isnan(t.x2[rows])
        any_busway = bool(busway_rows.any())
        form = self.position_form
        floor_pos = not (single and bool(busway_rows.all()))
        form.setRowVisible(self.x_spin, floor_pos)
        form.setRowVisible(self.y_spin, floor_pos)
        form.setRowVisible(self.rotation_spin, not any_busway)
        for spin in self.end_spins:
            form.setRowVisible(spin, not floor_pos)
        form.setRowVisible(self.length_label, not floor_pos)
        form.labelForField(self.x_spin).setText("X" if single else "Centre X")
        form.labelForField(self.y_spin).setText("Y" if single else "Centre Y")
        self.x_spin.setToolTip("Centre of the footprint" if single else "Centre of the selection; moves them together")
        if floor_pos:
            cx, cy = self._centre(rows)
            self.x_spin.set_model_value(cx)
            self.y_spin.set_model_value(cy)
        else:
            r = int(rows[0])
            for spin, column in zip(self.end_spins, (t.x, t.y, t.x2, t.y2)):
                spin.set_model_value(float(column[r]))
            self.length_label.setText(self.context.units.length(math.hypot(t.x2[r] - t.x[r], t.y2[r] - t.y[r])))
        if not any_busway:
            rot = np.unique(np.round(t.rotation[rows], 6))
            spin = self.rotation_spin
            blocker = spin.blockSignals(True)
            if len(rot) == 1:
                spin.setSpecialValueText("")
                spin.setMinimum(0.0)
                spin.setValue(float(rot[0]) % 360.0)
            else:  # below the range: shows "(several)" until a value is chosen
                spin.setMinimum(-1.0)
                spin.setSpecialValueText("(several)")
                spin.setValue(-1.0)
            spin.blockSignals(blocker)

    def _centre(self, rows: np.ndarray) -> tuple[float, float]:
        t = self.context.design.equipment
        if len(rows) == 1:
            return float(t.x[rows[0]]), float(t.y[rows[0]])
        xs = np.concatenate([t.x[rows], t.x2[rows][~np.isnan(t.x2[rows])]])
        ys = np.concatenate([t.y[rows], t.y2[rows][~np.isnan(t.y2[rows])]])
        return (round(float(xs.min() + xs.max()) / 2, POSITION_DECIMALS),
                round(float(ys.min() + ys.max()) / 2, POSITION_DECIMALS))

    # ------------------------------------------------------------------ edits
    def _update_each(self, field: str, value: str, label: str) -> None:
        """Set ``field`` of every selected item that differs (one undo step)."""
        t = self.context.design.equipment
        ids = [i for i in self.ids if getattr(t.get(i), field) != value]
        if ids:
            self.context.push(one_or_many([UpdateItem(i, {field: value}, label) for i in ids], label))

    def _feed(self, item_id: str) -> str:
        return "B" if self.context.design.equipment.extra.get(item_id, {}).get("feed") == "B" else "A"

    def _on_feed_activated(self, index: int) -> None:
        feed = self.feed_combo.itemData(index)
        if feed not in ("A", "B"):
            return
        ids = [i for i in self.ids if self._feed(i) != feed]
        if ids:
            label = f"Put {ids[0] if len(ids) == 1 else f'{len(ids):,} busways'} on feed {feed}"
            # A is the default: stored as no "feed" at all
            self.context.push(one_or_many([UpdateItem(i, {"feed": "B" if feed == "B" else None}, label)
                                           for i in ids], label))

    def _on_type_activated(self, index: int) -> None:
        type_id = self.type_combo.itemData(index)
        if type_id is not None:
            self._update_each("type", type_id, f"Change type to {self.context.type_name(type_id)}")

    def _on_hall_activated(self, index: int) -> None:
        hall_id = self.hall_combo.itemData(index)
        if hall_id is not None and hall_id in self.context.design.hall_ids():
            self._update_each("hall", hall_id, f"Move to hall {hall_id}")

    def _on_system_edited(self) -> None:
        text = self.system_edit.text().strip()
        t = self.context.design.equipment
        current = {t.systems[int(c)] if c >= 0 else "" for c in np.unique(t.system_code[t.rows(self.ids)])}
        if not self.system_edit.isModified() and (text in current or not text):
            return
        self.system_edit.setModified(False)
        if not text:
            if len(current) == 1:
                self.context.refuse("A compute rack belongs to an UltraServer: give it a system id "
                                    "(a new id detaches the rack into its own UltraServer).")
                set_text(self.system_edit, next(iter(current)), force=True)
            return
        if any(c.isspace() for c in text):
            self.context.refuse(f"UltraServer ids cannot contain spaces; “{text}” was not applied.")
            return
        self._update_each("system", text, f"Assign to UltraServer {text}")

    def _move_to(self, x: float | None, y: float | None) -> None:
        """Put the item (or the selection's centre) at a new x or y: one undo step."""
        ids = self.ids
        if not ids:
            return
        design = self.context.design
        rows = design.equipment.rows(ids)
        cx, cy = self._centre(rows)
        dx = 0.0 if x is None else round(x, POSITION_DECIMALS) - cx
        dy = 0.0 if y is None else round(y, POSITION_DECIMALS) - cy
        if abs(dx) < 1e-9 and abs(dy) < 1e-9:
            return
        label = f"Move {ids[0]}" if len(ids) == 1 else f"Move {len(ids):,} items"
        if len(ids) == 1 and np.isnan(design.equipment.x2[rows[0]]):
            cmd = SetPlacements.capture(design, ids, label)
            if x is not None:
                cmd.x = np.array([round(x, POSITION_DECIMALS)])
            if y is not None:
                cmd.y = np.array([round(y, POSITION_DECIMALS)])
        else:
            cmd = move_items(design, ids, dx, dy, label)
        self.context.push(cmd)

    def _on_rotation_committed(self, value: float) -> None:
        if not self.ids or value < 0:  # still "(several)"
            return
        cmd = SetPlacements.capture(self.context.design, self.ids, "Rotate")
        new = np.full(len(self.ids), round(value % 360.0, 6))
        if np.array_equal(cmd.rotation, new):
            return
        cmd.rotation = new
        self.context.push(cmd)

    def _on_busway_end_committed(self, which: int, value: float) -> None:
        if len(self.ids) != 1:
            return
        cmd = SetPlacements.capture(self.context.design, self.ids, f"Edit busway {self.ids[0]}")
        coords = [cmd.x, cmd.y, cmd.x2, cmd.y2]
        coords[which] = np.array([round(value, POSITION_DECIMALS)])
        cmd.x, cmd.y, cmd.x2, cmd.y2 = coords
        if cmd.x[0] == cmd.x2[0] and cmd.y[0] == cmd.y2[0]:
            self.context.refuse("A busway needs two different ends; that edit would make it zero long "
                                "and was not applied.")
            self.refresh(self.ids)
            return
        self.context.push(cmd)
