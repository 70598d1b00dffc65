"""Time pix2pix: python benchmark.py [--steps N] [--size S] [--batch B] [--num_downs D]
[--device_target CPU|GPU|Ascend] [--mode GRAPH|PYNATIVE] [--inference]

Builds the real networks (paper size by default: unet_256 + 70x70 PatchGAN), runs the compiled
D + G step on random data and prints one JSON line: median ms per step after the first (compile)
step, the first step's seconds, and the parameter counts. With --inference it also exports the
generator (eval mode) and times one batch through MindSpore, the reloaded MINDIR and ONNX Runtime
(median ms after a warm-up). Compare with the PyTorch peer in the same session:
python ../shared/bench/torch_ref.py --steps 5
"""
import argparse
import json
import os
import statistics
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps after the first")
    parser.add_argument("--size", type=int, default=256, help="image side in pixels")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--num_downs", type=int, default=8, help="U-Net depth (8 = unet_256)")
    parser.add_argument("--device_target", default="CPU", choices=["CPU", "GPU", "Ascend"])
    parser.add_argument("--mode", default="GRAPH", choices=["GRAPH", "PYNATIVE"])
    parser.add_argument("--inference", action="store_true", help="also time G(A) in MindSpore, MINDIR and ONNX Runtime")
    args = parser.parse_args()
    if args.steps < 1 or args.size % 2 ** args.num_downs:
        parser.error("--steps must be >= 1 and --size a multiple of 2**num_downs")

    import mindspore as ms
    from src.models.pix2pix import (Pix2PixTrainStep, build_adam, build_discriminator, build_generator,
                                    count_parameters)
    from src.utils.device import seed_everything, setup_device
    from src.utils.errors import UserInputError

    try:
        setup_device(args.device_target, 0, args.mode)
    except UserInputError as error:
        parser.exit(2, f"error: {error}\n")
    seed_everything(0)
    spec = {"in_channels": 3, "out_channels": 3, "ngf": 64, "num_downs": args.num_downs, "norm_mode": "batch",
            "use_dropout": True, "ndf": 64, "n_layers_D": 3}
    generator, discriminator = build_generator(spec), build_discriminator(spec)
    step = Pix2PixTrainStep(generator, discriminator, build_adam(generator, "optimizer_g", 2e-4, 0.5, 0.999),
                            build_adam(discriminator, "optimizer_d", 2e-4, 0.5, 0.999))
    step.set_train(True)
    rng = np.random.default_rng(0)
    real_a, real_b = (ms.Tensor(rng.uniform(-1, 1, (args.batch, 3, args.size, args.size)).astype(np.float32))
                      for _ in range(2))
    times = []
    for _ in range(args.steps + 1):
        started = time.perf_counter()
        step(real_a, real_b)[0].asnumpy()  # wait for the device before stopping the clock
        times.append(time.perf_counter() - started)
    report = {"framework": f"mindspore {ms.__version__}", "device": args.device_target, "mode": args.mode,
              "batch": args.batch, "size": args.size, "train_ms_per_step": round(1000 * statistics.median(times[1:]), 1),
              "first_step_s": round(times[0], 2), "G_params": count_parameters(generator),
              "D_params": count_parameters(discriminator)}
    if args.inference:
        report["infer_ms_per_batch"] = time_inference(generator, real_a.asnumpy(), args.steps)
    print(json.dumps(report))


def time_inference(generator, batch, repeats):
    """Median ms of G(batch) (eval mode) in MindSpore, the exported MINDIR and ONNX Runtime."""
    import tempfile

    import mindspore as ms
    from src.deploy.export_model import export_generator
    from src.deploy.runners import mindir_translator, onnx_translator

    generator.set_train(False)
    runners = {"mindspore": lambda x: generator(ms.Tensor(x)).asnumpy()}
    with tempfile.TemporaryDirectory() as folder:
        _, _, height, width = batch.shape
        for name, file_format, load in (("mindir", "MINDIR", mindir_translator), ("onnxruntime", "ONNX", onnx_translator)):
            runners[name] = load(export_generator(generator, file_format, os.path.join(folder, "g"), batch.shape[0],
                                                  height, width))
        timings = {}
        for name, run in runners.items():
            run(batch)  # warm-up: compile or allocate
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                run(batch)
                samples.append(1000 * (time.perf_counter() - started))
            timings[name] = round(statistics.median(samples), 1)
    return timings


if __name__ == "__main__":
    main()
