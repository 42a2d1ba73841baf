"""Benchmarks that print figures: the Trainer against a bare PyTorch loop of the same model and batch,
interleaved in one process so both see the same machine load; and memory growth over a long run."""

from __future__ import annotations

import gc
import statistics
import time

import torch

from gan_core import schedule
from gan_core.config import Config
from gan_core.loop import bare_loop
from gan_core.trainer import Trainer


def bench(config: Config | None = None, steps: int | None = None, rounds: int = 7, chunk: int = 50,
          progress=None) -> dict:
    """Steps/s of the Trainer (with its metrics schedule) and of the bare loop over `rounds` paired rounds of `steps` steps each.

    Within a round the two sides alternate in chunks of `chunk` steps, so a burst of load on a shared
    machine hits both; the ratio is the median over rounds of (bare time / Trainer time). A round is
    config.metrics_every steps by default, so each one includes exactly one periodic quality evaluation:
    the Trainer side pays for everything it does in a real run (records, history, D-value histograms,
    metrics)."""
    config = config or Config()
    if config.loss != "non-saturating" or config.dataset == "digits":
        raise ValueError("bench compares against a bare non-saturating loop on 2-D data")
    steps = steps or config.metrics_every
    trainer, bare = Trainer(config), bare_loop(config)
    trainer.run(20), bare(20)  # warm-up: first calls allocate
    schedule.record_metrics(trainer)  # ... and the first metrics call imports scipy (~0.5 s, once per process)
    t_rates, b_rates, ratios = [], [], []
    for r in range(rounds):
        t_sec = b_sec = 0.0
        for start in range(0, steps, chunk):
            n = min(chunk, steps - start)
            t_sec += _seconds(lambda k: schedule.run(trainer, k), n)
            b_sec += _seconds(bare, n)
        t_rates.append(steps / t_sec)
        b_rates.append(steps / b_sec)
        ratios.append(b_sec / t_sec)
        if progress:
            progress(r + 1, rounds)
    t0 = time.perf_counter()
    schedule.record_metrics(trainer)
    metrics_ms = (time.perf_counter() - t0) * 1000
    return {"trainer_steps_per_s": round(statistics.median(t_rates), 1),
            "bare_steps_per_s": round(statistics.median(b_rates), 1), "ratio": round(statistics.median(ratios), 3),
            "ratios": [round(x, 3) for x in ratios], "steps_per_round": steps, "rounds": rounds, "chunk": chunk,
            "metrics_ms": round(metrics_ms, 1), "metrics_every": config.metrics_every,
            "threads": torch.get_num_threads()}


def _seconds(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn(n)
    return time.perf_counter() - t0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def memory_growth(steps: int = 100_000, config: Config | None = None, progress=None) -> dict:
    """Resident memory before and after a long 2-D run (after a short warm-up so allocator pools exist)."""
    trainer = Trainer(config or Config())
    trainer.run(2000)
    gc.collect()
    before, t0, done = rss_mb(), time.perf_counter(), 0
    while done < steps and trainer.status == "ok":
        n = min(5000, steps - done)
        trainer.run(n)
        done += n
        if progress:
            progress(done, steps)
    gc.collect()
    after = rss_mb()
    return {"steps": done, "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
            "growth_mb": round(after - before, 1), "history_rows": len(trainer.history),
            "seconds": round(time.perf_counter() - t0, 1)}
