"""What a probe can produce, and how an expected outcome judges what it got.

An observation is a plain dict (it crosses a process boundary as JSON):
  raised   the exception's type name, or None
  message  the exception's first line
  value    the penalty as a float (None when there is none)
  tensor   True when the API returned a tensor, False for a Python number or None
  dtype    the penalty's dtype name, when it is a tensor
  entries  how many penalties the API put where the route reads them (collection or .losses)
  names    the names of those entries, when the probe records them
  detail   probe-specific facts (a config value, a shape)
  contained  "crashed" or "timeout" when the worker process died or hung on this probe

An outcome's `problems(obs, ctx)` returns what differs (empty when it holds).
`ctx.expected_value(lam)` is the route's NumPy reference (reference.py) on the
probe's weights with lambda `lam` stored the way the route stores it, and
`ctx.tolerance` the bound tolerance.py derives for it.
"""

import math
import re


def _fmt(obs):
    if obs.get("contained"):
        return "the probe %s" % obs["contained"]
    if obs.get("raised"):
        return "raised %s: %s" % (obs["raised"], obs.get("message", ""))
    return "value=%r tensor=%s dtype=%s entries=%s%s%s" % (
        obs.get("value"), obs.get("tensor"), obs.get("dtype"), obs.get("entries"),
        (" names=%s" % obs["names"]) if obs.get("names") is not None else "",
        (" detail=%r" % (obs["detail"],)) if obs.get("detail") is not None else "")


describe_observation = _fmt


# `entries=CONTAINED`: as many entries as the route's container implies, bound per route by
# `bind(traits)`: none for a direct value, one penalty (or none, for NoPenalty) in a collection or `.losses`.
CONTAINED = "contained"


class Outcome(object):
    def problems(self, obs, ctx):
        raise NotImplementedError

    def bind(self, traits):
        """This outcome for one subject (a route's traits): resolves entries=CONTAINED."""
        return self

    def _no_exception(self, obs):
        if obs.get("contained"):
            return ["expected %s, but the probe %s" % (self, obs["contained"])]
        if obs.get("raised"):
            return ["expected %s, got %s: %s" % (self, obs["raised"], obs.get("message", ""))]
        return []

    def _entries(self, obs, entries):
        if entries is not None and obs.get("entries") != entries:
            return ["expected %d entries, got %s" % (entries, obs.get("entries"))]
        return []


