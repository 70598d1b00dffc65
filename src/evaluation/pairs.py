"""The pairs an evaluation reads: a pair source of any layout, its test transform and the model's coding."""
from dataclasses import dataclass

import numpy as np
from PIL import Image

from src.dataset.image_coding import ImageCoding
from src.dataset.pair_dataset import check_instance_maps, create_eval_dataset, iterate_batches, open_pair_source
from src.dataset.pair_sources import PairSource
from src.dataset.transforms import Preprocess


@dataclass
class EvaluationPairs:
    """What an evaluation reads: the pairs (a pair source), their test transform and the model's coding."""
    source: PairSource
    preprocess: Preprocess
    coding: ImageCoding

    @classmethod
    def open(cls, dataset_mode, folder, direction, preprocess, coding, num_test=None, log=print):
        """The first num_test pairs (or all) of `folder` (--val_data_dir) read the --dataset_mode way."""
        source = open_pair_source(dataset_mode, folder, "val_data_dir", direction, log, limit=num_test)
        check_instance_maps(source, coding, "val_data_dir")
        return cls(source, preprocess, coding)

    def batches(self):
        """(A, B, index) float32 batches of one pair each, A and B (1, C, H, W)."""
        return iterate_batches(create_eval_dataset(self.source, self.preprocess, self.coding)
                               .create_tuple_iterator(num_epochs=1, output_numpy=True))

    def shown(self, picture, index):
        """A test picture resized to the aspect of pair `index`'s own image, which the test transform may
        have changed (resize_and_crop squares it)."""
        width, height = self.source.sizes[index]
        shown_width = max(1, int(round(picture.shape[0] * width / height)))
        if shown_width == picture.shape[1]:
            return picture
        return np.asarray(Image.fromarray(picture).resize((shown_width, picture.shape[0]), Image.BICUBIC))


def test_preprocess(config, multiple):
    """The test transform of config.preprocess at config.crop_size, sides rounded to `multiple`."""
    return Preprocess(config.preprocess, config.crop_size, config.crop_size, multiple, flip=False)
