"""Initializer specs, evaluated once into the array every route receives.

A spec names a TensorFlow initializer, its parameters and its seed (or an
explicit array). `materialize` runs that initializer once, in a graph of its
own, and casts the result to the case's dtype. That exact array is then handed
to every route through the route's own initializer argument (see harness.py),
and read back from the variable the route created.
"""

import numpy as np

# Random initializers are evaluated in float32 (float64 for float64 cases) and
# then rounded to the case dtype, so that float16/bfloat16 cases do not depend
# on which random kernels a release has for half types.
_EVAL_DTYPE = {"float16": "float32", "bfloat16": "float32", "float32": "float32", "float64": "float64"}


class InitSpec(object):
    """A TF initializer: `kind` (a name from KINDS), keyword `params`, `seed`."""

    def __init__(self, kind, params=None, seed=None, array=None):
        self.kind = kind
        self.params = dict(params or {})
        self.seed = seed
        self.array = array  # only for kind == "array"

    def describe(self):
        if self.kind == "array":
            return "array(explicit values)"
        args = ["%s=%r" % kv for kv in sorted(self.params.items())]
        if self.seed is not None:
            args.append("seed=%d" % self.seed)
        return "%s(%s)" % (self.kind, ", ".join(args))

    def to_cli(self):
        """The `--init` argument that rebuilds this spec (see __main__.py)."""
        items = ["%s=%r" % kv for kv in sorted(self.params.items())]
        if self.seed is not None:
            items.append("seed=%d" % self.seed)
        return self.kind + (":" + ",".join(items) if items else "")

    __repr__ = describe


def _build(v1, spec):
    p, seed = spec.params, spec.seed
    k = spec.kind
    if k == "constant":
        return v1.constant_initializer(p["value"])
    if k == "zeros":
        return v1.zeros_initializer()
    if k == "ones":
        return v1.ones_initializer()
    if k == "random_normal":
        return v1.random_normal_initializer(mean=p["mean"], stddev=p["stddev"], seed=seed)
    if k == "truncated_normal":
        return v1.truncated_normal_initializer(mean=p["mean"], stddev=p["stddev"], seed=seed)
    if k == "random_uniform":
        return v1.random_uniform_initializer(minval=p["minval"], maxval=p["maxval"], seed=seed)
    if k == "glorot_uniform":
        return v1.glorot_uniform_initializer(seed=seed)
    if k == "glorot_normal":
        return v1.glorot_normal_initializer(seed=seed)
    if k == "variance_scaling":
        # "uniform" is the one distribution name every release from 1.6 on accepts.
        return v1.variance_scaling_initializer(scale=p["scale"], mode=p["mode"],
                                               distribution="uniform", seed=seed)
    if k == "orthogonal":
        return v1.orthogonal_initializer(gain=p["gain"], seed=seed)
    raise ValueError("unknown initializer kind %r" % k)


KINDS = ("constant", "zeros", "ones", "random_normal", "truncated_normal", "random_uniform",
         "glorot_uniform", "glorot_normal", "variance_scaling", "orthogonal", "array")


def materialize(api, spec, shape, dtype):
    """Evaluate `spec` once for `shape`; return a NumPy array of case dtype `dtype`."""
    target = api.numpy_dtype(dtype)
    if spec.kind == "array":
        return np.asarray(spec.array).astype(target).reshape(shape)
    tf, v1 = api.tf, api.v1
    eval_dtype = _EVAL_DTYPE[dtype]
    graph = tf.Graph()
    with graph.as_default():
        init = _build(v1, spec)
        value = init(list(shape), dtype=getattr(tf, eval_dtype))
        with v1.Session(graph=graph) as sess:
            out = sess.run(value)
    return np.asarray(out).astype(target)
