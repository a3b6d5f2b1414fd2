"""The Keras model axis: layer arguments other than `kernel_regularizer`, model structures, readers that train.

The same records as plumbing.py (Attachment, Reader, Crossing), crossed by
the same `registry.product`, but kept as a registry of their own, MODEL_ROUTES:

* layer arguments (fills `layer`, read by plumbing's `layer_losses`): a bias,
  an LSTM / GRU recurrent kernel, Embedding embeddings, BatchNormalization gamma
  and beta, SeparableConv2D depthwise / pointwise and DepthwiseConv2D kernels.
  The regularized weight is the case's array; its shape follows from the layer
  (`LayerShape`), so a case draws the layer's sizes and the array follows.
* model structures (fills `model`): Sequential, functional, subclassed, a model
  nested in a model, a layer shared by two branches, a layer reachable through
  two tracked attributes, a model called again on new inputs. Each holds ONE
  regularized weight: `model.losses` must have exactly one entry for it.
* readers of a model: `model.losses`, and the APIs that train (fit, evaluate,
  train_on_batch, a GradientTape loop, tf.nn.scale_regularization_loss). The
  data loss is exactly zero (0 * sum(y_pred)), so the reported loss is the
  penalty, and a training reader's SGD step is `w - lr * c * lambda * w`: the
  factor of two (c = 2 full, 1 half) shows in the step, judged against the
  NumPy step (training/models.py).

Why a registry of its own, not more rows of ROUTES: every route of ROUTES is
recorded per release in docs/semantics.json (its facts and its 22 lambda and
weight probe cells) by the 39-release history sweep, and crossed with the
gradient, step, large-weights and seed tests; the model routes' readers do not
return a differentiable penalty tensor, and what bad lambda does is the
regularizer's (made before it is attached), probed on `dense`. The report covers
both registries (reporting/report.py REPORTED_ROUTES: a model route's fixed cases
and its share of the sample, judged by training/models.py), so the history sweep
records the model routes per release.

Which regularizers meet the model axis (MODELS, a Crossing): `tf.keras-l2`
meets every attachment and every reader; `tf.keras` is Keras 2 up to TF 2.15,
Keras 3 from 2.16 and tf_keras under TF_USE_LEGACY_KERAS, so across the five
envs it reaches all three Keras (a keras3-l2 or tf_keras-l2 route would run the
same code twice in one env). `contrib-l2` in a Keras 2 model is a mix TF 1.x
users write, and the one half-convention penalty a Keras training step sees:
it meets the Sequential model with every reader. Each route costs CI time,
the training readers most (a compile and a traced step per example): see
`EXAMPLES_SHARE` below.
"""

import numpy as np

from .plumbing import (NOT_KERAS3_LAYER, Attached, Attachment, Crossing, Reader, READERS as CORE_READERS, layer_module,
                       _global_variable)
from .registry import CONTRIB, Built, KernelShape, Requirement, keras_backend, product, since_tf, sum_entries, tf_in

# -- weight shapes that follow from a layer's sizes ----------------------------------------------
SIZES = (1, 4)  # the layer sizes a case draws: n_in and n_out in [1, 4] (the array stays small)


class LayerShape(KernelShape):
    """The shape of a layer weight, derived from the layer's (n_in, n_out): `derive(n_in, n_out)`.

    `accepts(shape)` holds for the shapes some sizes in SIZES derive; `sizes(shape)` recovers
    the sizes an attachment builds its layer with."""

    def __init__(self, name, derive):
        rank = len(derive(1, 1))
        KernelShape.__init__(self, name, rank, rank, 1)
        self.derive = derive

    def _all(self):
        lo, hi = SIZES
        return [(a, b) for a in range(lo, hi + 1) for b in range(lo, hi + 1)]

    def sizes(self, shape):
        for a, b in self._all():
            if tuple(self.derive(a, b)) == tuple(shape):
                return a, b
        raise ValueError("%s: no layer sizes give shape %s" % (self.name, tuple(shape)))

    def accepts(self, shape):
        return any(tuple(self.derive(a, b)) == tuple(shape) for a, b in self._all())

    def shapes(self):
        return sorted(set(tuple(self.derive(a, b)) for a, b in self._all()))


DENSE_KERNEL = LayerShape("Dense kernel (n_in, units)", lambda a, b: (a, b))
BIAS = LayerShape("bias (units,)", lambda a, b: (b,))
FEATURES = LayerShape("per-feature vector (features,)", lambda a, b: (a,))
LSTM_RECURRENT = LayerShape("LSTM recurrent kernel (units, 4 units)", lambda a, b: (b, 4 * b))
GRU_RECURRENT = LayerShape("GRU recurrent kernel (units, 3 units)", lambda a, b: (b, 3 * b))
EMBEDDINGS = LayerShape("embeddings (input_dim, output_dim)", lambda a, b: (a, b))
DEPTHWISE = LayerShape("depthwise kernel (1, 1, channels, 1)", lambda a, b: (1, 1, a, 1))
POINTWISE = LayerShape("pointwise kernel (1, 1, channels, filters)", lambda a, b: (1, 1, a, b))


class ModelAttached(Attached):
    """A model with one regularized weight, and the data a reader feeds it.

    model      the Keras model;  keras  its module
    inputs     what fit / evaluate / __call__ take (an array, or a list for two inputs)
    targets    zeros of the model's output shape (the data loss ignores them)
    """

    def __init__(self, weights, model, keras, inputs, targets):
        Attached.__init__(self, weights)
        self.model, self.keras, self.inputs, self.targets = model, keras, inputs, targets


