"""The report's recorded semantics observations are reused only by a session of the same env,
install, mutants and code (equivalence/semantics/recorded.py); anything else observes afresh."""

import json
import os

import pytest

from equivalence.semantics import recorded

KEY = ("lambda", "zero", "some route")
OBS = {"raised": None, "value": 0.0, "tensor": True, "dtype": "float32", "entries": None}


@pytest.fixture
def report_file(api, tmpdir, monkeypatch):
    saved = dict(recorded._STATE)  # noqa: SLF001  the session's own source, restored afterwards
    monkeypatch.setenv("REGEQUIV_ENV", "some-env")
    path = str(tmpdir.join("report.json"))

    def write(**changes):
        data = recorded.record(api, {KEY: OBS})
        data.update(changes)
        with open(path, "w") as f:
            json.dump({"observations": data}, f)
        recorded.use(path)
        return path
    yield write
    recorded._STATE.clear()  # noqa: SLF001
    recorded._STATE.update(saved)  # noqa: SLF001


def test_same_env_install_mutants_and_code_reuse_the_observations(api, report_file):
    path = report_file()
    assert recorded.reusable(api) == {KEY: OBS}
    assert path in recorded.status(api)


@pytest.mark.parametrize("field,value,named", [
    ("env", "another-env", "env"),
    ("mutants", ["l2-loss-doubled"], "mutants"),
    ("fingerprint", "0" * 64, "code"),
])
def test_anything_else_observes_afresh(api, report_file, field, value, named):
    report_file(**{field: value})
    assert recorded.reusable(api) == {}
    assert "another %s" % named in recorded.status(api)


def test_another_install_observes_afresh(api, report_file):
    versions = dict(api.versions(), tensorflow="0.0.0")
    report_file(versions=versions)
    assert recorded.reusable(api) == {}
    assert "another install" in recorded.status(api)


def test_a_report_without_observations_or_file_observes_afresh(api, report_file, tmpdir):
    path = str(tmpdir.join("no-observations.json"))
    with open(path, "w") as f:
        json.dump({"routes": []}, f)
    recorded.use(path)
    assert recorded.reusable(api) == {}
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
