"""Hostile input (issue 19): what the reader accepts must not break what comes after it.

Every design the reader accepts evaluates with finite numbers (no RuntimeWarning) and
saves to a file that reads back to the same design; what it cannot carry (a lone
surrogate, an infinite number, nesting 500 deep, a 5e-324 m wide unit) it refuses
with one line naming the place. Saves clean up the temporary files killed saves left.
"""

from __future__ import annotations

import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from designer.catalog import CatalogError, load_catalog, load_catalog_from
from designer.catalog.specs import RANGES
from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design
from designer.io import dcplan, json_text

REPO = Path(__file__).resolve().parents[2]
#: The minimal reproducers of the campaign behind issue 19 (beside the repository in CI).
REPRO = Path(__file__).parents[2].parent / "shared" / "repro"
HOSTILE = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")), deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def pilot_doc() -> dict:
    from designer.paths import pilot_sample

    return json.loads(pilot_sample().read_text())


def _with(doc: dict, **changes) -> str:
    doc = json.loads(json.dumps(doc))
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = doc
        for k in parents:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[int(last) if isinstance(node, list) else last] = value
    return json.dumps(doc)


def _refused(text: str | bytes) -> str:
    with pytest.raises(DesignFileError) as info:
        loads_design(text)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 300
    return message


