"""Every convolution the project's networks run, forward and backward, is oneDNN JIT code on this CPU, never its
reference code (`ref`, 20-100x slower), and the census that says so reads oneDNN's lines right."""
import json
import os
import re

import pytest

from src.utils.cpu_isa import CHOSEN_MARK, ISA_VARIABLES, read_cpu
from src.utils.onednn_kernels import convolution_time_by_kind, onednn_isa_line, parse_verbose
from tests.conftest import REPO_ROOT, run_entry

# A fresh process set up as the entry points set it up (`import src`, then setup_device), running forward and
# backward through small versions of every network: U-Net (4x4 stride-2 convs and transposed convs), ResNet
# (reflection pad + 7x7, 3x3 stride 2 with the padding in the conv, 3x3 after a reflection pad, 3x3 transposed),
# the PatchGAN (4x4 stride 1 and 2), the PixelGAN (1x1), and FID's Inception forward (1x7, 7x1, 3x3, 1x1).
# It prints the census of the convolutions oneDNN ran (ONEDNN_VERBOSE=1 on its stdout) as the last line.
NETWORKS_FORWARD_AND_BACKWARD = """
import json, os, sys, tempfile
from src.models.spec import ModelSpec
from src.utils.device import setup_device
setup_device("CPU", 0, "GRAPH")
import numpy as np
import mindspore as ms
from mindspore import nn, ops
from src.models.fid_inception import FIDInceptionV3
from src.models.networks import build_discriminator, build_generator
from src.utils.onednn_kernels import flush_c_stdout


class SumOfOutputs(nn.Cell):
    def __init__(self, network):
        super().__init__()
        self.network = network

    def construct(self, *x):
        return self.network(*x).sum()


class Gradients(nn.Cell):
    def __init__(self, network):
        super().__init__()
        self.loss = SumOfOutputs(network)
        self.weights = ms.ParameterTuple(network.trainable_params())
        self.grad = ops.GradOperation(get_all=True, get_by_list=True)

    def construct(self, *x):
        return self.grad(self.loss, self.weights)(*x)


def inputs(channels, side):
    return ms.Tensor(np.random.default_rng(0).uniform(-1, 1, (1, channels, side, side)).astype(np.float32))


networks = [  # (network, its inputs: an image, or a condition and an image for a discriminator)
    (build_generator(ModelSpec(netG="unet_32", ngf=8)), 1),
    (build_generator(ModelSpec(netG="resnet_1blocks", ngf=8, norm_mode="instance", use_dropout=False)), 1),
    (build_discriminator(ModelSpec(netD="basic", ndf=8, n_layers_D=3)), 2),
    (build_discriminator(ModelSpec(netD="pixel", ndf=8)), 2),
]
for network, count in networks:
    network.set_train(True)
    Gradients(network)(*[inputs(3, 32)] * count)[0][0].asnumpy()
inception = FIDInceptionV3(2048)
inception.set_train(False)
inception(inputs(3, 75)).asnumpy()
flush_c_stdout()  # oneDNN's last lines, before the process ends
"""


