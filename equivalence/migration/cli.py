"""`python -m equivalence migrate`: the migration run (run.py) on this env, or the sweep over the history.

  migrate [--json PATH]                      this env: the originals on TF 1.x, convert + run on TF 2.x
  migrate --sweep [--tox-dir .tox] [--envs a,b] [--json PATH]
                                             every TF 2.x env of tox.ini's history label that is built,
                                             each with its own interpreter, against TF 1.15 and 1.6
  migrate --program NAME                     only that corpus program (what failure messages print)
"""

import json
import os
import sys

from . import run
from .programs import PROGRAMS, by_name


def table(result):
    """Markdown lines: the document's migration section (render.migration_section) for this result."""
    from ..environment import parse_version
    from ..reporting.axes import migration_facts
    from ..reporting.render import migration_section
    releases = []
    for env, originals in sorted(result.get("originals", {}).items()):
        releases.append({"label": env, "migration": migration_facts({"originals": originals}), "_key": (0, env)})
    for env, entry in result.get("releases", {}).items():
        tf, flavour = entry.get("tensorflow") or result.get("tensorflow"), entry.get("keras_flavour") or \
            result.get("keras_flavour")
        label = "%s%s" % (tf, "" if flavour in (None, "keras2") else " (%s)" % flavour)
        releases.append({"label": label, "migration": migration_facts(entry),
                         "_key": (1, parse_version(tf or ""), flavour or "", env)})
    releases.sort(key=lambda r: r["_key"])
    return migration_section(releases)


def main(args):
    programs = [by_name(n) for n in args.program] if args.program else list(PROGRAMS)
    progress = (lambda msg: (sys.stderr.write("[migrate] %s\n" % msg), sys.stderr.flush())) if not args.quiet \
        else None
    if args.sweep:
        from ..reporting.axes import history_envs
        envs = args.envs.split(",") if args.envs else history_envs(args.tox_ini)
        result = run.sweep(args.tox_dir, envs, progress=progress, checkpoint=(
            lambda r: _write(args.json, r)) if args.json else None)
    else:
        from ..environment import get_api
        from ..selfvalidation.mutants import activate, converter_mutant
        api = get_api()
        if os.environ.get("REGEQUIV_MUTANT"):  # as the tests see it: the converter mutant of a failure message
            activate(os.environ["REGEQUIV_MUTANT"])
        result = {"env": os.environ.get("REGEQUIV_ENV"), "tensorflow": api.tf_version,
                  "keras_flavour": api.keras_flavour, "releases": {}, "originals": {}}
        from ..numerics.reduction import sums_linearly
        if api.tf2:
            entry = run.release_entry(sys.executable, programs, linear=False, mutant=converter_mutant())
            result["releases"][result["env"] or api.tf_version] = entry
        else:
            result["originals"][result["env"] or api.tf_version] = run.original_entry(
                sys.executable, programs, linear=sums_linearly(api))
    for env, originals in sorted(result.get("originals", {}).items()):
        for name, outcome in sorted(originals.items()):
            print("%s original %-28s %s" % (env, name, outcome["verdict"]))
    print("\n".join(table(result)))
    if args.json:
        _write(args.json, result)
    return 0


def _write(path, result):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    with open(path + ".tmp", "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    os.rename(path + ".tmp", path)


def add_parser(sub):
    mig = sub.add_parser("migrate", help="tf_upgrade_v2 on the TF 1.x corpus; compare before and after")
    mig.add_argument("--json", help="also write the result as JSON to this path")
    mig.add_argument("--sweep", action="store_true", help="every built TF 2.x env of the history label")
    mig.add_argument("--tox-dir", default=".tox", help="where the sweep finds the envs (default .tox)")
    mig.add_argument("--tox-ini", default="tox.ini")
    mig.add_argument("--envs", help="comma-separated env names instead of the history label")
    mig.add_argument("--program", action="append", help="only this corpus program (repeatable)")
    mig.add_argument("--quiet", action="store_true")
    return mig
