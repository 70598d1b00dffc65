"""A user configures runs through default_config.yaml, a --config_path file and flags."""
import os

import pytest
import yaml

from src.models.networks import generator_size_multiple, spec_from_settings
from src.settings import CHOICES, COMMAND_SETTINGS, load_config
from src.utils.config import DEFAULT_CONFIG_PATH, read_yaml_documents
from src.utils.errors import UserInputError
from src.utils.lr_schedule import total_epochs

REPO_ROOT = os.path.dirname(DEFAULT_CONFIG_PATH)


def test_every_setting_has_exactly_one_help_line():
    values, helps = read_yaml_documents(DEFAULT_CONFIG_PATH)
    assert set(values) == set(helps)
    assert all(isinstance(text, str) and text.strip() for text in helps.values())
    assert set(CHOICES) <= set(values)
    assert all(values[key] is None or values[key] in allowed for key, allowed in CHOICES.items())


def test_defaults_are_the_paper_settings():
    config = load_config([], "train")
    assert (config.load_size, config.crop_size, config.batch_size) == (286, 256, 1)
    assert (config.netG, config.netD, config.ngf, config.ndf) == ("unet_256", "basic", 64, 64)
    assert (config.gan_mode, config.lr_policy) == ("vanilla", "linear")
    assert (config.lr, config.beta1, config.beta2, config.lambda_L1) == (0.0002, 0.5, 0.999, 100.0)
    epochs = total_epochs(config.n_epochs, config.n_epochs_decay, config.epoch_num)
    assert (config.n_epochs, config.n_epochs_decay, epochs) == (100, 100, 200)
    assert (config.norm_mode, config.no_dropout, config.init_type, config.init_gain) == ("batch", False, "normal", 0.02)


def test_flags_override_in_both_spellings_with_types_from_the_defaults():
    config = load_config(["--lr", "1", "--batch_size=4", "--no_flip", "true", "--epoch_num=5", "--resume", "null",
                          "--direction", "AtoB"], "train")
    assert config.lr == 1.0 and isinstance(config.lr, float)
    assert config.batch_size == 4 and config.no_flip is True and config.epoch_num == 5
    assert config.resume is None and config.direction == "AtoB"


def test_config_file_overrides_only_the_keys_it_lists(tmp_path):
    preset = tmp_path / "preset.yaml"
    preset.write_text("crop_size: 128\nload_size: 143\nnetG: unet_128\nlambda_L1: 50\n")
    config = load_config(["--config_path", str(preset), "--load_size", "150"], "train")
    assert (config.crop_size, config.load_size, config.lambda_L1, config.ngf) == (128, 150, 50.0, 64)


def test_quick_start_preset_is_valid():
    config = load_config(["--config_path", os.path.join(REPO_ROOT, "configs", "sample_facades.yaml")], "train")
    assert config.crop_size % generator_size_multiple(spec_from_settings(config)) == 0


# The paper's appendix 6.2: direction within the public archives, epochs in all, batch size.
PAPER_RECIPES = {"facades": ("BtoA", 200, 1), "maps": ("AtoB", 200, 1), "cityscapes": ("BtoA", 200, 1),
                 "edges2shoes": ("AtoB", 15, 4), "edges2handbags": ("AtoB", 15, 4), "night2day": ("AtoB", 17, 4)}


@pytest.mark.parametrize("name", sorted(PAPER_RECIPES))
def test_every_public_dataset_has_a_preset_with_the_papers_recipe(name):
    config = load_config(["--config_path", os.path.join(REPO_ROOT, "configs", f"{name}.yaml")], "train")
    epochs = total_epochs(config.n_epochs, config.n_epochs_decay, config.epoch_num)
    assert (config.direction, epochs, config.batch_size) == PAPER_RECIPES[name]
    assert (config.netG, config.netD, config.gan_mode, config.load_size, config.crop_size) == (
        "unet_256", "basic", "vanilla", 286, 256)
    assert config.train_data_dir == f"data/datasets/{name}/train" and config.output_path == f"outputs/{name}"
    with open(os.path.join(REPO_ROOT, "data", "download_Pix2Pix_dataset.sh"), encoding="utf-8") as handle:
        assert name in handle.read().split('NAMES="', 1)[1].split('"', 1)[0].split()


