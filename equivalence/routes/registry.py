"""The route record, the records it is made of, and the product that makes the registry.

A route is one regularizer (regularizers.py) attached one way and read one
way (plumbing.py): `Route(regularizer, attachment, reader)`. Everything a
test needs follows from the three records: the convention and NumPy
reference (the regularizer's), what must be installed, which kernel shapes
and dtypes it takes, how it stores lambda, and `build`, which attaches the
penalty exactly the way users do. Tests iterate the registry; no test
branches on a route's name.

`product()` crosses the three axes: every combination that can be built
and that the regularizer's crossing (plumbing.Crossing) includes is a
route; every other combination is an Exclusion with its reason.
"""

import functools

import numpy as np

from ..environment import parse_version

ALL_DTYPES = ("float16", "bfloat16", "float32", "float64")


class Requirement(object):
    """Something a route needs; `missing(api)` returns why it is absent, or None.

    raises: where building the route without it raises this exception (a class name, e.g. "ValueError"):
    the route is skipped by the value tests, but the semantics cells still observe it (they assert the raise
    per cell, Route.unavailable(observed=True)), and tests/test_values.py holds the route to the raise.
    stores_as: for a dtype requirement, where a release without it runs the route but stores the weights in
    this dtype instead (JAX without x64: float32); tests/test_values.py holds the variable and the penalty to it.
    holds_as: as stores_as, but only the values are rounded: the variable's dtype and the penalty's stay the weights'
    dtype while the variable holds an array of this dtype (Keras 3.15's NumPy backend: backend_layer_weights); the test
    holds the read-back to holds_as, the penalty's dtype to the weights', its value to the holds_as reference.
    inaccurate: as stores_as, but the route's penalty is off the reference (an upstream bug the reason names)."""

    def __init__(self, name, missing, raises=None, stores_as=None, inaccurate=False, holds_as=None):
        self.name, self.missing, self.raises, self.stores_as = name, missing, raises, stores_as
        self.holds_as = holds_as
        # inaccurate (or (api) -> whether): where it is missing, the route runs but an upstream bug puts its value off
        # the reference by more than the tolerance; tests/test_values.py holds it to that, so a fix upstream fails
        self.inaccurate = inaccurate

    @property
    def rounds_to(self):
        """The dtype the weights are held in where this requirement is missing (stores_as or holds_as), or None."""
        return self.stores_as or self.holds_as

    def penalty_dtype(self, dtype):
        """The penalty's dtype for `dtype` weights where this requirement is missing (stores_as, else `dtype`)."""
        return self.stores_as or dtype

    def inaccurate_on(self, api):
        return bool(self.inaccurate(api) if callable(self.inaccurate) else self.inaccurate)

    def __repr__(self):
        return "Requirement(%s)" % self.name


CONTRIB = Requirement("contrib", lambda api: None if api.contrib is not None else api.contrib_reason)
TF_LAYERS = Requirement("tf.layers", lambda api: None if api.layers is not None else api.layers_reason)
TF_KERAS = Requirement("tf.keras", lambda api: None if api.tf_keras_module is not None
                       else api.tf_keras_module_reason)
KERAS3 = Requirement("keras3", lambda api: None if api.keras3 is not None else api.keras3_reason)
LEGACY_KERAS = Requirement("tf_keras", lambda api: None if api.legacy_keras is not None
                           else api.legacy_keras_reason)
# standalone multi-backend Keras 2 (`import keras` < 2.4, TensorFlow backend; environment.Api._find_standalone_keras)
def standalone_keras(api):
    """The standalone Keras 2 module installed here (environment.Api.keras2), or None (also without an install)."""
    return getattr(api, "keras2", None)


KERAS2 = Requirement("keras2", lambda api: None if standalone_keras(api) is not None
                     else getattr(api, "keras2_reason", None) or "standalone Keras 2 is not installed")


def keras_backend(api):
    """The backend Keras 3 runs on here (Api.keras_backend: KERAS_BACKEND when keras was first imported);
    "tensorflow" without an install (`api` None) or without Keras 3."""
    return getattr(api, "keras_backend", None) or "tensorflow"


# The Keras modules a regularizer may come from, and what a Keras layer or model fills (Route.uses_keras).
KERAS_MODULE_NAMES = ("tf.keras", "keras3", "tf_keras", "keras2")
KERAS_CONTAINERS = ("layer", "model", "restorable")


