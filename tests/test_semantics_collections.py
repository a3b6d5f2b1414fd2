"""REGULARIZATION_LOSSES and graph state: the outcome in equivalence/semantics/collection_table.py, per version."""

import pytest

from equivalence.semantics.areas import COLLECTIONS

from .semantic_cells import cell_params, check_cell


@pytest.mark.parametrize("probe_id,subject", cell_params(COLLECTIONS))
def test_collections_cell(api, probe_id, subject):
    check_cell(api, COLLECTIONS, probe_id, subject)
