"""Seeded initializers through the APIs that create variables: who draws the same weights.

Two registries, as data: CREATORS (each API that creates a variable from an
initializer, in the mode users run it: graph mode on TF 1.x and for the v1
APIs, eager for tf.Variable and Keras on TF 2) and INITIALIZERS (a seeded
initializer of the v1 classes or of the installed `tf.keras`, with the bound
every valid draw stays within). `draw(api, creator, init)` builds one variable
with global seed GLOBAL_SEED and op seed OP_SEED in a fresh graph (or after
`tf.random.set_seed` in eager) and returns its values; the expectations,
measured in each default env, are the table in seed_table.py.

`python -m equivalence seeds` prints what the installed TensorFlow does.
"""

import math
import warnings

import numpy as np

from ..routes.registry import (CONTRIB, KERAS3, LEGACY_KERAS, TF_KERAS, TF_LAYERS, first_missing,
                               on_tensorflow_backend)

SHAPE = (6, 4)  # fan_in 6, fan_out 4; conv2d gets (1, 1, 6, 4), the same fans and element count
GLOBAL_SEED = 1
OP_SEED = 3


class Creator(object):
    """An API that creates a variable from an initializer; `make(api, init, name)` returns the variable."""

    def __init__(self, name, make, requires=(), eager_in_tf2=False):
        self.name, self.make, self.requires, self.eager_in_tf2 = name, make, list(requires), eager_in_tf2

    def unavailable(self, api):
        return first_missing(self.requires, api)

    def eager(self, api):
        return self.eager_in_tf2 and api.tf2


class Initializer(object):
    """A seeded initializer: `build(api, seed)` returns it, `bound` what every draw stays within."""

    def __init__(self, name, family, distribution, build, bound, requires=()):
        self.name, self.family, self.distribution = name, family, distribution
        self.build, self.bound, self.requires = build, bound, list(requires)

    def unavailable(self, api):
        return first_missing(self.requires, api)


def _input(api, n_in):
    return api.v1.placeholder(api.tf.float32, (None, n_in))


def _named(api, suffix):
    """The one global variable whose name ends with `suffix` (the layer's kernel)."""
    found = [v for v in api.v1.global_variables() if v.name.endswith(suffix)]
    return found[-1]


def _get_variable(api, init, name):
    return api.v1.get_variable(name, shape=SHAPE, initializer=init)


def _variable_scope(api, init, name):
    with api.v1.variable_scope(name, initializer=init):
        return api.v1.get_variable("w", shape=SHAPE)


def _layers_dense(api, init, name):
    api.layers.dense(_input(api, SHAPE[0]), SHAPE[1], kernel_initializer=init, name=name)
    return _named(api, name + "/kernel:0")


def _layers_conv2d(api, init, name):
    x = api.v1.placeholder(api.tf.float32, (None, 1, 1, SHAPE[0]))
    api.layers.conv2d(x, SHAPE[1], 1, kernel_initializer=init, name=name)
    return _named(api, name + "/kernel:0")


def _fully_connected(api, init, name):
    api.contrib.fully_connected(_input(api, SHAPE[0]), SHAPE[1], weights_initializer=init, scope=name)
    return _named(api, name + "/weights:0")


def _tf_variable(api, init, name):
    return api.tf.Variable(init(SHAPE, dtype=api.tf.float32), name=name)


def _dense_of(module_of):
    def make(api, init, name):
        layer = module_of(api).layers.Dense(SHAPE[1], kernel_initializer=init, name=name)
        layer.build((None, SHAPE[0]))
        return layer.kernel
    return make


