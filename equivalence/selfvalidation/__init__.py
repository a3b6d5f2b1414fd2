"""Self-validation: evidence that the suite catches what it claims and raises no false alarms.
Built on the core (routes/, harness.py, numerics/): mutants.py breaks upstream APIs on purpose,
mutation.py runs the suite against each (`mutate`), tolerance_check.py measures every route's error
against its bound (`tolerance-check`) and kernelcheck.py the kernels' (`kernel-check`).
"""
