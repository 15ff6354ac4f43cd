"""Find (Ctrl+F) and the wider selections: everything of a type, a row, a hall.

The find bar sits above the plan. What is typed is matched, without regard to case,
against item ids, catalog types (id or name) and UltraServer (system) ids — or only one
of them, as the bar's menu says. Enter selects every match and brings it into view
(zooming out when the matches do not fit); F3 / the arrow button steps through them one
by one. No match: the bar says so and the selection is left as it was.

The Edit menu (and the items' context menu) select all of the selected item's type,
its row (the items standing on the same line, turned along the same axis, with the
busways over that line) or its hall. Selection only: nothing here edits the design.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from designer.catalog import Catalog
from designer.engine.aisles import stands_in_row
from designer.model import Design
from designer.ui.widgets import close_button

#: Where a find looks: everything, or one field.
FIND_FIELDS = {"all": "Id, type or system", "id": "Id", "type": "Type", "system": "UltraServer (system)"}
#: Items whose centre lines are this close stand in one row (metres).
ROW_TOLERANCE_M = 0.1
#: A gap wider than this between footprints on one line starts another row (two tiles).
ROW_GAP_M = 1.2


def find_ids(design: Design, catalog: Catalog, query: str, field: str = "all") -> list[str]:
    """Ids of the items matching ``query`` (case-insensitive), in file order: ids and
    system ids containing it, types whose id or name contains it. An exact id or
    system match comes first."""
    q = query.strip().lower()
    if not q:
        return []
    t = design.equipment
    n = len(t)
    hit = np.zeros(n, bool)
    exact = np.zeros(n, bool)
    if field in ("all", "id"):
        lowered = [i.lower() for i in t.ids]
        hit |= np.fromiter((q in i for i in lowered), bool, n)
        exact |= np.fromiter((q == i for i in lowered), bool, n)
    if field in ("all", "type"):
        codes = [c for name, c in t.types.codes.items()
                 if q in name.lower() or (name in catalog.types and q in catalog.types[name].name.lower())]
        hit |= np.isin(t.type_code, codes)
    if field in ("all", "system"):
        codes = [c for name, c in t.systems.codes.items() if q in name.lower()]
        exact_codes = [c for name, c in t.systems.codes.items() if q == name.lower()]
        hit |= np.isin(t.system_code, codes)
        exact |= np.isin(t.system_code, exact_codes)
    rows = np.flatnonzero(hit)
    rows = np.concatenate([rows[exact[rows]], rows[~exact[rows]]])
    return [t.ids[int(r)] for r in rows]


def same_type_ids(design: Design, item_id: str) -> list[str]:
    """Every item of the item's catalog type (in every hall)."""
    t = design.equipment
    code = t.type_code[t.index[item_id]]
    return [t.ids[int(r)] for r in np.flatnonzero(t.type_code == code)]


def hall_item_ids(design: Design, hall_id: str) -> list[str]:
    """Every item in a hall."""
    t = design.equipment
    code = t.halls.codes.get(hall_id)
    return [] if code is None else [t.ids[int(r)] for r in np.flatnonzero(t.hall_code == code)]


def row_ids(design: Design, catalog: Catalog, item_id: str) -> list[str]:
    """The row an item stands in: the items of its hall standing in rows (racks, network
    racks, in-row CDUs) whose centres lie on its line (east-west for racks facing north
    or south, north-south for racks facing east or west), turned along the same axis and
    standing together (no gap over two tiles), plus the busways running over that line. A busway: the row beneath it."""
    from designer.engine.types import TypeTable

    t = design.equipment
    row = t.index[item_id]
    types = TypeTable.build(list(t.types.names), catalog)
    kind = types.kind[t.type_code]
    same_hall = t.hall_code == t.hall_code[row]
    busway = np.isfinite(t.x2)
    standing = stands_in_row(kind) & ~busway & same_hall
    if busway[row]:
        horizontal = abs(t.y2[row] - t.y[row]) <= abs(t.x2[row] - t.x[row])
        line = t.y[row] if horizontal else t.x[row]
        lo, hi = sorted((t.x[row], t.x2[row]) if horizontal else (t.y[row], t.y2[row]))
        along = t.x if horizontal else t.y
        across = t.y if horizontal else t.x
        turned = np.mod(t.rotation, 180.0)
        axis = np.isclose(turned, 0.0) if horizontal else np.isclose(turned, 90.0)
        members = standing & axis & (np.abs(across - line) <= ROW_TOLERANCE_M) & (along >= lo - 1.0) \
            & (along <= hi + 1.0)
        members[row] = True
    else:
        rot = float(np.mod(t.rotation[row], 360.0))
        horizontal = np.isclose(np.mod(rot, 180.0), 0.0) or abs(np.mod(rot, 180.0) - 180.0) < 1e-6
        across = t.y if horizontal else t.x
        line = across[row]
        same_axis = np.abs(np.mod(t.rotation - rot + 90.0, 180.0) - 90.0) < 1e-6
        on_line = standing & same_axis & (np.abs(across - line) <= ROW_TOLERANCE_M)
        on_line[row] = True
        members = _contiguous(on_line, row, t.x if horizontal else t.y, types.width[t.type_code])
        b_line, b_end = (t.y, t.y2) if horizontal else (t.x, t.x2)
        along, along2 = (t.x, t.x2) if horizontal else (t.y, t.y2)
        lo, hi = along[members].min(), along[members].max()
        members |= busway & same_hall & (np.abs(b_line - line) <= ROW_TOLERANCE_M) \
            & (np.abs(b_end - line) <= ROW_TOLERANCE_M) \
            & (np.minimum(along, along2) <= hi + ROW_GAP_M) & (np.maximum(along, along2) >= lo - ROW_GAP_M)
    return [t.ids[int(r)] for r in np.flatnonzero(members)]


