"""The stability map: one square per cell of a two-setting grid, coloured by its majority diagnosis, with
the share of seeds that ended healthy written in it. Plotly for the page, matplotlib for the CLI's PNG.

Both take the map document of sweep_cli.map_document (axes, cells); cells not finished yet stay blank.
"""

from __future__ import annotations

import io

import numpy as np

# pandas before plotly: plotly peeks at sys.modules["pandas"], which another thread of the server may be
# half-way importing (seen: "partially initialized module 'pandas'"); a real import waits for it to finish.
import pandas  # noqa: F401
import plotly.graph_objects as go

from .common import FONT_SIZE, MUTED

# One colour per diagnosis, in diagnosis.LABELS order (Okabe-Ito, colour-blind safe).
# Every label has one: a label without a colour would be drawn as a pending (white) square, or break the
# stepped scale (tests/test_figures.py checks the keys against diagnosis.LABELS).
LABEL_COLORS = {"healthy": "#009E73", "not-converged-yet": "#BBBBBB", "mode-collapse": "#E69F00",
                "failed-to-learn": "#F0E442", "vanishing-gradients": "#56B4E9", "oscillation": "#CC79A7",
                "divergence": "#D55E00"}
PENDING = "#FFFFFF"


def value_text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def grid_shape(document: dict) -> tuple[list, list, str, str]:
    """(x values, y values, x key, y key): the first axis runs along x, the second (if any) along y."""
    axes = document["axes"]
    x = axes[0]
    y = axes[1] if len(axes) > 1 else {"key": "", "values": [""]}
    return x["values"], y["values"], x["key"], y["key"]


def cell_matrix(document: dict) -> tuple[np.ndarray, np.ndarray]:
    """(labels, healthy share) as (ny, nx) arrays; None / NaN where a cell has no result yet."""
    xs, ys, _, _ = grid_shape(document)
    labels = np.full((len(ys), len(xs)), None, dtype=object)
    share = np.full((len(ys), len(xs)), np.nan)
    for c in document.get("cells", []):
        i, j = c["cell"][0], c["cell"][1] if len(c["cell"]) > 1 else 0
        labels[j, i], share[j, i] = c["majority"], c["healthy"]
    return labels, share


def map_figure(document: dict, label_names: dict[str, str], texts: dict[str, str]) -> go.Figure:
    """Heatmap of the cells. label_names: diagnosis -> shown name; texts: "x", "y", "hover", "healthy"."""
    xs, ys, xkey, ykey = grid_shape(document)
    labels, share = cell_matrix(document)
    order = list(LABEL_COLORS)
    z = np.array([[order.index(v) if v is not None else np.nan for v in row] for row in labels], dtype=float)
    n = len(order)
    scale = []
    for k, label in enumerate(order):  # a stepped colour scale: value k -> the colour of label k
        scale += [[k / n, LABEL_COLORS[label]], [(k + 1) / n, LABEL_COLORS[label]]]
    text = [[("" if np.isnan(s) else f"{s:.0%}") for s in row] for row in share]
    hover = [[texts["hover"].format(label=label_names.get(labels[j, i], "…") if labels[j, i] else "…",
                                    healthy=text[j][i] or "…", x=value_text(xs[i]), y=value_text(ys[j]))
              for i in range(len(xs))] for j in range(len(ys))]
    fig = go.Figure(go.Heatmap(
        z=z, x=[value_text(v) for v in xs], y=[value_text(v) for v in ys], zmin=-0.5, zmax=n - 0.5,  # label k at (k + 0.5) / n: the middle of its band
        colorscale=scale, showscale=False, text=text, texttemplate="%{text}", textfont=dict(size=FONT_SIZE + 2),
        hovertext=hover, hoverinfo="text", xgap=3, ygap=3))
    for label in order:  # the legend: one invisible marker per diagnosis
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label_names.get(label, label),
                                 marker=dict(size=14, symbol="square", color=LABEL_COLORS[label])))
    fig.update_layout(template="none", height=120 + 70 * len(ys), margin=dict(l=80, r=20, t=30, b=60),
                      font=dict(size=FONT_SIZE), legend=dict(orientation="h", y=-0.25 if len(ys) > 2 else -0.6),
                      xaxis=dict(title=texts["x"].format(key=xkey), type="category"),
                      yaxis=dict(title=texts["y"].format(key=ykey) if ykey else "", type="category"),
                      plot_bgcolor=PENDING)
    return fig


def map_png(document: dict, dpi: int = 100) -> bytes:
    """The map as a PNG (matplotlib, English labels), for `sweep --out`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    xs, ys, xkey, ykey = grid_shape(document)
    labels, share = cell_matrix(document)
    fig = Figure(figsize=(1.2 * len(xs) + 3.5, 0.9 * len(ys) + 2.2), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for j in range(len(ys)):
        for i in range(len(xs)):
            label = labels[j, i]
            ax.add_patch(_square(i, j, LABEL_COLORS.get(label, PENDING)))
            if label is not None:
                ax.text(i, j, f"{share[j, i]:.0%}", ha="center", va="center", fontsize=11)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    ax.set_xticks(range(len(xs)), [value_text(v) for v in xs])
    ax.set_yticks(range(len(ys)), [value_text(v) for v in ys])
    ax.set_xlabel(xkey)
    ax.set_ylabel(ykey)
    seeds = document.get("seeds", [])
    ax.set_title(f"{document.get('preset', '')}, {len(seeds)} seeds x {document.get('steps', '')} steps\n"
                 "colour: majority diagnosis; text: share of seeds healthy", loc="left", fontsize=10, color=MUTED)
    ax.legend(handles=[Patch(color=c, label=label) for label, c in LABEL_COLORS.items()],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _square(i, j, color):
    from matplotlib.patches import Rectangle

    return Rectangle((i - 0.48, j - 0.48), 0.96, 0.96, facecolor=color, edgecolor="#444444", lw=0.5)
