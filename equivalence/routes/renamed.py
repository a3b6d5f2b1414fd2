"""The display names the 27 routes had before the registry became regularizer x attachment x reader.

Reports and docs/semantics.json recorded before then key their cells by these
names; `reporting/gate.py` (the release gate) and `by_name` translate them, so an old
baseline still compares cell by cell. Nothing new is ever added here.
"""

RENAMED = {
    "contrib.l2_regularizer(scale)(w)": "contrib-l2.call.value",
    "contrib.apply_regularization(l2, [w])": "contrib-l2.variable.apply_regularization",
    "contrib.fully_connected(weights_regularizer=l2)": "contrib-l2.fully_connected.get_regularization_loss",
    "get_variable(regularizer=l2) + add_n(REGULARIZATION_LOSSES)": "contrib-l2.get_variable.add_n_collection",
    "losses.get_regularization_loss()": "contrib-l2.get_variable.get_regularization_loss",
    "losses.get_regularization_losses() + add_n": "contrib-l2.get_variable.add_n_get_regularization_losses",
    "variable_scope(regularizer=l2) + get_variable": "contrib-l2.variable_scope.get_regularization_loss",
    "Variable + add_to_collection(REGULARIZATION_LOSSES, l2(v))":
        "contrib-l2.add_to_collection.get_regularization_loss",
    "tf.layers.dense(kernel_regularizer=l2)": "contrib-l2.tf.layers.dense.add_n_collection",
    "tf.layers.conv2d(kernel_regularizer=l2)": "contrib-l2.tf.layers.conv2d.add_n_get_regularization_losses",
    "scale * tf.nn.l2_loss(w)": "l2_loss.call.value",
    "tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)": "upgrade_v2.call.value",
    "contrib.l1_regularizer(scale)(w)": "contrib-l1.call.value",
    "contrib.l1_l2_regularizer(scale, scale)(w)": "contrib-l1_l2.call.value",
    "contrib.sum_regularizer([l1, l2])(w)": "contrib-sum.call.value",
}
for _module, _prefix, (_l2, _l1, _l1_l2) in [("tf.keras", "tf.keras", ("l2", "l1", "l1_l2")),
                                            ("keras3", "keras", ("L2", "L1", "L1L2")),
                                            ("tf_keras", "tf_keras", ("l2", "l1", "l1_l2"))]:
    RENAMED["%s.regularizers.%s(scale)(w)" % (_prefix, _l2)] = "%s-l2.call.value" % _module
    RENAMED["%s.layers.Dense(kernel_regularizer=%s).losses" % (_prefix, _l2)] = "%s-l2.dense.layer_losses" % _module
    RENAMED["%s.regularizers.%s(scale)(w)" % (_prefix, _l1)] = "%s-l1.call.value" % _module
    RENAMED["%s.regularizers.%s(l1=scale, l2=scale)(w)" % (_prefix, _l1_l2)] = "%s-l1_l2.call.value" % _module
