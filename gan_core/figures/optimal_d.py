"""D*(x) = p_data / (p_data + p_g) beside the trained D along the ring's circle (gan_core.optimal_d).

Pure numpy + plotly. Payload: two curves of at most 720 float32 points."""

from __future__ import annotations

import numpy as np

from .common import D_COLOR, REAL, axis, f32, figure, layout_dict

DEFAULT_LABELS = {"title": "D* and the trained D along the ring", "x": "angle on the ring (degrees)",
                  "y": "D(x)", "d_star": "D*(x) = p_data / (p_data + p_g)", "d": "trained D(x)"}


def optimal_d_figure(curve: dict, labels: dict | None = None):
    lab = {**DEFAULT_LABELS, **(labels or {})}
    order = np.argsort(curve["angle"])
    x = f32(np.asarray(curve["angle"])[order])
    traces = [dict(type="scatter", x=x, y=f32(np.asarray(curve["d_star"])[order]), name=lab["d_star"],
                   mode="lines", line=dict(color=REAL, width=2), connectgaps=False),
              dict(type="scatter", x=x, y=f32(np.asarray(curve["d"])[order]), name=lab["d"], mode="lines",
                   line=dict(color=D_COLOR, width=2, dash="dash"))]
    return figure(traces, layout_dict(lab["title"], xaxis=axis(lab["x"], range=[0, 360], dtick=45),
                                      yaxis=axis(lab["y"])))
