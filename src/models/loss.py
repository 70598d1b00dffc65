"""Pix2pix objective: a conditional GAN loss on the discriminator's logits (--gan_mode) plus L1 to the target.

vanilla: binary cross-entropy on logits (the paper; the reference's BCEWithLogitsLoss).
lsgan:   least squares, (logit - 1)^2 for real and logit^2 for fake (the reference's MSELoss).
wgangp:  Wasserstein critic, -mean(logit) for real and mean(logit) for fake, and for D a gradient
         penalty lambda_gp * mean((|grad_B D(A, B_mix)|_2 - 1)^2) on random mixes of real and fake B
         (Gulrajani et al. 2017). The reference defines this penalty but never calls it.
Every mode averages over all patches of the logit map. The modes are the entries of GAN_OBJECTIVES.
"""
from dataclasses import dataclass

from mindspore import nn, ops

from src.utils.registry import Entry, Registry
from src.utils.setting_rules import WEIGHT


class VanillaGANLoss(nn.Cell):
    """Binary cross-entropy on logits against all-ones (real) or all-zeros (fake)."""

    def __init__(self):
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss(reduction="mean")

    def construct(self, logits, target_is_real):
        target = ops.ones_like(logits) if target_is_real else ops.zeros_like(logits)
        return self.bce(logits, target)


class LeastSquaresGANLoss(nn.Cell):
    """(logit - 1)^2 for real, logit^2 for fake, averaged."""

    def construct(self, logits, target_is_real):
        target = ops.ones_like(logits) if target_is_real else ops.zeros_like(logits)
        return ((logits - target) ** 2).mean()


class WassersteinCriticLoss(nn.Cell):
    """-mean(logit) for real, mean(logit) for fake."""

    def construct(self, logits, target_is_real):
        return -logits.mean() if target_is_real else logits.mean()


@dataclass(frozen=True)
class GANObjective(Entry):
    """A --gan_mode: `build` makes its loss cell; `gradient_penalty`: D's loss adds the penalty."""
    gradient_penalty: bool = False


GAN_OBJECTIVES = Registry("gan_mode", [GANObjective("vanilla", VanillaGANLoss),
                                       GANObjective("lsgan", LeastSquaresGANLoss),
                                       GANObjective("wgangp", WassersteinCriticLoss, gradient_penalty=True,
                                                    settings={"lambda_gp": WEIGHT})])
GAN_MODES = GAN_OBJECTIVES.names()


def make_gan_loss(gan_mode="vanilla"):
    """The loss cell of --gan_mode `gan_mode`: construct(logits, target_is_real) -> scalar."""
    return GAN_OBJECTIVES.get(gan_mode).build()


class GradientPenalty(nn.Cell):
    """mean over the batch of (|d sum(D(A, B_mix)) / d B_mix|_2 - 1)^2, B_mix = u * B + (1 - u) * G(A) with
    u ~ U(0, 1) per sample. The gradient is taken with respect to the image B only: the condition A is the
    same in the real and the fake pair, so the lines between them vary in B alone."""

    def __init__(self, discriminator):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.image_grad = ops.grad(self.critic_sum, grad_position=1)

    def critic_sum(self, condition, image):
        return self.discriminator(condition, image).sum()

    def construct(self, real_a, real_b, fake_b):
        mix = ops.rand((real_b.shape[0], 1, 1, 1), dtype=real_b.dtype)
        mixed = mix * real_b + (1.0 - mix) * fake_b
        gradient = self.image_grad(real_a, mixed).reshape(real_b.shape[0], -1)
        norm = ops.sqrt((gradient * gradient).sum(axis=1) + 1e-12)  # the epsilon keeps sqrt differentiable at 0
        return ((norm - 1.0) ** 2).mean()


class DiscriminatorLoss(nn.Cell):
    """0.5 * (GAN(D(A, B), real) + GAN(D(A, G(A)), fake)): halved so D learns slower than G (paper, 3.3);
    with wgangp, plus lambda_gp times the gradient penalty.

    construct(real_a, real_b, fake_b) -> scalar; pass fake_b with stop_gradient so no gradient reaches G.
    """

    def __init__(self, discriminator, gan_mode="vanilla", lambda_gp=10.0):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = make_gan_loss(gan_mode)
        self.penalised = GAN_OBJECTIVES.get(gan_mode).gradient_penalty
        self.gradient_penalty = GradientPenalty(discriminator) if self.penalised else None
        self.lambda_gp = lambda_gp

    def construct(self, real_a, real_b, fake_b):
        loss_real = self.gan_loss(self.discriminator(real_a, real_b), True)
        loss_fake = self.gan_loss(self.discriminator(real_a, fake_b), False)
        loss = 0.5 * (loss_real + loss_fake)
        if self.penalised:
            loss = loss + self.lambda_gp * self.gradient_penalty(real_a, real_b, fake_b)
        return loss


class GeneratorLoss(nn.Cell):
    """GAN(D(A, G(A)), real) + lambda_l1 * mean|G(A) - B|, as a function of fake_b = G(A).

    construct(fake_b, real_a, real_b) -> (total, gan, l1): the non-saturating GAN term, and the
    unweighted L1 (mean absolute error in [-1, 1] units) so logs show both on their own scale.
    """

    def __init__(self, discriminator, lambda_l1=100.0, gan_mode="vanilla"):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = make_gan_loss(gan_mode)
        self.lambda_l1 = lambda_l1

    def construct(self, fake_b, real_a, real_b):
        gan = self.gan_loss(self.discriminator(real_a, fake_b), True)
        l1 = ops.abs(fake_b - real_b).mean()
        return gan + self.lambda_l1 * l1, gan, l1
