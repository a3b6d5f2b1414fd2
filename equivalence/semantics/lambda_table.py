"""The lambda table: what each route does with a bad or unusual lambda, per TensorFlow/Keras version.

Probes (probes.LAMBDA_PROBES) run on the float32 probe weights
RandomState(0).randn(3, 2); Penalty() means "the route's NumPy reference with
the probe's numeric lambda" (reference.py, tolerance.py), so NaN and inf
lambdas expect NaN and +-inf. Versions: rows are split where the 39 releases
of the history matrix (docs/semantics.json) change.

What the table says, in short:
* contrib / tf_slim regularizers (and every route built on them) validate:
  an integer or bool scale (Python or NumPy) raises ValueError, a negative or
  -inf scale raises ValueError, None ValueError, a string TypeError, and a
  zero scale returns a regularizer that returns None, so nothing enters
  REGULARIZATION_LOSSES. NaN and +inf pass and give NaN and inf.
* Keras on TF 1.x and TF 2.0-2.2 validates nothing: a negative lambda gives a
  negative penalty, NaN/inf flow through, a string '0.1' is parsed as 0.1
  (np.float32('0.1')).
* Keras 2 on TF >= 2.3 (tf.keras 2.15, tf_keras 2.21) rejects NaN, +-inf,
  strings, tensors *and NumPy float16/float32/int64 scalars* (ValueError:
  "expected an int or float value"), but still accepts a negative lambda.
* Keras 3 rejects all of those and negative values too; Python int, bool and
  np.float64 (a float subclass) pass everywhere in Keras.
* None: Keras on TF >= 2.4 reads None as "use the default" (0.01 for
  L1/L2, 0.0 for each term of L1L2); TF 2.3 raises ValueError; Keras on
  TF <= 2.2 casts None to NaN.
* tf-nightly (Keras 3.16 dev) reverses Keras 3.15 on NumPy scalars (accepted)
  and bool (rejected); rows with tf_min=NIGHTLY.
"""

import numpy as np

from .outcomes import CONTAINED, BoolTensor, NoPenalty, Penalty, Raises
from .table import Row

KERAS_DEFAULT = 0.01  # documented default coefficient of keras.regularizers.l1 / l2 (L1 / L2)
NAN = float("nan")
F32_01 = float(np.float32(0.1))  # 0.1 rounded to float32, as np.float32(0.1) and tf.constant(0.1) hold it

NAN_FROM_NONE = ("Keras on TF 1.x (tf.keras, and standalone Keras 2.1 / 2.2) builds the regularizer with K.cast_to_floatx(None), which is NaN: a "
                 "silently NaN loss instead of an error or the default. Looks like an upstream bug "
                 "(fixed in TF 2.0 where None means the default).")
NEGATIVE_ACCEPTED = ("Keras 2 (and TF 1.x Keras) accepts a negative coefficient and returns a negative penalty (a reward for "
                     "large weights); contrib rejects it and Keras 3 rejects it. Not a bug by the docs, "
                     "which never forbid it, but the two APIs disagree.")
NUMPY_SCALAR_REJECTED = ("Keras on TF 2 accepts only Python int/float (np.float64 is a float subclass): "
                         "np.float16, np.float32 and np.int64 scalars raise ValueError although their value "
                         "is a valid non-negative number.")

# The first tf-nightly measured (TF 2.23.0-dev, Keras 3.16.0.dev): below any release.
NIGHTLY = "2.22"
KERAS_316 = ("Keras 3.16 (tf-nightly) accepts NumPy scalars (np.float16/np.float32/np.int64) and rejects a bool "
             "coefficient: the reverse of Keras 3.15 on both counts.")
ZERO_DENSE_17 = ("tf.keras 2.1.4-2.1.5 (TF 1.7, 1.8): Dense with l2(0.0) raises AttributeError when the layer "
                 "builds its penalty: Keras' l2(0.0) returns a Python 0.0, which these releases cannot add as a "
                 "loss. TF 1.6 keeps the Python float itself as the entry of layer.losses (add_n still gives 0, "
                 "but sess.run(layer.losses) raises TypeError; the semantics document shows the entry's kind); "
                 "1.9 to 1.13 add a zero tensor.")
