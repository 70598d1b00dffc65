#!/bin/bash
# Train pix2pix on one Ascend device.
# Usage: bash scripts/run_train_ascend.sh [DATASET_PATH] [--key=value ...]
#   DATASET_PATH: a dataset root with train/ (and val/), e.g. data/datasets/facades, a folder of A|B pairs, or a
#                 .mindrecord file (data/make_mindrecord.py);
#                 omit it to train on the embedded sample set (quick-start preset).
#   --key=value:  any setting of default_config.yaml, e.g. --direction=AtoB --batch_size=4.
# Environment: DEVICE_ID selects the device (default 0), PYTHON the interpreter.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_single_device_training Ascend "$@"
