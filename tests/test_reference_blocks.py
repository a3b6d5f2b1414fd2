"""The large-array paths of the judge: the blocked reference and the blockwise bit comparison.

Both were rewritten to avoid full-size copies; here they are held to what they
replaced: math.fsum over every square (correctly rounded) and `tobytes()` equality.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from equivalence.numerics import reference
from equivalence.harness import same_bits

from .route_cases import examples_of_profile

SIZES = [reference.BLOCK - 1, reference.BLOCK + 1, 3 * reference.BLOCK + 5]


# A quarter of the profile's examples per (size, dtype): 25 under `ci`, 225 arrays of 64-197 K elements. The
# oracle (math.fsum over a list of every square) is ~24 ms per large array, 80 times the blocked sum itself,
# and the property has no rare inputs to search for: on every array of non-negative terms the blocked sum is
# within (pairwise depth + 1) roundings of the exact one, and the sizes straddle the block boundary, where a
# dropped or repeated block would miss by a whole block's share on every array. `--max-examples N` gives N.
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@settings(max_examples=examples_of_profile(0.25))
@given(seed=st.integers(0, 2 ** 32 - 1), scale=st.sampled_from([1e-3, 1.0, 1e3]))
def test_blocked_sum_of_squares_within_its_bound(n, dtype, seed, scale):
    w = (np.random.RandomState(seed).standard_normal(n) * scale).astype(dtype)
    value, rel_error = reference.sum_of_squares(w)
    exact = math.fsum(np.square(w.astype(np.float64)).tolist())
    assert abs(value - exact) <= rel_error * exact, (n, dtype, value, exact, rel_error)
    # The bound stays far below the float32 roundoff, so it never widens a float32 tolerance noticeably.
    assert rel_error < 64 * reference.U64


_UNIFORM = {}


def _uniform(n):
    """The same float32 array of n elements on every example (only the flipped bit is drawn): made once."""
    if n not in _UNIFORM:
        _UNIFORM[n] = np.random.RandomState(n).uniform(-1, 1, n).astype(np.float32)
    return _UNIFORM[n]


@pytest.mark.parametrize("n", SIZES)
@given(position=st.integers(min_value=0), bit=st.integers(0, 31))
def test_same_bits_sees_one_flipped_bit_anywhere(n, position, bit):
    a = _uniform(n)
    b = a.copy()
    assert same_bits(a, b)
    b.view(np.uint32)[position % n] ^= np.uint32(1 << bit)
    assert not same_bits(a, b)
    assert same_bits(a, b) == (a.tobytes() == b.tobytes())
