"""A model route (routes/models.py) on one case: its entries, its reported loss, and its SGD step.

Three checks, each against an independent NumPy computation:

* entries: the structure holds one regularized weight, so `model.losses` (or
  `layer.losses`) has exactly one entry: a repeated or dropped entry fails;
* the value: the penalty the reader reports (`add_n(model.losses)`, fit's or
  train_on_batch's loss, evaluate's loss, the loss inside a GradientTape)
  against the regularizer's reference, with the bound the harness derives
  (harness.expectation); the data loss is exactly 0, so nothing else is in it;
* the step (fit, train_on_batch, the GradientTape loop): the kernel after one
  SGD step of rate steps.LR against the NumPy step `w - lr * c * lambda * w`
  (steps.reference_trajectory with a zero data gradient: the running error
  bound of tolerance.Tracked). A penalty left out of the step leaves the kernel
  unchanged, a lost factor of two moves it by half: both far outside the bound.

Readers that return the penalty tensor (layer_losses, model_losses,
scale_regularization_loss) run through harness.verify (the value, the weights
read back bit for bit, the dtype); the others run here: eagerly on TF 2, in
a fresh graph whose session Keras runs on TF 1.x.
"""

import time

import numpy as np

from ..harness import EXAMPLES, expectation, same_bits, to_numpy, verify
from ..verdict import Verdict, failure_message, ratio, run_command, worst_element
from . import steps

EXPECTED_ENTRIES = 1  # every model route's structure holds one regularized weight


def _trains(route):
    """A reader judged here on its reported float (the training readers, and the round trips: the penalty of
    the restored model, its kernel read back bit for bit)."""
    from ..routes.models import ROUND_TRIPS
    return route.reader.name in ("fit", "evaluate", "train_on_batch", "tape") + ROUND_TRIPS


# Upstream race (standalone Keras 2.2.4 on TF 1.12, measured; 2.1.6 has the same Function and SGD code; the same
# family as keras-team/keras#10769, K.function's updates racing the reads of ref variables): the optimizer makes
# its tf.assign ops in get_updates, before K.function opens tf.control_dependencies(outputs), so only the train
# function's group NoOp waits for the loss; the kernel's Assign does not wait for the penalty's Square. Keras 2's
# weights are ref variables, whose snapshot forwards the buffer the Assign writes in place, so when the executor
# happens to run the Assign first, fit / train_on_batch report the penalty of the post-step kernel
# ((1 - 2 lr lambda)^2 times the reference). Measured 2026-12-04 on TF 1.12: in tests/test_models.py at 40
# examples per route (two processes) 5 or 6 of the 6 training routes met it; verify_model alone in one idle
# process, 20 of 180 readings (30 cases per route); `python -m benchmarks.probe_keras2_race 200` (a bare Keras
# loop, the symptom) 1 of 200. tf.keras on TF 1.x has the same ordering; from 1.12 (at least) its layer weights
# are resource variables, read at the step's start, while TF 1.6's are ref variables too (VariableV2), and its
# training routes never met it (0 of 120). Minimal reproduction of the cause (TF 1.12, keras 2.2.4): the kernel's
# Assign has no path from the penalty,
#   m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), kernel_regularizer=keras.regularizers.l2(0.6))])
#   m.compile("sgd", "mse"); m._make_train_function(); g = tf.get_default_graph()
#   a = [o for o in g.get_operations() if o.type == "Assign" and "kernel" in o.inputs[0].name and "SGD" in o.name]
#   walk = tf.contrib.graph_editor.get_backward_walk_ops(a[0].outputs[0], control_inputs=True)
#   print([o.name for o in walk if o.name.endswith("weight_regularizer/Square")])  # [] (only its gradient's ops)
# Neither one inter-op thread nor the same layer names (K.reset_uids) fix the order (with both, 5 of the 6 routes
# still read after the step at 40 examples). So the loss of a standalone Keras 2 training reader is one of exactly
# two values, each judged against its own reference: the penalty of the kernel before the step, or (the race)
# after it, and only with the step itself agreeing with NumPy (_after_step_reading); tests/test_models.py fails a
# route none of whose readings is before the step (READINGS), as the report fails a fixed case (RACE_ATTEMPTS).


def run_model_route(api, route, case):
    """Build and read `route` on `case` the way its reader runs: a Trained (see routes/models.py)."""
    from ..harness import WeightSource
    from ..routes.plumbing import layer_module
    weights = route.adapt(case.weights)
    if route.runs_in_graph(api):
        graph = api.tf.Graph()
        with graph.as_default():
            sess = api.v1.Session(graph=graph)
            # the route's own Keras (standalone Keras 2 keeps a session of its own): its models run in this graph
            keras = layer_module(api, route.regularizer)
            keras.backend.set_session(sess)
            try:
                source = WeightSource(api, weights, case.dtype, graph_mode=True)
                built = route.build(api, source, case.lam)
            finally:
                sess.close()
        return built
    source = WeightSource(api, weights, case.dtype, graph_mode=False, on_backend=route.on_backend(api))
    return route.build(api, source, case.lam)


