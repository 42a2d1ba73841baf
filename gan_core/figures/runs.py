"""Overlays of saved runs: for the Compare page one curve (D loss, G loss, mean D(x), mean D(G(z))) or one
quality metric per plotly figure, one colour per run, on a common step axis; for slides and the CLI the
four curves as one matplotlib PNG (Agg: no display, no kaleido). From history columns (`Run.history`),
metric lists and event lists (plain numbers; no torch, no streamlit).

Every visible string comes from `labels` (defaults in DEFAULT_LABELS), so the UI can pass a translation.
"""

from __future__ import annotations

import io
import math

import numpy as np
import plotly.graph_objects as go

from ..display import event_text
from ..history import ema
from .common import (
    MUTED,
    axis,
    downsample,
    f32,
    figure,
    finite_range,
    hline,
    int_steps,
    layout_dict,
)

# One colour per run, Okabe-Ito (colour-blind safe), blue and vermilion first; yellow left out.
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
RUN_DASHES = (None, "dash", "dot")  # beyond 7 runs the colours repeat with another dash
EMA_POINTS = 500
MAX_EVENTS = 20
# The run names along the bottom edge of the figure (container coordinates: below the step axis's title
# whatever the plot's height), room for two rows of names.
LEGEND = dict(orientation="h", yref="container", y=0.0, yanchor="bottom", xanchor="left", x=0.0)
LEGEND_MARGIN = 115

DEFAULT_LABELS = {
    "cmp_step": "step",
    "cmp_d_loss": "D loss",
    "cmp_g_loss": "G loss",
    "cmp_d_real": "Mean D(x) on real data",
    "cmp_d_fake": "Mean D(G(z)) on generated data",
    "cmp_loss_y": "loss",
    "cmp_loss_y_log": "loss (log scale)",
    "cmp_means_y": "mean D output",
    "cmp_cant_tell": "D can't tell (0.5)",
    "cmp_metric_y": "value",
    "cmp_raw": "{run} (raw)",
}
MEANS = ("d_real", "d_fake", "d_fake_after")


def _labels(labels) -> dict:
    return {**DEFAULT_LABELS, **(labels or {})}


def run_color(i: int) -> str:
    return RUN_COLORS[i % len(RUN_COLORS)]