def test_the_pix2pixhd_presets_reproduce_nvidias_scripts():
    """train_512p.sh (its option defaults) and train_1024p_24G.sh, on NVIDIA's datasets/cityscapes layout."""
    low = load_config(["--config_path", os.path.join(REPO_ROOT, "configs", "cityscapes_hd_512p.yaml")], "train")
    high = load_config(["--config_path", os.path.join(REPO_ROOT, "configs", "cityscapes_hd_1024p.yaml")], "train")
    for config, netG, ngf, num_D, epochs in ((low, "global", 64, 2, 200), (high, "local", 32, 3, 100)):
        assert (config.netG, config.ngf, config.num_D, total_epochs(config.n_epochs, config.n_epochs_decay, None)) == (
            netG, ngf, num_D, epochs)
        assert (config.dataset_mode, config.label_nc, config.no_instance, config.norm_mode, config.gan_mode) == (
            "labels", 35, False, "instance", "lsgan")
        assert (config.lambda_L1, config.lambda_feat, config.lambda_vgg, config.n_blocks_global) == (0.0, 10.0, 10.0, 9)
    assert (low.preprocess, low.load_size, high.preprocess) == ("scale_width", 1024, "none")  # 1024x512, 2048x1024
    assert (high.load_pretrain, high.niter_fix_global) == (low.output_path, 10)
    assert spec_from_settings(low).in_channels == 36  # 35 one-hot labels + the instance boundaries


def test_pix2pixhd_networks_bring_their_defaults_unless_the_run_sets_them():
    base = ["--vgg_weights", "vgg.pth", "--crop_size", "256"]
    config = load_config(base + ["--netG", "global", "--netD", "multiscale"], "train")
    assert (config.norm_mode, config.no_dropout, config.lambda_vgg, config.gan_mode, config.lambda_L1) == (
        "instance", True, 10.0, "lsgan", 0.0)
    config = load_config(base + ["--netG", "global", "--netD", "multiscale", "--norm_mode", "batch", "--gan_mode",
                                 "vanilla", "--lambda_vgg", "0"], "train")
    assert (config.norm_mode, config.gan_mode, config.lambda_vgg) == ("batch", "vanilla", 0.0)
    assert load_config([], "train").norm_mode == "batch"  # pix2pix's own defaults stay


@pytest.mark.parametrize("argv, message", [
    (["--netG", "local", "--vgg_weights", "v.pth"], "--netG local starts from a trained global generator: give --load_pretrain"),
    (["--netG", "global", "--crop_size", "256"], "--lambda_vgg is 10 but --vgg_weights is not set"),
    (["--netD", "multiscale", "--gan_mode", "wgangp"], "--netD multiscale's halving average pool has no second derivative"),
    (["--niter_fix_global", "5"], "--niter_fix_global (5) trains the local enhancers alone: it needs --netG local"),
    (["--dataset_mode", "labels"], "--dataset_mode labels reads class-ID maps: give their number of classes with --label_nc"),
    (["--label_nc", "35"], "--label_nc 35 is for label maps: use --dataset_mode labels"),
    (["--num_D", "0"], "--num_D must be a positive integer"),
])
def test_pix2pixhd_settings_that_cannot_work_are_one_line(argv, message):
    with pytest.raises(UserInputError) as error:
        load_config(argv, "train")
    assert message in str(error.value)