# Rows of the data a model is fed (0 * sum(y_pred) makes them irrelevant to the penalty). A power of two:
# the loss trackers report (loss * batch) / batch (Keras' Mean with the batch size as weight), exact for 2.
BATCH = 2


def _inputs(n_in, dtype):
    return np.random.RandomState(0).uniform(-1.0, 1.0, size=(BATCH, n_in)).astype(dtype)


# -- layer arguments (fill `layer`; read by plumbing's layer_losses) -----------------------------
def _layer_attachment(make, weight_of, build_shape, kernel):
    """An attachment: `make(keras, src, reg, n_in, n_out)` makes the layer, `build_shape(n_in, n_out)`
    is what it is built on, `weight_of(layer)` the regularized weight, `kernel` its LayerShape."""
    def attach(api, src, reg, record):
        keras = layer_module(api, record)
        n_in, n_out = kernel.sizes(src.shape)
        layer = make(keras, src, reg, n_in, n_out)
        shape = build_shape(n_in, n_out)
        # Keras 2 layers take a TensorShape (TF 1.13's DepthwiseConv2D.build reads `.dims`); Keras 3 a tuple.
        layer.build(shape if hasattr(keras, "ops") else api.tf.TensorShape(shape))
        return Attached(weight_of(layer), layer=layer)
    return attach


def _dense_bias(keras, src, reg, n_in, n_out):
    return keras.layers.Dense(n_out, bias_initializer=src.initializer, bias_regularizer=reg, dtype=src.dtype_name)


def _conv2d_bias(keras, src, reg, n_in, n_out):
    return keras.layers.Conv2D(n_out, 1, bias_initializer=src.initializer, bias_regularizer=reg, dtype=src.dtype_name)


def _lstm(keras, src, reg, n_in, n_out):
    return keras.layers.LSTM(n_out, recurrent_initializer=src.initializer, recurrent_regularizer=reg,
                             dtype=src.dtype_name)


def _gru(keras, src, reg, n_in, n_out):
    return keras.layers.GRU(n_out, recurrent_initializer=src.initializer, recurrent_regularizer=reg,
                            dtype=src.dtype_name)


def _embedding(keras, src, reg, n_in, n_out):
    return keras.layers.Embedding(n_in, n_out, embeddings_initializer=src.initializer, embeddings_regularizer=reg,
                                  dtype=src.dtype_name)


def _bn_gamma(keras, src, reg, n_in, n_out):
    return keras.layers.BatchNormalization(gamma_initializer=src.initializer, gamma_regularizer=reg,
                                           dtype=src.dtype_name)


def _bn_beta(keras, src, reg, n_in, n_out):
    return keras.layers.BatchNormalization(beta_initializer=src.initializer, beta_regularizer=reg,
                                           dtype=src.dtype_name)


def _separable_depthwise(keras, src, reg, n_in, n_out):
    return keras.layers.SeparableConv2D(n_out, 1, depthwise_initializer=src.initializer, depthwise_regularizer=reg,
                                        dtype=src.dtype_name)


def _separable_pointwise(keras, src, reg, n_in, n_out):
    return keras.layers.SeparableConv2D(n_out, 1, pointwise_initializer=src.initializer, pointwise_regularizer=reg,
                                        dtype=src.dtype_name)


def _depthwise(keras, src, reg, n_in, n_out):
    return keras.layers.DepthwiseConv2D(1, depthwise_initializer=src.initializer, depthwise_regularizer=reg,
                                        dtype=src.dtype_name)


def _vector(n_in, n_out):
    return (None, n_in)


def _sequence(n_in, n_out):
    return (None, 3, n_in)


def _image(n_in, n_out):
    return (None, 2, 2, n_in)


def _ids(n_in, n_out):
    return (None, 3)


def _cell_weight(name):
    """An RNN layer's regularized weight: on the layer (Keras 3 forwards it), else on its cell."""
    def weight_of(layer):
        cell = getattr(layer, "cell", layer)
        return getattr(cell, name)
    return weight_of


def _attr(name, keras3_name=None):
    """A layer's weight by name (`keras3_name`: what Keras 3 calls it, e.g. DepthwiseConv2D's `kernel`)."""
    def weight_of(layer):
        found = getattr(layer, name, None)
        return found if found is not None or keras3_name is None else getattr(layer, keras3_name)
    return weight_of


LAYER_DTYPES = ("float32", "float64")
# TF 1.6-1.14 tf.keras LSTM / GRU(dtype="float64") still make float32 weights (and ask their initializers for
# float32): measured for LSTM on 1.6, 1.7, 1.8, 1.9, 1.12, 1.13, 1.14, for both on 1.6; float64 from 1.15.
RNN_FLOAT64 = tf_in("float64 LSTM / GRU weights (tf.keras before 1.15 makes them float32 whatever the layer's dtype)",
                    ("1.15", None))
