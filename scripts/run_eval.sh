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
run_checkpoint_tool eval.py eval --val_data_dir "$pairs" "${@:2}"
