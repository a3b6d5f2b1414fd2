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
from equivalence.routes.models import ACTIVITY_ROUTES, MODEL_ROUTES, LayerShape
from equivalence.strategies import Plan, init_specs, lambdas
from equivalence.training.models import verify_activity, verify_model

from .route_cases import examples_for, require, route_params, run_examples
from .semantic_cells import cell_changed

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
    run_examples(model_route_matches_reference, examples_for(route), api=api, route=route)


def model_route_matches_reference(api, route, data):
    case = case_from_plan(api, data.draw(model_plans(route, route.supported_dtypes(api)), label="plan"))
    assume(in_range(case))
    assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
    verdict = verify_model(api, route, case)
    assert verdict.ok, verdict.message


# -- the Keras models table (equivalence/semantics/model_table.py) ---------------------------------
def _cells():
    from equivalence.semantics import model_probes
    return [pytest.param(p, s, id="models/%s/%s" % (p, s)) for p, s in model_probes.cells()]


@pytest.mark.parametrize("probe_id,subject", _cells())
def test_models_cell(api, probe_id, subject):
    """Each cell's observation in this release is what the first row covering it says."""
    from equivalence.semantics import model_probes, model_table
    name = "models/%s/%s" % (probe_id, subject)
    reason = model_probes.unavailable(api, probe_id, subject)
    if reason:
        pytest.skip("%s: %s" % (name, reason))
    row = model_table.lookup(model_table.ROWS, probe_id, model_probes.subject_fields(subject), api)
    assert row is not None, "cell %s has no row in the models table covering %s: add one" % (name, api.describe())
    obs = model_probes.observe_cell(api, probe_id, subject)
    problems = row.expect.problems(obs, None)
    assert not problems, cell_changed(name, problems, row, api, obs)


def test_no_models_row_is_dead():
    """Every row of the models table is some cell's expectation at some release of the history matrix."""
    import io
    import json
    import os
    from equivalence.environment import parse_version
    from equivalence.semantics import model_probes, model_table
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "semantics.json")
    with io.open(path, encoding="utf-8") as f:
        releases = [(parse_version(r["tensorflow"]), r["keras_flavour"]) for r in json.load(f)["releases"]]
    subjects = {}
    for probe, subject in model_probes.cells():
        subjects.setdefault(probe, []).append(model_probes.subject_fields(subject))
    dead = model_table.dead_rows(model_table.ROWS, subjects, releases)
    assert not dead, ["%s (%s)" % (row.describe(), why) for row, why in dead]


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
