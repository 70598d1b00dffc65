"""The reference's 'linear' learning-rate policy, applied per epoch."""


def linear_decay_lr(epoch, base_lr, n_epochs, n_epochs_decay):
    """Learning rate of 1-based `epoch`: base_lr for epochs 1..n_epochs, then linear decay.

    Epoch n_epochs + k (1 <= k <= n_epochs_decay) uses base_lr * (1 - k / (n_epochs_decay + 1)), so the
    rate falls by equal steps and would reach 0 just after the last epoch, as the reference
    (pytorch-CycleGAN-and-pix2pix, LambdaLR stepped at the end of each epoch).
    """
    if epoch < 1:
        raise ValueError(f"epochs count from 1, got {epoch}")
    past_constant = max(0, epoch - n_epochs)
    return base_lr * max(0.0, 1.0 - past_constant / (n_epochs_decay + 1))
