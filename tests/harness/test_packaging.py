"""What `pip install .` ships: every package of the source tree, and every data file the code reads."""

import io
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pyproject():
    with io.open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        return f.read()


def _listed_packages(text):
    return set(re.findall(r'"(equivalence(?:\.\w+)*)"', re.search(r"^packages = \[(.*?)\]", text, re.S | re.M).group(1)))


def _package_data(text):
    """{package: [glob, ...]} of [tool.setuptools.package-data]."""
    section = text.split("[tool.setuptools.package-data]", 1)[1]
    return {pkg: re.findall(r'"([^"]+)"', globs) for pkg, globs in re.findall(r'^"([\w.]+)" = \[(.*?)\]', section, re.M)}


def _folders():
    for folder, dirs, files in os.walk(os.path.join(ROOT, "equivalence")):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        yield os.path.relpath(folder, ROOT).replace(os.sep, "."), files


def test_every_package_of_the_tree_is_installed():
    text = _pyproject()
    listed, data = _listed_packages(text), _package_data(text)
    code = set(name for name, files in _folders() if "__init__.py" in files)
    assert not code - listed, "pyproject.toml packages lacks %s" % sorted(code - listed)
    stale = [p for p in listed - code if p not in data]  # a data-only package must declare its data
    assert not stale, "pyproject.toml lists %s, which have neither __init__.py nor package data" % stale


def test_every_data_folder_ships():
    """A folder without __init__.py (files the code reads, never imports) is a listed package with
    package data, or package data of its parent."""
    text = _pyproject()
    listed, data = _listed_packages(text), _package_data(text)
    for name, files in _folders():
        if "__init__.py" in files or not files:
            continue
        parent, leaf = name.rsplit(".", 1)
        shipped = (name in listed and data.get(name)) or any(g.startswith(leaf + "/") for g in data.get(parent, []))
        assert shipped, "%s is not shipped by pyproject.toml (package data of %s, or a package of its own)" % (
            name, parent)
