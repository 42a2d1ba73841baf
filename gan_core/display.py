"""Plain helpers for showing results, shared by the tables, the figures and the GIF export (numpy only):
settings and mid-run changes as short text, and digit images tiled into one mosaic."""

from __future__ import annotations

import numpy as np


def fmt_value(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:g}"


def event_text(event: dict, max_changes: int = 2) -> str:
    """'lr_d 0.001→0.0001' (further changes summed up as '+N')."""
    items = list(event.get("changes", {}).items())
    parts = [f"{k} {fmt_value(old)}→{fmt_value(new)}" for k, (old, new) in items[:max_changes]]
    if len(items) > max_changes:
        parts.append(f"+{len(items) - max_changes}")
    return ", ".join(parts)


def digit_mosaic(images, rows: int = 8, cols: int = 8, gap: int = 1) -> np.ndarray:
    """(n, 64) images in [-1, 1] tiled into one (rows*8 + gaps) x (cols*8 + gaps) array; gaps and empty
    tiles are NaN (drawn as the background). Row-major: image i at tile (i // cols, i % cols)."""
    imgs = np.asarray(images, dtype=np.float64).reshape(-1, 8, 8)[: rows * cols]
    out = np.full((rows * (8 + gap) - gap, cols * (8 + gap) - gap), np.nan)
    for i, img in enumerate(imgs):
        r, c = divmod(i, cols)
        out[r * (8 + gap): r * (8 + gap) + 8, c * (8 + gap): c * (8 + gap) + 8] = img
    return out
