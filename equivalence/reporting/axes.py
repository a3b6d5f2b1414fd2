"""The axes of the version matrix: read tox.ini and the reports, merge them into the record, compare.

What docs/semantics.json holds and how its releases are compared: the envs and pins of tox.ini's labels
(history_envs, factor_pins, keras_history_releases, keras_backend_releases), one release entry per
report (merge, with what carry and sweep_migrations fill in), the Keras and backend axes (keras_axis),
and every fact that differs between two entries (changes_between, timeline, keras_timeline,
backend_changes). render.py writes docs/SEMANTICS.md from the record; matrix.py is the command line.

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

from ..environment import parse_version


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


# The lines of the Keras axis other than Keras 3, and what is their own: route names with this prefix, and the cells
# of their subject (the Keras and models tables' subject of the module). Their releases sit on different TFs, so
# their timeline keeps to their own routes and cells; the Keras 3 line's is every fact (Keras 3 is tf.keras there).
OWN = {"standalone Keras": ("keras2-", "keras2"), "tf_keras": ("tf_keras-", "tf_keras")}


def _own(line_name, subject):
    prefix, name = OWN[line_name]
    return subject.startswith(prefix) or subject == name


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
