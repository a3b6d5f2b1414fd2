"""The code that performs each probe and turns what happens into an observation (see outcomes.py).

Lambda and weight probes reuse each route's own `build` from the registry
(through harness.run_route, so graph/eager handling and the fresh graph per
run are the same as for the value tests); collection and Keras probes are
scenarios of their own, one function each.
"""

import math

import numpy as np

from ..numerics import reference, tolerance as tolerance_mod
from ..numerics.reduction import reference_tolerance
from ..harness import Case, dtype_name, run_route, to_numpy
from ..initializers import InitSpec
from ..routes.registry import first_missing, keras_backend, sum_entries

# The weights every lambda probe uses: small, ordinary, float32, not all one sign.
PROBE_WEIGHTS = np.random.RandomState(0).randn(3, 2)


class LambdaProbe(object):
    """A lambda value: `make(api)` builds it inside the route's graph; `numeric` is the number it means."""

    def __init__(self, pid, description, make, numeric):
        self.id, self.description, self.make, self.numeric = pid, description, make, numeric


def _const(value):
    return lambda api: value


LAMBDA_PROBES = [
    LambdaProbe("zero", "0.0", _const(0.0), 0.0),
    LambdaProbe("negative", "-0.01", _const(-0.01), -0.01),
    LambdaProbe("python_int", "2 (int)", _const(2), 2.0),
    LambdaProbe("python_bool", "True (bool)", _const(True), 1.0),
    LambdaProbe("np_float16", "np.float16(0.5)", _const(np.float16(0.5)), 0.5),
    LambdaProbe("np_float32", "np.float32(0.1)", _const(np.float32(0.1)), float(np.float32(0.1))),
    LambdaProbe("np_float64", "np.float64(0.1)", _const(np.float64(0.1)), 0.1),
    LambdaProbe("np_int64", "np.int64(2)", _const(np.int64(2)), 2.0),
    LambdaProbe("nan", "float('nan')", _const(float("nan")), float("nan")),
    LambdaProbe("inf", "float('inf')", _const(float("inf")), float("inf")),
    LambdaProbe("neg_inf", "float('-inf')", _const(float("-inf")), float("-inf")),
    LambdaProbe("none", "None", _const(None), None),
    LambdaProbe("string", "'0.1' (str)", _const("0.1"), 0.1),
    LambdaProbe("tensor_0d", "tf.constant(0.1) (0-d float32 tensor)",
                lambda api: api.tf.constant(0.1, dtype=api.tf.float32), float(np.float32(0.1))),
]


class _WithLambda(object):
    """A route whose build receives the probe's lambda, made inside the route's graph."""

    def __init__(self, route, make):
        self._route, self._make = route, make

    def __getattr__(self, name):
        return getattr(self._route, name)

    def build(self, api, src, lam):
        return self._route.build(api, src, self._make(api))


def _exception(exc):
    return {"raised": type(exc).__name__, "message": (str(exc).strip().splitlines() or [""])[0][:200]}


def observe_route(api, route, weights, dtype, make_lambda):
    case = Case(np.asarray(weights), dtype, 0.0, InitSpec("array", array=weights))
    try:
        m = run_route(api, _WithLambda(route, make_lambda), case)
    except Exception as exc:  # the outcome under test: which exception, exactly
        return _exception(exc)
    obs = {"raised": None, "value": m.value, "tensor": m.dtype is not None, "dtype": m.dtype,
           "entries": m.entries}
    if m.entry_kinds is not None and any(k != "tensor" for k in m.entry_kinds):
        obs["entry_kinds"] = m.entry_kinds  # only where it is news: .losses holding a Python number
    return obs


def weights_for(api, dtype, values=PROBE_WEIGHTS):
    return np.asarray(values).astype(api.numpy_dtype(dtype))