def on_tensorflow_backend(parts, why=None, keras_module=None):
    """A Requirement for something with Keras in it whose `parts` (names) compute with TensorFlow itself: tf ops,
    a v1 graph or its collections, tf.GradientTape. Keras 3 on jax, torch or numpy neither makes nor takes
    TensorFlow tensors, so in a backend env (tox -m keras-backends) it is skipped; it runs, with the same
    TensorFlow, in the TensorFlow-backend env beside it. `why`: the reason's text after "KERAS_BACKEND=<b>: "
    (default: what a route's parts do); `keras_module`: the Keras module involved ("tf.keras", "keras3",
    "tf_keras"), missing only where it is Keras 3 (tf_keras and Keras 2 run on TensorFlow whatever the backend)."""
    what = " and ".join(parts)
    why = why or ("%s compute%s with TensorFlow itself, and Keras on {backend} neither makes nor takes TensorFlow "
                  "tensors (the route runs on the TensorFlow backend)" % (what, "s" if len(parts) == 1 else ""))

    def missing(api):
        backend = keras_backend(api)
        if backend == "tensorflow" or keras_module and module_keras3_version(api, keras_module) is None:
            return None
        return "KERAS_BACKEND=%s: %s" % (backend, why.format(backend=backend))
    return Requirement("the TensorFlow backend (%s)" % what, missing)


def on_backend_array(api, x):
    """Whether `x` is a Keras 3 backend's array (jax, torch, numpy), not a TF tensor: read it with keras.ops."""
    return keras_backend(api) != "tensorflow" and not api.tf.is_tensor(x)


def first_missing(requirements, api, observed=False):
    """The reason of the first requirement `api` lacks, or None when it has them all; `observed`: leave out
    the requirements whose absence raises (Requirement.raises), which a semantics cell observes."""
    for req in requirements:
        if observed and req.raises:
            continue
        reason = req.missing(api)
        if reason:
            return reason
    return None


def since_tf(version, what):
    v = parse_version(version)
    return Requirement("tf>=%s" % version, lambda api: None if api.tf_version_tuple >= v else
                       "%s needs TensorFlow >= %s (installed: %s)" % (what, version, api.tf_version))


def tf_in(what, *ranges):
    """Available in the releases of `ranges`: (first, first_without) pairs, the second may be None."""
    spans = [(parse_version(a), parse_version(b) if b else None) for a, b in ranges]
    text = " and ".join(">= %s" % a if not b else "%s-%s" % (a, b) for a, b in ranges)

    def missing(api):
        v = api.tf_version_tuple
        if any(a <= v and (b is None or v < b) for a, b in spans):
            return None
        return "%s: TensorFlow %s only (installed: %s)" % (what, text, api.tf_version)
    return Requirement("tf in %s" % text, missing)


def module_keras3_version(api, module):
    """The Keras 3 release (a version tuple) behind `module` ("keras3", or "tf.keras" where tf.keras is Keras 3,
    flavour keras3), or None: Keras 2, tf_keras, a module that is not Keras, or no install (`api` None)."""
    if api is None or getattr(api, "keras3", None) is None:
        return None
    if module == "keras3" or (module == "tf.keras" and api.keras_flavour == "keras3"):
        return parse_version(api.keras3.__version__)
    return None


def keras3_in(module, first, first_without):
    """(api) -> True where `module`'s Keras is a Keras 3 release in [first, first_without) (either may be None)."""
    lo = parse_version(first) if first else None
    hi = parse_version(first_without) if first_without else None

    def within(api):
        v = module_keras3_version(api, module)
        return v is not None and (lo is None or v >= lo) and (hi is None or v < hi)
    return within


def keras3_absent(module, first, first_without, what, raises=None):
    """A Requirement missing where `module`'s Keras is a Keras 3 release in [first, first_without): `what` says
    what those releases do instead (the keras-history envs measured it); `raises`: Requirement.raises."""
    within = keras3_in(module, first, first_without)
    span = ", ".join(p for p in (">= %s" % first if first else "", "< %s" % first_without if first_without else "")
                     if p)
    return Requirement("not Keras 3 %s" % span, lambda api: (
        "Keras 3 %s (installed: %s): %s" % (span, api.keras3.__version__, what)) if within(api) else None,
        raises=raises)