# Keras layers compute in their dtype policy; half dtypes are mixed precision, a question of its own.
LAYER_ATTACHMENTS = [
    Attachment("dense.bias", "<module>.layers.Dense(units, bias_regularizer={reg})", "layer",
               _layer_attachment(_dense_bias, _attr("bias"), _vector, BIAS), reader="layer_losses", kernel=BIAS),
    Attachment("conv2d.bias", "<module>.layers.Conv2D(filters, 1, bias_regularizer={reg})", "layer",
               _layer_attachment(_conv2d_bias, _attr("bias"), _image, BIAS), reader="layer_losses", kernel=BIAS),
    Attachment("lstm.recurrent", "<module>.layers.LSTM(units, recurrent_regularizer={reg})", "layer",
               _layer_attachment(_lstm, _cell_weight("recurrent_kernel"), _sequence, LSTM_RECURRENT), reader="layer_losses",
               kernel=LSTM_RECURRENT),
    Attachment("gru.recurrent", "<module>.layers.GRU(units, recurrent_regularizer={reg})", "layer",
               _layer_attachment(_gru, _cell_weight("recurrent_kernel"), _sequence, GRU_RECURRENT), reader="layer_losses",
               kernel=GRU_RECURRENT),
    Attachment("embedding", "<module>.layers.Embedding(input_dim, output_dim, embeddings_regularizer={reg})", "layer",
               _layer_attachment(_embedding, _attr("embeddings"), _ids, EMBEDDINGS), reader="layer_losses", kernel=EMBEDDINGS),
    Attachment("batch_norm.gamma", "<module>.layers.BatchNormalization(gamma_regularizer={reg})", "layer",
               _layer_attachment(_bn_gamma, _attr("gamma"), _vector, FEATURES), reader="layer_losses", kernel=FEATURES),
    Attachment("batch_norm.beta", "<module>.layers.BatchNormalization(beta_regularizer={reg})", "layer",
               _layer_attachment(_bn_beta, _attr("beta"), _vector, FEATURES), reader="layer_losses", kernel=FEATURES),
    Attachment("separable_conv2d.depthwise", "<module>.layers.SeparableConv2D(filters, 1, depthwise_regularizer={reg})",
               "layer", _layer_attachment(_separable_depthwise, _attr("depthwise_kernel"), _image, DEPTHWISE),
               reader="layer_losses", kernel=DEPTHWISE),
    Attachment("separable_conv2d.pointwise", "<module>.layers.SeparableConv2D(filters, 1, pointwise_regularizer={reg})",
               "layer", _layer_attachment(_separable_pointwise, _attr("pointwise_kernel"), _image, POINTWISE),
               reader="layer_losses", kernel=POINTWISE),
    Attachment("depthwise_conv2d", "<module>.layers.DepthwiseConv2D(1, depthwise_regularizer={reg})", "layer",
               _layer_attachment(_depthwise, _attr("depthwise_kernel", "kernel"), _image, DEPTHWISE), reader="layer_losses",
               kernel=DEPTHWISE,
               requires=[since_tf("1.9", "tf.keras.layers.DepthwiseConv2D")]),
]


# -- contrib / tf_slim batch_norm(param_regularizers=) (fills the collection) --------------------
def _slim_batch_norm_gamma(api, src, reg, record):
    (n,) = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, n))
    api.contrib.batch_norm(x, scale=True, param_initializers={"gamma": src.initializer},
                           param_regularizers={"gamma": reg})
    return Attached(_global_variable(api, "gamma:0"))


# From TF 2.15 tf_slim's batch_norm raises in a v1 graph (semantics/model_table.py, cell slim_batch_norm).
SLIM_BATCH_NORM = tf_in("contrib / tf_slim batch_norm in a v1 graph (from TF 2.15 it raises AttributeError: "
                        "semantics/model_table.py, slim_batch_norm)", ("1.0", "2.15"))
SLIM_ATTACHMENTS = [
    Attachment("slim.batch_norm.gamma", "contrib.layers.batch_norm(x, scale=True, param_regularizers={{'gamma': {reg}}})",
               "collection", _slim_batch_norm_gamma, reader="get_regularization_loss", requires=[CONTRIB, SLIM_BATCH_NORM],
               graph_only=True, kernel=FEATURES),
]


# -- model structures (fill `model`) --------------------------------------------------------------
def _constant(src):
    """The case's array as an initializer that needs no feed: a Keras model in a TF 1.x graph is run by
    Keras' own session, which initializes variables without the harness' feed."""
    w = np.asarray(src.array)

    def initializer(shape, dtype=None, **kwargs):
        if tuple(int(s) for s in shape) != tuple(w.shape):
            raise ValueError("route asked for shape %s, case has %s" % (tuple(shape), w.shape))
        return src.convert(w)
    return initializer


def _dense(keras, src, reg, n_out, **kw):
    return keras.layers.Dense(n_out, use_bias=False, kernel_initializer=_constant(src), kernel_regularizer=reg,
                              dtype=src.dtype_name, **kw)


def _model_attachment(build):
    """`build(keras, src, reg, n_in, n_out) -> (model, the regularized Dense, inputs)`."""
    def attach(api, src, reg, record):
        keras = layer_module(api, record)
        n_in, n_out = src.shape
        x = _inputs(n_in, src.dtype_name)
        model, dense, inputs = build(keras, src, reg, n_in, n_out, x)
        return ModelAttached(dense.kernel, model, keras, inputs, np.zeros((BATCH, n_out), src.dtype_name))
    return attach


def _sequential(keras, src, reg, n_in, n_out, x):
    dense = _dense(keras, src, reg, n_out, input_shape=(n_in,))
    return keras.Sequential([dense]), dense, x


def _functional(keras, src, reg, n_in, n_out, x):
    inp = keras.Input(shape=(n_in,), dtype=src.dtype_name)
    dense = _dense(keras, src, reg, n_out)
    return keras.Model(inp, dense(inp)), dense, x


def _one_dense_init(self, dense):
    type(self).__bases__[0].__init__(self)
    self.dense = dense


def _one_dense_call(self, inputs):
    return self.dense(inputs)


def _subclassed_class(keras):
    """class OneDense(keras.Model) with `self.dense`. Its methods are module-level functions: TF 2.0's
    autograph converts a method defined inside a function from the wrong source lines."""
    return type("OneDense", (keras.Model,), {"__init__": _one_dense_init, "call": _one_dense_call})


