"""Training curves: losses, mean D outputs, the D(x) / D(G(z)) distributions now and over time, gradient
norms and quality metrics. Pure plotly from `trainer.history.columns()`, `trainer.dist_history.columns()`,
`trainer.events` and `trainer.metrics_history` (plain numbers; no torch, no streamlit).

Every visible string comes from `labels` (defaults in DEFAULT_LABELS), so the UI can pass a translation.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .common import (
    D_COLOR,
    FAKE,
    FAKE_LIGHT,
    G_COLOR,
    MUTED,
    PALETTE,
    REAL,
    axis,
    downsample,
    ema,
    event_marks,
    f32,
    figure,
    finite_range,
    hline,
    int_steps,
    layout_dict,
    nice_ceiling,
)

DEFAULT_LABELS = {
    "step": "step",
    "loss_title": "Losses",
    "loss_y": "loss",
    "d_loss": "D loss",
    "g_loss": "G loss",
    "d_loss_ema": "D loss (EMA)",
    "d_penalty": "D penalty (R1 / GP, weighted)",
    "d_penalty_ema": "D penalty (EMA)",
    "g_loss_ema": "G loss (EMA)",
    "means_title": "Mean D output on real and generated data",
    "means_y": "mean D output",
    "means_y_critic": "mean critic score (raw; only differences matter)",
    "d_real": "D(x), real",
    "d_fake": "D(G(z)) before D update",
    "d_fake_after": "D(G(z)) after D update",
    "cant_tell": "D can't tell (0.5)",
    "hist_title": "D's verdicts on the current batch",
    "hist_x": "D output",
    "hist_x_critic": "critic score (raw)",
    "hist_y": "fraction of samples",
    "hist_real": "D(x), real",
    "hist_fake": "D(G(z)), generated",
    "strip_title": "D's verdicts over time",
    "strip_real": "D(x), real",
    "strip_fake": "D(G(z)), generated",
    "strip_y": "D output",
    "strip_y_critic": "critic score",
    "fraction": "fraction",
    "grad_title": "Gradient norms",
    "grad_y": "gradient norm (log)",
    "g_grad_norm": "G gradient norm",
    "d_grad_norm": "D gradient norm",
    "grad_warn": "warning level (100)",
    "metrics_title": "Quality metrics",
    "metrics_y": "value",
    "metrics_y2": "value (right axis)",
    "modes_covered": "modes covered",
    "modes_total": "modes in the data",
    "hq_fraction": "high-quality fraction",
    "js_grid": "JS divergence (grid)",
    "js_modes": "JS divergence (modes)",
    "energy_distance": "energy distance",
    "mmd": "MMD",
    "digits_score": "digits score (generated)",
    "digits_score_real": "digits score (real data)",
    "classes_covered": "classes covered",
    "frechet": "Fréchet distance",
}
STRIP_COLUMNS = 300
EMA_POINTS = 500  # a smooth curve needs fewer points than the raw one


def _labels(labels) -> dict:
    return {**DEFAULT_LABELS, **(labels or {})}


def _col(history: dict, key: str) -> np.ndarray:
    return np.asarray(history.get(key, np.full(len(history.get("step", [])), np.nan)), dtype=np.float64)


def _line(x, y, name, color, *, width=2.0, dash=None, opacity=1.0, hover_fmt=".4g", max_points=1000,
          **extra) -> dict:
    x, y = downsample(x, y, max_points=max_points)
    trace = dict(type="scatter", x=int_steps(x), y=f32(y), mode="lines", name=name,
                 line=dict(color=color, width=width, dash=dash), opacity=opacity,
                 hovertemplate=f"{name}: %{{y:{hover_fmt}}}<extra></extra>")  # "x unified": step heads the box
    return {**trace, **extra}


def _step_axis(lab, x_range) -> dict:
    return axis(lab["step"], range=list(x_range) if x_range is not None else None)


def loss_figure(history: dict, events=(), smoothing: float = 0.9, log_y: bool = False, labels=None, *,
                x_range=None, y_range=None, height: int = 360) -> go.Figure:
    """D and G loss over the steps: raw values as thin faint lines, their EMA as bold lines, and a dashed
    vertical line where a setting changed. smoothing = the EMA's weight of the past (0 = off)."""
    lab = _labels(labels)
    step = _col(history, "step")
    traces = []
    # L_D without its regulariser; the penalty (R1 / GP) as its own dotted line when it was ever on
    penalty = _col(history, "d_penalty")
    keys = [("d_loss", D_COLOR, None), ("g_loss", G_COLOR, None)]
    if np.nanmax(np.abs(penalty), initial=0.0) > 0:
        keys.append(("d_penalty", D_COLOR, "dot"))
    for key, color, dash in keys:
        y = _col(history, key)
        if log_y:
            y = np.where(y > 0, y, np.nan)  # losses can be <= 0 (WGAN, hinge): no point on a log axis
        traces.append(_line(step, y, lab[key], color, width=1.0, opacity=0.35, legendgroup=key, dash=dash,
                            showlegend=smoothing <= 0))
        if smoothing > 0:
            traces.append(_line(step, ema(y, smoothing, step), lab[f"{key}_ema"], color, width=3.0, dash=dash,
                                max_points=EMA_POINTS, legendgroup=key))
    y_axis = axis(lab["loss_y"], type="log" if log_y else "linear",
                  range=list(y_range) if y_range is not None else None)
    shapes, notes = event_marks(events)
    return figure(traces, layout_dict(lab["loss_title"], height, xaxis=_step_axis(lab, x_range), yaxis=y_axis,
                                      shapes=shapes, annotations=notes, hovermode="x unified"))


