"""CycleGAN's history of generated pictures (Shrivastava et al. 2017; the reference's util/image_pool.py): the
discriminators see past fakes as well as the newest, which steadies training. Kept on the host; its draws come
from a generator the caller seeds per step, so a resumed run draws as an uninterrupted one."""
import numpy as np


class ImagePool:
    """Up to `size` past fakes, float32 (C, H, W) each. Until full, query returns each new fake and stores it;
    once full, each fake is swapped for a stored one with probability one half (the stored one is returned),
    else returned as it is. size 0: query returns its input."""

    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, images, rng):
        """The fakes the discriminator judges for a batch `images` (N, C, H, W), drawn with `rng` (a numpy
        Generator) as the reference's random.uniform(0, 1) > 0.5 and random.randint(0, size - 1)."""
        if self.size == 0:
            return images
        returned = []
        for image in np.asarray(images, np.float32):
            if len(self.images) < self.size:
                self.images.append(image.copy())
                returned.append(image)
            elif rng.random() > 0.5:
                index = int(rng.integers(0, self.size))
                returned.append(self.images[index])
                self.images[index] = image.copy()
            else:
                returned.append(image)
        return np.stack(returned)

    def state(self):
        """The stored fakes, oldest slot first, for a training checkpoint."""
        return list(self.images)

    def load_state(self, images):
        self.images = [np.asarray(image, np.float32) for image in images][:self.size]