class Kernel(object):
    """A TensorFlow CPU kernel (op) a route reaches, and the releases in which it exists per dtype.

    A dtype requirement belongs to the kernels a route or its gradient actually
    reaches, never to a blanket default: a route declares `kernels` (what its
    penalty runs) and `gradient_kernels` (what its gradient adds), and the
    dtypes it takes on a release follow from them. Every range below was
    measured on every release of the matrix (a cast, penalty and gradient of
    each route in each dtype and rank; docs/SEMANTICS.md), and
    tests/test_values.py and tests/test_gradients.py hold each declaration
    to the running release: a dtype declared absent must really fail.
    """

    def __init__(self, op, **by_dtype):
        self.op, self.by_dtype = op, by_dtype  # dtype name -> Requirement; absent: every release

    def __repr__(self):
        return "Kernel(%s)" % self.op

    def missing(self, api, dtype):
        req = self.by_dtype.get(dtype)
        return req.missing(api) if req else None


# bfloat16 CPU kernels for the elementwise ops and reductions every route reaches (Square, Mul, Sum,
# AddN): none on 1.6 (which has a bfloat16 Cast only), from 1.7 on.
BFLOAT16_ARITHMETIC = tf_in("bfloat16 CPU kernels for Square, Mul and Sum", ("1.7", None))

ARITHMETIC = Kernel("Square, Mul, Sum, AddN", bfloat16=BFLOAT16_ARITHMETIC)
# L2Loss: bfloat16 from 1.14, lost in 2.4 (NotFoundError / InvalidArgumentError), back from 2.5.
L2LOSS = Kernel("L2Loss", bfloat16=tf_in("a bfloat16 CPU kernel for L2Loss", ("1.14", "2.4"), ("2.5", None)))
# Abs (every L1 penalty): bfloat16 from 1.14 (1.7-1.13: "No OpKernel was registered to support Op 'Abs'").
ABS = Kernel("Abs", bfloat16=tf_in("a bfloat16 CPU kernel for Abs", ("1.14", None)))
# The gradient of Sum over a tensor of rank >= 1 tiles the upstream gradient: bfloat16 Tile from 1.14
# (1.7-1.13: UnimplementedError "TileOp : ... bfloat16"; a rank-0 sum needs no Tile).
TILE = Kernel("Tile", bfloat16=tf_in("a bfloat16 CPU kernel for Tile (the gradient of Sum over rank >= 1)",
                                     ("1.14", None)))
# Conv2D, reached by building tf.layers.conv2d (the session places the whole graph): float64 from 1.8
# (1.6 and 1.7 have none); bfloat16 on 1.14-2.3 and from 2.5 (1.7-1.13 and 2.4: "No OpKernel was
# registered to support Op 'Conv2D'", measured with a Keras regularizer, which has its own bfloat16 kernels).
CONV2D_OP = Kernel("Conv2D", float64=tf_in("a float64 CPU kernel for Conv2D", ("1.8", None)),
                   bfloat16=tf_in("a bfloat16 CPU kernel for Conv2D", ("1.14", "2.4"), ("2.5", None)))
# MatMul of tf.layers.dense's and fully_connected's forward pass: bfloat16 from 1.10 (1.7-1.9: InvalidArgumentError).
LAYER_MATMUL = Kernel("MatMul (a v1 layer's forward pass)",
                      bfloat16=tf_in("a bfloat16 CPU kernel for MatMul", ("1.10", None)))

# What a Keras 3 backend other than TensorFlow stores arrays in (every route that runs on the backend reaches it:
# Route.kernels, backend_arrays). JAX computes in 32 bits unless JAX_ENABLE_X64 is set before jax is imported: a float64 array
# becomes float32 with a UserWarning ("Explicitly requested dtype float64 requested in asarray is not available"),
# and a Keras 3.15 Variable of dtype "float64" then holds float32 values (measured on jax 0.10.2; JAX's "Double
# (64bit) precision" in its sharp bits). The harness's read-back check would fail on every such case.
def _jax_float64(api):
    if keras_backend(api) != "jax":
        return None
    import jax
    if jax.config.read("jax_enable_x64"):
        return None
    return ("KERAS_BACKEND=jax without JAX_ENABLE_X64: float64 arrays are stored as float32 (a Keras variable "
            "of dtype float64 holds float32 values)")


