"""Every route with NaN/inf, zero-size, integer, overflowing float16 and float64 weights:
the outcome in equivalence/semantics/weight_table.py, per version."""

import pytest

from equivalence.semantics.areas import WEIGHTS

from .semantic_cells import cell_params, check_cell


@pytest.mark.parametrize("probe_id,subject", cell_params(WEIGHTS))
def test_weights_cell(api, probe_id, subject):
    check_cell(api, WEIGHTS, probe_id, subject)
