"""L1 and L1+L2 penalties: contrib / tf_slim `l1_regularizer`, `l1_l2_regularizer`,
`sum_regularizer`, and Keras `l1`, `l1_l2` in each Keras module.

One lambda drives both terms of the combined penalties (l1 = l2 = lambda), so
the registry's one-lambda cases apply unchanged. The L2 term keeps its API's
convention: contrib halves it (it is `l2_regularizer`), Keras does not.
"""

from ..harness import Built
from ..reference import FULL, HALF
from .keras import FLAVOURS
from .registry import ABS, ARITHMETIC, CONTRIB, L2LOSS, route, since_tf

# |w| and its sum; the contrib L1+L2 penalties add L2Loss (their L2 term is l2_regularizer).
L1_KERNELS = (ABS, ARITHMETIC)
CONTRIB_L1_L2_KERNELS = (ABS, ARITHMETIC, L2LOSS)


@route("contrib.l1_regularizer(scale)(w)", family="contrib", penalty="l1",
       api_call="contrib.layers.l1_regularizer(scale)(w)", convention=HALF, requires=[CONTRIB],
       kernels=L1_KERNELS,
       notes="lambda * sum(|w|); the convention names the (absent) L2 term.")
def contrib_l1(api, src, lam):
    v = src.variable()
    penalty = api.contrib.l1_regularizer(scale=lam)(v)
    return Built(0.0 if penalty is None else penalty, v)


@route("contrib.l1_l2_regularizer(scale, scale)(w)", family="contrib", penalty="l1_l2",
       api_call="contrib.layers.l1_l2_regularizer(scale_l1=scale, scale_l2=scale)(w)",
       convention=HALF, requires=[CONTRIB], kernels=CONTRIB_L1_L2_KERNELS)
def contrib_l1_l2(api, src, lam):
    v = src.variable()
    penalty = api.contrib.l1_l2_regularizer(scale_l1=lam, scale_l2=lam)(v)
    return Built(0.0 if penalty is None else penalty, v)


@route("contrib.sum_regularizer([l1, l2])(w)", family="contrib", penalty="l1_l2",
       api_call="contrib.layers.sum_regularizer([contrib.layers.l1_regularizer(scale), "
                "contrib.layers.l2_regularizer(scale)])(w)",
       convention=HALF, requires=[CONTRIB], kernels=CONTRIB_L1_L2_KERNELS,
       zero_lambda_requires=since_tf("1.15", "sum_regularizer of zero-scale regularizers (TF 1.6 calls "
                                             "add_n([None, None]) and raises ValueError)"))
def contrib_sum(api, src, lam):
    v = src.variable()
    c = api.contrib
    penalty = c.sum_regularizer([c.l1_regularizer(scale=lam), c.l2_regularizer(scale=lam)])(v)
    return Built(0.0 if penalty is None else penalty, v)


def _register(prefix, requirement, module_of, l2_name):
    l1_name, l1_l2_name = ("L1", "L1L2") if l2_name == "L2" else ("l1", "l1_l2")

    @route("%s.regularizers.%s(scale)(w)" % (prefix, l1_name), family="keras", penalty="l1",
           api_call="%s.regularizers.%s(scale)(w)" % (prefix, l1_name),
           convention=FULL, requires=[requirement], lambda_precision="float32", kernels=L1_KERNELS)
    def l1(api, src, lam):
        v = src.variable()
        return Built(getattr(module_of(api).regularizers, l1_name)(lam)(v), v)

    @route("%s.regularizers.%s(l1=scale, l2=scale)(w)" % (prefix, l1_l2_name), family="keras",
           penalty="l1_l2", api_call="%s.regularizers.%s(l1=scale, l2=scale)(w)" % (prefix, l1_l2_name),
           convention=FULL, requires=[requirement], lambda_precision="float32", kernels=L1_KERNELS)
    def l1_l2(api, src, lam):
        v = src.variable()
        return Built(getattr(module_of(api).regularizers, l1_l2_name)(l1=lam, l2=lam)(v), v)


for _flavour in FLAVOURS:
    _register(*_flavour)
