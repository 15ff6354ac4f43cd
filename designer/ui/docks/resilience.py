"""Would the design survive a failure? The Resilience dock, the what-if actions and the
what-if banner above the plan.

The dock lists every single failure the engine tried (every busway, CDU, air handler and
network rack) with its blast radius, worst first; picking one selects the component and
the racks of the UltraServers it would strand. The what-if takes selected components as
failed (:meth:`Document.set_failed`): every view then shows that state, and the banner
says so until the user restores them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QToolButton,
    QWidget,
)

from designer.engine.evaluation import STATUS_ERROR, STATUS_OK, STATUS_WARNING
from designer.engine.resilience import LEVELS, Resilience, SingleFailure
from designer.ui.docks.problems import centre_plan_on
from designer.ui.docks.status import STATUS_COLORS
from designer.ui.docks.table_model import RowsModel
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle, column_layout, set_style_sheet

#: Catalog kinds a what-if can fail (the components every single failure tries).
FAILABLE_KINDS = ("busway", "cdu", "air-handler", "network", "spine")
#: Role carrying the :class:`SingleFailure` of a row.
FAILURE_ROLE = Qt.ItemDataRole.UserRole + 1
#: Failed ids named in the banner before "+N more".
MAX_IDS_SHOWN = 4
MUTED = QColor("#5f6368")
#: Where a power-chain node (no hall) is said to be.
SITE = "Site"
#: The banner: amber, like a warning that the plan does not show the design as built.
BANNER_CSS = ("QFrame#what_if_banner { background: #fff4d6; border-bottom: 1px solid #e0b74a; }"
              "QLabel { color: #4a3500; }")


def plural(n: int, word: str) -> str:
    """``"1 UltraServer"``, ``"4 UltraServers"``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def blast_text(failure: SingleFailure) -> str:
    """``"losing bw3 strands 4 UltraServers (1,450 PFLOPS)"``."""
    return (f"losing {failure.id} strands {plural(failure.stranded_ultraservers, 'UltraServer')} "
            f"({failure.stranded_mxfp8_pflops:,.0f} PFLOPS)")


def verdict_text(resilience: Resilience, what_if: bool = False) -> str:
    """One line: N−1 safe, or the worst single failure. During a what-if (some components
    failed already) it speaks of one more failure."""
    worst = resilience.worst
    if worst is None:
        return ("One more failure: none strands more compute" if what_if
                else "N−1 safe: no single failure strands compute")
    text = blast_text(worst)
    return f"One more failure: {text}" if what_if else text[0].upper() + text[1:]


def unmet_systems(resilience: Resilience) -> set[str]:
    """Systems declared above N whose single failures strand compute."""
    return {f.system for f in resilience.single_failures
            if f.stranded_ultraservers > 0 and resilience.redundancy.get(f.system, "N") != "N"}


def redundancy_text(resilience: Resilience, what_if: bool = False) -> str:
    """``"Declared redundancy: power N+1 (not met) · cooling N · network N"`` (during a
    what-if the levels alone: one more failure is beyond what a level promises)."""
    unmet = unmet_systems(resilience) if not what_if else set()
    parts = [f"{system} {resilience.redundancy.get(system, 'N')}{' (not met)' if system in unmet else ''}"
             for system in LEVELS]
    return "Declared redundancy: " + " · ".join(parts)


def failable_ids(document: Document, ids) -> list[str]:
    """Those of ``ids`` a what-if can fail (busways, CDUs, air handlers, leaf and spine racks)."""
    t = document.design.equipment
    types = document.catalog.types
    out = []
    for i in ids:
        if i in t.index:
            spec = types.get(t.types[int(t.type_code[t.index[i]])])
            if spec is not None and spec.kind in FAILABLE_KINDS:
                out.append(i)
    return out


def stranded_racks(document: Document, failure: SingleFailure) -> list[str]:
    """The racks of the UltraServers a failure strands."""
    t = document.design.equipment
    codes = [t.systems.codes[s] for s in failure.stranded_systems if s in t.systems.codes]
    if not codes:
        return []
    return [t.ids[r] for r in np.flatnonzero(np.isin(t.system_code, codes))]


