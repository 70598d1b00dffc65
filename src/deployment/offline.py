"""The offline inference flow of ModelZoo deployments, around one file contract:

  preprocess: every pair of a dataset (or the A side of two unpaired domains, for a CycleGAN
              generator) -> INFER_DIR/input/NAME.bin, the normalised input A as
              float32 (1, C_in, H, W) in C order, plus INFER_DIR/input/manifest.json (the channels and
              coding of the exported model, from the JSON export.py writes beside it);
  runner:     INFER_DIR/input/NAME.bin -> INFER_DIR/output/NAME_0.bin, G(A) as float32 (1, C_out, H, W)
              (the C++ program in ascend310_infer/, or run_mindir_on_bins below with the same contract);
  postprocess: the outputs -> images, metrics and report exactly as eval.py writes them.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

from src.dataset.image_coding import ImageCoding
from src.dataset.transforms import Preprocess
from src.deployment.export_info import read_export_info
from src.deployment.runners import mindir_translator
from src.evaluation.pairs import EvaluationPairs
from src.evaluation.report import evaluate_pairs
from src.evaluation.unpaired import UnpairedTestSets, report_cycle
from src.utils.device import setup_device
from src.utils.errors import UserInputError, first_line, run_cli
from src.utils.output_folders import make_output_folder
from src.utils.tools import write_json_atomic

MANIFEST = "manifest.json"


def infer_paths(infer_dir):
    return {"input": os.path.join(infer_dir, "input"), "output": os.path.join(infer_dir, "output"),
            "report": os.path.join(infer_dir, "report")}


def _square(size):
    """The test transform of exported models of size x size: resized to the square, no crop."""
    return Preprocess("resize_and_crop", size, size)


def _square_pairs(dataset_mode, data_dir, direction, size, coding, num_test, log=print):
    """The pairs (or, for --dataset_mode unaligned, the two test domains) as exported models take them."""
    if dataset_mode == "unaligned":
        return UnpairedTestSets.open(data_dir, direction, _square(size), coding, num_test, log)
    return EvaluationPairs.open(dataset_mode, data_dir, direction, _square(size), coding, num_test, log)


def _inputs(sets):
    """(name, float32 (1, C, H, W)) of each model input: every pair's A, or the A side of two domains."""
    if isinstance(sets, UnpairedTestSets):
        yield from sets.side("A")
        return
    for real_a, _, index in sets.batches():
        yield sets.source.names[int(index[0])], real_a


def preprocess(data_dir, infer_dir, coding, dataset_mode="aligned", direction="BtoA", size=256, num_test=None,
               log=print):
    """Write the normalised inputs of `data_dir`'s pairs (or of the A side, in `direction`, of two unpaired
    domains), coded for the model (`coding`, an ImageCoding), as .bin files; returns the manifest dict."""
    paths = infer_paths(infer_dir)
    make_output_folder(paths["input"], "infer_dir")
    names = []
    for name, real_a in _inputs(_square_pairs(dataset_mode, data_dir, direction, size, coding, num_test, log)):
        np.ascontiguousarray(real_a, np.float32).tofile(os.path.join(paths["input"], f"{name}.bin"))
        names.append(name)
    manifest = {"names": names, "shape": [1, coding.input_channels, size, size],
                "output_shape": [1, coding.output_channels, size, size], "colorization": coding.colorization,
                "dtype": "float32", "dataset_mode": dataset_mode, "direction": direction,
                "data_dir": os.path.abspath(data_dir), "num_test": num_test}
    write_json_atomic(manifest, os.path.join(paths["input"], MANIFEST))
    log(f"Wrote {len(names)} inputs of shape {manifest['shape']} to {paths['input']}")
    return manifest


