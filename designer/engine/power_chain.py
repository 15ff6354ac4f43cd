"""The electrical chain above the busways: utility → transformer → switchboard → UPS → busway.

A design's ``power_chain`` lists nodes ``{"id", "type", "parent"}`` (``parent`` null: fed
by the utility) of catalog types with ``capacity_kw`` and ``efficiency``; a busway names
its ``source`` node. A node's *load* is the sum of what its children draw (busways: what
the racks beneath them ask for); what it *draws* is load ÷ efficiency; the difference is
its *loss* (PRODUCT.md §8). A node over its capacity is a ``power-capacity`` error.
Generators (``site.generators {"type", "count"}``) are checked against the design-day
facility load with the declared power redundancy (N+1: one set spare; 2N: half spare).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designer.engine.evaluation import Violation
from designer.engine.group import fmt_kw


@dataclass(frozen=True)
class ChainNode:
    """One node's figures after the load has rolled up."""

    id: str
    type: str
    parent: str | None
    load_kw: float
    capacity_kw: float
    input_kw: float
    loss_kw: float

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "load_kw": round(self.load_kw, 6),
                "capacity_kw": round(self.capacity_kw, 6), "input_kw": round(self.input_kw, 6),
                "loss_kw": round(self.loss_kw, 6)}


def chain_of(design) -> list[dict]:
    """The design's power-chain nodes (as read from the file; empty when it has none)."""
    return list(design.extra.get("power_chain") or [])


def busway_sources(design) -> dict[str, str]:
    """Busway id → the chain node it is fed from."""
    t = design.equipment
    return {item_id: str(extra["source"]) for item_id, extra in t.extra.items() if extra.get("source") is not None}


def descendants(nodes: list[dict]) -> dict[str, set[str]]:
    """Node id → itself and every node below it."""
    children: dict[str | None, list[str]] = {}
    for n in nodes:
        children.setdefault(n.get("parent"), []).append(n["id"])
    out: dict[str, set[str]] = {}

    def walk(node_id: str) -> set[str]:
        if node_id not in out:
            below = {node_id}
            for child in children.get(node_id, ()):
                below |= walk(child)
            out[node_id] = below
        return out[node_id]

    for n in nodes:
        walk(n["id"])
    return out


def busways_under(design) -> dict[str, list[str]]:
    """Node id → the busways fed through it (directly or through nodes below it)."""
    nodes = chain_of(design)
    below = descendants(nodes)
    sources = busway_sources(design)
    out: dict[str, list[str]] = {n["id"]: [] for n in nodes}
    for bw, node in sources.items():
        for n_id, subtree in below.items():
            if node in subtree:
                out[n_id].append(bw)
    return out


def roll_up(design, catalog, busway_load_kw: dict[str, float]) -> list[ChainNode]:
    """Each node's load, capacity, input and loss, children before parents."""
    nodes = chain_of(design)
    if not nodes:
        return []
    by_id = {n["id"]: n for n in nodes}
    load = {n["id"]: 0.0 for n in nodes}
    for bw, node in busway_sources(design).items():
        if node in load:
            load[node] += busway_load_kw.get(bw, 0.0)
    # children before parents: depth-first post-order from the roots
    order: list[str] = []
    seen: set[str] = set()
    children: dict[str | None, list[str]] = {}
    for n in nodes:
        children.setdefault(n.get("parent"), []).append(n["id"])

    def visit(node_id: str) -> None:
        if node_id in seen:
            return
        seen.add(node_id)
        for child in children.get(node_id, ()):
            visit(child)
        order.append(node_id)

    for root in children.get(None, ()):
        visit(root)
    out: dict[str, ChainNode] = {}
    for node_id in order:
        n = by_id[node_id]
        spec = catalog.types[n["type"]]
        eff = spec.get("efficiency", 1.0)
        node_load = load[node_id]
        drawn = node_load / eff if eff > 0 else math.inf
        out[node_id] = ChainNode(node_id, n["type"], n.get("parent"), node_load, spec.get("capacity_kw"), drawn,
                                 drawn - node_load)
        parent = n.get("parent")
        if parent in load:
            load[parent] += drawn
    return [out[n["id"]] for n in nodes if n["id"] in out]


def chain_violations(nodes: list[ChainNode]) -> list[Violation]:
    """``power-capacity`` for every node whose load is over its capacity."""
    return [Violation("power-capacity", (n.id,), f"{n.type} {n.id} carries {fmt_kw(n.load_kw)}, over its "
                      f"{fmt_kw(n.capacity_kw)} capacity", "", 0.0, 0.0)
            for n in nodes if n.load_kw > n.capacity_kw + 1e-9]


def generator_check(design, catalog, facility_kw: float, redundancy: str) -> tuple[dict | None, list[Violation]]:
    """The site's generators against the design-day facility load, with the declared
    power redundancy: N+1 keeps one set spare, 2N half of them."""
    gen = design.site.extra.get("generators")
    if not gen:
        return None, []
    spec = catalog.types[gen["type"]]
    count = int(gen["count"])
    spare = {"N": 0, "N+1": 1, "2N": count - count // 2}.get(redundancy, 0)
    usable = max(count - spare, 0) * spec.get("capacity_kw")
    summary = {"type": gen["type"], "count": count, "spare": spare, "usable_kw": round(usable, 6),
               "load_kw": round(facility_kw, 6)}
    if facility_kw <= usable + 1e-9:
        return summary, []
    return summary, [Violation("power-capacity", ("generators",), f"{count} × {gen['type']} with {spare} spare "
                               f"({redundancy}) give {fmt_kw(usable)}, under the design-day facility load of "
                               f"{fmt_kw(facility_kw)}", "", 0.0, 0.0)]


def busway_load_by_id(evaluation) -> dict[str, float]:
    """Busway id → its load (what the racks beneath it ask for)."""
    rows = evaluation.busway_items
    if rows is None or not len(rows):
        return {}
    return dict(zip(evaluation.busway_ids, np.asarray(evaluation.items.load_kw)[rows].tolist()))
