"""Decoupled weight decay versus an L2 penalty, measured against NumPy.

Decoupled weight decay shrinks the weights directly, outside the gradient:

* Keras optimizers' `weight_decay=` (Keras 3, tf.keras >= 2.11, tf_keras) and
  `AdamW`: before the update, `w -= w * wd * lr` (the decay is scaled by the
  learning rate), then the usual update with the gradient taken at the old w.
* `tf.contrib.opt.AdamWOptimizer` / `MomentumWOptimizer` (TF 1.x contrib,
  DecoupledWeightDecayExtension): `w -= wd * w` (not scaled by the learning
  rate), then the update.

With plain SGD both equal an L2 penalty, exactly in real arithmetic:
Keras' decay wd is contrib `l2_regularizer(scale=wd)` = Keras `l2(wd / 2)`;
contrib's wd is `l2_regularizer(scale=wd / lr)`. With momentum or Adam they
differ: the L2 gradient enters the momentum (and Adam's normalisation by
sqrt(v)), the decay does not. Each entry of DECOUPLED declares which, and the
tests assert it against NumPy trajectories with the running error bound of
steps.py (TF's trajectory is within the bound of the decoupled NumPy
trajectory; for SGD also within the sum of both bounds of the L2 one; for
the others outside it).
"""

import numpy as np

from ..harness import _to_numpy
from ..routes.registry import on_tensorflow_backend
from ..numerics.tolerance import Tracked
from . import steps

WEIGHT_DECAY = 2.0 ** -4  # an exact binary fraction (see steps.py)


class Decoupled(object):
    """One decoupled-weight-decay optimizer.

    base:        the steps.OPTIMIZERS entry whose update follows the decay
    form:        "keras" (decay w * wd * lr, eager Keras) or "v1" (decay wd * w, graph contrib)
    make:        api -> optimizer, or raises; `missing(api)` says why it is absent
    equals_l2:   whether real arithmetic makes it identical to an L2 penalty (plain SGD only)
    """

    def __init__(self, name, base, form, make, missing, equals_l2):
        self.name, self.base, self.form, self.make = name, base, form, make
        self.missing, self.equals_l2 = missing, equals_l2

    def __repr__(self):
        return "Decoupled(%s)" % self.name

    def l2_scale(self):
        """The contrib (half-convention) scale whose L2 gradient gives the same SGD step."""
        return WEIGHT_DECAY if self.form == "keras" else WEIGHT_DECAY / self.base.lr


def _base(name):
    return [o for o in steps.OPTIMIZERS if o.name == name][0]


# The decay is measured on a tf.Variable stepped by a tf.keras optimizer: TensorFlow's variables need the
# TensorFlow backend (a Keras 3 optimizer on jax or torch steps that backend's variables).
KERAS_ON_TF_VARIABLES = on_tensorflow_backend(
    ["a tf.keras optimizer on a tf.Variable"], "tf.keras' optimizers are {backend}'s here and do not step a "
    "tf.Variable (the decay is measured on one)", keras_module="tf.keras")


def _keras_missing(build):
    def missing(api):
        if not api.tf2:
            return "Keras optimizers run eagerly only on TensorFlow 2 (installed: %s)" % api.tf_version
        if api.tf_keras_module is None:
            return api.tf_keras_module_reason
        tensorflow_only = KERAS_ON_TF_VARIABLES.missing(api)
        if tensorflow_only:
            return tensorflow_only
        try:
            build(api)
        except Exception as exc:  # TypeError: unexpected keyword / AttributeError: no AdamW
            return "%s is not offered by tf.keras %s (%s: %s)" % (
                "this optimizer", api.keras_version, type(exc).__name__, str(exc).splitlines()[0][:120])
        return None
    return missing


def _contrib_missing(build):
    def missing(api):
        if api.tf2:
            return "tf.contrib.opt was removed in TensorFlow 2.0 (installed: %s)" % api.tf_version
        try:
            build(api)
        except Exception as exc:
            return "tf.contrib.opt has no such optimizer in TF %s (%s: %s)" % (
                api.tf_version, type(exc).__name__, str(exc).splitlines()[0][:120])
        return None
    return missing


def _entry(name, base, form, build, equals_l2):
    missing = (_keras_missing if form == "keras" else _contrib_missing)(build)
    return Decoupled(name, _base(base), form, build, missing, equals_l2)


def _contrib_opt(api):
    import tensorflow.contrib.opt as contrib_opt  # noqa: E402  (TF 1.x only)
    return contrib_opt


