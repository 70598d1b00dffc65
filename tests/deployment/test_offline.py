"""The offline (Ascend 310) flow: .bin files in, .bin files out, and the same report as eval.py."""
import filecmp
import json
import os
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import mindspore as ms
import pytest

from src.dataset.image_coding import ImageCoding
from src.deployment.export_model import export_generator
from src.deployment.offline import postprocess, preprocess, run_mindir_on_bins
from src.evaluation.evaluator import evaluate_generator
from src.models.networks import build_generator
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from tests.conftest import REPO_ROOT, folder_pairs

SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_64",
                 norm_mode="batch", use_dropout=True, netD="n_layers", ndf=8, n_layers_D=2)
STUB = os.path.join(REPO_ROOT, "tests", "deployment", "cpp_api_stub")
MAIN = os.path.join(REPO_ROOT, "ascend310_infer", "src", "main.cc")


def test_bin_round_trip_gives_the_same_images_and_metrics_as_eval(sample_root, tmp_path):
    ms.set_seed(0)
    generator = build_generator(SPEC, "kaiming")
    generator.set_train(False)
    mindir = export_generator(generator, "MINDIR", str(tmp_path / "gen"), 1, 64, 64)
    expected = evaluate_generator(generator, folder_pairs(sample_root / "val"), str(tmp_path / "eval"), "eval",
                                  log=lambda message: None)
    manifest = preprocess(str(sample_root / "val"), str(tmp_path / "infer"), ImageCoding(), size=64,
                          log=lambda message: None)
    assert manifest["names"] == ["0001", "0002", "0003", "0004"] and manifest["shape"] == [1, 3, 64, 64]
    assert os.path.getsize(tmp_path / "infer" / "input" / "0001.bin") == 3 * 64 * 64 * 4
    run_mindir_on_bins(mindir, str(tmp_path / "infer" / "input"), str(tmp_path / "infer" / "output"),
                       log=lambda message: None)
    offline = postprocess(str(tmp_path / "infer"), log=lambda message: None)
    for key in ("num_images", "l1", "psnr", "ssim", "baseline_l1"):
        assert offline[key] == expected[key]
    for name in ("0001", "0004"):
        assert filecmp.cmp(tmp_path / "eval" / "images" / f"{name}_fake_B.png",
                           tmp_path / "infer" / "report" / "images" / f"{name}_fake_B.png", shallow=False)
    for name in ("metrics.csv", "index.html", "comparison.png"):
        assert os.path.isfile(tmp_path / "infer" / "report" / name)


def test_bins_with_other_channels_than_the_model_are_named(sample_root, tmp_path):
    from src.deployment.export_info import write_export_info
    grey = replace(SPEC, in_channels=1)
    mindir = export_generator(build_generator(grey), "MINDIR", str(tmp_path / "grey"), 1, 64, 64)
    write_export_info(str(tmp_path / "grey"), grey, [1, 1, 64, 64], "eval")
    preprocess(str(sample_root / "val"), str(tmp_path / "infer"), ImageCoding(), size=64, log=lambda message: None)
    with pytest.raises(UserInputError, match="the inputs have 3 channels but .*grey.mindir' takes 1: run preprocess.py"):
        run_mindir_on_bins(mindir, str(tmp_path / "infer" / "input"), str(tmp_path / "infer" / "output"))
    manifest = preprocess(str(sample_root / "val"), str(tmp_path / "grey_infer"), ImageCoding(1, 3), size=64,
                          log=lambda message: None)
    assert manifest["shape"] == [1, 1, 64, 64] and manifest["output_shape"] == [1, 3, 64, 64]
    run_mindir_on_bins(mindir, str(tmp_path / "grey_infer" / "input"), str(tmp_path / "grey_infer" / "output"),
                       log=lambda message: None)
    assert postprocess(str(tmp_path / "grey_infer"), log=lambda message: None)["num_images"] == 4


def test_a_cycle_gan_export_reads_its_side_of_two_domains_and_reports_as_eval(tmp_path):
    """G_B exported (BtoA): preprocess writes testB's pictures, postprocess gives eval.py's CycleGAN report of a
    lone generator, picture for picture."""
    from src.dataset.transforms import Preprocess
    from src.dataset.unpaired_sample import generate_unpaired_sample
    from src.deployment.export_info import write_export_info
    from src.evaluation.unpaired import UnpairedTestSets, evaluate_cycle
    root = str(tmp_path / "domains")
    generate_unpaired_sample(root, {"trainA": 0, "trainB": 0, "testA": 3, "testB": 2}, size=64)
    ms.set_seed(0)
    generator = build_generator(SPEC, "kaiming")
    mindir = export_generator(generator, "MINDIR", str(tmp_path / "g_b"), 1, 64, 64)
    write_export_info(str(tmp_path / "g_b"), SPEC, [1, 3, 64, 64], "eval", model="cycle_gan", direction="BtoA")
    manifest = preprocess(root, str(tmp_path / "infer"), ImageCoding(), "unaligned", "BtoA", size=64,
                          log=lambda message: None)
    assert manifest["names"] == ["0001", "0002"] and manifest["dataset_mode"] == "unaligned"  # testB's pictures
    run_mindir_on_bins(mindir, str(tmp_path / "infer" / "input"), str(tmp_path / "infer" / "output"),
                       log=lambda message: None)
    offline = postprocess(str(tmp_path / "infer"), log=lambda message: None)
    sets = UnpairedTestSets.open(root, "BtoA", Preprocess("resize_and_crop", 64, 64), ImageCoding())
    expected = evaluate_cycle({"generator": generator}, sets, str(tmp_path / "eval"), "eval", log=lambda message: None)
    assert (offline["num_a"], offline["num_b"]) == (expected["num_a"], expected["num_b"]) == (2, 3)
    assert offline["eval_mode"] == "offline inference"
    for name in ("0001", "0002"):
        assert filecmp.cmp(tmp_path / "eval" / "images" / f"{name}_fake_B.png",
                           tmp_path / "infer" / "report" / "images" / f"{name}_fake_B.png", shallow=False)
    assert os.path.isfile(tmp_path / "infer" / "report" / "index.html")


