"""The scheduled history workflow runs exactly the releases of tox.ini's `history` label,
each on the Python its env name says."""

import os
import re

from equivalence.reporting import matrix

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_history_workflow_lists_every_history_env():
    expected = matrix.history_envs(os.path.join(ROOT, "tox.ini"))
    with open(os.path.join(ROOT, ".github", "workflows", "history.yml")) as f:
        rows = re.findall(r'\{env: ([\w.-]+), python: "([\d.]+)"\}', f.read())
    assert [env for env, _ in rows] == expected, "history.yml and tox.ini's history label differ"
    wrong = [(env, py) for env, py in rows if matrix.env_python(env) != py]
    assert not wrong, "jobs on another Python than their env name says: %s" % wrong
