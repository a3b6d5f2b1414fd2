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

`--seconds S` makes it the time-boxed long run: each route draws as many cases
as fit in its share of S (chunks of CHUNK cases, chunk k under Hypothesis seed k,
so every chunk is reproducible), and `--jobs N` deals the routes round-robin to N
worker processes (each gets S of wall time for its routes), whose figures are merged.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
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

    @classmethod
    def merged(cls, dicts):
        """One DtypeStat from several workers' as_dict() figures of the same dtype."""
        out = cls(dicts[0]["dtype"])
        for d in dicts:
            out.cases += d["cases"]
            out.nonzero += d["nonzero"]
            if d["worst_ratio"] > out.worst_ratio or not out.worst_ratio_case:
                out.worst_ratio, out.worst_ratio_case = d["worst_ratio"], d["worst_ratio_case"]
            if d["rtol_at_worst_rel"] is not None and (d["worst_rel"] > out.worst_rel or out.rtol_at_worst_rel is None):
                out.worst_rel, out.rtol_at_worst_rel, out.worst_rel_case = (
                    d["worst_rel"], d["rtol_at_worst_rel"], d["worst_rel_case"])
            out.min_rtol, out.max_rtol = min(out.min_rtol, d["min_rtol"]), max(out.max_rtol, d["max_rtol"])
        return out


def sample_route(api, route, n_examples, stats, alarms, dtypes=None, hypothesis_seed=None):
    """Verify `route` on n cases, derandomized or under `hypothesis_seed` (in `dtypes` only, when given);
    return (cases, seconds)."""
    from hypothesis import HealthCheck, assume, given, seed, settings
    from ..numerics import tolerance
    from ..harness import case_from_plan, expectation, in_range, verify
    from ..strategies import plans
    count = [0]
    taken = [d for d in route.supported_dtypes(api) if dtypes is None or d in dtypes]
    if not taken:
        return 0, 0.0

    @settings(max_examples=n_examples, deadline=None, derandomize=hypothesis_seed is None, database=None,
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

    if hypothesis_seed is not None:
        check = seed(hypothesis_seed)(check)
    start = time.time()
    check()
    return count[0], time.time() - start


CHUNK = 100  # cases per seeded chunk of a time-boxed route


def sample_route_for(api, route, seconds, stats, alarms, dtypes=None):
    """Verify `route` on seeded chunks of CHUNK cases (seeds 0, 1, ...) until `seconds` have passed
    (a chunk that has started finishes); return (cases, seconds)."""
    cases, spent, chunk = 0, 0.0, 0
    while spent < seconds:
        n, took = sample_route(api, route, CHUNK, stats, alarms, dtypes, hypothesis_seed=chunk)
        if not n:
            break
        cases, spent, chunk = cases + n, spent + took, chunk + 1
    return cases, spent


def _shard(routes, shard):
    """Routes i, i + n, i + 2n, ... for shard "i/n"."""
    if not shard:
        return routes
    i, n = (int(x) for x in shard.split("/"))
    return routes[i::n]


def _run_jobs(args):
    """--jobs N: N worker processes of this command, one shard each; their JSON figures merged."""
    tmp = tempfile.mkdtemp(prefix="tolerance-check-")
    procs, paths = [], []
    for i in range(args.jobs):
        path = os.path.join(tmp, "shard%d.json" % i)
        cmd = [sys.executable, "-m", "equivalence", "tolerance-check", "--shard", "%d/%d" % (i, args.jobs),
               "--json", path, "--examples", str(args.examples)]
        if args.seconds:
            cmd += ["--seconds", str(args.seconds)]
        if args.dtypes:
            cmd += ["--dtypes", args.dtypes]
        log = open(os.path.join(tmp, "shard%d.log" % i), "w")
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))
        paths.append(path)
    codes = []
    for proc, log in procs:
        codes.append(proc.wait())
        log.close()
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print("worker(s) wrote no figures: %s (logs in %s)" % (missing, tmp))
        return 2
    shards = [json.load(open(p)) for p in paths]
    by_dtype = {}
    for sh in shards:
        for dtype, d in sh["dtypes"].items():
            by_dtype.setdefault(dtype, []).append(d)
    stats = dict((dtype, DtypeStat.merged(ds)) for dtype, ds in by_dtype.items())
    alarms = [a for sh in shards for a in sh["false_alarms"]]
    throughput = [t for sh in shards for t in sh["throughput"]]
    for t in sorted(throughput, key=lambda t: t["route"]):
        _print_route(t)
    print("(%d worker processes; logs in %s)" % (args.jobs, tmp))
    return _summarize(shards[0]["environment"], args, stats, alarms, throughput)


def _print_route(t, write=print):
    write("  %-62s %6d cases %7.1f s %7.1f cases/s" % (t["route"], t["cases"], t["seconds"], t["cases_per_second"]))


def main(args):
    if getattr(args, "jobs", 1) > 1:
        return _run_jobs(args)
    from ..environment import get_api
    from ..routes import ROUTES
    api = get_api()
    routes = _shard([r for r in ROUTES if r.unavailable(api) is None], getattr(args, "shard", None))
    dtypes = args.dtypes.split(",") if getattr(args, "dtypes", None) else None
    seconds = getattr(args, "seconds", None)
    per_route = seconds / float(len(routes)) if seconds and routes else None
    print("tolerance check on %s, %s per route%s%s" % (
        api.describe(), "%.0f s of seeded chunks" % per_route if per_route else
        "%d derandomized examples" % args.examples, " in %s" % ", ".join(dtypes) if dtypes else "",
        ", shard %s" % args.shard if getattr(args, "shard", None) else ""))
    stats, alarms, throughput = {}, [], []
    from ..console import Progress
    progress = Progress(len(routes), "tolerance-check")
    for r in routes:
        progress(r.name)
        if per_route:
            n, took = sample_route_for(api, r, per_route, stats, alarms, dtypes)
        else:
            n, took = sample_route(api, r, args.examples, stats, alarms, dtypes)
        if not n:
            continue
        rate = n / took if took else float("nan")
        throughput.append({"route": r.name, "cases": n, "seconds": took, "cases_per_second": rate,
                           "long_run_hours": LONG_RUN / rate / 3600.0 if rate else None})
        _print_route(throughput[-1], progress.write)
    progress.close()
    return _summarize(api.versions(), args, stats, alarms, throughput)


def _summarize(environment, args, stats, alarms, throughput):
    """Print the per-dtype table, throughput and false alarms; write --json; 0 when the bound held."""
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
            json.dump({"environment": environment, "examples_per_route": args.examples,
                       "seconds": getattr(args, "seconds", None), "jobs": getattr(args, "jobs", 1),
                       "dtypes": {d: s.as_dict() for d, s in stats.items()}, "throughput": throughput,
                       "false_alarms": alarms, "long_run_hours": hours}, f, indent=2, default=str)
    return 0 if safe and not alarms else 1
