"""Train pix2pix: python train.py [--key value ...]  (settings: default_config.yaml, or --help)."""
import json

from src.settings import load_config
from src.training.trainer import train
from src.utils.errors import run_cli


def main(argv):
    summary = train(load_config(argv, "train"))
    if summary is not None:  # the final generator's evaluation, when val_data_dir is set
        print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    run_cli(main)