def d_means_figure(history: dict, events=(), labels=None, *, x_range=None, height: int = 360,
                   critic: bool = False) -> go.Figure:
    """Mean D(x), mean D(G(z)) before and after the D update, on [0, 1] (widened when LSGAN's raw outputs
    leave it), with the 0.5 line where D can no longer tell real from generated. critic=True (WGAN,
    WGAN-GP, hinge): raw scores on their own range and no 0.5 line (a critic's offset is free)."""
    lab = _labels(labels)
    step = _col(history, "step")
    cols = {k: _col(history, k) for k in ("d_real", "d_fake", "d_fake_after")}
    # "after" thinner, lighter and dashed on top: where the two coincide, "before" shows between the dashes
    traces = [_line(step, cols[k], lab[k], color, dash=dash, width=width, hover_fmt=".3f")
              for k, color, dash, width in (("d_real", REAL, None, 2.0), ("d_fake", FAKE, None, 2.0),
                                            ("d_fake_after", FAKE_LIGHT, "dash", 1.5))]
    lo, hi = finite_range(*cols.values()) or (0.0, 1.0)
    shapes, notes = event_marks(events)
    if critic:
        pad = 0.05 * (hi - lo) or 0.5
    else:
        lo, hi = min(0.0, lo), max(1.0, hi)
        pad = 0.03 * (hi - lo)
        half, half_note = hline(0.5, lab["cant_tell"])
        shapes, notes = [half, *shapes], half_note + notes
    return figure(traces, layout_dict(lab["means_title"], height, xaxis=_step_axis(lab, x_range),
                                      yaxis=axis(lab["means_y_critic" if critic else "means_y"],
                                                 range=[lo - pad, hi + pad]),
                                      shapes=shapes, annotations=notes,
                                      hovermode="x unified"))


def d_hist_figure(d_real, d_fake, bins: int = 20, labels=None, *, y_max=None, height: int = 320,
                  critic: bool = False) -> go.Figure:
    """The current distributions of D(x) and D(G(z)) as overlaid bars on [0, 1] (widened when LSGAN's raw
    outputs leave it) with the 0.5 line; critic=True: on the scores' own range, no 0.5 line. Numpy counts
    are sent (bins numbers per side), never the raw samples. y = fraction of each side's samples."""
    lab = _labels(labels)
    lo, hi = finite_range(d_real, d_fake) or (0.0, 1.0)
    if not critic:
        lo, hi = min(0.0, lo), max(1.0, hi)
    elif hi - lo < 1e-6:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    traces, top = [], 0.0
    for values, name, color in ((d_real, lab["hist_real"], REAL), (d_fake, lab["hist_fake"], FAKE)):
        v = np.asarray(values, dtype=np.float64).ravel()
        v = v[np.isfinite(v)]
        counts = np.histogram(v, bins=edges)[0]
        frac = counts / max(len(v), 1)
        top = max(top, float(frac.max(initial=0.0)))
        traces.append(dict(
            type="bar", x=f32(centres), y=f32(frac), width=(hi - lo) / bins, name=name,
            marker=dict(color=color, opacity=0.55),
            customdata=np.stack([edges[:-1], edges[1:], counts], axis=1).astype(np.float32),
            hovertemplate=(f"{name}<br>[%{{customdata[0]:.2f}}, %{{customdata[1]:.2f}}): "
                           "%{y:.1%} (%{customdata[2]:.0f})<extra></extra>"),
        ))
    half = [] if critic else [dict(type="line", xref="x", yref="paper", x0=0.5, x1=0.5, y0=0, y1=1,
                                   line=dict(color=MUTED, width=1.5, dash="dot"))]
    return figure(traces, layout_dict(
        lab["hist_title"], height, barmode="overlay", bargap=0, shapes=half,
        xaxis=axis(lab["hist_x_critic" if critic else "hist_x"], range=[lo, hi]),
        yaxis=axis(lab["hist_y"], range=[0.0, y_max or nice_ceiling(top * 1.05)], tickformat=".0%"),
    ))


