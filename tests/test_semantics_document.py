"""docs/SEMANTICS.md cannot rot: it is the rendering of docs/semantics.json, and the
facts that file records for the running release are what this release measures now."""

import io
import json
import os

import pytest

from equivalence.reporting import matrix
from equivalence.reporting.report import MODEL_ROUTE_NAMES, REPORTED_ROUTES, entry_of
from equivalence.semantics.areas import AREAS
from equivalence.semantics.recorded import reusable_route_entries

from .route_cases import route_params

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs")


def _read(name):
    path = os.path.join(DOCS, name)
    if not os.path.exists(path):
        pytest.fail("%s is missing: run `tox -m history -p 2 && tox -e matrix` and commit docs/" % path)
    with io.open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def recorded_release(api):
    data = json.loads(_read("semantics.json"))
    v = api.versions()
    # a keras3 release is its TF and its Keras 3: the TF axis records the Keras 3 each TF resolved, the Keras
    # axis (keras_releases, the keras-history envs) each Keras 3 minor release on a TF that admits it, and the
    # backend axis (keras_backends, tox -m keras-backends) each Keras 3 backend other than TensorFlow
    from equivalence.reporting.gate import baseline, recorded_run
    release = recorded_run(data, v)
    if release is not None:
        return release
    before, _ = baseline(data, v["tensorflow"], v["keras_flavour"], keras=v["keras"], backend=v["keras_backend"],
                         keras2=v.get("keras2"))
    pytest.skip("docs/semantics.json records no run of TF %s (%s, Keras %s); the release gate compares it with %s: "
                "python -m equivalence diff" % (v["tensorflow"], v["keras_flavour"], v["keras"],
                                                before["label"] if before else "nothing (none recorded before it)"))


def test_document_is_the_rendering_of_its_data():
    data = json.loads(_read("semantics.json"))
    assert _read("SEMANTICS.md") == matrix.render(data), (
        "docs/SEMANTICS.md was edited by hand or not regenerated: run `tox -e matrix`")


def test_readme_states_where_the_full_suite_last_ran():
    """The README's claim about the history sweep is the one docs/semantics.json supports."""
    statement = matrix.suite_statement(json.loads(_read("semantics.json")))
    with io.open(os.path.join(os.path.dirname(DOCS), "README.md"), encoding="utf-8") as f:
        readme = " ".join(f.read().split())  # the README wraps its lines
    assert statement in readme, (
        "README.md must say, in these words, where the full suite last ran (docs/semantics.json, "
        "written by `tox -m history -p 2 && tox -e matrix`):\n  %s" % statement)


def _not_recorded(what, release):
    """Skip: the document was made before `what` joined the report (a regeneration records it)."""
    pytest.skip("%s not recorded for this release (%s) in docs/semantics.json: regenerate with `%s`"
                % (what, release["label"], matrix.REGENERATE))


@pytest.mark.parametrize("route", route_params(REPORTED_ROUTES))
def test_recorded_facts_hold_in_this_release(api, recorded_release, route):
    recorded = recorded_release["routes"].get(route.name)
    if recorded is None and route.name in MODEL_ROUTE_NAMES and not MODEL_ROUTE_NAMES & set(recorded_release["routes"]):
        _not_recorded("the model routes (routes/models.py)", recorded_release)
    if recorded is None:
        pytest.fail("route %r is in the registry but not in docs/semantics.json for %s: regenerate the matrix"
                    % (route.name, recorded_release["label"]))
    # The report step of this env measured the same entry (fixed cases, dtype probe) with the same install
    # and code: judge that one (semantics/recorded.py says why it is the same); else measure it here.
    entry = reusable_route_entries(api).get(route.name) or entry_of(api, route, n_examples=0)
    measured = matrix.route_facts(entry)
    differing = sorted(k for k in set(measured) | set(recorded["facts"])
                       if measured.get(k) != recorded["facts"].get(k))
    assert not differing, "route %s on %s (%s): docs/semantics.json says %s, this env measures %s" % (
        route.name, recorded_release["label"], api.describe(),
        {k: recorded["facts"].get(k) for k in differing}, {k: measured.get(k) for k in differing})


@pytest.mark.parametrize("area_name", sorted(AREAS))
def test_recorded_semantics_cells_hold_in_this_release(api, recorded_release, area_name):
    """Every cell of this area the document records for this release has the outcome it records, and
    every cell measured here is recorded."""
    from equivalence.reporting.report import cell_outcome

    from .semantic_cells import observations  # shared with the semantics tests: each cell is observed once
    cells = recorded_release.get("cells") or {}
    if not cells:
        pytest.fail("docs/semantics.json has no semantics cells for %s: regenerate the matrix"
                    % recorded_release["label"])
    if area_name not in matrix.recorded_areas(recorded_release):
        _not_recorded("the %s cells" % area_name, recorded_release)
    recorded = {c: o for c, o in cells.items() if c.split("/", 1)[0] == area_name}
    area = AREAS[area_name]
    measured = {}
    for key, obs in observations(api, area).items():
        measured["/".join(key)] = cell_outcome(api, area, list(key), obs)
    differing = sorted(c for c in set(measured) | set(recorded) if measured.get(c) != recorded.get(c))
    assert not differing, "%d %s cells on %s (%s) differ from docs/semantics.json:\n%s" % (
        len(differing), area_name, recorded_release["label"], api.describe(), "\n".join(
            "  %s: document says %s, measured %s" % (c, recorded.get(c), measured.get(c)) for c in differing))