CREATORS = [
    Creator("get_variable(initializer=)", _get_variable),
    Creator("variable_scope(initializer=)", _variable_scope),
    Creator("tf.layers.dense(kernel_initializer=)", _layers_dense, [TF_LAYERS]),
    Creator("tf.layers.conv2d(kernel_initializer=)", _layers_conv2d, [TF_LAYERS]),
    Creator("contrib.fully_connected(weights_initializer=)", _fully_connected, [CONTRIB]),
    Creator("tf.Variable(init(shape))", _tf_variable, eager_in_tf2=True),
    Creator("tf.keras Dense", _dense_of(lambda api: api.tf_keras_module), [TF_KERAS], eager_in_tf2=True),
    Creator("keras (3) Dense", _dense_of(lambda api: api.keras3), [KERAS3], eager_in_tf2=True),
    Creator("tf_keras Dense", _dense_of(lambda api: api.legacy_keras), [LEGACY_KERAS], eager_in_tf2=True),
]

# Keras 3 on jax or torch draws its initializers from the backend's own random streams (jax.random, torch), not
# TensorFlow's: the seed table records TensorFlow's, so its Keras entries need the TensorFlow backend.
def _tensorflow_random(keras_module):
    return on_tensorflow_backend(["a Keras initializer's random stream"], "Keras initializers draw from {backend}'s "
                                 "own random streams, not TensorFlow's, which the seed table records",
                                 keras_module=keras_module)


for _creator in CREATORS:  # the Dense of a Keras that may be Keras 3 (tf_keras runs on TensorFlow)
    _module = {"tf.keras Dense": "tf.keras", "keras (3) Dense": "keras3"}.get(_creator.name)
    if _module:
        _creator.requires.append(_tensorflow_random(_module))

GLOROT_LIMIT = math.sqrt(6.0 / (SHAPE[0] + SHAPE[1]))
TRUNCATED_STDDEV = 0.5
# He normal: a normal truncated at two standard deviations, sqrt(2 / fan_in), divided by 0.8796 (the
# truncated normal's own standard deviation) from Keras 2.1 on; the larger of the two is the bound.
HE_LIMIT = 2.0 * math.sqrt(2.0 / SHAPE[0]) / 0.87962566103423978
UNIFORM_LIMIT = 0.05


def _keras_init(api, *names):
    module = api.tf_keras_module.initializers
    for name in names:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError("tf.keras.initializers has none of %s" % (names,))


INITIALIZERS = [
    Initializer("v1 glorot_uniform_initializer", "v1", "glorot_uniform",
                lambda api, s: api.v1.glorot_uniform_initializer(seed=s),
                GLOROT_LIMIT),
    Initializer("v1 truncated_normal_initializer(stddev=0.5)", "v1", "truncated_normal",
                lambda api, s: api.v1.truncated_normal_initializer(stddev=TRUNCATED_STDDEV, seed=s),
                2 * TRUNCATED_STDDEV),
    Initializer("v1 random_uniform_initializer(-0.05, 0.05)", "v1", "random_uniform",
                lambda api, s: api.v1.random_uniform_initializer(-UNIFORM_LIMIT, UNIFORM_LIMIT, seed=s),
                UNIFORM_LIMIT),
    Initializer("keras GlorotUniform", "keras", "glorot_uniform", lambda api, s: _keras_init(api, "GlorotUniform", "glorot_uniform")(seed=s),
                GLOROT_LIMIT, [TF_KERAS]),
    Initializer("keras HeNormal", "keras", "he_normal", lambda api, s: _keras_init(api, "HeNormal", "he_normal")(seed=s),
                HE_LIMIT, [TF_KERAS]),
    Initializer("keras RandomUniform(-0.05, 0.05)", "keras", "random_uniform",
                lambda api, s: _keras_init(api, "RandomUniform")(-UNIFORM_LIMIT, UNIFORM_LIMIT, seed=s),
                UNIFORM_LIMIT, [TF_KERAS]),
]
for _init in INITIALIZERS:
    if _init.family == "keras":  # tf.keras' initializers (_keras_init)
        _init.requires.append(_tensorflow_random("tf.keras"))


def _value(var):
    return np.asarray(var.numpy() if hasattr(var, "numpy") else var).reshape(SHAPE)


