"""TF 1.x graph APIs (`tf.compat.v1` on 2.x): variables and the REGULARIZATION_LOSSES collection.

The regularizer is contrib's `l2_regularizer(scale)` (tf_slim's on 2.x), as in
both seed documents; these routes differ in how the penalty reaches, and is
read from, the collection.
"""

from ..harness import Built, sum_entries
from ..reference import HALF
from .registry import CONTRIB, HALF_L2_KERNELS, route, tf_in

# get_variable colocates the penalty with the variable; where L2Loss has its
# bfloat16 kernel only on XLA_CPU (up to 1.15, and 2.4) placement fails (measured
# by the version matrix). Elsewhere from 2.0 on it runs.
COLOCATED = {"bfloat16": tf_in("bfloat16 through get_variable(regularizer=) (L2Loss is colocated with "
                               "the variable and has no CPU bfloat16 kernel there)", ("2.0", "2.4"), ("2.5", None))}


# What every route here shares: contrib's half-convention l2 in a v1 graph.
V1_GRAPH = dict(family="compat_v1", convention=HALF, requires=[CONTRIB], graph_only=True, kernels=HALF_L2_KERNELS)
GET_VARIABLE = dict(V1_GRAPH, dtype_requires=COLOCATED)


def reg_losses(api, scope=None):
    return api.v1.get_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, scope)


def _get_variable(api, src, lam):
    return api.v1.get_variable("weights", shape=src.shape, dtype=src.dtype, initializer=src.initializer,
                               regularizer=api.contrib.l2_regularizer(scale=lam))


@route("get_variable(regularizer=l2) + add_n(REGULARIZATION_LOSSES)",
       api_call="tf.get_variable(..., regularizer=contrib.l2_regularizer(scale)); "
                "tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))",
       **GET_VARIABLE)
def get_variable_collection(api, src, lam):
    v = _get_variable(api, src, lam)
    entries = reg_losses(api)
    return Built(sum_entries(api, entries), v, len(entries))


@route("losses.get_regularization_loss()",
       api_call="tf.get_variable(..., regularizer=contrib.l2_regularizer(scale)); "
                "tf.losses.get_regularization_loss()",
       **GET_VARIABLE)
def get_regularization_loss(api, src, lam):
    v = _get_variable(api, src, lam)
    return Built(api.v1.losses.get_regularization_loss(), v, len(reg_losses(api)))


@route("losses.get_regularization_losses() + add_n",
       api_call="tf.get_variable(..., regularizer=contrib.l2_regularizer(scale)); "
                "tf.add_n(tf.losses.get_regularization_losses())",
       **GET_VARIABLE)
def get_regularization_losses(api, src, lam):
    v = _get_variable(api, src, lam)
    entries = api.v1.losses.get_regularization_losses()
    return Built(sum_entries(api, entries), v, len(entries))


@route("variable_scope(regularizer=l2) + get_variable",
       api_call="with tf.variable_scope('scope', regularizer=contrib.l2_regularizer(scale)): "
                "tf.get_variable(...); tf.losses.get_regularization_loss()",
       **GET_VARIABLE)
def variable_scope_regularizer(api, src, lam):
    with api.v1.variable_scope("scope", regularizer=api.contrib.l2_regularizer(scale=lam)):
        v = api.v1.get_variable("weights", shape=src.shape, dtype=src.dtype, initializer=src.initializer)
    return Built(api.v1.losses.get_regularization_loss(), v, len(reg_losses(api)))


@route("Variable + add_to_collection(REGULARIZATION_LOSSES, l2(v))",
       api_call="v = tf.Variable(w); tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, "
                "contrib.l2_regularizer(scale)(v)); tf.losses.get_regularization_loss()",
       **V1_GRAPH)
def variable_add_to_collection(api, src, lam):
    v = src.variable()
    penalty = api.contrib.l2_regularizer(scale=lam)(v)
    if penalty is not None:  # a zero scale yields no penalty at all
        api.v1.add_to_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, penalty)
    return Built(api.v1.losses.get_regularization_loss(), v, len(reg_losses(api)))
