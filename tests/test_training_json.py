"""The training comparison's JSON (`report --training --json`), from a two-step run on random data.

Only its shape and its bookkeeping: the demonstration itself (digits, 60 steps) belongs to the report.
"""

import json

import numpy as np
import pytest

from equivalence.training import demo
from equivalence.numerics.reference import CONVENTIONS

N_TRAIN, N_TEST, STEPS = 40, 20, 2


def _tiny_data():
    rng = np.random.RandomState(1)
    n_in = 64
    return (rng.rand(N_TRAIN, n_in).astype(np.float32), rng.randint(0, demo.N_CLASSES, N_TRAIN),
            rng.rand(N_TEST, n_in).astype(np.float32), rng.randint(0, demo.N_CLASSES, N_TEST))


def _one_route_per_convention(api):
    routes = demo._trainable_routes(api)  # noqa: SLF001  (the routes the demonstration trains)
    picked = [[r for r in routes if r.convention is c][:1] for c in CONVENTIONS.values()]
    return [r for group in picked for r in group]


def test_report_json_carries_the_training_comparison(api, tmp_path):
    if not api.tf2:
        pytest.skip("the demonstration trains its unregularized baseline eagerly (GradientTape, Keras Adam): "
                    "TensorFlow 2 only (installed: %s)" % api.tf_version)
    if api.keras_backend != "tensorflow":
        pytest.skip("KERAS_BACKEND=%s: the demonstration trains with tf.GradientTape and tf.keras' Adam on TensorFlow "
                    "tensors, which Keras on %s does not take" % (api.keras_backend, api.keras_backend))
    routes = _one_route_per_convention(api)
    if not routes:
        pytest.skip("no L2 route trains in float32 here")
    result = demo.run(api, data=_tiny_data(), steps=STEPS, routes=routes)
    path = str(tmp_path / "report.json")
    with open(path, "w") as f:
        json.dump({"schema": "kept", "routes": []}, f)
    demo.add_to_report(path, result)
    with open(path) as f:
        report = json.load(f)
    assert report["schema"] == "kept" and report["routes"] == [], "the report's own keys were changed"
    got = report["training"]
    assert (got["steps"], got["train_size"], got["test_size"]) == (STEPS, N_TRAIN, N_TEST)
    by_route = {}
    for entry in got["routes"]:
        by_route.setdefault(entry["route"], []).append(entry)
    baseline = by_route.pop("no regularizer")[0]
    assert baseline["lambda"] == 0.0 and baseline["final_penalty"] == 0.0
    assert sorted(by_route) == sorted(r.name for r in routes), by_route.keys()
    scales = sorted(e["equivalent_lambda"] for entries in by_route.values() for e in entries)
    # every route at the ordinary scale, one route per convention at the collapsing one
    assert scales == sorted([demo.ORDINARY_SCALE] * len(routes) + [demo.COLLAPSE_SCALE] * len(routes))
    for route in routes:
        for e in by_route[route.name]:
            assert e["convention"] == route.convention.name
            # half: lambda = s; full (Keras): lambda = s / 2, so that lambda * 2 * factor is the scale s
            assert e["lambda"] * 2.0 * route.convention.factor == e["equivalent_lambda"], e
            assert e["final_penalty"] > 0.0 and e["final_data_loss"] > 0.0, e
    for e in got["routes"]:
        assert e["final_loss"] == e["final_data_loss"] + e["final_penalty"], e
        correct = e["test_accuracy"] * N_TEST
        assert 0.0 <= e["test_accuracy"] <= 1.0 and abs(correct - round(correct)) < 1e-9, e
