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


# Which releases have the CPU kernels a dtype needs, measured by the version
# matrix's dtype probe (docs/SEMANTICS.md): L2Loss, which every half-convention
# route reaches through l2_regularizer or tf.nn.l2_loss, has a bfloat16 CPU
# kernel from 1.14, lost it in 2.4 (NotFoundError / InvalidArgumentError), and
# has it again from 2.5. Keras computes sum(square(w)) instead: from 1.7.
L2LOSS_BFLOAT16 = tf_in("a bfloat16 CPU kernel for L2Loss", ("1.14", "2.4"), ("2.5", None))
KERAS_BFLOAT16 = tf_in("bfloat16 CPU kernels for Square and Sum", ("1.7", None))
DTYPE_REQUIREMENTS = {"bfloat16": L2LOSS_BFLOAT16}


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
    def __init__(self, name, family, api_call, convention, build, requires=(), graph_only=False,
                 kernel=ANY, dtypes=ALL_DTYPES, dtype_requires=None, lambda_precision=None, penalty="l2",
                 notes="", zero_lambda_requires=None):
        self.name = name
        self.family = family
        self.api_call = api_call
        self.convention = convention
        self.build = build
        self.requires = tuple(requires)
        self.graph_only = graph_only
        self.kernel = kernel
        self.dtypes = tuple(dtypes)
        self.dtype_requires = dict(DTYPE_REQUIREMENTS, **(dtype_requires or {}))
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
        return req.missing(api) if req else None

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
