"""The gradient each route feeds the optimizer: lambda * w (half) or 2 * lambda * w (full).

Taken the way users take it (tf.gradients / compute_gradients in graph mode,
GradientTape in eager), on Hypothesis-drawn weights and lambda, judged per
element with the bound derived in equivalence/numerics/tolerance.py (GradientTolerance).
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from equivalence.training import gradients
from equivalence.harness import Case
from equivalence.initializers import InitSpec
from equivalence.numerics.reference import CONVENTIONS
from equivalence.routes import ALL_DTYPES

from .route_cases import (draw_route_case, l2_routes, require_tensorflow_gradient, route_params, examples_for,
                          run_examples)

# lambda > 0: a zero lambda makes some APIs return no penalty at all (asserted in the value tests).
POSITIVE_LAMBDAS = st.one_of(st.floats(min_value=1e-30, max_value=1e-6), st.floats(min_value=1e-6, max_value=1e4))


# Each example checks every element against its own bound, for up to two methods: a quarter of the
# profile's examples (times the route's share) keeps the five-release run within the machine's budget.
GRADIENT_FRACTION = 0.25


@pytest.mark.parametrize("route", route_params(l2_routes()))
def test_gradient_matches_reference(api, route):
    """Every method that applies to how the route runs here (graph mode: tf.gradients and
    compute_gradients; eager: GradientTape) on each drawn case, each judged on its own; the graph
    methods share the case's graph (gradients.measure_gradients says why that changes no gradient)."""
    require_tensorflow_gradient(api, route)
    run_examples(gradient_matches_reference, examples_for(route, GRADIENT_FRACTION), api=api, route=route)


def gradient_matches_reference(api, route, data):
    case = draw_route_case(api, route, data, POSITIVE_LAMBDAS, dtypes=route.gradient_dtypes(api))
    failed = [v.message for v in gradients.verify_gradients(api, route, case) if not v.ok]
    assert not failed, "\n\n".join(failed)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("route", route_params(l2_routes()))
def test_gradient_dtype_support_is_as_declared(api, route, dtype):
    """Where the penalty runs in `dtype`, its gradient runs and agrees, or the record declares the
    kernel its gradient lacks here (Route.gradient_kernels) and taking it really fails."""
    require_tensorflow_gradient(api, route, dtype)
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (3, 2)  # rank >= 1: Sum's gradient tiles
    weights = np.random.RandomState(5).randn(*shape).astype(api.numpy_dtype(dtype))
    case = Case(weights, dtype, 0.25, InitSpec("array", array=weights))
    reason = route.gradient_dtype_unavailable(api, dtype)
    if not reason:
        failed = [v.message for v in gradients.verify_gradients(api, route, case) if not v.ok]
        assert not failed, "\n\n".join(failed)
        return
    for method in gradients.methods_for(api, route):  # each in a graph of its own: each must raise
        with pytest.raises(Exception) as raised:
            gradients.verify_gradient(api, route, case, method)
        assert raised.type.__name__ in ("UnimplementedError", "InvalidArgumentError", "NotFoundError"), (
            "%s by %s with %s weights on %s: declared absent (%s), raised %r" % (
                route.name, method.name, dtype, api.describe(), reason, raised.value))


@pytest.mark.parametrize("route", route_params(l2_routes()))
def test_a_lost_factor_of_two_fails(api, route):
    """The measured gradient, judged against the other convention's reference, is rejected."""
    require_tensorflow_gradient(api, route, "float32")
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (4, 3)
    weights = np.random.RandomState(5).randn(*shape).astype(np.float32)
    case = Case(weights, "float32", 0.01, InitSpec("array", array=weights))
    methods = gradients.methods_for(api, route)
    for method, verdict in zip(methods, gradients.verify_gradients(api, route, case, methods)):
        assert verdict.ok, verdict.message
        other = [c for c in CONVENTIONS.values() if c is not route.convention][0]
        wrong = verdict.expected * (other.factor / route.convention.factor)
        within = np.abs(verdict.got - wrong) <= verdict.tolerance.bound(wrong)
        assert not np.any(within), (
            "%s by %s: the gradient is also accepted as the %s convention's; the tolerance (%s) "
            "cannot see a factor of two" % (route.name, method.name, other.name, verdict.tolerance.describe()))
