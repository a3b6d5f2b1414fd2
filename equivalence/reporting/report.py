"""The semantics report: every route, on fixed cases and a Hypothesis sample.

`python -m equivalence report` prints Markdown; `--json PATH` also writes the
machine-readable form that the version matrix merges (docs/SEMANTICS.md).

The JSON is written before the first route and again after each one, with
`complete: false` until the end: an env whose TensorFlow crashes the process
still leaves a report that says where it stopped, and the matrix shows it.
"""

import json
import math
import os
import sys
import traceback

import numpy as np

from ..environment import suite_profile
from ..harness import Case, case_from_plan, expectation, in_range, rounded_expectation, verify
from ..initializers import InitSpec
from ..numerics.reference import HALF, l2, stored_lambda
from ..routes import ALL_DTYPES, ROUTES
from ..routes.models import ACTIVITY_ROUTES, MODEL_ROUTES

SCHEMA = 2
# Every route the report covers: the core registry, then the Keras model axis (routes/models.py).
REPORTED_ROUTES = list(ROUTES) + list(MODEL_ROUTES) + list(ACTIVITY_ROUTES)
MODEL_ROUTE_NAMES = frozenset(r.name for r in list(MODEL_ROUTES) + list(ACTIVITY_ROUTES))


def fixed_cases(api):
    """The documented cases every report runs, in this order."""
    probe = np.random.RandomState(0).randn(7, 3)
    return [
        ("design probe: RandomState(0).randn(7,3), float32, scale 0.01",
         Case(probe.astype(np.float32), "float32", 0.01, InitSpec("array", array=probe))),
        ("seed 000: ones(784,10), float32, scale 0.01",
         Case(np.ones((784, 10), np.float32), "float32", 0.01, InitSpec("ones"))),
        ("float64 probe: RandomState(0).randn(7,3), scale 0.1 (not a float32 number)",
         Case(probe.astype(np.float64), "float64", 0.1, InitSpec("array", array=probe))),
    ]


