"""Seeds, as the seed document warns about them.

* The same initializer with the same seed gives the same weights through every
  graph-mode API that creates variables (get_variable, tf.layers, contrib /
  tf_slim fully_connected), measured bit for bit.
* A graph-level seed (tf.compat.v1.set_random_seed) makes its own graph
  reproducible and does nothing for another graph.
* NumPy's seed and TensorFlow's are independent.
* Hypothesis under the `ci` profile is derandomized and prints the blob that
  replays a failure; a failing example replays identically.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from equivalence.routes.registry import CONTRIB, TF_LAYERS

SHAPE = (6, 4)


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


def _get_variable(api, init):
    return api.v1.get_variable("w", shape=SHAPE, initializer=init)


def _layers_dense(api, init):
    api.layers.dense(api.v1.placeholder(api.tf.float32, (None, SHAPE[0])), SHAPE[1], kernel_initializer=init)
    return [v for v in api.v1.global_variables() if v.name.endswith("kernel:0")][0]


def _fully_connected(api, init):
    api.contrib.fully_connected(api.v1.placeholder(api.tf.float32, (None, SHAPE[0])), SHAPE[1],
                                weights_initializer=init)
    return [v for v in api.v1.global_variables() if v.name.endswith("weights:0")][0]


# (API, what it needs): every graph-mode API that creates a variable from an initializer.
VARIABLE_APIS = [
    ("get_variable(initializer=)", None, _get_variable),
    ("tf.layers.dense(kernel_initializer=)", TF_LAYERS, _layers_dense),
    ("contrib.fully_connected(weights_initializer=)", CONTRIB, _fully_connected),
]


def _created(api, make, graph_seed, op_seed):
    tf, v1 = api.tf, api.v1
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(graph_seed)
        var = make(api, v1.glorot_uniform_initializer(seed=op_seed))
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            return sess.run(var)


@pytest.mark.parametrize("op_seed", [0, 3])
def test_same_initializer_and_seed_give_the_same_weights_across_apis(api, op_seed):
    present = [(name, make) for name, req, make in VARIABLE_APIS if req is None or req.missing(api) is None]
    values = [(name, _created(api, make, 1, op_seed)) for name, make in present]
    base_name, base = values[0]
    for name, value in values[1:]:
        assert np.array_equal(base, value), "%s and %s differ for glorot_uniform(seed=%d) on %s" % (
            base_name, name, op_seed, api.describe())
    assert not np.array_equal(base, _created(api, present[0][1], 1, op_seed + 1)), "the op seed had no effect"


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
