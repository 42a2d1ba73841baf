"""Train one run headless and summarise it as the CLI's JSON (DESIGN.md): `python -m gan_core train`."""

from __future__ import annotations

import math
import time

from . import schedule
from .config import Config
from .diagnosis import diagnose_trainer
from .store import check_target, save_run
from .trainer import Trainer


def train_and_summarise(config: Config, steps: int, *, out=None, progress=None) -> dict:
    """{"steps", "status", "d_loss", "g_loss", "d_real", "d_fake", "metrics", "diagnosis", "seconds"}.
    Everything but "seconds" is the same for the same config and seed."""
    if out:
        check_target(out, overwrite=True)  # before training: a bad --out fails at once, not after the run
    t0 = time.perf_counter()
    trainer = Trainer(config)
    chunk = max(1, min(1000, steps // 100 or 1))
    while trainer.step_count < steps and trainer.status == "ok":
        schedule.run(trainer, min(chunk, steps - trainer.step_count))
        if progress:
            progress(trainer.step_count, steps)
    metrics = schedule.record_metrics(trainer, full=True) if trainer.status == "ok" else {}
    metrics = {k: v for k, v in metrics.items() if k != "step"}
    diagnosis = diagnose_trainer(trainer)
    if out:
        save_run(trainer, out, overwrite=True, diagnosis=diagnosis.to_dict())  # refuses a folder of other files
    last = trainer.history.last() or {}
    return {"steps": trainer.step_count, "status": trainer.status,
            **{k: _num(last.get(k)) for k in ("d_loss", "g_loss", "d_real", "d_fake")},
            "metrics": {k: _num(v) for k, v in metrics.items()},
            "diagnosis": diagnosis.label, "reason": trainer.reason,
            "seconds": round(time.perf_counter() - t0, 3)}


def _num(v):
    """JSON-safe: NaN / inf become None; lists are kept."""
    if isinstance(v, list):
        return [_num(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
