"""A pix2pix training run: devices, networks and optimisers, resume, data, the compiled step, then epochs
with progress, pictures and checkpoints, and an evaluation of the final generator."""
from src.dataset.image_coding import ImageCoding
from src.dataset.pair_dataset import create_train_dataset, indices_digest, iterate_batches, open_pair_source
from src.dataset.sample_data import ensure_sample_dataset
from src.dataset.transforms import Preprocess
from src.evaluation.fid_kid import FidKidScorer
from src.evaluation.evaluator import evaluate_generator, validation_l1
from src.evaluation.pairs import EvaluationPairs, test_preprocess
from src.models.checkpoint import (restore_training_state, save_generator_checkpoint, save_training_checkpoint,
                                   weights_digest)
from src.models.loss import GAN_OBJECTIVES, Objective
from src.models.networks import (build_discriminator, build_generator, describe_discriminator, describe_generator,
                                 discriminator_scales, generator_size_multiple, spec_from_settings)
from src.models.pix2pix import (Pix2PixTrainStep, TrainingState, apply_mixed_precision, build_adam, count_parameters,
                                make_loss_scaler, restart_adam, set_learning_rate)
from src.training.pretrained_global import load_pretrained_global
from src.training.progress import TrainingProgress
from src.training.run_folder import RunFolder
from src.training.stop_request import StopRequest
from src.training.tensorboard_log import NoTensorBoard, TensorBoardLog
from src.training.validation import Validation
from src.utils.device import RankAgreement, init_data_parallel, seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.lr_schedule import LearningRatePolicy, total_epochs
from src.utils.output_folders import results_folder
from src.utils.tools import image_grid, read_loss_history, save_image_atomic, setup_logger
from src.weights.vgg_weights import build_perceptual_loss

# Pairs shown in each epoch's picture (input | output | target rows).
EPOCH_PICTURE_ROWS = 4


