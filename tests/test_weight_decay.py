"""Decoupled weight decay against an L2 penalty (see equivalence/training/weight_decay.py).

Each decoupled optimizer the installed TensorFlow offers follows its NumPy
trajectory; with plain SGD it is the L2 penalty of the stated scale, with
momentum and Adam it is not, and the gap is reported.
"""

import numpy as np
import pytest

from equivalence.training import weight_decay as wd

N_STEPS = 3


def _params():
    return [pytest.param(e, id=e.name) for e in wd.DECOUPLED]


def _case(api, dtype):
    rng = np.random.RandomState(17)
    weights = rng.randn(4, 3).astype(api.numpy_dtype(dtype))
    data_grad = rng.uniform(-1.0, 1.0, size=(4, 3)).astype(api.numpy_dtype(dtype))
    return weights, data_grad


def _require(api, entry):
    reason = entry.missing(api)
    if reason:
        pytest.skip("%s: %s" % (entry.name, reason))


def _explain(api, entry, t, got, expected, what):
    bound = expected.bound()
    i = np.unravel_index(int(np.argmax(np.abs(got - expected.value) - bound)), got.shape)
    return ("%s, step %d, %s (%s): weight %s got %r, expected %r, |diff| %.3g, bound %.3g" % (
        entry.name, t, what, api.describe(), tuple(int(j) for j in i), float(got[i]),
        float(expected.value[i]), abs(float(got[i]) - float(expected.value[i])), float(bound[i])))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("entry", _params())
def test_decoupled_decay_matches_numpy(api, entry, dtype):
    _require(api, entry)
    weights, a = _case(api, dtype)
    got = wd.run_decoupled(api, entry, weights, a, N_STEPS)
    expected = wd.decoupled_trajectory(entry, weights, a, N_STEPS, dtype)
    for t, (g, e) in enumerate(zip(got, expected), 1):
        g = np.asarray(g, np.float64)
        assert np.all(np.abs(g - e.value) <= e.bound()), _explain(api, entry, t, g, e, "against NumPy decay")


@pytest.mark.parametrize("entry", _params())
def test_relation_to_an_l2_penalty(api, entry):
    """Plain SGD: the L2 trajectory of scale entry.l2_scale(). Momentum / Adam: measurably not."""
    _require(api, entry)
    weights, a = _case(api, "float32")
    got = wd.run_decoupled(api, entry, weights, a, N_STEPS)
    decoupled = wd.decoupled_trajectory(entry, weights, a, N_STEPS, "float32")
    l2 = wd.l2_trajectory(entry, weights, a, N_STEPS, "float32")
    for t, (g, d, p) in enumerate(zip(got, decoupled, l2), 1):
        g = np.asarray(g, np.float64)
        within = np.abs(g - p.value) <= d.bound() + p.bound()
        gap = wd.relative_gap(g, p.value)
        if entry.equals_l2:
            assert np.all(within), _explain(api, entry, t, g, p, "against L2 scale %g" % entry.l2_scale())
        elif t == N_STEPS:
            assert not np.all(within), (
                "%s after %d steps is indistinguishable from an L2 penalty of scale %g (gap %.3g)"
                % (entry.name, t, entry.l2_scale(), gap))
            # The gap is real: NumPy's decoupled and L2 trajectories are as far apart as TF's, up to
            # how far TF may lie from the decoupled one (its bound, relative to the weights' size).
            predicted = wd.relative_gap(d.value, p.value)
            slack = float(np.max(d.bound())) / float(np.max(np.abs(p.value)))
            assert abs(gap - predicted) <= slack, (entry.name, gap, predicted, slack)
