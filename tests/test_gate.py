"""The release gate (`python -m equivalence diff`, equivalence/reporting/gate.py) picks the right baseline,
reports exactly what changed, passes on the recorded release, and fails under broken APIs."""

import copy
import json
import os
import subprocess
import sys

import pytest

from equivalence.reporting import gate
from equivalence.environment import parse_version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = gate.load_data(os.path.join(ROOT, "docs", "semantics.json"))
RECORDED = gate.recorded(DATA)


def _newest(flavour, below):
    older = [r for r in RECORDED if r["keras_flavour"] == flavour and parse_version(r["tensorflow"]) < below]
    return max(older, key=lambda r: parse_version(r["tensorflow"]))


# -- the baseline ---------------------------------------------------------------------------------
@pytest.mark.parametrize("release", RECORDED, ids=[r["label"] for r in RECORDED])
def test_a_recorded_release_and_its_other_patches_are_compared_with_its_record(release):
    major, minor = parse_version(release["tensorflow"])[:2]
    for version in (release["tensorflow"], "%d.%d.0" % (major, minor), "%d.%d.99rc1" % (major, minor)):
        chosen, why = gate.baseline(DATA, version, release["keras_flavour"])
        assert chosen is release, "TF %s (%s): baseline %s (%s), expected the record %s" % (
            version, release["keras_flavour"], chosen and chosen["label"], why, release["label"])


@pytest.mark.parametrize("flavour", sorted(set(r["keras_flavour"] for r in RECORDED)))
def test_an_unrecorded_minor_series_is_compared_with_the_newest_older_release(flavour):
    newest = max(parse_version(r["tensorflow"]) for r in RECORDED if r["keras_flavour"] == flavour)
    later = "%d.%d.0rc1" % (newest[0], newest[1] + 1)
    chosen, why = gate.baseline(DATA, later, flavour)
    expected = _newest(flavour, parse_version(later))
    assert chosen is expected, "TF %s (%s): %s (%s), expected %s" % (
        later, flavour, chosen and chosen["label"], why, expected["label"])


KERAS_AXIS = [r for r in gate.recorded(DATA, "keras_releases") if r["keras_flavour"] == "keras3"]
STANDALONE = [r for r in gate.recorded(DATA, "keras_releases") if r.get("keras2")]


@pytest.mark.parametrize("release", KERAS_AXIS, ids=[r["label"] for r in KERAS_AXIS])
def test_a_keras_release_is_compared_with_the_record_of_its_keras_minor(release):
    """A Keras 3 install is gated against a record of its own Keras minor release: the TF axis's when that
    has it, else the Keras axis's (its other patch releases too)."""
    minor = parse_version(release["keras"])[:2]
    for keras in (release["keras"], "%d.%d.99" % minor):
        chosen, why = gate.baseline(DATA, release["tensorflow"], "keras3", keras=keras)
        assert chosen is not None and parse_version(chosen["keras"])[:2] == minor, (keras, why)
        tf_axis, _ = gate.baseline(DATA, release["tensorflow"], "keras3")
        if tf_axis is None or parse_version(tf_axis["keras"])[:2] != minor:
            assert chosen is release, (keras, chosen["label"], why)


@pytest.mark.parametrize("release", STANDALONE, ids=[r["label"] for r in STANDALONE])
def test_a_standalone_keras_is_compared_with_the_record_of_its_minor(release):
    """An install with standalone Keras 2 is gated against the Keras axis's record of that Keras 2 minor release (its
    other patch releases too), which has the routes keras2-*; the same TF without it against the TF axis's."""
    minor = parse_version(release["keras2"])[:2]
    for keras2 in (release["keras2"], "%d.%d.99" % minor):
        chosen, why = gate.baseline(DATA, release["tensorflow"], "keras2", keras2=keras2)
        assert chosen is release, (keras2, chosen and chosen["label"], why)
    without, why = gate.baseline(DATA, release["tensorflow"], "keras2")
    assert without is not None and not without.get("keras2"), why


BACKEND_AXIS = gate.recorded(DATA, "keras_backends")


@pytest.mark.parametrize("release", BACKEND_AXIS, ids=[r["label"] for r in BACKEND_AXIS])
def test_a_keras_backend_is_compared_with_the_record_of_its_backend(release):
    """A Keras 3 install on jax or torch is gated against that backend's record (its other patch releases too), and
    the same install on the TensorFlow backend against the TF axis's, never a backend's."""
    minor = parse_version(release["keras"])[:2]
    for keras in (release["keras"], "%d.%d.99" % minor):
        chosen, why = gate.baseline(DATA, release["tensorflow"], "keras3", keras=keras,
                                    backend=release["keras_backend"])
        assert chosen is release, (keras, chosen and chosen["label"], why)
        on_tensorflow, why = gate.baseline(DATA, release["tensorflow"], "keras3", keras=keras, backend="tensorflow")
        assert on_tensorflow is not None and not on_tensorflow.get("keras_backend"), (keras, why)
    chosen, why = gate.baseline(DATA, release["tensorflow"], "keras3", keras=release["keras"], backend="not-a-backend")
    assert chosen is None and "no run on the Keras not-a-backend backend" in why, why


