"""The attachment and reader axes: how a penalty is attached to weights, and where it is read from.

An attachment puts a regularizer on weights the way users do (called
directly, `get_variable(regularizer=)`, a layer's `kernel_regularizer`, ...)
and says what it fills: the direct value, a plain variable, the
REGULARIZATION_LOSSES collection, or a Keras layer's `.losses`. A reader
takes the number from there (`tf.add_n(...)`, `get_regularization_loss()`,
`layer.losses`, ...). A reader can only read what an attachment fills: that
is the one combination rule that is a matter of construction.

Which pairs a regularizer is crossed with is its `plumbing`, a Crossing
below: the seeds' regularizer meets every pair, the others a covering set,
each with its reason. `python -m equivalence routes --excluded` lists every
combination left out and why.
"""

from .registry import (ABS, CONTRIB, CONV2D, CONV2D_OP, L2LOSS, LAYER_MATMUL, MATRIX, TF_LAYERS, Built,
                       Requirement, first_missing, keras3_absent, since_tf, standalone_keras, sum_entries, tf_in)


class Attached(object):
    """What an attachment leaves for the reader: the weights' variable, and the penalty where it went.

    weights  the variable the regularizer was applied to (read back bit for bit by the harness)
    value    the direct penalty (attachment `call`), or None
    layer    the Keras layer (attachment `dense`), or None
    regularizer  the regularizer callable, for readers that apply it themselves
    """

    def __init__(self, weights, value=None, layer=None, regularizer=None):
        self.weights, self.value, self.layer, self.regularizer = weights, value, layer, regularizer


# How many of a test's Hypothesis examples a route draws, as a share of the profile's count (100 under
# `ci`). Called directly, a regularizer's route carries its numerics: every dtype, rank, size class,
# initializer and lambda the strategies reach, so it draws them all. A container route adds plumbing
# (what fills the collection or `.losses`, what the reader sums, the convention kept), which does not
# depend on the values drawn: it draws a quarter of them (lambda = 0 among them), each dtype it takes also
# runs once in test_dtype_support_is_as_declared, and the mutation run kills every mutant with 5 examples
# per route, fewer than a quarter is (docs/PERFORMANCE.md). `--max-examples N` gives every route exactly N
# (tests/route_cases.py).
NUMERICS_SHARE = 1.0
PLUMBING_SHARE = 0.25


class Attachment(object):
    """One way of attaching a regularizer.

    name      the slug's middle part
    spelling  the API text, `{reg}` standing for the regularizer's spelling
    fills     value | variable | collection | layer: what a reader can read afterwards
    attach    (api, source, regularizer callable, Regularizer record) -> Attached
    reader    the reader it is read with when a regularizer is crossed with each attachment once
              (the one its documentation and the seeds use)
    requires, graph_only, kernel (registry.KernelShape), kernels (what it reaches besides the penalty)
    colocated  dtype -> Requirement, applied when the penalty runs L2Loss: the attachment colocates
               the penalty with the variable (where that device has no kernel, placement fails)
    zero_lambda_requires  a Requirement for lambda == 0 where some releases reject it
    examples_share  the share of a test's Hypothesis examples its routes draw (see PLUMBING_SHARE)
    needs_tensorflow  it computes with TensorFlow itself (default: graph_only), so it needs Keras on the
               TensorFlow backend when Keras is in the route (registry.on_tensorflow_backend)
    """

    def __init__(self, name, spelling, fills, attach, reader, requires=(), graph_only=False, kernel=None,
                 kernels=(), colocated=None, zero_lambda_requires=None, examples_share=None, needs_tensorflow=None):
        self.name, self.spelling, self.fills, self.attach, self.reader = name, spelling, fills, attach, reader
        self.needs_tensorflow = graph_only if needs_tensorflow is None else needs_tensorflow
        self.requires, self.graph_only, self.kernel, self.kernels = tuple(requires), graph_only, kernel, tuple(kernels)
        self.colocated, self.zero_lambda_requires = dict(colocated or {}), zero_lambda_requires
        self.examples_share = PLUMBING_SHARE if examples_share is None else examples_share

    def __repr__(self):
        return "Attachment(%s)" % self.name


