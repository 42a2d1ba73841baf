"""A Trainer's first step recomputed by hand: the same random draws in the same order, D's outputs from copies
of the initial networks, and the losses from their formulas in float64 numpy (REFERENCE.md section 1),
never from gan_core.losses. A wrong loss, a loss switch ignored, a penalty left out, instance noise drawn
but not added or label smoothing on the wrong side all change these numbers."""

from __future__ import annotations

import copy

import numpy as np
import torch

from gan_core.models import sample_noise


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64).ravel()


def log_sig(x):
    return -np.logaddexp(0.0, -x)  # log sigmoid(x), exact for large |x|


def hand_d_loss(loss: str, r: np.ndarray, f: np.ndarray, smoothing: float = 0.0) -> float:
    t = 1.0 - smoothing
    if loss in ("minimax", "non-saturating"):  # -E [t log D(x) + (1-t) log(1 - D(x))] - E log(1 - D(G(z)))
        return float(-np.mean(t * log_sig(r) + (1 - t) * log_sig(-r)) - np.mean(log_sig(-f)))
    if loss == "lsgan":
        return float(0.5 * np.mean((r - t) ** 2) + 0.5 * np.mean(f**2))
    if loss in ("wgan", "wgan-gp"):
        return float(np.mean(f) - np.mean(r))
    if loss == "hinge":
        return float(np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)))
    raise AssertionError(loss)


def hand_g_loss(loss: str, f: np.ndarray) -> float:
    if loss == "minimax":
        return float(np.mean(log_sig(-f)))  # E log(1 - D(G(z)))
    if loss == "non-saturating":
        return float(-np.mean(log_sig(f)))
    if loss == "lsgan":
        return float(0.5 * np.mean((f - 1) ** 2))
    return float(-np.mean(f))  # wgan, wgan-gp, hinge


def shown(loss: str, out: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-out)) if loss in ("minimax", "non-saturating") else out


def first_step(trainer) -> dict:
    """The numbers trainer.step() will record for its first step (d_steps = 1), computed by hand.
    Call before stepping; the trainer is left untouched. Alternating: G's loss at the D after its update,
    which is why it needs `d_after` (the D the trainer ends the step with); simultaneous: at the same D."""
    cfg = trainer.config
    assert cfg.d_steps == 1 and trainer.step_count == 0
    gen = torch.Generator()
    gen.set_state(trainer.gen.get_state())
    G, D = copy.deepcopy(trainer.G), copy.deepcopy(trainer.D)
    B, sigma = cfg.batch_size, cfg.instance_noise

    def noisy(x):
        return x + sigma * torch.randn(x.shape, generator=gen) if sigma > 0 else x

    x_real = trainer.data.sample(B, gen)
    with torch.no_grad():
        x_fake_clean = G(sample_noise(cfg, B, gen))
    x_real, x_fake = noisy(x_real), noisy(x_fake_clean)
    xr = x_real.clone().requires_grad_(True)
    real = D(xr)
    (grad_r,) = torch.autograd.grad(real.sum(), xr)  # dD/dx at the real points: R1 by autograd
    with torch.no_grad():
        fake = D(x_fake)
    r, f = _np(real), _np(fake)
    penalty = cfg.r1_gamma / 2 * float(np.mean(np.sum(_np(grad_r).reshape(B, -1) ** 2, axis=1)))
    if cfg.loss == "wgan-gp":
        eps = torch.rand(B, 1, generator=gen)
        x_hat = (eps * x_real + (1 - eps) * x_fake).requires_grad_(True)
        (grad_hat,) = torch.autograd.grad(D(x_hat).sum(), x_hat)
        norms = np.linalg.norm(grad_hat.numpy().astype(np.float64), axis=1)
        penalty += cfg.gp_lambda * float(np.mean((norms - 1) ** 2))
    out = {"d_loss": hand_d_loss(cfg.loss, r, f, cfg.label_smoothing), "d_penalty": penalty,
           "d_real": float(np.mean(shown(cfg.loss, r))), "d_fake": float(np.mean(shown(cfg.loss, f)))}

    def g_numbers(D_g, x):
        with torch.no_grad():
            g_out = _np(D_g(noisy(x)))
        return {"g_loss": hand_g_loss(cfg.loss, g_out), "d_fake_after": float(np.mean(shown(cfg.loss, g_out)))}

    if cfg.scheme == "simultaneous":
        if sigma == 0:  # G's gradient at the very outputs D's loss used
            out.update(g_loss=hand_g_loss(cfg.loss, f), d_fake_after=out["d_fake"])
        else:  # a fresh noise draw on the same fakes, at the same D
            out.update(g_numbers(D, x_fake_clean))
        return out
    out["g_numbers"] = lambda d_after: g_numbers(d_after, G(sample_noise(cfg, B, gen)).detach())
    return out


def check_first_step(trainer, rel: float = 1e-5, abs_: float = 1e-6) -> dict:
    """Step the trainer once and compare its record with first_step(); returns the record."""
    import pytest

    expected = first_step(trainer)
    g_numbers = expected.pop("g_numbers", None)
    rec = trainer.step()
    if g_numbers is not None:
        expected.update(g_numbers(trainer.D))
    for key, value in expected.items():
        assert rec[key] == pytest.approx(value, rel=rel, abs=abs_), (key, trainer.config.loss)
    return rec
