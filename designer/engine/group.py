"""A group of halls evaluated together: its items' arrays and the violations it records.

Items of a group arrive in hall-sorted order (each hall's rows ascending); positions in
that order are what every rule works with ("group positions")."""

from __future__ import annotations

import numpy as np

from designer.engine.evaluation import Violation, violation
from designer.engine.settings import Settings
from designer.engine.shapes import relative_polygon, snap
from designer.engine.types import TypeTable
from designer.model.design import Design, Hall


def fmt_kw(kw: float) -> str:
    """kW below 10 MW, MW above (messages)."""
    return f"{kw:,.0f} kW" if abs(kw) < 10000 else f"{kw / 1000:,.2f} MW"


def loop_rows(t) -> np.ndarray:
    """Per equipment row: its cooling loop as a number (0: no loop; loops numbered by name)."""
    named = {item_id: str(extra["loop"]) for item_id, extra in t.extra.items() if extra.get("loop") is not None}
    out = np.zeros(len(t), np.int64)
    codes = {name: k + 1 for k, name in enumerate(sorted(set(named.values())))}
    for item_id, name in named.items():
        out[t.index[item_id]] = codes[name]
    return out


def feed_b_rows(t) -> np.ndarray:
    """Per equipment row: a busway on feed B (``"feed": "B"``; A is the default)."""
    out = np.zeros(len(t), bool)
    for item_id, extra in t.extra.items():
        if extra.get("feed") == "B":
            out[t.index[item_id]] = True
    return out


