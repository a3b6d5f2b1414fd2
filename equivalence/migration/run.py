"""The migration run: this release's tf_upgrade_v2 on every corpus program, and what the result does.

For one TF 2.x env (its interpreter, `python`):

1. convert: copy the corpus to a temporary folder and run that env's own
   converter once over it, `tf_upgrade_v2 --intree in --outtree out
   --reportfile report.txt` (the console script next to the interpreter; if a
   release lacked it, `python -m tensorflow.tools.compatibility.tf_upgrade_v2_main`;
   while a converter mutant is active, the wrapper equivalence.migration.convert).
   Kept per program: the converted source, the report's section for the file
   and its ERROR / WARNING count (the converter's verdict: "0 issues" means it
   claims the output needs no attention).
2. run the converted program in its own subprocess, as written, and once more
   in graph mode: the line `tf.compat.v1.disable_eager_execution()` inserted
   after `import tensorflow as tf` (the migration guide's first step for
   TF1-style code; tensorflow.org/guide/migrate).
3. judge each run against the NumPy reference of the program's record
   (programs.py) with the derived tolerance, and, in the sweep, against the
   original program's number on TF 1.15 and TF 1.6 (two measurements: their
   tolerances add).

An outcome is {"value": float} (the program's REGEQUIV_RESULT line), or
{"raised": "TypeError", "message": first line}, or {"crashed": "..."} (signal,
timeout, no result line). The programs run in subprocesses: a converted program
that crashes or hangs is that cell's outcome, not the end of the run. The
converter runs in a subprocess too, except where the caller's own interpreter is
the env's (`here=True`, the tests): then its console script's main() runs in
the caller's process.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from .programs import PROGRAMS

RESULT = re.compile(r"^REGEQUIV_RESULT (\S+)\s*$", re.M)
EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning))(?:: (.*))?$")
GRAPH_MODE_LINE = "tf.compat.v1.disable_eager_execution()"
IMPORT_LINE = re.compile(r"^import tensorflow as tf\s*$", re.M)
FINDING = re.compile(r"^\d+:\d+: (ERROR|WARNING): (.*)$", re.M)
TIMEOUT = 600
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def subprocess_env(legacy=None, mutant=None):
    """The environment of a converter or program subprocess: this one, quiet, with the flavour's
    TF_USE_LEGACY_KERAS (legacy=None: as in this process), and REGEQUIV_MUTANT only for the converter."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")
    env.pop("REGEQUIV_MUTANT", None)
    if legacy is True:
        env["TF_USE_LEGACY_KERAS"] = "1"
    elif legacy is False:
        env.pop("TF_USE_LEGACY_KERAS", None)
    if mutant:
        env["REGEQUIV_MUTANT"] = mutant
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(command, env, cwd, timeout=TIMEOUT):
    start = time.time()
    try:
        proc = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %d s" % timeout, time.time() - start
    return proc.returncode, proc.stdout, proc.stderr, time.time() - start


def converter_command(python, mutant=None):
    """How this env runs its converter (see module doc)."""
    if mutant:
        return [python, "-m", "equivalence.migration.convert"]
    script = os.path.join(os.path.dirname(python), "tf_upgrade_v2")
    if os.path.exists(script):
        return [script]
    return [python, "-m", "tensorflow.tools.compatibility.tf_upgrade_v2_main"]


def _converter_here(args, cwd):
    """The console script's own call, `tf_upgrade_v2_main.main()` with `args` as its command line, in this
    process and from `cwd` (the script is three lines around that call). The converter is a pure-Python AST
    rewrite, so it does in this process what it does in a fresh one, without importing TensorFlow again
    (~12 s of CPU per TF 2.x env here). (exit code, stdout, stderr, seconds), as _run gives."""
    import contextlib
    import io
    import sys
    import traceback
    from tensorflow.tools.compatibility.tf_upgrade_v2_main import main
    out, err = io.StringIO(), io.StringIO()
    argv, here, start = sys.argv, os.getcwd(), time.time()
    try:
        sys.argv = ["tf_upgrade_v2"] + list(args)
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main() or 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:
                err.write(traceback.format_exc())
                code = 1
    finally:
        sys.argv = argv
        os.chdir(here)
    return code, out.getvalue(), err.getvalue(), time.time() - start


