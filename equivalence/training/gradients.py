"""The gradient of a route's penalty with respect to its weights, taken the way users take it.

A route's `build` returns `Built(loss, weights)`; this module differentiates
`loss` with respect to `weights` by each METHOD that applies to how the route
runs (graph mode: `tf.gradients` and `Optimizer.compute_gradients`; eager:
`tf.GradientTape`), and judges it against `reference.l2_gradient`, per element,
with the bound numerics/tolerance.py derives (GradientTolerance: two roundings
per element plus flush-to-zero). A lost factor of two is an error of |exact|
(or |exact|/2): six orders of magnitude above the float32 bound.
"""

import numpy as np

from ..numerics import reference
from ..harness import WeightSource, _to_numpy
from ..numerics.reduction import unit_roundoff
from ..numerics.tolerance import GradientTolerance
from ..verdict import Verdict, failure_message, ratio, run_command, worst_element

class Method(object):
    """One way users differentiate a loss: `graph` tells in which mode it applies."""

    def __init__(self, name, graph, gradient):
        self.name, self.graph, self.gradient = name, graph, gradient

    @property
    def id(self):
        """A short id (`python -m equivalence run --gradient ID`, test ids): the name up to its "("."""
        return self.name.split("(")[0]

    def __repr__(self):
        return "Method(%s)" % self.name


def _tf_gradients(api, loss, weights):
    return api.v1.gradients(loss, [weights])[0]


def _compute_gradients(api, loss, weights):
    opt = api.v1.train.GradientDescentOptimizer(1.0)
    return opt.compute_gradients(loss, var_list=[weights])[0][0]


METHODS = [
    Method("tf.gradients(loss, w)", True, _tf_gradients),
    Method("GradientDescentOptimizer.compute_gradients(loss, var_list=[w])", True, _compute_gradients),
    Method("tf.GradientTape().gradient(loss, w)", False, None),
]


def method_by_id(method_id):
    for m in METHODS:
        if m.id == method_id or m.name == method_id:
            return m
    raise KeyError("no gradient method %r; known: %s" % (method_id, ", ".join(m.id for m in METHODS)))


def methods_for(api, route):
    graph = route.runs_in_graph(api)
    return [m for m in METHODS if m.graph == graph]


def measure_gradient(api, route, case, method):
    """Build `route` on `case` and differentiate its loss by `method`; return (gradient, readback)."""
    return measure_gradients(api, route, case, [method])[0]


def measure_gradients(api, route, case, methods):
    """[(gradient, readback)] of `route` on `case`, one per method of `methods` (all of one mode).

    Graph mode: one graph and one session for all the methods, each method's gradient op built on the same
    loss, all run in one `Session.run`. A method only adds ops to the graph (tf.gradients, or an optimizer's
    compute_gradients, which calls it); it never changes the loss, the variable or the collection, so each
    gradient is the one it would be in a graph of its own. Building the route's graph is most of an example's
    cost on TF 1.x (11-18 ms of the 17-35), so the graph methods share it."""
    weights = route.adapt(case.weights)
    if any(m.graph != methods[0].graph for m in methods):
        raise ValueError("one mode at a time: %s" % ", ".join(m.name for m in methods))
    if methods[0].graph:
        graph = api.tf.Graph()
        with graph.as_default():
            source = WeightSource(api, weights, case.dtype, graph_mode=True)
            built = route.build(api, source, case.lam)
            grads = [m.gradient(api, built.loss, built.weights) for m in methods]
            with api.v1.Session(graph=graph) as sess:
                sess.run(api.v1.global_variables_initializer(), feed_dict=source.feed)
                values = sess.run(grads + [built.weights], feed_dict=source.feed)
        readback = np.asarray(values[-1])
        return [(np.asarray(got), readback) for got in values[:-1]]
    if len(methods) != 1:
        raise ValueError("eager mode has one method, not %d" % len(methods))
    source = WeightSource(api, weights, case.dtype, graph_mode=False)
    with api.tf.GradientTape() as tape:
        built = route.build(api, source, case.lam)
    grad = tape.gradient(built.loss, built.weights)
    return [(_to_numpy(grad), _to_numpy(built.weights))]