def run_dash(i: int):
    return RUN_DASHES[(i // len(RUN_COLORS)) % len(RUN_DASHES)]


def _col(history: dict, key: str) -> np.ndarray:
    return np.asarray(history.get(key, np.full(len(history.get("step", [])), np.nan)), dtype=np.float64)


def _trace(x, y, name, color, *, dash=None, width=2.5, opacity=1.0, max_points=1000, **extra) -> dict:
    x, y = downsample(x, y, max_points=max_points)
    trace = dict(type="scatter", x=int_steps(x), y=f32(y), mode="lines", name=name, opacity=opacity,
                 line=dict(color=color, width=width, dash=dash), hovertemplate=f"{name}: %{{y:.4g}}<extra></extra>")
    trace.update(extra)
    if trace.get("hoverinfo") == "skip":
        del trace["hovertemplate"]
    return trace


def _format(template: str, **values) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def event_shapes(events: dict[str, list], colors: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """A dashed vertical line in the run's colour at each mid-run change, labelled '<run>: lr_d 0.001→0.0001'
    at the top, staggered on three heights. At most the last MAX_EVENTS over all runs."""
    marks = sorted(((e["step"], name, e) for name, evs in events.items() for e in evs), key=lambda m: m[0])
    marks = marks[-MAX_EVENTS:]
    shapes = [dict(type="line", xref="x", yref="paper", x0=s, x1=s, y0=0, y1=1,
                   line=dict(color=colors.get(name, MUTED), width=1.5, dash="dash")) for s, name, _ in marks]
    notes = [dict(x=s, y=1.0 - 0.09 * (i % 3), xref="x", yref="paper", text=f"{name}: {event_text(e)}",
                  showarrow=False, xanchor="left", yanchor="top", xshift=3,
                  font=dict(size=13, color=colors.get(name, MUTED)), bgcolor="rgba(255,255,255,0.75)")
             for i, (s, name, e) in enumerate(marks)]
    return shapes, notes


def overlay_figure(histories: dict[str, dict], key: str, *, smoothing: float = 0.9, log_y: bool = False,
                   show_raw: bool = True, events: dict[str, list] | None = None, labels=None,
                   height: int = 360) -> go.Figure:
    """One curve of every run: raw values faint (optional), their EMA bold (smoothing = weight of the past,
    0 = off). x = training step, so runs line up by step. Mean-D keys get the 0.5 line and a [0, 1] axis."""
    lab = _labels(labels)
    colors = {name: run_color(i) for i, name in enumerate(histories)}
    traces, values = [], []
    for i, (name, h) in enumerate(histories.items()):
        step, y = _col(h, "step"), _col(h, key)
        if log_y and key not in MEANS:
            y = np.where(y > 0, y, np.nan)  # losses can be <= 0 (WGAN, hinge): no point on a log axis
        color, dash = colors[name], run_dash(i)
        if smoothing > 0:
            if show_raw:
                traces.append(_trace(step, y, _format(lab["cmp_raw"], run=name), color, width=1.0, opacity=0.3,
                                     legendgroup=name, showlegend=False, hoverinfo="skip"))
            y = ema(y, smoothing, step)
            traces.append(_trace(step, y, name, color, dash=dash, max_points=EMA_POINTS, legendgroup=name))
        else:
            traces.append(_trace(step, y, name, color, dash=dash, width=1.5, legendgroup=name))
        values.append(y)
    shapes, notes = event_shapes(events or {}, colors)
    if key in MEANS:
        lo, hi = finite_range(*values) or (0.0, 1.0)
        lo, hi = min(0.0, lo), max(1.0, hi)  # LSGAN's raw outputs may leave [0, 1]
        pad = 0.03 * (hi - lo)
        half, half_note = hline(0.5, lab["cmp_cant_tell"])
        shapes, notes = [half, *shapes], half_note + notes
        y_axis = axis(lab["cmp_means_y"], range=[lo - pad, hi + pad])
    else:
        y_axis = axis(lab["cmp_loss_y_log" if log_y else "cmp_loss_y"], type="log" if log_y else "linear")
    return figure(traces, layout_dict(
        lab.get(f"cmp_{key}", key), height, xaxis=axis(lab["cmp_step"]), yaxis=y_axis, shapes=shapes,
        annotations=notes, hovermode="x unified", uirevision=f"cmp-{key}", legend=LEGEND, margin=dict(b=LEGEND_MARGIN)))


def _scalar(v) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return math.nan


def metric_figure(metrics: dict[str, list[dict]], key: str, *, title: str | None = None, labels=None,
                  height: int = 340) -> go.Figure:
    """One quality metric over the steps for every run (lines with markers; a gap where a run lacks it)."""
    lab = _labels(labels)
    traces = []
    for i, (name, rows) in enumerate(metrics.items()):
        rows = [r for r in rows if isinstance(r, dict)]
        step = np.array([_scalar(r.get("step")) for r in rows], dtype=np.float64)
        y = np.array([_scalar(r.get(key)) for r in rows], dtype=np.float64)
        traces.append(_trace(step, y, name, run_color(i), dash=run_dash(i), mode="lines+markers",
                             marker=dict(size=7)))
    return figure(traces, layout_dict(
        title or key, height, xaxis=axis(lab["cmp_step"]), yaxis=axis(lab["cmp_metric_y"]), hovermode="x unified",
        uirevision="cmp-metric", legend=LEGEND, margin=dict(b=LEGEND_MARGIN)))


PNG_TITLES = {"d_loss": "D loss", "g_loss": "G loss", "d_real": "mean D(x), real", "d_fake": "mean D(G(z)), generated"}


def comparison_png(histories: dict[str, dict], events: dict[str, list] | None = None, smoothing: float = 0.9,
                   log_y: bool = False, dpi: int = 100) -> bytes:
    """2 x 2 panels (D loss, G loss, mean D(x), mean D(G(z))), one colour per run; faint raw values, bold
    EMA; dashed vertical lines at each run's mid-run changes. English labels (CJK run names render)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fonts = ["DejaVu Sans", "Noto Sans CJK SC", "Microsoft YaHei", "SimHei", "Arial Unicode MS"]
    rc = {"font.family": "sans-serif", "font.sans-serif": fonts, "font.size": 12, "axes.unicode_minus": False}
    with rc_context(rc):
        fig = Figure(figsize=(13, 8.5), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 2, sharex=True).ravel()
        for ax, key in zip(axes, PNG_TITLES, strict=True):
            for i, (name, h) in enumerate(histories.items()):
                x, y, color = _col(h, "step"), _col(h, key), run_color(i)
                if log_y and key not in MEANS:
                    y = np.where(y > 0, y, np.nan)
                if smoothing > 0:
                    ax.plot(*downsample(x, y, max_points=2000), color=color, lw=0.8, alpha=0.25)
                    y = ema(y, smoothing, x)
                ax.plot(*downsample(x, y, max_points=2000), color=color, lw=2.2 if smoothing > 0 else 1.4,
                        label=name)
                for e in (events or {}).get(name, []):
                    ax.axvline(e["step"], color=color, lw=1, ls="--", alpha=0.7)
            if key in MEANS:
                ax.axhline(0.5, color=MUTED, lw=1, ls=":")
            elif log_y:
                ax.set_yscale("log")
            ax.set_title(PNG_TITLES[key], loc="left")
            ax.grid(color="#e5e5e5")
        for ax in axes[2:]:
            ax.set_xlabel("step")
        key_text = [f"bold: EMA (smoothing {smoothing:g}), faint: raw values" if smoothing > 0 else "raw values",
                    "dashed vertical lines: settings changed mid-run", "dotted: D can't tell (0.5)"]
        fig.supxlabel(" · ".join(key_text), fontsize=10, color=MUTED)
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper center", ncols=min(len(names), 4), frameon=False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()
