#!/bin/bash
# ONNX Runtime inference on a folder of A|B pairs, with the same outputs and metrics as eval.py.
# Usage: bash scripts/run_infer_onnx.sh ONNX_PATH DATASET_PATH [--key=value ...]
#   DATASET_PATH: a dataset root (test/, else val/) or a folder of A|B pairs; e.g. --crop_size=256 --direction=BtoA
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 2 ]; then
    echo "Usage: bash scripts/run_infer_onnx.sh ONNX_PATH DATASET_PATH [--key=value ...]" >&2
    exit 2
fi
onnx="$(absolute_path "$1")"
pairs="$(pairs_folder "$(absolute_path "$2")" test val)" || exit 2
run_logged "$REPO_ROOT/outputs/logs/infer_onnx_$(date +%Y%m%d_%H%M%S).log" \
    "$PYTHON" infer_onnx.py "--onnx_path=$onnx" "--val_data_dir=$pairs" "${@:3}"
