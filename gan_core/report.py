"""Train one run headless and summarise it as the JSON of DESIGN.md (shared by the CLI and the verifier)."""

from __future__ import annotations

import math
import time

from .config import Config
from .trainer import Trainer


def run_report(config: Config, steps: int, *, out=None, progress=None) -> dict:
    """{"steps", "status", "d_loss", "g_loss", "d_real", "d_fake", "metrics", "diagnosis", "seconds"}.
    Everything but "seconds" is the same for the same config and seed."""
    from .diagnosis import diagnose_trainer
    from .runs import save_run

    t0 = time.perf_counter()
    trainer = Trainer(config)
    chunk = max(1, min(1000, steps // 100 or 1))
    while trainer.step_count < steps and trainer.status == "ok":
        trainer.run(min(chunk, steps - trainer.step_count))
        if progress:
            progress(trainer.step_count, steps)
    metrics = trainer.record_metrics(full=True) if trainer.status == "ok" else {}
    metrics = {k: v for k, v in metrics.items() if k != "step"}
    diagnosis = diagnose_trainer(trainer)
    if out:
        save_run(trainer, out, overwrite=True, diagnosis=diagnosis.to_dict())
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
