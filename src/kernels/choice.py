"""Which convolutions a run computes with (--conv_kernel) and in which arithmetic (--cpu_precision), settled
before anything computes: the direct kernels change the whole process (they lift the project's oneDNN cap,
utils.cpu_isa).

auto takes the direct kernels where they measured faster than MindSpore's own (docs/performance.md): on every
CPU whose oneDNN reaches AVX-512 (MindSpore's convolutions are capped at AVX2 there), and below AVX-512 for
training every generator but the U-Nets (ResNet, pix2pixHD: faster, and half the memory); MindSpore's own
elsewhere, off the CPU, with mixed precision, and wherever the kernels cannot be built (no C++ compiler)."""
from src.kernels.build import KernelsUnavailable
from src.kernels.direct_conv import set_convolution_precision, start_direct_convolutions
from src.utils.cpu_isa import onednn_isa_in_force
from src.utils.errors import UserInputError

# The oneDNN level from which CPUs compute in bfloat16 (AVX-512 BF16; AMX above it).
BFLOAT16_LEVEL = "AVX512_CORE_BF16"


def why_not_direct(device_target, amp_level="O0", trained_generator=None):
    """Why auto keeps MindSpore's convolutions for this run (a phrase), or None when the direct kernels pay.
    `trained_generator`: the --netG a training run builds (None: a run that only translates)."""
    if device_target != "CPU":
        return f"the direct kernels are CPU kernels, this run is on {device_target}"
    if amp_level != "O0":
        return f"the direct kernels compute in float32, this run has --amp_level {amp_level}"
    if onednn_isa_in_force().reaches_avx512:
        return None
    if trained_generator is not None and not trained_generator.startswith("unet"):
        return None
    return "below AVX-512 MindSpore's own convolutions are as fast for U-Nets and for translating"


def settle_conv_kernel(conv_kernel, log, device_target, amp_level="O0", trained_generator=None):
    """'onednn' or 'mindspore' for --conv_kernel `conv_kernel`, the direct kernels started when it is onednn;
    logs auto's choice of MindSpore's own and its reason."""
    if conv_kernel == "onednn":
        start_direct_convolutions(log)
    if conv_kernel != "auto":
        return conv_kernel
    reason = why_not_direct(device_target, amp_level, trained_generator)
    if reason is None:
        try:
            start_direct_convolutions(log, only_uncapped=True)
            return "onednn"
        except KernelsUnavailable as error:
            reason = f"the direct kernels cannot run here: {error.problem}"
    log(f"Convolutions: MindSpore's own (--conv_kernel auto: {reason})")
    return "mindspore"


def start_convolutions(conv_kernel, log, device_target, amp_level="O0", trained_generator=None, precision="float32"):
    """Settle --conv_kernel and --cpu_precision for this process, before any network is built: for onednn, and
    for auto where the direct kernels pay and can be built, start them (direct_conv.start_direct_convolutions).
    Returns the kernel in force, 'onednn' or 'mindspore'. UserInputError for bf16 where it cannot be had."""
    kernel = settle_conv_kernel(conv_kernel, log, device_target, amp_level, trained_generator)
    if precision == "bf16":
        if kernel != "onednn":
            raise UserInputError("--cpu_precision bf16 is the direct kernels' arithmetic, and this run's convolutions "
                                 "are MindSpore's own: use --conv_kernel onednn, or --cpu_precision float32")
        choice = onednn_isa_in_force()
        if not choice.reaches(BFLOAT16_LEVEL):
            raise UserInputError(f"--cpu_precision bf16 needs a CPU with AVX-512 BF16 or AMX, and oneDNN may use "
                                 f"{choice.cap or choice.cpu.onednn_level} here ({choice.cpu.model}): use "
                                 "--cpu_precision float32")
        set_convolution_precision("bf16")
        log("Convolutions: bfloat16 inputs, float32 outputs (--cpu_precision bf16)")
    return kernel
