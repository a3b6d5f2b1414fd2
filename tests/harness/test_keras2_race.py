"""The standalone Keras 2 race acceptance (training/models.py, _after_step_reading; reporting/report.py,
_judge_model): on hand-made readings, only the penalty of the kernel after a step that agrees with NumPy is taken
for the race, only on a standalone Keras 2 training reader, and a report that never reads before the step says so."""

import numpy as np
import pytest

from equivalence.harness import Case, expectation
from equivalence.initializers import InitSpec
from equivalence.routes.models import MODEL_ROUTES, Trained
from equivalence.training import models as training

LAM = 0.64  # (1 - 2 lr lambda)^2 = 0.7056: the two readings are far apart


def _route(api, regularizer, reader):
    traits = {"regularizer": regularizer, "reader": reader, "attachment": "sequential"}
    found = [r for r in MODEL_ROUTES if all(r.traits()[k] == v for k, v in traits.items())]
    if not found or found[0].unavailable(api):
        pytest.skip("no %s Sequential %s route here" % (regularizer, reader))
    return found[0]


def _case(route):
    w = np.random.RandomState(0).randn(*route.kernel.derive(4, 3)).astype(np.float32)
    return Case(w, "float32", LAM, InitSpec("array", array=w))


def _penalty(api, route, case, weights):
    return expectation(route, Case(weights, case.dtype, case.lam, case.init), api)[0].value


def _judge(api, monkeypatch, route, case, loss, after):
    w = route.adapt(case.weights)
    monkeypatch.setattr(training, "run_model_route", lambda *a: Trained(loss, w, 1, after))
    return training.verify_model(api, route, case)


def _readings(api, route, case):
    step = training.expected_step(route, case, api).value.astype(np.float32)
    return _penalty(api, route, case, case.weights), _penalty(api, route, case, step), step


@pytest.mark.parametrize("reader", ["fit", "train_on_batch"])
def test_the_race_takes_only_the_after_step_penalty_of_a_right_step(api, monkeypatch, reader):
    route = _route(api, "keras2-l2", reader)
    case = _case(route)
    before, after, step = _readings(api, route, case)
    v = _judge(api, monkeypatch, route, case, before, step)
    assert v.ok and not v.read_after_step
    v = _judge(api, monkeypatch, route, case, after, step)
    assert v.ok and v.read_after_step, v.message
    for wrong in (0.5 * before, 2.0 * before, 0.5 * after, 0.0):
        assert not _judge(api, monkeypatch, route, case, wrong, step).ok, wrong
    # a step that lost a factor of two, its own after-step penalty reported: the step check still fails
    half_step = case.weights - (case.weights - step) / 2
    assert not _judge(api, monkeypatch, route, case, _penalty(api, route, case, half_step), half_step).ok


def test_the_race_is_not_taken_for_tf_keras_nor_evaluate(api, monkeypatch):
    route = _route(api, "tf.keras-l2", "fit")
    case = _case(route)
    _, after, step = _readings(api, route, case)
    assert not _judge(api, monkeypatch, route, case, after, step).ok
    route = _route(api, "keras2-l2", "evaluate")
    case = _case(route)
    _, after, step = _readings(api, route, case)
    assert not _judge(api, monkeypatch, route, case, after, None).ok


def test_a_report_that_never_reads_before_the_step_fails(api, monkeypatch):
    from equivalence.reporting import report
    route = _route(api, "keras2-l2", "fit")
    case = _case(route)
    _, after, step = _readings(api, route, case)
    calls = []

    def always_after(*a):
        calls.append(1)
        return Trained(after, route.adapt(case.weights), 1, step)
    monkeypatch.setattr(training, "run_model_route", always_after)
    v = report._judge_model(api, route, case)
    assert len(calls) == report.RACE_ATTEMPTS
    assert not v.ok and "after the step" in v.message