class Reader(object):
    """One way of reading the penalty: `read(api, Attached) -> Built`; `reads` names what it needs;
    `needs_tensorflow` as for Attachment (default: graph_only)."""

    def __init__(self, name, spelling, reads, read, requires=(), graph_only=False, needs_tensorflow=None):
        self.name, self.spelling, self.reads, self.read = name, spelling, reads, read
        self.needs_tensorflow = graph_only if needs_tensorflow is None else needs_tensorflow
        self.requires, self.graph_only = tuple(requires), graph_only

    def __repr__(self):
        return "Reader(%s)" % self.name


def reg_losses(api, scope=None):
    return api.v1.get_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, scope)


# -- attachments -----------------------------------------------------------------
def _call(api, src, reg, record):
    v = src.variable()
    return Attached(v, value=reg(v))


def _plain_variable(api, src, reg, record):
    return Attached(src.variable(), regularizer=reg)


def _get_variable(api, src, reg, record):
    return Attached(api.v1.get_variable("weights", shape=src.shape, dtype=src.dtype, initializer=src.initializer,
                                        regularizer=reg))


def _variable_scope(api, src, reg, record):
    with api.v1.variable_scope("scope", regularizer=reg):
        v = api.v1.get_variable("weights", shape=src.shape, dtype=src.dtype, initializer=src.initializer)
    return Attached(v)


def _add_to_collection(api, src, reg, record):
    v = src.variable()
    penalty = reg(v)
    if penalty is not None:  # a zero contrib scale yields no penalty at all
        api.v1.add_to_collection(api.v1.GraphKeys.REGULARIZATION_LOSSES, penalty)
    return Attached(v)


def _global_variable(api, suffix):
    return [v for v in api.v1.global_variables() if v.name.endswith(suffix)][0]


def _tf_layers_dense(api, src, reg, record):
    n_in, n_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, n_in))
    api.layers.dense(x, n_out, kernel_initializer=src.initializer, kernel_regularizer=reg)
    return Attached(_global_variable(api, "kernel:0"))


def _tf_layers_conv2d(api, src, reg, record):
    kh, kw, c_in, c_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, kh, kw, c_in))
    api.layers.conv2d(x, c_out, (kh, kw), kernel_initializer=src.initializer, kernel_regularizer=reg)
    return Attached(_global_variable(api, "kernel:0"))


def _fully_connected(api, src, reg, record):
    n_in, n_out = src.shape
    x = api.v1.placeholder(src.dtype, shape=(None, n_in))
    api.contrib.fully_connected(x, n_out, weights_initializer=src.initializer, weights_regularizer=reg)
    return Attached(_global_variable(api, "weights:0"))


def layer_module(api, record):
    """The Keras module whose Dense a regularizer goes with: its own, or tf.keras for the others."""
    return record.keras_module(api) if record.keras_module else api.tf_keras_module


def _keras_dense(api, src, reg, record):
    keras = layer_module(api, record)
    n_in, n_out = src.shape
    layer = keras.layers.Dense(n_out, kernel_initializer=src.initializer, kernel_regularizer=reg,
                               dtype=src.dtype_name)
    layer.build((None, n_in))
    return Attached(layer.kernel, layer=layer)


# get_variable colocates the penalty with the variable: where a penalty's kernel has its bfloat16 kernel
# only on XLA_CPU, placement fails ("Cannot colocate nodes"), measured by the version matrix: L2Loss up to
# 1.15 and on 2.4, Abs on 1.14. {kernel: {dtype: Requirement}}, applied for the kernels a regularizer reaches.
COLOCATED = {
    L2LOSS: {"bfloat16": tf_in("bfloat16 through get_variable(regularizer=) (L2Loss is colocated with the "
                               "variable and has no CPU bfloat16 kernel there)", ("2.0", "2.4"), ("2.5", None))},
    ABS: {"bfloat16": tf_in("bfloat16 through get_variable(regularizer=) (Abs is colocated with the variable "
                            "and has no CPU bfloat16 kernel there on 1.14)", ("1.0", "1.14"), ("1.15", None))},
}
# TF 1.7-1.8 tf.keras Dense with l2(0.0) raises AttributeError ('float' object has no attribute
# '_unconditional_loss'): an upstream bug, asserted as such in semantics/lambda_table.py (probe `zero`).
DENSE_ZERO_LAMBDA = tf_in("Dense(kernel_regularizer=l2(0.0)) (AttributeError upstream on 1.7-1.8)",
                          ("1.0", "1.7"), ("1.9", None))

