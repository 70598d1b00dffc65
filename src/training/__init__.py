"""Training: a run's folder and files (run_folder), its progress lines and loss curve (progress), stopping
on request (stop_request) and the run itself (trainer: devices, networks, resume, data, epochs, the final
evaluation).

Owns train.py's work. May import evaluation, models, dataset and utils; nothing below imports it.
"""
