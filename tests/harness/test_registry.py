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


# -- the three axes ----------------------------------------------------------------
def test_the_registry_is_the_product_of_its_axes():
    """Every regularizer x attachment x reader is a route or an exclusion with its reason, never both."""
    from equivalence.routes import EXCLUDED
    from equivalence.routes.plumbing import ATTACHMENTS, READERS
    from equivalence.routes.regularizers import REGULARIZERS
    slugs = [r.slug for r in ROUTES] + [e.slug for e in EXCLUDED]
    assert len(slugs) == len(set(slugs)) == len(REGULARIZERS) * len(ATTACHMENTS) * len(READERS)
    assert all(e.reason for e in EXCLUDED)
    for axis in (REGULARIZERS, ATTACHMENTS, READERS):  # every axis value is used by some route
        names = [x.name for x in axis]
        assert len(names) == len(set(names)), names
        unused = [n for n in names if not any(n in (r.regularizer.name, r.attachment.name, r.reader.name)
                                              for r in ROUTES)]
        assert not unused, unused


def test_every_regularizer_meets_every_attachment_and_reader_its_crossing_promises():
    """A pairwise crossing covers each (regularizer, attachment) and (regularizer, reader) pair that can be built."""
    from equivalence.routes.plumbing import ATTACHMENTS, PAIRWISE, READERS, EVERY_PAIR, buildable
    from equivalence.routes.regularizers import REGULARIZERS
    for reg in REGULARIZERS:
        if reg.plumbing not in (PAIRWISE, EVERY_PAIR):
            continue
        mine = [r for r in ROUTES if r.regularizer is reg]
        for a in ATTACHMENTS:
            if any(buildable(a, rd) for rd in READERS) and (reg.kernel_shape is None or a.kernel is None):
                assert any(r.attachment is a for r in mine), (reg, a)
        for rd in READERS:
            assert any(r.reader is rd for r in mine), (reg, rd)


def test_slugs_select_one_route_with_pytest_k():
    """`pytest -k <slug>` matches substrings of test ids: no slug may contain another."""
    import re
    slugs = [r.slug for r in ROUTES]
    for s in slugs:
        assert re.match(r"^[A-Za-z0-9_.\-]+$", s), s
        assert [t for t in slugs if s in t] == [s], "-k %s also selects %s" % (s, [t for t in slugs if s in t])


def test_k_slug_collects_exactly_one_route():
    """Collect test_values.py with -k for one slug of each of three regularizers: every id holds exactly one
    route, one of those, and each of them is collected. One collection, `-k "a or b or c"` (pytest starts and
    imports TensorFlow once, not three times): an id -k a selects wrongly holds another route as well."""
    from equivalence.routes.regularizers import REGULARIZERS
    chosen = [[r for r in ROUTES if r.regularizer is reg][-1].slug for reg in REGULARIZERS[:3]]
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-k", " or ".join(chosen), os.path.join(TESTS, "test_values.py")],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    ids = [line for line in out.stdout.splitlines() if "::" in line]
    params = [i[i.index("[") + 1:-1].split("-") for i in ids if "[" in i]
    named = [set(r.slug for r in ROUTES if r.slug in "-".join(p)) for p in params]
    assert ids and len(params) == len(ids), out.stdout[-2000:]
    assert all(len(n) == 1 and n <= set(chosen) for n in named), (chosen, named, out.stdout[-2000:])
    assert set().union(*named) == set(chosen), (chosen, named)


def test_no_semantics_row_is_dead():
    """Every row of every table is the expectation of some cell at some release of the history matrix:
    it selects a subject, and an earlier row does not take all the cells it covers."""
    from equivalence.semantics import areas
    from equivalence.semantics.table import dead_rows
    from equivalence.training import seed_table

    from tests.semantic_cells import dead_rows_of, recorded_releases
    releases = recorded_releases()
    dead = []
    for area in areas.AREAS.values():
        dead += dead_rows_of(area, releases)
    seed_subjects = {}
    for probe in set(r.probe for r in seed_table.ROWS):
        seed_subjects[probe] = [{"mode": m, "init": i} for m in ("graph", "eager") for i in ("v1", "keras")]
    dead += ["seeds: %s (%s)" % (row.describe(), why) for row, why in dead_rows(seed_table.ROWS, seed_subjects, releases)]
    assert not dead, "\n".join(dead)


def test_a_row_with_installed_covers_only_that_package_range():
    """Row(installed=(package, first, first_without)) reads the release's recorded versions: absent, older or
    newer than the range is not covered, so the row after it is the expectation there."""
    from equivalence.semantics.outcomes import Raises
    from equivalence.semantics.table import Row
    row = Row("p", "*", Raises("AttributeError"), tf_min="1.11", tf_max="1.15", installed=("h5py", "3", "4"))
    v114 = (1, 14, 0)
    assert row.covers_version(v114, "keras2", {"h5py": "3.1.0"})
    assert not row.covers_version(v114, "keras2", {"h5py": "2.10.0"})
    assert not row.covers_version(v114, "keras2", {"h5py": "4.0"})
    assert not row.covers_version(v114, "keras2", {"h5py": None})
    assert not row.covers_version(v114, "keras2")
    assert not row.covers_version((1, 15, 5), "keras2", {"h5py": "3.1.0"})
    assert "with h5py >= 3 < 4" in row.versions()
