"""A training run: devices, the model, resume, data, then epochs with progress, pictures and checkpoints, and
an evaluation of the final generator(s). The model (--model: a room of src/training/models.py) builds the
networks and the compiled step; the held-out pairs (src/training/held_out.py) are scored by HeldOutScoring."""
import os
import shutil

from src.dataset.image_coding import ImageCoding
from src.dataset.pair_dataset import create_train_dataset, indices_digest, iterate_batches, open_pair_source
from src.dataset.sample_sets import ensure_sample_dataset
from src.dataset.transforms import Preprocess
from src.kernels.choice import start_convolutions
from src.kernels.direct_conv import count_direct_convolutions
from src.models.checkpoint import (RunIdentity, restore_training_state, save_generator_checkpoint,
                                   save_training_checkpoint)
from src.models.networks import generator_size_multiple, require_networks_fit, spec_from_settings
from src.models.pix2pix import set_learning_rate
from src.training.held_out import HeldOutScoring
from src.training.models import MODELS
from src.training.progress import TrainingProgress
from src.training.run_folder import RunFolder
from src.training.stop_request import StopRequest
from src.training.tensorboard_log import NoTensorBoard, TensorBoardLog
from src.utils.device import RankAgreement, init_data_parallel, seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.lr_schedule import LearningRatePolicy, total_epochs
from src.utils.tools import read_loss_history, save_image_atomic, setup_logger


