"""The Assumptions dock: every catalog assumption with its value, the catalog default
and its provenance; edits become the design's overrides (``SetAssumption``), saved
with the file and undoable. Values the catalog refuses are reported, not applied.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QWidget,
)

from designer.catalog.specs import CatalogError, Figure
from designer.model import Change
from designer.model.commands import SetAssumption
from designer.ui.docks.context import effective_catalog, one_or_many
from designer.ui.docks.fields import MessageBar, html_text, info_label
from designer.ui.docks.table_model import RowsModel
from designer.ui.document import Document
from designer.ui.widgets import column_layout, drawn_icon

#: An overridden value (and its mark).
OVERRIDE_COLOR = QColor("#1f5fbf")
#: Unit of a figure by its field name (or its suffix).
_UNITS_BY_FIELD = {
    "racks_per_system": "racks", "chips": "chips", "ports": "ports", "liquid_fraction": "share",
    "power_factor": "", "continuous_load_factor": "share", "slack_factor": "×", "pue_liquid": "",
    "pue_air": "", "cost_per_link": "rel.", "cost_per_m": "rel./m", "amps": "A",
    "transceivers_per_link": "per link", "length_steps_m": "m",
}
_UNITS_BY_SUFFIX = (("_ns_per_m", "ns/m"), ("_kw", "kW"), ("_kg", "kg"), ("_m", "m"), ("_k", "K"),
                    ("_gbps", "Gb/s"), ("_tflops", "TFLOPS"), ("_gib", "GiB"), ("_tbps", "TB/s"),
                    ("_ns", "ns"), ("_v", "V"))


def unit_of(field: str) -> str:
    """The unit a figure's value is given in (from its field name)."""
    if field in _UNITS_BY_FIELD:
        return _UNITS_BY_FIELD[field]
    for suffix, unit in _UNITS_BY_SUFFIX:
        if field.endswith(suffix):
            return unit
    return ""


