"""Copy, cut, paste and duplicate of equipment, and fresh ids for everything a gesture adds.

Copied items go to the system clipboard in our own MIME type (JSON records, so a
paste works between windows) and as tab-separated text (id, type, hall, x, y,
rotation, UltraServer) that a spreadsheet reads. New items get ids in the planner's
words: an UltraServer is ``us<N>`` with racks ``us<N>-r1 …``; a network rack
``net<N>``, a CDU ``cdu<N>``, an air handler ``crah<N>``, a busway ``bw<N>``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from designer.catalog import Catalog
from designer.model import Design, Equipment
from designer.model.commands import RemoveItems
from designer.model.layouts import TILE_M
from designer.ui.canvas.hall_item import HallItem
from designer.ui.tools.base import Editing
from designer.ui.tools.floor import Shapes

#: MIME type of copied equipment on the clipboard.
ITEMS_MIME = "application/x-designer-items"
#: Id stem of new items by catalog kind.
STEMS = {"compute": "us", "network": "net", "cdu": "cdu", "air-handler": "crah", "busway": "bw"}
#: Positions are rounded to 1 µm, like the model's commands.
POSITION_DECIMALS = 6


class IdAllocator:
    """Hands out ids used by neither the design nor an earlier call (``us7``, ``net3``)."""

    def __init__(self, design: Design) -> None:
        t = design.equipment
        self._taken = set(t.index) | set(t.systems.codes)
        self._next: dict[str, int] = {}

    def next(self, stem: str) -> str:
        """The next free ``<stem><N>``."""
        n = self._next.get(stem, 1)
        while f"{stem}{n}" in self._taken:
            n += 1
        self._next[stem] = n + 1
        item_id = f"{stem}{n}"
        self._taken.add(item_id)
        return item_id

    def rack_id(self, system: str, number: int) -> str:
        """``<system>-r<number>``, or the next free ``<system>-r<N>`` when taken."""
        item_id = f"{system}-r{number}"
        if item_id in self._taken:
            return self.next(f"{system}-r")
        self._taken.add(item_id)
        return item_id


def stem_of(record: Equipment, catalog: Catalog) -> str:
    """The id stem for a copy of ``record``: by its kind, else its own id's letters."""
    spec = catalog.types.get(record.type)
    if spec is not None and spec.kind in STEMS:
        return STEMS[spec.kind]
    return record.id.rstrip("0123456789") or record.id


def fresh_copies(design: Design, catalog: Catalog, records: Sequence[Equipment], dx: float = 0.0,
                 dy: float = 0.0, hall: str | None = None) -> list[Equipment]:
    """Copies of ``records`` with new ids, moved by (dx, dy) and put in ``hall`` (default:
    their own). Racks that shared an UltraServer share a new one, numbered ``-r1 …`` in
    the order given; busway ends move with them; a busway fed from a power-chain node the
    design does not have is pasted unfed."""
    alloc = IdAllocator(design)
    systems: dict[str, str] = {}
    counts: dict[str, int] = {}
    nodes = {n.get("id") for n in (design.extra.get("power_chain") or [])}
    out = []
    for r in records:
        system = None
        if r.system is not None:
            if r.system not in systems:
                systems[r.system] = alloc.next("us")
            system = systems[r.system]
            counts[system] = counts.get(system, 0) + 1
            new_id = alloc.rack_id(system, counts[system])
        else:
            new_id = alloc.next(stem_of(r, catalog))
        end = None if r.end is None else (round(r.end[0] + dx, POSITION_DECIMALS),
                                          round(r.end[1] + dy, POSITION_DECIMALS))
        extra = dict(r.extra)
        if extra.get("source") is not None and extra["source"] not in nodes:
            extra.pop("source")  # fed from a node this design does not have: not fed (the file must reopen)
        out.append(replace(r, id=new_id, hall=hall if hall is not None else r.hall,
                           x=round(r.x + dx, POSITION_DECIMALS), y=round(r.y + dy, POSITION_DECIMALS),
                           end=end, system=system, extra=extra))
    return out


# ---------------------------------------------------------------------- clipboard
def _to_json(r: Equipment) -> dict:
    return {"id": r.id, "type": r.type, "hall": r.hall, "x": r.x, "y": r.y, "rotation": r.rotation,
            "system": r.system, "end": None if r.end is None else list(r.end), "extra": r.extra}


def _from_json(d: dict) -> Equipment:
    end = d.get("end")
    return Equipment(id=str(d["id"]), type=str(d["type"]), hall=str(d.get("hall", "")),
                     x=float(d["x"]), y=float(d["y"]), rotation=float(d.get("rotation", 0.0)),
                     system=d.get("system"), end=None if end is None else (float(end[0]), float(end[1])),
                     extra=dict(d.get("extra") or {}))


