"""The bundled sample designs (resources/examples/) are real, clean halls: they load, have
no error, strand no UltraServer, and their rows face each other front to front across
cold aisles (PRODUCT §2: at rotation 0 the front faces −y). The full hall is built to
survive any single failure: 2N power (A and B busways, a chain per side), N+1 cooling
and network (PRODUCT §8); neither sample has a stub busway over a single rack."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from designer.catalog import load_catalog
from designer.engine import evaluate
from designer.io import read_design
from designer.paths import examples_dir

SAMPLES = ("pilot-hall.dcplan", "full-hall.dcplan", "hybrid-hall.dcplan")
ROW_KINDS = ("compute", "network", "cdu")   # what stands in rows (air handlers line the walls)


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request):
    design = read_design(examples_dir() / request.param)
    return request.param, design, evaluate(design)


def test_sample_loads_and_has_no_errors(sample):
    name, design, ev = sample
    assert len(design.halls) >= 1 and len(design.equipment) > 0
    errors = [(v.kind, v.ids, v.message) for v in ev.violations if v.severity == "error"]
    assert errors == [], name


def test_sample_strands_no_ultraserver(sample):
    name, _, ev = sample
    r = ev.report()
    assert r["throughput"]["stranded_ultraservers"] == 0, name
    assert r["throughput"]["effective"] == r["throughput"]["peak"]
    assert r["power"]["unpowered_items"] == 0 and r["cooling"]["uncooled_items"] == 0


def test_sample_sizes():
    pilot = evaluate(read_design(examples_dir() / "pilot-hall.dcplan")).report()
    full = evaluate(read_design(examples_dir() / "full-hall.dcplan")).report()
    assert pilot["ultraservers"] == 8
    assert pilot["chips"] == 8 * 144
    assert full["ultraservers"] >= 64
    assert full["chips"] == full["ultraservers"] * 144


def test_pilot_has_network_racks_cdus_busways_and_columns():
    design = read_design(examples_dir() / "pilot-hall.dcplan")
    cat = load_catalog()
    kinds = defaultdict(int)
    for e in design.equipment:
        kinds[cat.types[e.type].kind] += 1
    assert kinds["network"] >= 1
    assert kinds["cdu"] >= 1
    assert kinds["busway"] >= 1
    assert kinds["compute"] == 16
    assert sum(len(h.columns) for h in design.halls) >= 1


# ------------------------------------------------------------------ cold aisles
def _front(rotation: float) -> tuple[float, float]:
    """Unit vector the front faces: (0, −1) at 0°, turned counter-clockwise."""
    th = math.radians(rotation)
    return (round(math.sin(th), 9), round(-math.cos(th), 9))


def _rows(design):
    """Rows: items of ROW_KINDS sharing a hall, a centre line y and an orientation."""
    cat = load_catalog()
    rows = defaultdict(list)
    for e in design.equipment:
        spec = cat.types[e.type]
        if spec.kind not in ROW_KINDS:
            continue
        rows[(e.hall, round(e.y, 3), _front(e.rotation))].append(e)
    return rows


def test_sample_rows_face_each_other_across_cold_aisles(sample):
    """For every two neighbouring rows (same hall, overlapping along x, nothing between them),
    the aisle between them is a cold aisle with both fronts facing it, or a hot aisle with
    both rears facing it — never a front facing a rear."""
    name, design, _ = sample
    cat = load_catalog()
    rows = _rows(design)
    # east-west rows only (fronts to ±y), which is how the samples are laid out
    assert all(front[0] == 0 and abs(front[1]) == 1 for (_, _, front) in rows), name
    by_hall = defaultdict(list)
    for (hall, y, front), items in rows.items():
        half = max(cat.types[e.type].width_m for e in items) / 2
        xs = (min(e.x for e in items) - half, max(e.x for e in items) + half)
        by_hall[hall].append((y, front[1], xs))
    cold = hot = 0
    for hall, lines in by_hall.items():
        lines.sort()
        for i, (y_s, front_s, xs_s) in enumerate(lines):
            # the nearest row north of this one that overlaps it along x
            north = [(y, f, xs) for (y, f, xs) in lines[i + 1:] if y > y_s and xs[0] < xs_s[1] and xs_s[0] < xs[1]]
            if not north:
                continue
            y_n, front_n, _ = min(north)
            south_faces_aisle = front_s > 0     # the south row's front faces +y (north)
            north_faces_aisle = front_n < 0     # the north row's front faces −y (south)
            assert south_faces_aisle == north_faces_aisle, (name, hall, y_s, y_n)
            if south_faces_aisle:
                cold += 1
            else:
                hot += 1
    assert cold >= 1, name            # at least one cold aisle with two facing rows
    if name == "full-hall.dcplan":
        assert hot >= 1               # several row pairs: hot aisles between them, rear to rear


def test_sample_cold_aisles_are_at_least_the_front_clearance(sample):
    """Facing fronts: the aisle between the two rows is ≥ the 1.2 m front service zone."""
    name, design, _ = sample
    cat = load_catalog()
    front_m = cat.value("clearance.front_m")
    rows = _rows(design)
    for (hall, y, front), items in rows.items():
        if front[1] <= 0:
            continue
        depth = max(cat.types[e.type].depth_m for e in items)
        facing = [(y2, f2, its) for (h2, y2, f2), its in rows.items() if h2 == hall and f2[1] < 0 and y2 > y]
        if not facing:
            continue
        y2, _, its2 = min(facing, key=lambda r: r[0])
        depth2 = max(cat.types[e.type].depth_m for e in its2)
        aisle = (y2 - depth2 / 2) - (y + depth / 2)
        assert aisle >= front_m - 1e-6, (name, hall, y, y2, aisle)


# ------------------------------------------------------------------ realistic power and resilience
STUB_M = 1.2   # two rack positions less the runs' 5 cm insets: anything shorter feeds one rack


def test_sample_has_no_stub_busways(sample):
    name, design, _ = sample
    lengths = {e.id: math.dist((e.x, e.y), e.end) for e in design.equipment if e.end is not None}
    assert lengths and min(lengths.values()) >= STUB_M, (name, sorted(lengths.items(), key=lambda kv: kv[1])[:3])


@pytest.fixture(scope="module")
def full_hall():
    design = read_design(examples_dir() / "full-hall.dcplan")
    return design, evaluate(design, resilience=True)


def test_full_hall_declares_2n_power_and_n_plus_1_cooling_and_network(full_hall):
    design, ev = full_hall
    assert design.site.extra["redundancy"] == {"power": "2N", "cooling": "N+1", "network": "N+1"}
    assert ev.report()["resilience"]["redundancy"] == {"power": "2N", "cooling": "N+1", "network": "N+1"}
    assert ev.report()["ultraservers"] == 64


def test_full_hall_survives_every_single_failure(full_hall):
    design, ev = full_hall
    r = ev.report()
    assert [(v.kind, v.ids) for v in ev.violations if v.severity == "error"] == []
    assert r["resilience"]["n_minus_1_safe"] is True and r["resilience"]["worst"] is None
    tried = {f["id"] for f in r["resilience"]["single_failures"]}
    chain = {n["id"] for n in design.extra["power_chain"]}
    busways = {e.id for e in design.equipment if e.end is not None}
    assert busways | chain <= tried   # every busway and every chain node was failed in turn


def test_full_hall_every_rack_has_an_a_and_a_b_busway_and_each_side_its_own_chain(full_hall):
    design, ev = full_hall
    r = ev.report()
    nodes = {n["id"]: n for n in design.extra["power_chain"]}
    side = {}
    for node_id in nodes:            # a node's side: the feed letter of its root transformer
        root = node_id
        while nodes[root]["parent"] is not None:
            root = nodes[root]["parent"]
        side[node_id] = root.rsplit("-", 1)[1][0]
    feeds = {"A": 0, "B": 0}
    for e in design.equipment:
        if e.end is None:
            continue
        feed = e.extra.get("feed", "A")
        feeds[feed] += 1
        assert nodes[e.extra["source"]]["type"] == "ups-1250kw" and side[e.extra["source"]] == feed, e.id
    assert feeds["A"] == feeds["B"] > 0
    # every busway carries its racks alone when the other feed fails, and no node is over capacity
    assert all(b["failover_load_kw"] <= b["limit_kw"] + 1e-9 for b in r["power"]["busways"])
    assert all(n["load_kw"] <= n["capacity_kw"] for n in r["power"]["chain"])
    # … and each UPS, switchboard and transformer would carry its partner's load too (2N)
    assert all(2 * n["load_kw"] <= n["capacity_kw"] for n in r["power"]["chain"])
    gen = r["power"]["generators"]
    assert gen["usable_kw"] >= gen["load_kw"] and not ev.violations_of("power-capacity")
