"""A user's story through train.py and eval.py on a tiny model: train, checkpoint, resume, evaluate,
and every bad input answered with one line and a non-zero exit."""
import json
import os

import pytest

from tests.conftest import TINY_MODEL_FLAGS, ramp, run_entry, write_pair

pytestmark = pytest.mark.e2e


def train_args(sample_root, output, *extra):
    return ["train.py", "--train_data_dir", str(sample_root / "train"), "--output_path", str(output),
            "--n_epochs", "1", "--n_epochs_decay", "1", "--log_interval", "8", "--save_checkpoint_epochs", "1",
            *TINY_MODEL_FLAGS, *extra]


def assert_one_line_error(result, fragment):
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def first_epoch(sample_root, tmp_path_factory):
    output = tmp_path_factory.mktemp("run")
    result = run_entry(train_args(sample_root, output, "--epoch_num", "1"))
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result


def test_training_prints_progress_and_writes_the_documented_outputs(first_epoch):
    output, result = first_epoch
    assert "Generator unet_64 (ngf 8, batch norm, dropout 0.5): 458,579 parameters" in result.stdout
    assert ("Discriminator basic (n_layers 3) (ndf 8, batch norm): receptive field 70x70 px, 6x6 logits for 64 px "
            "crops: 45,033 parameters") in result.stdout
    progress = [line for line in result.stdout.splitlines() if "ms/step" in line and "ETA" in line]
    assert progress and all(key in progress[0] for key in ("epoch 1/1", "step 8/16", "D ", "G_GAN ", "G_L1 "))
    for name in ("config.yaml", "train.log", "losses.csv", "loss_curve.png", "images/epoch_0001.png",
                 "checkpoints/pix2pix_epoch_0001.ckpt", "checkpoints/generator_final.ckpt"):
        assert os.path.isfile(output / name), name
    # The run's log names the CPU and the oneDNN instruction set chosen for it, before the networks.
    from src.utils.cpu_isa import onednn_isa_in_force
    log = (output / "train.log").read_text(encoding="utf-8")
    assert onednn_isa_in_force().describe() in log and log.index("CPU: ") < log.index("Generator unet_64")


def test_resume_continues_the_epoch_step_and_learning_rate(first_epoch, sample_root):
    output, _ = first_epoch
    resume = str(output / "checkpoints" / "pix2pix_epoch_0001.ckpt")
    result = run_entry(train_args(sample_root, output, "--resume", resume))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 epochs and 16 steps done" in result.stdout
    assert "epoch 2/2 step 16/16 (total 32)" in result.stdout
    assert "lr 1.00e-04" in result.stdout  # epoch 2 of 1 + 1: half the initial rate
    assert os.path.isfile(output / "checkpoints" / "pix2pix_epoch_0002.ckpt")
    with open(output / "losses.csv", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + 32  # one history across both runs


def test_a_new_run_never_overwrites_an_existing_one(first_epoch, sample_root):
    output, _ = first_epoch
    before = os.path.getmtime(output / "checkpoints" / "pix2pix_epoch_0001.ckpt")
    assert_one_line_error(run_entry(train_args(sample_root, output)), "already holds a training run")
    assert "--resume auto" in run_entry(train_args(sample_root, output)).stderr
    assert os.path.getmtime(output / "checkpoints" / "pix2pix_epoch_0001.ckpt") == before


def test_eval_scores_a_checkpoint_and_prints_json_last(first_epoch, sample_root):
    output, _ = first_epoch
    for ckpt in ("generator_final.ckpt", "pix2pix_epoch_0001.ckpt"):
        result = run_entry(["eval.py", "--ckpt", str(output / "checkpoints" / ckpt), "--val_data_dir",
                            str(sample_root / "val"), "--output_path", str(output), "--crop_size", "64",
                            "--load_size", "64", "--netG", "unet_64", "--eval_mode", "eval"])
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        assert summary["num_images"] == 4
        assert all(key in summary for key in ("l1", "psnr", "ssim", "baseline_l1"))
        assert 0 < summary["l1"] < 255 and -1 <= summary["ssim"] <= 1
        for name in ("comparison.png", "metrics.json", "metrics.csv", "index.html", "config.yaml"):
            assert os.path.isfile(os.path.join(summary["output_dir"], name))
        assert len(os.listdir(os.path.join(summary["output_dir"], "images"))) == 3 * 4  # input, output, target


@pytest.mark.parametrize("args, fragment", [
    (["train.py", "--epochs", "3"], "unknown setting 'epochs'"),
    (["train.py", "--n_epochs", "-2"], "--n_epochs must be zero or a positive integer"),
    (["train.py", "--crop_size", "300"], "must not exceed --load_size"),
    (["train.py", "--crop_size", "200", "--load_size", "200"], "must be a multiple of 256 for the generator unet_256"),
    (["train.py", "--seed", "-5"], "--seed must be an integer from 0 to 4294967295"),
    (["train.py", "--device_target", "NPU"], "--device_target must be one of"),
    (["eval.py", "--ckpt", "missing.ckpt", "--val_data_dir", "."], "checkpoint 'missing.ckpt' does not exist"),
    (["eval.py", "--ckpt", "x.ckpt"], "--val_data_dir is not set"),
])
def test_bad_flags_give_one_line_and_exit_2(args, fragment):
    assert_one_line_error(run_entry(args), fragment)


def test_bad_data_and_checkpoints_through_train_py(tmp_path, first_epoch, sample_root):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_entry(train_args(sample_root, tmp_path / "a", "--train_data_dir", str(empty))),
                          "holds no images")
    output, _ = first_epoch
    assert_one_line_error(run_entry(train_args(sample_root, tmp_path / "b", "--resume",
                                               str(output / "checkpoints" / "generator_final.ckpt"))),
                          "not a training checkpoint")
    assert_one_line_error(run_entry(train_args(sample_root, tmp_path / "c", "--ngf", "16", "--resume",
                                               str(output / "checkpoints" / "pix2pix_epoch_0001.ckpt"))),
                          "trained with ngf=8 (config has 16)")


