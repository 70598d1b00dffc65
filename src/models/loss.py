"""Pix2pix objective: a conditional GAN loss on the discriminator's logits (--gan_mode) plus L1 to the target.

vanilla: binary cross-entropy on logits (the paper; the reference's BCEWithLogitsLoss).
lsgan:   least squares, (logit - 1)^2 for real and logit^2 for fake (the reference's MSELoss).
wgangp:  Wasserstein critic, -mean(logit) for real and mean(logit) for fake, and for D a gradient
         penalty lambda_gp * mean((|grad_B D(A, B_mix)|_2 - 1)^2) on random mixes of real and fake B
         (Gulrajani et al. 2017). The reference defines this penalty but never calls it.
Every mode averages over all patches of the logit map. The modes are the entries of GAN_OBJECTIVES.

With pix2pixHD's multi-scale discriminator (num_D scales of feature maps), the GAN terms are summed over the
scales' logits, as pix2pixHD's GANLoss does, and G's loss can add its discriminator feature matching
(FeatureMatchingLoss) and the VGG19 perceptual loss (vgg_loss.PerceptualLoss).
"""
from dataclasses import dataclass

from mindspore import nn, ops

from src.models.layers import twice_differentiable_forms
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


@dataclass(frozen=True)
class Objective:
    """What the training step minimises. gan_mode, lambda_l1, lambda_gp: pix2pix's terms (see the module
    docstring). num_D: 0 for a discriminator returning one logit map, else the scales of a multi-scale one
    (each a tuple of n_layers_D + 2 feature maps, the last its logits). lambda_feat: weight of the
    discriminator feature matching (multi-scale only); lambda_vgg: of the VGG19 perceptual loss (0: off)."""
    gan_mode: str = "vanilla"
    lambda_l1: float = 100.0
    lambda_gp: float = 10.0
    num_D: int = 0
    n_layers_D: int = 3
    lambda_feat: float = 0.0
    lambda_vgg: float = 0.0


class MultiscaleGANLoss(nn.Cell):
    """A GAN loss summed over the scales of a multi-scale discriminator's output, on each scale's logits."""

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def construct(self, outputs, target_is_real):
        total = 0.0
        for scale in outputs:
            total = total + self.loss(scale[-1], target_is_real)
        return total


def make_gan_loss(gan_mode="vanilla", num_D=0):
    """The loss cell of --gan_mode `gan_mode`: construct(output, target_is_real) -> scalar, the output being
    logits (num_D 0) or num_D scales of feature maps."""
    loss = GAN_OBJECTIVES.get(gan_mode).build()
    return MultiscaleGANLoss(loss) if num_D else loss


def critic_logits_sum(output, num_D):
    """The sum of every logit a discriminator output holds (one map, or each scale's last)."""
    if not num_D:
        return output.sum()
    total = 0.0
    for scale in output:
        total = total + scale[-1].sum()
    return total


class FeatureMatchingLoss(nn.Cell):
    """pix2pixHD's discriminator feature matching: the sum over scales i and intermediate maps j (all but the
    logits) of 1/num_D * 4/(n_layers_D + 1) * mean|D_ij(A, G(A)) - D_ij(A, B)|, the real maps held fixed.

    construct(fake_outputs, real_outputs): the multi-scale discriminator's outputs -> scalar."""

    def __init__(self, num_D, n_layers_D):
        super().__init__()
        self.weight = (1.0 / num_D) * (4.0 / (n_layers_D + 1))

    def construct(self, fake_outputs, real_outputs):
        total = 0.0
        for fake_scale, real_scale in zip(fake_outputs, real_outputs):
            for index in range(len(fake_scale) - 1):
                total = total + ops.abs(fake_scale[index] - ops.stop_gradient(real_scale[index])).mean()
        return self.weight * total


