"""Migration for real: TensorFlow's own tf_upgrade_v2 on TF 1.x programs, before and after.

  programs.py  the corpus records (corpus/*.py: one TF 1.x program each), their NumPy references
  run.py       convert with a release's converter, run as written and in graph mode, judge
  convert.py   the converter with a converter mutant patched in (equivalence/selfvalidation/mutants.py)
  facts.py     what each release's converted programs do, measured, asserted by tests/test_migration.py
  cli.py       python -m equivalence migrate [--sweep] [--json PATH]

docs/MIGRATION.md describes the run and its measured results.
"""
