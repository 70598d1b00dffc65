"""Checkpoints: full training state for --resume, and the generator alone for eval/export; rebuilding a
generator from a checkpoint and setting its test-time mode.

Every checkpoint is a MindSpore .ckpt whose parameter names start with 'generator.',
'discriminator.', 'optimizer_g.' or 'optimizer_d.', plus `model_spec` (json of the ModelSpec's
versioned dict form), `epoch` (epochs completed) and `step` (optimizer steps completed).
Files are written to a temporary name and renamed, so an interrupted save never replaces a
good checkpoint with a broken one.
"""
import hashlib
import json
import os
from dataclasses import dataclass, replace

import mindspore as ms

from src.models.networks import build_generator
from src.models.spec import ModelSpec, RunIdentity
from src.utils.errors import UserInputError, first_line
from src.utils.tools import atomic_write_path

CHECKPOINT_FORMAT = "pix2pix-mindspore-1"
# Test-time behaviour of a generator (--eval_mode, --export_mode): see set_test_mode.
TEST_MODES = ("train", "eval")


def relative_name(parameter, prefix):
    """A parameter's name inside its network: without the network's own '<prefix>.' when a container gave it
    one (CycleGAN's four networks sit in one cell)."""
    return parameter.name[len(prefix) + 1:] if parameter.name.startswith(prefix + ".") else parameter.name


def _optimizer_state(optimizer, networks, prefix):
    """{'<prefix>.<state name>': Parameter} for the optimizer's own state (moments, step, lr, ...), leaving out
    the weights of `networks` (the cells it updates)."""
    network_ids = {id(parameter) for network in networks for parameter in network.get_parameters()}
    state = {}
    for parameter in optimizer.get_parameters():
        if id(parameter) in network_ids:
            continue
        state[f"{prefix}.{relative_name(parameter, prefix)}"] = parameter
    return state


def _network_state(network, prefix):
    return {f"{prefix}.{relative_name(parameter, prefix)}": parameter for parameter in network.get_parameters()}


def _atomic_save(entries, path, extra):
    with atomic_write_path(path) as temporary:
        ms.save_checkpoint([{"name": name, "data": data} for name, data in entries.items()], temporary,
                           append_dict=dict(extra, format=CHECKPOINT_FORMAT))


def save_training_checkpoint(path, state, model_spec, lr_policy_state=None, run=None):
    """Save everything --resume needs to continue exactly: the networks and optimisers of `state` (a
    TrainingState or CycleGANState), its counters and other arrays (CycleGAN's pools), the model settings,
    the learning-rate policy's memory (a json-able dict, for --lr_policy plateau) and `run` (a RunIdentity:
    which model, trained which way)."""
    entries = {name: ms.Tensor(array) for name, array in getattr(state, "checkpoint_arrays", dict)().items()}
    for prefix, network in state.checkpoint_networks().items():
        entries.update(_network_state(network, prefix))
    for prefix, (optimizer, networks) in state.checkpoint_optimizers().items():
        entries.update(_optimizer_state(optimizer, networks, prefix))
    _atomic_save(entries, path, {"epoch": int(state.epoch), "step": int(state.step),
                                 "step_in_epoch": int(state.step_in_epoch),
                                 "model_spec": json.dumps(model_spec.to_dict()),
                                 "lr_policy_state": json.dumps(lr_policy_state or {}), **(run or RunIdentity()).entries()})


def save_generator_checkpoint(path, generators, model_spec, epoch, step, extra=None, run=None):
    """Save the generator alone (a quarter of the size) for evaluation, export and deployment: `generators`
    is G, or {checkpoint prefix: generator} (CycleGAN's 'generator' G_A and 'generator_b' G_B); `extra`: more
    string entries (generator_best.ckpt's `best`: its metric, score and epoch as json); `run`: a RunIdentity."""
    entries = {}
    for prefix, generator in (generators if isinstance(generators, dict) else {"generator": generators}).items():
        entries.update(_network_state(generator, prefix))
    _atomic_save(entries, path, dict(extra or {}, epoch=int(epoch), step=int(step),
                                     model_spec=json.dumps(model_spec.to_dict()), **(run or RunIdentity()).entries()))


def read_checkpoint(path):
    """Load a .ckpt into a dict, with a clear error for a missing or unreadable file."""
    if not path:
        raise UserInputError("no checkpoint given: pass --ckpt PATH (a generator or training checkpoint)")
    if os.path.isdir(path):
        raise UserInputError(f"checkpoint '{path}' is a folder: pass the .ckpt file inside it")
    if not os.path.isfile(path):
        raise UserInputError(f"checkpoint '{path}' does not exist")
    try:
        return ms.load_checkpoint(path)
    except Exception as error:  # MindSpore raises several types for unreadable files
        raise UserInputError(f"'{path}' is not a readable MindSpore checkpoint ({first_line(error)})") from None


