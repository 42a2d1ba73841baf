import math

import numpy as np
import pytest
import torch

from gan_core import losses

L = torch.tensor([[-3.0], [-0.5], [0.0], [0.7], [2.5]])
K = torch.tensor([[-1.0], [0.2], [1.5], [-2.0], [0.4]])


def sig(x):
    return 1 / (1 + np.exp(-x))


def np_(t):
    return t.numpy().astype(np.float64).ravel()


def test_log_losses_match_goodfellow_formulas():
    r, f = np_(L), np_(K)
    # L_D = -E log D(x) - E log(1 - D(G(z)))  (the seed's "+" is a sign error)
    expected_d = -np.mean(np.log(sig(r))) - np.mean(np.log(1 - sig(f)))
    for name in ("minimax", "non-saturating"):
        assert losses.d_loss(name, L, K).item() == pytest.approx(expected_d, rel=1e-5)
    assert losses.g_loss("minimax", K).item() == pytest.approx(np.mean(np.log(1 - sig(f))), rel=1e-5)
    assert losses.g_loss("non-saturating", K).item() == pytest.approx(-np.mean(np.log(sig(f))), rel=1e-5)


def test_other_losses_match_their_papers():
    r, f = np_(L), np_(K)
    assert losses.d_loss("lsgan", L, K).item() == pytest.approx(0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f**2))
    assert losses.g_loss("lsgan", K).item() == pytest.approx(0.5 * np.mean((f - 1) ** 2))
    for name in ("wgan", "wgan-gp"):
        assert losses.d_loss(name, L, K).item() == pytest.approx(f.mean() - r.mean(), abs=1e-6)
        assert losses.g_loss(name, K).item() == pytest.approx(-f.mean(), abs=1e-6)
    hinge = np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
    assert losses.d_loss("hinge", L, K).item() == pytest.approx(hinge, rel=1e-6)
    assert losses.g_loss("hinge", K).item() == pytest.approx(-f.mean(), abs=1e-6)


def test_label_smoothing_targets_point_nine():
    r, f = np_(L), np_(K)
    t = 0.9
    expected = -np.mean(t * np.log(sig(r)) + (1 - t) * np.log(1 - sig(r))) - np.mean(np.log(1 - sig(f)))
    assert losses.d_loss("non-saturating", L, K, smoothing=0.1).item() == pytest.approx(expected, rel=1e-5)


def test_generator_gradients_per_logit_explain_vanishing_gradients():
    """minimax: dL/dl = -sigmoid(l) -> 0 when D rejects fakes; non-saturating: -(1 - sigmoid(l)) -> -1."""
    logits = torch.tensor([[-8.0], [-2.0], [0.0], [3.0]], requires_grad=True)
    n = len(logits)
    (g_mm,) = torch.autograd.grad(losses.g_loss("minimax", logits), logits)
    (g_ns,) = torch.autograd.grad(losses.g_loss("non-saturating", logits), logits)
    s = torch.sigmoid(logits.detach())
    torch.testing.assert_close(g_mm * n, -s)
    torch.testing.assert_close(g_ns * n, -(1 - s))
    assert abs(g_mm[0].item() * n) < 1e-3 and abs(g_ns[0].item() * n) > 0.99


@pytest.mark.parametrize("name", ["minimax", "non-saturating", "lsgan", "wgan", "wgan-gp", "hinge"])
def test_losses_stay_finite_for_extreme_logits(name):
    big = torch.tensor([[200.0], [-200.0], [80.0], [-80.0]])
    assert math.isfinite(losses.d_loss(name, big, -big).item())
    assert math.isfinite(losses.g_loss(name, big).item())
    assert math.isfinite(losses.g_loss(name, -big).item())


def test_gradient_penalty_is_zero_for_unit_slope_critic():
    D = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[0.6, 0.8]]))  # |grad| = 1 everywhere
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(16, 2)
    assert losses.gradient_penalty(D, x, x + 1, gen).item() == pytest.approx(0.0, abs=1e-10)
    with torch.no_grad():
        D.weight.mul_(3.0)  # |grad| = 3 -> (3 - 1)^2 = 4
    assert losses.gradient_penalty(D, x, x + 1, gen).item() == pytest.approx(4.0, rel=1e-5)


class HalfSquaredNorm(torch.nn.Module):
    """The critic D(x) = 1/2 |x|^2: its gradient is x itself, so the penalty is known in closed form."""

    def forward(self, x):
        return 0.5 * x.pow(2).sum(dim=1, keepdim=True)


def test_gradient_penalty_with_a_half_squared_norm_critic():
    """grad D(x_hat) = x_hat = eps x + (1 - eps) x~, so GP = E (|x_hat| - 1)^2 exactly, and unlike a linear
    critic's the value depends on where between the real and fake point x_hat was drawn."""
    gen = torch.Generator().manual_seed(3)
    x_real, x_fake = torch.randn(32, 2, generator=gen), 3 + torch.randn(32, 2, generator=gen)
    got = losses.gradient_penalty(HalfSquaredNorm(), x_real, x_fake, torch.Generator().manual_seed(11))
    eps = torch.rand(32, 1, generator=torch.Generator().manual_seed(11)).double()
    x_hat = (eps * x_real.double() + (1 - eps) * x_fake.double()).numpy()
    expected = np.mean((np.linalg.norm(x_hat, axis=1) - 1) ** 2)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    endpoints = np.mean((np.linalg.norm(x_real.numpy(), axis=1) - 1) ** 2)
    assert abs(got.item() - endpoints) > 0.1  # interpolation matters here
    # The penalty's gradient flows to D's parameters: D(x) = a/2 |x|^2 has GP = E(a |x_hat| - 1)^2.
    a = torch.tensor(1.0, requires_grad=True)
    gp = losses.gradient_penalty(lambda x: a * HalfSquaredNorm()(x), x_real, x_fake, torch.Generator().manual_seed(11))
    (da,) = torch.autograd.grad(gp, a)
    n = np.linalg.norm(x_hat, axis=1)
    assert da.item() == pytest.approx(np.mean(2 * (n - 1) * n), rel=1e-4)


def test_r1_penalty_matches_hand_gradient():
    D = torch.nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[1.0, -2.0]]))
    penalty, out = losses.r1_penalty(D, torch.randn(8, 2))
    assert penalty.item() == pytest.approx(5.0)  # |(1, -2)|^2
    assert out.shape == (8, 1)
