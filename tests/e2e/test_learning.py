"""A tiny model trained briefly on the sample set really learns label -> photo on held-out pairs."""
import mindspore as ms
import pytest

from src.evaluation.evaluator import evaluate_generator
from tests.conftest import folder_pairs
from src.models.networks import build_generator
from src.models.networks import spec_from_settings
from src.settings import load_config
from src.training.trainer import Trainer
from tests.conftest import TINY_MODEL_FLAGS

pytestmark = pytest.mark.e2e


def test_held_out_l1_falls_below_its_start_and_below_the_input_baseline(sample_root, tmp_path):
    config = load_config(["--train_data_dir", str(sample_root / "train"), "--val_data_dir", str(sample_root / "val"),
                          "--output_path", str(tmp_path / "run"), "--n_epochs", "10", "--n_epochs_decay", "5",
                          "--log_interval", "100", "--save_checkpoint_epochs", "100", "--seed", "2",
                          *TINY_MODEL_FLAGS, "--ngf", "16", "--ndf", "16"], "train")
    ms.set_seed(config.seed)
    untrained = build_generator(spec_from_settings(config))
    start = evaluate_generator(untrained, folder_pairs(config.val_data_dir, config.crop_size, config.direction),
                               str(tmp_path / "start"), "eval", log=lambda message: None)
    trained = Trainer(config).run()
    assert trained["num_images"] == start["num_images"] == 4
    assert trained["l1"] < 0.75 * start["l1"], (start, trained)
    assert trained["l1"] < trained["baseline_l1"], trained
    assert trained["psnr"] > start["psnr"] and trained["ssim"] > start["ssim"]
