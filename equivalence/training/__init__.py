"""Training, built on the core (routes/, harness.py, verdict.py, numerics/): each route's gradient
(gradients.py), optimizer steps (steps.py), decoupled weight decay against the L2 penalty
(weight_decay.py), seeded initializers per API (seeding.py, seed_table.py) and the demo (demo.py).
"""
