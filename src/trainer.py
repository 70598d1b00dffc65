"""Pix2pix training run: data, networks, the compiled step, progress, pictures, checkpoints, resume."""
import glob
import json
import os
import signal
import time

import numpy as np

from src.dataset.aligned_dataset import create_train_dataset, indices_digest, iterate_batches
from src.dataset.sample_data import ensure_sample_dataset
from src.dataset.transforms import to_uint8_hwc
from src.evaluator import evaluate_generator, make_output_folder, unused_folder, validation_l1
from src.models.pix2pix import (Pix2PixTrainStep, apply_mixed_precision, build_adam, build_discriminator,
                                build_generator, count_parameters, describe_discriminator, describe_generator,
                                make_loss_scaler, model_spec_from_config, set_learning_rate)
from src.utils.checkpoint import (is_training_checkpoint, read_checkpoint, restore_training_state,
                                  save_generator_checkpoint, save_training_checkpoint, weights_digest)
from src.utils.config import DEFAULT_CONFIG_PATH, check_size_multiples, read_yaml_documents, total_epochs
from src.utils.device import RankAgreement, init_data_parallel, launched_by_msrun, seed_everything, setup_device
from src.utils.errors import TrainingStopped, UserInputError
from src.utils.lr_schedule import LearningRatePolicy
from src.utils.tools import (format_duration, image_grid, plot_loss_curves, read_loss_history, save_image_atomic,
                             setup_logger, unfinished_writes, write_loss_history)


def run_paths(output_path):
    """Where a training run writes its files (documented in the README)."""
    return {
        "config": os.path.join(output_path, "config.yaml"),
        "log": os.path.join(output_path, "train.log"),
        "checkpoints": os.path.join(output_path, "checkpoints"),
        "images": os.path.join(output_path, "images"),
        "losses": os.path.join(output_path, "losses.csv"),
        "loss_curve": os.path.join(output_path, "loss_curve.png"),
    }


def training_checkpoint_path(paths, epoch, step_in_epoch=0):
    """pix2pix_epoch_EEEE.ckpt after EEEE epochs; _step_SSSSS when SSSSS steps into the next one."""
    suffix = f"_step_{step_in_epoch:05d}" if step_in_epoch else ""
    return os.path.join(paths["checkpoints"], f"pix2pix_epoch_{epoch:04d}{suffix}.ckpt")


def training_checkpoints(paths):
    """The run's pix2pix_epoch_*.ckpt files, oldest first."""
    return sorted(glob.glob(os.path.join(paths["checkpoints"], "pix2pix_epoch_[0-9]*.ckpt")))


def newest_loadable_checkpoint(paths, log):
    """--resume auto: the newest training checkpoint of the run that loads, or None; a truncated or
    corrupt one is skipped with a warning (it stays on disk for inspection)."""
    for path in reversed(training_checkpoints(paths)):
        try:
            contents = read_checkpoint(path)
        except UserInputError as error:
            log(f"warning: skipping {path}: {error}")
            continue
        if is_training_checkpoint(contents):
            return path
        log(f"warning: skipping {path}: not a complete training checkpoint")
    return None


def remove_old_checkpoints(paths, keep, log):
    """Keep the newest `keep` training checkpoints of the run (0 keeps all)."""
    for path in training_checkpoints(paths)[:-keep] if keep else []:
        os.remove(path)
        log(f"Removed {path} (keep_checkpoint_max {keep})")


def remove_unfinished_writes(output_path, log):
    """Delete the temporary files of writes that a killed run never finished."""
    for path in unfinished_writes(output_path):
        os.remove(path)
        log(f"Removed {path}, left unfinished by an interrupted run")


def _refuse_to_overwrite(paths, resuming):
    existing = sorted(glob.glob(os.path.join(paths["checkpoints"], "*.ckpt")))
    if existing and not resuming:
        raise UserInputError(f"--output_path '{os.path.dirname(paths['checkpoints'])}' already holds a training run "
                             f"({os.path.basename(existing[-1])}): continue it with --resume auto (or --resume "
                             f"{existing[-1]}), or choose another --output_path")


def _default_train_dir():
    defaults, _, _ = read_yaml_documents(DEFAULT_CONFIG_PATH)
    return defaults["train_data_dir"]


