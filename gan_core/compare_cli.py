"""`python -m gan_core compare RUN ... --out FILE.png|FILE.csv`: saved runs' curves overlaid by step.

The CSV path never imports plotly (tables.curves_csv); the PNG is drawn by figures.runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .store import RunError, check_run, resolve_run
from .tables import curves_csv, valid_events


def _names(paths: list[Path]) -> list[str]:
    """Folder names as legend labels; the full path where two folders share a name."""
    base = [p.name or str(p) for p in paths]
    return [str(p) if base.count(b) > 1 else b for p, b in zip(paths, base, strict=True)]


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
        from .figures.runs import comparison_png

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
