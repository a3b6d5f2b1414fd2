"""The NumPy reference against cases computed by hand."""

import math

import numpy as np
import pytest

from equivalence.numerics import reference
from equivalence.numerics.reference import FULL, HALF


def test_seed_000_ones_kernel_is_39_2_half_and_78_4_full():
    # 784 * 10 ones: sum(w**2) = 7840; 0.01 * 7840 = 78.4; halved 39.2.
    ones = np.ones((784, 10), dtype=np.float32)
    half = reference.l2(ones, 0.01, HALF)
    full = reference.l2(ones, 0.01, FULL)
    assert half.sum_value == 7840.0 and full.sum_value == 7840.0
    assert half.n_terms == 7840
    assert math.isclose(half.value, 39.2, rel_tol=1e-15)
    assert math.isclose(full.value, 78.4, rel_tol=1e-15)
    assert half.value == full.value / 2  # the factor is exact


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_three_four_five(dtype):
    # 3**2 + 4**2 = 25: full 2 * 25 = 50, half 25; l1: 2 * (3 + 4) = 14.
    w = np.array([3.0, -4.0], dtype=dtype)
    assert reference.l2(w, 2.0, FULL).value == 50.0
    assert reference.l2(w, 2.0, HALF).value == 25.0
    assert reference.l1(w, 2.0).value == 14.0
    assert reference.l1_l2(w, 2.0, 2.0).value == 64.0


def test_empty_and_zero_weights_give_exactly_zero():
    for w in (np.zeros((0, 3), np.float32), np.zeros((5, 5), np.float32), np.float32(0.0)):
        assert reference.l2(w, 0.5, HALF).value == 0.0
        assert reference.l2(w, 0.5, FULL).value == 0.0


def test_scalar_weight():
    assert reference.l2(np.float32(3.0), 0.5, FULL).value == 4.5


def test_squares_of_float32_are_exact_in_float64():
    # 1 + 2**-23 is the float32 after 1; its square 1 + 2**-22 + 2**-46 needs 47 bits: float64 holds it,
    # float32 would round the 2**-46 away. The reference keeps it.
    w = np.array([1.0 + 2.0 ** -23], dtype=np.float32)
    s, err = reference.sum_of_squares(w)
    assert s == 1.0 + 2.0 ** -22 + 2.0 ** -46
    # Exact terms, then one block sum and the sum of block sums: at most two roundings claimed.
    assert reference.U64 <= err <= 2 * reference.U64


def test_bfloat16_weights_are_read_exactly():
    bfloat16 = pytest.importorskip("tensorflow").bfloat16.as_numpy_dtype
    w = np.array([1.5, -0.25, 3.0], dtype=bfloat16)
    assert reference.l2(w, 1.0, FULL).value == 1.5 ** 2 + 0.25 ** 2 + 9.0


def test_fsum_is_correctly_rounded_where_naive_sum_is_not():
    # 1 + 1e-16 * 10: a naive left-to-right float64 sum loses every small term.
    w = np.array([1.0] + [1e-8] * 10, dtype=np.float64)
    s, _ = reference.sum_of_squares(w)
    assert s == math.fsum([1.0] + [1e-16] * 10)
    assert s > 1.0


def test_beyond_the_fsum_limit_the_pairwise_error_is_returned():
    n = reference.FSUM_LIMIT + 8
    ref = reference.l2(np.ones(n, np.float32), 1.0, FULL)
    assert ref.value == float(n)  # integers below 2**53 sum exactly
    assert ref.rel_error > 2 * reference.U64  # and the bound grows with the tree depth


def test_float64_weights_carry_one_rounding_per_square():
    w = np.array([0.1, 0.2], dtype=np.float64)
    ref = reference.l2(w, 1.0, FULL)
    assert abs(ref.value - 0.05) <= ref.rel_error * 0.05
    assert ref.rel_error >= 2 * reference.U64


def test_stored_lambda_is_the_float32_keras_multiplies_by():
    assert reference.stored_lambda(0.1, "float32") == float(np.float32(0.1))
    assert reference.stored_lambda(0.1, "float32") != 0.1
    assert reference.stored_lambda(0.1, None) == 0.1
    assert reference.stored_lambda(0.5, "float32") == 0.5  # exact binary fractions are unchanged


# --- OrthogonalRegularizer ---------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _direct_orthogonal(w, lam, mode, signed=False):
    """An independent route: np.linalg.norm, explicit pair loop over i < j, Python floats."""
    v = np.asarray(w, dtype=np.float64)
    v = v if mode == "rows" else v.T
    norms = np.linalg.norm(v, axis=1)
    x = v / np.maximum(norms, np.sqrt(reference.L2_NORMALIZE.constant(np.asarray(w).dtype)))[:, None]
    m = v.shape[0]
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m)]
    dots = [float(sum(a * b for a, b in zip(x[i], x[j]))) for i, j in pairs]
    total = sum(dots) if signed else sum(abs(d) for d in dots)
    return float(lam) * total / len(pairs)


