"""The Keras models table: what a Keras release does with regularizers in models, per release.

Scenarios (model_probes.py; the area "models" of semantics/areas.py, observed in the contained worker
and recorded per release in docs/semantics.json like the other areas) and rows
(the same Row / selector / lookup as the other tables, semantics/table.py). The subject is the
Keras module a user reaches (routes/regularizers.py FLAVOURS: "tf.keras", "keras", "tf_keras"; its
trait is `module`), or "contrib" (tf_slim / tf.contrib's batch_norm) for `slim_batch_norm`.
Every expected number is computed here with NumPy from the scenario's inputs, never copied
from a run; observations are rounded to ROUND significant digits (the float32 results the
scenarios print are exact to far more than that, and the alternatives differ by a factor).
"""

import numpy as np

from ..routes.models import H5_SAVE_UNCOMPILED_UNTIL, H5PY3, H5PY3_LOAD_FAILS, NUMPY_EVALUATE_BUG
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


def activity_batch_mean(api, module="tf.keras"):
    """True where the Keras of `module` ("tf.keras", "keras3", "tf_keras") on this install divides an activity
    penalty by the batch size (the rows below): not Keras 3 before K3_ACTIVITY_SUMMED_UNTIL, nor tf.keras
    before TF ACTIVITY_AVERAGED_SINCE."""
    from ..environment import parse_version
    from ..routes.registry import keras3_in
    if keras3_in(module, None, K3_ACTIVITY_SUMMED_UNTIL)(api):
        return False
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
            "(summed) and 1.13, 1.14, 1.15, 2.15, 2.21 (averaged). Standalone Keras 2.1.6 and 2.2.4 (on TF 1.8 and "
            "1.12) sum it too.")
AFTER_BUILD = ("Setting layer.kernel_regularizer after the layer is built changes nothing: the penalty is "
               "attached when the weight is made. No error, no warning; model.losses stays empty. Rebuilding "
               "the model from its config (Model.from_config(model.get_config())) picks the new regularizer up.")
TAPE = ("A penalty read before tf.GradientTape() opens is a constant to the tape: added to the loss inside, it "
        "changes the reported loss but contributes no gradient, silently. Read model.losses inside the tape.")
FROZEN_MODEL = ("A Dense(trainable=False) with a kernel_regularizer inside a trainable model: Keras 2 (and tf_keras) "
                "still reports its penalty in model.losses (which trains nothing), Keras 3 reports none "
                "(it collects regularization losses from trainable weights only).")
BACKEND_FROZEN = ("Keras 3.15 on jax, torch or numpy: a Dense(trainable=False) with a kernel_regularizer inside a trainable model "
                  "still reports its penalty in model.losses (one entry), where the TensorFlow backend reports none "
                  "(measured: tox -m keras-backends)")
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
              "built with get_total_loss() silently leaves a Keras model's penalty out; add model.losses yourself. "
              "Standalone Keras 2.1.6 / 2.2.4 (on TF 1.8 / 1.12) never put it there.")

KERAS2 = ("keras2", "legacy")

# -- older Keras 3 releases (the keras-history envs, tox -m keras-history): rows with a Keras range ---------
# flavour keras3, where tf.keras and the keras module ("keras") are the same Keras 3 release.
KERAS3 = ("keras3",)
# keras_min / keras_max: the first Keras 3 minor release that behaves as the row says / as the next row says. Every
# boundary is between two consecutive minor releases, all 16 Keras 3 minors measured (tox -m keras-history, 2026-12-03: 3.0.5-3.1.1 on TF 2.16.2, 3.2.1-3.4.1 on 2.17.1, 3.5.0-3.9.2 on 2.19.1, 3.10.0-3.11.3 on 2.20.0, 3.12.4-3.15.1 on 2.21.0).
K3_ACTIVITY_SUMMED_UNTIL = "3.14"
K3_FROZEN_UNTIL = "3.2"
K3_MIRRORED_UNTIL = "3.5"
K3_MIRRORED_FIT_DOUBLED = ("3.5", "3.8")
K3_PERSIST_UNTIL = "3.4"
K3_ACTIVITY = ("Keras 3.0-3.13 sum the activity penalty over the batch (l2 * sum(y**2), growing with the batch size) "
               "where Keras 3.14 and later divide it by the batch size. Measured: every Keras 3.0.5-3.13.2 sums, "
               "3.14.1 and 3.15.1 average.")
