"""Try a trained generator in the browser: python demo.py --ckpt CKPT [--port 7860] [--share false]
[--eval_mode train|eval] [--backend mindspore|onnxruntime] [--palette auto|facades|cityscapes|none]

Opens a page (Gradio, `pip install -r requirements-demo.txt`) where you draw a label map with the facade
colours (or, for a pix2pixHD model of Cityscapes' 35 labels, in Cityscapes' colours) or upload any image, and see the translation beside it, with the test-time mode, the seed and the
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


def choose_palette(palette, spec, checkpoint):
    """The canvas of --palette: auto picks Cityscapes' colours for a model of its 35 labels, the facade colours
    for a facades run, else none; a label-map model needs its own palette."""
    if spec.label_nc:
        if palette == "facades":
            raise UserInputError(f"'{checkpoint}' reads label maps of {spec.label_nc} classes, not facade pictures: "
                                 "use --palette auto or cityscapes")
        return "cityscapes" if palette == "cityscapes" or spec.label_nc == 35 else "none"
    if palette == "cityscapes":
        raise UserInputError(f"'{checkpoint}' translates images, not label maps: use --palette auto, facades or none")
    return "facades" if palette == "facades" or (palette == "auto" and trained_on_facades(checkpoint)) else "none"


def warm_up(translator, size):
    """Translate once, so the graph compiles before the first visitor."""
    if translator.spec.label_nc:
        zeros = Image.new("I", (2 * size, size))
        translator.translate(zeros, instance=zeros if translator.coding.instance_edges else None)
    else:
        translator.translate(Image.new("RGB", (size, size)))


def demo_page_module():
    """src.translation.demo_page, or a UserInputError saying how to install Gradio."""
    try:
        from src.translation import demo_page
    except ImportError as error:
        raise UserInputError(f"the demo needs Gradio ({error}): pip install -r requirements-demo.txt") from None
    return demo_page


def make_page(config):
    """The page of `config` (demo's settings) around its checkpoint's translator, compiled and ready."""
    demo_page = demo_page_module()
    from src.translation.predictor import load_translator

    translator = load_translator(config)
    palette = choose_palette(config.palette, translator.spec, config.ckpt)
    warm_up(translator, demo_page.CANVAS_SIZE)
    examples = (demo_page.example_label_maps(SAMPLE_TEST_DIR, os.path.join(config.output_path, "demo_examples"))
                if palette == "facades" else [])
    return demo_page.build_page(translator, f"{translator.title}: {os.path.basename(config.ckpt)}", config.eval_mode,
                                config.seed, palette, examples)


def main(argv):
    config = load_config(argv, "demo")
    demo_page_module().require_free_port(config.port)
    page = make_page(config)
    print(f"Demo of {config.ckpt} ({config.backend}) on http://127.0.0.1:{config.port}", flush=True)
    page.launch(server_name="127.0.0.1", server_port=config.port, share=config.share, show_error=True,
                max_file_size="200mb", allowed_paths=[os.path.abspath(config.output_path)])


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from the page's server
    run_cli(main, sys.argv[1:])
