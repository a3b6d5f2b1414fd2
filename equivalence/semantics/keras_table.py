"""The Keras table: defaults, get_config round trip, the legacy `l=` keyword, frozen layers.

Subjects are the Keras modules a user can reach: "tf.keras" (Keras 2 up to TF
2.15, Keras 3 from 2.16, tf_keras with TF_USE_LEGACY_KERAS=1), "keras" (Keras 3),
"tf_keras" and "keras2" (standalone Keras 2.1 / 2.2 on TF 1.x). Expected numbers are the documented defaults, rounded the way
each Keras stores them (NumPy's float32), never copied from a run.
"""

import numpy as np

from .outcomes import Detail, NoPenalty, Penalty, Raises
from .table import Row

KERAS_DEFAULT = 0.01  # documented default of l1() / l2()
SCALE = 0.1           # probes.KERAS_SCALE


def f32(x):
    return float(np.float32(x))


KERAS2 = ("keras2", "legacy")  # the flavours in which tf.keras is Keras 2 (TF <= 2.15, or tf_keras)
# The Keras 2 modules other than tf.keras: tf_keras and standalone Keras 2.1 / 2.2 (keras2, tox -m keras-history),
# whose defaults, config and frozen layers are Keras 2's wherever they are installed
OTHER_KERAS2 = "module=tf_keras|keras2"

L1L2_DEFAULTS = ("Keras 2's function l1_l2() defaults to l1=l2=0.01 while the class L1L2() defaults to 0; "
                 "Keras 3 makes l1_l2 an alias of L1L2, so l1_l2() silently becomes a zero regularizer.")
FROZEN = ("Keras 3 collects regularization losses from trainable weights only: a layer with trainable=False "
          "reports none, while Keras 2 still reports its penalty (which then trains nothing).")
CONFIG_F32 = "Keras 2 stores lambda as float32 and get_config() returns that float32 value, not the 0.1 given."

ROWS = [
    Row("default_l2", "module=tf.keras", Detail("get_config()['l2']", lambda ctx: f32(KERAS_DEFAULT)), flavours=KERAS2),
    Row("default_l2", "module=tf.keras", Detail("get_config()['l2']", lambda ctx: KERAS_DEFAULT), flavours=("keras3",)),
    Row("default_l2", "module=keras3", Detail("get_config()['l2']", lambda ctx: KERAS_DEFAULT)),
    Row("default_l2", OTHER_KERAS2, Detail("get_config()['l2']", lambda ctx: f32(KERAS_DEFAULT))),

    Row("default_l1_l2_function", "module=tf.keras", Detail("l1_l2() config [l1, l2]",
                                                     lambda ctx: [f32(KERAS_DEFAULT)] * 2), flavours=KERAS2,
        note=L1L2_DEFAULTS),
    Row("default_l1_l2_function", "module=tf.keras", Detail("l1_l2() config [l1, l2]", lambda ctx: [0.0, 0.0]),
        flavours=("keras3",), note=L1L2_DEFAULTS),
    Row("default_l1_l2_function", "module=keras3", Detail("l1_l2() config [l1, l2]", lambda ctx: [0.0, 0.0]),
        note=L1L2_DEFAULTS),
    Row("default_l1_l2_function", OTHER_KERAS2, Detail("l1_l2() config [l1, l2]",
                                                     lambda ctx: [f32(KERAS_DEFAULT)] * 2), note=L1L2_DEFAULTS),

    Row("default_L1L2_class", "*", Detail("L1L2() config [l1, l2]", lambda ctx: [0.0, 0.0])),

    Row("config_lambda", "module=tf.keras", Detail("l2(0.1).get_config()['l2']", lambda ctx: f32(SCALE)), flavours=KERAS2,
        note=CONFIG_F32),
    Row("config_lambda", "module=tf.keras", Detail("l2(0.1).get_config()['l2']", lambda ctx: SCALE), flavours=("keras3",)),
    Row("config_lambda", "module=keras3", Detail("L2(0.1).get_config()['l2']", lambda ctx: SCALE)),
    Row("config_lambda", OTHER_KERAS2, Detail("l2(0.1).get_config()['l2']", lambda ctx: f32(SCALE)), note=CONFIG_F32),

    Row("from_config_penalty", "*", Penalty(),
        note="from_config(get_config()) rebuilds a regularizer with the same penalty (float32 lambda)."),

    Row("legacy_keyword_l", "module=tf.keras", Detail("l2(l=0.1).get_config()['l2']", lambda ctx: f32(SCALE)),
        flavours=KERAS2, note="Keras 2 still accepts the Keras 2.0 keyword `l`."),
    Row("legacy_keyword_l", "module=tf.keras", Raises("TypeError"), flavours=("keras3",)),
    Row("legacy_keyword_l", "module=keras3", Raises("TypeError")),
    Row("legacy_keyword_l", OTHER_KERAS2, Detail("l2(l=0.1).get_config()['l2']", lambda ctx: f32(SCALE))),

    Row("trainable_false_dense", "module=tf.keras", Penalty(entries=1), flavours=KERAS2, note=FROZEN),
    Row("trainable_false_dense", "module=tf.keras", NoPenalty(entries=0), flavours=("keras3",), note=FROZEN),
    Row("trainable_false_dense", "module=keras3", NoPenalty(entries=0), note=FROZEN),
    Row("trainable_false_dense", OTHER_KERAS2, Penalty(entries=1), note=FROZEN),
]
