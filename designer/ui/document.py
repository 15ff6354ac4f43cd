"""The open document: design, evaluation, undo stack and selection, as one QObject.

Views never change the model directly: they call :meth:`Document.push` with a Qt-free
command from :mod:`designer.model.commands`; the document wraps it in a
``QUndoCommand`` on its ``QUndoStack``. Model changes are coalesced and fed to the
engine's incremental evaluator once per event-loop turn, and
:attr:`evaluation_changed` tells every view.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, Evaluator
from designer.io import read_design, write_design
from designer.model import Change, Design, Hall
from designer.model.design import DESIGN_CHANGES, ITEM_CHANGES
from designer.model.commands import Command, merge_changes

log = logging.getLogger(__name__)



def new_design() -> Design:
    """An empty design with one 48 × 30 m hall to start drawing in."""
    design = Design("Untitled design")
    design.halls.append(Hall("A", "Hall A", ((0.0, 0.0), (48.0, 0.0), (48.0, 30.0), (0.0, 30.0))))
    return design


class UndoCommand(QUndoCommand):
    """A model command on the undo stack: redo applies it, undo applies its inverse.

    Commands with the same non-negative ``merge_id`` pushed one after another merge
    into one step (consecutive arrow-key nudges of the same items).

    Undo also brings back the selection the edit started from (what was selected when
    it was pushed), and redo the one it ended with (what was selected when it was first
    undone), as far as those items exist.
    """

    def __init__(self, document: "Document", command: Command, merge_id: int = -1):
        super().__init__(command.label)
        self.document = document
        self.command = command
        self.inverse: Command | None = None
        self.merge_id = merge_id
        self.merge_key = getattr(command, "ids", None)
        self.selection_before = list(document.selection)
        self.selection_after: list[str] | None = None

    def redo(self) -> None:
        self.inverse = self.command.apply(self.document.design)
        if self.selection_after is not None:
            self.document.select(self.selection_after)

    def undo(self) -> None:
        assert self.inverse is not None
        if self.selection_after is None:
            self.selection_after = list(self.document.selection)
        self.command = self.inverse.apply(self.document.design)
        self.document.select(self.selection_before)

    def id(self) -> int:  # noqa: A003 (Qt API)
        return self.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, UndoCommand) or other.merge_id != self.merge_id or self.merge_id < 0:
            return False
        if other.merge_key != self.merge_key:
            return False
        # keep our inverse (the state before the first nudge); the forward command is now the latest
        self.command = other.command
        return True


class Document(QObject):
    """One open design and everything derived from it."""

    design_replaced = Signal()            # a new design was loaded / created
    evaluation_changed = Signal(object)   # Evaluation (or None when it failed)
    evaluation_failed = Signal(str)
    selection_changed = Signal(list)      # ids
    changed = Signal(object)              # model Change, after the model changed
    path_changed = Signal()

    def __init__(self, catalog: Catalog | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.catalog = catalog if catalog is not None else load_catalog()
        self.design: Design = new_design()
        self.path: Path | None = None
        self.evaluator: Evaluator | None = None
        self.evaluation: Evaluation | None = None
        self.selection: list[str] = []
        self.undo_stack = QUndoStack(self)
        self._pending: list[Change] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once per burst of edits, after they land
        self._timer.timeout.connect(self.evaluate_pending)
        self.design.subscribe(self._on_model_changed)

    # ------------------------------------------------------------------ files
    def set_design(self, design: Design, path: str | os.PathLike | None = None) -> None:
        """Show another design (loaded or new); clears undo history and selection."""
        self.design.unsubscribe(self._on_model_changed)
        self.design = design
        self.path = Path(path) if path is not None else None
        self.selection = []
        self.undo_stack.clear()
        self._pending.clear()
        design.subscribe(self._on_model_changed)
        self.design_replaced.emit()
        self.path_changed.emit()
        self.selection_changed.emit([])
        self.evaluate_all()

    def open(self, path: str | os.PathLike) -> None:
        """Read a design file; raises ``DesignFileError`` with a one-line message."""
        self.set_design(read_design(path, self.catalog), path)

    def new(self) -> None:
        self.set_design(new_design())

    def save(self, path: str | os.PathLike | None = None) -> None:
        """Save atomically (to ``path``, or where it came from); raises ``OSError``
        and leaves the document modified when the disk refuses."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name")
        write_design(self.design, target)
        self.path = target
        self.undo_stack.setClean()
        self.path_changed.emit()

    @property
    def effective_catalog(self) -> Catalog:
        """The catalog with this design's assumption overrides (what the engine uses)."""
        return self.catalog.with_overrides(self.design.assumptions)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        """``name`` plus a ``*`` placeholder Qt replaces with the modified mark."""
        return f"{self.design.name}[*]"

    # ------------------------------------------------------------------ edits
    def push(self, command: Command, merge_id: int = -1) -> None:
        """Apply a model command as one undoable step."""
        self.undo_stack.push(UndoCommand(self, command, merge_id))

    def select(self, ids) -> None:
        """Replace the selection (ids of equipment); unknown ids are dropped."""
        index = self.design.equipment.index
        ids = [i for i in dict.fromkeys(ids) if i in index]
        if ids != self.selection:
            self.selection = ids
            self.selection_changed.emit(list(ids))

    # ------------------------------------------------------------------ evaluation
    def _on_model_changed(self, change: Change) -> None:
        if change.kind in ("removed", "reset"):
            index = self.design.equipment.index
            kept = [i for i in self.selection if i in index]
            if kept != self.selection:
                self.selection = kept
                self.selection_changed.emit(list(kept))
        self._pending.append(change)
        self.changed.emit(change)
        self._timer.start()

    def evaluate_all(self) -> None:
        try:
            self.evaluator = Evaluator(self.design, self.catalog)
        except Exception as exc:  # a broken evaluation must not take the window down
            log.exception("evaluation failed")
            self._fail(exc)
            return
        self._publish(self.evaluator.evaluation)

    def evaluate_pending(self) -> None:
        """Feed the pending model changes to the engine (incrementally when possible)."""
        changes, self._pending = self._pending, []
        if not changes:
            return
        if self.evaluator is None or any(c.kind not in ITEM_CHANGES or not c.halls for c in changes):
            if self.evaluator is not None and all(c.kind in ITEM_CHANGES + DESIGN_CHANGES[:-1]
                                                  for c in changes):
                try:
                    self._publish(self.evaluator.refresh())
                    return
                except Exception as exc:
                    log.exception("evaluation failed")
                    self._fail(exc)
                    return
            self.evaluate_all()
            return
        # one change for the burst: "moved" when items only moved (the engine then keeps
        # its row order and patches the per-item arrays), else "updated"
        try:
            evaluation = self.evaluator.apply(merge_changes(changes))
        except Exception as exc:
            log.exception("evaluation failed")
            self._fail(exc)
            return
        self._publish(evaluation)

    def _publish(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.evaluation_changed.emit(evaluation)

    def _fail(self, exc: Exception) -> None:
        self.evaluation = None
        self.evaluation_failed.emit(f"The design could not be evaluated: {exc}")
        self.evaluation_changed.emit(None)
