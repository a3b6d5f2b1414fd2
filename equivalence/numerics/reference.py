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

    def __init__(self, value, rel_error, n_terms, sum_value, parts=1, abs_error=0.0):
        self.value = value
        self.parts = parts  # penalties the API adds together (L1L2: the |w| one and the w**2 one)
        self.rel_error = rel_error
        # |value - exact| <= rel_error * |value| + abs_error. 0 for the sums of non-negative
        # terms above; the orthogonal penalty can be ~0, so its bound needs an absolute part.
        self.abs_error = abs_error
        self.n_terms = n_terms
        self.sum_value = sum_value  # the reduction before lambda and the convention factor

    def __repr__(self):
        if self.abs_error:
            return "Reference(%r, rel_error=%.3g, abs_error=%.3g, n=%d)" % (
                self.value, self.rel_error, self.abs_error, self.n_terms)
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


def activity_l2(outputs, lam, batch_mean):
    """A Keras L2 activity regularizer's penalty of one batch: lam * sum(y**2) over the layer's `outputs`
    (batch first), divided by the batch size where the release averages over the batch
    (semantics/model_table.py: TF 1.13 on) and not where it sums (TF 1.6-1.12).
    The division is one more rounding in TensorFlow: counted as a second part (parts=2)."""
    y = np.asarray(outputs)
    s, err = sum_of_squares(y)
    batch = y.shape[0] if y.ndim else 1
    value = float(lam) * s / (batch if batch_mean else 1)
    return Reference(value, err + 2 * U64, y.size, s, parts=2 if batch_mean else 1)


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


# --- OrthogonalRegularizer -------------------------------------------------------------------
#
# keras.regularizers.OrthogonalRegularizer(factor, mode), for a rank-2 kernel w (m vectors of
# length n: the rows in mode "rows", the columns in mode "columns"):
#
#   x_i     = normalize(w_i)                                 (the normalizations below)
#   G       = x x^T  (rows) or x^T x (columns)               m x m, |G_ij| <= 1 (Cauchy-Schwarz)
#   penalty = factor * 0.5 * sum_{i != j} |G_ij| / (m (m - 1) / 2)
#           = factor * mean_{i < j} |G_ij|                   in [0, factor]
#
# Upstream, per release (the __call__ bodies were compared in every env of the matrix):
#   keras 2.9.0 (TF 2.9), keras/regularizers.py: the same without the abs, so the penalty is
#     factor * mean_{i<j} G_ij and may be negative (keras-team/keras#16518; fixed by commit
#     2944bc68, "implement the (1,1) matrix norm", first released in keras 2.10.0).
#   keras 2.10-2.15 (keras/regularizers.py, keras/src/regularizers.py from 2.13) and tf_keras
#     2.16+ (tf_keras/src/regularizers.py): the abs form, normalization tf.math.l2_normalize.
#   keras 3 (keras/src/regularizers/regularizers.py, unchanged since 3.0.0): the abs form,
#     normalization keras.utils.normalize -> keras.ops.nn.normalize, changed twice (below).
# Before keras 2.9 (TF <= 2.8) there is no OrthogonalRegularizer. In every release: a kernel of
# rank != 2 raises ValueError; mode not in {"rows", "columns"} raises ValueError at construction;
# m = 1 gives 0 / 0 = NaN (num_pairs = 0, the masked sum is 0); the factor is stored in floatx
# (tf.keras: backend.cast_to_floatx; keras 3: ops.convert_to_tensor), so pass
# stored_lambda(factor, "float32") as `lam`. Keras 3 multiplies that float32 tensor by the
# penalty, so with the TensorFlow backend only floatx kernels work (float64 raises
# InvalidArgumentError unless keras.config.set_floatx("float64") precedes the constructor).


def round_to(value, dtype):
    """float(value) rounded to nearest in `dtype` (a NumPy dtype, or a name such as "bfloat16")."""
    if str(np.dtype(dtype) if not isinstance(dtype, str) else dtype) == "bfloat16":
        # float64 -> float32 -> bfloat16, each to nearest even (no double-rounding issue for the
        # decimal constants used here: checked against ml_dtypes in tests/harness/test_reference.py).
        bits = np.asarray(value, dtype=np.float32).reshape(1).view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return float(bits.astype(np.uint32).view(np.float32)[0])
    with np.errstate(over="ignore", under="ignore"):
        return float(np.asarray(value, dtype=np.float64).astype(dtype))


class Normalization(object):
    """How an API scales each vector to unit length, and its guard against a zero vector.

    `kind` says where the epsilon sits: "square" floors the sum of squares, "norm" floors
    the norm, "rsqrt" caps the inverse norm at 1 / eps. The epsilon is converted to the
    kernel's dtype, as TensorFlow does when it meets the tensor (float16: 1e-12 becomes 0 and
    1e7 becomes inf, so there float16 has no guard: a zero vector gives 0 * inf = NaN).
    """

    def __init__(self, name, kind, eps, formula, releases):
        self.name, self.kind, self.eps, self.formula, self.releases = name, kind, eps, formula, releases

    def __repr__(self):
        return "Normalization(%s)" % self.name

    def constant(self, dtype):
        """The guard as the API holds it in `dtype`: the floor, or the cap 1/eps."""
        c = 1.0 / self.eps if self.kind == "rsqrt" else self.eps
        return round_to(c, dtype)

    def inverse_norm(self, square_norm, dtype):
        """float64 inverse norms (one rounding each for sqrt and divide; min/max are exact)."""
        c = self.constant(dtype)
        with np.errstate(divide="ignore"):
            if self.kind == "square":
                return 1.0 / np.sqrt(np.maximum(square_norm, c))
            if self.kind == "norm":
                return 1.0 / np.maximum(np.sqrt(square_norm), c)
            return np.minimum(1.0 / np.sqrt(square_norm), c)


