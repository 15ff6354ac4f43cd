"""The Inspector dock: the selection's properties (:class:`ItemPage`) or, with
nothing selected, the design, a hall and the site (:class:`DesignPage`).

The inspector follows the selection, the model's changes and the evaluations; it
refreshes at most 10 times a second while a drag sends them on every mouse move.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from designer.engine import Evaluation
from designer.model import Change
from designer.ui.docks.context import InspectorContext
from designer.ui.docks.fields import MessageBar, current_units, scroll_area
from designer.ui.docks.hall_page import DesignPage
from designer.ui.docks.item_page import ItemPage
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle, column_layout

ITEM_PAGE, DESIGN_PAGE = 0, 1


class Inspector(QWidget):
    """Properties of the selection, or of the design, hall and site when nothing is selected."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.message = MessageBar()
        self.context = InspectorContext(document, self.message)
        self.title = QLabel()
        self.title.setObjectName("inspector_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long design name wraps instead of widening the dock (and narrowing the plan)
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("inspector_subtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #5f6368;")

        self.item_page = ItemPage(self.context)
        self.design_page = DesignPage(self.context)
        self.stack = QStackedWidget()
        self.stack.addWidget(scroll_area(self.item_page))    # ITEM_PAGE
        self.stack.addWidget(scroll_area(self.design_page))  # DESIGN_PAGE

        column_layout(self, self.title, self.subtitle, self.message, (self.stack, 1), margin=6)

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

    # ------------------------------------------------------------------ signals
    def _on_selection_changed(self, _ids: list) -> None:
        self.message.hide()
        self.refresh()

    def _on_model_changed(self, _change: Change) -> None:
        self.context.evaluation_current = False
        self._refresh_timer.start()

    def _on_evaluation_changed(self, evaluation: Evaluation | None) -> None:
        self.context.on_evaluation(evaluation)
        self._throttle.request()

    def _on_design_replaced(self) -> None:
        self.message.hide()
        self.refresh()

    def updates_pending(self) -> bool:
        """Whether a refresh for the latest edit or evaluation is still to come."""
        return self._refresh_timer.isActive() or self._throttle.pending()

    def show_hall(self, hall_id: str) -> None:
        """Show a hall's properties (the design page, that hall picked)."""
        pick = self.design_page.hall_box.hall_pick
        index = pick.findData(hall_id)
        if index >= 0:
            pick.setCurrentIndex(index)
        self.refresh()

    # ------------------------------------------------------------------ refresh
    def refresh(self) -> None:
        """Show the current selection (or the design) from the model and the evaluation."""
        self._refresh_timer.stop()
        units = current_units()
        if units != self.context.units:
            self.context.units = units
            self.item_page.apply_units(units)
            self.design_page.apply_units(units)
        t = self.document.design.equipment
        ids = [i for i in self.document.selection if i in t.index]
        if ids:
            self.stack.setCurrentIndex(ITEM_PAGE)
            title, subtitle = self.item_page.refresh(ids)
        else:
            self.stack.setCurrentIndex(DESIGN_PAGE)
            title, subtitle = self.design_page.refresh()
        self.title.setText(title)
        self.subtitle.setText(subtitle)
