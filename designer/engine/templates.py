"""The messages of halls alike: one hall of a kind evaluated with its names as tokens,
then every hall of the kind given those violations in its own names.

A campus of replicated halls that break rules (a draft) breaks the same rules in each
hall: the same kinds, numbers and places; only the names differ (item ids, UltraServers,
the hall's name). The evaluator evaluates the first hall of each kind with *tokens* for
its names (:func:`tokenise`) and writes each hall's violations from those templates
(:class:`Templates`), as a ``%``-format with the hall's own names: a C-level step per
message instead of a rule evaluation per hall.

Exact, not approximate: a hall takes the templates only when every order a rule may
follow is the same in it as in the hall the templates came from (:func:`compatible`):
its ids sort the same way (a message naming several items lists them sorted) and its
UltraServers' codes rise in the same order (rules walk UltraServers in code order). A
hall whose UltraServers reach into another hall, or whose names hold the token marker,
is evaluated on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from json.encoder import encode_basestring   # (the standard library's, C: ensure_ascii=False)

import numpy as np

from designer.engine.alike import first_seen
from designer.engine.arrays import unique
from designer.engine.evaluation import SEVERITY, Violation, violation

#: Tokens stand for names in a tokenised hall's messages: ``\0i0000012\1`` the item whose
#: id sorts 12th in its hall, ``\0s3\1`` the hall's 4th UltraServer (first appearance),
#: ``\0h\1`` the hall's name.
MARK, END = "\x00", "\x01"
_TOKEN = re.compile("\x00[ish][0-9]*\x01")
#: The key a hall's own id (a violation of the hall itself) takes in a template.
HALL_ID = "hall-id"


def _id_token(rank: int) -> str:
    return f"{MARK}i{rank:07d}{END}"   # (fixed width: tokens sort as the ids they stand for)


def _ranked(ids: list[str], rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per row of a hall: the rank of its id among the hall's ids (string order); and
    the ids sorted (one sort)."""
    names = [ids[r] for r in rows.tolist()]
    order = sorted(range(len(names)), key=names.__getitem__)
    ranks = np.empty(len(names), np.int64)
    ranks[order] = np.arange(len(names))
    return ranks, [names[k] for k in order]


class _Names:
    """A name table (``names``, ``[code]``) with some names replaced by tokens."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def __getitem__(self, code: int) -> str:
        return self.names[code]


def hall_systems(system_codes: np.ndarray) -> np.ndarray:
    """A hall's UltraServer codes in order of first appearance (none: -1 left out)."""
    return first_seen(system_codes[system_codes >= 0])


def tokenise(g, which: np.ndarray) -> None:
    """Give the halls ``which`` (indices in the group ``g``) tokens for names: their items'
    ids, their UltraServers' names and their own names (ids of halls stay)."""
    ids = list(g.ids)
    systems = list(g.systems.names)
    halls = list(g.halls)
    for h in which.tolist():
        at = np.flatnonzero(g.hall_of == h)
        rows = g.rows[at]
        for r, rank in zip(rows.tolist(), _ranked(g.ids, rows)[0].tolist()):
            ids[r] = _id_token(rank)
        for k, code in enumerate(hall_systems(g.system[at]).tolist()):
            systems[code] = f"{MARK}s{k}{END}"
        halls[h] = replace(halls[h], name=f"{MARK}h{END}")
    g.ids, g.systems, g.halls = ids, _Names(systems), halls
    g._lists = None   # (its names are tokens now)
    g._tokens = True