def expected_gradient(route, case, api=None):
    weights = route.adapt(case.weights)
    lam = reference.stored_lambda(case.lam, route.lambda_precision_for(api))
    expected, _ = reference.l2_gradient(weights, lam, route.convention)
    c = 2.0 * route.convention.factor
    return expected, GradientTolerance(case.dtype, lam, c, weights, unit_roundoff(api, case.dtype))


def verify_gradient(api, route, case, method):
    """Differentiate `route` on `case` by `method` and judge it; never raises for a wrong number."""
    return verify_gradients(api, route, case, [method])[0]


def verify_gradients(api, route, case, methods=None):
    """[Verdict] of `route` on `case`, one per method of `methods` (default: every method that applies to
    how the route runs here, methods_for), measured in one graph (measure_gradients), each judged on its
    own against the same reference; never raises for a wrong number."""
    methods = methods or methods_for(api, route)
    measured = measure_gradients(api, route, case, methods)
    expected, tol = expected_gradient(route, case, api)
    return [_judge(api, route, case, method, got, readback, expected, tol)
            for method, (got, readback) in zip(methods, measured)]


def _judge(api, route, case, method, got, readback, expected, tol):
    got64 = np.asarray(got).astype(np.float64)
    problems = []
    if not np.array_equal(np.asarray(readback).astype(np.float64),
                          reference.as_float64(route.adapt(case.weights))):
        problems.append("the variable read back differs from the weights handed in")
    if got64.shape != expected.shape:
        problems.append("the gradient has shape %s, the weights %s" % (got64.shape, expected.shape))
    else:
        err = np.abs(got64 - expected)
        bad = ~(err <= tol.bound(expected))
        if np.any(bad):
            problems.append("%d of %d gradient elements are off the reference by more than the tolerance"
                            % (int(np.sum(bad)), bad.size))
    dtype = getattr(getattr(got, "dtype", None), "name", None)
    if dtype is not None and got64.size and np.asarray(got).dtype != api.numpy_dtype(case.dtype):
        problems.append("the gradient has dtype %s, the weights %s" % (dtype, case.dtype))
    worst = _worst(got64, expected, tol)
    message = _failure_message(api, route, case, method, dtype, worst, got64, expected, tol, problems) \
        if problems else ""
    return Verdict(not problems, message, got64, expected, tol, ratio(worst[2], worst[1]) if worst else None)


def _worst(got, expected, tol):
    """(index, expected, got, bound) of the element furthest past its bound; None when there is none."""
    if got.shape != expected.shape or not got.size:
        return None
    bound = np.broadcast_to(tol.bound(expected), expected.shape)
    i = worst_element(got, expected, bound)
    return i, float(expected[i]), float(got[i]), float(bound[i])


def _failure_message(api, route, case, method, dtype, worst, got, expected, tol, problems):
    """What differs from a penalty's message: the numbers are the worst element's, plus the ratio of sums."""
    e = g = bound = None
    extra = []
    if worst is not None:
        i, e, g, bound = worst
        note = "reference, worst element %s of %s" % (i, expected.shape)
        extra.append("ratio of sums: %r" % (float(np.sum(got)) / float(np.sum(expected))
                                            if float(np.sum(expected)) else float("nan")))
    elif got.shape == expected.shape:
        note = "the weights have no elements"
    else:
        note = "the gradient has shape %s, the weights %s" % (got.shape, expected.shape)
    return failure_message(
        api, route, case, "the gradient by %s" % method.name, problems, e, g, tol.describe(), bound,
        run_command(route, case, "--gradient '%s'" % method.id),
        formula="gradient %s * lambda * w" % ("1" if route.convention.factor == 0.5 else "2"),
        expected_note=note, got_note="dtype %s" % dtype, extra=extra)
