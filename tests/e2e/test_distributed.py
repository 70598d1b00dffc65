"""Data-parallel training with msrun on CPU: 2 workers, as a user starts it with the scripts."""
import json
import os
import re
import socket
import subprocess
import sys

import pytest

from src.dataset.pair_dataset import indices_digest, shard_epoch_indices
from tests.conftest import REPO_ROOT, TINY_MODEL_FLAGS, run_entry

pytestmark = pytest.mark.e2e

FLAGS = [f"{key}={value}" for key, value in zip(TINY_MODEL_FLAGS[::2], TINY_MODEL_FLAGS[1::2])] + \
    ["--n_epochs=1", "--n_epochs_decay=1", "--log_interval=4", "--save_checkpoint_epochs=1", "--seed=3"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def distribute(device, arguments, env=None, timeout=600):
    environment = dict(os.environ, PYTHON=sys.executable, MASTER_PORT=str(free_port()), CLUSTER_TIME_OUT="120")
    environment.update(env or {})
    return subprocess.run(["bash", f"scripts/run_distribute_train_{device}.sh", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=environment, timeout=timeout)


def launch_logs(output, name):
    """[text of logs/launch_TIME/`name`] for every launch of the run, oldest first."""
    launches = sorted(entry for entry in os.listdir(os.path.join(output, "logs")) if entry.startswith("launch_"))
    texts = []
    for launch in launches:
        with open(os.path.join(output, "logs", launch, name), encoding="utf-8") as handle:
            texts.append(handle.read())
    return texts


def worker_log(output, rank):
    """Everything rank `rank` printed, over every launch of the run."""
    return "".join(launch_logs(output, f"worker_{rank}.log"))


def rank_lines(output, pattern):
    """{rank: [matches]} from the per-rank worker logs of a run."""
    return {rank: re.findall(pattern, worker_log(output, rank)) for rank in (0, 1)}


@pytest.fixture(scope="module")
def two_worker_run(sample_root, tmp_path_factory):
    output = tmp_path_factory.mktemp("dp") / "run"
    first = distribute("cpu", ["2", str(sample_root), f"--output_path={output}", "--epoch_num=1", "--val_every=1", *FLAGS])
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    digests_after_first = rank_lines(output, r"final weights: (generator \w+, discriminator \w+)")
    resumed = distribute("cpu", ["2", str(sample_root), f"--output_path={output}",
                                 f"--resume={output}/checkpoints/pix2pix_epoch_0001.ckpt", "--val_every=1", *FLAGS])
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    return output, digests_after_first


def test_both_ranks_end_with_identical_weights(two_worker_run):
    output, first = two_worker_run
    assert len(first[0]) == len(first[1]) == 1 and first[0] == first[1]  # after epoch 1
    both = rank_lines(output, r"final weights: (generator \w+, discriminator \w+)")  # after the resumed epoch 2
    assert len(both[0]) == 2 and both[0] == both[1] and both[0][1] != first[0][0]


def test_ranks_read_disjoint_shards_covering_every_pair_each_epoch(two_worker_run):
    output, _ = two_worker_run
    logged = rank_lines(output, r"epoch (\d+): rank \d read (\d+) pairs \(indices digest (\w+)\)")
    for epoch in (1, 2):
        shards = [shard_epoch_indices(16, epoch - 1, 3, True, 2, rank, 8) for rank in (0, 1)]
        assert not set(shards[0]) & set(shards[1]) and set(shards[0]) | set(shards[1]) == set(range(16))
        for rank in (0, 1):
            assert (str(epoch), "8", indices_digest(shards[rank])) in logged[rank]


def test_only_rank_0_writes_the_run_and_resume_continued_it(two_worker_run):
    output, _ = two_worker_run
    assert sorted(os.listdir(output / "checkpoints")) == ["generator_best.ckpt", "generator_final.ckpt",
                                                          "pix2pix_epoch_0001.ckpt", "pix2pix_epoch_0002.ckpt"]
    assert os.path.isfile(output / "logs" / "train_rank1.log") and os.path.isfile(output / "train.log")
    with open(output / "losses.csv", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + 16  # 8 sharded steps per epoch, two epochs
    assert len([name for name in os.listdir(output / "logs") if name.startswith("launch_")]) == 2
    assert all("1 epochs and 8 steps done" in worker_log(output, rank) for rank in (0, 1))


def test_rank_0_validates_and_every_rank_logs_its_score(two_worker_run):
    output, _ = two_worker_run
    scores = rank_lines(output, r"Validation after epoch (\d)(?: \(rank 0\))?: [lL]1 ([0-9.]+)")
    assert [epoch for epoch, _ in scores[0]] == [epoch for epoch, _ in scores[1]] == ["1", "2"]
    assert all(abs(float(a[1]) - float(b[1])) < 1e-3 for a, b in zip(scores[0], scores[1]))
    with open(output / "validation.csv", encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1 + 2


def test_the_distributed_checkpoint_loads_into_eval(two_worker_run, sample_root):
    output, _ = two_worker_run
    result = run_entry(["eval.py", "--ckpt", str(output / "checkpoints" / "pix2pix_epoch_0002.ckpt"),
                        "--val_data_dir", str(sample_root / "val"), "--output_path", str(output),
                        "--crop_size", "64", "--load_size", "64", "--netG", "unet_64"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["num_images"] == 4


def test_fewer_pairs_than_ranks_fails_naming_the_ranks(tmp_path, sample_root):
    (tmp_path / "one").mkdir()
    os.symlink(sample_root / "train" / "0001.jpg", tmp_path / "one" / "0001.jpg")
    result = distribute("cpu", ["2", str(tmp_path / "one"), f"--output_path={tmp_path / 'out'}", *FLAGS])
    assert result.returncode == 1
    assert "worker_0: error:" in result.stderr and "fewer than the 2 devices" in result.stderr


@pytest.mark.parametrize("device, arguments, env, fragment", [
    ("cpu", ["two"], {}, "DEVICE_NUM must be a positive integer"),
    ("gpu", ["8"], {}, "is more than the 0 GPU device(s)"),
    ("ascend", ["8"], {"RANK_TABLE_FILE": "/nonexistent/hccl.json"}, "RANK_TABLE_FILE '/nonexistent/hccl.json' does not exist"),
    ("cpu", ["2", "/nonexistent/data"], {}, "does not exist"),
])
def test_bad_launch_arguments(device, arguments, env, fragment):
    result = distribute(device, arguments, env)
    assert result.returncode == 2 and fragment in result.stderr


def test_a_port_in_use_is_named():
    with socket.socket() as busy:
        busy.bind(("", 0))
        busy.listen()
        port = busy.getsockname()[1]
        environment = dict(os.environ, PYTHON=sys.executable, MASTER_PORT=str(port))
        result = subprocess.run(["bash", "scripts/run_distribute_train_cpu.sh", "2"], cwd=REPO_ROOT,
                                capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 2 and f"MASTER_PORT {port} is in use" in result.stderr


def test_distribute_without_a_launcher_is_refused(sample_root, tmp_path):
    result = run_entry(["train.py", "--distribute", "true", "--train_data_dir", str(sample_root / "train"),
                        "--output_path", str(tmp_path)])
    assert result.returncode == 2 and "needs a distributed launcher" in result.stderr


def test_a_worker_dying_mid_run_ends_the_job_with_its_rank_named_and_no_checkpoint(tmp_path, sample_root):
    """A truncated image (readable header, broken data) kills the one rank whose shard holds it; the
    other rank waits in the gradient all-reduce until the cluster timeout ends the job."""
    data = tmp_path / "data"
    data.mkdir()
    for name in sorted(os.listdir(sample_root / "train")):
        os.symlink(sample_root / "train" / name, data / name)
    os.remove(data / "0005.jpg")
    payload = (sample_root / "train" / "0005.jpg").read_bytes()
    (data / "0005.jpg").write_bytes(payload[: len(payload) // 2])
    result = distribute("cpu", ["2", str(data), f"--output_path={tmp_path / 'out'}", *FLAGS],
                        env={"CLUSTER_TIME_OUT": "60"})
    assert result.returncode == 1
    assert re.search(r"worker_\d: error: '.*0005.jpg' is corrupt or truncated", result.stderr), result.stderr
    assert not os.path.exists(tmp_path / "out" / "checkpoints")


def start_distributed(sample_root, output, *extra):
    """Start a 2-worker run in the background as a user would (the script's own process)."""
    environment = dict(os.environ, PYTHON=sys.executable, MASTER_PORT=str(free_port()), CLUSTER_TIME_OUT="60")
    flags = [flag for flag in FLAGS if not flag.startswith(("--n_epochs", "--seed"))]
    return subprocess.Popen(["bash", "scripts/run_distribute_train_cpu.sh", "2", str(sample_root),
                             f"--output_path={output}", "--n_epochs=10", "--n_epochs_decay=10", "--resume=auto",
                             *flags, *extra], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment)


def wait_for_line(path, fragment, process, timeout=120):
    import time
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if os.path.isfile(path) and fragment in open(path, encoding="utf-8").read():
            return
        time.sleep(0.2)
    ended = process.poll() is not None
    detail = f"the job ended with {process.returncode}:\n{process.stderr.read()[-3000:]}" if ended else "timed out"
    output = os.path.dirname(path)
    for name in ("msrun.log", "worker_0.log", "worker_1.log"):  # the latest launch's logs, which CI cannot keep
        try:
            detail += f"\n--- {name}:\n" + "".join(launch_logs(output, name)[-1].splitlines(True)[-15:])
        except (OSError, IndexError):
            detail += f"\n--- no {name}"
    raise AssertionError(f"'{fragment}' never appeared in {path}; {detail}")


def training_worker_pids(output):
    """{rank: pid} of the msrun workers training into `output` (from /proc)."""
    workers = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().split(b"\0")
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environment = dict(item.split(b"=", 1) for item in handle.read().split(b"\0") if b"=" in item)
        except (OSError, ValueError):
            continue
        if f"--output_path={output}".encode() in command and environment.get(b"MS_ROLE") == b"MS_WORKER":
            workers[int(environment[b"MS_NODE_ID"])] = int(entry)
    return workers


def test_sigterm_to_the_launch_and_a_killed_worker_lose_nothing(sample_root, tmp_path):
    """A scheduler's SIGTERM to the launch script, or to one worker only, saves the exact position on every
    rank at the same step; a worker killed outright ends the whole job at once; each time the checkpoints
    stay valid and --resume auto finishes the run."""
    import signal
    import time

    from src.models.checkpoint import read_checkpoint

    output = tmp_path / "run"
    job = start_distributed(sample_root, output)
    wait_for_line(output / "train.log", "epoch 2/20 step 4/8", job)
    job.send_signal(signal.SIGTERM)
    _, errors = job.communicate(timeout=120)
    assert job.returncode == 143, errors[-2000:]
    assert "stopped: SIGTERM" in errors and "--resume auto" in errors
    stops = rank_lines(output, r"stopped: SIGTERM at epoch \d+ step \d+ \(total (\d+)\): saved (\S+);")
    assert len(stops[0]) == 1 and stops[0] == stops[1], stops  # both ranks stopped after the same step
    total_steps, saved = stops[0][0]
    assert int(read_checkpoint(saved)["step"]) == int(total_steps) > 8
    # Every worker left the cluster by itself: msrun killed none (it SIGKILLs the rest when one exits non-zero).
    assert "kill all other workers" not in launch_logs(output, "msrun.log")[-1]

    # A SIGTERM that reaches one worker only, not the launch script: both ranks stop at the same step, and
    # the script reports the stop, not a failure.
    job = start_distributed(sample_root, output)
    wait_for_line(output / "train.log", "epoch 4/20 step 4/8", job)
    os.kill(training_worker_pids(output)[1], signal.SIGTERM)
    _, errors = job.communicate(timeout=120)
    assert job.returncode == 143 and "stopped: SIGTERM" in errors, errors[-2000:]
    assert "kill all other workers" not in launch_logs(output, "msrun.log")[-1]
    stops = rank_lines(output, r"stopped: SIGTERM at epoch \d+ step \d+ \(total (\d+)\)")
    assert len(stops[0]) == 2 and stops[0] == stops[1], stops

    job = start_distributed(sample_root, output)
    wait_for_line(output / "train.log", "epoch 6/20", job)  # past the stop: the resumed run saved epochs of its own
    pids = training_worker_pids(output)
    assert sorted(pids) == [0, 1], pids
    killed_at = time.time()
    os.kill(pids[1], signal.SIGKILL)
    _, errors = job.communicate(timeout=120)
    assert job.returncode == 1 and time.time() - killed_at < 60, errors[-2000:]  # within CLUSTER_TIME_OUT
    assert "error: distributed training failed" in errors
    for name in os.listdir(output / "checkpoints"):
        read_checkpoint(str(output / "checkpoints" / name))  # every checkpoint still loads

    job = start_distributed(sample_root, output)
    _, errors = job.communicate(timeout=300)
    assert job.returncode == 0, errors[-2000:]
    assert int(read_checkpoint(str(output / "checkpoints" / "pix2pix_epoch_0020.ckpt"))["epoch"]) == 20
    with open(output / "losses.csv", encoding="utf-8") as handle:
        steps = [int(line.split(",")[1]) for line in handle.readlines()[1:]]
    assert steps == list(range(1, 20 * 8 + 1))  # every step once, in order, across four launches
