"""Time the Translator (src/translation/translator.py) per image on each backend:
python benchmarks/translator_timing.py --ckpt CKPT [--image FILE] [--size 256] [--repeats 10]

Eval mode (the mode both backends run), one warm-up translation (MindSpore compiles its graph, ONNX Runtime's
export is made or reused beside the checkpoint), then the median of --repeats. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from src.translation.backends import BACKENDS  # noqa: E402
from src.translation.translator import Translator  # noqa: E402
from src.utils.device import setup_device  # noqa: E402
from src.utils.errors import run_cli  # noqa: E402


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckpt", required=True, help="a generator checkpoint")
    parser.add_argument("--image", help="the image to translate (default: random pixels)")
    parser.add_argument("--size", type=int, default=256, help="side of the square the image is resized to")
    parser.add_argument("--repeats", type=int, default=10, help="timed translations per backend")
    args = parser.parse_args(argv)
    setup_device("CPU", 0, "GRAPH")
    picture = (Image.open(args.image).convert("RGB") if args.image else
               Image.fromarray(np.random.default_rng(0).integers(0, 256, (8, 8, 3), np.uint8)))
    picture = picture.resize((args.size, args.size), Image.BICUBIC)
    report = {"ckpt": args.ckpt, "size": args.size, "repeats": args.repeats}
    for backend in BACKENDS:
        translator = Translator.from_checkpoint(args.ckpt, eval_mode="eval", backend=backend, log=lambda line: None)
        translator.translate(picture)
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            translator.translate(picture)
            times.append(time.perf_counter() - started)
        report[f"{backend}_ms_per_image"] = round(float(np.median(times)) * 1000, 1)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
