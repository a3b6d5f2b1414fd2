"""The release gate: does the installed TensorFlow change any fact the matrix records?

`python -m equivalence diff [--against RELEASE] [--json [PATH]]` measures the
installed release exactly as a history env's report does (axes.route_facts
over report.route_entry for every route of the registry, and every semantics
cell available here, in the contained worker), and compares each fact and
each cell with one release recorded in docs/semantics.json:

* by default the baseline is the recorded release of the same Keras flavour
  (keras2, keras3, legacy) and the same minor series when there is one
  (2.15.0 is compared with the recorded 2.15.1), else the newest recorded one
  older than the installed release (2.22.0rc1 or a 2.22 nightly with 2.21.0);
* `--against 2.15.1` (a recorded TensorFlow version or a release label such as
  "2.21.0 (legacy)") picks it by hand.

Every changed fact is printed with its route (or a semantics cell's subject),
the fact, before -> after, and the command that shows it on this install.
Exit status: 0 when nothing changed, 1 when anything did, 2 when there is no
baseline to compare with. `--report PATH` compares a report already written by
`python -m equivalence report --json PATH` (the candidate tox env does that)
instead of measuring again; `--mutant NAME` breaks an API first (mutants.py),
which is how tests/test_gate.py proves that the gate can fail.

Only facts are compared, never the Hypothesis sample (it draws other cases
under other Hypothesis versions; axes.route_facts says why).
"""

import json
import os
import shlex
import sys

from ..environment import parse_version

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # equivalence/
DATA = os.path.join(os.path.dirname(PACKAGE), "docs", "semantics.json")
# The copy installed with the package (pyproject.toml: a symlink to docs/semantics.json in the checkout).
PACKAGED_DATA = os.path.join(PACKAGE, "data", "semantics.json")

NO_BASELINE = 2


def default_data_path():
    """docs/semantics.json of the checkout this module runs from, else the copy installed with it."""
    return DATA if os.path.exists(DATA) else PACKAGED_DATA


def load_data(path):
    with open(path) as f:
        return json.load(f)


# -- which recorded release to compare with ----------------------------------------------------
def recorded(data, axis="releases"):
    """The measured release entries of one axis: "releases" (the TF axis), "keras_releases" (the Keras axis) or
    "keras_backends" (the Keras 3 backends other than TensorFlow)."""
    return [renamed_release(r) for r in data.get(axis) or [] if r.get("tensorflow")]


def recorded_run(data, versions):
    """The entry of any axis that records this very install (`versions`: Api.versions()): its TF and Keras
    flavour, its Keras 3 release under flavour keras3, its Keras backend, and its standalone Keras 2 (or none);
    or None."""
    for release in recorded(data) + recorded(data, "keras_releases") + recorded(data, "keras_backends"):
        v = versions
        if release["tensorflow"] == v["tensorflow"] and release["keras_flavour"] == v["keras_flavour"] and (
                v["keras_flavour"] != "keras3" or release.get("keras") == v["keras"]) and (
                release.get("keras_backend", "tensorflow") == v.get("keras_backend", "tensorflow")) and (
                release.get("keras2") == v.get("keras2")):
            return release
    return None


# Entries already renamed in place, by id; holding each entry keeps its id from being reused. `baseline`
# calls `recorded` every time, and renaming ~2,000 cells of each of 39 releases again was 0.05 s a call.
_RENAMED_ENTRIES = {}


def renamed_release(entry):
    """A recorded release, its route names of before the three-axis registry translated to slugs in
    place (routes/renamed.py), so an old baseline compares route by route and cell by cell."""
    if _RENAMED_ENTRIES.get(id(entry)) is entry:
        return entry
    _RENAMED_ENTRIES[id(entry)] = entry
    from ..routes.renamed import RENAMED
    entry["routes"] = {RENAMED.get(name, name): facts for name, facts in (entry.get("routes") or {}).items()}
    cells = {}
    for cell, outcome in (entry.get("cells") or {}).items():
        area, probe, subject = cell.split("/", 2)
        cells["/".join((area, probe, RENAMED.get(subject, subject)))] = outcome
    entry["cells"] = cells
    return entry