def test_unwritable_output_path_is_named(sample_root, tmp_path):
    (tmp_path / "a_file").write_text("a file, not a folder")
    assert_one_line_error(run_entry(train_args(sample_root, tmp_path / "a_file" / "run")), "cannot write results to")


def test_diverging_losses_stop_the_run_naming_the_step_and_keep_the_last_good_checkpoint(sample_root, tmp_path):
    output = tmp_path / "diverged"
    first = run_entry(train_args(sample_root, output, "--epoch_num", "1"))
    assert first.returncode == 0, first.stderr[-2000:]
    good = (output / "checkpoints" / "pix2pix_epoch_0001.ckpt").read_bytes()
    result = run_entry(train_args(sample_root, output, "--resume", "auto", "--lr", "1e30"))
    assert_one_line_error(result, "losses became non-finite at epoch 2 step")
    assert sorted(os.listdir(output / "checkpoints")) == ["generator_final.ckpt", "pix2pix_epoch_0001.ckpt"]
    assert (output / "checkpoints" / "pix2pix_epoch_0001.ckpt").read_bytes() == good


def test_unusable_device_is_reported(sample_root, tmp_path):
    result = run_entry(train_args(sample_root, tmp_path / "gpu", "--device_target", "Ascend"))
    assert_one_line_error(result, "device_target Ascend")


