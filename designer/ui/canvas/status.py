"""What the evaluation says about one hall's items, as the canvas colours them: the
per-row status (red and orange outlines) and status class (the status colour mode),
sliced from the whole table's arrays, with the rows whose colour changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from designer.model import Design
from designer.ui.canvas.footprints import HallFootprints
from designer.ui.canvas.styles import status_classes


class ChangedHalls:
    """Which halls' rows differ between successive per-row arrays of the whole table
    (status, status classes): one numpy diff per new array, shared by every hall item,
    so an evaluation after a drag in one hall costs the other halls a set lookup."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple] = {}

    def codes(self, key: str, rows_array: np.ndarray, table) -> frozenset | None:
        """Hall codes whose rows changed since the previous array under ``key`` (None:
        unknown — the first array, or rows were added or removed in between)."""
        memo = self._memo.get(key)
        if memo is not None and memo[0] is rows_array and memo[1] is table.ids:
            return memo[3]
        result = None
        if memo is not None and memo[1] is table.ids and len(memo[2]) == len(rows_array):
            diff = np.flatnonzero(memo[2] != rows_array)
            result = frozenset(np.unique(table.hall_code[diff]).tolist())
        self._memo[key] = (rows_array, table.ids, np.array(rows_array, copy=True), result)
        return result


@dataclass
class Recolour:
    """Footprints (sorted positions) and busways (indices) whose colour changed; all of
    them when ``positions`` is None."""

    positions: np.ndarray | None
    busways: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


class HallStatus:
    """The evaluation's status of one hall's footprints and busways."""

    def __init__(self, design: Design) -> None:
        self.design = design
        self.status: np.ndarray | None = None          # whole table, as given
        self.rows: np.ndarray | None = None            # per footprint (sorted order)
        self.busways: np.ndarray | None = None         # per busway
        self.classes: np.ndarray | None = None         # status class per footprint (sorted order)
        self.stale = True  # the equipment changed since the last evaluation arrived
        self._evaluation = None

    def evaluation(self):
        """The evaluation, if it matches the equipment table (else None)."""
        ev = self._evaluation
        if ev is None:
            return None
        try:
            if len(ev.items.status) != len(self.design.equipment):
                return None  # an edit landed and its evaluation has not arrived yet
        except Exception:  # noqa: BLE001 (an evaluation that cannot build its arrays)
            return None
        return ev

    def equipment_changed(self, fp: HallFootprints) -> None:
        """The footprints were rebuilt (or their rows re-read): slice again."""
        self.slice_status(fp)
        self.slice_classes(fp)
        self.stale = True

    def slice_status(self, fp: HallFootprints) -> None:
        status = self.status
        if status is None or len(status) != len(self.design.equipment):
            self.rows = self.busways = None
        else:
            self.rows = np.asarray(status)[fp.rows]
            self.busways = np.asarray(status)[fp.busway_rows]

    def slice_classes(self, fp: HallFootprints) -> None:
        ev = self.evaluation()
        cls = status_classes(ev) if ev is not None else None
        self.classes = None if cls is None else cls[fp.rows]

    def set_status(self, status: np.ndarray | None, fp: HallFootprints,
                   changed_here: Callable[[], bool]) -> Recolour | None:
        """Take a new status array of the whole table; what to repaint (None: nothing).
        ``changed_here`` says whether it differs from the last one on this hall's rows."""
        if self.rows is not None and not changed_here():
            self.status = status  # same values for this hall's rows: keep the paths
            return None
        self.status = status
        before, before_busways = self.rows, self.busways
        self.slice_status(fp)
        if _same(before, self.rows) and _same(before_busways, self.busways):
            return None
        diff, diff_busways = _diff(before, self.rows), _diff(before_busways, self.busways)
        if diff is None or diff_busways is None:
            return Recolour(None)
        return Recolour(diff, diff_busways)

    def set_evaluation(self, evaluation, fp: HallFootprints,
                       changed_here: Callable[[np.ndarray | None], bool]) -> tuple[Recolour | None, bool]:
        """Take a new evaluation: (status classes to repaint or None, whether the
        overlays must be told). ``changed_here(classes)`` says whether the classes differ
        from the last ones on this hall's rows."""
        had = self._evaluation is not None
        self._evaluation = evaluation
        if (not self.stale and had == (evaluation is not None) and self.classes is not None
                and not changed_here(status_classes(self.evaluation()))):
            return None, False  # nothing of this hall changed: a drag elsewhere costs this hall nothing
        before = self.classes
        self.slice_classes(fp)
        changed = not _same(before, self.classes)
        recolour = None
        if changed:
            diff = _diff(before, self.classes)
            recolour = Recolour(diff)  # the same footprints: only those whose class changed
        tell = changed or self.stale or had != (evaluation is not None)
        self.stale = False
        return recolour, tell


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether two optional arrays hold the same values."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _diff(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Positions where two arrays of the same shape differ (None: not comparable)."""
    if a is None or b is None or a.shape != b.shape:
        return None
    return np.flatnonzero(a != b)
