"""The CPU setup a user gets from setup_device: MindSpore's kernel pool, one thread per core."""
import os
import threading

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="thread binding is Linux-only")


def allowed_cores(thread_id):
    """The cores the kernel lets a thread of this process run on, read back from /proc."""
    with open(f"/proc/self/task/{thread_id}/status") as status:
        line = next(line for line in status if line.startswith("Cpus_allowed_list:"))
    cores = set()
    for part in line.split(":", 1)[1].strip().split(","):
        first, _, last = part.partition("-")
        cores.update(range(int(first), int(last or first) + 1))
    return cores


def test_setup_device_gives_each_kernel_pool_thread_its_own_core():
    from src.utils.device import _kernel_pool_threads, usable_cores

    # the session fixture has run setup_device("CPU", ...), which starts and binds the pool
    pool = _kernel_pool_threads()
    names = [name for name, _ in pool]
    assert any(name.startswith("KernelThread_") for name in names), names
    cores = usable_cores()
    bound = [allowed_cores(thread_id) for _, thread_id in pool]
    assert all(len(cores_of_thread) == 1 and cores_of_thread <= set(cores) for cores_of_thread in bound), bound
    if len(pool) <= len(cores):
        assert len(set.union(*bound)) == len(pool), f"two pool threads share a core: {dict(zip(names, bound))}"
    # the Python thread (which also runs the data pipeline's feeding) stays free to move
    assert allowed_cores(threading.get_native_id()) == set(cores)


def test_binding_again_is_harmless():
    from src.utils.device import pin_kernel_threads, usable_cores

    first, second = pin_kernel_threads(), pin_kernel_threads()
    assert first == second and set(first.values()) <= set(usable_cores())
