"""The oneDNN instruction set the project chooses, by what the CPU offers (not by its vendor), and the user's
own choice winning."""
import pytest

from src.utils.cpu_isa import CHOSEN_MARK, choose_onednn_isa, onednn_isa_in_force, read_cpu

AVX2_FLAGS = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2"
AVX512_FLAGS = AVX2_FLAGS + " avx512f avx512dq avx512cd avx512bw avx512vl"
CPUS = {  # (vendor, model, flags) of the CPU kinds users rent
    "xeon_amx": ("GenuineIntel", "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz",
                 AVX512_FLAGS + " avx512_vnni avx512_bf16 avx_vnni amx_bf16 avx512_fp16 amx_tile amx_int8"),
    "epyc_zen4": ("AuthenticAMD", "AMD EPYC 9654 96-Core Processor", AVX512_FLAGS + " avx512_vnni avx512_bf16"),
    "epyc_avx2": ("AuthenticAMD", "AMD EPYC 7763 64-Core Processor", AVX2_FLAGS),
    "core_avx2": ("GenuineIntel", "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", AVX2_FLAGS),
    "old_avx": ("GenuineIntel", "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", "fpu sse sse2 sse4_1 avx"),
}


def cpuinfo(tmp_path, kind):
    vendor, model, flags = CPUS[kind]
    path = tmp_path / kind
    processor = f"processor\t: {{}}\nvendor_id\t: {vendor}\nmodel name\t: {model}\nflags\t\t: {flags}\n"
    path.write_text(processor.format(0) + "\n" + processor.format(1))
    return str(path)


@pytest.mark.parametrize("kind, level", [("xeon_amx", "AVX10_1_512_AMX"), ("epyc_zen4", "AVX512_CORE_BF16"),
                                         ("epyc_avx2", "AVX2"), ("core_avx2", "AVX2"), ("old_avx", "AVX")])
def test_the_cpu_is_read_as_onednn_names_its_levels(tmp_path, kind, level):
    cpu = read_cpu(cpuinfo(tmp_path, kind))
    assert cpu.model == CPUS[kind][1] and cpu.onednn_level == level


@pytest.mark.parametrize("kind", ["xeon_amx", "epyc_zen4"])
def test_avx512_cpus_of_either_vendor_get_onednn_capped_at_avx2(tmp_path, kind):
    environment = {}
    choice = choose_onednn_isa(environment, cpuinfo(tmp_path, kind))
    assert environment["ONEDNN_MAX_CPU_ISA"] == choice.cap == "AVX2" and choice.chosen_by == "project"
    line = choice.describe()
    assert line.startswith(f"CPU: {CPUS[kind][1]}, oneDNN level ") and "capped at AVX2" in line
    # a process started from this one (an msrun worker, a test's subprocess) sees the project's choice as such
    again = choose_onednn_isa(environment, cpuinfo(tmp_path, kind))
    assert (again.cap, again.chosen_by) == ("AVX2", "project")


@pytest.mark.parametrize("kind", ["epyc_avx2", "core_avx2", "old_avx"])
def test_cpus_without_avx512_keep_onednns_own_choice(tmp_path, kind):
    environment = {}
    choice = choose_onednn_isa(environment, cpuinfo(tmp_path, kind))
    assert environment == {} and choice.cap is None and choice.chosen_by == "default"
    assert "oneDNN's own choice kept" in choice.describe()


@pytest.mark.parametrize("variable", ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"])
def test_the_users_own_setting_wins(tmp_path, variable):
    environment = {variable: "AVX512_CORE"}
    choice = choose_onednn_isa(environment, cpuinfo(tmp_path, "xeon_amx"))
    assert environment == {variable: "AVX512_CORE"} and (choice.cap, choice.chosen_by) == ("AVX512_CORE", "user")
    assert choice.describe().endswith("ONEDNN_MAX_CPU_ISA=AVX512_CORE from the environment, kept")


def test_a_machine_without_cpuinfo_is_left_to_onednn(tmp_path):
    environment = {}
    choice = choose_onednn_isa(environment, str(tmp_path / "missing"))
    assert environment == {} and choice.cpu.onednn_level is None and choice.chosen_by == "default"


def test_importing_the_project_made_the_choice_for_this_machine():
    """`import src` (which the tests did first, as every entry point does) chose for this very CPU."""
    import os
    choice = onednn_isa_in_force()
    assert choice.cpu == read_cpu()
    if choice.chosen_by == "project":
        assert os.environ["ONEDNN_MAX_CPU_ISA"] == os.environ[CHOSEN_MARK] == "AVX2"
    assert (choice.cap is not None) == read_cpu().has_avx512 or choice.chosen_by == "user"


def test_the_direct_kernels_lift_the_projects_cap_but_not_a_users(monkeypatch, tmp_path):
    """Where every convolution runs on the direct kernels, none is left to fall onto oneDNN's AVX-512 reference
    code: the project's cap is lifted through oneDNN's own call, a user's is kept."""
    from src.utils import cpu_isa
    calls = []

    def set_max_cpu_isa(level):
        calls.append(level)
        return 0

    capped = choose_onednn_isa({}, cpuinfo(tmp_path, "xeon_amx"))
    monkeypatch.setattr(cpu_isa, "_in_force", capped)
    lifted = cpu_isa.lift_project_cap(set_max_cpu_isa)
    assert calls == [cpu_isa.ONEDNN_NO_CAP] and (lifted.cap, lifted.chosen_by) == (None, "lifted")
    assert onednn_isa_in_force() is lifted and "AVX2 cap lifted" in lifted.describe()
    users = choose_onednn_isa({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}, cpuinfo(tmp_path, "xeon_amx"))
    monkeypatch.setattr(cpu_isa, "_in_force", users)
    assert cpu_isa.lift_project_cap(set_max_cpu_isa) is users and len(calls) == 1


def test_a_cap_onednn_has_fixed_already_is_reported(monkeypatch, tmp_path):
    from src.utils import cpu_isa
    monkeypatch.setattr(cpu_isa, "_in_force", choose_onednn_isa({}, cpuinfo(tmp_path, "epyc_zen4")))
    with pytest.raises(RuntimeError, match=r"before the project's cap could be lifted \(something computed first"):
        cpu_isa.lift_project_cap(lambda level: 1)  # dnnl_invalid_arguments: a kernel ran already


@pytest.mark.parametrize("kind, environment, reaches", [
    ("xeon_amx", {}, True), ("epyc_zen4", {}, True), ("epyc_avx2", {}, False),
    ("xeon_amx", {"ONEDNN_MAX_CPU_ISA": "AVX2"}, False), ("xeon_amx", {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX"}, True),
    ("epyc_zen4", {"DNNL_MAX_CPU_ISA": "ALL"}, True), ("epyc_avx2", {"ONEDNN_MAX_CPU_ISA": "ALL"}, False)])
def test_whether_the_direct_kernels_reach_avx512_takes_the_users_cap_not_the_projects(tmp_path, kind, environment,
                                                                                      reaches):
    assert choose_onednn_isa(environment, cpuinfo(tmp_path, kind)).reaches_avx512 is reaches
