"""The tolerance function: monotone, accepts exact results, catches the drifts the suite promises to catch."""

import math

import pytest
from hypothesis import given, strategies as st

from equivalence.numerics import tolerance
from equivalence.strategies import MAX_SIDE
from equivalence.numerics.tolerance import LEAF, UNIT_ROUNDOFF, relative_bound, summation_depth

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


# --- OrthogonalRegularizer ---------------------------------------------------------------------

import numpy as np  # noqa: E402
from hypothesis import assume, settings  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from equivalence.numerics import reference  # noqa: E402
from equivalence.numerics.reduction import DRIFT  # noqa: E402


def _emulate_orthogonal(w, lam, mode, dtype, signed=False):
    """The penalty computed in NumPy in `dtype`, every operation rounded to it, in an order unlike
    the reference's: square norms summed backwards, 1 / sqrt (two roundings), the Gram matrix as
    n rank-one updates (sequential dot products), the masked |G| summed row by row then across.
    """
    d = np.dtype(dtype).type
    x = np.asarray(w).astype(dtype)
    x = x if mode == "rows" else x.T
    m, n = x.shape
    s = np.zeros(m, dtype)
    for k in reversed(range(n)):
        s = s + x[:, k] * x[:, k]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        r = d(1) / np.sqrt(np.maximum(s, d(reference.L2_NORMALIZE.constant(dtype))))
        xn = x * r[:, None]
        g = np.zeros((m, m), dtype)
        for k in range(n):
            g = g + np.outer(xn[:, k], xn[:, k]).astype(dtype)
        g = g * (d(1) - np.eye(m, dtype=dtype))
        terms = g if signed else np.abs(g)
        acc = np.zeros(m, dtype)
        for i in range(m):
            acc = acc + terms[i]
        total = d(0)
        for t in acc[::-1]:
            total = d(total + t)
        factor = d(np.float32(lam) * np.float32(0.5))
        return float(d(d(factor * total) / d(m * (m - 1) / 2.0)))


def _tol(w, lam, mode, dtype, signed=False):
    lam32 = reference.stored_lambda(lam, "float32")
    ref = reference.orthogonal(w, lam32, mode, absolute=not signed)
    return ref, tolerance.orthogonal_reference_tolerance(ref, dtype, lam32)


ORTHO_BOUND = {"float16": 8.0, "float32": 1e3, "float64": 1e3}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(["float16", "float32", "float64"]),
       m=st.integers(2, 12), n=st.integers(1, 12), mode=st.sampled_from(["rows", "columns"]),
       lam=st.sampled_from([0.01, 0.1, 1.0, 3.0]), signed=st.booleans())
def test_orthogonal_bound_accepts_an_emulation_in_the_dtype(data, dtype, m, n, mode, lam, signed):
    shape = (m, n) if mode == "rows" else (n, m)
    b = ORTHO_BOUND[dtype]
    w = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-b, b, width=np.dtype(dtype).itemsize * 8)))
    ref, tol = _tol(w, lam, mode, dtype, signed)
    assume(tol.claims)  # float16 square norms near 0: no claim (rsqrt of 0 or a subnormal)
    got = _emulate_orthogonal(w, lam, mode, dtype, signed)
    assert tol.accepts(got, ref.value), (got, ref.value, tol.describe())


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_orthogonal_bound_accepts_low_precision_emulations_up_to_64x32(dtype):
    if dtype == "bfloat16":
        dtype = pytest.importorskip("ml_dtypes").bfloat16
    rng = np.random.RandomState(11)
    for shape in [(2, 2), (3, 17), (16, 16), (64, 32), (32, 64)]:
        for mode in ("rows", "columns"):
            w = rng.standard_normal(shape).astype(dtype)
            name = np.dtype(dtype).name
            ref, tol = _tol(w, 0.01, mode, name)
            assert tol.claims
            got = _emulate_orthogonal(w, 0.01, mode, dtype)
            assert tol.accepts(got, ref.value), (name, shape, mode, got, ref.value, tol.describe())


# Where the bound is tight enough to claim a 0.1 % drift: wherever the penalty P exceeds
# (2 + d) * atol / (d - (2 + d) * rtol), d = DRIFT, i.e. a mean |G_ij| = P / factor above
# ~2000 * E_G (the Gram entries' bound). For shapes up to 64x64 that threshold is below 0.02 in
# float32 and below 1e-9 in float64, while Gaussian kernels have mean |G_ij| ~ sqrt(2 / (pi n)),
# 0.1 at n = 64 (a single pair, m = 2, can still fall below it: then no claim). Never in float16
# or bfloat16 (u > 1e-3 / 2), and not for (near-)orthogonal kernels in any dtype: there the
# penalty is ~0, and so is any drift of it.
DRIFT_SHAPES = [(2, 2), (2, 64), (8, 8), (16, 3), (33, 17), (64, 32), (32, 64), (64, 64)]
DRIFT_THRESHOLD = {"float32": 0.02, "float64": 1e-9}  # on mean |G_ij|, for DRIFT_SHAPES


