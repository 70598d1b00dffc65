#!/bin/bash
# Helpers sourced by the run_*.sh scripts; they work from the repository root or from scripts/.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python

# Absolute form of a path given relative to the caller's working directory.
absolute_path() {
    case "$1" in
        /*) echo "$1" ;;
        *) echo "$(pwd)/$1" ;;
    esac
}

# pairs_folder PATH SUBDIR...: PATH/SUBDIR for the first SUBDIR that exists, else PATH; fails if PATH is missing.
pairs_folder() {
    local root="$1"
    shift
    if [ ! -d "$root" ]; then
        echo "error: folder '$root' does not exist" >&2
        return 2
    fi
    local sub
    for sub in "$@"; do
        if [ -d "$root/$sub" ]; then
            echo "$root/$sub"
            return 0
        fi
    done
    echo "$root"
}

# run_logged LOG_FILE COMMAND...: run from the repo root, output to the console and LOG_FILE; keep the exit code.
run_logged() {
    local log_file="$1"
    shift
    mkdir -p "$(dirname "$log_file")"
    echo "Logging to $log_file"
    (cd "$REPO_ROOT" && "$@") 2>&1 | tee "$log_file"
    return "${PIPESTATUS[0]}"
}

# run_single_device_training DEVICE_TARGET [DATASET_PATH] [--key=value ...]
# DATASET_PATH is a dataset root holding train/ (and val/), or a folder of training pairs;
# without it the embedded sample set is used with the quick-start preset (configs/sample_facades.yaml).
run_single_device_training() {
    local device="$1"
    shift
    local args=("--device_target=$device")
    if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
        local dataset
        dataset="$(absolute_path "$1")"
        shift
        if [ ! -d "$dataset" ]; then
            echo "error: dataset folder '$dataset' does not exist" >&2
            return 2
        fi
        local name
        name="$(basename "$dataset")"
        if [ -d "$dataset/train" ]; then
            args+=("--train_data_dir=$dataset/train")
            [ -d "$dataset/val" ] && args+=("--val_data_dir=$dataset/val")
        else
            args+=("--train_data_dir=$dataset")
        fi
        args+=("--output_path=outputs/$name")
    else
        args+=("--config_path=configs/sample_facades.yaml")
    fi
    [ -n "$DEVICE_ID" ] && args+=("--device_id=$DEVICE_ID")
    local stamp
    stamp="$(date +%Y%m%d_%H%M%S)"
    run_logged "$REPO_ROOT/outputs/logs/train_${device,,}_${stamp}.log" "$PYTHON" train.py "${args[@]}" "$@"
}

# run_checkpoint_tool ENTRY LOG_PREFIX INPUT_FLAG INPUT_PATH CKPT_PATH [DEVICE_TARGET] [--key=value ...]
# Runs a Python entry point that reads a checkpoint (eval.py, predict.py) with the scripts' common arguments.
run_checkpoint_tool() {
    local entry="$1" prefix="$2" input_flag="$3" input="$4" ckpt
    ckpt="$(absolute_path "$5")"
    shift 5
    local device=CPU
    case "${1:-}" in CPU|GPU|Ascend) device="$1"; shift ;; esac
    [ -n "$DEVICE_ID" ] && set -- "--device_id=$DEVICE_ID" "$@"
    run_logged "$REPO_ROOT/outputs/logs/${prefix}_$(date +%Y%m%d_%H%M%S).log" \
        "$PYTHON" "$entry" "--device_target=$device" "--ckpt=$ckpt" "$input_flag=$input" "$@"
}