def _non_finite(value, place="report"):
    stack = [(place, value)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return where
        if isinstance(v, dict):
            stack.extend((f"{where}.{k}", x) for k, x in v.items())
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{where}[{i}]", x) for i, x in enumerate(v))
    return None


def _evaluates_and_saves(design, tmp_path: Path) -> None:
    """The contract after the reader: a finite report, no RuntimeWarning, and a saved file
    that reads back to the same design (saving it again gives the same bytes)."""
    from designer.engine import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = evaluate(design).report()
    assert _non_finite(report) is None, _non_finite(report)
    path = tmp_path / "saved.dcplan"
    write_design(design, path, keep_backup=False)
    again = read_design(path)
    assert dumps_design(again).encode("utf-8") == path.read_bytes()


# ====================================================================== the reproducers
def _repro_files() -> list[Path]:
    if not REPRO.is_dir():
        return []
    return sorted(REPRO.glob("*.dcplan"))


def _limit_memory() -> None:  # runs in the child: 3 GiB of address space is plenty for a report
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


@pytest.mark.skipif(not _repro_files(), reason=f"the reproducers are not at {REPRO}")
@pytest.mark.parametrize("path", _repro_files(), ids=lambda p: p.stem)
def test_each_reproducer_is_refused_in_one_line_or_reports_finitely(path: Path) -> None:
    """Each reproducer of issue 19 is refused (exit 2, one clear line) or reported with
    finite numbers; a child limited to 3 GiB (the 20 km busway once took 15.3 GiB)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-m", "designer", "report", str(path), "--json"], capture_output=True,
                         text=True, cwd=REPO, env=env, timeout=120, preexec_fn=_limit_memory)
    assert "Traceback" not in run.stderr and "Warning" not in run.stderr, run.stderr
    if run.returncode == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("designer: ") and ": " in lines[0][10:]
        assert run.stdout == ""
    else:
        assert run.returncode == 0, run.stderr
        report = json.loads(run.stdout)
        assert _non_finite(report) is None
        if "stacked" in path.name:  # a pile is one overlap violation, not a pair for every two racks
            assert sum(v["kind"] == "overlap" for v in report["violations"]) == 1


# ====================================================================== 1. geometry far away
@pytest.mark.parametrize("end", [[99_999, 99_999], [20_000, 20_000], [-99_999, 99_999], [99_999, 3.3]])
def test_a_busway_ending_far_away_evaluates_and_saves(pilot_doc, tmp_path, end) -> None:
    bw = next(i for i, e in enumerate(pilot_doc["equipment"]) if "end" in e)
    design = loads_design(_with(pilot_doc, **{f"equipment__{bw}__end": end}))
    _evaluates_and_saves(design, tmp_path)


def test_racks_and_obstacles_kilometres_away_evaluate_and_save(pilot_doc, tmp_path) -> None:
    far_keepout = [[-99_999, -99_999], [99_999, -99_999], [99_999, 99_999], [-99_999, 99_999]]
    design = loads_design(_with(pilot_doc, equipment__1__x=99_999.0, equipment__2__y=-99_999.0,
                                halls__0__keepouts=[far_keepout]))
    _evaluates_and_saves(design, tmp_path)


# ====================================================================== 3. unstorable text
@pytest.mark.parametrize(("change", "place"), [
    ({"name": "\ud800 Hall A"}, "name:"),
    ({"equipment__0__id": "cdu\udc801"}, "equipment[0].id:"),
    ({"halls__0__name": "Hall \udfff"}, "halls[0].name:"),
    ({"site__currency": "US\ud800"}, "site.currency:"),
    ({"equipment__1__system": "us\ud8001"}, "equipment[1].system:"),
    ({"site__note": ["fine", {"deep": "\udc00"}]}, "site.note[1].deep:"),
])
def test_a_lone_surrogate_is_refused_naming_the_place(pilot_doc, change, place) -> None:
    text = _with(pilot_doc, **change)
    assert "\\ud" in text  # json escapes it: valid JSON, but no UTF-8 text can hold it
    message = _refused(text)
    assert message.startswith(place) and "surrogate" in message and "UTF-8" in message
    assert _refused(text.encode("utf-8")) == message


def test_a_lone_surrogate_in_a_key_is_refused(pilot_doc) -> None:
    doc = json.loads(json.dumps(pilot_doc))
    doc["site"]["a\ud800"] = 1
    assert "surrogate" in _refused(json.dumps(doc))


def test_a_surrogate_pair_is_one_character_and_round_trips(pilot_doc, tmp_path) -> None:
    design = loads_design(_with(pilot_doc, name="Hall \ud83d\ude00", equipment__0__id="cdu\ud83d\ude80"))
    assert design.name == "Hall 😀"
    _evaluates_and_saves(design, tmp_path)


# ====================================================================== 4. values read but not written back
@pytest.mark.parametrize(("literal", "place"), [
    ("1e400", "note:"), ("-1e400", "note:"), ('[1, {"a": 1e999}]', "note[1].a:"),
])
def test_an_infinite_number_is_refused_naming_the_place(pilot_text, literal, place) -> None:
    message = _refused(pilot_text.replace(FORMAT_LINE, f'{FORMAT_LINE} "note": {literal},', 1))
    assert message.startswith(place) and "too large" in message


@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 10**400, -(10**400) + 7, 2**64, 0, -1])
def test_an_integer_of_any_size_is_written_back_digit_for_digit(pilot_text, tmp_path, value) -> None:
    text = pilot_text.replace(FORMAT_LINE, f'{FORMAT_LINE} "note": {value}, "tags": [{value}, 1.5],', 1)
    design = loads_design(text)
    assert design.extra["note"] == value
    saved = dumps_design(design)
    assert f'"note": {value},' in saved and f'"tags": [{value}, 1.5]' in saved
    assert loads_design(saved).extra == design.extra
    _evaluates_and_saves(design, tmp_path)


def test_an_integer_of_thousands_of_digits_is_refused_in_one_line(pilot_text) -> None:
    message = _refused(pilot_text.replace(FORMAT_LINE, f'{FORMAT_LINE} "note": {"9" * 5000},', 1))
    assert "thousands of digits" in message


def test_nesting_deeper_than_the_limit_is_refused(pilot_doc, tmp_path) -> None:
    def nested(depth):
        v = 1
        for _ in range(depth):
            v = [v]
        return v

    design = loads_design(_with(pilot_doc, note=nested(dcplan.MAX_DEPTH)))
    _evaluates_and_saves(design, tmp_path)
    for depth in (dcplan.MAX_DEPTH + 1, 500):
        message = _refused(_with(pilot_doc, note=nested(depth)))
        assert message == f"note: nested deeper than {dcplan.MAX_DEPTH} levels of lists and objects"
    message = _refused(_with(pilot_doc, equipment__3__tags={"a": nested(dcplan.MAX_DEPTH)}))
    assert message.startswith("equipment[3].tags:")


def test_the_writer_refuses_rather_than_writes_an_unreadable_file(pilot_path, tmp_path) -> None:
    design = read_design(pilot_path)
    design.extra["note"] = float("inf")
    with pytest.raises(ValueError, match="finite"):
        write_design(design, tmp_path / "x.dcplan")
    assert list(tmp_path.iterdir()) == []


# ====================================================================== 4b. the two parsers read alike
def _parsed(text: str):
    """What the reader's parser makes of ``text``: the document, or the refusal's message."""
    try:
        return json_text.parse_json(text, from_utf8=True, raw=text.encode("utf-8"))
    except (DesignFileError, ValueError, RecursionError) as exc:
        return ("refused", type(exc).__name__, str(exc))


def _careful(text: str):
    """… with the standard library's parser alone (the fast one left out)."""
    with mock.patch.object(json_text, "_parse_plain", lambda raw: json_text._NOT_PLAIN):
        return _parsed(text)


@pytest.mark.parametrize("text", [
    '{"a": "x:y", "b": {"c": 1, "c": 2}}',            # a repeated key, a colon in text elsewhere
    '{"a": "\\u003a", "b": {"c": 1, "c": 2}}',        # … and an escaped colon (the file holds none)
    '{"a:b": {"c:": ":"}, "d": [":", {"e": ":"}]}',  # colons in keys and values, no key repeated
    '{"n": 1234567890123456789, "m": -9223372036854775809, "k": 18446744073709551616}',
    '{"f": 0.1234567890123456789012345, "g": 1.7976931348623157e308, "h": 5e-324, "z": -0}',
    '{"s": "1234567890123456789012", "t": "\\ud83d\\ude80 \\t"}',
    '[NaN]', '{"a": 1e400}', '{"a": "\\ud800"}', '[' * 300 + ']' * 300,
])
def test_the_fast_parser_reads_as_the_careful_one_or_leaves_it_the_text(text) -> None:
    """orjson reads a design when it reads it as the standard library's parser with the
    reader's refusals does: same values and types (ints beyond 64 bits too), a repeated
    key refused with its place."""
    fast, careful = _parsed(text), _careful(text)
    assert fast == careful and repr(fast) == repr(careful)


def test_the_fast_parser_reads_the_samples() -> None:
    """The bundled samples take the fast path (a check that it is not always left)."""
    for path in (REPO / "resources" / "examples").glob("*.dcplan"):
        raw = path.read_bytes()
        doc = json_text._parse_plain(raw)
        assert doc is not json_text._NOT_PLAIN and doc == json.loads(raw), path.name


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(":\"\\ab\u00e9\U0001f680\x01", max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(":ab\"", max_size=3), inner, max_size=4),
    max_leaves=20)


