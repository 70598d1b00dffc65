#!/bin/bash
# Take imgs/tensorboard_quick_start.png: serve a run's TensorBoard events, screenshot the page with headless
# Chromium (Debian: apt-get install chromium), stop TensorBoard.
# Usage: bash docs/make_tensorboard_screenshot.sh [RUN_FOLDER]   (default: the quick start's outputs/sample_facades)
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source docs/wait_for_server.sh
RUN="${1:-outputs/sample_facades}"
PORT="${PORT:-6066}"
command -v chromium >/dev/null 2>&1 || { echo "error: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
[ -d "$RUN/tensorboard" ] || { echo "error: $RUN/tensorboard does not exist: run the quick start first" >&2; exit 2; }
"${PYTHON:-python}" -m tensorboard.main --logdir "$RUN/tensorboard" --port "$PORT" >/dev/null 2>&1 &
BOARD=$!
trap 'kill $BOARD 2>/dev/null' EXIT
wait_for_server $BOARD "http://127.0.0.1:$PORT/" tensorboard
# Two dashboards, side by side: the validation scores and G's L1 (scalars), the validation pictures (images).
# The time budget lets each page load its data.
SHOTS="$(mktemp -d)"
trap 'kill $BOARD 2>/dev/null; rm -rf "$SHOTS"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1000 --virtual-time-budget=30000 \
    --screenshot="$SHOTS/scalars.png" "http://127.0.0.1:$PORT/#scalars&tagFilter=validation%2F(l1%7Cssim%7Cpsnr%7Cfid%7Ckid_mean)%7Closs_g_l1" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=800,1000 --virtual-time-budget=30000 \
    --screenshot="$SHOTS/images.png" "http://127.0.0.1:$PORT/#images" 2>/dev/null
"${PYTHON:-python}" - "$SHOTS" <<'PY' || exit 1
import sys
from PIL import Image
left, right = (Image.open(f"{sys.argv[1]}/{name}.png").convert("RGB") for name in ("scalars", "images"))
picture = Image.new("RGB", (left.width + right.width, max(left.height, right.height)), "white")
picture.paste(left, (0, 0))
picture.paste(right, (left.width, 0))
picture.save("imgs/tensorboard_quick_start.png", optimize=True)
PY
echo "wrote imgs/tensorboard_quick_start.png"
