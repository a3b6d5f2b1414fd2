"""The route record and the registry.

A route is data: its name (the API path a user types), its family, the
convention its documentation implies, what it needs installed, which kernel
shapes and dtypes it takes, how it stores lambda, and a `build` function that
attaches the penalty exactly the way users do. Tests iterate the registry;
no test branches on a route's name.

Adding a route is one `@route(...)` entry in the family's module.
"""

import numpy as np

from .. import reference
from ..environment import parse_version

ROUTES = []

ALL_DTYPES = ("float16", "bfloat16", "float32", "float64")


class Requirement(object):
    """Something a route needs; `missing(api)` returns why it is absent, or None."""

    def __init__(self, name, missing):
        self.name, self.missing = name, missing

    def __repr__(self):
        return "Requirement(%s)" % self.name


CONTRIB = Requirement("contrib", lambda api: None if api.contrib is not None else api.contrib_reason)
TF_LAYERS = Requirement("tf.layers", lambda api: None if api.layers is not None else api.layers_reason)
TF_KERAS = Requirement("tf.keras", lambda api: None if api.tf_keras_module is not None
                       else api.tf_keras_module_reason)
KERAS3 = Requirement("keras3", lambda api: None if api.keras3 is not None else api.keras3_reason)
LEGACY_KERAS = Requirement("tf_keras", lambda api: None if api.legacy_keras is not None
                           else api.legacy_keras_reason)


def first_missing(requirements, api):
    """The reason of the first requirement `api` lacks, or None when it has them all."""
    for req in requirements:
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
# Conv2D, reached by building tf.layers.conv2d: float64 from 1.8 (1.6 and 1.7 have none).
CONV2D_OP = Kernel("Conv2D", float64=tf_in("a float64 CPU kernel for Conv2D", ("1.8", None)),
                   bfloat16=BFLOAT16_ARITHMETIC)

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
CONV2D = KernelShape("conv2d kernel (h, w, in, out)", 4, 4, 1)


class Route(object):
    """One API route. `kernels` (required: no blanket default) are the TensorFlow kernels its penalty
    reaches and `gradient_kernels` those its gradient adds (Kernel); `dtype_requires` maps a dtype to
    a further Requirement that is not a kernel's (e.g. where placement colocates an op)."""

    def __init__(self, name, family, api_call, convention, build, kernels, requires=(), graph_only=False,
                 kernel=ANY, dtypes=ALL_DTYPES, dtype_requires=None, lambda_precision=None, penalty="l2",
                 notes="", zero_lambda_requires=None, gradient_kernels=()):
        self.name = name
        self.family = family
        self.api_call = api_call
        self.convention = convention
        self.build = build
        self.requires = tuple(requires)
        self.graph_only = graph_only
        self.kernel = kernel
        self.dtypes = tuple(dtypes)
        self.kernels = tuple(kernels)
        self.gradient_kernels = tuple(gradient_kernels)
        self.dtype_requires = dict(dtype_requires or {})
        self.lambda_precision = lambda_precision
        self.penalty = penalty
        self.notes = notes
        # A Requirement for lambda == 0 where some releases reject it (the semantics tables assert how).
        self.zero_lambda_requires = zero_lambda_requires

    def __repr__(self):
        return "Route(%s)" % self.name

    def unavailable(self, api):
        """Why this route cannot run here, or None when it can."""
        return first_missing(self.requires, api)

    def dtype_unavailable(self, api, dtype):
        if dtype not in self.dtypes:
            return "%s does not take %s weights" % (self.name, dtype)
        req = self.dtype_requires.get(dtype)
        return first_missing_kernel(self.kernels, api, dtype) or (req.missing(api) if req else None)

    def gradient_dtype_unavailable(self, api, dtype):
        """Why the gradient of this route's penalty cannot be taken in `dtype` here, or None."""
        return self.dtype_unavailable(api, dtype) or first_missing_kernel(self.gradient_kernels, api, dtype)

    def gradient_dtypes(self, api):
        return [d for d in self.dtypes if self.gradient_dtype_unavailable(api, d) is None]

    def lambda_unavailable(self, api, lam):
        """Why this route cannot take `lam` here (asserted in semantics/lam.py instead), or None."""
        if lam == 0 and self.zero_lambda_requires is not None:
            return self.zero_lambda_requires.missing(api)
        return None

    def supported_dtypes(self, api):
        return [d for d in self.dtypes if self.dtype_unavailable(api, d) is None]

    def runs_in_graph(self, api):
        """TF 1.x is graph-only; on 2.x the collection-based APIs need a v1 graph."""
        return self.graph_only or not api.tf2

    def adapt(self, weights):
        return self.kernel.adapt(weights)

    def reference(self, weights, lam):
        if self.penalty == "l2":
            return reference.l2(weights, lam, self.convention)
        if self.penalty == "l1":
            return reference.l1(weights, lam)
        if self.penalty == "l1_l2":
            return reference.l1_l2(weights, lam, lam, self.convention)
        raise ValueError("unknown penalty %r" % self.penalty)


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


# Decorator: register `build` as the route `name` (see Route for the fields).
route = registrar(ROUTES, lambda name, build, **fields: Route(name=name, build=build, **fields), "route")