def test_postprocess_names_a_missing_output(sample_root, tmp_path):
    preprocess(str(sample_root / "val"), str(tmp_path / "infer"), ImageCoding(), size=64, log=lambda message: None)
    with pytest.raises(UserInputError, match="no output .*0001_0.bin"):
        postprocess(str(tmp_path / "infer"), log=lambda message: None)
    with pytest.raises(UserInputError, match="run preprocess.py"):
        postprocess(str(tmp_path / "elsewhere"), log=lambda message: None)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
@pytest.mark.parametrize("variant", [[], ["-DENABLE_LITE"]])
def test_cpp_program_compiles_against_the_documented_api(tmp_path, variant):
    subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror", *variant, "-I", STUB, MAIN], check=True)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
def test_cpp_program_reads_bins_runs_the_model_and_writes_outputs(tmp_path):
    """main.cc against a stand-in runtime whose model negates a (1, 3, 32, 32) input."""
    program = tmp_path / "main"
    subprocess.run(["g++", "-std=c++17", "-Wall", "-Werror", "-I", STUB, MAIN, os.path.join(STUB, "stub_runtime.cc"),
                    "-o", str(program)], check=True)
    inputs = tmp_path / "input"
    inputs.mkdir()
    for index, name in enumerate(["b", "a"]):
        np.full((1, 3, 32, 32), 0.25 * (index + 1), np.float32).tofile(inputs / f"{name}.bin")
    (tmp_path / "model.mindir").write_bytes(b"stub")
    run = subprocess.run([str(program), f"--mindir_path={tmp_path / 'model.mindir'}", f"--input_dir={inputs}",
                          f"--output_dir={tmp_path / 'output'}", "--device_type=CPU"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith("[1/2] a.bin")
    assert sorted(os.listdir(tmp_path / "output")) == ["a_0.bin", "b_0.bin", "latency.txt"]
    assert np.all(np.fromfile(tmp_path / "output" / "b_0.bin", np.float32) == -0.25)
    (inputs / "c.bin").write_bytes(b"\0" * 12)
    wrong = subprocess.run([str(program), f"--mindir_path={tmp_path / 'model.mindir'}", f"--input_dir={inputs}",
                            f"--output_dir={tmp_path / 'output'}"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "--image_size used at export" in wrong.stderr
    usage = subprocess.run([str(program), "--mindir_path=x"], capture_output=True, text=True)
    assert usage.returncode == 2 and "required" in usage.stderr


@pytest.mark.e2e
def test_run_infer_310_falls_back_to_python_and_run_infer_onnx_gives_the_same_report(sample_root, tmp_path):
    ms.set_seed(0)
    generator = build_generator(SPEC, "kaiming")
    generator.set_train(False)
    paths = [export_generator(generator, fmt, str(tmp_path / "gen"), 1, 64, 64) for fmt in ("MINDIR", "ONNX")]
    env = dict(os.environ, PYTHON=__import__("sys").executable)
    offline = subprocess.run(["bash", "scripts/run_infer_310.sh", paths[0], str(sample_root), "CPU",
                              "--image_size=64"], cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert offline.returncode == 0, offline.stdout[-2000:] + offline.stderr[-2000:]
    assert "No MindSpore C++ inference API on this machine" in offline.stdout
    onnx_run = subprocess.run(["bash", "scripts/run_infer_onnx.sh", paths[1], str(sample_root / "val"),
                               "--crop_size=64", "--netG=unet_64", f"--output_path={tmp_path}"], cwd=REPO_ROOT, capture_output=True,
                              text=True, env=env, timeout=600)
    assert onnx_run.returncode == 0, onnx_run.stderr[-2000:]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in (offline, onnx_run))
    assert first["num_images"] == second["num_images"] == 4
    assert abs(first["l1"] - second["l1"]) < 0.01 and abs(first["ssim"] - second["ssim"]) < 1e-3
