"""The one verdict and failure message of the suite: penalty values, gradients, optimizer steps.

Every kind of check (harness.verify, gradients.verify_gradient, steps.verify_steps) ends in a
`Verdict`, and a failing one carries the message `failure_message` builds. The message always names
the route, the installed versions, the case (shape, dtype, lambda, initializer), expected against
got, their ratio (2.0 or 0.5 is a lost factor of two), the tolerance with its bound and the actual
error, and the command that reproduces the case. A caller passes only what differs: what was
measured, the numbers it compared, its own reproduce command, and any extra lines.
"""

import math

import numpy as np


class Verdict(object):
    """The judgement of one check.

    ok:          True when nothing was wrong.
    message:     "" when ok, else the maintainer-facing failure message (failure_message).
    got:         what TensorFlow gave (a float, an array, a list of arrays per step).
    expected:    what the reference says (harness: a reference.Reference; gradients: an array;
                 steps: a list of tolerance.Tracked per step).
    tolerance:   what judged them (None where the bound lives in `expected`, as the steps' does).
    ratio:       got / expected, of the value the message reports (None when there is none).
    measurement: the harness's Measurement (value, dtype, read-back, entries, seconds), or None.
    """

    def __init__(self, ok, message, got, expected, tolerance=None, ratio=None, measurement=None):
        self.ok, self.message = ok, message
        self.got, self.expected, self.tolerance, self.ratio = got, expected, tolerance, ratio
        self.measurement = measurement


def ratio(got, expected):
    """got / expected: 1.0 for 0 / 0, inf for x / 0."""
    if expected == 0:
        return 1.0 if got == 0 else float("inf")
    return got / expected


def route_id(route):
    """What `python -m equivalence run --route` is given: the route's short slug where the record has
    one, else its display name (routes.by_name accepts either)."""
    return getattr(route, "slug", route.name)


def run_command(route, case, *options):
    """`python -m equivalence run` for this route and case, followed by `options` (already CLI words)."""
    words = [
        "python -m equivalence run --route '%s'" % route_id(route),
        "--shape %s" % (",".join(str(s) for s in case.shape) or "scalar"),
        "--dtype %s" % case.dtype,
        "--lam %r" % case.lam,
        "--init '%s'" % (case.init.to_cli() if case.init.kind != "array" else "array"),
    ]
    return " ".join(words + [str(o) for o in options])


def worst_element(got, expected, bound):
    """The index where |got - expected| exceeds `bound` (elementwise) the most, as a tuple of ints."""
    excess = np.abs(got - expected) - bound
    i = np.unravel_index(int(np.argmax(excess)), np.shape(got))
    return tuple(int(j) for j in i)


def _error(got, expected):
    if math.isnan(got) or math.isnan(expected):
        return float("nan")
    return abs(got - expected)


def failure_message(api, route, case, measured, problems, expected, got, tolerance, bound, reproduce,
                    formula=None, expected_note="reference", got_note="", extra=()):
    """The failure message of one check.

    measured:  what was measured, e.g. "the penalty", "the gradient by tf.gradients(loss, w)",
               "the weights after step 2 of Adam (v1 form)".
    problems:  what was wrong, one line each.
    expected, got: the compared numbers (floats), or None when there was nothing to compare
               (then `expected_note` says why).
    tolerance: the tolerance, described; `bound`: its bound on |got - expected| for these numbers.
    reproduce: the command that reproduces the case (run_command).
    formula:   the convention as this check sees it (default: the penalty's formula).
    expected_note, got_note: what the numbers are (e.g. "worst element (0, 2)", "dtype float32").
    extra:     further lines, in the caller's words.
    """
    lines = [
        "route %s (%s convention: %s) failed: %s" % (
            route.name, route.convention.name, formula or route.convention.formula, measured),
        "  - " + "\n  - ".join(problems),
        "  API:          %s" % route.api_call,
        "  versions:     %s" % api.describe(),
        "  case:         %s" % case.describe(),
    ]
    if expected is None or got is None:
        lines += ["  expected:     n/a  (%s)" % expected_note,
                  "  got:          n/a",
                  "  ratio:        n/a",
                  "  tolerance:    %s" % tolerance]
    else:
        expected, got = float(expected), float(got)
        lines += [
            "  expected:     %r  (%s)" % (expected, expected_note),
            "  got:          %r%s" % (got, "  (%s)" % got_note if got_note else ""),
            "  ratio:        %r  (got / expected; 2.0 or 0.5 means a lost factor of two)" % ratio(got, expected),
            "  tolerance:    %s -> |got-expected| <= %.3g, actual %.3g" % (
                tolerance, float(bound), _error(got, expected)),
        ]
    lines += ["  " + line for line in extra]
    lines.append("  reproduce:    %s" % reproduce)
    if case.init.kind == "array":
        lines.append("  weights:      %s" % array_text(case.weights))
    return "\n".join(lines)


def array_text(array):
    """An array in full float64 precision, for rebuilding it with NumPy."""
    return np.array2string(np.asarray(array).astype(np.float64), precision=17, threshold=64)
