"""tf.contrib.layers on TF 1.x, tf_slim (its successor) on 2.x."""

from ..harness import Built
from ..reference import HALF
from .compat_v1 import reg_losses
from .registry import CONTRIB, HALF_L2_KERNELS, MATRIX, route


@route("contrib.l2_regularizer(scale)(w)", family="contrib",
       api_call="contrib.layers.l2_regularizer(scale)(w)",
       convention=HALF, requires=[CONTRIB], kernels=HALF_L2_KERNELS)
def l2_regularizer_call(api, src, lam):
    v = src.variable()
    penalty = api.contrib.l2_regularizer(scale=lam)(v)
    return Built(0.0 if penalty is None else penalty, v)


@route("contrib.apply_regularization(l2, [w])", family="contrib",
       api_call="contrib.layers.apply_regularization(contrib.layers.l2_regularizer(scale), [w])",
       convention=HALF, requires=[CONTRIB], kernels=HALF_L2_KERNELS, graph_only=True)
def apply_regularization(api, src, lam):
    v = src.variable()
    total = api.contrib.apply_regularization(api.contrib.l2_regularizer(scale=lam), [v])
    return Built(total, v, len(reg_losses(api)))


@route("contrib.fully_connected(weights_regularizer=l2)", family="contrib",
       api_call="contrib.layers.fully_connected(x, n, weights_regularizer=contrib.layers.l2_regularizer(scale)); "
                "tf.losses.get_regularization_loss()",
       convention=HALF, requires=[CONTRIB], kernels=HALF_L2_KERNELS, graph_only=True, kernel=MATRIX)
def fully_connected(api, src, lam):
    n_in, n_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, n_in))
    api.contrib.fully_connected(x, n_out, weights_initializer=src.initializer,
                                weights_regularizer=api.contrib.l2_regularizer(scale=lam))
    kernel = [v for v in api.v1.global_variables() if v.name.endswith("weights:0")][0]
    return Built(api.v1.losses.get_regularization_loss(), kernel, len(reg_losses(api)))
