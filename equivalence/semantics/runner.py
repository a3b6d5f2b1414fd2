"""Containment: run probes in a worker process, so a crash or hang is one cell's outcome.

The parent sends the worker a list of cell keys; the worker answers one line
per cell (`@@cell <json>`), flushing after each. When the worker dies (a
segfault, an abort in a TensorFlow kernel, os._exit) or stays silent longer
than the timeout, the cell it was on gets the observation
{"contained": "crashed"} or {"contained": "timeout"}, the worker is killed
and a fresh one runs the remaining cells. A fresh process also means no
probe can leak graph state, Keras name counters or eager context into a
cell that runs in another batch.

A mutant active in this process (mutants.py) is activated in the worker too:
the probes must see the broken API the tests run under.
"""

import json
import os
import select
import subprocess
import sys
import time

MARKER = "@@cell "
# The first answer includes importing TensorFlow (up to ~40 s on a loaded 2-core machine).
STARTUP_SECONDS = 240
CELL_SECONDS = 120
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cells(keys, cell_seconds=CELL_SECONDS, startup_seconds=STARTUP_SECONDS, options=None):
    """Observations for `keys` (lists of strings), as {tuple(key): observation}.

    options: what the worker sets up before TensorFlow starts, e.g. {"logical_cpus": 2} (worker.py)."""
    results = {}
    pending = [list(k) for k in keys]
    while pending:
        answered, failure = _one_worker(pending, cell_seconds, startup_seconds, options or {})
        results.update(answered)
        pending = [k for k in pending if tuple(k) not in results]
        if failure and pending:
            # The worker died or hung on the first cell it had not answered.
            results[tuple(pending[0])] = {"contained": failure}
            pending = pending[1:]
    return results


def _one_worker(keys, cell_seconds, startup_seconds, options):
    proc = subprocess.Popen([sys.executable, "-m", "equivalence.semantics.worker"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    from ..selfvalidation.mutants import ACTIVE
    request = dict(options, keys=keys, mutants=[m.name for m in ACTIVE])
    proc.stdin.write(json.dumps(request).encode("utf-8"))
    proc.stdin.close()
    answered, buf, failure = {}, b"", None
    deadline = time.time() + startup_seconds
    fd = proc.stdout.fileno()
    try:
        while len(answered) < len(keys):
            ready, _, _ = select.select([fd], [], [], max(deadline - time.time(), 0))
            if not ready:
                failure = "timeout"
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                failure = "crashed"
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                if text.startswith(MARKER):
                    record = json.loads(text[len(MARKER):])
                    answered[tuple(record["key"])] = record["obs"]
                    deadline = time.time() + cell_seconds
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
    return answered, failure
