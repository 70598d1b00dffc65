"""Training: a run's folder and files (run_folder), its progress lines and loss curve (progress), stopping
on request (stop_request), validation while training and generator_best.ckpt (validation), TensorBoard
events (tensorboard_log), a local enhancer's start from a global generator (pretrained_global), the models a
run trains (models: the --model door; pix2pix_model and cycle_gan_model: networks, objective, compiled step,
losses, epoch picture), what the run does with its
held-out pairs (held_out: the final evaluation, validation, the plateau policy's L1) and the run itself
(trainer: devices, the model, resume, data, epochs, checkpoints; it knows no model by name).

Owns train.py's work. May import evaluation, weights, models, dataset and utils; nothing below imports it.
"""
