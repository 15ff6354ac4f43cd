"""The open document: design, evaluation, undo stack and selection, as one QObject.

Views never change the model directly: they call :meth:`Document.push` with a Qt-free
command from :mod:`designer.model.commands`; the document wraps it in a
``QUndoCommand`` on its ``QUndoStack``. Model changes are coalesced and fed to the
engine's incremental evaluator once per event-loop turn, and
:attr:`evaluation_changed` tells every view.

A *what-if* (:meth:`Document.set_failed`) takes some items as failed: the evaluation
every view shows is then the failed state. Every single failure (the Resilience dock,
``redundancy`` problems) is tried off the drag path: hall by hall, once edits have
settled, and :attr:`resilience_changed` tells the views.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QUndoCommand, QUndoStack

from designer.catalog import Catalog, CatalogError, load_catalog, with_design_types
from designer.engine import Evaluation, Evaluator
from designer.engine.evaluation import Violation
from designer.engine.resilience import Resilience
from designer.io import read_design, write_design
from designer.model import Change, Design, Hall
from designer.model.design import DESIGN_CHANGES, ITEM_CHANGES, VIEW_CHANGES
from designer.model.commands import Command, merge_changes
from designer.ui import heap

log = logging.getLogger(__name__)

#: Every single failure is tried this long after the last evaluation (edits have settled).
RESILIENCE_DELAY_MS = 300


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
    failed_changed = Signal(list)         # ids taken as failed (the what-if); [] when none
    resilience_changed = Signal(object)   # Resilience of the design as it is (None: not known)

    def __init__(self, catalog: Catalog | None = None, parent: QObject | None = None):
        super().__init__(parent)
        #: the bundled catalog with the user catalog folder's types (``catalog`` adds the design's own)
        self.base_catalog = catalog if catalog is not None else load_catalog()
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
        #: items taken as failed (the what-if); the evaluation shown is that state
        self.failed_ids: tuple[str, ...] = ()
        #: every single failure of the design as evaluated last (None until tried)
        self.resilience: Resilience | None = None
        self.redundancy_violations: list[Violation] = []
        #: stranded UltraServers of the design with nothing failed (None: not known since an edit)
        self.normal_stranded: int | None = None
        self._resilience_timer = QTimer(self)
        self._resilience_timer.setSingleShot(True)
        self._resilience_timer.timeout.connect(self._try_next_hall)
        self.design.subscribe(self._on_model_changed)

    # ------------------------------------------------------------------ files
    def set_design(self, design: Design, path: str | os.PathLike | None = None) -> None:
        """Show another design (loaded or new); clears undo history and selection."""
        heap.thaw()   # (what the old design leaves in cycles may be collected)
        self.design.unsubscribe(self._on_model_changed)
        self.design = design
        self.path = Path(path) if path is not None else None
        self.selection = []
        self.undo_stack.clear()
        self._pending.clear()
        self.failed_ids = ()
        self.normal_stranded = None
        self._set_resilience(None)
        design.subscribe(self._on_model_changed)
        self.design_replaced.emit()
        self.path_changed.emit()
        self.selection_changed.emit([])
        self.failed_changed.emit([])
        self.evaluate_all()
        heap.settle_soon(self)

    def open(self, path: str | os.PathLike) -> None:
        """Read a design file; raises ``DesignFileError`` with a one-line message."""
        self.set_design(read_design(path, self.base_catalog), path)

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
    def catalog(self) -> Catalog:
        """The base catalog with this design's own equipment types (its ``"catalog"`` section)."""
        try:
            return with_design_types(self.base_catalog, self.design.extra.get("catalog"))
        except CatalogError:  # (a design is read validated; an invalid section is the engine's to report)
            return self.base_catalog

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

    # ------------------------------------------------------------------ what-if
    def set_failed(self, ids) -> None:
        """Take these items as failed (replacing the last set; unknown ids are dropped):
        on the floor, serving nothing. Every view then shows that state."""
        index = self.design.equipment.index
        ids = tuple(i for i in dict.fromkeys(ids) if i in index)
        if ids == self.failed_ids:
            return
        self.failed_ids = ids
        self.failed_changed.emit(list(ids))
        if self.evaluator is None:
            self.evaluate_all()
            return
        self.evaluate_pending()  # edits not yet evaluated go first
        try:
            self._publish(self.evaluator.set_failed(ids))
        except Exception as exc:
            log.exception("evaluation failed")
            self._fail(exc)

    def clear_failed(self) -> None:
        """Back to normal: nothing failed."""
        self.set_failed(())

    # ------------------------------------------------------------------ evaluation
    def _on_model_changed(self, change: Change) -> None:
        if change.kind in VIEW_CHANGES:  # drawn only (dimension lines, notes): nothing to evaluate
            self.changed.emit(change)
            return
        self._resilience_timer.stop()  # tried again once this edit is evaluated
        if self.failed_ids:
            self.normal_stranded = None
        if change.kind in ("removed", "reset"):
            index = self.design.equipment.index
            kept = [i for i in self.selection if i in index]
            if kept != self.selection:
                self.selection = kept
                self.selection_changed.emit(list(kept))
            failed = tuple(i for i in self.failed_ids if i in index)
            if failed != self.failed_ids:  # a failed item was deleted: it is no longer failed
                self.failed_ids = failed
                if self.evaluator is not None:
                    self.evaluator.failed_ids = failed
                self.failed_changed.emit(list(failed))
        self._pending.append(change)
        self.changed.emit(change)
        self._timer.start()

    def evaluate_all(self) -> None:
        try:
            self.evaluator = Evaluator(self.design, self.catalog, failed=self.failed_ids)
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
        if not self.failed_ids:
            self.normal_stranded = int(evaluation.totals["throughput"]["stranded_ultraservers"])
        self._resilience_timer.start(RESILIENCE_DELAY_MS)  # (again): every single failure, once edits settle
        self.evaluation_changed.emit(evaluation)

    def _fail(self, exc: Exception) -> None:
        self._resilience_timer.stop()
        self.evaluation = None
        self.evaluation_failed.emit(f"The design could not be evaluated: {exc}")
        self.evaluation_changed.emit(None)

    # ------------------------------------------------------------------ resilience
    def violations(self) -> list[Violation]:
        """What the Problems dock lists: the evaluation's violations and the ``redundancy``
        errors of the last resilience check (those of items still in the design)."""
        if self.evaluation is None:
            return []
        if not self.redundancy_violations:
            return self.evaluation.violations
        index = self.design.equipment.index
        return self.evaluation.violations + [v for v in self.redundancy_violations if v.ids[0] in index]

    def stop_background(self) -> None:
        """Stop the work that follows edits (the resilience check): the window is closing."""
        self._resilience_timer.stop()
        self._timer.stop()

    def resilience_pending(self) -> bool:
        """Whether a resilience check of the latest evaluation is still to come."""
        return self._resilience_timer.isActive()

    def _try_next_hall(self) -> None:
        """Try every single failure of one hall not yet tried; the next hall on the next
        turn of the event loop, so an edit is never kept waiting longer than one hall.
        Postponed while a mouse button is held (a drag in progress)."""
        evaluator = self.evaluator
        if evaluator is None or self.evaluation is None or self._pending:
            return  # the evaluation of the pending edits starts this again
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self._resilience_timer.start(RESILIENCE_DELAY_MS)
            return
        try:
            todo = [h.id for h in self.design.halls if h.id not in evaluator.failures]
            if todo:
                evaluator.hall_failures(todo[0])
                if len(todo) > 1:
                    self._resilience_timer.start(0)
                    return
            resilience = evaluator.resilience()  # every hall tried: this only collects them
        except Exception:  # the check must not take the window down; the evaluation stands
            log.exception("resilience check failed")
            return
        self._set_resilience(resilience)

    def _set_resilience(self, resilience: Resilience | None) -> None:
        self.resilience = resilience
        if resilience is None:
            self.redundancy_violations = []
        elif not self.failed_ids:
            self.redundancy_violations = resilience.violations(self.design)
        # during a what-if the check tries one failure more than the design was declared for:
        # the redundancy errors stay those of the design as built
        self.resilience_changed.emit(resilience)
