"""The model spec a checkpoint or an export carries: typed, and read back from every version of its dict form."""
import json

import pytest

from src.models.spec import SPEC_VERSION, ModelSpec
from src.utils.config import Config
from src.utils.errors import UserInputError

SETTINGS = {"dataset_mode": "aligned", "input_nc": 1, "output_nc": 3, "netG": "resnet_6blocks", "ngf": 32,
            "norm_mode": "instance", "no_dropout": True, "netD": "pixel", "ndf": 16, "n_layers_D": 3, "label_nc": 0,
            "no_instance": False}


def test_the_settings_describe_the_spec_and_colorization_fixes_the_channels():
    spec = ModelSpec.from_settings(Config(SETTINGS))
    assert spec == ModelSpec(1, 3, False, "resnet_6blocks", 32, "instance", False, "pixel", 16, 3)
    generator_only = ModelSpec.from_settings(Config(dict(SETTINGS, dataset_mode="colorization")), with_discriminator=False)
    assert (generator_only.in_channels, generator_only.out_channels, generator_only.colorization) == (1, 2, True)
    assert (generator_only.netD, generator_only.ndf, generator_only.n_layers_D) == (None, None, None)
    with_options = ModelSpec.from_settings(Config(dict(SETTINGS, n_blocks_extra=4)), option_keys=["n_blocks_extra"])
    assert with_options.options == {"n_blocks_extra": 4}


def test_the_dict_form_is_versioned_json_and_reads_back_the_same_spec():
    spec = ModelSpec.from_settings(Config(SETTINGS))
    stored = json.loads(json.dumps(spec.to_dict()))
    assert stored["version"] == SPEC_VERSION == 2 and ModelSpec.from_dict(stored) == spec


def test_version_1_dicts_read_as_the_same_model():
    flat = {"in_channels": 3, "out_channels": 3, "netG": "unet_32", "ngf": 4, "norm_mode": "batch", "use_dropout": True,
            "colorization": False, "netD": "n_layers", "ndf": 4, "n_layers_D": 2}
    assert ModelSpec.from_dict(flat) == ModelSpec(3, 3, False, "unet_32", 4, "batch", True, "n_layers", 4, 2)
    without_colorization = dict(flat)
    del without_colorization["colorization"]
    assert ModelSpec.from_dict(without_colorization).colorization is False
    oldest = dict(without_colorization, num_downs=7, n_layers_D=0)
    del oldest["netG"], oldest["netD"]
    assert (ModelSpec.from_dict(oldest).netG, ModelSpec.from_dict(oldest).netD) == ("unet_128", "pixel")


@pytest.mark.parametrize("values, message", [
    ({"version": 3, "netG": "unet_32"}, "has model spec version 3; this version of the code reads versions 1 and 2"),
    ({"version": 2, "netG": "unet_32", "depth": 4}, "has settings this version does not know: depth"),
    (["unet_32"], "is not a model spec"),
])
def test_a_spec_this_code_cannot_read_is_named(values, message):
    with pytest.raises(UserInputError, match=message):
        ModelSpec.from_dict(values, "'model.ckpt'")
