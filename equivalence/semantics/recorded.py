"""Semantics observations recorded by the report step, reused by the tests of the same env.

Each tox env runs `python -m equivalence report --json reports/ENV.json` and then
the tests. Both used to observe every semantics cell, each in a fresh contained
worker (runner.py) running the same probe code in the same install: the same
observation, paid twice. The report now records its raw observations with what
they depend on, and the tests (given `--semantics-from reports/ENV.json`, as
tox.ini passes it) judge those observations instead of observing again.

Why this keeps what is tested: an observation is a function of the probe code,
the installed packages and the active mutants only (every probe has fixed
inputs, and each worker is a fresh process started the same way). The recorded
observations are used only when all of these match the running session:

* the env name (`REGEQUIV_ENV`),
* `api.versions()` (TensorFlow, Keras and its flavour, contrib / tf_slim, Python, NumPy),
* the active mutants (a mutation run never reads a clean run's observations),
* `fingerprint()`, a hash of every `equivalence/` source file, so an edit made
  between the report and the tests means a fresh observation.

A cell the file does not hold (a report that stopped early) is observed as
before. Every assertion then judges the observation against its table row
exactly as it would judge a fresh one.
"""

import hashlib
import io
import json
import os

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_STATE = {"path": None, "loaded": None, "why": None, "routes": None}


def _source_digest(skip=()):
    """sha256 over the relative path and bytes of every .py file under equivalence/ but those in `skip`."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(PACKAGE)):
        dirs.sort()
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(folder, name), PACKAGE).replace(os.sep, "/")
            if not name.endswith(".py") or rel in skip:
                continue
            digest.update(rel.encode("utf-8"))
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def fingerprint():
    """sha256 over the relative path and bytes of every .py file under equivalence/."""
    return _source_digest()


# What judges an observation, not what makes it: a table edit leaves the observations valid.
JUDGEMENT = ("semantics/lambda_table.py", "semantics/weight_table.py", "semantics/collection_table.py",
             "semantics/keras_table.py", "semantics/table.py", "semantics/outcomes.py", "training/seed_table.py",
             "reporting/report.py", "__main__.py", "reporting/gate.py", "reporting/matrix.py", "reporting/axes.py",
             "reporting/render.py", "reporting/figures.py")


def observer_fingerprint():
    """fingerprint() without the modules that only judge or present (JUDGEMENT): what `report --rejudge`
    requires to be unchanged since the observations were recorded."""
    return _source_digest(JUDGEMENT)


def _active_mutants():
    from ..selfvalidation.mutants import ACTIVE
    return sorted(m.name for m in ACTIVE)


def record(api, observations):
    """The report's JSON field: the observations ({tuple key: obs}) and what they depend on."""
    return {"env": os.environ.get("REGEQUIV_ENV"), "versions": api.versions(),
            "mutants": _active_mutants(), "fingerprint": fingerprint(), "observer": observer_fingerprint(),
            "cells": [[list(k), obs] for k, obs in sorted(observations.items())]}


def use(path):
    """Read observations from the report JSON at `path` (conftest's --semantics-from)."""
    _STATE.update(path=path, loaded=None, why=None, routes=None)


def reusable(api):
    """{tuple key: observation} recorded for this session's env, install, mutants and code; {} otherwise."""
    if _STATE["loaded"] is None:
        _STATE["loaded"], _STATE["why"], _STATE["routes"] = _load(api, _STATE["path"])
    return _STATE["loaded"]


def reusable_route_entries(api):
    """{route name: report entry} the same report recorded, under the same conditions as its observations.

    A route's facts (reporting/axes.route_facts) come from its fixed cases and its dtype probe only,
    fixed inputs measured in this process the same way by `route_entry` with or without a sample;
    tests/test_semantics_document.py judges these entries instead of measuring them a second time."""
    reusable(api)
    return _STATE["routes"] or {}


def status(api):
    """One line for the pytest header: where the semantics observations come from."""
    cells = reusable(api)
    if _STATE["path"] is None:
        return "semantics cells observed by this session"
    if cells:
        return "semantics cells: %d observed by the report step, read from %s (same env, install and code)" % (
            len(cells), _STATE["path"])
    return "semantics cells observed by this session: %s" % _STATE["why"]


def _load(api, path):
    if path is None:
        return {}, "no --semantics-from", {}
    try:
        with io.open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (IOError, OSError, ValueError) as exc:
        return {}, "%s not readable (%s)" % (path, exc), {}
    data = report.get("observations")
    if not data:
        return {}, "%s has no recorded observations" % path, {}
    mismatch = [what for what, theirs, ours in [
        ("env", data.get("env"), os.environ.get("REGEQUIV_ENV")),
        ("install", data.get("versions"), api.versions()),
        ("mutants", data.get("mutants"), _active_mutants()),
        ("code", data.get("fingerprint"), fingerprint())] if theirs != ours]
    if mismatch:
        return {}, "%s was recorded with another %s" % (path, " and ".join(mismatch)), {}
    routes = {e["name"]: e for e in report.get("routes") or []}
    return {tuple(key): obs for key, obs in data["cells"]}, None, routes