def format_value(value) -> str:
    """A figure value as text: ``85``, ``0.85``, ``0.5, 1, 1.5``."""
    if isinstance(value, (tuple, list)):
        return ", ".join(f"{v:g}" for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_value(text: str):
    """Typed text → a number or a list of numbers (as typed; the catalog validates).
    Text that is no number comes back as it is, for the catalog to refuse by name."""
    text = str(text).strip()
    try:
        return int(text)  # "-3" is refused as "got -3", not "got -3.0"
    except ValueError:
        pass
    if "," in text or ";" in text:
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        try:
            return [float(p) for p in parts]
        except ValueError:
            return text
    try:
        return float(text)
    except ValueError:
        return text


def _dot_icon(color: QColor, size: int = 10) -> QIcon:
    def paint(p: QPainter) -> None:
        p.setBrush(color)
        p.drawEllipse(1, 1, size - 2, size - 2)

    return drawn_icon(size, paint)


class AssumptionsModel(RowsModel):
    """Catalog assumptions (and, on request, the published figures) with the design's
    overrides. Editing a value pushes ``SetAssumption``; invalid values are refused."""

    COLUMNS = ("Assumption", "Value", "Catalog", "Source / reason")
    KEY, VALUE, DEFAULT, SOURCE = range(4)
    refused = Signal(str)
    KEY_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.include_published = False
        self.figures: list[Figure] = []
        self._owner_names: dict[str, str] = {}
        self._override_icon = _dot_icon(OVERRIDE_COLOR)
        self._bold = QFont()
        self._bold.setBold(True)
        self.reload()

    # ------------------------------------------------------------------ content
    def reload(self) -> None:
        """Re-read the design's overrides (rows kept in place when the list is the same)."""
        catalog = effective_catalog(self.document)
        overrides = self.document.design.assumptions
        figures = [f for f in catalog.figures()
                   if f.is_assumption or self.include_published or f.key in overrides]
        self._owner_names = {**{k: s.name for k, s in catalog.types.items()},
                             **{k: s.name for k, s in catalog.media.items()}}
        if [f.key for f in figures] == [f.key for f in self.figures]:
            self.figures = figures
            if figures:
                self.dataChanged.emit(self.index(0, 0), self.index(len(figures) - 1, len(self.COLUMNS) - 1))
        else:
            self.beginResetModel()
            self.figures = figures
            self.endResetModel()

    def set_include_published(self, include: bool) -> None:
        self.include_published = include
        self.reload()

    def row_of(self, key: str) -> int:
        for i, f in enumerate(self.figures):
            if f.key == key:
                return i
        return -1

    def owner_name(self, fig: Figure) -> str:
        owner = fig.key.rpartition(".")[0]
        return self._owner_names.get(owner, f"design-wide ({owner})")

    # ------------------------------------------------------------------ Qt model
    def entries(self) -> list:
        """The figures listed, in model order."""
        return self.figures

    def flags(self, index: QModelIndex):
        base = super().flags(index)
        if index.column() == self.VALUE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        fig = self.figures[index.row()]
        col = index.column()
        unit = unit_of(fig.field)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.KEY:
                return fig.key
            if col == self.VALUE:
                return f"{format_value(fig.value)} {unit}".strip()
            if col == self.DEFAULT:
                return f"{format_value(fig.catalog_value)} {unit}".strip()
            if col == self.SOURCE:
                return fig.provenance() if fig.is_assumption else f"published: {' '.join(fig.sources)}"
        elif role == Qt.ItemDataRole.EditRole and col == self.VALUE:
            return format_value(fig.value)
        elif role == Qt.ItemDataRole.DecorationRole and col == self.KEY and fig.overridden:
            return self._override_icon
        elif role == Qt.ItemDataRole.FontRole and col in (self.KEY, self.VALUE) and fig.overridden:
            return self._bold
        elif role == Qt.ItemDataRole.ForegroundRole:
            if col == self.VALUE and fig.overridden:
                return OVERRIDE_COLOR
            if col in (self.DEFAULT, self.SOURCE):
                return QColor("#666666")
        elif role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"<b>{fig.key}</b> — {html_text(self.owner_name(fig))}",
                     f"Value: {format_value(fig.value)} {unit}",
                     f"Catalog: {format_value(fig.catalog_value)} {unit}"
                     + (" (overridden in this design)" if fig.overridden else "")]
            if fig.is_assumption:
                lines.append(f"Assumption: {html_text(fig.assumption or '')}")
            for sid in fig.sources:
                lines.append(f"{sid}: {html_text(self.document.catalog.sources.get(sid, ''))}")
            if fig.note:
                lines.append(html_text(fig.note))
            return "<br>".join(lines)
        elif role == self.KEY_ROLE:
            return fig.key
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 (Qt API)
        if not index.isValid() or index.column() != self.VALUE or role != Qt.ItemDataRole.EditRole:
            return False
        return self.set_value(self.figures[index.row()].key, value)

    def set_value(self, key: str, value) -> bool:
        """Override ``key`` with ``value`` (text or number) as one undo step; False and
        :attr:`refused` if the catalog does not accept it."""
        raw = parse_value(value) if isinstance(value, str) else value
        try:
            checked = self.document.catalog.with_overrides({key: raw}).figure(key)
        except CatalogError as exc:
            self.refused.emit(f"{exc} — not applied.")
            return False
        except KeyError:
            self.refused.emit(f"assumptions.{key}: unknown assumption key — not applied.")
            return False
        new = list(checked.value) if isinstance(checked.value, tuple) else checked.value
        design = self.document.design
        current = design.assumptions.get(key)
        if isinstance(current, tuple):
            current = list(current)
        if new == (list(checked.catalog_value) if isinstance(checked.catalog_value, tuple) else checked.catalog_value):
            if key in design.assumptions:
                self.document.push(SetAssumption(key, None, f"Reset {key}"))
            return True
        if current != new:
            self.document.push(SetAssumption(key, new, f"Set {key} = {format_value(new)}"))
        return True

    def reset(self, keys: list[str]) -> None:
        """Restore the catalog values of ``keys`` (one undo step)."""
        keys = [k for k in keys if k in self.document.design.assumptions]
        if not keys:
            return
        label = f"Reset {keys[0]}" if len(keys) == 1 else f"Reset {len(keys)} assumptions"
        self.document.push(one_or_many([SetAssumption(k, None, label) for k in keys], label))


