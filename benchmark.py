"""Benchmark pix2pix: python benchmark.py [--steps N] [--warmup N] [--data_epochs N] [--deploy] [--skip_data]
[--device_target CPU|GPU|Ascend] [--batch_size B] [--image_size S] [any model setting of train.py, e.g. --ngf 32]

Builds the networks train.py would build (paper size by default: unet_256 + 70x70 PatchGAN) and prints
one JSON line:
  train_ms_per_step   median of the compiled D + G step over --steps steps after --warmup (synced);
  compile_s           the first step, graph compilation included;
  g_infer_ms          the generator alone in eval mode, median over --steps calls;
  data_pairs_per_s    the real training pipeline (decode, jitter, flip, normalise) with
                      num_parallel_workers workers on 60 pairs of 256x256 jpgs stored as aligned A|B
                      files, separate A/ and B/ files and a MindRecord (--dataset_mode);
  peak_rss_mb         peak resident memory of this process;
  cpu                 the CPU's model, its oneDNN level and the oneDNN setting in force (src/utils/cpu_isa.py);
  conv_kernels        on the CPU: the share of one training step's convolution time (forward and backward) per
                      oneDNN kernel kind, jit / gemm / ref (ref: the reference code, the slow path), read from
                      oneDNN's verbose lines of one more step after the timed ones;
  deploy_ms_per_image with --deploy: G(A) through the exported MINDIR and ONNX Runtime;
and the settings used (conv_kernel: the convolutions --conv_kernel gave, onednn: oneDNN's direct kernels,
src/kernels/). Compare with the PyTorch peer right after, in the same session (it needs
`pip install torch==2.13.0`, in another environment):
python benchmarks/torch_peer.py --steps 5
For CycleGAN (--model cycle_gan: both generators and discriminators, the reference's defaults) the peer is
benchmarks/torch_cycle_gan_peer.py; G_params and D_params are then each generator's and discriminator's.
For pix2pixHD's models (--config_path configs/cityscapes_hd_512p.yaml --image_size 512 1024, or the 1024p
preset), the peer is benchmarks/torch_hd_peer.py; without --vgg_weights the VGG loss runs on untrained
weights of the same shape.
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time

import numpy as np

from benchmarks.timing import median_ms
from src.deployment.export_info import export_image_size
from src.settings import load_config
from src.utils.errors import UserInputError, run_cli


def data_pairs_per_second(config, epochs):
    """Pairs per second through the real training pipeline, on the same 60 generated 256x256 pairs stored
    three ways: aligned A|B jpgs, separate A/ and B/ jpgs, and a MindRecord of those A|B jpgs."""
    from src.dataset.mindrecord_pairs import write_mindrecord
    from src.dataset.pair_dataset import create_train_dataset, open_pair_source
    from src.dataset.sample_data import generate_sample_dataset
    from src.dataset.transforms import Preprocess

    rates = {}
    with tempfile.TemporaryDirectory() as folder:
        generate_sample_dataset(folder, {"train": 60, "val": 0, "test": 0}, size=256)
        aligned = open_pair_source("aligned", os.path.join(folder, "train"), "train_data_dir", "AtoB")
        write_separate_folders(aligned, os.path.join(folder, "separate"))
        write_mindrecord(aligned, os.path.join(folder, "pairs.mindrecord"), log=lambda line: None)
        for mode, path in (("aligned", "train"), ("separate", "separate"), ("mindrecord", "pairs.mindrecord")):
            source = open_pair_source(mode, os.path.join(folder, path), "train_data_dir", config.direction)
            dataset, steps = create_train_dataset(source, Preprocess("resize_and_crop", 286, 256), seed=config.seed,
                                                  end_epoch=epochs + 1, num_parallel_workers=config.num_parallel_workers)
            iterator = dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)
            for _ in range(steps):  # the first epoch starts the workers
                next(iterator)
            started = time.perf_counter()
            count = sum(batch[0].shape[0] for batch in iterator)
            rates[mode] = round(count / (time.perf_counter() - started), 1)
    return rates


def write_separate_folders(source, root):
    """The pairs of an aligned source as root/A/NAME.jpg and root/B/NAME.jpg."""
    for side in "AB":
        os.makedirs(os.path.join(root, side))
    for index, name in enumerate(source.names):
        for side, image in zip("AB", source.load(index)):
            image.save(os.path.join(root, side, f"{name}.jpg"), quality=95)


def deploy_latency(generator, batch, repeats):
    """Median ms of G(batch) (eval mode) through the exported MINDIR and ONNX Runtime."""
    from src.deployment.export_model import export_generator
    from src.deployment.runners import mindir_translator, onnx_translator

    timings = {}
    with tempfile.TemporaryDirectory() as folder:
        _, _, height, width = batch.shape
        for name, file_format, load in (("mindir", "MINDIR", mindir_translator), ("onnxruntime", "ONNX", onnx_translator)):
            run = load(export_generator(generator, file_format, os.path.join(folder, "g"), batch.shape[0], height, width))
            timings[name] = median_ms(lambda: run(batch), repeats, 1)
    return timings


def cpu_report():
    """The CPU and the oneDNN setting chosen for it (at `import src`)."""
    from src.utils.cpu_isa import onednn_isa_in_force

    choice = onednn_isa_in_force()
    return {"model": choice.cpu.model, "onednn_level": choice.cpu.onednn_level, "onednn_max_cpu_isa": choice.cap,
            "chosen_by": choice.chosen_by}


def conv_kernel_census(run_step):
    """{jit, gemm, ref: {ms, share, calls}} of the convolutions of one call of run_step, and the ISA oneDNN
    reports (`onednn_isa`), from oneDNN's verbose lines (src/utils/onednn_kernels.py)."""
    from src.utils.onednn_kernels import convolution_time_by_kind, onednn_isa_line, parse_verbose, verbose_lines

    _, text = verbose_lines(run_step)
    return dict(convolution_time_by_kind(parse_verbose(text)), onednn_isa=onednn_isa_line(text))


