"""What the Inspector's pages share: the document, the message bar, the units, the
effective catalog and the evaluation that matches the design."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QLineEdit

from designer.catalog import Catalog
from designer.catalog.specs import CatalogError
from designer.engine import Evaluation
from designer.engine.evaluation import Violation
from designer.model.commands import Command, Composite
from designer.ui.docks.fields import MeasureSpinBox, MessageBar, current_units, set_text
from designer.ui.document import Document


def effective_catalog(document: Document) -> Catalog:
    """The catalog with the design's overrides (the base catalog if they are invalid:
    the engine reports why)."""
    try:
        return document.effective_catalog
    except CatalogError:
        return document.catalog


def one_or_many(commands: list[Command], label: str) -> Command:
    """One command as it is, several as one undo step."""
    return commands[0] if len(commands) == 1 else Composite(commands, label)


class InspectorContext:
    """The inspector's state its pages read (and the way they push edits)."""

    def __init__(self, document: Document, message: MessageBar) -> None:
        self.document = document
        self.message = message
        self.units = current_units()
        #: False from an edit until the evaluation of it arrives
        self.evaluation_current = document.evaluation is not None
        self._violations_by_id: dict[str, list[Violation]] | None = None

    @property
    def design(self):
        """The document's design."""
        return self.document.design

    def catalog(self) -> Catalog:
        """The effective catalog (the design's overrides applied)."""
        return effective_catalog(self.document)

    def evaluation(self) -> Evaluation | None:
        """The evaluation of the design as it is now, or None while one is on its way."""
        ev = self.document.evaluation
        return ev if ev is not None and self.evaluation_current else None

    def on_evaluation(self, evaluation: Evaluation | None) -> None:
        """A new evaluation arrived."""
        self.evaluation_current = evaluation is not None
        self._violations_by_id = None

    def violations_of(self, ids: list[str]) -> list[Violation]:
        """The violations that involve any of ``ids`` (each once, in the engine's order)."""
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

    def type_kind(self, type_id: str) -> str:
        """A catalog type's kind (``""`` when the catalog does not know it)."""
        spec = self.catalog().types.get(type_id)
        return spec.kind if spec is not None else ""

    def type_name(self, type_id: str) -> str:
        """A catalog type's name, or the id marked as unknown."""
        spec = self.catalog().types.get(type_id)
        return spec.name if spec is not None else f"{type_id} (not in the catalog)"

    def push(self, command: Command) -> None:
        """Apply an edit as one undo step (a shown refusal goes away)."""
        self.message.hide()
        self.document.push(command)

    def refuse(self, message: str) -> None:
        """Say why an input was not applied."""
        self.message.show_message(message)

    def edited_name(self, edit: QLineEdit, current: str, what: str) -> str | None:
        """The new name of a ``what`` (design, hall) typed in ``edit``; None when it is
        unchanged, or empty (refused, and the old name shown again)."""
        name = edit.text().strip()
        if name == current:
            return None
        if not name:
            self.refuse(f"A {what} needs a name; the old name was kept.")
            set_text(edit, current, force=True)
            return None
        return name

    def measure_spin(self, name: str, what: str, lo: float, hi: float, decimals: int, step: float, suffix: str,
                     on_commit: Callable[[float], None]) -> MeasureSpinBox:
        """A number field that pushes ``on_commit(value)`` and shows its refusals in the message bar."""
        spin = MeasureSpinBox(what, lo, hi, decimals, step, suffix)
        spin.setObjectName(name)
        spin.committed.connect(on_commit)
        spin.refused.connect(self.message.show_message)
        return spin
