"""How each cell of the Keras models table (model_table.py) is observed.

A scenario runs once per subject: a Keras module a user reaches (routes/regularizers.py FLAVOURS),
or "contrib" for tf_slim's batch_norm. It returns the observation dict of outcomes.py
(`detail`, or `raised` / `message`). On TF 1.x each scenario runs in a fresh graph whose
session Keras uses; on TF 2 eagerly.
"""

import numpy as np

from ..routes.models import sgd
from ..routes.registry import CONTRIB, since_tf
from ..routes.regularizers import FLAVOURS
from . import model_table as T

CONTRIB_SUBJECT = "contrib"


class Scenario(object):
    """graph: runs in a v1 graph on TF 2 too (a Keras 3 subject has none: unavailable)."""

    def __init__(self, pid, description, run, subjects, requires=(), graph=False):
        self.id, self.description, self.run = pid, description, run
        self.subjects, self.requires, self.graph = subjects, tuple(requires), graph


def _keras(api, subject):
    return [f for f in FLAVOURS if f[0] == subject][0][2](api)


def _l(keras, name, lam):
    return getattr(keras.regularizers, {"l2": "L2", "l1": "L1"}[name] if hasattr(keras.regularizers, "L2")
                   and not hasattr(keras.regularizers, "l2") else name)(lam)


def _value(api, keras, x):
    if api.tf2:
        return np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    return np.asarray(keras.backend.get_value(x))


def _total(api, keras, losses):
    return float(_value(api, keras, api.tf.add_n(list(losses))))


def _activity_batch(api, keras):
    out = []
    for b in T.BATCHES:
        d = keras.layers.Dense(T.ACTIVITY_UNITS, kernel_initializer="ones", use_bias=False,
                               kernel_regularizer=_l(keras, "l1", T.ACTIVITY_L1),
                               activity_regularizer=_l(keras, "l2", T.ACTIVITY_L2))
        x = np.full((b, T.ACTIVITY_UNITS), T.ACTIVITY_X, np.float32)
        if api.tf2 and not hasattr(keras, "Variable"):  # Keras 2 eager: call the layer on a tensor
            d(api.tf.constant(x))
        else:
            d(api.tf.constant(x) if not api.tf2 else x)
        out.append(T.significant(_total(api, keras, d.losses)))
    return out


def _functional(keras, regularizer=None):
    inp = keras.Input(shape=(T.AFTER_BUILD_SHAPE[0],))
    dense = keras.layers.Dense(T.AFTER_BUILD_SHAPE[1], use_bias=False, kernel_initializer="ones",
                               kernel_regularizer=regularizer)
    return keras.Model(inp, dense(inp)), dense


def _regularizer_after_build(api, keras):
    model, dense = _functional(keras)
    dense.kernel_regularizer = _l(keras, "l2", T.AFTER_BUILD_LAMBDA)
    return len(model.losses)


def _rebuilt_from_config(api, keras):
    model, dense = _functional(keras)
    dense.kernel_regularizer = _l(keras, "l2", T.AFTER_BUILD_LAMBDA)
    again = keras.Model.from_config(model.get_config())
    return T.significant(_total(api, keras, again.losses))


def _zero(api):
    return lambda y_true, y_pred: 0.0 * api.tf.reduce_sum(y_pred)


def _evaluate_penalty(api, keras):
    model, _ = _functional(keras, _l(keras, "l2", T.AFTER_BUILD_LAMBDA))
    model.compile(optimizer=sgd(keras, 0.125), loss=_zero(api))
    x = np.ones((2, T.AFTER_BUILD_SHAPE[0]), np.float32)
    y = np.zeros((2, T.AFTER_BUILD_SHAPE[1]), np.float32)
    result = model.evaluate(x, y, verbose=0)
    return T.significant(result[0] if isinstance(result, (list, tuple)) else result)


