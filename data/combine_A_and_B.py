"""Make aligned A|B images from two folders, as the reference's datasets/combine_A_and_B.py:

    python data/combine_A_and_B.py --fold_A A --fold_B B --fold_AB AB [--num_imgs N] [--use_AB] [--no_multiprocessing]

For each split folder of --fold_A (train, val, test, ...; hidden folders are skipped) every image is put
beside the image of the same name in --fold_B/SPLIT (with --use_AB: NAME_A.EXT beside NAME_B.EXT, written
as NAME.EXT), B resized to A's size when they differ, into --fold_AB/SPLIT. Unlike the reference it does
not crash on a missing import, reads any image Pillow reads (phone orientation, 16-bit), never overwrites
an existing output, and names every file it could not pair or read.
"""
import argparse
import os
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from src.dataset.image_io import UnreadableImageError, read_rgb  # noqa: E402
from src.dataset.pair_sources import list_image_files, match_size, name_some  # noqa: E402
from src.utils.errors import UserInputError, run_cli  # noqa: E402
from src.utils.tools import save_image_atomic  # noqa: E402


def combine_pair(job):
    """Write A|B for one (path_A, path_B, path_AB); returns None, or the problem in one phrase."""
    path_a, path_b, path_ab = job
    try:
        image_a = read_rgb(path_a)
        image_b = match_size(read_rgb(path_b), image_a)
    except UnreadableImageError as error:
        return f"{path_a} / {path_b}: {error}"
    save_image_atomic(Image.fromarray(np.concatenate([np.asarray(image_a), np.asarray(image_b)], axis=1)), path_ab)
    return None


def split_jobs(fold_a, fold_b, fold_ab, split, num_imgs, use_ab, log=print):
    """The (A, B, AB) paths of one split, and the A files without a B partner."""
    files = list_image_files(os.path.join(fold_a, split), "fold_A", log)
    if use_ab:
        files = [path for path in files if "_A." in os.path.basename(path)]
    jobs, unpaired = [], []
    for path_a in files[:num_imgs]:
        name_a = os.path.basename(path_a)
        name_b = name_a.replace("_A.", "_B.") if use_ab else name_a
        path_b = os.path.join(fold_b, split, name_b)
        if not os.path.isfile(path_b):
            unpaired.append(name_a)
            continue
        name_ab = name_a.replace("_A.", ".") if use_ab else name_a
        jobs.append((path_a, path_b, os.path.join(fold_ab, split, name_ab)))
    return jobs, unpaired


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fold_A", required=True, help="input folder for image A (with split folders)")
    parser.add_argument("--fold_B", required=True, help="input folder for image B (the same split folders)")
    parser.add_argument("--fold_AB", required=True, help="output folder")
    parser.add_argument("--num_imgs", type=int, default=1000000, help="at most this many images per split")
    parser.add_argument("--use_AB", action="store_true", help="pair NAME_A.EXT with NAME_B.EXT, write NAME.EXT")
    parser.add_argument("--no_multiprocessing", action="store_true", help="one process (default: all cores)")
    args = parser.parse_args(argv)
    for flag, folder in (("fold_A", args.fold_A), ("fold_B", args.fold_B)):
        if not os.path.isdir(folder):
            raise UserInputError(f"--{flag} '{folder}' does not exist or is not a folder")
    splits = sorted(name for name in os.listdir(args.fold_A)
                    if not name.startswith(".") and os.path.isdir(os.path.join(args.fold_A, name)))
    if not splits:
        raise UserInputError(f"--fold_A '{args.fold_A}' has no split folders (train/, val/, test/, ...)")
    jobs, problems = [], []
    for split in splits:
        split_job_list, unpaired = split_jobs(args.fold_A, args.fold_B, args.fold_AB, split, args.num_imgs, args.use_AB)
        problems += [f"{split}/{name}: no partner in --fold_B" for name in unpaired]
        jobs += split_job_list
    existing = [job[2] for job in jobs if os.path.exists(job[2])]
    if existing:
        raise UserInputError(f"--fold_AB already holds {len(existing)} of the outputs ({name_some(existing)}): "
                             "choose an empty --fold_AB")
    for split in splits:
        os.makedirs(os.path.join(args.fold_AB, split), exist_ok=True)
    if args.no_multiprocessing:
        results = [combine_pair(job) for job in jobs]
    else:
        with Pool() as pool:
            results = pool.map(combine_pair, jobs, chunksize=16)
    problems += [result for result in results if result]
    written = sum(result is None for result in results)
    print(f"Wrote {written} A|B images to {args.fold_AB} ({', '.join(splits)})", flush=True)
    if problems:
        print(f"{len(problems)} file(s) could not be combined:\n  " + "\n  ".join(problems), file=sys.stderr, flush=True)
        if not written:
            raise UserInputError("nothing could be combined")


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
