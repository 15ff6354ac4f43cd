"""Power-chain edits (issue 13): add, remove and re-parent nodes, feed busways and declare
generators — each an exact undo through its inverse, and a cycle refused."""

from __future__ import annotations

import pytest

from designer.io import dumps_design, read_design
from designer.model.commands import (
    ChainError, Composite, SetPowerChain, add_chain_node, chain_nodes, feed_busways, fresh_node_id,
    remove_chain_node, set_chain_parent, set_generators,
)

from .support import item, listen, round_trip, two_halls

UPS, SWB, TX = "ups-1250kw", "switchboard-4000a", "transformer-2500kva"


def chained():
    """The two halls of :func:`two_halls` under tx1 → swb1 → ups1, bw1 fed from ups1."""
    d = two_halls()
    d.extra["power_chain"] = [{"id": "tx1", "type": TX, "parent": None}, {"id": "swb1", "type": SWB, "parent": "tx1"},
                              {"id": "ups1", "type": UPS, "parent": "swb1"}]
    d.equipment.extra["bw1"] = {"source": "ups1"}
    return d


def parents(d) -> dict:
    return {n["id"]: n["parent"] for n in chain_nodes(d)}


def test_set_power_chain_replaces_the_nodes_and_notifies_a_site_change():
    d = two_halls()
    rec = listen(d)
    nodes = [{"id": "tx1", "type": TX, "parent": None}]

    def edited(d):
        assert d.extra["power_chain"] == nodes and '"power_chain"' in dumps_design(d)

    inverse, _, _ = round_trip(d, SetPowerChain(nodes), edited)
    assert inverse.nodes is None  # undo: no chain at all, as the file had none
    assert {c.kind for c in rec.take()} == {"site"}
    nodes[0]["parent"] = "x"  # the command keeps its own copy
    SetPowerChain([{"id": "tx1", "type": TX, "parent": None}]).apply(d)
    assert d.extra["power_chain"][0]["parent"] is None


def test_add_a_node_under_a_parent_with_a_fresh_id():
    d = chained()
    assert fresh_node_id(d, "ups") == "ups2" and fresh_node_id(d, "transformer") == "tx2"

    def edited(d):
        assert parents(d)["ups2"] == "swb1" and chain_nodes(d)[-1]["type"] == UPS

    cmd = add_chain_node(d, UPS, "swb1", "ups2")
    round_trip(d, cmd, edited)
    assert cmd.label == "Add ups2"
    with pytest.raises(ChainError, match="taken"):
        add_chain_node(d, UPS, "swb1", "ups1")
    with pytest.raises(ChainError, match="taken"):
        add_chain_node(d, UPS, "swb1", "bw1")  # an item's id: ids name one thing
    with pytest.raises(ChainError, match="no parent 'swb9'"):
        add_chain_node(d, UPS, "swb9", "ups2")


def test_remove_a_node_moves_its_children_up_and_unfeeds_its_busways():
    d = chained()

    def edited(d):
        assert parents(d) == {"tx1": None, "ups1": "tx1"}
        assert item(d, "bw1").extra["source"] == "ups1"  # fed from ups1 still, now under tx1

    cmd = remove_chain_node(d, "swb1")
    round_trip(d, cmd, edited)

    def unfed(d):
        assert parents(d) == {"tx1": None, "swb1": "tx1"} and "source" not in item(d, "bw1").extra

    cmd = remove_chain_node(d, "ups1")
    assert isinstance(cmd, Composite) and cmd.label == "Remove ups1"
    round_trip(d, cmd, unfed)
    # the last node: no chain left in the file
    d2 = two_halls()
    d2.extra["power_chain"] = [{"id": "tx1", "type": TX, "parent": None}]
    remove_chain_node(d2, "tx1").apply(d2)
    assert "power_chain" not in d2.extra and '"power_chain"' not in dumps_design(d2)


def test_set_a_parent_and_a_cycle_is_refused():
    d = chained()

    def edited(d):
        assert parents(d)["ups1"] == "tx1"

    round_trip(d, set_chain_parent(d, "ups1", "tx1"), edited)
    round_trip(d, set_chain_parent(d, "swb1", None), lambda d: parents(d)["swb1"] is None)
    with pytest.raises(ChainError, match=r"tx1 cannot be fed from ups1 \(ups1 is fed through tx1\)"):
        set_chain_parent(d, "tx1", "ups1")
    with pytest.raises(ChainError, match="cannot feed itself"):
        set_chain_parent(d, "swb1", "swb1")
    assert parents(d) == {"tx1": None, "swb1": "tx1", "ups1": "swb1"}  # nothing changed


def test_feed_busways_from_a_node_in_one_step():
    d = chained()
    d.extra["power_chain"].append({"id": "ups2", "type": UPS, "parent": "swb1"})
    rec = listen(d)

    def edited(d):
        assert item(d, "bw1").extra["source"] == "ups2"

    cmd = feed_busways(d, ["bw1"], "ups2")
    round_trip(d, cmd, edited)
    assert cmd.label == "Feed 1 busway from ups2"
    assert all(c.kind == "updated" and c.ids == ("bw1",) and c.halls == ("A",) for c in rec.take())
    round_trip(d, feed_busways(d, ["bw1"], None), lambda d: "source" not in item(d, "bw1").extra)
    assert feed_busways(d, ["bw1"], "ups1").commands == []  # already fed from ups1
    with pytest.raises(ChainError):
        feed_busways(d, ["bw1"], "ups9")


def test_generators_are_declared_changed_and_removed():
    d = two_halls()
    d.site.extra["coolant"] = "water"

    def declared(d):
        assert d.site.extra == {"coolant": "water", "generators": {"type": "generator-3000kw", "count": 4}}

    round_trip(d, set_generators(d, "generator-3000kw", 4), declared)
    set_generators(d, "generator-3000kw", 4).apply(d)
    round_trip(d, set_generators(d, "generator-3000kw", 0), lambda d: d.site.extra == {"coolant": "water"})


def test_the_full_hall_sample_round_trips_every_chain_edit(full_hall_path):
    d = read_design(full_hall_path)
    text = dumps_design(d)
    first_ups = next(n["id"] for n in chain_nodes(d) if n["type"] == UPS)
    commands = [add_chain_node(d, UPS, parents(d)[first_ups], fresh_node_id(d, "ups")),
                remove_chain_node(d, first_ups), set_chain_parent(d, first_ups, None),
                feed_busways(d, ["bw1A", "bw2A"], chain_nodes(d)[-1]["id"]), set_generators(d, "generator-3000kw", 12)]
    for cmd in commands:
        inverse = cmd.apply(d)
        assert dumps_design(d) != text, cmd
        inverse.apply(d)
        assert dumps_design(d) == text, cmd
