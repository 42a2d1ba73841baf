"""The optimal discriminator, measured on the session's run (Goodfellow et al. 2014, Prop. 1 and Thm. 1).

For a fixed G the best D is D*(x) = p_data(x) / (p_data(x) + p_g(x)), and the value of the game at D* is
C(G) = V(D*, G) = -log 4 + 2 JSD(p_data || p_g). On the Gaussian mixtures p_data is known exactly; p_g is
estimated by a Gaussian KDE of G's samples with bandwidth h = KERNEL_STD x the modes' std. A KDE estimates
p_g blurred by that kernel, so p_data is blurred by the same kernel (a mixture of N(c, (std² + h²) I)) and
both expectations are taken over samples plus N(0, h²) noise: everything is the game under instance noise
of std h, and the trained D, scored on the same noisy samples, can only do worse than D* (up to sampling).

    check = optimal_d_check(trainer)   # or runner.call(optimal_d_check) from the UI
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import losses

N_POINTS = 1000  # reals and fakes each, and as many more fakes for the KDE (the trainer keeps 2,500 noises)
KERNEL_STD = 2.0  # h / the modes' std: wide enough for ~125 samples per mode, narrow next to the ring's gaps
CURVE_POINTS = 720  # along the ring's circle: 0.5° apart, the modes are 0.57° wide (std 0.02 at radius 2)


def mixture_density(data, x: np.ndarray, h: float = 0.0) -> np.ndarray:
    """p_data blurred by N(0, h² I) at points x (n, 2): the equal-weight mixture of N(centre, (std² + h²) I)."""
    return np.exp(log_mixture(x, data.modes, data.mode_std**2 + h**2))


def log_mixture(x: np.ndarray, centres: np.ndarray, var: float) -> np.ndarray:
    """log of the mean of N(x; c, var I) over the centres c (a KDE when the centres are samples), in 2-D;
    in log space, so a point far from every centre gets a very negative number, not log 0."""
    d2 = (x * x).sum(1)[:, None] + (centres * centres).sum(1)[None, :] - 2 * x @ centres.T
    e = -np.maximum(d2, 0) / (2 * var)
    top = e.max(1)
    return top + np.log(np.exp(e - top[:, None]).mean(1)) - math.log(2 * math.pi * var)


def optimal_d_check(trainer, n: int = N_POINTS) -> dict | None:
    """D* against the trained D on fixed reals (seed 0) and G's evaluation noise; None where p_data is unknown.
    Reads the networks in eval mode and draws from no generator of the run (the run is unchanged)."""
    tr, data = trainer, trainer.data
    if data.modes is None or not data.mode_std:
        return None
    modes = (tr.G.training, tr.D.training)
    for net in (tr.G, tr.D):
        net.eval()
    h = KERNEL_STD * data.mode_std
    try:
        x_real = data.sample(n, torch.Generator().manual_seed(0))
        with torch.no_grad():
            x_fake, x_kde = tr.G(tr.eval_z[:n]), tr.G(tr.eval_z[n:2 * n])  # the KDE's samples are not scored
            noise = torch.randn(2, n, 2, generator=torch.Generator().manual_seed(1), dtype=x_fake.dtype) * h
            circle = _ring_circle(data)
            points = [x_real + noise[0], x_fake + noise[1]] + ([] if circle is None else [torch.as_tensor(circle).float()])
            logits = [tr.D(x).double().numpy().ravel() for x in points]
    finally:
        for net, mode in zip((tr.G, tr.D), modes):
            net.train(mode)
    fake = x_kde.double().numpy()
    if not np.all(np.isfinite(fake)) or not np.all(np.isfinite(x_fake.numpy())):
        return {"loss": tr.config.loss, "step": tr.step_count, "degenerate": True}
    real, noisy_fake = (x.double().numpy() for x in points[:2])

    def d_star(x):  # p / (p + q) = sigmoid(log p - log q), finite even where both densities underflow
        return _sigmoid(log_mixture(x, data.modes, data.mode_std**2 + h**2) - log_mixture(x, fake, h**2))

    ds_real, ds_fake = d_star(real), d_star(noisy_fake)
    eps = 1e-300
    v_star = float(np.mean(np.log(np.maximum(ds_real, eps))) + np.mean(np.log(np.maximum(1 - ds_fake, eps))))
    # (sampling can put the estimate a hair outside [-log 4, 0]; the JSD is clipped to its range [0, log 2])
    log_loss = tr.config.loss in losses.LOG_LOSSES
    v_trained = (float(-np.logaddexp(0, -logits[0]).mean() - np.logaddexp(0, logits[1]).mean())
                 if log_loss else None)  # E log sigmoid(l_real) + E log(1 - sigmoid(l_fake)), from the logits
    out = {"loss": tr.config.loss, "step": tr.step_count, "degenerate": False, "n": n, "log_loss": log_loss, "h": h,
           "v_star": v_star, "jsd": min(math.log(2), max(0.0, (v_star + math.log(4)) / 2)), "v_trained": v_trained,
           "d_star_real": float(ds_real.mean()), "d_star_fake": float(ds_fake.mean()),
           "d_real": float(_sigmoid(logits[0]).mean()), "d_fake": float(_sigmoid(logits[1]).mean())}
    if circle is not None:
        out["curve"] = {"angle": np.degrees(np.arctan2(circle[:, 1], circle[:, 0])) % 360,
                        "d_star": d_star(circle), "d": _sigmoid(logits[2]) if log_loss else logits[2]}
    return out


def _ring_circle(data) -> np.ndarray | None:
    """Points on the circle through the modes when they lie on one (ring8), else None."""
    radii = np.hypot(data.modes[:, 0], data.modes[:, 1])
    if len(radii) < 3 or np.ptp(radii) > 1e-6:
        return None
    a = np.linspace(0, 2 * math.pi, CURVE_POINTS, endpoint=False)
    return np.stack([radii[0] * np.cos(a), radii[0] * np.sin(a)], 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))
