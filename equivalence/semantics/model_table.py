"""The Keras models table: what a Keras release does with regularizers in models, per release.

Scenarios (observed by `observe`, in this process: each builds its own graph on TF 1.x) and rows
(the same Row / selector / lookup as the other tables, semantics/table.py). The subject is the
Keras module a user reaches (routes/regularizers.py FLAVOURS: "tf.keras", "keras", "tf_keras"; its
trait is `module`), or "contrib" (tf_slim / tf.contrib's batch_norm) for `slim_batch_norm`.
Every expected number is computed here with NumPy from the scenario's inputs, never copied
from a run; observations are rounded to ROUND significant digits (the float32 results the
scenarios print are exact to far more than that, and the alternatives differ by a factor).

Not (yet) an area of semantics/areas.py: an area's cells are recorded per release in
docs/semantics.json by the 39-release history sweep, and a new area's cells would be missing
there. tests/test_models.py judges these cells in each env and checks no row is dead across the
releases of the history matrix; joining AREAS is a follow-up with the next sweep.
"""

import numpy as np

from .outcomes import Detail, Raises
from .table import Row, dead_rows, lookup  # noqa: F401  (dead_rows: for the test)

ROUND = 6  # significant digits an observation is compared with

# -- the scenarios' inputs (shared by the probe and the expectation) -------------------------------
ACTIVITY_UNITS, ACTIVITY_L1, ACTIVITY_L2, ACTIVITY_X = 5, 0.01, 0.01, 2.0
BATCHES = (1, 5, 10)
AFTER_BUILD_SHAPE, AFTER_BUILD_LAMBDA = (4, 3), 0.1
TAPE_LAMBDA, TAPE_INPUTS = 0.5, 2
BN_LAMBDA, BN_CHANNELS = 0.2, 3


def significant(x, digits=ROUND):
    if isinstance(x, (list, tuple)):
        return [significant(i, digits) for i in x]
    x = float(x)
    return float("%.*g" % (digits, x))


def f32(x):
    return float(np.float32(x))


# tf.keras sums the activity penalty over the batch before this release, averages it from it on
# (measured: 1.6, 1.9, 1.12 sum; 1.13, 1.14, 1.15, 2.15, 2.21 average). Keras 3 and tf_keras average.
ACTIVITY_AVERAGED_SINCE = "1.13"


def activity_batch_mean(api):
    """True where this release's Keras divides an activity penalty by the batch size (the row below)."""
    from ..environment import parse_version
    return api.tf_version_tuple >= parse_version(ACTIVITY_AVERAGED_SINCE)


def activity_totals(batch_mean):
    """sum(layer.losses) of Dense(5, ones, no bias, kernel l1(0.01), activity l2(0.01)) on 2 * ones((b, 5)),
    b in BATCHES: l1 * sum|W| + l2 * sum(y**2) / b (averaged over the batch) or without the / b (summed)."""
    w = np.ones((ACTIVITY_UNITS, ACTIVITY_UNITS))
    out = []
    for b in BATCHES:
        y = np.full((b, ACTIVITY_UNITS), ACTIVITY_X).dot(w)
        activity = f32(ACTIVITY_L2) * np.sum(y ** 2)
        out.append(significant(f32(ACTIVITY_L1) * np.sum(np.abs(w)) + (activity / b if batch_mean else activity)))
    return out


def after_build_penalty():
    """l2(0.1) on a 4 x 3 kernel of ones, as Keras computes it (float32 lambda): the rebuilt model's penalty."""
    return significant(f32(AFTER_BUILD_LAMBDA) * np.sum(np.ones(AFTER_BUILD_SHAPE) ** 2))


def tape_gradients():
    """[penalty gradient when the penalty is read before the tape opens, when read inside it] for
    Dense(1, no bias, ones, l2(0.5)) on 2 inputs: nothing (0) outside; 2 * lambda * w inside."""
    w = np.ones(TAPE_INPUTS)
    return [significant(list(0.0 * w)), significant(list(2 * f32(TAPE_LAMBDA) * w))]


def slim_batch_norm_penalty():
    """contrib l2_regularizer(0.2) on batch_norm's gamma of ones (3 channels): 0.2 * 3 / 2."""
    return significant(BN_LAMBDA * np.sum(np.ones(BN_CHANNELS) ** 2) / 2)


ACTIVITY = ("The activity regularizer's penalty of a batch: TF 1.6-1.12 tf.keras sums it over the batch "
            "(l2 * sum(y**2)), from TF 1.13 on it is averaged (l2 * sum(y**2) / batch size; Keras 3 and tf_keras "
            "too), so a TF 1.12 model's activity penalty grows with the batch size. Measured on 1.6, 1.9, 1.12 "
            "(summed) and 1.13, 1.14, 1.15, 2.15, 2.21 (averaged).")
AFTER_BUILD = ("Setting layer.kernel_regularizer after the layer is built changes nothing: the penalty is "
               "attached when the weight is made. No error, no warning; model.losses stays empty. Rebuilding "
               "the model from its config (Model.from_config(model.get_config())) picks the new regularizer up.")
TAPE = ("A penalty read before tf.GradientTape() opens is a constant to the tape: added to the loss inside, it "
        "changes the reported loss but contributes no gradient, silently. Read model.losses inside the tape.")
FROZEN_MODEL = ("A Dense(trainable=False) with a kernel_regularizer inside a trainable model: Keras 2 (and tf_keras) "
                "still reports its penalty in model.losses (which trains nothing), Keras 3 reports none "
                "(it collects regularization losses from trainable weights only).")