def run_networks(folder, isa=None):
    """(the census of the fresh process's convolutions, its oneDNN ISA line); `isa`: the user's
    ONEDNN_MAX_CPU_ISA, else the project chooses (this test process's choice is not passed on)."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in (*ISA_VARIABLES, CHOSEN_MARK)}
    environment["ONEDNN_VERBOSE"] = "1"
    if isa:
        environment["ONEDNN_MAX_CPU_ISA"] = isa
    script = folder / "networks_forward_and_backward.py"  # a file: graph mode compiles from source files
    script.write_text(NETWORKS_FORWARD_AND_BACKWARD)
    environment["PYTHONPATH"] = REPO_ROOT
    result = run_entry([str(script)], timeout=600, env=environment)
    assert result.returncode == 0, result.stderr[-3000:]
    return parse_verbose(result.stdout), onednn_isa_line(result.stdout)


def kernel_forms(runs, propagation):
    """{(kernel height, kernel width, stride)} of the convolutions among `runs` in `propagation`."""
    return {tuple(int(value) for value in re.search(r"kh(\d+)sh(\d+).*kw(\d+)", run.problem).group(1, 3, 2))
            for run in runs if run.primitive == "convolution" and run.propagation == propagation}


@pytest.mark.e2e
def test_every_convolution_of_the_networks_runs_jit_code_forward_and_backward(tmp_path):
    runs, isa = run_networks(tmp_path)
    # The census saw every form in every pass it is trained in, so an empty or partial output cannot pass:
    # 4x4 stride 2 and 1, 3x3 stride 2 and 1, 7x7, 1x1, and the Inception's 1x7, 7x1 and 5x5 (forward only).
    trained = {(4, 4, 2), (4, 4, 1), (3, 3, 2), (3, 3, 1), (7, 7, 1), (1, 1, 1)}
    for propagation in ("backward_data", "backward_weights"):
        assert kernel_forms(runs, propagation) >= trained, (propagation, isa)
    assert kernel_forms(runs, "forward_training") >= trained | {(1, 7, 1), (7, 1, 1), (5, 5, 1)}, isa
    slow = sorted({f"{run.implementation} {run.propagation} {run.problem}" for run in runs
                   if run.primitive == "convolution" and run.kind == "ref"})
    assert not slow, f"oneDNN ({isa}) ran reference code for:\n" + "\n".join(slow)


@pytest.mark.e2e
@pytest.mark.skipif(not read_cpu().has_avx512, reason="the reference-code fallback happens on AVX-512 CPUs")
def test_without_the_cap_an_avx512_cpu_runs_reference_code_and_the_census_says_so(tmp_path):
    """What the cap prevents, shown on this CPU: oneDNN at its AVX-512 level, as a user's ONEDNN_MAX_CPU_ISA
    sets it, sends convolutions to its reference code, and the census names them."""
    runs, isa = run_networks(tmp_path, "AVX512_CORE")
    census = convolution_time_by_kind(runs)
    assert "AVX-512" in isa and census["ref"]["calls"] > 0 and census["ref"]["share"] > 0.5, (isa, census)


VERBOSE_SAMPLE = """onednn_verbose,v1,info,cpu,isa:Intel AVX2
onednn_verbose,v1,primitive,exec,cpu,convolution,x64:gemm:jit,forward_training,src:f32::blocked:abcd::f0 wei:f32::blocked:abcd::f0 bia:f32::blocked:a::f0 dst:f32::blocked:abcd::f0,,alg:convolution_direct,mb1_ic3oc8_ih32oh16kh4sh2dh0ph1_iw32ow16kw4sw2dw0pw1,0.5
onednn_verbose,v1,primitive,exec,cpu,convolution,jit_uni_ncsp:conv+ref:any,backward_data,src:f32::blocked:abcd::f0 wei:f32::blocked:abcd::f0 bia:undef::undef::: dst:f32::blocked:abcd::f0,,alg:convolution_direct,mb1_ic8oc3_ih32oh16kh4sh2dh0ph1_iw32ow16kw4sw2dw0pw1,3.0
onednn_verbose,v1,primitive,exec,cpu,convolution,brg_conv_fwd:avx512_core,forward_inference,src:f32::blocked:acdb::f0 wei:f32::blocked:AcdB16b16a::f0 bia:undef::undef::: dst:f32::blocked:acdb::f0,,alg:convolution_direct,mb1_ic8oc8_ih8oh8kh3sh1dh0ph1_iw8ow8kw3sw1dw0pw1,0.5
onednn_verbose,v1,primitive,exec,cpu,reorder,jit:uni,undef,src:f32::blocked:abcd::f0 dst:f32::blocked:acdb::f0,,,1x8x8x8,0.01
onednn_verbose,v1,primitive,exec,cpu,convolution,ref:any,forward_training,src:f32::blocked:abcd::f0 wei:f32::blocked:abcd::f0 bia:undef::undef::: dst:f32::blocked:abcd::f0,,alg:convolution_direct,mb1_ic
"""


def test_the_census_tells_reference_gemm_and_jit_kernels_apart_and_shares_their_time():
    runs = parse_verbose(VERBOSE_SAMPLE)
    assert [run.kind for run in runs] == ["gemm", "ref", "jit", "jit"]  # the cut-off last line is skipped
    assert runs[1].propagation == "backward_data" and runs[1].ms == 3.0 and runs[3].primitive == "reorder"
    census = convolution_time_by_kind(runs)  # the reorder is not a convolution
    assert census == {"jit": {"ms": 0.5, "share": 0.125, "calls": 1}, "gemm": {"ms": 0.5, "share": 0.125, "calls": 1},
                      "ref": {"ms": 3.0, "share": 0.75, "calls": 1}}
    assert onednn_isa_line(VERBOSE_SAMPLE) == "Intel AVX2"
    assert json.dumps(census)  # goes into benchmark.py's JSON as it is
