"""Published weights: reading PyTorch files without running them (torch_checkpoint), the reference's names
for our layers (generator_names) and converting the reference's and the ModelZoo's generators into our
checkpoints (convert).

Owns weights from elsewhere. May import models and utils.
"""
