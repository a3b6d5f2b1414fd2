"""Command line: `python -m equivalence report | run | routes`.

  report [--json PATH] [--examples N]   the semantics report on the installed TensorFlow
  run --route NAME --shape 7,3 --dtype float32 --lam 0.01 --init glorot_uniform:seed=3
      [--gradient METHOD | --optimizer NAME --steps N --data-seed S]
                                        one case through one route (what failure messages print):
                                        its penalty, gradient or optimizer steps; NAME: slug or display name
  routes                                the registry, with availability here
  seeds                                 which variable-creating APIs draw the same seeded weights here
  training                              each route's regularizer in a small network (needs scikit-learn)
  mutate [--mutant NAME] [--max-examples N] [--whole-suite] [-- PYTEST ARGS]
                                        the suite once clean and once per broken API (selfvalidation/mutation.py)
  tolerance-check [--examples N | --seconds S] [--jobs N] [--dtypes D,...]
                                        worst observed error per dtype against its bound
                                        (selfvalidation/tolerance_check.py)
  kernel-check [--cases N] [--json PATH] the bound proved on TensorFlow's kernels, 10**6 arrays per
                                        (kernel, dtype, size class) (selfvalidation/kernelcheck.py)
  matrix [--reports DIR] [--out MD] [--data JSON] [--keras-reports DIR] [--backend-reports DIR]
         [--tf-axis-from OLD_JSON]
                                        merge every env's report into docs/SEMANTICS.md: the TF axis
                                        (reports/*.json), the Keras axis (reports/keras-history/) and
                                        the Keras 3 backends (reports/keras-backends/)
  figures [--docs DIR]                  redraw docs/figures/*.svg from the committed data (needs matplotlib)
  progress                              where each env of a running `tox -m history` is
  migrate [--sweep] [--json PATH] [--program NAME]
                                        tf_upgrade_v2 on the TF 1.x corpus, before and after (migration/)
  suite-summary ENV...                  passed / failed / skipped per env from reports/ENV.junit.xml, and
                                        the total (.ci/run prints it after `tox -p all`)
  diff [--against RELEASE] [--json [PATH]] [--report PATH] [--mutant NAME] [--route NAME]
                                        the release gate: every recorded fact that changed (reporting/gate.py)
  cell AREA/PROBE/SUBJECT               one semantics cell, observed and judged here

Installed (pyproject.toml), the same commands are `regequiv report`, `regequiv diff`, ...
Python warnings raised by upstream code are summarized once at the end (console.py).
"""

import argparse
import ast
import os
import sys


def _parse_init(text):
    from .initializers import InitSpec, KINDS
    kind, _, rest = text.partition(":")
    if kind not in KINDS or kind == "array":
        raise SystemExit("--init takes one of %s (an explicit array is printed in the failure message; "
                         "rebuild it with numpy)" % ", ".join(k for k in KINDS if k != "array"))
    params, seed = {}, None
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        value = ast.literal_eval(value)
        if key == "seed":
            seed = value
        else:
            params[key] = value
    return InitSpec(kind, params, seed)


def _run(args):
    """One case through one route: its penalty, or with --gradient its gradient, or with --optimizer
    its optimizer steps. Exit status 0 when the check passes, 1 when it fails, 2 when it cannot run."""
    from .environment import get_api
    from .harness import case_from_plan, verify
    from .routes import by_name
    from .strategies import Plan
    api = get_api()
    route = by_name(args.route)
    reason = route.unavailable(api) or route.dtype_unavailable(api, args.dtype)
    if reason:
        print("unavailable: %s" % reason)
        return 2
    shape = () if args.shape in ("", "scalar") else tuple(int(s) for s in args.shape.split(","))
    case = case_from_plan(api, Plan(args.dtype, shape, _parse_init(args.init), args.lam))
    if args.gradient and args.optimizer:
        raise SystemExit("--gradient and --optimizer are two different checks: give one")
    print("%s on %s" % (route.name, api.describe()))
    print("case:     %s" % case.describe())
    if args.gradient:
        verdict = _run_gradient(api, route, case, args)
    elif args.optimizer:
        verdict = _run_steps(api, route, case, args)
    elif route in _model_routes():
        from .training.models import verify_model
        verdict = verify_model(api, route, case)
    else:
        verdict = verify(api, route, case)
        print("expected: %r" % verdict.expected.value)
        print("got:      %r (ratio %r)" % (verdict.measurement.value, verdict.ratio))
    if verdict is None:
        return 2
    print("ok" if verdict.ok else verdict.message)
    return 0 if verdict.ok else 1


