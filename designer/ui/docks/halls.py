"""The Halls dock: campus navigation and the halls themselves.

Campus totals on top (halls, UltraServers, chips, IT load, problems), then one row
per hall with its key totals: UltraServers, IT MW and its violations. Double-click
(or Enter) on a hall zooms the plan to it and shows it in the Inspector. Buttons (and
the rows' context menu) add a rectangular hall of a typed width and depth, duplicate,
rename (F2, or edit the name in place) and delete a hall; each is one undo step.
Totals follow the evaluations, at most four times a second during a drag and once
after it (not at all while the dock is hidden); rows are updated in place, never
rebuilt unless the halls change.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QMenu, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from designer.engine import Evaluation
from designer.model import Design
from designer.model.commands import MAX_HALL_SIDE_M, RemoveHall, SetHall, duplicate_hall, new_hall
from designer.ui.docks.status import STATUS_COLORS, problems_text, status_of
from designer.ui.widgets import RefreshedWhenShown, Throttle

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: At most this often (seconds) during a burst of evaluations (a drag), plus once after it.
REFRESH_INTERVAL_S = 0.25


@dataclass(frozen=True)
class HallTotals:
    """What the list shows for one hall."""

    hall_id: str
    name: str
    ultraservers: int
    racks: int
    it_kw: float
    it_capacity_kw: float
    area_m2: float
    errors: int
    warnings: int


def hall_totals(design: Design, evaluation: Evaluation | None) -> list[HallTotals]:
    """Per hall, in design order, from the engine's per-hall table: UltraServers (racks
    of one system in the hall count once), compute racks, IT load (kW) and violations by
    severity; zeros for a hall the evaluation does not know yet."""
    known = set(evaluation.halls.ids) if evaluation is not None else set()
    out = []
    for hall in design.halls:
        row = evaluation.halls.row(hall.id) if hall.id in known else None
        us, racks, it_kw, errors, warnings = ((row.ultraservers, row.racks, row.it_kw, row.errors, row.warnings)
                                              if row is not None else (0, 0, 0.0, 0, 0))
        out.append(HallTotals(hall.id, hall.name, us, racks, it_kw, float(hall.it_capacity_kw), hall.area(),
                              errors, warnings))
    return out


class _HallRow(QTreeWidgetItem):
    """A hall's row; sorts by numbers (column data in ``SORT_ROLE``), not by text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        a, b = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if a is None or b is None:  # not filled in yet (QTreeWidgetItem.__lt__ would call back here)
            return self.text(column) < other.text(column)
        return a < b


