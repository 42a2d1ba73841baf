"""Figure builders: structure, payload limits, NaN tolerance, labels; and no torch / streamlit imports."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_core.figures import common, samples, training
from gan_core.history import ema
from gan_core.views import view_arrays

ROOT = Path(__file__).resolve().parents[1]


def synthetic_history(n=20_000, seed=0):
    rng = np.random.default_rng(seed)
    h = {"step": np.arange(1, n + 1, dtype=np.float64)}
    for key in ("d_loss", "g_loss", "g_grad_norm", "d_grad_norm", "seconds"):
        h[key] = rng.gamma(2.0, 0.5, n)
    for key in ("d_real", "d_fake", "d_fake_after"):
        h[key] = rng.random(n)
    h["g_loss"][:5] = np.nan  # before the first G update
    h["g_loss"][100:110] = np.nan  # "Step D only" rows
    h["g_grad_norm"][:5] = 0.0
    return h


def synthetic_dist(n=2_000, bins=20, seed=0):
    rng = np.random.default_rng(seed)
    cols = {"step": np.arange(n, dtype=np.float64) * 10}
    for prefix in ("r", "f"):
        p = rng.dirichlet(np.ones(bins), n)
        cols.update({f"{prefix}{i}": p[:, i] for i in range(bins)})
    return cols


EVENTS = [{"step": 500, "changes": {"lr_d": [0.001, 0.0001]}},
          {"step": 900, "changes": {"loss": ["minimax", "non-saturating"], "d_steps": [1, 5], "lr_g": [1, 2]}}]


def n_points(trace):
    for attr in ("x", "z"):
        value = getattr(trace, attr, None)
        if value is not None:
            return np.asarray(value).size
    return 0


@pytest.fixture(scope="module")
def run():
    import torch

    from gan_core import Config, Trainer

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the test machine is small and busy; one thread is fastest for this MLP
    try:
        t = Trainer(Config(seed=0))
        t.run(50)
        yield t, view_arrays(t)
    finally:
        torch.set_num_threads(threads)


# ---- helpers -------------------------------------------------------------------------------------

def test_downsample_keeps_ends_and_extremes():
    x = np.arange(20_000.0)
    y = np.zeros_like(x)
    y[12_345] = 99.0  # one spike
    y[7_000] = np.nan
    xs, ys = common.downsample(x, y, max_points=1000)
    assert len(xs) <= 1000 and xs[0] == 0 and xs[-1] == 19_999
    assert 99.0 in ys and np.all(np.diff(xs) > 0)
    short = np.arange(10.0)
    assert common.downsample(short, short)[0] is not None and len(common.downsample(short, short)[0]) == 10


def test_ema_skips_nan_and_matches_formula():
    out = ema([np.nan, 1.0, np.nan, 3.0], 0.5)
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == 1.0 and out[3] == pytest.approx(2.0)
    assert np.array_equal(ema([1.0, 5.0], 0.0), [1.0, 5.0])
    thinned = ema([0.0, 1.0], 0.5, steps=[0, 2])  # a 2-step gap decays as 0.5 ** 2
    assert thinned[1] == pytest.approx(0.75)


def test_base_layout_on_any_figure():
    import plotly.graph_objects as go

    fig = common.base_layout(go.Figure(go.Scatter(x=[0, 1], y=[1, 2])), "title", 300)
    assert fig.layout.uirevision and fig.layout.font.size >= 14 and fig.layout.height == 300


# ---- training figures ----------------------------------------------------------------------------

def test_loss_figure_payload_events_and_ema():
    fig = training.loss_figure(synthetic_history(), EVENTS, smoothing=0.9)
    assert [t.type for t in fig.data] == ["scatter"] * 4
    assert all(n_points(t) <= 1000 for t in fig.data)
    assert sum("EMA" in (t.name or "") for t in fig.data) == 2
    assert len(fig.layout.shapes) == 2 and fig.layout.shapes[0].line.dash == "dash"
    assert fig.layout.annotations[0].text == "lr_d 0.001→0.0001"
    assert fig.layout.annotations[1].text == "loss minimax→non-saturating, d_steps 1→5, +1"
    assert fig.layout.uirevision is not None and fig.layout.font.size >= 14
    assert len(fig.to_json()) < 60_000
    log = training.loss_figure(synthetic_history(), log_y=True, smoothing=0)
    assert log.layout.yaxis.type == "log" and len(log.data) == 2


def test_d_means_range_and_half_line():
    h = synthetic_history(3000)
    fig = training.d_means_figure(h, EVENTS)
    assert len(fig.data) == 3 and tuple(fig.layout.yaxis.range)[0] <= 0 and tuple(fig.layout.yaxis.range)[1] >= 1
    names = [t.name for t in fig.data]
    assert "D(G(z)) before D update" in names and "D(G(z)) after D update" in names
    assert any(s.y0 == 0.5 and s.line.dash == "dot" for s in fig.layout.shapes)
    assert "D can't tell (0.5)" in [a.text for a in fig.layout.annotations]
    h["d_real"][10] = 1.7  # LSGAN's raw D output can leave [0, 1]: the axis widens
    assert training.d_means_figure(h).layout.yaxis.range[1] >= 1.7


def test_d_hist_sends_counts_not_samples():
    rng = np.random.default_rng(0)
    real, fake = rng.random(5000), np.append(rng.random(4999) * 0.3, np.nan)
    fig = training.d_hist_figure(real, fake, bins=20)
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert all(n_points(t) == 20 for t in fig.data)
    assert np.asarray(fig.data[0].y).sum() == pytest.approx(1.0, abs=1e-5)
    assert tuple(fig.layout.xaxis.range) == (0.0, 1.0)
    assert len(fig.to_json()) < 5_000


def test_d_strip_two_heatmaps_downsampled():
    fig = training.d_strip_figure(synthetic_dist())
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    for trace in fig.data:
        z = np.asarray(trace.z)
        assert z.shape[0] == 20 and z.shape[1] <= 300
        assert np.allclose(z.sum(axis=0), 1.0, atol=1e-4)  # averaged columns are still distributions


def test_grad_norm_and_metrics():
    fig = training.grad_norm_figure(synthetic_history(), events=EVENTS)
    assert fig.layout.yaxis.type == "log" and all(n_points(t) <= 1000 for t in fig.data)
    warn = [a for a in fig.layout.annotations if a.yref == "y"]
    assert warn[0].y == pytest.approx(2.0)  # annotations on a log axis sit at log10(100)
    rows = [{"step": 500 * i, "modes_covered": i % 9, "hq_fraction": 0.1 * i, "energy_distance": 0.001 * i,
             "mode_counts": [1, 2], "mmd": float("nan")} for i in range(12)]
    fig = training.metrics_figure(rows, ["modes_covered", "hq_fraction", "energy_distance", "mmd"])
    assert len(fig.data) == 4 and fig.data[2].yaxis == "y2"  # 1000x smaller scale: right axis
    assert fig.data[0].name == "modes covered"
    training.metrics_figure([], ["modes_covered"])  # nothing yet: no crash


def test_labels_override_titles():
    labels = {"loss_title": "损失", "d_loss_ema": "D 损失 (EMA)", "step": "步"}
    fig = training.loss_figure(synthetic_history(200), labels=labels)
    assert fig.layout.title.text == "损失" and fig.layout.xaxis.title.text == "步"
    assert "D 损失 (EMA)" in [t.name for t in fig.data]
    assert samples.mode_bar_figure([3, 4], labels={"mode_title": "模式"}).layout.title.text == "模式"


def test_all_nan_and_empty_inputs_do_not_crash():
    nan = {k: np.full(3, np.nan) for k in synthetic_history(3)} | {"step": np.arange(3.0)}
    empty = {k: np.array([]) for k in synthetic_history(3)}
    for h in (nan, empty):
        for build in (training.loss_figure, training.d_means_figure, training.grad_norm_figure):
            build(h).to_json()
    training.d_strip_figure({"step": np.array([])}).to_json()
    training.d_hist_figure([], [np.nan]).to_json()


# ---- samples -------------------------------------------------------------------------------------

def test_points_figure_from_a_real_run(run):
    trainer, snap = run
    fig = samples.points_figure(snap, show_heatmap=True, show_arrows=True, show_manifold=True)
    types = [t.type for t in fig.data]
    assert types == ["heatmap", "scatter", "scatter", "scatter", "scatter"]  # heat, manifold, real, fake, arrows
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (48, 48) and heat.colorbar.title.text == "D(x)" and heat.zmin < 0.5 < heat.zmax
    assert fig.layout.yaxis.scaleanchor == "x"
    assert tuple(fig.layout.xaxis.range) == tuple(float(b) for b in snap["bounds"][:2])
    arrows = fig.data[-1]
    assert len(arrows.x) == 3 * 80 and np.isnan(arrows.x[2])  # one trace, NaN separators
    dx, dy = np.asarray(arrows.x[1::3]) - arrows.x[0::3], np.asarray(arrows.y[1::3]) - arrows.y[0::3]
    span = max(np.ptp(snap["bounds"][:2]), np.ptp(snap["bounds"][2:]))
    assert np.hypot(dx, dy).max() == pytest.approx(0.08 * span, rel=1e-3)
    assert len(fig.data[1].x) == 2 * 15 * 16  # 15 rows + 15 columns, 15 points and a NaN each
    plain = samples.points_figure(snap, show_heatmap=False)
    assert [t.type for t in plain.data] == ["scatter", "scatter"]
    assert len(fig.to_json()) < 80_000


def test_training_figures_from_a_real_run(run):
    trainer, snap = run
    h = trainer.history.columns()
    for fig in (training.loss_figure(h, trainer.events), training.d_means_figure(h),
                training.grad_norm_figure(h), training.d_strip_figure(trainer.dist_history.columns()),
                training.d_hist_figure(snap["d_real"], snap["d_fake"])):
        json.loads(fig.to_json())


def test_digits_figure_is_one_heatmap():
    images = np.random.default_rng(0).uniform(-1, 1, (50, 64))
    fig = samples.digits_figure(images, rows=8, cols=8)
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    z = np.asarray(fig.data[0].z)
    assert z.shape == (8 * 8 + 7, 8 * 8 + 7)
    assert np.allclose(z[:8, :8], images[0].reshape(8, 8), atol=1e-6) and np.isnan(z[8, 0])
    assert np.isnan(z[-8:, -8:]).all()  # only 50 of 64 tiles filled
    assert fig.layout.xaxis.showticklabels is False and fig.layout.yaxis.scaleanchor == "x"


def test_mode_bar_uniform_line():
    fig = samples.mode_bar_figure([100, 0, 50, 250])
    assert fig.data[0].type == "bar" and len(fig.data[0].x) == 4
    assert fig.layout.shapes[0].y0 == pytest.approx(100.0) and fig.layout.shapes[0].line.dash == "dash"


# ---- layering ------------------------------------------------------------------------------------

def test_figure_modules_import_neither_torch_nor_streamlit():
    # gan_core/__init__ imports the Trainer (torch), so stand in an empty parent package: what is
    # checked is what the figure modules themselves pull in.
    code = (
        "import sys, types; pkg = types.ModuleType('gan_core'); pkg.__path__ = [sys.argv[1]]\n"
        "sys.modules['gan_core'] = pkg\n"
        "import gan_core.figures.training, gan_core.figures.samples, gan_core.figures.common\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'streamlit'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / "gan_core")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stability_map_colours_every_diagnosis():
    """Each diagnosis label gets its own colour on the page's map and in the PNG (a label without one was
    drawn as a pending white square, and broke the page's colour scale)."""
    from gan_core.diagnosis import LABELS
    from gan_core.figures.stability import LABEL_COLORS, PENDING, map_figure, map_png

    assert list(LABEL_COLORS) == list(LABELS) and len(set(LABEL_COLORS.values()) | {PENDING}) == len(LABELS) + 1
    cells = [{"cell": [i, 0], "settings": {"lr_d": float(i)}, "majority": label, "healthy": 0.5,
              "counts": {label: 2}, "seeds": [0, 1]} for i, label in enumerate(LABELS)]
    doc = {"axes": [{"key": "lr_d", "values": [float(i) for i in range(len(LABELS))]}], "cells": cells}
    fig = map_figure(doc, {label: label for label in LABELS}, {"x": "{key}", "y": "{key}", "hover": "{label}"})
    heat = fig.data[0]
    n = len(LABELS)
    assert (heat.zmin, heat.zmax) == (-0.5, n - 0.5)
    for i, label in enumerate(LABELS):  # the stepped scale at the cell's value gives the label's colour
        at = (heat.z[0][i] - heat.zmin) / (heat.zmax - heat.zmin)
        colour = next(c for (lo, c), (hi, _) in zip(heat.colorscale[::2], heat.colorscale[1::2]) if lo <= at <= hi)
        assert colour == LABEL_COLORS[label], label
    assert [tr.name for tr in fig.data[1:]] == list(LABELS)
    assert map_png(doc)[:8] == b"\x89PNG\r\n\x1a\n"