KERAS2_ZERO_LAYER = ("Standalone Keras 2.1.6 and 2.2.4: Dense with l2(0.0) keeps the Python 0.0 its regularizer returns "
                     "as the entry of layer.losses (add_n gives a zero tensor), on TF 1.8 and 1.12 alike, where tf.keras "
                     "of TF 1.7-1.8 raises AttributeError and of 1.9-1.13 adds a zero tensor.")
NONE_23 = ("TF 2.3 (Keras 2.4.0) rejects None with ValueError: between the NaN of TF <= 2.2 and the "
           "default coefficient of TF >= 2.4.")

# Selectors (semantics/table.py) read a route's traits. Shorthands:
CONTRIB = "family=contrib"                 # contrib / tf_slim regularizers, through any attachment
TF_KERAS = "module=tf.keras"               # tf.keras regularizers, and tf_upgrade_v2's tf.keras l2
# tf.keras and standalone Keras 2 (keras2: only on TF 1.x, tox -m keras-history): in rows that end before TF 2.3, where
# both run the same Keras 2.1 / 2.2 regularizer code (L1L2 with K.cast_to_floatx(lambda), no validation)
TF1_KERAS = "module=tf.keras|keras2"
KERAS_2_OR_3 = "module=keras3|tf_keras"    # Keras 3 and tf_keras regularizers
BY_HAND = "module=tf"                      # penalties written with tf ops (l2_loss, a user callable)
UPGRADE = "regularizer=upgrade_v2"
ANY_KERAS = "family=keras"

# Where a lambda probe is accepted, the penalty is the reference with the probe's lambda, with as
# many entries as the route's container holds (CONTAINED: none for a direct value, one in a
# collection or in .losses).
OK = Penalty(entries=CONTAINED)

KERAS_ZERO_FLOAT = ("Keras' l2(0.0) before TF 1.14 returns the Python number 0.0: get_variable and "
                    "apply_regularization cannot take it (AttributeError); add_to_collection and tf.layers on "
                    "1.6 and 1.9-1.13 keep it, and add_n makes it a zero tensor")
KERAS3_ORTHOGONAL_FACTOR = ("Keras 3 OrthogonalRegularizer converts its factor to a tensor of the factor's own dtype "
                            "(int32 for a Python int or bool, float64 for np.float64) and multiplies the float32 "
                            "penalty by it: TypeError or InvalidArgumentError, where l2 takes the same number.")

# Keras 3 backends (tox -m keras-backends, Keras 3.15.1): jax and torch promote the factor's tensor to the penalty's
# float32 (jnp / torch type promotion of a weakly typed or 0-d factor), so the orthogonal penalty takes these lambdas.
ORTHOGONAL_FACTOR_PROMOTED = ("On the jax and torch backends the factor's tensor is promoted to the float32 penalty "
                              "(array-API type promotion), so OrthogonalRegularizer takes a Python int or bool and "
                              "np.float64 like l2 does: only the TensorFlow backend refuses to mix the dtypes.")
PROMOTING_BACKENDS = ("jax", "torch")
# On the NumPy backend the factor is a NumPy array of its own dtype (Keras' result_type demotes np.float64 to float32)
# and the penalty's last products are NumPy's own: int32 factor * 0.5 is float64, times the float32 sum float64.
NUMPY_ORTHOGONAL_FACTOR = ("On the NumPy backend the factor is a NumPy array of its own dtype (int32 for a Python int "
                           "or bool; np.float64 demoted to float32 by Keras' result_type) and NumPy multiplies it in: "
                           "an int or bool gives a float64 penalty of the float32 sum, np.float64 a float32 one.")
NUMPY_INT_FACTOR = Penalty(entries=CONTAINED, dtype="float64", computed_in="weights")


def keras3_orthogonal(probe, outcome, on_numpy=OK):
    """Rows for OrthogonalRegularizer wherever it is Keras 3's: the keras module, and tf.keras from 2.16
    (`on_numpy`: the outcome on the NumPy backend, NUMPY_ORTHOGONAL_FACTOR)."""
    return [Row(probe, "penalty=orthogonal,module=keras3|tf.keras", OK, flavours=("keras3",),
                backends=PROMOTING_BACKENDS, note=ORTHOGONAL_FACTOR_PROMOTED),
            Row(probe, "penalty=orthogonal,module=keras3|tf.keras", on_numpy, flavours=("keras3",),
                backends=("numpy",), note=NUMPY_ORTHOGONAL_FACTOR),
            Row(probe, "penalty=orthogonal,module=keras3", outcome, note=KERAS3_ORTHOGONAL_FACTOR),
            Row(probe, "penalty=orthogonal,module=tf.keras", outcome, tf_min="2.16", flavours=("keras3",),
                note=KERAS3_ORTHOGONAL_FACTOR)]