def _tape_outside_inside(api, keras):
    tf = api.tf
    model = keras.Sequential([keras.layers.Dense(1, use_bias=False, kernel_initializer="ones",
                                                 kernel_regularizer=_l(keras, "l2", T.TAPE_LAMBDA),
                                                 input_shape=(T.TAPE_INPUTS,))])
    x = tf.constant(np.ones((1, T.TAPE_INPUTS), np.float32))
    model(x)
    kernel = model.trainable_variables[0]
    early = tf.add_n(model.losses)  # read before the tape opens
    with tf.GradientTape() as tape:
        loss = 0.0 * tf.reduce_sum(model(x)) + early
    outside = tape.gradient(loss, kernel)
    with tf.GradientTape() as tape:
        loss = 0.0 * tf.reduce_sum(model(x)) + tf.add_n(model.losses)
    inside = tape.gradient(loss, kernel)
    return [T.significant(list(np.asarray(g).reshape(-1))) for g in (outside, inside)]


def _entries_and_multiple(api, keras, model):
    """[len(model.losses), sum(model.losses) / the one kernel's penalty] (the kernel is 4 x 3 ones)."""
    return [len(model.losses), T.significant(_total(api, keras, model.losses) / T.after_build_penalty())]


def _called_again_entries(api, keras):
    model, _ = _functional(keras, _l(keras, "l2", T.AFTER_BUILD_LAMBDA))
    model(keras.Input(shape=(T.AFTER_BUILD_SHAPE[0],)))
    return _entries_and_multiple(api, keras, model)


def _shared_after_compile(api, keras):
    a, b = keras.Input(shape=(T.AFTER_BUILD_SHAPE[0],)), keras.Input(shape=(T.AFTER_BUILD_SHAPE[0],))
    dense = keras.layers.Dense(T.AFTER_BUILD_SHAPE[1], use_bias=False, kernel_initializer="ones",
                               kernel_regularizer=_l(keras, "l2", T.AFTER_BUILD_LAMBDA))
    model = keras.Model([a, b], keras.layers.Add()([dense(a), dense(b)]))
    model.compile(optimizer=sgd(keras, 0.125), loss=_zero(api))
    return _entries_and_multiple(api, keras, model)


def _get_total_loss(api, keras):
    """A Keras model (4 x 3 ones, l2(0.1)) and a v1 data loss of exactly 0: tf.compat.v1.losses.get_total_loss()."""
    v1 = api.v1
    _functional(keras, _l(keras, "l2", T.AFTER_BUILD_LAMBDA))
    v1.losses.add_loss(api.tf.constant(0.0))
    total = v1.losses.get_total_loss()
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        return T.significant(float(sess.run(total)))


def _frozen_in_model(api, keras):
    frozen = keras.layers.Dense(3, trainable=False, kernel_initializer="ones",
                                kernel_regularizer=_l(keras, "l2", T.AFTER_BUILD_LAMBDA), input_shape=(4,))
    model = keras.Sequential([frozen, keras.layers.Dense(2)])
    model.trainable = True
    return len(model.losses)


def _slim_batch_norm(api):
    contrib, v1 = api.contrib, api.v1
    x = v1.placeholder(api.tf.float32, shape=(None, T.BN_CHANNELS))
    contrib.batch_norm(x, scale=True, param_regularizers={"gamma": contrib.l2_regularizer(T.BN_LAMBDA)})
    total = v1.losses.get_regularization_loss()
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        return T.significant(float(sess.run(total)))


KERAS_SUBJECTS = [f[0] for f in FLAVOURS]
EAGER = since_tf("2.0", "a GradientTape (eager execution)")

