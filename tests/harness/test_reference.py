"""The NumPy reference against cases computed by hand."""

import math

import numpy as np
import pytest

from equivalence import reference
from equivalence.reference import FULL, HALF


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
