"""--conv_kernel auto: the direct kernels where they measured faster and can be built, MindSpore's own elsewhere,
and the reason logged. (The direct kernels are not really started here: that would change this test process.)"""
import pytest

from src.kernels import choice
from src.kernels.build import KernelsUnavailable
from src.utils import cpu_isa
from src.utils.cpu_isa import Cpu, IsaChoice
from src.utils.errors import UserInputError

XEON = Cpu("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "AVX10_1_512_AMX")
EPYC_AVX2 = Cpu("AMD EPYC 7763 64-Core Processor", "AVX2")


@pytest.fixture
def started(monkeypatch):
    """The direct kernels' starts, recorded instead of made."""
    calls = []
    monkeypatch.setattr(choice, "start_direct_convolutions", lambda log, only_uncapped=False: calls.append(log))
    return calls


def on(monkeypatch, cpu, cap=None, chosen_by="default"):
    monkeypatch.setattr(cpu_isa, "_in_force", IsaChoice(cpu, cap, chosen_by))


@pytest.mark.parametrize("trained_generator", ["unet_256", "resnet_9blocks", "global", None])
def test_auto_takes_the_direct_kernels_on_avx512_cpus_for_every_run(monkeypatch, started, trained_generator):
    on(monkeypatch, XEON, "AVX2", "project")
    lines = []
    assert choice.start_convolutions("auto", lines.append, "CPU", trained_generator=trained_generator) == "onednn"
    assert len(started) == 1 and lines == []


@pytest.mark.parametrize("trained_generator, expected", [("resnet_9blocks", "onednn"), ("local", "onednn"),
                                                         ("unet_256", "mindspore"), (None, "mindspore")])
def test_below_avx512_auto_trains_resnets_and_pix2pixhd_on_them_and_unets_on_mindspores(monkeypatch, started,
                                                                                        trained_generator, expected):
    on(monkeypatch, EPYC_AVX2)
    lines = []
    assert choice.start_convolutions("auto", lines.append, "CPU", trained_generator=trained_generator) == expected
    assert len(started) == (expected == "onednn")
    if expected == "mindspore":
        assert lines == ["Convolutions: MindSpore's own (--conv_kernel auto: below AVX-512 MindSpore's own "
                         "convolutions are as fast for U-Nets and for translating)"]


def test_a_users_avx2_cap_counts_as_a_cpu_without_avx512(monkeypatch, started):
    on(monkeypatch, XEON, "AVX2", "user")
    assert choice.start_convolutions("auto", print, "CPU", trained_generator="unet_256") == "mindspore"


@pytest.mark.parametrize("device_target, amp_level, reason", [
    ("GPU", "O0", "the direct kernels are CPU kernels, this run is on GPU"),
    ("CPU", "O2", "the direct kernels compute in float32, this run has --amp_level O2")])
def test_auto_keeps_mindspores_off_the_cpu_and_with_mixed_precision(monkeypatch, started, device_target, amp_level,
                                                                    reason):
    on(monkeypatch, XEON, "AVX2", "project")
    lines = []
    assert choice.start_convolutions("auto", lines.append, device_target, amp_level, "resnet_9blocks") == "mindspore"
    assert not started and lines == [f"Convolutions: MindSpore's own (--conv_kernel auto: {reason})"]


def test_auto_falls_back_when_the_kernels_cannot_be_built_and_onednn_says_so(monkeypatch):
    on(monkeypatch, XEON, "AVX2", "project")

    def no_compiler(log, only_uncapped=False):
        raise KernelsUnavailable("the direct convolutions are built on first use with a C++ compiler, and none was "
                                 "found (apt-get install g++, or set CXX)")

    monkeypatch.setattr(choice, "start_direct_convolutions", no_compiler)
    lines = []
    assert choice.start_convolutions("auto", lines.append, "CPU") == "mindspore"
    assert lines == ["Convolutions: MindSpore's own (--conv_kernel auto: the direct kernels cannot run here: the "
                     "direct convolutions are built on first use with a C++ compiler, and none was found (apt-get "
                     "install g++, or set CXX))"]
    with pytest.raises(KernelsUnavailable, match=r"none was found .*: use --conv_kernel mindspore or auto$"):
        choice.start_convolutions("onednn", lines.append, "CPU")


def test_the_named_kernels_are_taken_as_given(monkeypatch, started):
    on(monkeypatch, EPYC_AVX2)
    assert choice.start_convolutions("onednn", print, "CPU", trained_generator="unet_256") == "onednn"
    assert choice.start_convolutions("mindspore", print, "CPU", trained_generator="resnet_9blocks") == "mindspore"
    assert len(started) == 1


def test_bf16_is_set_on_the_direct_kernels_where_the_cpu_has_it(monkeypatch, started):
    precisions = []
    monkeypatch.setattr(choice, "set_convolution_precision", precisions.append)
    on(monkeypatch, XEON, "AVX2", "project")
    lines = []
    assert choice.start_convolutions("auto", lines.append, "CPU", precision="bf16") == "onednn"
    assert precisions == ["bf16"] and lines == ["Convolutions: bfloat16 inputs, float32 outputs (--cpu_precision bf16)"]
    on(monkeypatch, Cpu("AMD EPYC 9654 96-Core Processor", "AVX512_CORE_VNNI"))  # AVX-512 without BF16
    with pytest.raises(UserInputError, match="--cpu_precision bf16 needs a CPU with AVX-512 BF16 or AMX, and oneDNN "
                                             "may use AVX512_CORE_VNNI here"):
        choice.start_convolutions("onednn", print, "CPU", precision="bf16")
    on(monkeypatch, EPYC_AVX2)
    with pytest.raises(UserInputError, match="this run's convolutions are MindSpore's own"):
        choice.start_convolutions("auto", print, "CPU", trained_generator="unet_256", precision="bf16")
    assert precisions == ["bf16"]


def test_where_onednn_has_computed_already_auto_keeps_mindspores_and_starts_nothing(monkeypatch):
    """A process whose oneDNN has run a kernel (as this test process has, tests/conftest.py) cannot lift the
    project's cap any more, and below it the direct kernels do not pay: auto keeps MindSpore's convolutions."""
    from src.kernels import direct_conv
    on(monkeypatch, XEON, "AVX2", "project")
    # The lift fails before the library is loaded: no build (a g++ process) is needed to decide.
    monkeypatch.setattr(direct_conv, "built_library", lambda log: "/nowhere/onednn_ops.so")
    lines = []
    assert choice.start_convolutions("auto", lines.append, "CPU") == "mindspore"
    assert lines[-1] == ("Convolutions: MindSpore's own (--conv_kernel auto: the direct kernels cannot run here: "
                         "oneDNN fixed its instruction set before the project's cap could be lifted (something computed "
                         "first in this process))")
    assert direct_conv._process_library is None and cpu_isa.onednn_isa_in_force().chosen_by == "project"
