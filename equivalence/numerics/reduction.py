"""How each TensorFlow release sums and rounds on CPU, and which dtype large weights are verified in.

Two facts per release feed the tolerance (tolerance.py): the summation order
and the rounding mode. `release_tolerance(api, ...)` is the one place that
applies them; tests/test_release_numerics.py measures both in every env.

Rounding. TF 1.6-1.10 convert float to bfloat16 by truncation (round toward
zero), 1.11 on round to nearest even (tolerance.py, "Rounding mode", has the
source). Measured in every release of the matrix by casting 1 + 0.75 * 2**-7
(float32) to bfloat16, through tf.cast and through NumPy's bfloat16 type:
1.0 on 1.6-1.10, 1 + 2**-7 from 1.11. Square, Sum and Mul in bfloat16 round
the same way as Cast (each computes in float and converts back). float16 and
float32 round to nearest in every release.

Summation order.
tolerance.py bounds a sum by its longest chain of additions. For n > LEAF it
assumes Eigen's reduction: blocks of <= LEAF terms combined pairwise. Measured
with benchmarks/probe_reduction.py (2**24 standard-normal float32 weights,
relative error of tf.nn.l2_loss and of reduce_sum(square) against float64):

  TF 1.6             -4.6e-4   beyond the block+pairwise bound (6.2e-5): not a tree
  TF 1.15, 2.15, 2.21 1.6e-8   within it

So releases before 1.15 are modelled as recursive summation (depth n - 1, the
worst case over every order); releases between 1.6 and 1.15 were not measured
and get the same, safer model.

At 2**24 terms the recursive bound in float32 is (1 + 2**-24)**(2**24) - 1,
about 1.7: useless for catching a 0.1 % drift. `large_weights_dtype` therefore
picks the first dtype, float32 then float64, whose bound on this release
guarantees that a result scaled by 1.001 is rejected: if |got - exact| <= r*exact
and the tolerance is r, a drift d is caught whenever d > 2r (up to r*d), so
we require rtol < DRIFT / (2 + DRIFT).
"""

import math

from . import tolerance as tolerance_mod
from ..environment import parse_version

# The first release measured to reduce as blocks combined pairwise.
TREE_REDUCTION_SINCE = parse_version("1.15")

# The first release whose float -> bfloat16 conversion rounds to nearest even.
BFLOAT16_ROUNDS_TO_NEAREST_SINCE = parse_version("1.11")

# The drift the suite must catch at any size: 0.1 %.
DRIFT = 1e-3


# Keras 3's NumPy backend (KERAS_BACKEND=numpy) computes with NumPy: float16 / float32 / float64 sums are NumPy's
# pairwise summation (blocks of 128, within the tree model), but bfloat16 is ml_dtypes' type, which NumPy reduces with
# its generic loop: one accumulator in bfloat16, a sequential sum (measured: the bfloat16_sum_stall probe gives 32
# for an exact 128, the linear model's value; tox -m keras-backends, Keras 3.15.1, ml_dtypes 0.7.0).
SEQUENTIAL_ON_NUMPY_BACKEND = ("bfloat16",)


def sums_linearly(api, dtype=None, on_backend=False):
    """Whether this release (or, for a route on a Keras 3 backend, that backend: `on_backend`) sums `dtype`
    sequentially rather than as a tree."""
    if on_backend and dtype in SEQUENTIAL_ON_NUMPY_BACKEND and getattr(api, "keras_backend", None) == "numpy":
        return True
    return api.tf_version_tuple < TREE_REDUCTION_SINCE


def rounding(api, dtype):
    """How this release rounds results to `dtype`: tolerance.NEAREST or tolerance.TOWARD_ZERO."""
    if dtype == "bfloat16" and api.tf_version_tuple < BFLOAT16_ROUNDS_TO_NEAREST_SINCE:
        return tolerance_mod.TOWARD_ZERO
    return tolerance_mod.NEAREST


def unit_roundoff(api, dtype):
    """The largest relative error of one rounding to `dtype` on this release (None: the modern model)."""
    return tolerance_mod.unit_roundoff(dtype, tolerance_mod.NEAREST if api is None else rounding(api, dtype))


def release_tolerance(api, dtype, n_terms, on_backend=False, **fields):
    """tolerance.tolerance(dtype, n_terms, **fields) with this release's summation order and rounding
    (`on_backend`: the route runs on a Keras 3 backend other than TensorFlow, whose own summation applies).

    `api` None gives the model of current releases (tree reduction, round to nearest).
    """
    if api is None:
        return tolerance_mod.tolerance(dtype, n_terms, **fields)
    return tolerance_mod.tolerance(dtype, n_terms, linear=sums_linearly(api, dtype, on_backend),
                                   rounding=rounding(api, dtype), **fields)


def reference_tolerance(api, dtype, ref, lam, route=None):
    """The bound a measured penalty is judged with against the reference `ref` (reference.py), on this
    release: the sum-of-terms model (tolerance.tolerance) for L2 / L1 penalties, the orthogonal model
    (tolerance.orthogonal_reference_tolerance) for OrthogonalRegularizer. The one place both are chosen.
    `route`: the route measured, whose Keras 3 backend other than TensorFlow (Route.on_backend) sums its own way."""
    on_backend = route is not None and api is not None and route.on_backend(api)
    if getattr(ref, "mode", None) is not None:
        return tolerance_mod.orthogonal_reference_tolerance(
            ref, dtype, lam, rounding=tolerance_mod.NEAREST if api is None else rounding(api, dtype),
            linear=False if api is None else sums_linearly(api, dtype, on_backend))
    return release_tolerance(api, dtype, max(ref.n_terms, 1), on_backend=on_backend,
                             lam=abs(lam) if math.isfinite(lam) else 0.0,
                             sum_value=ref.sum_value, reference_rel_error=ref.rel_error,
                             # adding the parts (both >= 0) is one more rounding on each chain
                             extra_roundings=ref.parts - 1)


def detects_drift(api, dtype, n_terms):
    """True when the tolerance for n_terms in dtype on this release rejects a DRIFT."""
    tol = release_tolerance(api, dtype, n_terms)
    return tol.rtol < DRIFT / (2.0 + DRIFT)


def large_weights_dtype(api, route, n_terms):
    """float32 when its bound catches the drift here, else float64; None if the route takes neither."""
    for dtype in ("float32", "float64"):
        if route.dtype_unavailable(api, dtype) is None and detects_drift(api, dtype, n_terms):
            return dtype
    return None
