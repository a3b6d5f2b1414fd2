"""How far an API's result may lie from the reference, and why.

An L2 penalty computed in precision `dtype` (unit roundoff u) goes through:

  1. lambda converted to `dtype`            one rounding
  2. each w*w (or |w|)                      one rounding per term
  3. the sum of n non-negative terms        see below
  4. lambda * sum (and the exact /2)        one rounding
  5. L1L2 only: l1 part + l2 part           one rounding (both parts >= 0, so still relative
                                            to the total: extra_roundings=1, see reference.Reference.parts)

With non-negative terms there is no cancellation, so every rounding is
relative to the final value and the errors add up (Higham, "Accuracy and
Stability of Numerical Algorithms", 2nd ed., sec. 3.1 and 4.2):

  |got - exact| <= ((1 + u)**k - 1) * exact,  k = depth + 3,

where `depth` is the longest chain of additions any term goes through:

* n <= LEAF: we assume nothing about the order, so depth = n - 1 (the
  worst case of recursive summation).
* n >  LEAF: TensorFlow's CPU reductions (Eigen) sum blocks of at most LEAF
  terms and combine the blocks pairwise, so depth = LEAF + ceil(log2(n/LEAF)).
  This is the one assumption about the implementation; the self-validation
  run measures the worst error against this bound for every dtype.

For float32 that is at most (1024 + 14 + 3) * 2**-24 = 6.2e-5 for 2**24
terms: well under the 1e-3 drift the suite must catch. For float16 and
bfloat16 the bound is honest and therefore wide; the suite keeps those sums
short so it stays meaningful.

Every rounding multiplies by a factor in [1-u, 1+u], and with no
cancellation the factors along a term's chain multiply, so the computed
value lies in [exact*(1-u)**k, exact*(1+u)**k]. That form (Higham's
gamma_k is its first-order bound) stays finite and valid when k*u >= 1,
which happens for bfloat16 sums of a few hundred terms: there the bound is
honest and wide, and zero stays exactly zero.

Underflow: TensorFlow's CPU kernels run with flush-to-zero and
denormals-are-zero (tensorflow/core/platform/denormal.h, set on every
executor thread), so a subnormal lambda, square or product becomes 0, and
the relative model breaks. Each such flush is off by less than the
smallest *normal* number `tiny`, scaled by what multiplies it later:
lambda's conversion (times the sum), each square (times lambda), each
per-term product lambda*w**2 (Keras <= 2.1 multiplies before summing, so
n products may each flush), the final product and the /2:

  atol = tiny * (sum + n*(lambda + 1) + 2)

The reference's own relative error (see reference.py) is added to rtol.

Rounding mode: everything above assumes round to nearest, |error| <= u per
rounding. TensorFlow 1.6-1.10 convert float to bfloat16 by truncation: the
`bfloat16(float)` constructor kept the upper 16 bits of the float, and every
bfloat16 kernel (Cast, Square, Mul, Sum, ...) computes in float and converts
back through it. From 1.11 the constructor calls `round_to_bfloat16`, round
to nearest even (tensorflow/core/lib/bfloat16/bfloat16.h; the truncating path
survives as the explicit `truncate_to_bfloat16`). Measured by the release
model's probe (reduction.py): 1 + 0.75 * 2**-7 casts to 1.0 on 1.7-1.10 and to
1 + 2**-7 from 1.11. Rounding toward zero errs by less than one ulp, in one
direction: each factor lies in [1 - 2u, 1], so the same bound holds with
u replaced by 2u (Higham, sec. 2.1: the unit roundoff of a directed rounding is
beta**(1 - t), twice that of rounding to nearest). `rounding=TOWARD_ZERO` selects
it; reduction.rounding() says which releases need it.

Every bound the suite judges by lives here: Tolerance (a penalty, derived above),
OrthogonalTolerance (OrthogonalRegularizer), GradientTolerance (a penalty's gradient,
per element) and Tracked (a running error bound through NumPy's optimizer steps);
each section below derives its own.
"""

