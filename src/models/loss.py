"""Pix2pix objective: conditional GAN loss on PatchGAN logits plus L1 to the target."""
from mindspore import nn, ops


class GANLoss(nn.Cell):
    """Vanilla GAN loss: binary cross-entropy on logits against an all-real or all-fake target,
    averaged over every patch of the map (the reference's BCEWithLogitsLoss)."""

    def __init__(self):
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss(reduction="mean")

    def construct(self, logits, target_is_real):
        target = ops.ones_like(logits) if target_is_real else ops.zeros_like(logits)
        return self.bce(logits, target)


class DiscriminatorLoss(nn.Cell):
    """0.5 * (GAN(D(A, B), real) + GAN(D(A, G(A)), fake)): halved so D learns slower than G (paper, 3.3).

    construct(real_a, real_b, fake_b) -> scalar; pass fake_b with stop_gradient so no gradient reaches G.
    """

    def __init__(self, discriminator):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = GANLoss()

    def construct(self, real_a, real_b, fake_b):
        loss_real = self.gan_loss(self.discriminator(real_a, real_b), True)
        loss_fake = self.gan_loss(self.discriminator(real_a, fake_b), False)
        return 0.5 * (loss_real + loss_fake)


class GeneratorLoss(nn.Cell):
    """GAN(D(A, G(A)), real) + lambda_l1 * mean|G(A) - B|, as a function of fake_b = G(A).

    construct(fake_b, real_a, real_b) -> (total, gan, l1): the non-saturating GAN term, and the
    unweighted L1 (mean absolute error in [-1, 1] units) so logs show both on their own scale.
    """

    def __init__(self, discriminator, lambda_l1=100.0):
        super().__init__(auto_prefix=False)
        self.discriminator = discriminator
        self.gan_loss = GANLoss()
        self.lambda_l1 = lambda_l1

    def construct(self, fake_b, real_a, real_b):
        gan = self.gan_loss(self.discriminator(real_a, fake_b), True)
        l1 = ops.abs(fake_b - real_b).mean()
        return gan + self.lambda_l1 * l1, gan, l1
