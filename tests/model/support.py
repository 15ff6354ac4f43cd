"""Small designs and state snapshots shared by the model tests (no Qt).

``two_halls()`` is hall A (20 m × 12 m) holding one supported row along y = 6 m and an
air handler, and hall B (10 m × 8 m) holding a second UltraServer and a network rack::

    A: cdu1 (4.3)  us1-r1 (4.9)  us1-r2 (5.5)  net1 (6.1)   centres on y = 6, rotation 0
       bw1 busway (4.05, 6) → (6.35, 6);  crah1 (10, 0.45) rotation 180
    B: us2-r1 (2.3, 3)  us2-r2 (2.9, 3)  net2 (3.5, 3) {"label": "spare"}   rotation 180
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designer.io import dumps_design
from designer.model import Change, Design, Equipment, Hall

RACK = "trn3-gen2-rack"
NET = "network-rack"
CDU = "cdu-in-row"
CRAH = "crah"
BUSWAY = "busway-1200a"


def rect(x0: float, y0: float, x1: float, y1: float):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def two_halls() -> Design:
    d = Design("Two halls")
    d.halls.append(Hall("A", "Hall A", rect(0, 0, 20, 12), columns=[rect(0.9, 4.2, 1.5, 4.8)]))
    d.halls.append(Hall("B", "Hall B", rect(0, 0, 10, 8), tray_drop_m=2.0))
    d.equipment.insert([
        Equipment("cdu1", CDU, "A", 4.3, 6.0, 0.0),
        Equipment("us1-r1", RACK, "A", 4.9, 6.0, 0.0, "us1"),
        Equipment("us1-r2", RACK, "A", 5.5, 6.0, 0.0, "us1"),
        Equipment("net1", NET, "A", 6.1, 6.0, 0.0),
        Equipment("bw1", BUSWAY, "A", 4.05, 6.0, 0.0, None, (6.35, 6.0)),
        Equipment("crah1", CRAH, "A", 10.0, 0.45, 180.0),
        Equipment("us2-r1", RACK, "B", 2.3, 3.0, 180.0, "us2"),
        Equipment("us2-r2", RACK, "B", 2.9, 3.0, 180.0, "us2"),
        Equipment("net2", NET, "B", 3.5, 3.0, 180.0, extra={"label": "spare"}),
    ])
    return d


def state(design: Design):
    """Everything a user could see changed: the file text (the writer's canonical dump) and
    the equipment records in row order (which also hold what the file leaves out, e.g. a
    busway's rotation)."""
    return dumps_design(design), list(design.equipment)


def item(design: Design, item_id: str) -> Equipment:
    return design.equipment.get(item_id)


def pos(design: Design, item_id: str) -> tuple[float, float]:
    e = design.equipment.get(item_id)
    return e.x, e.y


@dataclass
class Recorder:
    """A listener keeping every change the design emits."""

    changes: list[Change] = field(default_factory=list)

    def __call__(self, change: Change) -> None:
        self.changes.append(change)

    def take(self) -> list[Change]:
        out, self.changes = self.changes, []
        return out

    def one(self) -> Change:
        got = self.take()
        assert len(got) == 1, f"expected one change, got {got}"
        return got[0]


def listen(design: Design) -> Recorder:
    rec = Recorder()
    design.subscribe(rec)
    return rec


def round_trip(design: Design, command, check_edited=None):
    """Apply ``command``, check the edit (``check_edited(design)``), undo it with the returned
    inverse (the design must be exactly as before), redo with the inverse's inverse (exactly
    the edited state again) and undo once more, leaving the design as it was.
    Returns (inverse, redo, second inverse)."""
    before = state(design)
    inverse = command.apply(design)
    edited = state(design)
    assert edited != before, "the command changed nothing"
    if check_edited is not None:
        check_edited(design)
    redo = inverse.apply(design)
    assert state(design) == before, "undo did not restore the design exactly"
    again = redo.apply(design)
    assert state(design) == edited, "redo did not give the edited design again"
    if check_edited is not None:
        check_edited(design)
    again.apply(design)
    assert state(design) == before, "the second undo did not restore the design exactly"
    return inverse, redo, again
