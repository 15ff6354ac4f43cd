"""The History dock: the undo stack as a list; clicking a step goes back (or forward) to it."""

from __future__ import annotations

from PySide6.QtWidgets import QUndoView, QVBoxLayout, QWidget

from designer.ui.document import Document


class HistoryPanel(QWidget):
    """Every edit of this session, oldest first; the current state is highlighted."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QUndoView(document.undo_stack)
        self.view.setObjectName("history_view")
        self.view.setEmptyLabel("Opened design")
        self.view.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
