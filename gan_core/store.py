"""The run store: one folder per saved run, under the runs folder ($GAN_CLASSROOM_RUNS, default ./runs).

    config.json    the settings at the end of the run (mid-run changes are in summary.json's events)
    metrics.csv    one row per recorded step (history.RECORD_KEYS), read and written with pandas
    summary.json   steps, status, reason, events, metrics_history, diagnosis, saved_at (, fork_of)
    samples.npy    2,500 samples at the fixed evaluation noise
    weights.pt     G's and D's weights (loaded with weights_only=True)

A shared runs folder is user input: every reader checks what it reads, and a malformed, partial or hostile
folder raises RunError naming the file and the problem (never a bare traceback); listing keeps going past
it. Saving is atomic: the run is written to a hidden temporary folder beside the target, then renamed.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .config import Config, from_flat
from .history import RECORD_KEYS

FILES = ("config.json", "metrics.csv", "samples.npy", "summary.json", "weights.pt")
REQUIRED = ("config.json", "metrics.csv", "summary.json")
RUNS_ENV = "GAN_CLASSROOM_RUNS"
NAME_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff ]{0,63}$")
NAME_CHAR = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff ]")  # the characters NAME_RE allows
MAX_JSON_BYTES = 20_000_000  # a summary of a very long run is a few MB; beyond this, refuse to parse


class RunError(ValueError):
    """A run folder or run name that cannot be used; the message says which file and why."""


@dataclass
class Run:
    """A saved run. `history` is metrics.csv as columns; empty when only the run's header was read."""
    path: Path
    config: Config
    summary: dict
    history: dict[str, np.ndarray] | None = None
    samples: np.ndarray | None = None
    error: str | None = None  # set by scan_runs for a folder that cannot be read (then config is None)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ok(self) -> bool:
        return self.error is None


# ---- names --------------------------------------------------------------------------------------

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


def unique_name(stem: str, existing) -> str:
    """A valid run name from free text (other characters become spaces), ' 2', ' 3', ... appended while taken."""
    stem = "".join(c if NAME_CHAR.match(c) else " " for c in stem)
    stem = " ".join(stem.split())[:58].strip(" .-_") or "run"
    try:
        validate_name(stem)
    except RunError:
        stem = "run"
    taken = set(existing)
    for i in range(1, 10_000):
        name = stem if i == 1 else f"{stem} {i}"
        if name not in taken:
            return name
    raise RunError("no free run name")


def suggest_name(c: Config, step: int, folder: Path) -> str:
    """'ring8 non-saturating lr 0.001 step 1200', made unique in the folder."""
    folder = Path(folder)
    existing = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    return unique_name(f"{c.dataset} {c.loss} lr {c.lr_d:g} step {step}", existing)


def resolve_run(text: str, runs_dir: str | os.PathLike | None = None) -> Path:
    """A run folder given as a path, or as a bare run name in the runs folder."""
    path = Path(text)
    if not path.exists() and path.name == text and (runs_root(runs_dir) / text).is_dir():
        return runs_root(runs_dir) / text
    return path


# ---- saving -------------------------------------------------------------------------------------

