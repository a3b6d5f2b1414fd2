"""The kernel-level tolerance proof (equivalence/selfvalidation/kernelcheck.py) at small size: it passes with the
suite's bound, and it fails where it must (a bound that is too tight, a drifted kernel, a bound too
loose to catch the drift it claims to catch)."""

import numpy as np
import pytest

from equivalence.selfvalidation import kernelcheck
from equivalence.numerics import reduction, tolerance

CLASSES = [c for c in kernelcheck.SIZE_CLASSES if c[0] in ("1-16", "17-1024")]
CASES = 200


def kernels(*names):
    return [k for k in kernelcheck._kernels() if k.name in names]


def run(api, bound_fn=kernelcheck.bound, result_filter=None, names=("l2_loss", "sum_square")):
    cells, _ = kernelcheck.run(api, kernels(*names), ["float32"], CLASSES, CASES, 10 ** 7, seed=7,
                               bound_fn=bound_fn, result_filter=result_filter)
    return list(cells.values())


@pytest.fixture(scope="module")
def clean(api):
    return run(api)


def test_the_suite_bound_holds_on_every_case_and_rejects_a_drift_where_it_claims_to(api, clean):
    for cell in clean:
        assert cell.unavailable is None
        assert cell.cases == CASES, (cell.kernel, cell.size_class, cell.cases)
        assert cell.alarms == [], cell.alarms[:3]
        assert 0.0 < cell.worst_ratio <= 1.0 and cell.worst_exact
        # float32 claims to catch a 0.1 % drift at every n of these classes on every release
        assert cell.drift_claimed == reduction.detects_drift(api, "float32", 1024) is True
        assert cell.drift_tried > 0 and cell.drift_rejected == cell.drift_tried and not cell.drift_missed


def test_a_bound_eight_times_too_tight_raises_false_alarms(api, clean):
    def tight(api, dtype, n, lam, sum_value, ref_err, extra):
        t = kernelcheck.bound(api, dtype, n, lam, sum_value, ref_err, extra)
        return tolerance.Tolerance(t.rtol / 8.0, t.atol, t.k, t.dtype)
    measured = [c for c in clean if c.size_class == "1-16"]
    cells = [c for c in run(api, bound_fn=tight) if c.size_class == "1-16"]
    for cell, before in zip(cells, measured):
        # short sums come within a factor of 8 of the bound (measured: 0.5-0.8 at 2*10**4 cases)
        assert before.worst_ratio > 1.0 / 8.0
        assert len(cell.alarms) > 0 and cell.worst_ratio > 1.0
        alarm = cell.alarms[0]
        assert alarm["error"] > alarm["bound"] and 1 <= alarm["n"] <= 16


def test_a_kernel_drifted_by_one_in_a_thousand_is_caught_on_every_case(api):
    drifted = run(api, result_filter=lambda kernel, dtype, got: got * (1 + reduction.DRIFT))
    for cell in drifted:
        assert len(cell.alarms) == cell.cases, (cell.kernel, cell.size_class, len(cell.alarms))


def test_a_bound_too_loose_for_its_claim_is_reported(api):
    def loose(api, dtype, n, lam, sum_value, ref_err, extra):
        t = kernelcheck.bound(api, dtype, n, lam, sum_value, ref_err, extra)
        return tolerance.Tolerance(t.rtol * 1e4, t.atol, t.k, t.dtype)
    cells = run(api, bound_fn=loose, names=("l2_loss",))
    assert all(c.alarms == [] for c in cells)
    small = [c for c in cells if c.size_class == "1-16"][0]
    assert small.drift_missed and small.drift_rejected < small.drift_tried


def test_drawn_weights_fit_their_dtype_and_the_reference_is_the_exact_sum():
    rng = kernelcheck.generator([3])
    for dtype, np_dtype in (("float16", np.float16), ("float32", np.float32), ("float64", np.float64)):
        x64, kinds = kernelcheck.draw_values(rng, dtype, (500, 40))
        assert set(kinds.tolist()) == set(range(len(kernelcheck.DISTRIBUTIONS)))
        lam = np.full(500, 10.0)
        w = kernelcheck.fit_to_dtype(x64, dtype, lam, np_dtype)
        assert w.dtype == np_dtype and np.all(np.isfinite(w))
        s2, s1, wide, u = kernelcheck.reference_sums(w, dtype)
        limit = tolerance.LARGEST_FINITE[dtype] / 4.0
        assert np.all(s2 * 10.0 < limit) and np.all(s1 * 10.0 < limit)
        import math
        for i in (0, 17, 499):  # against math.fsum of the exact float64 squares (exact for sub-float64)
            row = w[i].astype(np.float64)
            if dtype != "float64":
                assert float(s2[i]) == pytest.approx(math.fsum((row * row).tolist()), rel=50 * 2.0 ** -53)
            assert float(s1[i]) == pytest.approx(math.fsum(np.abs(row).tolist()), rel=50 * 2.0 ** -53)
