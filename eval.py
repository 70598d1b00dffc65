"""Evaluate a pix2pix generator: python eval.py --ckpt PATH --val_data_dir DIR [--key value ...].

Saves translated images, comparison.png and metrics.json under OUTPUT_PATH/eval/, and prints
one JSON line of mean metrics last.
"""
import json

from src.evaluation.evaluator import evaluate
from src.settings import load_config
from src.utils.errors import run_cli


def main(argv):
    summary = evaluate(load_config(argv, "eval"))
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    run_cli(main)