def read_manifest(infer_dir):
    path = os.path.join(infer_paths(infer_dir)["input"], MANIFEST)
    if not os.path.isfile(path):
        raise UserInputError(f"'{path}' does not exist: run preprocess.py with the same --infer_dir first")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def postprocess(infer_dir, data_dir=None, num_test=None, log=print, scorer=None):
    """Build eval.py's report (images, CSV, JSON, grid, HTML; for two unpaired domains, the CycleGAN report of
    G(A) against B) from the runner's outputs, with FID and KID when `scorer` (a FidKidScorer) has weights;
    returns the summary."""
    manifest = read_manifest(infer_dir)
    paths = infer_paths(infer_dir)
    shape = manifest["output_shape"]
    count = int(np.prod(shape))
    coding = ImageCoding(manifest["shape"][1], shape[1], manifest["colorization"])

    def translate(batch, names):
        outputs = []
        for name in names:
            path = os.path.join(paths["output"], f"{name}_0.bin")
            if not os.path.isfile(path):
                raise UserInputError(f"no output '{path}' for input {name}: did the inference step finish?")
            values = np.fromfile(path, dtype=np.float32)
            if values.size != count:
                raise UserInputError(f"'{path}' holds {values.size} floats, not {count} ({shape}): wrong model?")
            outputs.append(values.reshape(shape)[0])
        return np.stack(outputs)

    limit = num_test or manifest.get("num_test")
    if limit is None and manifest["dataset_mode"] != "unaligned":
        limit = len(manifest["names"])  # the pairs preprocessed, should the folder have grown since
    sets = _square_pairs(manifest["dataset_mode"], data_dir or manifest["data_dir"], manifest["direction"], shape[-1],
                         coding, limit, log)
    if isinstance(sets, UnpairedTestSets):
        return report_cycle({"generator": translate}, sets, paths["report"], "offline inference", log, scorer)
    return evaluate_pairs(translate, sets, paths["report"], "offline inference", log, scorer)


def run_mindir_on_bins(mindir_path, input_dir, output_dir, log=print):
    """The Python twin of ascend310_infer: every input_dir/NAME.bin through the MINDIR into
    output_dir/NAME_0.bin; returns the mean latency in ms (after the first, compiling, run)."""
    setup_device("CPU", 0, "GRAPH")
    translate = mindir_translator(mindir_path)
    inputs = sorted(name for name in os.listdir(input_dir) if name.endswith(".bin")) if os.path.isdir(input_dir) else []
    if not inputs:
        raise UserInputError(f"no .bin inputs in '{input_dir}': run preprocess.py first")
    shape = read_manifest(os.path.dirname(os.path.abspath(input_dir)))["shape"]
    _require_model_channels(mindir_path, shape)
    make_output_folder(output_dir, "infer_dir")
    latencies = []
    for name in inputs:
        batch = np.fromfile(os.path.join(input_dir, name), dtype=np.float32).reshape(shape)
        started = time.perf_counter()
        try:
            output = translate(batch)
        except (RuntimeError, ValueError, TypeError) as error:
            raise UserInputError(f"the MINDIR rejected input {name} of shape {shape} "
                                 f"({first_line(error, 120)}): preprocess with the "
                                 "--image_size used at export") from None
        latencies.append((time.perf_counter() - started) * 1000)
        np.ascontiguousarray(output, np.float32).tofile(os.path.join(output_dir, name[:-4] + "_0.bin"))
    mean = float(np.mean(latencies[1:] if len(latencies) > 1 else latencies))
    log(f"Ran {len(inputs)} inputs through {mindir_path} (MindSpore, Python): {mean:.1f} ms per image")
    return mean


def _require_model_channels(model_path, shape):
    """The .bin inputs (of `shape`) have the channels the exported model takes (from export.py's JSON)."""
    channels = read_export_info(model_path).in_channels
    if shape[1] != channels:
        raise UserInputError(f"the inputs have {shape[1]} channels but '{model_path}' takes {channels}: run "
                             f"preprocess.py with --file_name {os.path.splitext(model_path)[0]} (the export's prefix)")


def _runner_main(argv):
    parser = argparse.ArgumentParser(description="Run .bin inputs through a MINDIR (the Python twin of "
                                                 "ascend310_infer/out/main).")
    parser.add_argument("--mindir_path", required=True)
    parser.add_argument("--input_dir", required=True)
    parser.add_argument("--output_dir", required=True)
    args = parser.parse_args(argv)
    run_mindir_on_bins(args.mindir_path, args.input_dir, args.output_dir)


if __name__ == "__main__":
    run_cli(_runner_main, sys.argv[1:])
