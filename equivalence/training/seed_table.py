"""Which variable-creating APIs draw the same weights from the same seeded initializer: the table.

Rows are semantics.table Rows: (probe, selector, TF version range, Keras
flavours) -> expectation; the first row that matches a cell is its
expectation, and a cell without a row fails the test (tests/test_seed_table.py).
Cells and how they are drawn are in seeding.py. Selectors read a cell's fields:
  mode=graph|eager   how the API runs here (eager: tf.Variable and Keras on TF 2)
  init=v1|keras      the initializer's classes: tf.compat.v1.*_initializer, or tf.keras.initializers
  "*"                every cell

Probes:
  ACROSS        each (API, initializer) cell's draw belongs to a group; APIs of one group draw bit-identical
                weights, different groups differ (global seed 1, op seed 3, before each API)
  TWICE         the same API twice with a fresh initializer of the same seed: in one graph, or one after the
                other in eager without resetting the global seed
  CALLED_TWICE  one seeded initializer object called twice
  FAMILIES      a v1 initializer and the Keras one of the same distribution (glorot_uniform, random_uniform),
                same seeds

Measured (`python -m equivalence seeds`) on TF 1.6, 1.9, 1.13, 1.15, 2.0, 2.4, 2.6, 2.7, 2.8, 2.9, 2.10,
2.11, 2.15, 2.16 (Keras 3), 2.21 (Keras 3 and tf_keras); the ranges join those releases, so 1.7-1.8,
1.10-1.12, 1.14, 2.1-2.3, 2.5 and 2.12-2.14 are assumed from their neighbours.
"""

from .seeding import DIFFERS, IDENTICAL
from ..semantics.table import Row

ACROSS, TWICE, CALLED_TWICE, FAMILIES = (
    "across APIs", "same API twice", "same object called twice", "v1 and Keras classes, one distribution")

ONE_DRAW = "the seed's draw"

KERAS_STATEFUL = ("Keras 2.7-2.9 initializers call the same stateful random ops as the v1 classes "
                  "(tf.random.uniform / truncated_normal with the op seed); 2.10 moved them to stateless ops")
STATELESS = ("a seeded Keras initializer (Keras 2.0-2.6, 2.10+, Keras 3, tf_keras) derives its numbers from "
             "the seed alone: every call, in any mode, draws the same weights")
EAGER_STREAM = ("an eager random op with an op seed continues one stream per seed: the second draw differs "
                "until tf.random.set_seed is called again (the TF 2 documentation of tf.random.set_seed)")


class SeedRow(Row):
    """A Row whose selector reads a seed cell's traits (mode, init) instead of a route's."""

    KEYS = ("mode", "init")


ROWS = [
    SeedRow(ACROSS, "*", ONE_DRAW,
            note="every API that creates a variable passes the initializer the shape and dtype only: with the "
                 "same global and op seed, get_variable, variable_scope, tf.layers.dense / conv2d (a 1x1 kernel "
                 "has the same fans), fully_connected, tf.Variable(init(shape)) and the three Keras Dense layers "
                 "draw the same bits, in graph and in eager mode"),

    SeedRow(TWICE, "mode=graph", IDENTICAL,
            note="two variables in one graph: two random ops with the same graph and op seed give the same numbers"),
    SeedRow(TWICE, "mode=eager,init=v1", DIFFERS, tf_min="2.0", note=EAGER_STREAM),
    SeedRow(TWICE, "mode=eager,init=keras", DIFFERS, tf_min="2.7", tf_max="2.10", note=KERAS_STATEFUL),
    SeedRow(TWICE, "mode=eager,init=keras", IDENTICAL, tf_min="2.0", note=STATELESS),

    SeedRow(CALLED_TWICE, "mode=graph", IDENTICAL, tf_max="2.0",
            note="TF 1.x: both calls build an op with the same seeds in one graph"),
    SeedRow(CALLED_TWICE, "init=v1", DIFFERS, tf_min="2.0", note=EAGER_STREAM),
    SeedRow(CALLED_TWICE, "init=keras", DIFFERS, tf_min="2.7", tf_max="2.10", note=KERAS_STATEFUL),
    SeedRow(CALLED_TWICE, "init=keras", IDENTICAL, tf_min="2.0", note=STATELESS),

    SeedRow(FAMILIES, "*", IDENTICAL, tf_max="2.0",
            note="TF 1.x: tf.keras.initializers are the v1 classes (glorot_uniform is "
                 "glorot_uniform_initializer)"),
    SeedRow(FAMILIES, "*", IDENTICAL, tf_min="2.7", tf_max="2.10", note=KERAS_STATEFUL),
    SeedRow(FAMILIES, "*", DIFFERS, tf_min="2.0",
            note="TF 2 Keras initializers draw differently from the v1 classes with the same seed: the two "
                 "are not interchangeable when porting a seeded model"),
]