@pytest.mark.parametrize("argv, message", [
    (["--learning_rate", "1"], "unknown setting 'learning_rate'"),
    (["--lr", "fast"], "--lr expects a number"),
    (["--batch_size", "2.5"], "--batch_size expects an integer"),
    (["--no_flip", "maybe"], "--no_flip expects true or false"),
    (["--n_epochs", "-1"], "--n_epochs must be zero or a positive integer"),
    (["--crop_size", "512"], "--crop_size (512) must not exceed --load_size"),
    (["--device_target", "TPU"], "--device_target must be one of CPU, GPU, Ascend"),
    (["--epoch_num", "201"], "--epoch_num must be between 1 and"),
    (["--lr"], "--lr needs a value"),
    (["stray"], "unexpected argument 'stray'"),
    (["--beta1", "1.5"], "--beta1 must be in [0, 1)"),
    (["--netG", "unet_16"], "--netG must be one of unet_256, unet_128, resnet_9blocks, resnet_6blocks"),
    (["--netG", "resnet_0blocks"], "--netG must be one of"),
    (["--netD", "patch"], "--netD must be one of"),
    (["--n_layers_D", "0"], "--n_layers_D must be a positive integer"),
    (["--gan_mode", "hinge"], "--gan_mode must be one of"),
    (["--lr_policy", "plateau"], "--lr_policy plateau watches the validation L1 each epoch: set --val_data_dir"),
    (["--lambda_gp", "-1"], "--lambda_gp must be zero or positive"),
    (["--gan_mode", "null"], "--gan_mode must be one of"),
])
def test_invalid_settings_are_refused_with_one_clear_line(argv, message):
    with pytest.raises(UserInputError) as error:
        load_config(argv, "train")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_none_is_a_norm_mode_on_the_command_line_and_in_a_file(tmp_path):
    assert load_config(["--norm_mode", "none"], "train").norm_mode == "none"
    assert load_config(["--norm_mode=none"], "train").norm_mode == "none"
    preset = tmp_path / "preset.yaml"
    preset.write_text("norm_mode: none\n")
    assert load_config(["--config_path", str(preset)], "train").norm_mode == "none"
    preset.write_text("norm_mode: null\n")
    with pytest.raises(UserInputError, match="--norm_mode must be one of batch, instance, none"):
        load_config(["--config_path", str(preset)], "train")


def test_config_file_with_an_unknown_key_is_refused(tmp_path):
    preset = tmp_path / "preset.yaml"
    preset.write_text("crop: 128\n")
    with pytest.raises(UserInputError, match="unknown setting 'crop'"):
        load_config(["--config_path", str(preset)], "train")
    with pytest.raises(UserInputError, match="does not exist"):
        load_config(["--config_path", str(tmp_path / "missing.yaml")], "train")