def parse_arguments(argv):
    """(benchmark options, the run's config) from the command line; None options after --help."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--steps", type=int, default=5, help="timed steps and inference calls")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps after the compiling first one")
    parser.add_argument("--data_epochs", type=int, default=2, help="epochs of the 60-pair folder to time the pipeline")
    parser.add_argument("--deploy", action="store_true", help="also time the exported MINDIR and ONNX Runtime")
    parser.add_argument("--skip_data", action="store_true", help="leave out the data pipeline's timing")
    parser.add_argument("--help", "-h", action="store_true")
    args, config_argv = parser.parse_known_args(argv)
    if args.help:
        print(__doc__)
        return None, None
    if args.steps < 1 or args.warmup < 0 or args.data_epochs < 1:
        raise UserInputError("--steps and --data_epochs must be at least 1, --warmup at least 0")
    return args, load_config(config_argv, "benchmark")


def pix2pix_step(config, spec):
    """(run_step(real_a, real_b), G, D's parameter count) of the networks train.py would build for pix2pix."""
    from src.models.networks import build_discriminator, build_generator
    from src.models.pix2pix import Pix2PixTrainStep, build_adam, count_parameters
    from src.models.vgg_loss import PerceptualLoss, VGG19Features
    from src.training.pix2pix_model import training_objective
    from src.weights.vgg_weights import build_perceptual_loss

    generator, discriminator = build_generator(spec), build_discriminator(spec)
    objective = training_objective(config, spec)
    # Timing needs no trained VGG: without --vgg_weights the VGG loss runs on untrained weights of the same shape.
    perceptual = None if not objective.lambda_vgg else (
        build_perceptual_loss(config.vgg_weights, spec.out_channels) if config.vgg_weights
        else PerceptualLoss(VGG19Features()))
    step = Pix2PixTrainStep(generator, discriminator, build_adam(generator, "optimizer_g", config.lr, 0.5, 0.999),
                            build_adam(discriminator, "optimizer_d", config.lr, 0.5, 0.999), objective,
                            perceptual=perceptual)
    step.set_train(True)
    # .asnumpy() waits for the device before the clock stops
    return lambda real_a, real_b: step(real_a, real_b)[0].asnumpy(), generator, count_parameters(discriminator)


def cycle_gan_step(config, spec):
    """(run_step(real_a, real_b), G_A, D_A's parameter count) of the model train.py --model cycle_gan trains:
    both generators, both discriminators and the pools (the whole step, as benchmarks/torch_cycle_gan_peer.py)."""
    from src.models.pix2pix import count_parameters
    from src.training.cycle_gan_model import CycleGANModel

    model = CycleGANModel(config, spec)
    model.compile_step(1)
    return (lambda real_a, real_b: model.step(real_a, real_b)), model.state.generator, count_parameters(
        model.state.networks.discriminator_a)


def time_training_and_inference(config, shape, args):
    """Build the networks train.py would build (--model pix2pix or cycle_gan); time the compiled step and the
    generator (G_A) in eval mode on random batches of `shape` (batch, height, width).
    Returns (report entries, the generator, the input batch)."""
    import mindspore as ms
    from src.models.networks import spec_from_settings
    from src.models.pix2pix import count_parameters
    from src.utils.device import seed_everything, setup_device

    setup_device(config.device_target, config.device_id, config.mode)
    from src.kernels.choice import start_convolutions
    # With the direct kernels, every convolution built from here on runs on them.
    conv_kernel = start_convolutions(config.conv_kernel, lambda line: print(line, file=sys.stderr, flush=True),
                                     config.device_target, trained_generator=config.netG,
                                     precision=config.cpu_precision)
    seed_everything(config.seed)
    spec = spec_from_settings(config)
    run_step, generator, discriminator_params = (cycle_gan_step if config.model == "cycle_gan" else pix2pix_step)(
        config, spec)
    rng = np.random.default_rng(0)
    batch_size, height, width = shape
    real_a, real_b = (ms.Tensor(rng.uniform(-1, 1, (batch_size, channels, height, width)).astype(np.float32))
                      for channels in (spec.in_channels, spec.out_channels))
    started = time.perf_counter()
    run_step(real_a, real_b)
    compile_s = round(time.perf_counter() - started, 2)
    train_ms = median_ms(lambda: run_step(real_a, real_b), args.steps, args.warmup)
    census = conv_kernel_census(lambda: run_step(real_a, real_b)) if config.device_target == "CPU" else None
    generator.set_train(False)
    infer_ms = median_ms(lambda: generator(real_a).asnumpy(), args.steps, 1)
    report = {"framework": f"mindspore {ms.__version__}", "train_ms_per_step": train_ms, "compile_s": compile_s,
              "g_infer_ms": infer_ms, "G_params": count_parameters(generator), "D_params": discriminator_params,
              "conv_kernel": conv_kernel}
    if census:
        report["conv_kernels"] = census
    return report, generator, real_a.asnumpy()


def main(argv):
    args, config = parse_arguments(argv)
    if args is None:
        return
    height, width = export_image_size(config)
    timings, generator, batch = time_training_and_inference(config, (config.batch_size, height, width), args)
    report = {"framework": timings.pop("framework"), "model": config.model, "device": config.device_target,
              "mode": config.mode,
              "batch_size": config.batch_size, "image_size": [height, width], "in_channels": batch.shape[1],
              "netG": config.netG, "netD": config.netD, "norm_mode": config.norm_mode, "gan_mode": config.gan_mode,
              "ngf": config.ngf, "ndf": config.ndf, "conv_kernel": timings.pop("conv_kernel"),
              "cpu_precision": config.cpu_precision, "steps": args.steps,
              "warmup": args.warmup, **timings}
    if args.deploy:
        report["deploy_ms_per_image"] = deploy_latency(generator, batch, args.steps)
    if not args.skip_data:
        report["data_pairs_per_s"] = data_pairs_per_second(config, args.data_epochs)
        report["num_parallel_workers"] = config.num_parallel_workers
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["cpu"] = cpu_report()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
