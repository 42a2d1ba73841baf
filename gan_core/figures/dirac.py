"""Dirac-GAN figures: the training vector field with one trajectory, and the distance to equilibrium.

Pure plotly from numpy arrays (gan_core.dirac.quiver_grid, simulate and norms give them). Every visible
text is an argument with an English default, so the UI can pass translations. As in the paper's
notebook (Mescheder et al. 2018, LMescheder/GAN_stability), θ is on x and ψ on y.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

FIELD_LABELS = {
    "x": "θ (generator)",
    "y": "ψ (discriminator)",
    "field": "vector field",
    "trajectory": "trajectory",
    "start": "start",
    "end": "end",
    "equilibrium": "equilibrium (0, 0)",
    "step": "step",
}
NORM_LABELS = {"x": "step", "y": "distance to equilibrium ‖(θ, ψ)‖", "trace": "‖(θ, ψ)‖"}


def _axis_limit(grid_lim, trajectory, cap):
    """Half-width of the square view: the grid's, widened to the trajectory's extent, at most `cap`."""
    extent = float(np.abs(trajectory).max()) * 1.05 if len(trajectory) else 0.0
    return min(max(grid_lim, extent), max(cap, grid_lim))


def _arrows(x, y, u, v, head=0.3, angle=0.35):
    """One line trace's x, y for arrows (x, y) -> (x + u, y + v): shaft and two barbs, NaN-separated.

    Like plotly.figure_factory.create_quiver, whose import (scipy, pandas) costs over a second.
    """
    tip_x, tip_y = x + u, y + v
    back, length = np.arctan2(v, u) + np.pi, head * np.hypot(u, v)
    barb = [(tip_x + length * np.cos(back + s * angle), tip_y + length * np.sin(back + s * angle)) for s in (1, -1)]
    gap = np.full_like(x, np.nan)
    xs = np.stack([x, tip_x, gap, barb[0][0], tip_x, barb[1][0], gap], axis=-1).ravel()
    ys = np.stack([y, tip_y, gap, barb[0][1], tip_y, barb[1][1], gap], axis=-1).ravel()
    return xs, ys


def dirac_field_figure(grid, trajectory, title="Dirac-GAN", *, labels=None, max_extent=6.0):
    """Quiver of the field, the trajectory with start and end markers, and the equilibrium.

    grid: (theta_grid, psi_grid, v1, v2) from quiver_grid; trajectory: (steps + 1, 2) rows (θ, ψ),
    NaN rows (after an overflow) are dropped. Axes show [-2, 2] (the grid's range) or the
    trajectory's extent when larger, capped at max_extent so a diverging run stays readable.
    """
    labels = {**FIELD_LABELS, **(labels or {})}
    theta_grid, psi_grid, v1, v2 = (np.asarray(a, float) for a in grid)
    trajectory = np.asarray(trajectory, float)
    steps = np.flatnonzero(np.isfinite(trajectory).all(axis=1))
    path = trajectory[steps]

    # Arrows scaled so the longest is 0.9 grid spacings; their lengths stay proportional to |v|.
    v1, v2 = np.nan_to_num(v1), np.nan_to_num(v2)
    spacing = float(np.ptp(theta_grid)) / max(theta_grid.shape[-1] - 1, 1) or 1.0
    speed = float(np.hypot(v1, v2).max(initial=0.0))
    scale = 0.9 * spacing / speed if speed > 0 else 1.0
    xs, ys = _arrows(theta_grid.ravel(), psi_grid.ravel(), scale * v1.ravel(), scale * v2.ravel())
    fig = go.Figure(go.Scatter(
        x=xs, y=ys, mode="lines", name=labels["field"],
        line=dict(color="rgba(120,120,120,0.6)", width=1), hoverinfo="skip",
    ))
    hover = f"{labels['step']} %{{customdata}}<br>θ = %{{x:.4g}}<br>ψ = %{{y:.4g}}<extra></extra>"
    fig.add_trace(go.Scatter(
        x=path[:, 0], y=path[:, 1], customdata=steps, mode="lines", name=labels["trajectory"],
        line=dict(color="#1f77b4", width=2), hovertemplate=hover,
    ))
    for row, name, symbol, color in ((0, "start", "circle", "#2ca02c"), (-1, "end", "square", "#d62728")):
        if len(path):
            fig.add_trace(go.Scatter(
                x=[path[row, 0]], y=[path[row, 1]], customdata=[steps[row]], mode="markers",
                name=labels[name], marker=dict(symbol=symbol, size=10, color=color), hovertemplate=hover,
            ))
    fig.add_trace(go.Scatter(
        x=[0.0], y=[0.0], mode="markers", name=labels["equilibrium"],
        marker=dict(symbol="star", size=14, color="black"), hoverinfo="name",
    ))
    lim = _axis_limit(float(np.abs(theta_grid).max(initial=2.0)), path, max_extent)
    fig.update_layout(
        title=title, template="plotly_white", legend=dict(orientation="h", y=-0.15),
        xaxis=dict(title=labels["x"], range=[-lim, lim], zeroline=True),
        yaxis=dict(title=labels["y"], range=[-lim, lim], zeroline=True, scaleanchor="x", scaleratio=1),
    )
    return fig


def dirac_norm_figure(norms, title=None, *, log_y=True, labels=None):
    """Distance to the equilibrium over the steps; log y shows geometric convergence as a straight line."""
    labels = {**NORM_LABELS, **(labels or {})}
    norms = np.asarray(norms, float)
    fig = go.Figure(go.Scatter(
        x=np.arange(len(norms)), y=norms, mode="lines", name=labels["trace"],
        hovertemplate=f"{labels['x']} %{{x}}<br>%{{y:.4g}}<extra></extra>",
    ))
    fig.update_layout(
        title=title, template="plotly_white",
        xaxis=dict(title=labels["x"]), yaxis=dict(title=labels["y"], type="log" if log_y else "linear", exponentformat="power"),
    )
    return fig
