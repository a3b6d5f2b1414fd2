"""initializers.materialize's memo returns the array a fresh evaluation returns, as a private copy,
and memoizes only specs whose value is a function of the spec (equivalence/initializers.py)."""

import numpy as np
import pytest

from equivalence import initializers
from equivalence.initializers import InitSpec

SPECS = [
    InitSpec("glorot_uniform", seed=3),
    InitSpec("random_normal", {"mean": 0.5, "stddev": 0.25}, 7),
    InitSpec("orthogonal", {"gain": 1.5}, 11),
    InitSpec("variance_scaling", {"scale": 2.0, "mode": "fan_avg"}, 5),
    InitSpec("constant", {"value": -1.25}),
    InitSpec("ones"),
]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
def test_a_memoized_array_is_the_fresh_evaluation(api, spec, dtype):
    first = initializers.materialize(api, spec, (4, 3), dtype)
    hits = initializers.MEMO_STATS["hit"]
    second = initializers.materialize(api, spec, (4, 3), dtype)
    assert initializers.MEMO_STATS["hit"] == hits + 1, "the second evaluation did not come from the memo"
    fresh = initializers._evaluate(api, spec, (4, 3), dtype)  # noqa: SLF001  a new graph and session
    assert second.dtype == fresh.dtype == np.dtype(api.numpy_dtype(dtype))
    assert second.tobytes() == fresh.tobytes() == first.tobytes(), (
        "%s in %s: memoized %r, fresh evaluation %r" % (spec.describe(), dtype, second, fresh))
    second[...] = 0  # a route that writes into its weights
    assert initializers.materialize(api, spec, (4, 3), dtype).tobytes() == fresh.tobytes()


def test_an_unseeded_random_initializer_is_evaluated_every_time(api):
    spec = InitSpec("random_uniform", {"minval": -1.0, "maxval": 1.0}, None)
    assert initializers._memo_key(spec, (4, 3), "float32") is None  # noqa: SLF001
    misses, hits = initializers.MEMO_STATS["miss"], initializers.MEMO_STATS["hit"]
    initializers.materialize(api, spec, (4, 3), "float32")
    initializers.materialize(api, spec, (4, 3), "float32")
    assert (initializers.MEMO_STATS["miss"], initializers.MEMO_STATS["hit"]) == (misses, hits)


def test_shape_dtype_and_parameters_are_part_of_the_key():
    spec = InitSpec("random_normal", {"mean": 0.0, "stddev": 1.0}, 1)
    keys = {initializers._memo_key(s, shape, d)  # noqa: SLF001
            for s, shape, d in [(spec, (4, 3), "float32"), (spec, (3, 4), "float32"),
                                (spec, (4, 3), "float64"),
                                (InitSpec("random_normal", {"mean": 0.0, "stddev": 2.0}, 1), (4, 3), "float32"),
                                (InitSpec("random_normal", {"mean": 0.0, "stddev": 1.0}, 2), (4, 3), "float32"),
                                (InitSpec("truncated_normal", {"mean": 0.0, "stddev": 1.0}, 1), (4, 3), "float32")]}
    assert len(keys) == 6 and None not in keys
