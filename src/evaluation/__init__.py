"""Evaluation: the pairs an evaluation reads (pairs), scoring and reports (report: metrics, CSV, JSON, grid,
HTML, whatever translated the pairs), FID and KID (inception_features, distribution_metrics, fid_kid) and
evaluating a generator (evaluator: eval.py, and the validation training uses), and a CycleGAN's two
directions on unpaired test sets (unpaired: FID/KID against the untranslated baseline, cycle L1, report).

Owns measuring translations. May import weights, models, dataset and utils; training and deployment import it.
"""
