"""Charts for critics (raw scores, no 0.5 line) and the penalty drawn apart from L_D."""

import numpy as np

from gan_core import Trainer, from_flat
from gan_core.figures import samples, training
from gan_core.views import view_arrays


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 100_000, **kw})


def _half_lines(fig):
    return [s for s in fig.layout.shapes if s.y0 == 0.5 and s.y1 == 0.5 or s.x0 == 0.5 and s.x1 == 0.5]


def test_penalty_is_its_own_line_only_when_it_was_on():
    on, off = Trainer(small(r1_gamma=1.0)), Trainer(small())
    on.run(5), off.run(5)
    names = lambda fig: {t.name for t in fig.data}  # noqa: E731
    assert "D penalty (R1 / GP, weighted)" in names(training.loss_figure(on.history.columns(), smoothing=0))
    assert not any("penalty" in n for n in names(training.loss_figure(off.history.columns(), smoothing=0)))
    cols = on.history.columns()
    assert np.all(cols["d_penalty"] > 0) and np.all(off.history.columns()["d_penalty"] == 0)


def test_critic_charts_show_raw_scores_without_the_half_line():
    t = Trainer(small(loss="wgan-gp"))
    t.run(20)
    h, snap = t.history.columns(), view_arrays(t, maps=False)
    means = training.d_means_figure(h, critic=True)
    assert not _half_lines(means) and means.layout.yaxis.title.text.startswith("mean critic score")
    lo, hi = means.layout.yaxis.range
    assert lo <= np.nanmin(h["d_real"]) and hi >= np.nanmax(h["d_real"])
    assert _half_lines(training.d_means_figure(h))  # probabilities keep their 0.5 line
    hist = training.d_hist_figure(snap["d_real"], snap["d_fake"], critic=True)
    assert not _half_lines(hist)
    assert hist.layout.xaxis.range[0] == min(snap["d_real"].min(), snap["d_fake"].min())
    for bars in hist.data:  # nothing clipped away: each side's fractions sum to 1
        assert abs(np.sum(bars.y) - 1) < 1e-5
    assert snap["critic"] and not view_arrays(Trainer(small()), maps=False)["critic"]


def test_histograms_record_their_range_and_the_strip_rebins_onto_one_grid():
    t = Trainer(small(loss="hinge"))
    t.run(30)
    cols = t.dist_history.columns()
    assert np.all(cols["hi"] > cols["lo"]) and not np.all(cols["lo"] == 0)
    fig = training.d_strip_figure(cols, critic=True)
    for trace in fig.data:
        z = np.asarray(trace.z, dtype=np.float64)
        np.testing.assert_allclose(z.sum(axis=0), 1.0, atol=1e-5)  # every column keeps its whole batch
    assert fig.layout.yaxis.range == (cols["lo"].min(), cols["hi"].max())
    prob = Trainer(small())
    prob.run(10)
    assert set(prob.dist_history.columns()["lo"]) == {0.0} and set(prob.dist_history.columns()["hi"]) == {1.0}


def test_strip_rebinning_by_hand():
    """Two rows: [0, 1] with all mass in its top bin, [0, 2] with all in its top bin -> a common [0, 2] grid."""
    k = 4
    cols = {"step": np.array([1.0, 2.0]), "lo": np.array([0.0, 0.0]), "hi": np.array([1.0, 2.0])}
    for p in "rf":
        for i in range(k):
            cols[f"{p}{i}"] = np.array([1.0 if i == k - 1 else 0.0] * 2)
    z = np.asarray(training.d_strip_figure(cols).data[0].z, dtype=np.float64)  # (bins, steps)
    assert z[1, 0] == 1.0 and z[3, 1] == 1.0  # centre 0.875 -> bin [0.5, 1.0); centre 1.75 -> bin [1.5, 2]


def test_critic_heatmap_is_centred_on_its_own_range():
    snap = {"bounds": np.array([-1, 1, -1, 1.0]), "grid_x": np.linspace(-1, 1, 4), "grid_y": np.linspace(-1, 1, 4),
            "d_grid": np.linspace(3.0, 7.0, 16).reshape(4, 4), "real": np.zeros((2, 2)), "fake": np.zeros((2, 2)),
            "critic": True}
    heat = samples.points_figure(snap).data[0]
    assert (heat.zmin, heat.zmax) == (3.0, 7.0)
    heat = samples.points_figure({**snap, "critic": False, "d_grid": np.full((4, 4), 0.7)}).data[0]
    assert (heat.zmin, heat.zmax) == (0.0, 1.0)
