"""The corpus: TF 1.x regularization programs, one small file each under corpus/.

Each program builds its weights from a closed formula, computes one penalty
the way a TF 1.x user would, and prints it as its last line:

    REGEQUIV_RESULT <repr of a Python float>

Its record here states the same weights, lambda and convention, so that the
expected number comes from the NumPy reference (equivalence.numerics.reference), with
the derived tolerance (equivalence.numerics.tolerance), without any TensorFlow: a TF 2.x
env can judge a converted program without a TF 1.x interpreter, and a TF 1.x
env checks that the original program prints the reference's number (which
checks the record against the file).

All weights are dyadic rationals and float32-exact, so the reference is exact
up to its own rounding and the tolerance is the float32 bound of the penalty.
"""

import os

import numpy as np

from ..numerics import reference, tolerance as tolerance_mod

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


class Penalty(object):
    """One regularized weight array: weights (float32 ndarray), lambda, convention, lambda storage."""

    def __init__(self, weights, lam, convention=reference.HALF, lambda_precision=None):
        self.weights = np.asarray(weights, np.float32)
        self.lam, self.convention, self.lambda_precision = lam, convention, lambda_precision

    def reference(self):
        lam = reference.stored_lambda(self.lam, self.lambda_precision)
        return reference.l2(self.weights, lam, self.convention)


class Program(object):
    """A corpus entry.

    name      the file's stem under corpus/
    routes    which TF 1.x routes it exercises, as users spell them
    penalties the Penalty records whose sum the program prints
    extra_roundings  roundings on every term's chain beyond the penalty's own (see expected())
    seed      True for the first seed document's program (the issue's example)
    """

    def __init__(self, name, routes, penalties, extra_roundings=0, seed=False):
        self.name, self.routes, self.penalties = name, routes, list(penalties)
        self.extra_roundings, self.seed = extra_roundings, seed

    @property
    def path(self):
        return os.path.join(CORPUS, self.name + ".py")

    def source(self):
        with open(self.path) as f:
            return f.read()

    def expected(self, linear=False):
        """(value, Tolerance): the NumPy reference of the printed number and its float32 bound.

        `linear`: the release sums linearly (reduction.py: before TF 1.15), so a chain is n - 1 long.

        Every penalty is float32 (one rounding for lambda, one per square, the sum's chain, the
        product, the exact 1/2); add_n of p penalties adds p - 1 roundings to each chain. n_terms is
        the total element count, an upper bound on any one chain's length.
        """
        refs = [p.reference() for p in self.penalties]
        value = sum(r.value for r in refs)
        lam = max(abs(p.lam) for p in self.penalties)
        tol = tolerance_mod.tolerance(
            "float32", sum(r.n_terms for r in refs), lam=lam, sum_value=sum(r.sum_value for r in refs),
            reference_rel_error=max(r.rel_error for r in refs) + reference.U64 * len(refs),
            extra_roundings=len(refs) - 1 + self.extra_roundings, linear=linear)
        return value, tol

    def __repr__(self):
        return "Program(%s)" % self.name


def _range(n, shape):
    return np.arange(n).reshape(shape).astype(np.float32)


PROGRAMS = [
    Program("seed_dense_collection",
            "tf.layers.dense(kernel_regularizer=contrib l2_regularizer(scale=)) + add_n(get_collection)",
            [Penalty(np.ones((784, 10)), 0.01)], seed=True),
    Program("conv2d_regularization_loss",
            "tf.layers.conv2d(kernel_regularizer=contrib l2_regularizer(s)) + get_regularization_loss()",
            [Penalty((np.arange(72) % 7).reshape(3, 3, 2, 4) / 4.0, 0.05)]),
    Program("get_variable_regularizer",
            "get_variable(regularizer=contrib l2_regularizer(scale=)) + get_regularization_loss()",
            [Penalty((_range(15, (5, 3)) - 7) / 8, 0.1)]),
    Program("variable_scope_regularizer",
            "variable_scope(regularizer=contrib l2_regularizer(s)) + add_n(get_regularization_losses())",
            [Penalty(_range(16, (4, 4)) / 4, 0.02), Penalty(3 - _range(4, (4,)), 0.02)]),
    Program("variable_add_to_collection",
            "tf.Variable + add_to_collection(REGULARIZATION_LOSSES, contrib l2_regularizer(s)(v)) + add_n",
            [Penalty((np.arange(12) % 5).reshape(6, 2) / 2.0 - 1, 0.3)]),
    Program("apply_regularization",
            "contrib apply_regularization(l2_regularizer(scale=), [w1, w2])",
            [Penalty(_range(9, (3, 3)) / 8, 0.25), Penalty(1 - _range(10, (2, 5)) / 4, 0.25)]),
    Program("fully_connected_network",
            "contrib fully_connected(weights_regularizer=l2_regularizer(scale=)) x2 + get_regularization_loss()",
            [Penalty(np.full((6, 4), 0.5), 0.01), Penalty(np.full((4, 3), -0.25), 0.01)]),
    Program("keras_regularizer_in_layers",
            "tf.layers.dense(kernel_regularizer=tf.keras.regularizers.l2(s)) + add_n(get_collection)",
            [Penalty(np.ones((8, 5)), 0.01, reference.FULL, lambda_precision="float32")]),
    # One SGD step, w <- w - lr * (1 + scale * w), with w = 1, scale = lr = 0.5: w = 0.25 exactly.
    # The update is 3 roundings per element (product, sum, step), doubled by the square: 6 more.
    Program("train_one_step",
            "get_variable(regularizer=) + GradientDescentOptimizer.minimize(loss + get_regularization_loss())",
            [Penalty(np.full((4, 3), 0.25), 0.5)], extra_roundings=6),
]


def by_name(name):
    for p in PROGRAMS:
        if p.name == name:
            return p
    raise KeyError("no corpus program %r; known: %s" % (name, ", ".join(p.name for p in PROGRAMS)))


SEED = by_name("seed_dense_collection")
