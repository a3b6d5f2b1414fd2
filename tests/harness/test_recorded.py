"""The report's recorded semantics observations are reused only by a session of the same env,
install, mutants and code (equivalence/semantics/recorded.py); anything else observes afresh."""

import json
import os

import pytest

from equivalence.semantics import recorded

KEY = ("lambda", "zero", "some route")
OBS = {"raised": None, "value": 0.0, "tensor": True, "dtype": "float32", "entries": None}
ENTRY = {"name": "some route", "status": "ok", "fixed": [], "dtype_probe": {"float32": "ok"}}


@pytest.fixture
def report_file(api, tmpdir, monkeypatch):
    saved = dict(recorded._STATE)  # noqa: SLF001  the session's own source, restored afterwards
    monkeypatch.setenv("REGEQUIV_ENV", "some-env")
    path = str(tmpdir.join("report.json"))

    def write(**changes):
        data = recorded.record(api, {KEY: OBS})
        data.update(changes)
        with open(path, "w") as f:
            json.dump({"observations": data, "routes": [ENTRY]}, f)
        recorded.use(path)
        return path
    yield write
    recorded._STATE.clear()  # noqa: SLF001
    recorded._STATE.update(saved)  # noqa: SLF001


def test_same_env_install_mutants_and_code_reuse_the_observations(api, report_file):
    path = report_file()
    assert recorded.reusable(api) == {KEY: OBS}
    assert recorded.reusable_route_entries(api) == {ENTRY["name"]: ENTRY}
    assert path in recorded.status(api)


@pytest.mark.parametrize("field,value,named", [
    ("env", "another-env", "env"),
    ("mutants", ["l2-loss-doubled"], "mutants"),
    ("fingerprint", "0" * 64, "code"),
])
def test_anything_else_observes_afresh(api, report_file, field, value, named):
    report_file(**{field: value})
    assert recorded.reusable(api) == {}
    assert recorded.reusable_route_entries(api) == {}  # the route entries follow the same conditions
    assert "another %s" % named in recorded.status(api)


def test_another_install_observes_afresh(api, report_file):
    versions = dict(api.versions(), tensorflow="0.0.0")
    report_file(versions=versions)
    assert recorded.reusable(api) == {}
    assert recorded.reusable_route_entries(api) == {}
    assert "another install" in recorded.status(api)


def test_a_report_without_observations_or_file_observes_afresh(api, report_file, tmpdir):
    path = str(tmpdir.join("no-observations.json"))
    with open(path, "w") as f:
        json.dump({"routes": [ENTRY]}, f)
    recorded.use(path)
    assert recorded.reusable(api) == {}
    assert recorded.reusable_route_entries(api) == {}  # entries without observations: no conditions to check
    recorded.use(str(tmpdir.join("absent.json")))
    assert recorded.reusable(api) == {}
    assert "not readable" in recorded.status(api)


def test_the_fingerprint_follows_the_source(tmpdir, monkeypatch):
    root = tmpdir.mkdir("pkg")
    root.join("a.py").write("x = 1\n")
    monkeypatch.setattr(recorded, "PACKAGE", str(root))
    before = recorded.fingerprint()
    root.join("a.py").write("x = 2\n")
    assert recorded.fingerprint() != before
    root.join("a.py").write("x = 1\n")
    assert recorded.fingerprint() == before
    root.join("notes.txt").write("not code")
    assert recorded.fingerprint() == before
    assert os.path.isdir(recorded.PACKAGE)


def test_a_route_entrys_facts_do_not_depend_on_its_sample(api):
    """What makes reusing the report's route entries safe: their facts come from the fixed cases and the
    dtype probe, so an entry sampled as the report samples has the facts of one measured with no sample."""
    from equivalence.reporting.matrix import route_facts
    from equivalence.reporting.report import route_entry
    from equivalence.routes import ROUTES
    route = [r for r in ROUTES if r.unavailable(api) is None][0]
    sampled = route_entry(api, route, n_examples=3)
    assert sampled["examples"] > len(sampled["fixed"]), sampled  # the sample ran
    assert route_facts(sampled) == route_facts(route_entry(api, route, n_examples=0))
