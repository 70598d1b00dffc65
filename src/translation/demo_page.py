"""The web page of demo.py (Gradio): draw a label map or upload an image, and see the generator's translation.

Gradio is an optional dependency (requirements-demo.txt); only demo.py imports this module.
"""
import os
import socket
import time

import gradio as gr
import numpy as np
from PIL import Image

from src.dataset.image_io import UnreadableImageError, image_mode, read_rgb, upright_size
from src.dataset.label_maps import CITYSCAPES_NAMES, ID_MODES, label_palette, read_id_map
from src.dataset.pair_sources import list_image_files
from src.dataset.sample_data import PALETTE
from src.models.checkpoint import TEST_MODES
from src.utils.device import seed_everything
from src.utils.errors import UserInputError

# Larger uploads are refused on the page (predict.py translates any size, in tiles, from the command line).
MAX_PIXELS = 16_000_000
# The canvas a drawing starts from: the facades "background" label colour.
CANVAS_SIZE = 256
# Label maps one click away: the B halves (labels) of the sample set's test pairs.
EXAMPLES = 4


def require_free_port(port, host="127.0.0.1"):
    """UserInputError when `port` cannot be served on `host` (taken by another program, or not allowed),
    before the page is built."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UserInputError(f"--port {port} cannot be used on {host} ({error.strerror or error}): another "
                                 "program may be serving there; pass another --port") from None


def label_brush():
    """The brush of the facades label colours (the sample set's, as CMP Facades), the facade colour first."""
    colours = ["#%02x%02x%02x" % PALETTE[name] for name in ["facade", *[n for n in PALETTE if n != "facade"]]]
    return gr.Brush(colors=colours, default_color=colours[0], color_mode="fixed", default_size=8)


# The brush of a Cityscapes model: the 19 classes its benchmark scores, road first.
CITYSCAPES_BRUSH = ("road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
                    "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle",
                    "bicycle")


def cityscapes_brush():
    """The brush of Cityscapes' label colours (cityscapesScripts'), road first."""
    palette = label_palette(len(CITYSCAPES_NAMES))
    colours = ["#%02x%02x%02x" % tuple(palette[CITYSCAPES_NAMES.index(name)]) for name in CITYSCAPES_BRUSH]
    return gr.Brush(colors=colours, default_color=colours[0], color_mode="fixed", default_size=12)


def colours_to_labels(picture, label_nc):
    """(H, W) int32 label IDs of an RGB picture drawn in the palette of `label_nc` classes: each pixel takes
    the ID of the nearest palette colour (the first ID of a colour several classes share)."""
    palette = label_palette(label_nc).astype(np.int32)
    pixels = np.asarray(picture.convert("RGB"), np.int32)
    distances = ((pixels[:, :, None, :] - palette[None, None]) ** 2).sum(axis=3)
    return np.argmin(distances, axis=2).astype(np.int32)


def translate_label_canvas(translator, path):
    """A label-map model's translation of a drawing or an upload: a grey PNG of IDs is read as IDs, a colour
    picture through the palette. Instance boundaries, when the model reads them, are the class boundaries
    (each region its own instance)."""
    label_nc = translator.spec.label_nc
    if image_mode(path) in ID_MODES and image_mode(path) != "P":
        ids = np.asarray(read_id_map(path))
    else:
        ids = colours_to_labels(read_upload(path), label_nc)
    ids = ids.astype(np.int32)
    try:
        return translator.translate(Image.fromarray(ids, "I"),
                                    instance=Image.fromarray(ids, "I") if translator.coding.instance_edges else None)
    except UserInputError as error:
        raise gr.Error(str(error)) from None


def example_label_maps(sample_folder, cache_folder):
    """Paths of up to EXAMPLES label maps cut from the sample set's A|B pairs (B: labels), or []."""
    if not os.path.isdir(sample_folder):
        return []
    os.makedirs(cache_folder, exist_ok=True)
    paths = []
    for path in list_image_files(sample_folder, "examples", log=lambda line: None)[:EXAMPLES]:
        pair = read_rgb(path)
        destination = os.path.join(cache_folder, os.path.basename(os.path.splitext(path)[0]) + "_labels.png")
        if not os.path.isfile(destination):
            pair.crop((pair.width // 2, 0, pair.width, pair.height)).save(destination)
        paths.append(destination)
    return paths


def read_upload(path):
    """The picture a user gave (a path from the page), or a gr.Error saying why it cannot be translated."""
    if not path:
        raise gr.Error("Draw on the canvas or upload an image first.")
    try:
        width, height = upright_size(path)
        if width * height > MAX_PIXELS:
            raise gr.Error(f"The image is {width}x{height}, more than the {MAX_PIXELS // 10**6} Mpixels this page "
                           "translates: use predict.py, which translates any size in tiles.")
        return read_rgb(path)
    except UnreadableImageError as error:
        raise gr.Error(f"The upload is not an image this page can read: {error}.") from None


def make_translate(translator):
    """The page's callback: (canvas value, uploaded file, test mode, seed) -> (output picture, a line on the
    time taken). An uploaded file is read here (so any format Pillow reads, and a clear message for the rest);
    else the canvas."""
    def translate(editor_value, upload, test_mode, seed):
        path = upload or (editor_value or {}).get("composite") or (editor_value or {}).get("background")
        picture = None if translator.spec.label_nc else read_upload(path)
        if picture is None and not path:
            raise gr.Error("Draw on the canvas or upload a label map first.")
        try:
            translator.set_test_mode(test_mode)
        except UserInputError as error:
            raise gr.Error(str(error)) from None
        seed_everything(int(seed))
        started = time.perf_counter()
        output = translate_label_canvas(translator, path) if picture is None else translator.translate(picture)
        seconds = time.perf_counter() - started
        return output, (f"Translated {output.width}x{output.height} in {seconds:.2f} s on {translator.backend} "
                        f"({test_mode} mode, seed {int(seed)}).")
    return translate


def canvas_and_brush(palette, examples):
    """(the picture the canvas opens on: an example's path, a PIL image or None; its brush; the line telling what
    to draw) for a --palette."""
    if palette == "cityscapes":
        road = tuple(int(c) for c in label_palette(len(CITYSCAPES_NAMES))[CITYSCAPES_NAMES.index("road")])
        return (Image.new("RGB", (2 * CANVAS_SIZE, CANVAS_SIZE), road), cityscapes_brush(),
                "Draw a street scene in Cityscapes' label colours (or upload a label-ID map)")
    if palette == "facades":
        return (examples[0] if examples else Image.new("RGB", (CANVAS_SIZE, CANVAS_SIZE), PALETTE["background"]),
                label_brush(), "Draw a label map with the facade colours, or upload an image")
    return examples[0] if examples else None, None, "Upload an image"


def build_page(translator, title, eval_mode="train", seed=1, palette="facades", examples=()):
    """The Gradio Blocks of the demo around `translator` (src.translation.translator.Translator); palette:
    the canvas's colours (facades, cityscapes or none)."""
    # The page opens on the first example, translated, so a visitor sees what the model does at once.
    canvas, brush, what = canvas_and_brush(palette, examples)
    canvas_size = upright_size(canvas) if isinstance(canvas, str) else canvas.size if canvas else (CANVAS_SIZE,) * 2
    with gr.Blocks(title=title) as page:
        gr.Markdown(f"## {title}\n{what}, then Translate. Any size is translated (large images in tiles).")
        with gr.Row():
            source = gr.ImageEditor(value=canvas, type="filepath", image_mode="RGB", label="input", brush=brush,
                                    canvas_size=canvas_size,
                                    sources=("upload", "clipboard"))
            output = gr.Image(type="pil", label="output", format="png")
        upload = gr.File(label="or translate an image file (any size and format)", type="filepath", height=140)
        with gr.Row():
            test_mode = gr.Radio(list(TEST_MODES), value=eval_mode, label="test-time mode (train: the paper's)")
            seed_box = gr.Number(value=seed, precision=0, label="seed")
            button = gr.Button("Translate", variant="primary")
        timing = gr.Markdown()
        translate = make_translate(translator)
        button.click(translate, [source, upload, test_mode, seed_box], [output, timing], api_name="translate")
        if examples:
            gr.Examples([[path] for path in examples], [source], label="label maps from the sample set")
        if examples or palette == "cityscapes":
            page.load(translate, [source, upload, test_mode, seed_box], [output, timing], api_name=False)
    return page
