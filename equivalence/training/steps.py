"""Optimizer steps on `data loss + penalty`: TensorFlow's, and NumPy's with a derived error bound.

The loss is `sum(a * w) + penalty(w)`, the penalty built by a route. Its
gradient is `a + lambda * w` (half convention) or `a + 2 * lambda * w`
(full), so every step shows whether the route fed the optimizer the right
multiple of lambda: with a lost factor of two the trajectory drifts by
`lr * lambda * |w|` per step, far above the bound below.

How TensorFlow runs the steps, by how the route runs (registry-driven):

* graph mode: `optimizer.minimize(loss, var_list=[w])` of the `tf.compat.v1.train`
  optimizer, run n times in one session (how TF 1.x code trains);
* eager: each step builds the route on the current weights under a
  `GradientTape` (users recompute the penalty every step) and hands the
  gradient to `apply_gradients` of the Keras optimizer of the Keras that owns
  the weights (Keras 3 for Keras 3 variables, `tf.keras` otherwise), which
  updates one persistent variable, so momentum and Adam keep their slots.

The NumPy reference is a running error analysis (numerics/tolerance.py,
`Tracked`): every intermediate carries its float64 value and a rigorous bound
on how far the same computation in the case's dtype can be from it.

The NumPy step follows the formula each optimizer family evaluates (tf.compat.v1
kernels ApplyGradientDescent / ApplyMomentum / ApplyAdam, Keras' update_step);
where two families order the same mathematics differently (momentum), each has
its form. `beta**t` comes from `pow` in Keras (not correctly rounded): it gets two
roundings. Hyperparameters are exact binary fractions, so storing them in
float32 (Keras keeps them as float32 variables) changes nothing, and lambda
is the float32 lambda for Keras routes, as in the value tests. For float64
cases the float64 reference rounds as much as TensorFlow does: the bound is
doubled. Adam's division by sqrt(v) + eps amplifies errors where v is small;
the bound carries that honestly (it is widest exactly there).
"""

import numpy as np

from ..harness import WeightSource, _to_numpy
from ..numerics import reference, tolerance as tolerance_mod
from ..numerics.tolerance import Tracked  # the running error bound; importable from here too
from ..verdict import Verdict, array_text, failure_message, ratio, run_command, worst_element

STEP_DTYPES = ("float32", "float64")

# Exact binary fractions (see module doc); Adam's are close to its defaults.
LR = 2.0 ** -3
MOMENTUM = 0.875
ADAM_LR = 2.0 ** -6
BETA_1 = 0.875
BETA_2 = 1.0 - 2.0 ** -7
EPSILON = 2.0 ** -23


# -- NumPy steps: state is a dict of Tracked slots; `grad(w)` is the Tracked gradient -----------

def sgd_step(w, g, state, t, form):
    return w - g * LR


def momentum_step(w, g, state, t, form):
    if form == "v1":  # ApplyMomentum: accum = accum * momentum + grad; var -= accum * lr
        accum = state.get("accum", Tracked.exact(np.zeros_like(w.value), w.dtype))
        state["accum"] = accum * MOMENTUM + g
        return w - state["accum"] * LR
    # Keras SGD(momentum=): m = m * momentum - grad * lr; var += m
    m = state.get("m", Tracked.exact(np.zeros_like(w.value), w.dtype))
    state["m"] = m * MOMENTUM - g * LR
    return w + state["m"]


def adam_step(w, g, state, t, form):
    """ApplyAdam and Keras' Adam.update_step: the same formula, epsilon outside the bias correction."""
    zeros = Tracked.exact(np.zeros_like(w.value), w.dtype)
    m, v = state.get("m", zeros), state.get("v", zeros)
    b1t = Tracked.stored(BETA_1 ** t, w.dtype, roundings=2)
    b2t = Tracked.stored(BETA_2 ** t, w.dtype, roundings=2)
    alpha = (ADAM_LR * (1.0 - b2t).sqrt()) / (1.0 - b1t)
    state["m"] = m + (g - m) * (1.0 - BETA_1)
    state["v"] = v + (g * g - v) * (1.0 - BETA_2)
    return w - (state["m"] * alpha) / (state["v"].sqrt() + EPSILON)


class Optimizer(object):
    """One optimizer: its NumPy step, and how to make it in tf.compat.v1.train and in Keras."""

    def __init__(self, name, lr, step, v1, keras):
        self.name, self.lr, self.step, self.v1, self.keras = name, lr, step, v1, keras

    def __repr__(self):
        return "Optimizer(%s)" % self.name


OPTIMIZERS = [
    Optimizer("SGD", LR, sgd_step,
              lambda train: train.GradientDescentOptimizer(LR),
              lambda opt: opt.SGD(learning_rate=LR)),
    Optimizer("momentum", LR, momentum_step,
              lambda train: train.MomentumOptimizer(LR, MOMENTUM),
              lambda opt: opt.SGD(learning_rate=LR, momentum=MOMENTUM)),
    Optimizer("Adam", ADAM_LR, adam_step,
              lambda train: train.AdamOptimizer(ADAM_LR, beta1=BETA_1, beta2=BETA_2, epsilon=EPSILON),
              lambda opt: opt.Adam(learning_rate=ADAM_LR, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON)),
]


