"""predict.py: translate users' own images (single images, not A|B pairs) of any size with a trained
generator, through the Translator (padding, tiles, backends), into PNG files."""
import os
import time

from src.dataset.image_io import UnreadableImageError, read_rgb
from src.dataset.label_maps import LabelMaps, read_id_map
from src.dataset.label_sources import LabelFolders
from src.dataset.pair_sources import list_image_files, stem
from src.kernels.choice import start_convolutions
from src.models.networks import require_size_multiples, spec_from_settings
from src.translation.translator import Translator
from src.utils.device import seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.output_folders import make_output_folder, results_folder
from src.utils.tools import format_duration, save_image_atomic, write_json_atomic


def _input_files(input_path, log):
    if not input_path:
        raise UserInputError("--input_path is not set: pass an image file or a folder of images to translate")
    if os.path.isfile(input_path):
        return [input_path]
    return list_image_files(input_path, "input_path", log)


def _is_labels_layout(path):
    return os.path.isdir(path) and any(os.path.isdir(os.path.join(path, name)) for name in ("label", "test_label"))


def predict_inputs(input_path, label_model, log):
    """[(path, read)] of what to translate: image files, or for a label-map model its label maps, from a
    labels-layout folder (label/ with inst/, or NVIDIA's test_label/ with test_inst/) or plain label files.
    `read()` gives the picture or the LabelMaps."""
    if label_model and _is_labels_layout(input_path or ""):
        source = LabelFolders(input_path, "input_path", log=log, need_targets=False)
        return [(files[0], lambda index=index: source.load_maps(index)) for index, files in enumerate(source.files)]
    files = _input_files(input_path, log)
    if label_model:
        return [(path, lambda path=path: LabelMaps(read_id_map(path), None, stem(path))) for path in files]
    return [(path, lambda path=path: read_rgb(path)) for path in files]


def load_translator(config, log=print):
    """The Translator of config.ckpt in test mode config.eval_mode on config.backend, the tile sizes checked
    against its generator."""
    setup_device(config.device_target, config.device_id, config.mode)
    if config.backend == "mindspore":  # ONNX Runtime computes its own convolutions
        start_convolutions(config.conv_kernel, log, config.device_target, precision=config.cpu_precision)
    seed_everything(config.seed, deterministic=True)
    translator = Translator.from_checkpoint(config.ckpt, config.eval_mode, config.backend, config.tile_size,
                                            config.tile_overlap, spec_from_settings(config, with_discriminator=False), log,
                                            config.direction)
    require_size_multiples(config, translator.spec, ("tile_size", "tile_overlap"))
    return translator


def predict(config, log=print):
    """predict.py: translate config.input_path with config.ckpt; returns the summary dict.

    Unreadable files among good ones are skipped with a warning and counted; the run fails only when
    nothing could be translated.
    """
    translator = load_translator(config, log)
    files = predict_inputs(config.input_path, bool(translator.spec.label_nc), log)
    output_dir = results_folder(config.output_path, "predict", config.ckpt)
    make_output_folder(output_dir)
    translated, skipped, started = [], [], time.perf_counter()
    for number, (path, read) in enumerate(files, 1):
        try:
            image = read()
        except (UnreadableImageError, UserInputError) as error:
            skipped.append(path)
            log(f"warning: skipping '{path}': {error}")
            continue
        begun = time.perf_counter()
        output = translator.translate(image)
        destination = os.path.join(output_dir, stem(path) + ".png")
        save_image_atomic(output, destination)
        translated.append(destination)
        remaining = (time.perf_counter() - started) / number * (len(files) - number)
        log(f"[{number}/{len(files)}] {os.path.basename(path)} ({image.size[0]}x{image.size[1]}) -> {destination} "
            f"in {time.perf_counter() - begun:.2f} s, ETA {format_duration(remaining)}")
    if not translated:
        raise UserInputError(f"none of the {len(files)} file(s) in '{config.input_path}' could be read as an image")
    summary = {"translated": len(translated), "skipped": len(skipped), "skipped_files": skipped,
               "eval_mode": config.eval_mode, "backend": config.backend, "output_dir": output_dir,
               "checkpoint": config.ckpt}
    write_json_atomic(summary, os.path.join(output_dir, "summary.json"))
    config.save(os.path.join(output_dir, "config.yaml"))
    log(f"Translated {len(translated)} image(s) into {output_dir}" +
        (f"; skipped {len(skipped)} unreadable file(s)" if skipped else ""))
    return summary
