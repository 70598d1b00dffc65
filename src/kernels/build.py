"""Build the C++ kernels on first use and cache them, as PyTorch's cpp_extension does: the sources are compiled
with g++ against oneDNN's headers (the onednn-devel package of requirements.txt) into one library linked to the
oneDNN library MindSpore itself loads (both call theirs libdnnl.so.3, so a process can hold only one), in a cache
folder named by a digest of everything the build depends on. A build is written under a temporary name and
renamed, so ranks of one msrun job building at once never load half a file."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

from src.utils.errors import UserInputError

KERNEL_DIR = os.path.dirname(os.path.abspath(__file__))
# Where builds are cached; PIX2PIX_KERNEL_CACHE moves it (a read-only home, a shared cache).
DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "pix2pix_mindspore", "kernels")
ONEDNN_HEADER = os.path.join("oneapi", "dnnl", "dnnl.hpp")
# The library's sources, in this folder: the convolutions, the operators around them, and what they share.
KERNEL_SOURCES = ("onednn_ops.cc", "spatial_ops.cc", "onednn_runtime.cc")
KERNEL_HEADERS = ("onednn_runtime.h",)


class KernelsUnavailable(UserInputError):
    """The kernels cannot be built here: `problem` says why, the message adds the way around it."""

    def __init__(self, problem):
        super().__init__(f"{problem}: use --conv_kernel mindspore or auto")
        self.problem = problem


def mindspore_onednn():
    """The folder and file of the oneDNN library MindSpore loads (its lib/libdnnl.so.3)."""
    import mindspore
    folder = os.path.join(os.path.dirname(mindspore.__file__), "lib")
    library = os.path.join(folder, "libdnnl.so.3")
    if not os.path.isfile(library):
        raise KernelsUnavailable(f"MindSpore's oneDNN ({library}) is missing: this MindSpore build cannot run the "
                                 "direct convolutions")
    return folder, library


def onednn_include(prefix=sys.prefix):
    """The include folder of the onednn-devel package (under the environment's `prefix`), which holds
    oneapi/dnnl/dnnl.hpp. A system's headers are not looked for: they may be of another major version than
    the library MindSpore loads."""
    folder = os.path.join(prefix, "include")
    if not os.path.isfile(os.path.join(folder, ONEDNN_HEADER)):
        raise KernelsUnavailable(f"oneDNN's headers ({os.path.join(folder, ONEDNN_HEADER)}) are not installed (pip "
                                 "install -r requirements.txt brings them: onednn-devel)")
    return folder


def compiler():
    found = shutil.which(os.environ.get("CXX", "g++"))
    if not found:
        raise KernelsUnavailable("the direct convolutions are built on first use with a C++ compiler, and none was "
                                 "found (apt-get install g++, or set CXX)")
    return found


def built_library(log=print):
    """The path of the kernels (KERNEL_SOURCES) compiled into one shared library, built now if the cache lacks it."""
    sources = [os.path.join(KERNEL_DIR, name) for name in KERNEL_SOURCES]
    lib_folder, library = mindspore_onednn()
    include, cxx = onednn_include(), compiler()
    # The one hot loop that gains from vectorising asks for it itself (spatial_ops.cc's draw_pairs).
    command = [cxx, "-O2", "-std=c++17", "-shared", "-fPIC", "-pthread", "-I", include, *sources,
               "-L", lib_folder, "-l:libdnnl.so.3", f"-Wl,-rpath,{lib_folder}"]
    digest = hashlib.sha256()
    for path in (*sources, *(os.path.join(KERNEL_DIR, name) for name in KERNEL_HEADERS),
                 os.path.join(include, "oneapi", "dnnl", "dnnl_version.h")):
        with open(path, "rb") as handle:
            digest.update(handle.read())
    # MindSpore's library (58 MB) by its size and time, not its bytes: read at every start otherwise.
    status = os.stat(library)
    digest.update(f"{library} {status.st_size} {status.st_mtime_ns} {' '.join(command)}".encode())
    cache = os.path.join(os.environ.get("PIX2PIX_KERNEL_CACHE") or DEFAULT_CACHE, digest.hexdigest()[:16])
    target = os.path.join(cache, "onednn_ops.so")
    if os.path.isfile(target):
        return target
    os.makedirs(cache, exist_ok=True)
    log(f"Building {', '.join(KERNEL_SOURCES)} with {os.path.basename(cxx)} into {cache} (once)")
    handle, temporary = tempfile.mkstemp(suffix=".so", dir=cache)
    os.close(handle)
    result = subprocess.run(command + ["-o", temporary], capture_output=True, text=True)
    if result.returncode != 0:
        os.unlink(temporary)
        last_line = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise KernelsUnavailable(f"building the kernels ({', '.join(KERNEL_SOURCES)}) failed ({last_line})")
    os.replace(temporary, target)
    return target
