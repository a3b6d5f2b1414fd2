"""Keras defaults, config round trips, legacy keywords, frozen layers: equivalence/semantics/keras_table.py."""

import pytest

from equivalence.semantics.areas import KERAS

from .semantic_cells import cell_params, check_cell


@pytest.mark.parametrize("probe_id,subject", cell_params(KERAS))
def test_keras_cell(api, probe_id, subject):
    check_cell(api, KERAS, probe_id, subject)