_BACKEND_ARRAYS = {}


def backend_arrays(keras_module):
    """The Kernel record of a Keras 3 backend's arrays, for routes whose Keras is `keras_module` (not a TensorFlow
    op: what the route's weights are stored in where that Keras is Keras 3 on another backend than TensorFlow)."""
    if keras_module not in _BACKEND_ARRAYS:
        _BACKEND_ARRAYS[keras_module] = Kernel("the Keras backend's arrays", float64=Requirement(
            "64-bit arrays on the Keras backend",
            lambda api: _jax_float64(api) if module_keras3_version(api, keras_module) is not None else None,
            stores_as="float32"))
    return _BACKEND_ARRAYS[keras_module]

# Upstream bug (Keras 3.15.1, NumPy backend; no issue found): a weight a layer makes with its initializer keeps
# the initializer's array converted without a dtype (backend/common/variables.py _initialize_with_initializer calls
# _convert_to_tensor(value); the NumPy backend's convert_to_tensor then takes dtypes.result_type, which maps 64-bit
# floats to 32-bit off TensorFlow, and its Variable._initialize stores the array as it comes). A float64 Dense
# kernel so holds float32 values while its .dtype says float64; the L2 penalty is float64 (lambda is cast to the
# variable's dtype) times a float32 sum of the rounded values. A keras.Variable made from an array, and any
# assign (set_weights, an optimizer step), keep float64. Minimal reproduction:
#   KERAS_BACKEND=numpy python -c "import keras; d = keras.layers.Dense(2, dtype='float64'); d.build((None, 2));
#   print(d.kernel.dtype, d.kernel.value.dtype)"      # float64 float32
def _numpy_layer_float64(api):
    if keras_backend(api) != "numpy":
        return None
    return ("upstream bug (Keras 3.15.1): on KERAS_BACKEND=numpy a float64 weight a layer initializes holds float32 "
            "values (its .dtype says float64)")


_LAYER_WEIGHTS = {}


def backend_layer_weights(keras_module, penalty):
    """The Kernel record of the weights a Keras 3 layer makes with its initializer on a backend other than
    TensorFlow (a route whose layer or model builds its weights: Route.kernels), for `keras_module`'s Keras and a
    regularizer of `penalty`. The L2 / L1 penalties multiply a lambda cast to the variable's dtype (float64) by the
    float32 sum as NumPy does, so the penalty is float64 (holds_as); OrthogonalRegularizer's keras.ops chain on the
    float32 values ends in float32 (stores_as)."""
    key = (keras_module, penalty == "orthogonal")
    if key not in _LAYER_WEIGHTS:
        orthogonal = penalty == "orthogonal"
        penalty_text = (", and OrthogonalRegularizer's keras.ops of them are float32" if orthogonal else
                        "; the penalty is float64 (lambda cast to the variable's dtype) times a float32 sum of the "
                        "rounded weights")

        def missing(api):
            why = _numpy_layer_float64(api) if module_keras3_version(api, keras_module) is not None else None
            return why and why + penalty_text
        _LAYER_WEIGHTS[key] = Kernel("a Keras layer's initialized weights", float64=Requirement(
            "float64 values in a float64 layer weight on the Keras backend", missing,
            stores_as="float32" if orthogonal else None, holds_as=None if orthogonal else "float32"))
    return _LAYER_WEIGHTS[key]


# MatMul: OrthogonalRegularizer's Gram matrix (float32 / float64 on every release it exists in).
MATMUL = Kernel("MatMul")

# What each penalty reaches: contrib's l2 and tf.nn.l2_loss run L2Loss, Keras sum(square(w)).
HALF_L2_KERNELS = (L2LOSS, ARITHMETIC)
KERAS_L2_KERNELS = (ARITHMETIC,)
KERAS_L2_GRADIENT_KERNELS = (TILE,)


def first_missing_kernel(kernels, api, dtype):
    """The reason of the first of `kernels` without a `dtype` kernel on this release, or None."""
    for kernel in kernels:
        reason = kernel.missing(api, dtype)
        if reason:
            return reason
    return None


