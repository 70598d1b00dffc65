"""The PyTorch peer of CycleGAN training: the reference's optimize_parameters (benchmarks/torch_cycle_gan.py)
on its cycle_gan defaults: two resnet_9blocks generators (instance norm, no dropout), two 70x70 PatchGANs
(instance norm), lsgan, lambda_A = lambda_B = 10, identity 0.5, pools of 50, N(0, 0.02) init, batch 1.

Needs PyTorch, which the project does not depend on (`pip install torch==2.13.0` in another environment):
    python benchmarks/torch_cycle_gan_peer.py --steps 5
Prints one JSON line: train_ms_per_step, g_infer_ms (G_A, eval mode), G_params (each generator), D_params
(each discriminator) and peak_rss_mb (the process's peak resident memory).
"""
import argparse
import functools
import json
import os
import resource
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.timing import median_ms  # noqa: E402  (the repository root is on the path from here on)
from benchmarks.torch_cycle_gan import CycleGANStep  # noqa: E402
from benchmarks.torch_networks import NLayerDiscriminator, ResnetGenerator, init_weights  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps and inference calls")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first")
    parser.add_argument("--image_size", type=int, default=256, help="a multiple of 4")
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--n_blocks", type=int, default=9)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.image_size % 4 or args.image_size < 64:
        parser.error("--steps must be at least 1, --warmup at least 0, --image_size a multiple of 4 from 64")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    generators = [ResnetGenerator(3, 3, args.ngf, "instance", False, args.n_blocks) for _ in range(2)]
    discriminators = [NLayerDiscriminator(3, 64, 3, "instance") for _ in range(2)]
    for network in generators + discriminators:
        network.apply(functools.partial(init_weights, gain=0.02))
    shape = (1, 3, args.image_size, args.image_size)
    real_a, real_b = torch.rand(shape) * 2 - 1, torch.rand(shape) * 2 - 1
    step = CycleGANStep(*generators, *discriminators)
    train_ms = median_ms(lambda: step(real_a, real_b), args.steps, args.warmup)
    generators[0].eval()
    with torch.no_grad():
        infer_ms = median_ms(lambda: generators[0](real_a), args.steps, 1)
    print(json.dumps({"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
                      "image_size": [args.image_size, args.image_size], "train_ms_per_step": train_ms,
                      "g_infer_ms": infer_ms, "G_params": sum(p.numel() for p in generators[0].parameters()),
                      "D_params": sum(p.numel() for p in discriminators[0].parameters()),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}), flush=True)


if __name__ == "__main__":
    main()
