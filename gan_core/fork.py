"""Saved runs described for comparison (their settings at step 0 and mid-run changes, how their settings
differ, their final numbers), and forks: the same seed and initial weights, one or more settings changed,
the same number of steps.

No initial weights need storing: a Trainer initialises its networks under torch.manual_seed(config.seed),
so the same seed and the same architecture give bit-identical initial weights (tests/test_compare.py
checks it). Changing the architecture, the data's dimension or the seed necessarily changes the initial
weights; `same_initial_weights` tells the two cases apart by building both networks.

A run's config.json holds its settings at the END (after any mid-run changes). A fork starts from the
settings at step 0 (the recorded events undone), and replays the run's mid-run changes at the same steps,
except those of the settings the fork changes itself: a forked setting holds from step 0 to the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from .compare import CURVE_KEYS, unique_name
from .config import MUTABLE, Config, from_flat
from .runs import Run, RunError, save_run
from .trainer import Trainer

Plan = list[tuple[int, dict]]  # (step, {setting: new value}): apply when step_count == step


def config_diff(runs: dict) -> list[dict]:
    """The settings that differ between the runs (anything with .config and .summary), as text:
    [{"setting": name, <run>: "0.001", ...}]. A setting changed mid-run reads "0.001 → 0.0001 @3000"
    (its value at step 0, then each change and its step), so the table matches the curves."""
    from .figures.common import fmt_value

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
    from .figures.common import event_text

    rows = []
    for name, run in runs.items():
        for e in valid_events(run.summary.get("events")):
            rows.append({"run": name, "step": e["step"], "change": event_text(e, max_changes=10)})
    return rows


def valid_events(events) -> list[dict]:
    """The well-formed events of a summary ({"step": int, "changes": {key: [old, new]}}); others dropped."""
    out = []
    for e in events or []:
        if (isinstance(e, dict) and isinstance(e.get("step"), int) and isinstance(e.get("changes"), dict)
                and all(isinstance(v, list) and len(v) == 2 for v in e["changes"].values())):
            out.append(e)
    return out


def _tail_mean(values, n: int = 100) -> float | None:
    v = np.asarray(values, dtype=np.float64)[-n:]
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else None


def final_rows(runs: dict[str, Run]) -> list[dict]:
    """One row per run: steps, status, diagnosis, the mean of the last 100 recorded values of each curve
    (the last value alone is noise), and the last quality metrics."""
    rows = []
    for name, run in runs.items():
        s, h = run.summary, run.history
        diagnosis = s.get("diagnosis") if isinstance(s.get("diagnosis"), dict) else {}
        row = {"run": name, "steps": s.get("steps"), "status": s.get("status") or "ok",
               "diagnosis": diagnosis.get("label", "")}
        row.update({key: _tail_mean(h.get(key, [])) for key in CURVE_KEYS})
        last = (s.get("metrics_history") or [{}])[-1]
        if isinstance(last, dict):
            row.update({k: v for k, v in last.items() if _is_scalar(v) and k != "step"})
        rows.append(row)
    return rows


def _is_scalar(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def metric_keys(runs: dict[str, Run]) -> list[str]:
    """Scalar quality-metric keys recorded by any of the runs, in first-seen order."""
    keys: dict[str, None] = {}
    for run in runs.values():
        for m in run.summary.get("metrics_history") or []:
            if isinstance(m, dict):
                keys.update({k: None for k, v in m.items() if k not in ("step", "modes_total") and _is_scalar(v)})
    return list(keys)


def initial_config(run) -> Config:
    """The run's settings at step 0: its final config with its mid-run changes undone, latest first.
    `run` is anything with .config and .summary (runs.Run, compare.Entry)."""
    config = run.config
    try:
        for event in reversed(valid_events(run.summary.get("events"))):
            config = config.replace(**{k: old for k, (old, _new) in event["changes"].items() if k in MUTABLE})
    except ValueError as e:
        raise RunError(f"summary.json: a recorded mid-run change is invalid ({e})") from None
    return config


def plan(run, changes=()) -> Plan:
    """The run's mid-run changes to replay, without the settings the fork changes."""
    out = []
    for event in valid_events(run.summary.get("events")):
        kept = {k: new for k, (_old, new) in event["changes"].items() if k in MUTABLE and k not in changes}
        if kept:
            out.append((event["step"], kept))
    return out


