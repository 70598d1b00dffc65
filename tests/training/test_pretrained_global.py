"""--load_pretrain: a local-enhancer run starts from the global generator of an earlier run (its folder or a
checkpoint) or from pix2pixHD's own latest_net_G.pth, and refuses one it does not wrap."""
import os
import shutil

import numpy as np
import pytest

from src.models.checkpoint import save_generator_checkpoint
from src.models.networks import build_generator
from src.models.spec import ModelSpec
from src.training.pretrained_global import load_pretrained_global
from src.utils.errors import UserInputError
from tests.conftest import REPO_ROOT

OPTIONS = {"n_downsample_global": 3, "n_blocks_global": 2, "n_local_enhancers": 1, "n_blocks_local": 1}
LOCAL = ModelSpec(in_channels=5, netG="local", ngf=2, norm_mode="instance", use_dropout=False, options=OPTIONS,
                  label_nc=4, instance_edges=True)
GLOBAL = ModelSpec(in_channels=5, netG="global", ngf=4, norm_mode="instance", use_dropout=False,
                   options={"n_downsample_global": 3, "n_blocks_global": 2}, label_nc=4, instance_edges=True)


def global_part(generator):
    return {p.name: p.asnumpy() for p in generator.get_parameters() if p.name.startswith("model.")}


def test_a_run_folder_of_the_global_generator_starts_the_local_one(tmp_path):
    trained = build_generator(GLOBAL, init_gain=0.3)
    os.makedirs(tmp_path / "run" / "checkpoints")
    save_generator_checkpoint(str(tmp_path / "run" / "checkpoints" / "generator_final.ckpt"), trained, GLOBAL, 5, 50)
    local = build_generator(LOCAL)
    lines = []
    used = load_pretrained_global(local, LOCAL, str(tmp_path / "run"), lines.append)
    assert used.endswith("generator_final.ckpt") and "Started the global part" in lines[-1]
    ours, theirs = global_part(local), global_part(trained)
    assert ours and all(np.array_equal(ours[name], theirs[name]) for name in ours)


def test_pix2pixhds_own_checkpoint_folder_is_read_as_it_is(tmp_path):
    shutil.copy(os.path.join(REPO_ROOT, "tests", "fixtures", "torch_hd", "global.pth"), tmp_path / "latest_net_G.pth")
    local = build_generator(LOCAL)
    before = global_part(local)
    load_pretrained_global(local, LOCAL, str(tmp_path), lambda line: None)
    assert not any(np.array_equal(before[name], value) for name, value in global_part(local).items()
                   if name.endswith("weight"))


def test_a_global_generator_it_does_not_wrap_is_named(tmp_path):
    wider = ModelSpec(**dict(vars(GLOBAL), ngf=8))
    save_generator_checkpoint(str(tmp_path / "wide.ckpt"), build_generator(wider), wider, 1, 1)
    with pytest.raises(UserInputError, match=r"is not the global generator of this --netG local: it has ngf 8 \(needs 4\)"):
        load_pretrained_global(build_generator(LOCAL), LOCAL, str(tmp_path / "wide.ckpt"), lambda line: None)
    os.makedirs(tmp_path / "empty")
    with pytest.raises(UserInputError, match="holds no generator"):
        load_pretrained_global(build_generator(LOCAL), LOCAL, str(tmp_path / "empty"), lambda line: None)
    with pytest.raises(UserInputError, match="does not exist"):
        load_pretrained_global(build_generator(LOCAL), LOCAL, str(tmp_path / "missing"), lambda line: None)