class Trainer:
    """Trains G and D per `config` (see default_config.yaml) on one device or as one rank of a job."""

    def __init__(self, config):
        self.config = config
        self.folder = RunFolder(config.output_path)
        self.spec = spec_from_settings(config)
        self.coding = ImageCoding.from_spec(self.spec)
        self.multiple = generator_size_multiple(self.spec)
        self.epochs = total_epochs(config.n_epochs, config.n_epochs_decay, config.epoch_num)
        self.rank, self.device_num = 0, 1
        self.stop = StopRequest()
        self.step_cell = None
        self.lr_policy = LearningRatePolicy(config.lr_policy, config.lr, config.n_epochs, config.n_epochs_decay,
                                            config.lr_step_epochs)
        self.logger = None
        # val_data_dir's pairs, each opened once: rank 0's final evaluation (before the first step, so a
        # wrong set fails at once) and, with lr_policy plateau, every rank's validation (at its first use).
        self.evaluation_pairs, self.plateau_pairs = None, None
        self.validation, self.board = None, NoTensorBoard()  # rank 0's (--val_every) and TensorBoard

    def run(self):
        """Train; returns the evaluation summary of the final generator on val_data_dir (rank 0 with
        val_data_dir set), else None. Raises TrainingStopped after a requested stop has been saved."""
        config = self.config
        self.folder.prepare(resuming=bool(config.resume))
        self._join_devices()
        ensure_sample_dataset(config.train_data_dir, self.logger.info)
        seed_everything(config.seed)  # the same seed everywhere: identical initial weights on every rank
        state, network_lines, frozen = build_training_state(config, self.spec)
        self._resume(state)
        if config.load_pretrain and state.step == 0:
            load_pretrained_global(state.generator, self.spec, config.load_pretrain, self.logger.info)
        dataset, steps_per_epoch = self._create_dataset(state)
        if config.val_data_dir and self.rank == 0:
            self.evaluation_pairs = self._test_pairs(config.num_test)
        if self.rank == 0:
            self._start_reports(state)
            config.save(self.folder.config)
        for line in network_lines + plan_lines(config, self.spec, state, steps_per_epoch, self.epochs,
                                               self.device_num):
            self.logger.info(line)
        history = [row for row in read_loss_history(self.folder.losses) if row["step"] <= state.step]
        objective = training_objective(config, self.spec)
        progress = TrainingProgress(self.logger.info, config.log_interval, steps_per_epoch, self.epochs, history,
                                    shown=objective_terms(objective), on_line=self.board.losses)
        perceptual = build_perceptual_loss(config.vgg_weights, self.spec.out_channels) if objective.lambda_vgg else None
        step_cell = Pix2PixTrainStep(state.generator, state.discriminator, state.optimizer_g, state.optimizer_d,
                                     objective, self.device_num, make_loss_scaler(config.amp_level), perceptual, frozen)
        step_cell.set_train(True)
        self.step_cell = step_cell
        with self.stop.handling_signals(self.logger.info):
            try:
                self._train_epochs(state, dataset, steps_per_epoch, step_cell, progress)
            finally:
                self.board.close()
        self.logger.info(f"{progress.finished()}; final weights: generator {weights_digest(state.generator)}, "
                         f"discriminator {weights_digest(state.discriminator)}")
        return self._finish(state) if self.rank == 0 else None

    def _join_devices(self):
        """Select the device (or join the distributed job) and start the log; only rank 0 writes the run's
        files, the other ranks log to their own file."""
        config, device_lines = self.config, []  # logged once the rank, and so the log file, is known
        if config.distribute:
            self.rank, self.device_num = init_data_parallel(config.device_target, config.mode, device_lines.append)
        else:
            setup_device(config.device_target, config.device_id, config.mode, log=device_lines.append)
        self.logger = setup_logger(self.folder.rank_log(self.rank))
        for line in device_lines:
            self.logger.info(line)
        if self.device_num > 1:
            self.logger.info(f"Data parallel: rank {self.rank} of {self.device_num}")
            self.stop = StopRequest(RankAgreement(self.device_num))

    def _start_reports(self, state):
        """Rank 0: TensorBoard events (from the resumed step on) and, with --val_every, the validation."""
        self.board = TensorBoardLog(self.folder.tensorboard, state.step)
        self.validation = Validation.for_run(self.config, self.evaluation_pairs, self.folder, self.spec,
                                             self.logger.info, self.board)
        if self.validation and state.step:
            self.validation.restore(state.epoch)

    def _resume(self, state):
        """--resume PATH or auto: load the checkpoint into `state` and the learning-rate policy."""
        if self.config.resume and self.rank == 0:
            self.folder.remove_unfinished_writes(self.logger.info)
        path = self.folder.checkpoint_to_resume(self.config.resume, self.logger.info)
        if not path:
            return
        self.lr_policy.load_state(restore_training_state(path, state, self.spec))
        self.logger.info(f"Resumed from {path}: {state.epoch} epochs and {state.step} steps done"
                         + (f", {state.step_in_epoch} of them in epoch {state.epoch + 1}" if state.step_in_epoch else ""))
        if state.epoch >= self.epochs:
            raise UserInputError(f"checkpoint '{path}' has already trained {state.epoch} of "
                                 f"{self.epochs} epochs: raise --n_epochs/--n_epochs_decay to train further")

    def _create_dataset(self, state):
        config = self.config
        source = open_pair_source(config.dataset_mode, config.train_data_dir, "train_data_dir", config.direction,
                                  self.logger.info, self.device_num, self.rank, config.max_dataset_size)
        preprocess = Preprocess(config.preprocess, config.load_size, config.crop_size, self.multiple,
                                flip=not config.no_flip)
        return create_train_dataset(
            source, preprocess, self.coding, config.batch_size, seed=config.seed, start_epoch=state.epoch,
            end_epoch=self.epochs, num_parallel_workers=config.num_parallel_workers, num_shards=self.device_num,
            shard_id=self.rank, skip_steps=state.step_in_epoch)

    def _test_pairs(self, num_test=None, log=None):
        """config.val_data_dir's pairs as the final evaluation and the plateau policy read them."""
        config = self.config
        return EvaluationPairs.open(config.dataset_mode, config.val_data_dir, config.direction,
                                    test_preprocess(config, self.multiple), self.coding, num_test,
                                    log or self.logger.info)

    def _start_epoch(self, epoch, state):
        """Set the learning rate of 1-based `epoch` on both optimisers and return it; with --niter_fix_global,
        let the global generator train from epoch niter_fix_global + 1 on, with a fresh Adam (pix2pixHD)."""
        fixed_epochs = self.config.niter_fix_global
        if fixed_epochs:
            self.step_cell.set_frozen_training(epoch > fixed_epochs)
            if epoch == fixed_epochs + 1 and state.step_in_epoch == 0:  # not again when resumed inside the epoch
                restart_adam(state.optimizer_g)
                self.logger.info(f"Epoch {epoch}: the global generator trains too from now on (a fresh Adam for G)")
        lr = self.lr_policy.lr(epoch)
        for optimizer in state.optimizers:
            set_learning_rate(optimizer, lr)
        return lr

    def _train_epochs(self, state, dataset, steps_per_epoch, step_cell, progress):
        """The steps from `state`'s position to the last epoch, in one pass over the data stream."""
        epoch = state.epoch + 1
        lr = self._start_epoch(epoch, state)
        steps_left = (self.epochs - state.epoch) * steps_per_epoch - state.step_in_epoch
        epoch_indices = []
        for real_a, real_b, indices in iterate_batches(dataset.create_tuple_iterator(num_epochs=1)):
            if self.device_num > 1:  # only the distributed shard log needs them on the host
                epoch_indices.extend(indices.asnumpy().tolist())
            outputs = step_cell(real_a, real_b)
            losses, fake_b = tuple(float(loss.asnumpy()) for loss in outputs[:-1]), outputs[-1]
            state.step, state.step_in_epoch, steps_left = state.step + 1, state.step_in_epoch + 1, steps_left - 1
            progress.step_done(epoch, state.step_in_epoch, state.step, losses, lr, steps_left)
            if state.step_in_epoch == steps_per_epoch:
                state.epoch, state.step_in_epoch = epoch, 0
                self._end_of_epoch(state, progress, (real_a, fake_b, real_b), epoch_indices)
                epoch, epoch_indices = epoch + 1, []
                if epoch <= self.epochs:
                    lr = self._start_epoch(epoch, state)
            if self.stop.agreed() and steps_left > 0:
                self._save_and_stop(state, progress)

    def _end_of_epoch(self, state, progress, visuals, epoch_indices):
        """After epoch state.epoch: the shard log, the plateau policy, then (rank 0) the picture, the losses
        and, when due, a checkpoint."""
        if self.device_num > 1:
            self.logger.info(f"epoch {state.epoch}: rank {self.rank} read {len(epoch_indices)} pairs "
                             f"(indices digest {indices_digest(epoch_indices)})")
        if self.lr_policy.needs_metric:
            self._watch_plateau(state.generator)
        if self.config.val_every and state.epoch % self.config.val_every == 0:
            self._validate(state)
        if self.rank != 0:
            return
        save_image_atomic(epoch_picture(visuals, self.coding), self.folder.epoch_picture(state.epoch))
        progress.save(self.folder.losses, self.folder.loss_curve)
        if state.epoch % self.config.save_checkpoint_epochs == 0 or state.epoch == self.epochs:
            path = self.folder.training_checkpoint(state.epoch)
            save_training_checkpoint(path, state, self.spec, self.lr_policy.state())
            self.logger.info(f"Saved {path}")
            self.folder.remove_old_checkpoints(self.config.keep_checkpoint_max, self.logger.info)

    def _validate(self, state):
        """Rank 0 scores the held-out pairs; with msrun the other ranks wait for its L1 (a collective)."""
        l1 = self.validation.run(state.generator, state.epoch, state.step)["l1"] if self.rank == 0 else 0.0
        if self.stop.agreement:
            l1 = self.stop.agreement.mean(l1 * self.device_num if self.rank == 0 else 0.0)
            if self.rank:
                self.logger.info(f"Validation after epoch {state.epoch} (rank 0): L1 {l1:.4f}")

    def _save_and_stop(self, state, progress):
        """Save the exact position (epochs completed + steps into the next) and stop the run."""
        path = self.folder.training_checkpoint(state.epoch, state.step_in_epoch)
        if self.rank == 0:
            save_training_checkpoint(path, state, self.spec, self.lr_policy.state())
            progress.save(self.folder.losses, self.folder.loss_curve)
        raise self.stop.stopped(f"epoch {state.epoch + 1} step {state.step_in_epoch} (total {state.step}): "
                                f"saved {path}")

    def _watch_plateau(self, generator):
        """lr_policy plateau: the epoch's validation L1 (averaged over the ranks, so all agree) decides
        whether the learning rate falls."""
        if self.plateau_pairs is None:
            # Files that are not images are named once, when the run starts, not here.
            self.plateau_pairs = self._test_pairs(log=lambda warning: None)
        metric = validation_l1(generator, self.plateau_pairs)
        if self.stop.agreement:
            metric = self.stop.agreement.mean(metric)
        self.logger.info(self.lr_policy.end_of_epoch(metric))

    def _finish(self, state):
        """Save the final generator and, with val_data_dir, score it as eval.py would; returns the summary."""
        config = self.config
        save_generator_checkpoint(self.folder.final_generator, state.generator, self.spec, self.epochs, state.step)
        self.logger.info(f"Generator saved to {self.folder.final_generator}")
        if not config.val_data_dir:
            return None
        output_dir = results_folder(config.output_path, "eval", self.folder.final_generator, config.val_data_dir)
        scorer = (self.validation.scorer if self.validation else
                  FidKidScorer.from_settings(config.fid_weights, config.fid_dims, log=self.logger.info))
        return evaluate_generator(state.generator, self.evaluation_pairs, output_dir, config.eval_mode,
                                  self.logger.info, scorer)


