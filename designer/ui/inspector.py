"""The Inspector and the Assumptions panel (right-hand docks).

:class:`Inspector` shows the selection's properties (type, hall, UltraServer,
position, rotation, busway ends) and what the engine says about it (IT power, which
busway / CDU / air handler serves it, its problems). With nothing selected it shows
the design, the hall and the site. Every edit is one undoable command; values the
model cannot take are refused in a message bar and the design is left as it was.

:class:`AssumptionsPanel` lists every catalog assumption with its value, the
catalog default and its provenance; edits become the design's overrides
(``SetAssumption``), saved with the file and undoable.

Lengths and floor ratings follow the ``prefs/units`` preference (metric, or
imperial: feet and lb/ft²); the model always stores SI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy, QStackedWidget, QTableView,
    QToolButton, QVBoxLayout, QWidget,
)

from designer.catalog import Catalog
from designer.catalog.specs import CatalogError, Figure
from designer.engine import Evaluation
from designer.engine.evaluation import STATUS_ERROR, STATUS_WARNING, Violation
from designer.model import Change
from designer.model.commands import (
    POSITION_DECIMALS, Command, Composite, Rename, SetAssumption, SetHall, SetPlacements, SetSite, UpdateItem,
    move_items,
)
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle, set_style_sheet

ERROR_COLOR = "#c0392b"
WARNING_COLOR = "#b7791f"
OK_COLOR = "#2e7d32"
OVERRIDE_COLOR = QColor("#1f5fbf")
#: Problems listed for a selection before "… and N more".
MAX_PROBLEMS_SHOWN = 6
#: Plan coordinates the inspector accepts (metres either side of the origin).
COORDINATE_LIMIT_M = 100_000.0


# ====================================================================== units
@dataclass(frozen=True)
class Units:
    """How lengths and floor ratings are shown (the model always stores metres, kg/m²)."""

    imperial: bool = False

    FT_PER_M = 1.0 / 0.3048
    #: 1 kg/m² = 0.204816 lb/ft² (0.45359237 kg per lb, 0.09290304 m² per ft²).
    LB_FT2_PER_KG_M2 = 0.09290304 / 0.45359237

    @property
    def length_factor(self) -> float:
        return self.FT_PER_M if self.imperial else 1.0

    @property
    def length_suffix(self) -> str:
        return " ft" if self.imperial else " m"

    @property
    def floor_factor(self) -> float:
        return self.LB_FT2_PER_KG_M2 if self.imperial else 1.0

    @property
    def floor_suffix(self) -> str:
        return " lb/ft²" if self.imperial else " kg/m²"

    def area(self, m2: float) -> str:
        if self.imperial:
            return f"{m2 * self.FT_PER_M ** 2:,.0f} ft²"
        return f"{m2:,.1f} m²"

    def length(self, m: float, digits: int = 2) -> str:
        return f"{m * self.length_factor:,.{digits}f}{self.length_suffix}"


def current_units() -> Units:
    """The units preference (``prefs/units`` in the app's settings)."""
    value = QSettings("Designer", "Designer").value("prefs/units", "metric")
    return Units(imperial=str(value).lower() == "imperial")


# ====================================================================== small widgets
class MessageBar(QFrame):
    """An inline message (never a modal dialog): why an input was not applied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setStyleSheet("#message_bar { background: #fdecea; border: 1px solid #e6a19a; border-radius: 3px; }"
                           "#message_bar QLabel { color: #8a1f11; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 2, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        """The message shown ("" when the bar is hidden)."""
        return "" if self.isHidden() else self.label.text()


class MeasureSpinBox(QDoubleSpinBox):
    """A number field in display units that commits once per edit (Enter, focus out or
    a step), in model units, and refuses out-of-range input with a message.

    A value outside the range may be typed (so the user sees what was wrong) and is
    then refused: :attr:`refused` carries the message and the previous value stays.
    The wheel only changes a focused field, so scrolling the inspector edits nothing.
    """

    committed = Signal(float)   # the new value in model units (metres, kg/m², kW …)
    refused = Signal(str)

    def __init__(self, what: str, minimum: float, maximum: float, decimals: int = 2, step: float = 1.0,
                 suffix: str = "", factor: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.factor = factor
        self._model_range = (minimum, maximum)
        self.setDecimals(decimals)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_units(factor, suffix)
        self.valueChanged.connect(self._on_value_changed)

    def set_units(self, factor: float, suffix: str) -> None:
        """Show values multiplied by ``factor`` with ``suffix`` (keeps the model value)."""
        model_value = self.model_value()
        self.factor = factor
        lo, hi = self._model_range
        blocker = self.blockSignals(True)
        self.setSuffix(suffix)
        self.setRange(lo * factor, hi * factor)
        self.setValue(model_value * factor)
        self.blockSignals(blocker)

    def set_model_value(self, value: float) -> None:
        """Show a model value without committing it."""
        shown = round(value * self.factor, self.decimals())
        if self.value() == shown and not self.specialValueText():
            return
        blocker = self.blockSignals(True)
        self.setValue(shown)
        self.blockSignals(blocker)

    def model_value(self) -> float:
        return self.value() / self.factor if self.factor else self.value()

    def _on_value_changed(self, value: float) -> None:
        self.committed.emit(value / self.factor)

    # -------------------------------------------------------------- validation
    def _number(self, text: str) -> float | None:
        core = text
        if self.prefix() and core.startswith(self.prefix()):
            core = core[len(self.prefix()):]
        if self.suffix() and core.endswith(self.suffix()):
            core = core[:-len(self.suffix())]
        core = core.strip().replace(self.locale().groupSeparator(), "")
        value, ok = self.locale().toDouble(core)
        return value if ok and math.isfinite(value) else None

    def validate(self, text: str, pos: int):  # noqa: D102 (Qt API)
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Invalid:
            value = self._number(text)
            if value is not None and not (self.minimum() <= value <= self.maximum()):
                state = QValidator.State.Intermediate  # let it be typed; refused on Enter
            elif value is None and text.replace(self.prefix(), "").replace(self.suffix(), "").strip() in ("-", "+"):
                state = QValidator.State.Intermediate
        return state, text, pos

    def fixup(self, text: str) -> str:  # noqa: D102 (Qt API)
        value = self._number(text)
        if value is not None and not (self.minimum() <= value <= self.maximum()):
            unit = self.suffix().strip()
            lo, hi = self.minimum(), self.maximum()
            self.refused.emit(f"{self.what} must be between {lo:,.{self.decimals()}g} and "
                              f"{hi:,.{self.decimals()}g}{' ' + unit if unit else ''}; "
                              f"{value:,g} was not applied.")
        return super().fixup(text)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class NoWheelComboBox(QComboBox):
    """A combo box the wheel only changes when focused (safe inside a scroll area)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def _info_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
    form.setContentsMargins(8, 6, 8, 6)
    return form


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def _kw(value: float) -> str:
    return f"{value:,.1f} kW" if value < 10_000 else f"{value / 1000:,.2f} MW"


def _set_combo(combo: QComboBox, entries: list[tuple[str, Any]], current: Any, placeholder: str | None) -> None:
    """Fill a combo (text, data) and select ``current``; ``placeholder`` is shown (as an
    entry with no data) when there is no single current value."""
    blocker = combo.blockSignals(True)
    combo.clear()
    if placeholder is not None:
        combo.addItem(placeholder, None)
    for text, data in entries:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(blocker)


def _set_text(edit: QLineEdit, text: str, force: bool = False) -> None:
    """Show a model value, unless the user is typing in the field (or ``force``)."""
    if edit.text() != text and (force or not (edit.hasFocus() and edit.isModified())):
        blocker = edit.blockSignals(True)
        edit.setText(text)
        edit.setModified(False)
        edit.blockSignals(blocker)


# ====================================================================== inspector
class Inspector(QWidget):
    """Properties of the selection, or of the design, hall and site when nothing is selected."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.units = current_units()
        self._evaluation_current = document.evaluation is not None
        self._violations_by_id: dict[str, list[Violation]] | None = None
        self._effective: Catalog | None = None
        self._ids: list[str] = []

        self.message = MessageBar()
        self.title = QLabel()
        self.title.setObjectName("inspector_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("inspector_subtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #5f6368;")

        self.stack = QStackedWidget()
        self.item_page = self._build_item_page()
        self.design_page = self._build_design_page()
        self.stack.addWidget(_scroll(self.item_page))
        self.stack.addWidget(_scroll(self.design_page))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        # edits and evaluations refresh the page at most 10 times a second (a drag sends
        # both on every mouse move); the model's changes wait for the event loop first
        self._throttle = Throttle(TEXT_INTERVAL_MS, self.refresh, self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._throttle.request)

        document.selection_changed.connect(self._on_selection_changed)
        document.changed.connect(self._on_model_changed)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.design_replaced.connect(self._on_design_replaced)
        self.refresh()

    # ------------------------------------------------------------------ building
    def _spin(self, name: str, what: str, lo: float, hi: float, decimals: int, step: float,
              suffix: str, on_commit: Callable[[float], None]) -> MeasureSpinBox:
        spin = MeasureSpinBox(what, lo, hi, decimals, step, suffix)
        spin.setObjectName(name)
        spin.committed.connect(on_commit)
        spin.refused.connect(self.message.show_message)
        return spin

    def _build_item_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)

        box = QGroupBox("Item")
        self.item_form = form = _form(box)
        self.id_label = _info_label()
        self.id_label.setObjectName("inspector_id")
        form.addRow("Id", self.id_label)
        self.count_label = _info_label()
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
        self.members_label = _info_label()
        form.addRow("Its racks", self.members_label)
        column.addWidget(box)

        box = QGroupBox("Position")
        self.position_box = box
        self.position_form = form = _form(box)
        u = self.units
        lim = COORDINATE_LIMIT_M
        self.x_spin = self._spin("inspector_x", "X", -lim, lim, 3, 0.6, u.length_suffix, self._on_x_committed)
        self.y_spin = self._spin("inspector_y", "Y", -lim, lim, 3, 0.6, u.length_suffix, self._on_y_committed)
        self.rotation_spin = self._spin("inspector_rotation", "Rotation", 0.0, 359.9, 1, 90.0, "°",
                                        self._on_rotation_committed)
        self.rotation_spin.setWrapping(True)
        self.rotation_spin.setToolTip("Degrees counter-clockwise; at 0° the front (air intake) faces south.")
        form.addRow("X", self.x_spin)
        form.addRow("Y", self.y_spin)
        form.addRow("Rotation", self.rotation_spin)
        self.start_x_spin = self._spin("inspector_start_x", "Start X", -lim, lim, 3, 0.6, u.length_suffix,
                                       lambda v: self._on_busway_end_committed(0, v))
        self.start_y_spin = self._spin("inspector_start_y", "Start Y", -lim, lim, 3, 0.6, u.length_suffix,
                                       lambda v: self._on_busway_end_committed(1, v))
        self.end_x_spin = self._spin("inspector_end_x", "End X", -lim, lim, 3, 0.6, u.length_suffix,
                                     lambda v: self._on_busway_end_committed(2, v))
        self.end_y_spin = self._spin("inspector_end_y", "End Y", -lim, lim, 3, 0.6, u.length_suffix,
                                     lambda v: self._on_busway_end_committed(3, v))
        form.addRow("Start X", self.start_x_spin)
        form.addRow("Start Y", self.start_y_spin)
        form.addRow("End X", self.end_x_spin)
        form.addRow("End Y", self.end_y_spin)
        self.length_label = _info_label()
        form.addRow("Length", self.length_label)
        column.addWidget(box)

        box = QGroupBox("Evaluation")
        self.eval_form = form = _form(box)
        self.status_label = _info_label()
        self.status_label.setObjectName("inspector_status")
        self.it_label = _info_label()
        self.it_label.setObjectName("inspector_it_kw")
        self.power_label = _info_label()
        self.power_label.setObjectName("inspector_power")
        self.liquid_label = _info_label()
        self.liquid_label.setObjectName("inspector_liquid")
        self.air_label = _info_label()
        self.air_label.setObjectName("inspector_air")
        self.load_label = _info_label()
        self.load_label.setObjectName("inspector_load")
        self.ports_label = _info_label()
        self.ports_label.setObjectName("inspector_ports")
        self.system_state_label = _info_label()
        self.problems_label = _info_label()
        self.problems_label.setObjectName("inspector_problems")
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        for label, widget in (("Status", self.status_label), ("IT power", self.it_label),
                              ("Power", self.power_label), ("Liquid cooling", self.liquid_label),
                              ("Air cooling", self.air_label), ("Load", self.load_label),
                              ("Ports", self.ports_label), ("Compute", self.system_state_label),
                              ("Problems", self.problems_label)):
            form.addRow(label, widget)
        column.addWidget(box)
        column.addStretch(1)
        return page

    def _build_design_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        u = self.units

        box = QGroupBox("Design")
        form = _form(box)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("inspector_design_name")
        self.name_edit.editingFinished.connect(self._on_design_name_edited)
        form.addRow("Name", self.name_edit)
        column.addWidget(box)

        box = QGroupBox("Hall")
        self.hall_form = form = _form(box)
        self.hall_pick = NoWheelComboBox()
        self.hall_pick.setObjectName("inspector_hall_pick")
        self.hall_pick.activated.connect(lambda _i: self.refresh())
        form.addRow("Hall", self.hall_pick)
        self.hall_name_edit = QLineEdit()
        self.hall_name_edit.setObjectName("inspector_hall_name")
        self.hall_name_edit.editingFinished.connect(self._on_hall_name_edited)
        form.addRow("Name", self.hall_name_edit)
        self.floor_spin = self._spin("inspector_floor_rating", "Floor rating", 1.0, 100_000.0, 0, 100.0,
                                     u.floor_suffix, lambda v: self._set_hall(floor_rating_kg_m2=v))
        self.floor_spin.setToolTip("Load the floor carries: a rack's weight over its footprint must stay below it.")
        form.addRow("Floor rating", self.floor_spin)
        self.capacity_spin = self._spin("inspector_it_capacity", "Critical IT capacity", 0.0, 10_000_000.0, 0,
                                        500.0, " kW", lambda v: self._set_hall(it_capacity_kw=v))
        form.addRow("IT capacity", self.capacity_spin)
        tray = QWidget()
        row = QHBoxLayout(tray)
        row.setContentsMargins(0, 0, 0, 0)
        self.tray_default_check = QCheckBox("Design default")
        self.tray_default_check.setObjectName("inspector_tray_default")
        self.tray_default_check.setToolTip("Use the design-wide cable.tray_drop_m assumption")
        self.tray_default_check.toggled.connect(self._on_tray_default_toggled)
        self.tray_spin = self._spin("inspector_tray_drop", "Tray drop", 0.0, 20.0, 2, 0.1, u.length_suffix,
                                    lambda v: self._set_hall(tray_drop_m=v))
        row.addWidget(self.tray_spin, 1)
        row.addWidget(self.tray_default_check)
        form.addRow("Tray drop", tray)
        self.hall_info = _info_label()
        self.hall_info.setObjectName("inspector_hall_info")
        form.addRow("", self.hall_info)
        column.addWidget(box)

        box = QGroupBox("Site")
        form = _form(box)
        self.utility_spin = self._spin("inspector_utility", "Utility capacity", 0.0, 100_000_000.0, 0, 1000.0,
                                       " kW", lambda v: self._set_site(utility_capacity_kw=v))
        form.addRow("Utility feed", self.utility_spin)
        pue = QWidget()
        row = QHBoxLayout(pue)
        row.setContentsMargins(0, 0, 0, 0)
        self.pue_mode_combo = NoWheelComboBox()
        self.pue_mode_combo.setObjectName("inspector_pue_mode")
        self.pue_mode_combo.addItem("Fixed", "fixed")
        self.pue_mode_combo.addItem("Modelled", "modelled")
        self.pue_mode_combo.setToolTip("Modelled: from the partial PUEs of liquid- and air-cooled load")
        self.pue_mode_combo.setMinimumContentsLength(8)
        self.pue_mode_combo.activated.connect(self._on_pue_mode_activated)
        self.pue_spin = self._spin("inspector_pue", "PUE", 1.0, 3.0, 2, 0.01, "", lambda v: self._set_site(pue=v))
        row.addWidget(self.pue_mode_combo)
        row.addWidget(self.pue_spin, 1)
        form.addRow("PUE", pue)
        self.price_spin = self._spin("inspector_price", "Electricity price", 0.0, 10.0, 3, 0.01, "",
                                     lambda v: self._set_site(electricity_price_per_kwh=v))
        form.addRow("Price per kWh", self.price_spin)
        self.co2_spin = self._spin("inspector_co2", "Grid carbon intensity", 0.0, 5.0, 3, 0.01, " kg/kWh",
                                   lambda v: self._set_site(grid_kg_co2_per_kwh=v))
        form.addRow("Grid CO₂", self.co2_spin)
        self.currency_edit = QLineEdit()
        self.currency_edit.setObjectName("inspector_currency")
        self.currency_edit.setMaxLength(8)
        self.currency_edit.setToolTip("ISO 4217 code such as USD, EUR, GBP")
        self.currency_edit.editingFinished.connect(self._on_currency_edited)
        form.addRow("Currency", self.currency_edit)
        self.site_info = _info_label()
        self.site_info.setObjectName("inspector_site_info")
        form.addRow("", self.site_info)
        column.addWidget(box)
        column.addStretch(1)
        return page

    # ------------------------------------------------------------------ helpers
    @property
    def design(self):
        return self.document.design

    def effective_catalog(self) -> Catalog:
        """The catalog with the design's overrides (the base catalog if they are invalid)."""
        if self._effective is None:
            try:
                self._effective = self.document.catalog.with_overrides(self.design.assumptions)
            except CatalogError:
                self._effective = self.document.catalog
        return self._effective

    def _kind(self, type_id: str) -> str:
        spec = self.effective_catalog().types.get(type_id)
        return spec.kind if spec is not None else ""

    def _type_name(self, type_id: str) -> str:
        spec = self.effective_catalog().types.get(type_id)
        return spec.name if spec is not None else f"{type_id} (not in the catalog)"

    def _push(self, command: Command) -> None:
        self.message.hide()
        self.document.push(command)

    def _refuse(self, message: str) -> None:
        self.message.show_message(message)

    def _evaluation(self) -> Evaluation | None:
        ev = self.document.evaluation
        if ev is None or not self._evaluation_current:
            return None
        return ev

    def _violations_of(self, ids: list[str]) -> list[Violation]:
        if self._violations_by_id is None:
            index: dict[str, list[Violation]] = {}
            ev = self.document.evaluation
            for v in (ev.violations if ev is not None else ()):
                for i in v.ids:
                    index.setdefault(i, []).append(v)
            self._violations_by_id = index
        out: dict[int, Violation] = {}
        for i in ids:
            for v in self._violations_by_id.get(i, ()):
                out.setdefault(id(v), v)
        return list(out.values())

    # ------------------------------------------------------------------ signals
    def _on_selection_changed(self, _ids: list) -> None:
        self.message.hide()
        self.refresh()

    def _on_model_changed(self, change: Change) -> None:
        self._evaluation_current = False
        if change.kind in ("assumptions", "reset"):
            self._effective = None
        self._refresh_timer.start()

    def updates_pending(self) -> bool:
        """Whether a refresh for the latest edit or evaluation is still to come."""
        return self._refresh_timer.isActive() or self._throttle.pending()

    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        self._evaluation_current = evaluation is not None
        self._violations_by_id = None
        self._throttle.request()

    def _on_design_replaced(self) -> None:
        self._effective = None
        self.message.hide()
        self.refresh()

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        """Show the current selection (or the design) from the model and the evaluation."""
        self._refresh_timer.stop()
        units = current_units()
        if units != self.units:
            self._apply_units(units)
        t = self.design.equipment
        self._ids = [i for i in self.document.selection if i in t.index]
        if self._ids:
            self.stack.setCurrentIndex(0)
            self._refresh_item_page()
        else:
            self.stack.setCurrentIndex(1)
            self._refresh_design_page()

    def _apply_units(self, units: Units) -> None:
        self.units = units
        for spin in (self.x_spin, self.y_spin, self.start_x_spin, self.start_y_spin, self.end_x_spin,
                     self.end_y_spin, self.tray_spin):
            spin.set_units(units.length_factor, units.length_suffix)
        self.floor_spin.set_units(units.floor_factor, units.floor_suffix)

    def _refresh_item_page(self) -> None:
        design, t, ids = self.design, self.design.equipment, self._ids
        rows = t.rows(ids)
        n = len(rows)
        single = n == 1
        codes, counts = np.unique(t.type_code[rows], return_counts=True)
        type_ids = [t.types[int(c)] for c in codes]
        kinds = {self._kind(tid) for tid in type_ids}
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        busway_rows = ~np.isnan(t.x2[rows])
        all_busways, any_busway = bool(busway_rows.all()), bool(busway_rows.any())

        # -------- title and identity
        if single:
            self.title.setText(ids[0])
            self.subtitle.setText(self._type_name(type_ids[0]))
        else:
            self.title.setText(f"{n:,} items selected")
            parts = sorted(zip(counts.tolist(), type_ids), reverse=True)
            self.subtitle.setText(", ".join(f"{c:,} × {self._type_name(tid)}" for c, tid in parts[:4])
                                  + (f", {len(parts) - 4} more types" if len(parts) > 4 else ""))
        form = self.item_form
        form.setRowVisible(self.id_label, single)
        form.setRowVisible(self.count_label, not single)
        self.id_label.setText(ids[0] if single else "")
        self.count_label.setText(f"{n:,} items")

        catalog = self.effective_catalog()
        if kind:
            entries = [(spec.name, spec.id) for spec in catalog.types.values() if spec.kind == kind]
            if not any(tid == type_ids[0] for _, tid in entries) and len(type_ids) == 1:
                entries.append((self._type_name(type_ids[0]), type_ids[0]))
            _set_combo(self.type_combo, entries, type_ids[0] if len(type_ids) == 1 else None,
                       None if len(type_ids) == 1 else "(several types)")
            self.type_combo.setEnabled(True)
            self.type_combo.setToolTip("Types of the same kind that can take this place")
        else:
            _set_combo(self.type_combo, [], None, "(several kinds)")
            self.type_combo.setEnabled(False)
            self.type_combo.setToolTip("Select items of one kind to change their type")

        hall_codes = np.unique(t.hall_code[rows])
        common_hall = t.halls[int(hall_codes[0])] if len(hall_codes) == 1 else None
        entries = [(f"{h.name} ({h.id})" if h.name != h.id else h.id, h.id) for h in design.halls]
        if common_hall is not None and common_hall not in design.hall_ids():
            entries.append((f"{common_hall} (missing)", common_hall))
        _set_combo(self.hall_combo, entries, common_hall, None if common_hall is not None else "(several halls)")

        compute = kind == "compute"
        form.setRowVisible(self.system_edit, compute)
        form.setRowVisible(self.members_label, compute and single)
        if compute:
            sys_codes = np.unique(t.system_code[rows])
            common_sys = t.systems[int(sys_codes[0])] if len(sys_codes) == 1 and sys_codes[0] >= 0 else ""
            _set_text(self.system_edit, common_sys)
            self.system_edit.setPlaceholderText("(several UltraServers)" if len(sys_codes) > 1 else "")
            if single and common_sys:
                members = design.system_members(common_sys)
                need = catalog.types[type_ids[0]].racks_per_system if type_ids[0] in catalog.types else 0
                listed = ", ".join(members[:6]) + (f" +{len(members) - 6}" if len(members) > 6 else "")
                self.members_label.setText(f"{len(members)} of {need}: {listed}")

        # -------- position
        pform = self.position_form
        floor_pos = not (single and all_busways)
        pform.setRowVisible(self.x_spin, floor_pos)
        pform.setRowVisible(self.y_spin, floor_pos)
        pform.setRowVisible(self.rotation_spin, not any_busway)
        for spin in (self.start_x_spin, self.start_y_spin, self.end_x_spin, self.end_y_spin):
            pform.setRowVisible(spin, not floor_pos)
        pform.setRowVisible(self.length_label, not floor_pos)
        centre_label = "X" if single else "Centre X"
        pform.labelForField(self.x_spin).setText(centre_label)
        pform.labelForField(self.y_spin).setText("Y" if single else "Centre Y")
        self.x_spin.setToolTip("Centre of the footprint" if single else "Centre of the selection; moves them together")
        if floor_pos:
            cx, cy = self._centre(rows)
            self.x_spin.set_model_value(cx)
            self.y_spin.set_model_value(cy)
        else:
            r = int(rows[0])
            self.start_x_spin.set_model_value(float(t.x[r]))
            self.start_y_spin.set_model_value(float(t.y[r]))
            self.end_x_spin.set_model_value(float(t.x2[r]))
            self.end_y_spin.set_model_value(float(t.y2[r]))
            self.length_label.setText(self.units.length(math.hypot(t.x2[r] - t.x[r], t.y2[r] - t.y[r])))
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

        self._refresh_evaluation(rows, single, kind)

    def _centre(self, rows: np.ndarray) -> tuple[float, float]:
        t = self.design.equipment
        if len(rows) == 1:
            return float(t.x[rows[0]]), float(t.y[rows[0]])
        xs = np.concatenate([t.x[rows], t.x2[rows][~np.isnan(t.x2[rows])]])
        ys = np.concatenate([t.y[rows], t.y2[rows][~np.isnan(t.y2[rows])]])
        return (round(float(xs.min() + xs.max()) / 2, POSITION_DECIMALS),
                round(float(ys.min() + ys.max()) / 2, POSITION_DECIMALS))

    def _refresh_evaluation(self, rows: np.ndarray, single: bool, kind: str | None) -> None:
        form = self.eval_form
        labels = (self.status_label, self.it_label, self.power_label, self.liquid_label, self.air_label,
                  self.load_label, self.ports_label, self.system_state_label, self.problems_label)
        ev = self._evaluation()
        t = self.design.equipment
        if ev is None or len(ev.status) != len(t):
            for label in labels:
                form.setRowVisible(label, label is self.status_label)
            self.status_label.setText("Not evaluated" if self.document.evaluation is None else "Evaluating…")
            set_style_sheet(self.status_label, "color: #5f6368;")
            return
        ids = t.ids
        status = ev.status[rows]
        worst = int(status.max(initial=0))
        problems = self._violations_of(self._ids)
        errors = sum(1 for v in problems if v.severity == "error")
        warnings = len(problems) - errors
        if worst >= STATUS_ERROR:
            text, color = "Error", ERROR_COLOR
        elif worst >= STATUS_WARNING:
            text, color = "Warning", WARNING_COLOR
        else:
            text, color = "OK", OK_COLOR
        if not single:
            bad = int((status >= STATUS_ERROR).sum())
            text = f"{bad:,} of {len(rows):,} with errors" if bad else text
        self.status_label.setText(text)
        set_style_sheet(self.status_label, f"color: {color}; font-weight: bold;")

        it = ev.it_kw[rows]
        form.setRowVisible(self.status_label, True)
        form.setRowVisible(self.it_label, kind in ("compute", "network") or bool((it > 0).any()))
        self.it_label.setText(_kw(float(it.sum())) + ("" if single else " in total"))

        consumers = rows[ev.it_kw[rows] > 0]
        form.setRowVisible(self.power_label, len(consumers) > 0)
        form.setRowVisible(self.liquid_label, len(consumers) > 0 and bool((ev.liquid_kw[consumers] > 0).any()))
        form.setRowVisible(self.air_label, len(consumers) > 0 and bool((ev.air_kw[consumers] > 0).any()))
        if len(consumers):
            if single:
                r = int(consumers[0])
                bw = int(ev.served_by_busway[r])
                fed = f"busway {ids[bw]}" if bw >= 0 else "no busway"
                self.power_label.setText(f"Fed by {fed}" if ev.powered[r] else f"Not powered ({fed})")
                cdu, air = int(ev.served_by_cdu[r]), int(ev.served_by_air[r])
                self.liquid_label.setText(
                    f"{_kw(float(ev.liquid_kw[r]))} to CDU {ids[cdu]}" if cdu >= 0
                    else f"{_kw(float(ev.liquid_kw[r]))} not served")
                self.air_label.setText(
                    f"{_kw(float(ev.air_kw[r]))} to air handler {ids[air]}" if air >= 0
                    else f"{_kw(float(ev.air_kw[r]))} not served")
            else:
                n = len(consumers)
                unpowered = int((~ev.powered[consumers]).sum())
                uncooled = int((~ev.cooled[consumers]).sum())
                buses = np.unique(ev.served_by_busway[consumers])
                buses = [ids[b] for b in buses if b >= 0]
                self.power_label.setText(
                    (f"{n - unpowered:,} of {n:,} powered" if unpowered else f"All {n:,} powered")
                    + (f" by {', '.join(buses[:4])}{' …' if len(buses) > 4 else ''}" if buses else ""))
                uncooled_text = f"; {uncooled:,} of {n:,} not cooled" if uncooled else ""
                for label, served, heat, what in (
                        (self.liquid_label, ev.served_by_cdu, ev.liquid_kw, "CDU"),
                        (self.air_label, ev.served_by_air, ev.air_kw, "air handler")):
                    units = [ids[u] for u in np.unique(served[consumers]) if u >= 0]
                    to = (f" to {what}{'s' if len(units) > 1 else ''} {', '.join(units[:3])}"
                          f"{' …' if len(units) > 3 else ''}") if units else ""
                    label.setText(f"{_kw(float(heat[consumers].sum()))}{to}{uncooled_text}")

        show_load = single and kind in ("busway", "cdu", "air-handler")
        form.setRowVisible(self.load_label, show_load)
        if show_load:
            r = int(rows[0])
            load, limit = float(ev.load_kw[r]), float(ev.limit_kw[r])
            pct = f" ({load / limit * 100:.0f} %)" if limit > 0 else ""
            what = "limit" if kind == "busway" else "capacity"
            self.load_label.setText(f"{_kw(load)} of its {_kw(limit)} {what}{pct}")
            self.load_label.setToolTip("A busway carries at most 80 % of its rating continuously"
                                       if kind == "busway" else "Heat served against the unit's capacity")
            set_style_sheet(self.load_label, f"color: {ERROR_COLOR};" if limit and load > limit + 1e-9 else "")

        show_ports = single and kind == "network"
        form.setRowVisible(self.ports_label, show_ports)
        if show_ports:
            r = int(rows[0])
            spec = self.effective_catalog().types.get(t.types[int(t.type_code[r])])
            total = int(spec.get("ports")) if spec is not None else 0
            self.ports_label.setText(f"{int(ev.ports_used[r]):,} of {total:,} used")

        show_system = kind == "compute"
        form.setRowVisible(self.system_state_label, show_system)
        if show_system:
            codes = np.unique(t.system_code[rows])
            codes = codes[codes >= 0]
            eff = ev.system_effective
            good = int(sum(1 for c in codes if c < len(eff) and eff[c]))
            if len(codes) == 1:
                self.system_state_label.setText("UltraServer delivers its compute" if good
                                                else "UltraServer is stranded (not counted as effective)")
            else:
                self.system_state_label.setText(f"{good:,} of {len(codes):,} UltraServers effective")

        form.setRowVisible(self.problems_label, True)
        if not problems:
            self.problems_label.setText("None")
        else:
            lines = []
            for v in problems[:MAX_PROBLEMS_SHOWN]:
                color = ERROR_COLOR if v.severity == "error" else WARNING_COLOR
                lines.append(f"<span style='color:{color}'>●</span> <b>{v.kind}</b>: {_html(v.message)}")
            more = len(problems) - MAX_PROBLEMS_SHOWN
            if more > 0:
                lines.append(f"… and {more:,} more (see Problems)")
            head = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
            self.problems_label.setText(head + "<br>" + "<br>".join(lines))

    def _refresh_design_page(self) -> None:
        design = self.design
        self.title.setText(design.name)
        self.subtitle.setText("Nothing selected: design, hall and site settings")
        _set_text(self.name_edit, design.name)

        halls = design.halls
        current = self.hall_pick.currentData()
        entries = [(h.name, h.id) for h in halls]
        _set_combo(self.hall_pick, entries, current if current in design.hall_ids() else
                   (halls[0].id if halls else None), None)
        self.hall_form.setRowVisible(self.hall_pick, len(halls) > 1)
        hall = self.current_hall()
        for widget in (self.hall_name_edit, self.floor_spin, self.capacity_spin, self.tray_spin,
                       self.tray_default_check):
            widget.setEnabled(hall is not None)
        ev = self._evaluation()
        if hall is not None:
            _set_text(self.hall_name_edit, hall.name)
            self.floor_spin.set_model_value(hall.floor_rating_kg_m2)
            self.capacity_spin.set_model_value(hall.it_capacity_kw)
            default = hall.tray_drop_m is None
            blocker = self.tray_default_check.blockSignals(True)
            self.tray_default_check.setChecked(default)
            self.tray_default_check.blockSignals(blocker)
            self.tray_spin.setEnabled(not default)
            self.tray_spin.set_model_value(self.effective_catalog().value("cable.tray_drop_m") if default
                                           else hall.tray_drop_m)
            x0, y0, x1, y1 = hall.bounds()
            info = [f"{self.units.length(x1 - x0, 1)} × {self.units.length(y1 - y0, 1)}, "
                    f"{self.units.area(hall.area())}"]
            t = design.equipment
            code = t.halls.codes.get(hall.id)
            if ev is not None and len(ev.it_kw) == len(t) and code is not None:
                load = float(ev.it_kw[t.hall_code == code].sum())
                pct = f" ({load / hall.it_capacity_kw * 100:.0f} %)" if hall.it_capacity_kw > 0 else ""
                info.append(f"IT load {_kw(load)} of {_kw(hall.it_capacity_kw)}{pct}")
            self.hall_info.setText("\n".join(info))
        else:
            self.hall_info.setText("This design has no hall yet.")

        site = design.site
        self.utility_spin.set_model_value(site.utility_capacity_kw)
        modelled = site.pue_modelled
        blocker = self.pue_mode_combo.blockSignals(True)
        self.pue_mode_combo.setCurrentIndex(1 if modelled else 0)
        self.pue_mode_combo.blockSignals(blocker)
        self.pue_spin.setEnabled(not modelled)
        report_pue = ev.totals["power"]["pue"] if ev is not None else None
        self.pue_spin.set_model_value(float(report_pue) if modelled and report_pue else
                                      (float(site.pue) if not modelled else 1.0))
        self.price_spin.setPrefix(f"{site.currency} ")
        self.price_spin.set_model_value(site.electricity_price_per_kwh)
        self.co2_spin.set_model_value(site.grid_kg_co2_per_kwh)
        _set_text(self.currency_edit, site.currency)
        if ev is not None:
            p = ev.totals["power"]
            self.site_info.setText(f"Facility {_kw(p['facility_kw'])} of {_kw(p['utility_capacity_kw'])} feed\n"
                                   f"{p['annual_mwh']:,.0f} MWh/yr · {p['currency']} {p['annual_cost']:,.0f}/yr · "
                                   f"{p['annual_co2_t']:,.0f} t CO₂/yr")
        else:
            self.site_info.setText("")

    def current_hall(self):
        """The hall shown on the design page (the first, or the one picked)."""
        hall_id = self.hall_pick.currentData()
        for hall in self.design.halls:
            if hall.id == hall_id:
                return hall
        return self.design.halls[0] if self.design.halls else None

    # ------------------------------------------------------------------ item edits
    def _on_type_activated(self, index: int) -> None:
        type_id = self.type_combo.itemData(index)
        if type_id is None:
            return
        t = self.design.equipment
        ids = [i for i in self._ids if t.types[int(t.type_code[t.index[i]])] != type_id]
        if ids:
            label = f"Change type to {self._type_name(type_id)}"
            self._push(_one_or_many([UpdateItem(i, {"type": type_id}, label) for i in ids], label))

    def _on_hall_activated(self, index: int) -> None:
        hall_id = self.hall_combo.itemData(index)
        if hall_id is None or hall_id not in self.design.hall_ids():
            return
        t = self.design.equipment
        ids = [i for i in self._ids if t.halls[int(t.hall_code[t.index[i]])] != hall_id]
        if ids:
            label = f"Move to hall {hall_id}"
            self._push(_one_or_many([UpdateItem(i, {"hall": hall_id}, label) for i in ids], label))

    def _on_system_edited(self) -> None:
        text = self.system_edit.text().strip()
        t = self.design.equipment
        current = {t.systems[int(c)] if c >= 0 else "" for c in np.unique(t.system_code[t.rows(self._ids)])}
        if not self.system_edit.isModified() and (text in current or not text):
            return
        self.system_edit.setModified(False)
        if not text:
            if len(current) == 1:
                self._refuse("A compute rack belongs to an UltraServer: give it a system id "
                             "(a new id detaches the rack into its own UltraServer).")
                _set_text(self.system_edit, next(iter(current)), force=True)
            return
        if any(c.isspace() for c in text):
            self._refuse(f"UltraServer ids cannot contain spaces; “{text}” was not applied.")
            return
        ids = [i for i in self._ids if t.get(i).system != text]
        if ids:
            label = f"Assign to UltraServer {text}"
            self._push(_one_or_many([UpdateItem(i, {"system": text}, label) for i in ids], label))

    def _on_x_committed(self, value: float) -> None:
        self._move_to(value, None)

    def _on_y_committed(self, value: float) -> None:
        self._move_to(None, value)

    def _move_to(self, x: float | None, y: float | None) -> None:
        """Put the item (or the selection's centre) at a new x or y: one undo step."""
        ids = self._ids
        if not ids:
            return
        design = self.design
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
        self._push(cmd)

    def _on_rotation_committed(self, value: float) -> None:
        if not self._ids or value < 0:  # still "(several)"
            return
        design = self.design
        cmd = SetPlacements.capture(design, self._ids, "Rotate")
        new = np.full(len(self._ids), round(value % 360.0, 6))
        if np.array_equal(cmd.rotation, new):
            return
        cmd.rotation = new
        self._push(cmd)

    def _on_busway_end_committed(self, which: int, value: float) -> None:
        if len(self._ids) != 1:
            return
        design = self.design
        cmd = SetPlacements.capture(design, self._ids, f"Edit busway {self._ids[0]}")
        coords = [cmd.x, cmd.y, cmd.x2, cmd.y2]
        coords[which] = np.array([round(value, POSITION_DECIMALS)])
        cmd.x, cmd.y, cmd.x2, cmd.y2 = coords
        if cmd.x[0] == cmd.x2[0] and cmd.y[0] == cmd.y2[0]:
            self._refuse("A busway needs two different ends; that edit would make it zero long and was not applied.")
            self.refresh()
            return
        self._push(cmd)

    # ------------------------------------------------------------------ design, hall, site edits
    def _on_design_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if name == self.design.name:
            return
        if not name:
            self._refuse("A design needs a name; the old name was kept.")
            _set_text(self.name_edit, self.design.name, force=True)
            return
        self._push(Rename(name))

    def _on_hall_name_edited(self) -> None:
        hall = self.current_hall()
        if hall is None:
            return
        name = self.hall_name_edit.text().strip()
        if name == hall.name:
            return
        if not name:
            self._refuse("A hall needs a name; the old name was kept.")
            _set_text(self.hall_name_edit, hall.name, force=True)
            return
        self._push(SetHall(hall.id, {"name": name}, "Rename hall"))

    def _set_hall(self, **fields) -> None:
        hall = self.current_hall()
        if hall is None:
            return
        changed = {k: v for k, v in fields.items() if getattr(hall, k) != v}
        if changed:
            self._push(SetHall(hall.id, changed, f"Edit {hall.name}"))

    def _on_tray_default_toggled(self, default: bool) -> None:
        hall = self.current_hall()
        if hall is None:
            return
        self.tray_spin.setEnabled(not default)
        if default:
            self._set_hall(tray_drop_m=None)
        else:
            self._set_hall(tray_drop_m=round(self.tray_spin.model_value(), 3))

    def _set_site(self, **fields) -> None:
        site = self.design.site
        changed = {k: v for k, v in fields.items() if getattr(site, k) != v}
        if changed:
            self._push(SetSite(changed, "Edit site"))

    def _on_pue_mode_activated(self, index: int) -> None:
        mode = self.pue_mode_combo.itemData(index)
        site = self.design.site
        if mode == "modelled" and not site.pue_modelled:
            self._push(SetSite({"pue": "modelled"}, "Model PUE from the cooling mix"))
        elif mode == "fixed" and site.pue_modelled:
            # start from today's modelled value, so facility power does not jump
            self._push(SetSite({"pue": round(max(self.pue_spin.model_value(), 1.0), 2)}, "Fix PUE"))

    def _on_currency_edited(self) -> None:
        code = self.currency_edit.text().strip().upper()
        if code == self.design.site.currency:
            _set_text(self.currency_edit, code, force=True)
            return
        if not code or not code.isalpha():
            self._refuse(f"A currency is a code of letters such as USD or EUR; “{self.currency_edit.text()}” "
                         "was not applied.")
            return
        self._push(SetSite({"currency": code}, "Change currency"))


def _one_or_many(commands: list[Command], label: str) -> Command:
    return commands[0] if len(commands) == 1 else Composite(commands, label)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ====================================================================== assumptions
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
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pix)


