"""Every route (L2, L1 and L1+L2), on Hypothesis-drawn weights and lambda, against the NumPy reference."""

import pytest
from hypothesis import assume

from equivalence.numerics import tolerance
from equivalence.harness import expectation, rounded_expectation, run_route, verify
from equivalence.routes import ROUTES
from equivalence.strategies import plans

from .route_cases import draw_case, require, route_params, examples_for, run_examples


@pytest.mark.parametrize("route", route_params(ROUTES))
def test_penalty_matches_reference(api, route):
    require(api, route)
    run_examples(penalty_matches_reference, examples_for(route), api=api, route=route)


def penalty_matches_reference(api, route, data):
    """One example of the value test (benchmarks/bench.py times this very function)."""
    dtypes = route.supported_dtypes(api)
    case = draw_case(api, data.draw(plans(dtypes, route.kernel), label="plan"))
    assume(route.lambda_unavailable(api, case.lam) is None)  # e.g. TF 1.6 sum_regularizer at 0: see lambda_table.py
    # in_range bounds the L2 intermediates; an L1 total can still overflow: that is the weights table's job.
    assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
    verdict = verify(api, route, case)
    assert verdict.ok, verdict.message


@pytest.mark.parametrize("route", route_params(ROUTES))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_support_is_as_declared(api, route, dtype):
    """Every dtype the record declares for this release runs and agrees; a dtype it declares
    absent in this release (missing kernels) really fails here, so the skip reason is true."""
    require(api, route)
    if dtype not in route.dtypes:
        pytest.skip("%s does not take %s weights" % (route.name, dtype))
    from equivalence.harness import case_from_plan
    from equivalence.initializers import InitSpec
    from equivalence.strategies import Plan
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (3, 2)
    case = case_from_plan(api, Plan(dtype, shape, InitSpec("glorot_uniform", seed=1), 0.25))
    reason = route.dtype_unavailable(api, dtype)
    declared = route.dtype_requirement(api, dtype)
    rounded_to = declared.rounds_to if declared is not None else None
    if reason and rounded_to:
        # declared to run with the weights rounded to another dtype: stored so, the penalty too (stores_as: JAX
        # without x64), or only the variable's values, the penalty keeping `dtype` (holds_as: Keras 3.15's NumPy
        # backend, a float64 layer weight)
        penalty_dtype = declared.penalty_dtype(dtype)
        m = run_route(api, route, case)
        assert (str(m.readback.dtype), m.dtype) == (rounded_to, penalty_dtype), (
            "%s with %s weights on %s: declared (%s) to hold %s values, the penalty in %s; the variable holds %s, "
            "the penalty %s" % (route.name, dtype, api.describe(), reason, rounded_to, penalty_dtype,
                                m.readback.dtype, m.dtype))
        # and the penalty is the reference of the weights as held (rounded to that dtype), judged in it: the sum
        # runs on the held values; under holds_as only lambda's product is in `dtype`, one rounding the bound covers
        ref, tol = rounded_expectation(route, case, rounded_to, api)
        assert tol.accepts(m.value, ref.value), (
            "%s with %s weights held as %s on %s: penalty %r, the %s reference %r (%s)" % (
                route.name, dtype, rounded_to, api.describe(), m.value, rounded_to, ref.value, tol.describe()))
        return
    if reason and declared is not None and declared.inaccurate_on(api):
        # declared to run off the reference (an upstream bug its reason names): still so, or the bug was fixed
        verdict = verify(api, route, case)
        assert not verdict.ok, (
            "%s with %s weights on %s: declared off the reference (%s), and it now agrees: the upstream bug is "
            "fixed here, drop the declaration" % (route.name, dtype, api.describe(), reason))
        # off by its value alone: the weights read back and the penalty's dtype are right
        assert "off the reference by more than the tolerance" in verdict.message and not any(
            p in verdict.message for p in ("read back differs", "the penalty has dtype")), verdict.message
        return
    if reason:
        with pytest.raises(Exception) as raised:
            verify(api, route, case)
        # a requirement that names its exception (Requirement.raises) is held to it; a missing kernel to these
        allowed = ((declared.raises,) if declared is not None and declared.raises and reason == declared.missing(api)
                   else ("InvalidArgumentError", "NotFoundError", "TypeError"))
        assert raised.type.__name__ in allowed, (
            "%s with %s weights on %s: declared absent (%s), raised %r" % (
                route.name, dtype, api.describe(), reason, raised.value))
        return
    verdict = verify(api, route, case)
    assert verdict.ok, verdict.message


def _raising_routes():
    """Routes with a requirement whose absence raises (Requirement.raises), e.g. a plain function in a Keras 3.1-3.14 Dense."""
    return [r for r in ROUTES if any(q.raises for q in r.requires)]


@pytest.mark.parametrize("route", route_params(_raising_routes()))
def test_a_route_declared_to_raise_raises(api, route):
    """Where a route is skipped because building it raises (its requirement's `raises`), it really raises that."""
    req = route.raising_requirement(api)
    if req is None:
        pytest.skip("%s: no requirement of it that raises is missing on %s" % (route.name, api.describe()))
    from equivalence.harness import case_from_plan
    from equivalence.initializers import InitSpec
    from equivalence.strategies import Plan
    case = case_from_plan(api, Plan("float32", (3, 2), InitSpec("glorot_uniform", seed=1), 0.25))
    with pytest.raises(Exception) as raised:
        verify(api, route, case)
    assert raised.type.__name__ == req.raises, "%s on %s: declared to raise %s (%s), raised %r" % (
        route.name, api.describe(), req.raises, req.missing(api), raised.value)
