"""Example runs, so the Compare page is never empty: made with the engine at first use, saved as ordinary
run folders and recorded in the classroom database as belonging to "examples" (only the teacher key
renames or deletes them). Small on purpose: EXAMPLES_STEPS steps each, seconds each on a free core.

stable (ring-stable) | mode collapse (ring-mode-collapse) | the fix (collapse + R1, gamma 0.1) |
a ten times larger learning rate (ring-stable with lr_d = lr_g = 1e-2).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from gan_core import Trainer, schedule
from gan_core.presets import PRESETS
from gan_core.store import runs_root, save_diagnosed

from . import owners

ENV = "GAN_CLASSROOM_EXAMPLES"  # "off": never make them (an empty folder stays empty)
EXAMPLES_STEPS = 1000
EXAMPLES = {  # run name: (preset, changes)
    "example stable": ("ring-stable", {}),
    "example mode collapse": ("ring-mode-collapse", {}),
    "example collapse fixed R1": ("ring-mode-collapse", {"r1_gamma": 0.1}),
    "example stable lr 0.01": ("ring-stable", {"lr_d": 1e-2, "lr_g": 1e-2}),
}
OWNER = owners.Owner(owners.EXAMPLES, "examples")


def wanted(folder: Path | None = None) -> bool:
    """Make them: the runs folder holds no run yet and they are not switched off."""
    root = runs_root(folder)
    empty = not root.is_dir() or not any(p.is_dir() and not p.name.startswith(".") for p in root.iterdir())
    return empty and os.environ.get(ENV, "").lower() not in ("off", "0", "no", "false")


def make_examples(folder: Path | None = None, progress=None, steps: int | None = None) -> list[str]:
    """Train and save the examples; progress(done, total) after every 50 steps. Each is trained in a private
    temporary folder and moved in at the end, so two sessions making them at once never half-write one."""
    root, steps = runs_root(folder), steps or EXAMPLES_STEPS
    root.mkdir(parents=True, exist_ok=True)
    total, made = steps * len(EXAMPLES), []
    with tempfile.TemporaryDirectory(dir=root, prefix=".examples-") as tmp:
        for i, (name, (preset, changes)) in enumerate(EXAMPLES.items()):
            trainer = Trainer(PRESETS[preset].config(metrics_every=steps // 5, **changes))
            for done in range(0, steps, 50):
                schedule.run(trainer, min(50, steps - done))
                if progress:
                    progress(i * steps + min(done + 50, steps), total)
            save_diagnosed(trainer, Path(tmp) / name)
            if not (root / name).exists():
                shutil.move(str(Path(tmp) / name), root / name)
                owners.claim(name, OWNER)
                made.append(name)
    return made


def is_example(record: dict | None) -> bool:
    return record is not None and record["owner"] == owners.EXAMPLES


