"""NumPy references: the judge every API route is compared with.

No TensorFlow here. Values are computed in float64 from the exact weights:

* Every float16, bfloat16 and float32 value is exactly representable in float64,
  and so is its square (a 24-bit significand squared needs 48 bits < 53) and
  its absolute value. For those inputs the only rounding is in the sum.
* The sum: float64 weights of up to FSUM_LIMIT elements use `math.fsum`,
  which is correctly rounded (error <= 1/2 ulp): the float64 tolerance is
  tight enough to need it. Everything else is widened and squared in blocks of
  BLOCK elements in one reused float64 buffer (no full-size float64 copy: peak
  memory stays at the array plus one block), each block summed by NumPy's
  pairwise sum, whose exact depth bounds its error, and the block sums added
  by `math.fsum`. For float32 and narrower inputs that bound (< 40 * 2**-53)
  is ~10**-8 of the float32 unit roundoff, and it costs no Python list. The
  error bound is returned with the value so that the tolerance includes it.
* float64 weights: each square is rounded once (relative error <= u64), and
  all terms are non-negative, so the sum of squares is within 2*u64 of exact.

The conventions differ by exactly a factor of two:
  HALF  (tf.contrib.layers / tf_slim l2_regularizer, tf.nn.l2_loss):  lambda * sum(w**2) / 2
  FULL  (Keras regularizers.l2 / L2):                                 lambda * sum(w**2)
"""

import functools
import math

import numpy as np

U64 = 2.0 ** -53
FSUM_LIMIT = 2 ** 16
BLOCK = 2 ** 16  # 512 KiB of float64: stays in cache between widening, squaring and summing


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

    def __init__(self, value, rel_error, n_terms, sum_value, parts=1):
        self.value = value
        self.parts = parts  # penalties the API adds together (L1L2: the |w| one and the w**2 one)
        self.rel_error = rel_error
        self.n_terms = n_terms
        self.sum_value = sum_value  # the reduction before lambda and the convention factor

    def __repr__(self):
        return "Reference(%r, rel_error=%.3g, n=%d)" % (self.value, self.rel_error, self.n_terms)


def as_float64(weights):
    """Exact float64 copy of any float array (bfloat16 included)."""
    return np.asarray(weights).astype(np.float64)


def _pairwise_depth(n):
    """Longest chain of additions in NumPy's float64 `np.sum` of n contiguous terms.

    numpy/core/src/umath/loops_utils.h.src (pairwise_sum): n < 8 sequential;
    n <= 128: 8 accumulators, a 3-level tree, then the n % 8 leftovers
    sequentially; larger n: split in two halves (a multiple of 8) and add.
    The reduction adds the result to the first element: one more addition.
    """
    return 1 + _pairwise_tree_depth(max(n - 1, 0))


@functools.lru_cache(maxsize=None)
def _pairwise_tree_depth(m):
    # Memoized: each level of the split has at most two distinct sizes, so this is
    # O(log m) calls; unmemoized it was m/64 calls, 3/4 of the reference's time at 2**24.
    if m < 8:
        return max(m - 1, 0)
    if m <= 128:
        return (m // 8 - 1) + 3 + m % 8
    half = m // 2
    half -= half % 8
    return 1 + max(_pairwise_tree_depth(half), _pairwise_tree_depth(m - half))


def _sum(weights, ufunc):
    """sum(ufunc(w)) in float64 for non-negative ufunc(w), and its relative error bound."""
    flat = np.asarray(weights).reshape(-1)
    n = flat.size
    # Squares of float64 weights round once each; every other term is exact.
    term_error = U64 if (ufunc is np.square and not _is_sub_float64(flat)) else 0.0
    if n <= FSUM_LIMIT and not _is_sub_float64(flat):
        terms = ufunc(flat.astype(np.float64))
        return math.fsum(terms.tolist()) if n else 0.0, term_error + U64
    # np.add.reduce is np.sum's own kernel (same pairwise order, same depth) without np.sum's
    # ~8 us of dispatch, which was half the reference's cost for a 64x32 case.
    if n <= BLOCK:  # one block: widen and apply in place, no buffer bookkeeping
        terms = flat.astype(np.float64)
        ufunc(terms, out=terms)
        return float(np.add.reduce(terms)), term_error + (_pairwise_depth(n) + 1) * U64
    buf = np.empty(BLOCK, np.float64)
    partials, depth = [], 0
    for start in range(0, n, BLOCK):
        block = buf[:min(BLOCK, n - start)]
        block[...] = flat[start:start + BLOCK]  # exact widening, no temporary
        ufunc(block, out=block)
        partials.append(float(np.add.reduce(block)))
        depth = max(depth, _pairwise_depth(block.size))
    # Each block sum is within depth*U64 of its exact value (non-negative terms,
    # so relative to the total too); fsum of the block sums adds one rounding.
    return math.fsum(partials), term_error + (depth + 1) * U64


def _is_sub_float64(weights):
    return np.asarray(weights).dtype.itemsize < 8


def sum_of_squares(weights):
    return _sum(weights, np.square)


def sum_of_abs(weights):
    return _sum(weights, np.abs)


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
                     a.n_terms, a.sum_value + b.sum_value, parts=2)


def stored_lambda(lam, precision):
    """The lambda an API actually multiplies by, given how it stores it.

    Keras casts the coefficient to floatx (float32) when the regularizer is
    built; tf.contrib/tf_slim keep the Python float until it meets the weights.
    """
    if precision is None:
        return float(lam)
    return float(np.asarray(lam, dtype=np.float64).astype(precision))


def l2_gradient(weights, lam, convention):
    """d/dw of the penalty, elementwise: lam * w (half convention) or 2 * lam * w (full).

    Returned in float64 with its relative error bound: w is exact in float64
    for sub-float64 dtypes, 2 * w is exact, and lam * (2 * w) is one rounding.
    `lam` is the lambda the API stores (see stored_lambda).
    """
    w = as_float64(weights)
    return (2.0 * convention.factor * float(lam)) * w, U64