def lost_facts(old_data, new_data):
    """[(release label, kind, subject, fact, before, after)] for every fact `old_data` records that
    `new_data` (a regeneration) records differently or not at all, release by release. Facts only
    `new_data` has (new routes, new cells) are additions, not losses, and are not listed."""
    new = {(r.get("env"), r.get("label")): r for r in recorded(new_data)}
    lost = []
    for old in recorded(old_data):
        now = new.get((old.get("env"), old.get("label")))
        if now is None:
            lost.append((old.get("label"), "release", old.get("env"), "recorded", "yes", None))
            continue
        for name, record in sorted(old["routes"].items()):
            facts = (now["routes"].get(name) or {}).get("facts", {})
            for fact, value in sorted(record.get("facts", {}).items()):
                if facts.get(fact) != value:
                    lost.append((old["label"], "route", name, fact, value, facts.get(fact)))
        for cell, value in sorted(old["cells"].items()):
            if now["cells"].get(cell) != value:
                lost.append((old["label"], "cell", cell.split("/", 2)[2], cell, value, now["cells"].get(cell)))
    return lost


def _route_slug(name):
    from ..routes import by_name
    try:
        return by_name(name).slug
    except KeyError:  # not a route: a semantics cell's subject (REGULARIZATION_LOSSES, a Keras module)
        return name


def lost_main(args):
    """`diff --lost-since OLD.json [--data NEW.json]`: the facts a regeneration lost or changed."""
    lost = lost_facts(load_data(args.lost_since), load_data(args.data or default_data_path()))
    for label, kind, subject, fact, before, after in lost:
        sys.stdout.write("%s | %s %s | %s\n    before: %s\n    after:  %s\n" % (label, kind, subject, fact,
                                                                              before, after))
    old = sum(len(r["cells"]) + sum(len(x.get("facts", {})) for x in r["routes"].values())
              for r in recorded(load_data(args.lost_since)))
    sys.stdout.write("%d of %d recorded facts lost or changed\n" % (len(lost), old))
    return 1 if lost else 0


def baseline(data, tensorflow, flavour, against=None, keras=None, backend=None, keras2=None):
    """(release entry, why it was chosen) or (None, why there is none).

    The matrix records one patch release per minor series; a release of the same series is
    compared with it, any other with the newest recorded release of its flavour before it.
    With Keras 3 (`flavour` keras3, `keras` its version), a Keras minor release the TF axis's choice
    does not have is compared with the Keras axis's record of that minor release (keras_releases).
    On a Keras 3 backend other than TensorFlow (`backend`), the backend axis's record of that backend
    (keras_backends): the same TF and Keras minor series if recorded, else its newest. With standalone Keras 2
    installed (`keras2` its version), the Keras axis's record of that Keras 2 minor release where there is one
    (the TF axis's envs have no standalone Keras, so none of its routes keras2-*).
    """
    if backend and backend != "tensorflow" and not against:
        return _backend_baseline(data, backend, tensorflow, keras)
    if keras2 and not against:
        minor = parse_version(keras2)[:2]
        same = [r for r in recorded(data, "keras_releases")
                if r.get("keras2") and parse_version(r["keras2"])[:2] == minor]
        if same:
            return same[-1], "the Keras axis's record of standalone Keras %s" % same[-1]["keras2"]
    chosen, why = _tf_axis_baseline(data, tensorflow, flavour, against)
    if against or flavour != "keras3" or not keras:
        return chosen, why
    minor = parse_version(keras)[:2]
    if chosen is not None and chosen.get("keras") and parse_version(chosen["keras"])[:2] == minor:
        return chosen, why
    same = [r for r in recorded(data, "keras_releases") if r.get("keras") and parse_version(r["keras"])[:2] == minor]
    if same:
        return same[-1], "the Keras axis's record of Keras %s (the TF axis records %s)" % (
            same[-1]["keras"], chosen["label"] if chosen is not None else "no Keras %d.%d" % minor)
    return chosen, why


