"""Seeded initializers across the APIs that create variables, asserted as the seed table records them.

Identical means bit for bit. Where the table says a pair differs, the test asserts that it differs,
that each side is a valid draw of its initializer, and that each side is reproduced by a re-run with
the same seeds (so "differs" is a property of the APIs, not noise).
"""

import itertools

import numpy as np
import pytest

from equivalence.training import seeding
from equivalence.training.seed_table import ACROSS, CALLED_TWICE, FAMILIES, ROWS, TWICE
from equivalence.training.seeding import DIFFERS, IDENTICAL, identical
from equivalence.semantics.table import lookup

# The bound is computed in float64; TensorFlow scales its float32 draw by a float32 limit: one rounding
# of relative size 2^-24 each for the limit and the product, so a valid draw may sit 2^-23 past it.
BOUND_SLACK = 1.0 + 2.0 ** -23
# A valid draw of 24 elements spreads over its range: all 24 inside a quarter of the bound has
# probability below 0.4^24 (truncated normals at 2 sigma; 0.25^24 for uniforms), so this only fails
# for a constant, zero or mis-scaled initializer.
SPREAD = 0.25


def _params(items):
    return [pytest.param(x, id=x.name) for x in items]


def _require(api, *items):
    for item in items:
        reason = item.unavailable(api)
        if reason:
            pytest.skip("%s: %s" % (item.name, reason))


def _row(api, probe, key):
    row = lookup(ROWS, probe, key, api)
    assert row is not None, "the seed table has no row for %s %r on %s" % (probe, key, api.describe())
    return row


def _where(api, what, init, row):
    return "%s with %s(seed=%d), global seed %d, shape %s float32, on %s\n  table: %s" % (
        what, init.name, seeding.OP_SEED, seeding.GLOBAL_SEED, seeding.SHAPE, api.describe(), row.describe())


def assert_valid(init, value, where):
    limit = np.max(np.abs(value))
    assert value.dtype == np.float32 and np.all(np.isfinite(value)), "%s: not finite float32: %r" % (where, value)
    assert limit <= init.bound * BOUND_SLACK, "%s: |w| reaches %r, past the bound %r" % (where, limit, init.bound)
    assert limit > SPREAD * init.bound, "%s: every |w| <= %r, under a quarter of the bound %r: %r" % (
        where, limit, init.bound, value)


def assert_as_recorded(expect, first, second, where, rerun):
    """IDENTICAL: the same bits. DIFFERS: different bits, and `rerun()` reproduces both sides."""
    if expect == IDENTICAL:
        assert identical(first, second), "recorded identical, differ by up to %r: %s" % (
            float(np.max(np.abs(first.astype(np.float64) - second))), where)
        return
    assert expect == DIFFERS, "unknown expectation %r" % (expect,)
    assert not identical(first, second), "recorded as differing, drew the same bits: %s" % where
    again = rerun()
    assert identical(first, again[0]) and identical(second, again[1]), (
        "a re-run with the same seeds drew other weights: %s" % where)


@pytest.mark.parametrize("init", _params(seeding.INITIALIZERS))
def test_apis_draw_as_recorded(api, init):
    """Creators the table puts in one group draw the same bits; groups differ; every draw is valid."""
    _require(api, init)
    creators = seeding.available(api, seeding.CREATORS)
    draws = dict((c.name, seeding.draw(api, c, init)[0]) for c in creators)
    rows = dict((c.name, _row(api, ACROSS, seeding.creator_key(api, c, init))) for c in creators)
    for c in creators:
        where = _where(api, c.name, init, rows[c.name])
        assert_valid(init, draws[c.name], where)
        assert identical(draws[c.name], seeding.draw(api, c, init)[0]), "%s: a re-run drew other weights" % where
    other_seed = seeding.draw(api, creators[0], init, op_seed=seeding.OP_SEED + 1)[0]
    assert not identical(draws[creators[0].name], other_seed), "%s: op seed %d drew the same weights as %d" % (
        _where(api, creators[0].name, init, rows[creators[0].name]), seeding.OP_SEED + 1, seeding.OP_SEED)
    for a, b in itertools.combinations(creators, 2):
        same_group = rows[a.name].expect == rows[b.name].expect
        where = _where(api, "%s and %s" % (a.name, b.name), init, rows[a.name])
        assert_as_recorded(IDENTICAL if same_group else DIFFERS, draws[a.name], draws[b.name], where,
                           lambda: (seeding.draw(api, a, init)[0], seeding.draw(api, b, init)[0]))


@pytest.mark.parametrize("creator", _params(seeding.CREATORS))
@pytest.mark.parametrize("init", _params(seeding.INITIALIZERS))
def test_same_api_twice(api, init, creator):
    _require(api, init, creator)
    row = _row(api, TWICE, seeding.creator_key(api, creator, init))
    first, second = seeding.draw(api, creator, init, count=2)
    where = _where(api, "%s twice" % creator.name, init, row)
    assert_valid(init, first, where)
    assert_valid(init, second, where)
    assert_as_recorded(row.expect, first, second, where, lambda: seeding.draw(api, creator, init, count=2))


@pytest.mark.parametrize("init", _params(seeding.INITIALIZERS))
def test_same_object_called_twice(api, init):
    _require(api, init)
    row = _row(api, CALLED_TWICE, seeding.init_key(api, init))
    first, second = seeding.call_twice(api, init)
    where = _where(api, "one initializer object called twice", init, row)
    assert_valid(init, first, where)
    assert_valid(init, second, where)
    assert_as_recorded(row.expect, first, second, where, lambda: seeding.call_twice(api, init))


def _family_pairs():
    return [pytest.param(a, b, id="%s~%s" % (a.name, b.name)) for a, b in seeding.distribution_pairs()]


@pytest.mark.parametrize("v1_init,keras_init", _family_pairs())
def test_v1_and_keras_classes_of_one_distribution(api, v1_init, keras_init):
    _require(api, v1_init, keras_init)
    creator = seeding.CREATORS[0]  # get_variable: every release has it; ACROSS covers the other APIs
    row = _row(api, FAMILIES, {"name": v1_init.distribution})
    a, b = seeding.draw(api, creator, v1_init)[0], seeding.draw(api, creator, keras_init)[0]
    where = _where(api, "%s and %s through %s" % (v1_init.name, keras_init.name, creator.name), v1_init, row)
    assert_valid(v1_init, a, where)
    assert_valid(keras_init, b, where)
    assert_as_recorded(row.expect, a, b, where,
                       lambda: (seeding.draw(api, creator, v1_init)[0], seeding.draw(api, creator, keras_init)[0]))
