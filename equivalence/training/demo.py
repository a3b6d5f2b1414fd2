"""The training demonstration: each route's regularizer in a small network on the digits data.

Not a test (it trains networks): `python -m equivalence training`, or
`python -m equivalence report --training`; `tox -e training` runs it on
TF 2.21 with scikit-learn, whose wheel ships the 8x8 digits (1797 images,
10 classes): `sklearn.datasets.load_digits` reads them from the package, no
download.

Network: 64 -> 32 (tanh) -> 10, full-batch Adam (the same epsilon in both
families, so both evaluate one formula), fixed initial weights from NumPy's
RandomState(SEED) and a fixed train/test split, so every run and every route
starts from the same numbers. Both kernels live in one (64 + 10) x 32
variable that the route itself creates and penalizes (rows :64 are the first
kernel, the rest the second, transposed): one variable per network keeps the
collection-reading routes from counting a layer twice, and penalizes every
kernel as the seed Q&A did. Graph-mode routes train through
`tf.compat.v1.train.AdamOptimizer.minimize`; eager ones rebuild the route on
the current kernels under a GradientTape each step and step with the Keras
Adam of the Keras that owns them (as in steps.py).

It shows (1) that every route given the same *effective* strength (contrib
scale s for half-convention routes, s/2 for Keras' full convention) trains to
the same network, and (2) that a very large lambda (1.0) collapses the first
layer and with it the test accuracy to about chance, as the seed Q&A reports
(0.1135 at lambda = 1.0).
"""

import os
import time

import numpy as np

from ..numerics import reference
from ..harness import WeightSource, _to_numpy
from .steps import keras_owning
from ..numerics.reference import HALF
from ..routes import ROUTES

SEED = 0
HIDDEN = 32
STEPS = 60
LEARNING_RATE = 0.05
EPSILON = 1e-8
N_CLASSES = 10
ORDINARY_SCALE = 1e-2  # contrib-convention scale every route trains with
COLLAPSE_SCALE = 1.0   # the seed Q&A's collapsing lambda: one route of each convention
CURVE_LAMBDAS = (0.0, 1e-4, 1e-2, 1.0)  # the seed Q&A's lambdas (test accuracy 0.9468 ... 0.1135)
CURVE_STEPS = 200
# The curves' routes, first available of each: the seed Q&A's collection route (half) and a Keras layer (full).
CURVE_ROUTES = {"half": ("losses.get_regularization_loss()", "contrib.l2_regularizer(scale)(w)",
                         "scale * tf.nn.l2_loss(w)"),
                "full": ("keras.layers.Dense(kernel_regularizer=L2).losses",
                         "tf.keras.layers.Dense(kernel_regularizer=l2).losses",
                         "tf_keras.layers.Dense(kernel_regularizer=l2).losses")}


def load_digits_split():
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.RandomState(SEED).permutation(len(y))
    n_train = int(0.75 * len(y))
    tr, te = order[:n_train], order[n_train:]
    return x[tr], y[tr], x[te], y[te]


def initial_weights(n_in):
    """Glorot-uniform kernels packed into one (n_in + classes, HIDDEN) array; zero biases."""
    rng = np.random.RandomState(SEED)
    limit1, limit2 = np.sqrt(6.0 / (n_in + HIDDEN)), np.sqrt(6.0 / (HIDDEN + N_CLASSES))
    kernels = np.concatenate([rng.uniform(-limit1, limit1, (n_in, HIDDEN)),
                              rng.uniform(-limit2, limit2, (N_CLASSES, HIDDEN))])
    return {"kernels": kernels.astype(np.float32), "b1": np.zeros(HIDDEN, np.float32),
            "b2": np.zeros(N_CLASSES, np.float32)}


def accuracy(params, x, y):
    n_in = x.shape[1]
    k = params["kernels"].astype(np.float64)
    hidden = np.tanh(x.astype(np.float64) @ k[:n_in] + params["b1"])
    return float(np.mean(np.argmax(hidden @ k[n_in:].T + params["b2"], axis=1) == y))


