"""Write a folder of pairs into MindRecord files for --dataset_mode mindrecord:

    python data/make_mindrecord.py --input DIR --output OUT.mindrecord [--dataset_mode aligned|separate] [--shards N]

Stores each pair's encoded files as they are (an A|B image, or A and B), with its name, so the file stays
the size of the images; --shards N splits it into OUT.mindrecord0 .. N-1 (any one of them reads the whole
set; a distributed run gives each rank its share). Colorization reads photo folders directly.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from src.dataset.mindrecord_pairs import write_mindrecord  # noqa: E402
from src.dataset.pair_dataset import DATASET_MODES, PAIR_SOURCES, open_pair_source  # noqa: E402
from src.utils.errors import UserInputError, run_cli  # noqa: E402

# Layouts of pairs stored as files; colorization's pairs are computed from photos, not stored.
# The layouts whose pairs are files that can be stored as they are.
LAYOUTS = tuple(name for name in DATASET_MODES if PAIR_SOURCES.get(name).build.record_columns)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="folder of A|B images, or of A/ and B/ (--dataset_mode separate)")
    parser.add_argument("--output", required=True, help="the MindRecord file to write (e.g. facades_train.mindrecord)")
    parser.add_argument("--dataset_mode", default="aligned", help="layout of --input: " + " or ".join(LAYOUTS))
    parser.add_argument("--shards", type=int, default=1, help="number of files to split the set into (1 to 1000)")
    args = parser.parse_args(argv)
    if args.dataset_mode not in LAYOUTS:
        raise UserInputError(f"--dataset_mode must be one of {', '.join(LAYOUTS)}; got '{args.dataset_mode}'")
    if not 1 <= args.shards <= 1000:
        raise UserInputError(f"--shards must be from 1 to 1000 (MindRecord's limit); got {args.shards}")
    source = open_pair_source(args.dataset_mode, args.input, "input", "AtoB")
    if len(source) < args.shards:
        raise UserInputError(f"--input has {len(source)} pairs, fewer than --shards {args.shards}")
    paths = write_mindrecord(source, args.output, args.shards)
    size = sum(os.path.getsize(path) for path in paths)
    print(f"Wrote {len(source)} pairs of {args.input} to {', '.join(paths)} ({size / 2**20:.1f} MB); "
          f"train with: python train.py --dataset_mode mindrecord --train_data_dir {paths[0]}", flush=True)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