def converter_available(python):
    """None when `python`'s env has a TF 2.x converter, else why not."""
    script = os.path.join(os.path.dirname(python), "tf_upgrade_v2")
    return None if os.path.exists(script) else "no tf_upgrade_v2 console script next to %s" % python


def _sections(report):
    """{file stem: that file's part of the converter's detailed log}."""
    out = {}
    parts = re.split(r"^Processing file '([^']+)'\s*$", report, flags=re.M)
    for path, body in zip(parts[1::2], parts[2::2]):
        out[os.path.splitext(os.path.basename(path))[0]] = body.strip("-\n ")
    return out


def convert(python, programs=PROGRAMS, workdir=None, legacy=None, mutant=None, here=False):
    """Run this env's converter once over the corpus. Returns {"command", "summary", "seconds",
    "programs": {name: {"converted", "report", "issues", "findings"}}} or {"error": ...}.
    here: `python` is this process' interpreter, so run the console script's main() in this process
    (_converter_here; not under a converter mutant, whose wrapper is its own process)."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="regequiv-migrate-")
    try:
        src, dst = os.path.join(workdir, "in"), os.path.join(workdir, "out")
        os.makedirs(src)
        for p in programs:
            shutil.copy(p.path, os.path.join(src, p.name + ".py"))
        command = converter_command(python, mutant) + ["--intree", "in", "--outtree", "out",
                                                       "--reportfile", "report.txt"]
        if here and not mutant:
            code, out, err, seconds = _converter_here(command[-6:], workdir)
        else:
            code, out, err, seconds = _run(command, subprocess_env(legacy, mutant), workdir)
        result = {"command": " ".join(["tf_upgrade_v2"] + command[-6:]) if not mutant else " ".join(command),
                  "seconds": round(seconds, 1), "programs": {}}
        report_path = os.path.join(workdir, "report.txt")
        if code != 0 or not os.path.exists(report_path):
            result["error"] = "converter exit %s: %s" % (code, _last_lines(err or out))
            return result
        with open(report_path) as f:
            report = f.read()
        summary = re.search(r"Detected (\d+) issues", report)
        result["summary"] = summary.group(0) + " that require attention" if summary else _last_lines(report)
        sections = _sections(report)
        for p in programs:
            path = os.path.join(dst, p.name + ".py")
            if not os.path.exists(path):
                result["programs"][p.name] = {"error": "the converter wrote no %s.py" % p.name}
                continue
            with open(path) as f:
                converted = f.read()
            section = sections.get(p.name, "")
            findings = ["%s: %s" % m for m in FINDING.findall(section)]
            result["programs"][p.name] = {"converted": converted, "report": section,
                                          "issues": len(findings), "findings": findings}
        return result
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def graph_mode(source):
    """The source with graph mode enabled right after `import tensorflow as tf` (ValueError if absent)."""
    m = IMPORT_LINE.search(source)
    if not m:
        raise ValueError("no `import tensorflow as tf` line to enable graph mode after")
    return source[:m.end()] + "\n" + GRAPH_MODE_LINE + source[m.end():]


def parse_outcome(code, out, err, path):
    """What one program run did (see module doc); `line` is the program's line an exception came from."""
    found = RESULT.findall(out)
    if code == 0 and found:
        try:
            return {"value": float(found[-1])}
        except ValueError:
            return {"crashed": "unparsable result %r" % found[-1]}
    if code is None:
        return {"crashed": err}
    lines = [l for l in err.strip().splitlines() if l.strip()]
    outcome = {"crashed": "exit %d: %s" % (code, _last_lines(err or out))}
    if code < 0:
        try:
            outcome["crashed"] = "killed by %s" % signal.Signals(-code).name
        except ValueError:
            pass
        return outcome
    for i in range(len(lines) - 1, -1, -1):
        m = EXCEPTION.match(lines[i].strip())
        if m and not lines[i].startswith(" "):
            outcome = {"raised": m.group(1).split(".")[-1], "message": (m.group(2) or "")[:300]}
            break
    where = re.findall(r'File "%s", line (\d+)' % re.escape(path), err)
    if where:
        outcome["line_number"] = int(where[-1])
    return outcome


