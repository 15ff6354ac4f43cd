"""The evaluator's hall-local results in hall-sorted order, and how they are put together.

:class:`Store` keeps every hall's per-item columns, cable runs, violations and sums, each
hall a contiguous slice, so that an edit splices one hall in. The functions join the
results of groups of halls (:func:`join_results`), let halls alike take the results of
the first of their kind (:func:`replicated`), and scatter hall-sorted columns to design
rows for the per-item table (:func:`scatter`, or :func:`patch_items` of the halls an edit
touched)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from designer.engine.evaluation import HALL_FLAGS, SEVERITY, STATUS_ERROR, STATUS_OK, STATUS_WARNING, ItemTable, Links
from designer.engine.rules import GroupResult, HallSums, ItemColumns
from designer.engine.rules.interconnect import LinkRuns
from designer.engine.rules.throughput import effective_systems, stranded_items
from designer.engine.types import COMPUTE

class Store:
    """The hall-local results of every hall, in hall-sorted order: per-item columns,
    each hall's cable runs (positions within the hall), violations and sums (rows in
    design order of halls), and each hall's slice of the order.

    The per-item columns are kept per hall (:attr:`parts`, positions within the hall), so
    that an edit replaces its hall's part and copies nothing else; the joined columns of
    all halls (:attr:`items`, or one of them, :meth:`column`) are put together when asked
    for, and kept until the next splice. Parts are never written to: earlier evaluations
    keep reading theirs."""

    def __init__(self, res: GroupResult, slices: dict[str, tuple[int, int]], hall_ids: list[str]):
        self.slices = dict(slices)
        self.hall_ids = list(hall_ids)
        #: hall → its columns (positions within the hall); None: its slice of ``_whole``
        self.parts: dict[str, ItemColumns | None] = dict.fromkeys(self.hall_ids)
        self._whole = res.items          # the group's columns the None parts are slices of
        self._joined: dict[str, np.ndarray] = {f.name: getattr(res.items, f.name) for f in fields(ItemColumns)}
        self._gathered: dict[str, list] = {}   # column → [positions, slices, per hall, values, splices read]
        self._spliced: list[str] = []          # the halls spliced, in order (gather's memory)
        self.links = links_by_hall(res.links, [slices[h] for h in hall_ids], hall_ids)
        self.violations = res.violations
        self.sums = res.sums

    def part(self, hall_id: str) -> ItemColumns:
        """One hall's columns, positions within the hall."""
        part = self.parts[hall_id]
        if part is None:
            lo, hi = self.slices[hall_id]
            whole = self._whole
            part = ItemColumns(**{
                name: (np.where(col >= 0, col - lo, -1) if name in ItemColumns.POSITIONS else col)
                for name in whole.names() for col in [getattr(whole, name)[..., lo:hi]]})
            self.parts[hall_id] = part
        return part

    def column(self, name: str) -> np.ndarray:
        """One per-item column of all halls in hall-sorted order (positions in that order)."""
        col = self._joined.get(name)
        if col is None:
            blocks = []
            for hall_id in self.hall_ids:
                block = getattr(self.part(hall_id), name)
                if name in ItemColumns.POSITIONS:
                    block = np.where(block >= 0, block + self.slices[hall_id][0], -1)
                blocks.append(block)
            col = self._joined[name] = np.concatenate(blocks, axis=-1)
        return col

    def gather(self, name: str, pos: np.ndarray) -> np.ndarray:
        """``column(name)[pos]`` without joining every hall: kept for the array ``pos`` and
        brought up to date from the halls spliced since (an edit reads one hall again).
        The array returned is never written to afterwards."""
        if name in self._joined:
            return self._joined[name][pos]
        memo = self._gathered.get(name)
        if memo is None or memo[0] is not pos or memo[1] != self.slices:
            ends = np.array([self.slices[h][1] for h in self.hall_ids], np.int64)
            k = np.searchsorted(ends, pos, side="right")   # (halls' slices follow one another)
            groups = {}
            for j in np.unique(k).tolist():
                at = np.flatnonzero(k == j)
                hall_id = self.hall_ids[j]
                groups[hall_id] = (at, pos[at] - self.slices[hall_id][0])
            values = np.zeros(len(pos), getattr(self._whole, name).dtype)
            for hall_id, (at, local) in groups.items():
                values[at] = getattr(self.part(hall_id), name)[local]
            memo = self._gathered[name] = [pos, dict(self.slices), groups, values, len(self._spliced)]
            return values
        stale = [h for h in dict.fromkeys(self._spliced[memo[4]:]) if h in memo[2]]
        memo[4] = len(self._spliced)
        if stale:
            values = memo[3] = memo[3].copy()
            for hall_id in stale:
                at, local = memo[2][hall_id]
                values[at] = getattr(self.part(hall_id), name)[local]
        return memo[3]

    @property
    def items(self) -> ItemColumns:
        """Every per-item column of all halls, joined."""
        return ItemColumns(**{f.name: self.column(f.name) for f in fields(ItemColumns)})

    def snapshot(self) -> "Store":
        """The per-item results as they are now, for an evaluation to read later: a store
        sharing the (never written) parts, unaffected by later splices."""
        copy = object.__new__(Store)
        copy.__dict__.update(self.__dict__)
        copy.parts = dict(self.parts)
        copy.slices = dict(self.slices)
        copy._joined = dict(self._joined)
        copy._gathered, copy._spliced = {}, []
        return copy

    def splice(self, hall_id: str, res: GroupResult) -> None:
        """Replace one hall's results (a group of that hall alone)."""
        lo, hi = self.slices[hall_id]
        delta = len(res.items.powered) - (hi - lo)
        for other in self.hall_ids:   # (the parts still slices of the whole, before it moves)
            if delta and self.parts[other] is None and other != hall_id:
                self.part(other)
        self.parts[hall_id] = res.items   # positions within the hall (a group of one)
        self._joined = {}
        self._spliced.append(hall_id)
        if len(self._spliced) > 4096:   # (a long session: start the memory afresh)
            self._spliced, self._gathered = [], {}
        self.links[hall_id] = res.links  # positions within the hall (a group of one)
        self.violations[hall_id] = res.violations[hall_id]
        h = self.hall_ids.index(hall_id)
        for name in self.sums.names():
            old, new = getattr(self.sums, name), getattr(res.sums, name)
            if old.shape[1:] != new.shape[1:]:  # (by_type: a type was added since) pad to the wider
                width = max(old.shape[1], new.shape[1])
                old, new = pad_types(old, width), pad_types(new, width)
                setattr(self.sums, name, old)
            old[h] = new[0]
        for other, (a, b) in list(self.slices.items()):
            if other == hall_id:
                self.slices[other] = (lo, hi + delta)
            elif a >= hi:
                self.slices[other] = (a + delta, b + delta)

    def joined_links(self) -> LinkRuns:
        """Every hall's cable runs in hall order, positions in the hall-sorted order."""
        return joined_links(dict(self.links), self.hall_ids, [self.slices[h] for h in self.hall_ids])


