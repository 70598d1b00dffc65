#!/bin/bash
# Build ascend310_infer/out/main against the MindSpore C++ inference API:
#   - MindSpore Lite cloud inference, when MS_LITE_HOME points at an unpacked mindspore-lite package;
#   - otherwise the installed MindSpore package, if it ships include/api/model.h and lib/libmindspore.so
#     (the Ascend toolkit's MindSpore does; the PyPI CPU/GPU wheel does not).
# Exit status 3 means this machine has no MindSpore C++ inference API (scripts/run_infer_310.sh then
# falls back to the Python runner); any other failure is a real build error.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
PYTHON="${PYTHON:-python3}"

if ! command -v cmake >/dev/null 2>&1 || ! command -v c++ >/dev/null 2>&1; then
    echo "cmake and a C++17 compiler are needed to build the inference program" >&2
    exit 3
fi
if [ -n "${MS_LITE_HOME:-}" ]; then
    if [ ! -f "$MS_LITE_HOME/runtime/include/api/model.h" ]; then
        echo "MS_LITE_HOME=$MS_LITE_HOME has no runtime/include/api/model.h: not a MindSpore Lite package" >&2
        exit 3
    fi
    flags=(-DENABLE_LITE=ON "-DMS_LITE_HOME=$MS_LITE_HOME")
else
    ms_path="$("$PYTHON" -c 'import os, mindspore; print(os.path.dirname(mindspore.__file__))' 2>/dev/null)"
    if [ -z "$ms_path" ] || [ ! -f "$ms_path/include/api/model.h" ] || ! ls "$ms_path"/lib/libmindspore.so* >/dev/null 2>&1; then
        echo "no MindSpore C++ inference API here (neither MS_LITE_HOME nor a MindSpore package with" \
             "include/api/model.h and lib/libmindspore.so, as the Ascend toolkit installs)" >&2
        exit 3
    fi
    flags=("-DMINDSPORE_PATH=$ms_path")
fi
mkdir -p build out && cd build || exit 1
cmake .. "${flags[@]}" && make -j"$(nproc)" || exit 1
echo "built $(cd .. && pwd)/out/main"
