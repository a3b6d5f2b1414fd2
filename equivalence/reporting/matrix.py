"""The version matrix: merge every env's report into docs/SEMANTICS.md.

`tox -m history` makes one env per TensorFlow release write
reports/<env>.json (see report.py); `python -m equivalence matrix` (or
`tox -e matrix`) merges them into

* docs/semantics.json  the merged facts, one entry per release and Keras flavour
* docs/SEMANTICS.md    rendered from that file alone: a compatibility matrix,
                       a timeline of every change between consecutive releases,
                       and the factor-of-two explanation with the migration mapping.

The code is in two modules so far:

* axes.py    reads tox.ini and the reports and merges them into the record (docs/semantics.json): the
             envs, pins and releases of each axis, merge and carry, and the comparisons between releases.
* matrix.py  renders docs/SEMANTICS.md from the record, and the command line (`matrix`, `progress`,
             `suite-summary`); it re-exports the names of axes.py the tests use as `matrix.X`.
"""

import glob
import json
import os
import re

from . import figures
from ..environment import parse_version
from .axes import (BACKEND_FACTORS, KERAS_BACKENDS, KERAS_HISTORY, MIGRATION_SWEEP, OWN, UNRECORDED_BACKENDS,
                   _own, backend_changes, carry, changes_between, env_python, history_envs, keras_axis,
                   keras_axis_entries, keras_backend_releases, keras_history_releases, keras_lines, keras_name,
                   keras_release, keras_timeline, lineages, merge, migration_facts, recorded_areas, route_facts,
                   suite_result, sweep_migrations, tensorflow_backend_entry, timeline)

# The names of axes.py the tests and the rest of the package use as matrix.X.
__all__ = ["UNRECORDED_BACKENDS", "changes_between", "env_python", "history_envs", "keras_axis_entries",
           "keras_backend_releases", "keras_history_releases", "keras_lines", "keras_release", "keras_timeline",
           "lineages", "merge", "migration_facts", "recorded_areas", "route_facts", "suite_result",
           "sweep_migrations", "timeline"]

FLAVOUR_LABEL = {"keras2": "Keras 2", "keras3": "Keras 3", "legacy": "tf_keras (TF_USE_LEGACY_KERAS=1)"}


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


def suite_statement(data):
    """The README's sentence on where the full suite last ran, derived from docs/semantics.json."""
    runs = [r["suite"] for r in data["releases"] if r.get("suite")]
    if not runs:
        return "The full suite has not been run on the release history."
    dates = sorted(set(s["date"] for s in runs if s["date"]))
    commits = sorted(set(s["commit"] for s in runs if s.get("commit")))
    profiles = sorted(set(s["profile"] or "unknown" for s in runs))
    green = sum(1 for s in runs if s["failed"] == 0)
    return ("The full suite last ran on %d of the %d releases of the history (`tox -m history -p 2`, "
            "Hypothesis profile %s) on %s%s: %d passed, %d failed." % (
                len(runs), len(data["releases"]), " / ".join("`%s`" % p for p in profiles),
                " to ".join(dates[:1] + dates[1:][-1:]),
                " (recorded in commit %s, before the three-axis registry; carried over by a reports-only "
                "regeneration)" % ", ".join(commits)
                if commits else "", green, len(runs) - green))


# -- rendering ---------------------------------------------------------------
CELL = {"unavailable": "—", "mismatch": "✗", "error": "E"}


def _cell(route):
    if route is None:
        return " "
    if route["status"] == "ok":
        measured = route["facts"].get("measured convention")
        if measured is None:  # an L1 penalty: no L2 convention to measure, it agrees with its reference
            return "✓"
        return {"half": "½", "full": "1"}.get(measured, measured)
    return CELL.get(route["status"], "?")


def _route_names(releases):
    """Every route name of `releases`, in the order they first appear."""
    names = []
    for r in releases:
        names += [n for n in r["routes"] if n not in names]
    return names