def test_saved_config_loads_back_to_the_same_run(tmp_path):
    config = load_config(["--lr", "0.001", "--direction", "AtoB"], "train")
    path = str(tmp_path / "config.yaml")
    config.save(path)
    assert load_config(["--config_path", path], "train").to_dict() == config.to_dict()
    with open(path, encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["lr"] == 0.001


def test_help_lists_every_setting(capsys):
    values, _ = read_yaml_documents(DEFAULT_CONFIG_PATH)
    listed = set()
    for command, keys in COMMAND_SETTINGS.items():
        with pytest.raises(SystemExit) as done:
            load_config(["--help"], command)
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert all(f"--{key} " in text for key in keys)
        listed.update(key for key in values if f"--{key} " in text)
    assert listed == set(values)


def test_each_command_checks_only_the_settings_it_reads():
    # Training ignores the tile settings: the default tile_overlap (256) is no multiple of 512.
    config = load_config(["--netG", "unet_512", "--load_size", "572", "--crop_size", "512"], "train")
    assert config.netG == "unet_512" and config.tile_overlap == 256
    # predict ignores training-only settings, and train ignores predict-only ones, however wrong.
    assert load_config(["--crop_size", "300", "--lr_policy", "plateau", "--n_epochs", "-1"], "predict")
    assert load_config(["--tile_overlap", "2000", "--file_format", "TFLITE"], "train")
    with pytest.raises(UserInputError, match="--tile_overlap \\(2000\\) must be smaller than --tile_size"):
        load_config(["--tile_overlap", "2000"], "predict")
    with pytest.raises(UserInputError, match="--file_format must be one of MINDIR, ONNX, AIR"):
        load_config(["--file_format", "TFLITE"], "export")


@pytest.mark.parametrize("value", ["-5", "4294967296"])
def test_seed_outside_what_mindspore_takes_is_one_clear_line(value):
    for command in ("train", "eval", "predict", "export", "benchmark"):
        with pytest.raises(UserInputError, match=f"--seed must be an integer from 0 to 4294967295; got {value}"):
            load_config(["--seed", value], command)


@pytest.mark.parametrize("argv, message", [
    (["--lr", "nan"], "--lr must be a positive number; got nan"),
    (["--lr", "inf"], "--lr must be a positive number; got inf"),
    (["--device_id", "-1"], "--device_id must be zero or a positive integer"),
    (["--ngf", "0"], "--ngf must be a positive integer"),
    (["--max_dataset_size", "0"], "--max_dataset_size must be a positive integer; got 0"),
    (["--image_size", "64", "0"], "--image_size must be a positive integer; got 0"),
    (["--crop_size", "null"], "--crop_size must be a positive integer; got null"),
])
def test_every_number_is_range_checked_before_mindspore_sees_it(argv, message):
    command = "export" if argv[0] == "--image_size" else "train"
    with pytest.raises(UserInputError) as error:
        load_config(argv, command)
    assert message in str(error.value)


def test_every_setting_is_read_by_a_command_and_every_number_has_a_range():
    from src.settings import CHOICES, RANGES
    values, _ = read_yaml_documents(DEFAULT_CONFIG_PATH)
    assert set().union(*COMMAND_SETTINGS.values()) == set(values)
    numbers = {key for key, value in values.items()
               if isinstance(value, (int, float, list)) and not isinstance(value, bool)}
    from src.utils.config import NULLABLE_KEY_TYPES, PATH_LISTS
    numbers |= set(NULLABLE_KEY_TYPES) - set(PATH_LISTS)  # numbers that are null by default (not lists of paths)
    assert numbers - set(CHOICES) == set(RANGES)  # numbers with a list of values (channels) have no range


# The files whose code reads each command's settings (config.KEY), beside src/settings.py's own helpers.
COMMAND_FILES = {"train": ["train.py", "src/training/trainer.py"], "eval": ["eval.py", "src/evaluation/evaluator.py"],
                 "predict": ["predict.py", "src/translation/predictor.py"],
                 "export": ["export.py", "src/deployment/exporter.py"],
                 "preprocess": ["preprocess.py"], "postprocess": ["postprocess.py"], "infer_onnx": ["infer_onnx.py"],
                 "benchmark": ["benchmark.py"], "demo": ["demo.py"]}


@pytest.mark.parametrize("command", sorted(COMMAND_FILES))
def test_a_command_reads_no_setting_it_does_not_check(command):
    import re
    assert set(COMMAND_FILES) == set(COMMAND_SETTINGS)
    read = set()
    for path in COMMAND_FILES[command]:
        with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
            read.update(re.findall(r"\bconfig\.(\w+)", handle.read()))
    read -= {"save", "to_dict", "yaml"}  # Config's methods, and the file name config.yaml
    assert read <= set(COMMAND_SETTINGS[command]), read - set(COMMAND_SETTINGS[command])


def test_cycle_gan_trains_with_the_references_recipe_unless_told_otherwise():
    config = load_config(["--model", "cycle_gan"], "train")
    assert (config.netG, config.norm_mode, config.no_dropout, config.gan_mode) == ("resnet_9blocks", "instance", True,
                                                                                  "lsgan")
    assert (config.dataset_mode, config.direction, config.train_data_dir) == ("unaligned", "AtoB", "data/sample_unpaired")
    assert (config.lambda_A, config.lambda_B, config.lambda_identity, config.pool_size) == (10.0, 10.0, 0.5, 50)
    assert (config.netD, config.lr, config.beta1, config.load_size, config.crop_size) == ("basic", 2e-4, 0.5, 286, 256)
    told = load_config(["--model", "cycle_gan", "--netG", "unet_256", "--pool_size", "0"], "train")
    assert (told.netG, told.norm_mode, told.pool_size) == ("unet_256", "instance", 0)
    assert load_config([], "train").model == "pix2pix"  # every existing command trains as before


@pytest.mark.parametrize("flags, message", [
    (["--dataset_mode", "unaligned"], "pix2pix cannot learn from: use --model cycle_gan"),
    (["--model", "cycle_gan", "--dataset_mode", "aligned"], "use --model pix2pix --dataset_mode aligned"),
    (["--model", "cycle_gan", "--input_nc", "1"], "--lambda_identity 0.5 compares G_A.B. with B"),
    (["--model", "cycle_gan", "--netD", "multiscale"], "does not train with --netD multiscale"),
    (["--model", "cycle_gan", "--gan_mode", "wgangp"], "does not train with --gan_mode wgangp"),
    (["--model", "cycle_gan", "--lambda_A", "-1"], "--lambda_A must be zero or positive"),
    (["--model", "cycle_gan", "--pool_size", "-2"], "--pool_size must be zero or a positive integer"),
    (["--model", "cyclegan"], "--model must be one of pix2pix, cycle_gan"),
])
def test_a_model_refuses_what_it_cannot_train_in_one_line(flags, message):
    with pytest.raises(UserInputError, match=message):
        load_config(flags, "train")


def test_grey_to_colour_cycle_gan_trains_without_the_identity_term():
    config = load_config(["--model", "cycle_gan", "--input_nc", "1", "--lambda_identity", "0"], "train")
    assert (config.input_nc, config.output_nc, config.lambda_identity) == (1, 3, 0.0)


def test_commands_reading_a_checkpoint_take_its_direction_unless_given():
    for command in ("eval", "predict", "demo", "export"):
        assert load_config([], command).direction is None
        assert load_config(["--direction", "BtoA"], command).direction == "BtoA"
    assert load_config([], "eval").dataset_mode is None
    assert (load_config([], "preprocess").direction, load_config([], "preprocess").dataset_mode) == (None, None)
    assert load_config(["--direction", "AtoB"], "preprocess").direction == "AtoB"  # else the export's own


CYCLE_GAN_PRESETS = ("horse2zebra", "summer2winter_yosemite", "monet2photo", "apple2orange", "facades", "maps",
                     "cityscapes")


@pytest.mark.parametrize("name", CYCLE_GAN_PRESETS)
def test_cycle_gan_presets_train_the_references_recipe_on_the_downloaded_folders(name):
    config = load_config(["--config_path", os.path.join(REPO_ROOT, "configs", f"cyclegan_{name}.yaml")], "train")
    assert (config.model, config.netG, config.dataset_mode, config.gan_mode) == ("cycle_gan", "resnet_9blocks",
                                                                                  "unaligned", "lsgan")
    assert config.train_data_dir == f"data/datasets/cyclegan/{name}" and config.crop_size == 256
    assert total_epochs(config.n_epochs, config.n_epochs_decay, config.epoch_num) == 200
    with open(os.path.join(REPO_ROOT, "data", "download_cyclegan_dataset.sh"), encoding="utf-8") as handle:
        assert f" {name} " in handle.read().split("NAMES=")[1].splitlines()[0].replace('"', " ")


@pytest.mark.parametrize("flags, message", [
    (["--conv_kernel", "onednn", "--device_target", "GPU"], "--conv_kernel onednn runs on the CPU: on GPU use"),
    (["--conv_kernel", "onednn", "--amp_level", "O2"], "set the convolutions' arithmetic themselves: use --amp_level O0"),
    (["--cpu_precision", "bf16", "--amp_level", "O3"], "set the convolutions' arithmetic themselves: use --amp_level O0"),
    (["--cpu_precision", "bf16", "--conv_kernel", "mindspore"], "--cpu_precision bf16 is the arithmetic of the direct "
                                                                "kernels on the CPU"),
    (["--cpu_precision", "fp16"], "--cpu_precision must be one of float32, bf16"),
    (["--conv_kernel", "direct"], "--conv_kernel must be one of auto, mindspore, onednn")])
def test_the_direct_convolutions_are_cpu_float32_kernels(flags, message):
    with pytest.raises(UserInputError, match=message):
        load_config(flags, "train")
    assert load_config(["--conv_kernel", "onednn"], "train").conv_kernel == "onednn"
    # auto settles on MindSpore's own off the CPU and with mixed precision (src/kernels/choice.py)
    assert load_config(["--device_target", "GPU", "--amp_level", "O2"], "train").conv_kernel == "auto"


@pytest.mark.parametrize("command", ["eval", "predict", "demo"])
def test_translating_commands_take_the_convolutions_too(command):
    assert load_config(["--conv_kernel", "onednn"], command).conv_kernel == "onednn"
    with pytest.raises(UserInputError, match="--conv_kernel onednn runs on the CPU"):
        load_config(["--conv_kernel", "onednn", "--device_target", "Ascend"], command)


def test_the_direct_kernels_are_not_for_onnx_runtime():
    for flags in (["--conv_kernel", "onednn"], ["--cpu_precision", "bf16"]):
        with pytest.raises(UserInputError, match="with --backend onnxruntime ONNX Runtime computes the convolutions"):
            load_config(flags + ["--backend", "onnxruntime", "--eval_mode", "eval"], "predict")
