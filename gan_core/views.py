"""What the views draw, as plain numpy arrays (a trainer in, numbers out): samples, D(x) and D(G(z)), for
2-D data D on a grid, the generator's image of a noise grid and the direction G wants to move each fake;
the live view's frames; one redraw's copy of the run (panel_view). Nothing here changes the trainer."""

from __future__ import annotations

import numpy as np
import torch

from . import losses
from .config import CRITIC_LOSSES
from .diagnosis import diagnose_trainer
from .evaluate import real_reference


@torch.no_grad()
def _d_values(trainer, x: torch.Tensor) -> np.ndarray:
    return losses.d_shown(trainer.config.loss, trainer.D(x)).flatten().numpy().astype(np.float64)


def view_arrays(trainer, n: int = 500, grid: int = 48, arrows: int = 80, manifold: int = 15,
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
               "d_real": _d_values(trainer, real), "d_fake": _d_values(trainer, fake),
               "critic": trainer.config.loss in CRITIC_LOSSES}  # D values are raw critic scores
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


FRAME_POINTS, FRAME_GRID = 500, 48


@torch.no_grad()
def live_frame(trainer, n: int = FRAME_POINTS, grid: int = FRAME_GRID) -> dict:
    """One frame of the live view as compact numpy arrays (float32 / uint8), cheap enough to take every
    ~50 ms while training: G on the first n of the fixed evaluation noise and, for 2-D data, D on a
    grid x grid lattice over the dataset's bounds. The real points never change, so they are not here
    (`real_reference(trainer, n)` gives them once).

    2-D data: {"step", "kind": "points", "fake": (n, 2) f32, "d_fake": (n,) f32, "bounds": (4,) f32 (x0, x1, y0, y1),
               "d_grid": (grid, grid) f32 with d_grid[i, j] = D at (x0 + j dx, y0 + i dy)}
    digits:   {"step", "kind": "image", "images": (64, 8, 8) uint8 (0 = black, 255 = white)}
    Values of D are what the charts show (losses.d_shown: raw scores for critics, config.CRITIC_LOSSES).
    With set_live_options, 2-D frames also carry "arrows": (LIVE_ARROWS, 2) f32 (-dL_G/dx at fake[:LIVE_ARROWS])
    and "manifold": (k, k, 2) f32."""
    G, D, data = trainer.G, trainer.D, trainer.data
    G.eval(), D.eval()
    try:
        fake = G(trainer.eval_z[:n])
        if data.kind == "image":
            images = ((fake[:64].clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).reshape(-1, 8, 8)
            return {"step": trainer.step_count, "kind": "image", "images": images.numpy()}
        x0, x1, y0, y1 = data.bounds
        ys, xs = torch.meshgrid(torch.linspace(y0, y1, grid), torch.linspace(x0, x1, grid), indexing="ij")
        lattice = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)
        d = losses.d_shown(trainer.config.loss, D(torch.cat([fake, lattice]))).flatten()
        frame = {"step": trainer.step_count, "kind": "points", "fake": fake.numpy().astype(np.float32),
                 "d_fake": d[:len(fake)].numpy().astype(np.float32),
                 "bounds": np.array([x0, x1, y0, y1], dtype=np.float32),
                 "d_grid": d[len(fake):].reshape(grid, grid).numpy().astype(np.float32)}
        options = getattr(trainer, "live_options", {})
        if options.get("arrows"):
            x = fake[:LIVE_ARROWS].clone().requires_grad_(True)
            with torch.enable_grad():
                (grad,) = torch.autograd.grad(losses.g_loss(trainer.config.loss, D(x)) * len(x), x)
            frame["arrows"] = (-grad).numpy().astype(np.float32)  # from fake[:LIVE_ARROWS], as in snapshot
        if options.get("manifold"):
            frame["manifold"] = _manifold(trainer, LIVE_MANIFOLD).astype(np.float32)
        return frame
    finally:
        G.train(), D.train()


LIVE_ARROWS, LIVE_MANIFOLD = 80, 15


def set_live_options(trainer, arrows: bool = False, manifold: bool = False) -> None:
    """Which optional layers the next live frames carry (G's gradient arrows on the first LIVE_ARROWS
    fakes, the warped noise grid). Called through the session handle: runner.call(set_live_options, ...)."""
    trainer.live_options = {"arrows": bool(arrows), "manifold": bool(manifold)}


def panel_view(trainer, light: bool = False) -> dict:
    """Everything one redraw of the panels needs, copied (a few ms): plain numbers and numpy arrays.
    light=True (the slower summary panels): D's distributions and the diagnosis instead of D's maps."""
    view = {"step": trainer.step_count, "status": trainer.status, "reason": trainer.reason,
            "kind": trainer.data.kind, "config": trainer.config, "events": list(trainer.events),
            "last": trainer.history.last(), "metrics": list(trainer.metrics_history),
            "history": trainer.history.columns()}
    if light:
        view["dist"] = trainer.dist_history.columns()
        view["diagnosis"] = diagnose_trainer(trainer)
        view["snap"] = view_arrays(trainer, maps=False)  # for the D values
    else:
        view["snap"] = view_arrays(trainer)
    return view


def network_weights(trainer) -> dict:
    """{"G": state_dict, "D": state_dict}, copied: to check that two runs start from the same weights."""
    return {"G": {k: v.clone() for k, v in trainer.G.state_dict().items()},
            "D": {k: v.clone() for k, v in trainer.D.state_dict().items()}}


def fixed_batch(trainer, n: int = 256) -> dict:
    """D's raw outputs on a fixed batch (reals: seed 0; fakes: G's evaluation noise), the engine's losses on
    it and the last record; G and D in eval mode (no BatchNorm statistics, no power iteration, no dropout)."""
    tr, cfg = trainer, trainer.config
    modes = (tr.G.training, tr.D.training)
    for net in (tr.G, tr.D):
        net.eval()
    try:
        x_real = tr.data.sample(n, torch.Generator().manual_seed(0))
        with torch.no_grad():
            x_fake = tr.G(tr.eval_z[:n])
            real, fake = tr.D(x_real), tr.D(x_fake)
            d_loss = losses.d_loss(cfg.loss, real, fake).item()
            g_loss = losses.g_loss(cfg.loss, fake).item()
        gp = (losses.gradient_penalty(tr.D, x_real, x_fake, torch.Generator().manual_seed(0)).item()
              if cfg.loss == "wgan-gp" else None)  # needs autograd: outside no_grad
    finally:
        for net, mode in zip((tr.G, tr.D), modes):
            net.train(mode)
    return {"loss": cfg.loss, "config": cfg, "step": tr.step_count, "n": n, "gp": gp,
            "real": real.double().numpy().ravel(), "fake": fake.double().numpy().ravel(),
            "d_loss": d_loss + (cfg.gp_lambda * gp if gp is not None else 0.0), "g_loss": g_loss,
            "last": tr.history.last()}
