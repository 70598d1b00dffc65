#!/bin/bash
# Export a trained generator.
# Usage: bash scripts/run_export.sh CKPT_PATH [FILE_FORMAT] [--key=value ...]
#   FILE_FORMAT: MINDIR (default), ONNX or AIR (AIR only with --device_target=Ascend)
#   e.g. bash scripts/run_export.sh outputs/facades/checkpoints/generator_final.ckpt ONNX --file_name=deploy/facades
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 1 ]; then
    echo "Usage: bash scripts/run_export.sh CKPT_PATH [FILE_FORMAT] [--key=value ...]" >&2
    exit 2
fi
ckpt="$(absolute_path "$1")"
shift
format=MINDIR
case "${1:-}" in MINDIR|ONNX|AIR) format="$1"; shift ;; esac
run_logged "$REPO_ROOT/outputs/logs/export_$(date +%Y%m%d_%H%M%S).log" \
    "$PYTHON" export.py "--ckpt=$ckpt" "--file_format=$format" "$@"
