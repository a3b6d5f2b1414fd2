"""The pictures in docs/figures/, drawn with matplotlib from the committed data.

* matrix.svg    the compatibility matrix: route by release, each cell coloured by the convention
                measured there (half, full), an L1 route agreeing with its reference, unavailable,
                disagreeing or raising (from docs/semantics.json)
* timeline.svg  how many facts changed at each release, by area (axes.timeline on the same file)
* training.svg  test accuracy and loss per Adam step for the seed Q&A's lambdas through a half- and
                a full-convention route (docs/training.json, written by `training --curves`)

`python -m equivalence matrix` (`tox -e matrix`) draws all three after writing docs/SEMANTICS.md;
`python -m equivalence figures` redraws them from the committed data alone. Each picture is drawn
from a small *input* (`figure_input`) computed from its data file, and the SVG carries the SHA-256
of that input's canonical JSON (<dc:identifier>) and the data file's name (<dc:source>), so
tests/test_figures.py can check without matplotlib that every committed picture is the rendering of
the committed data, and, where the matplotlib that drew it is installed, that drawing it again gives
the same bytes.

Deterministic output: a fixed svg.hashsalt, no date, text kept as text in the bundled DejaVu Sans
(svg.fonttype none, with the generic family as fallback), and only matplotlib's object API (no pyplot state). Importing this module does
not import matplotlib; `render` does.
"""

import hashlib
import io
import json
import os
import re

from . import axes

FIGURES = ("matrix", "timeline", "training")
SOURCE = {"matrix": "semantics.json", "timeline": "semantics.json", "training": "training.json"}
ALT = {"matrix": "Compatibility matrix: every route by every release, coloured by the measured convention",
       "timeline": "Timeline: how many recorded facts changed at each release, by area",
       "training": "Training curves: test accuracy and loss per step for lambda 0, 1e-4, 1e-2 and 1.0 "
                   "through a half- and a full-convention route"}

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
CATEGORIES = (  # (key, legend label, colour); the order of the legend
    ("half", "runs, penalty λ·Σw²/2 (half convention)", "#0072B2"),
    ("full", "runs, penalty λ·Σw² (full convention)", "#E69F00"),
    ("l1", "L1 or L1+L2 route: agrees with its reference", "#009E73"),
    ("other", "runs, another multiple of λ·Σw²/2", "#CC79A7"),
    ("unavailable", "unavailable in this release (why: SEMANTICS.md)", "#DDDDDD"),
    ("mismatch", "disagrees with its documented reference", "#D55E00"),
    ("error", "raised", "#000000"),
    ("absent", "not measured (no report or not in the run)", "#FFFFFF"),
)
ALWAYS_IN_LEGEND = ("half", "full", "l1", "unavailable", "mismatch")
FAMILY_ORDER = ("compat_v1", "contrib", "layers", "manual", "keras")
AREA_NAMES = (  # (area key, label) in the timeline's row order
    ("availability", "availability"), ("convention", "convention, fixed values"), ("dtypes", "dtypes"),
    ("lambda", "λ table"), ("weights", "weights table"), ("collections", "collections table"),
    ("keras", "Keras table"), ("other", "other"))
LINEAGE_NAMES = {"keras2": "Keras 2 (tf.keras)", "keras3": "Keras 3, from 2.15", "legacy": "tf_keras, from 2.15"}
LAMBDA_COLOURS = ("#000000", "#009E73", "#0072B2", "#D55E00")
CONVENTION_STYLES = {"half": "-", "full": "--"}


# -- inputs: what each picture draws, computed from its data file (no matplotlib) ----------------------
def cell_category(route):
    """The matrix cell of one route in one release (its entry in docs/semantics.json; None: not run)."""
    if route is None:
        return "absent"
    status = route["status"]
    if status == "ok":
        measured = route["facts"].get("measured convention")
        if measured is None:  # an L1 penalty: no L2 convention to measure, it agrees with its reference
            return "l1"
        return measured if measured in ("half", "full") else "other"
    return status if status in ("unavailable", "mismatch", "error") else "error"