K3_FROZEN = ("Keras 3.0 and 3.1: a Dense(trainable=False) with a kernel_regularizer inside a trainable model still "
             "reports its penalty in model.losses (one entry, as Keras 2); Keras 3.2 and later report none. "
             "Measured: 3.0.5 and 3.1.1 one, every 3.2.1-3.15.1 none.")

ROWS = [
    Row("activity_batch", "module=tf.keras|keras3", Detail("sum(layer.losses) for batch 1, 5, 10",
                                                           lambda ctx: activity_totals(batch_mean=False)),
        flavours=KERAS3, keras_max=K3_ACTIVITY_SUMMED_UNTIL, note=K3_ACTIVITY),
    Row("activity_batch", "module=tf.keras|keras2", Detail("sum(layer.losses) for batch 1, 5, 10",
                                                    lambda ctx: activity_totals(batch_mean=False)),
        tf_max=ACTIVITY_AVERAGED_SINCE, note=ACTIVITY),
    Row("activity_batch", "module=tf.keras|keras3|tf_keras|keras2", Detail("sum(layer.losses) for batch 1, 5, 10",
                                                                   lambda ctx: activity_totals(batch_mean=True)),
        note=ACTIVITY),

    Row("regularizer_after_build", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("len(model.losses) after layer.kernel_regularizer = l2(0.1)", lambda ctx: 0), note=AFTER_BUILD),
    Row("rebuilt_from_config", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("sum(model.losses) of Model.from_config(model.get_config())", lambda ctx: after_build_penalty()),
        note=AFTER_BUILD),

    Row("tape_outside_inside", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("the penalty's gradient [read before the tape, read inside]", lambda ctx: tape_gradients()),
        note=TAPE),

    Row("evaluate_penalty", "module=tf.keras|keras3", Raises("AttributeError"), flavours=KERAS3, backends=("numpy",),
        note=EVALUATE, upstream_bug=NUMPY_EVALUATE_BUG),
    Row("evaluate_penalty", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("model.evaluate(x, y) with a zero data loss", lambda ctx: after_build_penalty()), note=EVALUATE),

    Row("called_again_entries", "module=tf.keras", Detail("[len(model.losses), sum / penalty]", lambda ctx: [3, 3.0]),
        tf_max="1.7", note=REPEATED, upstream_bug=REPEATED_BUG),
    Row("called_again_entries", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[len(model.losses), sum / penalty]", lambda ctx: [1, 1.0]), note=REPEATED),
    Row("shared_after_compile", "module=tf.keras", Detail("[len(model.losses), sum / penalty]", lambda ctx: [3, 3.0]),
        tf_max="1.7", note=REPEATED, upstream_bug=REPEATED_BUG),
    Row("shared_after_compile", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[len(model.losses), sum / penalty]", lambda ctx: [1, 1.0]), note=REPEATED),

    Row("get_total_loss", "module=tf.keras", Detail("get_total_loss()", lambda ctx: after_build_penalty()),
        tf_max="1.9", note=TOTAL_LOSS),
    Row("get_total_loss", "module=tf.keras|tf_keras|keras2", Detail("get_total_loss()", lambda ctx: 0.0), note=TOTAL_LOSS),

    Row("frozen_in_model", "module=tf.keras|keras2", Detail("len(model.losses)", lambda ctx: 1), flavours=KERAS2,
        note=FROZEN_MODEL),
    Row("frozen_in_model", "module=tf.keras|keras3", Detail("len(model.losses)", lambda ctx: 1), flavours=KERAS3,
        keras_max=K3_FROZEN_UNTIL, note=K3_FROZEN),
    Row("frozen_in_model", "module=tf.keras|keras3", Detail("len(model.losses)", lambda ctx: 1), flavours=KERAS3,
        backends=("jax", "torch", "numpy"), note=BACKEND_FROZEN),
    Row("frozen_in_model", "module=tf.keras|keras3", Detail("len(model.losses)", lambda ctx: 0), note=FROZEN_MODEL),
    Row("frozen_in_model", "module=tf_keras", Detail("len(model.losses)", lambda ctx: 1), note=FROZEN_MODEL),

    Row("slim_batch_norm", "module=contrib", Detail("get_regularization_loss()", lambda ctx: slim_batch_norm_penalty()),
        tf_max="2.15", note=SLIM_BN),
    Row("slim_batch_norm", "module=contrib", Raises("AttributeError"), tf_min="2.15", note=SLIM_BN,
        upstream_bug=SLIM_BN_BUG),
]


# -- precision policies (mixed_float16, mixed_bfloat16) ---------------------------------------------
# Dense(3, no bias, ones kernel 4 x 3, l2(0.1)) under the global policy, on ones((2, 4)), data loss 0;
# the overflow probe: a 4 x 3 kernel of 100s and l2(0.01): sum(w**2) = 120000 overflows float16 (max 65504),
# the penalty 1200 does not.
POLICY_SHAPE, POLICY_LAMBDA = (4, 3), 0.1
OVERFLOW_W, OVERFLOW_LAMBDA = 100.0, 0.01
HALF = {"mixed_float16": np.float16}


def policy_facts(dtype="float32"):
    """[entry dtypes, tf.add_n(model.losses).dtype, the penalty, evaluate's loss, fit's loss] of the policy
    probe, the penalty computed in `dtype` (float32: on the float32 variable; float16: one rounding to half)."""
    p = f32(POLICY_LAMBDA) * np.sum(np.ones(POLICY_SHAPE) ** 2)
    if dtype != "float32":
        p = float(np.asarray(p, np.float32).astype(HALF[dtype]))
    p = significant(p)
    return [[dtype], dtype, p, p, p]


def overflow_facts(in_half=False):
    """[the penalty's dtype, the penalty] of l2(0.01) on 100s: 1200, or inf where sum(w**2) is taken in float16."""
    w = np.full(POLICY_SHAPE, OVERFLOW_W)
    if in_half:
        with np.errstate(over="ignore"):
            s = np.sum((w.astype(np.float16) ** 2).astype(np.float16), dtype=np.float16)
        return ["float16", significant(float(np.float16(f32(OVERFLOW_LAMBDA)) * s))]
    return ["float32", significant(f32(OVERFLOW_LAMBDA) * np.sum(w ** 2))]


POLICY = ("Under a global mixed_float16 / mixed_bfloat16 policy the variables stay float32 and the regularizer is "
          "called on the float32 variable: every model.losses entry, their sum, evaluate's and fit's loss are float32 "
          "and equal the float32 penalty (1.2 for l2(0.1) on a 4 x 3 kernel of ones; computed in float16 it would be "
          "1.2002, in bfloat16 1.2031). tf.keras.mixed_precision.set_global_policy from TF 2.4, "
          "experimental.set_policy on 2.1-2.3, keras.mixed_precision.set_dtype_policy in Keras 3; the probe restores "
          "float32 afterwards. Measured on the envs of docs/ (2.15, 2.21 Keras 3, 2.21 tf_keras).")
OVERFLOW = ("A float16-policy model whose penalty fits float16 (1200 < 65504) but whose sum(w**2) (120000) does not: "
            "the penalty is float32 and finite, because the regularizer squares the float32 variable, not its "
            "float16 cast. Computing it in the compute dtype (float16) would give inf.")

# -- distribution: MirroredStrategy over two logical CPUs (in the contained worker) -----------------
# Dense(3, no bias, ones 4 x 3, l2(0.1)), SGD(0.125), global batch 4 (2 per replica), data loss 0.
DIST_LAMBDA, DIST_LR, DIST_BATCH, DIST_REPLICAS = 0.1, 0.125, 4, 2


def dist_penalty():
    return significant(f32(DIST_LAMBDA) * np.sum(np.ones(POLICY_SHAPE) ** 2))


def dist_step(times):
    """The kernel's element after one SGD step on the penalty counted `times` (1: once, as on one device)."""
    return significant(float(np.float32(1.0) - np.float32(DIST_LR) * np.float32(2 * f32(DIST_LAMBDA)) * times))


def replica_losses():
    return [DIST_REPLICAS, [dist_penalty()] * DIST_REPLICAS]


K3_MIRRORED = ("Keras 3.0-3.4 under MirroredStrategy, custom loop: scale_regularization_loss(add_n(model.losses)) "
               "gives half the single-device step (1 - 0.125 * 2 * 0.1 / 2 = 0.9875) and the plain add_n the "
               "single-device one (0.975): the replicas' penalty gradients are not summed as from Keras 3.5. "
               "Measured: every 3.0.5-3.4.1 (TF 2.16.2, 2.17.1) so; 3.5.0-3.15.1 as the row below.")
K3_MIRRORED_FIT = ("Keras 3.5-3.7 under MirroredStrategy, fit: the kernel moves twice the single-device step "
                   "(0.95 instead of 0.975: the penalty is not divided by the replicas before their gradients "
                   "are summed); fit's reported loss is still the penalty (1.2). Keras 3.0-3.4 and 3.8 and later "
                   "step as on one device. Measured: 3.5.0, 3.6.0, 3.7.0 (TF 2.19.1) double; 3.4.1 (TF 2.17.1), "
                   "3.8.0, 3.9.2 (TF 2.19.1) and later do not.")
K3_MIRRORED_FIT_BUG = (
    "keras-team/keras#19891, fixed by keras-team/keras#20609 (\"Fix loss scaling with tf.distribute.MirroredStrategy "
    "and keras.regularizers\", merged 2024-12-09, first in Keras 3.8.0). Minimal reproduction (Keras 3.5-3.7, "
    "TF backend): import tensorflow as tf, keras; tf.config.set_logical_device_configuration(tf.config."
    "list_physical_devices('CPU')[0], [tf.config.LogicalDeviceConfiguration()] * 2); s = tf.distribute."
    "MirroredStrategy(['/cpu:0', '/cpu:1']); with s.scope(): m = keras.Sequential([keras.Input((4,)), keras.layers."
    "Dense(3, use_bias=False, kernel_initializer='ones', kernel_regularizer=keras.regularizers.L2(0.1))]); "
    "m.compile(keras.optimizers.SGD(0.125), 'mse'); m.fit(tf.zeros((4, 4)), tf.zeros((4, 3)), batch_size=4, "
    "verbose=0); m.layers[0].kernel.numpy()[0, 0]  # 0.95; one device and Keras 3.8+: 0.975")
MIRRORED = ("MirroredStrategy over two logical CPU devices: each replica's model.losses holds the whole penalty "
            "(1.2 each, not 1.2 / 2). fit divides it by the replicas before the gradients are summed, so the step "
            "is the single-device one (1 - 0.125 * 2 * 0.1 = 0.975) and the reported loss the penalty. In a custom "
            "loop, tf.nn.scale_regularization_loss(add_n(model.losses)) gives the single-device step; the plain "
            "add_n counts the penalty once per replica (0.95 with 2 replicas), silently.")

# -- persistence: get_config / from_config, clone_model, .keras, .h5, SavedModel ------------------------
PERSIST_LAMBDA = 0.1
# argument -> the regularized weight's shape in the probe's one-layer model (ones everywhere); activity:
# Dense(3, ones kernel, zero bias) on ones((1, 4)) gives y = 4 everywhere, a (1, 3) output.
PERSIST_ARGUMENTS = (("kernel", (4, 3)), ("bias", (3,)), ("activity", (1, 3)), ("recurrent", (2, 8)),
                     ("embeddings", (5, 2)), ("gamma", (4,)), ("beta", (4,)), ("depthwise", (1, 1, 3, 1)),
                     ("pointwise", (1, 1, 3, 2)))
ACTIVITY_Y = 4.0


def persist_facts(lost=()):
    """[argument, penalty before, penalty after] for each argument: after == before, 0 for an argument in `lost`
    (a regularizer the round trip drops)."""
    out = []
    for name, shape in PERSIST_ARGUMENTS:
        w = np.full(shape, ACTIVITY_Y if name == "activity" else 1.0)
        p = significant(f32(PERSIST_LAMBDA) * np.sum(w ** 2))
        out.append([name, p, 0.0 if name in lost else p])
    return out


K3_PERSIST = ("Keras 3.0-3.3 drop the activity regularizer in every round trip (from_config, clone_model, .keras, "
              ".h5): the restored model's activity penalty is 0, every weight regularizer survives. Keras 3.4 and "
              "later keep it. Measured: every 3.0.5-3.3.3 drops, every 3.4.1-3.15.1 keeps.")
PERSIST = ("A regularizer on every argument of the model axis (kernel, bias, activity, LSTM recurrent, Embedding "
           "embeddings, BatchNormalization gamma / beta, SeparableConv2D depthwise / pointwise) survives the round "
           "trip: the penalty after from_config / clone_model / save + load_model equals the one before. The "
           "formats: .keras (Keras 3; tf.keras / tf_keras from 2.13), .h5 (with h5py), SavedModel "
           "(model.save(dir, save_format='tf') + load_model; Keras 2 and tf_keras on TF 2).")

# Keras 3.15's NumPy backend: evaluate of a regularized model raises (NUMPY_EVALUATE_BUG), and it has no fit
NUMPY_POLICY = POLICY + " On the NumPy backend evaluate raises AttributeError (an upstream bug) and fit NotImplementedError."


def policy_facts_numpy():
    return policy_facts()[:3] + ["raised AttributeError", "raised NotImplementedError"]


ROWS += [
    Row(pid, "module=tf.keras|keras3", Detail("[entry dtypes, add_n dtype, penalty, evaluate, fit] under %s" %
                                              pid.split("_p")[0], lambda ctx: policy_facts_numpy()),
        flavours=KERAS3, backends=("numpy",), note=NUMPY_POLICY, upstream_bug=NUMPY_EVALUATE_BUG)
    for pid in ("mixed_float16_penalty", "mixed_bfloat16_penalty")]
ROWS += [
    Row("mixed_float16_penalty", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[entry dtypes, add_n dtype, penalty, evaluate, fit] under mixed_float16", lambda ctx: policy_facts()),
        note=POLICY),
    Row("mixed_bfloat16_penalty", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[entry dtypes, add_n dtype, penalty, evaluate, fit] under mixed_bfloat16", lambda ctx: policy_facts()),
        note=POLICY),
    Row("mixed_float16_overflow", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[penalty dtype, penalty] of l2(0.01) on a 4 x 3 kernel of 100s under mixed_float16",
               lambda ctx: overflow_facts()), note=OVERFLOW),

    Row("mirrored_replica_losses", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[replicas, add_n(model.losses) in each replica]", lambda ctx: replica_losses()), note=MIRRORED),
    Row("mirrored_fit", "module=tf.keras|keras3",
        Detail("[fit's loss, kernel[0, 0] after one step]", lambda ctx: [dist_penalty(), dist_step(DIST_REPLICAS)]),
        flavours=KERAS3, keras_min=K3_MIRRORED_FIT_DOUBLED[0], keras_max=K3_MIRRORED_FIT_DOUBLED[1],
        note=K3_MIRRORED_FIT, upstream_bug=K3_MIRRORED_FIT_BUG),
    Row("mirrored_fit", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("[fit's loss, kernel[0, 0] after one step]", lambda ctx: [dist_penalty(), dist_step(1)]),
        note=MIRRORED),
    Row("mirrored_custom_loop", "module=tf.keras|keras3",
        Detail("kernel[0, 0] after strategy.run(step) [scale_regularization_loss, plain add_n]",
               lambda ctx: [dist_step(1.0 / DIST_REPLICAS), dist_step(1)]), flavours=KERAS3,
        keras_max=K3_MIRRORED_UNTIL, note=K3_MIRRORED),
    Row("mirrored_custom_loop", "module=tf.keras|keras3|tf_keras|keras2",
        Detail("kernel[0, 0] after strategy.run(step) [scale_regularization_loss, plain add_n]",
               lambda ctx: [dist_step(1), dist_step(DIST_REPLICAS)]), note=MIRRORED),
]
PERSIST_H5_H5PY3 = ("TF 1.11-1.14 with h5py >= 3, which is what pip installs for them (their keras_applications asks "
                    "for h5py with no upper bound; 1.15.5 and 2.0.4-2.4.4 pin h5py ~= 2.10, and 2.5 reads h5py 3): "
                    "model.save('m.h5') writes the file, but load_model raises AttributeError, because h5py 3 gives "
                    "the file's string attributes as str and tf.keras calls .decode('utf-8') on them. No model, no "
                    "penalty. Measured on 1.11.0 and 1.12.3 (h5py 3.1.0), 1.13.2 and 1.14.0 (h5py 3.8.0).")
PERSIST_H5_BUG = ("tf.keras' hdf5_format before h5py 3 support, tensorflow/tensorflow#44467 (workaround: "
                  "pip install 'h5py<3'); measured with TF 1.14.0 and h5py 3.8.0. Minimal reproduction: "
                  "import tensorflow as tf; m = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(4,), "
                  "kernel_regularizer=tf.keras.regularizers.l2(0.1))]); m.save('m.h5'); "
                  "tf.keras.models.load_model('m.h5')  # AttributeError: 'str' object has no attribute 'decode'")
PERSIST_H5_UNCOMPILED = ("TF 1.6-1.9 tf.keras: model.save('m.h5') of a model that was never compiled raises "
                         "AttributeError ('NoneType' object has no attribute 'get_config'): the optimizer is None and "
                         "save_model only asks whether the attribute exists. A compiled model saves. Measured on TF 1.8 "
                         "with h5py 3.1.0; the check is the same in 1.6, 1.7 and 1.9, and 1.10 tests the optimizer.")
PERSIST_H5_UNCOMPILED_BUG = ("tf.keras before TF 1.10 (fixed by 1.10's `if include_optimizer and model.optimizer:`). "
                             "Minimal reproduction: import tensorflow as tf; m = tf.keras.Sequential("
                             "[tf.keras.layers.Dense(3, input_shape=(4,))]); m.save('m.h5')  # AttributeError: "
                             "'NoneType' object has no attribute 'get_config'")
PERSIST_H5_KERAS2 = ("Standalone Keras 2.1.6 and 2.2.4 with h5py >= 3 (what pip gives them): model.save('m.h5') "
                     "writes the file, load_model raises AttributeError ('str' object has no attribute 'decode'), as "
                     "tf.keras of TF 1.11-1.14 does (h5py 3 returns str attributes). Measured on both, h5py 3.1.0.")
PERSIST_H5_KERAS2_BUG = ("standalone Keras < 2.4 reads h5py attributes as bytes (keras/engine/saving.py "
                         "model_config.decode('utf-8')); h5py 3 returns str; the workaround is pip install 'h5py<3'. "
                         "Minimal reproduction: import keras; m = keras.Sequential([keras.layers.Dense(3, "
                         "input_shape=(4,))]); m.save('m.h5'); keras.models.load_model('m.h5')  # AttributeError: "
                         "'str' object has no attribute 'decode'")
ROWS.append(Row("persist_h5", "module=tf.keras", Raises("AttributeError"), tf_max=H5_SAVE_UNCOMPILED_UNTIL,
                note=PERSIST_H5_UNCOMPILED, upstream_bug=PERSIST_H5_UNCOMPILED_BUG))
ROWS.append(Row("persist_h5", "module=keras2", Raises("AttributeError"), installed=("h5py", H5PY3, None),
                note=PERSIST_H5_KERAS2, upstream_bug=PERSIST_H5_KERAS2_BUG))
ROWS.append(Row("persist_h5", "module=tf.keras", Raises("AttributeError"), tf_min=H5PY3_LOAD_FAILS[0],
                tf_max=H5PY3_LOAD_FAILS[1], installed=("h5py", H5PY3, None), note=PERSIST_H5_H5PY3,
                upstream_bug=PERSIST_H5_BUG))
for _format in ("config", "clone", "keras", "h5"):
    ROWS.append(Row("persist_%s" % _format, "module=tf.keras|keras3",
                    Detail("[argument, penalty before, after] of the %s round trip" % _format,
                           lambda ctx: persist_facts(lost=("activity",))), flavours=KERAS3,
                    keras_max=K3_PERSIST_UNTIL, note=K3_PERSIST))
for _format in ("config", "clone", "keras", "h5", "savedmodel"):
    ROWS.append(Row("persist_%s" % _format, "module=tf.keras|keras3|tf_keras|keras2",
                    Detail("[argument, penalty before, after] of the %s round trip" % _format,
                           lambda ctx: persist_facts()), note=PERSIST))

# TF 2.1 (measured; 2.2, 2.3, 2.4, 2.15 and 2.21 run both): under mixed_float16 / mixed_bfloat16 the penalty is
# float32 as later, but compile + evaluate / fit raise TypeError for a loss function returning the compute dtype
# (0 * sum(y_pred), float16 / bfloat16) next to the float32 penalty: TF 2.1 adds them without a cast.
POLICY_21 = ("TF 2.1: the penalty entries are float32 and equal the float32 penalty, but evaluate and fit raise "
             "TypeError (mixed_float16: AddV2 of a float16 data loss and the float32 penalty; mixed_bfloat16: a "
             "bfloat16 op without that dtype). From TF 2.2 the losses are cast to a common dtype. Measured on 2.1.4; "
             "2.2.3 and 2.3.4 run both.")
POLICY_21_BUG = ("tf.keras in TF 2.1 (no upstream issue found; fixed by 2.2). Minimal reproduction: "
                 "tf.keras.mixed_precision.experimental.set_policy('mixed_float16'); x = tf.keras.Input((4,)); "
                 "m = tf.keras.Model(x, tf.keras.layers.Dense(3, kernel_regularizer=tf.keras.regularizers.l2(0.1))(x)); "
                 "m.compile('sgd', loss=lambda t, p: 0.0 * tf.reduce_sum(p)); m.evaluate(np.ones((2, 4)), "
                 "np.zeros((2, 3)))  # TypeError: Input 'y' of 'AddV2' Op has type float32 that does not match "
                 "type float16")


def policy_facts_21():
    facts = policy_facts()
    return facts[:3] + ["raised TypeError", "raised TypeError"]


ROWS[:0] = [
    Row(pid, "module=tf.keras", Detail("[entry dtypes, add_n dtype, penalty, evaluate, fit] under %s" % pid.split("_p")[0],
                                       lambda ctx: policy_facts_21()),
        tf_max="2.2", note=POLICY_21, upstream_bug=POLICY_21_BUG)
    for pid in ("mixed_float16_penalty", "mixed_bfloat16_penalty")]
