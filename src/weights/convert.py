"""Convert published generators into checkpoints of this repository: the reference's PyTorch .pth files
(pix2pix and CycleGAN) and the official MindSpore ModelZoo Pix2Pix's Generator_*.ckpt.

The reference's generators are ours layer for layer (see generator_names). The ModelZoo's U-Net nests its
blocks as the reference does, but concatenates each skip connection after the upsampled features instead
of before, and its outermost transposed convolution has no bias: its up convolutions' input channels are
swapped back into our order (the two halves of every concatenated input) and that bias is zero, so the
same function is computed.
"""
import numpy as np
import mindspore as ms

from src.models.checkpoint import read_checkpoint, save_generator_checkpoint
from src.models.networks import build_generator, generator_architecture
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from src.weights.generator_names import IGNORED_SUFFIXES, TORCH_PARAMETER_NAMES, infer_generator, reference_names
from src.weights.torch_checkpoint import read_torch_weights

# The ModelZoo names its weights as MindSpore does, as we do.
MODELZOO_PARAMETER_NAMES = {name: name for name in TORCH_PARAMETER_NAMES}
# Prefixes a whole state dict may carry: nn.DataParallel's, and the ModelZoo's Pix2Pix cell's (netG.).
WRAPPER_PREFIXES = ("module.", "netG.")


def _strip_wrappers(state):
    for prefix in WRAPPER_PREFIXES:
        if state and all(key.startswith(prefix) for key in state):
            state = {key[len(prefix):]: value for key, value in state.items()}
    return state


def select_network(state, network, path):
    """The state dict of one network: the file's own, or --network NAME of a file holding several."""
    nested = {name: value for name, value in state.items() if isinstance(value, dict)}
    if not nested:
        if network:
            raise UserInputError(f"'{path}' holds one network, not several: leave out --network")
        return _strip_wrappers(state)
    if not network:
        raise UserInputError(f"'{path}' holds several networks ({', '.join(nested)}): say which generator with "
                             f"--network (e.g. --network {next(iter(nested))})")
    if network not in nested:
        raise UserInputError(f"'{path}' has no network '{network}'; it holds {', '.join(nested)}")
    return _strip_wrappers(nested[network])


def read_published_weights(path, network=None):
    """(state dict {key: NumPy array}, source 'reference' or 'modelzoo') of a .pth/.pt file (PyTorch) or a
    MindSpore .ckpt (the ModelZoo's)."""
    if path.lower().endswith(".ckpt"):
        contents = read_checkpoint(path)
        state = {name: value.asnumpy() for name, value in contents.items() if isinstance(value, ms.Parameter)}
        return _strip_wrappers(state), "modelzoo"
    return select_network(read_torch_weights(path), network, path), "reference"


def generator_spec(state, source, overrides, log=print):
    """The ModelSpec of the generator in `state`: what its keys show, then `overrides` ({netG, norm_mode,
    use_dropout: value or None}, the settings the user gave)."""
    spec = infer_generator(state, source)
    if source == "modelzoo":
        spec["use_dropout"] = False  # the ModelZoo builds its generator without dropout
    found = dict(spec)
    spec.update({key: value for key, value in overrides.items() if value is not None})
    if spec.get("label_nc") is not None:
        spec["instance_edges"] = label_input_edges(spec["in_channels"], spec["label_nc"])
    if spec["use_dropout"] is None:
        spec["use_dropout"] = True  # a U-Net's dropout has no weights; the reference's pix2pix models use it
    if spec["norm_mode"] == "none":
        raise UserInputError("the convolutions have neither a norm layer nor biases: not a reference generator")
    log("Found " + ", ".join(f"{key} {value}" for key, value in found.items() if value is not None)
        + (" (dropout: unseen in the weights, " + ("on, as the reference's pix2pix" if spec["use_dropout"] else "off")
           + ")" if found["use_dropout"] is None else "")
        + "".join(f"; --{key} {value} given" for key, value in overrides.items() if value is not None))
    return ModelSpec(**spec)


def label_input_edges(in_channels, label_nc):
    """Whether a generator of `in_channels` inputs reading `label_nc` classes also reads instance boundaries."""
    if label_nc and in_channels - label_nc not in (0, 1):
        raise UserInputError(f"--label_nc {label_nc} does not fit a generator of {in_channels} input channels (label_nc, "
                             "or label_nc + 1 with instance boundaries)")
    return bool(label_nc) and in_channels == label_nc + 1


def _modelzoo_order(name, value):
    """A ModelZoo weight in our layout: up convolutions fed a concatenation get their input halves swapped."""
    concatenated_input = name.startswith("output_block.") or (name.startswith("decoder.")
                                                              and not name.startswith("decoder.0."))
    if concatenated_input and name.endswith(".weight"):
        half = value.shape[0] // 2
        return np.concatenate([value[half:], value[:half]], axis=0)
    return value


def place_weights(generator, state, spec, source):
    """Copy `state` into `generator` (of ModelSpec `spec`); every weight of ours must be found with its shape, and every key of
    theirs used. Raises UserInputError naming what does not fit."""
    kind, depth = generator_architecture(spec.netG)
    names = reference_names(generator, kind, depth,
                            MODELZOO_PARAMETER_NAMES if source == "modelzoo" else TORCH_PARAMETER_NAMES)
    used = set()
    for parameter in generator.get_parameters():
        key = names[parameter.name]
        if key not in state:
            if source == "modelzoo" and parameter.name == "output_block.1.bias":
                parameter.set_data(ms.Tensor(np.zeros(parameter.shape, np.float32)))  # the ModelZoo has none
                continue
            raise UserInputError(f"no weight '{key}' for {parameter.name} {tuple(parameter.shape)}: another "
                                 "generator (give --netG, --norm_mode)?")
        value = np.asarray(state[key], np.float32)
        if tuple(value.shape) != tuple(parameter.shape):
            raise UserInputError(f"'{key}' is {tuple(value.shape)} but {spec.netG} needs {tuple(parameter.shape)} "
                                 f"for {parameter.name}: another generator (give --netG, --norm_mode)?")
        if source == "modelzoo":
            value = _modelzoo_order(parameter.name, value)
        parameter.set_data(ms.Tensor(np.ascontiguousarray(value)))
        used.add(key)
    stats = ("running_mean", "running_var", "moving_mean", "moving_variance") if spec.norm_mode == "instance" else ()
    unplaced = [key for key in state if key not in used and not key.endswith(IGNORED_SUFFIXES + stats)]
    if unplaced:
        raise UserInputError(f"{len(unplaced)} key(s) have no place in {spec.netG}: {', '.join(unplaced[:5])}"
                             + (" ..." if len(unplaced) > 5 else ""))


def convert_generator(path, output, overrides, network=None, log=print):
    """Convert the generator weights in `path` into our generator checkpoint `output`; returns its ModelSpec."""
    state, source = read_published_weights(path, network)
    spec = generator_spec(state, source, overrides, log)
    generator = build_generator(spec)
    place_weights(generator, state, spec, source)
    save_generator_checkpoint(output, generator, spec, epoch=0, step=0)
    return spec
