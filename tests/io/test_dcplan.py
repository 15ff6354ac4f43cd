"""The ``.dcplan`` file: byte-stable round trips, diff-friendly layout, atomic saves,
and one clear message naming the place for every kind of bad file (PRODUCT §4, §5)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design
from designer.model import Design, Equipment

REPO = Path(__file__).resolve().parents[2]
TOP_KEYS = ["format", "version", "name", "site", "assumptions", "halls", "equipment"]


def valid_doc() -> dict:
    """A small valid design: one hall, one 2-rack UltraServer, network, CDU, busway.

    equipment[0] us1-r1, [1] us1-r2 (compute), [2] net1, [3] cdu1, [4] bw1 (busway).
    """
    return {
        "format": "datacenter-designer",
        "version": 1,
        "name": "Hall A pilot",
        "site": {"utility_capacity_kw": 60000, "pue": 1.15, "electricity_price_per_kwh": 0.08,
                 "grid_kg_co2_per_kwh": 0.35},
        "assumptions": {"trn3-gen2-rack.it_power_kw": 85.0, "cable.slack_factor": 1.1},
        "halls": [{"id": "A", "name": "Hall A",
                   "outline": [[0, 0], [48, 0], [48, 30], [0, 30]],
                   "columns": [[[12, 12], [12.6, 12], [12.6, 12.6], [12, 12.6]]],
                   "keepouts": [], "floor_rating_kg_m2": 2500, "it_capacity_kw": 20000,
                   "tray_drop_m": 1.5}],
        "equipment": [
            {"id": "us1-r1", "type": "trn3-gen2-rack", "hall": "A", "x": 4.3, "y": 5.6,
             "rotation": 0, "system": "us1"},
            {"id": "us1-r2", "type": "trn3-gen2-rack", "hall": "A", "x": 4.9, "y": 5.6,
             "rotation": 0, "system": "us1"},
            {"id": "net1", "type": "network-rack", "hall": "A", "x": 20.0, "y": 5.6, "rotation": 0},
            {"id": "cdu1", "type": "cdu-in-row", "hall": "A", "x": 2.0, "y": 5.6, "rotation": 0},
            {"id": "bw1", "type": "busway-1200a", "hall": "A", "start": [1, 5.6], "end": [40, 5.6]},
        ],
    }


def doc_text(doc: dict) -> str:
    return json.dumps(doc, indent=2)


def rich_design() -> Design:
    """A design as the app would build it: floats from arithmetic, non-ASCII names,
    unknown fields everywhere a newer Designer might add them."""
    doc = valid_doc()
    doc["name"] = "Halle Ä — pilot «north»"
    doc["site"]["currency"] = "EUR"
    doc["site"]["future_site_field"] = {"b": [1, 2.5], "a": "x"}
    doc["assumptions"]["scaleup.max_cable_m"] = 5
    doc["halls"][0]["future_hall_field"] = "kept"
    doc["halls"][0]["keepouts"] = [[[30, 20], [34, 20], [34, 24], [30, 24]]]
    doc["equipment"][2]["label"] = "spine row 1"
    doc["equipment"][2]["tags"] = ["leaf", {"pod": 3}]
    doc["equipment"][4]["feed"] = "B"
    doc["future_top_field"] = {"nested": [True, None, -0.5]}
    design = loads_design(doc_text(doc))
    design.equipment.insert([Equipment("us2-r1", "trn3-gen2-rack", "A", 0.1 + 0.2, 10 / 3, 90.0, "us2")])
    return design


# ====================================================================== round trip
def test_round_trip_is_byte_for_byte() -> None:
    first = dumps_design(rich_design())
    second = dumps_design(loads_design(first))
    assert second == first
    assert dumps_design(loads_design(first.encode("utf-8"))) == first


def test_round_trip_through_files_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "pilot.dcplan"
    write_design(rich_design(), path)
    data = path.read_bytes()
    assert data == dumps_design(rich_design()).encode("utf-8")
    again = tmp_path / "again.dcplan"
    write_design(read_design(path), again)
    assert again.read_bytes() == data


def test_round_trip_keeps_every_value() -> None:
    design = loads_design(dumps_design(rich_design()))
    assert design.name == "Halle Ä — pilot «north»"
    assert design.site.pue == 1.15 and design.site.currency == "EUR"
    assert design.assumptions == {"trn3-gen2-rack.it_power_kw": 85.0, "cable.slack_factor": 1.1,
                                  "scaleup.max_cable_m": 5}
    hall = design.hall("A")
    assert hall.outline == ((0, 0), (48, 0), (48, 30), (0, 30))
    assert hall.columns == [((12, 12), (12.6, 12), (12.6, 12.6), (12, 12.6))]
    assert hall.keepouts == [((30, 20), (34, 20), (34, 24), (30, 24))]
    assert (hall.floor_rating_kg_m2, hall.it_capacity_kw, hall.tray_drop_m) == (2500, 20000, 1.5)
    assert design.equipment.ids == ["us1-r1", "us1-r2", "net1", "cdu1", "bw1", "us2-r1"]
    rack = design.equipment.get("us2-r1")
    assert (rack.x, rack.y, rack.rotation, rack.system) == (0.1 + 0.2, 10 / 3, 90.0, "us2")  # exact floats
    bw = design.equipment.get("bw1")
    assert (bw.x, bw.y, bw.end) == (1, 5.6, (40, 5.6))
    assert design.system_members("us1") == ["us1-r1", "us1-r2"]


def test_file_is_utf8_json_with_stable_key_order() -> None:
    text = dumps_design(rich_design())
    assert "Halle Ä — pilot «north»" in text  # readable in a diff, not \u-escaped
    pairs = json.loads(text, object_pairs_hook=lambda p: p)
    keys = [k for k, _ in pairs]
    assert keys[:7] == TOP_KEYS
    assert keys[7:] == ["future_top_field"]  # unknown fields after the known ones
    doc = json.loads(text)
    assert doc["format"] == "datacenter-designer" and doc["version"] == 2  # FORMAT_VERSION
    first_item = json.loads(text, object_pairs_hook=lambda p: p)[6][1][0]
    assert [k for k, _ in first_item] == ["id", "type", "hall", "x", "y", "rotation", "system"]
    assert text.endswith("}\n")


def test_one_equipment_item_per_line() -> None:
    design = rich_design()
    text = dumps_design(design)
    lines = text.splitlines()
    item_lines = [json.loads(line.strip().rstrip(",")) for line in lines
                  if line.strip().startswith('{"id"')]
    assert [item["id"] for item in item_lines] == design.equipment.ids
    assert item_lines[4] == {"id": "bw1", "type": "busway-1200a", "hall": "A",
                             "start": [1, 5.6], "end": [40, 5.6], "feed": "B"}
    # moving one rack changes exactly one line of the file
    design.equipment.x[design.equipment.index["net1"]] = 21.2
    changed = [a for a, b in zip(lines, dumps_design(design).splitlines()) if a != b]
    assert len(changed) == 1 and '"net1"' in changed[0]


def test_unknown_fields_are_preserved() -> None:
    text = dumps_design(loads_design(dumps_design(rich_design())))
    doc = json.loads(text)
    assert doc["future_top_field"] == {"nested": [True, None, -0.5]}
    assert doc["site"]["future_site_field"] == {"b": [1, 2.5], "a": "x"}
    assert doc["halls"][0]["future_hall_field"] == "kept"
    net = doc["equipment"][2]
    assert net["label"] == "spine row 1" and net["tags"] == ["leaf", {"pod": 3}]
    assert doc["equipment"][4]["feed"] == "B"


def test_minimal_spec_example_reads() -> None:
    design = loads_design(doc_text(valid_doc()))
    assert len(design.equipment) == 5
    assert design.equipment.get("us1-r1").system == "us1"
    assert design.equipment.get("net1").system is None


# ====================================================================== atomic save
def test_save_replaces_the_target_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "pilot.dcplan"
    path.write_bytes(b"old content")
    design = rich_design()
    write_design(design, path)
    assert path.read_bytes() == dumps_design(design).encode("utf-8")
    # the replaced version is kept beside it, nothing else is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pilot.dcplan", "pilot.dcplan.bak"]
    assert (tmp_path / "pilot.dcplan.bak").read_bytes() == b"old content"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_save_leaves_the_old_file_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    path = tmp_path / "pilot.dcplan"
    old = dumps_design(loads_design(doc_text(valid_doc()))).encode("utf-8")
    path.write_bytes(old)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        write_design(rich_design(), path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left in (["pilot.dcplan"], ["pilot.dcplan", "pilot.dcplan.bak"])  # no temporary file
    if len(left) == 2:
        assert (tmp_path / "pilot.dcplan.bak").read_bytes() == old


def test_save_into_a_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_design(rich_design(), tmp_path / "gone" / "pilot.dcplan")
    assert list(tmp_path.iterdir()) == []


# ====================================================================== bad files
def _mutated(fn: Callable[[dict], Any]) -> bytes:
    doc = valid_doc()
    fn(doc)
    return doc_text(doc).encode("utf-8")


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """Set doc[a][b]... = value; path like 'equipment/1/x' (assumption keys contain dots)."""
    def fn(doc: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        node: Any = doc
        for p in parents:
            node = node[p]
        node[last] = value
    return fn


def _delete(path: str) -> Callable[[dict], None]:
    def fn(doc: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        node: Any = doc
        for p in parents:
            node = node[p]
        del node[last]
    return fn


def _text_edit(old: str, new: str) -> bytes:
    text = doc_text(valid_doc())
    assert text.count(old) == 1, old
    return text.replace(old, new).encode("utf-8")


BOW_TIE = [[0, 0], [48, 30], [48, 0], [0, 30]]

# (id, file bytes, fragment the one-line message must contain: the place, then ':')
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("empty-file", b"", "empty"),
    ("only-whitespace", b"  \n\t\n", "empty"),
    ("not-utf8", b'{"format": "datacenter-designer", "name": "\xff\xfe"}', "not UTF-8"),
    ("truncated-json", doc_text(valid_doc())[:200].encode("utf-8"), "not valid JSON"),
    ("top-level-list", b"[1, 2, 3]", "the file: expected an object"),
    ("top-level-string", b'"datacenter-designer"', "the file: expected an object"),
    ("deeply-nested", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("deeply-nested-inside-extra", _text_edit('"name": "Hall A pilot"',
                                              '"name": "Hall A pilot", "deep": ' + "[" * 100_000 + "]" * 100_000),
     "nested too deeply"),
    ("nan-literal", _mutated(_set("equipment/1/x", float("nan"))), "equipment[1].x:"),
    ("infinity-literal", _mutated(_set("site/pue", float("inf"))), "site.pue:"),
    ("integer-beyond-float", _mutated(_set("halls/0/floor_rating_kg_m2", 9 * 10**400)),
     "halls[0].floor_rating_kg_m2:"),
    ("coordinate-beyond-float", _mutated(_set("equipment/1/x", 10**400)), "equipment[1].x:"),
    ("assumption-beyond-float", _mutated(_set("assumptions/cable.slack_factor", 10**400)), "cable.slack_factor"),
    ("duplicate-json-key", _text_edit('"id": "net1"', '"id": "net1", "id": "net9"'), "equipment[2].id:"),
    ("format-missing", _mutated(_delete("format")), "format:"),
    ("format-wrong", _mutated(_set("format", "kicad-pcb")), "format:"),
    ("version-missing", _mutated(_delete("version")), "version:"),
    ("version-text", _mutated(_set("version", "1")), "version:"),
    ("version-future", _mutated(_set("version", 99)), "version:"),
    ("version-zero", _mutated(_set("version", 0)), "version:"),
    ("name-not-text", _mutated(_set("name", 42)), "name:"),
    ("site-not-object", _mutated(_set("site", [60000])), "site:"),
    ("site-pue-word", _mutated(_set("site/pue", "high")), "site.pue:"),
    ("site-pue-below-1", _mutated(_set("site/pue", 0.5)), "site.pue:"),
    ("site-negative-utility", _mutated(_set("site/utility_capacity_kw", -1)), "site.utility_capacity_kw:"),
    ("assumptions-not-object", _mutated(_set("assumptions", [1, 2])), "assumptions:"),
    ("assumption-unknown-key", _mutated(_set("assumptions/foo", 1.0)), "assumptions.foo:"),
    ("assumption-bad-value", _mutated(_set("assumptions/cable.slack_factor", "long")),
     "assumptions.cable.slack_factor:"),
    ("assumption-negative", _mutated(_set("assumptions/trn3-gen2-rack.it_power_kw", -85)),
     "assumptions.trn3-gen2-rack.it_power_kw:"),
    ("assumption-fraction-above-1", _mutated(_set("assumptions/trn3-gen2-rack.liquid_fraction", 1.2)),
     "assumptions.trn3-gen2-rack.liquid_fraction:"),
    ("halls-missing", _mutated(_delete("halls")), "halls:"),
    ("halls-empty", _mutated(_set("halls", [])), "halls:"),
    ("halls-not-list", _mutated(_set("halls", {"A": {}})), "halls:"),
    ("hall-not-object", _mutated(_set("halls/0", "A")), "halls[0]:"),
    ("hall-id-missing", _mutated(_delete("halls/0/id")), "halls[0].id:"),
    ("outline-missing", _mutated(_delete("halls/0/outline")), "halls[0].outline:"),
    ("outline-two-points", _mutated(_set("halls/0/outline", [[0, 0], [48, 0]])), "halls[0].outline:"),
    ("outline-bow-tie", _mutated(_set("halls/0/outline", BOW_TIE)), "halls[0].outline:"),
    ("outline-collinear", _mutated(_set("halls/0/outline", [[0, 0], [10, 0], [20, 0]])), "halls[0].outline:"),
    ("outline-text-coordinate", _mutated(_set("halls/0/outline/1/0", "48m")), "halls[0].outline[1][0]:"),
    ("outline-point-of-three", _mutated(_set("halls/0/outline/2", [48, 30, 0])), "halls[0].outline[2]:"),
    ("column-bow-tie", _mutated(_set("halls/0/columns/0", [[12, 12], [12.6, 12.6], [12.6, 12], [12, 12.6]])),
     "halls[0].columns[0]:"),
    # (ordinary columns are checked together; the message still names the faulty one)
    ("second-column-bow-tie", _mutated(lambda d: d["halls"][0]["columns"].extend(
        [[[30, 30], [31, 30], [31, 31], [30, 31]], [[12, 12], [12.6, 12.6], [12.6, 12], [12, 12.6]]])),
     "halls[0].columns[2]:"),
    ("second-column-collinear", _mutated(lambda d: d["halls"][0]["columns"].extend(
        [[[30, 30], [31, 30], [31, 31]], [[1, 1], [2, 2], [3, 3]]])), "halls[0].columns[2]:"),
    ("column-point-text", _mutated(lambda d: d["halls"][0]["columns"].append([[1, 1], [2, "1"], [2, 2]])),
     "halls[0].columns[1][1][1]:"),
    # (every hall's outline, columns and keep-outs are checked together; the message names the faulty one)
    ("second-hall-keepout-bow-tie", _mutated(lambda d: d["halls"].append(
        {**copy.deepcopy(d["halls"][0]), "id": "B", "keepouts": [[[1, 1], [2, 2], [2, 1], [1, 2]]]})),
     "halls[1].keepouts[0]:"),
    ("x-huge-integer", _mutated(_set("equipment/1/x", 10**400)), "equipment[1].x:"),
    ("id-reused-by-a-later-item", _mutated(_set("equipment/3/id", "us1-r1")), "equipment[3].id:"),
    ("keepouts-not-list", _mutated(_set("halls/0/keepouts", 5)), "halls[0].keepouts:"),
    ("floor-rating-negative", _mutated(_set("halls/0/floor_rating_kg_m2", -2500)), "halls[0].floor_rating_kg_m2:"),
    ("floor-rating-zero", _mutated(_set("halls/0/floor_rating_kg_m2", 0)), "halls[0].floor_rating_kg_m2:"),
    ("it-capacity-text", _mutated(_set("halls/0/it_capacity_kw", "20 MW")), "halls[0].it_capacity_kw:"),
    ("duplicate-hall-id", _mutated(lambda d: d["halls"].append(copy.deepcopy(d["halls"][0]))), "halls[1].id:"),
    ("equipment-not-list", _mutated(_set("equipment", {"us1-r1": {}})), "equipment:"),
    ("item-not-object", _mutated(_set("equipment/2", "net1")), "equipment[2]:"),
    ("item-id-missing", _mutated(_delete("equipment/2/id")), "equipment[2].id:"),
    ("item-id-empty", _mutated(_set("equipment/2/id", " ")), "equipment[2].id:"),
    ("x-not-numeric", _mutated(_set("equipment/1/x", "abc")), "equipment[1].x:"),
    ("x-boolean", _mutated(_set("equipment/1/x", True)), "equipment[1].x:"),
    ("x-absurd", _mutated(_set("equipment/1/x", 1e12)), "equipment[1].x:"),
    ("y-missing", _mutated(_delete("equipment/1/y")), "equipment[1].y:"),
    ("rotation-text", _mutated(_set("equipment/2/rotation", "north")), "equipment[2].rotation:"),
    ("type-missing", _mutated(_delete("equipment/0/type")), "equipment[0].type:"),
    ("type-unknown", _mutated(_set("equipment/0/type", "trn9-rack")), "equipment[0].type:"),
    ("duplicate-item-id", _mutated(_set("equipment/1/id", "us1-r1")), "equipment[1].id:"),
    ("unknown-hall", _mutated(_set("equipment/3/hall", "B")), "equipment[3].hall:"),
    ("busway-without-end", _mutated(_delete("equipment/4/end")), "equipment[4].end:"),
    ("busway-end-not-point", _mutated(_set("equipment/4/end", [40])), "equipment[4].end:"),
    ("busway-zero-length", _mutated(_set("equipment/4/end", [1, 5.6])), "equipment[4]:"),
    ("compute-without-system", _mutated(_delete("equipment/0/system")), "equipment[0].system:"),
    ("compute-system-not-text", _mutated(_set("equipment/0/system", 1)), "equipment[0].system:"),
    ("cdu-with-system", _mutated(_set("equipment/3/system", "us1")), "equipment[3].system:"),
]


@pytest.mark.parametrize(("data", "place"), [pytest.param(d, p, id=i) for i, d, p in BAD_FILES])
def test_bad_file_is_refused_with_one_line_naming_the_place(data: bytes, place: str) -> None:
    with pytest.raises(DesignFileError) as err:
        loads_design(data)
    message = str(err.value)
    assert place in message
    assert "\n" not in message
    assert "Traceback" not in message


@pytest.mark.parametrize(("data", "place"), [pytest.param(d, p, id=i) for i, d, p in BAD_FILES])
def test_bad_file_on_disk_is_refused_naming_the_place(tmp_path: Path, data: bytes, place: str) -> None:
    path = tmp_path / "bad.dcplan"
    path.write_bytes(data)
    with pytest.raises(DesignFileError) as err:
        read_design(path)
    assert place in str(err.value)


def test_missing_file_and_folder_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DesignFileError, match="no such file"):
        read_design(tmp_path / "nope.dcplan")
    with pytest.raises(DesignFileError, match="folder"):
        read_design(tmp_path)


def test_the_table_covers_the_required_cases() -> None:
    assert len(BAD_FILES) >= 20
    assert len({i for i, _, _ in BAD_FILES}) == len(BAD_FILES)


def test_valid_doc_helper_is_valid() -> None:
    """Guards the table: every case differs from a file that reads."""
    loads_design(doc_text(valid_doc()).encode("utf-8"))


# ====================================================================== command line
def _run_report(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "designer", "report", str(path)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("data", "place"), [pytest.param(d, p, id=i) for i, d, p in BAD_FILES])
def test_cli_report_on_a_bad_file_exits_2_with_one_line(tmp_path: Path, data: bytes, place: str) -> None:
    path = tmp_path / "bad.dcplan"
    path.write_bytes(data)
    proc = _run_report(path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert place in lines[0]


def test_cli_report_on_a_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    proc = _run_report(tmp_path / "nope.dcplan")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
