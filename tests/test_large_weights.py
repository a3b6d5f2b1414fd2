"""Every route on 2**24 weights: still the reference's number, still able to see a 0.1 % drift.

The weights enter through a placeholder (graph) or a tensor (eager), never as a
GraphDef constant (harness.py), so 2**24 float32 (64 MiB) stays far from the
2 GB protobuf limit. The dtype is float32 unless the installed release's
reduction makes the float32 bound too wide to reject a 0.1 % drift; then
float64 (reduction.large_weights_dtype says why).
"""

import numpy as np
import pytest

from equivalence.numerics import reduction
from equivalence.harness import Case, verify
from equivalence.initializers import InitSpec

from .route_cases import l2_routes, require, route_params

N = 2 ** 24
SHAPE = (4096, 4096)  # conv2d routes see it as a 1x1 convolution (registry.KernelShape.adapt)
LAM = 0.01


@pytest.fixture(scope="module")
def uniform_weights():
    """Uniform in [-1, 1): every term matters and none dominates, so the sum is a fair test of the reduction."""
    return np.random.RandomState(24).uniform(-1.0, 1.0, size=SHAPE)


def _large_dtype(api, route):
    require(api, route)
    dtype = reduction.large_weights_dtype(api, route, N)
    if dtype is None:
        pytest.skip("%s: on TF %s float32 sums of 2**24 terms are modelled as linear (bound too wide "
                    "to catch a %.1f%% drift) and the route takes no float64 here (%s)" % (
                        route.name, api.tf_version, reduction.DRIFT * 100,
                        route.dtype_unavailable(api, "float64")))
    return dtype


@pytest.mark.parametrize("route", route_params(l2_routes()))
def test_large_weights_match_and_detect_drift(api, route, uniform_weights):
    dtype = _large_dtype(api, route)
    case = Case(uniform_weights.astype(api.numpy_dtype(dtype)), dtype, LAM, InitSpec("array", array=None))
    verdict = verify(api, route, case)
    assert verdict.ok, verdict.message
    got, expected, tol = verdict.measurement.value, verdict.expected.value, verdict.tolerance
    for drift in (1.0 + reduction.DRIFT, 1.0 - reduction.DRIFT):
        assert not tol.accepts(got * drift, expected), (
            "%s on %s: a result off by a factor %r still passes (%s)" % (
                route.name, api.describe(), drift, tol.describe()))
