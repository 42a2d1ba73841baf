"""Shared pieces of the figure builders: colours, downsampling, smoothing and one projector-friendly layout.

Pure numpy + plotly (no torch, no streamlit). The live Playground redraws several times per second, so
every builder keeps its payload small: curves <= 1,000 points, arrays sent as float32, histogram counts
rather than raw samples, and the small "none" template instead of plotly's default (~6.5 kB per figure).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..display import event_text

# One meaning per colour everywhere (blue / red stay distinct for the common colour-vision deficiencies).
REAL = "#1f77b4"  # real data, D(x)
FAKE = "#d62728"  # generated data, D(G(z)), G
FAKE_LIGHT = "#ef8a8b"  # a second series of generated data (D(G(z)) after the D update)
G_COLOR = FAKE
D_COLOR = "#333333"  # the judge: near-black, distinct from both
GRID_COLOR = "#e5e5e5"
MUTED = "#7f7f7f"
# Okabe-Ito (colour-blind safe, yellow left out: invisible on a projector) for lines without a real/fake role.
PALETTE = ("#000000", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#0072B2")

FONT_SIZE = 15
UIREVISION = "gan-classroom"  # constant: the user's zoom / legend clicks survive redraws
MAX_POINTS = 1000


def downsample(x, *ys, max_points: int = MAX_POINTS):
    """(x, *ys) cut to at most `max_points` rows, always keeping the first and last row.

    Min/max-preserving: the rows are split into equal buckets and each bucket keeps the rows holding the
    smallest and largest value of every y (a loss spike or a collapse to 0 survives; uniform striding
    would drop most of them). NaNs count as missing, so a bucket keeps a NaN row only when it is all NaN
    (the gap then stays visible). With no ys, a uniform stride. Returns numpy arrays, rows in order.
    """
    x = np.asarray(x)
    ys = tuple(np.asarray(y) for y in ys)
    n = len(x)
    if n <= max_points or max_points < 3:
        return (x, *ys)
    if not ys:
        idx = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
        return (x[idx],)
    inner = n - 2  # rows 1 .. n-2; rows 0 and n-1 are always kept
    buckets = max(1, (max_points - 2) // (2 * len(ys)))
    width = math.ceil(inner / buckets)
    buckets = math.ceil(inner / width)
    offsets = 1 + width * np.arange(buckets)
    picks = [np.array([0, n - 1])]
    for y in ys:
        block = np.full(buckets * width, np.nan)
        block[:inner] = y[1:-1]
        block = block.reshape(buckets, width)
        missing = ~np.isfinite(block)
        lo = np.where(missing, np.inf, block).argmin(axis=1)
        hi = np.where(missing, -np.inf, block).argmax(axis=1)
        picks += [offsets + lo, offsets + hi]
    idx = np.unique(np.clip(np.concatenate(picks), 0, n - 1))
    return (x[idx], *(y[idx] for y in ys))


def f32(a) -> np.ndarray:
    """float32 copy: half the bytes of float64 and still 7 significant digits for hover."""
    return np.asarray(a, dtype=np.float32)


def int_steps(x) -> np.ndarray:
    """Steps as int32 (4 bytes each) when they are finite whole numbers in range, else float32."""
    x = np.asarray(x, dtype=np.float64)
    if x.size and np.all(np.isfinite(x)) and np.abs(x).max() < 2**31:
        return np.round(x).astype(np.int32)
    return x.astype(np.float32)


def finite_range(*arrays) -> tuple[float, float] | None:
    """(min, max) over the finite values of all arrays, or None when there is none."""
    vals = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    vals = np.concatenate(vals) if vals else np.array([])
    vals = vals[np.isfinite(vals)]
    return (float(vals.min()), float(vals.max())) if vals.size else None


def nice_ceiling(value: float, steps=(0.1, 0.25, 0.5, 1.0)) -> float:
    """The smallest step >= value, so a live axis rescales a few times, not every redraw."""
    for s in steps:
        if value <= s:
            return s
    return float(value)


def note(x, y, text: str, xref: str = "x", yref: str = "paper", xanchor: str = "left",
         yanchor: str = "top") -> dict:
    """A small grey text box (white, half-transparent background so it stays legible over the data)."""
    return dict(x=x, y=y, xref=xref, yref=yref, text=text, showarrow=False, xanchor=xanchor, yanchor=yanchor,
                xshift=3 if xanchor == "left" else -3 if xanchor == "right" else 0,
                font=dict(size=FONT_SIZE - 1, color=MUTED), bgcolor="rgba(255,255,255,0.75)")


def event_marks(events, max_events: int = 20, xref: str = "x") -> tuple[list[dict], list[dict]]:
    """Dashed vertical lines where settings changed, with short labels at the top, staggered on three
    heights so neighbouring events do not overwrite each other. Returns (shapes, annotations); last 20."""
    events = list(events)[-max_events:]
    shapes = [dict(type="line", xref=xref, yref="paper", x0=e["step"], x1=e["step"], y0=0, y1=1,
                   line=dict(color=MUTED, width=1.5, dash="dash")) for e in events]
    notes = [note(e["step"], 1.0 - 0.09 * (i % 3), event_text(e), xref=xref) for i, e in enumerate(events)]
    return shapes, notes


def hline(y: float, text: str | None = None, dash: str = "dot", right: bool = False, below: bool = False,
          log: bool = False) -> tuple[dict, list[dict]]:
    """A horizontal reference line across the whole plot and its label at the left (or right) end,
    above the line (or below it, for a line near the top). Returns (shape, annotations).
    log=True on a log axis: plotly places annotations at log10(y) there (shapes take y itself)."""
    shape = dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=y, y1=y,
                 line=dict(color=MUTED, width=1.5, dash=dash))
    if not text:
        return shape, []
    return shape, [note(1.0 if right else 0.0, math.log10(y) if log else y, text, xref="paper", yref="y",
                        xanchor="right" if right else "left", yanchor="top" if below else "bottom")]


AXIS_STYLE = dict(gridcolor=GRID_COLOR, zeroline=False, linecolor=MUTED, showline=True, ticks="outside")


def axis(title: str | None = None, **kw) -> dict:
    return {**AXIS_STYLE, **({"title": dict(text=title)} if title is not None else {}), **kw}


def layout_dict(title: str | None, height: int = 360, uirevision=UIREVISION, **extra) -> dict:
    """The projector-friendly look as a plain dict: large fonts, white background, compact margins,
    legend on top, and a constant `uirevision` so zoom and legend clicks survive the live redraws.
    `extra` keys (axes, shapes, ...) are added as given; "margin" and "legend" update the defaults."""
    layout = dict(
        template="none",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=FONT_SIZE + 3)) if title else None,
        height=height,
        font=dict(size=FONT_SIZE, family="Arial, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"),
        paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=70, r=20, t=70 if title else 30, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0,
                    bgcolor="rgba(255,255,255,0.6)"),
        hoverlabel=dict(font_size=FONT_SIZE),
        uirevision=uirevision,
    )
    for key in ("margin", "legend"):
        layout[key].update(extra.pop(key, {}))
    return {**layout, **extra}


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """One go.Figure from plain dicts: validated once, several times faster than building it up with
    add_trace / update_layout / add_vline calls (which matters at several redraws per second)."""
    return go.Figure(data=traces, layout=layout)


def base_layout(fig: go.Figure, title: str | None, height: int = 360, uirevision=UIREVISION) -> go.Figure:
    """Apply the common look (layout_dict) to an existing figure, axes included. Returns fig."""
    fig.update_layout(layout_dict(title, height, uirevision))
    fig.update_xaxes(AXIS_STYLE)
    fig.update_yaxes(AXIS_STYLE)
    return fig