def _bin_keys(columns: dict, prefix: str) -> list[str]:
    keys = [k for k in columns if k.startswith(prefix) and k[1:].isdigit()]
    return sorted(keys, key=lambda k: int(k[1:]))


def _column_means(step: np.ndarray, z: np.ndarray, max_columns: int):
    """Average consecutive rows into at most max_columns groups (each group's fractions still sum to 1)."""
    n = len(step)
    if n <= max_columns:
        return step, z
    starts = np.unique(np.linspace(0, n, max_columns + 1).astype(int)[:-1])
    sizes = np.diff(np.append(starts, n))
    return np.add.reduceat(step, starts) / sizes, np.add.reduceat(z, starts, axis=0) / sizes[:, None]


def _common_bins(z: np.ndarray, lo: np.ndarray, hi: np.ndarray, y0: float, y1: float) -> np.ndarray:
    """Rows of bin fractions, each over its own [lo, hi], moved onto one grid of as many bins over [y0, y1]:
    each bin's mass goes to the common bin holding its centre."""
    n, k = z.shape
    centres = lo[:, None] + (np.arange(k) + 0.5) / k * (hi - lo)[:, None]  # (n, k)
    idx = np.clip(((centres - y0) / (y1 - y0) * k).astype(int), 0, k - 1)
    out = np.zeros_like(z)
    np.add.at(out, (np.repeat(np.arange(n), k), idx.ravel()), z.ravel())
    return out


def d_strip_figure(dist_columns: dict, labels=None, *, x_range=None, z_max=None,
                   max_columns: int = STRIP_COLUMNS, height: int = 420, critic: bool = False) -> go.Figure:
    """D(x) (top) and D(G(z)) (bottom) distributions over time: x = step, y = bin centre of D's output,
    colour = fraction of the batch in that bin. Steps are averaged down to <= max_columns columns.
    Each row's range is its lo / hi columns ([0, 1] when absent); rows on other ranges (LSGAN, critics)
    are re-binned onto one grid over all of them. critic=True names the y axis a critic score."""
    lab = _labels(labels)
    step = _col(dist_columns, "step")
    lo = np.nan_to_num(_col(dist_columns, "lo"), nan=0.0)
    hi = np.nan_to_num(_col(dist_columns, "hi"), nan=1.0)
    hi = np.where(hi > lo, hi, lo + 1.0)
    y0, y1 = (float(lo.min()), float(hi.max())) if len(step) else (0.0, 1.0)
    zs = []
    for prefix in ("r", "f"):
        keys = _bin_keys(dist_columns, prefix)
        z = np.stack([_col(dist_columns, k) for k in keys], axis=1) if keys else np.zeros((len(step), 0))
        z = np.nan_to_num(z, nan=0.0)
        if z.size and not (np.all(lo == y0) and np.all(hi == y1)):
            z = _common_bins(z, lo, hi, y0, y1)
        zs.append(z)
    z_max = z_max or nice_ceiling(max(float(z.max(initial=0.0)) for z in zs))
    traces, layout = [], {}
    y_title = lab["strip_y_critic" if critic else "strip_y"]
    panels = ((zs[0], REAL, lab["strip_real"], [0.55, 1.0]), (zs[1], FAKE, lab["strip_fake"], [0.0, 0.45]))
    for i, (z, color, name, domain) in enumerate(panels, start=1):
        centres = y0 + (np.arange(z.shape[1]) + 0.5) / max(z.shape[1], 1) * (y1 - y0)
        x, z = _column_means(step, z, max_columns)
        traces.append(dict(
            type="heatmap", x=int_steps(x), y=f32(centres), z=f32(z.T), zmin=0.0, zmax=z_max, name=name,
            xaxis=f"x{i if i > 1 else ''}", yaxis=f"y{i if i > 1 else ''}",
            colorscale=[[0.0, "#ffffff"], [1.0, color]],
            colorbar=dict(title=dict(text=lab["fraction"]), len=0.42, y=sum(domain) / 2, tickformat=".0%",
                          thickness=14),
            hovertemplate=(f"{name}<br>{lab['step']} %{{x}}<br>{y_title} ≈ %{{y:.3f}}<br>"
                           f"{lab['fraction']} %{{z:.1%}}<extra></extra>"),
        ))
        suffix = "" if i == 1 else str(i)
        layout[f"yaxis{suffix}"] = axis(y_title, range=[y0, y1], domain=domain, anchor=f"x{suffix}",
                                        showgrid=False)
        layout[f"xaxis{suffix}"] = axis(lab["step"] if i == 2 else None, anchor=f"y{suffix}", showgrid=False,
                                        range=list(x_range) if x_range is not None else None,
                                        **({"matches": "x"} if i == 2 else {"showticklabels": False}))
    titles = [dict(text=p[2], xref="paper", yref="paper", x=0.5, y=p[3][1], xanchor="center",
                   yanchor="bottom", showarrow=False) for p in panels]
    return figure(traces, layout_dict(lab["strip_title"], height, annotations=titles, **layout))


