"""Every route with bad and unusual lambdas: the outcome in equivalence/semantics/lambda_table.py, per version."""

import pytest

from equivalence.semantics.areas import LAMBDA

from .semantic_cells import cell_params, check_cell


@pytest.mark.parametrize("probe_id,subject", cell_params(LAMBDA))
def test_lambda_cell(api, probe_id, subject):
    check_cell(api, LAMBDA, probe_id, subject)
