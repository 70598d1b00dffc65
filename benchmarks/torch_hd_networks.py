"""pix2pixHD's networks and objective in PyTorch, with its module structure and parameter names
(NVIDIA/pix2pixHD, models/networks.py and pix2pixHD_model.py, rebuilt from the published architecture):
GlobalGenerator, LocalEnhancer, the multi-scale discriminator with intermediate features, the LSGAN loss
summed over scales, the discriminator feature matching, the VGG19 perceptual loss, and one training step in
this repository's order (D step, then G step against the updated D).

The peer of benchmark.py for --netG global / local and of tests/fixtures/make_torch_fixtures.py. Needs
PyTorch, which the project does not depend on (`pip install torch==2.13.0` in another environment).
VGG19 is built here from torchvision's layout (no torchvision needed); its weights come from the caller.
"""
import torch
from torch import nn

VGG19_LAYOUT = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512)
SLICE_ENDS = (2, 7, 12, 21, 30)
SLICE_WEIGHTS = (1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0)


def norm_layer(kind):
    return (lambda channels: nn.BatchNorm2d(channels, affine=True)) if kind == "batch" else (
        lambda channels: nn.InstanceNorm2d(channels, affine=False))


class ResnetBlock(nn.Module):
    """x + [reflect 1, conv 3x3, norm, ReLU, reflect 1, conv 3x3, norm](x) (keys 'conv_block.*')."""

    def __init__(self, dim, norm):
        super().__init__()
        self.conv_block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), norm_layer(norm)(dim),
                                        nn.ReLU(True), nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3),
                                        norm_layer(norm)(dim))

    def forward(self, x):
        return x + self.conv_block(x)


def global_modules(input_nc, output_nc, ngf, n_downsampling, n_blocks, norm):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7), norm_layer(norm)(ngf), nn.ReLU(True)]
    for i in range(n_downsampling):
        mult = 2 ** i
        layers += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1), norm_layer(norm)(ngf * mult * 2),
                   nn.ReLU(True)]
    layers += [ResnetBlock(ngf * 2 ** n_downsampling, norm) for _ in range(n_blocks)]
    for i in range(n_downsampling):
        mult = 2 ** (n_downsampling - i)
        layers += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1),
                   norm_layer(norm)(ngf * mult // 2), nn.ReLU(True)]
    return layers + [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]


class GlobalGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, ngf=64, n_downsampling=4, n_blocks=9, norm="instance"):
        super().__init__()
        self.model = nn.Sequential(*global_modules(input_nc, output_nc, ngf, n_downsampling, n_blocks, norm))

    def forward(self, x):
        return self.model(x)


class LocalEnhancer(nn.Module):
    """Keys 'model.*' (the global part), 'model{n}_1.*' and 'model{n}_2.*' (enhancer n)."""

    def __init__(self, input_nc, output_nc, ngf=32, n_downsample_global=4, n_blocks_global=9, n_local_enhancers=1,
                 n_blocks_local=3, norm="instance"):
        super().__init__()
        self.n_local_enhancers = n_local_enhancers
        coarse = global_modules(input_nc, output_nc, ngf * 2 ** n_local_enhancers, n_downsample_global,
                                n_blocks_global, norm)
        self.model = nn.Sequential(*coarse[:-3])
        for n in range(1, n_local_enhancers + 1):
            width = ngf * 2 ** (n_local_enhancers - n)
            down = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, width, 7), norm_layer(norm)(width), nn.ReLU(True),
                    nn.Conv2d(width, width * 2, 3, stride=2, padding=1), norm_layer(norm)(width * 2), nn.ReLU(True)]
            up = [ResnetBlock(width * 2, norm) for _ in range(n_blocks_local)]
            up += [nn.ConvTranspose2d(width * 2, width, 3, stride=2, padding=1, output_padding=1),
                   norm_layer(norm)(width), nn.ReLU(True)]
            if n == n_local_enhancers:
                up += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
            setattr(self, f"model{n}_1", nn.Sequential(*down))
            setattr(self, f"model{n}_2", nn.Sequential(*up))
        self.downsample = nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)

    def forward(self, x):
        pyramid = [x]
        for _ in range(self.n_local_enhancers):
            pyramid.append(self.downsample(pyramid[-1]))
        output = self.model(pyramid[-1])
        for n in range(1, self.n_local_enhancers + 1):
            scale_input = pyramid[self.n_local_enhancers - n]
            output = getattr(self, f"model{n}_2")(getattr(self, f"model{n}_1")(scale_input) + output)
        return output