def run_source(python, source, name, legacy=None, workdir=None):
    """Run one program's source in a fresh subprocess of `python`; its outcome, with the failing line."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="regequiv-run-")
    try:
        path = os.path.join(workdir, name + ".py")
        with open(path, "w") as f:
            f.write(source)
        code, out, err, seconds = _run([python, path], subprocess_env(legacy), workdir)
        outcome = parse_outcome(code, out, err, path)
        _attach_line(outcome, source)
        outcome["seconds"] = round(seconds, 1)
        return outcome
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


# One interpreter for several programs: each runs with runpy as __main__, its stdout captured, its
# exception formatted, then the default graph is reset. Importing TensorFlow once instead of per
# program is most of the cost (5-15 s per import on this machine). A program that kills the process
# ends the batch; run_batch then runs every program without a record in its own subprocess.
BATCH_DRIVER = r"""
import contextlib, io, json, runpy, sys, traceback
for path in sys.argv[1:]:
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            err.write(traceback.format_exc())
            code = 1
    try:
        import tensorflow as tf
        v1 = getattr(getattr(tf, "compat", None), "v1", None)  # TF 1.6-1.12 have no tf.compat.v1
        (getattr(v1, "reset_default_graph", None) or tf.reset_default_graph)()
    except Exception as exc:
        sys.__stderr__.write("regequiv batch: the default graph was not reset: %r\n" % (exc,))
    sys.__stdout__.write("REGEQUIV_BATCH " + json.dumps({"path": path, "code": code, "out": out.getvalue(),
                                                         "err": err.getvalue()}) + "\n")
    sys.__stdout__.flush()
"""


def run_batch(python, sources, legacy=None):
    """{name: outcome} for [(name, source)], all in one subprocess of `python` (see BATCH_DRIVER);
    programs the batch did not finish run again one subprocess each."""
    workdir = tempfile.mkdtemp(prefix="regequiv-batch-")
    try:
        paths = {}
        for name, source in sources:
            paths[name] = os.path.join(workdir, name + ".py")
            with open(paths[name], "w") as f:
                f.write(source)
        driver = os.path.join(workdir, "regequiv_batch_driver.py")
        with open(driver, "w") as f:
            f.write(BATCH_DRIVER)
        code, out, err, seconds = _run([python, driver] + [paths[n] for n, _ in sources],
                                       subprocess_env(legacy), workdir)
        records = {}
        for line in out.splitlines():
            if line.startswith("REGEQUIV_BATCH "):
                r = json.loads(line[len("REGEQUIV_BATCH "):])
                records[r["path"]] = r
        outcomes = {}
        for name, source in sources:
            r = records.get(paths[name])
            if r is None:
                outcomes[name] = run_source(python, source, name, legacy=legacy)
                outcomes[name]["contained"] = "own process (the batch died: %s)" % _last_lines(err)
                continue
            outcome = parse_outcome(r["code"], r["out"], r["err"], paths[name])
            _attach_line(outcome, source)
            outcome["contained"] = "batch"
            outcomes[name] = outcome
        return outcomes
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _attach_line(outcome, source):
    if "line_number" in outcome:
        lines = source.splitlines()
        n = outcome.pop("line_number")
        if 0 < n <= len(lines):
            outcome["line"] = lines[n - 1].strip()


def _last_lines(text, n=2):
    lines = [l.strip() for l in (text or "").strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:])[:300]


# -- judging -------------------------------------------------------------------
def judge(outcome, expected, tol):
    """"same number", "different number: got G, expected E", "raises T: msg" or "crashed: ..."."""
    if "value" in outcome:
        got = outcome["value"]
        if tol.accepts(got, expected):
            return "same number"
        return "different number: got %r, expected %r (x%.4g)" % (got, expected, got / expected if expected
                                                                 else float("inf"))
    if "raised" in outcome:
        return "raises %s: %s" % (outcome["raised"], outcome.get("message", ""))
    return "crashed: %s" % outcome.get("crashed")


def describe(outcome):
    """A short cell: the number, or the exception type."""
    if "value" in outcome:
        return "%.6g" % outcome["value"]
    if "raised" in outcome:
        return outcome["raised"]
    return "crashed"


CONVERTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "converted")


class Carried(object):
    """Another release's converter output, kept under converted/ and run on this release too:
    `label` is its file's stem (<program>.tf<major>_<minor>), `program` the corpus record it came from."""

    def __init__(self, label, program):
        self.label, self.program = label, program

    @property
    def path(self):
        return os.path.join(CONVERTED, self.label + ".py")

    def source(self):
        with open(self.path) as f:
            return f.read()


