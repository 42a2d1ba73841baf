"""What G makes: 2-D samples over D's heatmap (with G's gradient arrows and its warped noise grid), digit
image grids, and the per-mode counts of high-quality samples. Pure plotly from `trainer.snapshot()` and
metric dicts (numpy arrays and floats; no torch, no streamlit).

Every visible string comes from `labels` (defaults in DEFAULT_LABELS), so the UI can pass a translation.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import FAKE, REAL, axis, f32, figure, hline, layout_dict

DEFAULT_LABELS = {
    "points_title": "Real and generated samples (step {step})",
    "real": "real data",
    "fake": "generated G(z)",
    "d_colorbar": "D(x)",
    "d_colorbar_critic": "critic score",
    "d_hover": "D",
    "arrows": "where G's loss pushes the fakes",
    "manifold": "G's image of a noise grid",
    "x": "x₁",
    "y": "x₂",
    "digits_title": "Generated digits",
    "digits_title_step": "Generated digits (step {step})",
    "pixel": "pixel",
    "mode_title": "High-quality samples per mode",
    "mode_x": "mode",
    "mode_y": "high-quality samples",
    "mode_bar": "samples",
    "uniform": "uniform: {value:.0f} each",
}
# D's verdict: pale red (D says "generated") - white (0.5, can't tell) - pale blue (D says "real"); pale,
# so the red fakes and blue reals drawn on top stay visible. The hues match FAKE and REAL.
D_SCALE = [[0.0, "#f4a3a4"], [0.25, "#fbd5d5"], [0.5, "#ffffff"], [0.75, "#cde0f1"], [1.0, "#8fbbe0"]]
ARROW_COLOR = "#7a0c0d"  # G's colour, darker than the fakes it starts from
ARROW_FRACTION = 0.08  # the longest arrow is drawn as 8% of the larger axis span
MAX_GRID = 64  # heatmap cells per side


def _labels(labels) -> dict:
    return {**DEFAULT_LABELS, **(labels or {})}


def _title(template: str, **values) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _thin_grid(xs, ys, z):
    """Every k-th row / column so the heatmap has at most MAX_GRID cells per side."""
    k = max(1, int(np.ceil(max(len(xs), len(ys)) / MAX_GRID)))
    return xs[::k], ys[::k], z[::k, ::k]


def _segments(starts: np.ndarray, ends: np.ndarray):
    """Rows [start, end, NaN] flattened: many segments as ONE line trace (NaN breaks the line)."""
    gap = np.full(len(starts), np.nan)
    return (np.stack([starts[:, 0], ends[:, 0], gap], axis=1).ravel(),
            np.stack([starts[:, 1], ends[:, 1], gap], axis=1).ravel())


def _arrow_trace(origin, direction, span: float, name: str) -> dict:
    """G's push on each fake, scaled so the longest is ARROW_FRACTION of the view (lengths stay relative),
    as one trace: line segments plus an arrow-head marker pointing along each segment."""
    origin = np.nan_to_num(np.asarray(origin, dtype=np.float64))
    direction = np.nan_to_num(np.asarray(direction, dtype=np.float64), posinf=0.0, neginf=0.0)
    longest = float(np.hypot(direction[:, 0], direction[:, 1]).max(initial=0.0))
    scale = ARROW_FRACTION * span / longest if longest > 0 else 0.0
    x, y = _segments(origin, origin + scale * direction)
    sizes = np.tile(np.array([0, 10, 0], dtype=np.int8), len(origin))
    return dict(type="scatter", x=f32(x), y=f32(y), mode="lines+markers", name=name, hoverinfo="skip",
                line=dict(color=ARROW_COLOR, width=1.5),
                marker=dict(symbol="arrow", angleref="previous", size=sizes, color=ARROW_COLOR))


def _manifold_trace(manifold, name: str) -> dict:
    """G's image of a k x k noise grid: its k rows and k columns as polylines in ONE trace."""
    m = np.asarray(manifold, dtype=np.float64)  # (k, k, 2)
    k = m.shape[0]
    lines = np.concatenate([m, m.transpose(1, 0, 2)], axis=0)  # (2k, k, 2): rows, then columns
    lines = np.concatenate([lines, np.full((2 * k, 1, 2), np.nan)], axis=1).reshape(-1, 2)
    return dict(type="scatter", x=f32(lines[:, 0]), y=f32(lines[:, 1]), mode="lines", name=name,
                hoverinfo="skip", line=dict(color="rgba(214,39,40,0.45)", width=1))


