"""The mutant registry: each mutant is run against test files that exist, and names what it breaks."""

import os

from equivalence.selfvalidation.mutants import MUTANTS, OWNER_TESTS
from equivalence.selfvalidation.mutation import selection_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Args(object):
    pytest_args, whole_suite = [], False


def test_every_owner_selection_is_existing_test_files():
    for owner, paths in OWNER_TESTS.items():
        assert paths, owner
        missing = [p for p in paths if not os.path.isfile(os.path.join(ROOT, p))]
        assert not missing, "OWNER_TESTS[%r] names files that do not exist: %s" % (owner, missing)


def test_every_mutant_runs_its_owners_tests_and_names_its_api():
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))
    for m in MUTANTS:
        assert m.owner in OWNER_TESTS, m
        assert selection_for(_Args(), [m]) == sorted(OWNER_TESTS[m.owner]), m
        assert m.points_at and m.api_name and m.breakage, m


def test_the_clean_run_covers_every_mutants_tests():
    clean = set(selection_for(_Args(), MUTANTS))
    for m in MUTANTS:
        assert set(m.tests) <= clean, m


def test_failures_are_parsed_from_pytest_output_whatever_the_header_width():
    from equivalence.selfvalidation.mutation import failures
    output = "\n".join([
        "=================================== FAILURES ===================================",
        "_______________ test_short[a] _______________",
        "E       AssertionError: first",
        "_ test_a_very_long_id[lambda/negative/a_subject_long_enough_to_fill_the_terminal_line(with=args) + more] _",
        "    some source line",
        "E       AssertionError: second",
        "E         more",
        "=========================== short test summary info ============================",
        "E not a failure line",
    ])
    assert failures(output) == [
        ("test_short[a]", ["AssertionError: first"]),
        ("test_a_very_long_id[lambda/negative/a_subject_long_enough_to_fill_the_terminal_line(with=args) + more]",
         ["AssertionError: second", "more"]),
    ]
