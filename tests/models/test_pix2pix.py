"""One training step does exactly what the reference does: D step, then G step, one G forward."""
from dataclasses import replace

import numpy as np
import mindspore as ms
import pytest
from mindspore import nn, ops

from src.models.loss import DiscriminatorLoss, GeneratorLoss, Objective
from src.models.networks import build_discriminator, build_generator
from src.models.pix2pix import Pix2PixTrainStep, build_adam, set_learning_rate
from src.models.spec import ModelSpec

SPEC = ModelSpec(in_channels=3, out_channels=3, ngf=8, netG="unet_32",
                 norm_mode="batch", use_dropout=False, netD="n_layers", ndf=8, n_layers_D=2)


def make_networks(seed=0, lr=1e-3):
    ms.set_seed(seed)
    generator, discriminator = build_generator(SPEC), build_discriminator(SPEC)
    return (generator, discriminator, build_adam(generator, "optimizer_g", lr, 0.5, 0.999),
            build_adam(discriminator, "optimizer_d", lr, 0.5, 0.999))


def batch(seed):
    return ms.Tensor(np.random.default_rng(seed).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))


def max_difference(first, second):
    return max(float(np.abs(a.asnumpy() - b.asnumpy()).max()) for a, b in zip(first, second))


def reference_step(real_a, real_b):
    ref_g, ref_d, ref_opt_g, ref_opt_d = make_networks()
    ref_g.set_train(True)
    ref_d.set_train(True)
    ref_fake = ref_g(real_a)
    d_loss, d_grads = ms.value_and_grad(DiscriminatorLoss(ref_d), None, ref_opt_d.parameters)(
        real_a, real_b, ops.stop_gradient(ref_fake))
    ref_opt_d(d_grads)
    generator_loss = GeneratorLoss(ref_d, Objective(lambda_l1=100.0))
    (_, gan, l1, _, _), g_grads = ms.value_and_grad(lambda a, b: generator_loss(ref_g(a), a, b), None,
                                              ref_opt_g.parameters, has_aux=True)(real_a, real_b)
    ref_opt_g(g_grads)
    return ref_g, ref_d, ref_fake, d_loss, gan, l1


def test_step_equals_the_reference_order_computed_eagerly():
    real_a, real_b = batch(1), batch(2)
    generator, discriminator, optimizer_g, optimizer_d = make_networks()
    step = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d, Objective(lambda_l1=100.0))
    step.set_train(True)
    loss_d, loss_g_gan, loss_g_l1, _, _, fake_b = step(real_a, real_b)

    # The reference, by hand and eagerly: fake = G(A); D step on detached fake; G step through the updated D.
    ms.set_context(mode=ms.PYNATIVE_MODE)
    try:
        reference = reference_step(real_a, real_b)
    finally:
        ms.set_context(mode=ms.GRAPH_MODE)
    ref_g, ref_d, ref_fake, d_loss, gan, l1 = reference

    assert float(loss_d.asnumpy()) == pytest.approx(float(d_loss.asnumpy()), rel=1e-5)
    assert float(loss_g_gan.asnumpy()) == pytest.approx(float(gan.asnumpy()), rel=1e-5)  # uses the updated D
    assert float(loss_g_l1.asnumpy()) == pytest.approx(float(l1.asnumpy()), rel=1e-5)
    np.testing.assert_allclose(fake_b.asnumpy(), ref_fake.asnumpy(), atol=1e-6)
    assert max_difference(generator.trainable_params(), ref_g.trainable_params()) < 1e-6
    assert max_difference(discriminator.trainable_params(), ref_d.trainable_params()) < 1e-6
    untrained = make_networks()
    assert max_difference(generator.trainable_params(), untrained[0].trainable_params()) > 1e-4  # both moved
    assert max_difference(discriminator.trainable_params(), untrained[1].trainable_params()) > 1e-4


def test_generator_runs_forward_once_per_step():
    """Batch-norm running statistics move exactly as much as after one forward pass."""
    real_a = batch(3)
    generator, discriminator, optimizer_g, optimizer_d = make_networks()
    step = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d)
    step.set_train(True)
    step(real_a, batch(4))
    once = make_networks()[0]
    once.set_train(True)
    once(real_a)
    name = "encoder.1.2.moving_mean"
    stepped = {p.name: p for p in generator.get_parameters()}[name].asnumpy()
    expected = {p.name: p for p in once.get_parameters()}[name].asnumpy()
    assert np.abs(expected).max() > 0
    np.testing.assert_allclose(stepped, expected, atol=1e-7)


def test_learning_rate_changes_take_effect_without_rebuilding():
    generator, discriminator, optimizer_g, optimizer_d = make_networks()
    step = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d)
    step.set_train(True)
    step(batch(5), batch(6))
    set_learning_rate(optimizer_g, 0.0)
    set_learning_rate(optimizer_d, 0.0)
    assert float(optimizer_g.learning_rate.asnumpy()) == 0.0
    before = [p.asnumpy().copy() for p in generator.trainable_params() + discriminator.trainable_params()]
    step(batch(5), batch(6))
    after = [p.asnumpy() for p in generator.trainable_params() + discriminator.trainable_params()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_the_two_optimisers_have_distinct_state_names():
    _, _, optimizer_g, optimizer_d = make_networks()
    names_g = {p.name for p in optimizer_g.get_parameters()}
    names_d = {p.name for p in optimizer_d.get_parameters()}
    assert "optimizer_g.global_step" in names_g and "optimizer_d.learning_rate" in names_d
    assert not names_g & names_d


def scaled_step(scale, amp_level="O0"):
    from mindspore import amp
    from src.models.pix2pix import apply_mixed_precision
    generator, discriminator, optimizer_g, optimizer_d = make_networks()
    generator, discriminator = apply_mixed_precision(generator, amp_level), apply_mixed_precision(discriminator, amp_level)
    scaler = amp.DynamicLossScaler(scale, 2, 1000)
    step = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d, loss_scaler=scaler)
    step.set_train(True)
    return step, generator, discriminator, scaler


