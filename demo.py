"""Try a trained generator in the browser: python demo.py --ckpt CKPT [--port 7860] [--share false]
[--eval_mode train|eval] [--backend mindspore|onnxruntime] [--palette auto|facades|none]

Opens a page (Gradio, `pip install -r requirements-demo.txt`) where you draw a label map with the facade
colours or upload any image, and see the translation beside it, with the test-time mode, the seed and the
time it took. After the quick start: python demo.py --ckpt outputs/sample_facades/checkpoints/generator_final.ckpt
"""
import os
import sys

import yaml
from PIL import Image

from src.settings import load_config
from src.utils.errors import UserInputError, run_cli

REPO_ROOT = os.path.dirname(os.path.abspath(__file__))
SAMPLE_TEST_DIR = os.path.join("data", "sample_facades", "test")


def trained_on_facades(checkpoint):
    """True when the run that wrote `checkpoint` (RUN/checkpoints/NAME.ckpt, RUN/config.yaml) learned
    facades labels -> photo."""
    run_config = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(checkpoint))), "config.yaml")
    try:
        with open(run_config, encoding="utf-8") as handle:
            settings = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError):
        return False
    return "facades" in str(settings.get("train_data_dir", "")) and settings.get("direction") == "BtoA"


def main(argv):
    config = load_config(argv, "demo")
    try:
        from src.translation.demo_page import CANVAS_SIZE, build_page, example_label_maps, require_free_port
    except ImportError as error:
        raise UserInputError(f"the demo needs Gradio ({error}): pip install -r requirements-demo.txt") from None
    from src.translation.predictor import load_translator

    require_free_port(config.port)
    translator = load_translator(config)
    translator.translate(Image.new("RGB", (CANVAS_SIZE, CANVAS_SIZE)))  # compiles the graph before the first visitor
    palette = config.palette == "facades" or (config.palette == "auto" and trained_on_facades(config.ckpt))
    examples = example_label_maps(SAMPLE_TEST_DIR, os.path.join(config.output_path, "demo_examples")) if palette else []
    page = build_page(translator, f"pix2pix: {os.path.basename(config.ckpt)}", config.eval_mode, config.seed, palette,
                      examples)
    print(f"Demo of {config.ckpt} ({config.backend}) on http://127.0.0.1:{config.port}", flush=True)
    page.launch(server_name="127.0.0.1", server_port=config.port, share=config.share, show_error=True,
                max_file_size="200mb", allowed_paths=[os.path.abspath(config.output_path)])


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from the page's server
    run_cli(main, sys.argv[1:])
