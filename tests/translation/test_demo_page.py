"""The demo page as demo.py builds it, for each palette: it opens on its canvas, an example clicked onto the
canvas (facades) or the canvas as it opens (Cityscapes) comes back translated. Needs requirements-demo.txt."""
import os

import numpy as np
import pytest
import yaml
from PIL import Image

from src.dataset.sample_data import generate_sample_dataset
from src.models.checkpoint import RunIdentity, save_generator_checkpoint
from src.models.spec import ModelSpec
from src.settings import load_config
from tests.conftest import TINY_SPEC, structured_generator

gr = pytest.importorskip("gradio")
from gradio.components.image_editor import EditorData  # noqa: E402  (after the skip: Gradio may be absent)

import demo  # noqa: E402

CITYSCAPES_SPEC = ModelSpec(in_channels=36, netG="global", ngf=4, norm_mode="instance", use_dropout=False, label_nc=35,
                            instance_edges=True, options={"n_downsample_global": 2, "n_blocks_global": 1})


def run_folder(root, spec, train_data_dir):
    """RUN/checkpoints/generator_final.ckpt and RUN/config.yaml, as train.py leaves them; the checkpoint's path."""
    (root / "checkpoints").mkdir(parents=True)
    checkpoint = str(root / "checkpoints" / "generator_final.ckpt")
    from src.models.networks import build_generator
    generator = structured_generator(spec) if spec is TINY_SPEC else build_generator(spec)
    save_generator_checkpoint(checkpoint, generator, spec, epoch=20, step=1200)
    (root / "config.yaml").write_text(yaml.safe_dump({"train_data_dir": train_data_dir, "direction": "BtoA"}))
    return checkpoint


@pytest.fixture
def in_a_checkout(tmp_path, monkeypatch):
    """The working folder of a user after the quick start: data/sample_facades/ (its test split) and outputs/."""
    generate_sample_dataset(str(tmp_path / "data" / "sample_facades"), {"train": 0, "val": 0, "test": 2}, size=64)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def the_page(checkpoint, *flags):
    """What demo.py builds for `--ckpt checkpoint flags`: the page, its canvas (ImageEditor) and its Translate."""
    page = demo.make_page(load_config(["--ckpt", checkpoint, *flags], "demo"))
    canvas = next(block for block in page.blocks.values() if isinstance(block, gr.ImageEditor))
    translate = next(function.fn for function in page.fns.values() if function.api_name == "translate")
    return page, canvas, translate


def on_the_canvas(canvas, value):
    """What the canvas hands the Translate button for `value` (the page's JSON of an image on the canvas)."""
    return canvas.preprocess(EditorData(**value))


def test_the_readme_command_opens_on_a_facade_example_and_translates_every_example(in_a_checkout):
    """python demo.py --ckpt outputs/sample_facades/checkpoints/generator_final.ckpt (the README's "Try it")."""
    run_folder(in_a_checkout / "outputs" / "sample_facades", TINY_SPEC, "data/sample_facades/train")
    page, canvas, translate = the_page(os.path.join("outputs", "sample_facades", "checkpoints", "generator_final.ckpt"))
    examples = next(block for block in page.blocks.values() if isinstance(block, gr.Dataset)).samples
    assert len(examples) == 2 and os.path.basename(canvas.value["background"]["path"]) == "0001_labels.png"
    assert canvas.canvas_size == (64, 64)  # the example's own size
    for (example,) in examples:  # a click on an example puts it on the canvas
        output, timing = translate(on_the_canvas(canvas, example), None, "train", 1)
        assert output.size == (64, 64) and np.asarray(output).std() > 0
        assert timing.startswith("Translated 64x64 in ") and timing.endswith("(train mode, seed 1).")


def test_a_cityscapes_label_model_opens_on_a_road_canvas_it_translates(in_a_checkout):
    checkpoint = run_folder(in_a_checkout / "hd", CITYSCAPES_SPEC, "datasets/cityscapes")
    page, canvas, translate = the_page(checkpoint)
    assert canvas.canvas_size == (512, 256)
    output, _ = translate(on_the_canvas(canvas, canvas.value), None, "eval", 2)
    assert output.size == (512, 256)


def test_a_model_of_other_pictures_opens_on_an_empty_canvas_and_translates_uploads(in_a_checkout):
    checkpoint = run_folder(in_a_checkout / "maps", TINY_SPEC, "datasets/maps/train")
    page, canvas, translate = the_page(checkpoint, "--palette", "none")
    assert canvas.value is None and not any(isinstance(block, gr.Dataset) for block in page.blocks.values())
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 72, 3), np.uint8)).save("aerial.png")
    output, _ = translate(None, "aerial.png", "train", 1)
    assert output.size == (72, 40)


def test_a_cycle_gan_run_serves_either_generator(in_a_checkout):
    """python demo.py --ckpt RUN/checkpoints/generator_final.ckpt [--direction BtoA] of a --model cycle_gan run:
    the page names the generator it serves, and each translates an upload its own way."""
    checkpoint = str(in_a_checkout / "generator_final.ckpt")
    generators = {"generator": structured_generator(seed=1), "generator_b": structured_generator(seed=2)}
    save_generator_checkpoint(checkpoint, generators, TINY_SPEC, 4, 40, run=RunIdentity("cycle_gan", "AtoB"))
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)).save("horse.png")
    outputs = []
    for flags, title in (([], "CycleGAN G_A (A -> B)"), (["--direction", "BtoA"], "CycleGAN G_B (B -> A)")):
        page, canvas, translate = the_page(checkpoint, *flags)
        assert page.title == f"{title}: generator_final.ckpt" and canvas.value is None
        outputs.append(np.asarray(translate(None, "horse.png", "eval", 1)[0]))
    assert outputs[0].shape == (64, 64, 3) and not np.array_equal(*outputs)
