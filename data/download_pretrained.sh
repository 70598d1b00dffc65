#!/bin/bash
# Download a published generator of the reference implementation and convert it into a checkpoint of this
# repository (data/pretrained/NAME.ckpt), without PyTorch; then print the commands to try it.
# Usage: bash data/download_pretrained.sh NAME
#   pix2pix (unet_256, batch norm, dropout): facades_label2photo, sat2map, map2sat, edges2shoes, day2night
#   CycleGAN (resnet_9blocks, instance norm): cyclegan_NAME for NAME in apple2orange, orange2apple,
#     summer2winter_yosemite, winter2summer_yosemite, horse2zebra, zebra2horse, monet2photo, style_monet,
#     style_cezanne, style_ukiyoe, style_vangogh, sat2map, map2sat, cityscapes_photo2label,
#     cityscapes_label2photo, facades_photo2label, facades_label2photo, iphone2dslr_flower
# Environment: PIX2PIX_MODEL_URL / CYCLEGAN_MODEL_URL override the servers (default: the authors'),
#              PIX2PIX_PRETRAINED_ROOT the destination folder (default: data/pretrained), PYTHON the interpreter.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"

PIX2PIX="facades_label2photo sat2map map2sat edges2shoes day2night"
CYCLEGAN="apple2orange orange2apple summer2winter_yosemite winter2summer_yosemite horse2zebra zebra2horse \
monet2photo style_monet style_cezanne style_ukiyoe style_vangogh sat2map map2sat cityscapes_photo2label \
cityscapes_label2photo facades_photo2label facades_label2photo iphone2dslr_flower"
PIX2PIX_URL="${PIX2PIX_MODEL_URL:-http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch}"
CYCLEGAN_URL="${CYCLEGAN_MODEL_URL:-http://efrosgans.eecs.berkeley.edu/cyclegan/pytorch}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${PIX2PIX_PRETRAINED_ROOT:-$REPO_ROOT/data/pretrained}"
PYTHON="${PYTHON:-python}"

all_names() {
    echo $PIX2PIX $(for name in $CYCLEGAN; do printf 'cyclegan_%s ' "$name"; done)
}

if [ $# -ne 1 ]; then
    echo "Usage: bash data/download_pretrained.sh NAME   (NAME: $(all_names | tr -s ' ' | sed 's/ /, /g'))" >&2
    exit 2
fi
NAME="$1"
# What each pix2pix model translates, and the dataset and --direction it expects
# (data/download_Pix2Pix_dataset.sh DATASET).
DATASET=""
case "$NAME" in
    facades_label2photo) WHAT="labels -> photo"; DATASET=facades; DIRECTION=BtoA; SPLIT=test ;;
    sat2map) WHAT="aerial photo -> map"; DATASET=maps; DIRECTION=AtoB; SPLIT=val ;;
    map2sat) WHAT="map -> aerial photo"; DATASET=maps; DIRECTION=BtoA; SPLIT=val ;;
    edges2shoes) WHAT="edges -> shoe photo"; DATASET=edges2shoes; DIRECTION=AtoB; SPLIT=val ;;
    day2night) WHAT="day -> night"; DATASET=night2day; DIRECTION=BtoA; SPLIT=test ;;
    cyclegan_*)
        case " $CYCLEGAN " in
            *" ${NAME#cyclegan_} "*) WHAT="CycleGAN ${NAME#cyclegan_}, for single images"; DIRECTION=AtoB ;;
            *) echo "error: unknown model '$NAME'; available: $(all_names)" >&2; exit 2 ;;
        esac ;;
    *) echo "error: unknown model '$NAME'; available: $(all_names)" >&2; exit 2 ;;
esac
if [ -n "$DATASET" ]; then
    URL="$PIX2PIX_URL/$NAME.pth"
else
    URL="$CYCLEGAN_URL/${NAME#cyclegan_}.pth"
fi

TARGET="$ROOT/$NAME.ckpt"
if [ -f "$TARGET" ]; then
    echo "$TARGET already exists: nothing to download (remove it to fetch again)."
else
    mkdir -p "$ROOT" || { echo "error: cannot create $ROOT" >&2; exit 1; }
    WORK="$(mktemp -d "$ROOT/.download_XXXXXX")" || exit 1
    trap 'rm -rf "$WORK"' EXIT
    fetch "$URL" "$WORK/$NAME.pth" "fetch the .pth elsewhere and run: python convert_weights.py FILE.pth --output $TARGET"
    (cd "$REPO_ROOT" && "$PYTHON" convert_weights.py "$WORK/$NAME.pth" --output "$WORK/$NAME.ckpt" \
        --direction "$DIRECTION") || exit $?
    mv "$WORK/$NAME.ckpt" "$TARGET"
fi
echo "Ready: $TARGET ($WHAT)"
echo "Try it:"
echo "  python predict.py --ckpt $TARGET --input_path YOUR_IMAGES"
if [ -n "$DATASET" ]; then
    echo "  bash data/download_Pix2Pix_dataset.sh $DATASET"
    echo "  python eval.py --ckpt $TARGET --val_data_dir data/datasets/$DATASET/$SPLIT --direction $DIRECTION"
fi
