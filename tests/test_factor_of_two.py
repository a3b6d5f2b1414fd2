"""The same weights through every available route: half-convention routes equal
full-convention routes times 1/2, and the tf_upgrade_v2 mapping l2(0.5*scale)
equals contrib's l2_regularizer(scale).

The routes are compared with each other, not only with the reference: a route
that lost (or gained) its factor of two fails here whatever the reference says.
The slack for each comparison is the sum of both routes' derived tolerances,
plus the exact difference between their references (Keras stores lambda in
float32, contrib does not: for float64 weights the two differ by <= 2**-24).
"""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from equivalence.harness import expectation, ratio, run_route
from equivalence.numerics.reference import FULL, HALF
from equivalence.routes import ROUTES
from equivalence.routes.registry import CONV2D
from equivalence.strategies import plans

from .route_cases import available, draw_case, examples_of_profile, l2_routes

# A non-empty rank-4 kernel: conv2d takes it as is, dense routes as (h*w*in, out),
# tensor routes as is. Every route sees the same elements.
COMMON_KERNEL = CONV2D


def _common_dtypes(api, routes):
    dtypes = None
    for r in routes:
        s = set(r.supported_dtypes(api))
        dtypes = s if dtypes is None else dtypes & s
    return sorted(dtypes or [])


def _measure_all(api, case, routes):
    out = []
    for r in routes:
        m = run_route(api, r, case)
        ref, tol = expectation(r, case, api)
        out.append((r, m, ref, tol))
    return out


def _assert_pair(case, a, b, factor, what, measured):
    """a.value == factor * b.value, within a's bound + factor * b's bound + reference gap."""
    (ra, ma, ea, ta), (rb, mb, eb, tb) = a, b
    slack = ta.bound(ea.value) + factor * tb.bound(eb.value) + abs(ea.value - factor * eb.value)
    gap = abs(ma.value - factor * mb.value)
    assert gap <= slack, (
        "%s\n  %s = %r\n  %s = %r\n  expected first == %g * second; |difference| %.6g > slack %.6g"
        "\n  ratio first/second = %r\n  case: %s\n%s\n%s\n%s" % (
            what, ra.name, ma.value, rb.name, mb.value, factor, gap, slack,
            (ma.value / mb.value) if mb.value else float("nan"), case.describe(),
            _against_reference(ra, ma, ea, ta), _against_reference(rb, mb, eb, tb), _all_off(measured)))


def _all_off(measured):
    """Every route of this case that is off its reference: what they share is the broken API
    (a broken tf.nn.l2_loss takes contrib's routes down with the manual one in TF 1.x)."""
    off = [r for (r, m, ref, tol) in measured if not tol.accepts(m.value, ref.value)]
    return "  routes off their reference in this case (%d of %d):%s" % (
        len(off), len(measured), "".join("\n    %s  API: %s" % (r.name, r.api_call) for r in off) or " none")


def _against_reference(route, m, ref, tol):
    """Which side of a failed pair is off: each route against its own reference, with its API call."""
    return "  %s vs its reference %r: ratio %r (%s)\n    API: %s" % (
        route.name, ref.value, ratio(m.value, ref.value),
        "within tolerance" if tol.accepts(m.value, ref.value) else "OFF", route.api_call)


# Each example runs every available L2 route (59 on TF 2.15) and compares every pair: a tenth of the
# profile's examples is ~590 route runs under `ci` (10 examples, ~1,700 pairs each). What this test alone can
# see, a route off the others by a factor (two, or any other), is structural: it shows on every case whose
# penalty is not zero, whatever the shape, dtype or lambda, so the examples are kept to those (assume below)
# and ten of them suffice. A route's numerics across shapes and dtypes are test_values' job, at the full count.
@settings(max_examples=examples_of_profile(0.1))
@given(data=st.data())
def test_half_routes_equal_full_routes_times_one_half(api, data):
    routes = available(api, l2_routes())
    half = [r for r in routes if r.convention is HALF]
    full = [r for r in routes if r.convention is FULL]
    if not half or not full:
        pytest.skip("needs a route of each convention; available: %s" % [r.name for r in routes])
    dtypes = _common_dtypes(api, routes)
    plan = data.draw(plans(dtypes, COMMON_KERNEL, lams=st.floats(min_value=1e-6, max_value=10.0)), label="plan")
    case = draw_case(api, plan)
    assume(np.any(np.asarray(case.weights, dtype=np.float64) != 0))  # a zero penalty is every factor's multiple
    measured = _measure_all(api, case, half + full)
    by_route = {r: (r, m, e, t) for (r, m, e, t) in measured}
    for h, f in itertools.product(half, full):
        _assert_pair(case, by_route[h], by_route[f], 0.5, "half-convention route != 1/2 x full-convention route",
                     measured)
    for a, b in itertools.combinations(half, 2):
        _assert_pair(case, by_route[a], by_route[b], 1.0, "two half-convention routes disagree", measured)
    for a, b in itertools.combinations(full, 2):
        _assert_pair(case, by_route[a], by_route[b], 1.0, "two full-convention routes disagree", measured)


def test_registry_has_both_conventions_and_the_migration_mapping():
    assert any(r.convention is HALF for r in ROUTES) and any(r.convention is FULL for r in ROUTES)
    # tf_upgrade_v2's mapping: a Keras regularizer (full convention) that must give the half convention
    assert any(r.convention is HALF and r.regularizer.module == "tf.keras" for r in ROUTES), [r.slug for r in ROUTES]
