"""Convert a published generator into a checkpoint of this repository, without PyTorch:
    python convert_weights.py PTH --output CKPT [--netG NAME] [--norm_mode MODE] [--no_dropout] [--direction D]
        [--network NAME] [--label_nc N]

PTH: a generator of the reference implementation (pix2pix or CycleGAN, PyTorch .pth/.pt, zip or legacy
format; nothing in it is run), of pix2pixHD (latest_net_G.pth: global or local, reading label maps) or of the
MindSpore ModelZoo Pix2Pix (Generator_*.ckpt). The architecture is
read from the weights' names and shapes; --netG, --norm_mode and --no_dropout override it. The checkpoint
works with eval.py, predict.py, export.py and the scripts (--ckpt CKPT).
"""
import argparse
import json
import os
import sys

from src.dataset.pair_sources import DIRECTIONS
from src.models.networks import generator_architecture
from src.models.layers import NORM_MODES
from src.utils.errors import UserInputError, run_cli


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", help="the published generator: .pth/.pt (reference) or .ckpt (ModelZoo)")
    parser.add_argument("--output", required=True, help="the generator checkpoint to write (.ckpt)")
    parser.add_argument("--netG", help="override the architecture read from the weights (e.g. unet_256)")
    parser.add_argument("--norm_mode", choices=NORM_MODES, help="override the norm read from the weights")
    parser.add_argument("--no_dropout", action="store_true", help="the U-Net has no dropout (the reference's "
                        "pix2pix models have it; CycleGAN's ResNets show it in their weights)")
    parser.add_argument("--direction", choices=DIRECTIONS, default="AtoB",
                        help="the direction the model translates in, for the commands printed at the end")
    parser.add_argument("--network", help="which network of a file holding several (e.g. G_A)")
    parser.add_argument("--label_nc", type=int, help="pix2pixHD: classes of the label maps it reads (default: its "
                        "input channels less one for the instance boundaries, 35 for Cityscapes; 0: image inputs)")
    args = parser.parse_args(argv)
    if os.path.isdir(args.weights):
        raise UserInputError(f"'{args.weights}' is a folder, not a weights file: pass the .pth/.pt or .ckpt file "
                             "inside it")
    if args.netG:
        generator_architecture(args.netG)
    if args.label_nc is not None and args.label_nc < 0:
        raise UserInputError(f"--label_nc must be zero or a positive integer; got {args.label_nc}")
    if not args.output.endswith(".ckpt"):
        raise UserInputError(f"--output '{args.output}' must end in .ckpt (a MindSpore checkpoint)")
    if os.path.exists(args.output):
        raise UserInputError(f"--output '{args.output}' already exists: choose another name or remove it first")
    return args


def main(argv):
    args = parse_arguments(argv)
    from src.utils.device import setup_device
    from src.weights.convert import convert_generator

    setup_device("CPU", 0, "PYNATIVE")
    overrides = {"netG": args.netG, "norm_mode": args.norm_mode, "use_dropout": False if args.no_dropout else None,
                 "label_nc": args.label_nc}
    spec = convert_generator(args.weights, args.output, overrides, args.network)
    if spec.label_nc:
        print(f"Wrote {args.output}, a generator of label maps ({spec.label_nc} classes"
              f"{', with instance maps' if spec.instance_edges else ''}). Try it:\n"
              f"  python predict.py --ckpt {args.output} --input_path datasets/cityscapes  (test_label/, test_inst/)\n"
              f"  python eval.py --ckpt {args.output} --val_data_dir DATASET --dataset_mode labels", flush=True)
    else:
        print(f"Wrote {args.output}. Try it:\n"
              f"  python predict.py --ckpt {args.output} --input_path YOUR_IMAGES\n"
              f"  python eval.py --ckpt {args.output} --val_data_dir DATASET/val --direction {args.direction}", flush=True)
    print(json.dumps({"output": args.output, "model_spec": spec.to_dict(), "direction": args.direction}), flush=True)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
