#!/bin/bash
# Offline inference as on an Ascend 310: preprocess -> C++ program (ascend310_infer) -> postprocess.
# Usage: bash scripts/run_infer_310.sh MINDIR_PATH DATASET_PATH [DEVICE_TYPE] [DEVICE_ID] [--key=value ...]
#   MINDIR_PATH:  from python export.py --file_format MINDIR (eval mode, batch 1)
#   DATASET_PATH: a dataset root (test/, else val/), a folder of A|B pairs, or (for an exported CycleGAN
#                 generator) a root with testA/ and testB/
#   DEVICE_TYPE:  Ascend (default), GPU or CPU;  DEVICE_ID: default 0
#   --key=value:  passed to preprocess.py/postprocess.py, e.g. --image_size=256 (as exported), --direction=AtoB
# Without a MindSpore C++ inference API (MindSpore Lite via MS_LITE_HOME, or the Ascend toolkit's MindSpore)
# the C++ step cannot build: the same .bin files then run through the MINDIR in Python, and it says so.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 2 ]; then
    echo "Usage: bash scripts/run_infer_310.sh MINDIR_PATH DATASET_PATH [DEVICE_TYPE] [DEVICE_ID] [--key=value ...]" >&2
    exit 2
fi
mindir="$(absolute_path "$1")"
if [ ! -f "$mindir" ]; then
    echo "error: MINDIR file '$mindir' does not exist" >&2
    exit 2
fi
dataset="$(absolute_path "$2")"
if [ -d "$dataset/testA" ] || [ -d "$dataset/testB" ]; then
    pairs="$dataset"  # two unpaired domains: a CycleGAN export translates its side of them
else
    pairs="$(pairs_folder "$dataset" test val)" || exit 2
fi
shift 2
device_type=Ascend
case "${1:-}" in Ascend|GPU|CPU) device_type="$1"; shift ;; esac
device_id=0
case "${1:-}" in [0-9]*) device_id="$1"; shift ;; esac
infer_dir="$REPO_ROOT/outputs/infer_310/$(date +%Y%m%d_%H%M%S)"
mkdir -p "$infer_dir"
exec > >(tee -a "$infer_dir/infer.log") 2>&1
echo "Offline inference of $mindir on $pairs; files and log in $infer_dir"
cd "$REPO_ROOT" || exit 1

"$PYTHON" preprocess.py "--val_data_dir=$pairs" "--infer_dir=$infer_dir" "--file_name=${mindir%.mindir}" "$@" || exit $?
PYTHON="$PYTHON" bash ascend310_infer/build.sh
built=$?
if [ $built -eq 0 ]; then
    ascend310_infer/out/main "--mindir_path=$mindir" "--input_dir=$infer_dir/input" "--output_dir=$infer_dir/output" \
        "--device_type=$device_type" "--device_id=$device_id" || exit $?
elif [ $built -eq 3 ]; then
    echo "No MindSpore C++ inference API on this machine: running the same .bin files through the MINDIR" \
         "in Python (MindSpore on CPU) instead of ascend310_infer/out/main."
    "$PYTHON" -m src.deployment.offline "--mindir_path=$mindir" "--input_dir=$infer_dir/input" \
        "--output_dir=$infer_dir/output" || exit $?
else
    echo "error: building ascend310_infer failed (see the compiler output above)" >&2
    exit 1
fi
"$PYTHON" postprocess.py "--infer_dir=$infer_dir" "--val_data_dir=$pairs" "$@"
