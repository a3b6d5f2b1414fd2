"""The Keras model axis (equivalence/routes/models.py): layer arguments, model structures, readers that train.

Every model route on Hypothesis-drawn weights and lambda against the NumPy
reference: one entry per regularized weight, the value each reader reports,
and the kernel after one SGD step (training/models.py). How many cases each
route draws is its share (`examples_share`, routes/models.py says why).
"""

import pytest
from hypothesis import assume, strategies as st

from equivalence.harness import case_from_plan, expectation, in_range
from equivalence.numerics import tolerance
from equivalence.routes.models import ACTIVITY_ROUTES, MODEL_ROUTES
from equivalence.semantics.areas import MODELS
from equivalence.strategies import model_plans
from equivalence.training.models import verify_activity, verify_model

from .route_cases import examples_for, require, route_params, run_examples
from .semantic_cells import cell_params, check_cell, dead_rows_of, recorded_releases


@pytest.mark.parametrize("route", route_params(MODEL_ROUTES))
def test_model_route_matches_reference(api, route):
    require(api, route)
    run_examples(model_route_matches_reference, examples_for(route), api=api, route=route)


def model_route_matches_reference(api, route, data):
    case = case_from_plan(api, data.draw(model_plans(route, route.supported_dtypes(api)), label="plan"))
    assume(in_range(case))
    assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
    verdict = verify_model(api, route, case)
    assert verdict.ok, verdict.message


# -- the Keras models table (equivalence/semantics/model_table.py, the area "models") -----------------
@pytest.mark.parametrize("probe_id,subject", cell_params(MODELS))
def test_models_cell(api, probe_id, subject):
    """Each cell's observation in this release is what the first row covering it says (recorded by the
    report step of this env when --semantics-from matches, else observed here in the contained worker)."""
    check_cell(api, MODELS, probe_id, subject)


def test_no_models_row_is_dead():
    """Every row of the models table is some cell's expectation at some release of the history matrix
    (as test_no_semantics_row_is_dead, for this area alone)."""
    dead = dead_rows_of(MODELS, recorded_releases())
    assert not dead, "\n".join(dead)


# -- the activity regularizer: lambda * sum(y**2) of the layer's output, per batch --------------
@pytest.mark.parametrize("route", route_params(ACTIVITY_ROUTES))
def test_activity_regularizer_matches_reference(api, route):
    """On drawn kernels, inputs, batch sizes and lambda: averaged over the batch, or summed where this
    release sums (semantics/model_table.py, cell activity_batch)."""
    require(api, route)
    run_examples(activity_matches_reference, examples_for(route), api=api, route=route)


def activity_matches_reference(api, route, data):
    case = case_from_plan(api, data.draw(model_plans(route, route.supported_dtypes(api)), label="plan"))
    batch, seed = data.draw(st.integers(1, 6), label="batch"), data.draw(st.integers(0, 2 ** 16), label="seed")
    assume(in_range(case))
    verdict = verify_activity(api, route, case, batch, seed)
    assert verdict.ok, verdict.message
