"""Pix2pix training: the state a run keeps, optimisers, mixed precision and the compiled training step.

One step on a batch, in one graph, in the reference's order:
  1. fake_B = G(A), computed once (the forward is kept for G's backward pass);
  2. D step: D loss on (A, B) real and (A, stop_gradient(fake_B)) fake, Adam update of D;
  3. G step: GAN loss of the *updated* D on (A, fake_B) plus lambda * L1 (and, for pix2pixHD's objective,
     feature matching and the VGG loss), backpropagated through the forward of 1 (so batch-norm statistics
     move once and dropout masks agree).
"""
from dataclasses import dataclass

import numpy as np

import mindspore as ms
from mindspore import amp, nn, ops

from src.models.loss import DiscriminatorLoss, GeneratorLoss, Objective
from src.utils.errors import UserInputError

# Mixed precision (--amp_level): O0 float32; O1, O2, O3 float16 to growing extents (see apply_mixed_precision).
AMP_LEVELS = ("O0", "O1", "O2", "O3")


@dataclass
class TrainingState:
    """What a training checkpoint holds and --resume restores: both networks, their optimisers, and how far
    the run has come (epochs completed, optimiser steps in all, steps into the epoch in progress)."""
    generator: nn.Cell
    discriminator: nn.Cell
    optimizer_g: nn.Optimizer
    optimizer_d: nn.Optimizer
    epoch: int = 0
    step: int = 0
    step_in_epoch: int = 0

    @property
    def optimizers(self):
        return self.optimizer_g, self.optimizer_d

    def checkpoint_networks(self):
        """{checkpoint prefix: network}: what a training checkpoint stores under each prefix."""
        return {"generator": self.generator, "discriminator": self.discriminator}

    def checkpoint_optimizers(self):
        """{checkpoint prefix: (optimizer, the networks it updates)}."""
        return {"optimizer_g": (self.optimizer_g, (self.generator,)),
                "optimizer_d": (self.optimizer_d, (self.discriminator,))}


def apply_mixed_precision(network, amp_level):
    """Run `network` in float16 per `amp_level` (O1, O2, O3; O0 leaves it in float32); returns it."""
    if amp_level not in AMP_LEVELS:
        raise ValueError(f"amp_level must be one of {AMP_LEVELS}, got {amp_level!r}")
    if amp_level == "O0":
        return network
    try:
        return amp.auto_mixed_precision(network, amp_level)
    except TypeError as error:  # MindSpore 2.10's O1 inspects each primitive's source and fails on some
        raise UserInputError(f"--amp_level {amp_level} fails in MindSpore {ms.__version__} on this network ({error}): "
                             "use --amp_level O2 or O3") from None


def make_loss_scaler(amp_level):
    """Dynamic loss scaling for float16 training (None for O0): starts at 2**16, halves on overflow,
    doubles after 1000 clean steps."""
    return None if amp_level == "O0" else amp.DynamicLossScaler(2 ** 16, 2, 1000)


def count_parameters(network):
    """Number of trainable values (conv weights and biases, norm gamma/beta; not BN running statistics)."""
    return sum(parameter.size for parameter in network.trainable_params())


# Optimizer-owned state whose names MindSpore gives every optimizer alike; they must differ to
# compile both optimizers into one graph and to store both in one checkpoint.
_SHARED_OPTIMIZER_STATE = ("global_step", "beta1_power", "beta2_power", "learning_rate")


def build_adam(networks, name, lr, beta1, beta2):
    """Adam over the trainable parameters of `networks` (a cell, or several, as CycleGAN's two generators),
    its own state named '<name>.<state>'.

    The learning rate is a Parameter: set it per epoch with `set_learning_rate`.
    """
    cells = networks if isinstance(networks, (list, tuple)) else [networks]
    optimizer = nn.Adam([parameter for cell in cells for parameter in cell.trainable_params()], learning_rate=lr,
                        beta1=beta1, beta2=beta2)
    for state in _SHARED_OPTIMIZER_STATE:
        parameter = getattr(optimizer, state, None)
        if isinstance(parameter, ms.Parameter):
            parameter.name = f"{name}.{state}"
    return optimizer


def set_learning_rate(optimizer, lr):
    optimizer.learning_rate.set_data(ms.Tensor(lr, ms.float32))