def links_by_hall(links: LinkRuns, slices: list[tuple[int, int]], hall_ids: list[str]) -> dict[str, LinkRuns]:
    """A group's cable runs (group positions) split per hall, with positions within the
    hall; each hall's runs keep their order."""
    ends = np.array([hi for _, hi in slices], np.int64)
    h = np.searchsorted(ends, links.rack, side="right") if len(ends) else np.zeros(len(links.rack), np.int64)
    order = np.argsort(h, kind="stable")
    cuts = np.searchsorted(h[order], np.arange(len(hall_ids) + 1))
    out = {}
    for k, hall_id in enumerate(hall_ids):
        sel = order[cuts[k]:cuts[k + 1]]
        lo = slices[k][0]
        out[hall_id] = LinkRuns(links.rack[sel] - lo, links.network[sel] - lo, links.count[sel],
                                links.length_m[sel], links.medium[sel])
    return out


def joined_links(links_h: dict[str, LinkRuns], hall_ids: list[str], slices: list[tuple[int, int]]) -> LinkRuns:
    """Every hall's cable runs in hall order, positions in the hall-sorted order."""
    parts = [links_h[h] for h in hall_ids]
    if not parts:
        return LinkRuns.empty()
    offset = np.repeat(np.array([lo for lo, _ in slices], np.int64), [len(p.rack) for p in parts])
    return LinkRuns(np.concatenate([p.rack for p in parts]) + offset,
                    np.concatenate([p.network for p in parts]) + offset,
                    np.concatenate([p.count for p in parts]), np.concatenate([p.length_m for p in parts]),
                    np.concatenate([p.medium for p in parts]))


