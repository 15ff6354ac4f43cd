"""The Assumptions dock: every catalog assumption with its value, the catalog default
and its provenance, grouped by equipment under readable names (the raw key and the
sources in the tooltip); edits become the design's overrides (``SetAssumption``),
saved with the file and undoable. Values the catalog refuses are reported, not applied.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QRect, QSize, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QStyle,
    QStyledItemDelegate, QStyleOptionViewItem, QTreeView, QWidget,
)

from designer.catalog.specs import CatalogError, Figure
from designer.io.tables import GLOBAL_GROUPS, field_name
from designer.model import Change
from designer.model.commands import SetAssumption
from designer.ui.docks.context import effective_catalog, one_or_many
from designer.ui.docks.fields import MessageBar, html_text, info_label
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
    "cp_kj_kg_k": "kJ/(kg·K)", "density_kg_l": "kg/L", "optics_w_per_link": "W per link", "switch_radix": "ports",
    "switches": "switches",
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


class _Group:
    """The figures of one piece of equipment (or one design-wide topic)."""

    def __init__(self, owner: str, title: str) -> None:
        self.owner = owner
        self.title = title
        self.rows: list[int] = []   # indices into AssumptionsModel.figures


class AssumptionsModel(QAbstractItemModel):
    """Catalog assumptions (and, on request, the published figures) with the design's
    overrides, grouped by equipment: a group row per type (or design-wide topic), a row
    per figure under it with a readable name. Editing a value pushes ``SetAssumption``;
    invalid values are refused."""

    COLUMNS = ("Assumption", "Value", "Catalog", "Source / reason")
    KEY, VALUE, DEFAULT, SOURCE = range(4)
    refused = Signal(str)
    KEY_ROLE = Qt.ItemDataRole.UserRole + 1
    #: Text a filter matches besides what is shown (raw key, equipment, reason).
    SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
    _GROUP_ID = 0

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.include_published = False
        self.figures: list[Figure] = []
        self.groups: list[_Group] = []
        self._where: list[tuple[int, int]] = []   # figure index → (group, row in group)
        self._owner_names: dict[str, str] = {}
        self._owner_kinds: dict[str, str] = {}
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
        self._owner_kinds = {k: s.kind for k, s in catalog.types.items()}
        if [f.key for f in figures] == [f.key for f in self.figures]:
            self.figures = figures
            for g, group in enumerate(self.groups):
                if group.rows:
                    self.dataChanged.emit(self.index(0, 0, self._group_index(g)),
                                          self.index(len(group.rows) - 1, len(self.COLUMNS) - 1,
                                                     self._group_index(g)))
        else:
            self.beginResetModel()
            self.figures = figures
            self._group_figures()
            self.endResetModel()

    def _group_figures(self) -> None:
        groups: dict[str, _Group] = {}
        self._where = []
        for i, fig in enumerate(self.figures):
            owner = self.owner_of(fig)
            group = groups.get(owner)
            if group is None:
                group = groups[owner] = _Group(owner, self.owner_name(fig))
            self._where.append((list(groups).index(owner), len(group.rows)))
            group.rows.append(i)
        self.groups = list(groups.values())

    def set_include_published(self, include: bool) -> None:
        self.include_published = include
        self.reload()

    def row_of(self, key: str) -> int:
        """The figure's position in :attr:`figures` (-1 when not listed)."""
        for i, f in enumerate(self.figures):
            if f.key == key:
                return i
        return -1

    def index_of(self, key: str, column: int = 0) -> QModelIndex:
        """The model index of a figure's cell (invalid when not listed)."""
        i = self.row_of(key)
        if i < 0:
            return QModelIndex()
        g, r = self._where[i]
        return self.index(r, column, self._group_index(g))

    @staticmethod
    def owner_of(fig: Figure) -> str:
        return fig.key.rpartition(".")[0]

    def owner_name(self, fig: Figure) -> str:
        owner = self.owner_of(fig)
        name = self._owner_names.get(owner)
        if name is not None:
            return name
        return GLOBAL_GROUPS.get(owner, f"{owner.replace('_', ' ').capitalize()} (design-wide)")

    def figure_name(self, fig: Figure) -> str:
        """The figure in words ("Racks per UltraServer")."""
        return field_name(fig.field, self._owner_kinds.get(self.owner_of(fig), ""))

    def figure_at(self, index: QModelIndex) -> Figure | None:
        """The figure of a row (None for a group row)."""
        if not index.isValid() or index.internalId() == self._GROUP_ID:
            return None
        group = self.groups[index.internalId() - 1]
        return self.figures[group.rows[index.row()]]

    # ------------------------------------------------------------------ Qt model
    def _group_index(self, g: int, column: int = 0) -> QModelIndex:
        return self.createIndex(g, column, self._GROUP_ID)

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(self.COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self._group_index(row, column) if row < len(self.groups) else QModelIndex()
        if parent.internalId() != self._GROUP_ID:
            return QModelIndex()
        g = parent.row()
        if row >= len(self.groups[g].rows):
            return QModelIndex()
        return self.createIndex(row, column, g + 1)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == self._GROUP_ID:
            return QModelIndex()
        return self._group_index(index.internalId() - 1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == self._GROUP_ID and parent.column() == 0:
            return len(self.groups[parent.row()].rows)
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.VALUE and self.figure_at(index) is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def _group_data(self, group: _Group, col: int, role):
        if role == Qt.ItemDataRole.DisplayRole and col == self.KEY:
            n = sum(1 for i in group.rows if self.figures[i].overridden)
            return group.title + (f"  ({n} overridden)" if n else "")
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{html_text(group.title)} (<code>{html_text(group.owner)}</code>): {len(group.rows)} figures"
        if role == self.SEARCH_ROLE:
            return f"{group.title} {group.owner}"
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = index.column()
        fig = self.figure_at(index)
        if fig is None:
            return self._group_data(self.groups[index.row()], col, role)
        unit = unit_of(fig.field)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.KEY:
                return self.figure_name(fig)
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
            lines = [f"<b>{html_text(self.figure_name(fig))}</b> — {html_text(self.owner_name(fig))}",
                     f"Key: <code>{fig.key}</code>",
                     f"Value: {format_value(fig.value)} {unit}",
                     f"Catalog: {format_value(fig.catalog_value)} {unit}"
                     + (" (overridden in this design)" if fig.overridden else "")]
            if fig.is_assumption:
                lines.append(f"Assumption: {html_text(fig.assumption or '')}")
            else:
                lines.append("Published figure")
            for sid in fig.sources:
                lines.append(f"{sid}: {html_text(self.document.catalog.sources.get(sid, ''))}")
            if fig.note:
                lines.append(html_text(fig.note))
            return "<br>".join(lines)
        elif role == self.KEY_ROLE:
            return fig.key
        elif role == self.SEARCH_ROLE:
            return f"{fig.key} {self.figure_name(fig)} {self.owner_name(fig)} {fig.assumption or ''}"
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 (Qt API)
        if not index.isValid() or index.column() != self.VALUE or role != Qt.ItemDataRole.EditRole:
            return False
        fig = self.figure_at(index)
        return fig is not None and self.set_value(fig.key, value)

    def label_of(self, key: str) -> str:
        """An assumption in words for the undo history and the status bar:
        "Trn3 Gen2 UltraServer rack: IT power"."""
        try:
            fig = effective_catalog(self.document).figure(key)
        except (KeyError, CatalogError):
            return key
        return f"{self.owner_name(fig)}: {self.figure_name(fig)}"

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
                self.document.push(SetAssumption(key, None, f"Reset {self.label_of(key)}"))
            return True
        if current != new:
            unit = unit_of(checked.field)
            self.document.push(SetAssumption(key, new, f"Set {self.label_of(key)} to {format_value(new)} {unit}".strip()))
        return True

    def reset(self, keys: list[str]) -> None:
        """Restore the catalog values of ``keys`` (one undo step)."""
        keys = [k for k in keys if k in self.document.design.assumptions]
        if not keys:
            return
        label = f"Reset {self.label_of(keys[0])}" if len(keys) == 1 else f"Reset {len(keys)} assumptions"
        self.document.push(one_or_many([SetAssumption(k, None, label) for k in keys], label))


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column's width (a tree view asks its
    delegate for a size without the width, so text would be cut instead)."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802 (Qt API)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        header = self.view.header()
        width = header.sectionSize(index.column())
        if index.column() == 0:
            if self.view.isFirstColumnSpanned(index.row(), index.parent()):
                width = header.length()
            depth, parent = 0, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= self.view.indentation() * (depth + 1)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        opt.rect = QRect(0, 0, max(width, 20), 10_000)
        style = self.view.style()
        return style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self.view)


