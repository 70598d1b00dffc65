"""The unpaired model a run trains (--model cycle_gan, Zhu et al. 2017): G_A and G_B of the run's --netG, the
unconditional discriminators D_A and D_B of its --netD, one Adam per pair, the history pools, the step of
src/models/cycle_gan.py, its eight losses and its epoch picture. The Trainer drives it as it drives
Pix2PixModel, through the same methods."""
from dataclasses import replace

import numpy as np

from src.models.checkpoint import check_generator_channels, load_generator_weights, load_into_network, read_checkpoint, weights_digest
from src.models.cycle_gan import LOSS_NAMES, CycleGANNetworks, CycleGANState, CycleGANTrainStep, CycleObjective
from src.models.image_pool import ImagePool
from src.models.networks import build_discriminator, build_generator, describe_discriminator, describe_generator
from src.models.pix2pix import build_adam, count_parameters
from src.training.progress import LossReport
from src.utils.tools import image_grid

# Rows shown in each epoch's picture (A | G_A(A) | G_B(G_A(A)) | B | G_B(B) | G_A(G_B(B))).
EPOCH_PICTURE_ROWS = 4
# {losses.csv name: (progress line name, loss curve title)}, in LOSS_NAMES order (the reference's names).
LOSS_TITLES = {
    "loss_d_a": ("D_A", "D_A loss (judges B; 0.5 x (real + fake))"), "loss_g_a": ("G_A", "G_A GAN loss"),
    "loss_cycle_a": ("cycle_A", "cycle A (lambda_A |G_B(G_A(A)) - A|)"),
    "loss_idt_a": ("idt_A", "identity A (|G_A(B) - B|, weighted)"),
    "loss_d_b": ("D_B", "D_B loss (judges A; 0.5 x (real + fake))"), "loss_g_b": ("G_B", "G_B GAN loss"),
    "loss_cycle_b": ("cycle_B", "cycle B (lambda_B |G_A(G_B(B)) - B|)"),
    "loss_idt_b": ("idt_B", "identity B (|G_B(A) - A|, weighted)")}
assert tuple(LOSS_TITLES) == LOSS_NAMES


def discriminator_specs(spec):
    """(D_A's spec, D_B's): unconditional PatchGANs (in_channels 0) over B's and A's channels."""
    return replace(spec, in_channels=0), replace(spec, in_channels=0, out_channels=spec.in_channels)


class CycleGANModel:
    """G_A: A -> B, G_B: B -> A, D_A (judges B) and D_B (judges A) of `spec` trained per `config`."""

    def __init__(self, config, spec):
        self.config, self.spec = config, spec
        self.objective = CycleObjective(config.gan_mode, config.lambda_A, config.lambda_B, config.lambda_identity)
        self.state, self.network_lines = build_cycle_gan_state(config, spec)
        self.step_cell = None

    def start_from_pretrained(self, log):
        """--load_pretrain: a fine-tune starts G_A (and G_B, when the file holds it) from a generator checkpoint,
        such as a converted published CycleGAN generator; the discriminators start afresh."""
        path = self.config.load_pretrain
        if not path or self.state.step:
            return
        contents = read_checkpoint(path)
        check_generator_channels(contents, self.spec, path, "load_pretrain")
        load_generator_weights(self.state.generator, contents, path)
        has_b = any(name.startswith("generator_b.") for name in contents)
        if has_b:
            load_into_network(self.state.networks.generator_b, contents, "generator_b", path)
        log(f"Fine-tuning from {path}: G_A" + (" and G_B" if has_b else " (G_B starts afresh)"))

    def compile_step(self, device_num):
        """The step of models/cycle_gan.py (two compiled graphs, the pools between them), in train mode."""
        state, seed = self.state, self.config.seed
        rank = 0
        if device_num > 1:  # each rank pools its own fakes and draws its own stream
            from mindspore.communication import get_rank
            rank = get_rank()
        self.step_cell = CycleGANTrainStep(
            state.networks, state.optimizer_g, state.optimizer_d, self.objective, state.pools,
            pool_rng=lambda step, side: np.random.default_rng([seed, step, side, rank]), device_num=device_num)
        self.step_cell.set_train(True)
        return self.step_cell

    def step(self, real_a, real_b):
        """One step: (the eight losses as floats, (A, G_A(A), G_B(G_A(A)), B, G_B(B), G_A(G_B(B))))."""
        losses, (fake_b, rec_a, fake_a, rec_b) = self.step_cell(real_a, real_b, self.state.step)
        return losses, (real_a, fake_b, rec_a, real_b, fake_a, rec_b)

    def loss_report(self):
        shown = tuple(name for name in LOSS_NAMES if self.objective.lambda_identity or "_idt_" not in name)
        return LossReport(LOSS_TITLES, shown)

    def start_epoch(self, epoch, log):
        """CycleGAN has no per-epoch switch."""

    def epoch_picture(self, visuals, coding):
        """Rows of A | G_A(A) | G_B(G_A(A)) | B | G_B(B) | G_A(G_B(B)) for the first EPOCH_PICTURE_ROWS samples."""
        arrays = [tensor.asnumpy() for tensor in visuals]
        return image_grid([[coding.input_picture(array[i]) for array in arrays]
                           for i in range(min(EPOCH_PICTURE_ROWS, arrays[0].shape[0]))])

    def generators(self):
        """{checkpoint prefix: generator} of what generator checkpoints hold: G_A and G_B."""
        return {"generator": self.state.generator, "generator_b": self.state.networks.generator_b}

    def digests(self):
        return ", ".join(f"{name} {weights_digest(network)}"
                         for name, network in self.state.checkpoint_networks().items())

    def objective_line(self):
        config, objective = self.config, self.objective
        identity = (f" + identity {objective.lambda_identity:g} x lambda" if objective.lambda_identity else "")
        pools = f"history pools of {config.pool_size}" if config.pool_size else "no history pools"
        return (f"Objective: {config.gan_mode} GAN (D_A on B, D_B on A) + cycle L1 {objective.lambda_a:g} (A), "
                f"{objective.lambda_b:g} (B){identity}; {pools}; lr {config.lr:g}, policy {config.lr_policy}")


def build_cycle_gan_state(config, spec):
    """The four networks of `spec` per `config`, one Adam over the generators and one over the
    discriminators, the pools of --pool_size, and the lines describing the networks."""
    generator_a = build_generator(spec, config.init_type, config.init_gain)
    generator_b = build_generator(spec.reversed(), config.init_type, config.init_gain)
    spec_a, spec_b = discriminator_specs(spec)
    discriminator_a = build_discriminator(spec_a, config.init_type, config.init_gain)
    discriminator_b = build_discriminator(spec_b, config.init_type, config.init_gain)
    networks = CycleGANNetworks(generator_a, generator_b, discriminator_a, discriminator_b)
    lines = [f"Generators G_A (A -> B) and G_B (B -> A) {describe_generator(spec)}: "
             f"{count_parameters(generator_a):,} + {count_parameters(generator_b):,} parameters",
             f"Discriminators D_A (judges B) and D_B (judges A) "
             f"{describe_discriminator(spec_a, discriminator_a, config.crop_size)}: "
             f"{count_parameters(discriminator_a):,} + {count_parameters(discriminator_b):,} parameters"]
    state = CycleGANState(
        networks, build_adam([generator_a, generator_b], "optimizer_g", config.lr, config.beta1, config.beta2),
        build_adam([discriminator_a, discriminator_b], "optimizer_d", config.lr, config.beta1, config.beta2),
        (ImagePool(config.pool_size), ImagePool(config.pool_size)))
    return state, lines
