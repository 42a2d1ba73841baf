"""`python -m gan_core sweep`: run a stability map from the command line and write its table and picture.

    python -m gan_core sweep --preset ring-stable --grid lr_d=1e-4,1e-3,1e-2 --grid lr_g=1e-4,1e-3,1e-2 \
        --seeds 0-1 --steps 2000 --out maps/ring

--out DIR writes DIR/sweep.csv (one row per run), DIR/map.png (the map) and DIR/map.json (the map as the
Stability map page loads it: assets/maps/*.json are made this way).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import torch

from .presets import get_preset
from .sweep import ROW_KEYS, batches, parse_grid, plan, run_sweep, summarize, trainers_backend

MAX_STEPS = 100_000


def sweep_cli(args, progress, parse_seeds, parse_sets) -> int:
    preset = get_preset(args.preset)
    overrides = parse_sets(args.set)
    base = preset.config(**overrides)
    axes = parse_grid(args.grid, base)
    seeds = parse_seeds(args.seeds)
    steps = preset.steps if args.steps is None else args.steps
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"--steps {steps}: expected 1 to {MAX_STEPS:,}")
    if not 1 <= args.threads <= 64:
        raise ValueError(f"--threads {args.threads}: expected 1 to 64")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise ValueError(f"--out {args.out}: exists and is not a folder")
    torch.set_num_threads(args.threads)
    ray = args.ray if args.ray is not None else trainers_backend()
    _, fallback = batches(plan(base, axes, seeds))
    if fallback:  # said before training, so nobody mistakes the slower path for the ensemble's
        why = ", ".join(f"{n} with {reason}" for reason, n in sorted(fallback.items()))
        print(f"note: runs the ensemble does not support train one by one on the plain Trainer ({why})",
              file=sys.stderr)
    t0 = time.perf_counter()
    rows = run_sweep(base, axes, seeds, steps, ray=ray, progress=progress)
    seconds = round(time.perf_counter() - t0, 2)
    cells = summarize(rows, axes)
    if out is not None:
        write_outputs(out, args.preset, overrides, axes, seeds, steps, rows, cells, seconds)
    if args.json:
        print(json.dumps({"rows": rows, "seconds": seconds}, allow_nan=False, ensure_ascii=False))
    else:
        print(format_cells(cells, axes))
        print(f"{len(rows)} runs x {steps} steps in {seconds} s"
              + (f"; wrote {out}/sweep.csv, map.png, map.json" if out else ""))
    return 0


def format_cells(cells: list[dict], axes) -> str:
    keys = [k for k, _ in axes]
    lines = ["  ".join(f"{k:>12}" for k in keys) + f"  {'majority':<20} healthy  counts"]
    for c in cells:
        values = "  ".join(f"{c['settings'][k]!s:>12}" for k in keys)
        counts = ", ".join(f"{label} {n}" for label, n in sorted(c["counts"].items()))
        lines.append(f"{values}  {c['majority']:<20} {c['healthy']:>6.0%}  {counts}")
    return "\n".join(lines)


def rows_csv(rows: list[dict]) -> str:
    """One line per run: cell, seed, status, diagnosis, engine, final numbers, metrics, then the config."""
    flat = []
    for r in rows:
        line = {"cell": "/".join(map(str, r["cell"])), "seed": r["seed"], "steps": r["steps"], "status": r["status"],
                "diagnosis": r["diagnosis"], "engine": r["engine"],
                **{k: r[k] for k in ("d_loss", "g_loss", "d_real", "d_fake")}, **r["metrics"]}
        line.update({f"config.{k}": v for k, v in r["config"].items()})
        flat.append(line)
    columns = list(dict.fromkeys(k for line in flat for k in line))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return buf.getvalue()


def map_document(preset: str, overrides: dict, axes, seeds, steps: int, rows: list[dict], cells: list[dict],
                 seconds: float) -> dict:
    """What the Stability map page shows: axes, seeds, each cell's summary and each run's outcome."""
    return {"preset": preset, "set": overrides, "steps": steps, "seeds": list(seeds),
            "axes": [{"key": k, "values": list(v)} for k, v in axes], "cells": cells,
            "rows": [{k: r[k] for k in ROW_KEYS} for r in rows], "seconds": seconds,
            "command": command_line(preset, overrides, axes, seeds, steps)}


def command_line(preset: str, overrides: dict, axes, seeds, steps: int) -> str:
    grid = " ".join(f"--grid {k}={','.join(f'{v:g}' if isinstance(v, float) else str(v) for v in vals)}"
                    for k, vals in axes)
    seeds = list(seeds)
    seed_text = ",".join(map(str, seeds))
    if len(seeds) > 1 and seeds == list(range(min(seeds), max(seeds) + 1)):
        seed_text = f"{min(seeds)}-{max(seeds)}"
    sets = "".join(f" --set {k}={v}" for k, v in overrides.items())
    return f"python -m gan_core sweep --preset {preset}{sets} {grid} --seeds {seed_text} --steps {steps}"


def write_outputs(out: Path, preset: str, overrides: dict, axes, seeds, steps, rows, cells, seconds) -> None:
    from .figures.stability import map_png

    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "sweep.csv").write_text(rows_csv(rows), encoding="utf-8")
        document = map_document(preset, overrides, axes, seeds, steps, rows, cells, seconds)
        (out / "map.json").write_text(json.dumps(document, allow_nan=False, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
        (out / "map.png").write_bytes(map_png(document))
    except OSError as e:
        raise ValueError(f"--out {out}: cannot write ({e.strerror or e})") from None
