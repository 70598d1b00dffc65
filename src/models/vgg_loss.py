"""pix2pixHD's VGG19 perceptual loss (NVIDIA/pix2pixHD models/networks.py, VGGLoss): the L1 distances of
G(A) and B through the first 30 layers of torchvision's VGG19 `features`, at relu1_1, relu2_1, relu3_1,
relu4_1 and relu5_1, weighted 1/32, 1/16, 1/8, 1/4 and 1. As pix2pixHD, the images go in as they are, in
[-1, 1], without ImageNet's normalisation. The VGG weights are fixed (read by src/weights/vgg_weights.py).
"""
from mindspore import nn, ops

from src.models.layers import conv2d

# torchvision's vgg19 `features` up to relu5_1: channels of each conv, "M" a 2x2 max pool.
VGG19_LAYOUT = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512)
# Where pix2pixHD's five slices end (exclusive), as indices into `features`.
SLICE_ENDS = (2, 7, 12, 21, 30)
SLICE_WEIGHTS = (1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0)


def vgg19_layers():
    """torchvision's vgg19().features[:30] as (index, cell) pairs: conv 3x3 (padding 1, bias) -> ReLU, and
    2x2 max pools."""
    layers, channels = [], 3
    for item in VGG19_LAYOUT:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [conv2d(channels, item, 3, 1, 1, True), nn.ReLU()]
            channels = item
    return list(enumerate(layers[:SLICE_ENDS[-1]]))


class VGG19Features(nn.Cell):
    """construct(x), x (N, 3, H, W) -> the five slices' outputs (relu1_1 .. relu5_1). `convs` lists
    (torchvision index, conv) for loading weights; the weights take no gradient."""

    def __init__(self):
        super().__init__()
        layers = vgg19_layers()
        starts = (0,) + SLICE_ENDS[:-1]
        self.slices = nn.CellList([nn.SequentialCell([cell for index, cell in layers if start <= index < end])
                                   for start, end in zip(starts, SLICE_ENDS)])
        self.convs = [(index, cell) for index, cell in layers if isinstance(cell, nn.Conv2d)]
        for parameter in self.get_parameters():
            parameter.requires_grad = False

    def construct(self, x):
        outputs = ()
        for block in self.slices:
            x = block(x)
            outputs = outputs + (x,)
        return outputs


class PerceptualLoss(nn.Cell):
    """construct(fake_b, real_b), both (N, 3, H, W) in [-1, 1] -> sum_i w_i * mean|VGG_i(fake) - VGG_i(real)|,
    the real features held fixed."""

    def __init__(self, vgg):
        super().__init__()
        self.vgg = vgg

    def construct(self, fake_b, real_b):
        fake_features, real_features = self.vgg(fake_b), self.vgg(real_b)
        total = 0.0
        for weight, fake, real in zip(SLICE_WEIGHTS, fake_features, real_features):
            total = total + weight * ops.abs(fake - ops.stop_gradient(real)).mean()
        return total