class HallGroup:
    """Arrays for the items of a group of halls, and the violations found in it.

    ``failed`` marks items taken as failed (a what-if, or one single failure tried): they
    keep their place on the floor but serve nothing. ``x``/``y`` (and busway ends ``x2``/``y2``) are relative to each hall's origin (the
    lower-left corner of its outline) and snapped to 1 µm; ``plan_x``/``plan_y`` are the
    plan coordinates messages use. ``hall_of`` gives each item's hall (0 … halls-1).
    """

    def __init__(self, design: Design, types: TypeTable, settings: Settings, halls: list[Hall], rows: np.ndarray,
                 failed_rows: np.ndarray | None = None, codes: tuple[np.ndarray, np.ndarray] | None = None):
        """``codes``: the design's :func:`loop_rows` and :func:`feed_b_rows` when the caller
        keeps them (worked out here otherwise)."""
        t = design.equipment
        self.types = types
        self.settings = settings
        self.halls = halls
        self.rows = rows
        self.ids = t.ids
        self.type_code = t.type_code[rows]
        self.kind = types.kind[self.type_code]
        self.system = t.system_code[rows]
        self.systems = t.systems
        code_to_group = np.full(max(len(t.halls.names), 1), -1, np.int64)
        for g, hall in enumerate(halls):
            code = t.halls.codes.get(hall.id)
            if code is not None:
                code_to_group[code] = g
        self.hall_of = code_to_group[t.hall_code[rows]]
        self.origin_x = np.array([hall.bounds()[0] for hall in halls] or [0.0])
        self.origin_y = np.array([hall.bounds()[1] for hall in halls] or [0.0])
        self._place(t)
        self.area = np.array([hall.area() for hall in halls])
        self.it_kw = types.it_kw[self.type_code]
        loops, feed_b = codes if codes is not None else (loop_rows(t), feed_b_rows(t))
        self.feed_b = feed_b[rows]  # busways on feed B (the others are on feed A)
        self.loop = loops[rows]     # cooling loops (0: none)
        # items taken as failed (what-if): still on the floor, serving nothing
        self.failed = failed_rows[rows] if failed_rows is not None else np.zeros(len(rows), bool)
        self.tray_drop_m = np.array([settings.tray_drop_m if h.tray_drop_m is None else h.tray_drop_m for h in halls])
        self.violations: dict[str, list[Violation]] = {hall.id: [] for hall in halls}
        self._lists: tuple | None = None   # (_as_lists)
        self._lookups = 0                   # (_direct)

    def _place(self, t) -> None:
        """Where the items are: plan and hall-relative positions, busway ends, rotations."""
        rows = self.rows
        self.rotation = t.rotation[rows]
        self.plan_x = t.x[rows]
        self.plan_y = t.y[rows]
        ox, oy = self.origin_x[self.hall_of], self.origin_y[self.hall_of]
        self.x = snap(self.plan_x - ox)
        self.y = snap(self.plan_y - oy)
        self.x2 = snap(t.x2[rows] - ox)
        self.y2 = snap(t.y2[rows] - oy)

    def moved(self, design: Design, rows: np.ndarray) -> "HallGroup | None":
        """This group after items only moved or turned (a ``moved`` edit: the same rows,
        types, systems, halls, loops and feeds), with no violations yet; None when its
        rows are not ``rows`` or its names are tokens (templates.py)."""
        t = design.equipment
        if self.ids is not t.ids or self._tokens or not np.array_equal(self.rows, rows):
            return None
        g = object.__new__(HallGroup)
        g.__dict__.update(self.__dict__)
        g.rows = rows
        g._place(t)
        g.violations = {hall.id: [] for hall in self.halls}
        g._lists, g._lookups = None, 0
        g.quiet = False   # (trying single failures on the last run's group made that one quiet)
        return g

    def kept(self, key: str, make):
        """``make()``, worked out once for this group and kept by the groups a move makes
        from it (:meth:`moved`): for what depends on the items, their types, halls and
        failures, never on where they stand."""
        cache = self.__dict__.get("_kept")
        if cache is None:
            cache = self._kept = {}
        value = cache.get(key)
        if value is None:
            value = cache[key] = make()
        return value

    _tokens = False   # templates.tokenise: the names are tokens
    quiet = False  # a group of copies made to try failures records no violations

    def __len__(self) -> int:
        return len(self.rows)

    def copies(self, failed: list) -> "HallGroup":
        """``len(failed)`` copies of this one-hall group as one group, copy k a hall of its
        own with the items at positions ``failed[k]`` (a position or an array of them)
        failed — to try many single failures in one allocation call: each copy is served
        exactly as the hall alone would be."""
        k, n = len(failed), len(self)
        c = object.__new__(HallGroup)
        c.types, c.settings, c.ids, c.systems = self.types, self.settings, self.ids, self.systems
        c.halls = [self.halls[0]] * k
        for name in ("rows", "type_code", "kind", "rotation", "system", "plan_x", "plan_y", "x", "y", "x2", "y2",
                     "it_kw", "feed_b", "loop", "failed"):
            setattr(c, name, np.tile(getattr(self, name), k))
        sizes = [np.size(f) for f in failed]
        at = np.concatenate([np.atleast_1d(np.asarray(f, np.int64)) for f in failed]) if k else np.zeros(0, np.int64)
        c.failed[np.repeat(np.arange(k) * n, sizes) + at] = True
        c.hall_of = np.repeat(np.arange(k), n)
        for name in ("origin_x", "origin_y", "area", "tray_drop_m"):
            setattr(c, name, np.full(k, getattr(self, name)[0]))
        c.violations = {self.halls[0].id: []}
        c.quiet = True
        c._lists = None
        c._lookups = 0
        return c

    @property
    def n_halls(self) -> int:
        return len(self.halls)

    def poly(self, h: int, points) -> tuple:
        """A polygon of hall ``h`` in its snapped relative coordinates."""
        return relative_polygon(tuple(map(tuple, points)), float(self.origin_x[h]), float(self.origin_y[h]))

    def _as_lists(self) -> tuple[list, list, list, list]:
        """Per position: the item's id, its hall, its plan x and y, as Python lists (made at
        the first message: thousands in a draft, each a few list look-ups then)."""
        if self._lists is None:
            ids = self.ids
            self._lists = ([ids[r] for r in self.rows.tolist()], self.hall_of.tolist(), self.plan_x.tolist(),
                           self.plan_y.tolist())
        return self._lists

    #: Look-ups answered from the arrays before the lists are made (an edit's hall has a
    #: few messages: the lists of every item would cost more than they save).
    DIRECT_LOOKUPS = 64

    def _direct(self) -> bool:
        """Whether to look up in the arrays (the first few times) rather than in the lists."""
        if self._lists is not None:
            return False
        self._lookups = n = self._lookups + 1
        return n <= self.DIRECT_LOOKUPS

    def id(self, p: int) -> str:
        """The equipment id at group position ``p``."""
        if self._direct():
            return self.ids[int(self.rows[p])]
        return self._as_lists()[0][p]

    def hall_name(self, p: int) -> str:
        """The name of the hall of the item at group position ``p``."""
        return self.halls[self._as_lists()[1][p]].name

    def add(self, kind: str, positions, message: str, x=None, y=None) -> None:
        """Record a violation at the first item (or at relative ``x``, ``y`` of its hall)."""
        if self.quiet:
            return
        at = positions.tolist() if isinstance(positions, np.ndarray) else [int(p) for p in positions]
        p = at[0]
        if self._direct():
            ids, rows = self.ids, self.rows
            h = int(self.hall_of[p])
            item_ids = tuple([ids[int(rows[q])] for q in at])
            px, py = float(self.plan_x[p]), float(self.plan_y[p])
        else:
            names, hall_of, plan_x, plan_y = self._as_lists()
            h = hall_of[p]
            item_ids = tuple([names[q] for q in at])
            px, py = plan_x[p], plan_y[p]
        hall = self.halls[h]
        vx = px if x is None else float(x + self.origin_x[h])
        vy = py if y is None else float(y + self.origin_y[h])
        self.violations[hall.id].append(violation(kind, item_ids, message, hall.id, vx, vy))

    def add_to_hall(self, h: int, kind: str, message: str) -> None:
        """Record a violation of hall ``h`` itself, at its origin."""
        if self.quiet:
            return
        hall = self.halls[h]
        x0, y0, _, _ = hall.bounds()
        self.violations[hall.id].append(Violation(kind, (hall.id,), message, hall.id, float(x0), float(y0)))

    def search_radius(self, units: np.ndarray) -> np.ndarray:
        """Per hall, the first search radius: about one unit spacing (√ of floor area per unit)."""
        count = np.bincount(self.hall_of[units], minlength=self.n_halls)
        return np.clip(np.sqrt(self.area / np.maximum(count, 1)), 2.0, 50.0)
