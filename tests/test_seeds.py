"""Seeds, as the seed document warns about them.

* Which APIs that create variables draw the same weights from the same seeded
  initializer: tests/test_seed_table.py, against equivalence/training/seed_table.py.
* A graph-level seed (tf.compat.v1.set_random_seed) makes its own graph
  reproducible and does nothing for another graph.
* NumPy's seed and TensorFlow's are independent.
* Hypothesis under the `ci` profile is derandomized and prints the blob that
  replays a failure; a failing example replays identically.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st


def _uniform(api, graph_seed=None, op_seed=None):
    """Five uniforms from a fresh graph, with the given graph-level and op-level seeds."""
    tf, v1 = api.tf, api.v1
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            v1.set_random_seed(graph_seed)
        x = v1.random_uniform([5], seed=op_seed)
        with v1.Session(graph=graph) as sess:
            return sess.run(x)


def test_graph_seed_makes_its_graph_reproducible(api):
    assert np.array_equal(_uniform(api, graph_seed=1), _uniform(api, graph_seed=1))
    assert not np.array_equal(_uniform(api, graph_seed=1), _uniform(api, graph_seed=2))


def test_graph_seed_does_not_reach_another_graph(api):
    """Set on the default graph, the seed leaves a model built in tf.Graph() unseeded."""
    tf, v1 = api.tf, api.v1
    draws = []
    for _ in range(2):
        seeded = tf.Graph()
        with seeded.as_default():
            v1.set_random_seed(1)
            other = tf.Graph()  # the model's graph: no seed was set on it
            with other.as_default():
                x = v1.random_uniform([5])
                with v1.Session(graph=other) as sess:
                    draws.append(sess.run(x))
    assert not np.array_equal(draws[0], draws[1]), "an unseeded graph repeated its draws: %s" % draws


def test_numpy_seed_is_independent_of_tensorflow(api):
    np.random.seed(0)
    seeded_after_numpy_0 = _uniform(api, graph_seed=1)
    np.random.seed(123)
    seeded_after_numpy_123 = _uniform(api, graph_seed=1)
    assert np.array_equal(seeded_after_numpy_0, seeded_after_numpy_123), "NumPy's seed changed a seeded TF graph"
    np.random.seed(0)
    first = _uniform(api)
    np.random.seed(0)
    second = _uniform(api)
    assert not np.array_equal(first, second), "NumPy's seed made an unseeded TF graph reproducible"
    np.random.seed(0)
    a = np.random.rand(3)
    _uniform(api, graph_seed=1)
    np.random.seed(0)
    assert np.array_equal(a, np.random.rand(3)), "TensorFlow consumed NumPy's random stream"


def test_eager_global_seed_is_reproducible(api):
    if not api.tf2:
        pytest.skip("eager execution by default needs TensorFlow 2 (installed: %s)" % api.tf_version)
    tf = api.tf
    tf.random.set_seed(5)
    first = tf.random.uniform([5]).numpy()
    tf.random.set_seed(5)
    assert np.array_equal(first, tf.random.uniform([5]).numpy())


def test_ci_profile_is_derandomized_and_prints_the_replay_blob():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.print_blob


def test_a_failing_example_replays_identically():
    """Two derandomized runs of a failing property report the same minimal example."""
    found = []

    @settings(derandomize=True, database=None, max_examples=200)
    @given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1))
    def prop(xs):
        if sum(abs(x) for x in xs) > 10.0:
            found.append(list(xs))
            raise AssertionError("too large")

    minimal = []
    for _ in range(2):
        del found[:]
        with pytest.raises(AssertionError):
            prop()
        minimal.append(found[-1])
    assert minimal[0] == minimal[1]
