"""Shared test plumbing: parametrize over the registry, skip with the route's own reason."""

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from equivalence.harness import case_from_plan, in_range
from equivalence.routes import ROUTES
from equivalence.strategies import plans


def l2_routes():
    return [r for r in ROUTES if r.penalty == "l2"]


def route_params(routes):
    return [pytest.param(r, id=r.name) for r in routes]


def require(api, route, dtype=None):
    """Skip (with the reason that is true for this install) when the route cannot run."""
    reason = route.unavailable(api) or (route.dtype_unavailable(api, dtype) if dtype else None)
    if reason:
        pytest.skip("%s: %s" % (route.name, reason))


def tensorflow_gradient_unavailable(api, route):
    """Why the gradient and step tests cannot differentiate `route` here, or None: they take the gradient with
    TensorFlow (tf.gradients, tf.GradientTape, TensorFlow optimizers), which does not see a Keras 3 backend's
    arrays; on jax or torch the step is checked through fit and train_on_batch (tests/test_models.py)."""
    if route.on_backend(api):
        return ("KERAS_BACKEND=%s: the gradient and step tests differentiate with TensorFlow, which does not see "
                "this backend's arrays (the fit and train_on_batch steps are checked in tests/test_models.py)"
                % api.keras_backend)
    return None


def tensorflow_step_unavailable(api, route):
    """Why the step tests cannot step `route` here, or None: eagerly they step with tf.keras' optimizers (the
    keras form, training/steps.py), which on a Keras 3 backend other than TensorFlow are that backend's and do
    not take TensorFlow's gradients; a graph route steps with tf.compat.v1.train's, on any backend."""
    if api.keras_backend != "tensorflow" and not route.runs_in_graph(api):
        return ("KERAS_BACKEND=%s: the eager step uses tf.keras' optimizers, which are %s's here and do not take "
                "TensorFlow's gradients (the fit and train_on_batch steps are checked in tests/test_models.py)"
                % (api.keras_backend, api.keras_backend))
    return tensorflow_gradient_unavailable(api, route)


def require_tensorflow_gradient(api, route, dtype=None, steps=False):
    """require(), and skip where TensorFlow cannot differentiate (or, `steps`, step) the route here."""
    require(api, route, dtype)
    reason = (tensorflow_step_unavailable if steps else tensorflow_gradient_unavailable)(api, route)
    if reason:
        pytest.skip("%s: %s" % (route.name, reason))


def available(api, routes, differentiable=False, steps=False):
    """The routes that run here; `differentiable`: and that TensorFlow differentiates here; `steps`: and steps."""
    return [r for r in routes if r.unavailable(api) is None
            and not (differentiable and tensorflow_gradient_unavailable(api, r))
            and not (steps and tensorflow_step_unavailable(api, r))]


def draw_case(api, plan):
    case = case_from_plan(api, plan)
    assume(in_range(case))
    return case


def draw_route_case(api, route, data, lams, dtypes=None):
    """Skip an unavailable route, else draw a case for it: a dtype it takes here (of `dtypes`, when
    given), one of its kernel shapes, weights and a lambda from `lams`."""
    require(api, route)
    taken = [d for d in route.supported_dtypes(api) if dtypes is None or d in dtypes]
    return draw_case(api, data.draw(plans(taken, route.kernel, lams=lams), label="plan"))


# Set by conftest.py when `--max-examples N` is given: then every route draws exactly N examples.
EXACT_EXAMPLES = []


def examples_of_profile(fraction):
    """`fraction` of the profile's max_examples (at least 1) for a test that is not per route;
    `--max-examples N` gives exactly N."""
    if EXACT_EXAMPLES:
        return EXACT_EXAMPLES[0]
    return max(1, int(math.ceil(settings.default.max_examples * fraction)))


def examples_for(route, fraction=1.0):
    """Hypothesis examples `route` draws in a test that takes `fraction` of the profile's count: the
    profile's max_examples x fraction x the route's examples_share (routes/plumbing.PLUMBING_SHARE), at
    least 1; `--max-examples N` gives exactly N."""
    if EXACT_EXAMPLES:
        return EXACT_EXAMPLES[0]
    return max(1, int(math.ceil(settings.default.max_examples * fraction * route.examples_share)))


def run_examples(example, n_examples, **arguments):
    """Run `example(data=..., **arguments)` as a Hypothesis test of n_examples (examples_for(route)).

    A parametrized @given test has one example count for every parameter; this gives each route its own.
    Derandomized, the draws follow from `example`'s source, as they did from the test function's."""
    test = settings(max_examples=n_examples)(given(data=st.data())(example))
    test(**arguments)