def verify_model(api, route, case):
    """Judge `route` on `case`: entries, value and (for a training reader) the step. Never raises for a
    wrong number: returns a Verdict."""
    if not _trains(route):
        verdict = verify(api, route, case)
        entries = verdict.measurement.entries
        if entries == EXPECTED_ENTRIES or not verdict.ok:
            return verdict if entries == EXPECTED_ENTRIES else _with_entries(api, route, case, verdict, entries)
        return _with_entries(api, route, case, verdict, entries)
    start = time.perf_counter()
    built = run_model_route(api, route, case)
    EXAMPLES[route.name] += 1
    seconds = time.perf_counter() - start
    ref, tol = expectation(route, case, api)
    got = float(built.loss)
    problems = []
    if built.entries != EXPECTED_ENTRIES:
        problems.append("model.losses has %s entries; the model holds %d regularized weight" % (
            built.entries, EXPECTED_ENTRIES))
    round_trip = route.attachment.fills == "restorable"
    if not same_bits(built.weights, route.adapt(case.weights)):
        problems.append("the kernel %s differs from the weights handed in" % (
            "after the %s round trip" % route.reader.name if round_trip else "before training"))
    read_after_step = False
    if not tol.accepts(got, ref.value) and _after_step_reading(api, route, case, built, got):
        read_after_step = True  # the declared race (above): the step is judged below as for any reading
    elif not tol.accepts(got, ref.value):
        problems.append("the penalty of the model after the %s round trip is off the reference by more than the "
                        "tolerance (a regularizer dropped or changed on reload)" % route.reader.name if round_trip
                        else "the reported loss is off the penalty's reference by more than the tolerance "
                        "(the data loss is exactly 0)")
    step_problem, step_extra, step_ratio = _judge_step(route, case, built, api)
    if step_problem:
        problems.append(step_problem)
    if not problems:
        verdict = Verdict(True, "", got, ref, tol, ratio(got, ref.value))
        verdict.read_after_step = read_after_step
        return verdict
    measured = "the loss %s reports" % route.reader.name if len(problems) > (1 if step_problem else 0) else (
        "the kernel after one SGD step of %s" % route.reader.name)
    message = failure_message(
        api, route, case, measured, problems, ref.value, got, tol.describe(), tol.bound(ref.value),
        run_command(route, case),
        formula=route.convention.formula if round_trip else "%s; the step w - lr * %s * lambda * w (lr = %r, data loss 0)" % (
            route.convention.formula, "1" if route.convention.factor == 0.5 else "2", steps.LR),
        expected_note="the penalty's reference", got_note="the reported loss",
        extra=["entries:      %s in model.losses (expected %d); %.2f s" % (built.entries, EXPECTED_ENTRIES, seconds)]
        + step_extra)
    return Verdict(False, message, got, ref, tol, step_ratio if step_problem and len(problems) == 1
                   else ratio(got, ref.value))


def _after_step_reading(api, route, case, built, got):
    """Whether `got` is the race's reading (above): a standalone Keras 2 training reader whose reported loss is
    the reference penalty of its own kernel after the step, judged with the same derived tolerance."""
    from ..harness import rounded_expectation
    from ..routes.plumbing import layer_module
    from ..routes.registry import standalone_keras
    keras2 = standalone_keras(api)
    if keras2 is None or built.after is None or layer_module(api, route.regularizer) is not keras2:
        return False
    ref, tol = rounded_expectation(route, case, case.dtype, api, weights=built.after)
    return bool(tol.accepts(got, ref.value))


def expected_step(route, case, api=None):
    """The kernel after one SGD step on `0 + penalty` (NumPy, with its running bound; `api`: the install)."""
    weights = route.adapt(case.weights)
    sgd = steps.optimizer_by_name("SGD")
    return steps.reference_trajectory(route, case, np.zeros_like(weights), sgd, 1, "keras", api)[0]


