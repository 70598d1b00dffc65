"""Evaluate an exported ONNX model with ONNX Runtime:
python infer_onnx.py --onnx_path MODEL.onnx --val_data_dir DIR [--crop_size N]
Writes eval.py's report to OUTPUT_PATH/infer_onnx/MODEL_DATA/ and prints the JSON summary last."""
import json

from src.dataset.image_coding import ImageCoding
from src.deployment.export_info import read_export_info
from src.deployment.runners import onnx_translator
from src.evaluation.evaluator import require_matching_data
from src.evaluation.pairs import EvaluationPairs, test_preprocess
from src.evaluation.report import evaluate_pairs
from src.models.networks import generator_size_multiple
from src.settings import load_config
from src.utils.errors import UserInputError, run_cli
from src.utils.output_folders import results_folder


def main(argv):
    config = load_config(argv, "infer_onnx")
    if not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass the pairs to evaluate on")
    translate = onnx_translator(config.onnx_path)
    spec = read_export_info(config.onnx_path)
    require_matching_data(spec, config.dataset_mode, config.onnx_path)
    multiple = generator_size_multiple(spec) if spec.netG else 1
    pairs = EvaluationPairs.open(config.dataset_mode, config.val_data_dir, config.direction,
                                 test_preprocess(config, multiple), ImageCoding.from_spec(spec), config.num_test)
    output_dir = results_folder(config.output_path, "infer_onnx", config.onnx_path, config.val_data_dir)
    summary = evaluate_pairs(translate, pairs, output_dir, "ONNX Runtime")
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    run_cli(main)
