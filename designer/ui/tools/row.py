"""The Row tool: drag on the floor to lay a row of N UltraServers (one undo step),
checked as one ghost by the engine's placement rules while dragging."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from designer.engine.placement import PlacementCheck
from designer.model import Equipment
from designer.engine.resilience import declared_redundancy
from designer.model.layouts import IdCounter, RowRedundancy, row_items
from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.view import ToolEvent
from designer.ui.tools.base import Editing, PlanTool
from designer.ui.tools.clipboard import fresh_copies
from designer.ui.tools.floor import Shapes
from designer.ui.tools.ghost import Ghost
from designer.ui.tools.snapping import MAGNET_M

#: UltraServers the row tool lays by default.
DEFAULT_ROW_ULTRASERVERS = 4


class RowTool(PlanTool):
    """Drag on the floor to lay a row of N UltraServers (one undo step).

    The row starts where the drag starts and runs east, or west when dragging west;
    dragging north turns the fronts north (rotation 180°), otherwise they face south
    (0°): drag towards the cold aisle. N comes from the tool bar; with "Complete
    rows" the row also gets its CDUs, network racks and overhead busways, built to the
    redundancy the site declares (2N power: an A and a B busway over every run; N+1
    cooling or network: one CDU or network rack more).
    """

    name = "row"
    label = "Row"
    tooltip = "Lay a row of UltraServers: drag from the row's start; drag north or south to face that way"
    hint = "Drag from where the row starts: east or west sets its direction, north or south where the fronts face."

    def __init__(self, editor: Editing) -> None:
        super().__init__(editor)
        self._press: ToolEvent | None = None
        self._hall: HallItem | None = None
        self._check: PlacementCheck | None = None
        self._records: list[Equipment] = []

    def mouse_press(self, ev: ToolEvent) -> None:
        if ev.hall is None:
            return
        self._press, self._hall = ev, ev.hall
        self._check = self.editor.cache.placement_check(ev.hall.hall.id)
        self._preview(ev)

    def mouse_move(self, ev: ToolEvent) -> None:
        if self._press is not None:
            self._preview(ev)

    def mouse_release(self, ev: ToolEvent) -> None:
        if self._press is None:
            return
        self._preview(ev)
        records = self._records
        self.cancel()
        ed = self.editor
        if records:
            n = ed.row_ultraservers()
            ed.add_items(records, f"Add row of {n} UltraServer{'s' if n != 1 else ''}")

    def layout(self, ev: ToolEvent) -> tuple[list[Equipment], float]:
        """The row for a drag from the press to ``ev``: its records (in plan metres) and rotation."""
        ed = self.editor
        x0, y0 = self._press.plan(self._hall)
        x1, y1 = ev.plan(self._hall)
        rotation = 180.0 if y1 - y0 > MAGNET_M else 0.0
        west = x1 < x0 - MAGNET_M
        template = self.row_template(rotation)
        if not template:
            return [], rotation
        box = Shapes.of_records(template, ed.catalog).box()
        dx = (x0 - (box[2] - box[0])) if west else x0
        dx -= box[0]
        dy = y0 - (box[1] + box[3]) / 2
        sx, sy = ed.snapper.box(box + np.array([dx, dy, dx, dy]), self._check.neighbour_boxes())
        dx, dy = round(dx + sx, 6), round(dy + sy, 6)
        return fresh_copies(ed.design, ed.catalog, template, dx, dy, self._hall.hall.id), rotation

    def _preview(self, ev: ToolEvent) -> None:
        ed = self.editor
        self._records, rotation = self.layout(ev)
        if not self._records:
            ed.message.emit("Choose a compute type in the palette first")
            return
        sketch = ed.sketch_item()
        sketch.setPos(0.0, 0.0)
        ghost = Ghost(sketch, self._hall, Shapes.of_records(self._records, ed.catalog), self._check,
                      QColor(ed.catalog.types[ed.row_type].color))
        ok = ghost.show(0.0, 0.0)
        n = ed.row_ultraservers()
        faces = "north" if rotation == 180.0 else "south"
        feeds = ", busways on feeds A and B (site 2N)" if ed.complete_rows() and self.redundancy().power == "2N" else ""
        ed.message.emit(f"Row of {n} UltraServer{'s' if n != 1 else ''}, fronts facing {faces}{feeds}"
                        + ("" if ok else "  — would break a rule (red)"))

    def cancel(self) -> bool:
        busy = self._press is not None
        self._press = None
        self._records = []
        self.editor.clear_sketch()
        return busy


    def redundancy(self) -> RowRedundancy:
        """What a complete row is built to survive: the site's declared redundancy (power
        N+1 has no meaning within one row: one busway run, as for N)."""
        declared = declared_redundancy(self.editor.design.site)
        return RowRedundancy(power="2N" if declared["power"] == "2N" else "N",
                             cooling="N+1" if declared["cooling"] == "N+1" else "N",
                             network="N+1" if declared["network"] == "N+1" else "N")

    def row_template(self, rotation: float) -> list[Equipment]:
        """One row, its west edge at x = 0 and centres on y = 0."""
        ed = self.editor
        cat = ed.catalog
        spec = cat.types.get(ed.row_type)
        if spec is None:
            return []
        n = ed.row_ultraservers()
        if ed.complete_rows():
            return row_items(cat, "", 0.0, 0.0, rotation, n, IdCounter(), ed.row_type,
                             redundancy=self.redundancy())
        out = []
        rps = spec.racks_per_system
        for s in range(n):
            for k in range(rps):
                x = round(spec.width_m * (s * rps + k + 0.5), 6)
                out.append(Equipment(f"us{s}-r{k + 1}", ed.row_type, "", x, 0.0, rotation, f"us{s}"))
        return out