class Context(object):
    """What an outcome needs to compute its expectation for one cell."""

    def __init__(self, route, weights, dtype, numeric_lambda, convention=None, lambda_precision=None, api=None):
        self.route, self.weights, self.weights_dtype = route, weights, dtype
        self.api = api  # the release whose summation and rounding the tolerance models (None: current releases)
        self.numeric_lambda = numeric_lambda
        # Without a route: a contrib-style (half) penalty unless told otherwise.
        self.convention = convention or reference.HALF
        self.lambda_precision = lambda_precision

    def expected_value(self, lam, as_given=False, computed_in=None):
        """The route's NumPy reference with `lam` stored as the route stores it (or as given), and its tolerance
        for a result computed in the weights' dtype (or in `computed_in`, where the API computes in another)."""
        w = self.route.adapt(self.weights) if self.route is not None else self.weights
        precision = self.route.lambda_precision_for(self.api) if self.route is not None else self.lambda_precision
        if as_given:
            precision = None
        stored = lam if not math.isfinite(lam) else reference.stored_lambda(lam, precision)
        ref = (self.route.reference(w, stored, self.api) if self.route is not None
               else reference.l2(w, stored, self.convention))
        dtype = computed_in or (self.weights_dtype if self.weights_dtype in tolerance_mod.UNIT_ROUNDOFF else "float64")
        return ref.value, reference_tolerance(self.api, dtype, ref, stored, self.route)


class WeightProbe(object):
    """Weights of one kind (`values`, an array-like of float64 numbers, or a zero-size shape) in `dtype`."""

    def __init__(self, pid, description, dtype, values, lam=0.1, report_error=False):
        self.id, self.description, self.dtype, self.values, self.lam = pid, description, dtype, values, lam
        self.report_error = report_error  # record the relative error against the exact penalty

    def array(self, api):
        return np.asarray(self.values, dtype=np.float64).astype(api.numpy_dtype(self.dtype)) \
            if self.dtype != "int32" else np.asarray(self.values).astype(np.int32)


def _with(value, where=(0, 0)):
    w = np.array(PROBE_WEIGHTS)
    w[where] = value
    return w


WEIGHT_PROBES = [
    WeightProbe("nan_entry", "one NaN weight, float32", "float32", _with(float("nan"))),
    WeightProbe("inf_entry", "one +inf weight, float32", "float32", _with(float("inf"))),
    WeightProbe("empty", "zero-size (0, 2) float32 weights", "float32", np.zeros((0, 2))),
    WeightProbe("int32", "int32 weights (rounded probe weights * 10)", "int32", np.round(PROBE_WEIGHTS * 10)),
    # w**2 of up to (2.24 * 200)**2 = 2.0e5 exceeds float16's 65504; lambda * sum / 2 is ~2.7e4 and fits.
    WeightProbe("float16_square_overflow", "float16 weights 200 * probe, lambda 0.1", "float16",
                PROBE_WEIGHTS * 200),
    WeightProbe("float64_lambda_0.1", "float64 weights, lambda 0.1 (not a float32 number)", "float64",
                PROBE_WEIGHTS),
    # Precision loss: equal terms of 1, lambda 1/8 (powers of two: only the sum rounds). A sequential
    # float16 sum stalls at 2048 (its spacing there is 2, and 2048 + 1 ties back to 2048), so 4096 terms
    # lose half the penalty; bfloat16 (8 significand bits) stalls at 256, so 1024 terms lose 3/4.
    WeightProbe("float16_sum_stall", "4096 float16 weights of 1, lambda 0.125", "float16",
                np.ones((64, 64)), lam=0.125, report_error=True),
    WeightProbe("bfloat16_sum_stall", "1024 bfloat16 weights of 1, lambda 0.125", "bfloat16",
                np.ones((32, 32)), lam=0.125, report_error=True),
]


def weight_probe(api, route, probe):
    w = probe.array(api)
    obs = observe_route(api, route, w, probe.dtype, _const(probe.lam))
    if probe.report_error and obs.get("value") is not None:
        exact, _ = weight_context(api, route, probe).expected_value(probe.lam, as_given=True)
        obs["detail"] = "relative error vs exact %.3g" % ((obs["value"] - exact) / exact)
    return obs


def weight_context(api, route, probe):
    return Context(route, np.asarray(probe.values, dtype=np.float64).astype(
        np.int32 if probe.dtype == "int32" else (api.numpy_dtype(probe.dtype) if api else np.float64)),
        probe.dtype, probe.lam, api=api)


