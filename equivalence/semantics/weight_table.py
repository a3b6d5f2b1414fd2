"""The weights table: NaN/inf entries, zero-size and integer weights, float16 overflow, float16/bfloat16
precision loss, float64 with a lambda that float32 cannot hold; lambda 0.1 except where the probe says
(probes.WEIGHT_PROBES).

* NaN and inf weights propagate everywhere (Penalty() is the NumPy reference, NaN or inf).
* Zero-size weights give an exact 0 everywhere they are accepted; tf.layers.conv2d with a zero-size
  kernel is accepted by TF <= 1.13, kills the process with SIGFPE on TF 1.14-2.2 (contained: the
  cell records "crashed") and raises ValueError from TF 2.3 on.
* float16: lambda * sum(w**2) / 2 ~ 2.7e4 fits float16 (max 65504), but the squares (up to 2e5) do
  not, and every L2 route returns inf: nobody accumulates float16 squares in float32.
  L1 routes (no squares) return the finite reference.
* float64 weights with lambda 0.1: contrib and tf.nn.l2_loss use 0.1 exactly (float64); every Keras
  route uses float32(0.1), a relative error of 1.5e-8 that no float64 user expects.
* float16 / bfloat16 precision (1024-4096 equal terms, lambda 1/8): from TF 1.13 (float16) and 2.3
  (bfloat16) every route equals the same computation in float32 rounded to the dtype. Before that the
  reduction ran sequentially in the weights' dtype and stalled: float16 penalties lost half their value
  (TF < 1.13, every route), bfloat16 penalties through reduce_sum lost 3/4 (TF < 2.3: Keras, contrib l1,
  and the |w| half of contrib l1_l2), while L2Loss (contrib l2, tf.nn.l2_loss) already summed wider.
* int32 weights: TF's L2Loss/Square paths raise TypeError or InvalidArgumentError; Keras 3 (and tf.keras
  L1 on TF >= 2.3, L2 on TF 2.3-2.9) returns an int32 *zero*: lambda 0.1 is cast to the weights' integer dtype first.
"""

import numpy as np

from .outcomes import CONTAINED, Accumulates, Contained, Overflows, Penalty, Raises
from .table import Row

F32_01 = float(np.float32(0.1))  # what Keras multiplies by when asked for 0.1 (floatx storage)

INT_ZERO = ("Silently wrong: lambda 0.1 is cast to the weights' int32 dtype (0) before multiplying, so "
            "the penalty is an int32 0 instead of an error or 0.1 * sum(w**2). Looks like an upstream bug.")
CONV_SIGFPE = ("TF 1.14-2.2 Conv2D with zero input channels dies with SIGFPE (integer division by zero in the "
               "kernel): the whole process goes down, which is why probes run in a contained worker.")
STALL = ("Silently wrong: a sequential sum in the weights' dtype stops growing once its spacing reaches twice a "
         "term, so the penalty of many equal weights is a fraction of the exact one, without a warning. "
         "Upstream later made the reduction accumulate wider (the float32 model holds from then on).")
L2LOSS_INT32 = ("TF 2.0-2.2 have no int32 CPU kernel for L2Loss at all (NotFoundError); later releases reject "
                "the dtype (InvalidArgumentError).")
FLOAT32_LAMBDA = "Keras stores lambda as floatx (float32) even for float64 weights."

# Selectors read a route's traits (semantics/table.py); OK: the reference, with the container's entries.
OK = Penalty(entries=CONTAINED)
CONTRIB, TF_KERAS, BY_HAND = "family=contrib", "module=tf.keras", "module=tf"
INT_ZERO_PENALTY = Penalty(lam=0.0, entries=CONTAINED)
# Penalties summed with reduce_sum in the weights' dtype (Keras, a user's reduce_sum, contrib's l1);
# L2Loss (contrib l2, tf.nn.l2_loss) summed wider in every release.
REDUCE_SUM = "family=keras|manual,module=tf.keras|keras3|tf_keras|keras2"

