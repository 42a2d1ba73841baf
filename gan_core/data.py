"""Target distributions. Parameters and sources: REFERENCE.md section 3.

Mixtures with known modes (ring8, grid25, two-gaussians) are sampled exactly on every call;
the others draw from a fixed pool made once from the config's seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .config import Config


@dataclass
class Dataset:
    name: str
    dim: int  # 2 for points, 64 for 8x8 digits
    kind: str  # "points" | "image"
    modes: np.ndarray | None  # (k, 2) mode centres, for mode coverage
    mode_std: float | None
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1: fixed plot axes for points
    _centres: torch.Tensor | None = None
    _pool: torch.Tensor | None = None

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        if self._centres is not None:
            idx = torch.randint(len(self._centres), (n,), generator=gen)
            return self._centres[idx] + self.mode_std * torch.randn(n, 2, generator=gen)
        idx = torch.randint(len(self._pool), (n,), generator=gen)
        return self._pool[idx]


def ring8_modes(radius: float = 2.0) -> np.ndarray:
    # 2*pi*k/8 for k = 0..7. NOT linspace(0, 2*pi, 8): its first and last angles coincide,
    # leaving 7 distinct modes (a bug in a widely copied Unrolled-GAN notebook).
    angles = 2 * math.pi * np.arange(8) / 8
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid25_modes() -> np.ndarray:
    # Centres (2i, 2j), i, j in -2..2 (WGAN-GP gan_toy.py before its rescaling; PacGAN's means).
    return np.array([(2.0 * i, 2.0 * j) for i in range(-2, 3) for j in range(-2, 3)])


MIXTURES = {
    # name: (centres, std). ring8 std 0.02 and grid25 std 0.05 as in gan_toy.py, not rescaled.
    "ring8": (ring8_modes, 0.02),
    "grid25": (grid25_modes, 0.05),
    "two-gaussians": (lambda: np.array([[-1.5, 0.0], [1.5, 0.0]]), 0.25),
}
POOL_SIZE = 10_000


def _pool(name: str, config: Config) -> np.ndarray:
    rng = np.random.default_rng(config.seed)
    if name == "moons":
        from sklearn.datasets import make_moons

        x, _ = make_moons(POOL_SIZE, noise=0.05, random_state=config.seed)
        return (x - [0.5, 0.25]) * 1.5  # centred, about the ring's size
    if name == "swissroll":
        from sklearn.datasets import make_swiss_roll

        x, _ = make_swiss_roll(POOL_SIZE, noise=0.25, random_state=config.seed)
        return x[:, [0, 2]] / 7.5  # as in gan_toy.py
    if name == "line":
        t = rng.uniform(-1, 1, POOL_SIZE)
        return np.stack([2 * t, t], axis=1) + rng.normal(0, 0.02, (POOL_SIZE, 2))
    if name == "custom":
        return np.asarray(config.custom_points, dtype=np.float64)
    if name == "digits":
        return load_digits_scaled()
    raise ValueError(f"unknown dataset {name!r}")


def load_digits_scaled() -> np.ndarray:
    """scikit-learn's bundled 8x8 digits (1,797 images, values 0..16), scaled to [-1, 1]."""
    from sklearn.datasets import load_digits

    return load_digits().data / 16.0 * 2.0 - 1.0


def make_dataset(config: Config) -> Dataset:
    name = config.dataset
    if name in MIXTURES:
        make_centres, std = MIXTURES[name]
        centres = make_centres()
        return Dataset(name, 2, "points", centres, std, _bounds(centres, 3 * std),
                       _centres=torch.tensor(centres, dtype=torch.float32))
    pool = _pool(name, config)
    kind = "image" if name == "digits" else "points"
    bounds = (-1.0, 1.0, -1.0, 1.0) if kind == "image" else _bounds(pool, 0.0)
    return Dataset(name, pool.shape[1], kind, None, None, bounds,
                   _pool=torch.tensor(pool, dtype=torch.float32))


def _bounds(points: np.ndarray, pad: float) -> tuple[float, float, float, float]:
    """Square axes around the data with a 25% margin, so generated points slightly off still show."""
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    centre, half = (lo + hi) / 2, max(hi - lo) / 2 * 1.25 + 0.1
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))