def test_no_baseline_before_the_first_recorded_release():
    oldest = min(parse_version(r["tensorflow"]) for r in RECORDED if r["keras_flavour"] == "keras2")
    earlier = "%d.%d.0" % (oldest[0], oldest[1] - 1)
    chosen, why = gate.baseline(DATA, earlier, "keras2")
    assert chosen is None and "records no keras2 release" in why, (chosen, why)
    result = gate.gate({"tensorflow": earlier, "keras_flavour": "keras2", "routes": []}, DATA)
    assert gate.exit_status(result) == gate.NO_BASELINE, result


def test_against_names_a_recorded_release_by_version_label_or_env():
    release = RECORDED[-1]
    for name in (release["label"], release["env"]):
        assert gate.baseline(DATA, "9.9.9", "keras2", against=name)[0] is release, name
    assert gate.baseline(DATA, "9.9.9", "keras2", against="0.0.1")[0] is None


# -- the comparison -------------------------------------------------------------------------------
def _as_measured(release):
    """A release entry of docs/semantics.json in the shape gate.measured_release gives."""
    return {"facts": {n: dict(r["facts"]) for n, r in release["routes"].items()},
            "cells": dict(release.get("cells") or {})}


@pytest.mark.parametrize("release", [RECORDED[0], RECORDED[-1]], ids=lambda r: r["label"])
def test_a_release_compared_with_itself_has_no_change(release):
    assert gate.compare(release, _as_measured(release)) == []


def test_each_changed_fact_and_cell_is_reported_once_with_before_and_after():
    release = RECORDED[-1]
    now = _as_measured(release)
    route = sorted(n for n, f in now["facts"].items() if f.get("measured convention") == "half")[0]
    now["facts"][route]["measured convention"] = "full"
    cell = sorted(now["cells"])[0]
    now["cells"][cell] = "differs from the table: something else"
    gone = sorted(now["facts"])[-1]
    del now["facts"][gone]
    changes = gate.compare(release, now)
    found = sorted((c["route"], c["fact"], c["before"], c["after"]) for c in changes)
    area, probe, subject = cell.split("/", 2)
    expected = sorted([
        (route, "measured convention", "half", "full"),
        (subject, "%s: %s" % (area, probe), release["cells"][cell], "differs from the table: something else"),
    ] + [(gone, fact, value, "not in this suite's registry" if fact == "available" else None)
         for fact, value in release["routes"][gone]["facts"].items()])
    assert found == expected
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "") in ("1", "true", "True")
    for c in changes:  # a command for this install: the legacy flavour needs its variable set first
        assert c["reproduce"].startswith(("TF_USE_LEGACY_KERAS=1 " if legacy else "") + "python -m equivalence "), c


# -- the gate on this release, clean and under mutants --------------------------------------------
# Each mutant breaks an L2 regularizer of one family; the gate runs on the first route of that family
# available here (every default env has contrib or tf_slim, and tf.keras), chosen by traits.
MUTANT_CASES = [
    # (mutant, the family whose L2 routes it breaks, measured convention before, after)
    ("contrib-l2-loses-half", "contrib", "half", "full"),
    ("keras-l2-halves", "keras", "full", "half"),
]


def _first_l2_route(api, family):
    from equivalence.routes import ROUTES
    for r in ROUTES:
        if r.family == family and r.penalty == "l2" and r.unavailable(api) is None:
            return r
    return None


@pytest.fixture(scope="module")
def recorded_here(api):
    v = api.versions()
    release = gate.recorded_run(DATA, v)  # of the TF, Keras or backend axis
    if release is not None:
        return release
    pytest.skip("docs/semantics.json records no run of TF %s (%s, Keras %s, backend %s): the gate compares it with %s"
                % (v["tensorflow"], v["keras_flavour"], v["keras"], v["keras_backend"],
                   (gate.baseline(DATA, v["tensorflow"], v["keras_flavour"], keras=v["keras"],
                                  backend=v["keras_backend"])[0] or {}).get("label")))


def test_the_gate_passes_on_the_recorded_release(api, recorded_here):
    """The route facts measured here, and the cells the semantics tests observe (once per session)."""
    from equivalence.reporting.report import cell_outcome
    from equivalence.semantics.areas import AREAS

    from .semantic_cells import observations
    routes = [r for r in (_first_l2_route(api, family) for _, family, _, _ in MUTANT_CASES) if r is not None]
    if not routes:
        pytest.skip("no contrib / tf_slim and no Keras L2 route here: %s" % api.describe())
    names = set(r.name for r in routes)
    report = gate.measure(api, routes, semantics=False)
    report["semantics"] = {}
    for area in AREAS.values():
        for key, obs in observations(api, area).items():
            if key[2] in names:
                report["semantics"]["/".join(key)] = cell_outcome(api, area, list(key), obs)
    result = gate.gate(report, DATA, against=recorded_here["label"], routes=names)
    assert result["cells_compared"] > 0 and result["facts_compared"] > 0, result
    assert gate.exit_status(result) == 0, gate.to_text(result)


