"""The generator's cost and its gradient as functions of D(G(z)): why the non-saturating loss exists.

Goodfellow 2016 (NIPS tutorial, Fig. 16) plots three generator costs against D = D(G(z)):
minimax log(1 - D), non-saturating -log D and maximum likelihood -1/2 exp(logit D) = -1/2 D / (1 - D).
The right panel shows the gradient PER LOGIT l = logit(D), ∂cost/∂l, because l is what D outputs and
what flows back into G: -D, -(1 - D) and -1/2 D / (1 - D) (REFERENCE.md section 1). (∂cost/∂D of the
minimax cost, -1/(1 - D), does not vanish at D = 0; it is the sigmoid in front of it, dD/dl = D(1 - D),
that makes the minimax gradient vanish when D rejects the fakes.)

Pure numpy + plotly, no torch, no streamlit. Payload: 3 curves x 200 points per panel, float32, and at
most 256 batch dots per curve.
"""

from __future__ import annotations

import numpy as np
from plotly.subplots import make_subplots

from .common import FAKE, MUTED, PALETTE, axis, f32, layout_dict

# name -> (cost(D), ∂cost/∂l (D)); D = D(G(z)) in (0, 1), l = logit(D).
G_COSTS = {
    "minimax": (lambda d: np.log1p(-d), lambda d: -d),
    "non-saturating": (lambda d: -np.log(d), lambda d: -(1.0 - d)),
    "maximum-likelihood": (lambda d: -0.5 * d / (1.0 - d), lambda d: -0.5 * d / (1.0 - d)),
}
COLORS = {"minimax": PALETTE[5], "non-saturating": PALETTE[6], "maximum-likelihood": PALETTE[2]}
CURVE_POINTS = 200
MAX_DOTS = 256
COST_RANGE = (-4.0, 4.0)  # -log D -> inf at D -> 0 and the ML cost -> -inf at D -> 1: keep the view readable
GRAD_RANGE = (-3.0, 0.25)

DEFAULT_LABELS = {
    "cost_title": "Generator cost",
    "grad_title": "Gradient per logit (what reaches G)",
    "x": "D(G(z)): D's probability that a fake is real",
    "cost_y": "cost",
    "grad_y": "∂cost/∂logit",
    "minimax": "minimax log(1 − D)",
    "non-saturating": "non-saturating −log D",
    "maximum-likelihood": "maximum likelihood −½ D/(1 − D)",
    "batch": "this batch's D(G(z))",
    "rejects": "← D rejects the fakes",
    "fooled": "D is fooled →",
}


def batch_gradients(d_fake) -> dict[str, float]:
    """Mean |∂cost/∂l| over a batch of D(G(z)) values for each cost: how hard G is pushed on average."""
    d = _clip(d_fake)
    return {name: float(np.mean(np.abs(grad(d)))) if d.size else float("nan")
            for name, (_, grad) in G_COSTS.items()}


def _clip(d) -> np.ndarray:
    d = np.asarray(d, dtype=np.float64).ravel()
    return np.clip(d[np.isfinite(d)], 1e-6, 1 - 1e-6)


def _dots(d_fake) -> np.ndarray:
    """At most MAX_DOTS values, evenly picked from the sorted batch so its spread is kept."""
    d = np.sort(_clip(d_fake))
    if d.size > MAX_DOTS:
        d = d[np.linspace(0, d.size - 1, MAX_DOTS).round().astype(int)]
    return d


def loss_figure(d_fake=None, *, labels=None, height: int = 420):
    """Two panels over D(G(z)) in (0, 1): the three G costs (left) and their gradients per logit (right).

    d_fake: optional D(G(z)) values of one batch, drawn as dots on every curve (clipped to (0, 1), NaN
    dropped, at most MAX_DOTS kept). Curve values outside the fixed y ranges are simply off-view.
    """
    labels = {**DEFAULT_LABELS, **(labels or {})}
    fig = make_subplots(rows=1, cols=2, subplot_titles=(labels["cost_title"], labels["grad_title"]),
                        horizontal_spacing=0.1)
    x = np.linspace(0.005, 0.995, CURVE_POINTS)
    dots = _dots(d_fake) if d_fake is not None else np.array([])
    for name, (cost, grad) in G_COSTS.items():
        for col, fn in ((1, cost), (2, grad)):
            fig.add_scatter(x=f32(x), y=f32(fn(x)), mode="lines", name=labels[name], legendgroup=name,
                            showlegend=col == 1, line=dict(color=COLORS[name], width=3),
                            hovertemplate=f"{labels[name]}<br>D = %{{x:.3f}}<br>%{{y:.3f}}<extra></extra>",
                            row=1, col=col)
    if dots.size:
        for col, key in ((1, 0), (2, 1)):
            ys = [fns[key](dots) for fns in G_COSTS.values()]
            fig.add_scatter(x=f32(np.tile(dots, len(ys))), y=f32(np.concatenate(ys)), mode="markers",
                            name=labels["batch"], legendgroup="batch", showlegend=col == 1,
                            marker=dict(color=FAKE, size=6, opacity=0.55, line=dict(width=0)),
                            hovertemplate="D(G(z)) = %{x:.3f}<br>%{y:.3f}<extra></extra>", row=1, col=col)
    layout = layout_dict(None, height=height, margin=dict(t=110, b=70),
                         legend=dict(y=1.16, x=0.5, xanchor="center"))
    layout["annotations"] = list(fig.layout.annotations)  # the subplot titles
    fig.update_layout(layout)
    for col, (title, rng) in ((1, (labels["cost_y"], COST_RANGE)), (2, (labels["grad_y"], GRAD_RANGE))):
        fig.update_xaxes(axis(labels["x"], range=[0, 1]), row=1, col=col)
        fig.update_yaxes(axis(title, range=list(rng)), row=1, col=col)
    # The two ends of the x axis in words, in the cost panel's empty corners (bottom left, top right).
    for x, y, text, anchor in ((0.01, 0.03, labels["rejects"], "left"), (0.99, 0.97, labels["fooled"], "right")):
        fig.add_annotation(x=x, y=y, xref="x domain", yref="y domain", text=text, showarrow=False, xanchor=anchor,
                           yanchor="bottom" if y < 0.5 else "top", font=dict(color=MUTED, size=14))
    return fig
