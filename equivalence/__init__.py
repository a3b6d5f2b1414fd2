"""regequiv: what number each TensorFlow weight-regularization API adds to a loss.

Layout: the core first, then the features built on it.
  routes/         the registry: regularizer x attachment x reader, one record per axis value.
  numerics/       NumPy references, every bound on a result in a dtype, the release model (no TensorFlow).
  harness.py      runs one route on one case (graph or eager), reads the variable back.
  verdict.py      the one verdict and failure message of every check.
  semantics/      what each API does with bad input: probes, tables, the worker that observes them.
  environment.py  what is installed: TensorFlow, Keras flavour, contrib / tf_slim.
  initializers.py initializer specs, materialized once into the array every route receives.
  strategies.py   Hypothesis strategies built on hypothesis.extra.numpy.
  console.py      progress bars and the warning summary; __main__.py the command line.

  training/       gradients, optimizer steps, weight decay, seeding, the training demo.
  selfvalidation/ mutants, the mutation run, the tolerance and kernel checks.
  reporting/      the report, the matrix over releases, the release gate, the figures.
  migration/      tf_upgrade_v2 on TF 1.x programs, before and after.
"""

__version__ = "0.1.0"