def _model_routes():
    from .routes.models import MODEL_ROUTES
    return MODEL_ROUTES


def _run_gradient(api, route, case, args):
    from .training import gradients
    method = gradients.method_by_id(args.gradient)
    reason = route.gradient_dtype_unavailable(api, case.dtype)
    if method not in gradients.methods_for(api, route):
        reason = "%s runs in %s mode here; --gradient takes %s" % (
            route.name, "graph" if route.runs_in_graph(api) else "eager",
            " or ".join("'%s'" % m.id for m in gradients.methods_for(api, route)))
    if reason:
        print("unavailable: %s" % reason)
        return None
    print("gradient: %s" % method.name)
    return gradients.verify_gradient(api, route, case, method)


def _run_steps(api, route, case, args):
    from .training import steps
    optimizer = steps.optimizer_by_name(args.optimizer)
    if case.dtype not in steps.STEP_DTYPES:
        print("unavailable: optimizer steps are checked in %s" % ", ".join(steps.STEP_DTYPES))
        return None
    if args.data_seed == "array":
        raise SystemExit("--data-seed array: the data gradient is printed in the failure message; "
                         "rebuild it with numpy")
    seed = int(args.data_seed)
    print("steps:    %d of %s, data gradient seed %d" % (args.steps, optimizer.name, seed))
    a = steps.data_gradient(api, seed, case.shape, case.dtype)
    return steps.verify_steps(api, route, case, a, optimizer, args.steps, data_seed=seed)


def _routes(args):
    from .routes import EXCLUDED, ROUTES
    if args.excluded:  # needs no TensorFlow: the product's exclusions and their reasons
        for e in EXCLUDED:
            print("%-60s %s" % (e.slug, e.reason))
        print("%d routes, %d combinations excluded" % (len(ROUTES), len(EXCLUDED)))
        from .routes.models import MODEL_EXCLUDED, MODEL_ROUTES
        for e in MODEL_EXCLUDED:
            print("%-60s %s" % (e.slug, e.reason))
        print("model axis (routes/models.py): %d routes, %d combinations excluded" % (
            len(MODEL_ROUTES), len(MODEL_EXCLUDED)))
        return 0
    from .environment import get_api
    api = get_api()
    print(api.describe())
    from .routes.models import ACTIVITY_ROUTES, MODEL_ROUTES
    for r in ROUTES + MODEL_ROUTES + ACTIVITY_ROUTES:
        reason = r.unavailable(api)
        print("%-58s %-5s %s" % (r.slug, r.convention.name, "ok " + ",".join(r.supported_dtypes(api)) if not reason
                                  else "unavailable: " + reason[:90]))
        if args.verbose:
            print("    %s" % r.display)
    return 0


def main(argv=None):
    from .console import summarized_warnings
    parser = build_parser()
    args = parser.parse_args(argv)
    with summarized_warnings(quiet=getattr(args, "quiet", False)):
        return dispatch(parser, args)