def render(data):
    releases = data["releases"]
    route_names = _route_names(releases)
    out = [
        "# Regularization semantics across TensorFlow releases",
        "",
        "Generated by `tox -m history -p 2 && tox -e matrix` from one report per release",
        "(`python -m equivalence report --json reports/<env>.json` in each env); do not edit by hand.",
        "`tests/test_semantics_document.py` checks, in every env that runs the tests, that this",
        "document is the rendering of `docs/semantics.json` and that the facts recorded for the",
        "running release are what that release measures now.",
        "",
        "## The factor of two",
        "",
        "Two conventions exist for the same name \"L2 regularization\":",
        "",
        "* **half**: `λ · Σw² / 2`: `tf.contrib.layers.l2_regularizer` (and `tf_slim`), `tf.nn.l2_loss`,",
        "  and everything that reads the `REGULARIZATION_LOSSES` collection they fill.",
        "* **full**: `λ · Σw²`: Keras `regularizers.l2` / `L2` in `tf.keras`, Keras 3 and `tf_keras`.",
        "",
        "So `contrib.layers.l2_regularizer(scale)` equals `keras.regularizers.l2(scale / 2)`, and",
        "`tf_upgrade_v2` rewrites it as `tf.keras.regularizers.l2(0.5 * (scale))`. The seed example:",
        "a 784×10 kernel of ones at scale 0.01 gives 39.2 through contrib and 78.4 through Keras.",
        "Migrating by renaming alone doubles the penalty and its gradient.",
        "",
        figures.markdown("training"),
        "",
        "Training with the seed Q&A's λ values through one route of each convention (`tox -e training`",
        "writes the curves to `docs/training.json`): at the same λ the full-convention route penalizes",
        "twice as hard, and at λ = 1.0 both collapse to chance.",
        "",
        "## Releases",
        "",
        suite_statement(data),
        "",
        "| release | env | Keras | contrib | Python | NumPy | h5py | result | full suite |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in releases:
        out.append("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |" % (
            r["label"], r["env"], _keras_cell(r), r.get("contrib") or "—", r.get("python") or "—",
            r.get("numpy") or "—", r.get("h5py") or "—", r["status"] + (": " + r["detail"] if r.get("detail") else ""),
            _suite_cell(r.get("suite"))))
    out += ["", "## Compatibility matrix", "", figures.markdown("matrix"), "",
            "The same as a table: `½`: the route runs and its penalty is `λ·Σw²/2`; `1`: `λ·Σw²`;",
            "`—`: unavailable (why: below); `✓`: an L1 / L1+L2 route that agrees with its reference;",
            "`✗`: disagrees with its documented reference; `E`: raised.", ""]
    out.append("| release | " + " | ".join("R%d" % (i + 1) for i in range(len(route_names))) + " |")
    out.append("|---|" + "---|" * len(route_names))
    for r in releases:
        if not r["routes"]:
            out.append("| %s | %s |" % (r["label"], r["status"]))
            continue
        out.append("| %s | " % r["label"] + " | ".join(_cell(r["routes"].get(n)) for n in route_names) + " |")
    out += ["", "Routes:", ""]
    for i, name in enumerate(route_names):
        out.append("* **R%d** `%s`" % (i + 1, name))
    out += ["", "### Why a route is unavailable", ""]
    reasons, first = {}, {}
    for r in releases:
        for name, route in r["routes"].items():
            if route["status"] == "unavailable":
                key = (name, re.sub(r"\d+(\.\d+)+", "x.y", route["reason"]))  # same reason, other versions
                reasons.setdefault(key, []).append(r["label"])
                first.setdefault(key, route["reason"])
    for key, labels in sorted(reasons.items()):
        out.append("* `%s` in %s: %s" % (key[0], _span(labels), first[key]))
    out += migration_section(releases)
    out += models_section(releases)
    out += ["", "## Timeline of changes", "",
            "Every fact that differs between a release and the one before it (Keras 3 and tf_keras",
            "releases are each compared with their own predecessor, the first of them with 2.15).", "",
            figures.markdown("timeline"), ""]
    changes = timeline(releases)
    if not changes:
        out.append("No fact changed between consecutive measured releases.")
    out += _change_lines(changes, "###")
    out += keras_axis_section(keras_axis_entries(data))
    out += backend_section(data.get("keras_backends") or [], releases)
    return "\n".join(out) + "\n"


def _change_lines(changes, heading):
    """Markdown lines for changes, grouped by (before, after). A route that became unavailable shows that line
    alone (with its reason), not each of its facts going to *(none)*."""
    gone = set((b, a, n) for b, a, n, fact, old, new in changes if fact == "available" and str(new).startswith("no"))
    changes = [c for c in changes if c[3] == "available" or c[5] is not None or (c[0], c[1], c[2]) not in gone]
    out, current = [], None
    for before, after, name, fact, old, new in changes:
        if (before, after) != current:
            current = (before, after)
            out += ["", "%s %s → %s" % (heading, before, after), ""]
        out.append("* `%s` — %s: %s → %s" % (name, fact, _show(old), _show(new)))
    return out


# Measured 2026-12-04 (session notes in docs/MATRIX.md, "The Keras axis"): why the tf_keras line starts at 2.16.
TF_KERAS_BEFORE_216 = ("tf_keras 2.14.1 and 2.15.x, from before TF 2.16 made `tf.keras` Keras 3, have no env: each is "
                       "the code of the `keras` 2.14 / 2.15 that TF 2.14 / 2.15 pin and the TF axis measures as "
                       "`tf.keras`. Installed beside it (`import tf_keras`), the second copy of Keras 2 broke tf.keras' "
                       "from_config and .keras round trips in the same process on TF 2.14, and on TF 2.15 the "
                       "semantics worker did not finish in 10 minutes.")


def keras_axis_section(keras_releases):
    """The Keras axis (keras_axis_entries): its releases; per line, the routes whose matrix cell differs (Keras 3)
    or the line's own routes on each release (standalone Keras 2, tf_keras); every fact that changed between
    consecutive releases of a line."""
    if not keras_releases:
        return []
    out = ["", "## The Keras axis", "",
           "`tf.keras` from TF 2.16 is the Keras 3 the install resolved: `tox -m keras-history` pins each Keras 3",
           "minor release (its newest patch) on the newest TensorFlow whose own requirement admits it",
           "(docs/MATRIX.md), and standalone Keras 2 (`import keras` 2.1.6 / 2.2.4, the regularizer axis's module",
           "`keras2`) on the TF 1.x of its time. The tf_keras of the TF axis's legacy envs (2.16.0-2.21.0) and",
           "keras-nightly (the Keras of its tf-nightly env: tf-nightly requires keras-nightly) join their lines from",
           "the TF axis. Each release is compared with its own predecessor in its line: standalone Keras 2, tf_keras,",
           "Keras 3.", "", TF_KERAS_BEFORE_216, "",
           "| Keras | TF | env | Python | result | full suite |", "|---|---|---|---|---|---|"]
    for r in keras_releases:
        out.append("| %s | %s | `%s` | %s | %s | %s |" % (
            "%s %s" % (keras_name(r), keras_release(r)) if keras_release(r) else "—", r.get("tensorflow") or "—",
            r["env"], r.get("python") or "—", r["status"] + (": " + r["detail"] if r.get("detail") else ""),
            _suite_cell(r.get("suite"))))
    for line in keras_lines(keras_releases):
        name = keras_name(line[0])
        if name not in OWN:
            out += _varying_routes([r for r in line if r["routes"]], lambda r: keras_release(r) or r["env"],
                                   "between the Keras 3 releases", "on every one")
            continue
        own = [n for n in _route_names(line) if _own(name, n)]
        out += ["", "The %s routes on each release (symbols as in the compatibility matrix):" % name, "",
                "| route | " + " | ".join(keras_release(r) for r in line) + " |", "|---|" + "---|" * len(line)]
        out += ["| `%s` | " % n + " | ".join(_cell(r["routes"].get(n)) for r in line) + " |" for n in own]
    changes = keras_timeline(keras_releases)
    out += ["", "### Timeline of the Keras axis", ""]
    if not changes:
        out.append("No fact changed between consecutive Keras releases.")
    return out + _change_lines(changes, "####")


def _varying_routes(columns, heading, between, every):
    """The table of the routes whose matrix cell differs between `columns` (release entries; `heading(entry)`
    names a column), or "None."."""
    names = _route_names(columns)
    varying = [n for n in names if len(set(_cell(r["routes"].get(n)) for r in columns)) > 1]
    out = ["", "Routes whose matrix cell differs %s (symbols as in the compatibility matrix; the other %d routes "
           "have the same cell %s):" % (between, len(names) - len(varying), every), ""]
    if not varying:
        return out + ["None."]
    out.append("| route | " + " | ".join(heading(r) for r in columns) + " |")
    out.append("|---|" + "---|" * len(columns))
    for n in varying:
        out.append("| `%s` | " % n + " | ".join(_cell(r["routes"].get(n)) for r in columns) + " |")
    return out


def backend_section(backend_releases, tf_releases):
    """The backend axis: one column per Keras 3 backend (the TensorFlow backend is the TF axis's entry of the same
    TF and Keras), and every fact a backend records otherwise than the TensorFlow backend."""
    if not backend_releases:
        return []
    measured = [r for r in backend_releases if r["routes"]]
    tf_backend = [t for t in (tensorflow_backend_entry(b, tf_releases) for b in measured) if t is not None]
    columns = tf_backend[:1] + measured
    out = ["", "## The Keras 3 backends", "",
           "`tox -m keras-backends` runs the suite with `KERAS_BACKEND` set (CPU builds of jax and torch; the NumPy",
           "backend with jax and scipy beside it). A route",
           "with Keras in it runs on the backend's own arrays; one that mixes Keras with TensorFlow's own machinery",
           "(a v1 graph or collection, a TensorFlow function as the regularizer, tf.GradientTape) is unavailable",
           "there, with its reason; one without Keras runs on TensorFlow whatever the backend.", "",
           "| backend | Keras | TF | env | Python | result | full suite |", "|---|---|---|---|---|---|---|"]
    for r in columns + [r for r in backend_releases if not r["routes"]]:
        out.append("| %s | %s | %s | `%s` | %s | %s | %s |" % (
            r.get("keras_backend") or "tensorflow", r.get("keras") or "—", r.get("tensorflow") or "—", r["env"],
            r.get("python") or "—", r["status"] + (": " + r["detail"] if r.get("detail") else ""),
            _suite_cell(r.get("suite"))))
    recorded = set(r.get("keras_backend") for r in backend_releases)
    for backend in [b for b in BACKEND_FACTORS if b not in recorded]:
        out.append("| %s | — | — | — | — | not recorded: %s | — |" % (backend, UNRECORDED_BACKENDS.get(
            backend, "no env of the keras-backends label runs it")))
    out += _varying_routes(columns, lambda r: r.get("keras_backend") or "tensorflow", "between backends",
                           "on every backend")
    out += ["", "### Facts that differ from the TensorFlow backend", ""]
    changes = backend_changes(backend_releases, tf_releases)
    if not tf_backend:
        out.append("The TF axis records no Keras 3 release of the same TF and Keras as these backends: nothing to "
                   "compare them with (record the TensorFlow backend's env of that TF and Keras).")
    elif not changes:
        out.append("Every fact of every backend is the TensorFlow backend's.")
    return out + _change_lines(changes, "####")


# -- the Keras models table (equivalence/semantics/model_table.py, the area "models") ----------------
REGENERATE = "tox -m history -p 2 && tox -e matrix"
REPRODUCTION = "Minimal reproduction:"


def models_row_releases(releases, rows, subject_fields):
    """{row index: (labels where a recorded cell takes the row and holds, labels where it differs)}.

    A recorded models cell's row is the first row of its probe that selects its subject and covers
    the release (table.lookup, on the release's version and Keras flavour); its outcome "differs
    from the table" or "no table row" when the observation did not hold."""
    out = {i: ([], []) for i in range(len(rows))}
    for r in releases:
        if "models" not in recorded_areas(r):
            continue
        version = parse_version(r["tensorflow"])
        held, differed = set(), set()
        for cell, outcome in r["cells"].items():
            area, probe, subject = cell.split("/", 2)
            if area != "models":
                continue
            traits = subject_fields(subject)
            for i, row in enumerate(rows):
                if row.probe == probe and row.selects(traits) and row.covers_version(version, r["keras_flavour"], r):
                    (differed if outcome.startswith(("differs", "no table row")) else held).add(i)
                    break
        for i in held:
            out[i][0].append(r["label"])
        for i in differed:
            out[i][1].append(r["label"])
    return out


def _expected(row):
    """A row's expectation with its value where it has one (a Detail's NumPy-computed expectation; the
    models rows bind nothing per subject, so the value needs no context)."""
    expected = getattr(row.expect, "expected", None)
    return repr(row.expect) + (" = `%r`" % (expected(None),) if callable(expected) else "")


def models_section(releases):
    """Each row of the models table with its release range (declared, and where recorded), its note;
    the upstream-bug rows with the upstream issue and their reproduction snippet."""
    from ..semantics.model_probes import subject_fields
    from ..semantics.model_table import ROWS
    measured = [r for r in releases if r.get("tensorflow")]
    recorded = [r for r in measured if "models" in recorded_areas(r)]
    out = ["", "## The Keras models table", "",
           "What each release does with regularizers in Keras models: the rows of",
           "`equivalence/semantics/model_table.py` (probe, subjects, the TF range the row declares, the",
           "expected outcome), and the releases whose recorded `models` cells take each row",
           "(`python -m equivalence cell models/PROBE/SUBJECT` shows one on its install).", ""]
    if len(recorded) < len(measured):
        out += ["The models cells are not recorded for %d of the %d measured releases (%s): regenerate "
                "with `%s`." % (len(measured) - len(recorded), len(measured),
                                _span([r["label"] for r in measured if r not in recorded]), REGENERATE), ""]
    where = models_row_releases(recorded, ROWS, subject_fields)
    out += ["| row | probe | subjects | TF range (declared) | expected | recorded on |", "|---|---|---|---|---|---|"]
    notes = []
    for i, row in enumerate(ROWS):
        held, differed = where[i]
        seen = (_span(held) if held else "—") + ("; differs on %s" % _span(differed) if differed else "")
        out.append("| T%d | `%s` | `%s` | %s | %s | %s |" % (
            i + 1, row.probe, row.routes.replace("|", "\\|"), row.versions(),
            _expected(row).replace("|", "\\|"), seen))
        if row.note and row.note not in [n for n, _ in notes]:
            notes.append((row.note, [row.probe]))
        elif row.note:
            [probes for n, probes in notes if n == row.note][0].append(row.probe)
    out += ["", "Notes:", ""]
    for note, probes in notes:
        out.append("* %s: %s" % (", ".join("`%s`" % p for p in sorted(set(probes))), note))
    out += ["", "### Upstream bugs in the models table", ""]
    bugs = [(i, row) for i, row in enumerate(ROWS) if row.upstream_bug]
    if not bugs:
        out.append("None recorded.")
    for i, row in bugs:
        issue, _, snippet = row.upstream_bug.partition(REPRODUCTION)
        held, differed = where[i]
        out += ["* **T%d** `%s` (`%s`, %s; recorded on %s): %s" % (
            i + 1, row.probe, row.routes, row.versions(), _span(held) if held else "—", issue.strip())]
        if snippet.strip():
            out += ["", "  ```python"] + ["  " + line.strip() for line in snippet.strip().split("; ")] + ["  ```", ""]
    return out


def _suite_cell(suite):
    if not suite:
        return "not run"
    return "%d passed, %d failed, %d skipped (`%s`, %s)" % (
        suite["passed"], suite["failed"], suite["skipped"], suite["profile"] or "?", suite["date"] or "?")


# -- migration: tf_upgrade_v2 on the TF 1.x corpus (equivalence/migration/) ---------------------
def _verdict_cell(verdict):
    """'=' same number, '≠ xF' another number, the exception type, or '—' not run."""
    if not verdict:
        return "—"
    if verdict == "same number":
        return "="
    m = re.match(r"different number: .*\(x([^)]+)\)", verdict)
    if m:
        return "≠ x" + m.group(1)
    m = re.match(r"raises (\w+)", verdict)
    if m:
        return m.group(1)
    return "crash"


def migration_section(releases):
    with_runs = [r for r in releases if (r.get("migration") or {}).get("programs")]
    with_originals = [r for r in releases if (r.get("migration") or {}).get("originals")]
    out = ["", "## Migration: tf_upgrade_v2 on TF 1.x programs", "",
           "Each release's own `tf_upgrade_v2` converts the corpus of `equivalence/migration/corpus/`",
           "(one TF 1.x program per file); each converted program runs as written and in graph mode",
           "(`tf.compat.v1.disable_eager_execution()` added after the import) and is judged against its",
           "NumPy reference (docs/MIGRATION.md). Cells: converter findings (ERROR / WARNING lines for the",
           "file), then as written / graph mode: `=` the original number, `≠ xF` another number, F times",
           "the original, an exception type, `—` not run.", ""]
    if not with_runs and not with_originals:
        out.append("No migration run is recorded in docs/semantics.json: run the history with "
                   "`REGEQUIV_REPORT_MIGRATION=1` (see docs/MIGRATION.md), then `tox -e matrix`.")
        return out
    names = sorted(set(n for r in with_runs for n in r["migration"]["programs"]) |
                   set(n for r in with_originals for n in r["migration"]["originals"]))
    if with_originals:
        out += ["Original programs (TF 1.x, unconverted): `=` prints its reference.", "",
                "| release | " + " | ".join("M%d" % (i + 1) for i in range(len(names))) + " |",
                "|---|" + "---|" * len(names)]
        for r in with_originals:
            o = r["migration"]["originals"]
            out.append("| %s | " % r["label"] + " | ".join(_verdict_cell(o.get(n)) for n in names) + " |")
        out.append("")
    if with_runs:
        out += ["| release | " + " | ".join("M%d" % (i + 1) for i in range(len(names))) + " |",
                "|---|" + "---|" * len(names)]
        for r in with_runs:
            progs = r["migration"]["programs"]
            cells = []
            for n in names:
                p = progs.get(n)
                cells.append("—" if p is None else "%s · %s / %s" % (
                    (p.get("converter") or "?").replace(" issues", ""), _verdict_cell(p.get("as_written")),
                    _verdict_cell(p.get("graph_mode"))))
            out.append("| %s | " % r["label"] + " | ".join(cells) + " |")
    out += ["", "Programs:", ""]
    for i, name in enumerate(names):
        out.append("* **M%d** `%s`" % (i + 1, name))
    bugs, first = {}, {}
    for r in with_runs:
        for name, p in sorted(r["migration"]["programs"].items()):
            if p.get("upstream_bug"):
                key = (name, re.sub(r"\d+(\.\d+)+", "x.y", p["upstream_bug"]))
                bugs.setdefault(key, []).append(r["label"])
                first.setdefault(key, p)
    out += ["", "### Upstream converter bugs", "",
            "The converter reported 0 issues for the file, and its output does not print the original",
            "number on a release it targets. The minimal program is the corpus file; the converted line",
            "is the one the failure came from (or the converted regularizer lines).", ""]
    if not bugs:
        out.append("None recorded.")
    for key, labels in sorted(bugs.items()):
        p = first[key]
        out.append("* `corpus/%s.py` on %s: %s; converted regularizer lines: %s" % (
            key[0], _span(labels), p["upstream_bug"],
            ", ".join("`%s`" % l for l in p.get("regularizer_lines") or []) or "none"))
    return out


def _keras_cell(r):
    if not r.get("keras_flavour"):
        return "—"
    return "%s %s" % (FLAVOUR_LABEL.get(r["keras_flavour"], r["keras_flavour"]), r.get("keras") or "")


def _span(labels):
    return labels[0] if len(labels) == 1 else "%s … %s (%d releases)" % (labels[0], labels[-1], len(labels))


def _show(value):
    return "*(none)*" if value is None else "`%s`" % value


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