class Templates:
    """A tokenised hall's violations, ready to be written in another hall's names."""

    def __init__(self, violations: list[Violation], hall_id: str) -> None:
        # a marker that is not a token's (a catalog name holding one): no template. Every
        # token holds one of each marker, so all are tokens' when the counts are equal.
        joined = "\n".join([v.message for v in violations])
        marks = joined.count(MARK)
        if joined.count(END) != marks or (marks and len(_TOKEN.findall(joined)) != marks):
            bad = next(v.message for v in violations if v.message.count(MARK) != len(_TOKEN.findall(v.message))
                       or v.message.count(END) != v.message.count(MARK))
            raise ValueError(f"a message holds the token marker: {bad!r}")
        key_of = {i: HALL_ID if i == hall_id else _key(i) for i in {i for v in violations for i in v.ids}}
        get = key_of.__getitem__
        # tokens become %-format keys; any other % is written as it is
        self.items = [(v.kind, tuple(map(get, v.ids)),
                       v.message.replace("%", "%%").replace(MARK, "%(").replace(END, ")s"), v.x, v.y)
                      for v in violations]
        self.errors = sum(SEVERITY[kind] == "error" for kind, *_ in self.items)
        self._json: bytes | None = None

    def __len__(self) -> int:
        return len(self.items)

    def written(self, hall, names: dict[str, str]) -> list[Violation]:
        """The violations in the hall's names (``names``: :meth:`HallNames.names`)."""
        hall_id = hall.id
        get = names.__getitem__
        return [violation(kind, tuple(map(get, keys)), text % names, hall_id, x, y)
                for kind, keys, text, x, y in self.items]

    def json_format(self) -> bytes:
        """Every violation's record as the JSON report writes it (the items of its
        top-level ``violations`` list, indented as there, joined by ``,`` lines), in UTF-8:
        a ``%``-format on names escaped as JSON strings' contents (:meth:`Written.json_lines`;
        formatting bytes is a copy, about twice as fast as formatting text and encoding it).

        The text ``json.dumps(report, indent=2, ensure_ascii=False)`` writes for
        :meth:`Violation.to_dict`: its keys in order, each string escaped by the same
        encoder (a ``%(key)s`` holds nothing it escapes), each number as it writes it."""
        if self._json is None:
            heads = {kind: f'    {{\n      "kind": {encode_basestring(kind)},\n      "severity": '
                           f'{encode_basestring(SEVERITY[kind])},\n      "ids": ' for kind in SEVERITY}
            tail = f',\n      "hall": "%({HALL_ID})s",\n      "location": [\n        '
            records = []
            for kind, keys, text, x, y in self.items:
                ids = ('[\n        "%(' + ')s",\n        "%('.join(keys) + ')s"\n      ]') if keys else "[]"
                x, y = round(x, 3), round(y, 3)   # (finite: float.__repr__, as json.dumps writes it)
                records.append(f'{heads[kind]}{ids},\n      "message": {encode_basestring(text)}{tail}'
                               f'{repr(x) if x - x == 0 else json.dumps(x)},\n        '
                               f'{repr(y) if y - y == 0 else json.dumps(y)}\n      ]\n    }}')
            self._json = ",\n".join(records).encode("utf-8")
        return self._json


class Written(Sequence):
    """A hall's violations written from its kind's templates, on demand: the list when
    first asked for (the app), the JSON report's text of them without the objects
    (:meth:`json_lines`), the counts by severity at once."""

    __slots__ = ("templates", "hall", "names", "_list")

    def __init__(self, templates: Templates, hall, names: dict[str, str]) -> None:
        self.templates, self.hall, self.names = templates, hall, names
        self._list: list[Violation] | None = None

    @property
    def errors(self) -> int:
        return self.templates.errors

    def list(self) -> list[Violation]:
        if self._list is None:
            self._list = self.templates.written(self.hall, self.names)
        return self._list

    def __len__(self) -> int:
        return len(self.templates)

    def __getitem__(self, i):
        return self.list()[i]

    def __iter__(self):
        return iter(self.list())

    def __eq__(self, other) -> bool:
        return self.list() == (other.list() if isinstance(other, Written) else other)

    __hash__ = None

    def json_lines(self) -> bytes:
        """The report's text of these violations (:meth:`Templates.json_format`), UTF-8."""
        names = self.names
        joined = "".join(names.values())
        if len(encode_basestring(joined)) == len(joined) + 2:   # (no name needs escaping)
            values = names.values()
        else:
            values = [encode_basestring(v)[1:-1] for v in names.values()]
        return self.templates.json_format() % dict(zip(map(_BYTES.__getitem__, names), map(str.encode, values)))


def _key(token: str) -> str:
    if len(token) < 3 or token[0] != MARK or token[-1] != END or token[1] not in "ish":
        raise ValueError(f"not a token: {token!r}")
    return token[1:-1]


