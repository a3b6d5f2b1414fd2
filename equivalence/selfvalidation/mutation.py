"""`python -m equivalence mutate`: run the suite clean, then once per mutant, and print the kill matrix.

Each run is a fresh `python -m pytest` subprocess (a mutant patches TensorFlow
for the whole process) over the mutant's own tests (mutants.OWNER_TESTS: the
value tests for a value mutant, the lambda and collection tables for a
validation mutant; the clean run runs all of them), stopping after --maxfail
failures, with a small --max-examples in the `mutation` profile: ci's
derandomized examples without shrinking (a kill needs one failure, not the
smallest). `--whole-suite` runs every test but tests/harness instead (tests
added later take part; slower), and pytest arguments after `--` replace the
selection for every run.
A mutant is

  killed          the suite failed, and the failure message names the broken API
  killed (blind)  the suite failed, but its message does not name the broken API
  SURVIVED        the suite passed with the API broken
  n/a             the broken API does not exist in this install (with the reason)
  error           pytest could not run (collection or usage error)

The clean run must pass, or no kill means anything. Exit status 0 only when
the clean run passes and every applicable mutant is killed with a message that
names its API.
"""

import json
import os
import re
import subprocess
import sys
import time

# Every test that exercises the upstream APIs; tests/harness tests the suite's own code, which no mutant touches.
DEFAULT_SELECTION = ["tests", "--ignore=tests/harness"]

KILLED, BLIND, SURVIVED, NA, ERROR = "killed", "killed (blind)", "SURVIVED", "n/a", "error"


def pytest_command(max_examples, maxfail, selection):
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf",
            "--maxfail", str(maxfail), "--max-examples", str(max_examples)] + list(selection)


def selection_for(args, mutants):
    """What pytest runs against these mutants (against the union of their tests, for the clean run)."""
    if args.pytest_args:
        return list(args.pytest_args)
    if args.whole_suite:
        return list(DEFAULT_SELECTION)
    return sorted(set(path for m in mutants for path in m.tests))


def run_pytest(command, mutant_name):
    env = dict(os.environ, HYPOTHESIS_PROFILE="mutation")
    env.pop("REGEQUIV_MUTANT", None)
    if mutant_name:
        env["REGEQUIV_MUTANT"] = mutant_name
    start = time.time()
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return proc.returncode, proc.stdout, time.time() - start


# A failure's header: "____ test_id ____", down to one underscore each side when the id is long.
_SECTION = re.compile(r"^_+ (\S.*?) _+$")


def failures(output):
    """[(test id, exception message lines)] for each failure in pytest's long output."""
    found, current = [], None
    for line in output.splitlines():
        header = _SECTION.match(line)
        if header:
            current = (header.group(1), [])
            found.append(current)
        elif line.startswith("=") and "short test summary" in line:
            current = None
        elif current is not None and re.match(r"^E\s", line):
            # pytest prints the exception message of a failure on lines starting with "E  ".
            current[1].append(line[1:].strip())
    return found


def judge(mutant, returncode, output):
    """(status, evidence): the first failure whose message names the broken API, else the first one."""
    if returncode == 0:
        return SURVIVED, ""
    if returncode != 1:
        return ERROR, "pytest exit status %d: %s" % (returncode, " ".join(output.strip().splitlines()[-1:]))
    failed = failures(output)
    naming = [(test, msg) for test, msg in failed if mutant.points_at_api("\n".join(msg))]
    test, message = (naming or failed or [("?", [])])[0]
    evidence = "%d failed; %s: %s" % (len(failed), test, _first_meaningful(message, mutant))
    return (KILLED if naming else BLIND), evidence


def _first_meaningful(message, mutant):
    """The message line that names the broken API (else the first line), shortened."""
    for line in message:
        if mutant.points_at_api(line):
            return line[:150]
    return message[0][:150] if message else ""


def main(args):
    from ..environment import get_api
    from .mutants import MUTANTS, by_name
    api = get_api()
    chosen = [by_name(n) for n in args.mutant] if args.mutant else list(MUTANTS)
    command = pytest_command(args.max_examples, args.maxfail, selection_for(args, chosen))
    env_name = os.environ.get("REGEQUIV_ENV", "")
    print("mutation run on %s%s" % (api.describe(), " [%s]" % env_name if env_name else ""))
    print("clean run: HYPOTHESIS_PROFILE=mutation %s" % " ".join(command[1:]))
    sys.stdout.flush()

    code, output, seconds = run_pytest(command, None)
    clean_ok = code == 0
    print("clean run: %s in %.0f s" % ("passed" if clean_ok else "FAILED (exit %d)" % code, seconds))
    if not clean_ok:
        print(output[-4000:])
    rows = []
    from ..console import Progress
    progress = Progress(len(chosen), "mutants")
    for m in chosen:
        progress(m.name)
        reason = m.unavailable(api)
        if reason:
            rows.append({"mutant": m.name, "api": m.api_name, "owner": m.owner, "status": NA,
                         "seconds": 0.0, "evidence": reason[:160]})
        else:
            mutant_command = pytest_command(args.max_examples, args.maxfail, selection_for(args, [m]))
            code, output, seconds = run_pytest(mutant_command, m.name)
            status, evidence = judge(m, code, output)
            rows.append({"mutant": m.name, "api": m.api_name, "owner": m.owner, "status": status,
                         "seconds": seconds, "evidence": evidence, "command": mutant_command[1:]})
        r = rows[-1]
        progress.write("  %-40s %-15s %5.0f s  %s" % (r["mutant"], r["status"], r["seconds"], r["evidence"]))
    progress.close()

    applicable = [r for r in rows if r["status"] != NA]
    killed = [r for r in applicable if r["status"] == KILLED]
    print("\n| mutant | broken API | expected killer | result | first failure line |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s |" % (r["mutant"], r["api"], r["owner"], r["status"],
                                             r["evidence"].replace("|", "\\|")))
    print("\nkill rate: %d/%d applicable mutants killed with a message naming the broken API "
          "(%d not applicable here)%s" % (len(killed), len(applicable), len(rows) - len(applicable),
                                          "" if clean_ok else "; THE CLEAN RUN FAILED"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": api.versions(), "env": env_name, "clean_passed": clean_ok,
                       "command": command[1:], "mutants": rows}, f, indent=2)
    return 0 if clean_ok and len(killed) == len(applicable) else 1
