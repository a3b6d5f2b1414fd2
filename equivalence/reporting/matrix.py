"""The version matrix: merge every env's report into docs/SEMANTICS.md.

`tox -m history` makes one env per TensorFlow release write
reports/<env>.json (see report.py); `python -m equivalence matrix` (or
`tox -e matrix`) merges them into

* docs/semantics.json  the merged facts, one entry per release and Keras flavour
* docs/SEMANTICS.md    rendered from that file alone: a compatibility matrix,
                       a timeline of every change between consecutive releases,
                       and the factor-of-two explanation with the migration mapping.

A *fact* is something about one route in one release that the timeline
compares: is the route available (and why not), what its penalty is in units
of the contrib convention (1 = lambda*sum(w**2)/2, 2 = Keras' lambda*sum(w**2)),
whether it agrees with its documented reference, and what each dtype does.
The same `route_facts` function reads a report here and a fresh measurement
in tests/test_semantics_document.py, so the committed document is checked
against the env that runs the tests.
"""

import configparser
import glob
import json
import os
import re
import xml.etree.ElementTree as ElementTree

from . import figures
from ..environment import parse_version

FLAVOUR_LABEL = {"keras2": "Keras 2", "keras3": "Keras 3", "legacy": "tf_keras (TF_USE_LEGACY_KERAS=1)"}


# -- facts -------------------------------------------------------------------
def _first_line(text, limit=150):
    line = (text or "").strip().splitlines()
    line = line[0] if line else ""
    # Addresses and versions inside messages change between otherwise equal releases.
    line = re.sub(r"0x[0-9a-f]+", "0x…", line)
    return line[:limit]


def convention_label(ratio_to_contrib):
    """The measured penalty in units of lambda*sum(w**2)/2, rounded to what it means."""
    if ratio_to_contrib is None:
        return None
    for value, name in ((1.0, "half"), (2.0, "full")):
        if abs(ratio_to_contrib - value) <= 1e-3 * value:
            return name
    return "%.4g x half" % ratio_to_contrib


def route_facts(entry):
    """The comparable facts of one route's report entry (see module doc)."""
    if entry["status"] == "unavailable":
        return {"available": "no: " + _first_line(entry["reason"])}
    facts = {"available": "yes"}
    # Facts come from the fixed cases and the dtype probe only: the Hypothesis sample draws
    # other cases under other Hypothesis versions, so what it finds marks the matrix cell
    # (status) but is not compared between releases.
    if entry.get("fixed_error"):
        facts["raises"] = _first_line(entry["fixed_error"])
    facts["measured convention"] = convention_label(entry.get("ratio_to_contrib"))
    fixed = entry.get("fixed") or []
    facts["fixed cases"] = "agree" if fixed and all(f["ok"] for f in fixed) else "disagree"
    for dtype, outcome in sorted((entry.get("dtype_probe") or {}).items()):
        facts["dtype " + dtype] = outcome
    for cell, outcome in sorted((entry.get("semantics") or {}).items()):
        facts[cell] = outcome
    return facts


def release_of(report):
    """(sort key, label) of the release a report measured."""
    tf = report.get("tensorflow")
    flavour = report.get("keras_flavour")
    if not tf:
        return None, None
    label = tf if flavour == "keras2" or flavour is None else "%s (%s)" % (tf, flavour)
    return (parse_version(tf), tf, flavour or ""), label


