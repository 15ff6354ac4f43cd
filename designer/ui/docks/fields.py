"""Field widgets and helpers the Inspector's pages share: units, number fields that
commit once per edit and refuse bad input, an inline message bar, form helpers.

Lengths and floor ratings follow the units preference (metric, or imperial: feet and
lb/ft²); the model always stores SI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QScrollArea,
    QSizePolicy, QWidget,
)

from designer.ui import settings
from designer.ui.widgets import close_button


FT_PER_M = 1.0 / 0.3048
#: 1 kg/m² = 0.204816 lb/ft² (0.45359237 kg per lb, 0.09290304 m² per ft²).
LB_FT2_PER_KG_M2 = 0.09290304 / 0.45359237


@dataclass(frozen=True)
class Units:
    """How lengths and floor ratings are shown (the model always stores metres, kg/m²):
    shown value = model value × factor. Use :data:`METRIC` or :data:`IMPERIAL`."""

    imperial: bool
    length_factor: float
    length_suffix: str
    floor_factor: float
    floor_suffix: str

    def area(self, m2: float) -> str:
        if self.imperial:
            return f"{m2 * FT_PER_M ** 2:,.0f} ft²"
        return f"{m2:,.1f} m²"

    def length(self, m: float, digits: int = 2) -> str:
        return f"{m * self.length_factor:,.{digits}f}{self.length_suffix}"


METRIC = Units(False, 1.0, " m", 1.0, " kg/m²")
IMPERIAL = Units(True, FT_PER_M, " ft", LB_FT2_PER_KG_M2, " lb/ft²")


def current_units() -> Units:
    """The units preference (see :func:`designer.ui.settings.imperial_units`)."""
    return IMPERIAL if settings.imperial_units() else METRIC


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
        close = close_button("Dismiss", self.hide)
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


def info_label() -> QLabel:
    """A read-only, selectable, wrapping value in a form."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def form_layout(box: QGroupBox) -> QFormLayout:
    """A compact label-beside-field form filling ``box``."""
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
    form.setContentsMargins(8, 6, 8, 6)
    return form


def scroll_area(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless, vertically scrolling area (a page of the inspector)."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def kw_text(value: float) -> str:
    """A power: ``85.0 kW``, or ``12.34 MW`` from 10 MW up."""
    return f"{value:,.1f} kW" if value < 10_000 else f"{value / 1000:,.2f} MW"


def kw_pair_text(value: float, of: float) -> tuple[str, str]:
    """Two powers compared in one unit, the one :func:`kw_text` picks for the larger:
    ``("0.70 MW", "20.00 MW")``, never ``704.0 kW of 20.00 MW``."""
    if max(abs(value), abs(of)) < 10_000:
        return f"{value:,.1f} kW", f"{of:,.1f} kW"
    return f"{value / 1000:,.2f} MW", f"{of / 1000:,.2f} MW"


def set_combo(combo: QComboBox, entries: list[tuple[str, Any]], current: Any, placeholder: str | None) -> None:
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


def set_text(edit: QLineEdit, text: str, force: bool = False) -> None:
    """Show a model value, unless the user is typing in the field (or ``force``)."""
    if edit.text() != text and (force or not (edit.hasFocus() and edit.isModified())):
        blocker = edit.blockSignals(True)
        edit.setText(text)
        edit.setModified(False)
        edit.blockSignals(blocker)


def html_text(text: str) -> str:
    """Plain text made safe inside rich text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