def _build_subclassed(keras, src, model, n_in, x):
    """Build a subclassed model by calling it: eagerly on the data; in a TF 1.x graph on a symbolic Input
    (TF 1.9 Keras cannot call one on an array, and one called on a constant tensor then fits on no data)."""
    if src.graph_mode:
        model(keras.Input(shape=(n_in,), dtype=src.dtype_name))
    else:
        model(src.convert(x))


def _subclassed_model(make_class):
    """A structure: the Dense inside a keras.Model subclass that make_class(keras) returns, built."""
    def structure(keras, src, reg, n_in, n_out, x):
        dense = _dense(keras, src, reg, n_out)
        model = make_class(keras)(dense)
        _build_subclassed(keras, src, model, n_in, x)
        return model, dense, x
    return structure


def _nested(keras, src, reg, n_in, n_out, x):
    inner, dense, _ = _sequential(keras, src, reg, n_in, n_out, x)
    inp = keras.Input(shape=(n_in,), dtype=src.dtype_name)
    return keras.Model(inp, inner(inp)), dense, x


def _shared(keras, src, reg, n_in, n_out, x):
    a = keras.Input(shape=(n_in,), dtype=src.dtype_name)
    b = keras.Input(shape=(n_in,), dtype=src.dtype_name)
    dense = _dense(keras, src, reg, n_out)
    out = keras.layers.Add(dtype=src.dtype_name)([dense(a), dense(b)])
    return keras.Model([a, b], out), dense, [x, x]


def _two_names_init(self, dense):
    type(self).__bases__[0].__init__(self)
    self.first = dense
    self.second = dense  # the same layer, tracked under a second name


def _two_names_call(self, inputs):
    return self.first(inputs)


def _two_attributes_class(keras):
    return type("TwoNames", (keras.Model,), {"__init__": _two_names_init, "call": _two_names_call})




def _called_again(keras, src, reg, n_in, n_out, x):
    model, dense, _ = _functional(keras, src, reg, n_in, n_out, x)
    model(keras.Input(shape=(n_in,), dtype=src.dtype_name))  # called again, on a new symbolic input
    return model, dense, x


SUBCLASSING = since_tf("1.9", "a subclassed tf.keras.Model (TF 1.6 Keras has no model subclassing)")
# TF 1.6 tf.keras repeats a weight's penalty: a model called again on a new Input, or a model with a layer
# shared by two branches once compiled, holds 3 entries for the one kernel (and 3x its penalty); one from
# TF 1.7 on (measured 1.6-1.9, 1.12-1.15). Asserted as an upstream bug in semantics/model_table.py
# (cells called_again_entries, shared_after_compile); the routes that would see it skip there with this reason.
ONE_ENTRY = tf_in("one model.losses entry per weight once the model is called again or compiled (TF 1.6 repeats "
                  "it 3 times: semantics/model_table.py, an upstream bug)", ("1.7", None))
STRUCTURES = [
    Attachment("sequential", "model = <module>.Sequential([<module>.layers.Dense(units, kernel_regularizer={reg})])",
               "model", _model_attachment(_sequential), reader="model_losses", kernel=DENSE_KERNEL),
    Attachment("functional", "x = <module>.Input((n,)); model = <module>.Model(x, <module>.layers.Dense(units, "
               "kernel_regularizer={reg})(x))", "model", _model_attachment(_functional), reader="model_losses",
               kernel=DENSE_KERNEL),
    Attachment("subclassed", "class M(<module>.Model): self.dense = Dense(units, kernel_regularizer={reg})",
               "model", _model_attachment(_subclassed_model(_subclassed_class)), reader="model_losses",
               kernel=DENSE_KERNEL,
               requires=[SUBCLASSING]),
    Attachment("nested", "inner = Sequential([Dense(units, kernel_regularizer={reg})]); model = Model(x, inner(x))",
               "model", _model_attachment(_nested), reader="model_losses", kernel=DENSE_KERNEL),
    Attachment("shared", "d = Dense(units, kernel_regularizer={reg}); model = Model([a, b], Add()([d(a), d(b)]))",
               "model", _model_attachment(_shared), reader="model_losses", kernel=DENSE_KERNEL),
    Attachment("two_attributes", "self.first = self.second = Dense(units, kernel_regularizer={reg}) in a Model",
               "model", _model_attachment(_subclassed_model(_two_attributes_class)), reader="model_losses",
               kernel=DENSE_KERNEL,
               requires=[SUBCLASSING]),
    Attachment("called_again", "model = Model(x, Dense(units, kernel_regularizer={reg})(x)); model(Input((n,)))",
               "model", _model_attachment(_called_again), reader="model_losses", kernel=DENSE_KERNEL,
               requires=[ONE_ENTRY]),
]


# -- persistence: a model that survives a round trip (fills `restorable`; read by the round-trip readers) ---------
def _restorable(api, src, reg, record):
    """Sequential([Dense(units, no bias, kernel_regularizer=reg)]) holding the case's array through set_weights:
    its config names only built-in objects (a Python initializer would not deserialize)."""
    keras = layer_module(api, record)
    n_in, n_out = src.shape
    dense = keras.layers.Dense(n_out, use_bias=False, kernel_initializer="zeros", kernel_regularizer=reg,
                               dtype=src.dtype_name, input_shape=(n_in,))
    model = keras.Sequential([dense])
    model.set_weights([np.asarray(src.array).astype(src.dtype_name)])
    return ModelAttached(dense.kernel, model, keras, _inputs(n_in, src.dtype_name),
                         np.zeros((BATCH, n_out), src.dtype_name))


