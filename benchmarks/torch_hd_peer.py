"""The PyTorch peer of benchmark.py for pix2pixHD's models: its GlobalGenerator (512p: ngf 64) or LocalEnhancer
(1024p: ngf 32), the multi-scale discriminator and the LSGAN + feature matching + VGG19 step
(benchmarks/torch_hd_networks.py; VGG19 with untrained weights of the real shape), on Cityscapes-like inputs:
35 one-hot labels + the instance boundaries -> RGB.

Needs PyTorch, which the project does not depend on (`pip install torch==2.13.0` in another environment).
Run it right after benchmark.py with the same sizes and compare the ratios:
    python benchmark.py --config_path configs/cityscapes_hd_512p.yaml --image_size 256 512 --steps 3
    python benchmarks/torch_hd_peer.py --netG global --image_size 256 512 --steps 3
Prints one JSON line with benchmark.py's keys: train_ms_per_step, g_infer_ms (eval mode), G_params, D_params,
peak_rss_mb.
"""
import argparse
import json
import os
import resource
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.timing import median_ms  # noqa: E402
from benchmarks.torch_hd_networks import (GlobalGenerator, LocalEnhancer, MultiscaleDiscriminator,  # noqa: E402
                                          Vgg19Slices, train_step)

LABELS = 35


def networks(args):
    """pix2pixHD's 512p (global) or 1024p (local) generator, its discriminator and VGG19, N(0, 0.02) convs."""
    inputs = LABELS + 1
    if args.netG == "global":
        generator = GlobalGenerator(inputs, 3, args.ngf or 64, 4, 9)
    else:
        generator = LocalEnhancer(inputs, 3, args.ngf or 32, 4, 9, 1, 3)
    discriminator = MultiscaleDiscriminator(inputs + 3, 64, 3, num_D=args.num_D or (2 if args.netG == "global" else 3))
    for network in (generator, discriminator):
        for module in network.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                torch.nn.init.normal_(module.weight, 0.0, 0.02)
    return generator, discriminator, Vgg19Slices()


def label_batch(batch_size, height, width):
    ids = torch.randint(0, LABELS, (batch_size, 1, height, width))
    one_hot = torch.zeros(batch_size, LABELS, height, width).scatter_(1, ids, 1.0)
    return torch.cat([one_hot, (torch.rand(batch_size, 1, height, width) < 0.05).float()], 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--netG", choices=("global", "local"), default="global")
    parser.add_argument("--ngf", type=int, default=0, help="0: pix2pixHD's (64 global, 32 local)")
    parser.add_argument("--num_D", type=int, default=0, help="0: pix2pixHD's (2 global, 3 local)")
    parser.add_argument("--image_size", type=int, nargs=2, default=(256, 512), metavar=("HEIGHT", "WIDTH"))
    parser.add_argument("--batch_size", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    generator, discriminator, vgg = networks(args)
    real_a = label_batch(args.batch_size, *args.image_size)
    real_b = torch.rand(args.batch_size, 3, *args.image_size) * 2 - 1
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    train_ms = median_ms(lambda: train_step(generator, discriminator, optimizer_g, optimizer_d, real_a, real_b, vgg=vgg),
                         args.steps, args.warmup)
    generator.eval()
    with torch.no_grad():
        infer_ms = median_ms(lambda: generator(real_a), args.steps, 1)
    print(json.dumps({"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(), "netG": args.netG,
                      "batch_size": args.batch_size, "image_size": list(args.image_size), "train_ms_per_step": train_ms,
                      "g_infer_ms": infer_ms, "G_params": sum(p.numel() for p in generator.parameters()),
                      "D_params": sum(p.numel() for p in discriminator.parameters()),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}), flush=True)


if __name__ == "__main__":
    main()
