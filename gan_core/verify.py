"""Check every preset's promise before class: run it per seed, measure, diagnose, compare with `expect`.

    rows = verify(["ring-stable"], seeds=range(5))
    print(format_table(rows))

Each row is plain JSON-able data. A preset keeps its promise when at least PASS_FRACTION of its
seeds pass: GANs are fickle, and a demo that works for 4 seeds in 5 is one a teacher can rely on
(with a second seed at hand), while one that works for 3 is not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

import numpy as np

from . import schedule
from .diagnosis import diagnose_trainer
from .presets import PRESETS, get_preset
from .trainer import Trainer

PASS_FRACTION = 0.8  # 4 of 5 seeds
NO_METRICS_DURING_RUN = 100_000  # metrics only once, at the end: they are not part of the training time

COLUMNS = ("preset", "seed", "status", "steps", "modes", "quality", "G grad", "swing", "diagnosis", "seconds", "passed")
WINDOW_STEPS, SMOOTH_STEPS = 1000, 25  # the diagnosis's window and smoothing (gan_core.diagnosis)


def verify(names: Iterable[str] | None = None, seeds: Iterable[int] = range(5),
           progress: Callable[[int, int, str], None] | None = None) -> list[dict]:
    """Run each named preset (default: all) once per seed. progress(done, total, label) after each run."""
    names, seeds = list(names or PRESETS), list(seeds)
    presets = [get_preset(n) for n in names]  # unknown names fail before any training starts
    total, rows = len(presets) * len(seeds), []
    for preset in presets:
        for seed in seeds:
            if progress is not None:
                progress(len(rows), total, f"{preset.name} seed {seed}")
            rows.append(run_one(preset, seed))
    if progress is not None:
        progress(total, total, "done")
    compare_fixes(rows)
    return rows


def run_one(preset, seed: int) -> dict:
    trainer = Trainer(preset.config(seed=seed, metrics_every=NO_METRICS_DURING_RUN))
    t0 = time.perf_counter()
    trainer.run(preset.steps)  # no metrics during the run (NO_METRICS_DURING_RUN): once, at the end
    seconds = time.perf_counter() - t0
    metrics = schedule.record_metrics(trainer) if trainer.status == "ok" else {}
    diagnosis = diagnose_trainer(trainer)
    row = {"preset": preset.name, "seed": seed, "status": trainer.status, "steps": trainer.step_count,
           "modes": None, "hq": None, "classes": None, "score_ratio": None,
           "diagnosis": diagnosis.label, "evidence": [str(e) for e in diagnosis.evidence],
           "seconds": round(seconds, 1), **measure(trainer.history.columns(), trainer.status)}
    if "modes_covered" in metrics:
        row.update(modes=f"{metrics['modes_covered']}/{metrics['modes_total']}", hq=round(metrics["hq_fraction"], 3),
                   spread=spread(trainer.sample()))
    if "classes_covered" in metrics:
        ratio = metrics["digits_score"] / metrics["digits_score_real"]
        row.update(classes=f"{metrics['classes_covered']}/10", score_ratio=round(ratio, 3))
    failed = check(preset.expect, row, metrics)
    row.update(passed=not failed, failed=failed)
    return row


def spread(samples: np.ndarray) -> float:
    """RMS distance of G's samples from their mean: the ring's 8 modes give 2.0, one tight clump near 0."""
    return round(float(np.sqrt(((samples - samples.mean(0)) ** 2).sum(1).mean())), 3)


def measure(history: dict, status: str) -> dict:
    """What the lessons point at, over the diagnosis's window (the last 1,000 steps or the last half):
    g_grad, G's median gradient norm; swing, the 5-95% span of D(G(z)) smoothed over 25 steps;
    grad_top, the largest finite gradient norm of either network over the whole run; diverged_at."""
    step = np.asarray(history["step"], dtype=np.float64)
    last = int(np.nanmax(step)) if step.size else 0
    keep = step > last - min(WINDOW_STEPS, max(1, last // 2))

    def finite(key, mask=None):
        x = np.asarray(history[key], dtype=np.float64)
        x = x if mask is None else x[mask]
        return x[np.isfinite(x)]

    g, d_fake = finite("g_grad_norm", keep), finite("d_fake", keep)
    swing = None
    if d_fake.size >= 4 * SMOOTH_STEPS:
        smooth = np.convolve(d_fake, np.ones(SMOOTH_STEPS) / SMOOTH_STEPS, mode="valid")
        swing = float(np.subtract(*np.percentile(smooth, [95, 5])))
    tops = [x.max() for x in (finite("g_grad_norm"), finite("d_grad_norm")) if x.size]
    return {"g_grad": float(np.median(g)) if g.size else None, "swing": None if swing is None else round(swing, 3),
            "grad_top": float(max(tops)) if tops else None, "diverged_at": last if status == "diverged" else None}


def check(expect: dict, row: dict, metrics: dict) -> list[str]:
    """The expectations in `expect` that this run misses, each as a short sentence (empty: all kept)."""
    failed = []

    def need(ok: bool, text: str) -> None:
        if not ok:
            failed.append(text)

    modes = metrics.get("modes_covered", 0)
    hq = metrics.get("hq_fraction", 0.0)
    nan = float("nan")
    for key, want in expect.items():
        if key == "status":
            need(row["status"] == want, f"status {row['status']}, expected {want}")
        elif key == "diagnosis":
            need(row["diagnosis"] == want, f"diagnosis {row['diagnosis']}, expected {want}")
        elif key == "diagnosis_in":
            need(row["diagnosis"] in want, f"diagnosis {row['diagnosis']}, expected one of {', '.join(want)}")
        elif key == "diagnosis_not":
            need(row["diagnosis"] != want, f"diagnosis {want}")
        elif key == "modes_min":
            need(modes >= want, f"{modes} modes < {want}")
        elif key == "modes_max":
            need(row["status"] == "ok" and modes <= want, f"{modes} modes > {want}")
        elif key == "hq_min":
            need(hq >= want, f"hq {hq:.2f} < {want}")
        elif key == "hq_max":
            need(row["status"] == "ok" and hq <= want, f"hq {hq:.2f} > {want}")
        elif key in ("g_grad_min", "swing_min", "grad_top_min"):
            value = row.get(key[:-4])
            need(value is not None and value >= want, f"{key[:-4]} {_g(value)} < {want:g}")
        elif key in ("g_grad_max", "swing_max", "grad_top_max", "spread_max"):
            value = row.get(key[:-4])
            need(value is not None and value <= want, f"{key[:-4]} {_g(value)} > {want:g}")
        elif key == "diverged_by":
            at = row.get("diverged_at")
            need(at is not None and at <= want, f"diverged at {at if at is not None else nan}, expected by {want}")
        elif key == "classes_min":
            need(metrics.get("classes_covered", 0) >= want, f"{metrics.get('classes_covered', 0)} classes < {want}")
        elif key == "score_ratio_min":
            ratio = row["score_ratio"] if row["score_ratio"] is not None else 0.0
            need(ratio >= want, f"score ratio {ratio:.2f} < {want}")
        elif key == "seconds_max":
            need(row["seconds"] <= want, f"{row['seconds']} s > {want} s")
        else:
            raise ValueError(f"unknown expectation {key!r}")
    return failed


def check_fix(changes: dict, original: dict, fixed: dict) -> list[str]:
    """What the fix run (same seed) must change against the original, as Preset.fix_changes says:
    `<measure>_ratio_min/max` bound fixed/original, `modes_gain_min` bounds the modes gained,
    `steps_gain_min` the extra steps trained (a diverging original stops early)."""
    failed = []
    for key, want in changes.items():
        if key.endswith(("_ratio_min", "_ratio_max")):
            name = key.rsplit("_ratio_", 1)[0]
            a, b = original.get(name), fixed.get(name)
            ratio = b / a if a and b is not None else float("nan")
            ok = ratio >= want if key.endswith("_min") else ratio <= want
            if not ok:
                failed.append(f"fix: {name} {_g(a)} -> {_g(b)} (x{_g(ratio)}, expected x{want:g} or "
                              f"{'more' if key.endswith('_min') else 'less'})")
        elif key == "modes_gain_min":
            gain = _modes(fixed) - _modes(original)
            if gain < want:
                failed.append(f"fix: modes {_modes(original)} -> {_modes(fixed)} (gain < {want})")
        elif key == "steps_gain_min":
            if fixed["steps"] - original["steps"] < want:
                failed.append(f"fix: steps {original['steps']} -> {fixed['steps']} (gain < {want})")
        else:
            raise ValueError(f"unknown fix expectation {key!r}")
    return failed


def compare_fixes(rows: list[dict]) -> None:
    """Add each preset's fix_changes verdict to its rows, where its fix ran on the same seed."""
    by = {(r["preset"], r["seed"]): r for r in rows}
    for r in rows:
        preset = PRESETS.get(r["preset"])
        fixed = by.get((preset.fix, r["seed"])) if preset is not None and preset.fix else None
        if fixed is not None and preset.fix_changes:
            r["failed"] = r["failed"] + check_fix(preset.fix_changes, r, fixed)
            r["passed"] = not r["failed"]


