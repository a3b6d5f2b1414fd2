"""tf.layers (tf.compat.v1.layers): TF's own up to 2.5, Keras-backed after, gone with Keras 3."""

from ..harness import Built
from ..reference import HALF
from .compat_v1 import reg_losses
from .registry import CONTRIB, CONV2D, CONV2D_OP, HALF_L2_KERNELS, MATRIX, TF_LAYERS, route


def _kernel(api):
    return [v for v in api.v1.global_variables() if v.name.endswith("kernel:0")][0]


@route("tf.layers.dense(kernel_regularizer=l2)", family="layers",
       api_call="tf.layers.dense(x, units, kernel_regularizer=contrib.layers.l2_regularizer(scale)); "
                "tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))",
       convention=HALF, requires=[TF_LAYERS, CONTRIB], graph_only=True, kernel=MATRIX, kernels=HALF_L2_KERNELS)
def dense(api, src, lam):
    n_in, n_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, n_in))
    api.layers.dense(x, n_out, kernel_initializer=src.initializer,
                     kernel_regularizer=api.contrib.l2_regularizer(scale=lam))
    entries = reg_losses(api)
    return Built(api.tf.add_n(entries) if entries else 0.0, _kernel(api), len(entries))


@route("tf.layers.conv2d(kernel_regularizer=l2)", family="layers",
       api_call="tf.layers.conv2d(x, filters, kernel_size, kernel_regularizer=contrib.layers.l2_regularizer(scale)); "
                "tf.add_n(tf.losses.get_regularization_losses())",
       convention=HALF, requires=[TF_LAYERS, CONTRIB], graph_only=True, kernel=CONV2D,
       kernels=HALF_L2_KERNELS + (CONV2D_OP,))
def conv2d(api, src, lam):
    kh, kw, c_in, c_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, kh, kw, c_in))
    api.layers.conv2d(x, c_out, (kh, kw), kernel_initializer=src.initializer,
                      kernel_regularizer=api.contrib.l2_regularizer(scale=lam))
    entries = api.v1.losses.get_regularization_losses()
    return Built(api.tf.add_n(entries) if entries else 0.0, _kernel(api), len(entries))