class Trainer:
    """Trains the model of config.model (a room of src/training/models.MODELS) per `config` (see
    default_config.yaml) on one device or as one rank of a job."""

    def __init__(self, config):
        self.config, self.model_class = config, MODELS.get(config.model).build
        self.run_identity = RunIdentity(config.model, config.direction)
        self.folder = RunFolder(config.output_path, config.model)
        self.spec = spec_from_settings(config)
        self.coding = ImageCoding.from_spec(self.spec)
        self.multiple = generator_size_multiple(self.spec)
        self.epochs = total_epochs(config.n_epochs, config.n_epochs_decay, config.epoch_num)
        self.rank, self.device_num = 0, 1
        self.stop = StopRequest()
        self.lr_policy = LearningRatePolicy(config.lr_policy, config.lr, config.n_epochs, config.n_epochs_decay,
                                            config.lr_step_epochs)
        self.logger, self.model, self.held_out, self.board = None, None, None, NoTensorBoard()

    def run(self):
        """Train; returns the evaluation summary of the final generator on val_data_dir (rank 0 with
        val_data_dir set), else None. Raises TrainingStopped after a requested stop has been saved."""
        new_folder = not os.path.exists(self.config.output_path)
        try:
            model, dataset, steps_per_epoch, progress = self._start()
        except UserInputError:
            if new_folder and self.device_num == 1:  # a run refused before its first step leaves nothing behind
                self._discard_folder()
            raise
        model.compile_step(self.device_num)
        with self.stop.handling_signals(self.logger.info):
            try:
                self._train_epochs(model.state, dataset, steps_per_epoch, progress)
            finally:
                self.board.close()
        self.logger.info(f"{progress.finished()}; final weights: {model.digests()}")
        return self._finish(model.state) if self.rank == 0 else None

    def _start(self):
        """Everything before the first step: the folder, devices, data, the model (resumed), validation and
        the plan lines; returns (model, dataset, steps per epoch, TrainingProgress)."""
        config = self.config
        self.folder.prepare(resuming=bool(config.resume))
        self._join_devices()
        conv_kernel = start_convolutions(config.conv_kernel, self.logger.info, config.device_target, config.amp_level,
                                         config.netG, config.cpu_precision)
        ensure_sample_dataset(config.train_data_dir, self.logger.info)
        source = self._open_source()  # before the networks are built: it checks they can take its pictures
        seed_everything(config.seed)  # the same seed everywhere: identical initial weights on every rank
        self.model = model = self.model_class(config, self.spec)
        if conv_kernel == "onednn":
            switched = count_direct_convolutions(model.state.checkpoint_networks().values())
            self.logger.info(f"Convolutions: {switched} on oneDNN's direct kernels (--conv_kernel {config.conv_kernel})")
        self._resume(model.state)
        model.start_from_pretrained(self.logger.info)
        dataset, steps_per_epoch = self._create_dataset(source, model.state)
        self.held_out = HeldOutScoring(config, self.multiple, self.coding, self.rank, self.stop.agreement,
                                       self.logger.info)
        if self.rank == 0:
            self.board = TensorBoardLog(self.folder.tensorboard, model.state.step)
            self.held_out.start_validation(self.folder, self.spec, self.board, model.state, self.run_identity)
            config.save(self.folder.config)
        plan = data_line(config, self.spec, model.state, steps_per_epoch, self.epochs, self.device_num)
        for line in model.network_lines + [model.objective_line(), plan]:
            self.logger.info(line)
        report = model.loss_report()
        history = [row for row in read_loss_history(self.folder.losses, report.names) if row["step"] <= model.state.step]
        return model, dataset, steps_per_epoch, TrainingProgress(
            self.logger.info, config.log_interval, steps_per_epoch, self.epochs, report, history,
            on_line=self.board.losses)

    def _discard_folder(self):
        """Remove the output folder this run made (its log and empty folders) once the run is refused."""
        self.board.close()
        for handler in list(self.logger.handlers if self.logger else ()):
            handler.close()
        shutil.rmtree(self.folder.root, ignore_errors=True)

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

    def _resume(self, state):
        """--resume PATH or auto: load the checkpoint into `state` and the learning-rate policy."""
        if self.config.resume and self.rank == 0:
            self.folder.remove_unfinished_writes(self.logger.info)
        path = self.folder.checkpoint_to_resume(self.config.resume, self.logger.info)
        if not path:
            return
        self.lr_policy.load_state(restore_training_state(path, state, self.spec, self.config.model))
        self.logger.info(f"Resumed from {path}: {state.epoch} epochs and {state.step} steps done"
                         + (f", {state.step_in_epoch} of them in epoch {state.epoch + 1}" if state.step_in_epoch else ""))
        if state.epoch >= self.epochs:
            raise UserInputError(f"checkpoint '{path}' has already trained {state.epoch} of "
                                 f"{self.epochs} epochs: raise --n_epochs/--n_epochs_decay to train further")

    def _open_source(self):
        """train_data_dir's pairs (this rank's share), once the networks are known to take their pictures."""
        config = self.config
        source = open_pair_source(config.dataset_mode, config.train_data_dir, "train_data_dir", config.direction,
                                  self.logger.info, self.device_num, self.rank, config.max_dataset_size)
        require_networks_fit(self.spec, *smallest_training_size(config, source))
        return source

    def _create_dataset(self, source, state):
        """The training stream of `source` from `state`'s position: (dataset, steps per epoch)."""
        config = self.config
        preprocess = Preprocess(config.preprocess, config.load_size, config.crop_size, self.multiple, not config.no_flip)
        return create_train_dataset(
            source, preprocess, self.coding, config.batch_size, seed=config.seed, start_epoch=state.epoch,
            end_epoch=self.epochs, num_parallel_workers=config.num_parallel_workers, num_shards=self.device_num,
            shard_id=self.rank, skip_steps=state.step_in_epoch, serial_batches=config.serial_batches)

    def _start_epoch(self, epoch, state):
        """Set the learning rate of 1-based `epoch` on every optimiser (and the model's own switch); returns it."""
        self.model.start_epoch(epoch, self.logger.info)
        lr = self.lr_policy.lr(epoch)
        for optimizer in state.optimizers:
            set_learning_rate(optimizer, lr)
        return lr

    def _train_epochs(self, state, dataset, steps_per_epoch, progress):
        """The steps from `state`'s position to the last epoch, in one pass over the data stream."""
        epoch = state.epoch + 1
        lr = self._start_epoch(epoch, state)
        steps_left = (self.epochs - state.epoch) * steps_per_epoch - state.step_in_epoch
        epoch_indices = []
        for real_a, real_b, indices in iterate_batches(dataset.create_tuple_iterator(num_epochs=1)):
            if self.device_num > 1:  # only the distributed shard log needs them on the host
                epoch_indices.extend(indices.asnumpy().tolist())
            losses, visuals = self.model.step(real_a, real_b)
            state.step, state.step_in_epoch, steps_left = state.step + 1, state.step_in_epoch + 1, steps_left - 1
            progress.step_done(epoch, state.step_in_epoch, state.step, losses, lr, steps_left)
            if state.step_in_epoch == steps_per_epoch:
                state.epoch, state.step_in_epoch = epoch, 0
                self._end_of_epoch(state, progress, visuals, epoch_indices)
                epoch, epoch_indices = epoch + 1, []
                if epoch <= self.epochs:
                    lr = self._start_epoch(epoch, state)
            if self.stop.agreed() and steps_left > 0:
                self._save_and_stop(state, progress)

    def _end_of_epoch(self, state, progress, visuals, epoch_indices):
        """After epoch state.epoch: the shard log, the plateau policy, validation when due, then (rank 0) the
        picture, the losses and, when due, a checkpoint."""
        if self.device_num > 1:
            self.logger.info(f"epoch {state.epoch}: rank {self.rank} read {len(epoch_indices)} pairs "
                             f"(indices digest {indices_digest(epoch_indices)})")
        if self.lr_policy.needs_metric:
            self.logger.info(self.lr_policy.end_of_epoch(self.held_out.plateau_l1(state.generator)))
        if self.held_out.due(state.epoch):
            self.held_out.validate(self.model.generators(), state.epoch, state.step)
        if self.rank != 0:
            return
        save_image_atomic(self.model.epoch_picture(visuals, self.coding), self.folder.epoch_picture(state.epoch))
        progress.save(self.folder.losses, self.folder.loss_curve)
        if state.epoch % self.config.save_checkpoint_epochs == 0 or state.epoch == self.epochs:
            path = self.folder.training_checkpoint(state.epoch)
            save_training_checkpoint(path, state, self.spec, self.lr_policy.state(), self.run_identity)
            self.logger.info(f"Saved {path}")
            self.folder.remove_old_checkpoints(self.config.keep_checkpoint_max, self.logger.info)

    def _save_and_stop(self, state, progress):
        """Save the exact position (epochs completed + steps into the next) and stop the run."""
        path = self.folder.training_checkpoint(state.epoch, state.step_in_epoch)
        if self.rank == 0:
            save_training_checkpoint(path, state, self.spec, self.lr_policy.state(), self.run_identity)
            progress.save(self.folder.losses, self.folder.loss_curve)
        raise self.stop.stopped(f"epoch {state.epoch + 1} step {state.step_in_epoch} (total {state.step}): "
                                f"saved {path}")

    def _finish(self, state):
        """Save the final generator and, with val_data_dir, score it as eval.py would; returns the summary."""
        generators = self.model.generators()
        save_generator_checkpoint(self.folder.final_generator, generators, self.spec, self.epochs, state.step,
                                  run=self.run_identity)
        self.logger.info(f"{' and '.join(generators)} saved to {self.folder.final_generator}")
        return self.held_out.evaluate_final(generators, self.folder.final_generator)


def smallest_training_size(config, source):
    """(width, height) of the smallest training input among `source`'s pairs, at the pictures' own size: not
    rounded up to the generator's multiple, which would hide a multiple too large for them."""
    own_sizes = Preprocess(config.preprocess, config.load_size, config.crop_size)
    return min((own_sizes.train_size(*size) for _, size in source.named_sizes()), key=min)


def data_line(config, spec, state, steps_per_epoch, epochs, device_num):
    """What the run is about to do: the data, the epochs and devices."""
    return (f"Training on {config.train_data_dir} ({config.dataset_mode}, --preprocess {config.preprocess}, "
            f"{spec.in_channels} -> {spec.out_channels} channels): {steps_per_epoch} steps per epoch "
            f"(batch {config.batch_size}), epochs {state.epoch + 1}..{epochs}, "
            f"{'label maps -> images' if spec.label_nc else config.direction}, "
            f"{config.device_target} x{device_num} {config.mode}; output in {config.output_path}")


def train(config):
    """Train per `config`; returns the final evaluation's summary, or None (see Trainer.run)."""
    return Trainer(config).run()
