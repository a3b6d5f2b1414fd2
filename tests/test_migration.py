"""Migration for real: this release's own tf_upgrade_v2 on the TF 1.x corpus (equivalence/migration/).

TF 1.x envs run the original programs and check that each prints its NumPy
reference (the "before" side, and the proof that each corpus record states its
file's weights). TF 2.x envs convert the whole corpus once with their own
converter, run every converted program in graph mode and the seed program also
as written, and hold each outcome to the measured row of migration/facts.py.
Cost per TF 2.x env: the converter's main() in this process (its console
script's call; under a converter mutant, its wrapper's process) and two
program processes (one per mode: the programs run one after another in one
interpreter, each in a fresh graph), ~20 s of CPU here.
"""

import os
import sys

import pytest

from equivalence.reporting import matrix
from equivalence.migration import facts, run
from equivalence.migration.programs import PROGRAMS, SEED
from equivalence.selfvalidation.mutants import converter_mutant
from equivalence.numerics.reduction import sums_linearly

PARAMS = [pytest.param(p, id=p.name) for p in PROGRAMS]


def _repro(program):
    env, mutant = os.environ.get("REGEQUIV_ENV"), converter_mutant()
    return "%s%spython -m equivalence migrate --program %s" % (
        "REGEQUIV_ENV=%s " % env if env else "", "REGEQUIV_MUTANT=%s " % mutant if mutant else "", program.name)


@pytest.fixture(scope="module")
def originals(api):
    if api.tf2:
        pytest.skip("TF %s: the original TF 1.x programs run on TF 1.x (the converted ones are tested here)"
                    % api.tf_version)
    return run.original_entry(sys.executable, PROGRAMS, linear=sums_linearly(api))


@pytest.fixture(scope="module")
def migration(api):
    if not api.tf2:
        pytest.skip("TF %s: tf_upgrade_v2 converts to TF 2.x; this release runs the originals" % api.tf_version)
    reason = run.converter_available(sys.executable)
    if reason:
        pytest.skip(reason)
    return run.release_entry(sys.executable, PROGRAMS, mutant=converter_mutant(), as_written={SEED.name},
                             here=True)


@pytest.mark.parametrize("program", PARAMS)
def test_original_program_prints_its_reference(api, originals, program):
    outcome = originals[program.name]
    expected, tol = program.expected(linear=sums_linearly(api))
    problem = facts.SAME.problems(outcome, expected, tol)
    assert problem is None, "original TF 1.x program %s (%s) on %s: %s; reproduce: %s" % (
        program.name, program.routes, api.describe(), problem, _repro(program))


def _check(api, migration, program, mode):
    record = migration["programs"][program.name]
    fact = facts.lookup(program.name, mode, api.tf_version, api.keras_flavour)
    context = "tf_upgrade_v2 of TF %s on corpus program %s (%s), %s, on %s" % (
        api.tf_version, program.name, program.routes, mode.replace("_", " "), api.describe())
    if fact is None:
        pytest.fail("%s: migration/facts.py has no row for it; measured: %s" % (
            context, record.get(mode) if mode != "converter" else record.get("regularizer_lines")))
    if mode == "converter":
        problem = fact.outcome.problems(record)
    else:
        assert mode in record, "%s: not run (converter: %s)" % (context, record.get("converter"))
        expected, tol = program.expected()
        problem = fact.outcome.problems(record[mode], expected, tol)
    assert problem is None, "%s: %s (%s): %s; converter: %s, converted regularizer lines: %s; reproduce: %s" % (
        context, fact.range, fact.outcome, problem, record.get("converter"), record.get("regularizer_lines"),
        _repro(program))


@pytest.mark.parametrize("program", PARAMS)
def test_converted_program_in_graph_mode(api, migration, program):
    if api.keras_backend != "tensorflow":
        pytest.skip("KERAS_BACKEND=%s: graph mode runs the converted program in a tf.compat.v1 graph, where the "
                    "tf.keras regularizers tf_upgrade_v2 writes need the TensorFlow backend (Keras on %s raises "
                    "NotImplementedError on a graph tensor, as the collections cell keras_dense_in_graph records)"
                    % (api.keras_backend, api.keras_backend))
    _check(api, migration, program, "graph_mode")


