"""The PyTorch peer of benchmark.py: the paper's pix2pix as the reference implementation writes it.

U-Net 256 (UnetSkipConnectionBlock, batch norm, dropout) and the 70x70 PatchGAN (NLayerDiscriminator),
or with --netG resnet_9blocks the reference's ResnetGenerator (dropout on, as pix2pix has it) and --norm_mode,
N(0, 0.02) init (benchmarks/torch_networks.py), and the reference's optimize_parameters step: G(A) once, D updated on the detached fake,
then G updated against the updated D with D's gradients switched off (set_requires_grad). Parameter
counts equal the reference's: 54,413,955 (G) and 2,768,705 (D).

Needs PyTorch, which the project does not depend on: in another environment,
`pip install torch==2.13.0` (the CPU build on these machines). Run it right after benchmark.py, on the same
machine, and compare the ratios:
    python benchmark.py --steps 5 && python benchmarks/torch_peer.py --steps 5
    python benchmark.py --steps 5 --netG resnet_9blocks --norm_mode instance && \
        python benchmarks/torch_peer.py --steps 5 --netG resnet_9blocks --norm_mode instance
Prints one JSON line with benchmark.py's keys: train_ms_per_step, g_infer_ms (eval mode), G_params, D_params,
peak_rss_mb (the process's peak resident memory).
"""
import argparse
import functools
import json
import os
import resource
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.timing import median_ms  # noqa: E402  (the repository root is on the path from here on)
from benchmarks.torch_networks import NLayerDiscriminator, ResnetGenerator, UnetGenerator, init_weights  # noqa: E402


def set_requires_grad(network, requires_grad):
    for parameter in network.parameters():
        parameter.requires_grad = requires_grad


def make_step(generator, discriminator, real_a, real_b, lambda_l1=100.0):
    """The reference's Pix2PixModel.optimize_parameters for one batch, as a closure."""
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    gan_loss, l1_loss = nn.BCEWithLogitsLoss(), nn.L1Loss()

    def target(prediction, real):
        return torch.ones_like(prediction) if real else torch.zeros_like(prediction)

    def step():
        fake_b = generator(real_a)
        set_requires_grad(discriminator, True)
        optimizer_d.zero_grad()
        fake_logits = discriminator(torch.cat((real_a, fake_b), 1).detach())
        real_logits = discriminator(torch.cat((real_a, real_b), 1))
        loss_d = 0.5 * (gan_loss(fake_logits, target(fake_logits, False)) + gan_loss(real_logits, target(real_logits, True)))
        loss_d.backward()
        optimizer_d.step()
        set_requires_grad(discriminator, False)
        optimizer_g.zero_grad()
        fake_logits = discriminator(torch.cat((real_a, fake_b), 1))
        loss_g = gan_loss(fake_logits, target(fake_logits, True)) + lambda_l1 * l1_loss(fake_b, real_b)
        loss_g.backward()
        optimizer_g.step()

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps and inference calls")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first")
    parser.add_argument("--batch_size", type=int, default=1)
    parser.add_argument("--image_size", type=int, default=256, help="a multiple of 256 (U-Net 256)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    parser.add_argument("--netG", choices=("unet_256", "resnet_9blocks"), default="unet_256")
    parser.add_argument("--norm_mode", choices=("batch", "instance"), default="batch")
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.batch_size < 1 or args.image_size % 256:
        parser.error("--steps and --batch_size must be at least 1, --warmup at least 0, --image_size a multiple of 256")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.netG == "unet_256":
        generator = UnetGenerator(norm=args.norm_mode)
    else:
        generator = ResnetGenerator(norm=args.norm_mode, use_dropout=True)
    discriminator = NLayerDiscriminator(norm=args.norm_mode)
    for network in (generator, discriminator):
        network.apply(functools.partial(init_weights, gain=0.02))
    shape = (args.batch_size, 3, args.image_size, args.image_size)
    real_a, real_b = torch.rand(shape) * 2 - 1, torch.rand(shape) * 2 - 1
    train_ms = median_ms(make_step(generator, discriminator, real_a, real_b), args.steps, args.warmup)
    generator.eval()
    with torch.no_grad():
        infer_ms = median_ms(lambda: generator(real_a), args.steps, 1)
    print(json.dumps({"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
                      "netG": args.netG, "norm_mode": args.norm_mode,
                      "batch_size": args.batch_size, "image_size": [args.image_size, args.image_size],
                      "train_ms_per_step": train_ms, "g_infer_ms": infer_ms,
                      "G_params": sum(p.numel() for p in generator.parameters()),
                      "D_params": sum(p.numel() for p in discriminator.parameters()),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}), flush=True)


if __name__ == "__main__":
    main()