def grad_norm_figure(history: dict, labels=None, *, events=(), warn_level: float | None = 100.0,
                     x_range=None, height: int = 320) -> go.Figure:
    """G's and D's gradient norms on a log axis; a dotted line at `warn_level` (ganhacks: norms above
    ~100 signal trouble). Zero norms (no gradient yet) are left out: log(0) has no place on the axis."""
    lab = _labels(labels)
    step = _col(history, "step")
    traces = []
    for key, color in (("d_grad_norm", D_COLOR), ("g_grad_norm", G_COLOR)):
        y = _col(history, key)
        traces.append(_line(step, np.where(y > 0, y, np.nan), lab[key], color, width=1.5))
    shapes, notes = event_marks(events)
    if warn_level:
        warn, warn_note = hline(warn_level, lab["grad_warn"], right=True, below=True, log=True)
        shapes, notes = [warn, *shapes], warn_note + notes
    return figure(traces, layout_dict(lab["grad_title"], height, xaxis=_step_axis(lab, x_range),
                                      yaxis=axis(lab["grad_y"], type="log", exponentformat="power"),
                                      shapes=shapes, annotations=notes, hovermode="x unified"))


def _scalar(v) -> float:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    return math.nan  # lists (mode_counts), strings, None


def metrics_figure(metrics_history, keys, labels=None, *, x_range=None, height: int = 340) -> go.Figure:
    """Chosen metric keys over the steps, lines with markers. Keys whose scale differs from the first
    key's by more than 10x go on a right-hand axis (dashed), so e.g. a coverage count and a distance both
    stay readable. A key ending in "_real" (the real data's own score) is drawn in the real-data colour,
    and its partner (digits_score beside digits_score_real) in the generated-data colour."""
    lab = _labels(labels)
    rows, keys = list(metrics_history), list(keys)
    step = np.array([_scalar(r.get("step")) for r in rows], dtype=np.float64)
    series = {k: np.array([_scalar(r.get(k)) for r in rows], dtype=np.float64) for k in keys}
    scales = {k: (finite_range(np.abs(v)) or (0.0, 0.0))[1] for k, v in series.items()}
    first = scales[keys[0]] if keys else 0.0
    traces, right = [], False
    for i, (key, y) in enumerate(series.items()):
        s = scales[key]
        on_right = bool(first > 0 and s > 0 and max(s / first, first / s) > 10)
        right |= on_right
        color = REAL if key.endswith("_real") else FAKE if f"{key}_real" in series else PALETTE[i % len(PALETTE)]
        traces.append(_line(step, y, lab.get(key, key), color, width=2.5, dash="dash" if on_right else None,
                            mode="lines+markers", marker=dict(size=6), yaxis="y2" if on_right else "y"))
    layout = layout_dict(lab["metrics_title"], height, xaxis=_step_axis(lab, x_range),
                         yaxis=axis(lab["metrics_y"]), hovermode="x unified")
    if right:
        layout["yaxis2"] = axis(lab["metrics_y2"], overlaying="y", side="right", showgrid=False, tickmode="auto")
        layout["margin"]["r"] = 80
    return figure(traces, layout)
