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
from equivalence.routes.models import ACTIVITY_ROUTES, MODEL_READERS, MODEL_ROUTES
from equivalence.semantics.areas import MODELS
from equivalence.strategies import model_plans
from equivalence.training.models import verify_activity, verify_model

from .route_cases import examples_for, require, route_params, run_examples
from .semantic_cells import cell_params, check_cell, dead_rows_of, recorded_releases


# route name -> [readings of the penalty before the step, after it] in this process: standalone Keras 2's training
# readers read after the step now and then (the race, training/models.py); one that never reads before it is not
# the race but a release that reports the post-step loss, which the record's facts would not describe
READINGS = {}


@pytest.mark.parametrize("route", route_params(MODEL_ROUTES))
def test_model_route_matches_reference(api, route):
    require(api, route)
    counts = READINGS.setdefault(route.name, [0, 0])
    run_examples(model_route_matches_reference, examples_for(route), api=api, route=route)
    assert not (counts[1] >= 3 and counts[0] == 0), (
        "%s on %s: all %d accepted readings of the loss were after the step (the race reads before it most of the "
        "time): the release reports the post-step penalty" % (route.name, api.describe(), counts[1]))


def model_route_matches_reference(api, route, data):
    case = case_from_plan(api, data.draw(model_plans(route, route.supported_dtypes(api)), label="plan"))
    assume(in_range(case))
    assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
    verdict = verify_model(api, route, case)
    assert verdict.ok, verdict.message
    READINGS.setdefault(route.name, [0, 0])[bool(getattr(verdict, "read_after_step", False))] += 1


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


# -- the model routes in the report (reporting/report.py model_route_entry) ---------------------------
REPORT_ENTRY = """
import json, sys
from equivalence.environment import get_api
from equivalence.reporting.report import entry_of
from equivalence.routes.models import MODEL_ROUTES
from equivalence.selfvalidation.mutants import activate
api = get_api()
if sys.argv[2]:
    activate(sys.argv[2])
route = [r for r in MODEL_ROUTES if r.name == sys.argv[1]][0]
entry = entry_of(api, route, n_examples=0)
print("@@entry " + json.dumps({k: entry[k] for k in ("status", "reason", "examples", "fixed")}))
"""


def _entry_under_mutant(route, mutant):
    """The report entry of `route` in a fresh process with `mutant` active (REPORT_ENTRY)."""
    import json
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env.pop("REGEQUIV_MUTANT", None)
    proc = subprocess.run([sys.executable, "-c", REPORT_ENTRY, route.name, mutant], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("@@entry ")]
    assert proc.returncode == 0 and lines, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(lines[0][len("@@entry "):])


READER = dict((r.name, r) for r in MODEL_READERS)  # the model axis' readers by name (routes/models.py)


@pytest.mark.parametrize("mutant", ["", "fit-drops-the-penalty"], ids=["clean", "fit-drops-the-penalty"])
def test_the_report_judges_a_model_route_by_its_step_and_loss(api, mutant):
    """The report's entry of a model route is judged by verify_model: clean (in this process: the
    entry the report writes), its fixed cases agree; with fit dropping the penalty (a mutant, in a
    process of its own: a mutant cannot be undone) the entry is a mismatch."""
    from equivalence.reporting.report import entry_of
    from equivalence.selfvalidation.mutants import by_name as mutant_named
    route = [r for r in MODEL_ROUTES if r.reader is READER["fit"] and r.unavailable(api) is None]
    if not route:
        pytest.skip("no model route through fit here: %s" % api.describe())
    if mutant and mutant_named(mutant).unavailable(api):
        pytest.skip("mutant %s: %s" % (mutant, mutant_named(mutant).unavailable(api)))
    entry = _entry_under_mutant(route[0], mutant) if mutant else entry_of(api, route[0], n_examples=0)
    assert entry["examples"] == len(entry["fixed"]) >= 1, entry
    if mutant:
        assert entry["status"] == "mismatch" and not all(f["ok"] for f in entry["fixed"]), entry
    else:
        assert entry["status"] == "ok" and all(f["ok"] for f in entry["fixed"]), entry


def test_a_model_route_draws_its_share_of_the_report_examples():
    """--examples N gives a model route ceil(N * examples_share), at least 1; none when N is 0."""
    from equivalence.reporting.report import model_examples
    fit = [r for r in MODEL_ROUTES if r.reader is READER["fit"]][0]
    losses = [r for r in MODEL_ROUTES if r.reader is READER["model_losses"]][0]
    assert (fit.examples_share, losses.examples_share) == (0.03, 0.1)
    assert [model_examples(fit, n) for n in (0, 1, 10, 100)] == [0, 1, 1, 3]
    assert [model_examples(losses, n) for n in (0, 1, 10, 100)] == [0, 1, 1, 10]


# -- a model route's weights rounded as declared (routes/registry.backend_layer_weights) -----------------------
def _reads_a_tensor(route):
    return route.reader.name in ("layer_losses", "model_losses")


@pytest.mark.parametrize("route", route_params([r for r in MODEL_ROUTES if _reads_a_tensor(r)]))
def test_a_model_weight_declared_rounded_is_rounded(api, route):
    """Where a model route's float64 is declared to run with the weights rounded (holds_as / stores_as: Keras 3.15's
    NumPy backend), it does: tests/test_values.py holds the core routes to it, this the model axis's."""
    from equivalence.harness import rounded_expectation, run_route
    from equivalence.initializers import InitSpec
    from equivalence.strategies import Plan
    require(api, route)
    declared = route.dtype_requirement(api, "float64")
    rounded_to = declared.rounds_to if declared is not None else None
    if "float64" not in route.dtypes or not rounded_to:
        pytest.skip("%s: float64 is not declared rounded here" % route.name)
    case = case_from_plan(api, Plan("float64", tuple(route.kernel.derive(4, 3)), InitSpec("glorot_uniform", seed=1),
                                    0.25))
    m = run_route(api, route, case)
    assert (str(m.readback.dtype), m.dtype) == (rounded_to, declared.penalty_dtype("float64")), (
        route.name, m.readback.dtype, m.dtype)
    ref, tol = rounded_expectation(route, case, rounded_to, api)
    assert tol.accepts(m.value, ref.value), (route.name, m.value, ref.value, tol.describe())
