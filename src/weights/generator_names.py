"""Where each weight of our generators sits in the reference's state dicts (and the ModelZoo's, which
nest their U-Net the same way), and which generator a state dict describes.

The reference's UnetGenerator nests one UnetSkipConnectionBlock per level under `model.model.`: level k > 0
sits at `model.model.1.model.` followed by `3.model.` per further level; a middle block is [LeakyReLU,
down conv (1), down norm (2), submodule (3), ReLU, up conv (5), up norm (6), Dropout], the innermost
[LeakyReLU, down conv (1), ReLU, up conv (3), up norm (4)], the outermost [down conv (0), submodule (1),
ReLU, up conv (3), Tanh]. Ours lists the same layers flat: encoder.K (conv .0 at level 0, else .1, norm .2),
decoder.M (M = depth - 1 - K; conv .1, norm .2) and output_block.1. The ResNet generator has the same
indices in both (`model.I` / `layers.I`), with `conv_block` / `block` in residual blocks and the upsampling
convolutions one cell deeper here (`layers.I.conv`). pix2pixHD's generators (NVIDIA/pix2pixHD) have ours'
indices too: the global part `model.I`, and each local enhancer n's `model{n}_1.I` / `model{n}_2.I`, which
are our enhancer_downsample.{n-1}.I / enhancer_upsample.{n-1}.I.
"""
import re

from src.utils.errors import UserInputError

# Our parameter name -> the reference's (PyTorch) for the same tensor.
TORCH_PARAMETER_NAMES = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias",
                         "moving_mean": "running_mean", "moving_variance": "running_var"}
# Entries of PyTorch state dicts that are no weights of ours: the batch counter, and the running statistics
# that PyTorch before 0.4 kept for InstanceNorm (the reference deletes them when it loads).
IGNORED_SUFFIXES = ("num_batches_tracked",)


def unet_level_prefix(level):
    """The reference's key prefix of U-Net level `level` (0 = outermost)."""
    return "model.model." + "".join("1.model." if k == 0 else "3.model." for k in range(level))


def unet_layer_names(depth):
    """[(our layer prefix, reference layer prefix)] for a U-Net of `depth` levels (conv and norm layers)."""
    pairs = [("encoder.0.0", unet_level_prefix(0) + "0"), ("output_block.1", unet_level_prefix(0) + "3")]
    for level in range(1, depth):
        prefix, decoder = unet_level_prefix(level), f"decoder.{depth - 1 - level}"
        pairs.append((f"encoder.{level}.1", prefix + "1"))
        if level < depth - 1:
            pairs += [(f"encoder.{level}.2", prefix + "2"), (f"{decoder}.1", prefix + "5"), (f"{decoder}.2", prefix + "6")]
        else:
            pairs += [(f"{decoder}.1", prefix + "3"), (f"{decoder}.2", prefix + "4")]
    return pairs


def resnet_layer_name(our_prefix):
    """The reference's layer prefix of one of our ResNet generator's layers."""
    name = re.sub(r"^layers\.", "model.", our_prefix)
    return re.sub(r"\.conv$", "", name.replace(".block.", ".conv_block."))


def hd_layer_name(our_prefix):
    """pix2pixHD's layer prefix of one of our global or local generator's layers."""
    name = re.sub(r"^enhancer_(down|up)sample\.(\d+)\.",
                  lambda found: f"model{int(found[2]) + 1}_{1 if found[1] == 'down' else 2}.", our_prefix)
    return re.sub(r"\.conv$", "", name.replace(".block.", ".conv_block."))


def reference_names(generator, kind, depth, parameter_names=TORCH_PARAMETER_NAMES):
    """{our parameter name: the reference's key} for every parameter of `generator` (kind 'unet', 'resnet',
    'global' or 'local'; `depth`: a U-Net's levels); `parameter_names` maps our last name part to theirs."""
    layers = dict(unet_layer_names(depth)) if kind == "unet" else None
    names = {}
    for parameter in generator.get_parameters():
        prefix, _, last = parameter.name.rpartition(".")
        theirs = (layers.get(prefix) if layers is not None else
                  hd_layer_name(prefix) if kind in ("global", "local") else resnet_layer_name(prefix))
        if theirs is None:
            raise ValueError(f"no reference name for {parameter.name}")
        names[parameter.name] = f"{theirs}.{parameter_names[last]}"
    return names


def _unet_depth(state):
    depth = 1
    while f"{unet_level_prefix(depth)}1.weight" in state:
        depth += 1
    return depth