def draw(api, creator, init, count=1, op_seed=OP_SEED):
    """`count` variables built one after the other by `creator` with a fresh `init` of seed `op_seed`.

    Graph mode: one fresh graph with the graph-level seed GLOBAL_SEED. Eager: `tf.random.set_seed`
    once, then the `count` variables in the same process. Returns their values as arrays of SHAPE.
    """
    tf, v1 = api.tf, api.v1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if creator.eager(api):
            tf.random.set_seed(GLOBAL_SEED)
            return [_value(creator.make(api, init.build(api, op_seed), "v%d" % i)) for i in range(count)]
        graph = tf.Graph()
        with graph.as_default():
            v1.set_random_seed(GLOBAL_SEED)
            made = [creator.make(api, init.build(api, op_seed), "v%d" % i) for i in range(count)]
            with v1.Session(graph=graph) as sess:
                sess.run(v1.global_variables_initializer())
                return [np.asarray(sess.run(v)).reshape(SHAPE) for v in made]


def call_twice(api, init):
    """The same seeded initializer object called twice (eager on TF 2, one graph on TF 1.x)."""
    tf, v1 = api.tf, api.v1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if api.tf2:
            tf.random.set_seed(GLOBAL_SEED)
            obj = init.build(api, OP_SEED)
            return [np.asarray(obj(SHAPE, dtype=tf.float32)) for _ in range(2)]
        graph = tf.Graph()
        with graph.as_default():
            v1.set_random_seed(GLOBAL_SEED)
            obj = init.build(api, OP_SEED)
            made = [obj(SHAPE, dtype=tf.float32) for _ in range(2)]
            with v1.Session(graph=graph) as sess:
                return [np.asarray(v) for v in sess.run(made)]


IDENTICAL, DIFFERS = "identical", "differs"


def outcome(a, b):
    return IDENTICAL if identical(a, b) else DIFFERS


def creator_key(api, creator, init):
    """What a seed table row selects a (creator, initializer) cell by."""
    return {"name": creator.name, "mode": "eager" if creator.eager(api) else "graph", "init": init.family}


def init_key(api, init):
    return {"name": init.name, "mode": "eager" if api.tf2 else "graph", "init": init.family}


def available(api, items):
    return [x for x in items if x.unavailable(api) is None]


def distribution_pairs():
    """(v1 initializer, Keras initializer) pairs that draw from one distribution."""
    return [(a, b) for a in INITIALIZERS for b in INITIALIZERS
            if a.family == "v1" and b.family == "keras" and a.distribution == b.distribution]


def identical(a, b):
    """Bit for bit: the same dtype, shape and bytes (so -0.0 and 0.0, or two NaN payloads, differ)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def groups(draws):
    """Creators whose arrays are bit-identical, as lists of names in `draws`' order."""
    result = []
    for name, value in draws.items():
        for group in result:
            if identical(draws[group[0]], value):
                group.append(name)
                break
        else:
            result.append([name])
    return result


def main(args=None):
    from ..environment import get_api
    api = get_api()
    print(api.describe())
    creators = available(api, CREATORS)
    for init in available(api, INITIALIZERS):
        draws = dict((c.name, draw(api, c, init, count=2)) for c in creators)
        print("\n%s: same object called twice %s" % (init.name, outcome(*call_twice(api, init))))
        for i, group in enumerate(groups(dict((n, d[0]) for n, d in draws.items()))):
            print("  group %d: %s" % (i, ", ".join(group)))
        print("  same API twice differs: %s" % [n for n, d in draws.items() if not identical(*d)])
    for v1_init, keras_init in distribution_pairs():
        if v1_init.unavailable(api) or keras_init.unavailable(api):
            continue
        c = creators[0]
        print("%s vs %s through %s: %s" % (v1_init.name, keras_init.name, c.name,
                                          outcome(draw(api, c, v1_init)[0], draw(api, c, keras_init)[0])))
    return 0
