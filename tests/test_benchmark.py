"""benchmark.py reports the step time of the real networks as one JSON line (no time is asserted)."""
import json

from tests.conftest import run_entry


def test_benchmark_prints_one_json_line_for_the_real_networks():
    result = run_entry(["benchmark.py", "--steps", "1", "--size", "64", "--num_downs", "6", "--inference"])
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["size"] == 64 and report["batch"] == 1 and report["D_params"] == 2_768_705
    assert report["train_ms_per_step"] > 0 and report["first_step_s"] > 0
    assert set(report["infer_ms_per_batch"]) == {"mindspore", "mindir", "onnxruntime"}


def test_benchmark_rejects_an_absent_device():
    result = run_entry(["benchmark.py", "--device_target", "Ascend"])
    assert result.returncode == 2 and "device_target Ascend" in result.stderr