def _backend_baseline(data, backend, tensorflow, keras):
    mine = [r for r in recorded(data, "keras_backends") if r.get("keras_backend") == backend]
    if not mine:
        return None, "docs/semantics.json records no run on the Keras %s backend (tox -m keras-backends)" % backend
    same = [r for r in mine if parse_version(r["tensorflow"])[:2] == parse_version(tensorflow)[:2]
            and parse_version(r.get("keras") or "0")[:2] == parse_version(keras or "0")[:2]]
    if same:
        return same[-1], "the backend axis's record of Keras %s on %s" % (same[-1]["keras"], backend)
    newest = max(mine, key=lambda r: (parse_version(r.get("keras") or "0"), parse_version(r["tensorflow"])))
    return newest, "the backend axis's newest record of the %s backend" % backend


def _tf_axis_baseline(data, tensorflow, flavour, against=None):
    releases = recorded(data)
    if against:  # a label or env of any axis
        every = releases + recorded(data, "keras_releases") + recorded(data, "keras_backends")
        chosen = [r for r in every if against in (r["label"], r["env"])] or [
            r for r in releases if r["tensorflow"] == against and r["keras_flavour"] == flavour] or [
            r for r in releases if r["tensorflow"] == against]
        if not chosen:
            return None, "docs/semantics.json records no release %r; it records %s" % (
                against, ", ".join(r["label"] for r in releases))
        return chosen[0], "as asked (--against %s)" % against
    mine = parse_version(tensorflow)
    same = [r for r in releases if r["keras_flavour"] == flavour]
    series = [r for r in same if parse_version(r["tensorflow"])[:2] == mine[:2]]
    if series:
        return series[-1], "the recorded release of the same minor series and Keras flavour"
    older = [r for r in same if parse_version(r["tensorflow"]) < mine]
    if older:
        return max(older, key=lambda r: parse_version(r["tensorflow"])), (
            "the newest recorded %s release before %s" % (flavour, tensorflow))
    return None, "docs/semantics.json records no %s release up to TF %s (it records %s)" % (
        flavour, tensorflow, ", ".join(r["label"] for r in releases))


# -- what the installed release measures ----------------------------------------------------------
def measure(api, routes=None, semantics=True, progress=None):
    """A report (report.build_report's shape) of fixed cases, dtype probes and cells, no sample."""
    from .report import build_report
    return build_report(api, n_examples=0, progress=progress, semantics=semantics, routes=routes)


def measured_release(report):
    """The comparable part of a report: {route: facts}, {cell: outcome}, versions."""
    from .axes import route_facts
    return {"tensorflow": report.get("tensorflow"), "keras_flavour": report.get("keras_flavour"),
            "keras": report.get("keras"), "python": report.get("python"),
            "keras_backend": report.get("keras_backend") or "tensorflow", "keras2": report.get("keras2"),
            "routes": {r["name"]: r for r in report.get("routes", [])},
            "facts": {r["name"]: route_facts(r) for r in report.get("routes", [])},
            "cells": report.get("semantics")}


# -- the comparison -------------------------------------------------------------------------
NOT_RECORDED = "not recorded"


def compare(before, now, routes=None):
    """Every difference between a recorded release entry and a measured release, as dicts.

    `routes` limits the comparison to these routes and to the semantics cells whose subject is
    one of them (what `measure(routes=...)` measured); cells are compared only when `now` ran them.
    """
    changes = []
    unrecorded = not_recorded(before, now)
    names = list(now["facts"]) + [n for n in before["routes"] if n not in now["facts"]]
    for name in names:
        if routes is not None and name not in routes or name in unrecorded["routes"]:
            continue
        record = before["routes"].get(name)
        old = record["facts"] if record else {}
        new = now["facts"].get(name, {"available": "not in this suite's registry"})
        if record is None:
            changes.append(_change("route", name, "route", NOT_RECORDED, new.get("available")))
            continue
        for fact in list(old) + [k for k in new if k not in old]:
            if old.get(fact) != new.get(fact):
                changes.append(_change("route", name, fact, old.get(fact), new.get(fact)))
    if now.get("cells") is not None:
        old_cells = before.get("cells") or {}
        for cell in sorted(set(old_cells) | set(now["cells"])):
            area, probe, subject = cell.split("/", 2)
            if routes is not None and subject not in routes or area in unrecorded["areas"]:
                continue
            if old_cells.get(cell) != now["cells"].get(cell):
                changes.append(_change("cell", subject, "%s: %s" % (area, probe), old_cells.get(cell),
                                       now["cells"].get(cell), cell=cell))
    return changes