def training_objective(config, spec):
    """The loss.Objective of a run's settings."""
    return Objective(config.gan_mode, config.lambda_L1, config.lambda_gp, discriminator_scales(spec), config.n_layers_D,
                     0.0 if config.no_ganFeat_loss else config.lambda_feat, config.lambda_vgg)


def objective_terms(objective):
    """The generator terms beyond GAN and L1 that a run's logs show: feature matching, VGG."""
    return tuple(name for name, on in (("loss_g_feat", objective.num_D and objective.lambda_feat),
                                       ("loss_g_vgg", objective.lambda_vgg)) if on)


def build_training_state(config, spec):
    """Both networks of `spec` and their Adam optimisers per `config`, the lines describing the networks
    (made before mixed precision wraps them, so the counts are the trainable values), and the names of G's
    parameters that --niter_fix_global keeps fixed at first."""
    generator = build_generator(spec, config.init_type, config.init_gain)
    frozen = generator.fixed_while_enhancing() if config.niter_fix_global else ()
    discriminator = build_discriminator(spec, config.init_type, config.init_gain)
    network_lines = [
        f"Generator {describe_generator(spec)}: {count_parameters(generator):,} parameters",
        f"Discriminator {describe_discriminator(spec, discriminator, config.crop_size)}: "
        f"{count_parameters(discriminator):,} parameters"]
    generator = apply_mixed_precision(generator, config.amp_level)
    discriminator = apply_mixed_precision(discriminator, config.amp_level)
    return TrainingState(generator, discriminator,
                         build_adam(generator, "optimizer_g", config.lr, config.beta1, config.beta2),
                         build_adam(discriminator, "optimizer_d", config.lr, config.beta1, config.beta2)), network_lines, frozen


