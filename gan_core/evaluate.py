"""Quality metrics of a Trainer's generator at the fixed evaluation noise (REFERENCE.md section 4)."""

from __future__ import annotations

import numpy as np
import torch

from .trainer import EVAL_SAMPLES

REAL_SEED = 7  # one fixed real reference sample per dataset


_REFERENCES: dict = {}  # reference_key -> (real sample, its mean self-distance)


def real_reference(trainer, n: int = EVAL_SAMPLES) -> np.ndarray:
    return trainer.data.sample(n, torch.Generator().manual_seed(REAL_SEED)).numpy().astype(np.float64)


def reference_key(config, n: int) -> tuple:
    """Everything the real reference depends on: the dataset, n and, for datasets drawn from a pool made
    from the config (moons, swissroll, line: the seed; custom: the points), that too. The mixtures are
    sampled exactly at REAL_SEED whatever the run's seed."""
    from .data import MIXTURES

    pool = () if config.dataset in MIXTURES else (config.seed, config.custom_points)
    return (config.dataset, n, *pool)


def _reference(trainer, n: int) -> tuple[np.ndarray, float]:
    """The real reference and its E||Y-Y'||, computed once per dataset: a quarter of each evaluation's cost."""
    from .metrics import mean_self_distance

    key = reference_key(trainer.config, n)
    if key not in _REFERENCES:
        if len(_REFERENCES) >= 32:  # custom datasets come and go: stay small
            _REFERENCES.clear()
        real = real_reference(trainer, n)
        real.flags.writeable = False  # shared by every evaluation of this dataset
        _REFERENCES[key] = (real, mean_self_distance(real))
    return _REFERENCES[key]


def evaluate(trainer, n: int = EVAL_SAMPLES, full: bool = True) -> dict:
    """2-D data: mode coverage (where modes are known), js_grid, energy distance, and MMD when full.
    Digits: classifier score beside the real digits' own score, classes covered, Fréchet distance."""
    fake = trainer.sample(n)
    if trainer.data.kind == "image":
        from .digits_eval import digits_metrics

        return digits_metrics(fake)
    from .metrics import metrics_2d

    data, (real, real_self) = trainer.data, _reference(trainer, n)
    return metrics_2d(fake, real, modes=data.modes, std=data.mode_std, mmd=full, real_self=real_self,
                      bounds=data.bounds)
