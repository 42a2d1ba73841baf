"""The losses of REFERENCE.md section 1, all computed from D's raw output (a logit for the log-loss games).

Never log(sigmoid(l)): it underflows to log(0) = -inf. softplus(-l) = -log sigmoid(l) is stable.
Convention: D minimises d_loss, G minimises g_loss; `real` and `fake` are D's raw outputs, shape (B, 1).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOG_LOSSES = ("minimax", "non-saturating")


def d_loss(loss: str, real: torch.Tensor, fake: torch.Tensor, smoothing: float = 0.0) -> torch.Tensor:
    """L_D. One-sided label smoothing moves the real target to 1 - s (log and least-squares losses)."""
    target = 1.0 - smoothing
    if loss in LOG_LOSSES:
        # -E log D(x) - E log(1 - D(G(z))); with a soft target t: BCE(l, t) = t softplus(-l) + (1-t) softplus(l).
        # (The seed text writes "+ E log(1 - D(G(z)))": a sign error. Goodfellow 2014 has the minus.)
        real_term = F.softplus(-real) if smoothing == 0 else target * F.softplus(-real) + smoothing * F.softplus(real)
        return real_term.mean() + F.softplus(fake).mean()
    if loss == "lsgan":  # Mao 2017, (a, b, c) = (0, 1, 1), on raw outputs
        return 0.5 * ((real - target) ** 2).mean() + 0.5 * (fake**2).mean()
    if loss in ("wgan", "wgan-gp"):  # Arjovsky 2017: the critic maximises E D(x) - E D(G(z))
        return fake.mean() - real.mean()
    if loss == "hinge":  # Miyato 2018
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    raise ValueError(f"unknown loss {loss!r}")


def g_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    if loss == "minimax":  # E log(1 - D(G(z))) = -E softplus(l): saturates when D rejects fakes
        return -F.softplus(fake).mean()
    if loss == "non-saturating":  # -E log D(G(z)) = E softplus(-l)
        return F.softplus(-fake).mean()
    if loss == "lsgan":
        return 0.5 * ((fake - 1) ** 2).mean()
    if loss in ("wgan", "wgan-gp", "hinge"):
        return -fake.mean()
    raise ValueError(f"unknown loss {loss!r}")


def d_shown(loss: str, out: torch.Tensor) -> torch.Tensor:
    """What the charts show as D(x): a probability sigmoid(logit) for the log losses; the raw output for
    LSGAN (its targets are 0 and 1, so 0.5 still means "can't tell") and for the critics of WGAN, WGAN-GP
    and hinge, whose scores have a free offset: only differences such as D(x) - D(G(z)) mean anything."""
    return torch.sigmoid(out) if loss in LOG_LOSSES else out


def gradient_penalty(D, x_real: torch.Tensor, x_fake: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """WGAN-GP (Gulrajani 2017): E (|grad D(x_hat)| - 1)^2, x_hat = eps x + (1 - eps) x~, eps ~ U[0, 1]."""
    eps = torch.rand(x_real.shape[0], 1, generator=gen)
    x_hat = (eps * x_real + (1 - eps) * x_fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def r1_penalty(D, x_real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """R1 (Mescheder 2018): E |grad D(x_real)|^2 (multiply by gamma / 2). Returns (penalty, D(x_real))."""
    x = x_real.detach().requires_grad_(True)
    out = D(x)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad.pow(2).sum(dim=1).mean(), out