def weight_unavailable(api, route, probe):
    # observed=True: a route or dtype whose absence raises (Requirement.raises) is a cell that records the raise
    reason = route.unavailable(api, observed=True) or route.dtype_unavailable(
        api, probe.dtype if probe.dtype != "int32" else "float32", observed=True)
    if reason:
        return reason
    shape = np.shape(probe.values)
    try:
        route.adapt(np.zeros(shape))
    except ValueError:
        return "%s takes %s; the probe's shape %s cannot be presented to it" % (route.name, route.kernel.name, shape)
    return None


def lambda_probe(api, route, probe):
    return observe_route(api, route, weights_for(api, "float32"), "float32", probe.make)


def lambda_context(api, route, probe):
    return Context(route, weights_for(api, "float32"), "float32", probe.numeric, api=api)


# -- collections and graph state -------------------------------------------------------------

COLLECTION_SCALE = 0.1  # lambda of every collection probe; the reference uses it as given


class Scenario(object):
    """A graph-state probe: `run(api, w)` returns (loss or None, entries, detail) built in a fresh graph
    (or eagerly when `eager`), where entries are the tensors the scenario reads back."""

    def __init__(self, pid, description, run, requires=(), eager=False):
        # eager: True (always), False (always a v1 graph), None (eager on TF 2, a graph on TF 1)
        self.id, self.description, self.run, self.requires, self.eager = pid, description, run, requires, eager

    def unavailable(self, api):
        return first_missing(self.requires, api)


def _l2(api, scale=COLLECTION_SCALE):
    return api.contrib.l2_regularizer(scale=scale)


def _var(api, name, w, **kw):
    return api.v1.get_variable(name, shape=w.shape, dtype=api.tf.float32,
                               initializer=api.v1.constant_initializer(w), **kw)


def _collection(api, scope=None):
    return api.v1.get_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, scope)


def _two_variables(api, w):
    _var(api, "a", w, regularizer=_l2(api))
    _var(api, "b", w, regularizer=_l2(api))
    return None, _collection(api), None


def _zero_scale(api, w):
    _var(api, "a", w, regularizer=_l2(api, 0.0))
    return None, _collection(api), None


def _reuse(api, w):
    with api.v1.variable_scope("s"):
        _var(api, "a", w, regularizer=_l2(api))
    with api.v1.variable_scope("s", reuse=True):
        _var(api, "a", w, regularizer=_l2(api))
    return None, _collection(api), None


def _scope_reaches_every_get_variable(api, w):
    with api.v1.variable_scope("s", regularizer=_l2(api)):
        _var(api, "kernel", w)
        _var(api, "bias", w)
    return None, _collection(api), None


def _scope_layers_dense(api, w):
    x = api.v1.placeholder(api.tf.float32, shape=(None, w.shape[0]))
    with api.v1.variable_scope("s", regularizer=_l2(api)):
        api.layers.dense(x, w.shape[1], kernel_initializer=api.v1.constant_initializer(w))
    return None, _collection(api), None


def _no_regularizer(api, w):
    with api.v1.variable_scope("s", regularizer=_l2(api)):
        _var(api, "kept", w)
        _var(api, "opted_out", w, regularizer=api.v1.no_regularizer)
    return None, _collection(api), None


def _scopes_sharing_a_prefix(scope_filter):
    def run(api, w):
        for scope in ("layer1", "layer10"):
            with api.v1.variable_scope(scope):
                _var(api, "w", w, regularizer=_l2(api))
        return None, _collection(api, scope_filter), None
    return run


def _keras_dense_in_graph(api, w):
    keras = api.tf_keras_module
    x = api.v1.placeholder(api.tf.float32, shape=(None, w.shape[0]))
    layer = keras.layers.Dense(w.shape[1], kernel_initializer=api.v1.constant_initializer(w),
                               kernel_regularizer=keras.regularizers.l2(COLLECTION_SCALE))
    layer(x)
    return None, _collection(api), len(layer.losses)


def _variable_added_by_mistake(api, w):
    v = api.v1.Variable(w.astype(np.float32), name="w")
    api.v1.add_to_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, v)
    return api.v1.losses.get_regularization_loss(), _collection(api), None


