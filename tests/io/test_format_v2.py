"""Design file format version 2 (PRODUCT.md §8, issue 13): feeds, sources, loops, the power
chain, generators, declared redundancy, coolant and a hall's power feed. Each field reads
into the place the engine reads it from and is written back byte for byte; each bad value
is refused with one line naming its place; version-1 files open unchanged and save as 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from designer.engine import evaluate
from designer.engine.group import feed_b_rows, loop_rows
from designer.engine.power_chain import busway_sources, chain_of
from designer.engine.resilience import declared_redundancy
from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design
from designer.io import dcplan

CHAIN = [
    {"id": "tx1", "type": "transformer-2500kva", "parent": None},
    {"id": "swb1", "type": "switchboard-4000a", "parent": "tx1"},
    {"id": "upsA", "type": "ups-1250kw", "parent": "swb1"},
    {"id": "upsB", "type": "ups-1250kw", "parent": "swb1"},
]


def v2_doc() -> dict:
    """A small version-2 design using every v2 field.

    equipment[0] us1-r1, [1] us1-r2 (compute, loop L1), [2] net1, [3] cdu1 (loop L1),
    [4] bwA (feed A, source upsA), [5] bwB (feed B, source upsB).
    """
    return {
        "format": "datacenter-designer",
        "version": 2,
        "name": "v2 pilot",
        "site": {"utility_capacity_kw": 60000, "pue": 1.15, "electricity_price_per_kwh": 0.08,
                 "grid_kg_co2_per_kwh": 0.35, "currency": "USD",
                 "coolant": "pg25",
                 "generators": {"type": "generator-3000kw", "count": 2},
                 "redundancy": {"power": "2N", "cooling": "N+1", "network": "N"}},
        "assumptions": {},
        "halls": [{"id": "A", "name": "Hall A", "outline": [[0, 0], [48, 0], [48, 30], [0, 30]],
                   "columns": [], "keepouts": [], "floor_rating_kg_m2": 2500, "it_capacity_kw": 20000,
                   "power_feed": "busway"}],
        "equipment": [
            {"id": "us1-r1", "type": "trn3-gen2-rack", "hall": "A", "x": 4.3, "y": 5.6, "rotation": 0,
             "system": "us1", "loop": "L1"},
            {"id": "us1-r2", "type": "trn3-gen2-rack", "hall": "A", "x": 4.9, "y": 5.6, "rotation": 0,
             "system": "us1", "loop": "L1"},
            {"id": "net1", "type": "network-rack", "hall": "A", "x": 20.0, "y": 5.6, "rotation": 0},
            {"id": "cdu1", "type": "cdu-in-row", "hall": "A", "x": 2.0, "y": 5.6, "rotation": 0, "loop": "L1"},
            {"id": "bwA", "type": "busway-1200a", "hall": "A", "start": [1, 5.4], "end": [40, 5.4],
             "feed": "A", "source": "upsA"},
            {"id": "bwB", "type": "busway-1200a", "hall": "A", "start": [1, 5.8], "end": [40, 5.8],
             "feed": "B", "source": "upsB"},
        ],
        "power_chain": copy.deepcopy(CHAIN),
    }


def text_of(doc: dict) -> str:
    return json.dumps(doc, indent=2)


# ====================================================================== read and written back
def test_every_v2_field_lands_where_the_engine_reads_it() -> None:
    design = loads_design(text_of(v2_doc()))
    t = design.equipment
    assert t.extra["bwA"] == {"feed": "A", "source": "upsA"} and t.extra["bwB"] == {"feed": "B", "source": "upsB"}
    assert t.extra["us1-r1"] == {"loop": "L1"} and t.extra["cdu1"] == {"loop": "L1"} and "net1" not in t.extra
    assert design.extra["power_chain"] == CHAIN
    assert design.site.extra == {"coolant": "pg25", "generators": {"type": "generator-3000kw", "count": 2},
                                 "redundancy": {"power": "2N", "cooling": "N+1", "network": "N"}}
    assert design.halls[0].extra == {"power_feed": "busway"}
    # … and the engine's readers see them
    assert [t.ids[r] for r in feed_b_rows(t).nonzero()[0]] == ["bwB"]
    loops = loop_rows(t)
    assert loops[t.index["us1-r1"]] == loops[t.index["cdu1"]] == 1 and loops[t.index["net1"]] == 0
    assert chain_of(design) == CHAIN and busway_sources(design) == {"bwA": "upsA", "bwB": "upsB"}
    assert declared_redundancy(design.site) == {"power": "2N", "cooling": "N+1", "network": "N"}
    report = evaluate(design).report()
    assert report["name"] == "v2 pilot"


def test_a_v2_file_round_trips_byte_for_byte(tmp_path: Path) -> None:
    first = dumps_design(loads_design(text_of(v2_doc())))
    assert json.loads(first)["version"] == 2
    assert dumps_design(loads_design(first)) == first
    path = tmp_path / "v2.dcplan"
    write_design(loads_design(first), path)
    assert path.read_text(encoding="utf-8") == first
    assert dumps_design(read_design(path)) == first


def test_each_v2_field_is_written_back_in_its_sorted_place() -> None:
    text = dumps_design(loads_design(text_of(v2_doc())))
    doc = json.loads(text, object_pairs_hook=lambda p: p)
    keys = [k for k, _ in doc]
    assert keys == ["format", "version", "name", "site", "assumptions", "halls", "equipment", "power_chain"]
    site_keys = [k for k, _ in dict(doc)["site"]]
    assert site_keys == ["utility_capacity_kw", "pue", "electricity_price_per_kwh", "grid_kg_co2_per_kwh",
                         "currency", "coolant", "generators", "redundancy"]
    assert ('"power_chain": [{"id": "tx1", "type": "transformer-2500kva", "parent": null}, '
            '{"id": "swb1", "type": "switchboard-4000a", "parent": "tx1"}, ') in text
    lines = text.splitlines()
    assert '    {"id": "bwB", "type": "busway-1200a", "hall": "A", "start": [1, 5.8], "end": [40, 5.8], ' \
           '"feed": "B", "source": "upsB"}' in lines
    assert any(line.strip().startswith('{"id": "cdu1"') and line.rstrip(",").endswith('"loop": "L1"}')
               for line in lines)
    assert '      "power_feed": "busway"' in lines
    back = json.loads(text)
    assert back["site"]["generators"] == {"type": "generator-3000kw", "count": 2}
    assert back["halls"][0]["power_feed"] == "busway"


@pytest.mark.parametrize("variant", ["hall-feed", "no-parent-key", "empty-chain", "partial-redundancy",
                                     "water", "float-count", "forward-parent"])
def test_other_valid_values_read_and_round_trip(variant: str) -> None:
    doc = v2_doc()
    if variant == "hall-feed":
        doc["halls"][0]["power_feed"] = "hall"
    elif variant == "no-parent-key":  # parent left out: fed by the utility, like null
        del doc["power_chain"][0]["parent"]
    elif variant == "empty-chain":
        doc["power_chain"] = []
        for item in doc["equipment"]:
            item.pop("source", None)
    elif variant == "partial-redundancy":
        doc["site"]["redundancy"] = {"cooling": "N+1"}
    elif variant == "water":
        doc["site"]["coolant"] = "water"
    elif variant == "float-count":
        doc["site"]["generators"]["count"] = 3.0
    elif variant == "forward-parent":  # a node may name a parent listed after it
        doc["power_chain"].reverse()
    design = loads_design(text_of(doc))
    text = dumps_design(design)
    assert dumps_design(loads_design(text)) == text
    evaluate(design)


def test_hall_power_feed_hall_makes_the_assumed_power_warning() -> None:
    doc = v2_doc()
    doc["halls"][0]["power_feed"] = "hall"
    kinds = {v["kind"] for v in evaluate(loads_design(text_of(doc))).report()["violations"]}
    assert "assumed-power" in kinds


# ====================================================================== bad values
Mutation = Callable[[dict], None]


def _set(path: str, value: Any) -> Mutation:
    """Set a value at a dotted path with [i] indices, e.g. ``equipment[4].feed``."""
    def mutate(doc: dict) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        node: Any = doc
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _chain(nodes: list[dict], sources: bool = False) -> Mutation:
    def mutate(doc: dict) -> None:
        doc["power_chain"] = nodes
        if not sources:
            for item in doc["equipment"]:
                item.pop("source", None)
    return mutate


def _node(node_id: str, type_id: str = "ups-1250kw", parent: Any = None) -> dict:
    return {"id": node_id, "type": type_id, "parent": parent}


BAD: list[tuple[str, Mutation, str]] = [
    # busway feed and source
    ("feed-C", _set("equipment[4].feed", "C"), 'equipment[4].feed: expected "A" or "B", got "C"'),
    ("feed-lower", _set("equipment[5].feed", "b"), 'equipment[5].feed: expected "A" or "B", got "b"'),
    ("feed-number", _set("equipment[4].feed", 1), 'equipment[4].feed: expected "A" or "B", got 1'),
    ("feed-null", _set("equipment[4].feed", None), 'equipment[4].feed: expected "A" or "B", got null'),
    ("feed-on-rack", _set("equipment[0].feed", "A"),
     "equipment[0].feed: a compute item is not a busway (only busways have a feed)"),
    ("feed-on-cdu", _set("equipment[3].feed", "B"),
     "equipment[3].feed: a cdu item is not a busway (only busways have a feed)"),
    ("source-on-network", _set("equipment[2].source", "upsA"),
     "equipment[2].source: a network item is not a busway (only busways have a source)"),
    ("source-unknown", _set("equipment[4].source", "ups9"), 'equipment[4].source: no power_chain node "ups9"'),
    ("source-without-chain", lambda d: d.pop("power_chain"), 'equipment[4].source: no power_chain node "upsA"'),
    ("source-number", _set("equipment[5].source", 7), "equipment[5].source: expected text, got 7"),
    ("source-empty", _set("equipment[5].source", ""), "equipment[5].source: must not be empty"),
    # loop
    ("loop-number", _set("equipment[3].loop", 2), "equipment[3].loop: expected text, got 2"),
    ("loop-empty", _set("equipment[0].loop", " "), "equipment[0].loop: must not be empty"),
    ("loop-list", _set("equipment[1].loop", ["L1"]), "equipment[1].loop: expected text, got a list"),
    # power chain
    ("chain-not-list", _set("power_chain", {"id": "tx1"}), "power_chain: expected a list, got an object"),
    ("chain-node-not-object", _chain(["tx1"]), 'power_chain[0]: expected an object, got "tx1"'),
    ("chain-no-id", _chain([{"type": "ups-1250kw", "parent": None}]), "power_chain[0].id: missing"),
    ("chain-no-type", _chain([{"id": "u1", "parent": None}]), "power_chain[0].type: missing"),
    ("chain-duplicate-id", _chain([_node("u1"), _node("u1")]), 'power_chain[1].id: node id "u1" is used twice'),
    ("chain-unknown-type", _chain([_node("u1", "ups-9000kw")]),
     'power_chain[0].type: unknown power-chain type "ups-9000kw" (known: transformer-2500kva, '
     'switchboard-4000a, ups-1250kw)'),
    ("chain-busway-type", _chain([_node("u1", "busway-1200a")]),
     'power_chain[0].type: "busway-1200a" is a busway, not a transformer, switchboard or UPS'),
    ("chain-rack-type", _chain([_node("u1", "trn3-gen2-rack")]),
     'power_chain[0].type: "trn3-gen2-rack" is a compute, not a transformer, switchboard or UPS'),
    ("chain-generator-type", _chain([_node("g1", "generator-3000kw")]),
     'power_chain[0].type: "generator-3000kw" is a generator, not a transformer, switchboard or UPS '
     "(generators are site.generators)"),
    ("chain-parent-unknown", _chain([_node("tx1", "transformer-2500kva"), _node("a"), _node("b"), _node("c", parent="ups9")]),
     'power_chain[3].parent: no node "ups9"'),
    ("chain-parent-number", _chain([_node("u1", parent=3)]), "power_chain[0].parent: expected a node id or null, got 3"),
    ("chain-self-parent", _chain([_node("tx", "transformer-2500kva"), _node("u1", parent="u1")]),
     'power_chain[1].parent: the chain is a cycle ("u1" → "u1"): a node cannot feed itself'),
    ("chain-cycle", _chain([_node("tx", "transformer-2500kva"), _node("a", parent="c"), _node("b", parent="a"),
                            _node("c", parent="b")]),
     'power_chain[1].parent: the chain is a cycle ("a" → "b" → "c" → "a"): a node cannot feed itself'),
    ("chain-extra-too-deep", _chain([{**_node("u1"), "note": json.loads("[" * 70 + "]" * 70)}]),
     "power_chain: nested deeper than 64 levels"),
    # generators
    ("generators-not-object", _set("site.generators", 2), "site.generators: expected an object, got 2"),
    ("generators-no-type", _set("site.generators", {"count": 2}), "site.generators.type: missing"),
    ("generators-no-count", _set("site.generators", {"type": "generator-3000kw"}), "site.generators.count: missing"),
    ("generators-unknown-type", _set("site.generators.type", "diesel"),
     'site.generators.type: unknown generator type "diesel" (known: generator-3000kw)'),
    ("generators-wrong-kind", _set("site.generators.type", "ups-1250kw"),
     'site.generators.type: "ups-1250kw" is a UPS, not a generator'),
    ("generators-count-zero", _set("site.generators.count", 0), "site.generators.count: must be at least 1, got 0"),
    ("generators-count-negative", _set("site.generators.count", -2),
     "site.generators.count: must be at least 1, got -2"),
    ("generators-count-fraction", _set("site.generators.count", 2.5),
     "site.generators.count: expected a whole number of generator sets, got 2.5"),
    ("generators-count-text", _set("site.generators.count", "2"), 'site.generators.count: expected a number, got "2"'),
    ("generators-count-huge", _set("site.generators.count", 10**9),
     "site.generators.count: must be at most 10000, got 1000000000"),
    # redundancy
    ("redundancy-not-object", _set("site.redundancy", "2N"), 'site.redundancy: expected an object, got "2N"'),
    ("redundancy-power", _set("site.redundancy.power", "3N"),
     'site.redundancy.power: expected "N", "N+1" or "2N", got "3N"'),
    ("redundancy-cooling-2N", _set("site.redundancy.cooling", "2N"),
     'site.redundancy.cooling: expected "N" or "N+1", got "2N"'),
    ("redundancy-network-number", _set("site.redundancy.network", 1),
     'site.redundancy.network: expected "N" or "N+1", got 1'),
    ("redundancy-unknown-system", _set("site.redundancy.fire", "N"),
     "site.redundancy.fire: unknown system (expected power, cooling or network)"),
    # coolant, power feed
    ("coolant-oil", _set("site.coolant", "oil"), 'site.coolant: expected "water" or "pg25", got "oil"'),
    ("coolant-null", _set("site.coolant", None), 'site.coolant: expected "water" or "pg25", got null'),
    ("power-feed-grid", _set("halls[0].power_feed", "grid"),
     'halls[0].power_feed: expected "hall" or "busway", got "grid"'),
    ("power-feed-bool", _set("halls[0].power_feed", True), 'halls[0].power_feed: expected "hall" or "busway", got true'),
    # the power chain and generators are not placed on the floor
    ("item-of-ups-type", lambda d: d["equipment"].append(
        {"id": "u", "type": "ups-1250kw", "hall": "A", "x": 30, "y": 20, "rotation": 0}),
     'equipment[6].type: "ups-1250kw" is a UPS, not placed in a hall (it belongs in power_chain)'),
    ("item-of-generator-type", lambda d: d["equipment"].append(
        {"id": "g", "type": "generator-3000kw", "hall": "A", "x": 30, "y": 20}),
     'equipment[6].type: "generator-3000kw" is a generator, not placed in a hall (it belongs in site.generators)'),
]


@pytest.mark.parametrize(("mutate", "message"), [pytest.param(m, msg, id=name) for name, m, msg in BAD])
def test_each_bad_v2_value_is_refused_with_its_one_line_message(mutate: Mutation, message: str) -> None:
    doc = v2_doc()
    mutate(doc)
    with pytest.raises(DesignFileError) as err:
        loads_design(text_of(doc))
    got = str(err.value)
    assert "\n" not in got
    assert got.startswith(message), got


def test_a_v1_file_is_checked_the_same_way() -> None:
    """The v2 fields were already written into version-1 files: they are checked too."""
    doc = v2_doc()
    doc["version"] = 1
    doc["equipment"][4]["feed"] = "C"
    with pytest.raises(DesignFileError, match=r'^equipment\[4\]\.feed: expected "A" or "B", got "C"$'):
        loads_design(text_of(doc))


# ====================================================================== v1 → v2
def test_a_v1_file_opens_unchanged_and_saves_as_version_2() -> None:
    v1 = v2_doc()
    v1["version"] = 1
    design = loads_design(text_of(v1))
    v2 = loads_design(text_of(v2_doc()))
    assert dumps_design(design) == dumps_design(v2)  # the same design: only the version differs
    assert json.loads(dumps_design(design))["version"] == 2


@pytest.mark.parametrize("sample", ["pilot-hall.dcplan", "full-hall.dcplan"])
def test_a_designer_written_v1_sample_saves_as_v2_with_only_the_version_changed(sample: str, tmp_path: Path) -> None:
    from designer.paths import examples_dir

    text = (examples_dir() / sample).read_text(encoding="utf-8")
    doc = json.loads(text)
    as_v1 = text.replace(f'"version": {doc["version"]},', '"version": 1,', 1)
    saved = dumps_design(loads_design(as_v1))
    assert saved == as_v1.replace('"version": 1,', '"version": 2,', 1)
    path = tmp_path / sample
    path.write_text(as_v1, encoding="utf-8")
    write_design(read_design(path), path)
    assert path.read_text(encoding="utf-8") == saved


def test_version_2_is_current_and_version_3_is_refused() -> None:
    assert dcplan.FORMAT_VERSION == 2 and set(dcplan.MIGRATIONS) == {1}
    doc = v2_doc()
    doc["version"] = 3
    with pytest.raises(DesignFileError, match=r"^version: this file is format version 3; this Designer reads up to "
                                              r"version 2 \(update Designer to open it\)$"):
        loads_design(text_of(doc))


def test_the_migration_does_not_touch_the_callers_document() -> None:
    doc = v2_doc()
    doc["version"] = 1
    before = copy.deepcopy(doc)
    migrated = dcplan.MIGRATIONS[1](doc)
    assert doc == before and migrated == before and migrated is not doc