# -- older Keras 3 releases (the keras-history envs, tox -m keras-history): rows with a Keras range -----------
# keras_min / keras_max: the first Keras 3 minor release that behaves as the row says / as the next row says. All 16
# minors are measured (tox -m keras-history, 2026-12-03), so each boundary lies between two consecutive minors.
KERAS3 = ("keras3",)
K3_L1 = "penalty=l1,module=keras3|tf.keras,family=keras"
KERAS3_L1_UNTIL = "3.14"
KERAS3_L1_BOOL_UNTIL = "3.5"
KERAS3_L1_FACTOR = ("Keras 3.0-3.13 L1 converts its factor to a tensor of the factor's own dtype (int32 for a Python "
                    "int, float64 for np.float64; bool for a bool on 3.0) and multiplies the float32 |w| sum by it: "
                    "InvalidArgumentError, where L2 takes the same number. Measured: every Keras 3.0.5-3.13.2 raises; "
                    "3.14.1 and 3.15.1 take them.")
KERAS3_L1_BOOL = ("Keras 3.5-3.13 L1(True)(w) returns a bool tensor (True): the factor stays bool and the product is a "
                  "logical and, silently. 3.0-3.4 raise InvalidArgumentError, 3.14 and 3.15 return the float32 penalty. "
                  "Measured: every 3.0.5-3.4.1 raises, every 3.5.0-3.13.2 a bool tensor, 3.14.1 and 3.15.1 the penalty.")
# A plain Python function as a Keras 3 layer's kernel_regularizer (the user callable, tf.nn.l2_loss by hand).
KERAS3_FUNCTION_FROM, KERAS3_FUNCTION_UNTIL = "3.1", "3.15"
KERAS3_FUNCTION = ("Keras 3.1-3.14 reject a plain Python function as a layer regularizer: Dense(kernel_regularizer=fn) "
                   "raises ValueError (\"Expected an instance of keras.regularizers.Regularizer\"); Keras 3.0.5 and "
                   "3.15.1 call it. Measured: 3.0.5 calls it, every 3.1.1-3.14.1 raises for every probe, 3.15.1 calls it.")
FUNCTION_IN_DENSE = "module=tf,attachment=dense"
FUNCTION_REJECTED_LAMBDA_PROBES = ("zero", "negative", "python_int", "python_bool", "np_float16", "np_float32",
                                   "np_int64", "np_float64", "nan", "inf", "neg_inf", "string", "tensor_0d")


def keras3_l1_before(probe):
    return [Row(probe, K3_L1, Raises("InvalidArgumentError"), flavours=KERAS3, keras_max=KERAS3_L1_UNTIL,
                note=KERAS3_L1_FACTOR)]