def reference_trajectory(route, case, data_grad, optimizer, n_steps, form, api=None):
    """The weights after each of `n_steps` NumPy steps, as Tracked values (`api`: the install, whose Keras
    may store lambda differently; None: the newest release's, Route.lambda_precision_for)."""
    dtype = case.dtype
    w0 = reference.as_float64(route.adapt(case.weights))
    tiny = tolerance_mod.SMALLEST_NORMAL[dtype]
    w = Tracked(w0, np.where(np.abs(w0) < tiny, np.abs(w0), 0.0), dtype)  # subnormals may be flushed
    a = Tracked.exact(reference.as_float64(route.adapt(data_grad)), dtype)
    lam = Tracked.stored(reference.stored_lambda(case.lam, route.lambda_precision_for(api)), dtype)
    c = 2.0 * route.convention.factor
    state, out = {}, []
    for t in range(1, n_steps + 1):
        g = a + lam * (w * c)
        w = optimizer.step(w, g, state, t, form)
        out.append(w)
    return out


def step_form(api, route):
    return "v1" if route.runs_in_graph(api) else "keras"


def keras_owning(api, weights):
    """The Keras whose optimizers update these weights, and whether it is Keras 3."""
    if api.keras3 is not None and isinstance(weights, api.keras3.Variable):
        return api.keras3, True
    return api.tf_keras_module, api.keras_flavour == "keras3"


def run_steps(api, route, case, data_grad, optimizer, n_steps):
    """The weights after each of `n_steps` TensorFlow steps (see module doc for how)."""
    weights = route.adapt(case.weights)
    a = route.adapt(data_grad)
    tf = api.tf
    if route.runs_in_graph(api):
        graph = tf.Graph()
        with graph.as_default():
            source = WeightSource(api, weights, case.dtype, graph_mode=True)
            built = route.build(api, source, case.lam)
            total = tf.reduce_sum(tf.constant(a, dtype=source.dtype) * built.weights) + built.loss
            train = optimizer.v1(api.v1.train).minimize(total, var_list=[built.weights])
            out = []
            with api.v1.Session(graph=graph) as sess:
                sess.run(api.v1.global_variables_initializer(), feed_dict=source.feed)
                for _ in range(n_steps):
                    sess.run(train, feed_dict=source.feed)
                    out.append(sess.run(built.weights))
        return out
    current, master, opt, out = weights, None, None, []
    for _ in range(n_steps):
        source = WeightSource(api, current, case.dtype, graph_mode=False)
        with tf.GradientTape() as tape:
            built = route.build(api, source, case.lam)
            total = tf.reduce_sum(tf.constant(a, dtype=source.dtype) * built.weights) + built.loss
        grad = tape.gradient(total, built.weights)
        if master is None:
            keras, is_keras3 = keras_owning(api, built.weights)
            master = (keras.Variable(weights, dtype=case.dtype) if is_keras3 else tf.Variable(weights))
            opt = optimizer.keras(keras.optimizers)
        opt.apply_gradients([(grad, master)])
        current = _to_numpy(master)
        out.append(current)
    return out


def data_gradient(api, seed, shape, dtype):
    """The data loss sum(a * w)'s gradient `a`: uniform in [-1, 1) from RandomState(seed), exact in `dtype`."""
    return np.random.RandomState(seed).uniform(-1.0, 1.0, size=shape).astype(api.numpy_dtype(dtype))


def optimizer_by_name(name):
    for o in OPTIMIZERS:
        if o.name == name:
            return o
    raise KeyError("no optimizer %r; known: %s" % (name, ", ".join(o.name for o in OPTIMIZERS)))


def verify_steps(api, route, case, data_grad, optimizer, n_steps, data_seed=None):
    """Run `n_steps` in TF and in NumPy; judge every step. Never raises for a wrong number.

    `data_seed`: the seed `data_grad` was drawn with (data_gradient), for the reproduce command;
    without it the message prints `data_grad` itself."""
    got = run_steps(api, route, case, data_grad, optimizer, n_steps)
    form = step_form(api, route)
    expected = reference_trajectory(route, case, data_grad, optimizer, n_steps, form, api)
    for t, (g, e) in enumerate(zip(got, expected), 1):
        g64 = np.asarray(g).astype(np.float64)
        bad = ~(np.abs(g64 - e.value) <= e.bound())
        if np.any(bad):
            i = worst_element(g64, e.value, e.bound())
            message = _failure_message(api, route, case, optimizer, form, n_steps, t, i, g64, e, bad,
                                       np.asarray(g).dtype, data_grad, data_seed)
            return Verdict(False, message, got, expected, ratio=ratio(float(g64[i]), float(e.value[i])))
    return Verdict(True, "", got, expected)


def _failure_message(api, route, case, optimizer, form, n_steps, t, i, got, expected, bad, dtype, data_grad,
                     data_seed):
    """What differs from a penalty's message: step t's worst weight, judged by the running bound."""
    extra = ["loss:         sum(a * w) + penalty, a = the data gradient (%s)" % (
        "steps.data_gradient, seed %d" % data_seed if data_seed is not None else "printed below")]
    if data_seed is None:
        extra.append("data grad a:  %s" % array_text(data_grad))
    return failure_message(
        api, route, case, "the weights after step %d of %d of %s (%s form) left the NumPy trajectory" % (
            t, n_steps, optimizer.name, form),
        ["%d of %d weights are off by more than the derived bound" % (int(np.sum(bad)), bad.size)],
        float(expected.value[i]), float(got[i]),
        "the running error bound of the NumPy steps (tolerance.Tracked)", float(expected.bound()[i]),
        run_command(route, case, "--optimizer %s --steps %d --data-seed %s" % (
            optimizer.name, n_steps, data_seed if data_seed is not None else "array")),
        formula="gradient a + %s * lambda * w" % ("1" if route.convention.factor == 0.5 else "2"),
        expected_note="NumPy step, worst element %s of %s" % (i, got.shape), got_note="TensorFlow, dtype %s" % dtype,
        extra=extra)