ATTACHMENTS = [
    Attachment("call", "{reg}(w)", "value", _call, reader="value", examples_share=NUMERICS_SHARE),
    Attachment("variable", "w = tf.Variable(...)", "variable", _plain_variable, reader="apply_regularization",
               graph_only=True),
    Attachment("get_variable", "tf.get_variable(..., regularizer={reg})", "collection", _get_variable,
               reader="get_regularization_loss", graph_only=True, colocated=COLOCATED),
    Attachment("variable_scope", "with tf.variable_scope('scope', regularizer={reg}): tf.get_variable(...)",
               "collection", _variable_scope, reader="get_regularization_loss", graph_only=True, colocated=COLOCATED),
    Attachment("add_to_collection", "v = tf.Variable(w); tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, "
               "{reg}(v))", "collection", _add_to_collection, reader="get_regularization_loss", graph_only=True),
    Attachment("tf.layers.dense", "tf.layers.dense(x, units, kernel_regularizer={reg})", "collection",
               _tf_layers_dense, reader="add_n_collection", requires=[TF_LAYERS], graph_only=True, kernel=MATRIX,
               kernels=(LAYER_MATMUL,)),
    Attachment("tf.layers.conv2d", "tf.layers.conv2d(x, filters, kernel_size, kernel_regularizer={reg})",
               "collection", _tf_layers_conv2d, reader="add_n_get_regularization_losses", requires=[TF_LAYERS],
               graph_only=True, kernel=CONV2D, kernels=(CONV2D_OP,)),
    Attachment("fully_connected", "contrib.layers.fully_connected(x, n, weights_regularizer={reg})", "collection",
               _fully_connected, reader="get_regularization_loss", requires=[CONTRIB], graph_only=True,
               kernel=MATRIX, kernels=(LAYER_MATMUL,)),
    Attachment("dense", "layer = <module>.layers.Dense(units, kernel_regularizer={reg}); layer.build((None, n))",
               "layer", _keras_dense, reader="layer_losses", kernel=MATRIX),
]


# -- readers ---------------------------------------------------------------------
def _value(api, at):
    return Built(0.0 if at.value is None else at.value, at.weights)


def _apply_regularization(api, at):
    total = api.contrib.apply_regularization(at.regularizer, [at.weights])
    return Built(total, at.weights, len(reg_losses(api)))


def _add_n_collection(api, at):
    entries = reg_losses(api)
    return Built(sum_entries(api, entries), at.weights, len(entries))


def _get_regularization_loss(api, at):
    return Built(api.v1.losses.get_regularization_loss(), at.weights, len(reg_losses(api)))


def _add_n_get_regularization_losses(api, at):
    entries = api.v1.losses.get_regularization_losses()
    return Built(sum_entries(api, entries), at.weights, len(entries))


def _get_total_loss(api, at):
    return Built(api.v1.losses.get_total_loss(), at.weights, len(reg_losses(api)))


def _layer_losses(api, at):
    losses = at.layer.losses
    return Built(sum_entries(api, losses), at.weights, len(losses), entry_kinds=entry_kinds(api, losses))


def entry_kinds(api, entries):
    """What `.losses` holds: 'tensor' per tensor entry, else the Python type (TF 1.6 keeps a float)."""
    return [type(e).__name__ if isinstance(e, (int, float)) else "tensor" for e in entries]


READERS = [
    Reader("value", "", "value", _value),
    Reader("apply_regularization", "contrib.layers.apply_regularization({reg}, [w])", "variable",
           _apply_regularization, requires=[CONTRIB], graph_only=True),
    Reader("add_n_collection", "tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))", "collection",
           _add_n_collection, graph_only=True),
    Reader("get_regularization_loss", "tf.losses.get_regularization_loss()", "collection", _get_regularization_loss,
           graph_only=True),
    Reader("add_n_get_regularization_losses", "tf.add_n(tf.losses.get_regularization_losses())", "collection",
           _add_n_get_regularization_losses, graph_only=True),
    Reader("get_total_loss", "tf.losses.get_total_loss()", "collection", _get_total_loss, graph_only=True),
    Reader("layer_losses", "tf.add_n(layer.losses)", "layer", _layer_losses),
]