class AssumptionsPanel(QWidget):
    """Every catalog assumption with its provenance; edits override it for this design."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = AssumptionsModel(document, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.message = MessageBar()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("assumptions_filter")
        self.filter_edit.setPlaceholderText("Filter (e.g. it_power, trn3, reach)…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.published_check = QCheckBox("Published figures too")
        self.published_check.setObjectName("assumptions_published")
        self.published_check.setToolTip("Also list figures with a published source; they can be overridden as well")
        self.published_check.toggled.connect(self.model.set_include_published)

        self.view = QTableView()
        self.view.setObjectName("assumptions_table")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep both the type and the field of a key
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        fm = self.view.fontMetrics()
        header.resizeSection(AssumptionsModel.KEY, fm.horizontalAdvance("trn3-gen2-rack.it_power_kw") + 30)
        header.resizeSection(AssumptionsModel.VALUE, fm.horizontalAdvance("1360 kg  ") + 16)
        header.resizeSection(AssumptionsModel.DEFAULT, fm.horizontalAdvance("1360 kg  ") + 16)

        self.details = info_label()
        self.details.setObjectName("assumptions_details")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setMinimumHeight(fm.height() * 3)
        self.reset_button = QPushButton("Reset to catalog")
        self.reset_button.setObjectName("assumptions_reset")
        self.reset_button.setToolTip("Restore the catalog value of the selected assumption(s)")
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.reset_all_button = QPushButton("Reset all")
        self.reset_all_button.setObjectName("assumptions_reset_all")
        self.reset_all_button.setToolTip("Restore every assumption this design overrides")
        self.reset_all_button.clicked.connect(self._on_reset_all_clicked)
        self.count_label = QLabel()
        self.count_label.setObjectName("assumptions_count")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.published_check)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.reset_all_button)
        column_layout(self, top, self.message, (self.view, 1), self.details, buttons, margin=6)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self._reload)
        self.model.refused.connect(self.message.show_message)
        self.model.modelReset.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        document.changed.connect(self._on_model_changed)
        document.design_replaced.connect(self._reload)
        self._update_buttons()

    # ------------------------------------------------------------------ API
    def set_value(self, key: str, text) -> bool:
        """Edit an assumption as the table's editor would (text or number)."""
        ok = self.model.set_value(key, text)
        if ok:
            self.message.hide()
        return ok

    def value_text(self, key: str) -> str:
        """The Value cell of an assumption, as shown."""
        row = self.model.row_of(key)
        return self.model.index(row, AssumptionsModel.VALUE).data() if row >= 0 else ""

    def select_key(self, key: str) -> None:
        """Make an assumption's row current (and visible)."""
        row = self.model.row_of(key)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, AssumptionsModel.VALUE))
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    # ------------------------------------------------------------------ slots
    def _on_model_changed(self, change: Change) -> None:
        if change.kind in ("assumptions", "reset"):
            # deferred: the change may arrive from inside the table's own editor commit
            self._reload_timer.start()

    def _reload(self) -> None:
        self.model.reload()
        self._update_buttons()
        self._on_current_changed(self.view.currentIndex(), QModelIndex())

    def _selected_keys(self) -> list[str]:
        rows = self.view.selectionModel().selectedRows()
        return [self.proxy.mapToSource(i).data(AssumptionsModel.KEY_ROLE) for i in rows]

    def _update_buttons(self, *_args) -> None:
        overrides = self.document.design.assumptions
        self.reset_button.setEnabled(any(k in overrides for k in self._selected_keys()))
        self.reset_all_button.setEnabled(bool(overrides))
        n = len(overrides)
        self.count_label.setText(f"{len(self.model.figures):,} figures · {n} overridden" if n
                                 else f"{len(self.model.figures):,} figures · catalog values")

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.setText("<span style='color:#666'>Double-click a value to override it for this design."
                                 "</span>")
            return
        source = self.proxy.mapToSource(current)
        fig = self.model.figures[source.row()]
        unit = unit_of(fig.field)
        why = html_text(fig.assumption) if fig.is_assumption else "published figure"
        cited = "; ".join(f"{sid}: {html_text(self.document.catalog.sources.get(sid, ''))}" for sid in fig.sources)
        self.details.setText(
            f"<b>{fig.key}</b> · {html_text(self.model.owner_name(fig))}<br>"
            f"{format_value(fig.value)} {unit} (catalog {format_value(fig.catalog_value)} {unit}) — {why}"
            + (f"<br><span style='color:#666'>{cited}</span>" if cited else ""))

    def _on_reset_clicked(self) -> None:
        self.model.reset(self._selected_keys())

    def _on_reset_all_clicked(self) -> None:
        self.model.reset(list(self.document.design.assumptions))