@HOSTILE
@given(doc=_JSON, ascii_only=st.booleans(), repeat=st.booleans())
def test_the_fast_parser_reads_any_document_as_the_careful_one(doc, ascii_only, repeat) -> None:
    text = json.dumps({"doc": doc}, ensure_ascii=ascii_only)
    if repeat:   # the same key twice in the outer object
        text = text[:-1] + ', "doc": 0}'
    fast, careful = _parsed(text), _careful(text)
    assert fast == careful and repr(fast) == repr(careful)


# ====================================================================== 5. degenerate figures
def test_every_catalog_figure_has_a_physical_range(catalog) -> None:
    for fig in catalog.figures():
        assert fig.field in RANGES, fig.key
        lo, hi, _ = RANGES[fig.field]
        values = fig.value if isinstance(fig.value, tuple) else (fig.value,)
        assert all(lo <= v <= hi for v in values), fig.key


def test_a_degenerate_override_is_refused_at_the_reader(pilot_doc) -> None:
    message = _refused(_with(pilot_doc, assumptions={"crah.width_m": 5e-324}))
    assert message == "assumptions.crah.width_m: 5e-324 m is outside 0.05–20 m"


@pytest.mark.parametrize("key", sorted({f.key for f in load_catalog().figures()}))
def test_every_figure_refuses_values_outside_its_range(catalog, key) -> None:
    fig = catalog.figure(key)
    lo, hi, unit = RANGES[fig.field]
    wrap = (lambda v: [v]) if isinstance(fig.value, tuple) else (lambda v: v)
    for bad in (hi * 1.5 + 1, 1e308, -5e-324 if lo == 0 else lo / 2, 5e-324 if lo > 0 else -1.0):
        with pytest.raises(CatalogError) as info:
            catalog.with_overrides({key: wrap(bad)})
        assert str(info.value).startswith(f"assumptions.{key}")
    catalog.with_overrides({key: wrap(lo)})
    catalog.with_overrides({key: wrap(hi)})