def save_run(trainer, path: str | os.PathLike, *, overwrite: bool = False, diagnosis: dict | None = None,
             extra: dict | None = None) -> Path:
    """Write the run folder atomically. An existing run is replaced only with overwrite=True; a folder
    holding anything a run does not write (the current folder, say) is never written into."""
    path = check_target(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".saving-{path.name[:20]}-", dir=path.parent))
    try:
        (tmp / "config.json").write_text(trainer.config.to_json() + "\n", encoding="utf-8")
        write_metrics(tmp / "metrics.csv", trainer.history.columns())
        samples = trainer.sample(2500)
        np.save(tmp / "samples.npy", samples if trainer.data.kind == "points" else samples.reshape(-1, 8, 8))
        torch.save({"G": trainer.G.state_dict(), "D": trainer.D.state_dict()}, tmp / "weights.pt")
        summary = {"steps": trainer.step_count, "status": trainer.status, "reason": trainer.reason,
                   "events": trainer.events, "metrics_history": trainer.metrics_history,
                   "diagnosis": diagnosis, "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"), **(extra or {})}
        (tmp / "summary.json").write_text(json.dumps(json_safe(summary), indent=1) + "\n", encoding="utf-8")
        if path.is_dir():  # replace: move the old run aside, put the new one in place, then drop the old
            old = path.with_name(f".replaced-{path.name[:20]}-{os.getpid()}-{time.monotonic_ns()}")
            path.rename(old)
            tmp.rename(path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def check_target(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """The folder a run may be saved to (checked before training, so a long run is not lost at the end):
    new or empty, or an existing run when overwrite=True. Never a file or a folder of other files."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunError(f"{path}: is a file, not a run folder")
    if path.is_dir() and any(path.iterdir()):
        foreign = _foreign(path)
        if foreign:
            raise RunError(f"{path}: holds files a run does not write ({', '.join(foreign[:3])}): "
                           "choose an empty or new folder")
        if not overwrite:
            raise RunError(f"{path}: a run with this name exists already (choose another name or overwrite it)")
    if any(p.exists() and not p.is_dir() for p in path.parents):
        raise RunError(f"{path}: a part of the path is a file")
    return path


def save_diagnosed(trainer, path: str | os.PathLike, *, overwrite: bool = False) -> int:
    """save_run with the run's diagnosis; returns the step saved (a session handle's `call` runs it)."""
    from .diagnosis import diagnose_trainer

    save_run(trainer, path, overwrite=overwrite, diagnosis=diagnose_trainer(trainer).to_dict())
    return trainer.step_count


def write_metrics(path: Path, columns: dict[str, np.ndarray]) -> None:
    """metrics.csv: step as an integer, the rest with full float precision (NaN as an empty cell)."""
    frame = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})
    if "step" in frame:
        frame["step"] = frame["step"].astype(np.int64)
    frame.to_csv(path, index=False, float_format="%.17g")


# ---- reading ------------------------------------------------------------------------------------

def read_metrics(file: Path, header_only: bool = False) -> dict[str, np.ndarray]:
    """metrics.csv as float64 columns; columns of history.RECORD_KEYS it lacks (older files) read as NaN."""
    try:
        frame = pd.read_csv(file, nrows=0 if header_only else None, dtype=np.float64, engine="c")
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise RunError(f"{file}: unreadable or non-numeric ({' '.join(str(e).split())[:120]})") from None
    if not {"step", "d_loss", "g_loss"} <= set(frame.columns):
        raise RunError(f"{file}: expected a header with at least step, d_loss, g_loss")
    cols = {str(k): frame[k].to_numpy(dtype=np.float64) for k in frame.columns}
    for k in RECORD_KEYS:
        cols.setdefault(k, np.full(len(frame), np.nan))
    return cols


def peek_run(folder: Path) -> tuple[Config, dict]:
    """The cheap checks of a run folder: everything but parsing every row of metrics.csv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RunError(f"{folder}: no such run folder")
    missing = [f for f in REQUIRED if not (folder / f).is_file()]
    if missing:
        raise RunError(f"{folder}: incomplete run, missing {', '.join(missing)}")
    config = _read_config(folder / "config.json")
    summary = _read_summary(folder / "summary.json")
    read_metrics(folder / "metrics.csv", header_only=True)
    weights = folder / "weights.pt"
    if weights.is_file() and not zipfile.is_zipfile(weights):  # torch.save writes a zip
        raise RunError(f"{weights}: unreadable weights (not a file torch.save wrote)")
    return config, summary


def load_run(path: str | os.PathLike, *, samples: bool = True) -> Run:
    """A run's settings, summary and every row of its curves; its samples too if asked."""
    path = Path(path)
    config, summary = peek_run(path)
    run = Run(path, config, summary, read_metrics(path / "metrics.csv"))
    if samples and (path / "samples.npy").is_file():
        try:
            run.samples = np.load(path / "samples.npy", allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise RunError(f"{path / 'samples.npy'}: unreadable ({e})") from None
    return run


def load_weights(path: str | os.PathLike) -> dict:
    file = Path(path) / "weights.pt"
    try:
        return torch.load(file, weights_only=True)
    except FileNotFoundError:
        raise RunError(f"{file}: missing") from None
    except Exception as e:  # a corrupt or foreign pickle: say so, don't crash
        raise RunError(f"{file}: unreadable weights ({type(e).__name__})") from None


def check_run(path: str | os.PathLike) -> Run:
    """Load a run and check every file it has (for the CLI: a corrupt folder is an error, not a chart)."""
    run = load_run(path)
    if (run.path / "weights.pt").is_file():
        load_weights(run.path)
    return run


def scan_runs(root: str | os.PathLike | None = None) -> list[Run]:
    """Every sub-folder of the runs folder, sorted by name, read cheaply (no curves); a folder that cannot
    be read is listed with `error` set (on one line, file names relative to the folder)."""
    root = runs_root(root)
    if not root.is_dir():
        return []
    runs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            runs.append(Run(folder, *peek_run(folder)))
        except RunError as e:
            runs.append(Run(folder, None, {}, error=reason(e, folder)))
        except OSError as e:  # permissions, a vanished folder: still list the others
            runs.append(Run(folder, None, {}, error=f"unreadable ({e.strerror or e})"))
    return runs


def stamp(path: Path) -> tuple:
    """(file, mtime, size) of a run's files: changes whenever the run is saved again (a cache key)."""
    return tuple((f, s.st_mtime_ns, s.st_size) for f in FILES if (p := path / f).is_file() for s in [p.stat()])


def reason(error: Exception, folder: Path) -> str:
    """The error on one line, file names relative to the run folder."""
    text = " ".join(str(error).split())
    return text.replace(f"{folder}{os.sep}", "").replace(f"{folder}: ", "")


def _read_json(file: Path):
    def reject(constant):  # JSON has no NaN or Infinity; Python's parser would accept them
        raise ValueError(f"{constant} is not a JSON number")
    try:
        if file.stat().st_size > MAX_JSON_BYTES:
            raise RunError(f"{file}: larger than {MAX_JSON_BYTES // 1_000_000} MB")
        return json.loads(file.read_text(encoding="utf-8"), parse_constant=reject)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise RunError(f"{file}: not valid JSON ({' '.join(str(e).split())[:120]})") from None


def _read_config(file: Path) -> Config:
    values = _read_json(file)
    if not isinstance(values, dict):
        raise RunError(f"{file}: expected a JSON object of settings")
    try:
        return from_flat(values)
    except (ValueError, TypeError, OverflowError) as e:
        raise RunError(f"{file}: {e}") from None


def _read_summary(file: Path) -> dict:
    """summary.json, checked field by field: the comparison tables and replays trust what passes here."""
    s = _read_json(file)
    if not isinstance(s, dict):
        raise RunError(f"{file}: expected a JSON object")
    checks = {"steps": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
              "status": lambda v: v is None or v in ("ok", "diverged"),
              "reason": lambda v: v is None or isinstance(v, str),
              "events": lambda v: v is None or (isinstance(v, list) and all(isinstance(e, dict) for e in v)),
              "metrics_history": lambda v: v is None or (isinstance(v, list) and all(isinstance(m, dict) for m in v)),
              "diagnosis": lambda v: v is None or isinstance(v, dict),
              "fork_of": lambda v: v is None or isinstance(v, dict)}
    for key, ok in checks.items():
        if (key in s or key == "steps") and not ok(s.get(key)):
            raise RunError(f"{file}: '{key}' has an unexpected value ({str(s.get(key))[:40]!r})")
    return s


def json_safe(value):
    """JSON has no NaN: write None instead (read back as None)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


# ---- rename and delete ----------------------------------------------------------------------------

def _child(root: Path, name: str) -> Path:
    if not name or name in (".", "..") or Path(name).name != name or "/" in name or "\\" in name:
        raise RunError(f"{name!r} is not a folder name in the runs folder")
    path = root / name
    if not path.is_dir():
        raise RunError(f"{name}: no such run")
    return path


def _foreign(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name not in FILES or not p.is_file())


def rename_run(old: str, new: str, root: str | os.PathLike | None = None) -> Path:
    root = runs_root(root)
    source, new = _child(root, old), validate_name(new)
    target = root / new
    if target.exists():
        raise RunError(f"{new}: a run with this name exists already")
    return source.rename(target)


def delete_run(name: str, root: str | os.PathLike | None = None) -> None:
    """Delete a run folder; refuses a folder holding anything a run does not write (not ours to delete)."""
    path = _child(runs_root(root), name)
    foreign = _foreign(path)
    if foreign:
        raise RunError(f"{name}: holds files a run does not write ({', '.join(foreign[:3])}): "
                       "not deleted, remove it by hand")
    shutil.rmtree(path)