def _modes(row: dict) -> int:
    return int(row["modes"].split("/")[0]) if row.get("modes") else 0


def _g(x) -> str:
    return "-" if x is None else f"{x:.3g}"


def summary(rows: list[dict]) -> dict[str, tuple[int, int, bool]]:
    """preset -> (seeds passed, seeds run, promise kept?)."""
    out: dict[str, tuple[int, int, bool]] = {}
    for name in dict.fromkeys(r["preset"] for r in rows):
        mine = [r for r in rows if r["preset"] == name]
        k = sum(r["passed"] for r in mine)
        out[name] = (k, len(mine), k >= math.ceil(PASS_FRACTION * len(mine)))
    return out


def format_table(rows: list[dict]) -> str:
    """An aligned plain-text table, one row per run, then one summary line per preset."""
    cells = [COLUMNS]
    for r in rows:
        if r["score_ratio"] is not None:
            coverage, quality = r["classes"], f"score {r['score_ratio']:.2f}"
        else:
            coverage, quality = r["modes"] or "-", "-" if r["hq"] is None else f"hq {r['hq']:.2f}"
        verdict = "yes" if r["passed"] else "NO: " + "; ".join(r["failed"])
        cells.append((r["preset"], str(r["seed"]), r["status"], str(r["steps"]), coverage, quality,
                      _g(r.get("g_grad")), _g(r.get("swing")), r["diagnosis"], f"{r['seconds']:.1f}", verdict))
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for name, (k, n, kept) in summary(rows).items():
        need = math.ceil(PASS_FRACTION * n)
        lines.append(f"{name}: {k}/{n} seeds as promised" + ("" if kept else f"  (FALLS SHORT: needs {need})"))
    return "\n".join(lines)
