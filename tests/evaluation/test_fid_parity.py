"""FID and KID against pytorch-fid and torch-fidelity themselves (tests/fixtures/make_fid_fixtures.py ran them
with the same seeded, calibrated weights in pytorch-fid's layout on the same pictures), and pytorch-fid's own
test vectors for the Fréchet distance and the statistics."""
import os

import mindspore as ms
import numpy as np
import pytest

from src.evaluation.distribution_metrics import feature_statistics, frechet_distance, kernel_inception_distance
from src.evaluation.fid_kid import FidKidScorer, fid_between
from src.evaluation.inception_features import InceptionFeatures, bilinear_matrix, picture_files, read_picture
from src.utils.errors import UserInputError
from src.weights.fid_weights import load_fid_inception
from tests.conftest import REPO_ROOT
from tests.fixtures.fid_pictures import write_picture_sets

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "fid")
EXPECTED = dict(np.load(os.path.join(FIXTURES, "expected.npz")))


def relative(ours, theirs):
    return float(np.linalg.norm(np.asarray(ours) - theirs) / np.linalg.norm(theirs))


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    return write_picture_sets(str(tmp_path_factory.mktemp("fid_pictures")), 100)


def test_features_match_pytorch_fid(fid_weights, pictures):
    real, fake = pictures
    features = InceptionFeatures(fid_weights, 2048)
    for folder, key in ((real, "features_2048_real"), (fake, "features_2048_fake")):
        ours = features.of_pictures([read_picture(path) for path in picture_files(folder, "fid_dirs")[:6]])
        assert ours.shape == (6, 2048) and ours.std(axis=0).mean() > 0.1  # not collapsed to a constant
        assert relative(ours, EXPECTED[key]) < 1e-4, (key, relative(ours, EXPECTED[key]))


def test_fid_and_kid_between_folders_match(fid_weights, pictures):
    real, fake = pictures
    scores = fid_between([fake, real], fid_weights, 64, log=lambda line: None)
    assert scores["num_images"] == [100, 100]
    assert abs(scores["fid"] - float(EXPECTED["fid_64"])) / float(EXPECTED["fid_64"]) < 1e-3
    assert abs(scores["kid_mean"] - EXPECTED["kid_64_all"][0]) / EXPECTED["kid_64_all"][0] < 1e-3


def test_kid_subsets_are_torch_fidelitys(fid_weights, pictures):
    """With fewer than 1,000 pictures every subset holds all of them; with smaller subsets the draws are
    torch-fidelity's (RandomState(2020))."""
    real, fake = pictures
    features = InceptionFeatures(fid_weights, 64)
    ours_fake, ours_real = features.of_folder(fake, "fid_dirs"), features.of_folder(real, "fid_dirs")
    mean, std = kernel_inception_distance(ours_fake, ours_real, subset_size=50)
    assert abs(mean - EXPECTED["kid_64_subsets"][0]) / EXPECTED["kid_64_subsets"][0] < 1e-3
    assert abs(std - EXPECTED["kid_64_subsets"][1]) / EXPECTED["kid_64_subsets"][1] < 1e-3


@pytest.mark.e2e  # scipy's square root of a 2048 x 2048 product: ~14 s on 2 cores
def test_small_sets_get_fid_as_pytorch_fid_gives_it_with_a_word_on_its_bias(fid_weights, pictures, tmp_path):
    """6 pictures at 2048 features: pytorch-fid gives a value (its imaginary-part check passes), and so do we,
    saying once that it is biased upward."""
    real, fake = pictures
    few = []
    for folder in (real, fake):
        os.makedirs(tmp_path / os.path.basename(folder))
        for name in sorted(os.listdir(folder))[:6]:
            os.link(os.path.join(folder, name), tmp_path / os.path.basename(folder) / name)
        few.append(str(tmp_path / os.path.basename(folder)))
    lines = []
    scores = fid_between([few[1], few[0]], fid_weights, 2048, log=lines.append)
    assert "fid_reason" not in scores and abs(scores["fid"] - float(EXPECTED["fid_2048_small"])) / scores["fid"] < 1e-3
    assert abs(scores["kid_mean"] - EXPECTED["kid_2048"][0]) / EXPECTED["kid_2048"][0] < 1e-3
    assert [line for line in lines if "biased upward" in line] == [
        "FID on 6 pictures at 2048 dims is biased upward (fewer pictures than dims: a singular covariance, computed "
        "as pytorch-fid does); compare it only with FIDs of sets of the same size, or rank by KID, which is unbiased"]


@pytest.mark.e2e  # scipy's square root of a 2048 x 2048 product: ~14 s on 2 cores
def test_fid_of_100_pictures_at_2048_dims_is_pytorch_fids():
    """pytorch-fid's own calculate_fid_given_paths on 100 against 100 pictures at 2048 features (a singular
    covariance, as facades' 106 test pairs give), and our statistics and distance on its features."""
    features = np.load(os.path.join(FIXTURES, "features_2048.npz"))
    scorer = FidKidScorer(InceptionFeatures.__new__(InceptionFeatures), log=lambda line: None)
    scorer.features.dims = 2048
    scores = scorer.scores_of_features(features["fake"], features["real"])
    assert relative(scores["fid"], float(EXPECTED["fid_2048"])) < 1e-6, (scores["fid"], float(EXPECTED["fid_2048"]))
    assert scores["kid_mean"] is not None and "fid_reason" not in scores


