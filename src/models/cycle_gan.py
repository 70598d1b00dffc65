"""CycleGAN training (Zhu et al., ICCV 2017) as the reference's cycle_gan_model trains it.

Networks: G_A: A -> B and G_B: B -> A, and two unconditional discriminators, D_A judging B and D_B judging A.
One step on a batch, in the reference's order:
  1. fake_B = G_A(A), rec_A = G_B(fake_B), fake_A = G_B(B), rec_B = G_A(fake_A);
  2. both generators updated together (one Adam), the discriminators fixed: GAN(D_A(fake_B)) + GAN(D_B(fake_A))
     + lambda_A |rec_A - A| + lambda_B |rec_B - B| + identity lambda_B lambda_idt |G_A(B) - B| + lambda_A
     lambda_idt |G_B(A) - A| (lambda_idt 0: none);
  3. both discriminators updated together (one Adam): 0.5 (GAN(D_A(B), real) + GAN(D_A(pool_B(fake_B)), fake))
     and likewise D_B on A against pool_A(fake_A), the fakes of step 1 drawn through the history pools.
The pools live on the host (models.image_pool), so steps 2 and 3 are two compiled graphs.
"""
from dataclasses import dataclass, field

import mindspore as ms
from mindspore import nn, ops

from src.models.image_pool import ImagePool
from src.models.loss import GAN_OBJECTIVES

# The losses a step returns, in the reference's loss_names order.
LOSS_NAMES = ("loss_d_a", "loss_g_a", "loss_cycle_a", "loss_idt_a", "loss_d_b", "loss_g_b", "loss_cycle_b",
              "loss_idt_b")


class CycleGANNetworks(nn.Cell):
    """The four networks in one cell, so their parameters have names of their own ('generator.*' is G_A, as
    a pix2pix generator's, 'generator_b.*', 'discriminator_a.*', 'discriminator_b.*') and one Adam can hold
    two of them."""

    def __init__(self, generator_a, generator_b, discriminator_a, discriminator_b):
        super().__init__()
        self.generator, self.generator_b = generator_a, generator_b
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b


@dataclass
class CycleGANState:
    """What a CycleGAN training checkpoint holds and --resume restores: the four networks (a CycleGANNetworks),
    the two optimisers (G_A and G_B's, D_A and D_B's), the history pools (of fake A's, of fake B's:
    models.image_pool.ImagePool) and the counters of a TrainingState."""
    networks: CycleGANNetworks
    optimizer_g: nn.Optimizer
    optimizer_d: nn.Optimizer
    pools: tuple = field(default_factory=lambda: (ImagePool(0), ImagePool(0)))
    epoch: int = 0
    step: int = 0
    step_in_epoch: int = 0

    @property
    def generator(self):
        """G_A, the generator eval, predict and export load from a checkpoint by default."""
        return self.networks.generator

    @property
    def optimizers(self):
        return self.optimizer_g, self.optimizer_d

    def checkpoint_networks(self):
        networks = self.networks
        return {"generator": networks.generator, "generator_b": networks.generator_b,
                "discriminator_a": networks.discriminator_a, "discriminator_b": networks.discriminator_b}

    def checkpoint_optimizers(self):
        networks = self.networks
        return {"optimizer_g": (self.optimizer_g, (networks.generator, networks.generator_b)),
                "optimizer_d": (self.optimizer_d, (networks.discriminator_a, networks.discriminator_b))}

    def checkpoint_arrays(self):
        """{'pool_fake_a.<slot>' / 'pool_fake_b.<slot>': float32 (C, H, W)}: the stored fakes, so that a
        resumed run draws from the pools as an uninterrupted one."""
        return {f"pool_fake_{side}.{slot}": image for side, pool in zip("ab", self.pools)
                for slot, image in enumerate(pool.state())}

    def load_arrays(self, arrays):
        """Refill the pools from checkpoint_arrays' entries ({name: array}); a pool without entries is empty."""
        for side, pool in zip("ab", self.pools):
            slots = sorted((int(name.rsplit(".", 1)[1]), value) for name, value in arrays.items()
                           if name.startswith(f"pool_fake_{side}."))
            pool.load_state([value for _, value in slots])


@dataclass(frozen=True)
class CycleObjective:
    """gan_mode: vanilla or lsgan (the reference's default); lambda_a, lambda_b: the cycle L1 weights;
    lambda_identity: the identity term's share of them (0: off)."""
    gan_mode: str = "lsgan"
    lambda_a: float = 10.0
    lambda_b: float = 10.0
    lambda_identity: float = 0.5


def _gradient_reducer(optimizer, device_num):
    return nn.DistributedGradReducer(optimizer.parameters, mean=True, degree=device_num) if device_num > 1 else None


