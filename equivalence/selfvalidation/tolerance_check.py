"""`python -m equivalence tolerance-check`: the tolerance derivation checked empirically.

Every available route (L2, L1 and L1+L2) is verified on `--examples`
derandomized Hypothesis cases, drawn and filtered exactly as in
tests/test_values.py. For each dtype it reports

  worst |got - expected| / bound   must be <= 1 (else the bound is unsafe: a false alarm),
                                   and how far below 1 says how loose the bound is;
  worst |got - expected| / |expected| against the rtol of that case;

and for each route the throughput (cases per second, TensorFlow time included),
from which the wall time of the 10**5-examples-per-route long run is extrapolated.
The run is also a no-false-alarms run: any case outside its bound is listed.
"""

import json
import math
import time

LONG_RUN = 10 ** 5


class DtypeStat(object):
    def __init__(self, dtype):
        self.dtype, self.cases, self.nonzero = dtype, 0, 0
        self.worst_ratio, self.worst_ratio_case = 0.0, ""
        self.worst_rel, self.rtol_at_worst_rel, self.worst_rel_case = 0.0, None, ""
        self.min_rtol, self.max_rtol = float("inf"), 0.0

    def add(self, route, verdict, case):
        got, expected, tol = verdict.measurement.value, verdict.expected.value, verdict.tolerance
        self.cases += 1
        if not (math.isfinite(got) and math.isfinite(expected)):
            return
        error = abs(got - expected)
        bound = tol.bound(expected)
        where = "%s | %s" % (route.name, case.describe())
        ratio = error / bound if bound > 0 else (0.0 if error == 0 else float("inf"))
        if ratio > self.worst_ratio or not self.worst_ratio_case:
            self.worst_ratio, self.worst_ratio_case = ratio, where
        if expected != 0:
            self.nonzero += 1
            self.min_rtol, self.max_rtol = min(self.min_rtol, tol.rtol), max(self.max_rtol, tol.rtol)
            rel = error / abs(expected)
            if rel > self.worst_rel or self.rtol_at_worst_rel is None:
                self.worst_rel, self.rtol_at_worst_rel, self.worst_rel_case = rel, tol.rtol, where

    def as_dict(self):
        return dict(self.__dict__)


def sample_route(api, route, n_examples, stats, alarms, dtypes=None):
    """Verify `route` on n derandomized cases (in `dtypes` only, when given); return (cases, seconds)."""
    from hypothesis import HealthCheck, assume, given, settings
    from ..numerics import tolerance
    from ..harness import case_from_plan, expectation, in_range, verify
    from ..strategies import plans
    count = [0]
    taken = [d for d in route.supported_dtypes(api) if dtypes is None or d in dtypes]
    if not taken:
        return 0, 0.0

    @settings(max_examples=n_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(plan=plans(taken, route.kernel))
    def check(plan):
        case = case_from_plan(api, plan)
        # The filters of test_values, as assumptions so that n counts verified cases as pytest's
        # max_examples does: in range, a lambda the route takes, a total that fits the dtype.
        assume(in_range(case) and route.lambda_unavailable(api, case.lam) is None)
        assume(tolerance.fits(case.dtype, expectation(route, case)[0].value))
        verdict = verify(api, route, case)
        count[0] += 1
        stats.setdefault(case.dtype, DtypeStat(case.dtype)).add(route, verdict, case)
        if not verdict.ok:
            alarms.append(verdict.message)

    start = time.time()
    check()
    return count[0], time.time() - start


def main(args):
    from ..environment import get_api
    from ..routes import ROUTES
    api = get_api()
    routes = [r for r in ROUTES if r.unavailable(api) is None]
    dtypes = args.dtypes.split(",") if getattr(args, "dtypes", None) else None
    print("tolerance check on %s, %d derandomized examples per route%s" % (
        api.describe(), args.examples, " in %s" % ", ".join(dtypes) if dtypes else ""))
    stats, alarms, throughput = {}, [], []
    from ..console import Progress
    progress = Progress(len(routes), "tolerance-check")
    for r in routes:
        progress(r.name)
        n, seconds = sample_route(api, r, args.examples, stats, alarms, dtypes)
        if not n:
            continue
        rate = n / seconds if seconds else float("nan")
        throughput.append({"route": r.name, "cases": n, "seconds": seconds, "cases_per_second": rate,
                           "long_run_hours": LONG_RUN / rate / 3600.0 if rate else None})
        progress.write("  %-62s %6d cases %7.1f s %7.1f cases/s" % (r.name, n, seconds, rate))
    progress.close()

    print("\n| dtype | cases | worst error / bound | worst relative error | rtol there | rtol range |")
    print("|---|---|---|---|---|---|")
    for dtype in sorted(stats):
        s = stats[dtype]
        print("| %s | %d | %.3g | %.3g | %.3g | %.3g .. %.3g |" % (
            dtype, s.cases, s.worst_ratio, s.worst_rel, s.rtol_at_worst_rel or 0.0,
            s.min_rtol if s.nonzero else 0.0, s.max_rtol))
    for dtype in sorted(stats):
        print("  worst %s: %s" % (dtype, stats[dtype].worst_ratio_case))
    total_rate = sum(t["cases"] for t in throughput) / max(sum(t["seconds"] for t in throughput), 1e-9)
    hours = sum(t["long_run_hours"] or 0.0 for t in throughput)
    print("\nthroughput: %.1f cases/s over all routes; 10**5 examples per route (%d routes) would take "
          "%.1f h on this machine" % (total_rate, len(throughput), hours))
    safe = all(s.worst_ratio <= 1.0 for s in stats.values())
    print("false alarms: %d; bound safe in every dtype: %s" % (len(alarms), "yes" if safe else "NO"))
    for message in alarms[:3]:
        print(message)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": api.versions(), "examples_per_route": args.examples,
                       "dtypes": {d: s.as_dict() for d, s in stats.items()}, "throughput": throughput,
                       "false_alarms": alarms, "long_run_hours": hours}, f, indent=2, default=str)
    return 0 if safe and not alarms else 1
