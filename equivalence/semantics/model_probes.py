"""How each cell of the Keras models table (model_table.py) is observed.

A scenario runs once per subject: a Keras module a user reaches (routes/regularizers.py FLAVOURS),
or "contrib" for tf_slim's batch_norm. It returns the observation dict of outcomes.py
(`detail`, or `raised` / `message`). On TF 1.x each scenario runs in a fresh graph whose
session Keras uses; on TF 2 eagerly.
"""

import numpy as np

from ..harness import dtype_name as _dtype_name, to_numpy
from ..routes.models import format_missing, restore, sgd, zero_loss
from ..routes.registry import CONTRIB, on_tensorflow_backend, since_tf, sum_entries
from ..routes.regularizers import FLAVOURS
from . import model_table as T

CONTRIB_SUBJECT = "contrib"


class Scenario(object):
    """graph: runs in a v1 graph on TF 2 too (a Keras 3 subject has none: unavailable)."""

    def __init__(self, pid, description, run, subjects, requires=(), graph=False, missing=None, worker=False):
        self.id, self.description, self.run = pid, description, run
        self.subjects, self.requires, self.graph = subjects, tuple(requires), graph
        # missing(api, subject) -> why the subject lacks what the scenario needs (a save format, a policy API)
        # worker: observed in a contained worker with two logical CPU devices (worker_options)
        self.missing, self.worker = missing, worker


def _keras(api, subject):
    return [f for f in FLAVOURS if f[0] == subject][0][2](api)


def _l(keras, name, lam):
    return getattr(keras.regularizers, {"l2": "L2", "l1": "L1"}[name] if hasattr(keras.regularizers, "L2")
                   and not hasattr(keras.regularizers, "l2") else name)(lam)


def _value(api, keras, x):
    if api.tf2:
        return np.asarray(to_numpy(api, x))  # (a jax / torch array through keras.ops)
    return np.asarray(keras.backend.get_value(x))


def _total(api, keras, losses):
    return float(_value(api, keras, sum_entries(api, losses)))


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


def _evaluate_penalty(api, keras):
    model, _ = _functional(keras, _l(keras, "l2", T.AFTER_BUILD_LAMBDA))
    model.compile(optimizer=sgd(keras, 0.125), loss=zero_loss(api, keras))
    x = np.ones((2, T.AFTER_BUILD_SHAPE[0]), np.float32)
    y = np.zeros((2, T.AFTER_BUILD_SHAPE[1]), np.float32)
    result = model.evaluate(x, y, verbose=0)
    return T.significant(result[0] if isinstance(result, (list, tuple)) else result)


TF_GRADIENT_TAPE = on_tensorflow_backend(["tf.GradientTape"], "the probe differentiates with tf.GradientTape, which does "
                                         "not see a Keras variable of {backend}", keras_module="tf.keras")


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
    model.compile(optimizer=sgd(keras, 0.125), loss=zero_loss(api, keras))
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
             _tape_outside_inside, KERAS_SUBJECTS, requires=[EAGER, TF_GRADIENT_TAPE]),
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


# -- precision policies (in this process; the policy is process-global: always restored) -----------------
POLICIES = since_tf("2.1", "a Keras mixed precision policy (tf.keras.mixed_precision.experimental.set_policy from "
                    "TF 2.1, set_global_policy from 2.4)")
RESTORED_POLICY = "float32"


def _is_keras3(api, subject):
    return subject == "keras" or subject == "tf.keras" and api.keras_flavour == "keras3"


def policy_api(keras):
    """(set, get) of this Keras' global dtype policy: Keras 3 set_dtype_policy / dtype_policy, tf.keras >= 2.4
    set_global_policy / global_policy, 2.1-2.3 experimental.set_policy / global_policy; None where it has none."""
    mp = getattr(keras, "mixed_precision", None)
    if mp is None:
        return None
    for setter, getter in (("set_dtype_policy", "dtype_policy"), ("set_global_policy", "global_policy")):
        if hasattr(mp, setter) and hasattr(mp, getter):
            return getattr(mp, setter), getattr(mp, getter)
    exp = getattr(mp, "experimental", None)
    if exp is not None and hasattr(exp, "set_policy"):
        return exp.set_policy, exp.global_policy
    return None


