"""The tolerance function: monotone, accepts exact results, catches the drifts the suite promises to catch."""

import math

import pytest
from hypothesis import given, strategies as st

from equivalence import tolerance
from equivalence.strategies import MAX_SIDE
from equivalence.tolerance import LEAF, UNIT_ROUNDOFF, relative_bound, summation_depth

DTYPES = sorted(UNIT_ROUNDOFF)
SIZES = st.integers(min_value=0, max_value=2 ** 30)


@given(dtype=st.sampled_from(DTYPES), n=SIZES, extra=st.integers(1, 2 ** 20))
def test_bound_is_monotone_in_the_number_of_terms(dtype, n, extra):
    a, b = tolerance.tolerance(dtype, n), tolerance.tolerance(dtype, n + extra)
    assert b.rtol >= a.rtol and b.atol >= a.atol


@given(dtype=st.sampled_from(DTYPES), n=SIZES,
       value=st.floats(min_value=0.0, max_value=1e30, allow_nan=False))
def test_exact_results_are_accepted(dtype, n, value):
    assert tolerance.tolerance(dtype, n, lam=1.0, sum_value=value).accepts(value, value)


def test_zero_is_judged_with_the_flush_allowance_only():
    # 10 terms, lambda 0: atol = tiny * (0 + 10 * (0 + 1) + 2) = 12 * 2**-126, nothing more.
    tol = tolerance.tolerance("float32", 10, lam=0.0, sum_value=0.0)
    assert tol.atol == 12 * 2.0 ** -126
    assert tol.accepts(0.0, 0.0)
    assert not tol.accepts(1e-30, 0.0)


@pytest.mark.parametrize("n", [1, 1000, LEAF, 2 ** 20, 2 ** 24])
def test_float32_catches_a_drift_of_one_in_a_thousand(n):
    tol = tolerance.tolerance("float32", n, lam=0.01, sum_value=float(n))
    expected = 0.005 * n
    assert tol.accepts(expected, expected)
    assert not tol.accepts(expected * 1.001, expected)
    assert not tol.accepts(expected * 0.999, expected)
    assert tol.rtol < 1e-4  # and with a margin of more than ten


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_a_factor_of_two_is_caught_at_the_largest_size_the_strategies_draw(dtype):
    n = MAX_SIDE[dtype] ** 4
    tol = tolerance.tolerance(dtype, n, lam=1.0, sum_value=float(n))
    assert not tol.accepts(2.0 * n, 1.0 * n)
    assert not tol.accepts(0.5 * n, 1.0 * n)


def test_summation_depth_worst_case_then_blocked_tree():
    assert summation_depth(0) == 0 and summation_depth(1) == 0 and summation_depth(2) == 1
    assert summation_depth(LEAF) == LEAF - 1
    assert summation_depth(LEAF + 1) == LEAF + 1
    assert summation_depth(2 ** 24) == LEAF + 14


@given(k=st.integers(0, 10 ** 9), dtype=st.sampled_from(DTYPES))
def test_relative_bound_is_at_least_first_order_and_never_raises(k, dtype):
    u = UNIT_ROUNDOFF[dtype]
    r = relative_bound(k, u)
    assert r >= k * u * (1 - 1e-12)
    assert math.isfinite(r) or k * u > 700  # infinite only where (1+u)**k exceeds float64


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_bound_exists_for_every_dtype_at_2_to_the_30_terms(dtype):
    tol = tolerance.tolerance(dtype, 2 ** 30, lam=1.0, sum_value=1.0)
    assert tol.accepts(1.0, 1.0)


def test_nan_and_inf_are_judged_by_identity():
    tol = tolerance.tolerance("float32", 4)
    assert tol.accepts(float("nan"), float("nan")) and not tol.accepts(1.0, float("nan"))
    assert tol.accepts(float("inf"), float("inf")) and not tol.accepts(3e38, float("inf"))


def test_fits_rejects_overflow_with_a_margin():
    assert tolerance.fits("float16", 30000.0)
    assert not tolerance.fits("float16", 40000.0)
    assert tolerance.fits("float32", 1e38) and not tolerance.fits("float32", 2e38)