RESTORABLE = Attachment("restorable", "model = <module>.Sequential([Dense(units, kernel_regularizer={reg})]); "
                        "model.set_weights([w])", "restorable", _restorable, reader="from_config", kernel=DENSE_KERNEL)
PERSISTENCE = [RESTORABLE]

# What the model axis adds to the Attachment record: the dtypes it takes, and dtype -> Requirement.
for _a in LAYER_ATTACHMENTS + SLIM_ATTACHMENTS + STRUCTURES + PERSISTENCE:
    _a.dtypes = LAYER_DTYPES
    _a.dtype_requires = {"float64": RNN_FLOAT64} if _a.name in ("lstm.recurrent", "gru.recurrent") else {}
# slim's batch_norm asks its gamma initializer for float32 whatever the input's dtype (measured 1.6, 1.15).
SLIM_ATTACHMENTS[0].dtypes = ("float32",)


# -- the activity regularizer: its penalty is of the layer's output, not of a weight --------------
def _activity(api, src, reg, record):
    """Dense(units, no bias, kernel = the case's array, activity_regularizer=reg) called on `src.inputs`
    (set by training/models.verify_activity); the output goes in `value`."""
    keras = layer_module(api, record)
    n_in, n_out = src.shape
    layer = keras.layers.Dense(n_out, use_bias=False, kernel_initializer=_constant(src), activity_regularizer=reg,
                               dtype=src.dtype_name)
    y = layer(src.convert(src.inputs))
    return Attached(layer.kernel, value=y, layer=layer)


# Not in ATTACHMENTS: the weights' reference does not apply (reference.activity_l2 takes the output and the
# batch size); tests/test_models.py checks it on drawn kernels, inputs, batch sizes and lambda.
ACTIVITY = Attachment("dense.activity", "layer = <module>.layers.Dense(units, activity_regularizer={reg}); layer(x)",
                      "layer", _activity, reader="layer_losses", kernel=DENSE_KERNEL)
ACTIVITY.dtypes, ACTIVITY.dtype_requires = ("float32",), {}
ACTIVITY_SHARE = 0.1


# -- readers of a model -------------------------------------------------------------------------
LR = 2.0 ** -3  # the SGD learning rate (an exact binary fraction; steps.LR)


class Trained(Built):
    """What a training reader returns: the reported loss, the kernel before and after the step.

    loss     the loss the API reports (a Python float; the data loss is 0, so it is the penalty)
    weights  the kernel's value before training (NumPy), for the read-back check
    after    the kernel's value after one SGD step of rate LR, or None for a reader that does not step
    """

    def __init__(self, loss, weights, entries, after=None):
        Built.__init__(self, loss, weights, entries)
        self.after = after


def zero_loss(api, keras):
    """0 * sum(y_pred) as a Keras loss: exactly 0, with a gradient of exactly 0 (semantics/model_probes.py too)."""
    # on a Keras 3 backend other than TensorFlow the loss sees that backend's tensors: keras.ops there
    reduce_sum = api.tf.reduce_sum if keras_backend(api) == "tensorflow" else keras.ops.sum

    def zero(y_true, y_pred):
        return 0.0 * reduce_sum(y_pred)  # exactly 0, and a gradient of exactly 0
    return zero


def _value(api, at, v):
    """A variable's value as a NumPy copy: eagerly, through keras.ops on a Keras 3 backend other than
    TensorFlow, or through Keras' session in a TF 1.x graph."""
    if api.tf2:
        from ..harness import to_numpy  # (harness imports the registry this package holds)
        return np.array(to_numpy(api, v))
    return np.array(at.keras.backend.get_value(v))


def sgd(keras, lr):
    try:
        return keras.optimizers.SGD(learning_rate=lr)
    except TypeError:  # Keras before TF 1.14 spells it lr
        return keras.optimizers.SGD(lr=lr)


def _compile(api, at, lr):
    at.model.compile(optimizer=sgd(at.keras, lr), loss=zero_loss(api, at.keras))


def _scalar(x):
    if isinstance(x, (list, tuple)):
        x = x[0]
    return float(np.asarray(x))


def _model_losses(api, at):
    losses = at.model.losses
    return Built(sum_entries(api, losses), at.weights, len(losses))