def _drift_threshold(tol, lam):
    return (2.0 + DRIFT) * tol.atol / (DRIFT - (2.0 + DRIFT) * tol.rtol) / lam


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", DRIFT_SHAPES)
def test_orthogonal_bound_catches_a_drift_of_one_in_a_thousand(dtype, shape):
    rng = np.random.RandomState(sum(shape))
    claimed = 0
    for trial in range(4):
        for mode in ("rows", "columns"):
            w = rng.standard_normal(shape).astype(dtype)
            ref, tol = _tol(w, 0.01, mode, dtype)
            threshold = _drift_threshold(tol, 0.01)
            assert 0 < threshold < DRIFT_THRESHOLD[dtype], tol.describe()
            got = _emulate_orthogonal(w, 0.01, mode, dtype)
            assert tol.accepts(got, ref.value)
            mean_abs_g = ref.value / reference.stored_lambda(0.01, "float32")
            assert tol.catches(DRIFT, ref.value) == (mean_abs_g > threshold * (1 + 1e-9)) or \
                abs(mean_abs_g / threshold - 1) < 1e-6
            if tol.catches(DRIFT, ref.value):
                claimed += 1
                assert not tol.accepts(got * (1 + DRIFT), ref.value)
                assert not tol.accepts(got * (1 - DRIFT), ref.value)
    assert claimed >= 6  # of 8: Gaussian kernels are mostly far from orthogonal


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_orthogonal_bound_does_not_claim_the_drift_in_half_precision(dtype):
    w = np.random.RandomState(3).standard_normal((8, 8)).astype(np.float32)
    ref, tol = _tol(w, 0.01, "rows", dtype)
    assert tol.claims and not tol.catches(DRIFT, ref.value)


def test_orthogonal_kernel_is_judged_by_the_absolute_part():
    # A 4x4 Hadamard kernel: exactly orthogonal rows, penalty 0; the float32 emulation's rounding
    # noise must pass, and so must exactly 0. A relative bound alone would reject the noise.
    h = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], np.float32) * 0.3
    rot = np.linalg.qr(np.random.RandomState(5).standard_normal((6, 6)))[0].astype(np.float32)
    for w in (h, rot):
        ref, tol = _tol(w, 0.01, "rows", "float32")
        assert abs(ref.value) < 1e-8
        got = _emulate_orthogonal(w, 0.01, "rows", "float32")
        assert tol.accepts(got, ref.value) and tol.accepts(0.0, ref.value)
        assert tol.atol > 0 and not tol.catches(DRIFT, ref.value)
        assert not tol.accepts(1e-4, ref.value)  # but a penalty of 1 % of the factor is rejected


def test_orthogonal_bound_grows_with_the_shape_and_the_factor():
    a = tolerance.orthogonal_tolerance("float32", (8, 8), 0.01, min_square_norm=1.0, max_square_norm=1.0)
    b = tolerance.orthogonal_tolerance("float32", (8, 64), 0.01, min_square_norm=1.0, max_square_norm=1.0)
    c = tolerance.orthogonal_tolerance("float32", (64, 8), 0.01, min_square_norm=1.0, max_square_norm=1.0)
    d = tolerance.orthogonal_tolerance("float32", (8, 8), 1.0, min_square_norm=1.0, max_square_norm=1.0)
    assert b.gram_error > a.gram_error and b.atol > a.atol  # longer dot products
    assert c.rtol > a.rtol  # a longer final sum
    assert d.atol == pytest.approx(100 * a.atol, rel=1e-6)  # the absolute part scales with the factor
    # columns mode of the transpose is the same bound
    t = tolerance.orthogonal_tolerance("float32", (8, 64), 0.01, "columns", min_square_norm=1.0, max_square_norm=1.0)
    assert (t.rtol, t.atol) == (c.rtol, c.atol)


def test_orthogonal_bound_no_claim_outside_the_model():
    # float16: the sum of m (m - 1) entries |G_ij| <= 1 may overflow (with fits()'s 2x margin) from
    # m = 182; num_pairs = 363 * 362 / 2 = 65703 itself overflows to inf (the penalty would be 0).
    for m in (182, 363):
        assert not tolerance.orthogonal_tolerance("float16", (m, 4), 0.01, min_square_norm=1.0).claims
    assert tolerance.orthogonal_tolerance("float16", (181, 4), 0.01, min_square_norm=1.0).claims
    assert tolerance.orthogonal_tolerance("float32", (363, 4), 0.01, min_square_norm=1.0).claims
    # float16 has no guard: without the smallest square norm there is no claim; float32 has one.
    assert not tolerance.orthogonal_tolerance("float16", (4, 4), 0.01).claims
    assert tolerance.orthogonal_tolerance("float32", (4, 4), 0.01).claims
    # Square norms that overflow float16.
    assert not tolerance.orthogonal_tolerance("float16", (4, 4), 0.01, min_square_norm=1.0,
                                              max_square_norm=70000.0).claims
    no = tolerance.orthogonal_tolerance("float16", (4, 4), 0.01)
    assert no.accepts(0.5, 0.001) and "no claim" in no.describe() and not no.catches(DRIFT, 1.0)


def test_orthogonal_one_vector_is_nan_judged_by_identity():
    tol = tolerance.orthogonal_tolerance("float32", (1, 5), 0.01)
    ref = reference.orthogonal(np.ones((1, 5), np.float32), 0.01)
    assert tol.accepts(float("nan"), ref.value) and not tol.accepts(0.0, ref.value)


def test_orthogonal_tolerance_checks_rank_and_mode():
    with pytest.raises(ValueError):
        tolerance.orthogonal_tolerance("float32", (2, 2, 2), 0.01)
    with pytest.raises(ValueError):
        tolerance.orthogonal_tolerance("float32", (2, 2), 0.01, mode="diagonal")


def test_orthogonal_toward_zero_doubles_u():
    near = tolerance.orthogonal_tolerance("bfloat16", (4, 4), 0.01, min_square_norm=1.0)
    tz = tolerance.orthogonal_tolerance("bfloat16", (4, 4), 0.01, rounding=tolerance.TOWARD_ZERO,
                                        min_square_norm=1.0)
    assert tz.rtol > 1.9 * near.rtol and tz.atol > 1.9 * near.atol