import math

import numpy as np

LEAF = 1024

# How a result is rounded to its dtype (see "Rounding mode" above).
NEAREST = "to nearest"
TOWARD_ZERO = "toward zero"

UNIT_ROUNDOFF = {
    "float16": 2.0 ** -11,
    "bfloat16": 2.0 ** -8,
    "float32": 2.0 ** -24,
    "float64": 2.0 ** -53,
}

SMALLEST_NORMAL = {
    "float16": 2.0 ** -14,
    "bfloat16": 2.0 ** -126,
    "float32": 2.0 ** -126,
    "float64": 2.0 ** -1022,
}

LARGEST_FINITE = {
    "float16": 65504.0,
    "bfloat16": 3.3895313892515355e38,
    "float32": float(np.finfo(np.float32).max),
    "float64": float(np.finfo(np.float64).max),
}


def unit_roundoff(dtype, rounding=NEAREST):
    """The largest relative error of one rounding to `dtype`: u to nearest, 2u toward zero."""
    if rounding not in (NEAREST, TOWARD_ZERO):
        raise ValueError("unknown rounding %r (tolerance.NEAREST or TOWARD_ZERO)" % (rounding,))
    u = UNIT_ROUNDOFF[dtype]
    return u if rounding == NEAREST else 2.0 * u


def summation_depth(n_terms, linear=False):
    """Longest chain of additions; `linear` for releases that do not reduce as a tree (reduction.py)."""
    if n_terms <= LEAF or linear:
        return max(n_terms - 1, 0)
    return LEAF + int(math.ceil(math.log2(n_terms / float(LEAF))))


def relative_bound(k, u):
    """(1 + u)**k - 1: the worst relative error of k compounded roundings.

    Past float64's range (bfloat16 sums of ~180 000 terms) the bound is infinite: no claim.
    """
    exponent = k * math.log1p(u)
    return math.expm1(exponent) if exponent < 709.0 else float("inf")


class Tolerance(object):
    def __init__(self, rtol, atol, k, dtype, rounding=NEAREST):
        self.rtol, self.atol, self.k, self.dtype, self.rounding = rtol, atol, k, dtype, rounding

    def bound(self, expected):
        return self.rtol * abs(expected) + self.atol

    def accepts(self, got, expected):
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
        if math.isinf(expected) or math.isinf(got):
            return got == expected
        return abs(got - expected) <= self.bound(expected)

    def __add__(self, other):
        """Two independent computations compared with each other: errors add."""
        rounding = self.rounding if self.rounding == other.rounding else "%s+%s" % (self.rounding, other.rounding)
        return Tolerance(self.rtol + other.rtol, self.atol + other.atol,
                         self.k + other.k, "%s+%s" % (self.dtype, other.dtype), rounding)

    def describe(self):
        u = UNIT_ROUNDOFF.get(self.dtype, 2.0 ** -53) * (2.0 if self.rounding == TOWARD_ZERO else 1.0)
        return "rtol=%.3g (k=%d roundings %s, u=2**%d) atol=%.3g" % (
            self.rtol, self.k, self.rounding, int(round(math.log2(u))), self.atol)


def tolerance(dtype, n_terms, lam=0.0, sum_value=0.0, reference_rel_error=0.0, extra_roundings=0,
              linear=False, rounding=NEAREST):
    """The bound for a penalty of `n_terms` terms computed in `dtype` (see module doc).

    `linear` and `rounding` describe the release (reduction.release_tolerance fills them in).
    """
    u = unit_roundoff(dtype, rounding)
    k = summation_depth(n_terms, linear) + 3 + extra_roundings
    tiny = SMALLEST_NORMAL[dtype]
    atol = tiny * (abs(sum_value) + n_terms * (abs(lam) + 1.0) + 2.0)
    return Tolerance(relative_bound(k, u) + reference_rel_error, atol, k, dtype, rounding)