class KernelShape(object):
    """Which weight shapes a route takes, and how the suite's array is presented to it."""

    def __init__(self, name, min_dims, max_dims, min_side):
        self.name, self.min_dims, self.max_dims, self.min_side = name, min_dims, max_dims, min_side

    def accepts(self, shape):
        return (self.min_dims <= len(shape) <= self.max_dims
                and all(s >= self.min_side for s in shape))

    def adapt(self, weights):
        """Present a rank-4 array to a route of another rank, with the same elements."""
        w = np.asarray(weights)
        if self.accepts(w.shape):
            return w
        if self.max_dims == 2 and w.ndim >= 2:
            return w.reshape(-1, w.shape[-1])
        if self.min_dims == 4 and w.ndim == 2:  # a dense kernel as a 1x1 convolution
            return w.reshape((1, 1) + w.shape)
        raise ValueError("%s kernels cannot take shape %s" % (self.name, w.shape))


ANY = KernelShape("any tensor (rank 0-4, zero-size allowed)", 0, 4, 0)
MATRIX = KernelShape("dense kernel (in, out)", 2, 2, 1)
# OrthogonalRegularizer divides by the number of pairs of rows, size * (size - 1) / 2: two rows at least.
MATRIX_2 = KernelShape("dense kernel (in >= 2, out >= 2)", 2, 2, 2)
CONV2D = KernelShape("conv2d kernel (h, w, in, out)", 4, 4, 1)


def registrar(records, make, kind):
    """A decorator factory: `@registrar(...)(name, **fields)` appends `make(name, function, **fields)`
    to `records`, refusing a second record of the same name."""
    def declare(name, **fields):
        def register(function):
            if any(r.name == name for r in records):
                raise ValueError("%s %r registered twice" % (kind, name))
            records.append(make(name, function, **fields))
            return function
        return register
    return declare


class Built(object):
    """What a route's build function returns.

    loss:    the penalty as the user would get it (a tensor, or a Python number
             when the API returns one).
    weights: the variable (or tensor) holding the weights the penalty was
             applied to, for the read-back check.
    entries: how many tensors the route found in REGULARIZATION_LOSSES (or in
             `.losses`), when it reads a collection.
    entry_kinds: for `.losses`, what each entry is ('tensor', or a Python type name).
    """

    def __init__(self, loss, weights, entries=None, entry_kinds=None):
        self.loss, self.weights, self.entries, self.entry_kinds = loss, weights, entries, entry_kinds


def sum_entries(api, entries):
    """What users write to total a list of penalties: `tf.add_n`; 0 when the list is empty. Keras 3 on
    jax / torch / numpy holds its backend's arrays, which tf.add_n does not take: keras.ops.add, in order."""
    entries = list(entries)
    if not entries:
        return 0.0
    if on_backend_array(api, entries[0]):
        return functools.reduce(api.keras3.ops.add, entries)
    return api.tf.add_n(entries)