def matrix_input(data):
    """{"releases": labels, "routes": [[family, name], ...] in drawing order, "cells": [[category per
    release] per route]}: rows grouped by family (FAMILY_ORDER), names in their order in the data."""
    releases = data["releases"]
    families, names = {}, []
    for r in releases:
        for name, route in r["routes"].items():
            if name not in families:
                families[name] = route["family"]
                names.append(name)
    rank = dict((f, i) for i, f in enumerate(FAMILY_ORDER))
    seen = dict((n, i) for i, n in enumerate(names))
    names.sort(key=lambda n: (rank.get(families[n], len(rank)), families[n], seen[n]))
    cells = [[cell_category(r["routes"].get(n)) if r["routes"] else "absent" for r in releases]
             for n in names]
    return {"releases": [r["label"] for r in releases], "routes": [[families[n], n] for n in names],
            "cells": cells}


def fact_area(fact):
    """The timeline area of one fact name of axes.route_facts or axes.timeline."""
    if fact in ("available", "raises"):
        return "availability"
    if fact in ("measured convention", "fixed cases"):
        return "convention"
    if fact.startswith("dtype "):
        return "dtypes"
    area = fact.partition(":")[0] if ":" in fact else fact.partition("/")[0]
    return area if area in dict(AREA_NAMES) else "other"


def timeline_input(data):
    """{"areas": area keys, "transitions": [{"lineage", "before", "after", "counts": {area: n}}]} for
    every consecutive pair axes.lineages compares (zero changes included), in its order."""
    releases = data["releases"]
    counts = {}
    for before, after, _name, fact, _old, _new in axes.timeline(releases):
        area = fact_area(fact)
        pair = counts.setdefault((before, after), {})
        pair[area] = pair.get(area, 0) + 1
    transitions = []
    for before, after in axes.lineages(releases):
        transitions.append({"lineage": after["keras_flavour"] or "keras2", "before": before["label"],
                            "after": after["label"], "counts": counts.get((before["label"], after["label"]), {})})
    return {"areas": [a for a, _ in AREA_NAMES], "transitions": transitions}


def training_input(data):
    """The curves file as it is (docs/training.json): every value in it is drawn or captioned."""
    return data


