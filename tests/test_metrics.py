"""2-D metrics against independent references: dcor, hand computations, hand-counted cases."""

import json
import math

import numpy as np
import pytest

from gan_core.metrics import energy_distance, js_grid, metrics_2d, mmd_rbf, mode_stats

STD = 0.02  # ring8's std (WGAN-GP gan_toy.py): HQ radius 3 * 0.02 = 0.06


def ring8() -> np.ndarray:
    angles = 2 * np.pi * np.arange(8) / 8
    return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def js2_by_hand(p, q) -> float:
    total = 0.0
    for pi, qi in zip(p, q, strict=True):
        mi = (pi + qi) / 2
        total += (0.5 * pi * math.log2(pi / mi) if pi else 0.0) + (0.5 * qi * math.log2(qi / mi) if qi else 0.0)
    return total


# (n, m, d) -> dcor.energy_distance (dcor 0.7) on the seeded samples of `_normal_pair`. Recorded
# because `import dcor` compiles numba kernels for 10-40 s on a 2-core machine;
# GAN_CLASSROOM_SLOW=1 recomputes them with the installed dcor.
DCOR_VALUES = {
    (2500, 2500, 2): 0.1431090764691887,
    (300, 170, 2): 0.14379783520526956,
    (50, 80, 5): 0.35594164435443165,
    (1, 3, 2): 1.8019886117812143,
}


def _normal_pair(n, m, d):
    rng = np.random.default_rng(n + m + d)
    return rng.normal(size=(n, d)), rng.normal(0.3, 1.5, size=(m, d))


def _energy_brute_force(x, y) -> float:
    def mean_dist(a, b):  # full (n, m, d) broadcast: a different code path from cdist / pdist
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).mean()

    return 2 * mean_dist(x, y) - mean_dist(x, x) - mean_dist(y, y)


@pytest.mark.parametrize("shape", list(DCOR_VALUES))
def test_energy_distance_matches_recorded_dcor_values(shape):
    x, y = _normal_pair(*shape)
    assert energy_distance(x, y) == pytest.approx(DCOR_VALUES[shape], abs=1e-9)


@pytest.mark.parametrize("shape", [(300, 170, 2), (50, 80, 5), (1, 3, 2)])
def test_energy_distance_matches_brute_force(shape):
    x, y = _normal_pair(*shape)
    assert energy_distance(x, y) == pytest.approx(_energy_brute_force(x, y), abs=1e-12)


def test_energy_distance_matches_live_dcor():
    """Against dcor itself (a dev dependency; its first import compiles numba code, 10-40 s, so once)."""
    import dcor

    for shape in DCOR_VALUES:
        x, y = _normal_pair(*shape)
        assert energy_distance(x, y) == pytest.approx(dcor.energy_distance(x, y), abs=1e-9)


def test_energy_distance_zero_on_identical_samples_and_symmetric():
    x = np.random.default_rng(0).normal(size=(400, 2))
    y = x[::-1] + 0.5
    assert energy_distance(x, x) == pytest.approx(0.0, abs=1e-12)
    assert energy_distance(x, y) == pytest.approx(energy_distance(y, x), abs=1e-12)


def test_mmd_one_point_each_by_hand():
    # One pair, distance 1: median bandwidth sigma = 1, so k(x, y) = exp(-1/2) and k(x, x) = 1.
    assert mmd_rbf([[0.0, 0.0]], [[1.0, 0.0]]) == pytest.approx(2 - 2 * math.exp(-0.5), rel=1e-12)


def test_mmd_two_points_each_by_hand():
    x = np.array([[0.0, 0.0], [0.0, 1.0]])
    y = np.array([[2.0, 0.0], [2.0, 1.0]])
    pooled = np.concatenate([x, y])
    dists = [np.linalg.norm(a - b) for i, a in enumerate(pooled) for b in pooled[i + 1:]]
    sigma = float(np.median(dists))  # pairs: 1, 2, sqrt5, sqrt5, 2, 1 -> median 2

    def k(a, b):
        return math.exp(-np.sum((a - b) ** 2) / (2 * sigma**2))

    kxx = sum(k(a, b) for a in x for b in x) / 4
    kyy = sum(k(a, b) for a in y for b in y) / 4
    kxy = sum(k(a, b) for a in x for b in y) / 4
    assert sigma == 2.0
    assert mmd_rbf(x, y) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-12)