def _policy_missing(api, subject):
    if not _is_keras3(api, subject):
        reason = POLICIES.missing(api)
        if reason:
            return reason
    if policy_api(_keras(api, subject)) is None:
        return "%s has no mixed precision policy API" % subject
    return None


def under_policy(keras, name, run):
    """run() under the global policy `name`; the policy is float32 again afterwards, whatever happens."""
    setter, _ = policy_api(keras)
    setter(name)
    try:
        return run()
    finally:
        setter(RESTORED_POLICY)


def _attempt(run):
    """A number, or "raised <Type>": whether fit / evaluate run is itself the fact."""
    try:
        return T.significant(run())
    except Exception as exc:  # the API's own exception is the observation
        return "raised %s" % type(exc).__name__


def _scalar(x):
    return float(np.asarray(x[0] if isinstance(x, (list, tuple)) else x))


def _policy_model(keras, initializer, lam):
    inp = keras.Input(shape=(T.POLICY_SHAPE[0],))
    dense = keras.layers.Dense(T.POLICY_SHAPE[1], use_bias=False, kernel_initializer=initializer,
                               kernel_regularizer=_l(keras, "l2", lam))
    return keras.Model(inp, dense(inp))


def _policy_penalty(policy):
    def run(api, keras):
        def body():
            model = _policy_model(keras, "ones", T.POLICY_LAMBDA)
            entries = [_dtype_name(e) for e in model.losses]
            total = sum_entries(api, model.losses)
            penalty = T.significant(float(_value(api, keras, total)))  # before fit moves the kernel
            x = np.ones((2, T.POLICY_SHAPE[0]), np.float32)
            y = np.zeros((2, T.POLICY_SHAPE[1]), np.float32)
            def compiled(run):  # compile is part of "whether fit / evaluate run"
                model.compile(optimizer=sgd(keras, T.DIST_LR), loss=zero_loss(api, keras))
                return run()
            evaluated = _attempt(lambda: compiled(lambda: _scalar(model.evaluate(x, y, batch_size=2, verbose=0))))
            fitted = _attempt(lambda: compiled(lambda: model.fit(x, y, batch_size=2, epochs=1, verbose=0).history["loss"][0]))
            return [entries, _dtype_name(total), penalty, evaluated, fitted]
        return under_policy(keras, policy, body)
    return run


def _policy_overflow(api, keras):
    def body():
        model = _policy_model(keras, keras.initializers.Constant(T.OVERFLOW_W), T.OVERFLOW_LAMBDA)
        total = sum_entries(api, model.losses)
        return [_dtype_name(total), T.significant(float(_value(api, keras, total)))]
    return under_policy(keras, "mixed_float16", body)


# -- distribution (in the contained worker, with two logical CPU devices) -----------------------------
DISTRIBUTION = since_tf("2.2", "MirroredStrategy.run with tf.nn.scale_regularization_loss")
LOGICAL_CPUS = T.DIST_REPLICAS


def _dist_missing(api, subject):
    reason = DISTRIBUTION.missing(api)
    if reason:
        return reason
    keras = _keras(api, subject)
    if _is_keras3(api, subject) and keras.backend.backend() != "tensorflow":
        return "Keras 3 on the %s backend has no tf.distribute" % keras.backend.backend()
    return None


def _mirrored(api):
    devices = api.tf.config.list_logical_devices("CPU")
    if len(devices) < T.DIST_REPLICAS:
        raise RuntimeError("%d logical CPU devices, %d wanted (the worker configures them)" % (
            len(devices), T.DIST_REPLICAS))
    return api.tf.distribute.MirroredStrategy([d.name for d in devices[:T.DIST_REPLICAS]])


def _dist_model(keras):
    return _policy_model(keras, "ones", T.DIST_LAMBDA)


def _mirrored_replica_losses(api, keras):
    strategy = _mirrored(api)
    with strategy.scope():
        model = _dist_model(keras)
    per = strategy.run(lambda: api.tf.add_n(model.losses))
    values = strategy.experimental_local_results(per)
    return [len(values), [T.significant(float(np.asarray(v))) for v in values]]


