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

from .outcomes import Accumulates, Contained, Overflows, Penalty, Raises
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

ROWS = [
    Row('nan_entry', 'family=compat_v1', Penalty(entries=1)),
    Row('nan_entry', 'contrib.apply_regularization(l2, [w])', Penalty(entries=1)),
    Row('nan_entry', 'contrib.fully_connected(weights_regularizer=l2)', Penalty(entries=1)),
    Row('nan_entry', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('nan_entry', 'keras.layers.Dense(kernel_regularizer=L2).losses', Penalty(entries=1)),
    Row('nan_entry', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('nan_entry', 'family=layers', Penalty(entries=1)),
    Row('nan_entry', 'contrib.l2_regularizer(scale)(w)', Penalty()),
    Row('nan_entry', 'contrib.l1_regularizer(scale)(w)', Penalty()),
    Row('nan_entry', 'contrib.l1_l2_regularizer(scale, scale)(w)', Penalty()),
    Row('nan_entry', 'contrib.sum_regularizer([l1, l2])(w)', Penalty()),
    Row('nan_entry', 'tf.keras.regularizers.l2(scale)(w)', Penalty()),
    Row('nan_entry', 'keras.regularizers.L2(scale)(w)', Penalty()),
    Row('nan_entry', 'tf_keras.regularizers.l2(scale)(w)', Penalty()),
    Row('nan_entry', 'tf.keras.regularizers.l1(scale)(w)', Penalty()),
    Row('nan_entry', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('nan_entry', 'keras.regularizers.L1(scale)(w)', Penalty()),
    Row('nan_entry', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Penalty()),
    Row('nan_entry', 'tf_keras.regularizers.l1(scale)(w)', Penalty()),
    Row('nan_entry', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('nan_entry', 'family=manual', Penalty()),
    Row('inf_entry', 'family=compat_v1', Penalty(entries=1)),
    Row('inf_entry', 'contrib.apply_regularization(l2, [w])', Penalty(entries=1)),
    Row('inf_entry', 'contrib.fully_connected(weights_regularizer=l2)', Penalty(entries=1)),
    Row('inf_entry', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('inf_entry', 'keras.layers.Dense(kernel_regularizer=L2).losses', Penalty(entries=1)),
    Row('inf_entry', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('inf_entry', 'family=layers', Penalty(entries=1)),
    Row('inf_entry', 'contrib.l2_regularizer(scale)(w)', Penalty()),
    Row('inf_entry', 'contrib.l1_regularizer(scale)(w)', Penalty()),
    Row('inf_entry', 'contrib.l1_l2_regularizer(scale, scale)(w)', Penalty()),
    Row('inf_entry', 'contrib.sum_regularizer([l1, l2])(w)', Penalty()),
    Row('inf_entry', 'tf.keras.regularizers.l2(scale)(w)', Penalty()),
    Row('inf_entry', 'keras.regularizers.L2(scale)(w)', Penalty()),
    Row('inf_entry', 'tf_keras.regularizers.l2(scale)(w)', Penalty()),
    Row('inf_entry', 'tf.keras.regularizers.l1(scale)(w)', Penalty()),
    Row('inf_entry', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('inf_entry', 'keras.regularizers.L1(scale)(w)', Penalty()),
    Row('inf_entry', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Penalty()),
    Row('inf_entry', 'tf_keras.regularizers.l1(scale)(w)', Penalty()),
    Row('inf_entry', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('inf_entry', 'family=manual', Penalty()),
    Row('empty', 'family=compat_v1', Penalty(entries=1)),
    Row('empty', 'contrib.apply_regularization(l2, [w])', Penalty(entries=1)),
    Row('empty', 'contrib.fully_connected(weights_regularizer=l2)', Penalty(entries=1)),
    Row('empty', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('empty', 'keras.layers.Dense(kernel_regularizer=L2).losses', Penalty(entries=1)),
    Row('empty', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(entries=1)),
    Row('empty', 'tf.layers.dense(kernel_regularizer=l2)', Penalty(entries=1)),
    Row('empty', 'contrib.l2_regularizer(scale)(w)', Penalty()),
    Row('empty', 'contrib.l1_regularizer(scale)(w)', Penalty()),
    Row('empty', 'contrib.l1_l2_regularizer(scale, scale)(w)', Penalty()),
    Row('empty', 'contrib.sum_regularizer([l1, l2])(w)', Penalty()),
    Row('empty', 'tf.keras.regularizers.l2(scale)(w)', Penalty()),
    Row('empty', 'keras.regularizers.L2(scale)(w)', Penalty()),
    Row('empty', 'tf_keras.regularizers.l2(scale)(w)', Penalty()),
    Row('empty', 'tf.keras.regularizers.l1(scale)(w)', Penalty()),
    Row('empty', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('empty', 'keras.regularizers.L1(scale)(w)', Penalty()),
    Row('empty', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Penalty()),
    Row('empty', 'tf_keras.regularizers.l1(scale)(w)', Penalty()),
    Row('empty', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty()),
    Row('empty', 'family=manual', Penalty()),
    Row('empty', 'tf.layers.conv2d(kernel_regularizer=l2)', Penalty(entries=1), tf_max='1.14'),
    Row('empty', 'tf.layers.conv2d(kernel_regularizer=l2)', Contained('crashed'), tf_min='1.14', tf_max='2.3', note=CONV_SIGFPE),
    Row('empty', 'tf.layers.conv2d(kernel_regularizer=l2)', Raises('ValueError'), tf_min='2.3'),
    Row('int32', 'family=compat_v1', Raises('TypeError')),
    Row('int32', 'family=contrib', Raises('TypeError')),
    Row('int32', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Raises('TypeError')),
    Row('int32', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Raises('TypeError')),
    Row('int32', 'family=layers', Raises('TypeError')),
    Row('int32', 'tf.keras.regularizers.l2(scale)(w)', Raises('TypeError'), tf_max='2.3'),
    Row('int32', 'tf.keras.regularizers.l1(scale)(w)', Raises('TypeError'), tf_max='2.3'),
    Row('int32', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Raises('TypeError'), tf_max='2.3'),
    Row('int32', 'family=manual', Raises('TypeError'), tf_max='2.0'),
    Row('int32', 'scale * tf.nn.l2_loss(w)', Raises('NotFoundError'), tf_min='2.0', tf_max='2.3', note=L2LOSS_INT32),
    Row('int32', 'tf.keras.regularizers.l2(scale)(w)', Penalty(lam=0.0), tf_min='2.3', tf_max='2.10', upstream_bug=INT_ZERO),
    Row('int32', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Penalty(lam=0.0), tf_min='2.3', tf_max='2.10', upstream_bug=INT_ZERO),
    Row('int32', 'tf.keras.regularizers.l2(scale)(w)', Raises('InvalidArgumentError'), tf_min='2.10', tf_max='2.16'),
    Row('int32', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Raises('InvalidArgumentError'), tf_min='2.10', tf_max='2.16'),
    Row('int32', 'tf.keras.regularizers.l2(scale)(w)', Penalty(lam=0.0), tf_min='2.16', flavours=('keras3',), upstream_bug=INT_ZERO),
    Row('int32', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty(lam=0.0), tf_min='2.16', flavours=('keras3',), upstream_bug=INT_ZERO),
    Row('int32', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Penalty(lam=0.0), tf_min='2.16', flavours=('keras3',), upstream_bug=INT_ZERO),
    Row('int32', 'tf.keras.regularizers.l2(scale)(w)', Raises('InvalidArgumentError'), tf_min='2.16', flavours=('legacy',)),
    Row('int32', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Raises('InvalidArgumentError'), tf_min='2.16', flavours=('legacy',)),
    Row('int32', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Raises('TypeError'), tf_max='2.16'),
    Row('int32', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Raises('TypeError'), tf_max='2.16'),
    Row('int32', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(lam=0.0, entries=1), tf_min='2.16', flavours=('keras3',), upstream_bug=INT_ZERO),
    Row('int32', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Raises('TypeError'), tf_min='2.16', flavours=('legacy',)),
    Row('int32', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Raises('TypeError'), tf_min='2.16', flavours=('legacy',)),
    Row('int32', 'keras.regularizers.L2(scale)(w)', Penalty(lam=0.0), upstream_bug=INT_ZERO),
    Row('int32', 'keras.regularizers.L1(scale)(w)', Penalty(lam=0.0), upstream_bug=INT_ZERO),
    Row('int32', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Penalty(lam=0.0), upstream_bug=INT_ZERO),
    Row('int32', 'tf_keras.regularizers.l1(scale)(w)', Penalty(lam=0.0), upstream_bug=INT_ZERO),
    Row('int32', 'keras.layers.Dense(kernel_regularizer=L2).losses', Penalty(lam=0.0, entries=1), upstream_bug=INT_ZERO),
    Row('int32', 'tf_keras.regularizers.l2(scale)(w)', Raises('InvalidArgumentError')),
    Row('int32', 'tf.keras.regularizers.l1(scale)(w)', Penalty(lam=0.0), tf_min='2.3', upstream_bug=INT_ZERO),
    Row('int32', 'scale * tf.nn.l2_loss(w)', Raises('InvalidArgumentError'), tf_min='2.0'),
    Row('float16_square_overflow', 'family=compat_v1', Overflows()),
    Row('float16_square_overflow', 'contrib.l2_regularizer(scale)(w)', Overflows()),
    Row('float16_square_overflow', 'contrib.apply_regularization(l2, [w])', Overflows()),
    Row('float16_square_overflow', 'contrib.fully_connected(weights_regularizer=l2)', Overflows()),
    Row('float16_square_overflow', 'contrib.l1_l2_regularizer(scale, scale)(w)', Overflows()),
    Row('float16_square_overflow', 'contrib.sum_regularizer([l1, l2])(w)', Overflows()),
    Row('float16_square_overflow', 'tf.keras.regularizers.l2(scale)(w)', Overflows()),
    Row('float16_square_overflow', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Overflows()),
    Row('float16_square_overflow', 'keras.regularizers.L2(scale)(w)', Overflows()),
    Row('float16_square_overflow', 'keras.layers.Dense(kernel_regularizer=L2).losses', Overflows()),
    Row('float16_square_overflow', 'tf_keras.regularizers.l2(scale)(w)', Overflows()),
    Row('float16_square_overflow', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Overflows()),
    Row('float16_square_overflow', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Overflows()),
    Row('float16_square_overflow', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Overflows()),
    Row('float16_square_overflow', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Overflows()),
    Row('float16_square_overflow', 'family=layers', Overflows()),
    Row('float16_square_overflow', 'family=manual', Overflows()),
    Row('float16_square_overflow', 'family=contrib,penalty=l1', Penalty()),
    Row('float16_square_overflow', 'family=keras,penalty=l1', Penalty()),
    Row('float64_lambda_0.1', 'family=compat_v1', Penalty(as_given=True, entries=1)),
    Row('float64_lambda_0.1', 'contrib.apply_regularization(l2, [w])', Penalty(as_given=True, entries=1)),
    Row('float64_lambda_0.1', 'contrib.fully_connected(weights_regularizer=l2)', Penalty(as_given=True, entries=1)),
    Row('float64_lambda_0.1', 'family=layers', Penalty(as_given=True, entries=1)),
    Row('float64_lambda_0.1', 'contrib.l2_regularizer(scale)(w)', Penalty(as_given=True)),
    Row('float64_lambda_0.1', 'contrib.l1_regularizer(scale)(w)', Penalty(as_given=True)),
    Row('float64_lambda_0.1', 'contrib.l1_l2_regularizer(scale, scale)(w)', Penalty(as_given=True)),
    Row('float64_lambda_0.1', 'contrib.sum_regularizer([l1, l2])(w)', Penalty(as_given=True)),
    Row('float64_lambda_0.1', 'scale * tf.nn.l2_loss(w)', Penalty(as_given=True)),
    Row('float64_lambda_0.1', 'tf.keras.regularizers.l2(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'keras.regularizers.L2(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf_keras.regularizers.l2(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf.keras.regularizers.l1(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf.keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'keras.regularizers.L1(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'keras.regularizers.L1L2(l1=scale, l2=scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf_keras.regularizers.l1(scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf_keras.regularizers.l1_l2(l1=scale, l2=scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Penalty(lam=F32_01, as_given=True), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf.keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(lam=F32_01, as_given=True, entries=1), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'keras.layers.Dense(kernel_regularizer=L2).losses', Penalty(lam=F32_01, as_given=True, entries=1), note=FLOAT32_LAMBDA),
    Row('float64_lambda_0.1', 'tf_keras.layers.Dense(kernel_regularizer=l2).losses', Penalty(lam=F32_01, as_given=True, entries=1), note=FLOAT32_LAMBDA),
    Row('float16_sum_stall', '*', Accumulates('linear'), tf_max='1.13', upstream_bug=STALL),
    Row('float16_sum_stall', '*', Accumulates('float32'), tf_min='1.13'),
    Row('bfloat16_sum_stall', 'family=keras', Accumulates('linear'), tf_max='2.3', upstream_bug=STALL),
    Row('bfloat16_sum_stall', 'tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)', Accumulates('linear'), tf_max='2.3', upstream_bug=STALL),
    Row('bfloat16_sum_stall', 'family=contrib,penalty=l1', Accumulates('linear'), tf_max='2.3', upstream_bug=STALL),
    Row('bfloat16_sum_stall', 'family=contrib,penalty=l1_l2', Accumulates('linear', l2='float32'), tf_max='2.3', upstream_bug=STALL,
        note="the |w| sum goes through reduce_sum (sequential), the squares through L2Loss (wider)"),
    Row('bfloat16_sum_stall', '*', Accumulates('float32'), note="L2Loss sums bfloat16 wider in every release measured"),
]
