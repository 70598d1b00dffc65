"""A user starts demo.py on a checkpoint and uses the page: an image in, its translation out, and clear messages
for what the page cannot take. Needs requirements-demo.txt (CI installs it)."""
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from src.dataset.sample_data import generate_sample_dataset
from src.models.checkpoint import save_generator_checkpoint
from src.models.spec import ModelSpec
from tests.conftest import REPO_ROOT, TINY_SPEC, run_entry, structured_generator

pytestmark = pytest.mark.e2e
gradio_client = pytest.importorskip("gradio_client")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo(folder, generator, spec, train_data_dir="datasets/cityscapes"):
    """demo.py on `generator` (saved with `spec` in a run folder of a run on `train_data_dir`), started in `folder`
    as the README starts it after the quick start (data/sample_facades/ there), running until the test is done:
    (client, process)."""
    run = folder / "outputs" / "run"
    (run / "checkpoints").mkdir(parents=True)
    save_generator_checkpoint(str(run / "checkpoints" / "generator_final.ckpt"), generator, spec, epoch=1, step=1)
    (run / "config.yaml").write_text(f"train_data_dir: {train_data_dir}\ndirection: BtoA\n")
    generate_sample_dataset(str(folder / "data" / "sample_facades"), {"train": 0, "val": 0, "test": 2}, size=64)
    port = free_port()
    process = subprocess.Popen([sys.executable, os.path.join(REPO_ROOT, "demo.py"), "--ckpt",
                                "outputs/run/checkpoints/generator_final.ckpt", "--port", str(port)], cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, GRADIO_ANALYTICS_ENABLED="False"))
    deadline = time.time() + 180
    while time.time() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(1)
    assert process.poll() is None, process.stdout.read()[-2000:]
    return gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False), process


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A running demo on a tiny generator of a facades run (the facades palette and examples): (client, folder)."""
    folder = tmp_path_factory.mktemp("demo")
    client, process = start_demo(folder, structured_generator(), TINY_SPEC, "data/sample_facades/train")
    yield client, folder
    process.terminate()
    process.wait(timeout=30)


def editor_value(path):
    """What the page's canvas sends for an image put on it."""
    return {"background": gradio_client.handle_file(str(path)), "layers": [], "composite": gradio_client.handle_file(str(path))}


def uploaded(client, path):
    """The page's answer to an image file uploaded beside the canvas."""
    return client.predict(None, gradio_client.handle_file(str(path)), "train", 1, api_name="/translate")


def test_an_uploaded_image_comes_back_translated_at_its_size(page, tmp_path):
    client, folder = page
    output, _ = client.predict(editor_value(folder / "outputs" / "pix2pix" / "demo_examples" / "0001_labels.png"), None, "train", 1,
                               api_name="/translate")  # the example the page opens on
    assert Image.open(output).size == (64, 64)
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (60, 100, 3), np.uint8)).save(tmp_path / "wide.png")
    output, timing = client.predict(editor_value(tmp_path / "wide.png"), None, "eval", 3, api_name="/translate")
    assert Image.open(output).size == (100, 60)
    assert timing.startswith("Translated 100x60 in ") and "(eval mode, seed 3)" in timing
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (45, 70), np.uint8)).save(tmp_path / "grey.gif")
    output, _ = uploaded(client, tmp_path / "grey.gif")
    assert Image.open(output).size == (70, 45)


def test_what_the_page_cannot_take_is_said_on_it(page, tmp_path):
    client, _ = page
    (tmp_path / "notes.png").write_bytes(b"not an image at all")
    with pytest.raises(Exception, match="The upload is not an image this page can read: not an image format"):
        uploaded(client, tmp_path / "notes.png")
    Image.new("L", (5000, 4000)).save(tmp_path / "huge.png")  # 20 Mpixels, a few kB on disk
    with pytest.raises(Exception, match="5000x4000, more than the 16 Mpixels this page translates: use predict.py"):
        uploaded(client, tmp_path / "huge.png")
    with pytest.raises(Exception, match="Draw on the canvas or upload an image first"):
        client.predict(None, None, "train", 1, api_name="/translate")


def test_a_port_in_use_is_one_line_before_the_model_loads(tmp_path):
    save_generator_checkpoint(str(tmp_path / "generator.ckpt"), structured_generator(), TINY_SPEC, epoch=1, step=1)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_entry(["demo.py", "--ckpt", str(tmp_path / "generator.ckpt"), "--port", str(port)])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: --port {port} cannot be used on 127.0.0.1 (Address already in use): another program may be "
        "serving there; pass another --port"]


def test_a_missing_checkpoint_is_one_line_at_the_start(tmp_path):
    result = run_entry(["demo.py", "--ckpt", str(tmp_path / "missing.ckpt"), "--port", str(free_port())])
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        f"error: checkpoint '{tmp_path / 'missing.ckpt'}' does not exist"]
    result = run_entry(["demo.py", "--ckpt", str(tmp_path / "missing.ckpt"), "--port", "70000"])
    assert result.returncode == 2 and "--port must be a port number from 1 to 65535" in result.stderr


def test_a_cityscapes_label_model_gets_a_canvas_of_cityscapes_colours(tmp_path):
    """A pix2pixHD model of Cityscapes' 35 labels: a drawing in its colours and a grey label-ID map both work."""
    from src.dataset.label_maps import label_palette
    from src.models.networks import build_generator
    spec = ModelSpec(in_channels=36, netG="global", ngf=4, norm_mode="instance", use_dropout=False, label_nc=35,
                     instance_edges=True, options={"n_downsample_global": 2, "n_blocks_global": 1})
    client, process = start_demo(tmp_path, build_generator(spec), spec)
    try:
        drawing = np.zeros((64, 128, 3), np.uint8)
        drawing[:32], drawing[32:] = label_palette(35)[23], label_palette(35)[7]  # sky over road
        Image.fromarray(drawing).save(tmp_path / "street.png")
        output, timing = client.predict(editor_value(tmp_path / "street.png"), None, "train", 1, api_name="/translate")
        assert Image.open(output).size == (128, 64) and timing.startswith("Translated 128x64 in ")
        Image.fromarray(np.full((40, 80), 26, np.uint8), "L").save(tmp_path / "cars_labelIds.png")
        output, _ = uploaded(client, tmp_path / "cars_labelIds.png")
        assert Image.open(output).size == (80, 40)
    finally:
        process.terminate()
        process.wait(timeout=30)
