"""Training: a run's folder and files (run_folder), its progress lines and loss curve (progress), stopping
on request (stop_request), validation while training and generator_best.ckpt (validation), TensorBoard
events (tensorboard_log), a local enhancer's start from a global generator (pretrained_global) and the run
itself (trainer: devices, networks, resume, data, epochs, the final evaluation).

Owns train.py's work. May import evaluation, weights, models, dataset and utils; nothing below imports it.
"""
