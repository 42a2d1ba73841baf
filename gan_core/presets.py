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

    def config(self, **overrides) -> Config:
        return from_flat({**self.settings, **overrides})


PRESETS = {p.name: p for p in [
    Preset("ring-stable",
           "8 Gaussians on a ring: the generator learns to cover all 8 modes.",
           {"dataset": "ring8", "loss": "non-saturating", "lr_g": 1e-3, "lr_d": 1e-3}, steps=5000),
    Preset("digits",
           "8x8 handwritten digits: blurry blobs become recognisable digits of all 10 classes.",
           {"dataset": "digits", "latent_dim": 16, "g_depth": 2, "g_width": 128, "d_depth": 2, "d_width": 128,
            "lr_g": 2e-4, "lr_d": 2e-4, "batch_size": 128}, steps=4000),
]}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; allowed: {', '.join(PRESETS)}")
    return PRESETS[name]
