"""The numerics every check is judged by: NumPy only, no TensorFlow.

  reference.py  the exact answer: float64 references of every penalty and its gradient
  tolerance.py  every bound on how far a computation in a dtype may lie from it, derived
  reduction.py  the release model the bounds need: how a release sums and rounds (environment.py)
"""