class AssumptionsModel(QAbstractTableModel):
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
    def effective_catalog(self) -> Catalog:
        try:
            return self.document.catalog.with_overrides(self.document.design.assumptions)
        except CatalogError:
            return self.document.catalog

    def reload(self) -> None:
        """Re-read the design's overrides (rows kept in place when the list is the same)."""
        catalog = self.effective_catalog()
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
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.figures)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

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
            lines = [f"<b>{fig.key}</b> — {_html(self.owner_name(fig))}",
                     f"Value: {format_value(fig.value)} {unit}",
                     f"Catalog: {format_value(fig.catalog_value)} {unit}"
                     + (" (overridden in this design)" if fig.overridden else "")]
            if fig.is_assumption:
                lines.append(f"Assumption: {_html(fig.assumption or '')}")
            for sid in fig.sources:
                lines.append(f"{sid}: {_html(self.document.catalog.sources.get(sid, ''))}")
            if fig.note:
                lines.append(_html(fig.note))
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
        self.document.push(_one_or_many([SetAssumption(k, None, label) for k in keys], label))


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

        self.details = _info_label()
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)

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
        why = _html(fig.assumption) if fig.is_assumption else "published figure"
        cited = "; ".join(f"{sid}: {_html(self.document.catalog.sources.get(sid, ''))}" for sid in fig.sources)
        self.details.setText(
            f"<b>{fig.key}</b> · {_html(self.model.owner_name(fig))}<br>"
            f"{format_value(fig.value)} {unit} (catalog {format_value(fig.catalog_value)} {unit}) — {why}"
            + (f"<br><span style='color:#666'>{cited}</span>" if cited else ""))

    def _on_reset_clicked(self) -> None:
        self.model.reset(self._selected_keys())

    def _on_reset_all_clicked(self) -> None:
        self.model.reset(list(self.document.design.assumptions))