# -- which pairs a regularizer is crossed with -------------------------------------
class Crossing(object):
    """A set of (attachment, reader) pairs and the reason a regularizer is crossed with just those.

    `choose(record, attachment, reader)` says whether a buildable pair is in the set.
    """

    def __init__(self, name, reason, choose):
        self.name, self.reason, self.choose = name, reason, choose

    def __repr__(self):
        return "Crossing(%s)" % self.name


def buildable(attachment, reader):
    """A reader reads what an attachment fills, or there is nothing to read."""
    return reader.reads == attachment.fills


def _canonical(attachment, reader):
    return attachment.reader == reader.name


EVERY_PAIR = Crossing(
    "every pair", "the seeds' regularizer: every attachment with every reader of what it fills",
    lambda record, a, r: True)
PAIRWISE = Crossing(
    "pairwise",
    "every attachment once (with the reader its documentation uses) and every reader once (of "
    "get_variable's collection): each (regularizer, attachment) and (regularizer, reader) pair is covered, "
    "and every (attachment, reader) pair by the seeds' regularizer",
    lambda record, a, r: _canonical(a, r) or a.name == "get_variable")
THREE_KINDS = Crossing(
    "three kinds",
    "once through each kind of container: called directly, a v1 collection (get_variable, and "
    "tf.layers.dense where it exists) and a Keras layer's losses; every other attachment is covered, "
    "for both conventions, by the contrib and tf.keras l2 regularizers",
    lambda record, a, r: _canonical(a, r) and a.name in ("call", "get_variable", "tf.layers.dense", "dense"))
DIRECT_AND_ONE_CONTAINER = Crossing(
    "direct and one container",
    "an L1, L1+L2 or orthogonal penalty differs from L2 in what it computes, not in how it is attached: "
    "called directly, and through the container its family is used with (a contrib regularizer through "
    "get_variable, a Keras one on its own Dense)",
    lambda record, a, r: _canonical(a, r) and (
        a.name == "call" or a.name == ("dense" if record.family == "keras" else "get_variable")))


# tf_slim's regularizers read `weights.dtype.base_dtype`; a Keras 3 variable's dtype is a string.
NOT_KERAS3_LAYER = Requirement(
    "a Keras 2 Dense", lambda api: ("tf.keras is Keras 3 here: a contrib / tf_slim regularizer on its Dense raises "
                                    "AttributeError ('str' object has no attribute 'base_dtype')")
    if api.keras_flavour == "keras3" else None)


# A plain function (tf.nn.l2_loss or the sum of squares by hand) as a Keras 3 layer's regularizer: Keras 3.1-3.14
# reject it, 3.0 and 3.15 call it (semantics/lambda_table.py and weight_table.py assert the ValueError per cell).
# Measured: 3.0.5 calls it; 3.1.1, 3.13.2 and 3.14.1 raise; the cells change between 3.0.5 and 3.1.1 and between
# 3.14.1 and 3.15.1 only (docs/MATRIX.md).
FUNCTION_IN_KERAS3_LAYER = keras3_absent(
    "tf.keras", "3.1", "3.15", "a plain Python function as Dense(kernel_regularizer=) raises ValueError "
                               "(\"Expected an instance of keras.regularizers.Regularizer\")", raises="ValueError")


def pair_requires(record, attachment):
    """Requirements of this regularizer on this attachment beyond each one's own (a mix users write)."""
    if attachment.name == "dense" and record.family == "contrib":
        return [NOT_KERAS3_LAYER]
    if attachment.name == "dense" and record.module == "tf":
        return [FUNCTION_IN_KERAS3_LAYER]
    return []


# A zero contrib scale returns no penalty, and get_total_loss() of no loss at all raises ValueError.
NO_TOTAL_OF_NOTHING = Requirement(
    "a loss to total", lambda api: "get_total_loss() with a zero contrib scale has no loss to add (ValueError; "
                                   "asserted in semantics/lambda_table.py)")
