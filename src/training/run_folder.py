"""A training run's folder: its files, checkpoints, their rotation, and the checkpoint --resume picks."""
import glob
import os

from src.models.checkpoint import is_training_checkpoint, read_checkpoint
from src.utils.errors import UserInputError
from src.utils.output_folders import make_output_folder
from src.utils.tools import unfinished_writes


class RunFolder:
    """The files of one training run under OUTPUT_PATH (the layout is documented in the README)."""

    def __init__(self, output_path, model="pix2pix"):
        self.root, self.model = output_path, model  # model: --model, which names the training checkpoints
        self.config = os.path.join(output_path, "config.yaml")
        self.log = os.path.join(output_path, "train.log")
        self.checkpoints = os.path.join(output_path, "checkpoints")
        self.images = os.path.join(output_path, "images")
        self.losses = os.path.join(output_path, "losses.csv")
        self.loss_curve = os.path.join(output_path, "loss_curve.png")
        self.final_generator = os.path.join(self.checkpoints, "generator_final.ckpt")
        self.best_generator = os.path.join(self.checkpoints, "generator_best.ckpt")
        self.validation = os.path.join(output_path, "validation.csv")
        self.validation_curve = os.path.join(output_path, "validation_curve.png")
        self.tensorboard = os.path.join(output_path, "tensorboard")

    def rank_log(self, rank):
        """The log file of `rank`: train.log for rank 0, which alone writes the run's files."""
        return self.log if rank == 0 else os.path.join(self.root, "logs", f"train_rank{rank}.log")

    def epoch_picture(self, epoch):
        return os.path.join(self.images, f"epoch_{epoch:04d}.png")

    def training_checkpoint(self, epoch, step_in_epoch=0):
        """MODEL_epoch_EEEE.ckpt (pix2pix_epoch_0020.ckpt) after EEEE epochs; _step_SSSSS when SSSSS steps into
        the next one."""
        suffix = f"_step_{step_in_epoch:05d}" if step_in_epoch else ""
        return os.path.join(self.checkpoints, f"{self.model}_epoch_{epoch:04d}{suffix}.ckpt")

    def training_checkpoints(self):
        """The run's MODEL_epoch_*.ckpt files, oldest first."""
        return sorted(glob.glob(os.path.join(self.checkpoints, f"{self.model}_epoch_[0-9]*.ckpt")))

    def prepare(self, resuming):
        """Create the folder; refuse one that already holds a run unless resuming it."""
        existing = sorted(glob.glob(os.path.join(self.checkpoints, "*.ckpt")))
        if existing and not resuming:
            raise UserInputError(f"--output_path '{self.root}' already holds a training run "
                                 f"({os.path.basename(existing[-1])}): continue it with --resume auto (or --resume "
                                 f"{existing[-1]}), or choose another --output_path")
        make_output_folder(self.root)
        for folder in (self.checkpoints, self.images, self.tensorboard, os.path.dirname(self.rank_log(1))):
            if os.path.exists(folder) and not os.path.isdir(folder):
                raise UserInputError(f"--output_path '{self.root}' holds a file '{os.path.basename(folder)}' where the "
                                     "run keeps a folder: move it away, or choose another --output_path")

    def remove_unfinished_writes(self, log):
        """Delete the temporary files of writes that a killed run never finished."""
        for path in unfinished_writes(self.root):
            os.remove(path)
            log(f"Removed {path}, left unfinished by an interrupted run")

    def remove_old_checkpoints(self, keep, log):
        """Keep the newest `keep` training checkpoints of the run (0 keeps all)."""
        for path in self.training_checkpoints()[:-keep] if keep else []:
            os.remove(path)
            log(f"Removed {path} (keep_checkpoint_max {keep})")

    def checkpoint_to_resume(self, resume, log):
        """The checkpoint --resume names: None for a new run; for `auto`, the newest training checkpoint of the
        run that loads (a truncated or corrupt one is skipped with a warning and stays on disk), or None."""
        if resume != "auto":
            return resume or None
        for path in reversed(self.training_checkpoints()):
            try:
                contents = read_checkpoint(path)
            except UserInputError as error:
                log(f"warning: skipping {path}: {error}")
                continue
            if is_training_checkpoint(contents):
                log(f"--resume auto: {path}")
                return path
            log(f"warning: skipping {path}: not a complete training checkpoint")
        log(f"--resume auto: no loadable checkpoint in {self.checkpoints}, a new run")
        return None
