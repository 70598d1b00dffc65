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

# training_arguments DATASET_PATH|"": the train.py flags for a dataset (root with train/ and val/, a folder of
# pairs, or CycleGAN's trainA/ trainB/ [testA/ testB/], trained with --model cycle_gan) or, when empty, for the
# embedded sample set with its quick-start preset.
training_arguments() {
    if [ -z "$1" ]; then
        echo "--config_path=configs/sample_facades.yaml"
        return 0
    fi
    local dataset
    dataset="$(absolute_path "$1")"
    if [ -f "$dataset" ] || [ -f "${dataset}0" ]; then  # a MindRecord file (or the first of its shards)
        echo "--train_data_dir=$dataset"
        echo "--dataset_mode=mindrecord"
        echo "--output_path=outputs/$(basename "${dataset%.mindrecord}")"
        return 0
    fi
    if [ ! -d "$dataset" ]; then
        echo "error: dataset folder '$dataset' does not exist" >&2
        return 2
    fi
    if [ -d "$dataset/trainA" ]; then  # two unpaired domains, CycleGAN's layout
        echo "--model=cycle_gan"
        echo "--train_data_dir=$dataset"
        [ -d "$dataset/testA" ] && echo "--val_data_dir=$dataset"
    elif [ -d "$dataset/train" ]; then
        echo "--train_data_dir=$dataset/train"
        [ -d "$dataset/val" ] && echo "--val_data_dir=$dataset/val"
    else
        echo "--train_data_dir=$dataset"
    fi
    echo "--output_path=outputs/$(basename "$dataset")"
}

# run_single_device_training DEVICE_TARGET [DATASET_PATH] [--key=value ...]
run_single_device_training() {
    local device="$1"
    shift
    local dataset=""
    if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
        dataset="$1"
        shift
    fi
    local lines
    lines="$(training_arguments "$dataset")" || return 2
    local args
    mapfile -t args <<< "$lines"
    [ -n "$DEVICE_ID" ] && args+=("--device_id=$DEVICE_ID")
    run_logged "$REPO_ROOT/outputs/logs/train_${device,,}_$(date +%Y%m%d_%H%M%S).log" \
        "$PYTHON" train.py "--device_target=$device" "${args[@]}" "$@"
}

# devices_present DEVICE_TARGET: how many devices of that kind this machine has (CPU: no limit).
devices_present() {
    case "$1" in
        GPU) nvidia-smi -L 2>/dev/null | grep -c "^GPU" ;;
        Ascend) ls /dev/davinci[0-9]* 2>/dev/null | wc -l ;;
        *) echo 1024 ;;
    esac
}

# training_workers PARENT_PID: the training workers among PARENT_PID's children (read from /proc, no
# procps needed): msrun's workers (MS_ROLE=MS_WORKER; not its scheduler) or the rank-table launch's.
training_workers() {
    local stat line fields pid
    for stat in /proc/[0-9]*/stat; do
        line="$(cat "$stat" 2>/dev/null)" || continue
        read -r -a fields <<< "${line##*) }"  # after "(command)": state, parent pid, ...
        [ "${fields[1]}" = "$1" ] || continue
        pid="${stat#/proc/}"
        pid="${pid%/stat}"
        if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -q "^MS_ROLE=MS_WORKER$\|^RANK_TABLE_FILE="; then
            echo "$pid"
        fi
    done
}

# wait_forwarding_stops LAUNCHER_PID: wait for the launcher, passing a SIGINT/SIGTERM of this script to its
# workers as SIGTERM (each saves the exact position and stops at the same step; a second signal stops
# them at once). Sets status (the launcher's exit status) and stop_signal (INT, TERM or empty).
wait_forwarding_stops() {
    local received=""
    stop_signal=""
    trap 'received=TERM' TERM
    trap 'received=INT' INT
    while :; do
        wait "$1"
        status=$?
        [ -n "$received" ] || break
        stop_signal="$received"
        received=""
        echo "SIG$stop_signal received: the workers save their position and stop (signal again to stop at once)" >&2
        local workers
        workers="$(training_workers "$1")"
        [ -n "$workers" ] && kill -TERM $workers 2>/dev/null
    done
    trap - TERM INT
}