GRAPH_WIDER = ("measured: in a v1 graph on TF 2.0 (contrib l1; 2.0-2.2 for l1_l2 and sum_regularizer) contrib's "
               "|w| sum accumulates like float32, while the same regularizer called eagerly stalls")
NIGHTLY = "2.22"  # the first tf-nightly measured (2.23.0-dev): below any release

# -- older Keras 3 releases (the keras-history envs, tox -m keras-history): rows with a Keras range ---------
# flavour keras3, where tf.keras and the keras module are the same Keras 3 release.
KERAS3 = ("keras3",)
K3_MODULES = "module=tf.keras|keras3"
# Keras 3 backends (tox -m keras-backends, Keras 3.15.1; jax stores float64 as float32, so its float64 cells are skipped)
# Upstream bug (Keras 3.15.1, no issue found): the NumPy backend's rsqrt casts its result to the argument's dtype
# (backend/numpy/math.py: (1.0 / np.sqrt(x)).astype(result_type(x.dtype))), so 1 / sqrt of an int32 sum of squares
# truncates to 0; ops.nn.normalize, which OrthogonalRegularizer applies to a backend tensor or variable (a NumPy
# array takes numerical_utils' np.linalg.norm path instead), then returns zeros. Minimal reproduction:
#   KERAS_BACKEND=numpy python -c "import keras, numpy as np; print(keras.ops.rsqrt(np.array([340], 'int32')));
#   print(keras.regularizers.OrthogonalRegularizer(0.1)(keras.Variable(np.array([[18, 4], [10, 22]], 'int32'))))"
#   # [0] and 0.0 (the same weights as a NumPy array: 0.0601)
NUMPY_INT_RSQRT = ("Silently wrong on KERAS_BACKEND=numpy (Keras 3.15.1, no issue found): rsqrt keeps an int32 "
                   "argument's dtype, so OrthogonalRegularizer normalizes an int32 kernel to zeros and its penalty is "
                   "a float64 0 instead of an error or the penalty of the values")
# The NumPy backend sums bfloat16 (ml_dtypes' type) with NumPy's add.reduce in bfloat16: one running sum, which stalls
# (reduction.SEQUENTIAL_ON_NUMPY_BACKEND); TensorFlow's reduce_sum accumulates bfloat16 wider from TF 2.3.
NUMPY_BF16_STALL = ("Silently wrong on KERAS_BACKEND=numpy: NumPy sums ml_dtypes' bfloat16 in bfloat16, one running "
                    "sum that stalls once its spacing reaches twice a term (TensorFlow accumulates wider from 2.3)")
TORCH_INT_VARIABLE = ("torch: a Keras variable is a torch Parameter with requires_grad=trainable, and torch refuses it "
                      "for an int32 tensor (RuntimeError: only floating point and complex tensors can require "
                      "gradients): int32 weights raise before any penalty, where TensorFlow computes lambda cast to 0")
BACKEND_F64_LAMBDA = ("torch and numpy: L2 / L1L2 multiply by ops.cast(lambda, x.dtype), which the backend converts to "
                      "float64 directly, "
                      "so with float64 weights lambda is 0.1 as given (TensorFlow's cast goes through a float32 "
                      "tensor first: float32(0.1)); L1 keeps a float32 lambda tensor on every backend")
# keras_min / keras_max: the first Keras 3 minor release that behaves as the row says / as the next row says. All 16
# minors are measured (tox -m keras-history, 2026-12-03), so each boundary lies between two consecutive minors.
K3_OWN_DTYPE_UNTIL = "3.14"
K3_INT32_UNTIL = "3.14"
K3_ORTHOGONAL_INT32_UNTIL = "3.6"
K3_OWN_DTYPE = ("Keras 3.0-3.13 L1 multiplies by a tensor of lambda's own dtype (float32 for a Python float) "
                "where L2 casts it to the weights' dtype: float16, bfloat16, float64 and int32 weights raise "
                "InvalidArgumentError (cannot compute Mul). Measured: every Keras 3.0.5-3.13.2 raises, 3.14.1 and "
                "3.15.1 compute the penalty.")