def test_the_catalog_loader_refuses_a_degenerate_figure(tmp_path) -> None:
    import shutil

    from designer.paths import catalog_dir

    folder = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), folder)
    facility = folder / "facility.toml"
    text = facility.read_text()
    start = text.index("[crah]")
    at = text.index("width_m = { value = ", start)
    end = text.index(",", at)
    facility.write_text(text[:at] + "width_m = { value = 5e-324" + text[end:])
    with pytest.raises(CatalogError) as info:
        load_catalog_from(folder)
    assert "crah" in str(info.value) and "5e-324 m is outside 0.05–20 m" in str(info.value)


# ====================================================================== 6. outlines closed twice
@pytest.mark.parametrize("outline", [
    [[0, 0], [11.4, 0], [11.4, 14.4], [0, 14.4], [0, 0], [0, 0]],
    [[0, 0], [11.4, 0], [11.4, 14.4], [0, 14.4], [0, 0], [0, 0], [0, 0]],
    [[0, 0], [0, 0], [11.4, 0], [11.4, 0], [11.4, 14.4], [0, 14.4], [0, 0]],
])
def test_a_ring_closed_more_than_once_saves_the_same_every_time(pilot_doc, tmp_path, outline) -> None:
    design = loads_design(_with(pilot_doc, halls__0__outline=outline))
    assert design.halls[0].outline == ((0, 0), (11.4, 0), (11.4, 14.4), (0, 14.4))
    first = dumps_design(design)
    assert dumps_design(loads_design(first)) == first
    _evaluates_and_saves(design, tmp_path)


def test_a_ring_of_fewer_than_three_distinct_points_is_refused(pilot_doc) -> None:
    message = _refused(_with(pilot_doc, halls__0__outline=[[0, 0], [5, 0], [5, 0], [0, 0]]))
    assert message == "halls[0].outline: a polygon needs at least 3 distinct points, got 2"


# ====================================================================== 7. leftover temporary files
def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_a_save_removes_stale_temporary_files_of_our_naming_only(pilot_path, tmp_path) -> None:
    design = read_design(pilot_path)
    target = tmp_path / "hall.dcplan"
    stale = [".hall.dcplan.k3_x9a0q.tmp", ".hall.dcplan.bak.4242.tmp", ".other.dcplan.abcdefgh.tmp"]
    kept_young = [".hall.dcplan.zzzzzzzz.tmp"]        # a save running elsewhere right now
    kept_foreign = [".hall.dcplan.tmp", ".hall.dcplan.ABCDEFGH.tmp", "notes.abcdefgh.tmp",
                    ".hall.dcplan.abcdefghi.tmp", ".report.json.abcdefgh.tmp", "hall.dcplan.abcdefgh.tmp"]
    for name in stale + kept_young + kept_foreign:
        (tmp_path / name).write_bytes(b"x" * 100)
    for name in stale + kept_foreign:
        _age(tmp_path / name, 3600)
    (tmp_path / "old-folder.dcplan.abcdefgh.tmp").mkdir()
    write_design(design, target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["hall.dcplan", "old-folder.dcplan.abcdefgh.tmp", *kept_young, *kept_foreign])


def test_removing_stale_temporaries_reports_what_it_removed(tmp_path) -> None:
    target = tmp_path / "hall.dcplan"
    old = tmp_path / ".hall.dcplan.abcdefgh.tmp"
    old.write_text("x")
    assert dcplan.remove_stale_temporaries(target) == []          # 10 minutes have not passed
    _age(old, dcplan.STALE_TEMPORARY_S + 5)
    assert dcplan.remove_stale_temporaries(target) == [old]
    assert dcplan.remove_stale_temporaries(tmp_path / "missing" / "x.dcplan") == []


SAVER = r"""
import sys
from designer.io import read_design, write_design
a = read_design(sys.argv[1]); b = read_design(sys.argv[1]); b.name = "version B"
print("ready", flush=True)
k = 0
while True:
    write_design(a if k % 2 else b, sys.argv[2])
    k += 1
"""


