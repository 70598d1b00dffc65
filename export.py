"""Export a trained generator: python export.py --ckpt PATH [--file_format MINDIR|ONNX|AIR] [--file_name PREFIX]
[--image_size H [W]] [--batch_size N] [--export_mode eval|train].  One JSON line of results is printed last."""
import json

from src.settings import load_config
from src.utils.errors import run_cli


def main(argv):
    config = load_config(argv, "export")
    from src.deployment.exporter import export_from_config  # imports onnx, which --help does not need

    print(json.dumps(export_from_config(config)), flush=True)


if __name__ == "__main__":
    run_cli(main)
