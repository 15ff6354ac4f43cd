"""The Problems dock: every violation of the latest evaluation (and the ``redundancy``
errors of the last resilience check) in a sortable table (click a column's header; ties
keep the engine's order).

The table is a :class:`QTableView` over :class:`ProblemsModel` (strings are built
on demand, so thousands of violations cost one model reset). Filter by severity and
by text; a click selects the offending items, a double-click or Enter also centres
the plan on the problem (switching to its hall).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex, QPointF, QRect, QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QIcon, QKeySequence, QPainter, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QWidget,
)

from designer.engine import Evaluation
from designer.engine.evaluation import Violation
from designer.ui.docks.status import (
    SEVERITY_STATUS, STATUS_COLORS, STATUS_WORDS, problems_text, severity_color, status_of,
)
from designer.ui.docks.table_model import RowsModel
from designer.ui.document import Document
from designer.ui.widgets import column_layout, drawn_icon, set_style_sheet

#: Zoom (pixels per metre) a located problem is shown at, at least.
LOCATE_PIXELS_PER_METRE = 24.0
#: Ids listed in the Items column before "+N more".
MAX_IDS_SHOWN = 4
#: Sort role: a number that orders rows (severity first, then engine order).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role carrying the :class:`Violation` of a row.
VIOLATION_ROLE = Qt.ItemDataRole.UserRole + 2


def severity_icon(severity: str, size: int = 14) -> QIcon:
    """A red disc for errors, an amber triangle for warnings (both with a white '!')."""

    def paint(p: QPainter) -> None:
        p.setBrush(severity_color(severity))
        if severity == "error":
            p.drawEllipse(1, 1, size - 2, size - 2)
        else:
            p.drawPolygon(QPolygonF([QPointF(size / 2, 0.5), QPointF(size - 0.5, size - 1.0),
                                     QPointF(0.5, size - 1.0)]))
        p.setPen(QColor("white"))
        font = p.font()
        font.setBold(True)
        font.setPixelSize(int(size * 0.7))
        p.setFont(font)
        dy = 0 if severity == "error" else 1  # the triangle's centre sits lower
        p.drawText(QRect(0, dy, size, size - dy), Qt.AlignmentFlag.AlignCenter, "!")

    return drawn_icon(size, paint)


def centre_plan_on(plan_view, design, hall_id: str, x: float, y: float) -> bool:
    """Centre a :class:`~designer.ui.plan_view.PlanView` on plan point (x, y) of a hall,
    zooming in to a readable scale if the view is farther out. False if the hall is not shown."""
    if plan_view is None or hall_id not in design.hall_ids():
        return False
    hall_item = next((i for i in plan_view.plan_scene().hall_items if i.hall.id == hall_id), None)
    if hall_item is None:
        return False
    point = hall_item.from_plan(x, y)
    ppm = plan_view.pixels_per_metre()
    if ppm < LOCATE_PIXELS_PER_METRE:
        plan_view.zoom_by(LOCATE_PIXELS_PER_METRE / ppm)
    plan_view.centerOn(point)
    plan_view.pan_by(0, 0)  # the user chose this view: a window resize must not re-fit it
    return True


class ProblemsModel(RowsModel):
    """Violations as rows: severity, kind, message, items, hall."""

    COLUMNS = ("Severity", "Kind", "Problem", "Items", "Hall")
    SEVERITY, KIND, MESSAGE, ITEMS, HALL = range(5)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.violations: list[Violation] = []   # in the shown order
        self._engine_order: list[Violation] = []
        self._sort = (self.SEVERITY, Qt.SortOrder.AscendingOrder)
        self.hall_names: dict[str, str] = {}
        self._icons = {"error": severity_icon("error"), "warning": severity_icon("warning")}

    def set_violations(self, violations: list[Violation], hall_names: dict[str, str]) -> None:
        """Replace the rows, in the current sort order (by default errors first, then
        warnings, each in the engine's order)."""
        self.beginResetModel()
        self._engine_order = list(violations)
        self.hall_names = dict(hall_names)
        self.violations = self._sorted()
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # Qt API
        """Order the rows by a column (ties keep the engine's order). Done here, once per
        click or evaluation, not cell by cell in a proxy: 50,000 rows sort in tens of ms."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self.violations = self._sorted()
        self.layoutChanged.emit()

    def _sorted(self) -> list[Violation]:
        column, order = self._sort
        names = self.hall_names
        keys = {
            self.SEVERITY: lambda v: v.severity != "error",
            self.KIND: lambda v: v.kind,
            self.MESSAGE: lambda v: v.message.lower(),
            self.ITEMS: lambda v: (len(v.ids), v.ids),
            self.HALL: lambda v: names.get(v.hall, v.hall).lower(),
        }
        return sorted(self._engine_order, key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def entries(self) -> list:
        """The violations, in the order shown."""
        return self.violations

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        v = self.violations[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.SEVERITY:
                return STATUS_WORDS[SEVERITY_STATUS[v.severity]]
            if col == self.KIND:
                return v.kind
            if col == self.MESSAGE:
                return v.message
            if col == self.ITEMS:
                shown = ", ".join(v.ids[:MAX_IDS_SHOWN])
                more = len(v.ids) - MAX_IDS_SHOWN
                return f"{shown} +{more} more" if more > 0 else shown
            if col == self.HALL:
                return self.hall_names.get(v.hall, v.hall)
        elif role == Qt.ItemDataRole.DecorationRole and col == self.SEVERITY:
            return self._icons[v.severity]
        elif role == Qt.ItemDataRole.ForegroundRole and col == self.SEVERITY:
            return QBrush(severity_color(v.severity))
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == self.ITEMS:
                return ", ".join(v.ids)
            return f"{v.kind}: {v.message}"
        elif role == SORT_ROLE:
            if col == self.SEVERITY:
                return (0 if v.severity == "error" else 1) * 10_000_000 + index.row()
            if col == self.ITEMS:
                return len(v.ids)
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        elif role == VIOLATION_ROLE:
            return v
        return None

    def counts(self) -> tuple[int, int]:
        """(errors, warnings)."""
        errors = sum(1 for v in self.violations if v.severity == "error")
        return errors, len(self.violations) - errors


class ProblemsFilter(QSortFilterProxyModel):
    """Rows of one severity (or all) whose kind, message, items or hall contain a text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.severity: str | None = None
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, severity: str | None, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.severity, self.text = severity, text.strip().lower()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.severity, self.text = severity, text.strip().lower()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 (Qt API)
        v: Violation = self.sourceModel().violations[row]
        if self.severity is not None and v.severity != self.severity:
            return False
        if not self.text:
            return True
        t = self.text
        return (t in v.kind or t in v.message.lower() or t in v.hall.lower()
                or any(t in i.lower() for i in v.ids))


class ProblemsDock(QWidget):
    """Violations of the latest evaluation; picking one selects and shows its items."""

    #: (errors, warnings) after every evaluation, for the dock title.
    counts_changed = Signal(int, int)

    SEVERITIES = (("All problems", None), ("Errors", "error"), ("Warnings", "warning"))

    def __init__(self, document: Document, plan_view=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.plan_view = plan_view

        self.severity_combo = QComboBox()
        self.severity_combo.setObjectName("problems_severity")
        for text, _ in self.SEVERITIES:
            self.severity_combo.addItem(text)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("problems_filter")
        self.filter_edit.setPlaceholderText("Filter by kind, message or item id…")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("problems_status")

        self.model = ProblemsModel(self)
        self.proxy = ProblemsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setObjectName("problems_table")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ProblemsModel.MESSAGE, QHeaderView.ResizeMode.Stretch)
        fm = self.view.fontMetrics()
        header.resizeSection(ProblemsModel.SEVERITY, fm.horizontalAdvance("Warning") + 44)
        header.resizeSection(ProblemsModel.KIND, fm.horizontalAdvance("incomplete-system") + 20)
        header.resizeSection(ProblemsModel.ITEMS, fm.horizontalAdvance("us12-r1, us12-r2 +12 more") + 12)
        header.resizeSection(ProblemsModel.HALL, fm.horizontalAdvance("Hall A main") + 16)
        # Rows come sorted (errors first, then the engine's order). A header click sorts
        # the model itself; sorting through the proxy would ask for every cell on each
        # evaluation: seconds at 50,000 problems.
        self.view.setSortingEnabled(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(ProblemsModel.SEVERITY, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)

        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self._on_copy_triggered)
        self.view.addAction(copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.severity_combo)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.status_label)
        column_layout(self, bar, (self.view, 1))

        self.severity_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.view.activated.connect(self._on_problem_activated)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_problem_changed)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        # the redundancy errors of the last resilience check join the evaluation's
        document.resilience_changed.connect(lambda _r: self._on_evaluation_changed(document.evaluation))
        self._on_evaluation_changed(document.evaluation)

    # ------------------------------------------------------------------ API
    def violation_at(self, row: int) -> Violation:
        """The violation shown in (filtered, sorted) row ``row``."""
        return self.proxy.index(row, 0).data(VIOLATION_ROLE)

    def row_count(self) -> int:
        """Rows shown after filtering."""
        return self.proxy.rowCount()

    def show_violation(self, violation: Violation, centre: bool = True) -> None:
        """Select the violation's items and, if asked, centre the plan on it."""
        self.document.select(violation.ids)
        if centre and violation.hall:
            centre_plan_on(self.plan_view, self.document.design, violation.hall, violation.x, violation.y)

    # ------------------------------------------------------------------ slots
    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            self.model.set_violations([], {})
            self.status_label.setText("Not evaluated")
            self.counts_changed.emit(0, 0)
            return
        names = {h.id: h.name for h in self.document.design.halls}
        self.model.set_violations(self.document.violations(), names)
        self._update_status()
        self.counts_changed.emit(*self.model.counts())

    def _on_filter_changed(self) -> None:
        severity = self.SEVERITIES[self.severity_combo.currentIndex()][1]
        self.proxy.set_filter(severity, self.filter_edit.text())
        self._update_status()

    def _update_status(self) -> None:
        errors, warnings = self.model.counts()
        text = problems_text(errors, warnings)
        shown = self.proxy.rowCount()
        if shown != errors + warnings:
            text += f"  ({shown:,} shown)"
        self.status_label.setText(text)
        color = STATUS_COLORS[status_of(errors, warnings)]
        set_style_sheet(self.status_label, f"color: {color.name()}; font-weight: bold;")

    def _on_current_problem_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_violation(current.data(VIOLATION_ROLE), centre=False)

    def _on_problem_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_violation(index.data(VIOLATION_ROLE), centre=True)

    def _on_copy_triggered(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        lines = []
        for index in rows:
            v: Violation = index.data(VIOLATION_ROLE)
            lines.append(f"{v.severity}\t{v.kind}\t{v.message}\t{', '.join(v.ids)}\t{v.hall}")
        if lines:
            QGuiApplication.clipboard().setText("\n".join(lines))
