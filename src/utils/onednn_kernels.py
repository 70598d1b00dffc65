"""Which oneDNN kernels MindSpore's convolutions ran, read from oneDNN's verbose lines: the census behind
benchmark.py's `conv_kernels` and the test that no convolution runs reference code.

oneDNN prints one line per primitive it executes when verbose is on (ONEDNN_VERBOSE=1, or `verbose_lines`
here, which switches it on in this process for one call):
onednn_verbose,v1,primitive,exec,cpu,convolution,IMPLEMENTATION,PROP_KIND,FORMATS,,ALGORITHM,PROBLEM,MS
"""
import ctypes
import os
import sys
import tempfile
from dataclasses import dataclass

KERNEL_KINDS = ("jit", "gemm", "ref")


@dataclass(frozen=True)
class KernelRun:
    """One executed oneDNN primitive: its kind (convolution, ...), implementation name, propagation kind
    (forward_training, backward_data, backward_weights, ...), problem (shapes) and time in ms."""
    primitive: str
    implementation: str
    propagation: str
    problem: str
    ms: float

    @property
    def kind(self):
        """ref (reference C++ code: the slow path, also when wrapped, as `jit_uni_ncsp:conv+ref:any`), gemm
        (im2col + JIT SGEMM, `x64:gemm:jit`) or jit (direct JIT kernels: jit:avx2, brg*)."""
        parts = self.implementation.replace("+", ":").split(":")
        if "ref" in parts or self.implementation.startswith("ref"):
            return "ref"
        return "gemm" if "gemm" in parts else "jit"


def parse_verbose(text):
    """The KernelRuns of oneDNN verbose output `text` (other lines are skipped)."""
    runs = []
    for line in text.splitlines():
        fields = line.strip().split(",")
        if len(fields) < 13 or fields[0] != "onednn_verbose" or fields[2:4] != ["primitive", "exec"]:
            continue
        try:
            runs.append(KernelRun(fields[5], fields[6], fields[7], fields[-2], float(fields[-1])))
        except ValueError:  # a line cut short by another thread's output
            continue
    return runs


def convolution_time_by_kind(runs):
    """{jit, gemm, ref: {ms, share, calls}} of the convolutions (deconvolutions included) among `runs`."""
    convolutions = [run for run in runs if run.primitive in ("convolution", "deconvolution")]
    total = sum(run.ms for run in convolutions) or 1.0
    census = {}
    for kind in KERNEL_KINDS:
        chosen = [run for run in convolutions if run.kind == kind]
        milliseconds = sum(run.ms for run in chosen)
        census[kind] = {"ms": round(float(milliseconds), 1), "share": round(milliseconds / total, 4), "calls": len(chosen)}
    return census


def onednn_isa_line(text):
    """The ISA oneDNN reports in its verbose header ('Intel AVX2', ...), or None."""
    for line in text.splitlines():
        if line.startswith("onednn_verbose") and ",cpu,isa:" in line:
            return line.split(",cpu,isa:", 1)[1].strip()
    return None


def _onednn_library():
    """MindSpore's own oneDNN (the library its CPU kernels call)."""
    import mindspore

    return ctypes.CDLL(os.path.join(os.path.dirname(mindspore.__file__), "lib", "libdnnl.so.3"))


def flush_c_stdout():
    """Write out what C code (oneDNN) has printed but still holds in the C library's stdout buffer."""
    ctypes.CDLL(None).fflush(None)


def verbose_lines(function):
    """(function's result, the oneDNN verbose text it produced): verbose is switched on in this process for
    the call and oneDNN's output (C-level stdout) is caught in a temporary file."""
    library = _onednn_library()
    flush_c_stdout()
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 1)
        library.dnnl_set_verbose(1)
        try:
            result = function()
        finally:
            library.dnnl_set_verbose(0)
            flush_c_stdout()
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        caught.seek(0)
        return result, caught.read().decode("utf-8", errors="replace")