class CycleGANGeneratorStep(nn.Cell):
    """Step 2: construct(real_a, real_b) -> (the generators' six loss terms, fake_b, rec_a, fake_a, rec_b);
    the terms are G_A, cycle_A, idt_A, G_B, cycle_B, idt_B, weighted as the reference logs them."""

    def __init__(self, networks, optimizer_g, objective=CycleObjective(), device_num=1):
        super().__init__(auto_prefix=False)
        self.networks, self.optimizer_g, self.objective = networks, optimizer_g, objective
        self.gan_loss = GAN_OBJECTIVES.get(objective.gan_mode).build()
        self.identity = objective.lambda_identity > 0
        self.reducer = _gradient_reducer(optimizer_g, device_num)
        self.grad = ms.value_and_grad(self.generator_loss, None, optimizer_g.parameters, has_aux=True)

    def generator_loss(self, real_a, real_b):
        networks, objective = self.networks, self.objective
        fake_b = networks.generator(real_a)
        rec_a = networks.generator_b(fake_b)
        fake_a = networks.generator_b(real_b)
        rec_b = networks.generator(fake_a)
        loss_idt_a, loss_idt_b = ops.zeros((), ms.float32), ops.zeros((), ms.float32)
        if self.identity:
            loss_idt_a = ops.abs(networks.generator(real_b) - real_b).mean() * objective.lambda_b * objective.lambda_identity
            loss_idt_b = ops.abs(networks.generator_b(real_a) - real_a).mean() * objective.lambda_a * objective.lambda_identity
        loss_g_a = self.gan_loss(networks.discriminator_a.judge(fake_b), True)
        loss_g_b = self.gan_loss(networks.discriminator_b.judge(fake_a), True)
        loss_cycle_a = ops.abs(rec_a - real_a).mean() * objective.lambda_a
        loss_cycle_b = ops.abs(rec_b - real_b).mean() * objective.lambda_b
        total = loss_g_a + loss_g_b + loss_cycle_a + loss_cycle_b + loss_idt_a + loss_idt_b
        return (total, loss_g_a, loss_cycle_a, loss_idt_a, loss_g_b, loss_cycle_b, loss_idt_b,
                fake_b, rec_a, fake_a, rec_b)

    def construct(self, real_a, real_b):
        outputs, grads = self.grad(real_a, real_b)
        if self.reducer is not None:
            grads = self.reducer(grads)
        loss_g_a = ops.depend(outputs[1], self.optimizer_g(grads))
        return (loss_g_a,) + outputs[2:]


class CycleGANDiscriminatorStep(nn.Cell):
    """Step 3: construct(real_a, real_b, pooled_fake_a, pooled_fake_b) -> (loss_d_a, loss_d_b), each
    0.5 x (real + fake)."""

    def __init__(self, networks, optimizer_d, objective=CycleObjective(), device_num=1):
        super().__init__(auto_prefix=False)
        self.networks, self.optimizer_d = networks, optimizer_d
        self.gan_loss = GAN_OBJECTIVES.get(objective.gan_mode).build()
        self.reducer = _gradient_reducer(optimizer_d, device_num)
        self.grad = ms.value_and_grad(self.discriminator_loss, None, optimizer_d.parameters, has_aux=True)

    def judged(self, discriminator, real, fake):
        return (self.gan_loss(discriminator.judge(real), True) + self.gan_loss(discriminator.judge(fake), False)) * 0.5

    def discriminator_loss(self, real_a, real_b, pooled_fake_a, pooled_fake_b):
        loss_d_a = self.judged(self.networks.discriminator_a, real_b, pooled_fake_b)
        loss_d_b = self.judged(self.networks.discriminator_b, real_a, pooled_fake_a)
        return loss_d_a + loss_d_b, loss_d_a, loss_d_b

    def construct(self, real_a, real_b, pooled_fake_a, pooled_fake_b):
        outputs, grads = self.grad(real_a, real_b, pooled_fake_a, pooled_fake_b)
        if self.reducer is not None:
            grads = self.reducer(grads)
        return ops.depend(outputs[1], self.optimizer_d(grads)), outputs[2]


class CycleGANTrainStep:
    """One whole step (see the module docstring): the two compiled steps with the history pools between them.

    pools: (pool of fake A, pool of fake B), models.image_pool.ImagePool; pool_rng(step) -> the numpy
    Generator of a step's draws. __call__(real_a, real_b, step) -> (the losses of LOSS_NAMES as floats,
    (fake_b, rec_a, fake_a, rec_b) as Tensors)."""

    def __init__(self, networks, optimizer_g, optimizer_d, objective, pools, pool_rng, device_num=1):
        self.generator_step = CycleGANGeneratorStep(networks, optimizer_g, objective, device_num)
        self.discriminator_step = CycleGANDiscriminatorStep(networks, optimizer_d, objective, device_num)
        self.pools, self.pool_rng = pools, pool_rng

    def set_train(self, mode=True):
        self.generator_step.set_train(mode)
        self.discriminator_step.set_train(mode)

    def __call__(self, real_a, real_b, step=0):
        outputs = self.generator_step(real_a, real_b)
        fake_b, rec_a, fake_a, rec_b = outputs[6:]
        pooled_fake_a, pooled_fake_b = (self._pooled(pool, fake, step, side)
                                        for side, (pool, fake) in enumerate(zip(self.pools, (fake_a, fake_b))))
        loss_d_a, loss_d_b = self.discriminator_step(real_a, real_b, pooled_fake_a, pooled_fake_b)
        generator_losses = [float(loss.asnumpy()) for loss in outputs[:6]]
        losses = [float(loss_d_a.asnumpy()), *generator_losses[:3], float(loss_d_b.asnumpy()), *generator_losses[3:]]
        return tuple(losses), (fake_b, rec_a, fake_a, rec_b)

    def _pooled(self, pool, fake, step, side):
        if pool.size == 0:
            return fake
        return ms.Tensor(pool.query(fake.asnumpy(), self.pool_rng(step, side)))
