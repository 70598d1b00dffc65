"""Published weights: reading PyTorch files without running them (torch_checkpoint), the reference's names
for our layers (generator_names), converting the reference's, pix2pixHD's and the ModelZoo's generators into
our checkpoints (convert) and the VGG19 weights of the perceptual loss (vgg_weights).

Owns weights from elsewhere. May import models and utils.
"""
