"""NumPy references: the judge every API route is compared with.

No TensorFlow here. Values are computed in float64 from the exact weights:

* Every float16, bfloat16 and float32 value is exactly representable in float64,
  and so is its square (a 24-bit significand squared needs 48 bits < 53) and
  its absolute value. For those inputs the only rounding is in the sum.
* The sum uses `math.fsum`, which is correctly rounded (error <= 1/2 ulp), up to
  FSUM_LIMIT terms; beyond it NumPy's pairwise sum, whose error bound is
  returned with the value so that the tolerance can include it.
* float64 weights: each square is rounded once (relative error <= u64), and
  all terms are non-negative, so the sum of squares is within 2*u64 of exact.

The conventions differ by exactly a factor of two:
  HALF  (tf.contrib.layers / tf_slim l2_regularizer, tf.nn.l2_loss):  lambda * sum(w**2) / 2
  FULL  (Keras regularizers.l2 / L2):                                 lambda * sum(w**2)
"""

import math

import numpy as np

U64 = 2.0 ** -53
FSUM_LIMIT = 2 ** 20


class Convention(object):
    def __init__(self, name, factor, formula):
        self.name, self.factor, self.formula = name, factor, formula

    def __repr__(self):
        return "Convention(%s)" % self.name


HALF = Convention("half", 0.5, "lambda * sum(w**2) / 2")
FULL = Convention("full", 1.0, "lambda * sum(w**2)")
CONVENTIONS = {c.name: c for c in (HALF, FULL)}


class Reference(object):
    """An expected value with the relative error bound of its own computation."""

    def __init__(self, value, rel_error, n_terms, sum_value):
        self.value = value
        self.rel_error = rel_error
        self.n_terms = n_terms
        self.sum_value = sum_value  # the reduction before lambda and the convention factor

    def __repr__(self):
        return "Reference(%r, rel_error=%.3g, n=%d)" % (self.value, self.rel_error, self.n_terms)


def as_float64(weights):
    """Exact float64 copy of any float array (bfloat16 included)."""
    return np.asarray(weights).astype(np.float64)


def _sum(terms, exact_terms):
    """Sum of non-negative float64 terms and its relative error bound."""
    flat = terms.ravel()
    n = flat.size
    term_error = 0.0 if exact_terms else U64
    if n <= FSUM_LIMIT:
        return math.fsum(flat.tolist()) if n else 0.0, term_error + U64
    # NumPy's pairwise summation: blocks of <= 128 terms summed by 8 accumulators
    # (<= 16 sequential additions each), then a binary tree over the blocks.
    depth = 16 + int(math.ceil(math.log2(max(n / 128.0, 1.0))))
    return float(np.sum(flat)), term_error + depth * U64


def _is_sub_float64(weights):
    return np.asarray(weights).dtype.itemsize < 8


def sum_of_squares(weights):
    w = as_float64(weights)
    value, err = _sum(w * w, exact_terms=_is_sub_float64(weights))
    return value, err


def sum_of_abs(weights):
    w = as_float64(weights)
    return _sum(np.abs(w), exact_terms=True)


def l2(weights, lam, convention):
    """convention.factor * lam * sum(w**2), with lam taken exactly as given."""
    s, err = sum_of_squares(weights)
    value = convention.factor * float(lam) * s
    # One more rounding for the product; the factor 1/2 is exact.
    return Reference(value, err + U64, np.asarray(weights).size, s)


def l1(weights, lam):
    s, err = sum_of_abs(weights)
    return Reference(float(lam) * s, err + U64, np.asarray(weights).size, s)


def l1_l2(weights, lam1, lam2, convention=FULL):
    """lam1 * sum(|w|) + the L2 term in `convention` (contrib halves it, Keras does not)."""
    a = l1(weights, lam1)
    b = l2(weights, lam2, convention)
    return Reference(a.value + b.value, max(a.rel_error, b.rel_error) + U64,
                     a.n_terms, a.sum_value + b.sum_value)


def stored_lambda(lam, precision):
    """The lambda an API actually multiplies by, given how it stores it.

    Keras casts the coefficient to floatx (float32) when the regularizer is
    built; tf.contrib/tf_slim keep the Python float until it meets the weights.
    """
    if precision is None:
        return float(lam)
    return float(np.asarray(lam, dtype=np.float64).astype(precision))
