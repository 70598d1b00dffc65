"""The VGG19 weights of the perceptual loss (--vgg_weights): torchvision's ImageNet `vgg19` file (.pth, read
without PyTorch and without running anything in it; only its `features.*` tensors are used, so a file
holding just those works too) or a MindSpore .ckpt with the same `features.N.weight` / `.bias` names.

data/download_pretrained.sh vgg19 fetches torchvision's file.
"""
import numpy as np
import mindspore as ms

from src.models.vgg_loss import PerceptualLoss, VGG19Features
from src.utils.errors import UserInputError
from src.weights.weight_files import read_weights_file

VGG19_FILE = "vgg19-dcbb9e9d.pth"
# Prefixes a saved feature extractor may carry (nn.DataParallel's, a whole vgg19 model's or a loss cell's).
PREFIXES = ("module.", "vgg.", "")


def read_vgg_state(path):
    """{name: NumPy array} of the weight file at `path` (.pth/.pt or .ckpt)."""
    if not path:
        raise UserInputError("--lambda_vgg is above 0 but --vgg_weights is not set: give torchvision's vgg19 file "
                             f"({VGG19_FILE}, see data/download_pretrained.sh vgg19) or set --lambda_vgg 0")
    return read_weights_file(path, "vgg_weights")


def _features_key(state, index, kind):
    for prefix in PREFIXES:
        key = f"{prefix}features.{index}.{kind}"
        if key in state:
            return key
    return None


def load_vgg19_features(path):
    """A VGG19Features network holding the weights of `path`; UserInputError naming a missing tensor or one
    of another shape."""
    state = read_vgg_state(path)
    network = VGG19Features()
    for index, conv in network.convs:
        for kind, parameter in (("weight", conv.weight), ("bias", conv.bias)):
            key = _features_key(state, index, kind)
            if key is None:
                raise UserInputError(f"--vgg_weights '{path}' has no 'features.{index}.{kind}': not torchvision's "
                                     f"vgg19 weights (see data/download_pretrained.sh vgg19)")
            value = np.asarray(state[key], np.float32)
            if value.shape != tuple(parameter.shape):
                raise UserInputError(f"--vgg_weights '{path}': 'features.{index}.{kind}' is {value.shape}, VGG19 "
                                     f"needs {tuple(parameter.shape)}: another network's weights (vgg16?), not vgg19")
            parameter.set_data(ms.Tensor(np.ascontiguousarray(value)))
    return network


def build_perceptual_loss(path, out_channels):
    """pix2pixHD's VGG loss with the weights of `path`, for RGB outputs."""
    if out_channels != 3:
        raise UserInputError(f"--lambda_vgg compares RGB pictures through VGG19, but the model outputs {out_channels} "
                             "channel(s): set --lambda_vgg 0")
    return PerceptualLoss(load_vgg19_features(path))
