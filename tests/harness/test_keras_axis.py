"""The Keras axis's lines (equivalence/reporting/axes.py), the backend table's unrecorded backends, and the
NumPy backend's summation and trainer declarations, on hand-built release entries and a fake install: each line is
compared only with itself, and the standalone Keras 2 and tf_keras lines keep to their own routes and cells."""

from equivalence.numerics import reduction
from equivalence.reporting import matrix
from equivalence.routes import models


def entry(env, label, tf, flavour, keras, routes, cells=None, **extra):
    """A merged release entry (matrix.merge's shape): routes {name: facts}."""
    r = {"env": env, "label": label, "tensorflow": tf, "keras_flavour": flavour, "keras": keras, "status": "ok",
         "python": "3.x", "routes": {n: {"facts": f, "status": "ok", "convention": "full"} for n, f in routes.items()},
         "cells": cells or {}}
    r.update(extra)
    return r


def standalone(keras2, tf, own, other):
    return entry("tf-k%s" % keras2, "standalone Keras %s" % keras2, tf, "keras2", "2.1.6-tf",
                 {"keras2-fake.call.value": {"available": "yes", "fixed cases": own},
                  "tf.keras-fake.call.value": {"available": "yes", "fixed cases": other}}, keras2=keras2)


def keras3(version, tf, fact):
    return entry("tf-k%s" % version, "Keras %s" % version, tf, "keras3", version,
                 {"keras3-fake.call.value": {"available": "yes", "fixed cases": fact}})


def test_each_keras_line_is_compared_with_itself_in_keras_order():
    lines = matrix.keras_lines([keras3("3.1.1", "2.16.2", "agree"), standalone("2.2.4", "1.12.3", "a", "a"),
                                keras3("3.0.5", "2.16.2", "agree"), standalone("2.1.6", "1.8.0", "a", "a")])
    assert [[matrix.keras_release(r) for r in line] for line in lines] == [["2.1.6", "2.2.4"], ["3.0.5", "3.1.1"]]


def test_the_standalone_line_keeps_to_its_own_routes():
    """Between two standalone releases a tf.keras route's change is the TF axis's (they sit on two TFs), not the
    Keras axis's; its own keras2-* route's change is; in the Keras 3 line every route counts."""
    changes = matrix.keras_timeline([standalone("2.1.6", "1.8.0", "agree", "agree"),
                                     standalone("2.2.4", "1.12.3", "disagree", "disagree"),
                                     keras3("3.0.5", "2.16.2", "agree"), keras3("3.1.1", "2.16.2", "disagree")])
    assert sorted((c[2], c[4], c[5]) for c in changes) == [
        ("keras2-fake.call.value", "agree", "disagree"), ("keras3-fake.call.value", "agree", "disagree")]


def test_the_keras_axis_borrows_the_tf_axis_tf_keras_and_nightly_entries():
    data = {"keras_releases": [keras3("3.15.1", "2.21.0", "agree")],
            "releases": [entry("tf221-legacy", "2.21.0 (legacy)", "2.21.0", "legacy", "2.21.0", {}),
                         entry("tfnightly", "2.23.0-dev (keras3)", "2.23.0-dev", "keras3", "3.16.0.dev1", {}),
                         entry("tf221-keras3", "2.21.0 (keras3)", "2.21.0", "keras3", "3.15.1", {})]}
    shown = matrix.keras_axis_entries(data)
    assert [(r["env"], r["label"]) for r in shown] == [
        ("tf-k3.15.1", "Keras 3.15.1"), ("tf221-legacy", "tf_keras 2.21.0 (TF 2.21.0)"),
        ("tfnightly", "Keras 3.16.0.dev1 (TF 2.23.0-dev)")]
    assert data["releases"][0]["label"] == "2.21.0 (legacy)"  # the TF axis keeps its own labels
    assert matrix.keras_axis_entries({"releases": data["releases"]}) == []  # no Keras axis recorded: no section


def test_a_route_unavailable_on_both_sides_is_no_change():
    before = entry("a", "A", "1.0.0", "keras2", "k", {"r": {"available": "no: keras 2.6.0 is installed"},
                                                     "s": {"available": "yes"}})
    after = entry("b", "B", "1.1.0", "keras2", "k", {"r": {"available": "no: keras 2.7.0 is installed"},
                                                    "s": {"available": "no: removed"}})
    assert [(c[2], c[3]) for c in matrix.changes_between([(before, after)])] == [("s", "available")]