class MultiscaleDiscriminator(nn.Module):
    """num_D PatchGANs (4x4 convs, padding 2) with intermediate features; keys 'scale{i}_layer{j}.*', scale
    num_D - 1 judging the full size."""

    def __init__(self, input_nc, ndf=64, n_layers=3, norm="instance", num_D=2):
        super().__init__()
        self.num_D, self.n_layers = num_D, n_layers
        for i in range(num_D):
            for j, stage in enumerate(self.stages(input_nc, ndf, n_layers, norm)):
                setattr(self, f"scale{i}_layer{j}", nn.Sequential(*stage))
        self.downsample = nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)

    @staticmethod
    def stages(input_nc, ndf, n_layers, norm):
        stages = [[nn.Conv2d(input_nc, ndf, 4, stride=2, padding=2), nn.LeakyReLU(0.2, True)]]
        nf = ndf
        for n in range(1, n_layers + 1):
            previous, nf = nf, min(nf * 2, 512)
            stages.append([nn.Conv2d(previous, nf, 4, stride=2 if n < n_layers else 1, padding=2),
                           norm_layer(norm)(nf), nn.LeakyReLU(0.2, True)])
        return stages + [[nn.Conv2d(nf, 1, 4, stride=1, padding=2)]]

    def forward(self, x):
        result = []
        for i in range(self.num_D):
            features = [x]
            for j in range(self.n_layers + 2):
                features.append(getattr(self, f"scale{self.num_D - 1 - i}_layer{j}")(features[-1]))
            result.append(features[1:])
            if i != self.num_D - 1:
                x = self.downsample(x)
        return result


class Vgg19Slices(nn.Module):
    """torchvision's vgg19().features[:30] in pix2pixHD's five slices; keys 'features.N.*' via `features`."""

    def __init__(self):
        super().__init__()
        layers, channels = [], 3
        for item in VGG19_LAYOUT:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU(True)]
                channels = item
        self.features = nn.Sequential(*layers[:SLICE_ENDS[-1]])
        for parameter in self.parameters():
            parameter.requires_grad = False

    def forward(self, x):
        outputs, start = [], 0
        for end in SLICE_ENDS:
            for index in range(start, end):
                x = self.features[index](x)
            outputs.append(x)
            start = end
        return outputs


def vgg_loss(vgg, x, y):
    x_vgg, y_vgg = vgg(x), vgg(y)
    return sum(w * nn.functional.l1_loss(a, b.detach()) for w, a, b in zip(SLICE_WEIGHTS, x_vgg, y_vgg))


def lsgan_loss(outputs, target_is_real):
    return sum(nn.functional.mse_loss(scale[-1], torch.full_like(scale[-1], 1.0 if target_is_real else 0.0))
               for scale in outputs)


def feature_matching_loss(fake_outputs, real_outputs, num_D, n_layers_D):
    weight = (1.0 / num_D) * (4.0 / (n_layers_D + 1))
    return sum(weight * nn.functional.l1_loss(fake[j], real[j].detach())
               for fake, real in zip(fake_outputs, real_outputs) for j in range(len(fake) - 1))


def train_step(generator, discriminator, optimizer_g, optimizer_d, real_a, real_b, lambda_feat=10.0, lambda_vgg=10.0,
               vgg=None, lambda_l1=0.0):
    """One D step then one G step (this repository's order); returns ((loss_d, gan, l1, feat, vgg), D's gradients
    of its own step {name: tensor}, as G's step adds to them)."""
    fake_b = generator(real_a)
    optimizer_d.zero_grad()
    loss_d = 0.5 * (lsgan_loss(discriminator(torch.cat([real_a, real_b], 1)), True)
                    + lsgan_loss(discriminator(torch.cat([real_a, fake_b.detach()], 1)), False))
    loss_d.backward()
    optimizer_d.step()
    gradients_d = {name: parameter.grad.clone() for name, parameter in discriminator.named_parameters()}
    optimizer_g.zero_grad()
    fake_outputs = discriminator(torch.cat([real_a, fake_b], 1))
    gan = lsgan_loss(fake_outputs, True)
    feat = feature_matching_loss(fake_outputs, discriminator(torch.cat([real_a, real_b], 1)), discriminator.num_D,
                                 discriminator.n_layers)
    perceptual = vgg_loss(vgg, fake_b, real_b) if vgg is not None else torch.zeros(())
    l1 = nn.functional.l1_loss(fake_b, real_b)
    (gan + lambda_feat * feat + lambda_vgg * perceptual + lambda_l1 * l1).backward()
    optimizer_g.step()
    return tuple(float(value.detach()) for value in (loss_d, gan, l1, feat, perceptual)), gradients_d
