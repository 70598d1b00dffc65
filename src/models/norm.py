"""Normalisation layers shared by the generator and the discriminator."""
from mindspore import nn

NORM_MODES = ("batch", "instance")


def make_norm_layer(norm_mode, num_channels):
    """Return a normalisation cell over `num_channels` feature maps (NCHW).

    batch: BatchNorm2d with affine gamma/beta; momentum 0.9 here equals PyTorch's 0.1.
    instance: per-sample, per-channel normalisation without affine parameters, as the
    reference's InstanceNorm2d(affine=False). GroupNorm with one channel per group computes
    exactly that and, unlike nn.InstanceNorm2d, runs on CPU as well as GPU and Ascend.
    """
    if norm_mode == "batch":
        return nn.BatchNorm2d(num_channels, momentum=0.9, eps=1e-5)
    if norm_mode == "instance":
        return nn.GroupNorm(num_channels, num_channels, eps=1e-5, affine=False)
    raise ValueError(f"norm_mode must be one of {NORM_MODES}, got {norm_mode!r}")


def conv_has_bias(norm_mode):
    """Convs followed by batch norm carry no bias (BN's beta replaces it); with instance norm they do."""
    return norm_mode == "instance"