class HallListPanel(RefreshedWhenShown, QWidget):
    """Campus totals and the list of halls; activating a hall zooms the plan to it."""

    #: a hall was activated (double-click or Enter): its id
    hall_activated = Signal(str)
    #: what an edit did, for the status bar
    message = Signal(str)

    COLUMNS = ("Hall", "UltraServers", "IT MW", "Problems")

    def __init__(self, document, plan_view, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hall_list")
        self.document = document
        self.plan_view = plan_view
        self.campus_label = QLabel()
        self.campus_label.setObjectName("campus_totals")
        self.campus_label.setWordWrap(True)
        self.campus_label.setTextFormat(Qt.TextFormat.RichText)
        self.campus_label.setContentsMargins(4, 4, 4, 4)
        self.tree = QTreeWidget()
        self.tree.setObjectName("hall_tree")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tree.headerItem().setToolTip(1, "UltraServers in the hall (racks of one system count once)")
        self.tree.headerItem().setToolTip(2, "IT load of the hall, MW")
        self.tree.headerItem().setToolTip(3, "Violations located in the hall")
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(24)
        for c in range(len(self.COLUMNS) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setToolTip("Double-click a hall to zoom the plan to it")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)  # F2 renames
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_menu)
        self.add_action = self._hall_action("Add Hall…", self.add_hall_interactive, "add_hall",
                                            "Add a rectangular hall: type its width and depth")
        self.duplicate_action = self._hall_action("Duplicate", self.duplicate_current, "duplicate_hall",
                                                  "Copy the hall with everything in it, east of the campus")
        self.rename_action = self._hall_action("Rename", self.rename_current, "rename_hall",
                                               "Rename the hall (F2)")
        self.delete_action = self._hall_action("Delete", self.delete_current, "delete_hall",
                                               "Delete the hall and everything in it (Undo brings it back)")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        for action in (self.add_action, self.duplicate_action, self.rename_action, self.delete_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.campus_label)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self._rows: dict[str, _HallRow] = {}
        self._filling = False
        self._stale = False
        self._throttle = Throttle(int(REFRESH_INTERVAL_S * 1000), self._refresh_if_shown, self)
        self.tree.itemActivated.connect(self._on_hall_item_activated)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(lambda *_: self._enable_actions())
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.design_replaced.connect(self._on_design_replaced)
        self.refresh()

    # ------------------------------------------------------------------ content
    def _on_design_replaced(self) -> None:
        self.tree.clear()
        self._rows.clear()
        self.refresh()

    def refresh(self) -> None:
        """Show the totals of the document's current design and evaluation."""
        self._stale = False
        design = self.document.design
        evaluation = self.document.evaluation
        totals = hall_totals(design, evaluation)
        sorting = self.tree.isSortingEnabled()
        self.tree.setSortingEnabled(False)  # do not re-sort per cell while updating
        self._filling = True  # (setText is not the user renaming a hall)
        try:
            if [h.hall_id for h in totals] != list(self._rows):
                self._rebuild_rows(totals)
            for index, h in enumerate(totals):
                self._fill_row(self._rows[h.hall_id], index, h)
        finally:
            self._filling = False
        self.tree.setSortingEnabled(sorting)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))  # the hall buttons act on a row
        self._fill_campus(totals, evaluation)
        self._enable_actions()

    def _rebuild_rows(self, totals: list[HallTotals]) -> None:
        # (called with sorting off: see refresh)
        self.tree.clear()
        self._rows = {}
        for h in totals:
            row = _HallRow()
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsEditable)
            row.setData(0, Qt.ItemDataRole.UserRole, h.hall_id)
            for c in (1, 2):
                row.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._rows[h.hall_id] = row
        self.tree.addTopLevelItems(list(self._rows.values()))

    def _fill_row(self, row: _HallRow, index: int, h: HallTotals) -> None:
        values = (h.name, f"{h.ultraservers:,}", f"{h.it_kw / 1000:,.2f}",
                  problems_text(h.errors, h.warnings, zeros=False))
        keys = (index, h.ultraservers, h.it_kw, h.errors * 1_000_000 + h.warnings)
        for c, (text, key) in enumerate(zip(values, keys)):
            if row.text(c) != text:
                row.setText(c, text)
            if row.data(c, SORT_ROLE) != key:
                row.setData(c, SORT_ROLE, key)
        color = STATUS_COLORS[status_of(h.errors, h.warnings)] if h.errors or h.warnings else None
        brush = row.foreground(3)
        if color is not None and brush.color() != color:
            row.setForeground(3, color)
        elif color is None and brush.style() != Qt.BrushStyle.NoBrush:
            row.setData(3, Qt.ItemDataRole.ForegroundRole, None)
        use = h.it_kw / h.it_capacity_kw * 100 if h.it_capacity_kw > 0 else 0.0
        tip = (f"{h.name} ({h.hall_id}): {h.area_m2:,.0f} m², {h.racks:,} compute racks\n"
               f"IT load {h.it_kw / 1000:,.2f} MW of {h.it_capacity_kw / 1000:,.2f} MW critical capacity "
               f"({use:.0f} %)\nDouble-click to zoom to this hall")
        if row.toolTip(0) != tip:
            for c in range(len(self.COLUMNS)):
                row.setToolTip(c, tip)

    def _fill_campus(self, totals: list[HallTotals], evaluation) -> None:
        halls = len(totals)
        if evaluation is not None:
            tot = evaluation.totals
            counts = evaluation.count_by_severity()
            us, chips = tot.get("ultraservers", 0), tot.get("chips", 0)
            it_mw = tot.get("power", {}).get("it_kw", 0.0) / 1000.0
            errors, warnings = counts["error"], counts["warning"]
            problems = problems_text(errors, warnings, zeros=False) if errors or warnings else "no problems"
            color = STATUS_COLORS[status_of(errors, warnings)].name()
            text = (f"<b>Campus</b> · {halls:,} hall{'s' if halls != 1 else ''}<br>"
                    f"{us:,} UltraServers · {chips:,} chips<br>"
                    f"IT {it_mw:,.2f} MW · <span style='color:{color}'>{problems}</span>")
        else:
            text = f"<b>Campus</b> · {halls:,} hall{'s' if halls != 1 else ''}<br>not evaluated"
        if self.campus_label.text() != text:
            self.campus_label.setText(text)

    # ------------------------------------------------------------------ navigation
    def hall_ids(self) -> list[str]:
        """Hall ids in the order the list shows them."""
        return [self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.tree.topLevelItemCount())]

    def _on_hall_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hall_id = item.data(0, Qt.ItemDataRole.UserRole)
        if hall_id:
            self.zoom_to_hall(hall_id)
            self.hall_activated.emit(hall_id)

    def zoom_to_hall(self, hall_id: str) -> bool:
        """Zoom and centre the plan on a hall's outline (with room for its title)."""
        view = self.plan_view
        scene = view.plan_scene()
        item = next((i for i in scene.hall_items if i.hall.id == hall_id), None)
        if item is None:
            return False
        rect = item.mapRectToScene(item.outline_rect())
        vp = view.viewport().rect()
        pad, title = 24.0, 28.0
        s = min(max(vp.width() - 2 * pad, 10.0) / max(rect.width(), 1e-6),
                max(vp.height() - 2 * pad - title, 10.0) / max(rect.height(), 1e-6))
        view.zoom_by(s / view.pixels_per_metre())
        s = view.pixels_per_metre()  # as clamped to the zoom limits
        view.centerOn(rect.center() - QPointF(0.0, title / 2 / s))
        view.pan_by(0, 0)  # a view the user chose: a window resize must not re-fit it
        return True

    # ------------------------------------------------------------------ editing halls
    def _hall_action(self, text: str, slot, name: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        if name == "rename_hall":
            action.setShortcut(QKeySequence(Qt.Key.Key_F2))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        return action

    def current_hall_id(self) -> str | None:
        """The hall of the current row (None when no row is current)."""
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select_hall_row(self, hall_id: str) -> None:
        """Make a hall's row the current one."""
        row = self._rows.get(hall_id)
        if row is not None:
            self.tree.setCurrentItem(row)

    def _enable_actions(self) -> None:
        current = self.current_hall_id() is not None
        for action in (self.duplicate_action, self.rename_action):
            action.setEnabled(current)
        self.delete_action.setEnabled(current and len(self.document.design.halls) > 1)

    def add_hall(self, width_m: float, depth_m: float, name: str = "") -> str | None:
        """Add a rectangular hall (one undo step), list it and show it on the plan; its id
        (None when the size is refused: the message says why)."""
        try:
            cmd = new_hall(self.document.design, width_m, depth_m, name)
        except ValueError as exc:
            self.message.emit(str(exc))
            return None
        self.document.push(cmd)
        hall = cmd.hall
        self._after_hall_edit(hall.id)
        self.message.emit(f"Added {hall.name}: {width_m:g} × {depth_m:g} m")
        return hall.id

    def add_hall_interactive(self) -> None:
        """Ask for the new hall's name, width and depth, then add it."""
        dialog = HallSizeDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_hall(*dialog.values())

    def duplicate_hall(self, hall_id: str) -> str | None:
        """Copy a hall with everything in it (one undo step); the copy's id."""
        design = self.document.design
        before = set(design.hall_ids())
        self.document.push(duplicate_hall(design, hall_id))
        new_id = next(h for h in design.hall_ids() if h not in before)
        self._after_hall_edit(new_id)
        self.message.emit(f"Duplicated {design.hall(hall_id).name} as {design.hall(new_id).name}")
        return new_id

    def duplicate_current(self) -> None:
        hall_id = self.current_hall_id()
        if hall_id is not None:
            self.duplicate_hall(hall_id)

    def delete_hall(self, hall_id: str) -> bool:
        """Delete a hall and everything in it (one undo step); not the last hall."""
        design = self.document.design
        if len(design.halls) <= 1:
            self.message.emit("A design needs at least one hall; the last one was kept.")
            return False
        hall = design.hall(hall_id)
        t = design.equipment
        code = t.halls.codes.get(hall_id)
        n = int((t.hall_code == code).sum()) if code is not None else 0
        self.document.push(RemoveHall(hall_id, f"Delete {hall.name}"))
        self.refresh()
        self.message.emit(f"Deleted {hall.name} and its {n:,} item{'s' if n != 1 else ''} (Undo brings them back)")
        return True

    def delete_current(self) -> None:
        hall_id = self.current_hall_id()
        if hall_id is not None:
            self.delete_hall(hall_id)

    def rename_hall(self, hall_id: str, name: str) -> bool:
        """Rename a hall (one undo step); an empty name is refused."""
        hall = self.document.design.hall(hall_id)
        name = name.strip()
        if not name:
            self.message.emit("A hall needs a name; the old name was kept.")
            self.refresh()
            return False
        if name != hall.name:
            old = hall.name
            self.document.push(SetHall(hall_id, {"name": name}, "Rename hall"))
            self.message.emit(f"Renamed {old} to {name}")
        return True

    def rename_current(self) -> None:
        """Edit the current hall's name in place."""
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, 0)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        hall_id = item.data(0, Qt.ItemDataRole.UserRole)
        if hall_id in self.document.design.hall_ids():
            self.rename_hall(hall_id, item.text(0))
            self.refresh()

    def _after_hall_edit(self, hall_id: str) -> None:
        """List a hall just added and show it."""
        self.refresh()
        self.select_hall_row(hall_id)
        self.zoom_to_hall(hall_id)

    def _on_tree_menu(self, pos) -> None:
        menu = self.menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def menu_at(self, pos) -> QMenu:
        """The context menu of a point of the list (not shown: the caller pops it up)."""
        item = self.tree.itemAt(pos)
        if item is not None:
            self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.setObjectName("hall_list_menu")
        if item is not None:
            hall_id = item.data(0, Qt.ItemDataRole.UserRole)
            menu.addAction("Zoom to Hall", lambda: self.zoom_to_hall(hall_id)).setObjectName("zoom_hall")
            menu.addAction("Hall Properties", lambda: self.hall_activated.emit(hall_id)) \
                .setObjectName("hall_properties")
            menu.addSeparator()
            menu.addAction(self.rename_action)
            menu.addAction(self.duplicate_action)
            menu.addAction(self.delete_action)
            menu.addSeparator()
        menu.addAction(self.add_action)
        return menu