def test_orthogonal_three_vectors_by_hand():
    # Rows (1, 0), (1, 1)/sqrt2, (-1, 1)/sqrt2: |G| off the diagonal = 1/sqrt2, 1/sqrt2, 0;
    # 0.5 * 0.5 * 2 * sqrt2 / 3 = sqrt2 / 6 (what tf.keras 2.10 and keras 3 return, 0.23570226).
    w = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 1.0]], np.float32)
    ref = reference.orthogonal(w, 0.5)
    assert abs(ref.value - math.sqrt(2.0) / 6.0) <= ref.rel_error * ref.value + ref.abs_error
    assert ref.sum_value == pytest.approx(2.0 * math.sqrt(2.0))
    # keras 2.9.0 sums without abs: +1/sqrt2 - 1/sqrt2 + 0 = 0 (TF 2.9.3 returns 0.0).
    signed = reference.orthogonal(w, 0.5, absolute=False)
    assert abs(signed.value) <= signed.abs_error
    # Columns (1, 1, -1), (0, 1, 1) are orthogonal: the penalty is rounding noise around 0,
    # which only an absolute error can cover.
    cols = reference.orthogonal(w, 0.5, mode="columns")
    assert abs(cols.value) <= cols.abs_error and cols.abs_error > 0


def test_orthogonal_extremes():
    assert reference.orthogonal(np.eye(5, dtype=np.float32), 0.3).value == 0.0
    same = reference.orthogonal(np.ones((4, 7), np.float32), 0.3)  # every |G_ij| = 1: the factor itself
    assert abs(same.value - 0.3) <= same.rel_error * 0.3 + same.abs_error


def test_orthogonal_one_vector_is_nan_and_rank_and_mode_are_checked():
    assert math.isnan(reference.orthogonal(np.ones((1, 3), np.float32), 0.5).value)
    assert math.isnan(reference.orthogonal(np.ones((3, 1), np.float32), 0.5, mode="columns").value)
    for w in (np.ones(3, np.float32), np.ones((2, 2, 2), np.float32)):
        with pytest.raises(ValueError):
            reference.orthogonal(w, 0.5)
    with pytest.raises(ValueError):
        reference.orthogonal(np.ones((2, 2), np.float32), 0.5, mode="diagonal")


def test_orthogonal_zero_vector_follows_the_guard():
    w32 = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]], np.float32)
    # float32: max(0, 1e-12) guards it, the zero row contributes 0: mean(0, 0, 1/sqrt2).
    assert reference.orthogonal(w32, 1.0).value == pytest.approx(math.sqrt(0.5) / 3.0, rel=1e-15)
    # float16: 1e-12 rounds to 0 (and keras 3's cap 1e7 to inf): 0 * inf = NaN, as tf_keras returns.
    for norm in (reference.L2_NORMALIZE, reference.KERAS_3):
        assert math.isnan(reference.orthogonal(w32.astype(np.float16), 1.0, normalization=norm).value)


def test_normalization_guards_in_each_dtype():
    assert reference.L2_NORMALIZE.constant("float16") == 0.0
    assert reference.KERAS_3.constant("float16") == float("inf")
    assert reference.KERAS_3.constant("float32") == 1e7
    assert reference.L2_NORMALIZE.constant("float64") == 1e-12
    assert reference.L2_NORMALIZE.constant("float32") == float(np.float32(1e-12))


def test_round_to_bfloat16_matches_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    for c in (1e-12, 1e-7, 1e7, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -9, 0.1, 276.0):
        assert reference.round_to(c, "bfloat16") == float(np.asarray(c).astype(ml_dtypes.bfloat16))


def test_l2_references_have_no_absolute_part():
    assert reference.l2(np.ones(3, np.float32), 1.0, FULL).abs_error == 0.0


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(["float16", "float32", "float64"]),
       m=st.integers(2, 9), n=st.integers(1, 9), mode=st.sampled_from(["rows", "columns"]),
       signed=st.booleans())
def test_orthogonal_equals_a_direct_computation(data, dtype, m, n, mode, signed):
    bound = {"float16": 8.0, "float32": 1e3, "float64": 1e3}[dtype]
    shape = (m, n) if mode == "rows" else (n, m)
    w = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-bound, bound, width=np.dtype(dtype).itemsize * 8)))
    v = w if mode == "rows" else w.T
    sq = (v.astype(np.float64) ** 2).sum(axis=1)
    if dtype == "float16" and (sq == 0).any():
        return  # no guard in float16: NaN, checked above
    ref = reference.orthogonal(w, 0.25, mode, absolute=not signed)
    direct = _direct_orthogonal(w, 0.25, mode, signed)
    # Both are float64 computations of the same value: their error bounds add (the direct one's
    # is of the same form, so twice the reference's bound covers both).
    assert abs(ref.value - direct) <= 2.0 * (ref.rel_error * abs(ref.value) + ref.abs_error) + 1e-300
    assert ref.n_terms == m * m and ref.size == m and ref.length == n