def final_loss(route, lam, params, x, y):
    """The trained network's training loss in float64 NumPy: mean cross-entropy plus the route's penalty
    (its convention at its lambda; 0 without a route)."""
    n_in = x.shape[1]
    k = params["kernels"].astype(np.float64)
    logits = np.tanh(x.astype(np.float64) @ k[:n_in] + params["b1"]) @ k[n_in:].T + params["b2"]
    logits -= np.max(logits, axis=1, keepdims=True)
    data = float(np.mean(np.log(np.sum(np.exp(logits), axis=1)) - logits[np.arange(len(y)), y]))
    penalty = 0.0 if route is None else reference.l2(params["kernels"], lam, route.convention).value
    return data, penalty


def _cross_entropy(tf, x, y, kernels, b1, b2):
    n_in = int(x.shape[1])
    hidden = tf.tanh(tf.matmul(x, kernels[:n_in]) + b1)
    logits = tf.matmul(hidden, kernels[n_in:], transpose_b=True) + b2
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))


def train(api, route, lam, data, steps=STEPS, on_step=None):
    """Train with `route`'s penalty of strength `lam` on the kernels (route None: no penalty).

    `on_step(step, params)`, when given, is called with the initial parameters (step 0) and after
    every Adam step (1 ... steps) with that step's {"kernels", "b1", "b2"} as NumPy arrays."""
    tf, v1 = api.tf, api.v1
    x_tr, y_tr = data[0], data[1]
    init = initial_weights(x_tr.shape[1])
    shape = init["kernels"].shape
    names = ("kernels", "b1", "b2")
    if route is not None and route.runs_in_graph(api):
        graph = tf.Graph()
        with graph.as_default():
            source = WeightSource(api, route.adapt(init["kernels"]), "float32", graph_mode=True)
            built = route.build(api, source, lam)
            others = [v1.Variable(init[k], name=k) for k in names[1:]]
            loss = _cross_entropy(tf, tf.constant(x_tr), tf.constant(y_tr),
                                  tf.reshape(built.weights, shape), *others) + built.loss
            step = v1.train.AdamOptimizer(LEARNING_RATE, epsilon=EPSILON).minimize(
                loss, var_list=[built.weights] + others)
            with v1.Session(graph=graph) as sess:
                sess.run(v1.global_variables_initializer(), feed_dict=source.feed)
                if on_step:
                    on_step(0, init)
                for i in range(steps):
                    sess.run(step, feed_dict=source.feed)
                    if on_step:
                        values = sess.run([built.weights] + others)
                        on_step(i + 1, dict(zip(names, [np.asarray(values[0]).reshape(shape)] + values[1:])))
                values = sess.run([built.weights] + others)
        return dict(zip(names, [np.asarray(values[0]).reshape(shape)] + values[1:]))
    x, y = tf.constant(x_tr), tf.constant(y_tr)
    current, params, opt = route.adapt(init["kernels"]) if route else init["kernels"], None, None
    if on_step:
        on_step(0, init)
    for i in range(steps):
        with tf.GradientTape() as tape:
            kernel, penalty = None, 0.0
            if route is not None:
                built = route.build(api, WeightSource(api, current, "float32", graph_mode=False), lam)
                kernel, penalty = built.weights, built.loss
            if params is None:
                keras, is_keras3 = keras_owning(api, kernel)
                make = (lambda a: keras.Variable(a)) if is_keras3 else tf.Variable
                params = [make(current)] + [make(init[k]) for k in names[1:]]
                opt = keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=EPSILON)
            if kernel is None:
                kernel = params[0]
            loss = _cross_entropy(tf, x, y, tf.reshape(kernel, shape), *params[1:]) + penalty
        grads = tape.gradient(loss, [kernel] + params[1:])
        opt.apply_gradients(zip(grads, params))
        current = _to_numpy(params[0])
        if on_step:
            on_step(i + 1, dict(zip(names, [current.reshape(shape)] + [_to_numpy(p) for p in params[1:]])))
    return dict(zip(names, [current.reshape(shape)] + [_to_numpy(p) for p in params[1:]]))


def effective_lambda(route, scale):
    """The route's own lambda for the contrib-convention scale `scale` (Keras: scale / 2)."""
    return scale if route.convention is HALF else scale / 2.0


