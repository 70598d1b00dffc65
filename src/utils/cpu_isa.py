"""The instruction set oneDNN (MindSpore's CPU convolutions) may use, chosen from what the CPU offers.

MindSpore 2.10's oneDNN, on any CPU with AVX-512 (Intel Xeon, AMD EPYC Zen 4 and later), sends the forward and
backward-data passes of every convolution of MindSpore's NCHW tensors with plain weights to
`jit_uni_ncsp:conv+ref:any`: a layout wrapper around its reference code, 20-100x slower than the JIT GEMM path
it takes below AVX-512 (docs/performance.md has the measurements of every level). So on such CPUs oneDNN is
capped at AVX2, the fastest level measured that keeps every convolution on JIT code; on the others oneDNN keeps
its own choice. A user's ONEDNN_MAX_CPU_ISA (or the older DNNL_MAX_CPU_ISA) always wins.

Where every convolution runs on the project's direct kernels (--conv_kernel onednn, src/kernels), none is left
to fall onto that reference code and the direct ones gain from AVX-512 and AMX: `lift_project_cap` then lifts the
project's cap for the process (a user's cap stays).

oneDNN reads the variable once, at its first primitive: `src/__init__.py` calls `choose_onednn_isa` so that any
way into the project (entry points, msrun workers, `import src...`, the tests) sets it before MindSpore computes.
Imports nothing but the standard library: it runs before MindSpore is loaded.
"""
import os
import platform
from dataclasses import dataclass

ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
# oneDNN's names for its x86 levels, lowest first, each with the /proc/cpuinfo flags it adds to the one before.
ONEDNN_LEVELS = (
    ("SSE41", ("sse4_1",)),
    ("AVX", ("avx",)),
    ("AVX2", ("avx2", "fma")),
    ("AVX512_CORE", ("avx512f", "avx512bw", "avx512vl", "avx512dq")),
    ("AVX512_CORE_VNNI", ("avx512_vnni",)),
    ("AVX512_CORE_BF16", ("avx512_bf16",)),
    ("AVX10_1_512", ("avx512_fp16",)),
    ("AVX10_1_512_AMX", ("amx_tile", "amx_int8", "amx_bf16")),
    ("AVX10_1_512_AMX_FP16", ("amx_fp16",)),
)
# Older names oneDNN still takes for some levels.
ONEDNN_ALIASES = {"AVX512_CORE_FP16": "AVX10_1_512", "AVX512_CORE_AMX": "AVX10_1_512_AMX",
                  "AVX512_CORE_AMX_FP16": "AVX10_1_512_AMX_FP16"}
# The cap on CPUs whose oneDNN level is AVX-512 or above (measured: docs/performance.md).
AVX512_CAP = "AVX2"
# oneDNN's dnnl_cpu_isa_default: no cap, every level the CPU has.
ONEDNN_NO_CAP = 0
# Marks a cap this module set (in this process or in the parent that started it, such as msrun), so that a
# child does not take it for the user's.
CHOSEN_MARK = "PIX2PIX_ONEDNN_ISA_CHOSEN"


@dataclass(frozen=True)
class Cpu:
    """What the CPU is: its model name and the highest oneDNN level its flags offer (None: not x86, or unknown)."""
    model: str
    onednn_level: object

    @property
    def has_avx512(self):
        levels = [name for name, _ in ONEDNN_LEVELS]
        return self.onednn_level is not None and levels.index(self.onednn_level) >= levels.index("AVX512_CORE")


