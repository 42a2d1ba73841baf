"""Benchmark of the Compare page: `python -m gan_core.bench.compare_page [--runs 20] [--steps 10000] [--select 5]`.

Target (issue 6): with 20 saved runs of 10,000 steps each, the page's first render with 5 runs selected
takes <= 2 s. Timed with Streamlit's AppTest (the page script end to end: listing the folder, reading the 5
runs, building every figure and table; not the browser's drawing), median of `--reps` fresh sessions with
Streamlit's caches cleared before each, so every render is a first one.

The runs are written quickly, through the real save path: each is a real Trainer (tiny model, trained
`--real-steps` steps, so config, weights and samples are real) whose history then receives `steps`
synthetic but GAN-shaped records (noisy losses settling, D outputs near 0.5, a few spikes) through its own
bounded History, with metrics every 1,000 steps and a mid-run learning-rate change in every third run.
`--unthinned` instead writes every one of the `steps` rows to metrics.csv (2.5x more rows than a real
10,000-step run keeps: a harder case).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from gan_core.config import from_flat
from gan_core.resources import APP
from gan_core.store import RUNS_ENV, save_run, write_metrics
from gan_core.trainer import Trainer

TARGET_S = 2.0


def synthetic_history(steps: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """GAN-shaped curves: D loss from 1.39 settling near 1.2-1.35, G loss from 0.69 towards 0.8-1.1,
    D(x) / D(G(z)) around 0.5 with slow oscillation, heavy-tailed gradient norms, a few spikes."""
    t = np.arange(1, steps + 1, dtype=np.float64)
    settle = 1 - np.exp(-t / rng.uniform(500, 3000))
    wobble = rng.uniform(0.01, 0.08) * np.sin(t / rng.uniform(150, 900) + rng.uniform(0, 6))
    d_loss = 1.386 - rng.uniform(0.05, 0.2) * settle + wobble + rng.normal(0, 0.05, steps)
    g_loss = 0.693 + rng.uniform(0.1, 0.4) * settle - wobble + rng.normal(0, 0.08, steps)
    spikes = rng.choice(steps, size=5, replace=False)
    g_loss[spikes] += rng.uniform(0.5, 2.0, 5)
    d_real = np.clip(0.5 + 0.08 * settle + wobble + rng.normal(0, 0.03, steps), 0, 1)
    d_fake = np.clip(0.5 - 0.08 * settle - wobble + rng.normal(0, 0.03, steps), 0, 1)
    return {"step": t, "d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake,
            "d_penalty": np.zeros(steps), "d_fake_after": np.clip(d_fake + 0.02, 0, 1), "g_grad_norm": rng.lognormal(0, 0.5, steps),
            "d_grad_norm": rng.lognormal(0.3, 0.5, steps), "seconds": np.full(steps, 0.002)}


def make_runs(folder: Path, runs: int = 20, steps: int = 10_000, real_steps: int = 20, unthinned: bool = False,
              seed: int = 0) -> list[str]:
    """Write `runs` run folders of `steps` steps each into `folder`; returns their names."""
    rng = np.random.default_rng(seed)
    names = []
    for i in range(runs):
        config = from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 100_000, "seed": i,
                            "lr_d": float(rng.choice([1e-4, 2e-4, 5e-4, 1e-3])), "loss": ["non-saturating", "hinge",
                                                                                           "lsgan"][i % 3]})
        trainer = Trainer(config)
        trainer.run(real_steps)
        history = synthetic_history(steps, rng)
        trainer.history.clear()
        for row in zip(*history.values(), strict=True):
            trainer.history.append(dict(zip(history, row, strict=True)))
        trainer.step_count = steps
        trainer.metrics_history = [{"step": s, "js_grid": float(rng.uniform(0.05, 0.6) / (1 + s / 3000)),
                                    "energy_distance": float(rng.uniform(0.01, 0.3) / (1 + s / 3000)),
                                    "modes_covered": int(min(8, 1 + s // 1500)), "modes_total": 8,
                                    "hq_fraction": float(min(0.95, s / 12_000))}
                                   for s in range(1000, steps + 1, 1000)]
        if i % 3 == 0:  # a mid-run change: lr_d halved half-way
            trainer.update(lr_d=config.lr_d / 2)
            trainer.events[-1]["step"] = steps // 2
        name = f"run {i:02d} {config.loss} lr {config.lr_d:g}"
        save_run(trainer, folder / name)
        if unthinned:
            write_metrics(folder / name / "metrics.csv", history)
        names.append(name)
    return names


def first_render_seconds(folder: Path, names: list[str], reps: int = 3) -> list[float]:
    """Seconds of the Compare page's first run with `names` selected, in 1 + `reps` fresh AppTest sessions
    (the first in a process that has not drawn a chart yet: it also pays one-time imports)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ[RUNS_ENV] = str(folder)
    times = []
    for _ in range(1 + reps):
        st.cache_data.clear()
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        at.session_state["_cmp_keep"] = list(names)  # the selection the page starts with
        at.switch_page("pages/compare.py")
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception or len(at.get("plotly_chart")) < 5 or at.multiselect(key="cmp_runs").value != names:
            raise RuntimeError(f"the Compare page did not render the {len(names)} runs: {at.exception}")
    return times


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_core.bench.compare_page", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--select", type=int, default=5)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--real-steps", type=int, default=20, help="real training steps behind each run's weights")
    p.add_argument("--unthinned", action="store_true", help="write all `steps` rows to metrics.csv")
    p.add_argument("--keep", help="write the runs into this folder (kept) instead of a temporary one")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        names = make_runs(folder, args.runs, args.steps, args.real_steps, args.unthinned)
        rows = sum(1 for _ in open(folder / names[0] / "metrics.csv", encoding="utf-8")) - 1
        print(f"wrote {args.runs} runs of {args.steps:,} steps ({rows:,} rows in each metrics.csv) "
              f"in {time.perf_counter() - t0:.1f} s")
        cold, *times = first_render_seconds(folder, names[: args.select], args.reps)
    median = statistics.median(times)
    print(f"Compare page, first render of a session with {args.select} of {args.runs} runs selected: "
          f"median {median:.2f} s of {args.reps} ({', '.join(f'{x:.2f}' for x in times)}); "
          f"target <= {TARGET_S:.0f} s: {'met' if median <= TARGET_S else 'NOT met'}")
    print(f"(the very first render in a fresh process, with its one-time imports: {cold:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
