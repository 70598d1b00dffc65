"""Export a trained generator: python export.py --ckpt PATH [--file_format MINDIR|ONNX|AIR] [--file_name PREFIX]
[--image_size H [W]] [--batch_size N] [--export_mode eval|train].  One JSON line of results is printed last."""
import json

from src.exporter import export_from_config
from src.settings import load_config
from src.utils.errors import run_cli


def main(argv):
    print(json.dumps(export_from_config(load_config(argv, "export"))), flush=True)


if __name__ == "__main__":
    run_cli(main)