def checkpoint_model_spec(contents, path="the checkpoint"):
    """The ModelSpec stored in a checkpoint (any version of its dict form), or None for a checkpoint from
    elsewhere."""
    spec = contents.get("model_spec")
    if not isinstance(spec, str):
        return None
    try:
        values = json.loads(spec)
    except ValueError:
        raise UserInputError(f"'{path}' has a model_spec that is not JSON: not a checkpoint of this repository") \
            from None
    return ModelSpec.from_dict(values, f"'{path}'")


def checkpoint_counter(contents, key):
    value = contents.get(key)
    return int(value.asnumpy()) if value is not None else 0


def _entries(contents, prefix):
    """The checkpoint entries named '<prefix>.<name>', keyed by <name>."""
    return {name[len(prefix) + 1:]: value for name, value in contents.items() if name.startswith(prefix + ".")}


def _load_into(network, values, label, path):
    """Copy `values` ({parameter name inside the network: stored value}) into `network` (whose checkpoint
    prefix is `label`), checking every name and shape first."""
    names = {parameter.name: relative_name(parameter, label) for parameter in network.get_parameters()}
    missing = [names[parameter.name] for parameter in network.get_parameters() if names[parameter.name] not in values]
    if missing:
        raise UserInputError(f"checkpoint '{path}' does not fit the model: it has no {label} parameter "
                             f"'{missing[0]}' ({len(missing)} missing; different model settings?)")
    for parameter in network.get_parameters():
        stored = values[names[parameter.name]]
        if tuple(stored.shape) != tuple(parameter.shape):
            raise UserInputError(
                f"checkpoint '{path}' does not fit the model: {label} parameter {names[parameter.name]} has shape "
                f"{tuple(stored.shape)} there but {tuple(parameter.shape)} here (different netG/netD/ngf/ndf/norm_mode?)")
    for parameter in network.get_parameters():
        parameter.set_data(ms.Tensor(values[names[parameter.name]].asnumpy()))


def load_into_network(network, contents, prefix, path):
    """Load the entries '<prefix>.*' of a loaded checkpoint into `network`, checking names and shapes."""
    _load_into(network, _entries(contents, prefix), prefix, path)


def load_generator_weights(generator, contents, path):
    """Load generator weights from a training or generator checkpoint ('generator.*' names), or from
    a bare checkpoint of the UnetGenerator (names without prefix)."""
    prefixed = _entries(contents, "generator")
    if not prefixed:
        names = {parameter.name for parameter in generator.get_parameters()}
        if any(name.startswith("discriminator.") for name in contents) or not names & set(contents):
            kind = "a discriminator" if any(name.startswith(("discriminator.", "layers."))
                                            for name in contents) else "no generator weights"
            raise UserInputError(f"checkpoint '{path}' holds {kind}, not a pix2pix generator: pass "
                                 "checkpoints/generator_final.ckpt or a pix2pix_epoch_*.ckpt training checkpoint")
    _load_into(generator, prefixed if prefixed else contents, "generator", path)


def check_generator_channels(contents, spec, path, setting):
    """A generator checkpoint given by --`setting` maps as many channels as `spec` (the command's --input_nc,
    --output_nc): one UserInputError naming both otherwise. A checkpoint without a stored spec is left to the
    shape check of its weights."""
    stored = checkpoint_model_spec(contents, path)
    if stored is None or (stored.in_channels, stored.out_channels) == (spec.in_channels, spec.out_channels):
        return
    raise UserInputError(f"--{setting} '{path}' holds a generator of {stored.in_channels} -> {stored.out_channels} "
                         f"channels, but this run's is {spec.in_channels} -> {spec.out_channels} (--input_nc "
                         f"{spec.in_channels} --output_nc {spec.out_channels}): give --input_nc {stored.in_channels} "
                         f"--output_nc {stored.out_channels}, or a checkpoint of these channels")


def is_training_checkpoint(contents):
    """True when a loaded checkpoint holds the full training state (not only a generator)."""
    return any(name.startswith("optimizer_d.") for name in contents)


def _check_same_model(path, contents, model_spec):
    stored_spec = checkpoint_model_spec(contents, path)
    if stored_spec is None:
        return
    differences = stored_spec.differences(model_spec)
    if differences:
        raise UserInputError(f"checkpoint '{path}' was trained with " + ", ".join(differences) +
                             ": resume with the same model settings")


