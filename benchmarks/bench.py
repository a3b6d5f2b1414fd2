"""Benchmark: what the suite's harness costs next to the TensorFlow calls it checks.

  python -m benchmarks.bench                     all three tables on the installed TensorFlow
  python -m benchmarks.bench --no-large          only the per-route harness/bare table
  python -m benchmarks.bench --no-large --no-overhead --end-to-end 100
                                                 only the end-to-end table (value-test examples/s per route)
  python -m benchmarks.bench --suite-envs tf16-py36,tf221-keras3-py311
                                                 also the wall time of `tox -e ENV` (default profile)
  tox -e bench                                   the same, in the default TensorFlow (2.21, Keras 3)

1. Harness overhead, per route: the best of --repeat runs of `harness.verify`
   (fresh graph and session, read-back, reference, judgement) next to the best
   of the bare calls the route needs (the same build function in a fresh graph
   and session, variables initialized, the penalty run once; no read-back, no
   reference), interleaved in one run, and their ratio. Goal: <= 1.3.
2. Large weights, 2**20 .. 2**26 float32 elements: per route, `verify` time
   over the time of the suite's NumPy reference for the same array, and the peak
   resident memory `verify` adds over the array's own size. Each size runs in a
   fresh subprocess; the peak is reset per route through /proc/self/clear_refs.
   Goal at 2**24: time <= 3x, memory <= 3x.
3. Suite wall time per tox env with the default Hypothesis profile (`dev`).
4. End to end, per route (`--end-to-end N`): what a user of the suite waits for.
   The value test itself (tests/test_values.py::test_penalty_matches_reference)
   runs N derandomized Hypothesis examples in this process, after a warm-up of
   5 that is not counted (the suite's first test pays TensorFlow's first-call
   setup once per process, not per route). Shares of the time: drawing the plan
   (Hypothesis' engine and strategies, and the test body's glue), evaluating the
   initializer (`initializers.materialize`), TensorFlow (`harness.run_route`:
   build, run, read back) and judging (reference, tolerance, bit check). Beside
   it, the bare calls' time on the very cases that were verified, and the goal
   per example: <= 2 x bare + 1 ms.

Timings are wall clock (time.perf_counter). The overhead table takes the best
of N interleaved runs (as `timeit` advises: slower runs measure other load on
the machine, not the code); the large-weights table takes medians.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def bare_calls(api, route, weights, dtype, lam):
    """What a user's program does for this route: build, initialize, run the penalty once."""
    from equivalence.harness import WeightSource
    if route.runs_in_graph(api):
        graph = api.tf.Graph()
        with graph.as_default():
            source = WeightSource(api, weights, dtype, graph_mode=True)
            built = route.build(api, source, lam)
            with api.v1.Session(graph=graph) as sess:
                sess.run(api.v1.global_variables_initializer(), feed_dict=source.feed)
                if not isinstance(built.loss, float):
                    return sess.run(built.loss)
                return built.loss
    source = WeightSource(api, weights, dtype, graph_mode=False)
    built = route.build(api, source, lam)
    return built.loss.numpy() if hasattr(built.loss, "numpy") else built.loss


def _routes(api):
    from equivalence.routes import ROUTES
    return [r for r in ROUTES if r.unavailable(api) is None and r.dtype_unavailable(api, "float32") is None]


def overhead_table(api, repeat, shape):
    from equivalence.harness import case_from_plan, verify
    from equivalence.initializers import InitSpec
    from equivalence.strategies import Plan
    print("\n== harness overhead: best of %d interleaved runs, float32 %s, glorot_uniform ==" % (repeat, shape))
    print("%-62s %10s %10s %7s" % ("route", "bare ms", "verify ms", "ratio"))
    worst = 0.0
    for route in _routes(api):
        case = case_from_plan(api, Plan("float32", shape, InitSpec("glorot_uniform", seed=0), 0.01))
        weights = route.adapt(case.weights)
        bare_calls(api, route, weights, "float32", 0.01)  # first-call kernel setup, not measured
        assert verify(api, route, case).ok
        bare, full = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            bare_calls(api, route, weights, "float32", 0.01)
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            verify(api, route, case)
            full.append(time.perf_counter() - t)
        b, f = min(bare), min(full)
        worst = max(worst, f / b)
        print("%-62s %10.2f %10.2f %7.3f" % (route.name[:62], b * 1e3, f * 1e3, f / b))
    print("worst ratio: %.3f (goal <= 1.3)" % worst)
    return worst