# ====================================================================== what-if
class WhatIf(QObject):
    """The what-if actions: Fail Selected (adds the selected components to the failed
    set) and Restore All."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.fail_action = QAction("&Fail Selected", self)
        self.fail_action.setObjectName("fail_action")
        self.fail_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.fail_action.setStatusTip("What-if: take the selected busways, CDUs, air handlers and network racks "
                                      "as failed (on the floor, serving nothing)")
        self.fail_action.setToolTip("Take the selected components as failed, to see what they strand")
        self.fail_action.triggered.connect(self.fail_selected)
        self.restore_action = QAction("&Restore All", self)
        self.restore_action.setObjectName("restore_action")
        self.restore_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.restore_action.setStatusTip("End the what-if: every failed component works again")
        self.restore_action.setToolTip("End the what-if: every failed component works again")
        self.restore_action.triggered.connect(document.clear_failed)
        document.selection_changed.connect(self._update_actions)
        document.failed_changed.connect(self._update_actions)
        document.design_replaced.connect(self._update_actions)
        self._update_actions()

    def fail_selected(self) -> None:
        """Add the selected components to the failed set (racks in the selection are left alone)."""
        new = [i for i in failable_ids(self.document, self.document.selection) if i not in self.document.failed_ids]
        if new:
            self.document.set_failed(self.document.failed_ids + tuple(new))

    def _update_actions(self, *_args) -> None:
        doc = self.document
        self.fail_action.setEnabled(any(i not in doc.failed_ids for i in failable_ids(doc, doc.selection)))
        self.restore_action.setEnabled(bool(doc.failed_ids))


class WhatIfBanner(QFrame):
    """Above the plan while a what-if is on: what failed, what it strands, and Restore."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("what_if_banner")
        self.document = document
        self.setStyleSheet(BANNER_CSS)
        self.label = QLabel()
        self.label.setObjectName("what_if_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setObjectName("what_if_restore")
        self.restore_button.setToolTip("End the what-if: every failed component works again")
        self.restore_button.clicked.connect(document.clear_failed)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 5, 8, 5)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore_button)
        self._throttle = Throttle(TEXT_INTERVAL_MS, self.refresh, self)
        document.failed_changed.connect(lambda _ids: self.refresh())
        document.evaluation_changed.connect(lambda _ev: self._throttle.request())
        self.refresh()

    def text(self) -> str:
        """The banner's words (no markup)."""
        return self.label.text().replace("<b>", "").replace("</b>", "")

    def refresh(self) -> None:
        """Show the failed set and what it strands (hidden when nothing is failed)."""
        doc = self.document
        ids = list(doc.failed_ids)
        self.setVisible(bool(ids))
        if not ids:
            return
        more = len(ids) - MAX_IDS_SHOWN
        named = ", ".join(ids[:MAX_IDS_SHOWN]) + (f" +{more} more" if more > 0 else "")
        text = f"<b>What-if:</b> {named} failed"
        ev = doc.evaluation
        if ev is not None:
            th = ev.totals["throughput"]
            stranded = int(th["stranded_ultraservers"])
            lost = th["peak"]["mxfp8_pflops"] - th["effective"]["mxfp8_pflops"]
            text += f" — {plural(stranded, 'UltraServer')} stranded"
            if stranded:
                text += f" ({lost:,.0f} PFLOPS MXFP8)"
            if doc.normal_stranded:
                text += f", {doc.normal_stranded:,} of them without the failure{'s' if len(ids) > 1 else ''}"
            text += "."
        self.label.setText(text)


