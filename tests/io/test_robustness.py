"""Never lose a planner's work: backups, failed saves, migrations, saves killed midway,
and fuzzed input that must only ever produce a clear message."""

from __future__ import annotations

import copy
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from designer.io import DesignFileError, dumps_design, loads_design, read_design, write_design
from designer.io import dcplan
from designer.io.dxf import DxfError, import_dxf

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_saving_keeps_the_previous_version_as_a_backup(pilot_path, tmp_path):
    design = read_design(pilot_path)
    path = tmp_path / "hall.dcplan"
    write_design(design, path)
    first = path.read_bytes()
    design.name = "Second version"
    write_design(design, path)
    assert dcplan.backup_path(path).read_bytes() == first
    assert read_design(path).name == "Second version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.dcplan", "hall.dcplan.bak"]


@pytest.mark.parametrize("failure", ["disk full", "fsync fails", "rename fails"])
def test_a_failed_save_leaves_the_file_on_disk_untouched(pilot_path, tmp_path, monkeypatch, failure):
    design = read_design(pilot_path)
    path = tmp_path / "hall.dcplan"
    write_design(design, path)
    before = path.read_bytes()
    design.name = "never saved"

    def boom(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    if failure == "disk full":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(dcplan.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    elif failure == "fsync fails":
        monkeypatch.setattr(dcplan.os, "fsync", boom)
    else:
        monkeypatch.setattr(dcplan.os, "replace", boom)
    with pytest.raises(OSError):
        write_design(design, path, keep_backup=False)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["hall.dcplan"]  # no temporary file left behind


def test_an_older_format_version_is_migrated(monkeypatch, pilot_path):
    """Migrations chain: a version-1 file goes 1 → 2 (the real, unchanged step) and then
    through a synthetic 2 → 3 (version 3 renames 'halls' to 'rooms' and back)."""
    doc = json.loads(pilot_path.read_text())
    doc["version"] = 1
    calls = []

    def v2_to_v3(d):
        calls.append(d["version"])
        d = dict(d)
        d["rooms"] = d.pop("halls")
        return d

    def read_v3(d):
        d = dict(d)
        d["halls"] = d.pop("rooms")
        return d

    monkeypatch.setattr(dcplan, "FORMAT_VERSION", 3)
    monkeypatch.setitem(dcplan.MIGRATIONS, 2, lambda d: read_v3(v2_to_v3(d)))
    design = loads_design(json.dumps(doc))
    assert calls == [2]
    assert design.name == doc["name"] and len(design.equipment) == len(doc["equipment"])
    doc["version"] = 4
    with pytest.raises(DesignFileError, match="version 4"):
        loads_design(json.dumps(doc))


# ------------------------------------------------------------------ killed mid-save
SAVER = r"""
import sys
from designer.io import read_design, write_design
a = read_design(sys.argv[1]); b = read_design(sys.argv[1]); b.name = "version B"
path = sys.argv[2]
print("ready", flush=True)
k = 0
while True:
    write_design(a if k % 2 else b, path)
    k += 1
"""


def test_killing_a_save_midway_never_damages_the_file(full_hall_path, tmp_path):
    """Kill a process that saves over and over at random moments (30 times): the file on
    disk is always exactly the old or the new design, never anything else."""
    path = tmp_path / "hall.dcplan"
    a = read_design(full_hall_path)
    b = read_design(full_hall_path)
    b.name = "version B"
    write_design(a, path)
    good = {dumps_design(a), dumps_design(b)}
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    rng = random.Random(7)
    kills = 0
    for _ in range(30):
        proc = subprocess.Popen([sys.executable, str(script), str(full_hall_path), str(path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        assert path.read_text() in good
        read_design(path)
    assert kills == 30


# ------------------------------------------------------------------ fuzzing
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def mutate(doc, rng: random.Random, value):
    """Replace (or delete) the value at a random place of a document."""
    doc = copy.deepcopy(doc)
    paths = [p for p in _paths(doc) if p]
    where = rng.choice(paths)
    parent = doc
    for k in where[:-1]:
        parent = parent[k]
    if rng.random() < 0.2 and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    return doc


def read_or_refuse(data) -> None:
    """The reader's contract: a design, or a DesignFileError with one line — nothing else."""
    try:
        loads_design(data)
    except DesignFileError as exc:
        assert str(exc) and "\n" not in str(exc)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_reader_with_bytes(data):
    read_or_refuse(data)


@FUZZ
@given(value=json_values)
@example(value={"\n": float("inf")})  # found by hypothesis: a key with a line break named in the message
def test_fuzz_reader_with_any_json(value):
    read_or_refuse(json.dumps(value))


@FUZZ
@given(seed=st.integers(0, 2**32), value=json_values)
def test_fuzz_reader_with_mutated_designs(pilot_doc, seed, value):
    rng = random.Random(seed)
    doc = pilot_doc
    for _ in range(rng.randint(1, 3)):
        doc = mutate(doc, rng, value)
    read_or_refuse(json.dumps(doc))


@FUZZ
@given(seed=st.integers(0, 2**32), cut=st.integers(0, 10**6))
def test_fuzz_reader_with_truncated_and_garbled_text(pilot_text, seed, cut):
    rng = random.Random(seed)
    text = pilot_text[: cut % (len(pilot_text) + 1)]
    if text and rng.random() < 0.5:
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(["NaN", "Infinity", "-1e400", "{", "]", '"', "\\u0000", "1e999"]) + text[i + 1:]
    read_or_refuse(text)


@pytest.fixture(scope="module")
def pilot_text():
    from designer.paths import pilot_sample

    return pilot_sample().read_text()


@pytest.fixture(scope="module")
def pilot_doc(pilot_text):
    return json.loads(pilot_text)


@pytest.fixture(scope="module")
def dxf_text(tmp_path_factory):
    import ezdxf

    doc = ezdxf.new()
    doc.units = ezdxf.units.M
    doc.modelspace().add_lwpolyline([(0, 0), (20, 0), (20, 10), (0, 10)], close=True, dxfattribs={"layer": "HALL"})
    doc.modelspace().add_lwpolyline([(5, 5), (5.6, 5), (5.6, 5.6), (5, 5.6)], close=True,
                                    dxfattribs={"layer": "COLUMNS"})
    path = tmp_path_factory.mktemp("dxf") / "ok.dxf"
    doc.saveas(path)
    return path.read_text()


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), junk=st.text(max_size=30))
def test_fuzz_dxf_importer(dxf_text, tmp_path, seed, junk):
    """Mutated drawings: a hall geometry or a DxfError with one line, nothing else."""
    rng = random.Random(seed)
    lines = dxf_text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        choice = rng.random()
        if choice < 0.4:
            lines[i] = junk
        elif choice < 0.7:
            del lines[i]
        else:
            lines[i] = rng.choice(["nan", "-1e308", "1e999", "0", "LWPOLYLINE", "EOF", "SECTION"])
    if rng.random() < 0.3:
        lines = lines[: rng.randrange(len(lines))]
    path = tmp_path / f"fuzz-{seed}.dxf"
    path.write_text("\n".join(lines), errors="replace")
    try:
        geom = import_dxf(path)
        assert len(geom.outline) >= 3
    except DxfError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_dxf_found_by_the_fuzz_campaign_is_refused_cleanly():
    """tools/fuzz_campaign.py found a drawing whose entity type is garbage ('1E999'):
    reading its layer raised inside ezdxf. It must be a clear message."""
    from pathlib import Path

    with pytest.raises(DxfError) as info:
        import_dxf(Path(__file__).with_name("fuzz-dxf-2199.dxf"))
    assert "no closed polyline on layer 'HALL'" in str(info.value)