class Raises(Outcome):
    """The API rejects the input with exactly this exception type."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Raises(%s)" % self.name

    def problems(self, obs, ctx):
        if obs.get("raised") == self.name:
            return []
        return ["expected %s, got %s" % (self, _fmt(obs))]


class Penalty(Outcome):
    """A tensor equal to the route's NumPy reference with lambda `lam` (NaN and +-inf included).

    `lam` is the number the API is documented to use for the probe's lambda
    (None: the probe's own numeric lambda). `entries`, when given, is how many
    penalties the route must find. `dtype` is "weights" (the penalty has the
    weights' dtype) or an explicit dtype name, which is also the precision it
    is judged in unless `computed_in` names another ("weights": the weights'
    dtype; a penalty computed in float32 and widened at its last product).
    """

    def __init__(self, lam=None, entries=None, dtype="weights", as_given=False, entry_kinds=None, computed_in=None):
        # as_given: use `lam` exactly, not rounded the way the route's record says it stores lambda
        # entry_kinds: what each entry of layer.losses must be ('tensor' or a Python type name)
        self.lam, self.entries, self.dtype, self.as_given = lam, entries, dtype, as_given
        self.entry_kinds = None if entry_kinds is None else list(entry_kinds)
        self.computed_in = computed_in if computed_in is not None else dtype

    def bind(self, traits):
        if self.entries != CONTAINED:
            return self
        entries = None if traits.get("container") == "value" else 1
        return Penalty(self.lam, entries, self.dtype, self.as_given, self.entry_kinds, self.computed_in)

    def __repr__(self):
        return "Penalty(reference with lambda=%s%s%s%s%s)" % (
            "the probe's" if self.lam is None else repr(self.lam), " as given" if self.as_given else "",
            # (a penalty in the weights' dtype, or one computed in the dtype it has, keeps the short form)
            "" if self.computed_in == self.dtype else ", a %s tensor computed in %s" % (
                "weights' dtype" if self.dtype == "weights" else self.dtype,
                "the weights' dtype" if self.computed_in == "weights" else self.computed_in),
            "" if self.entries is None else ", %s entries" % self.entries,
            "" if self.entry_kinds is None else " (%s)" % ", ".join(
                "a tensor" if k == "tensor" else "a Python %s" % k for k in self.entry_kinds))

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        lam = ctx.numeric_lambda if self.lam is None else self.lam
        if lam is None:
            return ["the probe's lambda has no numeric value: the table must name the lambda the API uses"]
        # an explicit dtype is also the precision the API computed in (its tolerance)
        expected, tol = ctx.expected_value(lam, as_given=self.as_given,
                                           computed_in=None if self.computed_in == "weights" else self.computed_in)
        got = obs.get("value")
        if not obs.get("tensor"):
            out.append("expected a tensor, the API returned a Python %r" % got)
        if got is None or not tol.accepts(got, expected):
            out.append("expected %r (reference, lambda %r), got %r, ratio %s, tolerance %s" % (
                expected, lam, got, _ratio(got, expected), tol.describe()))
        want = ctx.weights_dtype if self.dtype == "weights" else self.dtype
        if obs.get("tensor") and obs.get("dtype") != want:
            out.append("expected dtype %s, got %s" % (want, obs.get("dtype")))
        if self.entry_kinds is not None and obs.get("entry_kinds") != self.entry_kinds:
            out.append("expected entries %s, got %s" % (self.entry_kinds, obs.get("entry_kinds")))
        return out + self._entries(obs, self.entries)


class BoolTensor(Outcome):
    """A bool tensor where a penalty was expected: the API multiplied the weights' sum by a bool factor in bool
    (a logical and), so the "penalty" is bool(lambda) and any(w != 0), as 1.0 or 0.0."""

    def __repr__(self):
        return "BoolTensor(bool(lambda) and any(w != 0))"

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        nonzero = any(float(x) != 0.0 for x in _flat(ctx.weights))
        want = 1.0 if (ctx.numeric_lambda and nonzero) else 0.0
        if not obs.get("tensor") or obs.get("dtype") != "bool" or obs.get("value") != want:
            out.append("expected a bool tensor %r, got %s" % (want, _fmt(obs)))
        return out


def _flat(x):
    try:
        return x.ravel().tolist()
    except AttributeError:
        return list(x)


class Overflows(Outcome):
    """+inf, although the exact penalty (NumPy, float64) is finite and representable in the weights'
    dtype: an intermediate (w**2 or the running sum) exceeded the dtype's largest finite value."""

    def __repr__(self):
        return "Overflows(inf where the exact penalty is representable)"

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        from ..numerics.tolerance import LARGEST_FINITE
        expected, _ = ctx.expected_value(ctx.numeric_lambda)
        if not abs(expected) < LARGEST_FINITE.get(ctx.weights_dtype, 0.0):
            out.append("the probe is wrong: the exact penalty %r does not fit %s" % (expected, ctx.weights_dtype))
        if obs.get("value") != float("inf"):
            out.append("expected inf (overflow), got %r; exact %r" % (obs.get("value"), expected))
        return out


class Contained(Outcome):
    """The probe took its worker process down ("crashed": a signal such as SIGFPE) or hung ("timeout")."""

    def __init__(self, how):
        self.how = how

    def __repr__(self):
        return "Contained(%s)" % self.how

    def problems(self, obs, ctx):
        if obs.get("contained") == self.how:
            return []
        return ["expected the probe to be %s, got %s" % (self.how, _fmt(obs))]


class NoPenalty(Outcome):
    """The API adds nothing: no tensor (a Python 0 or None), or an empty collection.

    `entries` is how many penalties the route finds (0 for collection routes,
    None where the route does not read one).
    """

    def __init__(self, entries=None):
        self.entries = entries

    def bind(self, traits):
        if self.entries != CONTAINED:
            return self
        return NoPenalty(None if traits.get("container") == "value" else 0)

    def __repr__(self):
        return "NoPenalty(%s)" % ("no tensor" if self.entries is None else "%d entries" % self.entries)

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        if self.entries is None and obs.get("tensor"):
            out.append("expected no tensor, the API returned a %s tensor %r" % (obs.get("dtype"), obs.get("value")))
        if obs.get("value") not in (None, 0.0):
            out.append("expected nothing added, got %r" % obs.get("value"))
        return out + self._entries(obs, self.entries)


class Entries(Outcome):
    """A collection probe: `n` entries, each name matching `names` (a regex), and optionally
    a total equal to the reference with lambda `lam` times `count` penalised weight sets."""

    def __init__(self, n, names=None, lam=None, count=None):
        self.n, self.names, self.lam, self.count = n, names, lam, count

    def __repr__(self):
        return "Entries(%d%s%s)" % (self.n, "" if self.names is None else ", names ~ %r" % self.names,
                                    "" if self.count is None else ", total = %d x reference" % self.count)

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        out += self._entries(obs, self.n)
        for name in obs.get("names") or []:
            if self.names is not None and not re.match(self.names + r"\Z", name):
                out.append("entry name %r does not match %r" % (name, self.names))
        if self.count is not None:
            expected, tol = ctx.expected_value(ctx.numeric_lambda if self.lam is None else self.lam)
            expected *= self.count
            if obs.get("value") is None or not tol.accepts(obs["value"], expected):
                out.append("expected total %r (%d x reference), got %r" % (expected, self.count, obs.get("value")))
        return out


class Detail(Outcome):
    """A probe-specific fact equals an independently computed expectation (`expected(ctx)`)."""

    def __init__(self, what, expected):
        self.what, self.expected = what, expected

    def __repr__(self):
        return "Detail(%s)" % self.what

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        want = self.expected(ctx)
        got = obs.get("detail")
        if _normal(got) != _normal(want):
            out.append("expected %s = %r, got %r" % (self.what, want, got))
        return out


def _normal(x):
    if isinstance(x, (list, tuple)):
        return [_normal(i) for i in x]
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return x


def _ratio(got, expected):
    try:
        return "%.6g" % (got / expected)
    except Exception:
        return "n/a"


class AllOf(Outcome):
    """Every one of several outcomes holds (e.g. an entry count and a probe-specific detail)."""

    def __init__(self, *outcomes):
        self.outcomes = outcomes

    def __repr__(self):
        return " and ".join(repr(o) for o in self.outcomes)

    def problems(self, obs, ctx):
        out = []
        for o in self.outcomes:
            out += [p for p in o.problems(obs, ctx) if p not in out]
        return out


# -- low-precision accumulation ----------------------------------------------------------------

SIGNIFICAND_BITS = {"float16": 11, "bfloat16": 8, "float32": 24}


def round_to(x, dtype):
    """`x` rounded to nearest-even with `dtype`'s significand (normal range only): NumPy-independent of TF's
    own bfloat16 conversion, which early releases implemented by truncation."""
    if x == 0 or not math.isfinite(x):
        return x
    _, exp = math.frexp(x)
    scale = 2.0 ** (SIGNIFICAND_BITS[dtype] - exp)
    return round(x * scale) / scale  # x * scale is exact; round() ties to even


def _parts(route, w):
    """The route's penalty as [(part, lambda factor, per-term values)]: one part per reduction it sums."""
    w = [float(v) for v in w.reshape(-1)]
    squares = ("l2", route.convention.factor, [v * v for v in w])
    absolute = ("l1", 1.0, [abs(v) for v in w])
    return {"l2": [squares], "l1": [absolute], "l1_l2": [absolute, squares]}[route.penalty]


def modelled_penalty(route, w, lam, dtype, linear_parts):
    """The route's penalty computed with every operation rounded to `dtype`: each term, then a sequential
    running sum (for the parts in `linear_parts`) or one exact sum, then lambda * factor, then the sum
    of the parts.

    The probes use lambda and factors that are powers of two, so where the factor is applied (per term,
    as L2Loss does, or after the sum) does not change the result."""
    total = 0.0
    for part, factor, terms in _parts(route, w):
        if part in linear_parts:
            acc = 0.0
            for t in terms:
                acc = round_to(acc + round_to(t, dtype), dtype)
        else:
            acc = round_to(math.fsum(round_to(t, dtype) for t in terms), dtype)
        total = round_to(total + round_to(lam * factor * acc, dtype), dtype)
    return total


class Accumulates(Outcome):
    """A low-precision penalty (float16/bfloat16 weights) equals one model of how it is summed, each
    computed in NumPy on the probe's weights:
      "float32"  the same computation in float32, rounded to the weights' dtype (a wider accumulator,
                 or partial sums short enough not to stall: lanes, blocks, a pairwise tree)
      "linear"   a sequential running sum in the weights' dtype, which stalls once the sum's spacing
                 reaches twice a term
    `l2` (L1L2 routes) names the model of the squares' sum when it differs from the |w| sum's.
    The probe must tell the models apart (they differ by more than the 2-ulp window each is allowed).
    """

    def __init__(self, model, l2=None):
        self.model, self.l2 = model, l2 or model

    def __repr__(self):
        text = {"float32": "float32 rounded to the dtype", "linear": "a sequential sum in the dtype"}
        if self.l2 == self.model:
            return "Accumulates(like %s)" % text[self.model]
        return "Accumulates(|w| like %s, w**2 like %s)" % (text[self.model], text[self.l2])

    def _linear_parts(self):
        return [part for part, model in (("l1", self.model), ("l2", self.l2)) if model == "linear"]

    def problems(self, obs, ctx):
        out = self._no_exception(obs)
        if out:
            return out
        dtype, lam = ctx.weights_dtype, ctx.numeric_lambda
        w = ctx.route.adapt(ctx.weights)
        wide = round_to(modelled_penalty(ctx.route, w, lam, "float32", ()), dtype)
        linear = modelled_penalty(ctx.route, w, lam, dtype, ("l1", "l2"))
        want = modelled_penalty(ctx.route, w, lam, dtype, self._linear_parts()) if self._linear_parts() else wide
        exact, _ = ctx.expected_value(lam, as_given=True)
        window = 2 * 2.0 ** (1 - SIGNIFICAND_BITS[dtype])  # two ulps, relative to the value
        if abs(wide - linear) <= window * abs(wide):
            out.append("the probe is wrong: the float32 model %r and the linear model %r coincide" % (wide, linear))
        got = obs.get("value")
        if got is None or not abs(got - want) <= window * abs(want):
            out.append("expected %r (%s), got %r; float32 model %r, linear %s model %r, exact %r, "
                       "relative error vs exact %s" % (want, self, got, wide, dtype, linear, exact,
                                                       _rel(got, exact)))
        if obs.get("dtype") != dtype:
            out.append("expected dtype %s, got %s" % (dtype, obs.get("dtype")))
        return out


def _rel(got, exact):
    if got is None or not exact:
        return "n/a"
    return "%.3g" % ((got - exact) / exact)
