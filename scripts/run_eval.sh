#!/bin/bash
# Evaluate a generator on aligned A|B pairs: translated images, metrics.csv, metrics.json,
# comparison.png and an HTML report (index.html); prints one JSON line of mean metrics last.
# Usage: bash scripts/run_eval.sh DATASET_PATH CKPT_PATH [DEVICE_TARGET] [--key=value ...]
#   DATASET_PATH: a dataset root (its test/, else val/, is used) or a folder of A|B pairs
#   CKPT_PATH:    checkpoints/generator_final.ckpt or a checkpoints/pix2pix_epoch_*.ckpt of a run
#   DEVICE_TARGET: CPU (default), GPU or Ascend
#   e.g. bash scripts/run_eval.sh data/datasets/facades outputs/facades/checkpoints/generator_final.ckpt GPU
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 2 ]; then
    echo "Usage: bash scripts/run_eval.sh DATASET_PATH CKPT_PATH [DEVICE_TARGET] [--key=value ...]" >&2
    exit 2
fi
pairs="$(pairs_folder "$(absolute_path "$1")" test val)" || exit 2
ckpt="$(absolute_path "$2")"
shift 2
device=CPU
case "${1:-}" in CPU|GPU|Ascend) device="$1"; shift ;; esac
[ -n "$DEVICE_ID" ] && set -- "--device_id=$DEVICE_ID" "$@"
run_logged "$REPO_ROOT/outputs/logs/eval_$(date +%Y%m%d_%H%M%S).log" \
    "$PYTHON" eval.py "--device_target=$device" "--ckpt=$ckpt" "--val_data_dir=$pairs" "$@"