def _points_trace(xy, d, name, color, symbol, d_name) -> dict:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    d = np.asarray(d, dtype=np.float64).ravel() if d is not None else np.full(len(xy), np.nan)
    return dict(
        type="scatter", x=f32(xy[:, 0]), y=f32(xy[:, 1]), customdata=f32(d), mode="markers", name=name,
        marker=dict(color=color, size=6, symbol=symbol, opacity=0.8, line=dict(color="white", width=0.5)),
        hovertemplate=f"{name}<br>(%{{x:.3f}}, %{{y:.3f}})<br>{d_name} = %{{customdata:.3f}}<extra></extra>",
    )


def points_figure(snap: dict, show_heatmap: bool = True, show_arrows: bool = False, show_manifold: bool = False,
                  labels=None, *, height: int = 520, max_real: int | None = None,
                  max_fake: int | None = None) -> go.Figure:
    """2-D samples: D's heatmap (diverging, white at 0.5), real points, generated points, optionally the
    arrows of G's gradient and G's warped noise grid. Axes fixed to the data's bounds, equal aspect.
    max_real / max_fake draw only the first so many points (each SVG marker costs the browser time)."""
    lab = _labels(labels)
    x0, x1, y0, y1 = (float(b) for b in snap["bounds"])
    traces = []
    if show_heatmap and "d_grid" in snap:
        xs, ys, z = _thin_grid(np.asarray(snap["grid_x"]), np.asarray(snap["grid_y"]), np.asarray(snap["d_grid"]))
        finite = z[np.isfinite(z)]
        # A critic's score has no neutral value (its offset is free): white at the middle of its range.
        critic = bool(snap.get("critic")) and finite.size > 0
        mid = (float(finite.min()) + float(finite.max())) / 2 if critic else 0.5
        half = max(0.0 if critic else 0.5, float(np.abs(finite - mid).max(initial=0.0)))  # LSGAN's may leave [0, 1]
        half = half or 0.5
        traces.append(dict(
            type="heatmap", x=f32(xs), y=f32(ys), z=f32(z), zmin=mid - half, zmax=mid + half, colorscale=D_SCALE,
            colorbar=dict(title=dict(text=lab["d_colorbar_critic" if critic else "d_colorbar"]), thickness=14, len=0.8),
            hovertemplate=f"(%{{x:.2f}}, %{{y:.2f}})<br>{lab['d_hover']} = %{{z:.3f}}<extra></extra>",
        ))
    if show_manifold and "manifold" in snap:
        traces.append(_manifold_trace(snap["manifold"], lab["manifold"]))
    for kind, most, color, symbol in (("real", max_real, REAL, "circle"), ("fake", max_fake, FAKE, "x")):
        d = snap.get(f"d_{kind}")
        traces.append(_points_trace(snap[kind][:most], None if d is None else d[:most], lab[kind], color, symbol,
                                    lab["d_hover"]))
    if show_arrows and "arrows" in snap:
        traces.append(_arrow_trace(snap["arrows_from"], snap["arrows"], max(x1 - x0, y1 - y0), lab["arrows"]))
    return figure(traces, layout_dict(
        _title(lab["points_title"], step=snap.get("step", "")), height,
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0), margin=dict(b=110),
        xaxis=axis(lab["x"], range=[x0, x1], constrain="domain", showgrid=False),
        yaxis=axis(lab["y"], range=[y0, y1], scaleanchor="x", scaleratio=1, constrain="domain", showgrid=False),
    ))


