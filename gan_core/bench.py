"""Benchmarks that print figures: the Trainer against a bare PyTorch loop of the same model and batch,
interleaved in one process so both see the same machine load; and memory growth over a long run."""

from __future__ import annotations

import gc
import statistics
import time

import torch
import torch.nn.functional as F

from .config import Config
from .data import make_dataset
from .models import build_discriminator, build_generator, sample_noise
from .trainer import Trainer


def bare_loop(config: Config):
    """The same G, D, data, batch and optimizers as the Trainer, with none of its bookkeeping."""
    data = make_dataset(config)
    torch.manual_seed(config.seed)
    G, D = build_generator(config, data.dim, False), build_discriminator(config, data.dim)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=(config.beta1, config.beta2))
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=(config.beta1, config.beta2))
    gen, B = torch.Generator().manual_seed(config.seed), config.batch_size

    def run(n: int) -> None:
        for _ in range(n):
            x_real = data.sample(B, gen)
            with torch.no_grad():
                x_fake = G(sample_noise(config, B, gen))
            d_loss = F.softplus(-D(x_real)).mean() + F.softplus(D(x_fake)).mean()
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-D(G(sample_noise(config, B, gen)))).mean()
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
    return run


def bench(config: Config | None = None, steps: int = 200, rounds: int = 15, progress=None) -> dict:
    """Steps/s of Trainer.run and of the bare loop, alternating `rounds` times. The ratio is the median of
    the per-round ratios: each round's pair ran back to back, so a burst of load on a shared machine hits
    both sides of a pair and cancels. The Trainer side includes everything it does in a real run: records,
    history, D-value histograms and the periodic quality metrics (every config.metrics_every steps)."""
    config = config or Config()
    if config.loss != "non-saturating" or config.dataset == "digits":
        raise ValueError("bench compares against a bare non-saturating loop on 2-D data")
    trainer, bare = Trainer(config), bare_loop(config)
    trainer.run(20), bare(20)  # warm-up: first calls allocate
    trainer.record_metrics()  # ... and the first metrics call imports scipy (~0.5 s, once per process)
    t_rates, b_rates = [], []
    for r in range(rounds):
        for rates, fn in ((t_rates, trainer.run), (b_rates, bare)):
            t0 = time.perf_counter()
            fn(steps)
            rates.append(steps / (time.perf_counter() - t0))
        if progress:
            progress(r + 1, rounds)
    t, b = statistics.median(t_rates), statistics.median(b_rates)
    ratio = statistics.median(tr / br for tr, br in zip(t_rates, b_rates))
    t0 = time.perf_counter()
    trainer.record_metrics()
    metrics_ms = (time.perf_counter() - t0) * 1000
    return {"trainer_steps_per_s": round(t, 1), "bare_steps_per_s": round(b, 1), "ratio": round(ratio, 3),
            "steps_per_round": steps, "rounds": rounds, "metrics_ms": round(metrics_ms, 1),
            "metrics_every": config.metrics_every, "threads": torch.get_num_threads()}


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