@dataclass(frozen=True)
class IsaChoice:
    """The oneDNN setting in force: `cap` (a level name, or None: oneDNN's own choice), who chose it
    (`user`, `project`, `default`, or `lifted`: the project's cap lifted for the direct kernels), and the CPU
    it was chosen for."""
    cpu: Cpu
    cap: object
    chosen_by: str

    def reaches(self, level):
        """Whether oneDNN may run code of `level` (a name of ONEDNN_LEVELS) here: the CPU has it, and no cap of
        the user's keeps oneDNN below it (the project's own cap is lifted for the direct kernels)."""
        names = [name for name, _ in ONEDNN_LEVELS]
        if self.cpu.onednn_level is None or names.index(self.cpu.onednn_level) < names.index(level):
            return False
        if self.chosen_by != "user":
            return True
        cap = ONEDNN_ALIASES.get(self.cap.upper(), self.cap.upper())
        if cap in ("ALL", "DEFAULT"):
            return True
        return cap in names and names.index(cap) >= names.index(level)

    @property
    def reaches_avx512(self):
        """Whether the direct kernels may run AVX-512 code here."""
        return self.reaches("AVX512_CORE")

    def describe(self):
        """The one log line of the choice."""
        offers = f"{self.cpu.model}, oneDNN level {self.cpu.onednn_level or 'unknown'}"
        if self.chosen_by == "user":
            return f"CPU: {offers}; ONEDNN_MAX_CPU_ISA={self.cap} from the environment, kept"
        if self.chosen_by == "project":
            return (f"CPU: {offers}; oneDNN capped at {self.cap}, as its AVX-512 convolutions of MindSpore's layout run "
                    "reference code (set ONEDNN_MAX_CPU_ISA to choose another)")
        if self.chosen_by == "lifted":
            return (f"CPU: {offers}; the project's {AVX512_CAP} cap lifted, as every convolution runs on oneDNN's "
                    "direct kernels (--conv_kernel)")
        return f"CPU: {offers}; oneDNN's own choice kept (its convolutions run JIT code here)"


def read_cpu(cpuinfo_path="/proc/cpuinfo"):
    """The Cpu described by the first processor of `cpuinfo_path` (Linux's /proc/cpuinfo layout)."""
    fields = {}
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break  # the first processor is enough: they are all alike
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:  # not Linux
        pass
    model = fields.get("model name") or f"unknown {platform.machine()} CPU"
    flags = set(fields.get("flags", "").split())
    level = None
    for name, required in ONEDNN_LEVELS:
        if not flags.issuperset(required):
            break
        level = name
    return Cpu(model, level)


def choose_onednn_isa(environ=None, cpuinfo_path="/proc/cpuinfo"):
    """Set ONEDNN_MAX_CPU_ISA in `environ` (os.environ by default) for the CPU, unless it is set already;
    returns the IsaChoice. Idempotent."""
    environ = os.environ if environ is None else environ
    cpu = read_cpu(cpuinfo_path)
    for variable in ISA_VARIABLES:
        if environ.get(variable):
            return IsaChoice(cpu, environ[variable], "user" if environ.get(CHOSEN_MARK) != environ[variable]
                             else "project")
    if cpu.has_avx512:
        environ["ONEDNN_MAX_CPU_ISA"] = environ[CHOSEN_MARK] = AVX512_CAP
        return IsaChoice(cpu, AVX512_CAP, "project")
    return IsaChoice(cpu, None, "default")


_in_force = None


def onednn_isa_in_force():
    """This process's IsaChoice (made once, at `import src`)."""
    global _in_force
    if _in_force is None:
        _in_force = choose_onednn_isa()
    return _in_force


def lift_project_cap(set_max_cpu_isa):
    """Lift the project's cap (not a user's) for the rest of this process, where every convolution runs on the
    direct kernels. `set_max_cpu_isa`: dnnl_set_max_cpu_isa of the oneDNN MindSpore loads, which overrides the
    variable but only before oneDNN's first kernel. Returns the IsaChoice in force; RuntimeError when oneDNN
    has fixed its level already."""
    global _in_force
    choice = onednn_isa_in_force()
    if choice.chosen_by != "project":
        return choice
    if set_max_cpu_isa(ONEDNN_NO_CAP) != 0:
        raise RuntimeError("oneDNN fixed its instruction set before the project's cap could be lifted (something "
                           "computed first in this process)")
    _in_force = IsaChoice(choice.cpu, None, "lifted")
    return _in_force