# -- merge -------------------------------------------------------------------
def history_envs(tox_ini, label="history"):
    """The env names of a label in tox.ini (`history`: the TF axis), in their order."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tox_ini)
    labels = parser.get("tox", "labels", fallback="")
    for line in labels.splitlines():
        name, _, envs = line.partition("=")
        if name.strip() == label:
            return [e.strip() for e in envs.split(",") if e.strip()]
    return []


KERAS_HISTORY = "keras-history"


def factor_pins(tox_ini):
    """{(factor, package): version} of tox.ini's single-factor pins of TensorFlow and keras (`tf216:
    tensorflow-cpu==2.16.2`, `tf18: tensorflow==1.8.0`, `keras30: keras==3.0.5`); package "tensorflow-cpu" for
    either TensorFlow distribution."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tox_ini)
    pins = {}
    for line in parser.get("testenv", "deps", fallback="").splitlines():
        m = re.match(r"\s*([\w.-]+)\s*:\s*(tensorflow-cpu|tensorflow|keras)==([\w.]+)\s*$", line)
        if m:
            package = "tensorflow-cpu" if m.group(2) == "tensorflow" else m.group(2)
            pins[(m.group(1), package)] = m.group(3)
    return pins


def _pinned(pins, factors, package):
    return [pins[(f, package)] for f in factors if (f, package) in pins]


def keras_history_releases(tox_ini):
    """[(TF version tuple, flavour, versions)] of the `keras-history` envs, from the pins tox.ini gives their factors
    (factor_pins): the Keras axis's releases, for the dead-row check, before their reports are merged into the
    matrix. A Keras 3 pin: ("keras3", {"tensorflow": ..., "keras": ...}); a standalone Keras 2 pin (keras < 3, on a
    TF 1.x whose tf.keras is Keras 2): ("keras2", {"tensorflow": ..., "keras2": ...})."""
    pins, out = factor_pins(tox_ini), []
    for env in history_envs(tox_ini, KERAS_HISTORY):
        factors = env.split("-")
        tf, keras = _pinned(pins, factors, "tensorflow-cpu"), _pinned(pins, factors, "keras")
        if len(tf) != 1 or len(keras) != 1:
            raise ValueError("tox.ini: %s env %s pins no single TensorFlow and keras" % (KERAS_HISTORY, env))
        if parse_version(keras[0]) < (3, 0, 0):
            out.append((parse_version(tf[0]), "keras2", {"tensorflow": tf[0], "keras2": keras[0]}))
        else:
            out.append((parse_version(tf[0]), "keras3", {"tensorflow": tf[0], "keras": keras[0]}))
    return out


KERAS_BACKENDS = "keras-backends"
BACKEND_FACTORS = ("jax", "torch", "numpy")
# A backend that installs but is not recorded yet, and why (the backend section's table says so; docs/MATRIX.md):
# none since the NumPy backend's tables were completed (2026-12-04); a backend of BACKEND_FACTORS without a
# keras-backends env and without an entry here is "not recorded: no env of the keras-backends label runs it".
UNRECORDED_BACKENDS = {}


def keras_backend_releases(tox_ini):
    """[(TF version tuple, "keras3", {"tensorflow": ..., "keras_backend": ...})] of the `keras-backends` envs
    (tf221-keras3-jax-py311: the TF pin of its tf factor, the backend its factor names): the backend axis's
    releases, for the dead-row check, before their reports are merged into the matrix."""
    pins, out = factor_pins(tox_ini), []
    for env in history_envs(tox_ini, KERAS_BACKENDS):
        factors = env.split("-")
        tf = _pinned(pins, factors, "tensorflow-cpu")
        backend = [f for f in factors if f in BACKEND_FACTORS]
        if len(tf) != 1 or len(backend) != 1:
            raise ValueError("tox.ini: %s env %s names no single TF pin and backend" % (KERAS_BACKENDS, env))
        out.append((parse_version(tf[0]), "keras3", {"tensorflow": tf[0], "keras_backend": backend[0]}))
    return out


def env_python(env):
    m = re.search(r"py(\d)(\d+)$", env)
    return "%s.%s" % (m.group(1), m.group(2)) if m else None


def suite_result(junit_path, profile=None):
    """What the full test suite did in one env, from the JUnit XML pytest wrote beside its report
    (tox.ini: reports/<env>.junit.xml): passed, failed (failures + errors), skipped, the date it
    ran and the Hypothesis profile it ran under (recorded by the report). None without the file."""
    if not os.path.exists(junit_path):
        return None
    root = ElementTree.parse(junit_path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    count = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
    stamps = sorted(s.get("timestamp", "") for s in suites if s.get("timestamp"))
    failed = count["failures"] + count["errors"]
    return {"passed": count["tests"] - failed - count["skipped"], "failed": failed,
            "skipped": count["skipped"], "date": stamps[-1][:10] if stamps else None, "profile": profile}


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


def carry(data, old, commit):
    """Fill what a reports-only regeneration did not measure from an earlier docs/semantics.json: an env's
    full-suite record (no JUnit XML beside its report; marked with the `commit` that recorded it) and its
    migration facts (no migration run in its report), both of the same env. Returns what was carried."""
    before = {r.get("env"): r for r in old.get("releases", [])}
    carried = []
    for entry in data["releases"]:
        prior = before.get(entry.get("env")) or {}
        if not entry.get("suite") and prior.get("suite"):
            entry["suite"] = dict(prior["suite"], commit=prior["suite"].get("commit") or commit)
            carried.append((entry["env"], "suite"))
        if not entry.get("migration") and prior.get("migration"):
            entry["migration"] = prior["migration"]
            carried.append((entry["env"], "migration"))
    return carried


# Where `tox -e migrate` (python -m equivalence migrate --sweep) writes its result, beside the reports
# but outside the reports/*.json the merge reads as one report per env.
MIGRATION_SWEEP = os.path.join("migration", "sweep.json")


def sweep_migrations(path):
    """{env: report-style "migration" entry} from a migration sweep's JSON (migration/cli.py), so that
    a sweep run on its own fills the releases whose report ran without `--migration`."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        sweep = json.load(f)
    out = {env: entry for env, entry in (sweep.get("releases") or {}).items()}
    for env, originals in (sweep.get("originals") or {}).items():
        out[env] = {"originals": originals}
    return out


def merge(report_paths, expected_envs=(), migrations=None):
    """The merged data: one release entry per report, and an entry for every expected env without one."""
    releases, seen = [], set()
    for path in sorted(report_paths):
        with open(path) as f:
            report = json.load(f)
        env = report.get("env") or os.path.splitext(os.path.basename(path))[0]
        seen.add(env)
        key, label = release_of(report)
        entry = {"env": env, "label": label or env, "tensorflow": report.get("tensorflow"),
                 "keras": report.get("keras"), "keras_flavour": report.get("keras_flavour"),
                 "contrib": report.get("contrib"), "python": report.get("python"),
                 "numpy": report.get("numpy"), "h5py": report.get("h5py"), "routes": {},
                 "suite": suite_result(os.path.splitext(path)[0] + ".junit.xml", report.get("suite_profile"))}
        if report.get("keras_backend") not in (None, "tensorflow"):  # the backend axis (tox -m keras-backends)
            entry["keras_backend"] = report["keras_backend"]
        if report.get("keras2"):  # standalone Keras 2 beside tf.keras (the Keras axis's TF 1.x envs)
            entry["keras2"] = report["keras2"]
        if report.get("error"):
            entry.update(status="crashed", detail="TensorFlow does not import: " + report["error"])
        elif not report.get("complete"):
            entry.update(status="crashed", detail="the process died while running route %r"
                         % report.get("current_route"))
        else:
            bad = [r["name"] for r in report["routes"] if r["status"] in ("mismatch", "error")]
            entry.update(status="mismatch" if bad else "ok",
                         detail="; ".join("%s: %s" % (r["name"], r["status"]) for r in report["routes"]
                                          if r["name"] in bad))
        for r in report.get("routes", []):
            entry["routes"][r["name"]] = {"status": r["status"], "convention": r["convention"],
                                          "family": r["family"], "api": r.get("api"),
                                          "examples": r.get("examples", 0),
                                          "reason": _first_line(r.get("reason")),
                                          "facts": route_facts(r)}
        entry["cells"] = report.get("semantics") or {}
        migration = report.get("migration") or (migrations or {}).get(env)
        if migration:
            entry["migration"] = migration_facts(migration)
        differing = [c for c, o in entry["cells"].items() if o.startswith(("differs", "no table row"))]
        if differing and entry["status"] == "ok":
            entry.update(status="differs from the semantics tables",
                         detail="%d of %d cells: %s" % (len(differing), len(entry["cells"]),
                                                        ", ".join(sorted(differing)[:8])
                                                        + (" …" if len(differing) > 8 else "")))
        entry["_key"] = key
        releases.append(entry)
    for env in expected_envs:
        if env not in seen:
            releases.append({"env": env, "label": env, "tensorflow": None, "keras_flavour": None,
                             "python": env_python(env), "routes": {}, "cells": {}, "status": "no report",
                             "detail": "the env did not build or TensorFlow crashed before the report "
                                       "started (see the tox output for %s)" % env,
                             "_key": None})
    order = {env: i for i, env in enumerate(expected_envs)}
    releases.sort(key=lambda r: (r["_key"] is None, r["_key"] or (), order.get(r["env"], 10 ** 6)))
    for r in releases:
        del r["_key"]
    return {"schema": 1, "releases": releases}


def lineages(releases):
    """Consecutive pairs to compare: one Keras 2 line up to 2.15, then Keras 3 and tf_keras each on from it."""
    measured = [r for r in releases if r.get("tensorflow")]
    keras2 = [r for r in measured if r["keras_flavour"] == "keras2"]
    pairs = list(zip(keras2, keras2[1:]))
    for flavour in ("keras3", "legacy"):
        line = keras2[-1:] + [r for r in measured if r["keras_flavour"] == flavour]
        pairs.extend(zip(line, line[1:]))
    return pairs


def keras_axis(report_dir, tox_ini, label=KERAS_HISTORY):
    """The Keras axis: one release entry per `keras-history` report (report_dir/<env>.json; tox.ini's label lists
    the envs expected, each pinning one Keras 3 minor release on a TensorFlow that admits it), labelled
    "Keras <version> (TF <version>)", in Keras order; an expected env without a report appears as such.
    With label `keras-backends`, the backend axis: "Keras <version> on <backend> (TF <version>)"."""
    paths = glob.glob(os.path.join(report_dir, "*.json"))
    expected = history_envs(tox_ini, label) if os.path.exists(tox_ini) else []
    releases = merge(paths, expected)["releases"]
    for r in releases:
        if r.get("tensorflow") and keras_release(r):
            backend = " on %s" % r["keras_backend"] if r.get("keras_backend") else ""
            r["label"] = "%s %s%s (TF %s)" % (keras_name(r), keras_release(r), backend, r["tensorflow"])
    releases.sort(key=lambda r: (not keras_release(r), parse_version(keras_release(r) or "0"), r["env"]))
    return releases


def keras_release(entry):
    """The Keras release a Keras-axis entry measures: its standalone Keras 2 (keras2), else tf.keras' Keras (a TF
    axis legacy entry's is its tf_keras)."""
    return entry.get("keras2") or entry.get("keras")


def keras_name(entry):
    """How the Keras axis names an entry's Keras: "standalone Keras", "tf_keras" or "Keras"."""
    if entry.get("keras2"):
        return "standalone Keras"
    return "tf_keras" if entry.get("keras_flavour") == "legacy" else "Keras"


def keras_axis_entries(data):
    """The Keras axis as the document shows it: the keras-history entries (keras_releases), with the TF axis's
    entries that measure a Keras the Keras axis has no env for: every tf_keras of a legacy env (2.16-2.21, pinned
    there on their own TF) and keras-nightly (keras_nightly)."""
    keras_releases = data.get("keras_releases") or []
    if not keras_releases:
        return []
    tf_axis = [r for r in data.get("releases") or [] if r.get("tensorflow") and r.get("keras_flavour") == "legacy"]
    # copies, labelled as the Keras axis labels its own entries (the TF axis keeps its labels)
    borrowed = [dict(r, label="%s %s (TF %s)" % (keras_name(r), keras_release(r), r["tensorflow"]))
                for r in tf_axis + keras_nightly(data.get("releases") or [])]
    return keras_releases + borrowed


def keras_nightly(tf_releases):
    """The TF axis's entries whose tf.keras is a keras-nightly build (a Keras 3 `.dev` release: tf-nightly requires
    keras-nightly, so the tfnightly env is the one install of it that TensorFlow admits): the Keras axis's newest
    column, measured by the TF axis and the nightly gate, not by an env of its own."""
    return [r for r in tf_releases if r.get("tensorflow") and r.get("keras_flavour") == "keras3"
            and ".dev" in (r.get("keras") or "") and not r.get("keras_backend")]


def keras_lines(keras_releases):
    """The Keras axis's measured entries as lines of releases compared with each other, each in Keras order:
    standalone Keras 2, tf_keras, Keras 3 (a release is compared with its own predecessor in its line, never with
    another Keras)."""
    measured = [r for r in keras_releases if r.get("tensorflow")]
    lines = {}
    for r in measured:
        lines.setdefault(keras_name(r), []).append(r)
    return [sorted(lines[n], key=lambda r: parse_version(keras_release(r))) for n in
            ("standalone Keras", "tf_keras", "Keras") if n in lines]


def backend_changes(backend_releases, tf_releases):
    """Every fact a Keras 3 backend records otherwise than the TensorFlow backend on the same TF and Keras (the TF
    axis's entry): (TF-backend label, backend label, route or subject, fact, TF backend's, this backend's)."""
    pairs = [(tensorflow_backend_entry(b, tf_releases), b) for b in backend_releases if b.get("tensorflow")]
    return changes_between([(t, b) for t, b in pairs if t is not None])


def tensorflow_backend_entry(backend_release, tf_releases):
    """The TF axis's entry of the same TF and Keras 3 release as `backend_release` (the TensorFlow backend's
    record of that install), or None."""
    same = [r for r in tf_releases if r.get("tensorflow") == backend_release.get("tensorflow")
            and r.get("keras_flavour") == "keras3" and r.get("keras") == backend_release.get("keras")
            and not r.get("keras_backend")]
    return same[0] if same else None


def keras_timeline(keras_releases):
    """Every fact that differs between consecutive Keras releases of the Keras axis (each release against its own
    predecessor in its line; the standalone Keras 2 and tf_keras lines keep to their own routes and cells, OWN):
    (before, after, route or subject, fact, old, new), as timeline()."""
    changes = []
    for line in keras_lines(keras_releases):
        name = keras_name(line[0])
        changes += [c for c in changes_between(list(zip(line, line[1:]))) if name not in OWN or _own(name, c[2])]
    return changes


def timeline(releases):
    """Every fact that differs between consecutive releases: (before, after, route, fact, old, new)."""
    return changes_between(lineages(releases))


def changes_between(pairs):
    """Every fact that differs within each (before, after) pair of release entries."""
    changes = []
    for before, after in pairs:
        names = list(before["routes"]) + [n for n in after["routes"] if n not in before["routes"]]
        for name in names:
            old = before["routes"].get(name, {}).get("facts", {"available": "not in this suite's run"})
            new = after["routes"].get(name, {}).get("facts", {"available": "not in this suite's run"})
            for fact in list(old) + [k for k in new if k not in old]:
                # a route unavailable on both sides has no facts to change: why it is absent (the installed
                # package's version in the reason, say) is its matrix cell's tooltip, not a regularization fact
                if fact == "available" and all(str(v).startswith("no:") for v in (old.get(fact), new.get(fact))):
                    continue
                if old.get(fact) != new.get(fact):
                    changes.append((before["label"], after["label"], name, fact, old.get(fact), new.get(fact)))
        # An area's cells are compared where both releases recorded that area (a release recorded before
        # an area joined the report has none of its cells: nothing to compare, not a change).
        both = recorded_areas(before) & recorded_areas(after)
        for cell in sorted(set(before.get("cells") or {}) | set(after.get("cells") or {})):
            area, probe, subject = cell.split("/", 2)
            old, new = before["cells"].get(cell), after["cells"].get(cell)
            if area in both and old != new:
                changes.append((before["label"], after["label"], subject, "%s: %s" % (area, probe), old, new))
    return changes


def recorded_areas(release):
    """The semantics areas a release entry records cells of ({"lambda", "models", ...})."""
    return set(cell.split("/", 1)[0] for cell in release.get("cells") or {})


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


# The lines of the Keras axis other than Keras 3, and what is their own: route names with this prefix, and the cells
# of their subject (the Keras and models tables' subject of the module). Their releases sit on different TFs, so
# their timeline keeps to their own routes and cells; the Keras 3 line's is every fact (Keras 3 is tf.keras there).
OWN = {"standalone Keras": ("keras2-", "keras2"), "tf_keras": ("tf_keras-", "tf_keras")}
# Measured 2026-12-04 (session notes in docs/MATRIX.md, "The Keras axis"): why the tf_keras line starts at 2.16.
TF_KERAS_BEFORE_216 = ("tf_keras 2.14.1 and 2.15.x, from before TF 2.16 made `tf.keras` Keras 3, have no env: each is "
                       "the code of the `keras` 2.14 / 2.15 that TF 2.14 / 2.15 pin and the TF axis measures as "
                       "`tf.keras`. Installed beside it (`import tf_keras`), the second copy of Keras 2 broke tf.keras' "
                       "from_config and .keras round trips in the same process on TF 2.14, and on TF 2.15 the "
                       "semantics worker did not finish in 10 minutes.")


def _own(line_name, subject):
    prefix, name = OWN[line_name]
    return subject.startswith(prefix) or subject == name


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
def migration_facts(migration):
    """The comparable part of a report's "migration" entry: per program the converter's verdict, each
    run's verdict, the converted regularizer lines and the upstream-bug mark (no sources, no timings)."""
    out = {}
    if migration.get("converter"):
        out["converter"] = migration["converter"].get("summary") or migration["converter"].get("error")
    if migration.get("error"):
        out["error"] = migration["error"]
    programs = {}
    for name, r in sorted((migration.get("programs") or {}).items()):
        programs[name] = {"converter": r.get("converter"), "regularizer_lines": r.get("regularizer_lines"),
                          "upstream_bug": r.get("upstream_bug")}
        for mode in ("as_written", "graph_mode"):
            if r.get(mode):
                programs[name][mode] = r[mode]["verdict"]
    if programs:
        out["programs"] = programs
    if migration.get("originals"):
        out["originals"] = {name: o["verdict"] for name, o in sorted(migration["originals"].items())}
    return out


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
