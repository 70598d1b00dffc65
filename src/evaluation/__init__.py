"""Evaluation: the pairs an evaluation reads (pairs), scoring and reports (report: metrics, CSV, JSON, grid,
HTML, whatever translated the pairs) and evaluating a generator (evaluator: eval.py, and the validation
training uses).

Owns measuring translations. May import models, dataset and utils; training and deployment import it.
"""