ROWS = [Row(_probe, FUNCTION_IN_DENSE, Raises('ValueError'), flavours=KERAS3, keras_min=KERAS3_FUNCTION_FROM,
            keras_max=KERAS3_FUNCTION_UNTIL, note=KERAS3_FUNCTION) for _probe in FUNCTION_REJECTED_LAMBDA_PROBES] + [
    # -- zero --------------------------------------------------------------------
    Row('zero', 'regularizer=contrib-sum', Raises('ValueError'), tf_max='1.15'),
    Row('zero', CONTRIB + ',reader=get_total_loss', Raises('ValueError'),
        note="get_total_loss() add_n's the losses it finds: with a zero contrib scale there are none"),
    Row('zero', TF1_KERAS + ',attachment=get_variable|variable_scope', Raises('AttributeError'), tf_max='1.14',
        note=KERAS_ZERO_FLOAT),
    Row('zero', TF_KERAS + ',container=variable', Raises('AttributeError'), tf_max='1.14', note=KERAS_ZERO_FLOAT),
    Row('zero', TF1_KERAS + ',attachment=tf.layers.dense|tf.layers.conv2d|fully_connected', Raises('AttributeError'),
        tf_min='1.7', tf_max='1.9', note=ZERO_DENSE_17),
    Row('zero', CONTRIB + ',reader=apply_regularization', Penalty(entries=1),
        note="apply_regularization puts a constant 0 in place of the None a zero scale returns"),
    Row('zero', CONTRIB, NoPenalty(entries=CONTAINED),
        note="a zero contrib scale returns a regularizer that returns None: nothing is added anywhere"),
    Row('zero', 'module=keras2,container=layer', Penalty(entries=1, entry_kinds=('float',)), note=KERAS2_ZERO_LAYER),
    Row('zero', TF_KERAS + ',container=layer', Penalty(entries=1, entry_kinds=('float',)), tf_max='1.7',
        note=ZERO_DENSE_17),
    Row('zero', TF_KERAS + ',container=layer', Raises('AttributeError'), tf_min='1.7', tf_max='1.9',
        note=ZERO_DENSE_17),
    Row('zero', TF1_KERAS + ',container=value', NoPenalty(), tf_max='1.14',
        note="Keras l2(0.0) before TF 1.14 returns the Python number 0.0, not a tensor"),
    Row('zero', '*', OK),

    # -- negative ------------------------------------------------------------------
    Row('negative', CONTRIB, Raises('ValueError')),
    Row('negative', 'module=keras3', Raises('ValueError')),
    Row('negative', TF_KERAS, Raises('ValueError'), tf_min='2.16', flavours=('keras3',)),
    Row('negative', '*', OK, note=NEGATIVE_ACCEPTED),

    # -- python_int, python_bool ---------------------------------------------------
    Row('python_int', CONTRIB, Raises('ValueError')),
] + keras3_l1_before('python_int') + keras3_orthogonal('python_int', Raises('TypeError'), NUMPY_INT_FACTOR) + [
    Row('python_int', '*', OK),
    Row('python_bool', 'module=keras3|tf.keras,family=keras', Raises('ValueError'), tf_min=NIGHTLY,
        flavours=('keras3',), note=KERAS_316),
    Row('python_bool', CONTRIB, Raises('ValueError')),
    Row('python_bool', K3_L1, Raises('InvalidArgumentError'), flavours=KERAS3, keras_max=KERAS3_L1_BOOL_UNTIL,
        note=KERAS3_L1_FACTOR),
    Row('python_bool', K3_L1, BoolTensor(), flavours=KERAS3, keras_max=KERAS3_L1_UNTIL, note=KERAS3_L1_BOOL),
] + keras3_orthogonal('python_bool', Raises('TypeError'), NUMPY_INT_FACTOR) + [
    Row('python_bool', '*', OK),
]

# NumPy scalars: np.float16, np.float32 and np.int64 share their rows (Keras on TF 2 rejects all three).
for _probe in ('np_float16', 'np_float32', 'np_int64'):
    # Keras 3.16 accepts a NumPy scalar, and OrthogonalRegularizer then multiplies by a tensor of its dtype
    _orthogonal = {'np_float16': Raises('InvalidArgumentError'), 'np_int64': Raises('TypeError')}.get(_probe)
    ROWS += [] if _orthogonal is None else [
        Row(_probe, 'penalty=orthogonal,module=keras3|tf.keras', _orthogonal, tf_min=NIGHTLY, flavours=('keras3',),
            note=KERAS3_ORTHOGONAL_FACTOR)]
    ROWS += [
        Row(_probe, 'module=keras3|tf.keras,family=keras', OK, tf_min=NIGHTLY, flavours=('keras3',), note=KERAS_316),
        Row(_probe, UPGRADE, OK, tf_min=NIGHTLY, flavours=('keras3',), note=KERAS_316),
        Row(_probe, CONTRIB, Raises('ValueError') if _probe == 'np_int64' else OK),
        Row(_probe, BY_HAND, OK),
        Row(_probe, KERAS_2_OR_3, Raises('ValueError'), note=NUMPY_SCALAR_REJECTED),
        # tf_upgrade_v2 writes 0.5 * scale: a NumPy float16/float32 times a Python float is a NumPy
        # float64 (a float subclass) under NumPy 1 and keeps its type under NumPy 2 (TF >= 2.18);
        # 0.5 * np.int64(2) is a NumPy float64 under both.
        Row(_probe, UPGRADE, OK, tf_max=None if _probe == 'np_int64' else '2.18'),
    ] + ([] if _probe == 'np_int64' else [
        Row(_probe, UPGRADE, Raises('ValueError'), tf_min='2.18', note=NUMPY_SCALAR_REJECTED),
    ]) + [
        Row(_probe, TF1_KERAS, OK, tf_max='2.3'),
        Row(_probe, TF_KERAS, Raises('ValueError'), tf_min='2.3', note=NUMPY_SCALAR_REJECTED),
    ]