def _judge_step(route, case, built, api=None):
    """(problem or None, message lines, ratio of the worst element's move to the NumPy step's)."""
    if built.after is None:
        return None, [], None
    e = expected_step(route, case, api)
    after = np.asarray(built.after).astype(np.float64)
    bad = ~(np.abs(after - e.value) <= e.bound())
    if not np.any(bad):
        return None, ["step:         the kernel after one SGD step agrees with NumPy"], None
    i = worst_element(after, e.value, e.bound())
    w0 = np.asarray(route.adapt(case.weights)).astype(np.float64)
    moved, should = float(w0[i] - after[i]), float(w0[i] - e.value[i])
    r = ratio(moved, should)
    problem = "%d of %d kernel elements after one SGD step are off the NumPy step by more than its derived bound" % (
        int(np.sum(bad)), bad.size)
    lines = ["step:         worst element %s: NumPy %r, TensorFlow %r, bound %.3g (tolerance.Tracked)" % (
        list(i), float(e.value[i]), float(after[i]), float(e.bound()[i])),
        "step moved:   %r, the penalty's gradient says %r: ratio %r (0 = the penalty is not in the step, "
        "0.5 or 2 = a lost factor of two)" % (moved, should, r)]
    return problem, lines, r


def _with_entries(api, route, case, verdict, entries):
    problems = ["%s has %s entries; the model holds %d regularized weight" % (
        "model.losses" if route.attachment.fills == "model" else "layer.losses", entries, EXPECTED_ENTRIES)]
    if not verdict.ok:
        return verdict
    message = failure_message(
        api, route, case, "the entries of %s" % route.reader.name, problems, verdict.expected.value, verdict.got,
        verdict.tolerance.describe(), verdict.tolerance.bound(verdict.expected.value), run_command(route, case))
    return Verdict(False, message, verdict.got, verdict.expected, verdict.tolerance, verdict.ratio,
                   measurement=verdict.measurement)


# -- the activity regularizer ---------------------------------------------------------------------
def activity_inputs(n_in, batch, seed, dtype="float32"):
    """The layer's input: uniform in [-1, 1) from RandomState(seed), `batch` rows."""
    return np.random.RandomState(seed).uniform(-1.0, 1.0, size=(batch, n_in)).astype(dtype)


def verify_activity(api, route, case, batch, seed):
    """Dense(kernel = the case's array, activity_regularizer = the route's regularizer) on `batch` rows:
    sum(layer.losses) against reference.activity_l2 of the layer's own output, averaged or summed over
    the batch as this release does (semantics/model_table.py). Never raises for a wrong number."""
    from ..harness import WeightSource
    from ..numerics import reference
    from ..numerics.reduction import reference_tolerance
    from ..routes.models import LAYER_LOSSES
    from ..semantics.model_table import activity_batch_mean
    weights = route.adapt(case.weights)
    x = activity_inputs(weights.shape[0], batch, seed, case.dtype)

    def run(graph_mode):
        source = WeightSource(api, weights, case.dtype, graph_mode=graph_mode,
                              on_backend=not graph_mode and route.on_backend(api))
        source.inputs = x
        at = route.attachment.attach(api, source, route.regularizer.make(api, case.lam), route.regularizer)
        return at, LAYER_LOSSES.read(api, at)

    if route.runs_in_graph(api):
        with api.tf.Graph().as_default():
            with api.v1.Session() as sess:
                at, built = run(True)
                sess.run(api.v1.global_variables_initializer())
                y, got = sess.run([at.value, built.loss])
    else:
        at, built = run(False)
        y, got = (to_numpy(api, t) for t in (at.value, built.loss))
    EXAMPLES[route.name] += 1
    mean = activity_batch_mean(api, route.regularizer.module)
    lam = reference.stored_lambda(case.lam, route.lambda_precision_for(api))
    ref = reference.activity_l2(np.asarray(y), lam, mean)
    tol = reference_tolerance(api, case.dtype, ref, lam, route)
    got = float(got)
    problems = []
    if built.entries != 1:
        problems.append("layer.losses has %s entries; one activity penalty was added" % built.entries)
    if not tol.accepts(got, ref.value):
        problems.append("the activity penalty is off lambda * sum(y**2)%s by more than the tolerance" % (
            " / batch" if mean else ""))
    if not problems:
        return Verdict(True, "", got, ref, tol, ratio(got, ref.value))
    message = failure_message(
        api, route, case, "the activity penalty of a batch of %d" % batch, problems, ref.value, got, tol.describe(),
        tol.bound(ref.value), "pytest tests/test_models.py -k activity  (inputs: training.models.activity_inputs("
        "%d, %d, seed=%d))" % (weights.shape[0], batch, seed),
        formula="lambda * sum(y**2)%s, y = the layer's output (%s over the batch on this release)" % (
            " / batch" if mean else "", "averaged" if mean else "summed"),
        extra=["ratio to the other convention: %r (%s)" % (
            ratio(got, ref.value * (1.0 / batch if not mean else batch)),
            "1.0 = the batch division was %s" % ("gained" if not mean else "lost"))])
    return Verdict(False, message, got, ref, tol, ratio(got, ref.value))