def build_parser():
    installed = os.path.basename(sys.argv[0] or "") == "regequiv"  # the console script (pyproject.toml)
    parser = argparse.ArgumentParser(prog="regequiv" if installed else "python -m equivalence")
    sub = parser.add_subparsers(dest="command")
    rep = sub.add_parser("report", help="the semantics report on the installed TensorFlow")
    rep.add_argument("--json", help="also write the report as JSON to this path")
    rep.add_argument("--examples", type=int, default=25, help="Hypothesis cases per route (default 25)")
    rep.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    rep.add_argument("--training", action="store_true", help="append the training demonstration (slow)")
    rep.add_argument("--no-semantics", action="store_true", help="skip the semantics tables' cells")
    rep.add_argument("--migration", action="store_true",
                     help="add the migration run: tf_upgrade_v2 on the TF 1.x corpus (also "
                          "REGEQUIV_REPORT_MIGRATION=1; 1-4 min)")
    rep.add_argument("--rejudge", metavar="REPORT_JSON",
                     help="observe nothing: judge the semantics observations REPORT_JSON recorded in this env "
                          "against the tables as they are now, and rewrite its cells (after a table edit; "
                          "refused when the probe or route code changed since)")
    run = sub.add_parser("run", help="one case through one route")
    run.add_argument("--route", required=True)
    run.add_argument("--shape", default="7,3")
    run.add_argument("--dtype", default="float32")
    run.add_argument("--lam", type=float, default=0.01)
    run.add_argument("--init", default="glorot_uniform:seed=0")
    run.add_argument("--gradient", metavar="METHOD",
                     help="check the penalty's gradient taken by METHOD instead (tf.gradients, "
                          "GradientDescentOptimizer.compute_gradients, tf.GradientTape)")
    run.add_argument("--optimizer", help="check --steps steps of this optimizer instead (SGD, momentum, Adam)")
    run.add_argument("--steps", type=int, default=3)
    run.add_argument("--data-seed", default="0", help="seed of the data loss sum(a * w)'s `a` (steps.data_gradient)")
    routes = sub.add_parser("routes", help="list the registry (slug, convention, availability here)")
    routes.add_argument("--excluded", action="store_true",
                        help="list the combinations of the three axes that are not routes, with the reason")
    routes.add_argument("--verbose", action="store_true", help="also print each route's code")
    sub.add_parser("seeds", help="seeded initializers through each variable-creating API")
    trn = sub.add_parser("training", help="the training demonstration")
    trn.add_argument("--quiet", action="store_true")
    trn.add_argument("--curves", help="also write the per-step curves (docs/training.json) to this path")
    mut = sub.add_parser("mutate", help="run the suite against each deliberately broken API; kill matrix")
    mut.add_argument("--mutant", action="append", help="only this mutant (repeatable; default: all)")
    mut.add_argument("--max-examples", type=int, default=5, help="Hypothesis examples per test (default 5)")
    mut.add_argument("--maxfail", type=int, default=20,
                     help="stop a mutant's run after this many failures (default 20: on TF 1.x contrib is "
                          "built on tf.nn.l2_loss, so a broken l2_loss fails ~12 contrib routes before the "
                          "one naming it; a survivor still runs everything)")
    mut.add_argument("--json", help="also write the kill matrix as JSON to this path")
    mut.add_argument("--whole-suite", action="store_true",
                     help="run every test but tests/harness against each mutant, not only its owner's tests")
    tol = sub.add_parser("tolerance-check", help="worst observed error per dtype vs the derived bound")
    tol.add_argument("--examples", type=int, default=200, help="Hypothesis cases per route (default 200)")
    tol.add_argument("--json", help="also write the figures as JSON to this path")
    tol.add_argument("--seconds", type=float, help="the time-boxed long run: as many cases per route as fit in "
                                                   "its share of this many seconds (seeded chunks)")
    tol.add_argument("--jobs", type=int, default=1, help="worker processes, routes dealt round-robin (default 1)")
    tol.add_argument("--shard", help=argparse.SUPPRESS)  # "i/n": the routes of worker i of n
    tol.add_argument("--dtypes", help="only these weight dtypes, comma-separated (default: every dtype a "
                                      "route takes here), e.g. bfloat16 on the releases that truncate")
    ker = sub.add_parser("kernel-check", help="the bound on TensorFlow's reduction kernels, batched")
    ker.add_argument("--cases", type=int, default=10 ** 6,
                     help="arrays per (kernel, dtype, size class) (default 10**6)")
    ker.add_argument("--elements", type=int, default=2 ** 28,
                     help="elements drawn per (dtype, size class) at most: caps the large classes (default 2**28)")
    ker.add_argument("--seed", type=int, default=20261201, help="NumPy SeedSequence entropy (default 20261201)")
    ker.add_argument("--kernel", action="append", help="only this kernel (repeatable)")
    ker.add_argument("--dtype", action="append", help="only this dtype (repeatable)")
    ker.add_argument("--size-class", action="append", help="only this size class, e.g. 1-16 (repeatable)")
    ker.add_argument("--max-batch", type=int, default=1024,
                     help="largest batch of cases in one graph (default 1024; 128 for bfloat16 on TF 1.15)")
    ker.add_argument("--json", help="also write every figure as JSON to this path")
    ker.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    mut.add_argument("pytest_args", nargs="*", help="after --: what pytest runs (default: tests --ignore=tests/harness)")
    mat = sub.add_parser("matrix", help="merge reports/*.json into docs/SEMANTICS.md (no TensorFlow needed)")
    mat.add_argument("--reports", default="reports", help="folder of <env>.json reports (default reports/)")
    mat.add_argument("--out", default="docs/SEMANTICS.md")
    mat.add_argument("--data", default="docs/semantics.json", help="the merged facts the document renders")
    mat.add_argument("--tox-ini", default="tox.ini", help="its `history` label lists the releases expected")
    mat.add_argument("--carry", metavar="OLD_JSON",
                     help="an earlier docs/semantics.json: keep its full-suite and migration records for envs "
                          "whose reports lack them (a reports-only regeneration), marked with --carried-commit")
    mat.add_argument("--carried-commit", default="unknown", help="the commit that recorded OLD_JSON's suite records")
    mat.add_argument("--keras-reports", metavar="DIR",
                     help="the Keras axis's reports (`tox -m keras-history`; default: REPORTS/keras-history/)")
    mat.add_argument("--backend-reports", metavar="DIR",
                     help="the Keras 3 backends' reports (`tox -m keras-backends`; default: REPORTS/keras-backends/)")
    mat.add_argument("--tf-axis-from", metavar="OLD_JSON",
                     help="an earlier docs/semantics.json: take the TF axis's release entries from it instead of "
                          "REPORTS/*.json (when only the Keras axis was measured again)")
    fig = sub.add_parser("figures", help="redraw docs/figures/*.svg from docs/semantics.json and training.json")
    fig.add_argument("--docs", default="docs", help="the folder of the data files (default docs/)")
    prog = sub.add_parser("progress", help="where each env of a running `tox -m history` is")
    prog.add_argument("--reports", default="reports")
    prog.add_argument("--tox-ini", default="tox.ini")
    gate = sub.add_parser("diff", help="the release gate: measure this release, compare every recorded fact")
    gate.add_argument("--against", help="a recorded release (TF version, label or env) to compare with "
                                        "(default: the same minor series, else the newest older one, "
                                        "of the same Keras flavour)")
    gate.add_argument("--json", nargs="?", const="-", help="print the result as JSON (or write it to PATH "
                                                            "and print the text)")
    gate.add_argument("--data", help="the recorded facts (default: docs/semantics.json)")
    gate.add_argument("--report", help="gate this report (`report --json PATH`) instead of measuring")
    gate.add_argument("--mutant", default=os.environ.get("REGEQUIV_MUTANT") or None,
                      help="break this API first (equivalence/selfvalidation/mutants.py; default $REGEQUIV_MUTANT)")
    gate.add_argument("--route", action="append", help="only this route and its cells (repeatable)")
    gate.add_argument("--no-semantics", action="store_true", help="compare route facts only")
    gate.add_argument("--quiet", action="store_true", help="no progress or warning summary on stderr")
    gate.add_argument("--lost-since", metavar="OLD_JSON",
                      help="measure nothing: list every fact OLD_JSON (an earlier docs/semantics.json) records "
                           "that --data (default docs/semantics.json) records differently or not at all; "
                           "routes renamed by the three-axis registry are matched by routes/renamed.py")
    summ = sub.add_parser("suite-summary", help="per-env and total test counts from reports/<env>.junit.xml")
    summ.add_argument("envs", nargs="+")
    summ.add_argument("--reports", default="reports")
    cell = sub.add_parser("cell", help="one semantics cell (AREA/PROBE/SUBJECT), observed and judged here")
    cell.add_argument("cell")
    from .migration.cli import add_parser as add_migrate_parser
    add_migrate_parser(sub)
    return parser