DECOUPLED = [
    _entry("keras SGD(weight_decay=wd)", "SGD", "keras",
           lambda api: api.tf_keras_module.optimizers.SGD(learning_rate=steps.LR, weight_decay=WEIGHT_DECAY),
           equals_l2=True),
    _entry("keras SGD(momentum=, weight_decay=wd)", "momentum", "keras",
           lambda api: api.tf_keras_module.optimizers.SGD(learning_rate=steps.LR, momentum=steps.MOMENTUM,
                                                          weight_decay=WEIGHT_DECAY),
           equals_l2=False),
    _entry("keras Adam(weight_decay=wd)", "Adam", "keras",
           lambda api: api.tf_keras_module.optimizers.Adam(
               learning_rate=steps.ADAM_LR, beta_1=steps.BETA_1, beta_2=steps.BETA_2, epsilon=steps.EPSILON,
               weight_decay=WEIGHT_DECAY),
           equals_l2=False),
    _entry("keras AdamW(weight_decay=wd)", "Adam", "keras",
           lambda api: api.tf_keras_module.optimizers.AdamW(
               learning_rate=steps.ADAM_LR, beta_1=steps.BETA_1, beta_2=steps.BETA_2, epsilon=steps.EPSILON,
               weight_decay=WEIGHT_DECAY),
           equals_l2=False),
    _entry("contrib.opt.MomentumWOptimizer(wd, lr, momentum=0)", "SGD", "v1",
           lambda api: _contrib_opt(api).MomentumWOptimizer(WEIGHT_DECAY, steps.LR, 0.0),
           equals_l2=True),
    _entry("contrib.opt.AdamWOptimizer(wd, lr)", "Adam", "v1",
           lambda api: _contrib_opt(api).AdamWOptimizer(WEIGHT_DECAY, steps.ADAM_LR, beta1=steps.BETA_1,
                                                        beta2=steps.BETA_2, epsilon=steps.EPSILON),
           equals_l2=False),
]


def run_decoupled(api, entry, weights, data_grad, n_steps):
    """TF's weights after each step on the loss sum(a * w), with the entry's decay."""
    tf, out = api.tf, []
    if entry.form == "v1":
        graph = tf.Graph()
        with graph.as_default():
            w = api.v1.Variable(weights)
            loss = tf.reduce_sum(tf.constant(data_grad) * w)
            train = entry.make(api).minimize(loss, var_list=[w])
            with api.v1.Session(graph=graph) as sess:
                sess.run(api.v1.global_variables_initializer())
                for _ in range(n_steps):
                    sess.run(train)
                    out.append(sess.run(w))
        return out
    keras, is_keras3 = steps.keras_owning(api, None)
    w = keras.Variable(weights, dtype=weights.dtype.name) if is_keras3 else tf.Variable(weights)
    opt = entry.make(api)
    a = tf.constant(data_grad)
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(a * w)
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        out.append(_to_numpy(w))
    return out


def decoupled_trajectory(entry, weights, data_grad, n_steps, dtype):
    """NumPy: decay, then the base update with the gradient at the pre-decay weights."""
    w = Tracked.exact(np.asarray(weights, np.float64), dtype)
    a = Tracked.exact(np.asarray(data_grad, np.float64), dtype)
    lr = entry.base.lr
    state, out = {}, []
    for t in range(1, n_steps + 1):
        decayed = w - (w * WEIGHT_DECAY) * lr if entry.form == "keras" else w - w * WEIGHT_DECAY
        w = entry.base.step(decayed, a, state, t, entry.form)
        out.append(w)
    return out


def l2_trajectory(entry, weights, data_grad, n_steps, dtype):
    """NumPy: the same base optimizer on sum(a * w) + scale * sum(w**2) / 2, scale = entry.l2_scale()."""
    w = Tracked.exact(np.asarray(weights, np.float64), dtype)
    a = Tracked.exact(np.asarray(data_grad, np.float64), dtype)
    scale = Tracked.stored(entry.l2_scale(), dtype)
    state, out = {}, []
    for t in range(1, n_steps + 1):
        w = entry.base.step(w, a + scale * w, state, t, entry.form)
        out.append(w)
    return out


def relative_gap(x, y):
    """max |x - y| / max |y|: how far apart two trajectories end, relative to the weights' size."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return float(np.max(np.abs(x - y)) / max(float(np.max(np.abs(y))), 1e-300))
