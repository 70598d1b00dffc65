"""Device and execution-mode setup for single-device runs."""
import os

import numpy as np
import mindspore as ms

from src.utils.errors import UserInputError

_cpu_threads_set = False


def setup_device(device_target, device_id=0, mode="GRAPH"):
    """Select the device (device_id None: the launcher's choice) and execution mode, and check the
    device really works.

    Raises UserInputError naming the device when it is not present or its backend fails.
    """
    global _cpu_threads_set
    ms.set_context(mode=ms.GRAPH_MODE if mode == "GRAPH" else ms.PYNATIVE_MODE)
    try:
        if device_id is None:
            ms.set_device(device_target)
        else:
            ms.set_device(device_target, device_id)
        if device_target == "CPU" and not _cpu_threads_set:
            # MindSpore defaults to 25 CPU threads; on small machines one per core is faster.
            ms.device_context.cpu.op_tuning.threads_num(os.cpu_count() or 1)
            _cpu_threads_set = True
        probe = ms.Tensor(np.ones((2,), np.float32)) + 1
        probe.asnumpy()
    except Exception as error:  # MindSpore raises RuntimeError/ValueError for absent devices and backends
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        detail = ". ".join(first_line.split(". ")[:2]).rstrip(".")
        raise UserInputError(f"device_target {device_target} (device_id {device_id}) is not usable here: {detail}. "
                             "Check the device, its drivers and the MindSpore build, or use --device_target CPU") \
            from None


def seed_everything(seed, deterministic=False):
    """Seed MindSpore (weights, dropout), its dataset engine and numpy.

    deterministic: also make kernels give bit-identical results run to run (multi-threaded reductions
    otherwise may sum in another order); evaluation and translation use it, as their promise is that
    the same seed gives the same pictures.
    """
    if deterministic:
        ms.set_deterministic(True)
    ms.set_seed(seed)
    ms.dataset.config.set_seed(seed)
    np.random.seed(seed)


def init_data_parallel(device_target, mode="GRAPH"):
    """Join the distributed job this process was started in (msrun, or an Ascend rank table) for data
    parallelism; returns (rank, group_size).

    The device comes first, without an id: the launcher assigns each process its device.
    """
    from mindspore.communication import get_group_size, get_rank, init

    setup_device(device_target, None, mode)
    if "MS_WORKER_NUM" not in os.environ and "RANK_TABLE_FILE" not in os.environ:
        raise UserInputError("--distribute true needs a distributed launcher: start with "
                             "scripts/run_distribute_train_*.sh (msrun), or set RANK_TABLE_FILE on Ascend")
    try:
        init()
        rank, group_size = get_rank(), get_group_size()
    except Exception as error:  # MindSpore raises RuntimeError/ValueError with multi-line details
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserInputError(f"joining the distributed job failed on {device_target}: {first_line[:200]}") from None
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