# ====================================================================== the dock
class FailuresModel(RowsModel):
    """Single failures as rows: component, type, hall, system, UltraServers and PFLOPS stranded."""

    COLUMNS = ("Component", "Type", "Hall", "System", "UltraServers", "PFLOPS MXFP8")
    ID, TYPE, HALL, SYSTEM, STRANDED, PFLOPS = range(6)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.failures: list[SingleFailure] = []   # as shown
        self._engine_order: list[SingleFailure] = []
        self._sort = (self.STRANDED, Qt.SortOrder.DescendingOrder)
        self.only_stranding = False
        self.type_names: dict[str, str] = {}
        self.hall_names: dict[str, str] = {}
        self.unmet: set[str] = set()

    def set_failures(self, failures: list[SingleFailure], type_names: dict[str, str], hall_names: dict[str, str],
                     unmet: set[str]) -> None:
        """Replace the rows (worst first unless another sort was chosen)."""
        self.beginResetModel()
        self._engine_order = list(failures)
        self.type_names, self.hall_names, self.unmet = dict(type_names), dict(hall_names), set(unmet)
        self.failures = self._sorted()
        self.endResetModel()

    def set_only_stranding(self, only: bool) -> None:
        """Show only the failures that strand compute."""
        self.beginResetModel()
        self.only_stranding = only
        self.failures = self._sorted()
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # Qt API
        """Order by a column; ties keep the engine's order (worst first, then by id)."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self.failures = self._sorted()
        self.layoutChanged.emit()

    def _sorted(self) -> list[SingleFailure]:
        column, order = self._sort
        keys = {
            self.ID: lambda f: f.id,
            self.TYPE: lambda f: self.type_names.get(f.type, f.type).lower(),
            self.HALL: lambda f: self.hall_name(f.hall).lower(),
            self.SYSTEM: lambda f: f.system,
            self.STRANDED: lambda f: f.stranded_ultraservers,
            self.PFLOPS: lambda f: f.stranded_mxfp8_pflops,
        }
        rows = [f for f in self._engine_order if f.stranded_ultraservers > 0 or not self.only_stranding]
        return sorted(rows, key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def entries(self) -> list:
        return self.failures

    def hall_name(self, hall_id: str) -> str:
        """A hall's name; a power-chain node (transformer, switchboard, UPS) belongs to the site."""
        return self.hall_names.get(hall_id, hall_id) or SITE

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        f = self.failures[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f.id, self.type_names.get(f.type, f.type), self.hall_name(f.hall), f.system,
                    f"{f.stranded_ultraservers:,}", f"{f.stranded_mxfp8_pflops:,.0f}")[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.STRANDED, self.PFLOPS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if f.stranded_ultraservers == 0:
                return QBrush(MUTED)
            if col in (self.STRANDED, self.PFLOPS):
                # red where the declared redundancy is not met, amber where none was declared
                status = STATUS_ERROR if f.system in self.unmet else STATUS_WARNING
                return QBrush(STATUS_COLORS[status])
        if role == Qt.ItemDataRole.FontRole and col == self.STRANDED and f.stranded_ultraservers:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if not f.stranded_ultraservers:
                return f"Losing {f.id} strands no compute"
            shown = ", ".join(f.stranded_systems[:8]) + (" …" if len(f.stranded_systems) > 8 else "")
            return f"{blast_text(f)[0].upper()}{blast_text(f)[1:]}: {shown}"
        if role == FAILURE_ROLE:
            return f
        return None


class ResilienceDock(QWidget):
    """Every single failure with its blast radius, worst first; the verdict and the
    declared redundancy above them."""

    #: (components tried, those that strand compute) after every check
    counts_changed = Signal(int, int)

    def __init__(self, document: Document, plan_view=None, what_if: WhatIf | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.plan_view = plan_view
        self.verdict_label = QLabel("Not checked yet")
        self.verdict_label.setObjectName("resilience_verdict")
        self.verdict_label.setWordWrap(True)
        self.redundancy_label = QLabel()
        self.redundancy_label.setObjectName("resilience_redundancy")
        self.redundancy_label.setWordWrap(True)
        self.redundancy_label.setToolTip("Set per system in the Inspector (click an empty part of the floor): "
                                         "power N, N+1 or 2N; cooling and network N or N+1")
        self.note_label = QLabel()
        self.note_label.setObjectName("resilience_note")
        self.note_label.setWordWrap(True)
        set_style_sheet(self.note_label, f"color: {MUTED.name()};")
        self.status_label = QLabel()
        self.status_label.setObjectName("resilience_status")
        set_style_sheet(self.status_label, f"color: {MUTED.name()};")
        self.only_check = QCheckBox("Only failures that strand compute")
        self.only_check.setObjectName("resilience_only_stranding")

        self.model = FailuresModel(self)
        self.view = QTableView()
        self.view.setObjectName("resilience_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FailuresModel.TYPE, QHeaderView.ResizeMode.Stretch)
        fm = self.view.fontMetrics()
        for column, sample in ((FailuresModel.ID, "cdu-in-row12"), (FailuresModel.HALL, "Hall A main"),
                               (FailuresModel.SYSTEM, "network"), (FailuresModel.STRANDED, "UltraServers"),
                               (FailuresModel.PFLOPS, "PFLOPS MXFP8")):
            header.resizeSection(column, fm.horizontalAdvance(sample) + 28)
        # rows come worst first; a header click sorts the model itself (as in Problems)
        self.view.setSortingEnabled(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(FailuresModel.STRANDED, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.only_check)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        if what_if is not None:
            for action in (what_if.fail_action, what_if.restore_action):
                button = QToolButton()
                button.setDefaultAction(action)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                bar.addWidget(button)
        column_layout(self, self.verdict_label, self.redundancy_label, self.note_label, bar, (self.view, 1))

        self.only_check.toggled.connect(self.model.set_only_stranding)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.view.activated.connect(self._on_row_activated)
        document.resilience_changed.connect(self._on_resilience_changed)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.failed_changed.connect(lambda _ids: self._show_note())
        self._checking = None
        self._on_resilience_changed(document.resilience)

    # ------------------------------------------------------------------ API
    def row_count(self) -> int:
        """Rows shown."""
        return self.model.rowCount()

    def failure_at(self, row: int) -> SingleFailure:
        """The failure shown in row ``row``."""
        return self.model.failures[row]

    def show_failure(self, failure: SingleFailure, centre: bool = False) -> None:
        """Select the component and the racks of the UltraServers it would strand."""
        doc = self.document
        doc.select([failure.id, *stranded_racks(doc, failure)])
        t = doc.design.equipment
        if centre and failure.id in t.index:
            r = t.index[failure.id]
            x = float(t.x[r] if np.isnan(t.x2[r]) else (t.x[r] + t.x2[r]) / 2)
            y = float(t.y[r] if np.isnan(t.y2[r]) else (t.y[r] + t.y2[r]) / 2)
            centre_plan_on(self.plan_view, doc.design, failure.hall, x, y)

    # ------------------------------------------------------------------ slots
    def _on_resilience_changed(self, resilience: Resilience | None) -> None:
        self._checking = None
        if resilience is None:
            self.model.set_failures([], {}, {}, set())
            self.verdict_label.setText("Not checked yet")
            set_style_sheet(self.verdict_label, "font-weight: bold;")
            self.redundancy_label.setText("")
            self._set_checking(self.document.resilience_pending())
            self._show_note()
            return
        doc = self.document
        types = {tid: spec.name for tid, spec in doc.catalog.types.items()}
        halls = {h.id: h.name for h in doc.design.halls}
        what_if = bool(doc.failed_ids)
        unmet = unmet_systems(resilience) if not what_if else set()
        self.model.set_failures(resilience.single_failures, types, halls, unmet)
        self.verdict_label.setText(verdict_text(resilience, what_if))
        status = STATUS_OK if resilience.n_minus_1_safe else STATUS_ERROR if unmet else STATUS_WARNING
        set_style_sheet(self.verdict_label, f"color: {STATUS_COLORS[status].name()}; font-weight: bold;")
        self.redundancy_label.setText(redundancy_text(resilience, what_if))
        set_style_sheet(self.redundancy_label, f"color: {STATUS_COLORS[STATUS_ERROR].name()};" if unmet else "")
        n = len(resilience.single_failures)
        stranding = sum(1 for f in resilience.single_failures if f.stranded_ultraservers > 0)
        self._set_checking(False)
        self._show_note()
        self.counts_changed.emit(n, stranding)

    def _on_evaluation_changed(self, _evaluation) -> None:
        # the table stays (no flicker while a drag goes on); the status says it is being redone
        self._set_checking(self.document.resilience_pending())

    def _set_checking(self, checking: bool) -> None:
        if checking == self._checking:
            return
        self._checking = checking
        res = self.document.resilience
        if checking:
            self.status_label.setText("Checking every single failure…")
        elif res is None:
            self.status_label.setText("")
        else:
            n = len(res.single_failures)
            stranding = sum(1 for f in res.single_failures if f.stranded_ultraservers > 0)
            self.status_label.setText(f"{plural(n, 'component')} tried · {stranding:,} strand compute")

    def _show_note(self) -> None:
        failed = self.document.failed_ids
        self.note_label.setVisible(bool(failed))
        if failed:
            named = ", ".join(failed[:MAX_IDS_SHOWN]) + (f" +{len(failed) - MAX_IDS_SHOWN} more"
                                                          if len(failed) > MAX_IDS_SHOWN else "")
            self.note_label.setText(f"What-if on ({named} failed): each row is what one more failure would strand.")

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_failure(current.data(FAILURE_ROLE))

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_failure(index.data(FAILURE_ROLE), centre=True)
