"""The Halls dock: campus navigation.

Campus totals on top (halls, UltraServers, chips, IT load, problems), then one row
per hall with its key totals: UltraServers, IT MW and its violations. Double-click
(or Enter) on a hall zooms the plan to it. Totals follow the evaluations, at most four
times a second during a drag and once after it (not at all while the dock is hidden);
rows are updated in place, never rebuilt unless the halls change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.catalog import Catalog
from designer.model import Design
from designer.ui.widgets import Throttle

ERROR_COLOR = QColor("#c62828")
WARNING_COLOR = QColor("#a86b00")
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


def hall_totals(design: Design, evaluation, catalog: Catalog) -> list[HallTotals]:
    """Per hall, in design order: UltraServers (racks of one system in the hall count
    once), compute racks, IT load (kW) and violations by severity. O(items) numpy."""
    t = design.equipment
    n_codes = len(t.halls.names)
    compute_type = np.array([catalog.types[n].kind == "compute" if n in catalog.types else False
                             for n in t.types.names], bool)
    compute = compute_type[t.type_code] if len(t) else np.zeros(0, bool)
    if evaluation is not None and len(evaluation.it_kw) == len(t):
        it_kw = np.bincount(t.hall_code, np.asarray(evaluation.it_kw, float), minlength=n_codes)
    else:
        it_kw = np.zeros(n_codes)
    racks = np.bincount(t.hall_code[compute], minlength=n_codes)
    in_system = compute & (t.system_code >= 0)
    n_sys = len(t.systems.names) + 1
    pairs = np.unique(t.hall_code[in_system].astype(np.int64) * n_sys + t.system_code[in_system])
    systems = np.bincount(pairs // n_sys, minlength=n_codes)
    severity = Counter()
    for v in (evaluation.violations if evaluation is not None else ()):
        severity[(v.hall, v.severity)] += 1
    out = []
    for hall in design.halls:
        code = t.halls.codes.get(hall.id)
        out.append(HallTotals(
            hall.id, hall.name,
            int(systems[code]) if code is not None else 0,
            int(racks[code]) if code is not None else 0,
            float(it_kw[code]) if code is not None else 0.0,
            float(hall.it_capacity_kw), hall.area(),
            severity[(hall.id, "error")], severity[(hall.id, "warning")]))
    return out


def problems_text(errors: int, warnings: int) -> str:
    """``"2 errors, 1 warning"``, or an en dash when there are none."""
    parts = []
    if errors:
        parts.append(f"{errors:,} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) or "–"


class _HallRow(QTreeWidgetItem):
    """A hall's row; sorts by numbers (column data in ``SORT_ROLE``), not by text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        a, b = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if a is None or b is None:  # not filled in yet (QTreeWidgetItem.__lt__ would call back here)
            return self.text(column) < other.text(column)
        return a < b


class HallListPanel(QWidget):
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

    def _on_evaluation_changed(self, _evaluation=None) -> None:
        # During a drag evaluations arrive every frame: refresh at once when the list
        # is shown and has not been refreshed lately, else once the burst is over
        # (or when it is shown again).
        if not self.isVisible():
            self._stale = True
        else:
            self._throttle.request()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Show the totals of the document's current design and evaluation."""
        self._stale = False
        design = self.document.design
        evaluation = self.document.evaluation
        totals = hall_totals(design, evaluation, self.document.catalog)
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
        values = (h.name, f"{h.ultraservers:,}", f"{h.it_kw / 1000:,.2f}", problems_text(h.errors, h.warnings))
        keys = (index, h.ultraservers, h.it_kw, h.errors * 1_000_000 + h.warnings)
        for c, (text, key) in enumerate(zip(values, keys)):
            if row.text(c) != text:
                row.setText(c, text)
            if row.data(c, SORT_ROLE) != key:
                row.setData(c, SORT_ROLE, key)
        color = ERROR_COLOR if h.errors else WARNING_COLOR if h.warnings else None
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
            problems = problems_text(counts["error"], counts["warning"])
            color = ERROR_COLOR.name() if counts["error"] else WARNING_COLOR.name() if counts["warning"] else "#2e7d32"
            if problems == "–":
                problems = "no problems"
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