class Route(object):
    """One regularizer, attached one way, read one way.

    slug (= name)  `<regularizer>.<attachment>.<reader>`: the test id, the key of its semantics cells
    display (= api_call)  what a user writes, as one line of code
    regularizer, attachment, reader  the three records (regularizers.py, plumbing.py)
    traits()  the fields a semantics row selects on (semantics/table.py)

    The remaining attributes follow from the records: `convention`, `penalty`, `family`,
    `lambda_precision_for(api)`, `kernel` (KernelShape), `dtypes`, `kernels` / `gradient_kernels`
    (Kernel: the dtypes a release takes follow from them), `requires`, `graph_only`,
    `zero_lambda_requires`, `notes`, `examples_share` (the attachment's: plumbing.PLUMBING_SHARE).
    """

    def __init__(self, regularizer, attachment, reader, extra_requires=(), colocated=None, zero_lambda_requires=None):
        self.regularizer, self.attachment, self.reader = regularizer, attachment, reader
        self.slug = self.name = "%s.%s.%s" % (regularizer.name, attachment.name, reader.name)
        reg = regularizer.spelling
        text = attachment.spelling.format(reg=reg)
        if reader.spelling:
            text += "; " + reader.spelling.format(reg=reg)
        self.display = self.api_call = text.replace("<module>", _layer_prefix(regularizer))
        self.family, self.penalty, self.convention = regularizer.family, regularizer.penalty, regularizer.convention
        self.notes = regularizer.notes  # lambda's precision depends on the install: lambda_precision_for(api)
        self.requires = regularizer.requires + attachment.requires + reader.requires + tuple(extra_requires)
        self.graph_only = attachment.graph_only or reader.graph_only
        # Keras 3 backends (tox -m keras-backends): a route with Keras in it runs on the installed backend, unless
        # a part computes with TensorFlow itself (then it needs the TensorFlow backend); one without Keras runs
        # on TensorFlow whatever KERAS_BACKEND says.
        # keras_module: the Keras module of its regularizer, or of its layer (tf.keras for the other regularizers)
        self.keras_module = regularizer.module if regularizer.module in KERAS_MODULE_NAMES else (
            "tf.keras" if attachment.fills in KERAS_CONTAINERS else None)
        self.uses_keras = self.keras_module is not None
        tensorflow_parts = [r.name for r in (regularizer, attachment, reader) if r.needs_tensorflow]
        self.runs_on_keras_backend = self.uses_keras and not tensorflow_parts
        if self.uses_keras and tensorflow_parts:
            self.requires += (on_tensorflow_backend(tensorflow_parts, keras_module=self.keras_module),)
        # the regularizer's own shape is the stricter one where it has one (product() checks they meet)
        self.kernel = regularizer.kernel_shape or attachment.kernel or ANY
        self.dtypes = regularizer.dtypes
        # a route that runs on any Keras 3 backend also reaches that backend's arrays (BACKEND_ARRAYS)
        self.kernels = regularizer.kernels + attachment.kernels + (
            (backend_arrays(self.keras_module),) if self.runs_on_keras_backend else ()) + (
            # a layer or model that builds its weights with their initializer (not set_weights: "restorable")
            (backend_layer_weights(self.keras_module, regularizer.penalty),)
            if self.runs_on_keras_backend and attachment.fills in ("layer", "model") else ())
        self.gradient_kernels = regularizer.gradient_kernels
        self.dtype_requires = dict(colocated or {})
        for dtype, req in regularizer.dtype_requires.items():
            if req is not None:
                self.dtype_requires[dtype] = req  # (no regularizer requirement shares a dtype with a colocation)
        zero = [z for z in (regularizer.zero_lambda_requires, attachment.zero_lambda_requires, zero_lambda_requires)
                if z is not None]
        self.zero_lambda_requires = Requirement(" and ".join(z.name for z in zero), lambda api: first_missing(
            zero, api)) if zero else None
        self.examples_share = attachment.examples_share

    def __repr__(self):
        return "Route(%s)" % self.slug

    def build(self, api, src, lam):
        """Attach the regularizer made with `lam` to the source's weights, then read the penalty: a Built."""
        regularizer = self.regularizer.make(api, lam)
        return self.reader.read(api, self.attachment.attach(api, src, regularizer, self.regularizer))

    def traits(self):
        """What a semantics row may select on (never the route's name)."""
        r = self.regularizer
        return {"regularizer": r.name, "family": r.family, "module": r.module, "penalty": r.penalty,
                "convention": r.convention.name, "attachment": self.attachment.name, "reader": self.reader.name,
                "container": self.attachment.fills, "layer_module": _layer_module_name(r, self.attachment)}

    def unavailable(self, api, observed=False):
        """Why this route cannot run here, or None when it can; `observed`: whether a semantics cell can
        observe it (a requirement whose absence raises, Requirement.raises, does not stop a cell)."""
        return first_missing(self.requires, api, observed)

    def raising_requirement(self, api):
        """The first requirement missing here whose absence raises (Requirement.raises), or None."""
        return next((r for r in self.requires if r.raises and r.missing(api)), None)

    def dtype_unavailable(self, api, dtype, observed=False):
        if dtype not in self.dtypes:
            return "%s does not take %s weights" % (self.name, dtype)
        req = self.dtype_requires.get(dtype)
        if req is not None and observed and req.raises:
            req = None
        # a requirement that names its exception raises when the route is built, before any kernel runs
        first = req.missing(api) if req is not None and req.raises else None
        return first or first_missing_kernel(self.kernels, api, dtype) or (req.missing(api) if req else None)

    def dtype_requirement(self, api, dtype):
        """The Requirement whose reason dtype_unavailable(api, dtype) gives (a kernel's or the record's), or None."""
        reason = self.dtype_unavailable(api, dtype)
        for req in [k.by_dtype.get(dtype) for k in self.kernels] + [self.dtype_requires.get(dtype)]:
            if req is not None and reason is not None and req.missing(api) == reason:
                return req
        return None

    def gradient_dtype_unavailable(self, api, dtype):
        """Why the gradient of this route's penalty cannot be taken in `dtype` here, or None."""
        return self.dtype_unavailable(api, dtype) or first_missing_kernel(self.gradient_kernels, api, dtype)

    def gradient_dtypes(self, api):
        return [d for d in self.dtypes if self.gradient_dtype_unavailable(api, d) is None]

    def lambda_unavailable(self, api, lam):
        """Why this route cannot take `lam` here (asserted in semantics/lambda_table.py instead), or None."""
        if lam == 0 and self.zero_lambda_requires is not None:
            return self.zero_lambda_requires.missing(api)
        return None

    def supported_dtypes(self, api):
        return [d for d in self.dtypes if self.dtype_unavailable(api, d) is None]

    def on_backend(self, api):
        """Whether this route runs on a Keras 3 backend other than TensorFlow here: its weights are then that
        backend's arrays (harness.WeightSource), and its results are read with keras.ops."""
        return (self.runs_on_keras_backend and keras_backend(api) != "tensorflow"
                and module_keras3_version(api, self.keras_module) is not None)

    def runs_in_graph(self, api):
        """TF 1.x is graph-only; on 2.x the collection-based APIs need a v1 graph."""
        return self.graph_only or not api.tf2

    def adapt(self, weights):
        return self.kernel.adapt(weights)

    def reference(self, weights, lam, api=None):
        return self.regularizer.reference(weights, lam, api)

    def lambda_precision_for(self, api):
        """The dtype lambda is stored in on this install (None: as given); `api` None: the newest release's."""
        return self.regularizer.lambda_precision_for(api)


