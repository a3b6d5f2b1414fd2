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
