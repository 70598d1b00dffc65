"""predict.py: translate users' own images (single images, not A|B pairs) of any size with a trained
generator, through the Translator (padding, tiles, backends), into PNG files."""
import os
import time

from src.dataset.image_io import UnreadableImageError, read_rgb
from src.dataset.pair_sources import list_image_files
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


def load_translator(config, log=print):
    """The Translator of config.ckpt in test mode config.eval_mode on config.backend, the tile sizes checked
    against its generator."""
    setup_device(config.device_target, config.device_id, config.mode)
    seed_everything(config.seed, deterministic=True)
    translator = Translator.from_checkpoint(config.ckpt, config.eval_mode, config.backend, config.tile_size,
                                            config.tile_overlap, spec_from_settings(config, with_discriminator=False), log)
    require_size_multiples(config, translator.spec, ("tile_size", "tile_overlap"))
    return translator


def predict(config, log=print):
    """predict.py: translate config.input_path with config.ckpt; returns the summary dict.

    Unreadable files among good ones are skipped with a warning and counted; the run fails only when
    nothing could be translated.
    """
    files = _input_files(config.input_path, log)
    translator = load_translator(config, log)
    output_dir = results_folder(config.output_path, "predict", config.ckpt)
    make_output_folder(output_dir)
    translated, skipped, started = [], [], time.perf_counter()
    for number, path in enumerate(files, 1):
        try:
            image = read_rgb(path)
        except UnreadableImageError as error:
            skipped.append(path)
            log(f"warning: skipping '{path}': {error}")
            continue
        begun = time.perf_counter()
        output = translator.translate(image)
        destination = os.path.join(output_dir, os.path.splitext(os.path.basename(path))[0] + ".png")
        save_image_atomic(output, destination)
        translated.append(destination)
        remaining = (time.perf_counter() - started) / number * (len(files) - number)
        log(f"[{number}/{len(files)}] {os.path.basename(path)} ({image.width}x{image.height}) -> {destination} "
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