# run_distributed_training DEVICE_TARGET DEVICE_NUM [DATASET_PATH] [--key=value ...]
# One node by default; several with NODE_NUM (nodes), NODE_RANK (this node, 0..NODE_NUM-1),
# MASTER_ADDR (node 0's address) and MASTER_PORT. On Ascend, RANK_TABLE_FILE selects the rank-table launch.
run_distributed_training() {
    local device="$1" device_num="$2"
    shift 2
    if ! [[ "$device_num" =~ ^[1-9][0-9]*$ ]]; then
        echo "error: DEVICE_NUM must be a positive integer, got '$device_num'" >&2
        return 2
    fi
    if [ "$device" = "Ascend" ] && [ -n "${RANK_TABLE_FILE:-}" ] && [ ! -f "$RANK_TABLE_FILE" ]; then
        echo "error: RANK_TABLE_FILE '$RANK_TABLE_FILE' does not exist" >&2
        return 2
    fi
    local present
    present="$(devices_present "$device")"
    if [ "$device_num" -gt "$present" ]; then
        echo "error: DEVICE_NUM $device_num is more than the $present $device device(s) on this machine" >&2
        return 2
    fi
    local dataset=""
    if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
        dataset="$1"
        shift
    fi
    local lines args
    lines="$(training_arguments "$dataset")" || return 2
    mapfile -t args <<< "$lines"
    args=("--device_target=$device" "--distribute=true" "${args[@]}" "$@")
    local output=""
    local argument
    for argument in "${args[@]}"; do
        case "$argument" in --output_path=*) output="${argument#--output_path=}" ;; esac
    done
    [ -n "$output" ] || output="$(cd "$REPO_ROOT" && "$PYTHON" -c 'from src.settings import load_config; import sys; print(load_config(sys.argv[1:], "train").output_path)' "$@")"
    case "$output" in /*) ;; *) output="$REPO_ROOT/$output" ;; esac
    local log_dir
    log_dir="$output/logs/launch_$(date +%Y%m%d_%H%M%S)_$$"  # one folder per launch: a resume keeps earlier logs
    mkdir -p "$log_dir"
    local launcher
    if [ "$device" = "Ascend" ] && [ -n "${RANK_TABLE_FILE:-}" ]; then
        echo "Rank-table launch of $device_num processes; logs in $log_dir/worker_N.log"
        # Its own session, as for msrun below: signals reach the workers only through the script's forwarding.
        (cd "$REPO_ROOT" && exec setsid bash -c '
            device_num="$1" log_dir="$2" python="$3"
            shift 3
            pids=()
            for ((rank = 0; rank < device_num; rank++)); do
                RANK_SIZE="$device_num" RANK_ID="$rank" DEVICE_ID="$rank" \
                    "$python" train.py "$@" > "$log_dir/worker_$rank.log" 2>&1 &
                pids+=("$!")
            done
            failed=0
            for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
            exit "$failed"' rank_table_launch "$device_num" "$log_dir" "$PYTHON" "${args[@]}") &
        launcher=$!
    else
        local node_num="${NODE_NUM:-1}" node_rank="${NODE_RANK:-0}"
        local master_addr="${MASTER_ADDR:-127.0.0.1}" master_port="${MASTER_PORT:-8118}"
        if [ "$node_rank" = "0" ] && ! "$PYTHON" -c "import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('', int(sys.argv[1])))" "$master_port" 2>/dev/null; then
            echo "error: MASTER_PORT $master_port is in use on this machine: set MASTER_PORT to a free port" >&2
            return 2
        fi
        local msrun_command
        msrun_command="$(dirname "$(command -v "$PYTHON")")/msrun"
        [ -x "$msrun_command" ] || msrun_command=msrun
        echo "msrun: $((device_num * node_num)) workers ($device_num on this node, rank $node_rank of $node_num nodes)," \
             "master $master_addr:$master_port; logs in $log_dir/worker_N.log"
        # msrun starts "python" from PATH: put this interpreter's folder first. Its own session keeps a
        # Ctrl+C away from msrun, which would SIGKILL the workers before they can save.
        (cd "$REPO_ROOT" && PATH="$(dirname "$(command -v "$PYTHON")"):$PATH" exec setsid "$msrun_command" \
            --worker_num="$((device_num * node_num))" --local_worker_num="$device_num" \
            --master_addr="$master_addr" --master_port="$master_port" --node_rank="$node_rank" \
            --log_dir="$log_dir" --join=True --cluster_time_out="${CLUSTER_TIME_OUT:-600}" \
            train.py "${args[@]}") > "$log_dir/msrun.log" 2>&1 &
        launcher=$!
    fi
    local status stop_signal
    wait_forwarding_stops "$launcher"
    local worker_log
    for worker_log in "$log_dir"/worker_*.log; do
        [ -f "$worker_log" ] || continue
        grep -h "ms/step\|Training finished\|^error:" "$worker_log" | tail -n 2 | sed "s|^|$(basename "$worker_log" .log): |"
        # Workers signalled directly (not through this script) stop the same way and exit 0 under msrun,
        # which would SIGKILL the other workers on a non-zero exit: their logs tell that it was a stop.
        if [ -z "$stop_signal" ] && [ "$status" -eq 0 ]; then
            stop_signal="$(grep -h -o -m1 "^stopped: SIG[A-Z]*" "$worker_log" | sed "s/^stopped: SIG//")"
        fi
    done
    if [ -n "$stop_signal" ]; then
        echo "stopped: SIG$stop_signal; rank 0 saved the position reached: continue with --resume auto" \
             "(full logs: $log_dir)" >&2
        [ "$stop_signal" = INT ] && return 130
        return 143
    fi
    if [ "$status" -ne 0 ]; then
        echo "error: distributed training failed (exit $status); failing ranks:" >&2
        for worker_log in "$log_dir"/worker_*.log; do
            [ -f "$worker_log" ] || continue
            local reason
            reason="$(grep -h -m1 "^error:\|Error:" "$worker_log")"
            [ -n "$reason" ] && echo "  $(basename "$worker_log" .log): $reason" >&2
        done
        echo "  full logs: $log_dir" >&2
        return 1
    fi
    echo "Distributed training finished; outputs in $output"
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