def not_recorded(before, now):
    """{"areas": semantics areas, "routes": route names} `now` measured and the baseline `before` has no
    record of at all, because it was recorded before they joined the report (the models area, the model
    routes): not compared, and listed as such by the gate, until the history sweep records them."""
    from .axes import recorded_areas
    from .report import MODEL_ROUTE_NAMES
    areas = set(recorded_areas({"cells": now.get("cells")})) - recorded_areas(before) if before.get("cells") else set()
    model_routes = set()
    if not MODEL_ROUTE_NAMES & set(before.get("routes") or {}):
        model_routes = set(now["facts"]) & MODEL_ROUTE_NAMES
    return {"areas": areas, "routes": model_routes}


def _change(kind, subject, fact, before, after, cell=None):
    change = {"kind": kind, "route": subject, "fact": fact, "before": before, "after": after}
    if cell:
        change["cell"] = cell
    change["reproduce"] = reproduction(change)
    return change


def reproduction(change):
    """A command that shows the changed fact on the install it runs in (copy-paste into a shell)."""
    prefix = "TF_USE_LEGACY_KERAS=1 " if os.environ.get("TF_USE_LEGACY_KERAS", "") in ("1", "true", "True") else ""
    q = shlex.quote
    if change["kind"] == "cell":
        return prefix + "python -m equivalence cell %s" % q(change["cell"])
    fact, route = change["fact"], q(change["route"])
    if fact.startswith("dtype "):  # report.dtype_probe's case
        return prefix + "python -m equivalence run --route %s --shape 3,2 --dtype %s --lam 0.25 " \
                        "--init glorot_uniform:seed=1" % (route, fact[len("dtype "):])
    if fact in ("measured convention", "fixed cases", "raises"):  # the seed-000 fixed case
        return prefix + "python -m equivalence run --route %s --shape 784,10 --dtype float32 --lam 0.01 " \
                        "--init ones" % route
    return prefix + "python -m equivalence routes"  # available, or a route not recorded


# -- output ---------------------------------------------------------------------------------
def _show(value):
    return "(none)" if value is None else str(value)


def to_text(result):
    lines = ["release gate: TF %s (%s) on Python %s against the recorded %s (%s)" % (
        result["tensorflow"], result["keras_flavour"], result["python"], result["baseline"], result["why"])]
    if result.get("mutant"):
        lines.append("MUTANT ACTIVE: %s" % ", ".join(result["mutant"]))
    lines.append("compared %d route facts and %s semantics cells" % (
        result["facts_compared"], result["cells_compared"] if result["cells_compared"] is not None
        else "no (--no-semantics)"))
    skipped = result.get("not_compared") or {}
    if skipped.get("areas") or skipped.get("routes"):
        lines.append("not compared, the baseline records none of them (regenerate with `tox -m history -p 2 && "
                     "tox -e matrix`): %s" % "; ".join(
                         (["the %s cells" % a for a in skipped.get("areas", [])]
                          + (["%d model routes" % len(skipped["routes"])] if skipped.get("routes") else []))))
    if not result["changes"]:
        lines.append("no recorded fact changed")
        return "\n".join(lines) + "\n"
    lines.append("%d recorded facts changed (route; fact: before -> after; the command that shows it):"
                 % len(result["changes"]))
    current = None
    for c in result["changes"]:
        if c["route"] != current:
            current = c["route"]
            lines += ["", "* %s" % current]
        lines += ["  - %s: %s -> %s" % (c["fact"], _show(c["before"]), _show(c["after"])),
                  "      %s" % c["reproduce"]]
    return "\n".join(lines) + "\n"


