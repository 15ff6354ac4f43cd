"""The compiled allocation passes (designer/engine/_allocate.c) against the numpy passes
they transcribe: the same grants, in the same order, with the same floats, bit for bit.

The numpy passes stay the definition (and run where no C compiler built the kernel);
``EngineOptions(compiled=False)`` selects them.
"""

from __future__ import annotations

import shutil
import sysconfig

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.engine import Evaluator, evaluate, serve
from designer.engine.options import EngineOptions
from designer.engine.serve import Serving, _serve_nearest
from designer.model import Change

from .test_properties import EXAMPLES, assert_same_evaluation, base_design, incremental_design, moves_strategy, perturbed

needs_kernel = pytest.mark.skipif(serve._allocate is None, reason="the compiled kernel is not built here")

COMPILED = EngineOptions(compiled=True)
NUMPY = EngineOptions(compiled=False)


def test_the_kernel_is_built_where_a_c_compiler_is():
    """pip builds the optional extension when it finds a C compiler (CI has one): a build
    that silently stopped working would cost every edit about 1.7 ms on a 1M-chip hall."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler ({cc}) on this machine: the numpy passes run")
    assert serve._allocate is not None


def _call(options: EngineOptions):
    return Serving(options, {}, ("A",)).call("test")


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


@st.composite
def problems(draw):
    """Items and units in one to three halls on a coarse grid (so distances tie), demands
    and capacities from ample to binding, with or without partial service."""
    n_halls = draw(st.integers(1, 3))
    n_items = draw(st.integers(1, 60))
    n_units = draw(st.integers(1, 12))
    grid = draw(st.sampled_from([0.6, 1.2, 2.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = n_items + n_units
    x = rng.integers(0, 30, n) * grid
    y = rng.integers(0, 12, n) * grid
    hall_of = rng.integers(0, n_halls, n)
    items = np.arange(n_items)
    units = np.arange(n_items, n)
    partial = draw(st.booleans())
    if partial:
        demand = rng.integers(0, 5, n_items).astype(float)
    else:
        demand = np.round(rng.uniform(0, 40, n_items), draw(st.sampled_from([0, 3, 9])))
    tight = draw(st.sampled_from([0.3, 1.0, 3.0]))
    capacity = rng.uniform(0, 2, n_units) * tight * demand.sum() / max(n_units, 1)
    capacity[rng.random(n_units) < 0.15] = 0.0
    reach = rng.choice([6.0, 15.0, np.inf], n_units)
    extra = rng.choice([0.0, 1.5], n_items) if draw(st.booleans()) else 0.0
    radius = rng.uniform(2.0, 8.0, n_halls)
    direct = (2.4, 0.6) if draw(st.booleans()) else None
    return dict(items=items, units=units, hall_of=hall_of, x=x, y=y, extra=extra, reach=reach, demand=demand,
                capacity=capacity, partial=partial, radius_m=radius, scale=draw(st.sampled_from([1.0, 1.2])),
                direct=direct)


@needs_kernel
@settings(max_examples=max(EXAMPLES * 10, 200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=problems(), dense_pairs=st.sampled_from([0, 6_000]), fast_path=st.booleans())
def test_compiled_passes_equal_the_numpy_passes(p, dense_pairs, fast_path):
    """Every path through the passes (near passes, widening, the table's k nearest then all,
    first fit, partial service, halls where the one-step path serves some and not others)
    gives the numpy passes' grants, in their order, to the last bit."""
    out = {}
    for compiled in (True, False):
        opts = EngineOptions(compiled=compiled, dense_pairs=dense_pairs, fast_path=fast_path, fast_retry_every=1)
        out[compiled] = _serve_nearest(**p, serving=_call(opts))
    (sa, ga), (sb, gb) = out[True], out[False]
    assert _bits(sa) == _bits(sb)
    for a, b in zip(ga, gb):
        assert a.dtype == b.dtype
        assert _bits(a) == _bits(b)


