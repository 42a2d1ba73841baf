"""Saved runs side by side as plain rows: the listing, how their settings differ, their mid-run changes,
their final numbers, and their curves aligned by step (CSV). No plotting here: figures/ draws these.

Every function takes runs as {name: store.Run}; it trusts only what store checked (summary fields have
the right types) and skips events that are not well formed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import MUTABLE, Config
from .display import event_text, fmt_value
from .history import ema
from .store import Run, RunError

CURVE_KEYS = ("d_loss", "g_loss", "d_real", "d_fake")


def valid_events(events) -> list[dict]:
    """The well-formed events of a summary ({"step": int, "changes": {key: [old, new]}}); others dropped."""
    out = []
    for e in events or []:
        if (isinstance(e, dict) and isinstance(e.get("step"), int) and isinstance(e.get("changes"), dict)
                and all(isinstance(v, list) and len(v) == 2 for v in e["changes"].values())):
            out.append(e)
    return out


def initial_config(run) -> Config:
    """The run's settings at step 0: its final config with its mid-run changes undone, latest first."""
    config = run.config
    try:
        for event in reversed(valid_events(run.summary.get("events"))):
            config = config.replace(**{k: old for k, (old, _new) in event["changes"].items() if k in MUTABLE})
    except (ValueError, TypeError) as e:
        raise RunError(f"summary.json: a recorded mid-run change is invalid ({e})") from None
    return config


def listing_rows(runs: list[Run]) -> list[dict]:
    """The readable runs as table rows: run, saved, steps, dataset, loss, lr_g, lr_d, seed, status, fork_of."""
    rows = []
    for r in (r for r in runs if r.ok):
        c, s = r.config, r.summary
        fork = s.get("fork_of") or {}
        rows.append({"run": r.name, "saved": str(s.get("saved_at", "")), "steps": s["steps"], "dataset": c.dataset,
                     "loss": c.loss, "lr_g": c.lr_g, "lr_d": c.lr_d, "seed": c.seed,
                     "status": s.get("status") or "ok", "fork_of": str(fork.get("run", ""))})
    return rows


def config_diff(runs: dict[str, Run]) -> list[dict]:
    """The settings that differ between the runs, as text: [{"setting": name, <run>: "0.001", ...}].
    A setting changed mid-run reads "0.001 → 0.0001 @3000" (its value at step 0, then each change and
    its step), so the table matches the curves."""
    cells: dict[str, dict[str, str]] = {}
    for name, run in runs.items():
        try:
            flat = initial_config(run).to_flat()
        except RunError:
            flat = run.config.to_flat()
        flat["custom_points"] = f"{len(flat['custom_points'])} points"
        text = {k: fmt_value(v) for k, v in flat.items()}
        for e in valid_events(run.summary.get("events")):
            for k, (_old, new) in e["changes"].items():
                if k in text:
                    text[k] += f" → {fmt_value(new)} @{e['step']}"
        cells[name] = text
    keys = next(iter(cells.values()), {})
    return [{"setting": k, **{n: c[k] for n, c in cells.items()}} for k in keys
            if len({c[k] for c in cells.values()}) > 1]


def event_rows(runs: dict[str, Run]) -> list[dict]:
    """Every mid-run change of the runs: [{"run", "step", "change"}]."""
    return [{"run": name, "step": e["step"], "change": event_text(e, max_changes=10)}
            for name, run in runs.items() for e in valid_events(run.summary.get("events"))]


def _tail_mean(values, n: int = 100) -> float | None:
    v = np.asarray(values, dtype=np.float64)[-n:]
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else None


def _is_scalar(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def final_rows(runs: dict[str, Run]) -> list[dict]:
    """One row per run: steps, status, diagnosis, the mean of the last 100 recorded values of each curve
    (the last value alone is noise), and the last quality metrics."""
    rows = []
    for name, run in runs.items():
        s, h = run.summary, run.history or {}
        row = {"run": name, "steps": s.get("steps"), "status": s.get("status") or "ok",
               "diagnosis": str((s.get("diagnosis") or {}).get("label", ""))}
        row.update({key: _tail_mean(h.get(key, [])) for key in CURVE_KEYS})
        last = (s.get("metrics_history") or [{}])[-1]
        row.update({k: v for k, v in last.items() if _is_scalar(v) and k != "step"})
        rows.append(row)
    return rows


def metric_keys(runs: dict[str, Run]) -> list[str]:
    """Scalar quality-metric keys recorded by any of the runs, in first-seen order."""
    keys: dict[str, None] = {}
    for run in runs.values():
        for m in run.summary.get("metrics_history") or []:
            keys.update({k: None for k, v in m.items() if k not in ("step", "modes_total") and _is_scalar(v)})
    return list(keys)


def align(histories: dict[str, dict], keys=CURVE_KEYS) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """All runs on one step axis: the union of their recorded steps; NaN where a run has no record
    (histories are thinned differently, and runs end at different steps). No interpolation."""
    steps = np.unique(np.concatenate([np.asarray(h["step"], dtype=np.float64) for h in histories.values()]
                                     or [np.array([])]))
    out = {name: {key: _spread(steps, h["step"], h.get(key, np.full(len(h["step"]), np.nan))) for key in keys}
           for name, h in histories.items()}
    return steps, out


def curves_csv(histories: dict[str, dict], keys=CURVE_KEYS, smoothing: float = 0.0) -> str:
    """Wide CSV aligned by step: `step, <run>:<key>, ...` (plus `<run>:<key>_ema` when smoothing > 0);
    an empty cell where a run has no value at that step (no record, or NaN such as G's loss before G's
    first update)."""
    steps, aligned = align(histories, keys)
    table = {"step": steps.astype(np.int64)}
    for name, values in aligned.items():
        h = histories[name]
        for key in keys:
            table[f"{name}:{key}"] = values[key]
            if smoothing > 0:
                y = np.asarray(h.get(key, np.full(len(h["step"]), np.nan)), dtype=np.float64)
                table[f"{name}:{key}_ema"] = _spread(steps, h["step"], ema(y, smoothing, h["step"]))
    frame = pd.DataFrame(table).replace([np.inf, -np.inf], np.nan)
    return frame.to_csv(index=False, float_format="%.8g", lineterminator="\n")


def _spread(steps: np.ndarray, run_steps, values) -> np.ndarray:
    """A run's values placed on the common step axis (NaN at the other steps)."""
    col = np.full(len(steps), np.nan)
    col[np.searchsorted(steps, np.asarray(run_steps, dtype=np.float64))] = np.asarray(values, dtype=np.float64)
    return col
