"""Stability sweeps: a grid of one or two settings x seeds, every run trained and diagnosed like a single run.

    axes = parse_grid(["lr_d=1e-4,1e-3,1e-2", "lr_g=1e-4,1e-3,1e-2"], base)
    rows = run_sweep(base, axes, seeds=[0, 1], steps=2000)
    cells = summarize(rows, axes)

Runs that can share a computation (ensemble.group_key) train together as one Ensemble batch of at most
`batch` members; a run the ensemble does not support trains on the plain Trainer (its row says
"engine": "trainer"). Each finished run becomes a plain Trainer holding its weights and history
(Ensemble.trainer), so metrics and diagnosis are the single-run code. With `ray=...` each batch is a Ray
task on a cluster, and rows arrive as tasks finish (ray.wait).
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections import Counter

from . import schedule
from .config import ALIASES, FIELDS, Config, from_flat
from .diagnosis import LABELS, diagnose_trainer
from .ensemble import Ensemble, group_key, unsupported
from .trainer import Trainer

MAX_AXES, MAX_VALUES, MAX_RUNS = 2, 12, 1000
NOT_AXES = {"seed": "use --seeds", "custom_points": "not a grid setting", "metrics_every": "not a training setting"}
BATCH = 64  # members per ensemble batch: larger batches run faster, smaller ones report sooner
# A cell's colour is its most common diagnosis; a tie goes to the more serious label (LABELS order).
SEVERITY = {label: i for i, label in enumerate(LABELS)}
ROW_KEYS = ("cell", "seed", "steps", "status", "diagnosis", "engine", "metrics")  # what a map document keeps
ROW_METRICS = ("modes_covered", "modes_total", "hq_fraction", "js_grid", "energy_distance", "classes_covered",
               "digits_score")


def parse_grid(items: list[str], base: Config) -> list[tuple[str, list]]:
    """["KEY=V1,V2", ...] -> [(key, [values as the config holds them])]. ValueError with one line if bad."""
    if not items:
        raise ValueError("give at least one --grid KEY=V1,V2,... (e.g. --grid lr_d=1e-4,1e-3,1e-2)")
    if len(items) > MAX_AXES:
        raise ValueError(f"at most {MAX_AXES} --grid axes (a map has two), got {len(items)}")
    axes: list[tuple[str, list]] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise ValueError(f"--grid {item!r}: expected KEY=V1,V2,... e.g. --grid lr_d=1e-4,1e-3")
        if key in NOT_AXES:
            raise ValueError(f"--grid {key}: {NOT_AXES[key]}")
        if key not in FIELDS and key not in ALIASES:
            raise ValueError(f"--grid {key}: unknown setting; allowed: {', '.join(sorted(set(FIELDS) - set(NOT_AXES)))}")
        if key in (k for k, _ in axes):
            raise ValueError(f"--grid {key} given twice")
        field = ALIASES.get(key, (key,))[0]
        raw = [v.strip() for v in text.split(",")]
        if any(not v for v in raw) or len(raw) > MAX_VALUES:
            raise ValueError(f"--grid {key}: expected 1 to {MAX_VALUES} comma-separated values, got {text!r}")
        values = []
        for v in raw:
            try:
                value = getattr(from_flat({key: v}, base=base), field)
            except ValueError as e:
                raise ValueError(f"--grid {key}: {e}") from None
            if value in values:
                raise ValueError(f"--grid {key}: the value {v} is given twice")
            values.append(value)
        axes.append((key, values))
    return axes


def plan(base: Config, axes: list[tuple[str, list]], seeds: list[int]) -> list[dict]:
    """One run per (cell, seed): {"cell": [i, j], "seed", "config"}."""
    runs = []
    for cell in itertools.product(*(range(len(v)) for _, v in axes)):
        settings = {key: values[i] for (key, values), i in zip(axes, cell)}
        for seed in seeds:
            runs.append({"cell": list(cell), "seed": seed, "config": base.replace(**settings, seed=seed)})
    if len(runs) > MAX_RUNS:
        raise ValueError(f"{len(runs)} runs: at most {MAX_RUNS} in one sweep (fewer values or seeds)")
    return runs


def batches(runs: list[dict], size: int = BATCH) -> tuple[list[list[dict]], dict[str, int]]:
    """Runs grouped into ensemble batches of at most `size` (one run per batch where unsupported), plus
    {reason: number of runs} of those that fall back to the plain Trainer."""
    groups: dict[tuple, list[dict]] = {}
    fallback: list[dict] = []
    reasons: Counter = Counter()
    for run in runs:
        why = unsupported(run["config"])
        if why:
            reasons[why] += 1
            fallback.append(run)
        else:
            groups.setdefault(group_key(run["config"]), []).append(run)
    out = [members[i:i + size] for members in groups.values() for i in range(0, len(members), size)]
    return out + [[run] for run in fallback], dict(reasons)


def run_batch(batch: list[dict], steps: int, on_step=None) -> list[dict]:
    """Train one batch (an Ensemble, or one plain Trainer when unsupported) and return its rows.
    on_step(member_steps_done) now and then. Module-level so that Ray can ship it to a worker."""
    configs = [run["config"] for run in batch]
    if len(batch) == 1 and unsupported(configs[0]):
        trainer = Trainer(configs[0])
        done = 0
        while done < steps and trainer.status == "ok":
            trainer.run(min(100, steps - done))
            done += 100
            if on_step:
                on_step(min(done, steps))
        return [outcome(batch[0], trainer, "trainer")]
    ens = Ensemble(configs)
    for start in range(0, steps, 50):
        ens.run(min(50, steps - start))
        if on_step:
            on_step(min(start + 50, steps) * len(batch))
    return [outcome(run, ens.trainer(m), "ensemble") for m, run in enumerate(batch)]


def outcome(run: dict, trainer: Trainer, engine: str) -> dict:
    """A run's row: its cell, seed, flat config, final numbers, metrics and diagnosis (the single-run code)."""
    metrics = schedule.record_metrics(trainer) if trainer.status == "ok" else {}
    diagnosis = diagnose_trainer(trainer)
    last = trainer.history.last() or {}
    config = {k: v for k, v in trainer.config.to_flat().items() if k != "custom_points"}
    return {"cell": run["cell"], "seed": run["seed"], "config": config, "steps": trainer.step_count,
            "status": trainer.status, "reason": trainer.reason, "diagnosis": diagnosis.label,
            "evidence": [str(e) for e in diagnosis.evidence], "engine": engine,
            **{k: _num(last.get(k)) for k in ("d_loss", "g_loss", "d_real", "d_fake")},
            "metrics": {k: _num(metrics[k]) for k in ROW_METRICS if k in metrics}}


