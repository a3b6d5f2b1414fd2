"""Hypothesis strategies for cases: shapes, dtypes, initializers, lambda.

Built on `hypothesis.extra.numpy`. A case is drawn as a plan (dtype, shape,
initializer spec, lambda); the array itself comes from evaluating the spec once
(initializers.materialize), so that every route receives the same array.
"""

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .initializers import InitSpec

SEED = st.integers(min_value=0, max_value=2 ** 31 - 1)

# Element bounds and longest side per dtype. Half types keep sums short and
# values small so that the squares and their sum stay finite (65504 for
# float16) and the tolerance (which grows with the number of terms) stays tight
# enough to mean something.
ELEMENT_BOUND = {"float16": 8.0, "bfloat16": 8.0, "float32": 1e3, "float64": 1e3}
MAX_SIDE = {"float16": 4, "bfloat16": 4, "float32": 8, "float64": 8}


# One strategy object per key. Hypothesis validates a strategy (and every strategy
# inside it) on its first draw: for `init_specs`' eleven branches that cost ~3 ms,
# paid on every example when the strategies were built afresh inside `plans`.
# Safe: a strategy keeps no state between draws, so drawing from the same object
# makes exactly the choices a fresh equal one makes (a derandomized run draws the
# same cases as before; tests/harness/test_strategies.py checks the same plans come out).
_STRATEGIES = {}


def _memo(key, make):
    try:
        return _STRATEGIES[key]
    except KeyError:
        made = _STRATEGIES[key] = make()
        return made
    except TypeError:  # an unhashable key (a caller's own strategy): build it
        return make()


def lambdas():
    """Non-negative lambda: zero, tiny (subnormal territory), ordinary, large."""
    return _memo(("lambdas",), _lambdas)


def _lambdas():
    return st.one_of(
        st.just(0.0),
        st.floats(min_value=1e-30, max_value=1e-6),
        st.floats(min_value=1e-6, max_value=1.0),
        st.floats(min_value=1.0, max_value=1e4),
    )


def shapes(kernel, dtype):
    """Shapes a route's kernel takes: rank and minimum side from the route record."""
    return _memo(("shapes", kernel.min_dims, kernel.max_dims, kernel.min_side, dtype),
                 lambda: hnp.array_shapes(min_dims=kernel.min_dims, max_dims=kernel.max_dims,
                                          min_side=kernel.min_side, max_side=MAX_SIDE[dtype]))


def _element_floats(dtype):
    bound = ELEMENT_BOUND[dtype]
    width = 64 if dtype == "float64" else 32
    return st.floats(min_value=-bound, max_value=bound, allow_nan=False, allow_infinity=False, width=width)


def init_specs(shape, dtype):
    """A TF initializer with its parameters and seed, or an explicit array."""
    return _memo(("init_specs", tuple(shape), dtype), lambda: _init_specs(tuple(shape), dtype))


def _init_specs(shape, dtype):
    bound = ELEMENT_BOUND[dtype]
    small = min(bound, 4.0)
    kinds = [
        st.builds(lambda v: InitSpec("constant", {"value": v}), _element_floats(dtype)),
        st.just(InitSpec("zeros")),
        st.just(InitSpec("ones")),
        st.builds(lambda m, s, seed: InitSpec("random_normal", {"mean": m, "stddev": s}, seed),
                  st.floats(-small / 4, small / 4), st.floats(0.01, small / 8), SEED),
        st.builds(lambda m, s, seed: InitSpec("truncated_normal", {"mean": m, "stddev": s}, seed),
                  st.floats(-small / 4, small / 4), st.floats(0.01, small / 4), SEED),
        st.builds(lambda a, w, seed: InitSpec("random_uniform", {"minval": a, "maxval": a + w}, seed),
                  st.floats(-small / 2, 0.0), st.floats(0.01, small / 2), SEED),
        st.builds(lambda seed: InitSpec("glorot_uniform", seed=seed), SEED),
        st.builds(lambda seed: InitSpec("glorot_normal", seed=seed), SEED),
        st.builds(lambda s, mode, seed: InitSpec("variance_scaling", {"scale": s, "mode": mode}, seed),
                  st.floats(0.1, 3.0), st.sampled_from(["fan_in", "fan_out", "fan_avg"]), SEED),
        st.builds(lambda a: InitSpec("array", array=a),
                  hnp.arrays("float64" if dtype == "float64" else "float32", shape,
                             elements=_element_floats(dtype))),
    ]
    size = 1
    for s in shape:
        size *= s
    if len(shape) >= 2 and size > 0:  # orthogonal needs a non-empty matrix
        kinds.append(st.builds(lambda g, seed: InitSpec("orthogonal", {"gain": g}, seed),
                               st.floats(0.1, 3.0), SEED))
    return st.one_of(*kinds)


class Plan(object):
    """What a case is made of, before the initializer is evaluated."""

    def __init__(self, dtype, shape, init, lam):
        self.dtype, self.shape, self.init, self.lam = dtype, shape, init, lam


def plans(dtypes, kernel, lams=None):
    """Plans of the given dtypes for a route's kernel; lambda from `lams` (default `lambdas()`)."""
    dtypes = tuple(dtypes)
    return _memo(("plans", dtypes, kernel.min_dims, kernel.max_dims, kernel.min_side, lams),
                 lambda: _plans(dtypes, kernel, lams))


@st.composite
def _plans(draw, dtypes, kernel, lams=None):
    dtype = draw(_memo(("dtypes", dtypes), lambda: st.sampled_from(list(dtypes))))
    shape = draw(shapes(kernel, dtype))
    init = draw(init_specs(shape, dtype))
    lam = draw(lams if lams is not None else lambdas())
    return Plan(dtype, shape, init, lam)


# -- the Keras model axis (routes/models.py): a layer's weight, its shape derived from the layer's sizes ----
def nonzero_lambdas():
    """lambdas() without 0: a zero penalty cannot show a repeated entry, a dropped one or a lost factor of
    two (0 = 2 * 0); what lambda == 0 does is the lambda table's (probe `zero`), on the core routes."""
    return _memo(("nonzero_lambdas",), lambda: lambdas().filter(lambda lam: lam != 0))


def model_plans(route, dtypes):
    """Plans for a model route: a dtype of `dtypes`, one of the shapes its LayerShape derives, weights
    and a nonzero lambda (tests/test_models.py and the report's sample)."""
    return _model_plans(tuple(dtypes), tuple(route.kernel.shapes()))


@st.composite
def _model_plans(draw, dtypes, shapes):
    dtype = draw(st.sampled_from(list(dtypes)))
    shape = draw(st.sampled_from(list(shapes)))
    init = draw(init_specs(shape, dtype))
    return Plan(dtype, shape, init, draw(nonzero_lambdas()))