@pytest.fixture(scope="module")
def gates_under_mutants(api, recorded_here):
    """{mutant: (route, command, exit status, stdout, stderr)}: one process per mutant, side by side."""
    from equivalence.selfvalidation.mutants import by_name as mutant_named
    env = dict(os.environ)
    env.pop("REGEQUIV_MUTANT", None)
    running = {}
    for mutant, family, _, _ in MUTANT_CASES:
        route = _first_l2_route(api, family)
        if route is None or mutant_named(mutant).unavailable(api):
            continue
        command = [sys.executable, "-m", "equivalence", "diff", "--mutant", mutant, "--route", route.name,
                   "--no-semantics", "--against", recorded_here["label"], "--json", "--quiet"]
        running[mutant] = (route, command, subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True))
    results = {}
    for mutant, (route, command, proc) in running.items():
        out, err = proc.communicate()
        results[mutant] = (route, command, proc.returncode, out, err)
    return results


@pytest.mark.parametrize("mutant, family, before, after", MUTANT_CASES, ids=[m[0] for m in MUTANT_CASES])
def test_the_gate_fails_under_a_broken_api(api, recorded_here, gates_under_mutants, mutant, family, before,
                                           after):
    from equivalence.selfvalidation.mutants import by_name as mutant_named
    reason = mutant_named(mutant).unavailable(api)
    if reason:
        pytest.skip("mutant %s: %s" % (mutant, reason))
    if mutant not in gates_under_mutants:
        pytest.skip("no %s L2 route here: %s" % (family, api.describe()))
    route, command, returncode, out, err = gates_under_mutants[mutant]
    assert recorded_here["routes"][route.name]["facts"]["measured convention"] == before
    assert returncode == 1, "%s exited %d:\n%s\n%s" % (" ".join(command), returncode, out[-2000:], err[-2000:])
    result = json.loads(out)
    assert result["mutant"] == [mutant]
    convention = [c for c in result["changes"] if c["fact"] == "measured convention"]
    assert [(c["route"], c["before"], c["after"]) for c in convention] == [(route.name, before, after)], result


def test_a_written_report_is_gated_like_a_fresh_measurement(tmp_path):
    """`diff --report PATH` (the candidate env's last step) reads the report, no TensorFlow involved."""
    release = RECORDED[-1]
    report = {"tensorflow": release["tensorflow"], "keras_flavour": release["keras_flavour"], "complete": True,
              "routes": [], "semantics": copy.deepcopy(release["cells"])}
    cell = sorted(report["semantics"])[0]
    report["semantics"][cell] = "changed"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    proc = subprocess.run([sys.executable, "-m", "equivalence", "diff", "--report", str(path), "--json",
                           "--route", cell.split("/", 2)[2]],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    subject = cell.split("/", 2)[2]
    # The route itself is not in this report: it shows as gone, and the changed cell is reported.
    assert any(c.get("cell") == cell and c["after"] == "changed" for c in result["changes"]), result
    assert all(c["route"] == subject for c in result["changes"]), result


def test_an_area_or_the_model_routes_the_baseline_never_recorded_are_listed_not_compared():
    """A baseline recorded before the models area and the model routes joined the report: their cells
    and facts are listed as not compared (not as changes); once the baseline records them, a changed
    models cell or model route fact is a change again."""
    from equivalence.reporting.report import MODEL_ROUTE_NAMES
    release = copy.deepcopy(RECORDED[-1])
    release["cells"] = {c: o for c, o in release["cells"].items() if not c.startswith("models/")}
    release["routes"] = {n: r for n, r in release["routes"].items() if n not in MODEL_ROUTE_NAMES}
    now = _as_measured(release)
    cell, route = "models/evaluate_penalty/tf.keras", sorted(MODEL_ROUTE_NAMES)[0]
    now["cells"][cell] = "Detail(model.evaluate(x, y) with a zero data loss) = 1.2"
    now["facts"][route] = {"available": "yes"}
    assert gate.compare(release, now) == []
    skipped = gate.not_recorded(release, now)
    assert skipped == {"areas": {"models"}, "routes": {route}}, skipped
    release["cells"][cell] = "Detail(model.evaluate(x, y) with a zero data loss) = 2.4"
    release["routes"][route] = {"facts": {"available": "no: something"}}
    found = sorted((c["route"], c["fact"]) for c in gate.compare(release, now))
    assert found == sorted([("tf.keras", "models: evaluate_penalty"), (route, "available")]), found
