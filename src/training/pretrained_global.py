"""--load_pretrain: a local-enhancer run (--netG local) starts from a trained global generator, as pix2pixHD's
train_1024p scripts start from label2city_512p. The global generator is given as a generator or training
checkpoint of this repository, a run folder of ours (its final generator, else its latest training
checkpoint), or a pix2pixHD checkpoint folder or file (latest_net_G.pth, converted as it is read)."""
import os

from src.models.checkpoint import load_generator
from src.models.hd_generator_model import OUTPUT_LAYERS
from src.models.networks import build_generator
from src.training.run_folder import RunFolder
from src.utils.errors import UserInputError
from src.weights.convert import generator_spec, place_weights, read_published_weights

PIX2PIXHD_GENERATOR_FILE = "latest_net_G.pth"


def pretrained_generator_path(path):
    """The checkpoint file `path` (a file, a run folder of ours or a pix2pixHD checkpoint folder) names."""
    if os.path.isfile(path):
        return path
    if not os.path.isdir(path):
        raise UserInputError(f"--load_pretrain '{path}' does not exist")
    folder = RunFolder(path)
    candidates = [folder.final_generator] + folder.training_checkpoints()[::-1] + [
        os.path.join(path, PIX2PIXHD_GENERATOR_FILE)]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise UserInputError(f"--load_pretrain '{path}' holds no generator: give a run folder of --netG global (with "
                         f"checkpoints/generator_final.ckpt), a checkpoint, or a folder with {PIX2PIXHD_GENERATOR_FILE}")


def read_pretrained_generator(path, log):
    """(generator, spec) of the checkpoint at `path`: ours, or pix2pixHD's .pth."""
    if path.lower().endswith((".pth", ".pt")):
        state, source = read_published_weights(path)
        spec = generator_spec(state, source, {}, log)
        generator = build_generator(spec)
        place_weights(generator, state, spec, source)
        return generator, spec
    return load_generator(path, None)


def load_pretrained_global(local_generator, local_spec, path, log=print):
    """Copy the global generator at `path` into `local_generator`'s global part (its `model.*` layers, all but
    the global generator's last three); UserInputError when it is not the global generator this local one
    wraps (ngf * 2**n_local_enhancers filters, the same channels, downsamplings and blocks)."""
    checkpoint = pretrained_generator_path(path)
    global_generator, global_spec = read_pretrained_generator(checkpoint, log)
    options = local_spec.options
    wanted = {"netG": "global", "ngf": local_spec.ngf * 2 ** options["n_local_enhancers"],
              "in_channels": local_spec.in_channels, "out_channels": local_spec.out_channels,
              "norm_mode": local_spec.norm_mode, "n_downsample_global": options["n_downsample_global"],
              "n_blocks_global": options["n_blocks_global"]}
    found = dict(vars(global_spec), **global_spec.options)
    differences = [f"{key} {found.get(key)} (needs {value})" for key, value in wanted.items() if found.get(key) != value]
    if differences:
        raise UserInputError(f"--load_pretrain '{checkpoint}' is not the global generator of this --netG local: it has "
                             + ", ".join(differences))
    weights = {parameter.name: parameter for parameter in global_generator.get_parameters()}
    for parameter in local_generator.get_parameters():
        if parameter.name.startswith("model."):
            parameter.set_data(weights[parameter.name].value())
    layers = len(global_generator.model) - OUTPUT_LAYERS
    log(f"Started the global part ({layers} layers) from {checkpoint}")
    return checkpoint
