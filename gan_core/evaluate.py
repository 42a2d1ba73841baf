"""Quality metrics of a Trainer's generator at the fixed evaluation noise (REFERENCE.md section 4)."""

from __future__ import annotations

import numpy as np
import torch

from .trainer import EVAL_SAMPLES

REAL_SEED = 7  # one fixed real reference sample per dataset


def real_reference(trainer, n: int = EVAL_SAMPLES) -> np.ndarray:
    return trainer.data.sample(n, torch.Generator().manual_seed(REAL_SEED)).numpy().astype(np.float64)


def evaluate(trainer, n: int = EVAL_SAMPLES, full: bool = True) -> dict:
    """2-D data: mode coverage (where modes are known), js_grid, energy distance, and MMD when full.
    Digits: classifier score beside the real digits' own score, classes covered, Fréchet distance."""
    fake = trainer.sample(n)
    if trainer.data.kind == "image":
        from .digits_eval import digits_metrics

        return digits_metrics(fake)
    from .metrics import metrics_2d

    data = trainer.data
    return metrics_2d(fake, real_reference(trainer, n), modes=data.modes, std=data.mode_std, mmd=full)
