"""The paired model a run trains (pix2pix, and pix2pixHD as its options): its networks and optimisers, its
objective, its compiled step, the losses its logs show, its epoch picture and the per-epoch switch of
--niter_fix_global. The Trainer drives it through these methods and knows nothing else of it."""
from src.models.checkpoint import weights_digest
from src.models.loss import GAN_OBJECTIVES, Objective
from src.models.networks import (build_discriminator, build_generator, describe_discriminator, describe_generator,
                                 discriminator_scales)
from src.models.pix2pix import (Pix2PixTrainStep, TrainingState, apply_mixed_precision, build_adam, count_parameters,
                                make_loss_scaler, restart_adam)
from src.training.pretrained_global import load_pretrained_global
from src.training.progress import LossReport
from src.utils.tools import image_grid
from src.weights.vgg_weights import build_perceptual_loss

# Pairs shown in each epoch's picture (input | output | target rows).
EPOCH_PICTURE_ROWS = 4
# The losses a step returns: {losses.csv name: (progress line name, loss curve title)}; the last two are
# pix2pixHD's, 0 in runs without them.
LOSSES = {"loss_d": ("D", "D loss (0.5 x (real + fake))"), "loss_g_gan": ("G_GAN", "G GAN loss"),
          "loss_g_l1": ("G_L1", "G L1 (|G(A) - B|, [-1, 1] units)"),
          "loss_g_feat": ("G_feat", "G feature matching (unweighted)"),
          "loss_g_vgg": ("G_VGG", "G VGG19 loss (unweighted)")}


class Pix2PixModel:
    """G and D of `spec` trained per `config` (default_config.yaml); `state` (TrainingState) holds the networks,
    optimisers and counters that checkpoints save."""

    def __init__(self, config, spec):
        self.config, self.spec = config, spec
        self.objective = training_objective(config, spec)
        self.state, self.network_lines, self.frozen = build_training_state(config, spec)
        self.step_cell = None

    def start_from_pretrained(self, log):
        """--load_pretrain (pix2pixHD's local generator from a global run), before the first step."""
        if self.config.load_pretrain and self.state.step == 0:
            load_pretrained_global(self.state.generator, self.spec, self.config.load_pretrain, log)

    def compile_step(self, device_num):
        """The compiled training step (G and D updated in the reference's order), in train mode."""
        state, config = self.state, self.config
        perceptual = (build_perceptual_loss(config.vgg_weights, self.spec.out_channels) if self.objective.lambda_vgg
                      else None)
        self.step_cell = Pix2PixTrainStep(state.generator, state.discriminator, state.optimizer_g, state.optimizer_d,
                                          self.objective, device_num, make_loss_scaler(config.amp_level), perceptual,
                                          self.frozen)
        self.step_cell.set_train(True)
        return self.step_cell

    def step(self, real_a, real_b):
        """One training step: (the losses as floats, in LOSSES order, and (A, G(A), B) for the epoch picture)."""
        outputs = self.step_cell(real_a, real_b)
        return tuple(float(loss.asnumpy()) for loss in outputs[:-1]), (real_a, outputs[-1], real_b)

    def loss_report(self):
        """The losses the logs show: D, G's GAN and L1, and feature matching and VGG when the run has them."""
        return LossReport(LOSSES, ("loss_d", "loss_g_gan", "loss_g_l1") + objective_terms(self.objective))

    def start_epoch(self, epoch, log):
        """--niter_fix_global: the global generator trains from epoch niter_fix_global + 1 on, with a fresh Adam."""
        fixed_epochs = self.config.niter_fix_global
        if fixed_epochs:
            self.step_cell.set_frozen_training(epoch > fixed_epochs)
            if epoch == fixed_epochs + 1 and self.state.step_in_epoch == 0:  # not again when resumed inside it
                restart_adam(self.state.optimizer_g)
                log(f"Epoch {epoch}: the global generator trains too from now on (a fresh Adam for G)")

    def epoch_picture(self, visuals, coding):
        """input | output | target rows of the first EPOCH_PICTURE_ROWS pairs of a batch of (A, G(A), B) tensors,
        shown by `coding` (ImageCoding)."""
        real_a, fake_b, real_b = (tensor.asnumpy() for tensor in visuals)
        return image_grid([coding.pictures(real_a[i], fake_b[i], real_b[i])
                           for i in range(min(EPOCH_PICTURE_ROWS, real_a.shape[0]))])

    def generators(self):
        """{checkpoint prefix: generator} of what generator checkpoints hold: G."""
        return {"generator": self.state.generator}

    def digests(self):
        """A line naming the final weights (for comparing runs)."""
        return (f"generator {weights_digest(self.state.generator)}, "
                f"discriminator {weights_digest(self.state.discriminator)}")

    def objective_line(self):
        """The objective, for the run's plan."""
        config, objective = self.config, self.objective
        penalty = GAN_OBJECTIVES.get(config.gan_mode).gradient_penalty
        return (f"Objective: {config.gan_mode} GAN + {config.lambda_L1:g} x L1"
                + (f" + {objective.lambda_feat:g} x feature matching" if "loss_g_feat" in objective_terms(objective) else "")
                + (f" + {objective.lambda_vgg:g} x VGG19" if objective.lambda_vgg else "")
                + (f" + {config.lambda_gp:g} x gradient penalty" if penalty else "")
                + (f"; only the outermost enhancer trains in epochs 1..{config.niter_fix_global}"
                   if config.niter_fix_global else "")
                + f"; lr {config.lr:g}, policy {config.lr_policy}")


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