def fits(dtype, *magnitudes):
    """True when every intermediate magnitude stays finite in `dtype`, with a 2x margin."""
    limit = LARGEST_FINITE[dtype] / 2.0
    return all(abs(m) < limit for m in magnitudes)


# --- OrthogonalRegularizer ---------------------------------------------------------------------
#
# The penalty (reference.orthogonal) for m vectors of length n, computed by TensorFlow in dtype
# d (unit roundoff u, gamma_k = k u / (1 - k u) in Higham's notation; here the compounded
# relative_bound(k, u) = (1 + u)**k - 1, which is >= gamma_k's first order and finite for
# every k). Each step, with what it contributes:
#
#  1. s_i = sum_k w_ik**2: n roundings of squares then a sum of non-negative terms, so the
#     computed s_i is within factors (1 -+ u)**k_s, k_s = summation_depth(n) + 1 (any order).
#     Flush to zero (tensorflow/core/platform/denormal.h) adds at most (2n + 1) * tiny, i.e.
#     a relative eps_f = (2n + 1) * tiny / s_min, where s_min is the smallest square norm,
#     floored by the normalization's guard as held in d (reference.Normalization.constant): the
#     guard replaces s_i below it by a constant, so tinier s_i cannot hurt.
#  2. The inverse norm and x = w * r: rsqrt, or sqrt then reciprocal or divide, then a multiply,
#     and the guard constant converted to d. Eigen's rsqrt and reciprocal (one Newton step on
#     the hardware estimate) are within 2 ulps, i.e. 4u (Eigen MathFunctionsImpl.h,
#     generic_rsqrt_newton_step); so at most NORMALIZE_ROUNDINGS = 7 roundings of u. An inverse
#     square root halves the relative error of its argument, so every computed x_ik is within
#       eta = ((1 - u)**k_s * (1 - eps_f))**-1/2 * (1 + u)**7 - 1     of x_ik = w_ik * r_i.
#  3. G_ij = x_i . x_j, a dot product of n terms in an order we do not assume (oneDNN, Eigen,
#     FMA or not): |fl(x^.y^) - x^.y^| <= gamma_n |x^|.|y^| (Higham, sec. 3.1). With |x_i| <= 1
#     (the guard only shrinks r) and Cauchy-Schwarz:
#       |G^_ij - G_ij| <= E_G = (1 + eta)**2 * (1 + gamma_n) - 1 + 4 n tiny  (flushed products
#     and flushed x entries: at most n + 2n terms off by tiny each, times |x| <= 1 + eta).
#  4. The mask (1 - eye) multiplies by exactly 0 or 1, abs is exact: no rounding.
#  5. S = sum of the m*m entries, non-negative: within (1 +- u)**k_S, k_S = summation_depth(m*m)
#     (Eigen's blocked tree for the full reduction, as for the L2 sums), plus m*m flushes.
#  6. factor * 0.5 (exact), that float32 converted to d, times S, num_pairs converted to d, the
#     division: 4 roundings, rho = (1 + u)**4 - 1, and 4 flushes.
#
# Let c = factor * 0.5 / num_pairs = factor / (m (m - 1)), so c * m (m - 1) = factor. Then
#   |P^ - P| <= (1 + rho) * c * (m (m - 1) * E_G * (1 + theta) + theta * S + m*m * tiny) + rho P + 4 tiny
#            =  rtol * P + atol,
#   rtol = (1 + u)**(k_S + 4) - 1,
#   atol = (1 + rho) * (factor * E_G * (1 + theta) + c * m*m * tiny) + 4 tiny.
# The absolute part is what matters near P = 0 (orthogonal vectors), where a relative bound
# alone would reject the rounding noise of an exact orthogonal kernel. For keras 2.9's signed
# sum the theta * S term is relative to the abs sum, not to P: it moves into atol with the abs
# value (reference.orthogonal's abs_value; without it, its worst case factor).
#
# No claim (an infinite bound) where the computation leaves the model: a square norm that
# overflows d, a sum S <= m (m - 1) that may overflow d (float16 from m = 182, with fits()'s 2x
# margin; num_pairs itself overflows from m = 363), or, with no guard in d
# (float16), a square norm so small that its computed value may be 0 or subnormal (rsqrt then
# gives inf and the penalty NaN).

