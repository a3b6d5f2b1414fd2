"""The matrix's record of a full-suite run: counts read from pytest's JUnit XML, and the README sentence."""

from equivalence.reporting import matrix

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="11"
 time="1.0" timestamp="2026-12-01T19:40:00.000000" hostname="h"></testsuite></testsuites>"""


def test_suite_result_counts_what_pytest_wrote(tmp_path):
    path = tmp_path / "env.junit.xml"
    path.write_text(JUNIT)
    got = matrix.suite_result(str(path), "ci")
    # 11 tests of which 2 failures + 1 error are failed, 3 skipped: 5 passed.
    assert got == {"passed": 5, "failed": 3, "skipped": 3, "date": "2026-12-01", "profile": "ci"}
    assert matrix.suite_result(str(tmp_path / "absent.junit.xml")) is None


def test_suite_statement_counts_green_and_red_releases():
    runs = [{"passed": 5, "failed": 0, "skipped": 1, "date": "2026-12-01", "profile": "ci"},
            {"passed": 4, "failed": 2, "skipped": 0, "date": "2026-12-02", "profile": "ci"}]
    data = {"releases": [{"suite": runs[0]}, {"suite": runs[1]}, {"suite": None}]}
    statement = matrix.suite_statement(data)
    assert "2 of the 3 releases" in statement and "1 passed, 1 failed" in statement, statement
    assert "2026-12-01 to 2026-12-02" in statement and "`ci`" in statement, statement


def test_suite_summary_totals_and_fails_on_a_missing_env(tmp_path, capsys):
    (tmp_path / "a.junit.xml").write_text(JUNIT)

    class Args(object):
        reports, envs = str(tmp_path), ["a"]
    assert matrix.suite_summary(Args) == 1  # a has failures
    assert capsys.readouterr().out.splitlines()[-1] == "total: 5 passed, 3 failed, 3 skipped"
    clean = JUNIT.replace('errors="1" failures="2"', 'errors="0" failures="0"')
    (tmp_path / "a.junit.xml").write_text(clean)
    assert matrix.suite_summary(Args) == 0
    Args.envs = ["a", "absent"]
    assert matrix.suite_summary(Args) == 1
    assert "absent: no JUnit XML" in capsys.readouterr().out


def test_a_migration_sweep_fills_the_releases_its_reports_lack(tmp_path):
    """`tox -e matrix` merges reports/migration/sweep.json (`tox -e migrate`) into each env's release."""
    import json
    sweep = {"releases": {"tf215-py311": {"converter": {"summary": "0 issues"}, "programs": {}}},
             "originals": {"tf16-py36": {"seed": {"verdict": "same number"}}}}
    (tmp_path / "sweep.json").write_text(json.dumps(sweep))
    got = matrix.sweep_migrations(str(tmp_path / "sweep.json"))
    assert got == {"tf215-py311": sweep["releases"]["tf215-py311"], "tf16-py36": {"originals": sweep["originals"]["tf16-py36"]}}
    assert matrix.sweep_migrations(str(tmp_path / "absent.json")) == {}
    report = {"env": "tf16-py36", "tensorflow": "1.6.0", "keras_flavour": "keras2", "complete": True, "routes": []}
    (tmp_path / "tf16-py36.json").write_text(json.dumps(report))
    data = matrix.merge([str(tmp_path / "tf16-py36.json")], migrations=got)
    assert data["releases"][0]["migration"] == {"originals": {"seed": "same number"}}
