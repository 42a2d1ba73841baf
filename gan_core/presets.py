"""Named demos a teacher can rely on: each is a set of config overrides, a step count and what to see.

`python -m gan_core presets --verify --seeds 0-4` checks each one's promise before class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Config, from_flat


@dataclass(frozen=True)
class Preset:
    name: str
    description: str  # one line: what the student should see
    settings: dict = field(default_factory=dict)
    steps: int = 5000
    fix: str | None = None  # the preset that repairs this one (for the Instability Lab)
    expect: dict = field(default_factory=dict)  # what `presets --verify` checks (see verify.check)

    def config(self, **overrides) -> Config:
        return from_flat({**self.settings, **overrides})


PRESETS = {p.name: p for p in [
    # Seeds 0-4 at 5,000 steps (modes / hq), measured on the 2-core machine: 8/0.55, 8/0.57, 8/0.70,
    # 8/0.67, 8/0.60. Without R1 (lr 1e-3 both) 6, 6, 6, 8, 8 modes. All 8 modes on every seed; the
    # hq >= 0.7 target (std 0.02 modes are very tight) is met on 1 seed of 5: not yet as promised.
    Preset("ring-stable",
           "8 Gaussians on a ring: the generator learns to cover all 8 modes.",
           {"dataset": "ring8", "loss": "non-saturating", "r1_gamma": 0.1, "lr_g": 4e-4, "lr_d": 2e-3},
           steps=5000, expect={"modes_min": 8, "hq_min": 0.7}),
    Preset("digits",
           "8x8 handwritten digits: blurry blobs become recognisable digits of all 10 classes.",
           {"dataset": "digits", "latent_dim": 16, "g_depth": 2, "g_width": 128, "d_depth": 2, "d_width": 128,
            "lr_g": 2e-4, "lr_d": 2e-4, "batch_size": 128}, steps=4000,
           expect={"score_ratio_min": 0.75, "classes_min": 10, "seconds_max": 60}),
]}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; allowed: {', '.join(PRESETS)}")
    return PRESETS[name]
