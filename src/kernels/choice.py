"""Which convolutions a run computes with (--conv_kernel), settled before anything computes: the direct
kernels change the whole process (they lift the project's oneDNN cap, utils.cpu_isa).

auto takes the direct kernels where they measured faster than MindSpore's own (docs/performance.md): on every
CPU whose oneDNN reaches AVX-512 (MindSpore's convolutions are capped at AVX2 there), and below AVX-512 for
training every generator but the U-Nets (ResNet, pix2pixHD: faster, and half the memory); MindSpore's own
elsewhere, off the CPU, with mixed precision, and wherever the kernels cannot be built (no C++ compiler)."""
from src.kernels.build import KernelsUnavailable
from src.kernels.direct_conv import start_direct_convolutions
from src.utils.cpu_isa import onednn_isa_in_force


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


def start_convolutions(conv_kernel, log, device_target, amp_level="O0", trained_generator=None):
    """Settle --conv_kernel `conv_kernel` for this process, before any network is built: for onednn, and for
    auto where the direct kernels pay and can be built, start them (direct_conv.start_direct_convolutions).
    Returns the kernel in force, 'onednn' or 'mindspore'; logs auto's choice."""
    if conv_kernel == "onednn":
        start_direct_convolutions(log)
    if conv_kernel != "auto":
        return conv_kernel
    reason = why_not_direct(device_target, amp_level, trained_generator)
    if reason is None:
        try:
            start_direct_convolutions(log)
            return "onednn"
        except KernelsUnavailable as error:
            reason = f"the direct kernels cannot be built here: {error.problem}"
    log(f"Convolutions: MindSpore's own (--conv_kernel auto: {reason})")
    return "mindspore"