def _contiguous(on_line: np.ndarray, row: int, along: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Of the items on one line, those standing together with ``row``: neighbours no
    more than :data:`ROW_GAP_M` apart, footprint to footprint."""
    rows = np.flatnonzero(on_line)
    order = rows[np.argsort(along[rows], kind="stable")]
    lo = along[order] - width[order] / 2
    hi = along[order] + width[order] / 2
    breaks = lo[1:] - np.maximum.accumulate(hi)[:-1] > ROW_GAP_M  # a gap starts a new row
    group = np.concatenate([[0], np.cumsum(breaks)])
    mine = group[int(np.flatnonzero(order == row)[0])]
    out = np.zeros(len(on_line), bool)
    out[order[group == mine]] = True
    return out


def centre_on(view, scene, ids: list[str], pad_px: float = 60.0) -> None:
    """Bring items into view: centred, zoomed out when they do not fit (never in)."""
    footprints, segments = scene.scene_geometry(ids)
    points = [footprints.reshape(-1, 2)] if len(footprints) else []
    if len(segments):
        points.append(segments.reshape(-1, 2))
    if not points:
        return
    pts = np.concatenate(points)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    rect = QRectF(QPointF(*map(float, lo)), QPointF(*map(float, hi)))
    vp = view.viewport().rect()
    ppm = view.pixels_per_metre()
    fit = min((vp.width() - 2 * pad_px) / max(rect.width(), 1e-6), (vp.height() - 2 * pad_px) / max(rect.height(), 1e-6))
    if fit < ppm:
        view.zoom_by(max(fit, 1e-6) / ppm)
    view.centerOn(rect.center())
    view.pan_by(0, 0)  # a view the user chose: a window resize must not re-fit it


class FindBar(QWidget):
    """The find bar above the plan (hidden until Ctrl+F)."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        self.window = window
        self.matches: list[str] = []
        self.index = -1
        self.edit = QLineEdit()
        self.edit.setObjectName("find_text")
        self.edit.setPlaceholderText("Find by id, type or UltraServer — Enter selects every match")
        self.edit.setClearButtonEnabled(True)
        self.edit.returnPressed.connect(self.find_all)
        self.edit.textChanged.connect(lambda _t: self._set_status(""))
        self.field = QComboBox()
        self.field.setObjectName("find_field")
        for key, text in FIND_FIELDS.items():
            self.field.addItem(text, key)
        self.field.setToolTip("Where to look")
        self.status = QLabel()
        self.status.setObjectName("find_status")
        self.status.setMinimumWidth(140)
        next_button = QToolButton()
        next_button.setText("Next")
        next_button.setToolTip("Select the next match alone and show it (F3)")
        next_button.clicked.connect(self.find_next)
        all_button = QToolButton()
        all_button.setText("Select All")
        all_button.setToolTip("Select every match and show them (Enter)")
        all_button.clicked.connect(self.find_all)
        close = close_button("Close the find bar (Esc)", self.close_bar)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 3, 6, 3)
        row.addWidget(QLabel("Find"))
        row.addWidget(self.edit, 1)
        row.addWidget(self.field)
        row.addWidget(all_button)
        row.addWidget(next_button)
        row.addWidget(self.status)
        row.addWidget(close)
        self.hide()

    # ------------------------------------------------------------------ actions
    def open_bar(self) -> None:
        """Show the bar with its text selected, ready to type."""
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.window.plan_view.setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            event.accept()
            return
        super().keyPressEvent(event)

    def search(self) -> list[str]:
        """The matches of the text typed, in the field chosen."""
        w = self.window
        self.matches = find_ids(w.design, w.document.effective_catalog, self.edit.text(), self.field.currentData())
        self.index = -1
        return self.matches

    def find_all(self) -> list[str]:
        """Select every match and show them; say how many (or that there is none)."""
        ids = self.search()
        if not self._say_count(ids):
            return []
        w = self.window
        w.document.select(ids)
        centre_on(w.plan_view, w.scene, ids)
        return ids

    def find_next(self) -> str | None:
        """Select the next match alone and show it."""
        if not self.matches or self.edit.text().strip().lower() != getattr(self, "_searched", None):
            self.search()
            self._searched = self.edit.text().strip().lower()
            if not self._say_count(self.matches):
                return None
        self.index = (self.index + 1) % len(self.matches)
        item_id = self.matches[self.index]
        w = self.window
        w.document.select([item_id])
        centre_on(w.plan_view, w.scene, [item_id])
        self._set_status(f"{self.index + 1} of {len(self.matches):,}: {item_id}")
        return item_id

    def _say_count(self, ids: list[str]) -> bool:
        text = self.edit.text().strip()
        if not text:
            self._set_status("Type an id, a type or an UltraServer")
            return False
        if not ids:
            self._set_status(f"No match for “{text}”", error=True)
            self.window.statusBar().showMessage(f"Find: no match for “{text}”", 8000)
            return False
        self._set_status(f"{len(ids):,} match{'es' if len(ids) != 1 else ''}")
        self.window.statusBar().showMessage(f"Find: {len(ids):,} item{'s' if len(ids) != 1 else ''} "
                                            f"match “{text}”", 8000)
        return True

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b3261e; font-weight: bold;" if error else "")


