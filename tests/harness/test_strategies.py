"""The strategies produce the dtypes, shapes, initializers and lambdas they claim, extremes included."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from equivalence.initializers import KINDS
from equivalence.routes.registry import ALL_DTYPES, ANY, CONV2D, MATRIX
from equivalence.strategies import ELEMENT_BOUND, MAX_SIDE, lambdas, plans

KERNELS = [ANY, MATRIX, CONV2D]
_SAMPLES = {}


def sample(strategy, key, n):
    """The first n distinct draws of a derandomized run (no shrinking): what a test run with n examples sees."""
    if key not in _SAMPLES:
        seen = []

        @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def collect(x):
            seen.append(x)
        collect()
        _SAMPLES[key] = seen
    return _SAMPLES[key]


def any_plans():
    # 500 draws: five ci test runs' worth; every claimed extreme must show up.
    return sample(plans(ALL_DTYPES, ANY), "plans", 500)


def _size(shape):
    return int(np.prod(shape)) if shape else 1


@given(data=st.data(), kernel=st.sampled_from(KERNELS),
       dtypes=st.lists(st.sampled_from(ALL_DTYPES), min_size=1, unique=True))
def test_plans_stay_within_what_they_claim(data, kernel, dtypes):
    plan = data.draw(plans(dtypes, kernel))
    assert plan.dtype in dtypes
    assert kernel.accepts(plan.shape)
    assert all(side <= MAX_SIDE[plan.dtype] for side in plan.shape)
    assert plan.init.kind in KINDS
    assert math.isfinite(plan.lam) and 0.0 <= plan.lam <= 1e4
    if plan.init.kind == "array":
        a = np.asarray(plan.init.array)
        assert a.shape == plan.shape
        assert np.all(np.abs(a) <= ELEMENT_BOUND[plan.dtype])
    if plan.init.kind == "orthogonal":
        assert len(plan.shape) >= 2 and _size(plan.shape) > 0


@pytest.mark.parametrize("wanted, condition", [
    ("zero-size weights", lambda p: _size(p.shape) == 0),
    ("a scalar", lambda p: p.shape == ()),
    ("rank 4", lambda p: len(p.shape) == 4),
    ("the longest float32 side", lambda p: p.dtype == "float32" and MAX_SIDE["float32"] in p.shape),
    ("an explicit array", lambda p: p.init.kind == "array"),
    ("a seeded random initializer", lambda p: p.init.seed is not None),
    ("an extreme element", lambda p: p.init.kind == "array" and p.init.array.size > 0
        and np.max(np.abs(p.init.array)) >= 0.5 * ELEMENT_BOUND[p.dtype]),
])
def test_the_extremes_occur(wanted, condition):
    assert any(condition(p) for p in any_plans()), wanted


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_every_requested_dtype_occurs(dtype):
    assert any(p.dtype == dtype for p in any_plans())


@pytest.mark.parametrize("kind", [k for k in KINDS])
def test_every_initializer_kind_occurs(kind):
    assert any(p.init.kind == kind for p in sample(plans(["float32"], MATRIX), "float32 matrices", 500))


@pytest.mark.parametrize("wanted, condition", [
    ("zero", lambda lam: lam == 0.0),
    ("tiny (a float32 product of it and w**2 can flush to zero)", lambda lam: 0.0 < lam < 1e-20),
    ("ordinary", lambda lam: 1e-3 < lam < 1.0),
    ("large", lambda lam: lam > 1e3),
])
def test_lambdas_reach_every_range(wanted, condition):
    assert any(condition(lam) for lam in sample(lambdas(), "lambdas", 1000)), wanted


@given(lam=lambdas())
def test_lambdas_are_non_negative_and_finite(lam):
    assert 0.0 <= lam <= 1e4 and math.isfinite(lam)


@pytest.mark.parametrize("kernel", [MATRIX, CONV2D], ids=lambda k: k.name)
def test_layer_kernels_never_draw_zero_size(kernel):
    drawn = sample(plans(ALL_DTYPES, kernel), kernel.name, 100)
    assert all(_size(p.shape) > 0 for p in drawn)


def _drawn(strategy, n):
    """What a derandomized run of n examples draws, as text (InitSpec arrays by their values)."""
    seen = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(plan):
        array = None if plan.init.array is None else plan.init.array.tolist()
        seen.append((plan.dtype, plan.shape, plan.init.describe(), repr(array), repr(plan.lam)))
    collect()
    return seen


def test_memoized_strategies_draw_what_fresh_ones_draw(monkeypatch):
    """strategies._memo keeps one strategy object per key: drawing from it must make the same
    choices as strategies built afresh for every draw, as before the memo (the derandomized ci
    run's cases stay the same)."""
    from equivalence import strategies
    memoized = plans(ALL_DTYPES, CONV2D)
    assert plans(ALL_DTYPES, CONV2D) is memoized
    again = _drawn(memoized, 60)
    monkeypatch.setattr(strategies, "_memo", lambda key, make: make())  # every strategy built per draw
    fresh_strategy = plans(ALL_DTYPES, CONV2D)
    assert fresh_strategy is not memoized
    fresh = _drawn(fresh_strategy, 60)
    assert again == fresh
    assert len(set(again)) > 30, "the comparison needs distinct plans"