def test_mixed_precision_training_through_train_py(sample_root, tmp_path):
    result = run_entry(train_args(sample_root, tmp_path / "amp", "--epoch_num", "1", "--amp_level", "O2"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/1 step 16/16" in result.stdout
    assert os.path.isfile(tmp_path / "amp" / "checkpoints" / "generator_final.ckpt")


def test_reference_options_train_evaluate_and_resume_through_the_entry_points(sample_root, tmp_path):
    """A ResNet generator with instance norm, a PixelGAN, least squares and the plateau policy: the log
    names them with their real parameter counts, eval.py rebuilds the model from the checkpoint alone,
    and a resumed run keeps the plateau's memory."""
    output = tmp_path / "options"
    options = ["--netG", "resnet_2blocks", "--norm_mode", "instance", "--netD", "pixel", "--gan_mode", "lsgan",
               "--lr_policy", "plateau", "--val_data_dir", str(sample_root / "val"), "--n_epochs", "2",
               "--n_epochs_decay", "1"]
    first = run_entry(train_args(sample_root, output, *options, "--epoch_num", "2"))
    assert first.returncode == 0, first.stderr[-3000:]
    # 7x7 conv 3->8 (1,184) + 3x3 s2 8->16 (1,168) + 16->32 (4,640) + 2 blocks of two 3x3 32->32 (36,992)
    # + transposed 32->16 (4,624) + 16->8 (1,160) + 7x7 8->3 (1,179), every conv with its bias
    assert "Generator resnet_2blocks (ngf 8, instance norm, dropout 0.5): 50,947 parameters" in first.stdout
    assert "Discriminator pixel (ndf 8, instance norm): receptive field 1x1 px, 64x64 logits" in first.stdout
    assert "Objective: lsgan GAN + 100 x L1; lr 0.0002, policy plateau" in first.stdout
    assert first.stdout.count("plateau: validation L1") == 2
    resumed = run_entry(train_args(sample_root, output, *options, "--resume", "auto"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "plateau: validation L1" in resumed.stdout and "(best " in resumed.stdout
    assert "2 epochs and 32 steps done" in resumed.stdout
    evaluated = run_entry(["eval.py", "--ckpt", str(output / "checkpoints" / "generator_final.ckpt"),
                           "--val_data_dir", str(sample_root / "val"), "--output_path", str(tmp_path / "eval"),
                           "--crop_size", "64", "--load_size", "64"])
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert json.loads(evaluated.stdout.strip().splitlines()[-1])["model_spec"]["netG"] == "resnet_2blocks"


def test_training_at_512_px_ignores_the_predict_only_tile_settings(tmp_path):
    """unet_512 needs multiples of 512; the default tile_overlap (256) is not one, and must not matter."""
    from src.dataset.sample_data import generate_sample_dataset
    generate_sample_dataset(str(tmp_path / "data"), {"train": 2, "val": 0, "test": 0}, size=512)
    output = tmp_path / "run512"
    result = run_entry(["train.py", "--train_data_dir", str(tmp_path / "data" / "train"), "--output_path",
                        str(output), "--netG", "unet_512", "--load_size", "572", "--crop_size", "512", "--ngf", "2",
                        "--ndf", "2", "--epoch_num", "1", "--num_parallel_workers", "1", "--log_interval", "1"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Generator unet_512 (ngf 2" in result.stdout and "epoch 1/1 step 2/2 (total 2)" in result.stdout
    assert os.path.isfile(output / "checkpoints" / "generator_final.ckpt")


@pytest.mark.parametrize("flags, fragment", [
    (["--netD", "multiscale", "--num_D", "9"], "--num_D 9: the coarsest discriminator sees pictures of 64 px at 1/256 "
                                               "of their size, smaller than the 8 px its 3 layers need: the largest "
                                               "--num_D that fits is 4"),
    (["--n_downsample_global", "9"], "--n_downsample_global 9 halves pictures of 64 px 9 times, to less than the 2 px "
                                     "its residual blocks need: the largest that fits is 5"),
])
def test_networks_too_deep_for_128x64_pictures_are_one_line_and_write_no_checkpoint(tmp_path, flags, fragment):
    (tmp_path / "pairs").mkdir()
    write_pair(tmp_path / "pairs" / "1.png", ramp(128, 64), ramp(128, 64))
    result = run_entry(["train.py", "--train_data_dir", str(tmp_path / "pairs"), "--netG", "global", "--preprocess",
                        "none", "--ngf", "4", "--ndf", "4", "--lambda_vgg", "0", "--output_path", str(tmp_path / "run"),
                        *flags])
    assert_one_line_error(result, "128x64 training pictures: " + fragment)
    assert not (tmp_path / "run" / "checkpoints").exists() and not (tmp_path / "run" / "config.yaml").exists()


def test_an_output_folder_whose_tensorboard_is_a_file_is_one_line_and_keeps_the_file(sample_root, tmp_path):
    (tmp_path / "tensorboard").write_text("my notes")
    result = run_entry(train_args(sample_root, tmp_path))
    assert_one_line_error(result, f"--output_path '{tmp_path}' holds a file 'tensorboard' where the run keeps a folder")
    assert (tmp_path / "tensorboard").read_text() == "my notes"