class SelectionActions:
    """Edit ▸ Find…, Find Next, Select All of Type, Select Row, Select All in Hall."""

    def __init__(self, window) -> None:
        self.window = window
        self.find_bar = FindBar(window)
        self.find_action = self._action("&Find…", self.find_bar.open_bar, QKeySequence.StandardKey.Find,
                                        "Find items by id, type or UltraServer")
        self.find_next_action = self._action("Find &Next", self.find_bar.find_next, QKeySequence.StandardKey.FindNext,
                                             "Select the next match")
        self.same_type_action = self._action("Select All of &Type", self.select_same_type, "Ctrl+Shift+T",
                                             "Select every item of the selected item's type")
        self.row_action = self._action("Select &Row", self.select_row, "Ctrl+Shift+W",
                                       "Select the row the selected item stands in")
        self.hall_action = self._action("Select All in &Hall", self.select_hall, "Ctrl+Shift+H",
                                        "Select everything in the selected item's hall (or the hall in view)")

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _first(self) -> str | None:
        sel = self.window.document.selection
        if not sel:
            self.window.statusBar().showMessage("Select an item first", 6000)
            return None
        return sel[0]

    def _select(self, ids: list[str], what: str) -> None:
        w = self.window
        w.document.select(ids)
        w.statusBar().showMessage(f"Selected {len(ids):,} item{'s' if len(ids) != 1 else ''}: {what}", 8000)

    def select_same_type(self) -> None:
        item_id = self._first()
        if item_id is not None:
            e = self.window.design.equipment.get(item_id)
            catalog = self.window.document.effective_catalog
            name = catalog.types[e.type].name if e.type in catalog.types else e.type
            self._select(same_type_ids(self.window.design, item_id), f"every {name}")

    def select_row(self) -> None:
        item_id = self._first()
        if item_id is not None:
            self._select(row_ids(self.window.design, self.window.document.effective_catalog, item_id),
                         f"the row of {item_id}")

    def select_hall(self, hall_id: str | None = None) -> None:
        w = self.window
        if hall_id is None:
            sel = w.document.selection
            if sel:
                hall_id = w.design.equipment.get(sel[0]).hall
            else:
                view = w.plan_view
                centre = view.mapToScene(view.viewport().rect().center())
                hall = w.scene.hall_at(centre)
                hall_id = hall.hall.id if hall is not None else (w.design.halls[0].id if w.design.halls else None)
        if hall_id is not None:
            self._select(hall_item_ids(w.design, hall_id), f"everything in {w.design.hall(hall_id).name}")


def install(window) -> SelectionActions:
    """Put the find bar above the plan and the find and select actions in the Edit menu."""
    actions = SelectionActions(window)
    central = window.centralWidget()
    central.layout().insertWidget(central.layout().indexOf(window.plan_view), actions.find_bar)
    menu = window.edit_menu
    menu.addSeparator()
    for action in (actions.find_action, actions.find_next_action, actions.same_type_action, actions.row_action,
                   actions.hall_action):
        menu.addAction(action)
    return actions