ROWS += keras3_l1_before('np_float64') + keras3_orthogonal('np_float64', Raises('InvalidArgumentError')) + [
    Row('np_float64', '*', OK),

    # -- nan, inf, neg_inf -----------------------------------------------------------
    Row('nan', CONTRIB, OK),
    Row('nan', BY_HAND, OK),
    Row('nan', KERAS_2_OR_3, Raises('ValueError')),
    Row('nan', TF1_KERAS, OK, tf_max='2.3'),
    Row('nan', TF_KERAS, Raises('ValueError'), tf_min='2.3'),
    Row('inf', CONTRIB, OK),
    Row('inf', BY_HAND, OK),
    Row('inf', KERAS_2_OR_3, Raises('ValueError')),
    Row('inf', TF1_KERAS, OK, tf_max='2.3'),
    Row('inf', TF_KERAS, Raises('ValueError'), tf_min='2.3'),
    Row('neg_inf', CONTRIB, Raises('ValueError')),
    Row('neg_inf', BY_HAND, OK, note=NEGATIVE_ACCEPTED),
    Row('neg_inf', KERAS_2_OR_3, Raises('ValueError')),
    Row('neg_inf', TF1_KERAS, OK, tf_max='2.3', note=NEGATIVE_ACCEPTED),
    Row('neg_inf', TF_KERAS, Raises('ValueError'), tf_min='2.3'),

    # -- none ------------------------------------------------------------------------
    Row('none', CONTRIB, Raises('ValueError')),
    Row('none', 'penalty=orthogonal', Raises('ValueError'),
        note="OrthogonalRegularizer(None) raises in every release that has it: unlike l2, no default"),
    Row('none', BY_HAND, Raises('ValueError'), note="None * a tensor: TensorFlow cannot convert None"),
    Row('none', UPGRADE, Raises('TypeError'), note="tf_upgrade_v2's 0.5 * (scale) with scale None"),
    Row('none', TF_KERAS, Raises('ValueError'), tf_min='2.3', tf_max='2.4', note=NONE_23),
    Row('none', TF_KERAS + ',penalty=l1_l2', Penalty(lam=0.0, entries=CONTAINED), tf_min='2.4'),
    Row('none', KERAS_2_OR_3 + ',penalty=l1_l2', Penalty(lam=0.0, entries=CONTAINED)),
    Row('none', TF1_KERAS, Penalty(lam=NAN, entries=CONTAINED), tf_max='2.3', upstream_bug=NAN_FROM_NONE),
    Row('none', TF_KERAS, Penalty(lam=KERAS_DEFAULT, entries=CONTAINED), tf_min='2.4'),
    Row('none', KERAS_2_OR_3, Penalty(lam=KERAS_DEFAULT, entries=CONTAINED)),

    # -- string ----------------------------------------------------------------------
    Row('string', CONTRIB, Raises('TypeError')),
    Row('string', 'family=manual', Raises('TypeError')),
    Row('string', KERAS_2_OR_3, Raises('ValueError')),
    Row('string', TF1_KERAS, OK, tf_max='2.3'),
    Row('string', TF_KERAS, Raises('ValueError'), tf_min='2.3'),

    # -- tensor_0d -------------------------------------------------------------------
    Row('tensor_0d', CONTRIB, OK),
    Row('tensor_0d', BY_HAND, OK),
    Row('tensor_0d', KERAS_2_OR_3, Raises('ValueError')),
    Row('tensor_0d', TF1_KERAS, Raises('ValueError'), tf_max='1.15'),
    Row('tensor_0d', TF_KERAS, Raises('TypeError'), tf_min='1.15', tf_max='2.0'),
    Row('tensor_0d', TF_KERAS + ',container=collection|variable', Raises('OperatorNotAllowedInGraphError'),
        tf_min='2.0', tf_max='2.3',
        note="Keras 2.2-2.3 tests `if l2:` on the coefficient; in a v1 graph a tensor's truth value is not allowed"),
    Row('tensor_0d', TF_KERAS, OK, tf_min='2.0', tf_max='2.3'),
    Row('tensor_0d', TF_KERAS, Raises('ValueError'), tf_min='2.3'),
]
