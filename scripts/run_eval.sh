#!/bin/bash
# Evaluate a generator: translated images, comparison.png, metrics.json, and a JSON line of mean metrics.
# Usage: bash scripts/run_eval.sh CKPT_PATH VAL_DATA_DIR [--key=value ...]
#   e.g. bash scripts/run_eval.sh outputs/facades/checkpoints/generator_final.ckpt data/datasets/facades/val \
#            --device_target=GPU
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 2 ]; then
    echo "Usage: bash scripts/run_eval.sh CKPT_PATH VAL_DATA_DIR [--key=value ...]" >&2
    exit 2
fi
ckpt="$(absolute_path "$1")"
val_dir="$(absolute_path "$2")"
shift 2
[ -n "$DEVICE_ID" ] && set -- "--device_id=$DEVICE_ID" "$@"
run_logged "$REPO_ROOT/outputs/logs/eval_$(date +%Y%m%d_%H%M%S).log" \
    "$PYTHON" eval.py "--ckpt=$ckpt" "--val_data_dir=$val_dir" "$@"
