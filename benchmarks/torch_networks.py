"""The reference implementation's networks in PyTorch, with its module structure and parameter names
(junyanz/pytorch-CycleGAN-and-pix2pix, models/networks.py): UnetGenerator, ResnetGenerator,
NLayerDiscriminator and init_weights('normal').

Used by the PyTorch peer of benchmark.py and by tests/fixtures/make_torch_fixtures.py. Needs PyTorch, which
the project does not depend on (`pip install torch==2.13.0` in another environment).
"""
import functools

import torch
from torch import nn


def norm_layer(kind):
    """The reference's get_norm_layer: batch (affine, running statistics) or instance (neither)."""
    if kind == "batch":
        return functools.partial(nn.BatchNorm2d, affine=True, track_running_stats=True)
    return functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)


class UnetSkipConnectionBlock(nn.Module):
    """X -> [down, submodule, up] -> concat(X, result): one level of the reference's U-Net."""

    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 norm="batch", use_dropout=False):
        super().__init__()
        self.outermost = outermost
        use_bias = norm == "instance"
        input_nc = input_nc or outer_nc
        downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
        downrelu, uprelu = nn.LeakyReLU(0.2, True), nn.ReLU(True)
        downnorm, upnorm = norm_layer(norm)(inner_nc), norm_layer(norm)(outer_nc)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
            model = [downconv, submodule, uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv, uprelu, upconv, upnorm]
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm]
            model += [nn.Dropout(0.5)] if use_dropout else []
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    """The reference's UnetGenerator, built from the innermost block outwards (keys 'model.model.*')."""

    def __init__(self, input_nc=3, output_nc=3, num_downs=8, ngf=64, norm="batch", use_dropout=True):
        super().__init__()
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
        for _ in range(num_downs - 5):
            block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=block, norm=norm, use_dropout=use_dropout)
        for outer in (4, 2, 1):
            block = UnetSkipConnectionBlock(ngf * outer, ngf * outer * 2, submodule=block, norm=norm)
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True,
                                             norm=norm)

    def forward(self, x):
        return self.model(x)


class ResnetBlock(nn.Module):
    """x + conv_block(x), reflection padding (keys 'conv_block.*')."""

    def __init__(self, dim, norm, use_dropout):
        super().__init__()
        use_bias = norm == "instance"
        block = [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm_layer(norm)(dim), nn.ReLU(True)]
        block += [nn.Dropout(0.5)] if use_dropout else []
        block += [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm_layer(norm)(dim)]
        self.conv_block = nn.Sequential(*block)

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """The reference's ResnetGenerator: 7x7 conv, two downsamplings, n_blocks ResnetBlocks, two
    upsamplings (ConvTranspose2d, output_padding 1), 7x7 conv, tanh (keys 'model.*')."""

    def __init__(self, input_nc=3, output_nc=3, ngf=64, norm="batch", use_dropout=False, n_blocks=9):
        super().__init__()
        use_bias = norm == "instance"
        model = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7, bias=use_bias), norm_layer(norm)(ngf), nn.ReLU(True)]
        for level in range(2):
            channels = ngf * 2 ** level
            model += [nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1, bias=use_bias),
                      norm_layer(norm)(channels * 2), nn.ReLU(True)]
        model += [ResnetBlock(ngf * 4, norm, use_dropout) for _ in range(n_blocks)]
        for level in (2, 1):
            channels = ngf * 2 ** level
            model += [nn.ConvTranspose2d(channels, channels // 2, 3, stride=2, padding=1, output_padding=1,
                                         bias=use_bias), norm_layer(norm)(channels // 2), nn.ReLU(True)]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    """The reference's NLayerDiscriminator (70x70 PatchGAN for n_layers 3; keys 'model.*')."""

    def __init__(self, input_nc=6, ndf=64, n_layers=3, norm="batch"):
        super().__init__()
        layers = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        multiple, use_bias = 1, norm == "instance"
        for n in range(1, n_layers + 1):
            previous, multiple = multiple, min(2 ** n, 8)
            layers += [nn.Conv2d(ndf * previous, ndf * multiple, 4, 2 if n < n_layers else 1, 1, bias=use_bias),
                       norm_layer(norm)(ndf * multiple), nn.LeakyReLU(0.2, True)]
        layers.append(nn.Conv2d(ndf * multiple, 1, 4, 1, 1))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def init_weights(module, gain=0.02):
    """The reference's init_weights('normal'): conv weights N(0, gain), biases 0, batch norm N(1, gain) and 0."""
    name = module.__class__.__name__
    if hasattr(module, "weight") and ("Conv" in name or "Linear" in name):
        nn.init.normal_(module.weight, 0.0, gain)
        if module.bias is not None:
            nn.init.constant_(module.bias, 0.0)
    elif "BatchNorm2d" in name:
        nn.init.normal_(module.weight, 1.0, gain)
        nn.init.constant_(module.bias, 0.0)
