"""Evaluate an exported ONNX model with ONNX Runtime:
python infer_onnx.py --onnx_path MODEL.onnx --val_data_dir DIR [--crop_size N]
Writes eval.py's report to OUTPUT_PATH/infer_onnx/MODEL_DATA/ and prints the JSON summary last."""
import json

from src.deploy.runners import onnx_translator
from src.evaluator import evaluate_pairs
from src.run_folder import results_folder
from src.settings import load_config
from src.utils.errors import UserInputError, run_cli


def main(argv):
    config = load_config(argv, "infer_onnx")
    if not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass a folder of aligned A|B images")
    translate = onnx_translator(config.onnx_path)
    output_dir = results_folder(config.output_path, "infer_onnx", config.onnx_path, config.val_data_dir)
    summary = evaluate_pairs(translate, config.val_data_dir, output_dir, config.direction, config.crop_size,
                             "ONNX Runtime", config.num_test)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    run_cli(main)
