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
run_checkpoint_tool predict.py predict --input_path "$(absolute_path "$1")" "${@:2}"
