"""Shared test plumbing: parametrize over the registry, skip with the route's own reason."""

import pytest
from hypothesis import assume

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