def _kernel00(model):
    return T.significant(float(np.asarray(model.get_weights()[0])[0, 0]))


def _mirrored_fit(api, keras):
    strategy = _mirrored(api)
    with strategy.scope():
        model = _dist_model(keras)
        model.compile(optimizer=sgd(keras, T.DIST_LR), loss=zero_loss(api, keras))
    x = np.ones((T.DIST_BATCH, T.POLICY_SHAPE[0]), np.float32)
    y = np.zeros((T.DIST_BATCH, T.POLICY_SHAPE[1]), np.float32)
    history = model.fit(x, y, batch_size=T.DIST_BATCH, epochs=1, verbose=0, shuffle=False)
    return [T.significant(history.history["loss"][0]), _kernel00(model)]


def _custom_step(api, keras, scaled):
    tf = api.tf
    strategy = _mirrored(api)
    with strategy.scope():
        model = _dist_model(keras)
        opt = sgd(keras, T.DIST_LR)
    variables = model.trainable_variables

    def step():
        x = tf.ones((T.DIST_BATCH // T.DIST_REPLICAS, T.POLICY_SHAPE[0]))
        with tf.GradientTape() as tape:
            penalty = tf.add_n(model.losses)
            loss = 0.0 * tf.reduce_sum(model(x)) + (tf.nn.scale_regularization_loss(penalty) if scaled else penalty)
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))

    tf.function(lambda: strategy.run(step))()
    return _kernel00(model)


def _mirrored_custom_loop(api, keras):
    return [_custom_step(api, keras, True), _custom_step(api, keras, False)]


# -- persistence: the penalty after a round trip, for every regularizer argument of the model axis ------------
def _persist_layer(keras, name, reg):
    """(layer, input shape, input dtype) of the one-layer model regularizing `name` (ones everywhere)."""
    L = keras.layers
    if name == "kernel":
        return L.Dense(3, kernel_initializer="ones", kernel_regularizer=reg), (4,), "float32"
    if name == "bias":
        return L.Dense(3, bias_initializer="ones", bias_regularizer=reg), (4,), "float32"
    if name == "activity":
        return L.Dense(3, kernel_initializer="ones", activity_regularizer=reg), (4,), "float32"
    if name == "recurrent":
        return L.LSTM(2, recurrent_initializer="ones", recurrent_regularizer=reg), (3, 4), "float32"
    if name == "embeddings":
        return L.Embedding(5, 2, embeddings_initializer="ones", embeddings_regularizer=reg), (3,), "int32"
    if name == "gamma":
        return L.BatchNormalization(gamma_regularizer=reg), (4,), "float32"
    if name == "beta":
        return L.BatchNormalization(beta_initializer="ones", beta_regularizer=reg), (4,), "float32"
    if name == "depthwise":
        return L.SeparableConv2D(2, 1, depthwise_initializer="ones", depthwise_regularizer=reg), (2, 2, 3), "float32"
    return L.SeparableConv2D(2, 1, pointwise_initializer="ones", pointwise_regularizer=reg), (2, 2, 3), "float32"


def _persist_penalty(api, keras, model, name):
    """What the model's regularizer adds: sum(model.losses); for the activity regularizer, the restored
    layer's activity_regularizer on y = 4 * ones((1, 3)) (0 when the layer has none)."""
    if name == "activity":
        reg = model.layers[-1].activity_regularizer
        if reg is None:
            return 0.0
        y = api.tf.constant(np.full(dict(T.PERSIST_ARGUMENTS)["activity"], T.ACTIVITY_Y, np.float32))
        return T.significant(float(_value(api, keras, reg(y))))
    losses = list(model.losses)
    return T.significant(_total(api, keras, losses)) if losses else 0.0


def _persist(fmt):
    def run(api, keras):
        import os
        import shutil
        import tempfile
        directory = tempfile.mkdtemp(prefix="regequiv-persist-")
        try:
            out = []
            for name, _ in T.PERSIST_ARGUMENTS:
                layer, shape, dtype = _persist_layer(keras, name, _l(keras, "l2", T.PERSIST_LAMBDA))
                inp = keras.Input(shape=shape, dtype=dtype)
                model = keras.Model(inp, layer(inp))
                before = _persist_penalty(api, keras, model, name)
                where = os.path.join(directory, name)  # one directory per model: a SavedModel is a directory
                os.mkdir(where)
                out.append([name, before, _persist_penalty(api, keras, restore(keras, model, fmt, where), name)])
            return out
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return run


