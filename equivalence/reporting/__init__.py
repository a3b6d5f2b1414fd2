"""Reporting, built on the core (routes/, harness.py, semantics/, numerics/): what a release does,
written down and compared. report.py measures one env (`report`), matrix.py merges every env's report
into docs/SEMANTICS.md (`matrix`: axes.py merges the reports into docs/semantics.json and compares the
releases, render.py renders the document from it), gate.py is the release gate against those facts
(`diff`), and figures.py draws docs/figures/ (`figures`).
"""