class Pix2PixTrainStep(nn.Cell):
    """One D step then one G step on a batch (see the module docstring).

    objective: a loss.Objective; perceptual: its VGG loss cell when objective.lambda_vgg > 0.
    device_num > 1: data-parallel; each network's gradients are averaged over the devices of the job.
    frozen: names of G's parameters that stay fixed while `train_frozen` is 0 (pix2pixHD's --niter_fix_global:
    their gradients are zeroed, so a fresh Adam leaves them exactly as they are).
    construct(real_a, real_b), both (N, C, H, W), returns (loss_d, loss_g_gan, loss_g_l1, loss_g_feat,
    loss_g_vgg, fake_b): D loss (halved), G's GAN term, the unweighted L1 (mean absolute error in [-1, 1]
    units), feature-matching and VGG terms (0 when off) and G(A) as computed in this step.
    """

    def __init__(self, generator, discriminator, optimizer_g, optimizer_d, objective=Objective(), device_num=1,
                 loss_scaler=None, perceptual=None, frozen=()):
        super().__init__(auto_prefix=False)
        # Mixed precision: losses are scaled before the gradients, which are unscaled again; an update whose
        # gradients overflowed is skipped and the scale lowered (mindspore.amp.DynamicLossScaler).
        self.loss_scaler = loss_scaler
        self.scaled = loss_scaler is not None
        # Data parallelism: average each network's gradients over the devices before its update.
        self.data_parallel = device_num > 1
        if self.data_parallel:
            self.reduce_g = nn.DistributedGradReducer(optimizer_g.parameters, mean=True, degree=device_num)
            self.reduce_d = nn.DistributedGradReducer(optimizer_d.parameters, mean=True, degree=device_num)
        self.generator = generator
        self.optimizer_g = optimizer_g
        self.optimizer_d = optimizer_d
        self.generator_weights = optimizer_g.parameters
        self.frozen = tuple(parameter.name in frozen for parameter in optimizer_g.parameters)
        self.freezing = any(self.frozen)
        self.train_frozen = ms.Parameter(ms.Tensor(1.0, ms.float32), name="train_frozen", requires_grad=False)
        self.discriminator_loss = DiscriminatorLoss(discriminator, objective)
        self.generator_loss = GeneratorLoss(discriminator, objective, perceptual)
        self.discriminator_grad = ms.value_and_grad(self.scaled_discriminator_loss, None, optimizer_d.parameters)
        # Gradient of G's loss with respect to fake_B only; G's weights get it through the kept forward.
        self.fake_grad = ms.value_and_grad(self.scaled_generator_loss, 0, None, has_aux=True)

    def set_frozen_training(self, trains):
        """Whether the `frozen` parameters train (after --niter_fix_global epochs) or stay fixed."""
        self.train_frozen.set_data(ms.Tensor(1.0 if trains else 0.0, ms.float32))

    def mask_frozen(self, grads):
        if not self.freezing:
            return grads
        masked = ()
        for index in range(len(grads)):
            masked = masked + ((grads[index] * self.train_frozen,) if self.frozen[index] else (grads[index],))
        return masked

    def scaled_discriminator_loss(self, real_a, real_b, fake_b):
        loss = self.discriminator_loss(real_a, real_b, fake_b)
        return self.loss_scaler.scale(loss) if self.scaled else loss

    def scaled_generator_loss(self, fake_b, real_a, real_b):
        total, gan, l1, feat, vgg = self.generator_loss(fake_b, real_a, real_b)
        return (self.loss_scaler.scale(total) if self.scaled else total), gan, l1, feat, vgg

    def generator_forward(self, real_a):
        return self.generator(real_a)

    def construct(self, real_a, real_b):
        fake_b, generator_backward = ms.vjp(self.generator_forward, real_a, weights=self.generator_weights)
        loss_d, grads_d = self.discriminator_grad(real_a, real_b, ops.stop_gradient(fake_b))
        if self.data_parallel:
            grads_d = self.reduce_d(grads_d)
        if self.scaled:
            loss_d = self.loss_scaler.unscale(loss_d)
            grads_d = self.loss_scaler.unscale(grads_d)
            finite_d = amp.all_finite(grads_d)
            if finite_d:
                loss_d = ops.depend(loss_d, self.optimizer_d(grads_d))
        else:
            loss_d = ops.depend(loss_d, self.optimizer_d(grads_d))
        # Outputs are taken by index: unpacking into `_` makes MindSpore 2.10 warn about dropped side effects.
        generator_losses, fake_grad = self.fake_grad(fake_b, real_a, real_b)
        grads_g = self.mask_frozen(generator_backward(fake_grad)[1])  # [0]: the gradient with respect to real_a
        if self.data_parallel:
            grads_g = self.reduce_g(grads_g)
        loss_g_gan = generator_losses[1]
        if self.scaled:
            grads_g = self.loss_scaler.unscale(grads_g)
            finite_g = amp.all_finite(grads_g)
            if finite_g:
                loss_g_gan = ops.depend(loss_g_gan, self.optimizer_g(grads_g))
            loss_g_gan = ops.depend(loss_g_gan, self.loss_scaler.adjust(ops.logical_and(finite_d, finite_g)))
        else:
            loss_g_gan = ops.depend(loss_g_gan, self.optimizer_g(grads_g))
        return loss_d, loss_g_gan, generator_losses[2], generator_losses[3], generator_losses[4], fake_b


def restart_adam(optimizer):
    """Forget `optimizer`'s moments and step count, as a freshly made Adam over the same parameters (what
    pix2pixHD does when its global generator joins training after --niter_fix_global epochs)."""
    for moments in (optimizer.moment1, optimizer.moment2):
        for moment in moments:
            moment.set_data(ms.Tensor(np.zeros(moment.shape, np.float32)))
    for power in (optimizer.beta1_power, optimizer.beta2_power):
        power.set_data(ms.Tensor(1.0, ms.float32))  # a new Adam's beta powers, before its first step