def gate(report, data, against=None, routes=None):
    """The gate's result (a dict, what --json prints) for a report against the recorded data."""
    now = measured_release(report)
    base, why = baseline(data, now["tensorflow"], now["keras_flavour"], against, keras=now.get("keras"),
                         backend=now.get("keras_backend"), keras2=now.get("keras2"))
    unrecorded = not_recorded(base, now) if base else {"areas": set(), "routes": set()}
    result = {"tensorflow": now["tensorflow"], "keras_flavour": now["keras_flavour"], "keras": now["keras"],
              "python": now["python"], "baseline": base["label"] if base else None, "why": why,
              "mutant": report.get("mutants") or [],
              "facts_compared": sum(len(f) for n, f in now["facts"].items() if (routes is None or n in routes)
                                    and n not in unrecorded["routes"]),
              "cells_compared": None if now["cells"] is None else len(
                  [c for c in now["cells"] if (routes is None or c.split("/", 2)[2] in routes)
                   and c.split("/", 1)[0] not in unrecorded["areas"]]),
              "changes": compare(base, now, routes) if base else [],
              "not_compared": {"areas": sorted(unrecorded["areas"]),
                               "routes": sorted(n for n in unrecorded["routes"] if routes is None or n in routes)}}
    result["status"] = "no baseline" if base is None else ("changed" if result["changes"] else "unchanged")
    return result


def exit_status(result):
    return NO_BASELINE if result["status"] == "no baseline" else (1 if result["changes"] else 0)


def main(args):
    if getattr(args, "lost_since", None):
        return lost_main(args)
    data_path = args.data or default_data_path()
    data = load_data(data_path)
    # a slug, a route's code, a name from before the three axes (routes/renamed.py), or a cell's subject
    routes = set(_route_slug(n) for n in args.route) if args.route else None
    if args.report:
        with open(args.report) as f:
            report = json.load(f)
        if not report.get("complete"):
            sys.stderr.write("%s is not a complete report (%s): nothing to gate\n" % (
                args.report, report.get("error") or "stopped at %r" % report.get("current_route")))
            return NO_BASELINE
    else:
        report = measure_here(args)
    result = gate(report, data, args.against, routes)
    result["data"] = data_path
    if args.json == "-":
        sys.stdout.write(json.dumps(result, indent=1, sort_keys=True) + "\n")
    else:
        sys.stdout.write(to_text(result))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1, sort_keys=True)
    return exit_status(result)


def measure_here(args):
    from ..console import Progress
    from ..environment import get_api
    from ..selfvalidation.mutants import activate
    from ..routes import ROUTES, by_name
    api = get_api()
    if args.mutant:
        activate(args.mutant)
    chosen = [by_name(n) for n in args.route] if args.route else None
    steps = len(chosen or ROUTES) + (0 if args.no_semantics else 1)
    with Progress(steps, "diff", quiet=args.quiet) as progress:
        report = measure(api, chosen, semantics=not args.no_semantics, progress=progress)
    report["mutants"] = [args.mutant] if args.mutant else []
    return report


def cell_main(args):
    """`python -m equivalence cell AREA/PROBE/SUBJECT`: one semantics cell, observed and judged here."""
    from ..environment import get_api
    from .report import cell_outcome
    from ..semantics.areas import AREAS, observe_cells
    from ..semantics.outcomes import describe_observation
    api = get_api()
    area_name, probe, subject = args.cell.split("/", 2) if args.cell.count("/") >= 2 else (None, None, None)
    if area_name not in AREAS:
        raise SystemExit("a cell is AREA/PROBE/SUBJECT with AREA one of %s" % ", ".join(sorted(AREAS)))
    area = AREAS[area_name]
    if [probe, subject] not in [list(k[1:]) for k in area.keys()]:
        raise SystemExit("the %s table has no cell %r" % (area_name, args.cell))
    reason = area.unavailable(api, probe, subject)
    print("%s on %s" % (args.cell, api.describe()))
    if reason:
        print("unavailable: %s" % reason)
        return 2
    obs = observe_cells(area, [[area_name, probe, subject]])[(area_name, probe, subject)]
    print("observed: %s" % describe_observation(obs))
    print("outcome:  %s" % cell_outcome(api, area, [area_name, probe, subject], obs))
    return 0