def pad_types(by_type: np.ndarray, n_types: int) -> np.ndarray:
    """Per-hall, per-type sums widened to ``n_types`` types (types are only ever added)."""
    if by_type.shape[1] == n_types:
        return by_type
    out = np.zeros((by_type.shape[0], n_types, *by_type.shape[2:]))
    out[:, :by_type.shape[1]] = by_type
    return out


def replicated(halls, sources: list[str], parts: list[tuple[GroupResult, dict[str, int]]],
                slices: dict[str, tuple[int, int]], written: dict[str, list] | None = None) -> GroupResult:
    """The result of every hall (design order) from groups evaluated for some of them:
    hall i takes the results of hall ``sources[i]`` (itself, or the first hall alike),
    found in one of ``parts`` (a group result and each of its halls' index in it), with
    positions moved to the hall's own slice of the order. A hall's violations are those
    ``written`` for it (templates.py) if given, else its own group's (a hall alike of a
    clean kind: none)."""
    written = written or {}
    where: dict[str, tuple[int, int, int]] = {}   # hall → (part, index in its group, start in the group)
    for p, (res, index) in enumerate(parts):
        starts = {}
        lo = 0
        for hall_id, k in sorted(index.items(), key=lambda kv: kv[1]):
            starts[hall_id] = lo
            lo += slices[hall_id][1] - slices[hall_id][0]
        for hall_id, k in index.items():
            where[hall_id] = (p, k, starts[hall_id])
    gather = [[] for _ in parts]       # per part: (source start, length, destination start)
    for hall, src in zip(halls, sources):
        p, k, lo = where[src]
        dst_lo, dst_hi = slices[hall.id]
        gather[p].append((lo, dst_hi - dst_lo, dst_lo, k, src, hall.id))
    n = max((hi for _, hi in slices.values()), default=0)
    first = parts[0][0]
    columns = {}
    for name in first.items.names():
        proto = getattr(first.items, name)
        out = np.zeros(proto.shape[:-1] + (n,), proto.dtype)
        for p, (res, _) in enumerate(parts):
            col = getattr(res.items, name)
            for lo, size, dst, *_ in gather[p]:
                block = col[..., lo:lo + size]
                if name in ItemColumns.POSITIONS:
                    block = np.where(block >= 0, block - lo + dst, -1)
                out[..., dst:dst + size] = block
        columns[name] = out
    links, violations = [], {}
    sums_src = []
    for hall, src in zip(halls, sources):
        p, k, lo = where[src]
        res = parts[p][0]
        size = slices[hall.id][1] - slices[hall.id][0]
        dst = slices[hall.id][0]
        mask = (res.links.rack >= lo) & (res.links.rack < lo + size)
        links.append(LinkRuns(res.links.rack[mask] - lo + dst, res.links.network[mask] - lo + dst,
                              res.links.count[mask], res.links.length_m[mask], res.links.medium[mask]))
        sums_src.append((p, k))
        if hall.id in written:
            violations[hall.id] = written[hall.id]
        else:
            violations[hall.id] = list(res.violations.get(hall.id, ())) if src == hall.id else []
    joined = LinkRuns(*(np.concatenate([getattr(lr, f) for lr in links]) for f in LinkRuns._fields))
    sums = HallSums(**{f.name: np.stack([getattr(parts[p][0].sums, f.name)[k] for p, k in sums_src])
                       for f in fields(HallSums)})
    return GroupResult(ItemColumns(**columns), joined, violations, sums)


def join_results(a: GroupResult, b: GroupResult, n_a: int) -> GroupResult:
    """The result of two consecutive groups of halls as one (b's positions follow a's)."""
    columns = {}
    for name in a.items.names():
        x, y = getattr(a.items, name), getattr(b.items, name)
        if name in ItemColumns.POSITIONS:
            y = np.where(y >= 0, y + n_a, -1)
        columns[name] = np.concatenate([x, y], axis=-1)
    links = LinkRuns(*(np.concatenate([p, q + (n_a if k < 2 else 0)])
                       for k, (p, q) in enumerate(zip(a.links, b.links))))
    sums = HallSums(**{f.name: np.concatenate([getattr(a.sums, f.name), getattr(b.sums, f.name)])
                       for f in fields(HallSums)})
    return GroupResult(ItemColumns(**columns), links, {**a.violations, **b.violations}, sums)