def dispatch(parser, args):
    if args.command == "diff":
        from .reporting.gate import main as gate_main
        return gate_main(args)
    if args.command == "cell":
        from .reporting.gate import cell_main
        return cell_main(args)
    if args.command == "report":
        from .reporting.report import main as report_main
        code = report_main(args)
        if args.training:
            from .training.demo import main as training_main
            sys.stdout.write("\n")
            training_main(args)
        return code
    if args.command == "training":
        from .training.demo import main as training_main
        return training_main(args)
    if args.command == "seeds":
        from .training.seeding import main as seeds_main
        return seeds_main(args)
    if args.command == "run":
        return _run(args)
    if args.command == "routes":
        return _routes(args)
    if args.command == "tolerance-check":
        from .selfvalidation.tolerance_check import main as tolerance_check_main
        return tolerance_check_main(args)
    if args.command == "kernel-check":
        from .selfvalidation.kernelcheck import main as kernelcheck_main
        return kernelcheck_main(args)
    if args.command == "mutate":
        from .selfvalidation.mutation import main as mutate_main
        return mutate_main(args)
    if args.command == "matrix":
        from .reporting.matrix import main as matrix_main
        return matrix_main(args)
    if args.command == "figures":
        from .reporting.figures import main as figures_main
        return figures_main(args)
    if args.command == "migrate":
        from .migration.cli import main as migrate_main
        return migrate_main(args)
    if args.command == "progress":
        from .reporting.matrix import progress
        return progress(args)
    if args.command == "suite-summary":
        from .reporting.matrix import suite_summary
        return suite_summary(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
