"""The CPU setup a user gets from setup_device: MindSpore's kernel pool, one thread per core."""
import json
import os

import pytest

from tests.conftest import run_entry

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="thread binding is Linux-only")

# A fresh process, as train.py / predict.py start: set the device up, run a generator (the pool must be
# the one setup_device bound, not a new one), then report every thread's name and allowed cores.
FRESH_PROCESS = """
import json, os, threading
import numpy as np
import mindspore as ms
from tests.conftest import define_generator
from src.utils.device import setup_device, usable_cores

def allowed_cores(thread_id):
    with open(f"/proc/self/task/{thread_id}/status") as status:
        line = next(line for line in status if line.startswith("Cpus_allowed_list:"))
    cores = set()
    for part in line.split(":", 1)[1].strip().split(","):
        first, _, last = part.partition("-")
        cores.update(range(int(first), int(last or first) + 1))
    return sorted(cores)

def threads():
    found = {}
    for thread_id in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{thread_id}/comm") as comm:
            found[thread_id] = [comm.read().strip(), allowed_cores(thread_id)]
    return found

setup_device("CPU", 0, "GRAPH")
after_setup = threads()
generator = define_generator("unet_64", ngf=8)
generator.set_train(False)
generator(ms.Tensor(np.zeros((1, 3, 64, 64), np.float32))).asnumpy()
print(json.dumps({"after_setup": after_setup, "after_generator": threads(), "cores": usable_cores(),
                  "python_thread": str(threading.get_native_id())}))
"""


@pytest.fixture(scope="module")
def fresh_process_threads():  # used by e2e tests only: it starts a process
    result = run_entry(["-c", FRESH_PROCESS], timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def pool_threads(threads):
    """{thread id: allowed cores} of MindSpore's CPU kernel pool (ActorThread_i, KernelThread_j)."""
    return {thread_id: cores for thread_id, (name, cores) in threads.items()
            if name.startswith(("ActorThread_", "KernelThread_"))}


@pytest.mark.e2e
def test_setup_device_gives_each_kernel_pool_thread_its_own_core(fresh_process_threads):
    pool = pool_threads(fresh_process_threads["after_setup"])
    names = [fresh_process_threads["after_setup"][thread_id][0] for thread_id in pool]
    assert any(name.startswith("KernelThread_") for name in names), names  # the pool exists once set up
    cores = fresh_process_threads["cores"]
    assert all(len(allowed) == 1 and set(allowed) <= set(cores) for allowed in pool.values()), pool
    if len(pool) <= len(cores):
        assert len({allowed[0] for allowed in pool.values()}) == len(pool), f"two pool threads share a core: {pool}"
    # the Python thread (which also feeds the data pipeline) stays free to move
    assert fresh_process_threads["after_setup"][fresh_process_threads["python_thread"]][1] == cores


@pytest.mark.e2e
def test_a_network_runs_on_the_pool_that_was_bound(fresh_process_threads):
    before = pool_threads(fresh_process_threads["after_setup"])
    after = pool_threads(fresh_process_threads["after_generator"])
    assert after == before  # same threads, same cores: running a real graph started no unbound pool


def test_binding_again_is_harmless():
    from src.utils.device import pin_kernel_threads, usable_cores

    first, second = pin_kernel_threads(), pin_kernel_threads()
    assert first == second and set(first.values()) <= set(usable_cores())



def test_released_pool_threads_may_run_on_every_core_and_can_be_bound_again():
    """What the direct convolutions do (src/kernels): the pool's threads may run anywhere again."""
    import os
    from src.utils.device import _kernel_pool_threads, pin_kernel_threads, release_kernel_threads, usable_cores

    pinned = pin_kernel_threads()
    assert release_kernel_threads() == len(_kernel_pool_threads()) >= len(pinned) > 0
    assert all(os.sched_getaffinity(thread_id) == set(usable_cores()) for _, thread_id in _kernel_pool_threads())
    assert pin_kernel_threads() == pinned