def test_mmd_small_for_same_distribution_large_for_shifted():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(1000, 2)), rng.normal(size=(1000, 2))
    assert mmd_rbf(x, x) == pytest.approx(0.0, abs=1e-12)
    assert mmd_rbf(x, y) < 0.01 < mmd_rbf(x, y + 2.0)


def test_mode_stats_hand_counted_ring():
    modes = ring8()
    samples = np.array([
        modes[0], modes[0] + [0.01, 0.0], modes[0] + [0.0, -0.05],  # 3 HQ on mode 0
        modes[1] + [0.03, 0.03], modes[1],  # 2 HQ on mode 1 (0.042 < 0.06)
        modes[2] + [0.07, 0.0],  # nearest mode 2 but 0.07 > 0.06: not HQ
        [0.0, 0.0],  # the centre: nearest to mode 0 (ties go to the first), 2 away
        [10.0, 10.0],  # far off
    ])
    stats = mode_stats(samples, modes, STD)
    assert stats["mode_counts"] == [3, 2, 0, 0, 0, 0, 0, 0]
    assert stats["modes_covered"] == 2
    assert stats["modes_total"] == 8
    assert stats["hq_fraction"] == pytest.approx(5 / 8)
    assert stats["js_modes"] == pytest.approx(js2_by_hand([0.6, 0.4] + [0] * 6, [1 / 8] * 8), rel=1e-12)
    assert mode_stats(samples, modes, STD, min_count=3)["modes_covered"] == 1
    assert mode_stats(samples, modes, STD, hq_sigmas=4.0)["mode_counts"][2] == 1  # 0.07 < 0.08


def test_mode_stats_full_coverage_and_no_hq():
    modes = ring8()
    rng = np.random.default_rng(2)
    samples = modes[np.arange(2400) % 8] + STD * rng.normal(size=(2400, 2))
    stats = mode_stats(samples, modes, STD)
    assert stats["modes_covered"] == 8
    assert stats["js_modes"] < 1e-3  # 300 per mode, minus a few outside 3 std
    assert stats["hq_fraction"] == pytest.approx(1 - math.exp(-4.5), abs=0.01)  # chi2(2) mass within 3 std
    none_hq = mode_stats(np.zeros((10, 2)), modes, STD)
    assert none_hq["modes_covered"] == 0 and none_hq["hq_fraction"] == 0.0 and none_hq["js_modes"] == 1.0


def test_js_grid_identical_disjoint_and_in_between():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2500, 2))
    assert js_grid(x, x) == pytest.approx(0.0, abs=1e-12)
    assert js_grid(x, x + 100.0) == pytest.approx(1.0, abs=1e-12)  # all fakes in the overflow cell
    assert 0.0 < js_grid(x, rng.normal(size=(2500, 2))) < 0.15  # sampling noise only
    assert js_grid(x, x + 2.0) > 0.5


def test_js_grid_far_outlier_cannot_make_a_collapsed_generator_look_perfect():
    """The grid is the data's support: one fake at (1000, 1000) lands in the overflow cell. On a grid
    over both sets it stretched every cell, and a G collapsed onto one mode scored 0.0002 (perfect: 0.0037)."""
    rng = np.random.default_rng(6)
    modes = ring8()
    real = modes[rng.integers(8, size=2500)] + STD * rng.normal(size=(2500, 2))
    perfect = modes[rng.integers(8, size=2500)] + STD * rng.normal(size=(2500, 2))
    collapsed = modes[0] + STD * rng.normal(size=(2500, 2))
    outlier = collapsed.copy()
    outlier[-1] = (1000.0, 1000.0)
    bounds = (-2.7, 2.7, -2.7, 2.7)
    for b in (None, bounds):
        good, bad, worse = (js_grid(real, f, bounds=b) for f in (perfect, collapsed, outlier))
        assert good < 0.02 and bad > 0.6
        assert worse >= bad  # the outlier's own mass only adds to the divergence
    # By hand: real all in one cell; fake 3/4 there, 1/4 in the overflow cell. M = (7/8, 1/8).
    real4, fake4 = np.zeros((4, 2)), np.zeros((4, 2))
    fake4[3] = (1000.0, 1000.0)
    expected = 0.5 * math.log2(1 / 0.875) + 0.5 * (0.75 * math.log2(0.75 / 0.875) + 0.25 * math.log2(0.25 / 0.125))
    assert js_grid(real4, fake4) == pytest.approx(expected, rel=1e-12)
    assert js_grid(real4, fake4, bounds=bounds) == pytest.approx(expected, rel=1e-12)


