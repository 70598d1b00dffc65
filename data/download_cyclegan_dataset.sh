#!/bin/bash
# Download a public CycleGAN dataset into data/datasets/cyclegan/NAME/{trainA,trainB,testA,testB} (two unpaired
# domains; --model cycle_gan reads them with --dataset_mode unaligned).
# Usage: bash data/download_cyclegan_dataset.sh NAME
#   NAME: horse2zebra | summer2winter_yosemite | monet2photo | apple2orange | cezanne2photo | ukiyoe2photo |
#         vangogh2photo | iphone2dslr_flower | facades | maps | cityscapes
# Environment: CYCLEGAN_DATASET_URL overrides the server (default: the CycleGAN authors' mirror),
#              CYCLEGAN_DATA_ROOT the destination folder (default: data/datasets/cyclegan in this repository).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"

NAMES="horse2zebra summer2winter_yosemite monet2photo apple2orange cezanne2photo ukiyoe2photo vangogh2photo iphone2dslr_flower facades maps cityscapes"
BASE_URL="${CYCLEGAN_DATASET_URL:-https://people.eecs.berkeley.edu/~taesung_park/CycleGAN/datasets}"
ROOT="${CYCLEGAN_DATA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/datasets/cyclegan}"
PYTHON="${PYTHON:-python3}"

if [ $# -ne 1 ]; then
    echo "Usage: bash data/download_cyclegan_dataset.sh NAME   (NAME: ${NAMES// /, })" >&2
    exit 2
fi
NAME="$1"
case " $NAMES " in
    *" $NAME "*) ;;
    *) echo "error: unknown dataset '$NAME'; available: ${NAMES// /, }" >&2; exit 2 ;;
esac

case "$NAME" in
    horse2zebra) echo "horse2zebra: 1067 horses / 1334 zebras to train, 120 / 140 to test (ImageNet); A horses, B zebras." ;;
    summer2winter_yosemite) echo "summer2winter_yosemite: 1231 summer / 962 winter Yosemite photos (Flickr); A summer." ;;
    monet2photo) echo "monet2photo: 1072 Monet paintings / 6287 photos (Wikiart, Flickr); A paintings, B photos." ;;
    apple2orange) echo "apple2orange: 995 apples / 1019 oranges (ImageNet); A apples." ;;
    facades) echo "facades: the CMP Facades pairs split into unpaired domains; A photos, B labels." ;;
    maps) echo "maps: Google Maps aerial photos (A) and maps (B), unpaired." ;;
    cityscapes)
        echo "cityscapes: Cityscapes photos (A) and colour labels (B), unpaired."
        echo "LICENCE: Cityscapes may only be used under its own terms (https://www.cityscapes-dataset.com/license/):"
        echo "         non-commercial research and teaching only, no redistribution. Downloading means you accept them." ;;
    *) echo "$NAME: two unpaired domains of the CycleGAN paper's datasets." ;;
esac

start_dataset_download "$ROOT" "$NAME"
ARCHIVE="$WORK/$NAME.zip"
fetch "$BASE_URL/$NAME.zip" "$ARCHIVE" "fetch the archive elsewhere and unpack it into $TARGET/{trainA,trainB,testA,testB}"
# Python's zipfile keeps every member inside the folder (no absolute paths, no '..').
if ! "$PYTHON" -m zipfile -e "$ARCHIVE" "$WORK/unpacked" 2>/dev/null; then
    echo "error: $ARCHIVE is not a valid .zip archive (interrupted download?): run the script again" >&2
    exit 1
fi
# The archives hold NAME/{trainA,trainB,testA,testB}; move that folder into place in one step.
if [ ! -d "$WORK/unpacked/$NAME/trainA" ] || [ ! -d "$WORK/unpacked/$NAME/trainB" ]; then
    echo "error: the archive has no $NAME/trainA and $NAME/trainB folders: unexpected layout" >&2
    exit 1
fi
rm -rf "$TARGET"
mv "$WORK/unpacked/$NAME" "$TARGET"
echo "Ready: $TARGET ($(ls "$TARGET" | tr '\n' ' '))"
echo "Train with: python train.py --config_path configs/cyclegan_$NAME.yaml   (see configs/)"
