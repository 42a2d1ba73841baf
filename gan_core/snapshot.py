"""What the views draw, as plain numpy arrays: samples, D(x) and D(G(z)), and for 2-D data D on a grid,
the generator's image of a noise grid and the direction G wants to move each fake."""

from __future__ import annotations

import numpy as np
import torch

from . import losses
from .evaluate import real_reference


@torch.no_grad()
def _d_values(trainer, x: torch.Tensor) -> np.ndarray:
    return losses.d_prob(trainer.config.loss, trainer.D(x)).flatten().numpy().astype(np.float64)


def snapshot(trainer, n: int = 500, grid: int = 48, arrows: int = 80, manifold: int = 15,
             maps: bool = True) -> dict:
    """A dict of numpy arrays and floats. n samples each of real and fake (fixed noise, fixed real points);
    for 2-D data with maps=True also D's grid, G's gradient arrows and its warped noise grid."""
    G, D, data = trainer.G, trainer.D, trainer.data
    G.eval(), D.eval()
    try:
        real = torch.tensor(real_reference(trainer, n), dtype=torch.float32)
        z = trainer.eval_z[:n]
        with torch.no_grad():
            fake = G(z)
        out = {"step": trainer.step_count, "kind": data.kind, "status": trainer.status,
               "real": real.numpy().astype(np.float64), "fake": fake.numpy().astype(np.float64),
               "d_real": _d_values(trainer, real), "d_fake": _d_values(trainer, fake)}
        if data.kind == "points" and maps:
            out.update(_points_views(trainer, fake[:arrows], grid, manifold))
        return out
    finally:
        G.train(), D.train()


def _points_views(trainer, fake: torch.Tensor, grid: int, manifold: int) -> dict:
    x0, x1, y0, y1 = trainer.data.bounds
    xs, ys = np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)
    xx, yy = np.meshgrid(xs, ys)  # heat[i, j] is D at (xs[j], ys[i]), as plotly's heatmap expects
    points = torch.tensor(np.stack([xx.ravel(), yy.ravel()], axis=1), dtype=torch.float32)
    heat = _d_values(trainer, points).reshape(grid, grid)

    # -dL_G/dx at each fake: the direction (and strength) in which G's loss pushes that sample.
    x = fake.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        g = losses.g_loss(trainer.config.loss, trainer.D(x)) * len(x)  # per-sample, not divided by batch
        (grad,) = torch.autograd.grad(g, x)
    return {"bounds": np.array(trainer.data.bounds), "grid_x": xs, "grid_y": ys, "d_grid": heat,
            "arrows_from": x.detach().numpy().astype(np.float64), "arrows": -grad.numpy().astype(np.float64),
            "manifold": _manifold(trainer, manifold)}


@torch.no_grad()
def _manifold(trainer, k: int) -> np.ndarray:
    """G's image of a k x k grid over the first two noise dimensions (others 0): (k, k, 2).
    With latent_dim 1 the grid collapses to a line (all rows equal)."""
    cfg = trainer.config
    lim = 2.0 if cfg.noise == "gaussian" else 1.0
    t = torch.linspace(-lim, lim, k)
    z = torch.zeros(k, k, cfg.latent_dim)
    z[..., 0] = t[None, :]
    if cfg.latent_dim > 1:
        z[..., 1] = t[:, None]
    return trainer.G(z.reshape(-1, cfg.latent_dim)).reshape(k, k, 2).numpy().astype(np.float64)
