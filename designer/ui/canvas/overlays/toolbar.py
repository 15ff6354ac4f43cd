"""The "View" toolbar: the racks' colour mode and a checkable action per overlay."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar, QWidget

from designer.ui.canvas.overlays import OVERLAYS
from designer.ui.canvas.styles import COLOUR_MODE_LABELS, COLOUR_MODES


class ViewToolbar(QToolBar):
    """The "View" toolbar: the colour mode of the racks and a checkable action per overlay."""

    def __init__(self, scene, parent: QWidget | None = None) -> None:
        super().__init__("View", parent)
        self.setObjectName("view_toolbar")
        self.scene = scene
        label = QLabel(" Colour by ")
        self.colour_combo = QComboBox()
        self.colour_combo.setObjectName("colour_mode")
        self.colour_combo.setToolTip("Colour racks by type, by power density (kW per m² of footprint) or by status")
        for mode in COLOUR_MODES:
            self.colour_combo.addItem(COLOUR_MODE_LABELS[mode], mode)
        self.colour_combo.currentIndexChanged.connect(self._on_colour_mode_changed)
        label.setBuddy(self.colour_combo)
        self.addWidget(label)
        self.addWidget(self.colour_combo)
        self.addSeparator()
        self.overlay_actions: dict[str, QAction] = {}
        for kind, (text, tip) in OVERLAYS.items():
            action = QAction(text, self)
            action.setObjectName(f"overlay_{kind}")
            action.setCheckable(True)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.toggled.connect(lambda on, k=kind: self._on_overlay_toggled(k, on))
            self.addAction(action)
            self.overlay_actions[kind] = action

    def overlays_menu(self, parent: QWidget | None = None) -> QMenu:
        """A menu with the same overlay actions (for View ▸ Overlays)."""
        menu = QMenu("&Overlays", parent)
        for action in self.overlay_actions.values():
            menu.addAction(action)
        return menu

    def set_colour_mode(self, mode: str) -> None:
        """Select a colour mode (as the combo does)."""
        self.colour_combo.setCurrentIndex(COLOUR_MODES.index(mode))

    def _on_colour_mode_changed(self, index: int) -> None:
        self.scene.set_colour_mode(self.colour_combo.itemData(index))

    def _on_overlay_toggled(self, kind: str, shown: bool) -> None:
        self.scene.set_overlay(kind, shown)