def carried():
    from .programs import SEED
    # TF 2.15's converter on the seed program (tests/test_migration.py checks on 2.15 that it still
    # writes exactly this): the case, the last converter that maps tf.layers to tf.compat.v1.layers.
    return [Carried("seed_dense_collection.tf2_15", SEED)]


def release_entry(python, programs=PROGRAMS, legacy=None, mutant=None, as_written=None, linear=False,
                  carry=None, here=False):
    """The migration result of one TF 2.x env: per program the converter's verdict, the converted source,
    both runs and their verdicts against the reference. `as_written`: the names to also run as written
    (default: all). `carry`: Carried outputs of other releases' converters to run here too (default:
    carried()). Returns {"converter": {...}, "programs": {name: {...}}, "carried": {label: {...}}}."""
    carry = carried() if carry is None else carry
    conversion = convert(python, programs, legacy=legacy, mutant=mutant, here=here)
    entry = {"converter": {k: v for k, v in conversion.items() if k != "programs"}, "programs": {},
             "carried": {}}
    for c in carry:
        expected, tol = c.program.expected(linear)
        entry["carried"][c.label] = {"program": c.program.name, "expected": expected,
                                     "converted_source": c.source()}
    for p in programs:
        expected, tol = p.expected(linear)
        record = {"routes": p.routes, "expected": expected, "tolerance": tol.describe()}
        converted = conversion.get("programs", {}).get(p.name)
        if converted is None or "error" in converted:
            record["converter"] = (converted or {}).get("error") or conversion.get("error")
            entry["programs"][p.name] = record
            continue
        record.update(converted_source=converted["converted"], converter_report=converted["report"],
                      converter="%d issues" % converted["issues"], findings=converted["findings"],
                      regularizer_lines=regularizer_lines(converted["converted"]))
        entry["programs"][p.name] = record
    for mode in ("as_written", "graph_mode"):
        chosen = [p for p in programs if "converted_source" in entry["programs"][p.name]
                  and (mode == "graph_mode" or as_written is None or p.name in as_written)]
        sources = [(p.name, entry["programs"][p.name]["converted_source"]) for p in chosen]
        sources += [(c.label.replace(".", "_"), entry["carried"][c.label]["converted_source"]) for c in carry]
        if mode == "graph_mode":
            sources = [(name, graph_mode(source)) for name, source in sources]
        outcomes = run_batch(python, sources, legacy=legacy) if sources else {}
        for p in chosen:
            expected, tol = p.expected(linear)
            outcomes[p.name]["verdict"] = judge(outcomes[p.name], expected, tol)
            entry["programs"][p.name][mode] = outcomes[p.name]
        for c in carry:
            expected, tol = c.program.expected(linear)
            outcome = outcomes[c.label.replace(".", "_")]
            outcome["verdict"] = judge(outcome, expected, tol)
            entry["carried"][c.label][mode] = outcome
    for record in entry["programs"].values():
        record["upstream_bug"] = upstream_bug(record)
    return entry


def regularizer_lines(source):
    """The converted lines that build a regularizer (what the converter mapping produced)."""
    body = source
    if body.lstrip().startswith('"""'):  # the corpus files' docstrings name the routes: not converted code
        body = body.split('"""', 2)[-1]
    return [l.strip() for l in body.splitlines() if "regularizer" in l and "import" not in l]


