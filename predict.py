"""Translate your own images: python predict.py --ckpt PATH --input_path FILE_OR_FOLDER [--key value ...].

Single images (not A|B pairs) of any size; each output has its input's size. Results go to
OUTPUT_PATH/predict/CKPT_NAME/; one JSON line of totals is printed last.
"""
import json

from src.translation.predictor import predict
from src.settings import load_config
from src.utils.errors import run_cli


def main(argv):
    print(json.dumps(predict(load_config(argv, "predict"))), flush=True)


if __name__ == "__main__":
    run_cli(main)