def digit_mosaic(images, rows: int = 8, cols: int = 8, gap: int = 1) -> np.ndarray:
    """(n, 64) images in [-1, 1] tiled into one (rows*8 + gaps) x (cols*8 + gaps) array; gaps and empty
    tiles are NaN (drawn as the background). Row-major: image i at tile (i // cols, i % cols)."""
    imgs = np.asarray(images, dtype=np.float64).reshape(-1, 8, 8)[: rows * cols]
    out = np.full((rows * (8 + gap) - gap, cols * (8 + gap) - gap), np.nan)
    for i, img in enumerate(imgs):
        r, c = divmod(i, cols)
        out[r * (8 + gap): r * (8 + gap) + 8, c * (8 + gap): c * (8 + gap) + 8] = img
    return out


def digits_figure(images, rows: int = 8, cols: int = 8, labels=None, *, step=None,
                  height: int = 420) -> go.Figure:
    """A grid of 8x8 digit images as ONE grayscale heatmap (fast to send and redraw): ink (+1) black on
    white paper (-1), as scikit-learn shows its digits; grey gaps between the images. No ticks, square."""
    lab = _labels(labels)
    mosaic = np.clip(digit_mosaic(images, rows, cols), -1.0, 1.0)
    heat = dict(type="heatmap", z=f32(mosaic), zmin=-1.0, zmax=1.0, colorscale=[[0.0, "#ffffff"], [1.0, "#000000"]],
                showscale=False, hovertemplate=f"{lab['pixel']} = %{{z:.2f}}<extra></extra>")
    title = lab["digits_title"] if step is None else _title(lab["digits_title_step"], step=step)
    hidden = dict(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="",
                  constrain="domain")
    return figure([heat], layout_dict(
        title, height, plot_bgcolor="#9e9e9e", margin=dict(l=10, r=10, b=10),
        xaxis=dict(hidden, range=[-0.5, mosaic.shape[1] - 0.5]),
        yaxis=dict(hidden, range=[mosaic.shape[0] - 0.5, -0.5], scaleanchor="x", scaleratio=1),
    ))


def mode_bar_figure(mode_counts, labels=None, *, height: int = 320) -> go.Figure:
    """High-quality samples per mode (metrics.mode_stats' mode_counts), with a dashed line at the count
    every mode would get if G covered them all equally. Missing bars = dropped modes (mode collapse)."""
    lab = _labels(labels)
    counts = np.nan_to_num(np.asarray(mode_counts, dtype=np.float64).ravel())
    k, total = len(counts), float(counts.sum())
    share = counts / total if total > 0 else np.zeros(k)
    bars = dict(
        type="bar", x=np.arange(k, dtype=np.int32), y=f32(counts), customdata=f32(share), name=lab["mode_bar"],
        marker=dict(color=FAKE), text=[f"{c:.0f}" for c in counts], textposition="outside", cliponaxis=False,
        hovertemplate=f"{lab['mode_x']} %{{x}}: %{{y:.0f}} (%{{customdata:.1%}})<extra></extra>",
    )
    expected = total / k if k else 0.0
    line, notes = hline(expected, _title(lab["uniform"], value=expected), dash="dash", right=True)
    top = max(float(counts.max(initial=0.0)), expected) * 1.15 or 1.0
    return figure([bars], layout_dict(
        lab["mode_title"], height, showlegend=False, shapes=[line] if k else [], annotations=notes if k else [],
        xaxis=axis(lab["mode_x"], tickmode="linear", dtick=1 if k <= 25 else 5, range=[-0.5, k - 0.5],
                   showgrid=False),
        yaxis=axis(lab["mode_y"], range=[0, top]),
    ))
