"""The semantics report: every route, on fixed cases and a Hypothesis sample.

`python -m equivalence report` prints Markdown; `--json PATH` also writes the
machine-readable form that the version matrix merges (docs/SEMANTICS.md).
"""

import json
import os
import sys
import traceback

import numpy as np

from .harness import Case, case_from_plan, expectation, in_range, verify
from .initializers import InitSpec
from .reference import HALF, l2
from .routes import ROUTES


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


def _sample(api, route, n_examples, seed_label):
    """Verify `route` on `n_examples` Hypothesis cases; return (count, first failure or None)."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    from .strategies import plans
    state = {"n": 0, "failure": None}

    @settings(max_examples=n_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(plan=plans(route.supported_dtypes(api), route.kernel))
    def check(plan):
        if state["failure"]:
            return
        case = case_from_plan(api, plan)
        if not in_range(case):
            return
        verdict = verify(api, route, case)
        state["n"] += 1
        if not verdict.ok:
            state["failure"] = verdict.message

    check()
    return state["n"], state["failure"]


def route_entry(api, route, n_examples=25):
    entry = {"name": route.name, "family": route.family, "api": route.api_call,
             "convention": route.convention.name, "penalty": route.penalty,
             "lambda_precision": route.lambda_precision or "as given",
             "dtypes": route.supported_dtypes(api), "status": "ok", "reason": "",
             "ratio": None, "ratio_to_contrib": None, "examples": 0, "fixed": []}
    reason = route.unavailable(api)
    if reason:
        entry.update(status="unavailable", reason=reason)
        return entry
    try:
        for label, case in fixed_cases(api):
            verdict = verify(api, route, case)
            ref, _ = expectation(route, case)
            weights = route.adapt(case.weights)
            half = l2(weights, case.lam, HALF).value
            entry["fixed"].append({"case": label, "expected": ref.value, "got": verdict.measurement.value,
                                   "ratio": verdict.ratio, "ratio_to_contrib": verdict.measurement.value / half,
                                   "ok": verdict.ok})
            if not verdict.ok and entry["status"] == "ok":
                entry.update(status="mismatch", reason=verdict.message)
        first = entry["fixed"][0]
        entry["ratio"], entry["ratio_to_contrib"] = first["ratio"], first["ratio_to_contrib"]
        n, failure = _sample(api, route, n_examples, route.name)
        entry["examples"] = n + len(entry["fixed"])
        if failure and entry["status"] == "ok":
            entry.update(status="mismatch", reason=failure)
    except Exception as exc:  # an API that raises is reported, not fatal for the report
        entry.update(status="error", reason="%s: %s" % (type(exc).__name__, exc),
                     traceback=traceback.format_exc(limit=4))
    return entry


def build_report(api, n_examples=25, progress=None):
    report = dict(api.versions())
    report["routes"] = []
    for route in ROUTES:
        if progress:
            progress("%s: %s" % (api.tf_version, route.name))
        report["routes"].append(route_entry(api, route, n_examples))
    return report


def _fmt_ratio(x):
    return "—" if x is None else "%.6g" % x


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
        "| route | family | convention | status | ratio | x contrib | examples | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["routes"]:
        note = (r["reason"].splitlines() or [""])[0] if r["reason"] else (
            "lambda stored as %s" % r["lambda_precision"] if r["lambda_precision"] != "as given" else "")
        lines.append("| `%s` | %s | %s | %s | %s | %s | %d | %s |" % (
            r["name"], r["family"], r["convention"], r["status"], _fmt_ratio(r["ratio"]),
            _fmt_ratio(r["ratio_to_contrib"]), r["examples"], note.replace("|", "\\|")))
    bad = [r for r in report["routes"] if r["status"] in ("mismatch", "error")]
    for r in bad:
        lines += ["", "## %s: %s" % (r["status"], r["name"]), "", "```", r["reason"], "```"]
    return "\n".join(lines) + "\n"


def main(args):
    from .environment import get_api
    api = get_api()

    def progress(msg):
        if not args.quiet:
            sys.stderr.write("[report] %s\n" % msg)
            sys.stderr.flush()

    report = build_report(api, n_examples=args.examples, progress=progress)
    sys.stdout.write(to_markdown(report))
    if args.json:
        folder = os.path.dirname(os.path.abspath(args.json))
        if not os.path.isdir(folder):
            os.makedirs(folder)
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True, default=str)
        progress("wrote %s" % args.json)
    return 1 if any(r["status"] in ("mismatch", "error") for r in report["routes"]) else 0
