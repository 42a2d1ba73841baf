"""Replaying a saved run, and forks: the same seed and initial weights, one or more settings changed, the
same number of steps (its other mid-run changes replayed at the same steps).

No initial weights need storing: a Trainer initialises its networks under torch.manual_seed(config.seed),
so the same seed and the same architecture give bit-identical initial weights (tests/test_compare.py
checks it). Changing the architecture, the data's dimension or the seed necessarily changes the initial
weights; `same_initial_weights` tells the two cases apart by building both networks.

A run's config.json holds its settings at the END (after any mid-run changes). A fork starts from the
settings at step 0 (the recorded events undone), and replays the run's mid-run changes at the same steps,
except those of the settings the fork changes itself: a forked setting holds from step 0 to the end.
"""

from __future__ import annotations

from pathlib import Path

import torch

from . import schedule
from .config import MUTABLE, Config, from_flat
from .store import RunError, save_run, unique_name
from .tables import initial_config, valid_events
from .trainer import Trainer

Plan = list[tuple[int, dict]]  # (step, {setting: new value}): apply when step_count == step
MAX_STEPS = 200_000  # a fork or GIF replays in the page: about 10 minutes here at most


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


def replay(trainer: Trainer, steps: int, changes: Plan = (), *, every: int | None = None, on_frame=None,
           progress=None, chunk: int = 250) -> Trainer:
    """Train to `steps`, applying each planned change when the step count reaches its step (as the
    original run did between two steps), with the metrics schedule of a live run. on_frame(trainer) at
    step 0 and every `every` steps; progress(done, total) after each chunk (raise from it to stop: a
    Streamlit rerun does). Stops early if the run diverges. More than MAX_STEPS steps: RunError."""
    if not 0 <= steps <= MAX_STEPS:
        raise RunError(f"replaying {steps:,} steps: at most {MAX_STEPS:,} are replayed here (train it with the CLI)")
    pending = sorted(changes, key=lambda p: p[0])
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
        schedule.run(trainer, min(stops) - trainer.step_count)
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

    return save_run(trainer, path, diagnosis=diagnose_trainer(trainer).to_dict(),
                    extra={"fork_of": {"run": source, "changes": dict(changes)}})


def fork_and_save(entry, changes: dict, folder: Path, existing, *, progress=None) -> str:
    """Fork the run `entry` (named entry.name), train it, save it under a new name in `folder`; the name."""
    trainer = fork_run(entry, changes, progress=progress)
    name = fork_name(entry.name, changes, existing)
    save_fork(trainer, Path(folder) / name, source=entry.name, changes=changes)
    return name