SLIM_BN = ("contrib / tf_slim batch_norm(param_regularizers={'gamma': l2_regularizer(0.2)}) adds 0.2 * sum(gamma**2) / 2 "
           "to REGULARIZATION_LOSSES (measured 1.6, 1.15, 2.0, 2.5, 2.10, 2.14); from TF 2.15 tf_slim's batch_norm "
           "cannot be called in a v1 graph: with the default fused=None it raises AttributeError (module "
           "'tensorflow.python.framework.ops' has no attribute 'Tensor'; 2.15, 2.21 with Keras 3 and tf_keras), "
           "with fused=False it imports tf_keras (ModuleNotFoundError without it; keras.legacy_tf_layers on 2.14).")
SLIM_BN_BUG = ("tf_slim 1.1 batch_norm on TF >= 2.15 (upstream: tf_slim is unmaintained). Minimal reproduction: "
               "import tensorflow.compat.v1 as tf; import tf_slim; tf.disable_eager_execution(); "
               "tf_slim.batch_norm(tf.placeholder(tf.float32, [None, 3]), scale=True)  # AttributeError")
EVALUATE = "evaluate() with a data loss of exactly 0 returns the penalty: 0.1 * 12 on a 4 x 3 kernel of ones."

REPEATED = ("TF 1.6 tf.keras counts one kernel's penalty three times: calling a functional model again on a new "
            "Input, or compiling a model whose layer is shared by two branches, leaves 3 entries in model.losses "
            "for its one regularized weight (3x the penalty in the training loss). One entry from TF 1.7 on "
            "(measured 1.6, 1.7, 1.8, 1.9, 1.12, 1.13, 1.14, 1.15).")
REPEATED_BUG = ("tf.keras in TF 1.6 (fixed in 1.7). Minimal reproduction: x = tf.keras.Input((4,)); "
                "m = tf.keras.Model(x, tf.keras.layers.Dense(3, kernel_regularizer=tf.keras.regularizers.l2(0.1))(x)); "
                "m(tf.keras.Input((4,))); len(m.losses)  # 3, expected 1")

TOTAL_LOSS = ("tf.compat.v1.losses.get_total_loss() totals REGULARIZATION_LOSSES, where tf.keras layers put their "
              "penalty on TF 1.6-1.8 only (collections table, keras_dense_in_graph): from TF 1.9 a v1 training loss "
              "built with get_total_loss() silently leaves a Keras model's penalty out; add model.losses yourself.")

KERAS2 = ("keras2", "legacy")

ROWS = [
    Row("activity_batch", "module=tf.keras", Detail("sum(layer.losses) for batch 1, 5, 10",
                                                    lambda ctx: activity_totals(batch_mean=False)),
        tf_max=ACTIVITY_AVERAGED_SINCE, note=ACTIVITY),
    Row("activity_batch", "module=tf.keras|keras3|tf_keras", Detail("sum(layer.losses) for batch 1, 5, 10",
                                                                   lambda ctx: activity_totals(batch_mean=True)),
        note=ACTIVITY),

    Row("regularizer_after_build", "module=tf.keras|keras3|tf_keras",
        Detail("len(model.losses) after layer.kernel_regularizer = l2(0.1)", lambda ctx: 0), note=AFTER_BUILD),
    Row("rebuilt_from_config", "module=tf.keras|keras3|tf_keras",
        Detail("sum(model.losses) of Model.from_config(model.get_config())", lambda ctx: after_build_penalty()),
        note=AFTER_BUILD),

    Row("tape_outside_inside", "module=tf.keras|keras3|tf_keras",
        Detail("the penalty's gradient [read before the tape, read inside]", lambda ctx: tape_gradients()),
        note=TAPE),

    Row("evaluate_penalty", "module=tf.keras|keras3|tf_keras",
        Detail("model.evaluate(x, y) with a zero data loss", lambda ctx: after_build_penalty()), note=EVALUATE),

    Row("called_again_entries", "module=tf.keras", Detail("[len(model.losses), sum / penalty]", lambda ctx: [3, 3.0]),
        tf_max="1.7", note=REPEATED, upstream_bug=REPEATED_BUG),
    Row("called_again_entries", "module=tf.keras|keras3|tf_keras",
        Detail("[len(model.losses), sum / penalty]", lambda ctx: [1, 1.0]), note=REPEATED),
    Row("shared_after_compile", "module=tf.keras", Detail("[len(model.losses), sum / penalty]", lambda ctx: [3, 3.0]),
        tf_max="1.7", note=REPEATED, upstream_bug=REPEATED_BUG),
    Row("shared_after_compile", "module=tf.keras|keras3|tf_keras",
        Detail("[len(model.losses), sum / penalty]", lambda ctx: [1, 1.0]), note=REPEATED),

    Row("get_total_loss", "module=tf.keras", Detail("get_total_loss()", lambda ctx: after_build_penalty()),
        tf_max="1.9", note=TOTAL_LOSS),
    Row("get_total_loss", "module=tf.keras|tf_keras", Detail("get_total_loss()", lambda ctx: 0.0), note=TOTAL_LOSS),

    Row("frozen_in_model", "module=tf.keras", Detail("len(model.losses)", lambda ctx: 1), flavours=KERAS2,
        note=FROZEN_MODEL),
    Row("frozen_in_model", "module=tf.keras|keras3", Detail("len(model.losses)", lambda ctx: 0), note=FROZEN_MODEL),
    Row("frozen_in_model", "module=tf_keras", Detail("len(model.losses)", lambda ctx: 1), note=FROZEN_MODEL),

    Row("slim_batch_norm", "module=contrib", Detail("get_regularization_loss()", lambda ctx: slim_batch_norm_penalty()),
        tf_max="2.15", note=SLIM_BN),
    Row("slim_batch_norm", "module=contrib", Raises("AttributeError"), tf_min="2.15", note=SLIM_BN,
        upstream_bug=SLIM_BN_BUG),
]