def upstream_bug(record):
    """When the converter claims the output needs no attention (0 issues) and a run of it does not
    print the original number: what fails, in which mode, and the converted line. Else None."""
    if record.get("converter") != "0 issues":
        return None
    found = []
    for mode in ("as_written", "graph_mode"):
        outcome = record.get(mode)
        if outcome and outcome["verdict"] != "same number":
            line = outcome.get("line") or "; ".join(record.get("regularizer_lines") or [])
            found.append("%s: %s (converted line: %s)" % (mode.replace("_", " "), outcome["verdict"], line))
    return "; ".join(found) or None


def original_entry(python, programs=PROGRAMS, linear=False):
    """The corpus run unconverted (a TF 1.x env): {name: outcome with its verdict against the reference}."""
    out = run_batch(python, [(p.name, p.source()) for p in programs], legacy=False)
    for p in programs:
        expected, tol = p.expected(linear)
        out[p.name]["verdict"] = judge(out[p.name], expected, tol)
    return out


def compare_with_originals(entry, originals, programs=PROGRAMS):
    """Add, per program and mode, the verdict against each TF 1.x env's original number (tolerances add)."""
    for p in programs:
        record = entry["programs"].get(p.name, {})
        _, tol = p.expected(False)
        for env, results in sorted(originals.items()):
            original = results.get(p.name, {})
            for mode in ("as_written", "graph_mode"):
                outcome = record.get(mode)
                if outcome is None:
                    continue
                if "value" not in original:
                    verdict = "no original number on %s: %s" % (env, judge(original, 0.0, tol))
                else:
                    _, tol1 = p.expected(linear=env in LINEAR_ENVS)
                    verdict = judge(outcome, original["value"], tol + tol1)
                outcome.setdefault("vs_original", {})[env] = verdict
    return entry


# -- the sweep over every env of the history -------------------------------------
ORIGINAL_ENVS = ("tf115-py37", "tf16-py36")
LINEAR_ENVS = ("tf16-py36",)  # reduction.py: releases before 1.15 sum linearly


def env_python(tox_dir, env):
    return os.path.join(tox_dir, env, "bin", "python")


def sweep(tox_dir, envs, progress=None, mutant=None, checkpoint=None):
    """Every TF 2.x env of `envs` that is built under tox_dir: its migration entry, compared with the
    originals on TF 1.15 and 1.6. Returns the JSON-ready result; `checkpoint(result)` after each env."""
    result = {"originals": {}, "releases": {}, "missing": []}
    checkpoint = checkpoint or (lambda r: None)
    for env in ORIGINAL_ENVS:
        python = env_python(tox_dir, env)
        if not os.path.exists(python):
            result["missing"].append(env)
            continue
        if progress:
            progress("%s: the original programs" % env)
        result["originals"][env] = original_entry(python, linear=env in LINEAR_ENVS)
        checkpoint(result)
    for env in envs:
        if env.startswith("tf1"):
            continue
        python = env_python(tox_dir, env)
        if not os.path.exists(python) or converter_available(python):
            result["missing"].append(env)
            continue
        if progress:
            progress("%s: convert and run" % env)
        entry = release_entry(python, legacy="legacy" in env, mutant=mutant)
        entry.update(env_versions(python, legacy="legacy" in env))
        result["releases"][env] = compare_with_originals(entry, result["originals"])
        checkpoint(result)
    return result


def env_versions(python, legacy):
    """TF and Keras versions and flavour of another env, asked from its interpreter."""
    code = ("import os, json; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2');"
            "from equivalence.environment import get_api; a = get_api(); v = a.versions();"
            "print('REGEQUIV_RESULT ' + json.dumps({k: v.get(k) for k in ('tensorflow', 'keras', "
            "'keras_flavour')}, separators=(',', ':')))")
    env = subprocess_env(legacy)
    env["PYTHONPATH"] = ROOT
    code_, out, err, _ = _run([python, "-c", code], env, ROOT)
    found = RESULT.findall(out)
    return json.loads(found[-1]) if found else {"tensorflow": None, "error": _last_lines(err)}