def test_loss_scaling_gives_the_same_update_as_float32():
    step, generator, discriminator, _ = scaled_step(2.0 ** 16)
    reference = make_networks()
    plain = Pix2PixTrainStep(*reference)
    plain.set_train(True)
    real_a, real_b = batch(7), batch(8)
    scaled_losses = [float(x.asnumpy()) for x in step(real_a, real_b)[:3]]
    plain_losses = [float(x.asnumpy()) for x in plain(real_a, real_b)[:3]]
    assert scaled_losses == pytest.approx(plain_losses, rel=1e-5)  # reported losses are unscaled
    assert max_difference(generator.trainable_params(), reference[0].trainable_params()) < 1e-5
    assert max_difference(discriminator.trainable_params(), reference[1].trainable_params()) < 1e-5


def test_an_overflowing_step_is_skipped_and_the_scale_lowered():
    step, generator, discriminator, scaler = scaled_step(3e38)  # any real loss times this overflows
    before = [p.asnumpy().copy() for p in generator.trainable_params() + discriminator.trainable_params()]
    step(batch(7), batch(8))
    after = [p.asnumpy() for p in generator.trainable_params() + discriminator.trainable_params()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert float(scaler.scale_value.asnumpy()) == pytest.approx(1.5e38)


def test_float16_training_runs_and_keeps_float32_weights():
    step, generator, _, _ = scaled_step(2.0 ** 16, "O2")
    losses = [float(x.asnumpy()) for x in step(batch(7), batch(8))[:3]]
    assert np.all(np.isfinite(losses))
    assert {str(p.dtype) for p in generator.trainable_params()} == {"Float32"}


@pytest.mark.parametrize("norm_mode", ["batch", "instance", "none"])
def test_wgangp_penalty_reaches_the_discriminator_update_in_every_norm(norm_mode):
    """The penalty needs D's second derivative inside the compiled step; with lambda_gp 0 and 10 the
    same step must leave D in different states and G's losses finite."""
    spec = replace(SPEC, norm_mode=norm_mode, netD="basic")
    states = []
    for lambda_gp in (0.0, 10.0):
        ms.set_seed(0)
        generator, discriminator = build_generator(spec), build_discriminator(spec)
        step = Pix2PixTrainStep(generator, discriminator, build_adam(generator, "optimizer_g", 1e-3, 0.5, 0.999),
                                build_adam(discriminator, "optimizer_d", 1e-3, 0.5, 0.999),
                                Objective("wgangp", 100.0, lambda_gp))
        step.set_train(True)
        losses = [float(value.asnumpy()) for value in step(batch(1), batch(2))[:3]]
        assert np.all(np.isfinite(losses))
        states.append([parameter.asnumpy().copy() for parameter in discriminator.trainable_params()])
    assert max(float(np.abs(a - b).max()) for a, b in zip(*states)) > 1e-6


def test_lsgan_step_trains_both_networks():
    generator, discriminator, optimizer_g, optimizer_d = make_networks()
    before = [p.asnumpy().copy() for p in generator.trainable_params() + discriminator.trainable_params()]
    step = Pix2PixTrainStep(generator, discriminator, optimizer_g, optimizer_d, Objective("lsgan", 100.0))
    step.set_train(True)
    loss_d = float(step(batch(1), batch(2))[0].asnumpy())
    after = generator.trainable_params() + discriminator.trainable_params()
    assert 0 < loss_d < 10 and all(not np.array_equal(a, b.asnumpy()) for a, b in zip(before, after))


def test_restarting_adam_makes_the_next_update_a_fresh_adams():
    """What pix2pixHD does when the global generator joins after --niter_fix_global: a new Adam."""
    from src.models.pix2pix import restart_adam
    rng = np.random.default_rng(0)
    restarted, fresh = nn.Dense(3, 2), nn.Dense(3, 2)
    optimizer = build_adam(restarted, "optimizer_g", 1e-3, 0.5, 0.999)
    gradients = [tuple(ms.Tensor(rng.normal(size=p.shape).astype(np.float32)) for p in restarted.trainable_params())
                 for _ in range(3)]
    optimizer(gradients[0])
    optimizer(gradients[1])
    restart_adam(optimizer)
    for mine, theirs in zip(restarted.trainable_params(), fresh.trainable_params()):
        theirs.set_data(ms.Tensor(mine.asnumpy()))
    optimizer(gradients[2])
    build_adam(fresh, "optimizer_g", 1e-3, 0.5, 0.999)(gradients[2])
    for mine, theirs in zip(restarted.trainable_params(), fresh.trainable_params()):
        assert np.allclose(mine.asnumpy(), theirs.asnumpy(), atol=1e-7)
