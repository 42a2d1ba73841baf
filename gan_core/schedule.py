"""What happens every N steps of a run, above the Trainer: its quality metrics (config.metrics_every).

The Trainer does updates and records them; a live session, the CLI and a replay train through here so
the metrics land in `trainer.metrics_history` at the same steps wherever the run is trained:

    schedule.run(trainer, 3000)      # 3,000 steps, metrics at every metrics_every-th step
"""

from __future__ import annotations

from .evaluate import evaluate


def record_metrics(trainer, full: bool = False) -> dict:
    """Quality metrics now, appended to trainer.metrics_history. full=False (the periodic case) skips MMD."""
    metrics = {"step": trainer.step_count, **evaluate(trainer, full=full)}
    trainer.metrics_history.append(metrics)
    return metrics


def due(trainer) -> bool:
    return trainer.status == "ok" and trainer.step_count % trainer.config.metrics_every == 0


def step(trainer, action: str = "step") -> dict:
    """One training step (or "d_step" / "g_step": one D or G update alone), then the metrics if due."""
    record = getattr(trainer, action)()
    if due(trainer):
        record_metrics(trainer)
    return record


def run(trainer, n: int, callback=None) -> dict:
    """n steps (fewer if the run diverges) with the metrics on schedule; callback(record) after each step."""
    record = trainer.history.last() or {}
    for _ in range(n):
        if trainer.status != "ok":
            break
        record = step(trainer)
        if callback is not None:
            callback(record)
    return record