class AssumptionsFilter(QSortFilterProxyModel):
    """Keeps the figures whose name, key, equipment or reason contains the filter text
    (a group whose equipment matches keeps all its figures)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(AssumptionsModel.SEARCH_ROLE)
        self.setFilterKeyColumn(AssumptionsModel.KEY)


class AssumptionsPanel(QWidget):
    """Every catalog assumption with its provenance; edits override it for this design."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = AssumptionsModel(document, self)
        self.proxy = AssumptionsFilter(self)
        self.proxy.setSourceModel(self.model)

        self.message = MessageBar()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("assumptions_filter")
        self.filter_edit.setPlaceholderText("Filter (e.g. power, Trn3, reach)…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.published_check = QCheckBox("Published figures too")
        self.published_check.setObjectName("assumptions_published")
        self.published_check.setToolTip("Also list figures with a published source; they can be overridden as well")
        self.published_check.toggled.connect(self.model.set_include_published)

        self.view = QTreeView()
        self.view.setObjectName("assumptions_table")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(False)
        self.view.setWordWrap(True)  # names and values whole, never cut mid-word
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.setIndentation(14)
        self.view.setItemDelegate(WrappingDelegate(self.view))
        self.view.setColumnHidden(AssumptionsModel.SOURCE, True)  # the source: tooltip and details below
        header = self.view.header()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        fm = self.view.fontMetrics()
        header.setSectionResizeMode(AssumptionsModel.KEY, QHeaderView.ResizeMode.Stretch)
        for column in (AssumptionsModel.VALUE, AssumptionsModel.DEFAULT):  # a list of lengths wraps
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, fm.horizontalAdvance("1,360 kg/m²") + 24)
        header.setMinimumSectionSize(40)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # rows take the height their wrapped text needs at the columns' new widths
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(0)
        self._relayout_timer.timeout.connect(self.view.doItemsLayout)
        header.sectionResized.connect(lambda *_: self._relayout_timer.start())
        self.model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

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
        index = self.model.index_of(key, AssumptionsModel.VALUE)
        return index.data() if index.isValid() else ""

    def select_key(self, key: str) -> None:
        """Make an assumption's row current (and visible)."""
        source = self.model.index_of(key, AssumptionsModel.VALUE)
        if not source.isValid():
            return
        index = self.proxy.mapFromSource(source)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    # ------------------------------------------------------------------ slots
    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._on_model_reset()

    def _on_model_reset(self) -> None:
        """Every group open, its title across the whole row."""
        for row in range(self.proxy.rowCount()):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
        self.view.expandAll()

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
        keys = [self.proxy.mapToSource(i).data(AssumptionsModel.KEY_ROLE) for i in rows]
        return [k for k in keys if k]

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
        fig = self.model.figure_at(self.proxy.mapToSource(current))
        if fig is None:
            self.details.setText("<span style='color:#666'>Double-click a value to override it for this design."
                                 "</span>")
            return
        unit = unit_of(fig.field)
        why = html_text(fig.assumption) if fig.is_assumption else "published figure"
        cited = "; ".join(f"{sid}: {html_text(self.document.catalog.sources.get(sid, ''))}" for sid in fig.sources)
        self.details.setText(
            f"<b>{html_text(self.model.figure_name(fig))}</b> · {html_text(self.model.owner_name(fig))}"
            f" <span style='color:#666'>({fig.key})</span><br>"
            f"{format_value(fig.value)} {unit} (catalog {format_value(fig.catalog_value)} {unit}) — {why}"
            + (f"<br><span style='color:#666'>{cited}</span>" if cited else ""))

    def _on_reset_clicked(self) -> None:
        self.model.reset(self._selected_keys())

    def _on_reset_all_clicked(self) -> None:
        self.model.reset(list(self.document.design.assumptions))