def _trainable_routes(api):
    return [r for r in ROUTES if r.penalty == "l2" and not r.unavailable(api)
            and "float32" in r.supported_dtypes(api)]


def run(api, progress=None, data=None, steps=STEPS, routes=None):
    """Train the baseline, every available L2 route (or `routes`) at ORDINARY_SCALE, one route per
    convention at COLLAPSE_SCALE; return the rows of the comparison. `data` (x_train, y_train, x_test,
    y_test) defaults to the digits split; a smaller `data` and `steps` make a quick run."""
    data = load_digits_split() if data is None else data
    start = time.perf_counter()
    routes = _trainable_routes(api) if routes is None else routes
    plan = [(r, ORDINARY_SCALE) for r in routes]
    for convention in sorted(set(r.convention.name for r in routes)):
        plan.append(([r for r in routes if r.convention.name == convention][0], COLLAPSE_SCALE))
    baseline = train(api, None, 0.0, data, steps)
    rows = [_row(None, 0.0, 0.0, baseline, data, None)]
    first_at = {}
    for route, scale in plan:
        if progress:
            progress("%s, scale %g" % (route.name, scale))
        lam = effective_lambda(route, scale)
        params = train(api, route, lam, data, steps)
        first = first_at.setdefault(scale, params)["kernels"]
        gap = float(np.max(np.abs(params["kernels"] - first)) / np.max(np.abs(first)))
        rows.append(_row(route, scale, lam, params, data, gap))
    return {"rows": rows, "seconds": time.perf_counter() - start, "steps": steps,
            "train_size": len(data[1]), "test_size": len(data[3]), "seed": SEED}


def _row(route, scale, lam, params, data, gap):
    data_loss, penalty = final_loss(route, lam, params, data[0], data[1])
    return {"route": route.name if route else "no regularizer",
            "convention": route.convention.name if route else "-", "scale": scale, "lambda": lam,
            "test_accuracy": accuracy(params, data[2], data[3]), "final_data_loss": data_loss,
            "final_penalty": penalty, "final_loss": data_loss + penalty, "max_weight_gap": gap}


def to_json(result):
    """The comparison for a report's JSON: per route its accuracy, final loss, its own lambda and the
    equivalent lambda (the contrib-convention scale it stands for)."""
    keys = ("route", "convention", "test_accuracy", "final_loss", "final_data_loss", "final_penalty",
            "max_weight_gap")
    routes = []
    for r in result["rows"]:
        entry = dict((k, r[k]) for k in keys)
        entry.update({"lambda": r["lambda"], "equivalent_lambda": r["scale"]})
        routes.append(entry)
    return {"network": "64-%d-10 tanh, full-batch Adam (lr %g)" % (HIDDEN, LEARNING_RATE),
            "equivalent_lambda_means": "contrib l2_regularizer scale (half convention); Keras routes get half",
            "steps": result["steps"], "seed": result["seed"], "train_size": result["train_size"],
            "test_size": result["test_size"], "seconds": result["seconds"], "routes": routes}


def add_to_report(path, result):
    """Put the comparison under the "training" key of the JSON report at `path`."""
    import json
    from ..reporting.report import write_json
    with open(path) as f:
        report = json.load(f)
    report["training"] = to_json(result)
    write_json(path, report)


def to_markdown(result):
    lines = [
        "## Training with each route's regularizer (digits, 64-%d-10, %d Adam steps, seed %d)" % (
            HIDDEN, result["steps"], result["seed"]),
        "",
        "%d training / %d test images from scikit-learn's bundled digits. Each route gets the lambda that" % (
            result["train_size"], result["test_size"]),
        "means contrib scale s (Keras routes: s/2). `gap` is the largest difference of the trained",
        "kernels from the first route's at the same s, relative to the largest weight. Chance is 0.1.",
        "`final loss`: training cross-entropy plus the route's penalty, evaluated in NumPy (float64).",
        "",
        "| route | convention | contrib scale s | route's lambda | test accuracy | final loss | gap |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append("| `%s` | %s | %g | %g | %.4f | %.4f | %s |" % (
            r["route"], r["convention"], r["scale"], r["lambda"], r["test_accuracy"], r["final_loss"],
            "—" if r["max_weight_gap"] is None else "%.2g" % r["max_weight_gap"]))
    lines += ["", "Trained in %.1f s." % result["seconds"]]
    return "\n".join(lines) + "\n"


