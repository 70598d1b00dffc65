"""benchmark.py reports the step time of the real networks as one JSON line (no time is asserted)."""
import json

import pytest

from tests.conftest import run_entry

pytestmark = pytest.mark.e2e


def test_benchmark_prints_one_json_line_for_the_real_networks():
    result = run_entry(["benchmark.py", "--steps", "1", "--warmup", "0", "--data_epochs", "1", "--deploy",
                        "--image_size", "64", "--netG", "unet_64", "--ngf", "8", "--ndf", "8", "--crop_size", "64",
                        "--load_size", "64"])
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["image_size"] == [64, 64] and report["batch_size"] == 1 and report["ngf"] == 8
    for key in ("train_ms_per_step", "compile_s", "g_infer_ms", "peak_rss_mb"):
        assert report[key] > 0, key
    assert set(report["data_pairs_per_s"]) == {"aligned", "separate", "mindrecord"}
    assert min(report["data_pairs_per_s"].values()) > 0
    assert set(report["deploy_ms_per_image"]) == {"mindir", "onnxruntime"}
    # the CPU it ran on, and which oneDNN kernels its convolutions took (on this machine: no reference code)
    from src.utils.cpu_isa import read_cpu
    from src.utils.cpu_isa import onednn_isa_in_force
    choice = onednn_isa_in_force()  # what the benchmark's process chose too (the same CPU and environment)
    assert report["cpu"]["model"] == read_cpu().model and report["cpu"]["chosen_by"] in ("project", "default",
                                                                                         "lifted", "user")
    # --conv_kernel auto: oneDNN's direct kernels where they may run AVX-512, the project's cap lifted for them
    assert report["conv_kernel"] == ("onednn" if choice.reaches_avx512 else "mindspore")
    assert (report["cpu"]["chosen_by"] == "lifted") == (choice.chosen_by == "project")
    kernels = report["conv_kernels"]
    assert kernels["onednn_isa"] and kernels["ref"] == {"ms": 0.0, "share": 0.0, "calls": 0}
    assert kernels["jit"]["calls"] + kernels["gemm"]["calls"] > 10
    assert kernels["jit"]["share"] + kernels["gemm"]["share"] == pytest.approx(1.0, abs=1e-3)


def test_benchmark_rejects_an_absent_device():
    result = run_entry(["benchmark.py", "--device_target", "Ascend"])
    assert result.returncode == 2 and "device_target Ascend" in result.stderr


def test_benchmark_times_cycle_gans_step_of_four_networks():
    result = run_entry(["benchmark.py", "--model", "cycle_gan", "--steps", "1", "--warmup", "0", "--skip_data",
                        "--image_size", "32", "--netG", "resnet_1blocks", "--ngf", "4", "--ndf", "4"])
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["model"] == "cycle_gan" and report["netG"] == "resnet_1blocks"
    for key in ("train_ms_per_step", "compile_s", "g_infer_ms", "peak_rss_mb"):
        assert report[key] > 0, key
