"""predict.py reads what Pillow decodes (a gif from its first frame) and names the rest."""
import os

from PIL import Image


def test_a_gif_is_translated_from_its_first_frame_and_other_files_are_named(tiny_checkpoint, tmp_path):
    from src.translation.predictor import predict
    from src.settings import load_config

    inputs = tmp_path / "in"
    inputs.mkdir()
    frames = [Image.new("RGB", (90, 60), colour) for colour in ((200, 20, 20), (20, 200, 20))]
    frames[0].save(inputs / "animated.gif", save_all=True, append_images=frames[1:])
    (inputs / "labels.json").write_text("{}")
    config = load_config(["--ckpt", str(tiny_checkpoint), "--input_path", str(inputs),
                          "--output_path", str(tmp_path / "out"), "--tile_size", "256", "--tile_overlap", "64",
                          "--eval_mode", "eval"], "predict")
    messages = []
    summary = predict(config, log=messages.append)
    assert (summary["translated"], summary["skipped"]) == (1, 0)
    assert any("labels.json" in line and line.startswith("warning: skipping 1 file(s)") for line in messages)
    with Image.open(os.path.join(summary["output_dir"], "animated.png")) as image:
        assert image.size == (90, 60)
