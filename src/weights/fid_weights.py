"""The FID Inception weights (--fid_weights): pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (read
without PyTorch, nothing in it runs) or a MindSpore .ckpt with the same names. Each BasicConv2d's batch norm
(eps 1e-3, running statistics) is folded into its conv: w * gamma / sqrt(var + eps), beta - mean * that.

data/download_pretrained.sh fid_inception fetches pytorch-fid's file.
"""
import numpy as np
import mindspore as ms

from src.models.fid_inception import FIDInceptionV3
from src.utils.errors import UserInputError
from src.weights.weight_files import read_weights_file

FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
BATCH_NORM_EPS = 1e-3
GET_THEM = f"pytorch-fid's {FID_WEIGHTS_FILE} (bash data/download_pretrained.sh fid_inception)"


def _tensor(state, key, shape, path):
    if key not in state:
        raise UserInputError(f"--fid_weights '{path}' has no '{key}': not the FID Inception weights; use {GET_THEM}")
    value = np.asarray(state[key], np.float64)
    if value.shape != tuple(shape):
        raise UserInputError(f"--fid_weights '{path}': '{key}' is {value.shape}, the FID Inception needs "
                             f"{tuple(shape)}; use {GET_THEM}")
    return value


def _refuse_torchvision_inception(state, path):
    """torchvision's ImageNet Inception has the same layer names but other weights (and 1000 classes, an
    auxiliary head): its distances would not compare with anyone's FID."""
    classes = np.shape(state.get("fc.weight", np.zeros((1008, 0))))[0]
    if classes != 1008 or any(key.startswith("AuxLogits.") for key in state):
        raise UserInputError(f"--fid_weights '{path}' is an ImageNet Inception v3 ({classes} classes), not the FID "
                             f"Inception of TensorFlow's FID; use {GET_THEM}")


def fold_batch_norm(state, prefix, conv_shape, path):
    """(weight, bias) float32 of the conv `prefix`.conv with `prefix`.bn folded in."""
    weight = _tensor(state, f"{prefix}.conv.weight", conv_shape, path)
    channels = (conv_shape[0],)
    gamma, beta, mean, variance = (_tensor(state, f"{prefix}.bn.{kind}", channels, path)
                                   for kind in ("weight", "bias", "running_mean", "running_var"))
    scale = gamma / np.sqrt(variance + BATCH_NORM_EPS)
    return ((weight * scale[:, None, None, None]).astype(np.float32),
            (beta - mean * scale).astype(np.float32))


def load_fid_inception(path, dims=2048):
    """An FIDInceptionV3 of `dims` features in eval mode holding the weights of `path`; UserInputError naming
    a missing tensor, one of another shape, or another Inception's file."""
    state = read_weights_file(path, "fid_weights")
    _refuse_torchvision_inception(state, path)
    network = FIDInceptionV3(dims)
    parameters = dict(network.parameters_and_names())
    for name, parameter in parameters.items():
        if not name.endswith(".conv.weight"):
            continue
        prefix = name[len("layers."):-len(".conv.weight")]
        weight, bias = fold_batch_norm(state, prefix, tuple(parameter.shape), path)
        parameter.set_data(ms.Tensor(weight))
        parameters[name[:-len("weight")] + "bias"].set_data(ms.Tensor(bias))
    network.set_train(False)
    return network