def test_js_grid_degenerate_single_point():
    x = np.ones((5, 2))
    assert js_grid(x, x) == pytest.approx(0.0, abs=1e-12)


def test_metrics_2d_keys_and_json():
    modes = ring8()
    rng = np.random.default_rng(4)
    real = modes[rng.integers(8, size=500)] + STD * rng.normal(size=(500, 2))
    fake = modes[rng.integers(3, size=500)] + STD * rng.normal(size=(500, 2))  # 3 modes only
    out = metrics_2d(fake, real, modes, STD)
    assert set(out) == {"js_grid", "energy_distance", "energy_distance_rel", "mmd", "modes_covered", "modes_total",
                        "hq_fraction", "mode_counts", "js_modes"}
    assert out["modes_covered"] == 3
    json.dumps(out)  # plain Python types only
    assert all(type(out[k]) is float for k in ("js_grid", "energy_distance", "mmd", "hq_fraction", "js_modes"))
    assert set(metrics_2d(fake, real)) == {"js_grid", "energy_distance", "energy_distance_rel", "mmd"}


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_fake_gives_nan_without_raising(bad):
    modes = ring8()
    real = np.random.default_rng(5).normal(size=(100, 2))
    fake = real.copy()
    fake[7, 1] = bad
    out = metrics_2d(fake, real, modes, STD)
    for key in ("js_grid", "energy_distance", "mmd", "js_modes"):
        assert math.isnan(out[key]), key
    assert out["modes_covered"] == 0 and out["hq_fraction"] == 0.0 and out["modes_total"] == 8


def test_evaluate_with_cached_reference_term_equals_the_plain_computation():
    """evaluate() reuses the real reference's E||Y-Y'|| between calls; the value must not change."""
    from gan_core import Trainer, from_flat
    from gan_core.evaluate import evaluate, real_reference

    t = Trainer(from_flat({"g_width": 16, "d_width": 16, "batch_size": 64}))
    for _ in range(2):  # the first call fills the cache, the second uses it
        t.run(20)
        plain = metrics_2d(t.sample(), real_reference(t), t.data.modes, t.data.mode_std, mmd=False)
        got = evaluate(t, full=False)
        assert got.keys() == plain.keys() and got["mode_counts"] == plain["mode_counts"]
        assert got["energy_distance"] == pytest.approx(plain["energy_distance"], abs=1e-12)
        assert got["js_grid"] == plain["js_grid"]


_MOONS_SEED1 = """
import json
from gan_core import Trainer, from_flat
from gan_core.evaluate import evaluate
print(json.dumps(evaluate(Trainer(from_flat({"dataset": "moons", "seed": 1, "g_width": 16, "d_width": 16})))))
"""


def test_same_config_and_seed_same_metrics_fresh_or_after_another_seed():
    """The reference cache is keyed on what the reference depends on: moons is drawn from the seed's pool,
    so seed 1 evaluated after seed 0 must score as seed 1 in a fresh process (it once scored 0.8553 vs 0.8371)."""
    import json
    import os
    import subprocess
    import sys

    from gan_core import Trainer, from_flat
    from gan_core.evaluate import evaluate

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    fresh = json.loads(subprocess.run([sys.executable, "-c", _MOONS_SEED1], capture_output=True, text=True,
                                      check=True, env=env).stdout)
    evaluate(Trainer(from_flat({"dataset": "moons", "seed": 0, "g_width": 16, "d_width": 16})))
    after = evaluate(Trainer(from_flat({"dataset": "moons", "seed": 1, "g_width": 16, "d_width": 16})))
    assert after == pytest.approx(fresh, rel=1e-12)