class Trainer:
    """Trains G and D per `config` (see default_config.yaml) on one device."""

    def __init__(self, config):
        self.config = config
        self.paths = run_paths(config.output_path)
        self.spec = model_spec_from_config(config)
        self.epochs = total_epochs(config)
        self.summary = None  # evaluation of the final generator, when val_data_dir is set
        self.rank, self.device_num = 0, 1
        self.stop_signal = None  # set by SIGINT/SIGTERM
        self.agreement = None  # with several ranks: agrees on the step at which they stop
        self.lr_policy = LearningRatePolicy(config.lr_policy, config.lr, config.n_epochs, config.n_epochs_decay,
                                            config.lr_step_epochs)

    def run(self):
        config, paths = self.config, self.paths
        check_size_multiples(config, config.netG)
        _refuse_to_overwrite(paths, bool(config.resume))
        make_output_folder(config.output_path)
        resume = config.resume
        if config.distribute:
            self.rank, self.device_num = init_data_parallel(config.device_target, config.mode)
        else:
            setup_device(config.device_target, config.device_id, config.mode)
        # Only rank 0 writes the run's files; the other ranks log to their own file.
        log_path = paths["log"] if self.rank == 0 else os.path.join(config.output_path, "logs",
                                                                     f"train_rank{self.rank}.log")
        logger = self.logger = setup_logger(log_path)
        if self.device_num > 1:
            logger.info(f"Data parallel: rank {self.rank} of {self.device_num}")
            self.agreement = RankAgreement(self.device_num)
        ensure_sample_dataset(config.train_data_dir, _default_train_dir(), logger.info)
        seed_everything(config.seed)  # the same seed everywhere: identical initial weights on every rank
        generator = build_generator(self.spec, config.init_type, config.init_gain)
        discriminator = build_discriminator(self.spec, config.init_type, config.init_gain)
        # Described before mixed precision wraps them: the counts include exactly the trainable values.
        network_lines = [f"Generator {describe_generator(self.spec)}: {count_parameters(generator):,} parameters",
                         f"Discriminator {describe_discriminator(self.spec, discriminator, config.crop_size)}: "
                         f"{count_parameters(discriminator):,} parameters"]
        generator = apply_mixed_precision(generator, config.amp_level)
        discriminator = apply_mixed_precision(discriminator, config.amp_level)
        optimizer_g = build_adam(generator, "optimizer_g", config.lr, config.beta1, config.beta2)
        optimizer_d = build_adam(discriminator, "optimizer_d", config.lr, config.beta1, config.beta2)
        start_epoch, global_step, resumed_steps = 0, 0, 0
        if resume and self.rank == 0:
            remove_unfinished_writes(config.output_path, logger.info)
        if resume == "auto":
            resume = newest_loadable_checkpoint(paths, logger.info)
            logger.info(f"--resume auto: {resume or 'no loadable checkpoint in ' + paths['checkpoints'] + ', a new run'}")
        if resume:
            start_epoch, global_step, resumed_steps, lr_policy_state = restore_training_state(
                resume, generator, discriminator, optimizer_g, optimizer_d, self.spec)
            self.lr_policy.load_state(lr_policy_state)
            logger.info(f"Resumed from {resume}: {start_epoch} epochs and {global_step} steps done"
                        + (f", {resumed_steps} of them in epoch {start_epoch + 1}" if resumed_steps else ""))
            if start_epoch >= self.epochs:
                raise UserInputError(f"checkpoint '{resume}' has already trained {start_epoch} of "
                                     f"{self.epochs} epochs: raise --n_epochs/--n_epochs_decay to train further")
        dataset, steps_per_epoch = create_train_dataset(
            config.train_data_dir, config.batch_size, config.direction, config.load_size, config.crop_size,
            flip=not config.no_flip, seed=config.seed, start_epoch=start_epoch, end_epoch=self.epochs,
            num_parallel_workers=config.num_parallel_workers, num_shards=self.device_num, shard_id=self.rank,
            skip_steps=resumed_steps)
        if self.rank == 0:
            config.save(paths["config"])
        for line in network_lines:
            logger.info(line)
        logger.info(f"Objective: {config.gan_mode} GAN + {config.lambda_L1:g} x L1"
                    + (f" + {config.lambda_gp:g} x gradient penalty" if config.gan_mode == "wgangp" else "")
                    + f"; lr {config.lr:g}, policy {config.lr_policy}")
        logger.info(f"Training on {config.train_data_dir}: {steps_per_epoch} steps per epoch (batch {config.batch_size}), "
                    f"epochs {start_epoch + 1}..{self.epochs}, {config.direction}, {config.device_target} "
                    f"x{self.device_num} "
                    f"{config.mode}; output in {config.output_path}")
        step_cell = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d, config.lambda_L1,
                                     self.device_num, make_loss_scaler(config.amp_level), config.gan_mode,
                                     config.lambda_gp)
        step_cell.set_train(True)
        history = read_loss_history(paths["losses"]) if resume else []
        history = [row for row in history if row["step"] <= global_step]
        previous_handlers = {number: signal.signal(number, self._request_stop)
                             for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._train_epochs(dataset, steps_per_epoch, start_epoch, global_step, step_cell, history,
                               (generator, discriminator, optimizer_g, optimizer_d), resumed_steps)
        finally:
            for number, handler in previous_handlers.items():
                signal.signal(number, handler)
        return paths

    def _request_stop(self, signal_number, frame):
        """SIGINT/SIGTERM: finish the step in progress, save, stop. A second signal stops at once."""
        if self.stop_signal is not None:
            raise KeyboardInterrupt
        self.stop_signal = signal_number
        self.logger.info(f"{signal.Signals(signal_number).name} received: stopping after this step")

    def _save_and_stop(self, epoch, step_in_epoch, global_step, history, steps_per_epoch, state):
        """Save the exact position (epoch completed + steps into the next) and stop the run."""
        path = training_checkpoint_path(self.paths, epoch - 1, step_in_epoch)
        if self.rank == 0:
            save_training_checkpoint(path, *state, epoch=epoch - 1, step=global_step, model_spec=self.spec,
                                     step_in_epoch=step_in_epoch, lr_policy_state=self.lr_policy.state())
            write_loss_history(history, self.paths["losses"])
            plot_loss_curves(history, self.paths["loss_curve"], steps_per_epoch)
        if self.agreement:
            self.agreement.any_rank(False)  # a barrier: no rank exits (and gets the job killed) before the save
        self.stop_signal = self.stop_signal or signal.SIGTERM  # a rank the signal has not reached yet
        signal_name = signal.Signals(self.stop_signal).name
        raise TrainingStopped(f"{signal_name} at epoch {epoch} step {step_in_epoch} (total {global_step}): saved "
                              f"{path}; continue with --resume auto", self.stop_signal,
                              exit_code=0 if launched_by_msrun() else None)

    def _start_epoch(self, epoch, optimizers):
        """Set the learning rate of 1-based `epoch` on both optimisers and return it."""
        lr = self.lr_policy.lr(epoch)
        for optimizer in optimizers:
            set_learning_rate(optimizer, lr)
        return lr

    def _train_epochs(self, dataset, steps_per_epoch, start_epoch, global_step, step_cell, history, state,
                      resumed_steps=0):
        config, paths, logger = self.config, self.paths, self.logger
        generator, _, optimizer_g, optimizer_d = state
        epoch, step_in_epoch = start_epoch + 1, resumed_steps
        steps_left = (self.epochs - start_epoch) * steps_per_epoch - resumed_steps
        lr = self._start_epoch(epoch, (optimizer_g, optimizer_d))
        step_times, run_start = [], time.perf_counter()
        last_end, epoch_indices = None, []
        for real_a, real_b, indices in iterate_batches(dataset.create_tuple_iterator(num_epochs=1)):
            if self.device_num > 1:  # only the distributed shard log needs them on the host
                epoch_indices.extend(indices.asnumpy().tolist())
            loss_d, loss_g_gan, loss_g_l1, fake_b = step_cell(real_a, real_b)
            losses = (float(loss_d.asnumpy()), float(loss_g_gan.asnumpy()), float(loss_g_l1.asnumpy()))
            now = time.perf_counter()
            if last_end is None:
                logger.info(f"First step (graph compile included) took {now - run_start:.1f} s")
            else:
                step_times.append(now - last_end)  # wall time per step, waiting for data included
            last_end = now
            global_step, step_in_epoch, steps_left = global_step + 1, step_in_epoch + 1, steps_left - 1
            if not np.all(np.isfinite(losses)):
                raise UserInputError(f"losses became non-finite at epoch {epoch} step {step_in_epoch} "
                                     f"(D {losses[0]}, G_GAN {losses[1]}, G_L1 {losses[2]}): lower --lr or resume "
                                     "from an earlier checkpoint with another --seed")
            history.append({"epoch": epoch, "step": global_step, "loss_d": losses[0], "loss_g_gan": losses[1],
                            "loss_g_l1": losses[2], "lr": lr})
            if step_in_epoch % config.log_interval == 0 or step_in_epoch == steps_per_epoch:
                self._log_progress(epoch, step_in_epoch, steps_per_epoch, global_step, history, step_times,
                                   steps_left, lr)
            if step_in_epoch == steps_per_epoch:
                if self.device_num > 1:
                    logger.info(f"epoch {epoch}: rank {self.rank} read {len(epoch_indices)} pairs "
                                f"(indices digest {indices_digest(epoch_indices)})")
                if self.lr_policy.needs_metric:
                    self._watch_plateau(generator)
                if self.rank == 0:
                    self._end_of_epoch(epoch, global_step, steps_per_epoch, history, (real_a, fake_b, real_b), state)
                epoch, step_in_epoch, epoch_indices = epoch + 1, 0, []
                if epoch <= self.epochs:
                    lr = self._start_epoch(epoch, (optimizer_g, optimizer_d))
            stop = self.stop_signal is not None
            if self.agreement:
                stop = self.agreement.any_rank(stop)
            if stop and steps_left > 0:
                self._save_and_stop(epoch, step_in_epoch, global_step, history, steps_per_epoch, state)
        logger.info(f"Training finished in {format_duration(time.perf_counter() - run_start)}: "
                    f"{len(step_times) and 1000 * float(np.median(step_times)):.1f} ms/step (median); final weights: "
                    f"generator {weights_digest(generator)}, discriminator {weights_digest(state[1])}")
        if self.rank != 0:
            return
        final_generator = os.path.join(paths["checkpoints"], "generator_final.ckpt")
        save_generator_checkpoint(final_generator, generator, self.spec, self.epochs, global_step)
        logger.info(f"Generator saved to {final_generator}")
        if config.val_data_dir:
            self._final_evaluation(generator)

    def _watch_plateau(self, generator):
        """lr_policy plateau: the epoch's validation L1 (averaged over the ranks, so all agree) decides
        whether the learning rate falls."""
        config = self.config
        metric = validation_l1(generator, config.val_data_dir, config.direction, config.crop_size)
        if self.agreement:
            metric = self.agreement.mean(metric)
        self.logger.info(self.lr_policy.end_of_epoch(metric))

    def _final_evaluation(self, generator):
        """Score the final generator on val_data_dir as eval.py would."""
        config = self.config
        data_name = os.path.basename(os.path.normpath(config.val_data_dir))
        output_dir = unused_folder(os.path.join(config.output_path, "eval", f"generator_final_{data_name}"))
        summary = evaluate_generator(generator, config.val_data_dir, output_dir, config.direction, config.crop_size,
                                     config.eval_mode, config.num_test, self.logger.info)
        self.summary = summary
        print(json.dumps(summary), flush=True)

    def _log_progress(self, epoch, step_in_epoch, steps_per_epoch, global_step, history, step_times, steps_left, lr):
        recent = history[-min(len(history), self.config.log_interval):]
        median_ms = 1000 * float(np.median(step_times[-self.config.log_interval:])) if step_times else float("nan")
        eta = format_duration(steps_left * median_ms / 1000) if step_times else "?"
        self.logger.info(
            f"epoch {epoch}/{self.epochs} step {step_in_epoch}/{steps_per_epoch} (total {global_step}) | "
            f"{median_ms:.1f} ms/step | D {np.mean([r['loss_d'] for r in recent]):.4f} "
            f"G_GAN {np.mean([r['loss_g_gan'] for r in recent]):.4f} "
            f"G_L1 {np.mean([r['loss_g_l1'] for r in recent]):.4f} | lr {lr:.2e} | ETA {eta}")

    def _end_of_epoch(self, epoch, global_step, steps_per_epoch, history, visuals, state):
        config, paths = self.config, self.paths
        real_a, fake_b, real_b = (tensor.asnumpy() for tensor in visuals)
        rows = [[to_uint8_hwc(real_a[i]), to_uint8_hwc(fake_b[i]), to_uint8_hwc(real_b[i])]
                for i in range(min(4, real_a.shape[0]))]
        save_image_atomic(image_grid(rows), os.path.join(paths["images"], f"epoch_{epoch:04d}.png"))
        write_loss_history(history, paths["losses"])
        plot_loss_curves(history, paths["loss_curve"], steps_per_epoch)
        if epoch % config.save_checkpoint_epochs == 0 or epoch == self.epochs:
            path = training_checkpoint_path(paths, epoch)
            save_training_checkpoint(path, *state, epoch=epoch, step=global_step, model_spec=self.spec,
                                     lr_policy_state=self.lr_policy.state())
            self.logger.info(f"Saved {path}")
            remove_old_checkpoints(paths, config.keep_checkpoint_max, self.logger.info)


def train(config):
    """Train per `config`; returns the dict of output paths."""
    return Trainer(config).run()
