"""A run's folder: a new run never lands on an old one, rotation keeps the newest checkpoints, and
--resume auto takes the newest checkpoint that loads."""
import pytest

from src.training.run_folder import RunFolder
from src.utils.errors import UserInputError


def test_a_folder_holding_a_run_is_refused_unless_resumed(tmp_path):
    folder = RunFolder(str(tmp_path / "run"))
    folder.prepare(resuming=False)
    (tmp_path / "run" / "checkpoints").mkdir()
    (tmp_path / "run" / "checkpoints" / "pix2pix_epoch_0001.ckpt").write_bytes(b"x")
    with pytest.raises(UserInputError, match="already holds a training run .* --resume auto"):
        folder.prepare(resuming=False)
    folder.prepare(resuming=True)


def test_rotation_keeps_the_newest_and_auto_resume_skips_what_does_not_load(tmp_path):
    folder = RunFolder(str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    for epoch in (1, 2, 3):
        (tmp_path / "checkpoints" / f"pix2pix_epoch_{epoch:04d}.ckpt").write_bytes(b"not a checkpoint")
    lines = []
    folder.remove_old_checkpoints(2, lines.append)
    assert [path.rsplit("_", 1)[1] for path in folder.training_checkpoints()] == ["0002.ckpt", "0003.ckpt"]
    assert folder.checkpoint_to_resume("auto", lines.append) is None
    assert sum(line.startswith("warning: skipping") for line in lines) == 2 and "a new run" in lines[-1]
    assert folder.checkpoint_to_resume("", lines.append) is None
    assert folder.checkpoint_to_resume("given.ckpt", lines.append) == "given.ckpt"


@pytest.mark.parametrize("name", ["tensorboard", "checkpoints", "images", "logs"])
def test_a_file_where_the_run_keeps_a_folder_is_refused_by_name(tmp_path, name):
    (tmp_path / name).write_text("my notes")
    with pytest.raises(UserInputError) as refused:
        RunFolder(str(tmp_path)).prepare(resuming=False)
    assert str(refused.value) == (f"--output_path '{tmp_path}' holds a file '{name}' where the run keeps a folder: "
                                  "move it away, or choose another --output_path")
    assert (tmp_path / name).read_text() == "my notes"  # untouched