@needs_kernel
def test_the_table_pass_takes_each_items_nearest_units_in_order():
    """A hall small enough for the table: each item asks its four nearest units first
    (ties to the lower unit), then all of them; capacity binds so the second round runs."""
    x = np.array([0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.zeros(8)
    items, units = np.arange(2), np.arange(2, 8)
    demand = np.array([10.0, 10.0])
    capacity = np.array([4.0, 4.0, 4.0, 4.0, 4.0, 30.0])
    kwargs = dict(items=items, units=units, hall_of=np.zeros(8, np.int64), x=x, y=y, extra=0.0,
                  reach=np.full(6, np.inf), demand=demand, capacity=capacity, partial=True,
                  radius_m=np.array([2.0]))
    served, (gi, gu, ga) = _serve_nearest(**kwargs, serving=_call(COMPILED))
    assert served.tolist() == [10.0, 10.0]
    # item 0 takes units 0, 1, 2 (4 + 4 + 2); item 1 the rest of unit 2, unit 3, then the far one
    assert list(zip(gi.tolist(), gu.tolist(), ga.tolist())) == [
        (0, 0, 4.0), (0, 1, 4.0), (0, 2, 2.0), (1, 2, 2.0), (1, 3, 4.0), (1, 4, 4.0)]
    reference = _serve_nearest(**kwargs, serving=_call(NUMPY))
    assert served.tolist() == reference[0].tolist()
    assert [g.tolist() for g in reference[1]] == [gi.tolist(), gu.tolist(), ga.tolist()]


@needs_kernel
def test_bad_arrays_are_refused_with_a_message():
    """The kernel checks what it is given: a wrong size or a unit index out of range is a
    ValueError, never a read past an array."""
    k = serve._allocate
    unit = np.zeros((2, 3), np.int64)
    f = np.zeros((2, 3))
    ok = np.ones((2, 3), bool)
    ih = np.zeros(2, np.int64)
    args = [unit, f, f, ok, ih, np.zeros(1, bool), np.ones(1), np.ones(2), np.zeros(2), np.ones(4)]
    with pytest.raises(ValueError, match="dist"):
        k.serve_passes(*args[:1], np.zeros(5), *args[2:], 2, 3, 4, 1, False, 4)
    bad = unit.copy()
    bad[1, 2] = 7
    with pytest.raises(ValueError, match="unit index"):
        k.serve_passes(bad, *args[1:], 2, 3, 4, 1, False, 4)
    with pytest.raises(ValueError, match="hall"):
        k.serve_passes(*args[:4], np.array([0, 5]), *args[5:], 2, 3, 4, 1, False, 4)
    with pytest.raises(TypeError, match="dist: an array of float64"):
        k.serve_passes(unit, unit, *args[2:], 2, 3, 4, 1, False, 4)
    # one hall, from positions: items, units and halls are checked against the arrays
    items, units, hall_of = np.array([0, 1]), np.array([2]), np.zeros(3, np.int64)
    xy, one = np.zeros(3), np.ones(1)
    hall = [items, units, hall_of, xy, xy, 0.0, one, np.ones(2), one, one, 1.0, False, 0.0, 0.0, 10, 10, False, 4]
    served, gi, gu, ga = k.serve_hall(*hall)
    assert np.frombuffer(served).tolist() == [1.0, 0.0]   # one unit of 1: the first item takes it
    with pytest.raises(ValueError, match="item index"):
        k.serve_hall(np.array([0, 3]), *hall[1:])
    with pytest.raises(ValueError, match="hall index"):
        k.serve_hall(items, units, np.array([0, 0, -1]), *hall[3:])
    with pytest.raises(TypeError, match="x: an array of float64"):
        k.serve_hall(items, units, hall_of, np.zeros(3, np.float32), *hall[4:])
    # items in two halls: not for this path (None: the caller's numpy passes take over)
    assert k.serve_hall(items, units, np.array([0, 1, 0]), *hall[3:]) is None
    # a hall index near 2**63 (no overflow into a write before an array), and sizes whose
    # product overflows (no read past empty arrays): refused (both crashed a review build)
    with pytest.raises(ValueError, match="hall index"):
        k.serve_hall(np.array([0]), np.array([1]), np.array([0, 2**63 - 1]), np.zeros(2), np.zeros(2), 0.0, one, one,
                     one, one, *hall[10:])
    e8, ed, eb = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool)
    with pytest.raises(ValueError, match="size"):
        k.serve_passes(e8, ed, ed, eb, e8, np.zeros(1, bool), np.ones(1), ed, ed, np.ones(1), 2**61, 8, 1, 1, False, 4)


def _both(**kwargs):
    """``_serve_nearest`` compiled and in numpy: (served, grants) of each."""
    return [_serve_nearest(**kwargs, serving=_call(opts)) for opts in (COMPILED, NUMPY)]


def _assert_same(a, b):
    assert _bits(a[0]) == _bits(b[0])
    assert all(_bits(p) == _bits(q) for p, q in zip(a[1], b[1]))


@needs_kernel
def test_a_nan_extra_length_reaches_no_unit_in_either():
    """np.minimum keeps a NaN: the port-to-port shortcut must not make a NaN route
    reachable in the compiled passes (it did, found in review)."""
    a, b = _both(items=np.array([0]), units=np.array([1]), hall_of=np.zeros(2, np.int64), x=np.array([0.0, 1.0]),
                 y=np.zeros(2), extra=np.array([np.nan, 0.0]), reach=np.array([15.0]), demand=np.array([1.0]),
                 capacity=np.array([5.0]), partial=True, radius_m=np.array([3.0]), direct=(2.4, 0.6))
    assert a[0].tolist() == [0.0]
    _assert_same(a, b)


@needs_kernel
def test_the_k_nearest_tie_to_the_lower_unit_at_any_distance():
    """Beyond 16 km the 1e-12 m nudge no longer separates equal distances: both passes
    keep the lower units (numpy's argpartition took either, found in review)."""
    d = [3e5, np.inf, np.inf, 1e5, 1e5, np.inf, np.inf, 1e5, 2e5, np.inf, 2e5, 2e5, np.inf, 2e5, 2e5, 3e5]
    w = len(d)
    x = np.r_[0.0, [v if np.isfinite(v) else 1.0 for v in d]]
    capacity = np.array([1.0 if np.isfinite(v) else 0.0 for v in d])
    a, b = _both(items=np.array([0]), units=np.arange(1, w + 1), hall_of=np.zeros(w + 1, np.int64), x=x,
                 y=np.zeros(w + 1), extra=0.0, reach=np.full(w, np.inf), demand=np.array([4.0]), capacity=capacity,
                 partial=True, radius_m=np.array([1.0]))
    assert a[1][1].tolist() == [3, 4, 7, 8]   # the 100 km units, then the first 200 km one
    _assert_same(a, b)


@needs_kernel
def test_an_item_walking_every_unit_of_a_large_hall():
    """Whole service where no unit can take an item: each walks every candidate of the
    table (an item's list is sorted once past its second choice, not picked per step)."""
    rng = np.random.default_rng(3)
    ni, nu = 12, 600
    n = ni + nu
    kwargs = dict(items=np.arange(ni), units=np.arange(ni, n), hall_of=np.zeros(n, np.int64),
                  x=np.round(rng.uniform(0, 100, n), 1), y=np.round(rng.uniform(0, 30, n), 1), extra=0.0,
                  reach=np.full(nu, np.inf), demand=np.full(ni, 10.0), partial=False, radius_m=np.array([3.0]))
    capacity = np.full(nu, 9.0)
    capacity[rng.integers(0, nu, 4)] = 25.0   # a few units take one item (then no more)
    a, b = _both(**kwargs, capacity=capacity)
    assert 0 < np.count_nonzero(a[0]) < ni
    _assert_same(a, b)


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@needs_kernel
@SETTINGS
@given(moves=moves_strategy, cdu_kw=st.sampled_from([1000.0, 140.0, 60.0]), crah_kw=st.sampled_from([250.0, 12.0]),
       ports=st.sampled_from([128, 20]))
def test_a_design_evaluates_the_same_with_and_without_the_kernel(moves, cdu_kw, crah_kw, ports):
    design = perturbed(base_design(2), moves)
    design.assumptions.update({"cdu-in-row.capacity_kw": cdu_kw, "crah.capacity_kw": crah_kw,
                               "network-rack.ports": ports})
    assert_same_evaluation(evaluate(design, options=COMPILED), evaluate(design, options=NUMPY))


@needs_kernel
@SETTINGS
@given(data=st.data(), tight=st.booleans())
def test_edits_evaluate_the_same_with_and_without_the_kernel(data, tight):
    """Hall-by-hall re-evaluation after moves (the pair table patched, the one-step path
    skipped for a group of one hall) equals the numpy passes' full evaluation."""
    design = incremental_design()
    if tight:
        design.assumptions.update({"cdu-in-row.capacity_kw": 140.0, "crah.capacity_kw": 40.0,
                                   "network-rack.ports": 20})
    ev = Evaluator(design, options=COMPILED)
    t = design.equipment
    for _ in range(data.draw(st.integers(1, 4), label="moves")):
        row = data.draw(st.integers(0, len(t) - 1), label="row")
        t.x[row] += data.draw(st.sampled_from([-1.2, -0.6, 0.6, 1.2]), label="dx")
        item = t.ids[row]
        hall = t.halls[int(t.hall_code[row])]
        inc = ev.apply(Change("moved", (item,), (hall,)))
        assert_same_evaluation(inc, evaluate(design, options=NUMPY))
