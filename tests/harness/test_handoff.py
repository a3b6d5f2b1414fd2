"""How large weights enter TensorFlow (harness._feed_value, _eager_tensor): an aligned private copy.

The shortcut must not weaken the read-back check: TensorFlow gets a copy, so a
route that writes into its weights still shows up as a difference from the
caller's array, which stays untouched.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from equivalence import harness
from equivalence.numerics import reference


@given(hnp.arrays(st.sampled_from([np.float16, np.float32, np.float64]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=9)))
def test_aligned_copy_is_an_aligned_bit_exact_copy(array):
    copy = harness._aligned_copy(array)
    assert copy.size == 0 or copy.ctypes.data % 64 == 0  # an empty view points anywhere
    assert copy.shape == array.shape and copy.dtype == array.dtype and copy.flags.c_contiguous
    assert copy.tobytes() == array.tobytes()
    assert copy.size == 0 or not np.shares_memory(copy, array)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 1000, 2 ** 16, 2 ** 16 + 3, 3 ** 11])
def test_memoized_pairwise_depth_is_numpys_recursion(n):
    def depth(m):  # numpy's pairwise_sum split, written out unmemoized
        if m < 8:
            return max(m - 1, 0)
        if m <= 128:
            return (m // 8 - 1) + 3 + m % 8
        half = m // 2 - (m // 2) % 8
        return 1 + max(depth(half), depth(m - half))
    assert reference._pairwise_depth(n) == 1 + depth(max(n - 1, 0))


def test_a_large_variable_written_by_its_route_is_caught(api):
    n = harness.HANDOFF_MIN_SIZE
    weights = np.random.RandomState(0).uniform(-1, 1, size=(n // 64, 64)).astype(np.float32)
    original = weights.copy()
    tf, v1 = api.tf, api.v1
    if api.tf2:
        source = harness.WeightSource(api, weights, "float32", graph_mode=False)
        variable = source.variable()
        variable.assign_add(tf.ones_like(variable))  # a route that wrote into its weights
        readback = harness._read_back(api, variable)
    else:
        graph = tf.Graph()
        with graph.as_default():
            source = harness.WeightSource(api, weights, "float32", graph_mode=True)
            variable = source.variable()
            write = v1.assign_add(variable, tf.ones_like(variable))
            with v1.Session(graph=graph) as sess:
                sess.run(v1.global_variables_initializer(), feed_dict=source.feed)
                sess.run(write)
                readback = sess.run(variable)
    assert np.array_equal(readback, original + np.float32(1)), "the write did not reach the variable"
    assert not harness.same_bits(readback, weights), "the read-back check cannot see the write"
    assert weights.tobytes() == original.tobytes(), "TensorFlow wrote into the caller's array"