class GradientPenalty(nn.Cell):
    """mean over the batch of (|d sum(D(A, B_mix)) / d B_mix|_2 - 1)^2, B_mix = u * B + (1 - u) * G(A) with
    u ~ U(0, 1) per sample. The gradient is taken with respect to the image B only: the condition A is the
    same in the real and the fake pair, so the lines between them vary in B alone. It switches the
    discriminator's instance norms to their twice-differentiable form (layers.twice_differentiable_forms)."""

    def __init__(self, discriminator, num_D=0):
        super().__init__(auto_prefix=False)
        self.discriminator = twice_differentiable_forms(discriminator)
        self.num_D = num_D
        self.image_grad = ops.grad(self.critic_sum, grad_position=1)

    def critic_sum(self, condition, image):
        return critic_logits_sum(self.discriminator(condition, image), self.num_D)

    def construct(self, real_a, real_b, fake_b):
        mix = ops.rand((real_b.shape[0], 1, 1, 1), dtype=real_b.dtype)
        mixed = mix * real_b + (1.0 - mix) * fake_b
        gradient = self.image_grad(real_a, mixed).reshape(real_b.shape[0], -1)
        norm = ops.sqrt((gradient * gradient).sum(axis=1) + 1e-12)  # the epsilon keeps sqrt differentiable at 0
        return ((norm - 1.0) ** 2).mean()


class DiscriminatorLoss(nn.Cell):
    """0.5 * (GAN(D(A, B), real) + GAN(D(A, G(A)), fake)): halved so D learns slower than G (paper, 3.3);
    with wgangp, plus lambda_gp times the gradient penalty. `objective`: an Objective.

    construct(real_a, real_b, fake_b) -> scalar; pass fake_b with stop_gradient so no gradient reaches G.
    """

    def __init__(self, discriminator, objective=Objective()):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = make_gan_loss(objective.gan_mode, objective.num_D)
        self.penalised = GAN_OBJECTIVES.get(objective.gan_mode).gradient_penalty
        self.gradient_penalty = GradientPenalty(discriminator, objective.num_D) if self.penalised else None
        self.lambda_gp = objective.lambda_gp

    def construct(self, real_a, real_b, fake_b):
        loss_real = self.gan_loss(self.discriminator(real_a, real_b), True)
        loss_fake = self.gan_loss(self.discriminator(real_a, fake_b), False)
        loss = 0.5 * (loss_real + loss_fake)
        if self.penalised:
            loss = loss + self.lambda_gp * self.gradient_penalty(real_a, real_b, fake_b)
        return loss


class GeneratorLoss(nn.Cell):
    """GAN(D(A, G(A)), real) + lambda_l1 * mean|G(A) - B| [+ lambda_feat * feature matching + lambda_vgg *
    perceptual], as a function of fake_b = G(A). `objective`: an Objective; `perceptual`: a
    vgg_loss.PerceptualLoss when objective.lambda_vgg > 0.

    construct(fake_b, real_a, real_b) -> (total, gan, l1, feat, vgg): the non-saturating GAN term, and the
    unweighted L1 (mean absolute error in [-1, 1] units), feature-matching and perceptual terms (0 when off),
    so logs show each on its own scale.
    """

    def __init__(self, discriminator, objective=Objective(), perceptual=None):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = make_gan_loss(objective.gan_mode, objective.num_D)
        self.lambda_l1 = objective.lambda_l1
        self.matching = objective.num_D > 0 and objective.lambda_feat > 0
        self.feature_matching = FeatureMatchingLoss(objective.num_D, objective.n_layers_D) if self.matching else None
        self.lambda_feat = objective.lambda_feat
        self.perceiving = objective.lambda_vgg > 0
        if self.perceiving and perceptual is None:
            raise ValueError("lambda_vgg > 0 needs the perceptual loss network")
        self.perceptual = perceptual if self.perceiving else None
        self.lambda_vgg = objective.lambda_vgg

    def construct(self, fake_b, real_a, real_b):
        fake_output = self.discriminator(real_a, fake_b)
        gan = self.gan_loss(fake_output, True)
        l1 = ops.abs(fake_b - real_b).mean()
        total = gan + self.lambda_l1 * l1
        feat = ops.zeros((), gan.dtype)
        if self.matching:
            feat = self.feature_matching(fake_output, self.discriminator(real_a, real_b))
            total = total + self.lambda_feat * feat
        vgg = ops.zeros((), gan.dtype)
        if self.perceiving:
            vgg = self.perceptual(fake_b, real_b)
            total = total + self.lambda_vgg * vgg
        return total, gan, l1, feat, vgg
