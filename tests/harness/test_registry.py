"""The registry: every record is reached by a test, and no test branches on a route's name."""

import ast
import os
import subprocess
import sys

from equivalence.routes import ROUTES

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)


def _test_sources():
    for folder, _, files in os.walk(TESTS):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path) as f:
                    yield os.path.relpath(path, ROOT), f.read()


def test_route_names_are_unique_and_records_complete():
    names = [r.name for r in ROUTES]
    assert len(names) == len(set(names))
    for r in ROUTES:
        assert r.family and r.api_call and r.convention and callable(r.build), r
        assert set(r.dtypes) <= {"float16", "bfloat16", "float32", "float64"}, r


def test_every_route_is_a_parameter_of_some_collected_test():
    """Collect the suite (pytest --collect-only) and look for each route in the test ids."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "--ignore", os.path.join(TESTS, "harness"), TESTS],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert out.returncode == 0, out.stdout[-3000:]
    ids = [line for line in out.stdout.splitlines() if "::" in line]
    unreached = [r.name for r in ROUTES if not any("[%s" % r.name in i or "-%s]" % r.name in i
                                                   or "-%s-" % r.name in i for i in ids)]
    assert not unreached, "no collected test takes these routes as a parameter: %s" % unreached


def test_no_test_mentions_a_route_name():
    """Tests iterate the registry; a route's name in a test file means a test singles it out."""
    offenders = ["%s: %r" % (path, r.name) for path, text in _test_sources() for r in ROUTES if r.name in text]
    assert not offenders, offenders


def _compares_a_name_with_a_literal(node):
    if not isinstance(node, ast.Compare):
        return False
    sides = [node.left] + list(node.comparators)
    named = any(isinstance(s, ast.Attribute) and s.attr in ("name", "api_call") for s in sides)
    literal = any(isinstance(s, ast.Str if sys.version_info < (3, 8) else ast.Constant)
                  and isinstance(getattr(s, "s", getattr(s, "value", None)), str) for s in sides)
    return named and literal


def test_no_test_branches_on_a_name():
    """No `if`, conditional expression or comprehension filter compares `x.name` with a string."""
    offenders = []
    for path, text in _test_sources():
        for node in ast.walk(ast.parse(text)):
            tests = []
            if isinstance(node, (ast.If, ast.IfExp, ast.While)):
                tests = [node.test]
            elif isinstance(node, ast.comprehension):
                tests = list(node.ifs)
            for t in tests:
                if any(_compares_a_name_with_a_literal(n) for n in ast.walk(t)):
                    offenders.append("%s:%d" % (path, t.lineno))
    assert not offenders, offenders