def _persist_missing(fmt):
    return lambda api, subject: format_missing(api, _is_keras3(api, subject), fmt, _keras(api, subject))


PERSIST_FORMATS = ("config", "clone", "keras", "h5", "savedmodel")
PERSIST_SPELLING = {"config": "Model.from_config(model.get_config())", "clone": "keras.models.clone_model(model)",
                    "keras": "model.save('m.keras'); load_model", "h5": "model.save('m.h5'); load_model",
                    "savedmodel": "model.save(dir, save_format='tf'); load_model"}

SCENARIOS += [
    Scenario("mixed_float16_penalty", "Dense(3, ones 4 x 3, l2(0.1)) under mixed_float16: [entry dtypes, add_n dtype, "
             "penalty, evaluate, fit]", _policy_penalty("mixed_float16"), KERAS_SUBJECTS, missing=_policy_missing),
    Scenario("mixed_bfloat16_penalty", "the same under mixed_bfloat16", _policy_penalty("mixed_bfloat16"),
             KERAS_SUBJECTS, missing=_policy_missing),
    Scenario("mixed_float16_overflow", "l2(0.01) on a 4 x 3 kernel of 100s under mixed_float16 (sum(w**2) = 120000 "
             "> 65504 > the penalty 1200): [dtype, penalty]", _policy_overflow, KERAS_SUBJECTS,
             missing=_policy_missing),
    Scenario("mirrored_replica_losses", "MirroredStrategy over 2 logical CPUs: add_n(model.losses) in each replica",
             _mirrored_replica_losses, KERAS_SUBJECTS, missing=_dist_missing, worker=True),
    Scenario("mirrored_fit", "MirroredStrategy fit, global batch 4, SGD(0.125), data loss 0: [loss, kernel[0, 0]]",
             _mirrored_fit, KERAS_SUBJECTS, missing=_dist_missing, worker=True),
    Scenario("mirrored_custom_loop", "strategy.run(tape step): kernel[0, 0] with scale_regularization_loss, with "
             "plain add_n(model.losses)", _mirrored_custom_loop, KERAS_SUBJECTS, missing=_dist_missing, worker=True),
] + [Scenario("persist_%s" % fmt, "every regularizer argument through %s: [argument, penalty before, after]" % (
    PERSIST_SPELLING[fmt]), _persist(fmt), KERAS_SUBJECTS, missing=_persist_missing(fmt)) for fmt in PERSIST_FORMATS]

def worker_options(pid):
    """What the contained worker sets up before TensorFlow starts for this scenario (runner.run_cells):
    two logical CPU devices for the distribution scenarios, nothing for the others. areas.observe_cells
    observes all the cells of one set of options in one worker (a worker with two logical devices takes
    ~10-40 s to start)."""
    return {"logical_cpus": LOGICAL_CPUS} if scenario(pid).worker else {}


def cells():
    return [(s.id, subject) for s in SCENARIOS for subject in s.subjects]


def scenario(pid):
    return [s for s in SCENARIOS if s.id == pid][0]


def subject_fields(subject):
    if subject == CONTRIB_SUBJECT:
        return {"module": "contrib"}
    from ..routes.regularizers import KERAS_MODULE_OF_SUBJECT
    return {"module": KERAS_MODULE_OF_SUBJECT[subject]}


def unavailable(api, pid, subject):
    from ..routes.registry import first_missing
    s = scenario(pid)
    reason = first_missing(s.requires, api)
    if reason or subject == CONTRIB_SUBJECT:
        return reason
    if s.graph and (subject == "keras" or subject == "tf.keras" and api.keras_flavour == "keras3"):
        return "%s: Keras 3 builds no v1 graph" % s.id
    reason = [f for f in FLAVOURS if f[0] == subject][0][1].missing(api)
    if reason or s.missing is None:
        return reason
    return s.missing(api, subject)


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
