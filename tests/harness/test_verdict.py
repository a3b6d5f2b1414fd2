"""The one failure message (equivalence/verdict.py), for each kind of check: penalty, gradient, steps.

Each check is run against a deliberately wrong expectation (the reference doubled), so it must fail,
and its message must name every field a maintainer needs: the route, the versions, the case's shape,
dtype, lambda and initializer, expected and got (whose ratio is then 0.5), the tolerance with its
bound and the actual error, and a reproduce command. The command is then run: with the wrong
expectation it fails with the same message, without it the case passes.
"""

import contextlib
import io
import re
import shlex

import numpy as np
import pytest

from equivalence import harness
from equivalence.training import gradients, steps
from equivalence.__main__ import main
from equivalence.harness import case_from_plan
from equivalence.initializers import InitSpec
from equivalence.numerics import reference
from equivalence.routes import by_name
from equivalence.strategies import Plan

from ..route_cases import available, l2_routes

KINDS = ["penalty", "gradient", "steps"]
TEST_SLUG = "verdict-test.slug"


def _route(api, kind, mode="graph"):
    for r in available(api, l2_routes(), differentiable=kind == "gradient", steps=kind == "steps"):
        if r.runs_in_graph(api) == (mode == "graph") and r.dtype_unavailable(api, "float32") is None and (
                kind != "gradient" or r.gradient_dtype_unavailable(api, "float32") is None):
            return r
    pytest.skip("no L2 route takes float32 weights in %s mode here%s" % (
        mode, "" if kind == "penalty" else " with TensorFlow's %s (route_cases.available)" % kind))


def _wrong_expectation(monkeypatch, kind):
    """Double what the reference says, where the check asks for it."""
    if kind == "penalty":
        right = harness.expectation

        def doubled(route, case, api=None):
            ref, tol = right(route, case, api)
            return reference.Reference(2 * ref.value, ref.rel_error, ref.n_terms, ref.sum_value, ref.parts), tol
        monkeypatch.setattr(harness, "expectation", doubled)
    elif kind == "gradient":
        right = gradients.expected_gradient
        monkeypatch.setattr(gradients, "expected_gradient",
                            lambda route, case, api=None: (lambda e, tol: (2 * e, tol))(*right(route, case, api)))
    else:
        right = steps.reference_trajectory
        monkeypatch.setattr(steps, "reference_trajectory", lambda *args: [
            steps.Tracked(2 * t.value, t.err, t.dtype) for t in right(*args)])


def _check(api, route, case, kind):
    if kind == "penalty":
        return harness.verify(api, route, case)
    if kind == "gradient":
        return gradients.verify_gradient(api, route, case, gradients.methods_for(api, route)[0])
    return steps.verify_steps(api, route, case, steps.data_gradient(api, 7, case.shape, case.dtype),
                              steps.OPTIMIZERS[0], 2, data_seed=7)


def _field(message, name):
    found = [line[len(name) + 3:].strip() for line in message.splitlines() if line.startswith("  %s:" % name)]
    assert len(found) == 1, "%d %r lines in\n%s" % (len(found), name, message)
    return found[0]


def _number(text):
    return float(text.split()[0])


def _run_cli(command):
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "equivalence", "run"], command
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(words[3:])
    return code, out.getvalue()


@pytest.mark.parametrize("mode", ["graph", "eager"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_message_names_every_field_and_its_command_reproduces_it(api, monkeypatch, kind, mode):
    route = _route(api, kind, mode)
    # The slug where the record has one; otherwise a made-up one, so that the command must use it.
    slug = getattr(route, "slug", None) or TEST_SLUG
    monkeypatch.setattr(route, "slug", slug, raising=False)
    assert by_name(slug) is route and by_name(route.name) is route
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (4, 3)
    init = InitSpec("glorot_uniform", seed=3)
    case = case_from_plan(api, Plan("float32", shape, init, 0.01))
    _wrong_expectation(monkeypatch, kind)
    verdict = _check(api, route, case, kind)
    message = verdict.message
    print("\n%s\n" % message)  # the sample in the report: pytest -s
    assert not verdict.ok and message

    head = message.splitlines()[0]
    assert head.startswith("route %s (%s convention: " % (route.name, route.convention.name)), head
    assert {"penalty": "the penalty", "gradient": "the gradient by ", "steps": "step 1 of 2 of SGD (%s form)" % (
        "v1" if mode == "graph" else "keras")}[kind] in head
    assert _field(message, "API") == route.api_call
    assert _field(message, "versions") == api.describe()
    described = _field(message, "case")
    for part in ("shape=%s" % (shape,), "dtype=float32", "lambda=0.01", "initializer=glorot_uniform(seed=3)"):
        assert part in described, (part, described)
    expected, got = _number(_field(message, "expected")), _number(_field(message, "got"))
    r = _number(_field(message, "ratio"))
    assert r == pytest.approx(got / expected, rel=1e-12)
    assert r == pytest.approx(0.5, rel=1e-3)  # the reference was doubled
    assert verdict.ratio == pytest.approx(r, rel=1e-12)
    bound, actual = re.search(r"<= (\S+), actual (\S+)$", _field(message, "tolerance")).groups()
    assert float(actual) == pytest.approx(abs(got - expected), rel=1e-2)
    assert float(actual) > float(bound)

    command = _field(message, "reproduce")
    assert command.startswith("python -m equivalence run --route '%s' --shape %s --dtype float32 --lam 0.01 "
                              "--init 'glorot_uniform:seed=3'" % (slug, ",".join(str(s) for s in shape))), command
    assert {"penalty": "--init 'glorot_uniform:seed=3'", "gradient": "--gradient '%s'" % (
        gradients.methods_for(api, route)[0].id), "steps": "--optimizer SGD --steps 2 --data-seed 7"}[kind] \
        in command
    code, out = _run_cli(command)
    assert code == 1 and message in out, out
    monkeypatch.undo()  # the right reference again (and the slug as the record has it)
    monkeypatch.setattr(route, "slug", slug, raising=False)
    code, out = _run_cli(command)
    assert code == 0, out


def test_an_explicit_array_is_printed_where_the_command_cannot_rebuild_it(api, monkeypatch):
    route = _route(api, "steps")
    shape = (3, 2, 2, 2) if route.kernel.min_dims == 4 else (4, 3)
    w = np.random.RandomState(5).randn(*shape).astype(np.float32)
    a = steps.data_gradient(api, 7, shape, "float32")
    case = harness.Case(w, "float32", 0.01, InitSpec("array", array=w))
    _wrong_expectation(monkeypatch, "steps")
    message = steps.verify_steps(api, route, case, a, steps.OPTIMIZERS[0], 1).message
    assert "--init 'array'" in _field(message, "reproduce") and "--data-seed array" in _field(message, "reproduce")
    printed_a = message.split("  data grad a:")[1].split("  reproduce:")[0]
    printed_w = message.split("  weights:")[1]
    for printed, array in ((printed_a, a), (printed_w, w)):  # every value, exactly
        values = [float(x) for x in re.findall(r"[-+0-9.e]+", printed)]
        assert values == array.astype(np.float64).reshape(-1).tolist(), printed