def run_sweep(base: Config, axes, seeds, steps: int, *, ray: str | None = None, batch: int = BATCH,
              progress=None, on_rows=None, stop=None) -> list[dict]:
    """All rows, sorted by (cell, seed). progress(done, total) in member-steps; on_rows(rows) as batches finish.
    ray: None (in-process), "auto" (RAY_ADDRESS or a cluster on this machine) or an address.
    stop: a threading.Event; once set, no further batch starts (in-process)."""
    runs = plan(base, axes, seeds)
    work, _ = batches(runs, batch)
    total, rows = len(runs) * steps, []

    def collect(new):
        rows.extend(new)
        if on_rows:
            on_rows(new)

    if ray is not None:
        from .sweep_ray import run_on_ray

        for new in run_on_ray(run_batch, work, steps, ray):
            collect(new)
            if progress:
                progress(len(rows) * steps, total)
    else:
        for b in work:
            if stop is not None and stop.is_set():
                break
            finished = len(rows) * steps
            collect(run_batch(b, steps, None if progress is None else lambda n, f=finished: progress(f + n, total)))
    return sorted(rows, key=lambda r: (r["cell"], r["seed"]))


class SweepJob:
    """A sweep on a background thread (no streamlit here): `document` (the map, as sweep_cli.map_document
    lays it out) fills in batch by batch; a page polls it. One batch = one row of the grid, so the map
    grows row by row."""

    def __init__(self, preset: str, base: Config, axes, seeds, steps: int, overrides: dict | None = None):
        self.axes, self.seeds, self.steps = axes, list(seeds), steps
        self.document = {"preset": preset, "set": dict(overrides or {}), "steps": steps, "seeds": self.seeds,
                         "axes": [{"key": k, "values": list(v)} for k, v in axes], "cells": [], "rows": []}
        self.done, self.total = 0, len(plan(base, axes, seeds)) * steps
        self.error: str | None = None
        self.finished = False
        self._stop, self._lock = threading.Event(), threading.Lock()
        batch = len(self.seeds) * len(axes[0][1])
        self._thread = threading.Thread(target=self._run, args=(base, batch), daemon=True, name="sweep")
        self._thread.start()

    def _run(self, base: Config, batch: int) -> None:
        try:
            run_sweep(base, self.axes, self.seeds, self.steps, batch=batch, progress=self._progress,
                      on_rows=self._rows, stop=self._stop)
        except Exception as e:  # shown on the page; the thread must not die silently
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.finished = True

    def _progress(self, done: int, total: int) -> None:
        self.done = done

    def _rows(self, new: list[dict]) -> None:
        with self._lock:
            rows = sorted(self.document["rows"] + [{k: r[k] for k in ROW_KEYS} for r in new],
                          key=lambda r: (r["cell"], r["seed"]))
            self.document = {**self.document, "rows": rows, "cells": summarize(rows, self.axes)}

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return not self.finished


def trainers_backend() -> str | None:
    """The Ray address a sweep uses when GAN_CLASSROOM_TRAINERS=ray (RAY_ADDRESS or "auto"), else None."""
    if os.environ.get("GAN_CLASSROOM_TRAINERS", "local").strip().lower() == "ray":
        return os.environ.get("RAY_ADDRESS") or "auto"
    return None


def summarize(rows: list[dict], axes) -> list[dict]:
    """Per cell: its settings, the majority diagnosis, the share of seeds that ended healthy, label counts."""
    cells: dict[tuple, list[dict]] = {}
    for row in rows:
        cells.setdefault(tuple(row["cell"]), []).append(row)
    out = []
    for cell, members in sorted(cells.items()):
        counts = Counter(r["diagnosis"] for r in members)
        majority = max(counts, key=lambda label: (counts[label], SEVERITY[label]))
        out.append({"cell": list(cell), "settings": {key: values[i] for (key, values), i in zip(axes, cell)},
                    "majority": majority, "healthy": counts.get("healthy", 0) / len(members),
                    "counts": dict(counts), "seeds": [r["seed"] for r in members]})
    return out


def _num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
