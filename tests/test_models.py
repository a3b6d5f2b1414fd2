"""The Keras model axis (equivalence/routes/models.py): layer arguments, model structures, readers that train.

Every model route on Hypothesis-drawn weights and lambda against the NumPy
reference: one entry per regularized weight, the value each reader reports,
and the kernel after one SGD step (training/models.py). How many cases each
route draws is capped by its record (`examples`, routes/models.py says why).
"""

import pytest
from hypothesis import assume, given, settings, strategies as st

from equivalence.harness import case_from_plan, expectation, in_range
from equivalence.numerics import tolerance
from equivalence.routes.models import MODEL_ROUTES, LayerShape
from equivalence.strategies import Plan, init_specs, lambdas
from equivalence.training.models import verify_model

from .route_cases import require, route_params

# A zero penalty cannot show a repeated entry, a dropped one or a lost factor of two (0 = 2 * 0);
# what lambda == 0 does is the lambda table's (probe `zero`), on the core routes.
NONZERO_LAMBDAS = lambdas().filter(lambda lam: lam != 0)


def _shapes(route):
    kernel = route.kernel
    assert isinstance(kernel, LayerShape), (route.slug, kernel)
    return st.sampled_from(kernel.shapes())


@st.composite
def model_plans(draw, route, dtypes):
    dtype = draw(st.sampled_from(list(dtypes)))
    shape = draw(_shapes(route))
    init = draw(init_specs(shape, dtype))
    return Plan(dtype, shape, init, draw(NONZERO_LAMBDAS))


@pytest.mark.parametrize("route", route_params(MODEL_ROUTES))
def test_model_route_matches_reference(api, route):
    require(api, route)
    dtypes = route.supported_dtypes(api)
    strategy = model_plans(route, dtypes)

    @settings(max_examples=min(route.examples, settings.default.max_examples))
    @given(plan=strategy)
    def check(plan):
        case = case_from_plan(api, plan)
        assume(in_range(case))
        assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
        verdict = verify_model(api, route, case)
        assert verdict.ok, verdict.message

    check()
