"""Run exported generators on float32 (N, C, H, W) batches in [-1, 1]: MINDIR through MindSpore,
ONNX through ONNX Runtime. Each returns translate(batch, names) -> G(batch), as evaluate_pairs wants."""
import os

import numpy as np
import mindspore as ms

from src.utils.errors import UserInputError, first_line


def _require_file(path, kind, setting):
    if not path:
        raise UserInputError(f"--{setting} is not set: pass the exported {kind} file")
    if not os.path.isfile(path):
        raise UserInputError(f"{kind} file '{path}' does not exist")


def mindir_translator(path):
    """Load an exported .mindir with mindspore.load and nn.GraphCell."""
    _require_file(path, "MINDIR", "mindir_path")
    try:
        graph = ms.nn.GraphCell(ms.load(path))
    except Exception as error:  # MindSpore raises several types for files it cannot parse
        raise UserInputError(f"'{path}' is not a loadable MINDIR model ({first_line(error)})") from None
    return lambda batch, names=None: graph(ms.Tensor(np.ascontiguousarray(batch, np.float32))).asnumpy()


def onnx_translator(path):
    """Open an exported .onnx with ONNX Runtime on the CPU."""
    import onnxruntime

    _require_file(path, "ONNX", "onnx_path")
    try:
        options = onnxruntime.SessionOptions()
        # MindSpore's exporter records the example's output size despite the dynamic axes: ONNX Runtime would
        # warn on every other size, though it computes them right.
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own exception types
        raise UserInputError(f"'{path}' is not a loadable ONNX model ({first_line(error)})") from None
    input_name = session.get_inputs()[0].name
    return lambda batch, names=None: session.run(None, {input_name: np.ascontiguousarray(batch, np.float32)})[0]
