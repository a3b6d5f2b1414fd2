"""Keras regularizers, through each module a user can reach: tf.keras, Keras 3, tf_keras.

Keras multiplies by lambda * sum(w**2) (no 1/2) and casts lambda to floatx
(float32) when the regularizer is built.
"""

from ..harness import Built, sum_entries
from ..reference import FULL
from .registry import (KERAS3, KERAS_L2_GRADIENT_KERNELS, KERAS_L2_KERNELS, LEGACY_KERAS, MATRIX, TF_KERAS,
                       route, tf_in)

# TF 1.7-1.8 tf.keras Dense with l2(0.0) raises AttributeError ('float' object has no attribute
# '_unconditional_loss'): an upstream bug, asserted as such in semantics/lam.py (probe `zero`).
DENSE_ZERO_LAMBDA = tf_in("Dense(kernel_regularizer=l2(0.0)) (AttributeError upstream on 1.7-1.8)",
                          ("1.0", "1.7"), ("1.9", None))

# (route prefix, requirement, how to reach the module, how users spell l2)
FLAVOURS = [
    ("tf.keras", TF_KERAS, lambda api: api.tf_keras_module, "l2"),
    ("keras", KERAS3, lambda api: api.keras3, "L2"),
    ("tf_keras", LEGACY_KERAS, lambda api: api.legacy_keras, "l2"),
]


def _register(prefix, requirement, module_of, l2_name):
    @route("%s.regularizers.%s(scale)(w)" % (prefix, l2_name), family="keras",
           api_call="%s.regularizers.%s(scale)(w)" % (prefix, l2_name),
           convention=FULL, requires=[requirement], lambda_precision="float32",
           kernels=KERAS_L2_KERNELS, gradient_kernels=KERAS_L2_GRADIENT_KERNELS)
    def call(api, src, lam):
        v = src.variable()
        return Built(getattr(module_of(api).regularizers, l2_name)(lam)(v), v)

    @route("%s.layers.Dense(kernel_regularizer=%s).losses" % (prefix, l2_name), family="keras",
           api_call="layer = %s.layers.Dense(units, kernel_regularizer=%s.regularizers.%s(scale)); "
                    "layer.build((None, n)); tf.add_n(layer.losses)" % (prefix, prefix, l2_name),
           convention=FULL, requires=[requirement], lambda_precision="float32", kernel=MATRIX,
           kernels=KERAS_L2_KERNELS, gradient_kernels=KERAS_L2_GRADIENT_KERNELS,
           zero_lambda_requires=DENSE_ZERO_LAMBDA)
    def dense(api, src, lam):
        keras = module_of(api)
        n_in, n_out = src.shape
        layer = keras.layers.Dense(n_out, kernel_initializer=src.initializer,
                                   kernel_regularizer=getattr(keras.regularizers, l2_name)(lam),
                                   dtype=src.dtype_name)
        layer.build((None, n_in))
        losses = layer.losses
        return Built(sum_entries(api, losses), layer.kernel, len(losses))


for _flavour in FLAVOURS:
    _register(*_flavour)
