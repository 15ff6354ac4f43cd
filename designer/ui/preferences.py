"""Edit ▸ Preferences (the application menu on macOS): units, the snap grid, snapping
and the autosave interval.

Choices are kept by :mod:`designer.ui.settings` and applied at once to the open
window (:func:`apply_preferences`): Apply or OK, no restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
    QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from designer.ui import settings
from designer.ui.docks.fields import FT_PER_M, IMPERIAL, METRIC, Units


@dataclass(frozen=True)
class Preferences:
    """What the dialog edits, in model units (metres, seconds)."""

    imperial: bool
    grid_m: float
    snap: bool
    autosave_s: int

    @classmethod
    def current(cls) -> "Preferences":
        """The preferences as remembered."""
        return cls(settings.imperial_units(), settings.grid_m(), settings.snap_enabled(),
                   settings.autosave_seconds())

    def save(self) -> None:
        """Remember these preferences."""
        settings.set_imperial_units(self.imperial)
        settings.set_grid_m(self.grid_m)
        settings.set_snap_enabled(self.snap)
        settings.set_autosave_seconds(self.autosave_s)

    @property
    def units(self) -> Units:
        return IMPERIAL if self.imperial else METRIC


def apply_preferences(window, prefs: Preferences | None = None) -> None:
    """Show the open window with the remembered (or given, then remembered) preferences:
    units in the Inspector, Metrics and status bar, the snap grid, snapping, autosave."""
    if prefs is None:
        prefs = Preferences.current()
    else:
        prefs.save()
    editor = window.editor
    editor.snapper.grid_m = prefs.grid_m
    if editor.actions.snap_action.isChecked() != prefs.snap:
        editor.actions.snap_action.setChecked(prefs.snap)  # the editor says so in the status bar
    window.autosaver.timer.setInterval(1000 * prefs.autosave_s)
    window.set_units(prefs.units)


class PreferencesDialog(QDialog):
    """Units, grid, snapping and autosave; OK and Apply apply them to ``window`` at once."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("preferences_dialog")
        self.setWindowTitle("Preferences")
        self.window_ = window
        prefs = Preferences.current()

        self.metric_radio = QRadioButton("Metric (m, kg/m², kW, L/min, m³/h)")
        self.metric_radio.setObjectName("prefs_metric")
        self.imperial_radio = QRadioButton("Imperial (ft, lb/ft², kW, US gal/min, CFM)")
        self.imperial_radio.setObjectName("prefs_imperial")
        group = QButtonGroup(self)
        group.addButton(self.metric_radio)
        group.addButton(self.imperial_radio)
        (self.imperial_radio if prefs.imperial else self.metric_radio).setChecked(True)
        units_box = QVBoxLayout()
        units_box.setContentsMargins(0, 0, 0, 0)
        units_box.addWidget(self.metric_radio)
        units_box.addWidget(self.imperial_radio)
        note = QLabel("Used in the Inspector's fields, the Metrics dock and the status bar's coordinates. "
                      "Design files always store metres.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        units_box.addWidget(note)

        self.grid_spin = QDoubleSpinBox()
        self.grid_spin.setObjectName("prefs_grid")
        self.grid_spin.setDecimals(3)
        self.grid_spin.setToolTip("Placing, moving and the arrow keys snap to this grid (a raised floor tile "
                                  "is 0.6 m, 2 ft is 0.6096 m)")
        self._grid_m = prefs.grid_m
        self.snap_check = QCheckBox("Snap to the grid and to neighbouring racks")
        self.snap_check.setObjectName("prefs_snap")
        self.snap_check.setChecked(prefs.snap)
        self.autosave_spin = QSpinBox()
        self.autosave_spin.setObjectName("prefs_autosave")
        self.autosave_spin.setRange(*settings.AUTOSAVE_RANGE_S)
        self.autosave_spin.setSingleStep(10)
        self.autosave_spin.setSuffix(" s")
        self.autosave_spin.setValue(min(max(prefs.autosave_s, settings.AUTOSAVE_RANGE_S[0]),
                                        settings.AUTOSAVE_RANGE_S[1]))
        self.autosave_spin.setToolTip("Unsaved changes are written this often to the application-data folder, "
                                      "so a crash loses at most this much work")

        form = QFormLayout()
        form.addRow("Units", _wrap(units_box))
        form.addRow("Grid spacing", self.grid_spin)
        form.addRow("", self.snap_check)
        form.addRow("Autosave every", self.autosave_spin)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.metric_radio.toggled.connect(self._show_grid)
        self._show_grid()

    # ------------------------------------------------------------------ fields
    def _factor(self) -> float:
        return FT_PER_M if self.imperial_radio.isChecked() else 1.0

    def _show_grid(self, *_args) -> None:
        """The grid field in the units chosen (its value in metres kept)."""
        f = self._factor()
        lo, hi = settings.GRID_RANGE_M
        blocker = self.grid_spin.blockSignals(True)
        self.grid_spin.setRange(lo * f, hi * f)
        self.grid_spin.setSingleStep(0.1 * f if f == 1.0 else 0.5)
        self.grid_spin.setSuffix(" ft" if f != 1.0 else " m")
        self.grid_spin.setValue(self._grid_m * f)
        self.grid_spin.blockSignals(blocker)

    def chosen(self) -> Preferences:
        """The preferences as the dialog shows them (model units)."""
        grid_m = self.grid_spin.value() / self._factor()
        if abs(grid_m - self._grid_m) * self._factor() < 0.5 * 10 ** -self.grid_spin.decimals():
            grid_m = self._grid_m  # unchanged: keep it exact (0.6 m shown as 1.969 ft)
        lo, hi = settings.GRID_RANGE_M
        return Preferences(self.imperial_radio.isChecked(), min(max(grid_m, lo), hi), self.snap_check.isChecked(),
                           self.autosave_spin.value())

    def restore_defaults(self) -> None:
        self.metric_radio.setChecked(True)
        self._grid_m = settings.DEFAULT_GRID_M
        self._show_grid()
        self.snap_check.setChecked(True)
        self.autosave_spin.setValue(settings.DEFAULT_AUTOSAVE_S)

    # ------------------------------------------------------------------ buttons
    def apply(self) -> None:
        """Remember the choices and apply them to the window now."""
        prefs = self.chosen()
        self._grid_m = prefs.grid_m
        apply_preferences(self.window_, prefs)

    def accept(self) -> None:
        self.apply()
        super().accept()


def _wrap(layout) -> QWidget:
    widget = QWidget()
    widget.setLayout(layout)
    return widget


__all__ = ["Preferences", "PreferencesDialog", "apply_preferences"]
