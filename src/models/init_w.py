"""Weight initialisation as in the reference implementation's init_weights()."""
from mindspore import nn
from mindspore.common.initializer import HeNormal, Normal, Orthogonal, XavierNormal, Zero, initializer

INIT_TYPES = ("normal", "xavier", "kaiming", "orthogonal")


def _weight_initializer(init_type, gain):
    if init_type == "normal":
        return Normal(sigma=gain, mean=0.0)  # MindSpore's Normal takes sigma first: be explicit
    if init_type == "xavier":
        return XavierNormal(gain=gain)
    if init_type == "kaiming":
        return HeNormal(negative_slope=0, mode="fan_in")  # like the reference, ignores gain
    if init_type == "orthogonal":
        return Orthogonal(gain=gain)
    raise ValueError(f"init_type must be one of {INIT_TYPES}, got {init_type!r}")


def init_weights(network, init_type="normal", init_gain=0.02):
    """Initialise `network` in place and return it.

    Conv and transposed-conv weights: N(0, init_gain) (or xavier/kaiming/orthogonal); biases 0.
    Batch-norm gamma ~ N(1, init_gain) and beta 0, as the reference (not the constant 1 of
    MindSpore's default). Draws come from the global seed (mindspore.set_seed).
    """
    weight_init = _weight_initializer(init_type, init_gain)
    for _, cell in network.cells_and_names():
        if isinstance(cell, (nn.Conv2d, nn.Conv2dTranspose)):
            cell.weight.set_data(initializer(weight_init, cell.weight.shape, cell.weight.dtype))
            if cell.bias is not None:
                cell.bias.set_data(initializer(Zero(), cell.bias.shape, cell.bias.dtype))
        elif isinstance(cell, nn.BatchNorm2d):
            cell.gamma.set_data(initializer(Normal(sigma=init_gain, mean=1.0), cell.gamma.shape, cell.gamma.dtype))
            cell.beta.set_data(initializer(Zero(), cell.beta.shape, cell.beta.dtype))
    return network
