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


def available(api, routes):
    return [r for r in routes if r.unavailable(api) is None]


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
