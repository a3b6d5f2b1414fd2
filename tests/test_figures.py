"""docs/figures/*.svg cannot rot: each picture records the SHA-256 of the input it was drawn from, and
that input, computed again from the committed data file, must hash the same (every env, no
matplotlib); where the matplotlib that drew a picture is installed, drawing it again must give the
committed bytes. The inputs themselves are checked against counts taken from the data directly."""

import copy
import io
import json
import os
import re

import pytest

from equivalence.reporting import figures, matrix

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
REDRAW = "run `tox -e matrix` (or `python -m equivalence figures` with matplotlib) and commit docs/figures/"


def _read(*parts):
    path = os.path.join(ROOT, *parts)
    if not os.path.exists(path):
        pytest.fail("%s is missing: %s" % (path, REDRAW))
    with io.open(path, encoding="utf-8") as f:
        return f.read()


def _svg(name):
    return _read("docs", "figures", name + ".svg")


@pytest.mark.parametrize("name", figures.FIGURES)
def test_picture_is_drawn_from_the_committed_data(name):
    source, recorded, _version = figures.embedded(_svg(name))
    assert source == "docs/" + figures.SOURCE[name], (
        "docs/figures/%s.svg names %r as its data, expected docs/%s" % (name, source, figures.SOURCE[name]))
    assert recorded, "docs/figures/%s.svg records no sha256 of its input: %s" % (name, REDRAW)
    now = figures.digest(figures.figure_input(name, DOCS))
    assert recorded == now, (
        "docs/figures/%s.svg was drawn from other data than docs/%s holds now (picture: sha256 %s, data: "
        "sha256 %s): %s" % (name, figures.SOURCE[name], recorded, now, REDRAW))


def test_a_changed_cell_changes_the_recorded_hash():
    """The check above can fail: one route's status changed in a copy of the data gives another hash."""
    data = json.loads(_read("docs", "semantics.json"))
    _source, recorded, _version = figures.embedded(_svg("matrix"))
    changed = copy.deepcopy(data)
    release = [r for r in changed["releases"] if r["routes"]][-1]
    route = sorted(release["routes"])[0]
    release["routes"][route]["status"] = "mismatch"
    assert figures.digest(figures.matrix_input(data)) == recorded
    assert figures.digest(figures.matrix_input(changed)) != recorded, (
        "marking %s as a mismatch in %s did not change the matrix picture's input" % (route, release["label"]))


@pytest.mark.parametrize("name", figures.FIGURES)
def test_redrawing_gives_the_committed_picture(name):
    svg = _svg(name)
    _source, _recorded, version = figures.embedded(svg)
    try:
        import matplotlib
    except ImportError:
        pytest.skip("matplotlib is not installed here (tox -e matrix pins %s); the sha256 test still "
                    "checks the picture's data" % version)
    if matplotlib.__version__ != version:
        pytest.skip("docs/figures/%s.svg was drawn by matplotlib %s, this env has %s: another version "
                    "writes other bytes" % (name, version, matplotlib.__version__))
    again = figures.render(name, figures.figure_input(name, DOCS), "docs/" + figures.SOURCE[name])
    if again != svg:
        new, old = again.splitlines(), svg.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(new, old)) if a != b), min(len(new), len(old)))
        pytest.fail("drawing docs/figures/%s.svg again gives other bytes, first at line %d:\n  committed: %s\n"
                    "  drawn now: %s\n%s" % (name, line + 1, (old[line:line + 1] or ["(end)"])[0][:200],
                                              (new[line:line + 1] or ["(end)"])[0][:200], REDRAW))


@pytest.mark.parametrize("doc", ["README.md", os.path.join("docs", "SEMANTICS.md")])
def test_every_embedded_picture_exists(doc):
    text = _read(doc)
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", text)
    assert links, "%s embeds no picture" % doc
    folder = os.path.dirname(os.path.join(ROOT, doc))
    missing = [link for link in links if not os.path.exists(os.path.join(folder, link))]
    assert not missing, "%s embeds %s, which do not exist: %s" % (doc, missing, REDRAW)


# -- the inputs, against counts taken from the data directly -------------------------------------------
@pytest.fixture(scope="module")
def semantics():
    return json.loads(_read("docs", "semantics.json"))


def test_matrix_input_has_one_cell_per_route_and_release(semantics):
    inp = figures.matrix_input(semantics)
    releases = semantics["releases"]
    assert inp["releases"] == [r["label"] for r in releases]
    names = set(n for r in releases for n in r["routes"])
    assert sorted(n for _, n in inp["routes"]) == sorted(names)
    families = [f for f, _ in inp["routes"]]
    assert families == sorted(families, key=families.index), "a family's rows are not together: %s" % families
    for (family, name), row in zip(inp["routes"], inp["cells"]):
        assert len(row) == len(releases)
        for release, cell in zip(releases, row):
            route = release["routes"].get(name)
            if route is None:
                assert cell == "absent", (name, release["label"], cell)
                continue
            assert route["family"] == family
            measured = route["facts"].get("measured convention")
            expected = {"unavailable": "unavailable", "mismatch": "mismatch", "error": "error"}.get(
                route["status"], measured if measured in ("half", "full") else "l1" if measured is None
                else "other")
            assert cell == expected, "%s in %s: %s drawn as %s" % (name, release["label"], route["status"], cell)


def test_timeline_input_counts_every_change_once(semantics):
    inp = figures.timeline_input(semantics)
    changes = matrix.timeline(semantics["releases"])
    pairs = matrix.lineages(semantics["releases"])
    assert [(t["before"], t["after"]) for t in inp["transitions"]] == [(a["label"], b["label"]) for a, b in pairs]
    assert sum(sum(t["counts"].values()) for t in inp["transitions"]) == len(changes)
    for t in inp["transitions"]:
        own = [c for c in changes if (c[0], c[1]) == (t["before"], t["after"])]
        cells = [c for c in own if ": " in c[3]]  # semantics-table cells: "area: probe"
        for area in ("lambda", "weights", "collections", "keras"):
            assert t["counts"].get(area, 0) == sum(c[3].startswith(area + ": ") for c in cells), (t, area)
        assert t["counts"].get("dtypes", 0) == sum(c[3].startswith("dtype ") for c in own), t


def test_training_input_has_every_seed_lambda_through_both_conventions():
    data = json.loads(_read("docs", "training.json"))
    from equivalence.training.demo import CURVE_LAMBDAS
    runs = sorted((c["convention"], c["lambda"]) for c in data["curves"])
    assert runs == sorted((conv, lam) for conv in ("half", "full") for lam in CURVE_LAMBDAS), runs
    for c in data["curves"]:
        for key in ("test_accuracy", "test_loss", "train_loss"):
            assert len(c[key]) == data["steps"] + 1, (c["route"], c["lambda"], key)  # step 0 ... steps
        assert all(0.0 <= a <= 1.0 for a in c["test_accuracy"]), c["route"]
    first = set((c["test_accuracy"][0], c["test_loss"][0]) for c in data["curves"])
    assert len(first) == 1, "the curves do not start from the same network: %s" % first
