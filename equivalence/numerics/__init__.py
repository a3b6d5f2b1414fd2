"""The numerics every check is judged by, NumPy alone: the float64 references (reference.py), every
bound on how far a result computed in a dtype may lie from them (tolerance.py), and the release model
those bounds need (reduction.py, which reads the installed release through environment.py).
"""