def plan_lines(config, spec, state, steps_per_epoch, epochs, device_num):
    """What the run is about to do: the objective, the data, the epochs and devices."""
    penalty = GAN_OBJECTIVES.get(config.gan_mode).gradient_penalty
    objective = training_objective(config, spec)
    return [f"Objective: {config.gan_mode} GAN + {config.lambda_L1:g} x L1"
            + (f" + {objective.lambda_feat:g} x feature matching" if "loss_g_feat" in objective_terms(objective) else "")
            + (f" + {objective.lambda_vgg:g} x VGG19" if objective.lambda_vgg else "")
            + (f" + {config.lambda_gp:g} x gradient penalty" if penalty else "")
            + (f"; only the outermost enhancer trains in epochs 1..{config.niter_fix_global}"
               if config.niter_fix_global else "")
            + f"; lr {config.lr:g}, policy {config.lr_policy}",
            f"Training on {config.train_data_dir} ({config.dataset_mode}, --preprocess {config.preprocess}, "
            f"{spec.in_channels} -> {spec.out_channels} channels): {steps_per_epoch} steps per epoch "
            f"(batch {config.batch_size}), epochs {state.epoch + 1}..{epochs}, "
            f"{'label maps -> images' if spec.label_nc else config.direction}, "
            f"{config.device_target} x{device_num} {config.mode}; output in {config.output_path}"]


def epoch_picture(visuals, coding):
    """input | output | target rows of the first EPOCH_PICTURE_ROWS pairs of a batch of (A, G(A), B) tensors,
    shown by `coding` (ImageCoding)."""
    real_a, fake_b, real_b = (tensor.asnumpy() for tensor in visuals)
    return image_grid([coding.pictures(real_a[i], fake_b[i], real_b[i])
                       for i in range(min(EPOCH_PICTURE_ROWS, real_a.shape[0]))])


def train(config):
    """Train per `config`; returns the final evaluation's summary, or None (see Trainer.run)."""
    return Trainer(config).run()