def _first_failure(n_examples, strategy, judge):
    """Run `judge(drawn)` on `n_examples` derandomized Hypothesis draws of `strategy`; return (count of
    cases judged, first failure message or None). `judge` returns None for a draw outside what the tests
    take, else (case, verdict); an exception is the API raising on a case its record says it takes."""
    from hypothesis import HealthCheck, given, settings
    state = {"n": 0, "failure": None}

    @settings(max_examples=n_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(drawn=strategy)
    def check(drawn):
        if state["failure"]:
            return
        try:
            judged = judge(drawn)
        except _Raised as raised:
            state["failure"] = raised.message
            return
        if judged is None:
            return
        state["n"] += 1
        if not judged.ok:
            state["failure"] = judged.message

    check()
    return state["n"], state["failure"]


class _Raised(Exception):
    def __init__(self, exc, case):
        Exception.__init__(self)
        self.message = "raised %s: %s on %s" % (type(exc).__name__, _first_line(exc), case.describe())


def _judged(judge, case):
    try:
        return judge(case)
    except Exception as exc:  # the API raised on a case its record says it takes
        raise _Raised(exc, case)


def _sample(api, route, n_examples):
    """Verify `route` on `n_examples` Hypothesis cases drawn as the value tests draw; (count, first failure)."""
    from ..strategies import plans

    def judge(plan):
        case = case_from_plan(api, plan)
        if not in_range(case) or route.lambda_unavailable(api, case.lam):  # as the value tests draw
            return None
        return _judged(lambda c: verify(api, route, c), case)
    return _first_failure(n_examples, plans(route.supported_dtypes(api), route.kernel), judge)


def _add_sample(entry, sample, n_examples):
    """Run `sample(n_examples)` after an entry's facts, outside their `try`: what it meets marks the status,
    never the facts (axes.route_facts), so an entry's facts are the same with or without it
    (recorded.reusable_route_entries)."""
    try:
        n, failure = sample(n_examples) if n_examples > 0 else (0, None)
    except Exception as exc:  # the sampling machinery itself failed
        n, failure = 0, "raised %s: %s while sampling" % (type(exc).__name__, _first_line(exc))
    entry["examples"] = n + len(entry["fixed"])
    if failure and entry["status"] == "ok":
        entry.update(status="error" if failure.startswith("raised ") else "mismatch", reason=failure,
                     sample_failure=failure)
    return entry


def dtype_probe(api, route):
    """Measured, not declared: what one small case in each dtype does through this route.

    "ok" (matches the reference), "mismatch", "stored as <dtype>" (the variable read back holds another
    dtype, and so does the penalty: JAX without x64 keeps float64 weights as float32), "holds <dtype> values"
    (the variable holds another dtype while the penalty keeps the weights': a float64 layer weight on Keras
    3.15's NumPy backend), each only with the penalty the reference of the weights so rounded (else
    "mismatch"), or the exception type it raised.
    The registry's declarations are what the tests hold the route to; this is
    what the version matrix compares across releases.
    """
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (3, 2)
    outcome = {}
    for dtype in ALL_DTYPES:
        try:
            case = case_from_plan(api, _plan(dtype, shape))
            verdict = verify(api, route, case)
            m = verdict.measurement
            stored = str(m.readback.dtype) if m is not None else dtype
            if verdict.ok or stored == str(api.numpy_dtype(dtype)):
                outcome[dtype] = "ok" if verdict.ok else "mismatch"
            else:
                # rounded, not wrong: only if the penalty is the reference of the weights as held (as the tests judge)
                ref, tol = rounded_expectation(route, case, stored, api)
                outcome[dtype] = "mismatch" if not tol.accepts(m.value, ref.value) else (
                    "holds %s values" if m.dtype == dtype else "stored as %s") % stored
        except Exception as exc:  # the outcome is the exception's type
            outcome[dtype] = type(exc).__name__
    return outcome


def _plan(dtype, shape):
    from ..strategies import Plan
    return Plan(dtype, shape, InitSpec("glorot_uniform", seed=1), 0.25)


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else ""


def route_entry(api, route, n_examples=25):
    entry = {"name": route.name, "family": route.family, "api": route.api_call,
             "convention": route.convention.name, "penalty": route.penalty,
             "lambda_precision": route.lambda_precision_for(api) or "as given",
             "dtypes": route.supported_dtypes(api), "dtype_probe": {}, "status": "ok", "reason": "",
             "ratio": None, "ratio_to_contrib": None, "examples": 0, "fixed": []}
    reason = route.unavailable(api)
    if reason:
        entry.update(status="unavailable", reason=reason)
        return entry
    try:
        entry["dtype_probe"] = dtype_probe(api, route)
        for label, case in fixed_cases(api):
            if route.dtype_unavailable(api, case.dtype):  # declared absent: the dtype probe measures it
                continue
            verdict = verify(api, route, case)
            ref, _ = expectation(route, case)
            weights = route.adapt(case.weights)
            # In units of the contrib L2 convention; meaningless for L1 penalties.
            half = l2(weights, case.lam, HALF).value if route.penalty == "l2" else None
            entry["fixed"].append({"case": label, "expected": ref.value, "got": verdict.measurement.value,
                                   "ratio": verdict.ratio,
                                   "ratio_to_contrib": verdict.measurement.value / half if half else None,
                                   "ok": verdict.ok})
            if not verdict.ok and entry["status"] == "ok":
                entry.update(status="mismatch", reason=verdict.message)
        first = entry["fixed"][0]
        entry["ratio"], entry["ratio_to_contrib"] = first["ratio"], first["ratio_to_contrib"]
    except Exception as exc:  # an API that raises is reported, not fatal for the report
        entry.update(status="error", reason="%s: %s" % (type(exc).__name__, exc),
                     fixed_error="%s: %s" % (type(exc).__name__, _first_line(exc)),
                     traceback=traceback.format_exc(limit=4))
        return entry
    return _add_sample(entry, lambda n: _sample(api, route, n), n_examples)


# -- the Keras model axis (routes/models.py): judged by training/models.py, not harness.verify ----------
# The activity fixed case's batch and input seed (training.models.activity_inputs).
ACTIVITY_BATCH, ACTIVITY_SEED = 2, 0
# The layer sizes (n_in, n_out) of a model route's fixed cases: LayerShape.derive gives the weight's shape.
MODEL_SIZES = (4, 3)


def model_fixed_cases(api, route):
    """The documented cases of a model route, in this order: RandomState(0) normal weights of the
    shape its layer derives from MODEL_SIZES, float32 at scale 0.01, then float64 at 0.1 where the
    route takes float64 here (the compiled readers are float32 only: routes/models.COMPILED_DTYPES)."""
    shape = tuple(route.kernel.derive(*MODEL_SIZES))
    probe = np.random.RandomState(0).randn(*shape)
    cases = [("design probe: RandomState(0).randn%s, float32, scale 0.01" % (shape,),
              Case(probe.astype(np.float32), "float32", 0.01, InitSpec("array", array=probe)))]
    if "float64" in route.supported_dtypes(api):
        cases.append(("float64 probe: RandomState(0).randn%s, scale 0.1" % (shape,),
                      Case(probe.astype(np.float64), "float64", 0.1, InitSpec("array", array=probe))))
    return cases


def model_examples(route, n_examples):
    """A model route's share of the report's `n_examples` (route.examples_share, as the tests give it),
    at least 1; 0 when the report draws none (the release gate, the document test)."""
    if n_examples <= 0:
        return 0
    return max(1, int(math.ceil(n_examples * route.examples_share)))


# How often a fixed case is run again while a standalone Keras 2 training reader reads its penalty after the step
# (the race in training/models.py): its facts are read from a before-the-step reading, as every other release's.
RACE_ATTEMPTS = 5


def _judge_model(api, route, case, batch=ACTIVITY_BATCH, seed=ACTIVITY_SEED):
    from ..training.models import verify_activity, verify_model
    if route in ACTIVITY_ROUTES:
        return verify_activity(api, route, case, batch, seed)
    for _ in range(RACE_ATTEMPTS):
        verdict = verify_model(api, route, case)
        if not getattr(verdict, "read_after_step", False):
            return verdict
    # never once before the step: no longer the race but a reader that reports the penalty after its step
    from ..verdict import Verdict
    return Verdict(False, "%s: in %d readings the reported loss was always the penalty of the kernel after the step, "
                   "never before it (the race in training/models.py would read before it some of the time)" % (
                       route.name, RACE_ATTEMPTS), verdict.got, verdict.expected, verdict.tolerance, verdict.ratio)


def _model_sample(api, route, n_examples):
    """Verify `route` on `n_examples` Hypothesis cases drawn as tests/test_models.py draws them; return
    (count, first failure or None)."""
    from hypothesis import strategies as st
    from ..numerics import tolerance
    from ..strategies import model_plans
    activity = route in ACTIVITY_ROUTES

    def judge(drawn):
        plan, batch, seed = drawn
        case = case_from_plan(api, plan)
        if not in_range(case) or not activity and not tolerance.fits(case.dtype, expectation(route, case)[0].value):
            return None
        return _judged(lambda c: _judge_model(api, route, c, batch, seed), case)
    drawn = st.tuples(model_plans(route, route.supported_dtypes(api)), st.integers(1, 6), st.integers(0, 2 ** 16))
    return _first_failure(n_examples, drawn, judge)


def model_route_entry(api, route, n_examples=25):
    """A model route's report entry, in route_entry's shape: its fixed cases and its share of the sample
    judged by verify_model / verify_activity (entries, value and SGD step). No dtype probe: a model
    route's dtypes are its layer's and reader's (routes/models.py), and each probe would compile."""
    entry = {"name": route.name, "family": route.family, "api": route.api_call,
             "convention": route.convention.name, "penalty": route.penalty,
             "lambda_precision": route.lambda_precision_for(api) or "as given", "axis": "models",
             "dtypes": route.supported_dtypes(api), "dtype_probe": {}, "status": "ok", "reason": "",
             "ratio": None, "ratio_to_contrib": None, "examples": 0, "fixed": []}
    reason = route.unavailable(api)
    if reason:
        entry.update(status="unavailable", reason=reason)
        return entry
    try:
        for label, case in model_fixed_cases(api, route):
            verdict = _judge_model(api, route, case)
            got = float(verdict.got)
            # In units of the contrib L2 convention: lambda * sum(w**2) / 2 of the weights; for the activity
            # regularizer lambda * sum(y**2) / 2 / batch of the layer's output y (reference.sum_value is
            # sum(y**2)), so a release that sums over the batch shows 2 * batch, one that averages 2.
            half = (stored_lambda(case.lam, route.lambda_precision_for(api)) * verdict.expected.sum_value
                    / (2.0 * ACTIVITY_BATCH)) if route in ACTIVITY_ROUTES else (
                l2(route.adapt(case.weights), case.lam, HALF).value)
            entry["fixed"].append({"case": label, "expected": verdict.expected.value, "got": got,
                                   "ratio": verdict.ratio, "ratio_to_contrib": got / half if half else None,
                                   "ok": verdict.ok})
            if not verdict.ok and entry["status"] == "ok":
                entry.update(status="mismatch", reason=verdict.message)
        first = entry["fixed"][0]
        entry["ratio"], entry["ratio_to_contrib"] = first["ratio"], first["ratio_to_contrib"]
    except Exception as exc:  # an API that raises is reported, not fatal for the report
        entry.update(status="error", reason="%s: %s" % (type(exc).__name__, exc),
                     fixed_error="%s: %s" % (type(exc).__name__, _first_line(exc)),
                     traceback=traceback.format_exc(limit=4))
        return entry
    return _add_sample(entry, lambda n: _model_sample(api, route, n), model_examples(route, n_examples))


def entry_of(api, route, n_examples=25):
    """The report entry of any route: a model route's (model_route_entry) or a core route's (route_entry)."""
    if route.name in MODEL_ROUTE_NAMES:
        return model_route_entry(api, route, n_examples)
    return route_entry(api, route, n_examples)


def build_report(api, n_examples=25, progress=None, checkpoint=None, semantics=True, routes=None,
                 migration=False):
    """Every route's entry and the semantics cells (and with `migration`, the migration run of
    equivalence/migration for this release); `checkpoint(report)` runs before each step.

    The routes are REPORTED_ROUTES: the core registry, each drawing `n_examples` Hypothesis cases, and
    the model axis (MODEL_ROUTES, ACTIVITY_ROUTES), each drawing its share (model_examples).
    `routes` (default: all of them) limits the routes, and the semantics cells to those
    whose subject is one of them (the release gate's `--route`).
    """
    report = dict(api.versions())
    report.update(schema=SCHEMA, env=os.environ.get("REGEQUIV_ENV"), suite_profile=suite_profile(), complete=False,
                  current_route=None, routes=[])
    for route in REPORTED_ROUTES if routes is None else routes:
        if progress:
            progress("TF %s (%s): %s" % (api.tf_version, api.keras_flavour, route.name))
        report["current_route"] = route.name
        if checkpoint:
            checkpoint(report)
        report["routes"].append(entry_of(api, route, n_examples))
    if semantics:
        report["current_route"] = "semantics tables"
        if checkpoint:
            checkpoint(report)
        observed = {}
        report["semantics"] = semantics_cells(api, progress, observed=observed,
                                              subjects=None if routes is None else set(r.name for r in routes))
        # The raw observations, for the tests of this env to judge instead of observing again.
        from ..semantics.recorded import record
        report["observations"] = record(api, observed)
    if migration:
        report["current_route"] = "migration run"
        if checkpoint:
            checkpoint(report)
        if progress:
            progress("migration: tf_upgrade_v2 on the TF 1.x corpus")
        report["migration"] = migration_entry(api)
    report.update(complete=True, current_route=None)
    if checkpoint:
        checkpoint(report)
    return report


def migration_entry(api):
    """This release's migration result (equivalence/migration/run.py): on TF 2.x its converter's output
    for every corpus program, run as written and in graph mode; on TF 1.x the original programs."""
    from ..migration import run
    from ..selfvalidation.mutants import converter_mutant
    from ..numerics.reduction import sums_linearly
    if not api.tf2:
        return {"originals": run.original_entry(sys.executable, linear=sums_linearly(api))}
    reason = run.converter_available(sys.executable)
    if reason:
        return {"error": reason}
    return run.release_entry(sys.executable, mutant=converter_mutant())


def migration_markdown(migration):
    if not migration:
        return []
    lines = ["", "## Migration: tf_upgrade_v2 on the TF 1.x corpus", ""]
    if migration.get("error"):
        return lines + ["not run: %s" % migration["error"]]
    if migration.get("originals"):
        lines += ["| original program | verdict |", "|---|---|"]
        for name, o in sorted(migration["originals"].items()):
            lines.append("| %s | %s |" % (name, o["verdict"].replace("|", "\\|")))
        return lines
    lines += ["%s (%s)." % (migration["converter"].get("summary") or migration["converter"].get("error"),
                            migration["converter"].get("command")), "",
              "| program | converter | as written | graph mode | upstream converter bug |", "|---|---|---|---|---|"]
    for name, r in sorted(migration["programs"].items()):
        lines.append("| %s | %s | %s | %s | %s |" % tuple(
            (x or "—").replace("|", "\\|") for x in (
                name, r.get("converter"), (r.get("as_written") or {}).get("verdict"),
                (r.get("graph_mode") or {}).get("verdict"), r.get("upstream_bug"))))
    return lines


def _fmt_ratio(x):
    return "—" if x is None else "%.6g" % x


def semantics_markdown(cells):
    """The semantics tables' cells, grouped: per probe, each outcome and the subjects that show it."""
    if not cells:
        return []
    lines = ["", "## Edge semantics (the semantics tables, measured here)", "",
             "Each probe's outcome per route (or per Keras module / collection scenario): the table's",
             "expectation when the API behaves as the table says, `differs from the table` when not.", ""]
    grouped = {}
    for cell, outcome in sorted(cells.items()):
        area, probe, subject = cell.split("/", 2)
        grouped.setdefault((area, probe), {}).setdefault(outcome, []).append(subject)
    area_now = None
    for (area, probe), outcomes in sorted(grouped.items()):
        if area != area_now:
            area_now = area
            lines += ["", "### %s" % area, "", "| probe | outcome | where |", "|---|---|---|"]
        for outcome, subjects in sorted(outcomes.items()):
            lines.append("| %s | %s | %s |" % (probe, outcome.replace("|", "\\|"),
                                               ", ".join("`%s`" % s for s in subjects)))
    differing = sorted(c for c, o in cells.items() if o.startswith(("differs", "no table row")))
    lines += ["", "%d of %d cells differ from their table%s" % (
        len(differing), len(cells), (": " + ", ".join(differing)) if differing else ".")]
    return lines


def _fmt_dtypes(probe):
    """'float32 float64 ok; bfloat16: InvalidArgumentError' from the measured dtype probe."""
    if not probe:
        return "—"
    ok = [d for d in ALL_DTYPES if probe.get(d) == "ok"]
    other = ["%s: %s" % (d, probe[d]) for d in ALL_DTYPES if d in probe and probe[d] != "ok"]
    return "; ".join(([" ".join(ok) + " ok"] if ok else []) + other)


def to_markdown(report):
    lines = [
        "# Regularization semantics: TensorFlow %s" % report["tensorflow"],
        "",
        "Keras %s (%s), contrib: %s, Python %s, NumPy %s." % (
            report["keras"], report["keras_flavour"], report["contrib"] or "not available",
            report["python"], report["numpy"]),
        "",
        "`ratio` is the measured penalty over the route's documented reference on the first",
        "fixed case (1 means it agrees); `x contrib` is the penalty over lambda*sum(w**2)/2,",
        "the tf.contrib convention (1 = halves, 2 = Keras' full sum).",
        "",
        "| route | family | convention | status | ratio | x contrib | dtypes (measured) | examples | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["routes"]:
        note = (r["reason"].splitlines() or [""])[0] if r["reason"] else (
            "lambda stored as %s" % r["lambda_precision"] if r["lambda_precision"] != "as given" else "")
        lines.append("| `%s` | %s | %s | %s | %s | %s | %s | %d | %s |" % (
            r["name"], r["family"], r["convention"], r["status"], _fmt_ratio(r["ratio"]),
            _fmt_ratio(r["ratio_to_contrib"]), _fmt_dtypes(r.get("dtype_probe")), r["examples"],
            note.replace("|", "\\|")))
    lines += semantics_markdown(report.get("semantics"))
    lines += migration_markdown(report.get("migration"))
    bad = [r for r in report["routes"] if r["status"] in ("mismatch", "error")]
    for r in bad:
        lines += ["", "## %s: %s" % (r["status"], r["name"]), "", "```", r["reason"], "```"]
    return "\n".join(lines) + "\n"


def write_json(path, report):
    """Write atomically: a crash mid-write must not leave half a file for the matrix."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True, default=str)
    os.rename(tmp, path)


def rejudge(api, report):
    """Recompute `report["semantics"]` from its recorded observations with the current tables.

    A cell's outcome is (observation, table row): the observation is the measurement, the row the
    judgement. After a table edit the observations stay valid as long as the code that observes
    (probes, routes, harness; recorded.observer_fingerprint) did not change: that is checked, and a
    report observed by other code is refused. Returns the number of cells whose outcome changed.
    """
    from ..semantics.areas import AREAS
    from ..semantics.recorded import observer_fingerprint
    record = report.get("observations") or {}
    if record.get("observer") != observer_fingerprint():
        raise ValueError("the report was observed by other probe or route code (observer fingerprint %s, "
                         "now %s): observe again" % (record.get("observer"), observer_fingerprint()))
    if record.get("versions") != api.versions():
        raise ValueError("the report was observed on another install: %s" % record.get("versions"))
    cells, changed = {}, 0
    for key, obs in record["cells"]:
        cells["/".join(key)] = cell_outcome(api, AREAS[key[0]], key, obs)
    for cell, outcome in cells.items():
        changed += (report.get("semantics") or {}).get(cell) != outcome
    report["semantics"] = cells
    return changed


def main(args):
    if getattr(args, "rejudge", None):
        from ..environment import get_api
        with open(args.rejudge) as f:
            report = json.load(f)
        changed = rejudge(get_api(), report)
        write_json(args.rejudge, report)
        sys.stderr.write("[report] %s: %d cells rejudged, %d outcomes changed\n" % (
            args.rejudge, len(report["semantics"]), changed))
        return 0
    from ..console import Progress
    env = os.environ.get("REGEQUIV_ENV") or "this env"
    checkpoint = (lambda r: write_json(args.json, r)) if args.json else None
    try:
        from ..environment import get_api
        api = get_api()
    except Exception as exc:  # TensorFlow itself does not import: that is this env's result
        error = {"schema": SCHEMA, "env": os.environ.get("REGEQUIV_ENV"), "complete": False,
                 "error": "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else ""),
                 "python": sys.version.split()[0], "routes": []}
        if checkpoint:
            checkpoint(error)
        sys.stderr.write("TensorFlow does not import here: %s\n" % error["error"])
        return 1

    migration = getattr(args, "migration", False) or os.environ.get("REGEQUIV_REPORT_MIGRATION") == "1"
    steps = len(REPORTED_ROUTES) + (0 if args.no_semantics else 1) + (1 if migration else 0)
    with Progress(steps, "report %s" % env, quiet=args.quiet) as progress:
        report = build_report(api, n_examples=args.examples, progress=progress, checkpoint=checkpoint,
                              semantics=not args.no_semantics, migration=migration)
    sys.stdout.write(to_markdown(report))
    if args.json and not args.quiet:
        sys.stderr.write("[report %s] wrote %s\n" % (env, args.json))
    return 1 if any(r["status"] in ("mismatch", "error") for r in report["routes"]) else 0


# -- the semantics tables' cells, as this release measures them ---------------
def _summarize(obs):
    """An observation without its numbers: what kind of thing the API did."""
    if obs.get("contained"):
        return "the probe %s" % obs["contained"]
    if obs.get("raised"):
        return "raises %s" % obs["raised"]
    value = obs.get("value")
    if value is None:
        kind = "no penalty"
    elif value != value:
        kind = "NaN"
    elif value in (float("inf"), float("-inf")):
        kind = "%sinf" % ("-" if value < 0 else "+")
    elif value == 0:
        kind = "0"
    else:
        kind = "a finite number"
    return "%s%s" % (kind, "" if obs.get("entries") is None else ", %s entries" % obs["entries"])


def semantics_cells(api, progress=None, observed=None, subjects=None):
    """{cell id: outcome} for every cell of the semantics tables available here (of the routes named
    in `subjects` only, when given), and each raw observation into `observed`, {tuple key:
    observation}, when given.

    The outcome is the table's expectation when the observation satisfies it
    (so a change between releases is the change of table row), or, when it
    does not, "differs from the table: <what happened>". Cells run in the
    tables' contained worker, as in the tests.
    """
    from ..semantics.areas import AREAS, observe_keys
    keys_of = {}
    for name in sorted(AREAS):
        area = AREAS[name]
        keys_of[name] = [k for k in area.keys() if area.unavailable(api, k[1], k[2]) is None
                         and (subjects is None or k[2] in subjects)]
    if progress:
        progress("semantics tables: %d cells of %s" % (sum(len(k) for k in keys_of.values()), ", ".join(sorted(AREAS))))
    all_observed = observe_keys([k for name in sorted(AREAS) for k in keys_of[name]])
    if observed is not None:
        observed.update(all_observed)
    cells = {}
    for name in sorted(AREAS):
        for key in keys_of[name]:
            cells["/".join(key)] = cell_outcome(api, AREAS[name], key, all_observed[tuple(key)])
    return cells


def cell_outcome(api, area, key, obs):
    _, probe_id, subject = key
    row = area.row_for(api, probe_id, subject)
    # A probe-specific detail (a config value, a shape) is a fact of the release: show it.
    detail = "" if obs.get("detail") is None or obs.get("raised") else " = %r" % (obs["detail"],)
    if row is None:
        return "no table row: %s%s" % (_summarize(obs), detail)
    if row.expect.problems(obs, area.context(api, probe_id, subject)):
        return "differs from the table (%r): %s%s" % (row.expect, _summarize(obs), detail)
    return repr(row.expect) + detail