class HallNames:
    """A hall's names in the orders the templates follow, from one sort of its ids: each
    row's id rank (``ranks``), the ids sorted (``ranked``), its UltraServers' codes by
    first appearance (``systems``)."""

    __slots__ = ("ranks", "ranked", "systems")

    def __init__(self, design, rows: np.ndarray) -> None:
        t = design.equipment
        self.ranks, self.ranked = _ranked(t.ids, rows)
        self.systems = hall_systems(t.system_code[rows])

    def orders(self) -> tuple[np.ndarray, np.ndarray]:
        """What :meth:`fits` compares: the ids' ranks, the order in which the UltraServers'
        codes rise."""
        return self.ranks, np.argsort(self.systems, kind="stable")

    def fits(self, src: tuple[np.ndarray, np.ndarray]) -> bool:
        """Whether this hall alike (same digest) may take the templates of the hall whose
        :meth:`orders` are ``src``: its ids sort in the same order, its UltraServers' codes
        rise in the same order."""
        ranks, rising = self.orders()
        return np.array_equal(src[0], ranks) and np.array_equal(src[1], rising)

    def names(self, design, hall) -> dict[str, str]:
        """The names the hall's templates are written with: its items' ids by rank, its
        UltraServers by first appearance, its name and its id."""
        out = dict(zip(_keys("i", len(self.ranked)), self.ranked))
        system_names = design.equipment.systems.names
        out.update(zip(_keys("s", len(self.systems)), [system_names[c] for c in self.systems.tolist()]))
        out["h"] = hall.name
        out[HALL_ID] = hall.id
        return out


_KEYS: dict[str, list[str]] = {"i": [], "s": []}


class _Encoded(dict):
    """Keys as UTF-8, each encoded once (every hall's names have the same keys)."""

    def __missing__(self, key: str) -> bytes:
        self[key] = value = key.encode()
        return value


_BYTES = _Encoded()


def _keys(kind: str, n: int) -> list[str]:
    """The first ``n`` keys of a kind of token (``i0000000``…, ``s0``…), made once."""
    keys = _KEYS[kind]
    if len(keys) < n:
        keys.extend(f"i{k:07d}" if kind == "i" else f"s{k}" for k in range(len(keys), n))
    return keys[:n]


def shared_systems(design) -> np.ndarray:
    """Per UltraServer code: whether its racks stand in more than one hall."""
    t = design.equipment
    n = len(t.systems.names)
    named = t.system_code >= 0
    if not named.any():
        return np.zeros(n, bool)
    pairs = unique(t.system_code[named].astype(np.int64) * (len(t.halls.names) + 1) + t.hall_code[named])
    return np.bincount(pairs // (len(t.halls.names) + 1), minlength=n) > 1


def templatable(design, hall, rows: np.ndarray, shared: np.ndarray) -> bool:
    """A hall whose names may be tokens: its UltraServers stand in it alone, and no name
    of it holds the token marker."""
    t = design.equipment
    codes = t.system_code[rows]
    codes = codes[codes >= 0]
    if len(codes) and shared[codes].any():
        return False
    ids = t.ids
    names = t.systems.names
    return (MARK not in hall.name and MARK not in "".join([ids[r] for r in rows.tolist()])
            and MARK not in "".join([names[c] for c in unique(codes).tolist()]))


def write_alike(design, halls, rows: list, keys: list, first_of: dict, tokenised: set, shared: np.ndarray,
                found: dict) -> tuple[dict[str, Written], list[int]]:
    """Per hall (by id), its violations written from its kind's templates; and the halls
    (indices, rising) to evaluate on their own: a first hall whose templates failed, a hall
    they do not fit. ``keys`` are the halls' digests, ``first_of`` the first hall of each,
    ``tokenised`` the first halls evaluated with tokens, ``found`` the violations of the
    first halls' evaluation by hall id."""
    firsts = sorted(first_of.values())
    first_set = set(firsts)
    templates: dict[bytes, Templates | None] = {}   # per kind: the first's templates (None: none fit)
    written: dict[str, Written] = {}
    own = []
    for i in firsts:
        found_here = found.get(halls[i].id, [])
        if i in tokenised:
            try:
                templates[keys[i]] = Templates(found_here, halls[i].id)
            except ValueError:    # (a name the tokens did not cover: evaluated again, by name)
                templates[keys[i]] = None
                own.append(i)
                continue
            written[halls[i].id] = Written(templates[keys[i]], halls[i],
                                           HallNames(design, rows[i]).names(design, halls[i]))
        elif not found_here:
            templates[keys[i]] = Templates([], halls[i].id)
        else:
            templates[keys[i]] = None
    src_orders: dict[int, tuple] = {}   # (each kind's first, compared once)
    for i, hall in enumerate(halls):
        if i in first_set:
            continue
        tpl, src = templates[keys[i]], first_of[keys[i]]
        if tpl is not None and not len(tpl):
            written[hall.id] = []
        elif tpl is not None and templatable(design, hall, rows[i], shared):
            if src not in src_orders:
                src_orders[src] = HallNames(design, rows[src]).orders()
            here = HallNames(design, rows[i])
            if here.fits(src_orders[src]):
                written[hall.id] = Written(tpl, hall, here.names(design, hall))
            else:
                own.append(i)
        else:
            own.append(i)
    own.sort()
    return written, own
