#!/bin/bash
# Data-parallel training on DEVICE_NUM GPU devices with msrun (MindSpore's launcher).
# Usage: bash scripts/run_distribute_train_gpu.sh DEVICE_NUM [DATASET_PATH] [--key=value ...]
#   DATASET_PATH: a dataset root with train/ (and val/), a folder of A|B pairs, or a .mindrecord file
#                 (data/make_mindrecord.py); omit it for the sample set.
# Several nodes: run this on every node with NODE_NUM=<nodes> NODE_RANK=<0..NODE_NUM-1>
#   MASTER_ADDR=<node 0's address> MASTER_PORT=<free port> (defaults: 1 node, 127.0.0.1:8118).
# CLUSTER_TIME_OUT (seconds, default 600) bounds how long workers wait for each other.
# Per-rank logs: OUTPUT_PATH/logs/launch_TIME/worker_N.log; the script waits and returns the job's status.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 1 ]; then
    echo "Usage: bash scripts/run_distribute_train_gpu.sh DEVICE_NUM [DATASET_PATH] [--key=value ...]" >&2
    exit 2
fi
run_distributed_training GPU "$@"