def test_the_backend_table_says_why_a_backend_is_not_recorded(monkeypatch):
    jax = entry("tf221-jax", "Keras 3.15.1 on jax (TF 2.21.0)", "2.21.0", "keras3", "3.15.1", {}, keras_backend="jax")
    why = "its tables are not complete (a reason UNRECORDED_BACKENDS would give)"
    monkeypatch.setitem(matrix.UNRECORDED_BACKENDS, "numpy", why)
    text = "\n".join(matrix.backend_section([jax], []))
    for backend in ("torch", "numpy"):
        assert "| %s | — | — | — | — | not recorded: " % backend in text
    assert "| torch | — | — | — | — | not recorded: no env of the keras-backends label runs it |" in text
    assert why in text


class FakeApi(object):
    def __init__(self, backend, tf=(2, 21, 0)):
        self.keras_backend, self.tf_version_tuple = backend, tf


def test_bfloat16_sums_sequentially_only_on_the_numpy_backend():
    numpy, jax = FakeApi("numpy"), FakeApi("jax")
    assert reduction.sums_linearly(numpy, "bfloat16", on_backend=True)
    assert not reduction.sums_linearly(numpy, "bfloat16", on_backend=False)  # a TF route in that env: TF's model
    assert not reduction.sums_linearly(numpy, "float32", on_backend=True)
    assert not reduction.sums_linearly(jax, "bfloat16", on_backend=True)
    assert reduction.sums_linearly(FakeApi("tensorflow", (1, 14, 0)), "float32")  # the release's own model
    linear = reduction.release_tolerance(numpy, "bfloat16", 4096, on_backend=True)
    tree = reduction.release_tolerance(numpy, "bfloat16", 4096)
    assert linear.rtol > tree.rtol


def test_the_numpy_backend_declares_its_trainer_missing_with_the_exception_it_raises():
    for requirement, raises in ((models.NUMPY_NO_TRAINER, "NotImplementedError"),
                                (models.NUMPY_EVALUATE, "AttributeError")):
        assert requirement.raises == raises
        assert requirement.missing(FakeApi("numpy")).startswith("KERAS_BACKEND=numpy: ")
        assert requirement.missing(FakeApi("jax")) is None and requirement.missing(FakeApi("tensorflow")) is None
    readers = {r.name: r for r in models.MODEL_READERS}
    assert models.NUMPY_NO_TRAINER in readers["fit"].requires + readers["train_on_batch"].requires
    assert models.NUMPY_EVALUATE in readers["evaluate"].requires


class FakeKeras3Api(FakeApi):
    """An install whose tf.keras and keras are Keras 3.15.1 on `backend` (module_keras3_version reads these)."""

    def __init__(self, backend):
        FakeApi.__init__(self, backend)
        self.keras3 = type("keras", (), {"__version__": "3.15.1"})
        self.keras_flavour = "keras3"


def test_a_layer_weight_holds_float32_values_only_on_the_numpy_backend():
    from equivalence.routes import ROUTES

    def route(**traits):  # the one core route with these traits (tests select by traits, never by name)
        found = [r for r in ROUTES if all(r.traits()[k] == v for k, v in traits.items())]
        assert len(found) == 1, (traits, found)
        return found[0]
    numpy, torch = FakeKeras3Api("numpy"), FakeKeras3Api("torch")
    dense = route(module="keras3", penalty="l2", attachment="dense", reader="layer_losses")
    call = route(module="keras3", penalty="l2", attachment="call", reader="value")
    orthogonal = route(module="keras3", penalty="orthogonal", attachment="dense", reader="layer_losses")
    held = dense.dtype_requirement(numpy, "float64")
    # the L2 penalty stays float64 (holds_as); OrthogonalRegularizer's ends in float32 (stores_as)
    assert (held.holds_as, held.stores_as) == ("float32", None)
    assert orthogonal.dtype_requirement(numpy, "float64").stores_as == "float32"
    assert dense.dtype_requirement(torch, "float64") is None and dense.dtype_unavailable(torch, "float64") is None
    assert call.dtype_unavailable(numpy, "float64") is None  # a keras.Variable made from the array keeps float64
    assert dense.dtype_unavailable(numpy, "float32") is None
    restorable = [r for r in models.MODEL_ROUTES if r.attachment.fills == "restorable" and r.on_backend(numpy)]
    assert restorable and all(r.dtype_unavailable(numpy, "float64") is None for r in restorable)  # set_weights