def status_of(flags: dict[str, np.ndarray], powered: np.ndarray, cooled: np.ndarray) -> np.ndarray:
    status = np.full(len(powered), STATUS_OK, np.int8)
    for k, mask in flags.items():
        level = STATUS_ERROR if SEVERITY[k] == "error" else STATUS_WARNING
        status[mask] = np.maximum(status[mask], level)
    status[~powered | ~cooled] = STATUS_ERROR
    return status


def empty_column(columns: ItemColumns, name: str, n: int) -> np.ndarray:
    """An empty per-row array for a stored column (rows no hall holds keep these values)."""
    if name in ItemColumns.POSITIONS:
        return np.full(n, -1, np.int64)
    if name in ("powered", "cooled"):
        return np.ones(n, bool)
    return np.zeros(n, getattr(columns, name).dtype)


SCATTERED = ("powered", "cooled", "served_by_busway", "served_by_busway_b", "served_by_cdu", "served_by_air",
              "load_kw", "limit_kw", "failover_kw", "ports_used", "link_down")


def rows_of(columns: ItemColumns, name: str, order: np.ndarray, start: int = 0) -> np.ndarray:
    """A stored column in design rows: positions (``start`` + the stored one) turned into
    rows through ``order``."""
    src = getattr(columns, name)
    if name in ItemColumns.POSITIONS:
        src = np.where(src >= 0, order[np.maximum(src, 0) + start], -1)
    return src


def scatter(order, columns: ItemColumns, links: LinkRuns, tc, sys_code, n_sys, types) -> ItemTable:
    """The per-item table in row order from hall-sorted stored results."""
    n = len(tc)
    flags = {k: np.zeros(n, bool) for k in SEVERITY}
    for k, row in zip(HALL_FLAGS, columns.flag_block):
        flags[k][order] = row
    out = {}
    for name in SCATTERED:
        full = empty_column(columns, name, n)
        full[order] = rows_of(columns, name, order)
        out[name] = full
    it = types.it_kw[tc]
    lf = types.liquid_fraction[tc]
    status = status_of(flags, out["powered"], out["cooled"])
    comp = np.flatnonzero(types.kind[tc] == COMPUTE)
    bad = stranded_items(flags, out["powered"], out["cooled"], out["link_down"])
    return ItemTable(status=status, flags=flags, it_kw=it, liquid_kw=it * lf, air_kw=it - it * lf,
                     links=Links(order[links.rack], order[links.network], links.count, links.length_m, links.medium),
                     system_effective=effective_systems(sys_code[comp], bad[comp], n_sys), **out)


def patch_items(previous: ItemTable, touched: list[tuple[int, int, ItemColumns]], order, links: LinkRuns, tc,
                sys_code, n_sys, types) -> ItemTable:
    """:func:`scatter`'s result, from the previous one (same rows, same halls) with the
    rows of the touched halls replaced: each given as (start, end) of its hall-sorted
    slice and its columns (positions within the hall)."""
    rows = np.concatenate([order[lo:hi] for lo, hi, _ in touched])
    flags = {k: v.copy() for k, v in previous.flags.items()}
    out = {name: getattr(previous, name).copy() for name in SCATTERED}
    for lo, hi, part in touched:
        at = order[lo:hi]
        for k, row in zip(HALL_FLAGS, part.flag_block):
            flags[k][at] = row
        for name in SCATTERED:
            out[name][at] = rows_of(part, name, order, lo)
    status = previous.status.copy()
    status[rows] = status_of({k: v[rows] for k, v in flags.items()}, out["powered"][rows], out["cooled"][rows])
    comp = np.flatnonzero(types.kind[tc] == COMPUTE)
    bad = stranded_items(flags, out["powered"], out["cooled"], out["link_down"])
    return ItemTable(status=status, flags=flags, it_kw=previous.it_kw, liquid_kw=previous.liquid_kw,
                     air_kw=previous.air_kw,
                     links=Links(order[links.rack], order[links.network], links.count, links.length_m, links.medium),
                     system_effective=effective_systems(sys_code[comp], bad[comp], n_sys), **out)