def curve_routes(api):
    """One trainable route per convention (CURVE_ROUTES' first available, else the convention's first)."""
    routes = _trainable_routes(api)
    picked = []
    for convention in ("half", "full"):
        preferred = CURVE_ROUTES[convention]
        own = [r for r in routes if r.convention.name == convention]
        named = [r for name in preferred for r in own if r.name == name]
        picked.extend((named or own)[:1])
    return picked


def _sig(value, digits=6):
    return float("%.*g" % (digits, value))


def curves(api, data=None, steps=CURVE_STEPS, lambdas=CURVE_LAMBDAS, routes=None, progress=None):
    """Per step, test accuracy, test cross-entropy and the training objective (cross-entropy + the
    route's penalty, NumPy float64) of the network trained through each of `routes` (default:
    curve_routes) at each lambda of `lambdas`, the number passed to the route's own regularizer, as a
    user who renames contrib's l2_regularizer to Keras' l2 passes it: at the same number the
    full-convention route penalizes twice as hard. Returns the JSON-able data docs/training.json holds
    (values rounded to 6 significant digits; no timings, so a re-run on the same machine is identical)."""
    data = load_digits_split() if data is None else data
    routes = curve_routes(api) if routes is None else routes
    out = []
    for route in routes:
        for lam in lambdas:
            if progress:
                progress("curve: %s, lambda %g" % (route.name, lam))
            curve = {"route": route.name, "convention": route.convention.name, "lambda": lam,
                     "test_accuracy": [], "test_loss": [], "train_loss": []}

            def record(step, params, curve=curve, route=route, lam=lam):
                data_loss, penalty = final_loss(route, lam, params, data[0], data[1])
                curve["train_loss"].append(_sig(data_loss + penalty))
                curve["test_loss"].append(_sig(final_loss(None, 0.0, params, data[2], data[3])[0]))
                curve["test_accuracy"].append(_sig(accuracy(params, data[2], data[3])))

            train(api, route, lam, data, steps, on_step=record)
            out.append(curve)
    v = api.versions()
    return {"schema": 1, "generated_by": "python -m equivalence training --curves docs/training.json",
            "tensorflow": v["tensorflow"], "keras": v.get("keras"), "keras_flavour": v.get("keras_flavour"),
            "network": "64-%d-10 tanh, full-batch Adam (lr %g, epsilon %g), seed %d" % (
                HIDDEN, LEARNING_RATE, EPSILON, SEED),
            "data": "scikit-learn digits, %d train / %d test images" % (len(data[1]), len(data[3])),
            "lambda_means": "the number passed to each route's own regularizer (contrib scale / Keras l2)",
            "train_loss_means": "mean training cross-entropy + the route's penalty at its lambda",
            "test_loss_means": "mean test cross-entropy", "steps": steps, "curves": out}


def write_curves(path, result):
    import io
    import json
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    with io.open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(result, indent=1, sort_keys=True) + "\n")


def main(args):
    import sys
    from ..environment import get_api
    api = get_api()
    result = run(api, progress=lambda m: None if args.quiet else sys.stderr.write("[training] %s\n" % m))
    sys.stdout.write("# %s\n\n" % api.describe())
    sys.stdout.write(to_markdown(result))
    if getattr(args, "json", None):  # `report --training --json PATH`: the report's JSON carries it too
        add_to_report(args.json, result)
    if getattr(args, "curves", None):  # `training --curves PATH`: the per-step curves the figure draws
        start = time.perf_counter()
        write_curves(args.curves, curves(api, progress=lambda m: None if args.quiet else
                                         sys.stderr.write("[training] %s\n" % m)))
        sys.stdout.write("\nCurves (%d steps per lambda and route) in %.1f s: %s\n" % (
            CURVE_STEPS, time.perf_counter() - start, args.curves))
    return 0