def _eager_get_variable(api, w):
    _var(api, "eager_w", w, regularizer=_l2(api))
    return None, _collection(api), None


def _requirements():
    from ..routes.registry import CONTRIB, TF_KERAS, TF_LAYERS, since_tf
    tf2 = since_tf("2.0", "eager execution by default")
    return CONTRIB, TF_KERAS, TF_LAYERS, tf2


def collection_scenarios():
    contrib, tf_keras, tf_layers, tf2 = _requirements()
    return [
        Scenario("two_variables", "two get_variable(regularizer=l2(0.1))", _two_variables, [contrib]),
        Scenario("zero_scale", "get_variable(regularizer=l2(0.0))", _zero_scale, [contrib]),
        Scenario("reuse_true", "the same get_variable(regularizer=) again under reuse=True", _reuse, [contrib]),
        Scenario("scope_reaches_get_variable", "variable_scope(regularizer=) + get_variable 'kernel' and 'bias'",
                 _scope_reaches_every_get_variable, [contrib]),
        Scenario("scope_reaches_layers_dense", "variable_scope(regularizer=) + tf.layers.dense (kernel and bias)",
                 _scope_layers_dense, [contrib, tf_layers]),
        Scenario("no_regularizer_opt_out", "variable_scope(regularizer=) + get_variable(regularizer=no_regularizer)",
                 _no_regularizer, [contrib]),
        Scenario("scope_filter_prefix", "get_regularization_losses('layer1') with scopes layer1 and layer10",
                 _scopes_sharing_a_prefix("layer1"), [contrib]),
        Scenario("scope_filter_with_slash", "get_regularization_losses('layer1/') with scopes layer1 and layer10",
                 _scopes_sharing_a_prefix("layer1/"), [contrib]),
        Scenario("keras_dense_in_graph", "tf.keras Dense(kernel_regularizer=l2) called in a v1 graph",
                 _keras_dense_in_graph, [tf_keras]),
        Scenario("variable_added_by_mistake", "add_to_collection(REGULARIZATION_LOSSES, v) with the variable itself",
                 _variable_added_by_mistake, []),
        Scenario("eager_get_variable", "get_variable(regularizer=l2) eagerly (TF 2)", _eager_get_variable,
                 [contrib, tf2], eager=True),
    ]


def collection_probe(api, scenario, weights=PROBE_WEIGHTS):
    w = np.asarray(weights, dtype=np.float32)
    try:
        if scenario.eager or (scenario.eager is None and api.tf2):
            loss, entries, detail = scenario.run(api, w)
            values = [float(np.sum(to_numpy(api, e))) for e in entries]
            return _scenario_observation(loss, entries, detail, values,
                                         to_numpy(api, loss) if loss is not None else None)
        graph = api.tf.Graph()
        with graph.as_default():
            loss, entries, detail = scenario.run(api, w)
            with api.v1.Session(graph=graph) as sess:
                sess.run(api.v1.global_variables_initializer())
                values = sess.run(list(entries))
                loss_value = sess.run(loss) if loss is not None else None
        return _scenario_observation(loss, entries, detail, values, loss_value)
    except Exception as exc:
        return _exception(exc)


def _backend_constant(api, w):
    """The probe's weights as what Keras computes on: a TF constant, or the Keras 3 backend's array."""
    if keras_backend(api) != "tensorflow":
        return api.keras3.ops.convert_to_tensor(w)
    return api.tf.constant(w)


def _scenario_observation(loss, entries, detail, values, loss_value):
    if loss is not None:  # the scenario reads a total: record its value and shape
        arr = np.asarray(loss_value)
        return {"raised": None, "value": float(arr) if arr.ndim == 0 else None, "tensor": True,
                "dtype": dtype_name(loss), "entries": len(entries), "names": [_name(e) for e in entries],
                "detail": list(arr.shape) if detail is None else detail}
    total = float(sum(np.sum(v) for v in values)) if values else 0.0
    return {"raised": None, "value": total, "tensor": bool(entries), "dtype": None, "entries": len(entries),
            "names": [_name(e) for e in entries], "detail": detail}


