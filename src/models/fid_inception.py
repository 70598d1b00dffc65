"""pytorch-fid's FID Inception v3 (the TensorFlow FID network, `pt_inception-2015-12-05`), as far as the
features of --fid_dims need: blocks 0..3 of pytorch_fid.inception.InceptionV3, with its FIDInceptionA/C/E_1/E_2
patches (average pools that leave the padding out, a max pool in the last block).

Every BasicConv2d (conv without bias, batch norm with eps 1e-3, ReLU) runs as one conv with a bias: the
weights loader folds the batch norm's running statistics into it, which is what eval mode computes. Cell and
parameter names follow pytorch-fid's (`Mixed_5b.branch1x1.conv.weight`), so the loader maps them one to one.
"""
from collections import OrderedDict

import mindspore.nn as nn
import mindspore.ops as ops

from src.kernels.direct_conv import DirectConv2d

# --fid_dims: the features pytorch-fid takes for each dimensionality, by the index of their block.
BLOCK_INDEX_BY_DIM = {64: 0, 192: 1, 768: 2, 2048: 3}
# The input side pytorch-fid resizes every picture to.
INPUT_SIZE = 299


class BasicConv2d(nn.Cell):
    """Conv (batch norm folded into its bias) + ReLU; padding is (height, width)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=(0, 0)):
        super().__init__()
        padding = (padding, padding) if isinstance(padding, int) else padding
        self.conv = DirectConv2d(in_channels, out_channels, kernel_size, stride, pad_mode="pad",
                                 padding=(padding[0], padding[0], padding[1], padding[1]), has_bias=True)
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.relu(self.conv(x))


def _pool_without_padding():
    """TensorFlow's 3x3 average pool: the zeros of the padding do not count (FID patches of pytorch-fid)."""
    return nn.AvgPool2d(3, 1, pad_mode="pad", padding=1, count_include_pad=False)


class FIDInceptionA(nn.Cell):
    def __init__(self, in_channels, pool_features):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, 1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.pool = _pool_without_padding()
        self.branch_pool = BasicConv2d(in_channels, pool_features, 1)

    def construct(self, x):
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return ops.cat((self.branch1x1(x), branch5x5, branch3x3dbl, self.branch_pool(self.pool(x))), 1)


class InceptionB(nn.Cell):
    """Mixed_6a: halves the grid."""

    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)
        self.pool = nn.MaxPool2d(3, 2, pad_mode="valid")

    def construct(self, x):
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return ops.cat((self.branch3x3(x), branch3x3dbl, self.pool(x)), 1)


class FIDInceptionC(nn.Cell):
    def __init__(self, in_channels, channels_7x7):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, (1, 7), padding=(0, 3))
        self.pool = _pool_without_padding()
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def construct(self, x):
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = self.branch7x7dbl_1(x)
        branch7x7dbl = self.branch7x7dbl_3(self.branch7x7dbl_2(branch7x7dbl))
        branch7x7dbl = self.branch7x7dbl_5(self.branch7x7dbl_4(branch7x7dbl))
        return ops.cat((self.branch1x1(x), branch7x7, branch7x7dbl, self.branch_pool(self.pool(x))), 1)


class InceptionD(nn.Cell):
    """Mixed_7a: halves the grid."""

    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)
        self.pool = nn.MaxPool2d(3, 2, pad_mode="valid")

    def construct(self, x):
        branch7x7x3 = self.branch7x7x3_2(self.branch7x7x3_1(x))
        branch7x7x3 = self.branch7x7x3_4(self.branch7x7x3_3(branch7x7x3))
        return ops.cat((self.branch3x3_2(self.branch3x3_1(x)), branch7x7x3, self.pool(x)), 1)


class FIDInceptionE(nn.Cell):
    """FIDInceptionE_1 (average pool without padding) or, with max_pool, FIDInceptionE_2 (pytorch-fid keeps
    the TensorFlow graph's max pool there)."""

    def __init__(self, in_channels, max_pool=False):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 320, 1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.pool = nn.MaxPool2d(3, 1, pad_mode="pad", padding=1) if max_pool else _pool_without_padding()
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def construct(self, x):
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = ops.cat((self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)), 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = ops.cat((self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)), 1)
        return ops.cat((self.branch1x1(x), branch3x3, branch3x3dbl, self.branch_pool(self.pool(x))), 1)


def _blocks(last_block):
    """pytorch-fid's blocks 0..last_block, as (attribute name, cell) in order."""
    blocks = [[("Conv2d_1a_3x3", BasicConv2d(3, 32, 3, stride=2)), ("Conv2d_2a_3x3", BasicConv2d(32, 32, 3)),
               ("Conv2d_2b_3x3", BasicConv2d(32, 64, 3, padding=1)), ("maxpool1", nn.MaxPool2d(3, 2))],
              [("Conv2d_3b_1x1", BasicConv2d(64, 80, 1)), ("Conv2d_4a_3x3", BasicConv2d(80, 192, 3)),
               ("maxpool2", nn.MaxPool2d(3, 2))],
              [("Mixed_5b", FIDInceptionA(192, 32)), ("Mixed_5c", FIDInceptionA(256, 64)),
               ("Mixed_5d", FIDInceptionA(288, 64)), ("Mixed_6a", InceptionB(288)),
               ("Mixed_6b", FIDInceptionC(768, 128)), ("Mixed_6c", FIDInceptionC(768, 160)),
               ("Mixed_6d", FIDInceptionC(768, 160)), ("Mixed_6e", FIDInceptionC(768, 192))],
              [("Mixed_7a", InceptionD(768)), ("Mixed_7b", FIDInceptionE(1280)),
               ("Mixed_7c", FIDInceptionE(2048, max_pool=True))]]
    return [layer for block in blocks[:last_block + 1] for layer in block]


class FIDInceptionV3(nn.Cell):
    """Features of `dims` (64, 192, 768 or 2048) per picture: (N, 3, 299, 299) in [-1, 1] -> (N, dims), the
    output of pytorch-fid's block BLOCK_INDEX_BY_DIM[dims] averaged over its grid (the final average pool for
    2048)."""

    def __init__(self, dims=2048):
        super().__init__()
        self.dims = dims
        # Parameters are named layers.<pytorch-fid's name>, e.g. layers.Mixed_5b.branch1x1.conv.weight.
        self.layers = nn.SequentialCell(OrderedDict(_blocks(BLOCK_INDEX_BY_DIM[dims])))

    def construct(self, x):
        return self.layers(x).mean(axis=(2, 3))
