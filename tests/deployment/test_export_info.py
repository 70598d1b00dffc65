"""The JSON beside an export tells the offline flow and ONNX Runtime what the model takes, in every version."""
import json

import pytest

from src.deployment.export_info import read_export_info, write_export_info
from src.models.spec import ModelSpec
from src.utils.errors import UserInputError
from tests.conftest import TINY_SPEC


def test_the_spec_written_beside_an_export_reads_back(tmp_path):
    write_export_info(str(tmp_path / "g"), TINY_SPEC, [1, 3, 32, 32], "eval")
    assert read_export_info(str(tmp_path / "g.onnx")) == read_export_info(str(tmp_path / "g")) == TINY_SPEC
    assert json.loads((tmp_path / "g.json").read_text())["model_spec"]["version"] == 2


def test_a_version_1_json_and_a_model_without_json_are_read(tmp_path):
    (tmp_path / "grey.json").write_text(json.dumps({"model_spec": {"in_channels": 1, "out_channels": 3,
                                                                   "netG": "unet_32", "ngf": 4}}))
    assert read_export_info(str(tmp_path / "grey.mindir")) == ModelSpec(in_channels=1, netG="unet_32", ngf=4)
    assert read_export_info(str(tmp_path / "elsewhere.onnx")) == ModelSpec()  # RGB to RGB, architecture unknown


def test_a_json_that_is_not_export_pys_is_named(tmp_path):
    (tmp_path / "g.json").write_text("{not json")
    with pytest.raises(UserInputError, match="is not the JSON export.py writes"):
        read_export_info(str(tmp_path / "g.onnx"))