L2_NORMALIZE = Normalization(
    "tf.math.l2_normalize", "square", 1e-12, "w * rsqrt(max(sum(w**2), 1e-12))",
    "tf.keras 2.9-2.15, tf_keras 2.16+ (tensorflow/python/ops/nn_impl.py, epsilon=1e-12)")
KERAS_3_0 = Normalization(
    "keras 3.0.0-3.0.4", "square", 1e-7, "w * reciprocal(sqrt(max(sum(w**2), 1e-7)))",
    "keras 3.0.0-3.0.4 (keras/utils/numerical_utils.py, backend.epsilon() = 1e-7)")
KERAS_3_1 = Normalization(
    "keras 3.0.5-3.5", "norm", 1e-7, "w / max(norm(w), 1e-7)",
    "keras 3.0.5-3.5 (keras/ops/nn.py _normalize; commit 9a1328d1)")
KERAS_3 = Normalization(
    "keras 3.6+", "rsqrt", 1e-7, "w * min(rsqrt(sum(w**2)), 1 / 1e-7)",
    "keras 3.6.0 on (keras/src/ops/nn.py _normalize, 'L2 normalize op' #20196)")
NORMALIZATIONS = {n.name: n for n in (L2_NORMALIZE, KERAS_3_0, KERAS_3_1, KERAS_3)}

ORTHOGONAL_MODES = ("rows", "columns")


def orthogonal_vectors(weights, mode):
    """The m x n float64 matrix whose rows are the vectors the mode makes orthogonal."""
    if mode not in ORTHOGONAL_MODES:
        raise ValueError("mode must be one of %s, got %r" % (ORTHOGONAL_MODES, mode))
    w = np.asarray(weights)
    if w.ndim != 2:
        raise ValueError("OrthogonalRegularizer takes rank-2 kernels, got shape %s" % (w.shape,))
    v = as_float64(w)
    return v if mode == "rows" else v.T


def orthogonal(weights, lam, mode="rows", normalization=L2_NORMALIZE, absolute=True):
    """lam * 0.5 * sum_{i != j} |G_ij| / (m (m - 1) / 2) in float64 (see the block comment above).

    `absolute=False` is keras 2.9.0's signed sum. `lam` is taken exactly as given (pass the
    float32 the API stores). m = 1 (and m = 0) gives NaN, as upstream.

    Error of this computation (u = 2**-53), with an absolute part because the value can be ~0:
    squares are exact for sub-float64 weights (one rounding for float64) and summed by fsum
    (one rounding); the inverse norm is at most 2 roundings (sqrt, divide) after that, x = w * r
    one more: every x_ik is within eta = (1-u)**-1 * (1+u)**3 - 1 of its exact value (a rounded
    square norm of relative error 2u moves its inverse square root by at most u). np.dot of n
    terms in any order adds gamma_n * |x_i|.|x_j| <= gamma_n, so
      |G_ij - exact| <= E = (1 + eta)**2 * (1 + gamma_n) - 1          (|x_i|, |x_j| <= 1),
    the sum of the m(m - 1) entries is fsum (one rounding) and lam * S / (m (m - 1)) two more:
      |value - exact| <= lam * E * (1 + 4u) + 4u * |value|    (abs sum: value; signed: the abs sum).
    """
    v = orthogonal_vectors(weights, mode)
    dtype = np.asarray(weights).dtype
    m, n = v.shape
    # Squares of sub-float64 values are exact (one rounding each for float64); fsum per vector.
    square_norm = np.array([math.fsum((row * row).tolist()) for row in v], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        x = v * normalization.inverse_norm(square_norm, dtype)[:, None]  # 0 * inf = NaN as upstream
        gram = np.dot(x, x.T)
    off = ~np.eye(m, dtype=bool)
    entries = gram[off]
    abs_sum = math.fsum(np.abs(entries).tolist())
    signed_sum = math.fsum(entries.tolist())
    s = abs_sum if absolute else signed_sum
    pairs2 = float(m * (m - 1))  # 2 * num_pairs, an exact integer
    lam = float(lam)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = float(np.float64(lam) * s / pairs2) if m > 1 else float("nan")
        abs_value = float(np.float64(lam) * abs_sum / pairs2) if m > 1 else float("nan")
    if any(math.isnan(t) for t in (value, abs_sum)):
        value = abs_value = float("nan")
    u = U64
    eta = (1.0 - u) ** -1 * (1.0 + u) ** 3 - 1.0
    gamma_n = n * u / (1.0 - n * u)
    gram_error = (1.0 + eta) ** 2 * (1.0 + gamma_n) - 1.0
    rel = 4.0 * u * 1.0001
    abs_error = abs(lam) * gram_error * (1.0 + rel)
    if not absolute and not math.isnan(abs_value):
        abs_error += rel * abs_value  # the signed sum's rounding is relative to the abs sum
        rel = 0.0
    ref = Reference(value, rel, m * m, s, abs_error=abs_error)
    ref.mode, ref.size, ref.length = mode, m, n
    ref.normalization, ref.absolute = normalization, absolute
    ref.abs_value = abs_value  # lam * mean |G_ij|: what the signed sum's rounding is relative to
    ref.min_square_norm = float(square_norm.min()) if m else 0.0
    ref.max_square_norm = float(square_norm.max()) if m else 0.0
    return ref