def _fit(api, at):
    _compile(api, at, LR)
    before = _value(api, at, at.weights)
    history = at.model.fit(at.inputs, at.targets, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return Trained(history.history["loss"][0], before, len(at.model.losses), _value(api, at, at.weights))


def _evaluate(api, at):
    _compile(api, at, LR)
    before = _value(api, at, at.weights)
    loss = at.model.evaluate(at.inputs, at.targets, batch_size=BATCH, verbose=0)
    return Trained(_scalar(loss), before, len(at.model.losses))


def _train_on_batch(api, at):
    _compile(api, at, LR)
    before = _value(api, at, at.weights)
    loss = at.model.train_on_batch(at.inputs, at.targets)
    return Trained(_scalar(loss), before, len(at.model.losses), _value(api, at, at.weights))


def _tape(api, at):
    tf, keras = api.tf, at.keras
    opt = sgd(keras, LR)
    before = _value(api, at, at.weights)
    x = tf.constant(at.inputs) if not isinstance(at.inputs, list) else [tf.constant(i) for i in at.inputs]
    with tf.GradientTape() as tape:
        y = at.model(x)
        penalty = tf.add_n(at.model.losses)  # read inside the tape: the penalty is on the tape
        loss = 0.0 * tf.reduce_sum(y) + penalty
    variables = at.model.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return Trained(float(penalty.numpy()), before, len(at.model.losses), _value(api, at, at.weights))


def _scale_regularization_loss(api, at):
    losses = at.model.losses
    return Built(api.tf.nn.scale_regularization_loss(sum_entries(api, losses)), at.weights, len(losses))


# -- round-trip readers: the model after from_config / clone_model / save + load_model ---------------------
SAVED_NAMES = {"keras": "m.keras", "h5": "m.h5", "savedmodel": "m_savedmodel"}


def restore(keras, model, fmt, directory):
    """The model after the `fmt` round trip: from_config / clone_model (+ set_weights), or save + load_model
    (semantics/model_probes.py uses it too, on every regularizer argument)."""
    if fmt in ("config", "clone"):
        again = type(model).from_config(model.get_config()) if fmt == "config" else keras.models.clone_model(model)
        again.set_weights(model.get_weights())
        return again
    import os
    path = os.path.join(directory, SAVED_NAMES[fmt])
    if fmt == "savedmodel":
        model.save(path, save_format="tf")
    else:
        model.save(path)
    return keras.models.load_model(path)


def h5py_missing():
    try:
        import h5py  # noqa: F401
    except ImportError as exc:
        return "the .h5 format needs h5py (%s)" % exc
    return None


# TF 1.11-1.14 ask for h5py with no upper bound (through keras_applications), so pip gives them h5py 3, whose
# string attributes are str: their tf.keras load_model calls .decode('utf-8') on them and raises AttributeError
# (tensorflow/tensorflow#44467). 1.15.5 and 2.0.4-2.4.4 pin h5py ~= 2.10 themselves; 2.5 reads h5py 3. The
# fact is the models table's row persist_h5 (semantics/model_table.py), which uses these bounds.
H5PY3_LOAD_FAILS = ("1.11", "1.15")  # [first TF, first TF without], with h5py >= H5PY3
H5PY3 = "3"


def h5_load_fails(api):
    """Why tf.keras' .h5 reload raises here (see H5PY3_LOAD_FAILS), or None."""
    from ..environment import parse_version
    first, first_without = (parse_version(v) for v in H5PY3_LOAD_FAILS)
    if (first <= api.tf_version_tuple < first_without and api.h5py_version
            and parse_version(api.h5py_version) >= parse_version(H5PY3)):
        return ("TF %s's tf.keras load_model('m.h5') raises AttributeError with h5py %s (str attributes; "
                "tensorflow/tensorflow#44467): asserted by semantics/model_table.py, persist_h5"
                % (api.tf_version, api.h5py_version))
    return None


# TF 1.6-1.9 tf.keras save_model tests `hasattr(model, 'optimizer')`, which an uncompiled model has as None, then
# calls model.optimizer.get_config(); 1.10 tests `model.optimizer` (read in each release's keras/engine/saving.py).
# Seen only with h5py installed, which the TF axis's 1.6-1.9 envs lack (TF asks for it from 1.10): the keras-history
# env tf18-keras216-py36 has it through standalone Keras. The models table's row persist_h5 asserts it.
H5_SAVE_UNCOMPILED_UNTIL = "1.10"


def h5_save_fails(api):
    """Why tf.keras' .h5 save of an uncompiled model raises here (H5_SAVE_UNCOMPILED_UNTIL), or None."""
    from ..environment import parse_version
    if api.tf_version_tuple < parse_version(H5_SAVE_UNCOMPILED_UNTIL) and not h5py_missing():
        return ("TF %s's tf.keras model.save('m.h5') of an uncompiled model raises AttributeError (its optimizer is "
                "None): asserted by semantics/model_table.py, persist_h5, an upstream bug" % api.tf_version)
    return None


def format_missing(api, keras3, fmt, keras=None):
    """Why a Keras has no `fmt` round trip here, or None (keras3: the module is Keras 3)."""
    from ..environment import parse_version
    if fmt == "clone" and keras is not None and not hasattr(keras.models, "clone_model"):
        return "this Keras has no models.clone_model"
    if fmt == "keras" and not keras3 and api.tf_version_tuple < parse_version("2.13"):
        return "the .keras format needs Keras 3 or tf.keras / tf_keras >= 2.13 (TF %s)" % api.tf_version
    if fmt == "h5":
        return h5py_missing()
    if fmt == "savedmodel":
        if keras3:
            return ("Keras 3 writes a SavedModel for inference only (model.export); load_model reads .keras / .h5, "
                    "so there is no Keras model to reload")
        if not api.tf2:
            return "model.save(dir, save_format='tf') + load_model needs TF 2 (TF %s)" % api.tf_version
    return None


def _format(fmt):
    return Requirement("a %s round trip of tf.keras" % fmt, lambda api: format_missing(
        api, api.keras_flavour == "keras3", fmt, api.tf_keras_module))


def _round_trip(fmt):
    def read(api, at):
        import shutil
        import tempfile
        directory = tempfile.mkdtemp(prefix="regequiv-round-trip-")
        try:
            again = restore(at.keras, at.model, fmt, directory)
            kernel = [layer for layer in again.layers if getattr(layer, "kernel", None) is not None][0].kernel
            losses = list(again.losses)
            loss = float(_value(api, at, sum_entries(api, losses))) if losses else 0.0
            return Trained(loss, _value(api, at, kernel), len(losses))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return read


ROUND_TRIP_READERS = [
    Reader("from_config", "again = <module>.Model.from_config(model.get_config()); again.set_weights(...); "
           "add_n(again.losses)", "restorable", _round_trip("config"), requires=[_format("config")]),
    Reader("clone_model", "again = <module>.models.clone_model(model); again.set_weights(...); add_n(again.losses)",
           "restorable", _round_trip("clone"), requires=[_format("clone")]),
    Reader("saved_keras", "model.save('m.keras'); add_n(<module>.models.load_model('m.keras').losses)",
           "restorable", _round_trip("keras"), requires=[_format("keras")]),
    Reader("saved_h5", "model.save('m.h5'); add_n(<module>.models.load_model('m.h5').losses)",
           "restorable", _round_trip("h5"), requires=[_format("h5"), Requirement("an .h5 reload that works",
                                                                                h5_load_fails),
                                                      Requirement("an .h5 save of an uncompiled model", h5_save_fails,
                                                                  raises="AttributeError")]),
    Reader("saved_model", "model.save(dir, save_format='tf'); add_n(<module>.models.load_model(dir).losses)",
           "restorable", _round_trip("savedmodel"), requires=[_format("savedmodel")]),
]
ROUND_TRIPS = tuple(r.name for r in ROUND_TRIP_READERS)

# Keras 3.15's NumPy backend (KERAS_BACKEND=numpy, tox -m keras-backends) has no trainer: fit and train_on_batch raise
# NotImplementedError ("fit not implemented for NumPy backend"); evaluate runs a model without a regularizer but
# raises AttributeError ('list' object has no attribute 'dtype') with one, an upstream bug (no issue found).
# Minimal reproduction, KERAS_BACKEND=numpy: m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3,
# kernel_regularizer=keras.regularizers.L2(0.1))]); m.compile("sgd", "mse"); m.evaluate(np.ones((2, 4)),
# np.zeros((2, 3)))  # AttributeError. Measured: Keras 3.15.1, scipy 1.17.1, jax 0.10.2.
NUMPY_EVALUATE_BUG = ("upstream bug (Keras 3.15.1, no issue found): KERAS_BACKEND=numpy evaluate of a model with a "
                      "kernel_regularizer raises AttributeError ('list' object has no attribute 'dtype'); without "
                      "one it runs")


def _numpy_backend(what, why, raises):
    return Requirement(what, lambda api: "KERAS_BACKEND=numpy: %s" % why if keras_backend(api) == "numpy" else None,
                       raises=raises)


NUMPY_NO_TRAINER = _numpy_backend("a Keras backend with a trainer", "Keras 3's NumPy backend has no fit or "
                                  "train_on_batch (NotImplementedError)", "NotImplementedError")
NUMPY_EVALUATE = _numpy_backend("an evaluate of a regularized model", NUMPY_EVALUATE_BUG, "AttributeError")
EAGER_LOOP = since_tf("2.0", "a GradientTape training loop (eager execution)")
SCALE_REG = since_tf("2.2", "tf.nn.scale_regularization_loss")
MODEL_READERS = [
    Reader("model_losses", "tf.add_n(model.losses)", "model", _model_losses),
    Reader("fit", "model.compile(SGD(lr), loss=0); model.fit(x, y, epochs=1): the reported loss, the kernel after",
           "model", _fit, requires=[NUMPY_NO_TRAINER]),
    Reader("evaluate", "model.compile(SGD(lr), loss=0); model.evaluate(x, y)", "model", _evaluate,
           requires=[NUMPY_EVALUATE]),
    Reader("train_on_batch", "model.compile(SGD(lr), loss=0); model.train_on_batch(x, y)", "model", _train_on_batch,
           requires=[NUMPY_NO_TRAINER]),
    Reader("tape", "with tf.GradientTape() as t: loss = 0 * sum(model(x)) + tf.add_n(model.losses); "
           "SGD(lr).apply_gradients(...)", "model", _tape, requires=[EAGER_LOOP], needs_tensorflow=True),
    Reader("scale_regularization_loss", "tf.nn.scale_regularization_loss(tf.add_n(model.losses))", "model",
           _scale_regularization_loss, requires=[SCALE_REG], needs_tensorflow=True),
]
# The share of a test's Hypothesis examples a model route draws (plumbing.PLUMBING_SHARE: 0.25 for a core
# container route; x 100 under `ci`). A model route's failure modes (an entry repeated or dropped, a penalty a
# reader leaves out, a lost factor of two in the step) are structural: any drawn case with a nonzero penalty
# shows them, and the penalty's numerics are the core's. A layer-argument or model.losses route builds one
# layer (~10 ms): 0.1 (10 under ci). A reader that compiles traces a step per example (0.1-1 s): 0.03 (3).
# Each of the three model mutants is killed at these shares (docs/SELF_VALIDATION.md).
# A round trip's failure (a regularizer dropped or changed on reload: no entry, or another penalty; a weight
# not restored) is as structural, and shows on any case: from_config / clone_model build a second model
# (~20-50 ms): 0.03 (3 under ci); a save + load_model writes and parses a file (0.2-2 s, SavedModel the
# slowest): 0.02 (2). The reload mutant (selfvalidation/mutants.py) is killed at these shares.
EXAMPLES_SHARE = {"model_losses": 0.1, "layer_losses": 0.1, "get_regularization_loss": 0.1,
                  "scale_regularization_loss": 0.1, "fit": 0.03, "evaluate": 0.03, "train_on_batch": 0.03,
                  "tape": 0.03, "from_config": 0.03, "clone_model": 0.03, "saved_keras": 0.02, "saved_h5": 0.02,
                  "saved_model": 0.02}
TRAINING_READERS = ("fit", "train_on_batch", "tape")  # readers that take an SGD step
# compile()'d readers compute their loss in floatx (float32): a float64 model's loss meets a float32 one
# (Keras 3: TypeError in fit). float64 models are reached by model_losses and the layer arguments.
COMPILED_DTYPES = ("float32",)
for _r in MODEL_READERS + ROUND_TRIP_READERS:
    _r.steps = _r.name in TRAINING_READERS
    _r.dtypes = COMPILED_DTYPES if _r.name in ("fit", "evaluate", "train_on_batch", "tape") else LAYER_DTYPES
LAYER_LOSSES = [r for r in CORE_READERS if r.name == "layer_losses"][0]
GET_REGULARIZATION_LOSS = [r for r in CORE_READERS if r.name == "get_regularization_loss"][0]

ATTACHMENTS = LAYER_ATTACHMENTS + SLIM_ATTACHMENTS + STRUCTURES + PERSISTENCE
READERS = [LAYER_LOSSES, GET_REGULARIZATION_LOSS] + MODEL_READERS + ROUND_TRIP_READERS


# -- which regularizers meet the model axis ------------------------------------------------------
MODEL_REGULARIZERS = ("tf.keras-l2", "contrib-l2", "keras2-l2")


def _in_models(record, attachment, reader):
    if attachment.fills == "restorable":  # tf.keras-l2 through every round trip (a contrib function has no config)
        return record.name == "tf.keras-l2"
    keras_container = attachment.fills in ("layer", "model")
    if record.name == "tf.keras-l2":  # every attachment with its reader; every reader through the structures
        return keras_container and (attachment.reader == reader.name or attachment.fills == "model" and (
            reader.name == "fit") or attachment.name == "sequential")
    if record.name == "contrib-l2":  # the half convention in a Keras 2 model, through every reader; slim's batch_norm
        return attachment.name == "sequential" or not keras_container and attachment.reader == reader.name
    if record.name == "keras2-l2":  # standalone Keras 2's own models: every structure with its reader and fit, the
        # Sequential model through every reader (its layer arguments are Keras 2's, as tf.keras' on TF 1.x). Not the
        # subclassed ones: Keras 2.1.6 has no subclassing, and a Keras 2.2.4 subclassed model called on a symbolic
        # Input (how a TF 1.x graph builds it here) raises NotImplementedError (Network.compute_output_shape)
        return attachment.fills == "model" and attachment.name not in ("subclassed", "two_attributes") and (
            attachment.reader == reader.name or reader.name == "fit" or attachment.name == "sequential")
    return False


MODELS = Crossing(
    "keras models",
    "tf.keras-l2 meets every layer argument and model structure with its reader, every structure through fit, "
    "the Sequential model through every reader, and a restorable Sequential model through every round trip "
    "(from_config, clone_model, .keras, .h5, SavedModel); contrib-l2 (the half convention, in a Keras 2 model) meets "
    "the Sequential model through every reader; keras2-l2 (standalone Keras 2, its own models) every structure "
    "but the subclassed ones with its reader and fit, and the Sequential model through every reader; tf.keras is Keras 2, Keras 3 or "
    "tf_keras by release and env, so the other Keras modules' l2 would repeat these in the same env",
    _in_models)


def buildable(attachment, reader):
    return reader.reads == attachment.fills


def pair_requires(record, attachment):
    if record.family == "contrib" and attachment.fills in ("layer", "model"):
        return [NOT_KERAS3_LAYER]
    return []


def pair_dtype_requires(record, attachment):
    """{dtype: Requirement}: the attachment's own, and what a standalone Keras 2 layer does to its weights' dtype
    (plumbing.pair_colocated: floatx), as the core routes' colocation requirements reach their Route."""
    from .plumbing import pair_colocated
    return dict(attachment.dtype_requires, **pair_colocated(record, attachment))


class _Crossed(object):
    """A regularizer record seen through the MODELS crossing (product() asks `record.plumbing`)."""

    def __init__(self, record):
        self._record = record

    def __getattr__(self, name):
        return MODELS if name == "plumbing" else getattr(self._record, name)


def _product():
    from .regularizers import REGULARIZERS
    chosen = [_Crossed(r) for r in REGULARIZERS if r.name in MODEL_REGULARIZERS]
    # the attachment's dtype requirements reach the Route the way colocation requirements do (dtype -> Requirement)
    routes, excluded = product(chosen, ATTACHMENTS, READERS, buildable, pair_requires, pair_dtype_requires,
                               lambda record, attachment, reader: None)
    for route in routes:
        route.regularizer = route.regularizer._record  # noqa: SLF001  (the record itself, not the view)
        route.dtypes = tuple(d for d in route.dtypes if d in route.attachment.dtypes
                             and d in getattr(route.reader, "dtypes", LAYER_DTYPES))
        route.examples_share = EXAMPLES_SHARE[route.reader.name]
        route.steps = getattr(route.reader, "steps", False)
        if route.attachment.name == "shared" and route.reader.name != "model_losses":
            route.requires += (ONE_ENTRY,)  # compiled: TF 1.6 repeats the shared layer's entry
    return routes, excluded


MODEL_ROUTES, MODEL_EXCLUDED = _product()


def _activity_routes():
    from .registry import Route
    from .regularizers import REGULARIZERS
    routes = [Route(r, ACTIVITY, LAYER_LOSSES) for r in REGULARIZERS if r.name in MODEL_REGULARIZERS
              and r.family == "keras"]
    for route in routes:
        route.dtypes, route.examples_share = ACTIVITY.dtypes, ACTIVITY_SHARE
    return routes


ACTIVITY_ROUTES = _activity_routes()  # tf.keras-l2.dense.activity.layer_losses
