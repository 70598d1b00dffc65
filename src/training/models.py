"""The door for models (--model): each entry names the class that builds a model's networks, step, losses and
epoch picture (the Trainer drives any of them the same way), the settings only it reads, and the defaults it
trains with unless the run sets them. A third model is a new module with its class and one line below."""
from src.training.cycle_gan_model import CycleGANModel
from src.training.pix2pix_model import Pix2PixModel
from src.utils.registry import Entry, Registry
from src.utils.setting_rules import COUNT, WEIGHT

# CycleGAN's recipe (the reference's cycle_gan_model defaults and its train options).
CYCLE_GAN_DEFAULTS = {"netG": "resnet_9blocks", "norm_mode": "instance", "no_dropout": True, "gan_mode": "lsgan",
                      "dataset_mode": "unaligned", "direction": "AtoB", "output_path": "outputs/cycle_gan",
                      "train_data_dir": "data/sample_unpaired"}
MODELS = Registry("model", [
    Entry("pix2pix", Pix2PixModel),
    Entry("cycle_gan", CycleGANModel, defaults=CYCLE_GAN_DEFAULTS,
          settings={"lambda_A": WEIGHT, "lambda_B": WEIGHT, "lambda_identity": WEIGHT, "pool_size": COUNT,
                    "serial_batches": (True, False)}),
])
MODEL_NAMES = MODELS.names()
