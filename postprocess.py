"""Offline inference, step 3: python postprocess.py [--infer_dir DIR] [--val_data_dir DIR] [--fid_weights FILE]
turns INFER_DIR/output/NAME_0.bin into eval.py's report (images, metrics.csv/json, comparison.png,
index.html) in INFER_DIR/report/; prints the JSON summary last."""
import json
import os

from src.deployment.offline import postprocess
from src.evaluation.fid_kid import FidKidScorer
from src.settings import load_config
from src.utils.errors import run_cli


def main(argv):
    config = load_config(argv, "postprocess")
    summary = postprocess(config.infer_dir or os.path.join(config.output_path, "infer"), config.val_data_dir,
                          config.num_test, scorer=FidKidScorer.from_settings(config.fid_weights, config.fid_dims))
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    run_cli(main)