NORMALIZE_ROUNDINGS = 7


class OrthogonalTolerance(Tolerance):
    """Tolerance (rtol * |expected| + atol) with the terms of the orthogonal bound kept for describe()."""

    def __init__(self, rtol, atol, k, dtype, rounding, gram_error, shape, mode):
        Tolerance.__init__(self, rtol, atol, k, dtype, rounding)
        self.gram_error, self.shape, self.mode = gram_error, shape, mode

    @property
    def claims(self):
        return math.isfinite(self.atol) and math.isfinite(self.rtol)

    def catches(self, drift, expected):
        """True when any result within this bound of `expected`, scaled by 1 + drift, is rejected.

        If |got - exact| <= b then |got * (1 + d) - exact| >= d * exact - (1 + d) * b, which
        exceeds b when d * |exact| > (2 + d) * b: the convention of reduction.detects_drift.
        """
        if not self.claims or math.isnan(expected):
            return False
        return drift * abs(expected) > (2.0 + drift) * self.bound(expected)

    def describe(self):
        if not self.claims:
            return "no claim (%s %s, shape %s: outside the model)" % (self.dtype, self.mode, self.shape)
        return "%s; Gram entries within %.3g (%s %s)" % (
            Tolerance.describe(self), self.gram_error, self.mode, "x".join(str(s) for s in self.shape))


def _orthogonal_no_claim(dtype, rounding, shape, mode):
    inf = float("inf")
    return OrthogonalTolerance(inf, inf, 0, dtype, rounding, inf, tuple(shape), mode)


def orthogonal_tolerance(dtype, shape, lam, mode="rows", rounding=NEAREST, normalization=None,
                         min_square_norm=None, max_square_norm=0.0, abs_value=None, absolute=True,
                         reference_rel_error=0.0, reference_abs_error=0.0, linear=False):
    """The bound for OrthogonalRegularizer(lam, mode) on a kernel of `shape` in `dtype` (see above).

    `normalization` is a reference.Normalization (default tf.math.l2_normalize); its guard in
    `dtype` floors the square norms. `min_square_norm` / `max_square_norm` / `abs_value` come
    from the reference (reference.orthogonal fills them in); float16 has no guard and needs
    min_square_norm for any claim. `absolute=False` is keras 2.9.0's signed sum.
    """
    if normalization is None:
        from .reference import L2_NORMALIZE as normalization
    if mode not in ("rows", "columns"):
        raise ValueError("mode must be 'rows' or 'columns', got %r" % (mode,))
    if len(shape) != 2:
        raise ValueError("OrthogonalRegularizer takes rank-2 kernels, got shape %s" % (tuple(shape),))
    m, n = (shape[0], shape[1]) if mode == "rows" else (shape[1], shape[0])
    u = unit_roundoff(dtype, rounding)
    tiny = SMALLEST_NORMAL[dtype]
    num_pairs = m * (m - 1) / 2.0
    if m < 2:  # 0 / 0: NaN, judged by identity
        return OrthogonalTolerance(0.0, 0.0, 0, dtype, rounding, 0.0, tuple(shape), mode)
    k_s = summation_depth(n, linear=True) + 1
    # The unscaled sum S <= m (m - 1) (every |G_ij| <= 1) and factor * 0.5 * S must stay finite too.
    if not fits(dtype, max_square_norm * (1.0 + relative_bound(k_s, u)), 2.0 * num_pairs,
                abs(float(lam)) * num_pairs):
        return _orthogonal_no_claim(dtype, rounding, shape, mode)
    guard = normalization.constant(dtype)
    floor = guard if normalization.kind == "square" else (guard ** 2 if normalization.kind == "norm" else (
        1.0 / guard ** 2 if guard > 0 and math.isfinite(guard) else 0.0))
    s_min = max(floor, min_square_norm if min_square_norm is not None else 0.0)
    low = math.exp(k_s * math.log1p(-u))  # (1 - u)**k_s: the computed s_i >= low * s_i
    if n > 0 and (s_min <= 0.0 or s_min * low <= (2 * n + 2) * tiny):
        return _orthogonal_no_claim(dtype, rounding, shape, mode)
    eps_f = (2 * n + 1) * tiny / s_min if n > 0 else 0.0
    eta = ((low * (1.0 - eps_f)) ** -0.5) * (1.0 + u) ** NORMALIZE_ROUNDINGS - 1.0 if n > 0 else 0.0
    gamma_n = relative_bound(n, u)
    gram_error = (1.0 + eta) ** 2 * (1.0 + gamma_n) - 1.0 + 4 * n * tiny * (1.0 + eta)
    k_sum = summation_depth(m * m, linear)
    theta = relative_bound(k_sum, u)
    rho = relative_bound(4, u)
    lam = abs(float(lam))
    c = lam / (2.0 * num_pairs)
    atol = (1.0 + rho) * (lam * gram_error * (1.0 + theta) + c * m * m * tiny) + 4.0 * tiny
    if absolute:
        rtol = relative_bound(k_sum + 4, u)
    else:
        worst = lam if abs_value is None or math.isnan(abs_value) else abs(abs_value)
        atol += (1.0 + rho) * theta * worst
        rtol = rho
    if not (math.isfinite(atol) and math.isfinite(rtol)):
        return _orthogonal_no_claim(dtype, rounding, shape, mode)
    return OrthogonalTolerance(rtol + reference_rel_error, atol + reference_abs_error, k_sum + 4, dtype,
                               rounding, gram_error, tuple(shape), mode)