INPUTS = {"matrix": matrix_input, "timeline": timeline_input, "training": training_input}


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def digest(obj):
    """SHA-256 (hex) of `obj`'s canonical JSON: what a picture's <dc:identifier> records."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def load(path):
    with io.open(path, encoding="utf-8") as f:
        return json.load(f)


def figure_input(name, docs):
    """The input of picture `name` from the data file it is drawn from in the folder `docs`."""
    return INPUTS[name](load(os.path.join(docs, SOURCE[name])))


def embedded(svg_text):
    """(data file name, sha256 hex, matplotlib version) recorded in a picture; None where absent."""
    def find(pattern):
        m = re.search(pattern, svg_text)
        return m.group(1) if m else None
    return (find(r"<dc:source>([^<]*)</dc:source>"), find(r"<dc:identifier>sha256:([0-9a-f]{64})</dc:identifier>"),
            find(r"Matplotlib v([^,<\s]+)"))


def markdown(name, prefix="figures/"):
    """The Markdown line that embeds picture `name` (paths relative to docs/ unless `prefix` says)."""
    return "![%s](%s%s.svg)" % (ALT[name], prefix, name)


# -- drawing (matplotlib) -----------------------------------------------------------------------------
# Text stays text, set in the DejaVu fonts matplotlib ships (so the layout is the same on every machine);
# the SVG names the generic family after them for viewers without DejaVu.
RC = {"svg.hashsalt": "regequiv", "svg.fonttype": "none", "font.family": "sans-serif",
      "font.sans-serif": ["DejaVu Sans"], "font.monospace": ["DejaVu Sans Mono"], "font.size": 8,
      "axes.titlesize": 9, "path.simplify": False, "svg.image_inline": True}


def _release_label(label):
    return label.replace(" (keras3)", " · Keras 3").replace(" (legacy)", " · tf_keras")


# The matrix's layout in inches: route names left, family names right, title (and release labels) on top,
# the legend below; one CELL x CELL square per route and release.
MATRIX_LEFT, MATRIX_RIGHT, MATRIX_TOP, MATRIX_BOTTOM, CELL = 4.2, 0.9, 0.6, 1.0, 0.22


def _matrix_size(inp):
    return (MATRIX_LEFT + CELL * len(inp["releases"]) + MATRIX_RIGHT,
            MATRIX_TOP + _labels_height(inp["releases"]) + CELL * len(inp["routes"]) + MATRIX_BOTTOM)


def _matrix(fig, inp):
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    colour = dict((k, c) for k, _, c in CATEGORIES)
    index = dict((k, i) for i, (k, _, _) in enumerate(CATEGORIES))
    releases, routes, cells = inp["releases"], inp["routes"], inp["cells"]
    n_rel, n_routes = len(releases), len(routes)
    width, height = _matrix_size(inp)
    if not n_routes:
        fig.text(0.5, 0.5, "No release measured a route yet (no reports)", ha="center", va="center")
        return
    ax = fig.add_axes([MATRIX_LEFT / width, MATRIX_BOTTOM / height, CELL * n_rel / width,
                       CELL * n_routes / height])
    cmap = ListedColormap([c for _, _, c in CATEGORIES])
    grid = [[index[c] for c in row] for row in cells]
    ax.pcolormesh(grid, cmap=cmap, vmin=-0.5, vmax=len(CATEGORIES) - 0.5, edgecolors="white", linewidth=0.6)
    ax.set_xlim(0, n_rel)
    ax.set_ylim(n_routes, 0)
    ax.set_xticks([i + 0.5 for i in range(n_rel)])
    ax.set_xticklabels([_release_label(r) for r in releases], rotation=90)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(n_routes)])
    ax.set_yticklabels([name for _, name in routes], family="monospace", fontsize=7.5)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    start = 0
    for i in range(1, n_routes + 1):  # family separators and names on the right
        if i == n_routes or routes[i][0] != routes[start][0]:
            if i < n_routes:
                ax.axhline(i, color="#444444", linewidth=1.2)
            ax.text(n_rel + 0.4, (start + i) / 2.0, routes[start][0], va="center", ha="left", fontsize=8,
                    style="italic")
            start = i
    present = set(c for row in cells for c in row) | set(ALWAYS_IN_LEGEND)
    handles = [Patch(facecolor=colour[k], edgecolor="#888888", linewidth=0.5, label=label)
               for k, label, _ in CATEGORIES if k in present]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(MATRIX_LEFT / width, 0.08 / height),
               ncol=2, frameon=False, fontsize=7.5)
    fig.text(0.12 / width, 1 - 0.12 / height, "Regularization routes by TensorFlow release: what each "
             "route measures", fontsize=11, weight="bold", va="top")
    fig.text(0.12 / width, 1 - 0.38 / height, "One column per release measured (Keras 3 and tf_keras "
             "flavours from 2.16), one row per route.\nGenerated from docs/semantics.json by `tox -e matrix`.",
             fontsize=8, va="top")


# The timeline's layout in inches: area names left, title on top, then the bars of the totals, the grid
# of counts (one COLUMN wide per transition, one ROW high per area) and the release labels below.
TIMELINE_LEFT, TIMELINE_RIGHT, TIMELINE_TITLE, TIMELINE_BARS, COLUMN, ROW = 1.75, 0.3, 1.3, 1.7, 0.26, 0.26
LABEL_INCH = 0.075  # the length of one character of an 8-point DejaVu Sans label, about


def _labels_height(labels):
    return 0.25 + LABEL_INCH * max([len(_release_label(x)) for x in labels] + [8])


def _timeline_areas(inp):
    """The areas drawn: those with a change, and always the route-level ones and the four tables."""
    seen = set(a for t in inp["transitions"] for a in t["counts"])
    return [a for a in inp["areas"] if a in seen or a != "other"]


def _timeline_size(inp):
    return (TIMELINE_LEFT + COLUMN * len(inp["transitions"]) + TIMELINE_RIGHT,
            TIMELINE_TITLE + TIMELINE_BARS + 0.1 + ROW * len(_timeline_areas(inp))
            + _labels_height([t["after"] for t in inp["transitions"]]))


def _timeline(fig, inp):
    from matplotlib.colors import LogNorm
    labels = dict(AREA_NAMES)
    transitions, areas = inp["transitions"], _timeline_areas(inp)
    n = len(transitions)
    width, height = _timeline_size(inp)
    if not n:
        fig.text(0.5, 0.5, "Fewer than two releases measured: nothing to compare", ha="center", va="center")
        return
    grid_h, labels_h = ROW * len(areas), _labels_height([t["after"] for t in transitions])
    left, w = TIMELINE_LEFT / width, COLUMN * n / width
    bottom = fig.add_axes([left, labels_h / height, w, grid_h / height])
    top = fig.add_axes([left, (labels_h + grid_h + 0.1) / height, w, TIMELINE_BARS / height],
                       sharex=bottom)
    grid = [[t["counts"].get(a, 0) for t in transitions] for a in areas]
    totals = [sum(t["counts"].values()) for t in transitions]
    highest = max(totals + [1])
    top.bar([i + 0.5 for i in range(n)], [t if t else float("nan") for t in totals], width=0.75,
            color="#0072B2")
    top.set_yscale("log")
    top.set_ylim(0.7, highest * 2.5)
    top.set_ylabel("facts changed\n(log scale)")
    for i, t in enumerate(totals):
        top.text(i + 0.5, t * 1.12 if t else 0.8, str(t), ha="center", va="bottom", fontsize=6.5,
                 color="#000000" if t else "#999999")
    top.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for side in ("top", "right"):
        top.spines[side].set_visible(False)
    masked = [[v if v else float("nan") for v in row] for row in grid]
    bottom.pcolormesh(masked, cmap="Blues", norm=LogNorm(vmin=0.5, vmax=highest * 1.5), edgecolors="white",
                      linewidth=0.6)
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if v:
                bottom.text(c + 0.5, r + 0.5, str(v), ha="center", va="center", fontsize=6,
                            color="white" if v > highest ** 0.6 else "black")
    bottom.set_xlim(0, n)
    bottom.set_ylim(len(areas), 0)
    bottom.set_yticks([i + 0.5 for i in range(len(areas))])
    bottom.set_yticklabels([labels[a] for a in areas])
    bottom.set_xticks([i + 0.5 for i in range(n)])
    bottom.set_xticklabels([_release_label(t["after"]) for t in transitions], rotation=90)
    bottom.tick_params(length=0)
    for side in bottom.spines.values():
        side.set_visible(False)
    start = 0
    for i in range(1, n + 1):  # lineage separators and names
        if i == n or transitions[i]["lineage"] != transitions[start]["lineage"]:
            if i < n:
                for ax in (top, bottom):
                    ax.axvline(i, color="#444444", linewidth=1.0)
            top.text((start + i) / 2.0, 1.04, LINEAGE_NAMES.get(transitions[start]["lineage"],
                                                               transitions[start]["lineage"]),
                     transform=top.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, style="italic")
            start = i
    fig.text(0.12 / width, 1 - 0.12 / height, "Recorded facts that changed from the previous release, by area",
             fontsize=11, weight="bold", va="top")
    fig.text(0.12 / width, 1 - 0.38 / height, "Each column compares a release with its predecessor in the same "
             "line (Keras 3 and tf_keras each continue from 2.15).\nAreas: route availability (and its reason), "
             "measured convention and fixed values, dtypes taken, the cells of the four semantics tables.\n"
             "Generated from docs/semantics.json by `tox -e matrix`; SEMANTICS.md lists every change.",
             fontsize=8, va="top")


def _training(fig, inp):
    from matplotlib.lines import Line2D
    curves = inp["curves"]
    lambdas, routes = [], []
    for c in curves:
        if c["lambda"] not in lambdas:
            lambdas.append(c["lambda"])
        if (c["convention"], c["route"]) not in routes:
            routes.append((c["convention"], c["route"]))
    panels = (("test_accuracy", "test accuracy", False),
              ("train_loss", "training objective: cross-entropy + penalty (log scale)", True),
              ("test_loss", "test cross-entropy (log scale)", True))
    width = 0.27

    def draw(ax, key):
        for c in curves:
            ax.plot(range(len(c[key])), c[key], linewidth=1.3,
                    color=LAMBDA_COLOURS[lambdas.index(c["lambda"]) % len(LAMBDA_COLOURS)],
                    linestyle=CONVENTION_STYLES.get(c["convention"], ":"))

    for p, (key, title, log) in enumerate(panels):
        ax = fig.add_axes([0.05 + p * (width + 0.058), 0.2, width, 0.54])
        draw(ax, key)
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, 1.0)
            steps = len(curves[0][key]) - 1
            zoom = ax.inset_axes([0.35, 0.2, 0.6, 0.45])  # the accuracies the ordinary lambdas reach
            draw(zoom, key)
            zoom.set_xlim(steps // 4, steps)
            zoom.set_ylim(0.93, 0.99)
            zoom.set_title("steps %d-%d, accuracy 0.93-0.99" % (steps // 4, steps), fontsize=7)
            zoom.tick_params(labelsize=6.5)
            zoom.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_title(title)
        ax.set_xlabel("Adam step")
        ax.grid(True, color="#E5E5E5", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    lam_handles = [Line2D([], [], color=LAMBDA_COLOURS[i % len(LAMBDA_COLOURS)], linewidth=2,
                          label="λ = %g" % lam) for i, lam in enumerate(lambdas)]
    names = {"half": "half convention, λ·Σw²/2", "full": "full convention, λ·Σw²"}
    route_handles = [Line2D([], [], color="#555555", linestyle=CONVENTION_STYLES.get(conv, ":"), linewidth=1.3,
                            label="%s: %s" % (names.get(conv, conv), name)) for conv, name in routes]
    fig.legend(handles=lam_handles, loc="lower left", bbox_to_anchor=(0.05, 0.01), ncol=len(lam_handles),
               frameon=False)
    fig.legend(handles=route_handles, loc="lower left", bbox_to_anchor=(0.42, 0.0), ncol=1, frameon=False)
    fig.text(0.01, 0.985, "The same λ through a half- and a full-convention route (the seed Q&A's λ values)",
             fontsize=11, weight="bold", va="top")
    fig.text(0.01, 0.93, "%s, %s; TensorFlow %s, Keras %s. λ is the number passed to each route's own "
             "regularizer,\nas when contrib's l2_regularizer(λ) is renamed to Keras' l2(λ): at the same λ the "
             "full convention penalizes twice as hard.\nGenerated from docs/training.json (`tox -e training`, "
             "%d steps per curve) by `tox -e matrix`." % (inp["network"], inp["data"], inp["tensorflow"],
                                                          inp.get("keras"), inp["steps"]),
             fontsize=8, va="top")


DRAW = {"matrix": (_matrix, _matrix_size),
        "timeline": (_timeline, _timeline_size),
        "training": (_training, lambda inp: (14.0, 5.8))}


def render(name, inp, source):
    """Picture `name` drawn from `inp` (figure_input) as SVG text; `source` names the data file.

    Raises ImportError without matplotlib."""
    import matplotlib
    from matplotlib.figure import Figure
    draw, size = DRAW[name]
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size(inp))
        draw(fig, inp)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={
            "Date": None, "Title": ALT[name], "Source": source, "Identifier": "sha256:" + digest(inp),
            "Description": "Drawn by equivalence/reporting/figures.py from %s (`tox -e matrix`); the identifier is the "
                           "SHA-256 of the canonical JSON of figures.figure_input(%r, docs)." % (source, name)})
    return buf.getvalue()


def render_all(docs, out=None, names=FIGURES):
    """Draw every picture of `names` whose data file exists in `docs` into `out` (default docs/figures);
    return the paths written."""
    out = out or os.path.join(docs, "figures")
    if not os.path.isdir(out):
        os.makedirs(out)
    written = []
    for name in names:
        if not os.path.exists(os.path.join(docs, SOURCE[name])):
            continue
        text = render(name, figure_input(name, docs), "docs/" + SOURCE[name])
        path = os.path.join(out, name + ".svg")
        with io.open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(path)
    return written


def main(args):
    """`python -m equivalence figures [--docs DIR]`: redraw the pictures from the committed data."""
    try:
        written = render_all(args.docs)
    except ImportError as e:
        raise SystemExit("the pictures need matplotlib (%s): `tox -e matrix` installs it" % e)
    print("drew %s" % ", ".join(written))
    return 0
