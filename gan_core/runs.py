"""Run folders on disk: what a run was (config), how it went (metrics.csv, summary.json), what it made
(samples.npy at the fixed evaluation noise) and its weights (weights.pt, loaded with weights_only=True).

A malformed or partial folder raises RunError naming the file and the problem, never a bare traceback.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .config import Config, from_flat
from .history import RECORD_KEYS

FILES = ("config.json", "metrics.csv", "samples.npy", "summary.json", "weights.pt")
RUNS_ENV = "GAN_CLASSROOM_RUNS"
NAME_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff ]{0,63}$")


class RunError(ValueError):
    """A run folder or run name that cannot be used; the message says which file and why."""


@dataclass
class Run:
    path: Path
    config: Config
    history: dict[str, np.ndarray]  # metrics.csv as columns
    summary: dict  # steps, status, reason, events, metrics_history, diagnosis, saved_at
    samples: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name


def runs_root(override: str | os.PathLike | None = None) -> Path:
    """The runs folder: an explicit path, else $GAN_CLASSROOM_RUNS, else ./runs."""
    return Path(override or os.environ.get(RUNS_ENV) or "runs")


def validate_name(name: str) -> str:
    """A run name is one folder name: letters, digits, Chinese characters, space, '.', '_', '-'."""
    name = name.strip()
    if name in ("", ".", "..") or not NAME_RE.match(name) or name.endswith("."):
        raise RunError(f"run name {name!r} is not allowed: use 1-64 letters, digits, spaces, '.', '_' or '-', "
                       "starting with a letter or digit (no '/' or '..')")
    return name


def save_run(trainer, path: str | os.PathLike, *, overwrite: bool = False, diagnosis: dict | None = None) -> Path:
    """Write the run folder. Refuses to replace an existing run unless overwrite=True."""
    path = Path(path)
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise RunError(f"{path}: a run with this name exists already (choose another name or overwrite it)")
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(trainer.config.to_json() + "\n", encoding="utf-8")
    write_metrics_csv(path / "metrics.csv", trainer.history.columns())
    samples = trainer.sample(2500)
    np.save(path / "samples.npy", samples if trainer.data.kind == "points" else samples.reshape(-1, 8, 8))
    torch.save({"G": trainer.G.state_dict(), "D": trainer.D.state_dict()}, path / "weights.pt")
    summary = {"steps": trainer.step_count, "status": trainer.status, "reason": trainer.reason,
               "events": trainer.events, "metrics_history": trainer.metrics_history,
               "diagnosis": diagnosis, "saved_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    (path / "summary.json").write_text(json.dumps(_json_safe(summary), indent=1) + "\n", encoding="utf-8")
    return path


def save_diagnosed(trainer, path: str | os.PathLike, *, overwrite: bool = False) -> int:
    """save_run with the run's diagnosis; returns the step saved (a session handle's `call` runs it)."""
    from .diagnosis import diagnose_trainer

    save_run(trainer, path, overwrite=overwrite, diagnosis=diagnose_trainer(trainer).to_dict())
    return trainer.step_count


def write_metrics_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    keys = list(columns)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(keys)
        for row in zip(*(columns[k] for k in keys)):
            writer.writerow([int(v) if k == "step" else repr(float(v)) for k, v in zip(keys, row)])


def load_run(path: str | os.PathLike, *, samples: bool = True) -> Run:
    path = Path(path)
    if not path.is_dir():
        raise RunError(f"{path}: no such run folder")
    missing = [f for f in ("config.json", "metrics.csv", "summary.json") if not (path / f).is_file()]
    if missing:
        raise RunError(f"{path}: incomplete run, missing {', '.join(missing)}")
    config = _read_config(path / "config.json")
    history = read_metrics_csv(path / "metrics.csv")
    summary = _read_json(path / "summary.json")
    if not isinstance(summary, dict) or not isinstance(summary.get("steps"), int):
        raise RunError(f"{path / 'summary.json'}: expected an object with an integer 'steps'")
    x = None
    if samples and (path / "samples.npy").is_file():
        try:
            x = np.load(path / "samples.npy", allow_pickle=False)
        except (ValueError, OSError) as e:
            raise RunError(f"{path / 'samples.npy'}: unreadable ({e})") from None
    return Run(path, config, history, summary, x)


def load_weights(path: str | os.PathLike) -> dict:
    file = Path(path) / "weights.pt"
    try:
        return torch.load(file, weights_only=True)
    except FileNotFoundError:
        raise RunError(f"{file}: missing") from None
    except Exception as e:  # a corrupt or foreign pickle: say so, don't crash
        raise RunError(f"{file}: unreadable weights ({type(e).__name__})") from None


def list_runs(root: str | os.PathLike | None = None) -> list[tuple[str, Run | RunError]]:
    """Every folder under root, sorted by name: (name, Run) or (name, RunError) for unreadable ones."""
    root = runs_root(root)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            out.append((folder.name, load_run(folder, samples=False)))
        except RunError as e:
            out.append((folder.name, e))
    return out


def _read_json(file: Path):
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunError(f"{file}: not valid JSON ({e})") from None


def _read_config(file: Path) -> Config:
    values = _read_json(file)
    if not isinstance(values, dict):
        raise RunError(f"{file}: expected a JSON object of settings")
    try:
        return from_flat(values)
    except (ValueError, TypeError) as e:
        raise RunError(f"{file}: {e}") from None


def read_metrics_csv(file: Path) -> dict[str, np.ndarray]:
    try:
        with open(file, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise RunError(f"{file}: unreadable ({e})") from None
    if not rows or not {"step", "d_loss", "g_loss"} <= set(rows[0]):
        raise RunError(f"{file}: expected a header with at least step, d_loss, g_loss")
    header = rows[0]
    try:
        table = np.array([[float(v) for v in r] for r in rows[1:] if r], dtype=np.float64)
    except ValueError as e:
        raise RunError(f"{file}: non-numeric value ({e})") from None
    if table.size and table.shape[1] != len(header):
        raise RunError(f"{file}: rows have {table.shape[1]} values, header has {len(header)}")
    table = table.reshape(-1, len(header))
    cols = {k: table[:, i] for i, k in enumerate(header)}
    for k in RECORD_KEYS:  # older or partial files: missing columns read as NaN
        cols.setdefault(k, np.full(len(table), np.nan))
    return cols


def _json_safe(value):
    """JSON has no NaN: write None instead (read back as None)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value
