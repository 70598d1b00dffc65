"""Devices: selecting one and the execution mode, proving it computes, CPU threads and seeds, and joining a
data-parallel job (msrun) whose ranks agree on values they each hold."""
import os
import time

import numpy as np
import mindspore as ms

from src.utils.cpu_isa import onednn_isa_in_force
from src.utils.errors import UserInputError, first_line

DEVICE_TARGETS = ("CPU", "GPU", "Ascend")
# GRAPH compiles each network into one graph (fast); PYNATIVE runs op by op (for debugging).
EXECUTION_MODES = ("GRAPH", "PYNATIVE")
_cpu_threads_set = False
_deterministic_set = False


class _DeviceProbe(ms.nn.Cell):
    """x + 1: run once by setup_device to prove the device computes. Being a Cell (a compiled graph in
    graph mode), it runs on MindSpore's CPU kernel pool, so the pool exists for pin_kernel_threads."""

    def construct(self, value):
        return value + 1


def setup_device(device_target, device_id=0, mode="GRAPH", computes=True, log=print):
    """Select the device (device_id None: the launcher's choice) and execution mode, and check the
    device really works. On the CPU, `log` gets one line (once per process) naming the CPU and the oneDNN
    instruction set chosen for it (utils.cpu_isa, chosen at `import src`).

    computes False (msrun's scheduler, which only coordinates the workers): select, but run no probe and
    bind no threads; a graph run there leaves threads that abort its exit ("terminate called").
    Raises UserInputError naming the device when it is not present or its backend fails.
    """
    global _cpu_threads_set
    ms.set_context(mode=ms.GRAPH_MODE if mode == "GRAPH" else ms.PYNATIVE_MODE)
    try:
        if device_id is None:
            ms.set_device(device_target)
        else:
            ms.set_device(device_target, device_id)
        if not computes:
            return
        if device_target == "CPU" and not _cpu_threads_set:
            log(onednn_isa_in_force().describe())
            # MindSpore defaults to 25 CPU threads; on small machines one per core is faster.
            ms.device_context.cpu.op_tuning.threads_num(len(usable_cores()))
            _cpu_threads_set = True
        _DeviceProbe()(ms.Tensor(np.ones((2,), np.float32))).asnumpy()  # a Cell, so graph mode starts the pool
        if device_target == "CPU":
            _wait_for_kernel_pool()
            pin_kernel_threads()
    except Exception as error:  # MindSpore raises RuntimeError/ValueError for absent devices and backends
        detail = ". ".join(first_line(error).split(". ")[:2]).rstrip(".")
        raise UserInputError(f"device_target {device_target} (device_id {device_id}) is not usable here: {detail}. "
                             "Check the device, its drivers and the MindSpore build, or use --device_target CPU") \
            from None


def usable_cores():
    """The CPU cores this process may run on (respects taskset and cgroup cpusets), as a sorted list."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def _kernel_pool_threads():
    """(name, thread id) of MindSpore's CPU kernel pool threads (ActorThread_i, KernelThread_j), in pool order."""
    found = []
    for thread_id in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{thread_id}/comm") as comm:
                name = comm.read().strip()
        except OSError:  # the thread ended meanwhile
            continue
        kind, _, index = name.partition("Thread_")
        if kind in ("Actor", "Kernel") and index.isdigit():
            found.append((kind != "Actor", int(index), name, int(thread_id)))
    return [(name, thread_id) for _, _, name, thread_id in sorted(found)]