def test_after_saves_killed_midway_the_next_save_leaves_only_the_design(full_hall_path, tmp_path) -> None:
    """Kill a process saving over and over, 20 times: whatever temporary files the kills
    left, the next save (once they are older than a running save) removes them."""
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "hall.dcplan"
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    rng = random.Random(19)
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, str(script), str(full_hall_path), str(path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    (folder / ".hall.dcplan.abcdefgh.tmp").write_bytes(b"{")  # as a kill can leave
    for p in folder.iterdir():
        _age(p, dcplan.STALE_TEMPORARY_S + 60)
    write_design(read_design(full_hall_path), path)
    assert sorted(p.name for p in folder.iterdir()) == ["hall.dcplan", "hall.dcplan.bak"]


# ====================================================================== the property
HOSTILE_VALUES = [5e-324, -5e-324, 1e-300, 1e300, 99_999.0, -99_999.0, 20_000.0, 2**53 + 1, 10**400, 0.0, -0.0,
                  0.05, 20.0, 1.0, "\ud800", "\ud83d\ude00", "x"]
numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**20), 10**20),
                    st.sampled_from([v for v in HOSTILE_VALUES if not isinstance(v, str)]))
free_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=8) | st.sampled_from(HOSTILE_VALUES),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)
FIGURE_KEYS = sorted({f.key for f in load_catalog().figures()})


@st.composite
def hostile_designs(draw, base: dict) -> str:
    """The pilot with a few hostile edits: overrides at any scale, far or tiny positions,
    closed-twice outlines, unstorable text, unknown fields holding anything."""
    doc = json.loads(json.dumps(base))
    items, hall = doc["equipment"], doc["halls"][0]
    for _ in range(draw(st.integers(1, 4))):
        what = draw(st.sampled_from(["assumption", "position", "busway", "outline", "site", "hall", "extra", "text"]))
        if what == "assumption":
            doc["assumptions"][draw(st.sampled_from(FIGURE_KEYS))] = draw(numbers)
        elif what == "position":
            item = items[draw(st.integers(0, len(items) - 1))]
            if "x" in item:
                item[draw(st.sampled_from(["x", "y", "rotation"]))] = draw(numbers)
        elif what == "busway":
            item = next(e for e in items if "end" in e)
            item[draw(st.sampled_from(["start", "end"]))] = [draw(numbers), draw(numbers)]
        elif what == "outline":
            hall["outline"] = hall["outline"] + [hall["outline"][0]] * draw(st.integers(1, 3))
        elif what == "site":
            doc["site"][draw(st.sampled_from(["utility_capacity_kw", "pue", "electricity_price_per_kwh",
                                              "grid_kg_co2_per_kwh"]))] = draw(numbers)
        elif what == "hall":
            hall[draw(st.sampled_from(["floor_rating_kg_m2", "it_capacity_kw", "tray_drop_m"]))] = draw(numbers)
        elif what == "extra":
            where = draw(st.sampled_from([doc, doc["site"], hall, items[draw(st.integers(0, len(items) - 1))]]))
            where[draw(st.sampled_from(["note", "future", "tags"]))] = draw(free_values)
        else:
            doc[draw(st.sampled_from(["name"]))] = draw(st.text(max_size=6) | st.sampled_from(HOSTILE_VALUES[-3:]))
    return json.dumps(doc)


#: The first field of every design file: new fields are put after it.
FORMAT_LINE = '"format": "datacenter-designer",'


@pytest.fixture(scope="module")
def pilot_text() -> str:
    from designer.paths import pilot_sample

    return pilot_sample().read_text()


@HOSTILE
@given(data=st.data())
@example(data=None)
def test_any_design_the_reader_accepts_evaluates_finitely_and_saves_back(pilot_doc, tmp_path, data) -> None:
    """The property behind issue 19: refused with one line, or evaluated with finite
    numbers and no RuntimeWarning, and saved to a file that reads back to the same design."""
    text = json.dumps(pilot_doc) if data is None else data.draw(hostile_designs(pilot_doc))
    try:
        design = loads_design(text)
    except DesignFileError as exc:
        assert "\n" not in str(exc)
        return
    _evaluates_and_saves(design, tmp_path)