def orthogonal_reference_tolerance(ref, dtype, lam, rounding=NEAREST, linear=False):
    """orthogonal_tolerance with every data-dependent field taken from a reference.orthogonal result."""
    shape = (ref.size, ref.length) if ref.mode == "rows" else (ref.length, ref.size)
    return orthogonal_tolerance(dtype, shape, lam, ref.mode, rounding, ref.normalization,
                                min_square_norm=ref.min_square_norm, max_square_norm=ref.max_square_norm,
                                abs_value=ref.abs_value, absolute=ref.absolute,
                                reference_rel_error=ref.rel_error, reference_abs_error=ref.abs_error,
                                linear=linear)


# --- The gradient of an L2 penalty, per element (training/gradients.py) ------------------------
#
# TensorFlow's gradient of a penalty has exactly two roundings per element:
#
#   1. lambda converted to the weights' dtype (for Keras from its float32 copy)
#   2. one product: L2Loss's gradient is `w * grad` (the 1/2 and the 2 of
#      d(w**2)/dw cancel exactly); Square's is `grad * (2 * w)`, and `2 * w`
#      is exact. `add_n` / `Sum` pass the upstream gradient on unchanged.
#
# so |got - exact| <= ((1 + u)**2 - 1) * |exact| (u of the release's rounding mode,
# reduction.unit_roundoff: 2u for bfloat16 before TF 1.11, which truncates), plus the reference's own
# rounding (U64), plus flush-to-zero of subnormals (TF's CPU kernels): lambda
# flushed costs at most tiny * c|w|, a flushed product at most tiny, a flushed
# subnormal weight at most c * lambda * tiny (c = 2 for the full convention,
# 1 for half).

GRADIENT_ROUNDINGS = 2