# -- large weights ----------------------------------------------------------

def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except (IOError, OSError):
        return False


def large_one_size(exponent, repeat):
    """In a fresh process: every route on 2**exponent float32 elements; JSON rows on stdout."""
    from equivalence.environment import get_api
    from equivalence.harness import Case, verify
    from equivalence.initializers import InitSpec
    from equivalence.numerics import reduction
    api = get_api()
    n = 2 ** exponent
    side = 2 ** (exponent // 2)
    rng = np.random.RandomState(exponent)
    rows = []
    for route in _routes(api):
        dtype = reduction.large_weights_dtype(api, route, n)
        if dtype is None:
            rows.append({"route": route.name, "skipped": "no dtype whose bound detects 0.1%"})
            continue
        w = rng.uniform(-1.0, 1.0, size=(side, n // side)).astype(api.numpy_dtype(dtype))
        case = Case(w, dtype, 0.01, InitSpec("array", array=None))
        verify(api, route, Case(w[:8, :8].copy(), dtype, 0.01, case.init))  # kernel setup, not measured
        ref_times, bare_times, times, peaks, ok = [], [], [], [], True
        for _ in range(repeat):
            gc.collect()
            t = time.perf_counter()
            route.reference(route.adapt(w), 0.01)
            ref_times.append(time.perf_counter() - t)
            gc.collect()
            t = time.perf_counter()
            bare_calls(api, route, route.adapt(w), dtype, 0.01)
            bare_times.append(time.perf_counter() - t)
            gc.collect()
            can_reset = _reset_peak()
            before = _status_kib("VmRSS")
            t = time.perf_counter()
            verdict = verify(api, route, case)
            times.append(time.perf_counter() - t)
            ok = ok and verdict.ok
            if can_reset:
                peaks.append((_status_kib("VmHWM") - before) * 1024.0)
            del verdict
        rows.append({"route": route.name, "dtype": dtype, "n": n, "ok": ok,
                     "verify_s": _median(times), "reference_s": _median(ref_times),
                     "bare_s": _median(bare_times),
                     "peak_bytes": max(peaks) if peaks else None, "array_bytes": w.nbytes})
        del w, case
    print("BENCH-JSON " + json.dumps(rows))


def large_table(exponents, repeat):
    print("\n== large weights: verify time / NumPy reference time, peak RSS added / array bytes ==")
    print("(median of %d; a fresh process per size; float32 unless the release's reduction forces float64)"
          % repeat)
    print("(bare: the route's TensorFlow calls alone; own: verify - bare - ref, i.e. read-back and bit check)")
    print("%-62s %4s %8s %8s %8s %9s %7s %6s %6s %3s" % ("route", "2^k", "dtype", "bare ms", "ref ms",
                                                        "verify ms", "own ms", "time x", "mem x", "ok"))
    worst = {}
    for k in exponents:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--one-large", str(k),
                              "--repeat", str(repeat)], cwd=HERE, stdout=subprocess.PIPE,
                             universal_newlines=True)
        lines = [l for l in out.stdout.splitlines() if l.startswith("BENCH-JSON ")]
        if out.returncode != 0 or not lines:
            print("2^%d: failed (exit %d; out of memory?)" % (k, out.returncode))
            continue
        for row in json.loads(lines[-1][len("BENCH-JSON "):]):
            if "skipped" in row:
                print("%-62s %4d  skipped: %s" % (row["route"][:62], k, row["skipped"]))
                continue
            tx = row["verify_s"] / row["reference_s"]
            mx = row["peak_bytes"] / row["array_bytes"] if row["peak_bytes"] is not None else float("nan")
            w = worst.setdefault(k, [0.0, 0.0, 0.0])
            w[0], w[1] = max(w[0], tx), max(w[1], mx)
            w[2] = max(w[2], row["verify_s"] / (row["bare_s"] + row["reference_s"]))
            own = row["verify_s"] - row["bare_s"] - row["reference_s"]
            print("%-62s %4d %8s %8.1f %8.1f %9.1f %7.1f %6.2f %6.2f %3s" % (
                row["route"][:62], k, row["dtype"], row["bare_s"] * 1e3, row["reference_s"] * 1e3,
                row["verify_s"] * 1e3, own * 1e3, tx, mx, "ok" if row["ok"] else "NO"))
    for k in sorted(worst):
        print("2^%d worst: time %.2fx, memory %.2fx%s; verify / (bare + ref) %.2f" % (
            k, worst[k][0], worst[k][1], "  (goal <= 3x, 3x)" if k == 24 else "", worst[k][2]))
    return worst


def suite_table(envs, extra):
    print("\n== suite wall time, default Hypothesis profile (dev) ==")
    env = dict(os.environ, HYPOTHESIS_PROFILE="dev", UV_PYTHON_DOWNLOADS="never")
    env.pop("CI", None)
    for name in envs:
        t = time.perf_counter()
        rc = subprocess.call(["tox", "-qq", "-e", name, "--"] + ["tests", "-q"] + extra, cwd=HERE, env=env,
                             stdout=subprocess.DEVNULL)
        print("%-24s %8.1f s  %s" % (name, time.perf_counter() - t, "passed" if rc == 0 else "FAILED (%d)" % rc))


# -- end to end: the value test, per route ------------------------------------

class _Phases(object):
    """Seconds spent in each wrapped function, and the cases `verify` saw."""

    def __init__(self):
        self.seconds = {"init": 0.0, "tf": 0.0, "verify": 0.0, "judge": 0.0}
        self.cases = []

    def wrap(self, module, name, phase, keep_case=False):
        fn = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - t
                if keep_case:
                    self.cases.append((args[1], args[2]))
        setattr(module, name, timed)
        return fn


def end_to_end_route(api, route, n_examples):
    """One route through the value test: {examples, seconds, shares, bare seconds per case}."""
    from hypothesis import settings
    from equivalence import harness, initializers
    from equivalence.harness import EXAMPLES
    import conftest  # noqa: F401  the suite's Hypothesis profiles (ci)
    import tests.route_cases
    import tests.test_values as test_values
    from hypothesis import given, strategies as st
    # The value test's own example (test_values.penalty_matches_reference), under the ci profile with
    # n examples: derandomized, it draws what the suite draws (the draws follow from its source).
    example = test_values.penalty_matches_reference
    base = settings.get_profile("ci")

    def with_examples(n):
        return settings(base, max_examples=n, database=None)(given(data=st.data())(example))
    with_examples(5)(api=api, route=route)
    test = with_examples(n_examples)
    phases = _Phases()
    originals = [(initializers, "materialize", phases.wrap(initializers, "materialize", "init")),
                 (harness, "run_route", phases.wrap(harness, "run_route", "tf")),
                 (test_values, "verify", phases.wrap(test_values, "verify", "verify", keep_case=True)),
                 (test_values, "expectation", phases.wrap(test_values, "expectation", "judge")),
                 (tests.route_cases, "in_range", phases.wrap(tests.route_cases, "in_range", "judge"))]
    before = EXAMPLES[route.name]
    t, cpu = time.perf_counter(), time.process_time()
    try:
        test(api=api, route=route)
    finally:
        total, cpu = time.perf_counter() - t, time.process_time() - cpu
        for module, name, fn in originals:
            setattr(module, name, fn)
    n = EXAMPLES[route.name] - before
    s = phases.seconds
    judge = s["judge"] + s["verify"] - s["tf"]
    draw = total - s["init"] - s["verify"] - s["judge"]
    bare = []
    for _, case in phases.cases:
        t = time.perf_counter()
        bare_calls(api, route, route.adapt(case.weights), case.dtype, case.lam)
        bare.append(time.perf_counter() - t)
    return {"route": route.name, "examples": n, "seconds": total, "cpu_seconds": cpu,
            "draw": draw, "init": s["init"], "tf": s["tf"], "judge": judge,
            "bare_per_case": sum(bare) / len(bare) if bare else float("nan")}


def end_to_end_table(api, n_examples, only=None):
    from equivalence.routes import ROUTES
    print("\n== end to end: the value test, %d derandomized examples per route, one process ==" % n_examples)
    print("(shares of the time per example: draw = Hypothesis and the test's glue, init = initializer")
    print(" evaluation, tf = harness.run_route, judge = reference + tolerance + bit check; bare = the")
    print(" route's TensorFlow calls alone on the same cases; goal per example <= 2 x bare + 1 ms)")
    print(" cpu ms = process CPU time per case, all threads: the figure that load on the machine moves least)")
    print("%-62s %5s %8s %7s %6s %5s %5s %5s %5s %8s %8s %5s" % (
        "route", "cases", "cases/s", "ms/case", "cpu ms", "draw", "init", "tf", "judge", "bare ms",
        "bare c/s", "goal"))
    rows = []
    for route in ROUTES:
        if route.unavailable(api) or (only and only not in route.name):
            continue
        row = end_to_end_route(api, route, n_examples)
        rows.append(row)
        n = max(row["examples"], 1)
        per = row["seconds"] / n
        goal = per <= 2 * row["bare_per_case"] + 1e-3
        print("%-62s %5d %8.1f %7.2f %6.2f %4.0f%% %4.0f%% %4.0f%% %4.0f%% %8.2f %8.1f %5s" % (
            route.name[:62], row["examples"], n / row["seconds"], per * 1e3, row["cpu_seconds"] / n * 1e3,
            100 * row["draw"] / row["seconds"], 100 * row["init"] / row["seconds"],
            100 * row["tf"] / row["seconds"], 100 * row["judge"] / row["seconds"],
            row["bare_per_case"] * 1e3, 1.0 / row["bare_per_case"], "met" if goal else "no"))
    print("BENCH-E2E-JSON " + json.dumps(rows))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--shape", default="64,32", help="weights for the overhead table (default 64,32)")
    p.add_argument("--large", default="20-26", help="exponents for the large-weights table (default 20-26)")
    p.add_argument("--large-repeat", type=int, default=3)
    p.add_argument("--no-large", action="store_true")
    p.add_argument("--no-overhead", action="store_true")
    p.add_argument("--suite-envs", default="", help="comma-separated tox envs to time (default: none)")
    p.add_argument("--suite-args", default="", help="extra pytest arguments for the timed runs, e.g. '-n 2'")
    p.add_argument("--end-to-end", type=int, default=0, metavar="N",
                   help="also the end-to-end table: N value-test examples per route (e.g. 100)")
    p.add_argument("--route", default=None, help="only routes whose name contains this (end-to-end table)")
    p.add_argument("--one-large", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one_large is not None:
        large_one_size(args.one_large, args.large_repeat)
        return 0
    from equivalence.environment import get_api
    api = get_api()
    print("regequiv benchmark: %s" % api.describe())
    if not args.no_overhead:
        overhead_table(api, args.repeat, tuple(int(s) for s in args.shape.split(",")))
    if not args.no_large:
        lo, _, hi = args.large.partition("-")
        large_table(range(int(lo), int(hi or lo) + 1), args.large_repeat)
    if args.end_to_end:
        end_to_end_table(api, args.end_to_end, args.route)
    if args.suite_envs:
        suite_table([e for e in args.suite_envs.split(",") if e], args.suite_args.split())
    return 0


if __name__ == "__main__":
    sys.exit(main())