K3_F64_LAMBDA = ("Keras 3.0-3.13 L2 / L1L2 keep a float64 lambda as given with float64 weights (0.1, not float32(0.1)); "
                 "from 3.14 they multiply by float32(lambda). Measured: every 3.0.5-3.13.2 as given; 3.14.1 and "
                 "3.15.1 float32.")
K3_INT32 = ("Keras 3.0-3.13 with int32 weights: L2 / L1L2 raise TypeError (lambda cannot be converted to an int32 "
            "tensor) and L1 InvalidArgumentError, where Keras 3.14 and 3.15 cast lambda to int32 (an int32 "
            "zero). Measured: every 3.0.5-3.13.2 raises; 3.14.1 as 3.15.1.")
K3_ORTHOGONAL_INT32 = ("Keras 3.0-3.5 OrthogonalRegularizer on int32 weights returns a float32 penalty of the cast "
                       "weights (called directly and in a Dense); 3.6 and later raise InvalidArgumentError. Measured: "
                       "every 3.0.5-3.5.0 (TF 2.16.2-2.19.1) the penalty, every 3.6.0-3.15.1 raises.")
FUNCTION_IN_DENSE = "module=tf,attachment=dense"
K3_FUNCTION_FROM, K3_FUNCTION_UNTIL = "3.1", "3.15"
K3_FUNCTION = ("Keras 3.1-3.14 reject a plain Python function as a layer regularizer: Dense(kernel_regularizer=fn) raises "
               "ValueError (\"Expected an instance of keras.regularizers.Regularizer\") whatever the weights; Keras "
               "3.0.5 and 3.15.1 call it. Measured: 3.0.5 calls it, every 3.1.1-3.14.1 raises for every probe.")
# Standalone Keras 2 (keras2, tox -m keras-history): a layer creates its weights in floatx (routes/plumbing.py
# KERAS2_LAYER_FLOATX), so an initializer whose value has the probe's own dtype cannot become the float32 kernel.
KERAS2_FLOATX = ("Standalone Keras 2.1.6 / 2.2.4 layers create every weight in K.floatx() (float32) whatever their "
                 "dtype argument (Layer.add_weight's dtype default; Dense.build passes none): an int32, float16, "
                 "bfloat16 or float64 initial value raises ValueError (Tensor conversion requested dtype float32). "
                 "Measured on TF 1.8 and 1.12.")
WEIGHT_PROBE_IDS = ("nan_entry", "inf_entry", "empty", "int32", "float16_square_overflow", "float64_lambda_0.1",
                    "float16_sum_stall", "bfloat16_sum_stall")