def test_an_undefined_square_root_is_reported_not_raised():
    """Only a large imaginary part (pytorch-fid's ValueError) leaves FID out, with the reason."""
    from src.evaluation.fid_kid import fid_from_statistics
    negative = -np.eye(2)  # sigma1 sigma2 = -I: its square root is i I
    fid, reason = fid_from_statistics((np.zeros(2), np.eye(2)), (np.zeros(2), negative), (None, None), 2,
                                      log=lambda line: None)
    assert fid is None and reason.startswith("FID has no real value: imaginary component")


def test_pytorch_fid_test_vectors():
    """pytorch-fid's tests: equal covariances leave the squared distance of the means; the statistics of
    pictures 0, 0.5, 1 averaged per channel."""
    dim = 2048
    assert frechet_distance(np.zeros(dim), np.eye(dim), np.ones(dim), np.eye(dim)) == np.sum((np.zeros(dim) - 1) ** 2)
    mu, sigma = feature_statistics(np.array([[0.0] * 3, [0.5] * 3, [1.0] * 3]))
    assert np.allclose(mu, 0.5) and np.allclose(sigma, 0.25)


def test_bilinear_resize_is_torchs():
    """torch's F.interpolate(bilinear, align_corners=False) keeps a constant and, upsampling 2 -> 4, gives
    0.25/0.75 blends (rows: 1, .75/.25, .25/.75, 1)."""
    matrix = bilinear_matrix(2, 4)
    assert np.allclose(matrix, [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])
    assert np.allclose(bilinear_matrix(256).sum(axis=1), 1.0)


def test_real_layout_file_loads_and_other_files_are_refused(tmp_path):
    network = load_fid_inception(os.path.join(FIXTURES, "inception_layout.pth"), 64)
    assert network.layers[0].conv.weight.shape == (32, 3, 3, 3)
    with pytest.raises(UserInputError, match="not the FID Inception"):
        ms.save_checkpoint([{"name": "fc.weight", "data": ms.Tensor(np.zeros((1008, 2), np.float32))}],
                           str(tmp_path / "other.ckpt"))
        load_fid_inception(str(tmp_path / "other.ckpt"), 64)
    imagenet = tmp_path / "imagenet.ckpt"
    ms.save_checkpoint([{"name": "fc.weight", "data": ms.Tensor(np.zeros((1000, 2), np.float32))}], str(imagenet))
    with pytest.raises(UserInputError, match="ImageNet Inception"):
        load_fid_inception(str(imagenet), 64)
    with pytest.raises(UserInputError, match="does not exist"):
        load_fid_inception(str(tmp_path / "missing.pth"), 64)


def test_bad_fid_inputs_are_named(fid_weights, tmp_path):
    """An empty or missing folder, a picture that is not one, statistics of other dims or not an .npz at all."""
    from src.evaluation.fid_kid import FidKidScorer, read_reference_statistics
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserInputError, match="holds no pictures"):
        fid_between([str(tmp_path / "empty"), str(tmp_path / "empty")], fid_weights, 64)
    with pytest.raises(UserInputError, match="is not a folder"):
        fid_between([str(tmp_path / "missing"), str(tmp_path / "empty")], fid_weights, 64)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "0001.png").write_bytes(b"not a png")
    with pytest.raises(UserInputError, match="0001.png' is not a readable picture"):
        fid_between([str(tmp_path / "broken"), str(tmp_path / "broken")], fid_weights, 64)
    np.savez(tmp_path / "stats64.npz", mu=np.zeros(64), sigma=np.eye(64))
    with pytest.raises(UserInputError, match="statistics of 64 features, --fid_dims is 2048"):
        read_reference_statistics(str(tmp_path / "stats64.npz"), 2048)
    (tmp_path / "fake.npz").write_bytes(b"PK not really")
    with pytest.raises(UserInputError, match="is not a pytorch-fid .npz"):
        read_reference_statistics(str(tmp_path / "fake.npz"), 64)
    lines = []
    assert FidKidScorer.from_settings(None, 2048, log=lines.append).scores([], []) == {
        "fid": None, "kid_mean": None, "kid_std": None, "fid_reason": "no --fid_weights given"}
    assert lines == ["FID and KID skipped: no --fid_weights (bash data/download_pretrained.sh fid_inception fetches them)"]


def test_fid_against_published_statistics_and_kid_against_the_real_set(fid_weights, pictures, tmp_path):
    """--fid_reference_stats: FID against the .npz (here: the real set's own statistics, as pytorch-fid --save-stats
    writes them), KID still against the real pictures."""
    from src.evaluation.fid_kid import FidKidScorer
    real, fake = pictures
    features = InceptionFeatures(fid_weights, 64)
    mu, sigma = feature_statistics(features.of_folder(real, "fid_dirs"))
    np.savez(tmp_path / "real.npz", mu=mu, sigma=sigma)
    scorer = FidKidScorer.from_settings(fid_weights, 64, str(tmp_path / "real.npz"), log=lambda line: None)
    fakes = [read_picture(path) for path in picture_files(fake, "fid_dirs")]
    reals = [read_picture(path) for path in picture_files(real, "fid_dirs")]
    scores = scorer.scores(fakes, reals)
    assert abs(scores["fid"] - float(EXPECTED["fid_64"])) / float(EXPECTED["fid_64"]) < 1e-3
    assert abs(scores["kid_mean"] - EXPECTED["kid_64_all"][0]) / EXPECTED["kid_64_all"][0] < 1e-3
    between = fid_between([fake, str(tmp_path / "real.npz")], fid_weights, 64)
    assert between["fid"] == pytest.approx(scores["fid"]) and between["kid_mean"] is None and between["kid_reason"]
