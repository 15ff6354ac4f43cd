"""``designer fill`` (issue 15): one JSON line, a result that passes ``check``, exit 2 with
one clear line for a bad request, and the input file never touched."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from designer.app import main
from designer.io import read_design, write_design
from designer.model import Design, Hall

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def empty_hall(path, *, width=48.0, depth=30.0, utility_kw=60000.0, redundancy=None):
    d = Design("Empty hall")
    d.site.utility_capacity_kw = utility_kw
    if redundancy:
        d.site.extra["redundancy"] = redundancy
    d.halls.append(Hall("A", "Hall A", ((0, 0), (width, 0), (width, depth), (0, depth)), it_capacity_kw=20000))
    write_design(d, path, keep_backup=False)
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(capsys, *args):
    code = main(["fill", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fill_max_prints_one_json_line_and_the_result_passes_check(tmp_path, capsys):
    src = empty_hall(tmp_path / "empty.dcplan")
    before = digest(src)
    out_path = tmp_path / "filled.dcplan"
    code, out, err = fill(capsys, src, "-o", out_path, "--max")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert set(doc) == {"ultraservers", "chips", "binding", "seconds"}
    assert doc["ultraservers"] > 0 and doc["chips"] == 144 * doc["ultraservers"]
    assert doc["binding"] in ("space", "utility", "hall-capacity", "cooling", "network", "floor-load", "target")
    assert digest(src) == before   # the input is never touched
    filled = read_design(out_path)
    assert len({e.system for e in filled.equipment if e.system}) == doc["ultraservers"]
    assert main(["check", str(out_path)]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_fill_to_an_exact_target_on_a_redundant_site(tmp_path, capsys):
    src = empty_hall(tmp_path / "empty.dcplan", redundancy={"power": "2N", "cooling": "N+1", "network": "N+1"})
    out_path = tmp_path / "filled.dcplan"
    code, out, err = fill(capsys, src, "-o", out_path, "--ultraservers", 12, "--orientation", "x")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["ultraservers"] == 12 and doc["binding"] == "target"
    assert main(["report", "--json", str(out_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ultraservers"] == 12
    assert report["resilience"]["n_minus_1_safe"] is True
    assert [v for v in report["violations"] if v["severity"] == "error"] == []


def test_the_utility_binds_and_is_named(tmp_path, capsys):
    src = empty_hall(tmp_path / "empty.dcplan", utility_kw=3000.0)
    code, out, err = fill(capsys, src, "-o", tmp_path / "filled.dcplan", "--max")
    assert code == 0, err
    assert json.loads(out)["binding"] == "utility"


@pytest.mark.parametrize("args, message", [
    (["--hall", "Z", "--max"], "designer: --hall Z: no hall with that id (the design has A)"),
    (["--ultraservers", "-2"], "designer: --ultraservers must be a whole number of at least 1, got -2"),
    (["--ultraservers", "100000"], "designer: Hall A can hold"),
    (["--it-kw", "0"], "designer: --it-kw must be a power above 0 kW"),
    (["--max", "--type", "network-rack"], "designer: --type network-rack: network equipment, not a compute rack"),
    (["--max", "--type", "nothing"], "designer: --type nothing: no such equipment type"),
])
def test_bad_requests_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, args, message):
    src = empty_hall(tmp_path / "empty.dcplan")
    before = digest(src)
    out_path = tmp_path / "filled.dcplan"
    code, out, err = fill(capsys, src, "-o", out_path, *args)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1
    assert out == ""
    assert not out_path.exists()
    assert digest(src) == before


def test_an_impossible_target_says_what_binds(tmp_path, capsys):
    src = empty_hall(tmp_path / "empty.dcplan", width=20.0, depth=15.0)
    code, _, err = fill(capsys, src, "-o", tmp_path / "filled.dcplan", "--ultraservers", "500")
    assert code == 2
    assert "not 500: space binds" in err


def test_the_input_file_is_never_overwritten(tmp_path, capsys):
    src = empty_hall(tmp_path / "empty.dcplan")
    before = digest(src)
    code, _, err = fill(capsys, src, "-o", src, "--max")
    assert code == 2 and "never overwritten" in err
    assert digest(src) == before


def test_an_unreadable_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.dcplan"
    bad.write_text("{not json")
    code, _, err = fill(capsys, bad, "-o", tmp_path / "out.dcplan", "--max")
    assert code == 2 and err.startswith("designer: ") and err.count("\n") == 1


def test_the_verb_runs_as_a_process(tmp_path):
    src = empty_hall(tmp_path / "empty.dcplan", width=20.0, depth=15.0)
    proc = subprocess.run([sys.executable, "-m", "designer", "fill", str(src), "-o", str(tmp_path / "f.dcplan"),
                           "--max"], capture_output=True, text=True, env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ultraservers"] > 0


def test_halls_beyond_every_cables_reach_are_refused_in_one_line(tmp_path):
    """Two empty halls 3 km apart on the campus: their spine rooms would need a trunk of
    (3,000 − 40 + 2 × 1.5) × 1.1 ≈ 3,259 m, beyond FR's 2,000 m: exit 2, the input untouched."""
    from designer.io import write_design
    from designer.model import Design, Hall

    d = Design("far apart")
    d.site.utility_capacity_kw = 100_000
    d.halls.append(Hall("A", "Hall A", ((0, 0), (40, 0), (40, 30), (0, 30))))
    d.halls.append(Hall("B", "Hall B", ((0, 0), (40, 0), (40, 30), (0, 30)), origin=(3000.0, 0.0)))
    src = tmp_path / "far.dcplan"
    write_design(d, src)
    before = src.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "designer", "fill", str(src), "-o", str(tmp_path / "out.dcplan"),
                           "--max"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "Hall A and Hall B are at least 3,259 m of cable apart" in proc.stderr
    assert src.read_bytes() == before and not (tmp_path / "out.dcplan").exists()