class GradientTolerance(object):
    """Per-element bound |got - expected| <= rtol * |expected| + atol (derived above)."""

    def __init__(self, dtype, lam, c, weights, u=None):
        from .reference import U64, as_float64
        u = UNIT_ROUNDOFF[dtype] if u is None else u
        tiny = SMALLEST_NORMAL[dtype]
        self.dtype, self.k = dtype, GRADIENT_ROUNDINGS
        self.rtol = relative_bound(GRADIENT_ROUNDINGS, u) + U64
        w = np.abs(as_float64(weights))
        self.atol = tiny * (c * w + c * abs(lam) + 1.0)

    def bound(self, expected):
        return self.rtol * np.abs(expected) + self.atol

    def describe(self):
        return "rtol=%.3g (k=%d roundings in %s) + flush-to-zero atol <= %.3g" % (
            self.rtol, self.k, self.dtype, float(np.max(self.atol)) if np.size(self.atol) else 0.0)


# --- A running error bound: optimizer steps in NumPy (training/steps.py) -----------------------
#
# The NumPy reference (`Tracked`) is a running error analysis: every
# intermediate carries its float64 value and a bound on how far a computation
# in the case's dtype (unit roundoff u, smallest normal `tiny`) can be from
# the exact value. Each operation is one correctly rounded IEEE operation on
# TF's CPU kernels (Eigen's add, mul, div, sqrt), so for z = x op y:
#
#   err(x +- y) = ex + ey                              then rounding
#   err(x * y)  = |x| ey + |y| ex + ex ey               then rounding
#   err(x / y)  = (ex + |x/y| ey) / (|y| - ey)          then rounding
#   err(sqrt x) = ex / (sqrt(x) + sqrt(max(x - ex, 0))) then rounding
#   rounding:     + u * (|z| + err) + tiny              (the tiny covers flush-to-zero)
#
# These are rigorous bounds, not first-order estimates. For float64 cases the float64 reference
# rounds as much as TensorFlow does: bound() doubles the bound.


class Tracked(object):
    """A float64 value and an elementwise bound on a `dtype` computation's distance from it (above)."""

    def __init__(self, value, err, dtype):
        self.value = np.asarray(value, dtype=np.float64)
        self.err = np.asarray(err, dtype=np.float64) + np.zeros_like(self.value)
        self.dtype = dtype

    @classmethod
    def exact(cls, value, dtype):
        return cls(value, 0.0, dtype)

    @classmethod
    def stored(cls, value, dtype, roundings=1):
        """A number converted to (or computed by `roundings` operations in) `dtype`."""
        t = cls(value, 0.0, dtype)
        for _ in range(roundings):
            t = t._rounded(t.value, t.err)
        return t

    def _rounded(self, value, err):
        u = UNIT_ROUNDOFF[self.dtype]
        tiny = SMALLEST_NORMAL[self.dtype]
        return Tracked(value, err + u * (np.abs(value) + err) + tiny, self.dtype)

    def _lift(self, other):
        return other if isinstance(other, Tracked) else Tracked.exact(other, self.dtype)

    def __add__(self, other):
        o = self._lift(other)
        return self._rounded(self.value + o.value, self.err + o.err)

    __radd__ = __add__

    def __sub__(self, other):
        o = self._lift(other)
        return self._rounded(self.value - o.value, self.err + o.err)

    def __rsub__(self, other):
        return self._lift(other) - self

    def __mul__(self, other):
        o = self._lift(other)
        err = np.abs(self.value) * o.err + np.abs(o.value) * self.err + self.err * o.err
        return self._rounded(self.value * o.value, err)

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = self._lift(other)
        margin = np.abs(o.value) - o.err
        if np.any(margin <= 0):
            raise ValueError("divisor not bounded away from zero")
        q = self.value / o.value
        return self._rounded(q, (self.err + np.abs(q) * o.err) / margin)

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def sqrt(self):
        root = np.sqrt(self.value)
        low = np.sqrt(np.maximum(self.value - self.err, 0.0))
        denom = root + low
        err = np.where(denom > 0, self.err / np.where(denom > 0, denom, 1.0), np.sqrt(self.err))
        return self._rounded(root, err)

    def bound(self):
        """The bound for comparing TF with this float64 reference (doubled for float64: see above)."""
        return self.err * (2.0 if self.dtype == "float64" else 1.0)
