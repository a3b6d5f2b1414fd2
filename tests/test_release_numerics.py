"""The release model of equivalence/numerics/reduction.py, measured on the installed release.

The tolerance trusts two facts per release: how a result is rounded to
bfloat16 (to nearest, or toward zero on TF 1.6-1.10) and how a sum is
ordered. This module measures the first on numbers chosen so the two
roundings disagree, with expectations emulated bit for bit in NumPy, and
replays the false alarm that exposed it (a 1.3 % error against a bound of
1.18 % on TF 1.7-1.10).
"""

import numpy as np
import pytest

from equivalence.numerics import reduction, tolerance
from equivalence.harness import case_from_plan, verify
from equivalence.initializers import InitSpec
from equivalence.routes import ROUTES
from equivalence.routes.registry import BFLOAT16_ARITHMETIC
from equivalence.strategies import Plan



def to_bfloat16(x, rounding):
    """float64 -> float32 (to nearest) -> bfloat16 by `rounding`, as float64; TF's bfloat16(double)
    goes through float the same way (tensorflow/core/lib/bfloat16/bfloat16.h)."""
    bits = np.asarray(x, dtype=np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    if rounding == tolerance.NEAREST:  # the round_to_bfloat16 bias: 0x7fff plus the kept LSB
        bits = bits + 0x7FFF + ((bits >> 16) & 1)
    kept = ((bits >> 16) << 16).astype(np.uint32)
    return kept.view(np.float32).astype(np.float64).reshape(np.shape(x))


# Inputs whose two roundings differ: 1 + 0.75 ulp, and a square whose dropped bits exceed half an ulp.
CAST_INPUT = 1.0 + 0.75 * 2.0 ** -7
SQUARE_INPUT = 1.0 + 11 * 2.0 ** -7  # (1 + 11 * 2**-7)**2 = 1 + 22.945 * 2**-7


def _run(api, build, x):
    """Evaluate `build(tf, t)` on t = float32 [x]: fed to a v1 graph (TF 1.x; a placeholder keeps
    Grappler from folding the ops into a constant) or eagerly (TF 2.x)."""
    if not api.tf2:
        graph = api.tf.Graph()
        with graph.as_default():
            t = api.v1.placeholder(api.tf.float32, shape=[1])
            tensor = build(api.tf, t)
            with api.v1.Session(graph=graph) as sess:
                return float(np.asarray(sess.run(tensor, {t: [x]}), dtype=np.float64).reshape(-1)[0])
    t = api.tf.constant([x], dtype=api.tf.float32)
    return float(np.asarray(build(api.tf, t).numpy(), dtype=np.float64).reshape(-1)[0])


def test_numpy_bfloat16_conversion_rounds_as_modelled(api):
    rounding = reduction.rounding(api, "bfloat16")
    got = float(np.array([CAST_INPUT], dtype=np.float32).astype(api.numpy_dtype("bfloat16"))
                .astype(np.float64)[0])
    expected = float(to_bfloat16(CAST_INPUT, rounding))
    assert got == expected, (
        "TF %s: NumPy's bfloat16 type converts %r to %r; the release model (reduction.rounding: %s) "
        "expects %r" % (api.tf_version, CAST_INPUT, got, rounding, expected))


@pytest.mark.parametrize("op", ["Cast", "Square"])
def test_bfloat16_kernels_round_as_modelled(api, op):
    rounding = reduction.rounding(api, "bfloat16")
    x = CAST_INPUT if op == "Cast" else SQUARE_INPUT

    def build(tf, t):
        v = tf.cast(t, tf.bfloat16)  # SQUARE_INPUT is exact in bfloat16
        return tf.cast(v if op == "Cast" else tf.square(v), tf.float32)
    absent = BFLOAT16_ARITHMETIC.missing(api) if op != "Cast" else None  # Cast has bfloat16 from 1.6
    if absent:
        with pytest.raises(Exception) as raised:
            _run(api, build, x)
        assert raised.type.__name__ in ("InvalidArgumentError", "NotFoundError"), raised.value
        return
    expected = float(to_bfloat16(x if op == "Cast" else x * x, rounding))
    got = _run(api, build, x)
    assert got == expected, (
        "TF %s: bfloat16 %s of %r gives %r; rounding %s (reduction.rounding) gives %r, the other "
        "mode %r" % (api.tf_version, op, x, got, rounding, expected,
                     float(to_bfloat16(x if op == "Cast" else x * x,
                                       tolerance.TOWARD_ZERO if rounding == tolerance.NEAREST
                                       else tolerance.NEAREST))))


# The false alarm of TF 1.7-1.10: a one-term bfloat16 penalty 1.3 % below the exact value
# (ratio 0.9867), against a round-to-nearest bound of 3 roundings of 2**-8 (1.18 %).
FALSE_ALARM = Plan("bfloat16", (), InitSpec("glorot_uniform", seed=129), 1.1102230256251566e-21)


def _one_term_routes(api):
    return [r for r in ROUTES if r.penalty == "l2" and r.kernel.accepts(())
            and r.unavailable(api) is None and r.dtype_unavailable(api, "bfloat16") is None]


def test_the_bfloat16_false_alarm_is_within_the_release_bound(api):
    """Every one-term bfloat16 route verifies on the case. Under truncation every rounding of a
    positive number lowers it, so each result lies at or below the exact value, and the case lies
    beyond the round-to-nearest bound on at least one route (the false alarm, measured: 0.9867 on
    TF 1.7-1.10); where the release rounds to nearest, no route goes beyond that bound."""
    routes = _one_term_routes(api)
    if not routes:
        pytest.skip("no route takes bfloat16 weights of shape () on TF %s" % api.tf_version)
    case = case_from_plan(api, FALSE_ALARM)
    rounding = reduction.rounding(api, "bfloat16")
    nearest_bound = tolerance.tolerance("bfloat16", 1)
    beyond_nearest = []
    for route in routes:
        verdict = verify(api, route, case)
        assert verdict.ok, verdict.message
        got, exact = verdict.measurement.value, verdict.expected.value
        where = "%s on %s, %s: got %r, expected %r, ratio %.6g" % (
            route.name, api.describe(), case.describe(), got, exact, got / exact)
        if not nearest_bound.accepts(got, exact):
            beyond_nearest.append(where)
        if rounding == tolerance.TOWARD_ZERO:
            assert got <= exact, "%s: above the exact value, which truncation cannot give" % where
    if rounding == tolerance.TOWARD_ZERO:
        assert beyond_nearest, ("TF %s truncates (reduction.rounding), yet no route is beyond the "
                                "round-to-nearest bound on the case that showed it" % api.tf_version)
    else:
        assert not beyond_nearest, "rounds to nearest, yet beyond its bound: %s" % "; ".join(beyond_nearest)
