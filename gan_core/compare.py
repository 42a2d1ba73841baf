"""Comparing saved runs: list the runs folder, name / rename / delete runs, align curves by step, tables,
CSV, and `python -m gan_core compare RUN_DIR ... --out FILE.png|FILE.csv` (the PNG: figures.compare).

Listing is light (settings, summary, the CSV's header, weights.pt's format): a class folder of many
long runs lists in milliseconds; a run's full metrics.csv is read only when it is selected.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import runs as run_files
from .config import Config
from .history import RECORD_KEYS
from .runs import FILES, Run, RunError, runs_root, validate_name

NAME_CHAR = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff ]")  # the characters runs.validate_name allows
CURVE_KEYS = ("d_loss", "g_loss", "d_real", "d_fake")


@dataclass
class Entry:
    """One folder of the runs root: its settings and summary, or why it cannot be read."""
    name: str
    path: Path
    config: Config | None = None
    summary: dict | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---- listing --------------------------------------------------------------------------------------

def peek_run(folder: Path) -> tuple[Config, dict]:
    """The cheap checks of a run folder (everything but parsing every row of metrics.csv)."""
    if not folder.is_dir():
        raise RunError(f"{folder}: no such run folder")
    missing = [f for f in ("config.json", "metrics.csv", "summary.json") if not (folder / f).is_file()]
    if missing:
        raise RunError(f"{folder}: incomplete run, missing {', '.join(missing)}")
    config = run_files._read_config(folder / "config.json")
    summary = run_files._read_json(folder / "summary.json")
    if not isinstance(summary, dict) or not isinstance(summary.get("steps"), int):
        raise RunError(f"{folder / 'summary.json'}: expected an object with an integer 'steps'")
    try:
        with open(folder / "metrics.csv", newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as e:
        raise RunError(f"{folder / 'metrics.csv'}: unreadable ({e})") from None
    if not {"step", "d_loss", "g_loss"} <= set(header):
        raise RunError(f"{folder / 'metrics.csv'}: expected a header with at least step, d_loss, g_loss")
    weights = folder / "weights.pt"
    if weights.is_file() and not zipfile.is_zipfile(weights):  # torch.save writes a zip; check_run loads it
        raise RunError(f"{weights}: unreadable weights (not a file torch.save wrote)")
    return config, summary


def read_history(file: Path) -> dict[str, np.ndarray]:
    """metrics.csv as columns with numpy's C reader (several times faster than the csv module); any
    problem is left to runs.read_metrics_csv, which names it in a RunError."""
    try:
        with open(file, encoding="utf-8") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": handled below
            header = f.readline().strip().split(",")
            table = np.loadtxt(f, delimiter=",", ndmin=2, dtype=np.float64)
    except (ValueError, OSError, UnicodeDecodeError):
        table = None
    usable = {"step", "d_loss", "g_loss"} <= set(header)
    if table is None or not len(table) or table.shape[1] != len(header) or not usable:
        return run_files.read_metrics_csv(file)
    cols = {k: table[:, i] for i, k in enumerate(header)}
    for k in RECORD_KEYS:  # as runs.read_metrics_csv: missing columns read as NaN
        cols.setdefault(k, np.full(len(table), np.nan))
    return cols


def load_for_compare(path: str | os.PathLike) -> Run:
    """A run's settings, summary and every row of its curves (no samples, no weights): what the page needs."""
    path = Path(path)
    config, summary = peek_run(path)
    return Run(path, config, read_history(path / "metrics.csv"), summary)


def scan_runs(root: str | os.PathLike | None = None) -> list[Entry]:
    """Every sub-folder of the runs root, sorted by name; unreadable ones carry the reason."""
    root = runs_root(root)
    if not root.is_dir():
        return []
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            config, summary = peek_run(folder)
            entries.append(Entry(folder.name, folder, config, summary))
        except RunError as e:
            entries.append(Entry(folder.name, folder, error=reason(e, folder)))
    return entries


def stamp(path: Path) -> tuple:
    """(file, mtime, size) of a run's files: changes whenever the run is saved again (a cache key)."""
    return tuple((f, s.st_mtime_ns, s.st_size) for f in FILES if (p := path / f).is_file() for s in [p.stat()])


def suggest_name(c: Config, step: int, folder: Path) -> str:
    """'ring8 non-saturating lr 0.001 step 1200', made unique in the folder."""
    folder = Path(folder)
    existing = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    return unique_name(f"{c.dataset} {c.loss} lr {c.lr_d:g} step {step}", existing)


def listing_rows(entries: list[Entry]) -> list[dict]:
    """The readable runs as table rows: run, saved, steps, dataset, loss, lr_g, lr_d, seed, status, fork_of."""
    rows = []
    for e in (e for e in entries if e.ok):
        c, s = e.config, e.summary
        fork = s.get("fork_of") if isinstance(s.get("fork_of"), dict) else {}
        rows.append({"run": e.name, "saved": s.get("saved_at", ""), "steps": s["steps"], "dataset": c.dataset,
                     "loss": c.loss, "lr_g": c.lr_g, "lr_d": c.lr_d, "seed": c.seed,
                     "status": s.get("status") or "ok", "fork_of": fork.get("run", "")})
    return rows


