"""A user trains with --conv_kernel onednn: the convolutions are built on first use (into the cache the user
points at), every one of the networks runs on oneDNN's direct kernels, and the checkpoint it leaves is an
ordinary one that eval.py (on MindSpore's own convolutions) reads. With --cpu_precision bf16 (on CPUs with
bfloat16 arithmetic) the same checkpoint translates to the same picture but for bfloat16's rounding."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TINY_MODEL_FLAGS, ramp, run_entry

pytestmark = pytest.mark.e2e


def test_training_on_the_direct_kernels_leaves_an_ordinary_checkpoint(sample_root, tmp_path):
    env = dict(os.environ, PIX2PIX_KERNEL_CACHE=str(tmp_path / "kernel_cache"))
    output = str(tmp_path / "run")
    trained = run_entry(["train.py", *TINY_MODEL_FLAGS, "--train_data_dir", str(sample_root / "train"),
                         "--output_path", output, "--n_epochs", "1", "--n_epochs_decay", "0", "--log_interval", "4",
                         "--conv_kernel", "onednn"], env=env)
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    with open(os.path.join(output, "train.log"), encoding="utf-8") as handle:
        log = handle.read()
    assert "Building onednn_ops.cc, spatial_ops.cc, onednn_runtime.cc with g++" in (
        trained.stdout + trained.stderr + log)
    assert "Convolutions: 17 on oneDNN's direct kernels (--conv_kernel onednn)" in log  # unet_64's 12, D's 5
    from src.utils.cpu_isa import onednn_isa_in_force
    # no MindSpore convolution is left to run AVX-512 reference code, so the project's AVX2 cap is lifted
    assert ("the project's AVX2 cap lifted" in log) == (onednn_isa_in_force().chosen_by == "project")
    assert len(os.listdir(tmp_path / "kernel_cache")) == 1
    evaluated = run_entry(["eval.py", "--ckpt", os.path.join(output, "checkpoints", "generator_final.ckpt"),
                           "--val_data_dir", str(sample_root / "val"), "--crop_size", "64",
                           "--output_path", output, "--conv_kernel", "mindspore"], env=env)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    assert json.loads(evaluated.stdout.strip().splitlines()[-1])["num_images"] == 4


def translate(checkpoint, picture, output, *flags):
    """predict.py's translation of `picture` with `checkpoint` (flags added), as a float array."""
    result = run_entry(["predict.py", "--ckpt", str(checkpoint), "--input_path", str(picture), "--output_path",
                        str(output), "--eval_mode", "eval", *flags])
    if result.returncode:
        return result
    [translated] = [os.path.join(root, name) for root, _, names in os.walk(output) for name in names
                    if name == "ramp.png"]
    return np.asarray(Image.open(translated), np.float64)


def test_bf16_translates_like_float32_where_the_cpu_has_it(tiny_checkpoint, tmp_path):
    from src.utils.cpu_isa import onednn_isa_in_force
    picture = tmp_path / "ramp.png"
    Image.fromarray(ramp(96, 64)).save(picture)
    float32 = translate(tiny_checkpoint, picture, tmp_path / "float32", "--conv_kernel", "onednn")
    bfloat16 = translate(tiny_checkpoint, picture, tmp_path / "bf16", "--conv_kernel", "onednn", "--cpu_precision",
                         "bf16")
    if not onednn_isa_in_force().reaches("AVX512_CORE_BF16"):
        assert bfloat16.returncode == 2 and "--cpu_precision bf16 needs a CPU with AVX-512 BF16 or AMX" in bfloat16.stderr
        return
    difference = np.abs(float32 - bfloat16)
    assert difference.mean() < 1.0 and difference.max() <= 8  # in 0-255 levels: rounding, not another picture
    if onednn_isa_in_force().reaches("AVX10_1_512_AMX"):  # AMX runs the convolutions in bfloat16 (oneDNN may not
        assert difference.mean() > 0                      # on AVX-512 BF16 alone)


# Every convolution form of tests/kernels in a process on the direct kernels (the test process itself keeps the
# project's AVX2 cap): float32, then bf16; prints each form's largest difference, relative to the largest value.
BF16_FORMS = """
import json
import mindspore as ms
import numpy as np
from src.kernels.direct_conv import set_convolution_precision, start_direct_convolutions
from tests.kernels.test_direct_conv import FORMS, outputs_and_gradients, relative
start_direct_convolutions(log=lambda line: None)
differences = []
for cell, in_channels, out_channels, kernel, stride, padding, bias in FORMS:
    ms.set_seed(1)
    network = cell(in_channels * 4, out_channels * 4, kernel, stride=stride, pad_mode="pad", padding=padding,
                   has_bias=bias, weight_init="normal", bias_init="normal")
    x = ms.Tensor(np.random.default_rng(0).standard_normal((2, in_channels * 4, 16, 12)).astype(np.float32))
    results = []
    for precision in ("float32", "bf16"):
        set_convolution_precision(precision)
        results.append(outputs_and_gradients(network, x))
    differences.append(max(relative(mine, reference) for mine, reference in zip(results[1], results[0])))
print(json.dumps(differences))
"""


def test_bf16_gives_every_form_float32s_numbers_but_for_bfloat16_rounding():
    """--cpu_precision bf16 reads the kernels' inputs in bfloat16 (oneDNN's AMX and AVX-512 BF16 kernels) and writes
    float32; a form no bf16 kernel takes computes on float32 tensors, in bfloat16 where oneDNN can."""
    from src.utils.cpu_isa import onednn_isa_in_force
    if not onednn_isa_in_force().reaches("AVX512_CORE_BF16"):
        pytest.skip("this CPU has no bfloat16 arithmetic (--cpu_precision bf16 is refused on it)")
    result = run_entry(["-c", BF16_FORMS])
    assert result.returncode == 0, result.stderr[-3000:]
    differences = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(differences) == 10 and max(differences) < 2e-2, differences  # bfloat16 keeps 8 bits
    assert min(differences) > 1e-5, differences  # every form computed in bfloat16, not float32
