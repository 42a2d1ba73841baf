"""`bench --sweep`: the sweep ensemble's member-steps/s against the same runs one after another on the
plain Trainer, on the ring's default model (the ring-stable preset), in one process and interleaved by
round so both sides see the same machine load. Both sides pay for everything a sweep run costs: training,
the per-step records, final metrics and the diagnosis. The ensemble runs on `threads` torch threads (default:
one per core, as `sweep` does); the Trainer runs on one thread (as the dashboard trains) and on `threads`,
and the faster of the two is the baseline of the ratio: a small model often trains slower on two threads."""

from __future__ import annotations

import os
import statistics
import time

import torch

from gan_core import schedule
from gan_core.diagnosis import diagnose_trainer
from gan_core.ensemble import Ensemble
from gan_core.presets import get_preset
from gan_core.trainer import Trainer

SIZES = (1, 16, 64)


def _finish(trainer: Trainer) -> None:
    schedule.record_metrics(trainer)
    diagnose_trainer(trainer)


def trainer_rate(config, steps: int) -> float:
    trainer = Trainer(config)
    t0 = time.perf_counter()
    trainer.run(steps)
    _finish(trainer)
    return steps / (time.perf_counter() - t0)


def ensemble_rate(configs, steps: int) -> float:
    t0 = time.perf_counter()
    ens = Ensemble(configs)
    ens.run(steps)
    for m in range(len(configs)):
        _finish(ens.trainer(m))
    return len(configs) * steps / (time.perf_counter() - t0)


def bench_sweep(sizes=SIZES, steps: int = 200, rounds: int = 3, trainer_runs: int = 2, threads: int = 1,
                progress=None) -> dict:
    """Medians over `rounds` of: `trainer_runs` plain Trainer runs (a timed sample of the sequential sweep) on
    one thread and, if `threads` > 1, on `threads` as well, and one ensemble per size on `threads`, each of
    `steps` steps with seeds 0..n-1."""
    config = get_preset("ring-stable").config(metrics_every=100_000)
    trainer_threads = sorted({1, threads})
    torch.set_num_threads(threads)
    trainer_rate(config, 20), ensemble_rate([config], 20)  # warm-up: imports, allocator pools, scipy
    t_rates: dict[int, list[float]] = {t: [] for t in trainer_threads}
    e_rates: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(rounds):
        for t in trainer_threads:
            torch.set_num_threads(t)
            t_rates[t] += [trainer_rate(config.replace(seed=s), steps) for s in range(trainer_runs)]
        torch.set_num_threads(threads)
        for n in sizes:
            e_rates[n].append(ensemble_rate([config.replace(seed=s) for s in range(n)], steps))
        if progress:
            progress(r + 1, rounds)
    by_threads = {t: round(statistics.median(v), 1) for t, v in t_rates.items()}
    trainer = max(by_threads.values())
    by_size = {n: round(statistics.median(v), 1) for n, v in e_rates.items()}
    best = max(by_size, key=by_size.get)
    return {"member_steps_per_s": by_size[best], "best_size": best, "trainer_steps_per_s": trainer,
            "trainer_threads": max(by_threads, key=by_threads.get), "trainer_by_threads": by_threads,
            "ratio": round(by_size[best] / trainer, 2), "by_size": by_size,
            "ratios": {n: round(v / trainer, 2) for n, v in by_size.items()}, "steps": steps, "rounds": rounds,
            "trainer_runs_per_round": trainer_runs, "threads": threads}


def bench_sweep_cli(args, progress) -> int:
    import json

    steps = 200 if args.steps is None else args.steps
    rounds = 3 if args.rounds is None else args.rounds
    try:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    except ValueError:
        sizes = ()
    if steps < 10 or rounds < 1 or not sizes or not all(1 <= n <= 256 for n in sizes):
        raise ValueError("bench --sweep: --steps must be >= 10, --rounds >= 1, --sizes like 1,16,64 (1 to 256)")
    threads = args.threads if args.threads is not None else min(64, os.cpu_count() or 1)
    if not 1 <= threads <= 64:
        raise ValueError(f"bench --sweep: --threads {threads}: expected 1 to 64")
    result = bench_sweep(sizes=sizes, steps=steps, rounds=rounds, threads=threads, progress=progress)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{'':<24}{'steps/s':>10}{'x Trainer':>11}   (median of {rounds} rounds of {steps} steps)")
    for t, rate in result["trainer_by_threads"].items():
        print(f"{f'Trainer, {t} thread' + 's' * (t > 1):<24}{rate:>10.1f}{rate / result['trainer_steps_per_s']:>11.2f}")
    for n, rate in result["by_size"].items():
        print(f"{f'ensemble of {n}, {threads} thr.':<24}{rate:>10.1f}{result['ratios'][n]:>11.2f}")
    print(f"best: {result['member_steps_per_s']} member-steps/s at {result['best_size']} members, "
          f"ratio {result['ratio']} to the faster Trainer (targets >= 1,200 and >= 3)")
    return 0