def fork_config(run, changes: dict) -> Config:
    """The fork's settings at step 0. Raises ValueError naming a bad setting or value."""
    return from_flat(dict(changes), base=initial_config(run))


def same_initial_weights(a: Config, b: Config) -> bool:
    """Do Trainers of these two configs start from the very same weights of G and D?"""
    ta, tb = Trainer(a), Trainer(b)
    for net_a, net_b in ((ta.G, tb.G), (ta.D, tb.D)):
        sa, sb = net_a.state_dict(), net_b.state_dict()
        if sa.keys() != sb.keys() or any(sa[k].shape != sb[k].shape or not torch.equal(sa[k], sb[k]) for k in sa):
            return False
    return True


def replay(trainer: Trainer, steps: int, schedule: Plan = (), *, every: int | None = None, on_frame=None,
           progress=None, chunk: int = 250) -> Trainer:
    """Train to `steps`, applying each scheduled change when the step count reaches its step (as the
    original run did between two steps). on_frame(trainer) at step 0 and every `every` steps;
    progress(done, total) after each chunk. Stops early if the run diverges."""
    pending = sorted(schedule, key=lambda p: p[0])
    if on_frame and every:
        on_frame(trainer)
    while True:
        while pending and pending[0][0] <= trainer.step_count:
            trainer.update(**pending.pop(0)[1])
        if trainer.step_count >= steps or trainer.status != "ok":
            break
        stops = [steps, trainer.step_count + chunk]
        if pending:
            stops.append(pending[0][0])
        if on_frame and every:
            stops.append((trainer.step_count // every + 1) * every)
        trainer.run(min(stops) - trainer.step_count)
        if on_frame and every and trainer.step_count % every == 0:
            on_frame(trainer)
        if progress:
            progress(trainer.step_count, steps)
    return trainer


def fork_run(run, changes: dict, *, steps: int | None = None, progress=None) -> Trainer:
    """A new Trainer from the run's step-0 settings with `changes`, trained for the run's number of steps
    (its other mid-run changes replayed)."""
    trainer = Trainer(fork_config(run, changes))
    return replay(trainer, run.summary["steps"] if steps is None else steps, plan(run, changes),
                  progress=progress)


def fork_name(source: str, changes: dict, existing) -> str:
    """'<source> lr_d 0.0001': a valid run name that is not taken yet."""
    def fmt(v):
        return f"{v:g}" if isinstance(v, float) else str(v)
    return unique_name(f"{source} " + " ".join(f"{k} {fmt(v)}" for k, v in changes.items()), existing)


def save_fork(trainer: Trainer, path: Path, *, source: str, changes: dict) -> Path:
    """save_run (with the diagnosis), plus `fork_of` in summary.json: the source run and the changes."""
    from .diagnosis import diagnose_trainer

    path = save_run(trainer, path, diagnosis=diagnose_trainer(trainer).to_dict())
    summary_file = path / "summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    summary["fork_of"] = {"run": source, "changes": {k: v for k, v in changes.items()}}
    summary_file.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return path


def fork_and_save(entry, changes: dict, folder: Path, existing, *, progress=None) -> str:
    """Fork the run `entry` (named entry.name), train it, save it under a new name in `folder`; the name."""
    trainer = fork_run(entry, changes, progress=progress)
    name = fork_name(entry.name, changes, existing)
    save_fork(trainer, Path(folder) / name, source=entry.name, changes=changes)
    return name