# Keras' l2(0.0) before TF 1.14 is the Python number 0.0: TF 1.x graph APIs cannot put it in a collection.
KERAS_ZERO_IS_A_TENSOR = since_tf("1.14", "a zero tf.keras regularizer through get_variable or apply_regularization "
                                          "(before 1.14 it returns the Python number 0.0: AttributeError)")


# Standalone Keras 2's L1L2.__call__ starts from the Python number 0. and adds only the nonzero terms: l2(0.0)
# returns 0.0 (keras/regularizers.py, 2.1.6 and 2.2.4), which a v1 collection API cannot take (AttributeError:
# 'float' object has no attribute 'name'), as tf.keras' before TF 1.14.
KERAS2_ZERO_IS_A_NUMBER = Requirement(
    "a zero standalone Keras 2 regularizer that is a tensor",
    lambda api: "standalone Keras 2's l2(0.0) returns the Python number 0.0, which get_variable(regularizer=) "
                "cannot take (AttributeError; asserted in semantics/lambda_table.py)"
    if standalone_keras(api) is not None else None)


def pair_zero_lambda_requires(record, attachment, reader):
    """What lambda == 0 needs on this combination beyond each record's own (semantics/lambda_table.py asserts it)."""
    if reader.name == "get_total_loss" and record.family == "contrib":
        return NO_TOTAL_OF_NOTHING
    if record.module == "keras2" and attachment.name in ("get_variable", "variable_scope", "variable"):
        return KERAS2_ZERO_IS_A_NUMBER
    if record.module == "keras2" and attachment.name in ("tf.layers.dense", "tf.layers.conv2d", "fully_connected"):
        return DENSE_ZERO_LAMBDA  # as tf.keras': the TF 1.7-1.8 layers cannot add the Python 0.0 (AttributeError)
    if attachment.name == "dense" and record.module != "keras2":
        return DENSE_ZERO_LAMBDA  # tf.keras' Dense on TF 1.7-1.8; standalone Keras 2's own Dense keeps the 0.0
    if record.module == "tf.keras" and attachment.name in ("get_variable", "variable_scope", "variable"):
        return KERAS_ZERO_IS_A_TENSOR
    if record.module == "tf.keras" and attachment.name in ("tf.layers.dense", "tf.layers.conv2d", "fully_connected"):
        return DENSE_ZERO_LAMBDA
    return None


# Standalone Keras 2's Layer.add_weight creates every weight in K.floatx() (float32) whatever the layer's dtype
# argument (keras/engine/topology.py 2.1.6, engine/base_layer.py 2.2.4: `if dtype is None: dtype = K.floatx()`,
# and Dense.build passes none): Dense(dtype="float64") holds a float32 kernel (measured on both releases).
# The case's initial value keeps its own dtype, so building the layer raises ValueError ("Tensor conversion requested
# dtype float32 for Tensor with dtype float64"); checked before the kernels (Route.dtype_unavailable), as it raises
# when the layer is built, before any penalty runs.
KERAS2_LAYER_FLOATX = Requirement(
    "a standalone Keras 2 layer weight in the layer's dtype",
    lambda api: "standalone Keras 2 layers create their weights in floatx (float32) whatever their dtype argument: "
                "an initial value of another dtype raises ValueError" if standalone_keras(api) is not None
    else None, raises="ValueError")


def pair_colocated(record, attachment):
    """{dtype: Requirement}: the attachment's colocation requirements for the kernels this regularizer reaches,
    and what the mix does to the weights' dtype (a standalone Keras 2 layer: floatx, KERAS2_LAYER_FLOATX)."""
    if record.module == "keras2" and attachment.fills in ("layer", "model", "restorable"):
        return {d: KERAS2_LAYER_FLOATX for d in ("float16", "bfloat16", "float64")}
    by_dtype = {}
    for kernel, reqs in attachment.colocated.items():
        if kernel in record.kernels:
            for dtype, req in reqs.items():
                by_dtype.setdefault(dtype, []).append(req)
    return {dtype: reqs[0] if len(reqs) == 1 else Requirement(
        " and ".join(r.name for r in reqs), lambda api, reqs=reqs: first_missing(reqs, api))
        for dtype, reqs in by_dtype.items()}