def _name(t):
    try:
        return t.name
    except Exception:  # eager collections hold lazily evaluated tensors without a name
        return "<unnamed %s>" % type(t).__name__


def collection_context(api, convention=None):
    return Context(None, np.asarray(PROBE_WEIGHTS, dtype=np.float32), "float32", COLLECTION_SCALE,
                   convention=convention, api=api)


# -- Keras specifics ---------------------------------------------------------------------------
# Each scenario runs once per Keras module a user can reach (routes/regularizers.py FLAVOURS) and
# receives (api, module, spelling) where spelling maps "l2", "l1_l2", "L1L2" to that module's names.

KERAS_SCALE = 0.1


def _spelling(l2_name):
    if l2_name == "L2":  # Keras 3 spells the classes; it keeps l2 / l1_l2 as aliases
        return {"l2": "L2", "l1_l2": "l1_l2", "L1L2": "L1L2"}
    return {"l2": "l2", "l1_l2": "l1_l2", "L1L2": "L1L2"}


def _config_value(reg, field):
    return float(reg.get_config()[field])


def _keras_default_l2(api, keras, names, w):
    return None, [], _config_value(getattr(keras.regularizers, names["l2"])(), "l2")


def _keras_default_l1_l2_function(api, keras, names, w):
    reg = getattr(keras.regularizers, names["l1_l2"])()
    return None, [], [_config_value(reg, "l1"), _config_value(reg, "l2")]


def _keras_default_l1l2_class(api, keras, names, w):
    reg = keras.regularizers.L1L2()
    return None, [], [_config_value(reg, "l1"), _config_value(reg, "l2")]


def _keras_config_lambda(api, keras, names, w):
    return None, [], _config_value(getattr(keras.regularizers, names["l2"])(KERAS_SCALE), "l2")


def _keras_from_config_penalty(api, keras, names, w):
    reg = getattr(keras.regularizers, names["l2"])(KERAS_SCALE)
    again = type(reg).from_config(reg.get_config())
    return again(_backend_constant(api, w)), [], None


def _keras_legacy_keyword(api, keras, names, w):
    return None, [], _config_value(getattr(keras.regularizers, names["l2"])(l=KERAS_SCALE), "l2")


def _keras_frozen_dense(api, keras, names, w):
    layer = keras.layers.Dense(w.shape[1], trainable=False,
                               kernel_initializer=lambda shape, dtype=None, **kw: _backend_constant(api, w),
                               kernel_regularizer=getattr(keras.regularizers, names["l2"])(KERAS_SCALE))
    layer.build((None, w.shape[0]))
    losses = list(layer.losses)
    total = sum_entries(api, losses) if losses else None
    return total, losses, None


def keras_scenarios():
    return [
        Scenario("default_l2", "l2() / L2() with no argument: get_config()['l2']", _keras_default_l2, eager=None),
        Scenario("default_l1_l2_function", "l1_l2() with no argument: get_config() [l1, l2]",
                 _keras_default_l1_l2_function, eager=None),
        Scenario("default_L1L2_class", "L1L2() with no argument: get_config() [l1, l2]",
                 _keras_default_l1l2_class, eager=None),
        Scenario("config_lambda", "l2(0.1).get_config()['l2']: the number stored", _keras_config_lambda, eager=None),
        Scenario("from_config_penalty", "from_config(l2(0.1).get_config())(w)", _keras_from_config_penalty,
                 eager=None),
        Scenario("legacy_keyword_l", "l2(l=0.1), the Keras 2.0 keyword", _keras_legacy_keyword, eager=None),
        Scenario("trainable_false_dense", "Dense(trainable=False, kernel_regularizer=l2(0.1)).losses",
                 _keras_frozen_dense, eager=None),
    ]


def keras_probe(api, scenario, module, l2_name):
    names = _spelling(l2_name)
    bound = Scenario(scenario.id, scenario.description,
                     lambda api_, w: scenario.run(api_, module, names, w), eager=scenario.eager)
    return collection_probe(api, bound)


def keras_context(api):
    return Context(None, np.asarray(PROBE_WEIGHTS, dtype=np.float32), "float32", KERAS_SCALE,
                   convention=reference.FULL, lambda_precision="float32", api=api)
