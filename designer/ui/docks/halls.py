"""The Halls dock: campus navigation.

Campus totals on top (halls, UltraServers, chips, IT load, problems), then one row
per hall with its key totals: UltraServers, IT MW and its violations. Double-click
(or Enter) on a hall zooms the plan to it. Totals follow the evaluations, at most four
times a second during a drag and once after it (not at all while the dock is hidden);
rows are updated in place, never rebuilt unless the halls change.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.engine import Evaluation
from designer.model import Design
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.campus_label)
        layout.addWidget(self.tree, 1)
        self._rows: dict[str, _HallRow] = {}
        self._stale = False
        self._throttle = Throttle(int(REFRESH_INTERVAL_S * 1000), self._refresh_if_shown, self)
        self.tree.itemActivated.connect(self._on_hall_item_activated)
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
        if [h.hall_id for h in totals] != list(self._rows):
            self._rebuild_rows(totals)
        for index, h in enumerate(totals):
            self._fill_row(self._rows[h.hall_id], index, h)
        self.tree.setSortingEnabled(sorting)
        self._fill_campus(totals, evaluation)

    def _rebuild_rows(self, totals: list[HallTotals]) -> None:
        # (called with sorting off: see refresh)
        self.tree.clear()
        self._rows = {}
        for h in totals:
            row = _HallRow()
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
