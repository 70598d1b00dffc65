"""TensorBoard event files of a run (OUTPUT_PATH/tensorboard/), written with tensorboardX: the losses every
--log_interval steps, the learning rate, the validation scores and an input | output | target picture per
validation. Only rank 0 writes; a resumed run drops the events after its checkpoint's step."""
import numpy as np


class TensorBoardLog:
    """Scalars and pictures against the step; NoTensorBoard stands in on the other ranks."""

    def __init__(self, folder, resumed_step=0):
        from tensorboardX import SummaryWriter
        # Events up to the checkpoint's step stay; those a killed run wrote after it are dropped.
        self.writer = SummaryWriter(logdir=folder, purge_step=resumed_step + 1 if resumed_step else None, flush_secs=30)

    def losses(self, step, means, lr):
        """means: {loss name: mean over the last log_interval steps}."""
        for name, value in means.items():
            self.writer.add_scalar(f"loss/{name}", value, step)
        self.writer.add_scalar("learning_rate", lr, step)

    def validation(self, step, scores, picture):
        """scores: {name: value or None}; picture: uint8 (H, W, 3) input | output | target rows."""
        for name, value in scores.items():
            if value is not None and name not in ("epoch", "step"):
                self.writer.add_scalar(f"validation/{name}", value, step)
        self.writer.add_image("validation/input_output_target", np.asarray(picture), step, dataformats="HWC")
        self.writer.flush()

    def close(self):
        self.writer.close()


class NoTensorBoard:
    def losses(self, step, means, lr):
        pass

    def validation(self, step, scores, picture):
        pass

    def close(self):
        pass
