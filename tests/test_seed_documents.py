"""The numbers the two source documents report, reproduced through every route.

Seed 000 (TF 1.6.1): tf.layers.dense with a 784x10 kernel of ones and
contrib l2_regularizer(scale=0.01) puts 39.2 into REGULARIZATION_LOSSES;
tf.keras.regularizers.l2 "does not halve" (78.4).
Seed 001: a 784 -> 200 -> 200 -> 10 network of contrib fully_connected layers,
each with weights_regularizer=l2, yields three collection entries.
"""

import numpy as np
import pytest

from equivalence.numerics import reference, tolerance
from equivalence.harness import Case, verify
from equivalence.initializers import InitSpec
from equivalence.numerics.reference import HALF

from .route_cases import l2_routes, require, route_params

SEED_000_SCALE = 0.01
SEED_000_HALF = 39.2  # printed by the seed document
SEED_000_FULL = 78.4  # "tf.keras.regularizers.l2 does not halve"


def test_reference_reproduces_the_seed_numbers():
    ones = np.ones((784, 10), dtype=np.float32)
    assert abs(reference.l2(ones, SEED_000_SCALE, reference.HALF).value - SEED_000_HALF) < 1e-12
    assert abs(reference.l2(ones, SEED_000_SCALE, reference.FULL).value - SEED_000_FULL) < 1e-12


@pytest.mark.parametrize("route", route_params(l2_routes()))
def test_seed_000_ones_kernel(api, route):
    require(api, route, "float32")
    case = Case(np.ones((784, 10), dtype=np.float32), "float32", SEED_000_SCALE, InitSpec("ones"))
    verdict = verify(api, route, case)
    assert verdict.ok, verdict.message
    document = SEED_000_HALF if route.convention is HALF else SEED_000_FULL
    # The document's figure is the exact value; the route's derived float32 tolerance applies.
    assert verdict.tolerance.accepts(verdict.measurement.value, document), (
        "%s\n  the seed document says %r" % (verdict.message or route.name, document))


def _three_layer_sizes():
    return [(784, 200), (200, 200), (200, 10)]


def test_seed_001_three_layer_network_has_three_entries(api):
    from equivalence.routes.registry import CONTRIB
    reason = CONTRIB.missing(api)
    if reason:
        pytest.skip(reason)
    tf, v1, layers = api.tf, api.v1, api.contrib
    scale = 1e-3
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 784])
        with v1.variable_scope("EasyNet"):
            out = x
            for _, n_out in _three_layer_sizes():
                out = layers.fully_connected(out, n_out,
                                             weights_initializer=layers.xavier_initializer(uniform=True, seed=7),
                                             weights_regularizer=layers.l2_regularizer(scale=scale),
                                             activation_fn=tf.nn.tanh)
        entries = v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES, "EasyNet")
        kernels = [v for v in v1.trainable_variables("EasyNet") if len(v.shape) == 2]
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            values, weights = sess.run([entries, kernels])
    assert len(entries) == 3, [e.name for e in entries]
    assert [w.shape for w in weights] == _three_layer_sizes()
    for value, w, entry in zip(values, weights, entries):
        ref = reference.l2(w, scale, HALF)
        tol = tolerance.tolerance("float32", w.size, scale, ref.sum_value, ref.rel_error)
        assert tol.accepts(float(value), ref.value), (entry.name, value, ref.value, tol.describe())
