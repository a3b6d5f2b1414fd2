"""The version matrix: merge every env's report into docs/SEMANTICS.md.

`tox -m history` makes one env per TensorFlow release write
reports/<env>.json (see report.py); `python -m equivalence matrix` (or
`tox -e matrix`) merges them into

* docs/semantics.json  the merged facts, one entry per release and Keras flavour
* docs/SEMANTICS.md    rendered from that file alone: a compatibility matrix,
                       a timeline of every change between consecutive releases,
                       and the factor-of-two explanation with the migration mapping.

The code is in three modules, one per job:

* axes.py    reads tox.ini and the reports and merges them into the record (docs/semantics.json): the
             envs, pins and releases of each axis, merge and carry, and the comparisons between releases.
* render.py  renders docs/SEMANTICS.md from the record alone.
* matrix.py  the command line (`matrix`, `progress`, `suite-summary`), and the names the tests use as
             `matrix.X`, re-exported from the other two.
"""

import glob
import json
import os

from . import figures
from .axes import (KERAS_BACKENDS, KERAS_HISTORY, MIGRATION_SWEEP, UNRECORDED_BACKENDS, carry, changes_between,
                   env_python, history_envs, keras_axis, keras_axis_entries, keras_backend_releases,
                   keras_history_releases, keras_lines, keras_release, keras_timeline, lineages, merge,
                   recorded_areas, route_facts, suite_result, sweep_migrations, timeline)
from .render import REGENERATE, backend_section, render, suite_statement

# The command line, and the names of axes.py and render.py the tests use as matrix.X.
__all__ = ["main", "progress", "suite_summary",
           "REGENERATE", "UNRECORDED_BACKENDS", "backend_section", "changes_between", "env_python",
           "history_envs", "keras_axis_entries", "keras_backend_releases", "keras_history_releases",
           "keras_lines", "keras_release", "keras_timeline", "lineages", "merge", "recorded_areas", "render",
           "route_facts", "suite_result", "suite_statement", "sweep_migrations", "timeline"]


def suite_summary(args):
    """`suite-summary ENV...`: one line per env, then the total, in pytest's closing-line words.

    Exit 1 when an env failed a test or wrote no JUnit XML (it did not run its tests)."""
    total = {"passed": 0, "failed": 0, "skipped": 0}
    missing = []
    for env in args.envs:
        result = suite_result(os.path.join(args.reports, env + ".junit.xml"))
        if result is None:
            missing.append(env)
            print("%s: no JUnit XML (the tests did not run)" % env)
            continue
        for k in total:
            total[k] += result[k]
        print("%s: %d passed, %d failed, %d skipped" % (env, result["passed"], result["failed"], result["skipped"]))
    print("total: %d passed, %d failed, %d skipped" % (total["passed"], total["failed"], total["skipped"]))
    return 1 if total["failed"] or missing else 0


def main(args):
    paths = glob.glob(os.path.join(args.reports, "*.json"))
    expected = history_envs(args.tox_ini) if os.path.exists(args.tox_ini) else []
    if getattr(args, "tf_axis_from", None):
        # The TF axis (and the Keras and backend axes, unless their reports are given) as an earlier run recorded them.
        with open(args.tf_axis_from) as f:
            kept = json.load(f)
        merged = {"schema": 1, "releases": kept["releases"]}
        for axis in ("keras_releases", "keras_backends"):  # kept too, unless their reports give them anew (below)
            if kept.get(axis):
                merged[axis] = kept[axis]
        paths = []
        print("the TF axis: %d release entries kept from %s" % (len(merged["releases"]), args.tf_axis_from))
    else:
        migrations = sweep_migrations(os.path.join(args.reports, MIGRATION_SWEEP))
        merged = merge(paths, expected, migrations)
    keras_dir = getattr(args, "keras_reports", None) or os.path.join(args.reports, KERAS_HISTORY)
    keras_reports = glob.glob(os.path.join(keras_dir, "*.json"))
    if keras_reports:
        merged["keras_releases"] = keras_axis(keras_dir, args.tox_ini)
        print("the Keras axis: %d reports of %s" % (len(keras_reports), keras_dir))
    backend_dir = getattr(args, "backend_reports", None) or os.path.join(args.reports, KERAS_BACKENDS)
    backend_reports = glob.glob(os.path.join(backend_dir, "*.json"))
    if backend_reports:
        merged["keras_backends"] = keras_axis(backend_dir, args.tox_ini, KERAS_BACKENDS)
        print("the backend axis: %d reports of %s" % (len(backend_reports), backend_dir))
    if getattr(args, "carry", None):
        with open(args.carry) as f:
            carried = carry(merged, json.load(f), args.carried_commit)
        print("carried from %s: %d suite records, %d migration records" % (
            args.carry, sum(1 for _, w in carried if w == "suite"), sum(1 for _, w in carried if w == "migration")))
    text = json.dumps(merged, indent=1, sort_keys=True) + "\n"
    data = json.loads(text)  # render what the file holds (sorted keys), exactly as the test does
    for path, text in ((args.data, text), (args.out, render(data))):
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            os.makedirs(folder)
        with open(path, "w") as f:
            f.write(text)
    print("merged %d reports (%d releases expected) into %s and %s" % (len(paths), len(expected), args.out,
                                                                      args.data))
    try:  # the pictures the document embeds, drawn from the data just written (and docs/training.json)
        written = figures.render_all(os.path.dirname(os.path.abspath(args.data)),
                                     os.path.join(os.path.dirname(os.path.abspath(args.out)), "figures"))
    except ImportError as e:
        raise SystemExit("the document's pictures need matplotlib (%s): `tox -e matrix` installs it" % e)
    print("drew %s" % ", ".join(written))
    return 0


def progress(args):
    """One line per env of a running matrix: done, or which route it is on (from the checkpoints)."""
    expected = history_envs(args.tox_ini) if os.path.exists(args.tox_ini) else []
    found = {}
    for path in glob.glob(os.path.join(args.reports, "*.json")):
        try:
            with open(path) as f:
                report = json.load(f)
        except ValueError:  # being rewritten right now
            continue
        found[report.get("env") or os.path.basename(path)[:-5]] = report
    for env in expected + sorted(e for e in found if e not in expected):
        r = found.get(env)
        if r is None:
            state = "waiting (or did not build)"
        elif r.get("error"):
            state = "crashed: TensorFlow does not import: %s" % r["error"]
        elif r.get("complete"):
            state = "done: %d routes, %d mismatches" % (
                len(r["routes"]), sum(x["status"] in ("mismatch", "error") for x in r["routes"]))
        else:
            state = "route %d: %s" % (len(r["routes"]) + 1, r.get("current_route"))
        print("%-24s %s" % (env, state))
    return 0