def _layer_module_name(regularizer, attachment):
    if attachment.fills != "layer":
        return ""
    return regularizer.module if regularizer.family == "keras" else "tf.keras"


def _layer_prefix(regularizer):
    return {"keras3": "keras", "keras2": "keras", "tf_keras": "tf_keras"}.get(regularizer.module, "tf.keras")


class Exclusion(object):
    """A combination of the three axes that is not a route, and why."""

    def __init__(self, regularizer, attachment, reader, reason):
        self.regularizer, self.attachment, self.reader, self.reason = regularizer, attachment, reader, reason
        self.slug = "%s.%s.%s" % (regularizer.name, attachment.name, reader.name)

    def __repr__(self):
        return "Exclusion(%s: %s)" % (self.slug, self.reason)


def product(regularizers, attachments, readers, buildable, pair_requires, pair_colocated, pair_zero_lambda_requires):
    """(routes, exclusions): every regularizer x attachment x reader, as a Route or an Exclusion.

    `buildable(attachment, reader)` is the construction rule; `pair_requires(regularizer, attachment)`,
    `pair_colocated(...)` and `pair_zero_lambda_requires(regularizer, attachment, reader)` are what a
    mix adds to each record's own requirements (plumbing.py).
    """
    routes, excluded = [], []
    for reg in regularizers:
        for att in attachments:
            for rd in readers:
                reason = None
                if not buildable(att, rd):
                    reason = "%s reads %s; %s fills %s" % (rd.name, rd.reads, att.name, att.fills)
                elif reg.kernel_shape is not None and att.kernel is not None and not _shapes_meet(
                        reg.kernel_shape, att.kernel):
                    reason = "%s needs a %s; %s makes a %s" % (reg.name, reg.kernel_shape.name, att.name,
                                                              att.kernel.name)
                elif not reg.plumbing.choose(reg, att, rd):
                    reason = "outside %s's crossing (%s): %s" % (reg.name, reg.plumbing.name, reg.plumbing.reason)
                if reason:
                    excluded.append(Exclusion(reg, att, rd, reason))
                else:
                    routes.append(Route(reg, att, rd, pair_requires(reg, att), pair_colocated(reg, att),
                                        pair_zero_lambda_requires(reg, att, rd)))
    return routes, excluded


def _shapes_meet(a, b):
    return max(a.min_dims, b.min_dims) <= min(a.max_dims, b.max_dims)