def reason(error: Exception, folder: Path) -> str:
    """The error on one line, file names relative to the run folder."""
    text = " ".join(str(error).split())
    return text.replace(f"{folder}{os.sep}", "").replace(f"{folder}: ", "")


def check_run(path: str | os.PathLike) -> Run:
    """Load a run and check every file it has (for the CLI: a corrupt folder is an error, not a chart)."""
    run = run_files.load_run(path, samples=True)
    if (run.path / "weights.pt").is_file():
        run_files.load_weights(run.path)
    return run


# ---- names, rename and delete ---------------------------------------------------------------------

def unique_name(stem: str, existing) -> str:
    """A valid run name from free text (other characters become spaces), with ' 2', ' 3', ... appended
    while the name is taken."""
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


def _child(root: Path, name: str) -> Path:
    if not name or name in (".", "..") or Path(name).name != name or "/" in name or "\\" in name:
        raise RunError(f"{name!r} is not a folder name in {root}")
    path = root / name
    if not path.is_dir():
        raise RunError(f"{path}: no such run folder")
    return path


def rename_run(old: str, new: str, root: str | os.PathLike | None = None) -> Path:
    root = runs_root(root)
    source, new = _child(root, old), validate_name(new)
    target = root / new
    if target.exists():
        raise RunError(f"{target}: a run with this name exists already")
    return source.rename(target)


def delete_run(name: str, root: str | os.PathLike | None = None) -> None:
    """Delete a run folder; refuses a folder holding anything a run does not write (not ours to delete)."""
    path = _child(runs_root(root), name)
    foreign = sorted(p.name for p in path.iterdir() if p.name not in FILES or not p.is_file())
    if foreign:
        raise RunError(f"{path}: holds files a run does not write ({', '.join(foreign[:3])}): "
                       "not deleted, remove it by hand")
    shutil.rmtree(path)


# ---- aligned curves and tables --------------------------------------------------------------------

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
    from .figures.common import ema

    steps, aligned = align(histories, keys)
    header, cols = ["step"], []
    for name, values in aligned.items():
        for key in keys:
            header.append(f"{name}:{key}")
            cols.append(values[key])
            if smoothing > 0:
                h = histories[name]
                y = np.asarray(h.get(key, np.full(len(h["step"]), np.nan)), dtype=np.float64)
                header.append(f"{name}:{key}_ema")
                cols.append(_spread(steps, h["step"], ema(y, smoothing, h["step"])))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    table = np.column_stack([steps, *cols]) if cols else steps[:, None]
    for row in table:
        writer.writerow([f"{int(row[0])}", *("" if not np.isfinite(v) else f"{v:.8g}" for v in row[1:])])
    return buf.getvalue()


def _spread(steps: np.ndarray, run_steps, values) -> np.ndarray:
    """A run's values placed on the common step axis (NaN at the other steps)."""
    col = np.full(len(steps), np.nan)
    col[np.searchsorted(steps, np.asarray(run_steps, dtype=np.float64))] = np.asarray(values, dtype=np.float64)
    return col


# ---- the CLI ---------------------------------------------------------------------------------------

def _names(paths: list[Path]) -> list[str]:
    """Folder names as legend labels; the full path where two folders share a name."""
    base = [p.name or str(p) for p in paths]
    return [str(p) if base.count(b) > 1 else b for p, b in zip(paths, base, strict=True)]


def resolve_run(text: str, runs_dir: str | os.PathLike | None = None) -> Path:
    """A run folder given as a path, or as a bare run name in the runs folder (runs_root(runs_dir))."""
    path = Path(text)
    if not path.exists() and Path(text).name == text and (runs_root(runs_dir) / text).is_dir():
        return runs_root(runs_dir) / text
    return path


def compare_cli(run_dirs: list[str], out: str, smoothing: float = 0.9, log_y: bool = False,
                runs_dir: str | os.PathLike | None = None) -> int:
    """Write the comparison of the runs (folders, or names in the runs folder) to FILE.png or FILE.csv.
    A missing or corrupt folder: exit code 2 and one line naming the folder and the problem (no traceback)."""
    def fail(message: str) -> int:
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        return 2

    target = Path(out)
    if target.suffix.lower() not in (".png", ".csv"):
        return fail(f"--out {out}: expected a file name ending in .png or .csv")
    if not target.parent.is_dir():
        return fail(f"--out {out}: the folder {target.parent} does not exist")
    paths = [resolve_run(d, runs_dir) for d in run_dirs]
    runs = {}
    for name, path in zip(_names(paths), paths, strict=True):
        try:
            runs[name] = check_run(path)
        except RunError as e:
            return fail(str(e))
    if target.suffix.lower() == ".png":
        from .figures.compare import comparison_png
        from .fork import valid_events

        events = {n: valid_events(r.summary.get("events")) for n, r in runs.items()}
        data = comparison_png({n: r.history for n, r in runs.items()}, events, smoothing=smoothing, log_y=log_y)
    else:
        data = curves_csv({n: r.history for n, r in runs.items()}, smoothing=smoothing).encode("utf-8")
    try:
        target.write_bytes(data)
    except OSError as e:
        return fail(f"--out {out}: cannot write ({e.strerror or e})")
    print(f"wrote {out}: {len(runs)} runs ({', '.join(runs)})")
    return 0
