"""The Trainer's numbers against hand computations (tests/hand.py): tests that fail if a loss, a penalty, a
scheme, instance noise or label smoothing were wrong, not only if something crashed."""

import copy
import itertools

import numpy as np
import pytest
import torch

from gan_core import Trainer, from_flat
from gan_core.config import LOSSES
from gan_core.models import sample_noise
from tests.hand import check_first_step, hand_d_loss


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 100_000, **kw})


EXTRAS = [{}, {"r1_gamma": 1.0}, {"instance_noise": 0.3}, {"label_smoothing": 0.2},
          {"r1_gamma": 0.5, "instance_noise": 0.1, "label_smoothing": 0.1}]


@pytest.mark.parametrize("loss, scheme, extra", list(itertools.product(LOSSES, ("alternating", "simultaneous"), EXTRAS)))
def test_first_step_numbers_match_the_hand_computation(loss, scheme, extra):
    """d_loss (L_D alone), d_penalty (gamma/2 R1 + lambda GP), g_loss, mean D(x), D(G(z)) before and after, from
    the formulas, with instance noise added to D's inputs and the real target at 1 - smoothing."""
    rec = check_first_step(Trainer(small(loss=loss, scheme=scheme, **extra)))
    if extra.get("r1_gamma") or loss == "wgan-gp":
        assert rec["d_penalty"] > 0
    else:
        assert rec["d_penalty"] == 0.0


def test_instance_noise_and_label_smoothing_change_the_numbers_as_the_formula_says():
    """The same first batch with and without them: D sees x + sigma n (n ~ N(0, 1) from the trainer's stream), and
    the smoothed L_D adds s (softplus(r) - softplus(-r)) per real logit r to the plain one."""
    plain, smooth = Trainer(small()), Trainer(small(label_smoothing=0.25))
    a, b = plain.step(), smooth.step()
    assert a["d_real"] == b["d_real"] and a["d_fake"] == b["d_fake"]  # same D, same batch
    gen = torch.Generator().manual_seed(0)
    x_real = Trainer(small()).data.sample(64, gen)
    with torch.no_grad():
        x_fake = Trainer(small()).G(sample_noise(plain.config, 64, gen))
        r = Trainer(small()).D(x_real).double().numpy().ravel()
        f = Trainer(small()).D(x_fake).double().numpy().ravel()
    shift = 0.25 * np.mean(np.logaddexp(0, r) - np.logaddexp(0, -r))
    assert b["d_loss"] - a["d_loss"] == pytest.approx(shift, rel=1e-4, abs=1e-7)
    assert a["d_loss"] == pytest.approx(hand_d_loss("non-saturating", r, f), rel=1e-5)
    noisy = Trainer(small(instance_noise=0.5)).step()
    x_noisy = x_real + 0.5 * torch.randn(x_real.shape, generator=gen)
    with torch.no_grad():
        r_noisy = torch.sigmoid(Trainer(small()).D(x_noisy)).double().mean().item()
    assert noisy["d_real"] == pytest.approx(r_noisy, rel=1e-5) and noisy["d_real"] != pytest.approx(a["d_real"])


def test_r1_inside_the_trainer_matches_autograd():
    """The D update's gradient is that of L_D + gamma/2 E|grad_x D(x_real)|^2, the penalty differentiated
    through its own gradient (create_graph); a penalty detached from the graph would give another gradient."""
    t = Trainer(small(r1_gamma=2.0))
    D = copy.deepcopy(t.D)
    gen = torch.Generator()
    gen.set_state(t.gen.get_state())
    x_real = t.data.sample(64, gen).requires_grad_(True)
    with torch.no_grad():
        x_fake = copy.deepcopy(t.G)(sample_noise(t.config, 64, gen))
    real = D(x_real)
    (grad_x,) = torch.autograd.grad(real.sum(), x_real, create_graph=True)
    r1 = grad_x.pow(2).sum(dim=1).mean()
    fake = D(x_fake)
    l_d = torch.nn.functional.softplus(-real).mean() + torch.nn.functional.softplus(fake).mean()
    expected = torch.autograd.grad(l_d + 1.0 * r1, list(D.parameters()), retain_graph=True)
    without = torch.autograd.grad(l_d + 1.0 * r1.detach(), list(D.parameters()))
    rec = t.d_step()
    assert rec["d_penalty"] == pytest.approx(r1.item(), rel=1e-5)
    assert rec["d_loss"] == pytest.approx(l_d.item(), rel=1e-5)
    for p, g in zip(t.D.parameters(), expected):
        torch.testing.assert_close(p.grad, g, rtol=1e-4, atol=1e-7)
    assert any(not torch.allclose(g, g0, rtol=1e-3, atol=1e-6) for g, g0 in zip(expected, without))


def test_wgan_clipping_keeps_every_weight_of_d_in_range():
    c = 0.01
    t = Trainer(small(loss="wgan", clip=c, lr_d=5e-2, optimizer="rmsprop"))
    t.run(20)
    weights = torch.cat([p.detach().ravel() for p in t.D.parameters()])
    assert weights.abs().max().item() <= c
    assert (weights.abs() == c).float().mean().item() > 0.5  # the clip did bite: most weights sit on it
    free = Trainer(small(loss="wgan-gp", lr_d=5e-2, optimizer="rmsprop"))
    free.run(20)
    assert max(p.detach().abs().max().item() for p in free.D.parameters()) > 10 * c


@pytest.mark.parametrize("scheme", ["simultaneous", "alternating"])
def test_simultaneous_takes_both_gradients_at_the_same_point(scheme):
    """Plain SGD, one step: G moves by -lr grad_G L_G at the INITIAL D when simultaneous, at the updated D when
    alternating; D moves by -lr grad_D L_D at the initial G either way."""
    lr = 0.05
    t = Trainer(small(scheme=scheme, optimizer="sgd", momentum=0.0, lr_g=lr, lr_d=lr))
    G0, D0 = copy.deepcopy(t.G), copy.deepcopy(t.D)
    gen = torch.Generator()
    gen.set_state(t.gen.get_state())
    x_real = t.data.sample(64, gen)
    z = sample_noise(t.config, 64, gen)
    real, fake = D0(x_real), D0(G0(z))
    l_d = torch.nn.functional.softplus(-real).mean() + torch.nn.functional.softplus(fake).mean()
    d_grads = torch.autograd.grad(l_d, list(D0.parameters()), retain_graph=True)
    t.step()
    for p0, g, p in zip(D0.parameters(), d_grads, t.D.parameters()):
        torch.testing.assert_close(p, p0 - lr * g, rtol=1e-5, atol=1e-7)
    D_for_g, z_g = (D0, z) if scheme == "simultaneous" else (t.D, sample_noise(t.config, 64, gen))
    l_g = torch.nn.functional.softplus(-D_for_g(G0(z_g))).mean()
    g_grads = torch.autograd.grad(l_g, list(G0.parameters()))
    for p0, g, p in zip(G0.parameters(), g_grads, t.G.parameters()):
        torch.testing.assert_close(p, p0 - lr * g, rtol=1e-5, atol=1e-7)
