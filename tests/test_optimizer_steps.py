"""One and several optimizer steps (SGD, momentum, Adam) on `sum(a * w) + penalty(w)`.

For every route, TensorFlow's trajectory matches NumPy's within the running
error bound of equivalence/numerics/tolerance.py (Tracked); the half-convention routes (contrib
`l2(scale)` and the tf_upgrade_v2 mapping `l2(0.5 * scale)` among them) follow
one trajectory, and a lost factor of two leaves it.
"""

import itertools

import numpy as np
import pytest
from hypothesis import strategies as st

from equivalence.training import steps
from equivalence.harness import Case
from equivalence.initializers import InitSpec
from equivalence.numerics.reference import HALF
from equivalence.routes.plumbing import ATTACHMENTS

from .route_cases import (available, draw_route_case, l2_routes, require_tensorflow_gradient, examples_for,
                          run_examples)

# Each example runs up to three steps through a fresh graph or Keras optimizer: a tenth of the profile
# (times the route's share: 10 per direct route and optimizer under `ci`, 3 per container route), to keep
# the five-release run within the machine's budget.
STEP_FRACTION = 0.1
STEP_LAMBDAS = st.floats(min_value=1e-3, max_value=10.0)
N_STEPS = st.integers(min_value=1, max_value=3)


def optimizer_params():
    return [pytest.param(o, id=o.name) for o in steps.OPTIMIZERS]


def step_pairs(routes):
    """The (route, optimizer) pairs the step tests run, as pytest params.

    Every optimizer on every route that carries its regularizer's numerics (the direct call: examples_share
    NUMERICS_SHARE, routes/plumbing.py); one optimizer on each plumbing route, in turn over the plumbing
    routes ordered by attachment, so each attachment of three routes or more meets every optimizer.
    Why one is enough there: an optimizer sees only the gradient of the loss it is handed, and how the
    penalty reached that loss (a collection, a layer's losses) is the route's plumbing, which every
    optimizer checks the same way; the gradient test checks that gradient on every route."""
    from equivalence.routes.plumbing import NUMERICS_SHARE
    pairs = [(r, o) for r in routes if r.examples_share == NUMERICS_SHARE for o in steps.OPTIMIZERS]
    plumbing = sorted((r for r in routes if r.examples_share != NUMERICS_SHARE),
                      key=lambda r: [a.name for a in ATTACHMENTS].index(r.attachment.name))
    pairs += [(r, steps.OPTIMIZERS[i % len(steps.OPTIMIZERS)]) for i, r in enumerate(plumbing)]
    return [pytest.param(r, o, id="%s-%s" % (r.name, o.name)) for r, o in pairs]


data_gradient = steps.data_gradient  # the data loss sum(a * w): a in [-1, 1), exact in the case's dtype


def _step_dtypes(api, route):
    return [d for d in route.supported_dtypes(api) if d in steps.STEP_DTYPES]


@pytest.mark.parametrize("route,optimizer", step_pairs(l2_routes()))
def test_steps_match_numpy(api, route, optimizer):
    require_tensorflow_gradient(api, route, steps=True)
    run_examples(steps_match_numpy, examples_for(route, STEP_FRACTION), api=api, route=route, optimizer=optimizer)


def steps_match_numpy(api, route, optimizer, data):
    case = draw_route_case(api, route, data, STEP_LAMBDAS, dtypes=steps.STEP_DTYPES)
    seed = data.draw(st.integers(0, 2 ** 31 - 1), label="data seed")
    a = data_gradient(api, seed, case.shape, case.dtype)
    n = data.draw(N_STEPS, label="steps")
    verdict = steps.verify_steps(api, route, case, a, optimizer, n, data_seed=seed)
    assert verdict.ok, verdict.message


def _fixed_case():
    w = np.random.RandomState(11).randn(3, 2, 2, 2).astype(np.float32)
    return Case(w, "float32", 0.05, InitSpec("array", array=w))


@pytest.mark.parametrize("route,optimizer", step_pairs(l2_routes()))
def test_a_lost_factor_of_two_leaves_the_trajectory(api, route, optimizer):
    """The other convention's NumPy trajectory is rejected by the bound after 3 steps."""
    require_tensorflow_gradient(api, route, "float32", steps=True)
    case = _fixed_case()
    a = data_gradient(api, 3, case.shape, "float32")
    verdict = steps.verify_steps(api, route, case, a, optimizer, 3, data_seed=3)
    assert verdict.ok, verdict.message
    doubled = Case(case.weights, case.dtype, case.lam * (2.0 if route.convention is HALF else 0.5), case.init)
    wrong = steps.reference_trajectory(route, doubled, a, optimizer, 3, steps.step_form(api, route), api)[-1]
    got = np.asarray(verdict.got[-1]).astype(np.float64)
    assert np.any(np.abs(got - wrong.value) > verdict.expected[-1].bound()), (
        "%s through %s: the trajectory with a lost factor of two is within the bound" % (route.name, optimizer.name))


@pytest.mark.parametrize("optimizer", optimizer_params())
def test_half_convention_routes_share_one_trajectory(api, optimizer):
    """contrib l2(scale), tf.nn.l2_loss and tf_upgrade_v2's l2(0.5 * scale): the same weights after 3 steps."""
    routes = [r for r in available(api, l2_routes(), steps=True)
              if r.convention is HALF and "float32" in _step_dtypes(api, r)]
    if len(routes) < 2:
        pytest.skip("fewer than two half-convention routes here: %s" % [r.name for r in routes])
    case = _fixed_case()
    a = data_gradient(api, 3, case.shape, "float32")
    finals = {}
    for r in routes:
        verdict = steps.verify_steps(api, r, case, a, optimizer, 3, data_seed=3)
        assert verdict.ok, verdict.message
        finals[r] = (np.asarray(verdict.got[-1]).astype(np.float64).reshape(-1), verdict.expected[-1])
    for x, y in itertools.combinations(routes, 2):
        (gx, ex), (gy, ey) = finals[x], finals[y]
        slack = (ex.bound().reshape(-1) + ey.bound().reshape(-1)
                 + np.abs(ex.value.reshape(-1) - ey.value.reshape(-1)))
        assert np.all(np.abs(gx - gy) <= slack), (
            "%s and %s take %s to different weights: max |diff| %.3g" % (
                x.name, y.name, optimizer.name, float(np.max(np.abs(gx - gy)))))