def test_seed_program_as_written(api, migration):
    _check(api, migration, SEED, "as_written")


def test_seed_program_converter_output(api, migration):
    _check(api, migration, SEED, "converter")


@pytest.mark.parametrize("mode", ["as_written", "graph_mode"])
def test_tf215_converted_seed_on_this_release(api, migration, mode):
    """The issue's case: TF 2.15's converter output of the seed program, run on this release."""
    label = run.carried()[0].label
    record = migration["carried"][label]
    fact = facts.lookup(label, mode, api.tf_version, api.keras_flavour)
    context = "converted/%s.py (TF 2.15's tf_upgrade_v2 output of %s), %s, on %s" % (
        label, SEED.name, mode.replace("_", " "), api.describe())
    assert fact is not None, "%s: migration/facts.py has no row for it; measured: %s" % (context, record[mode])
    expected, tol = SEED.expected()
    problem = fact.outcome.problems(record[mode], expected, tol)
    assert problem is None, "%s: %s (%s): %s; reproduce: %s" % (context, fact.range, fact.outcome, problem,
                                                             _repro(SEED))


def test_tf215_converted_seed_is_what_tf215_writes(api, migration):
    """converted/seed_dense_collection.tf2_15.py is TF 2.15's converter output, not a hand-made file."""
    if api.tf_version_tuple[:2] != (2, 15):
        pytest.skip("TF %s: the file is TF 2.15's converter output, checked on TF 2.15" % api.tf_version)
    record = migration["programs"][SEED.name]
    stored = run.carried()[0].source()
    assert record["converted_source"] == stored, (
        "tf_upgrade_v2 of TF %s no longer writes converted/%s.py for corpus/%s.py: it wrote\n%s" % (
            api.tf_version, run.carried()[0].label, SEED.name, record["converted_source"]))


def test_seed_upstream_bug_is_marked(api, migration):
    """The run marks a converted program that fails although the converter reported 0 issues."""
    record = migration["programs"][SEED.name]
    failing = [m for m in ("as_written", "graph_mode") if record[m]["verdict"] != "same number"]
    if record["converter"] == "0 issues" and failing:
        assert record["upstream_bug"] and record["upstream_bug"].startswith(failing[0].replace("_", " ")), record
    else:
        assert record["upstream_bug"] is None, record


# -- the document's migration table, rendered from merged reports (no TensorFlow needed) ------
def _release(tf, flavour, seed_as_written, seed_graph):
    return {"env": "tf-%s-%s" % (tf, flavour), "label": tf, "tensorflow": tf, "keras_flavour": flavour,
            "routes": {}, "cells": {}, "status": "ok",
            "migration": {"converter": "Detected 0 issues that require attention", "programs": {
                SEED.name: {"converter": "0 issues", "as_written": seed_as_written, "graph_mode": seed_graph,
                            "regularizer_lines": ["kernel_regularizer=tf.keras.regularizers.l2(l=0.5 * (0.01)))"],
                            "upstream_bug": None if seed_as_written == "same number" else
                            "as written: " + seed_as_written}}}}


def test_migration_table_renders_each_release_outcome():
    data = {"schema": 1, "releases": [
        _release("2.15.1", "keras2", "raises RuntimeError: placeholder", "same number"),
        _release("2.21.0", "keras3", "raises TypeError: l", "raises TypeError: l")]}
    text = matrix.render(data)
    rows = [l for l in text.splitlines() if l.startswith("| 2.") and " · " in l]
    assert len(rows) == 2, text
    assert rows[0].split("|")[2].strip() == "0 · RuntimeError / =", rows
    assert rows[1].count("TypeError") == 2, rows
    assert "as written: raises RuntimeError: placeholder" in text and "l2(l=0.5 * (0.01))" in text, text


def test_migration_section_says_when_no_run_is_recorded():
    text = matrix.render({"schema": 1, "releases": []})
    assert "No migration run is recorded" in text