def put_items(records: Iterable[Equipment]) -> int:
    """Put equipment records on the system clipboard; returns how many."""
    records = list(records)
    mime = QMimeData()
    mime.setData(ITEMS_MIME, json.dumps([_to_json(r) for r in records]).encode("utf-8"))
    lines = ["id\ttype\thall\tx_m\ty_m\trotation_deg\tultraserver"]
    lines += [f"{r.id}\t{r.type}\t{r.hall}\t{r.x:g}\t{r.y:g}\t{r.rotation:g}\t{r.system or ''}" for r in records]
    mime.setText("\n".join(lines) + "\n")
    QGuiApplication.clipboard().setMimeData(mime)
    _clear_at_exit()
    return len(records)


_exit_hook_installed = False


def _clear_at_exit() -> None:
    """Empty our clipboard contents while Qt is still alive: QClipboard deleting mime data
    that Python also tracks, during interpreter shutdown, crashes the process."""
    global _exit_hook_installed
    if _exit_hook_installed:
        return
    _exit_hook_installed = True
    import atexit

    def clear() -> None:
        app = QGuiApplication.instance()
        if app is not None:
            app.clipboard().clear()

    QGuiApplication.instance().aboutToQuit.connect(clear)
    atexit.register(clear)


def clipboard_items() -> list[Equipment]:
    """Equipment records on the system clipboard (empty when it holds something else)."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None or not mime.hasFormat(ITEMS_MIME):
        return []
    try:
        data = json.loads(bytes(mime.data(ITEMS_MIME)).decode("utf-8"))
        return [_from_json(d) for d in data]
    except (ValueError, KeyError, TypeError, IndexError):
        return []  # another program's data under our MIME type: nothing to paste


# ---------------------------------------------------------------------- edit actions
class ClipboardEdits:
    """Copy, cut, paste and duplicate on the plan of one editor."""

    def __init__(self, editor: Editing) -> None:
        self.editor = editor

    def _selected_records(self) -> list[Equipment]:
        ed = self.editor
        t = ed.design.equipment
        return [t.get(i) for i in ed.document.selection if i in t.index]

    def duplicate(self) -> None:
        """Copies of the selection one tile east and one south, selected."""
        ed = self.editor
        records = self._selected_records()
        if records:
            ed.add_items(fresh_copies(ed.design, ed.catalog, records, TILE_M, -TILE_M), "Duplicate")

    def copy(self) -> None:
        records = self._selected_records()
        if records:
            put_items(records)
            self.editor.message.emit(f"Copied {len(records)} item{'s' if len(records) != 1 else ''}")

    def cut(self) -> None:
        records = self._selected_records()
        if records:
            put_items(records)
            self.editor.document.push(RemoveItems(tuple(r.id for r in records), "Cut"))

    def paste(self) -> None:
        """Paste the clipboard's equipment under the cursor (snapped), with new ids; with
        the cursor off the plan, one tile from where it was copied."""
        ed = self.editor
        records = clipboard_items()
        if not records or not ed.design.halls:
            return
        cat = ed.catalog
        box = Shapes.of_records(records, cat).box()
        target = self._cursor_target()
        if target is not None:
            hall, x, y = target
            dx = x - (box[0] + box[2]) / 2
            dy = y - (box[1] + box[3]) / 2
        else:
            hall_ids = ed.design.hall_ids()
            hall_id = records[0].hall if records[0].hall in hall_ids else hall_ids[0]
            hall = ed.scene.hall_item(hall_id)
            dx, dy = TILE_M, -TILE_M
        if hall is None:
            return
        check = ed.cache.placement_check(hall.hall.id)
        sx, sy = ed.snapper.box(box + np.array([dx, dy, dx, dy]), check.neighbour_boxes(),
                                start=None if target is not None else box)
        copies = fresh_copies(ed.design, cat, records, round(dx + sx, 6), round(dy + sy, 6), hall.hall.id)
        ed.add_items(copies, "Paste")

    def _cursor_target(self) -> tuple[HallItem, float, float] | None:
        view = self.editor.view
        pos = view.hover_pos
        if pos is None or not view.viewport().rect().contains(pos.toPoint()):
            return None
        scene_pos = view.mapToScene(pos.toPoint())
        hall = self.editor.scene.hall_at(scene_pos)
        if hall is None:
            return None
        x, y = hall.to_plan(scene_pos)
        return hall, x, y