SCENARIOS = [
    Scenario("activity_batch", "Dense(5, ones, kernel l1(0.01), activity l2(0.01)) on 2 * ones((b, 5)): "
             "sum(layer.losses), b = 1, 5, 10", _activity_batch, KERAS_SUBJECTS),
    Scenario("regularizer_after_build", "layer.kernel_regularizer = l2(0.1) on a built model's Dense: "
             "len(model.losses)", _regularizer_after_build, KERAS_SUBJECTS),
    Scenario("rebuilt_from_config", "the same, then Model.from_config(model.get_config()): sum(model.losses)",
             _rebuilt_from_config, KERAS_SUBJECTS),
    Scenario("tape_outside_inside", "the penalty's gradient, model.losses read before vs inside tf.GradientTape()",
             _tape_outside_inside, KERAS_SUBJECTS, requires=[EAGER]),
    Scenario("evaluate_penalty", "model.evaluate with a zero data loss (Dense 4x3 of ones, l2(0.1))",
             _evaluate_penalty, KERAS_SUBJECTS),
    Scenario("called_again_entries", "Model(x, Dense(3, kernel_regularizer=l2(0.1))(x)) called again on a new "
             "Input: [len(model.losses), sum / the kernel's penalty]", _called_again_entries, KERAS_SUBJECTS),
    Scenario("shared_after_compile", "one Dense(kernel_regularizer=l2(0.1)) on two branches, compiled: "
             "[len(model.losses), sum / the kernel's penalty]", _shared_after_compile, KERAS_SUBJECTS),
    Scenario("get_total_loss", "a Keras model's penalty and tf.compat.v1.losses.get_total_loss() in a v1 graph "
             "(data loss 0 via add_loss)", _get_total_loss, KERAS_SUBJECTS, graph=True),
    Scenario("frozen_in_model", "Sequential([Dense(trainable=False, kernel_regularizer=l2), Dense]): "
             "len(model.losses)", _frozen_in_model, KERAS_SUBJECTS),
    Scenario("slim_batch_norm", "contrib/tf_slim batch_norm(x, scale=True, param_regularizers={'gamma': "
             "l2_regularizer(0.2)}) in a v1 graph: get_regularization_loss()", lambda api, keras: _slim_batch_norm(api),
             [CONTRIB_SUBJECT], requires=[CONTRIB]),
]


def cells():
    return [(s.id, subject) for s in SCENARIOS for subject in s.subjects]


def scenario(pid):
    return [s for s in SCENARIOS if s.id == pid][0]


def subject_fields(subject):
    if subject == CONTRIB_SUBJECT:
        return {"module": "contrib"}
    from ..routes.regularizers import KERAS_PREFIX
    return {"module": [m for m, p in KERAS_PREFIX.items() if p == subject][0]}


def unavailable(api, pid, subject):
    from ..routes.registry import first_missing
    s = scenario(pid)
    reason = first_missing(s.requires, api)
    if reason or subject == CONTRIB_SUBJECT:
        return reason
    if s.graph and (subject == "keras" or subject == "tf.keras" and api.keras_flavour == "keras3"):
        return "%s: Keras 3 builds no v1 graph" % s.id
    return [f for f in FLAVOURS if f[0] == subject][0][1].missing(api)


def observe(api, pid, subject):
    """The observation of one cell: {"detail": ...} or {"raised": type name, "message": first line}."""
    s = scenario(pid)
    tf = api.tf
    keras = None if subject == CONTRIB_SUBJECT else _keras(api, subject)
    try:
        if api.tf2:
            if subject == CONTRIB_SUBJECT or s.graph:
                with tf.Graph().as_default():
                    return {"raised": None, "detail": s.run(api, keras)}
            return {"raised": None, "detail": s.run(api, keras)}
        with tf.Graph().as_default():
            sess = api.v1.Session()
            if keras is not None:
                keras.backend.set_session(sess)
            try:
                return {"raised": None, "detail": s.run(api, keras)}
            finally:
                sess.close()
    except Exception as exc:  # the API's own exception is the observation
        return {"raised": type(exc).__name__, "message": str(exc).splitlines()[0] if str(exc) else ""}