def restore_training_state(path, state, model_spec, model="pix2pix"):
    """Load a training checkpoint of --model `model` into `state` (a TrainingState or CycleGANState: networks,
    optimisers, counters and other arrays); return the learning-rate policy's state dict."""
    contents = read_checkpoint(path)
    if not is_training_checkpoint(contents):
        raise UserInputError(f"'{path}' is not a training checkpoint (no discriminator/optimiser state), so it "
                             "cannot be resumed; pass a checkpoints/pix2pix_epoch_*.ckpt file")
    stored_model = RunIdentity.of(contents).model
    if stored_model != model:
        raise UserInputError(f"checkpoint '{path}' is a --model {stored_model} training checkpoint: resume it with "
                             f"--model {stored_model}, not {model}")
    _check_same_model(path, contents, model_spec)
    for prefix, network in state.checkpoint_networks().items():
        _load_into(network, _entries(contents, prefix), prefix, path)
    for prefix, (optimizer, networks) in state.checkpoint_optimizers().items():
        for name, parameter in _optimizer_state(optimizer, networks, prefix).items():
            if name not in contents:
                raise UserInputError(f"checkpoint '{path}' lacks optimiser state '{name}'")
            parameter.set_data(ms.Tensor(contents[name].asnumpy()))
    if hasattr(state, "load_arrays"):
        state.load_arrays({name: value.asnumpy() for name, value in contents.items() if isinstance(value, ms.Tensor)})
    state.epoch, state.step, state.step_in_epoch = (checkpoint_counter(contents, key)
                                                    for key in ("epoch", "step", "step_in_epoch"))
    lr_policy_state = contents.get("lr_policy_state")
    return json.loads(lr_policy_state) if isinstance(lr_policy_state, str) else {}


def load_generator(path, fallback_spec, direction=None):
    """Rebuild the generator a checkpoint was trained with (its stored model settings; `fallback_spec` for
    a checkpoint from elsewhere that carries none) and load its weights. Returns (generator, model spec)."""
    loaded = load_translator_generator(path, fallback_spec, direction)
    return loaded.generator, loaded.spec


def load_translator_generator(path, fallback_spec, direction=None):
    """load_generator for a translation `direction` (None: the way the checkpoint trained): a cycle_gan
    checkpoint gives G_A for its own direction and G_B (B -> A) for the other. Returns (generator, its model
    spec, the RunIdentity with the direction it translates, its checkpoint prefix) as a LoadedGenerator."""
    contents = read_checkpoint(path)
    spec = checkpoint_model_spec(contents, path) or fallback_spec
    run = RunIdentity.of(contents)
    prefix = "generator"
    if run.model == "cycle_gan" and direction not in (None, run.direction):
        if not any(name.startswith("generator_b.") for name in contents):
            raise UserInputError(f"checkpoint '{path}' holds only G_A ({run.direction}): it cannot translate "
                                 f"{direction}")
        prefix, spec = "generator_b", spec.reversed()
    generator = build_generator(spec)
    if prefix == "generator":
        load_generator_weights(generator, contents, path)
    else:
        load_into_network(generator, contents, prefix, path)
    return LoadedGenerator(generator, spec, replace(run, direction=direction or run.direction), prefix)


@dataclass(frozen=True)
class LoadedGenerator:
    """A generator rebuilt from a checkpoint: its model spec, the run's identity (with the direction this
    generator translates) and the prefix it was stored under ('generator', or CycleGAN's 'generator_b')."""
    generator: object
    spec: ModelSpec
    run: RunIdentity
    prefix: str = "generator"

    def title(self):
        """'pix2pix', or which CycleGAN generator this is and its way: 'CycleGAN G_B (B -> A)'."""
        if self.run.model != "cycle_gan":
            return self.run.model
        generator = "G_B" if self.prefix == "generator_b" else "G_A"
        return f"CycleGAN {generator} ({' -> '.join(self.run.direction.split('to'))})"


def set_test_mode(generator, test_mode):
    """test_mode "train": batch norm on each input's own statistics and dropout on, as the paper and the
    reference's test.py (without --eval); "eval": running statistics and no dropout (see TEST_MODES)."""
    if test_mode not in TEST_MODES:
        raise ValueError(f"test mode must be one of {TEST_MODES}, got {test_mode!r}")
    generator.set_train(test_mode == "train")


def weights_digest(network):
    """A short sha256 of the trainable parameters of `network` (in name order): equal digests, equal
    weights. Batch-norm running statistics are left out: under data parallelism each rank keeps its own."""
    digest = hashlib.sha256()
    for parameter in sorted(network.trainable_params(), key=lambda p: p.name):
        digest.update(parameter.name.encode())
        digest.update(parameter.asnumpy().tobytes())
    return digest.hexdigest()[:16]
