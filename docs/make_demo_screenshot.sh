#!/bin/bash
# Take imgs/demo.png: start demo.py on the quick start's generator, screenshot its page with headless Chromium
# (Debian: apt-get install chromium), stop the demo.
# Usage: bash docs/make_demo_screenshot.sh [CKPT]   (default: the quick start's generator_final.ckpt)
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source docs/wait_for_server.sh
CKPT="${1:-outputs/sample_facades/checkpoints/generator_final.ckpt}"
PORT="${PORT:-7869}"
command -v chromium >/dev/null 2>&1 || { echo "error: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
"${PYTHON:-python}" demo.py --ckpt "$CKPT" --port "$PORT" &
DEMO=$!
trap 'kill $DEMO 2>/dev/null' EXIT
wait_for_server $DEMO "http://127.0.0.1:$PORT/" demo.py
# The page translates its first example when it opens; the time budget lets that finish.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,860 \
    --virtual-time-budget=40000 --screenshot=imgs/demo.png "http://127.0.0.1:$PORT/" 2>/dev/null
echo "wrote imgs/demo.png"
