"""--val_every with --best_metric fid on a set smaller than FID's dimensions: FID is given, as pytorch-fid gives
it, and it picks generator_best.ckpt."""
import json
from types import SimpleNamespace

from src.evaluation.fid_kid import FidKidScorer
from src.models.checkpoint import read_checkpoint
from src.training.run_folder import RunFolder
from src.training.tensorboard_log import NoTensorBoard
from src.training.validation import Validation, read_validation_rows, resolve_best_metric
from tests.conftest import TINY_SPEC, folder_pairs, structured_generator


def test_auto_ranks_by_fid_whenever_there_are_weights():
    assert resolve_best_metric("auto", True) == "fid" and resolve_best_metric("auto", False) == "l1"
    assert resolve_best_metric("kid", True) == "kid"


def test_fid_picks_the_best_generator_on_four_pairs(sample_root, fid_weights, tmp_path):
    config = SimpleNamespace(val_every=1, best_metric="fid", fid_weights=fid_weights, fid_dims=64, eval_mode="eval",
                             val_data_dir=str(sample_root / "val"))
    folder, lines = RunFolder(str(tmp_path)), []
    folder.prepare(resuming=False)
    scorer = FidKidScorer.from_settings(fid_weights, 64, log=lines.append)
    validation = Validation.for_run(config, folder_pairs(sample_root / "val", size=32), folder, TINY_SPEC, scorer,
                                    lines.append, NoTensorBoard())
    scores = [validation.run({"generator": structured_generator(seed=seed)}, epoch, 10 * epoch)["fid"]
              for epoch, seed in ((1, 0), (2, 1))]
    assert all(score > 0 for score in scores), scores
    assert [row["fid"] for row in read_validation_rows(folder.validation)] == scores
    best = json.loads(str(read_checkpoint(folder.best_generator)["best"]))
    assert best == {"metric": "fid", "score": min(scores), "epoch": 1 + scores.index(min(scores))}
    assert sum("FID on 4 pictures at 64 dims is biased upward" in line for line in lines) == 1
