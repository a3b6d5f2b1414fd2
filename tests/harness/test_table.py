"""The semantics rows' version ranges: TensorFlow, Keras flavour and the Keras 3 release range
(equivalence/semantics/table.py), and the Keras axis the dead-row check reads from tox.ini."""

import os

import pytest

from equivalence.environment import parse_version
from equivalence.reporting import matrix
from equivalence.semantics.outcomes import Raises
from equivalence.semantics.table import Row, dead_rows, lookup

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TF = parse_version("2.21.0")


class FakeApi(object):
    def __init__(self, tf, flavour, keras):
        self.tf_version_tuple, self.keras_flavour, self.keras_version = parse_version(tf), flavour, keras

    def versions(self):
        return {"tensorflow": "%d.%d.%d" % self.tf_version_tuple, "keras": self.keras_version}


def k(version):
    """A release's installed versions, as Row.covers_version reads them (its "keras")."""
    return {"keras": version}


def ranged(**kw):
    return Row("p", "*", Raises("ValueError"), flavours=("keras3",), **kw)


@pytest.mark.parametrize("keras, covered", [
    ("3.0.5", False), ("3.1.0", True), ("3.13.2", True), ("3.14.0", False), ("3.15.1", False), (None, False)])
def test_a_keras_range_is_half_open_on_the_keras_version(keras, covered):
    row = ranged(keras_min="3.1", keras_max="3.14")
    assert row.covers_version(TF, "keras3", k(keras)) is covered
    assert row.covers(FakeApi("2.21.0", "keras3", keras)) is covered


def test_a_row_without_a_keras_range_covers_every_keras_of_its_flavours():
    row = Row("p", "*", Raises("ValueError"), tf_min="2.16")
    for flavour, keras in (("keras3", "3.0.5"), ("keras3", None), ("legacy", "2.16.0")):
        assert row.covers_version(TF, flavour, k(keras))
    assert not row.covers_version(parse_version("2.15.1"), "keras2", k("2.15.0"))
    assert row.covers_version(TF, "keras3")  # the two-argument call of before the Keras axis


def test_a_keras_range_also_keeps_its_tf_range_and_flavour():
    row = ranged(keras_max="3.14", tf_min="2.17")
    assert not row.covers_version(parse_version("2.16.2"), "keras3", k("3.0.5"))
    assert row.covers_version(parse_version("2.17.1"), "keras3", k("3.2.1"))
    assert not row.covers_version(TF, "legacy", k("2.21.0"))  # tf_keras 2.x is not a Keras 3 release


def test_a_keras_range_needs_the_keras3_flavour_alone():
    """tf.keras' version in a legacy env is tf_keras' (2.x): a range of Keras 3 releases must not read it."""
    with pytest.raises(ValueError):
        Row("p", "*", Raises("ValueError"), keras_max="3.14")
    with pytest.raises(ValueError):
        Row("p", "*", Raises("ValueError"), flavours=("keras3", "legacy"), keras_min="3.1")


def test_versions_shows_the_keras_range():
    assert ranged(keras_min="3.1", keras_max="3.14").versions() == "every TF (keras3), Keras >= 3.1, Keras < 3.14"
    assert ranged(keras_max="3.14", tf_min="2.16").versions() == "TF >= 2.16 (keras3), Keras < 3.14"
    assert Row("p", "*", Raises("ValueError"), tf_max="2.0").versions() == "TF < 2.0"


def test_lookup_takes_the_first_row_covering_the_installed_keras():
    old = ranged(keras_max="3.14", note="old")
    new = Row("p", "*", Raises("TypeError"), note="new")
    assert lookup([old, new], "p", {}, FakeApi("2.21.0", "keras3", "3.13.2")).note == "old"
    assert lookup([old, new], "p", {}, FakeApi("2.21.0", "keras3", "3.14.1")).note == "new"
    assert lookup([old, new], "p", {}, FakeApi("2.21.0", "legacy", "2.21.0")).note == "new"


def test_dead_rows_reads_the_keras_version_of_a_release():
    rows = [ranged(keras_max="3.14"), Row("p", "*", Raises("TypeError"))]
    subjects = {"p": [{}]}
    newest_only = [(TF, "keras3", k("3.15.1"))]
    assert [r for r, _ in dead_rows(rows, subjects, newest_only)] == [rows[0]]
    assert dead_rows(rows, subjects, newest_only + [(TF, "keras3", k("3.13.2"))]) == []
    # a release without a Keras version reaches no ranged row
    assert [r for r, _ in dead_rows(rows, subjects, [(TF, "keras3", {})])] == [rows[0]]


def test_the_keras_axis_of_tox_ini():
    """Every keras-history env pins one TF and one Keras release: each Keras 3 minor once, 3.0 first, on TF >= 2.16;
    standalone Keras 2 (< 2.4, the last multi-backend releases) on TF 1.x only."""
    releases = matrix.keras_history_releases(os.path.join(ROOT, "tox.ini"))
    assert releases and len(releases) == len(matrix.history_envs(os.path.join(ROOT, "tox.ini"), "keras-history"))
    keras3 = [(tf, v) for tf, f, v in releases if f == "keras3"]
    minors = [parse_version(v["keras"])[:2] for _, v in keras3]
    assert minors[0] == (3, 0) and minors == sorted(set(minors))
    assert all(tf >= (2, 16, 0) for tf, _ in keras3)
    standalone = [(tf, v) for tf, f, v in releases if f == "keras2"]
    assert standalone and all(tf < (2, 0, 0) and parse_version(v["keras2"]) < (2, 4, 0) for tf, v in standalone)
    assert len(keras3) + len(standalone) == len(releases)
    assert "keras-history" not in matrix.history_envs(os.path.join(ROOT, "tox.ini"))  # the TF axis is apart
