#!/bin/bash
# Translate your own images (single images of any size, not A|B pairs) with a trained generator.
# Usage: bash scripts/run_predict.sh INPUT_PATH CKPT_PATH [DEVICE_TARGET] [--key=value ...]
#   INPUT_PATH: an image file or a folder of images; outputs keep each input's size
#   e.g. bash scripts/run_predict.sh my_labels/ outputs/facades/checkpoints/generator_final.ckpt GPU --eval_mode=eval
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 2 ]; then
    echo "Usage: bash scripts/run_predict.sh INPUT_PATH CKPT_PATH [DEVICE_TARGET] [--key=value ...]" >&2
    exit 2
fi
input="$(absolute_path "$1")"
ckpt="$(absolute_path "$2")"
shift 2
device=CPU
case "${1:-}" in CPU|GPU|Ascend) device="$1"; shift ;; esac
[ -n "$DEVICE_ID" ] && set -- "--device_id=$DEVICE_ID" "$@"
run_logged "$REPO_ROOT/outputs/logs/predict_$(date +%Y%m%d_%H%M%S).log" \
    "$PYTHON" predict.py "--device_target=$device" "--ckpt=$ckpt" "--input_path=$input" "$@"