ROWS = [Row(_probe, FUNCTION_IN_DENSE, Raises('ValueError'), flavours=KERAS3, keras_min=K3_FUNCTION_FROM,
            keras_max=K3_FUNCTION_UNTIL, note=K3_FUNCTION) for _probe in WEIGHT_PROBE_IDS] + [
    Row('nan_entry', '*', OK),
    Row('inf_entry', '*', OK),

    Row('empty', 'attachment=tf.layers.conv2d', OK, tf_max='1.14'),
    Row('empty', 'attachment=tf.layers.conv2d', Contained('crashed'), tf_min='1.14', tf_max='2.3', note=CONV_SIGFPE),
    Row('empty', 'attachment=tf.layers.conv2d', Raises('ValueError'), tf_min='2.3'),
    Row('empty', '*', OK),

    # -- int32 weights ---------------------------------------------------------------
    Row('int32', 'family=keras|manual,' + K3_MODULES, Raises('RuntimeError'), flavours=KERAS3, backends=('torch',),
        note=TORCH_INT_VARIABLE),
    Row('int32', CONTRIB, Raises('TypeError')),
    # an int32 kernel in a layer or a v1 variable: the layer or get_variable raises before any penalty
    Row('int32', 'attachment=tf.layers.dense|fully_connected', Raises('TypeError')),
    Row('int32', 'attachment=tf.layers.conv2d', Raises('TypeError'), tf_min='2.10'),
    Row('int32', 'regularizer=l2_loss,container=layer', Raises('InvalidArgumentError'), tf_min='2.16',
        flavours=('keras3',), note=L2LOSS_INT32),
    Row('int32', 'regularizer=l2_loss,container=collection|layer', Raises('TypeError')),
    Row('int32', 'regularizer=l2_loss', Raises('TypeError'), tf_max='2.0'),
    Row('int32', 'regularizer=l2_loss', Raises('NotFoundError'), tf_min='2.0', tf_max='2.3', note=L2LOSS_INT32),
    Row('int32', 'regularizer=l2_loss', Raises('InvalidArgumentError'), tf_min='2.0', note=L2LOSS_INT32),
    Row('int32', 'regularizer=callable', Raises('TypeError'),
        note="a float lambda times an int32 tensor: TensorFlow does not promote"),
    Row('int32', 'penalty=l1,' + K3_MODULES, Raises('InvalidArgumentError'), flavours=KERAS3,
        keras_max=K3_OWN_DTYPE_UNTIL, note=K3_OWN_DTYPE),
    Row('int32', 'penalty=orthogonal,' + K3_MODULES, Penalty(entries=CONTAINED, dtype='float32'), flavours=KERAS3,
        keras_max=K3_ORTHOGONAL_INT32_UNTIL, note=K3_ORTHOGONAL_INT32),
    Row('int32', 'penalty=l2|l1_l2,' + K3_MODULES, Raises('TypeError'), flavours=KERAS3, keras_max=K3_INT32_UNTIL,
        note=K3_INT32),
    Row('int32', 'penalty=orthogonal,module=keras3|tf.keras,container=layer',
        Penalty(entries=CONTAINED, dtype='float32'), tf_min=NIGHTLY, flavours=('keras3',),
        note="Keras 3.16 (tf-nightly): a Dense asked for int32 weights gets a float32 kernel of the rounded "
             "values, and its orthogonal penalty is the float32 reference"),
    # Keras 3 backends (tox -m keras-backends, Keras 3.15.1)
    Row('int32', 'penalty=orthogonal,' + K3_MODULES, Raises('TypeError'), flavours=KERAS3, backends=('jax',),
        note="jax: OrthogonalRegularizer's rsqrt does not accept int32 (TypeError, where TensorFlow raises "
             "InvalidArgumentError)"),
    Row('int32', 'penalty=orthogonal,' + K3_MODULES, Penalty(lam=0.0, entries=CONTAINED, dtype='float64'),
        flavours=KERAS3, backends=('numpy',), upstream_bug=NUMPY_INT_RSQRT),
    Row('int32', 'penalty=orthogonal,module=keras3', Raises('InvalidArgumentError')),
    Row('int32', 'penalty=orthogonal,module=tf.keras', Raises('InvalidArgumentError'), tf_min='2.16',
        flavours=('keras3',)),
    Row('int32', 'penalty=orthogonal', Raises('TypeError'), note="l2_normalize of an int32 kernel"),
    Row('int32', 'module=keras3', INT_ZERO_PENALTY, upstream_bug=INT_ZERO),
    Row('int32', TF_KERAS, INT_ZERO_PENALTY, tf_min='2.16', flavours=('keras3',), upstream_bug=INT_ZERO),
    Row('int32', 'module=keras2,container=layer', Raises('ValueError'), note=KERAS2_FLOATX),
    Row('int32', TF_KERAS + ',container=layer', Raises('TypeError')),
    Row('int32', TF_KERAS + ',penalty=l1', INT_ZERO_PENALTY, tf_min='2.3', upstream_bug=INT_ZERO),
    Row('int32', TF_KERAS + ',penalty=l1|l1_l2', Raises('TypeError')),
    Row('int32', 'module=tf.keras|keras2', Raises('TypeError'), tf_max='2.3'),
    Row('int32', TF_KERAS, INT_ZERO_PENALTY, tf_min='2.3', tf_max='2.10', upstream_bug=INT_ZERO),
    Row('int32', TF_KERAS + ',container=collection|variable', Raises('TypeError'), tf_min='2.10'),
    Row('int32', TF_KERAS, Raises('InvalidArgumentError'), tf_min='2.10'),
    Row('int32', 'module=tf_keras,container=layer|collection', Raises('TypeError')),
    Row('int32', 'module=tf_keras,penalty=l1', INT_ZERO_PENALTY, upstream_bug=INT_ZERO),
    Row('int32', 'module=tf_keras,penalty=l1_l2', Raises('TypeError')),
    Row('int32', 'module=tf_keras', Raises('InvalidArgumentError')),

    # -- float16, bfloat16 and float64 weights: Keras 3.0-3.13 L1 raises on each; a standalone Keras 2 layer ----
] + [Row(_probe, 'module=keras2,container=layer', Raises('ValueError'), note=KERAS2_FLOATX)
     for _probe in ('float16_square_overflow', 'float64_lambda_0.1', 'float16_sum_stall', 'bfloat16_sum_stall')] + [Row(_probe, 'penalty=l1,' + K3_MODULES, Raises('InvalidArgumentError'), flavours=KERAS3,
         keras_max=K3_OWN_DTYPE_UNTIL, note=K3_OWN_DTYPE)
     for _probe in ('float16_square_overflow', 'float64_lambda_0.1', 'float16_sum_stall', 'bfloat16_sum_stall')] + [

    # -- float16 overflow of the squares ------------------------------------------------
    Row('float16_square_overflow', 'penalty=l1', OK,
        note="no squares: the L1 penalty is finite and equals the reference"),
    Row('float16_square_overflow', '*', Overflows()),

    # -- a float64 lambda of 0.1 ---------------------------------------------------------
    Row('float64_lambda_0.1', CONTRIB, Penalty(as_given=True, entries=CONTAINED)),
    Row('float64_lambda_0.1', BY_HAND, Penalty(as_given=True, entries=CONTAINED)),
    Row('float64_lambda_0.1', 'penalty=l2|l1_l2,' + K3_MODULES, Penalty(as_given=True, entries=CONTAINED),
        flavours=KERAS3, keras_max=K3_OWN_DTYPE_UNTIL, note=K3_F64_LAMBDA),
    Row('float64_lambda_0.1', 'penalty=l2|l1_l2,' + K3_MODULES, Penalty(as_given=True, entries=CONTAINED),
        flavours=KERAS3, backends=('torch', 'numpy'), note=BACKEND_F64_LAMBDA),
    Row('float64_lambda_0.1', '*', Penalty(lam=F32_01, as_given=True, entries=CONTAINED), note=FLOAT32_LAMBDA),

    # -- float16 / bfloat16 precision of long sums ------------------------------------
    Row('float16_sum_stall', '*', Accumulates('linear'), tf_max='1.13', upstream_bug=STALL),
    Row('float16_sum_stall', '*', Accumulates('float32'), tf_min='1.13'),
    Row('bfloat16_sum_stall', 'regularizer=contrib-l1,attachment=get_variable', Accumulates('float32'), tf_min='2.0',
        tf_max='2.1', note=GRAPH_WIDER),
    Row('bfloat16_sum_stall', 'regularizer=contrib-l1_l2|contrib-sum,attachment=get_variable', Accumulates('float32'),
        tf_min='2.0', tf_max='2.3', note=GRAPH_WIDER),
    Row('bfloat16_sum_stall', 'family=keras|manual,' + K3_MODULES, Accumulates('linear'), flavours=KERAS3,
        backends=('numpy',), upstream_bug=NUMPY_BF16_STALL),
    Row('bfloat16_sum_stall', REDUCE_SUM, Accumulates('linear'), tf_max='2.3', upstream_bug=STALL),
    Row('bfloat16_sum_stall', 'regularizer=callable|contrib-l1', Accumulates('linear'), tf_max='2.3',
        upstream_bug=STALL),
    Row('bfloat16_sum_stall', 'regularizer=contrib-l1_l2|contrib-sum', Accumulates('linear', l2='float32'),
        tf_max='2.3', upstream_bug=STALL,
        note="the |w| sum goes through reduce_sum (sequential), the squares through L2Loss (wider)"),
    Row('bfloat16_sum_stall', '*', Accumulates('float32'), note="L2Loss sums bfloat16 wider in every release measured"),
]
