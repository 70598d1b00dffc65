"""Evaluate a generator checkpoint (eval.py) or a generator in training on held-out pairs of any layout."""
import os

import numpy as np
import mindspore as ms

from src.dataset.image_coding import ImageCoding
from src.dataset.pair_dataset import DATASET_MODES
from src.dataset.transforms import size_settings
from src.evaluation.fid_kid import FidKidScorer, fid_between
from src.evaluation.pairs import EvaluationPairs, test_preprocess
from src.evaluation.report import evaluate_pairs, translation_by
from src.evaluation.unpaired import UnpairedTestSets, evaluate_cycle
from src.kernels.choice import start_convolutions
from src.models.checkpoint import load_translator_generator, set_test_mode
from src.models.networks import generator_size_multiple, require_size_multiples, spec_from_settings
from src.utils.device import seed_everything, setup_device
from src.utils.errors import UserInputError
from src.utils.metrics import mean_absolute_error
from src.utils.output_folders import results_folder


def validation_l1(generator, pairs):
    """Mean L1 (grey levels 0..255) of G(A) against B over `pairs` (EvaluationPairs), in eval mode (running
    statistics, no dropout), so that measuring changes neither the weights nor the random streams of
    training; the generator is back in train mode afterwards."""
    generator.set_train(False)
    errors = []
    for real_a, real_b, _ in pairs.batches():
        fake_b = generator(ms.Tensor(real_a)).asnumpy()
        errors += [mean_absolute_error(pairs.coding.output_picture(a, fake), pairs.coding.output_picture(a, real))
                   for a, fake, real in zip(real_a, fake_b, real_b)]
    generator.set_train(True)
    return float(np.mean(errors))


def evaluate_generator(generator, pairs, output_dir, eval_mode="train", log=print, scorer=None):
    """evaluate_pairs with a MindSpore generator in test mode `eval_mode` (see set_test_mode)."""
    set_test_mode(generator, eval_mode)
    return evaluate_pairs(translation_by(generator), pairs, output_dir, eval_mode, log, scorer)


def evaluate(config):
    """eval.py: evaluate config.ckpt on config.val_data_dir (or, with --fid_dirs, FID and KID between two
    folders); returns the summary dict."""
    if not config.fid_dirs and not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass the pairs to evaluate on")
    setup_device(config.device_target, config.device_id, config.mode)
    start_convolutions(config.conv_kernel, print, config.device_target, precision=config.cpu_precision)
    if config.fid_dirs:
        return fid_between(config.fid_dirs, config.fid_weights, config.fid_dims)
    seed_everything(config.seed, deterministic=True)
    fallback_spec = spec_from_settings(config, with_discriminator=False)
    loaded = load_translator_generator(config.ckpt, fallback_spec, config.direction)
    generator, spec, direction = loaded.generator, loaded.spec, loaded.run.direction
    dataset_mode = config.dataset_mode or loaded.run.test_dataset_mode()
    if dataset_mode == "unaligned" and loaded.run.model != "cycle_gan" and not config.direction:
        direction = "AtoB"  # a lone generator (a converted CycleGAN G_A) on two domains: testA -> testB
    require_matching_data(spec, dataset_mode, config.ckpt, loaded.run.model == "cycle_gan")
    require_size_multiples(config, spec, size_settings(config.preprocess)[1])
    preprocess, coding = test_preprocess(config, generator_size_multiple(spec)), ImageCoding.from_spec(spec)
    output_dir = results_folder(config.output_path, "eval", config.ckpt, config.val_data_dir)
    scorer = FidKidScorer.from_settings(config.fid_weights, config.fid_dims, config.fid_reference_stats)
    if dataset_mode == "unaligned":
        generators = {"generator": generator}
        if loaded.run.model == "cycle_gan":
            other = "AtoB" if direction == "BtoA" else "BtoA"
            generators["generator_b"] = load_translator_generator(config.ckpt, fallback_spec, other).generator
        sets = UnpairedTestSets.open(config.val_data_dir, direction, preprocess, coding, config.num_test)
        summary = evaluate_cycle(generators, sets, output_dir, config.eval_mode, scorer=scorer)
    else:
        pairs = EvaluationPairs.open(dataset_mode, config.val_data_dir, direction, preprocess, coding, config.num_test)
        summary = evaluate_generator(generator, pairs, output_dir, config.eval_mode, scorer=scorer)
    config.save(os.path.join(output_dir, "config.yaml"))
    return dict(summary, checkpoint=config.ckpt, model_spec=spec.to_dict(), direction=direction)


def require_matching_data(spec, dataset_mode, model_name, is_unpaired_model=False):
    """A colorization model reads photos (--dataset_mode colorization), a label-map model label maps
    (--dataset_mode labels), any other model image pairs."""
    if bool(spec.label_nc) != (dataset_mode == "labels"):
        raise UserInputError(
            f"'{model_name}' translates label maps of {spec.label_nc} classes: use --dataset_mode labels" if spec.label_nc
            else f"'{model_name}' translates images, not label maps: use another --dataset_mode than labels")
    colorization = spec.colorization
    if colorization != (dataset_mode == "colorization"):
        raise UserInputError(
            f"'{model_name}' is a {'colorization' if colorization else 'paired'} model ({spec.in_channels} -> "
            f"{spec.out_channels} channels) but --dataset_mode is {dataset_mode}: "
            + ("use --dataset_mode colorization" if colorization else
               "use --dataset_mode " + ", ".join(mode for mode in DATASET_MODES if mode not in ("colorization", "labels"))))
    if is_unpaired_model and dataset_mode != "unaligned":
        raise UserInputError(f"'{model_name}' is a cycle_gan model: its test sets are two unpaired domains "
                             "(testA/ and testB/), read with --dataset_mode unaligned")