def _wait_for_kernel_pool(timeout_s=2.0):
    """Wait until MindSpore's CPU kernel pool threads are visible (they start, and are named, asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while not any(name.startswith("KernelThread_") for name, _ in _kernel_pool_threads()):
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


def pin_kernel_threads():
    """Bind each thread of MindSpore's CPU kernel pool to its own core (round robin over usable_cores());
    returns {thread name: core}. Linux only; elsewhere, or if binding is refused, it does nothing.

    Why: for small graphs (the generator alone, in eval mode) MindSpore launches kernels from the calling
    Python thread, which then busy-waits with sched_yield while the pool computes. Left to the scheduler,
    that spinning thread shares cores with the pool threads; on 2 cores generator inference took ~258 ms
    unpinned and ~212 ms pinned (paper-size unet_256, 256x256), and ran far steadier.
    """
    if not hasattr(os, "sched_setaffinity") or not os.path.isdir("/proc/self/task"):
        return {}
    cores = usable_cores()
    pinned = {}
    for position, (name, thread_id) in enumerate(_kernel_pool_threads()):
        core = cores[position % len(cores)]
        try:
            os.sched_setaffinity(thread_id, {core})
        except OSError:  # the thread ended, or a container forbids binding: leave it to the scheduler
            continue
        pinned[name] = core
    return pinned


def release_kernel_threads():
    """Undo pin_kernel_threads: each thread of MindSpore's CPU kernel pool may run on every usable core again;
    returns how many were released. The direct convolutions (src/kernels) need it: their OpenMP workers are
    started by pool threads and would inherit a single core."""
    if not hasattr(os, "sched_setaffinity") or not os.path.isdir("/proc/self/task"):
        return 0
    released = 0
    for _, thread_id in _kernel_pool_threads():
        try:
            os.sched_setaffinity(thread_id, set(usable_cores()))
            released += 1
        except OSError:  # the thread ended meanwhile
            continue
    return released


def seed_everything(seed, deterministic=False):
    """Seed MindSpore (weights, dropout), its dataset engine and numpy.

    deterministic: also make kernels give bit-identical results run to run (multi-threaded reductions
    otherwise may sum in another order); evaluation and translation use it, as their promise is that
    the same seed gives the same pictures.
    """
    global _deterministic_set
    if deterministic and not _deterministic_set:  # MindSpore refuses to be told twice in one process
        ms.set_deterministic(True)
        _deterministic_set = True
    ms.set_seed(seed)
    ms.dataset.config.set_seed(seed)
    np.random.seed(seed)


def launched_by_msrun():
    """True in a worker process that msrun started (it sets MS_ROLE=MS_WORKER for them).

    Such a worker must exit 0 after a requested stop: msrun SIGKILLs every other worker as soon as one
    exits non-zero, before they leave the cluster, and its scheduler then waits ~30 s for their heartbeats
    to time out and fails the job. The launch script reports the stop (exit 130/143) from the worker logs.
    """
    return os.environ.get("MS_ROLE") == "MS_WORKER"


def init_data_parallel(device_target, mode="GRAPH", log=print):
    """Join the distributed job this process was started in (msrun, or an Ascend rank table) for data
    parallelism; returns (rank, group_size).

    The device comes first, without an id: the launcher assigns each process its device.
    """
    from mindspore.communication import get_group_size, get_rank, init

    # msrun's scheduler runs this script too, only to coordinate the workers (its init() ends the process).
    setup_device(device_target, None, mode, computes=os.environ.get("MS_ROLE") != "MS_SCHED", log=log)
    if "MS_WORKER_NUM" not in os.environ and "RANK_TABLE_FILE" not in os.environ:
        raise UserInputError("--distribute true needs a distributed launcher: start with "
                             "scripts/run_distribute_train_*.sh (msrun), or set RANK_TABLE_FILE on Ascend")
    try:
        init()
        rank, group_size = get_rank(), get_group_size()
    except Exception as error:  # MindSpore raises RuntimeError/ValueError with multi-line details
        raise UserInputError(f"joining the distributed job failed on {device_target}: {first_line(error, 200)}") from None
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    return rank, group_size


class _SumAllReduce(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.all_reduce = ms.ops.AllReduce(ms.ops.ReduceOp.SUM)  # the only reduction MindSpore's CPU backend has

    def construct(self, value):
        return self.all_reduce(value)


class RankAgreement:
    """Lets the ranks of a data-parallel job act on the same step. any_rank(flag) returns True on every
    rank when any rank passed True; being a collective, it is also a barrier.

    Used for stop requests: a signal reaches the ranks at slightly different moments, and a rank that
    stopped one step early would leave the others waiting in the gradient all-reduce.
    """

    def __init__(self, group_size):
        self._sum = _SumAllReduce()
        self.group_size = group_size

    def any_rank(self, flag):
        return bool(self._sum(ms.Tensor(np.array([1.0 if flag else 0.0], np.float32))).asnumpy()[0] > 0)

    def mean(self, value):
        """The mean of `value` over the ranks (the same number on every rank)."""
        return float(self._sum(ms.Tensor(np.array([value], np.float32))).asnumpy()[0]) / self.group_size
