"""regequiv: what number each TensorFlow weight-regularization API adds to a loss.

Layout:
  reference.py    NumPy references, the judge (no TensorFlow).
  tolerance.py    how far an API's floating-point result may be from the reference, derived.
  environment.py  what is installed: TensorFlow, Keras flavour, contrib / tf_slim.
  initializers.py initializer specs, materialized once into the array every route receives.
  harness.py      runs one route on one case (graph or eager), reads the variable back.
  routes/         the registry: one declarative record per API route.
  strategies.py   Hypothesis strategies built on hypothesis.extra.numpy.
  report.py       the Markdown / JSON semantics report (`python -m equivalence report`).
"""

__version__ = "0.1.0"
