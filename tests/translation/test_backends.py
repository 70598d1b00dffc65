"""Where a generator runs: each backend names the test modes it can run, and says why it runs no other."""
import pytest

from src.translation.backends import BACKENDS, require_backend_mode
from src.utils.errors import UserInputError


def test_mindspore_runs_both_test_modes_and_onnx_runtime_eval_only():
    assert BACKENDS.names() == ("mindspore", "onnxruntime")
    for mode in ("train", "eval"):
        require_backend_mode("mindspore", mode)
    require_backend_mode("onnxruntime", "eval")
    with pytest.raises(UserInputError, match="ONNX Runtime runs the eval-mode graph only .* use --eval_mode eval"):
        require_backend_mode("onnxruntime", "train")
