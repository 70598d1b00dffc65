#!/bin/bash
# Download a public pix2pix dataset into data/datasets/NAME/{train,val,test} (aligned A|B jpgs).
# Usage: bash data/download_Pix2Pix_dataset.sh NAME
#   NAME: facades | maps | cityscapes | edges2shoes | edges2handbags | night2day
# Environment: PIX2PIX_DATASET_URL overrides the server (default: the pix2pix authors' mirror),
#              PIX2PIX_DATA_ROOT the destination folder (default: data/datasets in this repository).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"

NAMES="facades maps cityscapes edges2shoes edges2handbags night2day"
BASE_URL="${PIX2PIX_DATASET_URL:-http://efrosgans.eecs.berkeley.edu/pix2pix/datasets}"
ROOT="${PIX2PIX_DATA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/datasets}"

usage() {
    echo "Usage: bash data/download_Pix2Pix_dataset.sh NAME   (NAME: ${NAMES// /, })" >&2
}

if [ $# -ne 1 ]; then
    usage
    exit 2
fi
NAME="$1"
case " $NAMES " in
    *" $NAME "*) ;;
    *) echo "error: unknown dataset '$NAME'; available: ${NAMES// /, }" >&2; exit 2 ;;
esac

case "$NAME" in
    facades) echo "facades: 400 train / 100 val / 106 test pairs from CMP Facades; photo left, labels right (label->photo is --direction BtoA)." ;;
    maps) echo "maps: 1096 train / 1098 val pairs scraped from Google Maps; aerial photo left, map right." ;;
    cityscapes)
        echo "cityscapes: 2975 train / 500 val pairs from Cityscapes; photo left, colour labels right."
        echo "LICENCE: Cityscapes may only be used under its own terms (https://www.cityscapes-dataset.com/license/):"
        echo "         non-commercial research and teaching only, no redistribution. Downloading means you accept them." ;;
    edges2shoes) echo "edges2shoes: 50k pairs from UT Zappos50K (2.2 GB); edges left, photo right." ;;
    edges2handbags) echo "edges2handbags: 137k pairs from iGAN handbags (8.6 GB); edges left, photo right." ;;
    night2day) echo "night2day: about 20k pairs from Transient Attributes; night left, day right." ;;
esac

start_dataset_download "$ROOT" "$NAME"
URL="$BASE_URL/$NAME.tar.gz"
ARCHIVE="$WORK/$NAME.tar.gz"
fetch "$URL" "$ARCHIVE" "fetch the archive elsewhere and unpack it into $TARGET/{train,val,test}"
if ! tar -xzf "$ARCHIVE" -C "$WORK"; then
    echo "error: $ARCHIVE is not a valid .tar.gz archive (interrupted download?): run the script again" >&2
    exit 1
fi
# The archives hold NAME/{train,val,test}; move that folder into place in one step.
if [ ! -d "$WORK/$NAME/train" ]; then
    echo "error: the archive has no $NAME/train folder: unexpected layout" >&2
    exit 1
fi
rm -rf "$TARGET"
mv "$WORK/$NAME" "$TARGET"
echo "Ready: $TARGET ($(ls "$TARGET" | tr '\n' ' '))"
echo "Train with: bash scripts/run_train_gpu.sh $TARGET   (or run_train_cpu.sh / run_train_ascend.sh)"