def _block_indices(state, prefix):
    """Sorted indices I of the residual blocks `{prefix}I.conv_block.*` in a state dict."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.conv_block\.")
    return sorted({int(found[1]) for found in (pattern.match(key) for key in state) if found})


def infer_hd_generator(state, norm_weight="weight"):
    """The spec of a pix2pixHD GlobalGenerator or LocalEnhancer state dict, or None for another generator. A
    global generator is told from the reference's ResNet (the same layout) by its downsamplings: the
    ResNet always has 2, so its first block is model.10."""
    enhancers = 0
    while f"model{enhancers + 1}_1.1.weight" in state:
        enhancers += 1
    blocks = _block_indices(state, "model.")
    if "model.1.weight" not in state or not blocks or (not enhancers and blocks[0] == 10):
        return None
    first = state["model.1.weight"]
    n_downsample = (blocks[0] - 4) // 3
    options = {"n_downsample_global": n_downsample, "n_blocks_global": len(blocks)}
    if enhancers:
        local_blocks = _block_indices(state, f"model{enhancers}_2.")
        last = state[f"model{enhancers}_2.{len(local_blocks) + 4}.weight"]
        options.update(n_local_enhancers=enhancers, n_blocks_local=len(local_blocks))
        ngf = int(first.shape[0]) // 2 ** enhancers
    else:
        last = state[f"model.{blocks[-1] + 3 * n_downsample + 2}.weight"]
        ngf = int(first.shape[0])
    # pix2pixHD's inputs are label maps with instance boundaries unless told otherwise (its --label_nc 35).
    return {"netG": "local" if enhancers else "global", "ngf": ngf, "in_channels": int(first.shape[1]),
            "label_nc": int(first.shape[1]) - 1, "instance_edges": True,
            "out_channels": int(last.shape[0]), "norm_mode": "batch" if f"model.2.{norm_weight}" in state else "instance",
            "use_dropout": False, "options": options}


def infer_generator(state, source="reference"):
    """The generator spec a reference (or ModelZoo, `source` 'modelzoo') state dict describes, from its keys
    and shapes: U-Net depth or ResNet blocks, ngf, channels, norm, and dropout where the keys show it
    (ResNet; a U-Net's dropout has no weights and is left to the caller, as None). Raises UserInputError
    for a discriminator's weights or keys of no known generator."""
    norm_weight = "gamma" if source == "modelzoo" else "weight"
    hd = infer_hd_generator(state, norm_weight)
    if hd:
        return hd
    if "model.model.0.weight" in state:
        depth, first = _unet_depth(state), state["model.model.0.weight"]
        level_1 = unet_level_prefix(1)
        norm = "batch" if f"{level_1}2.{norm_weight}" in state else (
            "instance" if f"{level_1}1.bias" in state else "none")
        return {"netG": f"unet_{2 ** depth}", "ngf": int(first.shape[0]), "in_channels": int(first.shape[1]),
                "out_channels": int(state["model.model.3.weight"].shape[1]), "norm_mode": norm, "use_dropout": None}
    if "model.1.weight" in state and tuple(state["model.1.weight"].shape[2:]) == (7, 7):
        blocks = sorted({int(match[1]) for match in (re.match(r"model\.(\d+)\.conv_block\.", key) for key in state)
                         if match})
        first = state["model.1.weight"]
        norm = "batch" if f"model.2.{norm_weight}" in state else ("instance" if "model.1.bias" in state else "none")
        last = state[f"model.{len(blocks) + 17}.weight"] if f"model.{len(blocks) + 17}.weight" in state else None
        return {"netG": f"resnet_{len(blocks)}blocks", "ngf": int(first.shape[0]), "in_channels": int(first.shape[1]),
                "out_channels": int(last.shape[0]) if last is not None else 3, "norm_mode": norm,
                "use_dropout": f"model.{blocks[0]}.conv_block.6.weight" in state if blocks else False}
    if any(re.match(r"(model|net)\.\d+\.weight$", key) for key in state) and all(
            getattr(value, "ndim", 0) != 4 or value.shape[2:] in ((4, 4), (1, 1)) for value in state.values()):
        raise UserInputError("these are a discriminator's weights (NLayerDiscriminator / PixelDiscriminator), not "
                             "a generator's: convert the generator's file (e.g. latest_net_G.pth)")
    raise UserInputError("the keys are those of no pix2pix or CycleGAN generator (expected model.model.0.weight "
                         f"for a U-Net or model.1.weight for a ResNet); first keys: {', '.join(list(state)[:5])}")
