"""The reference's CycleGAN training step in PyTorch, as junyanz/pytorch-CycleGAN-and-pix2pix writes it
(models/cycle_gan_model.py optimize_parameters, util/image_pool.py ImagePool, GANLoss lsgan): the peer of
src/models/cycle_gan.py for tests/fixtures/make_cycle_gan_fixtures.py. Needs PyTorch, which the project does
not depend on (`pip install torch==2.13.0` in another environment)."""
import itertools
import random

import torch
from torch import nn


class ImagePool:
    """The reference's ImagePool: up to pool_size past fakes; once full, each query returns a stored fake
    (replaced by the new one) with probability one half."""

    def __init__(self, pool_size):
        self.pool_size, self.images = pool_size, []

    def query(self, images):
        if self.pool_size == 0:
            return images
        returned = []
        for image in images:
            image = torch.unsqueeze(image.data, 0)
            if len(self.images) < self.pool_size:
                self.images.append(image)
                returned.append(image)
            elif random.uniform(0, 1) > 0.5:
                index = random.randint(0, self.pool_size - 1)
                old = self.images[index].clone()
                self.images[index] = image
                returned.append(old)
            else:
                returned.append(image)
        return torch.cat(returned, 0)


def lsgan(prediction, target_is_real):
    """GANLoss('lsgan'): MSE against an all-ones or all-zeros map."""
    target = torch.ones_like(prediction) if target_is_real else torch.zeros_like(prediction)
    return nn.functional.mse_loss(prediction, target)


class CycleGANStep:
    """G_A: A->B, G_B: B->A, D_A judges B, D_B judges A; one Adam over both generators, one over both
    discriminators (lr, beta1 0.5), as the reference's CycleGANModel."""

    def __init__(self, generator_a, generator_b, discriminator_a, discriminator_b, lr=2e-4, lambda_a=10.0,
                 lambda_b=10.0, lambda_identity=0.5, pool_size=50):
        self.g_a, self.g_b, self.d_a, self.d_b = generator_a, generator_b, discriminator_a, discriminator_b
        self.lambda_a, self.lambda_b, self.lambda_identity = lambda_a, lambda_b, lambda_identity
        self.pool_a, self.pool_b = ImagePool(pool_size), ImagePool(pool_size)
        self.optimizer_g = torch.optim.Adam(itertools.chain(self.g_a.parameters(), self.g_b.parameters()), lr=lr,
                                            betas=(0.5, 0.999))
        self.optimizer_d = torch.optim.Adam(itertools.chain(self.d_a.parameters(), self.d_b.parameters()), lr=lr,
                                            betas=(0.5, 0.999))

    def __call__(self, real_a, real_b):
        """One optimize_parameters: returns the losses D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B."""
        fake_b = self.g_a(real_a)
        rec_a = self.g_b(fake_b)
        fake_a = self.g_b(real_b)
        rec_b = self.g_a(fake_a)
        for network in (self.d_a, self.d_b):
            network.requires_grad_(False)
        self.optimizer_g.zero_grad()
        idt_a, idt_b = self.g_a(real_b), self.g_b(real_a)
        loss_idt_a = nn.functional.l1_loss(idt_a, real_b) * self.lambda_b * self.lambda_identity
        loss_idt_b = nn.functional.l1_loss(idt_b, real_a) * self.lambda_a * self.lambda_identity
        loss_g_a = lsgan(self.d_a(fake_b), True)
        loss_g_b = lsgan(self.d_b(fake_a), True)
        loss_cycle_a = nn.functional.l1_loss(rec_a, real_a) * self.lambda_a
        loss_cycle_b = nn.functional.l1_loss(rec_b, real_b) * self.lambda_b
        (loss_g_a + loss_g_b + loss_cycle_a + loss_cycle_b + loss_idt_a + loss_idt_b).backward()
        self.optimizer_g.step()
        for network in (self.d_a, self.d_b):
            network.requires_grad_(True)
        self.optimizer_d.zero_grad()
        loss_d_a = self._backward_d(self.d_a, real_b, self.pool_b.query(fake_b))
        loss_d_b = self._backward_d(self.d_b, real_a, self.pool_a.query(fake_a))
        self.optimizer_d.step()
        return [float(loss.detach()) for loss in (loss_d_a, loss_g_a, loss_cycle_a, loss_idt_a, loss_d_b, loss_g_b,
                                         loss_cycle_b, loss_idt_b)]

    @staticmethod
    def _backward_d(discriminator, real, fake):
        loss = (lsgan(discriminator(real), True) + lsgan(discriminator(fake.detach()), False)) * 0.5
        loss.backward()
        return loss
