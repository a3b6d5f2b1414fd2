"""The collections table: REGULARIZATION_LOSSES and graph state (probes.collection_scenarios).

Every scenario uses contrib / tf_slim l2_regularizer(0.1) on the float32 probe
weights; Entries(n, names, count=k) asserts n entries whose names match the
pattern and a total of k times the NumPy reference lambda * sum(w**2) / 2.
The subject is the collection itself, so every row selects "REGULARIZATION_LOSSES".
"""

from .outcomes import AllOf, Detail, Entries, NoPenalty, Raises
from .table import Row

ENTRY = r"%s/Regularizer/l2_regularizer:0"  # how get_variable names the penalty of variable %s

PREFIX_MATCH = ("get_collection(key, scope) filters with re.match(scope, name): 'layer1' also matches "
                "'layer10/...'. Pass 'layer1/' to select one scope.")
VARIABLE_IN_COLLECTION = (
    "get_regularization_loss() add_n's whatever the collection holds, unchecked: a variable added by mistake "
    "(instead of its penalty) makes the 'loss' the [3, 2] weight matrix itself, which then broadcasts into "
    "the training loss. Silently wrong; an upstream validation gap.")
KERAS_COLLECTION = ("tf.keras layers on TF 1.6-1.8 put their penalty into REGULARIZATION_LOSSES (named "
                    "dense/kernel/Regularizer/add:0, Keras' full convention: 2 x the contrib value); from "
                    "TF 1.9 on they keep it in layer.losses only, so get_regularization_loss() misses it.")
EAGER_COLLECTION = ("In TF 2 eager mode, tf.compat.v1.get_variable(regularizer=) still appends a lazily "
                    "evaluated penalty to the global collection, which outlives the variable and the step.")

ROWS = [
    Row("two_variables", "*", Entries(2, ENTRY % "(a|b)", count=2)),
    Row("zero_scale", "*", NoPenalty(entries=0),
        note="l2_regularizer(0.0) returns a regularizer returning None: nothing is added."),
    Row("reuse_true", "*", Entries(1, ENTRY % "s/a", count=1),
        note="reuse=True returns the existing variable; its penalty is counted once."),
    Row("scope_reaches_get_variable", "*", Entries(2, ENTRY % "s/(kernel|bias)", count=2),
        note="variable_scope(regularizer=) reaches every get_variable in it, biases included."),
    Row("scope_reaches_layers_dense", "*", Entries(2, ENTRY % "s/dense/(kernel|bias)", count=1),
        note="tf.layers.dense inside variable_scope(regularizer=): the bias is regularized too "
             "(2 entries; its zero initial value adds 0)."),
    Row("no_regularizer_opt_out", "*", Entries(1, ENTRY % "s/kept", count=1)),
    Row("scope_filter_prefix", "*", Entries(2, ENTRY % "layer10?/w", count=2), note=PREFIX_MATCH),
    Row("scope_filter_with_slash", "*", Entries(1, ENTRY % "layer1/w", count=1)),
    Row("keras_dense_in_graph", "*", AllOf(Entries(1, r"dense/kernel/Regularizer/add:0", count=2),
                                         Detail("len(layer.losses)", lambda ctx: 1)),
        tf_max="1.9", note=KERAS_COLLECTION),
    Row("keras_dense_in_graph", "*", Raises("NotImplementedError"), tf_min="2.16", flavours=("keras3",),
        backends=("jax", "torch", "numpy"), note="Keras 3 on jax, torch or numpy cannot take a v1 graph's placeholder: "
                                        "NotImplementedError (cannot convert a symbolic tf.Tensor to a numpy array)"),
    Row("keras_dense_in_graph", "*", AllOf(Entries(0), Detail("len(layer.losses)", lambda ctx: 1)),
        tf_min="1.9", note=KERAS_COLLECTION),
    Row("variable_added_by_mistake", "*",
        AllOf(Entries(1, r"w:0"), Detail("shape of get_regularization_loss()", lambda ctx: list(ctx.weights.shape))),
        upstream_bug=VARIABLE_IN_COLLECTION),
    Row("eager_get_variable", "*", Entries(1, None, count=1), tf_min="2.0", note=EAGER_COLLECTION),
]
