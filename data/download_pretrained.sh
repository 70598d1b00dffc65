#!/bin/bash
# Download a published generator of the reference implementation or of pix2pixHD and convert it into a
# checkpoint of this repository (data/pretrained/NAME.ckpt), without PyTorch; then print the commands to try
# it. vgg19 fetches torchvision's VGG19 weights for --lambda_vgg (kept as data/pretrained/vgg19-dcbb9e9d.pth),
# fid_inception pytorch-fid's FID Inception for --fid_weights (data/pretrained/pt_inception-2015-12-05-6726825d.pth).
# Usage: bash data/download_pretrained.sh NAME
#   pix2pix (unet_256, batch norm, dropout): facades_label2photo, sat2map, map2sat, edges2shoes, day2night
#   CycleGAN (resnet_9blocks, instance norm): cyclegan_NAME for NAME in apple2orange, orange2apple,
#     summer2winter_yosemite, winter2summer_yosemite, horse2zebra, zebra2horse, monet2photo, style_monet,
#     style_cezanne, style_ukiyoe, style_vangogh, sat2map, map2sat, cityscapes_photo2label,
#     cityscapes_label2photo, facades_photo2label, facades_label2photo, iphone2dslr_flower
#   pix2pixHD (netG local, ngf 32, Cityscapes' 35 labels + instance maps, 2048x1024): label2city_1024p
#   vgg19: torchvision's ImageNet VGG19, for the perceptual loss of pix2pixHD's objective
#   fid_inception: pytorch-fid's Inception v3 (TensorFlow's FID network), for FID and KID
# Environment: PIX2PIX_MODEL_URL / CYCLEGAN_MODEL_URL / PIX2PIXHD_MODEL_URL / VGG_MODEL_URL / FID_WEIGHTS_URL
#              override the servers (default: the authors' Google Drive for pix2pixHD, download.pytorch.org
#              for vgg19, pytorch-fid's GitHub release for fid_inception, whose sha256 is then checked),
#              PIX2PIX_PRETRAINED_ROOT the destination folder (default: data/pretrained), PYTHON the interpreter.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"

PIX2PIX="facades_label2photo sat2map map2sat edges2shoes day2night"
CYCLEGAN="apple2orange orange2apple summer2winter_yosemite winter2summer_yosemite horse2zebra zebra2horse \
monet2photo style_monet style_cezanne style_ukiyoe style_vangogh sat2map map2sat cityscapes_photo2label \
cityscapes_label2photo facades_photo2label facades_label2photo iphone2dslr_flower"
PIX2PIXHD="label2city_1024p"
PIX2PIX_URL="${PIX2PIX_MODEL_URL:-http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch}"
CYCLEGAN_URL="${CYCLEGAN_MODEL_URL:-http://efrosgans.eecs.berkeley.edu/cyclegan/pytorch}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${PIX2PIX_PRETRAINED_ROOT:-$REPO_ROOT/data/pretrained}"
PYTHON="${PYTHON:-python}"

all_names() {
    echo $PIX2PIX $(for name in $CYCLEGAN; do printf 'cyclegan_%s ' "$name"; done) $PIX2PIXHD vgg19 fid_inception
}

if [ $# -ne 1 ]; then
    echo "Usage: bash data/download_pretrained.sh NAME   (NAME: $(all_names | tr -s ' ' | sed 's/ /, /g'))" >&2
    exit 2
fi
NAME="$1"
# What each pix2pix model translates, and the dataset and --direction it expects
# (data/download_Pix2Pix_dataset.sh DATASET).
DATASET=""
KIND=pix2pix
case "$NAME" in
    label2city_1024p) WHAT="pix2pixHD Cityscapes labels -> photo, 2048x1024"; KIND=pix2pixhd; DIRECTION=AtoB ;;
    vgg19) WHAT="torchvision's VGG19 for --vgg_weights"; KIND=weights; FILE=vgg19-dcbb9e9d.pth
        URL="${VGG_MODEL_URL:-https://download.pytorch.org/models}/$FILE"; LOADER=src.weights.vgg_weights:load_vgg19_features
        USE="python train.py --config_path configs/cityscapes_hd_512p.yaml --vgg_weights" ;;
    fid_inception) WHAT="pytorch-fid's FID Inception for --fid_weights"; KIND=weights
        FILE=pt_inception-2015-12-05-6726825d.pth; LOADER=src.weights.fid_weights:load_fid_inception
        URL="${FID_WEIGHTS_URL:-https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights}/$FILE"
        # The file name carries the start of its sha256 (torch.hub's convention): checked on the real server.
        if [ -z "${FID_WEIGHTS_URL:-}" ]; then SHA_PREFIX=6726825d; fi
        USE="python eval.py --ckpt CKPT --val_data_dir DIR --fid_weights" ;;
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
if [ "$KIND" = weights ]; then
    :
elif [ "$KIND" = pix2pixhd ]; then
    # NVIDIA's scripts/download_models.py: the Google Drive file of checkpoints/label2city_1024p/latest_net_G.pth.
    URL="${PIX2PIXHD_MODEL_URL:+$PIX2PIXHD_MODEL_URL/$NAME.pth}"
    URL="${URL:-https://drive.usercontent.google.com/download?export=download&confirm=t&id=1h9SykUnuZul7J3Nbms2QGH1wa85nbN2-}"
elif [ -n "$DATASET" ]; then
    URL="$PIX2PIX_URL/$NAME.pth"
else
    URL="$CYCLEGAN_URL/${NAME#cyclegan_}.pth"
fi

if [ "$KIND" = weights ]; then
    TARGET="$ROOT/$FILE"
    if [ ! -f "$TARGET" ]; then
        mkdir -p "$ROOT" || { echo "error: cannot create $ROOT" >&2; exit 1; }
        WORK="$(mktemp -d "$ROOT/.download_XXXXXX")" || exit 1
        trap 'rm -rf "$WORK"' EXIT
        fetch "$URL" "$WORK/$FILE" "fetch $FILE elsewhere and pass it with the flag below"
        if [ -n "${SHA_PREFIX:-}" ] && [ "$(sha256sum "$WORK/$FILE" | cut -c1-${#SHA_PREFIX})" != "$SHA_PREFIX" ]; then
            echo "error: $URL is not $FILE (its sha256 does not start with $SHA_PREFIX)" >&2; exit 1
        fi
        # Loading it checks every tensor (nothing in the file runs) before it takes the target's name.
        (cd "$REPO_ROOT" && "$PYTHON" -c "import sys, importlib; from src.utils.errors import run_cli; \
module, function = sys.argv[2].split(':'); run_cli(getattr(importlib.import_module(module), function), sys.argv[1])" \
            "$WORK/$FILE" "$LOADER") || exit $?
        mv "$WORK/$FILE" "$TARGET"
    fi
    echo "Ready: $TARGET ($WHAT)"
    echo "Use it: $USE $TARGET"
    exit 0
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
if [ "$KIND" = pix2pixhd ]; then
    echo "  python predict.py --ckpt $TARGET --input_path datasets/cityscapes   (its test_label/ and test_inst/)"
    exit 0
fi
echo "  python predict.py --ckpt $TARGET --input_path YOUR_IMAGES"
if [ -n "$DATASET" ]; then
    echo "  bash data/download_Pix2Pix_dataset.sh $DATASET"
    echo "  python eval.py --ckpt $TARGET --val_data_dir data/datasets/$DATASET/$SPLIT --direction $DIRECTION"
fi