class HallSizeDialog(QDialog):
    """Name, width and depth of a new rectangular hall (metres, or feet with imperial units)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from designer.ui.docks.fields import current_units

        self.setWindowTitle("Add Hall")
        self.setObjectName("hall_size_dialog")
        self.units = current_units()
        f, suffix = self.units.length_factor, self.units.length_suffix
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Hall C (leave empty for the next letter)")
        self.width_spin = self._spin(48.0 * f, MAX_HALL_SIDE_M * f, suffix, "width")
        self.depth_spin = self._spin(30.0 * f, MAX_HALL_SIDE_M * f, suffix, "depth")
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Width (east–west)", self.width_spin)
        form.addRow("Depth (north–south)", self.depth_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(buttons)
        self.width_spin.setFocus()
        self.width_spin.selectAll()

    @staticmethod
    def _spin(value: float, hi: float, suffix: str, name: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(f"hall_{name}")
        spin.setDecimals(2)
        spin.setRange(0.6, hi)  # at least one floor tile
        spin.setSingleStep(0.6)
        spin.setSuffix(suffix)
        spin.setValue(value)
        return spin

    def values(self) -> tuple[float, float, str]:
        """(width m, depth m, name) as typed (lengths converted to metres)."""
        f = self.units.length_factor
        return (round(self.width_spin.value() / f, 3), round(self.depth_spin.value() / f, 3),
                self.name_edit.text().strip())
