"""Train pix2pix: python train.py [--key value ...]  (settings: default_config.yaml, or --help)."""
from src.trainer import train
from src.utils.config import load_config
from src.utils.errors import run_cli


def main(argv):
    train(load_config(argv))


if __name__ == "__main__":
    run_cli(main)
