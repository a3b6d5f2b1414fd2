"""Shared plumbing of the semantics tests: one cell per (probe, subject), judged by its table row.

Each area's available cells are observed once per session, in a contained
worker process (equivalence/semantics/runner.py), or, under tox, read from the
observations the report step of the same env recorded with the same install and
code (equivalence/semantics/recorded.py says why that is the same observation);
each test then judges one cell against the first table row that covers it in this install.
"""

import io
import json
import os

import pytest

from equivalence.semantics.outcomes import describe_observation
from equivalence.semantics.recorded import reusable
from equivalence.semantics.table import dead_rows
from equivalence.semantics.areas import AREAS, observe_keys

_OBSERVED = {}


def cell_id(area, probe_id, subject):
    return "%s/%s/%s" % (area.name, probe_id, subject)


def cell_params(area):
    return [pytest.param(p, s, id=cell_id(area, p, s)) for p, s in area.cells()]


def observations(api, area):
    """{(area, probe, subject): observation} of `area`'s available cells. Every area's are made on the
    first call: the recorded ones where the report step left them, the rest in one worker for all the
    areas (a worker's start costs as much as hundreds of cells)."""
    if not _OBSERVED:
        keys = [k for a in sorted(AREAS) for k in AREAS[a].keys()
                if AREAS[a].unavailable(api, k[1], k[2]) is None]
        recorded = reusable(api)
        observed = {tuple(k): recorded[tuple(k)] for k in keys if tuple(k) in recorded}
        missing = [k for k in keys if tuple(k) not in observed]
        if missing:
            observed.update(observe_keys(missing))
        for key, obs in observed.items():
            _OBSERVED.setdefault(key[0], {})[key] = obs
    return _OBSERVED.get(area.name, {})


def check_cell(api, area, probe_id, subject):
    name = cell_id(area, probe_id, subject)
    reason = area.unavailable(api, probe_id, subject)
    if reason:
        pytest.skip("%s: %s" % (name, reason))
    row = area.row_for(api, probe_id, subject)
    assert row is not None, (
        "cell %s has no row in the %s table covering %s: add one" % (name, area.name, api.describe()))
    obs = observations(api, area)[(area.name, probe_id, subject)]
    problems = row.expect.problems(obs, area.context(api, probe_id, subject))
    assert not problems, cell_changed(name, problems, row, api, obs)


def cell_changed(name, problems, row, api, obs):
    """The failure message of a cell whose observation is not what its row says."""
    return "\n".join([
        "cell %s changed:" % name,
        "  - " + "\n  - ".join(problems),
        "  table row:  %s" % row.describe(),
        "  versions:   %s" % api.describe(),
        "  got:        %s" % describe_observation(obs),
    ])


DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs")


def recorded_releases():
    """[(version tuple, keras flavour, the release's record)] of every release of docs/semantics.json (the history
    matrix); the record holds the installed versions a Row's `installed` reads."""
    from equivalence.environment import parse_version
    from equivalence.reporting.matrix import keras_backend_releases, keras_history_releases
    with io.open(os.path.join(DOCS, "semantics.json"), encoding="utf-8") as f:
        data = json.load(f)
    # every axis the document records (the TF axis, the Keras axis, the backends), with the versions each installed
    recorded = [(parse_version(r["tensorflow"]), r["keras_flavour"], r)
                for axis in ("releases", "keras_releases", "keras_backends") for r in data.get(axis) or []
                if r.get("tensorflow")]
    # and tox.ini's keras-history envs (the Keras axis: one Keras 3 minor release or standalone Keras 2 each),
    # before their reports are merged: a row with a Keras range, or of module keras2, is reached there
    # and the keras-backends envs (one Keras 3 backend each): a row with `backends` is reached there
    tox_ini = os.path.join(os.path.dirname(DOCS), "tox.ini")
    return recorded + keras_history_releases(tox_ini) + keras_backend_releases(tox_ini)


def dead_rows_of(area, releases):
    """["area: row (why)"] for each row of `area`'s table that no cell reaches at any of `releases`."""
    subjects = {}
    for _, probe, subject in area.keys():
        subjects.setdefault(probe, []).append(area.subject_fields(subject))
    return ["%s: %s (%s)" % (area.name, row.describe(), why) for row, why in dead_rows(area.rows, subjects, releases)]
