"""Sample-quality metrics for 2-D GANs: numpy and scipy only (REFERENCE.md section 4).

Every function takes plain arrays of shape (n, d) and returns plain Python numbers, so results go
straight into JSON, CSV and the dashboard. Non-finite input (a diverged generator) never raises:
the value is float("nan") instead.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial.distance import cdist, pdist

_CHUNK = 64  # rows per cdist block: the (64, m) block stays in cache, ~2x faster than one big block
_MEDIAN_POINTS = 1000  # the MMD bandwidth is the median distance over at most this many pooled points


def _as_points(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1)  # (n,) -> (n, 1); (n, d) unchanged


def _all_finite(*arrays: np.ndarray) -> bool:
    return all(a.size > 0 and np.isfinite(a).all() for a in arrays)


def _js_base2(p: np.ndarray, q: np.ndarray, eps: float = 0.0) -> float:
    """Jensen-Shannon divergence of two probability vectors, base 2, so in [0, 1].

    JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2 (Lin 1991). Terms with p = 0 are
    0 (0 log 0 = 0). M >= p/2 > 0 wherever p > 0, so no smoothing is needed; `eps` only floors M
    inside the logarithm as a guard.
    """
    m = np.maximum((p + q) / 2, eps)

    def kl_to_m(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return float(np.clip(0.5 * kl_to_m(p) + 0.5 * kl_to_m(q), 0.0, 1.0))


def mode_stats(samples, modes, std: float, *, hq_sigmas: float = 3.0, min_count: int = 1) -> dict:
    """Mode coverage of a mixture of Gaussians (VEEGAN, Srivastava 2017; PacGAN, Lin 2018).

    A sample is *high quality* (HQ) if its Euclidean distance to the nearest mode centre is at most
    `hq_sigmas * std`; a mode is *covered* if it is the nearest mode of at least `min_count` HQ
    samples (both papers use 3 std and a count of 1, evaluated on 2,500 samples).

    Returns modes_covered, modes_total, hq_fraction, mode_counts (HQ samples per mode) and js_modes:
    the JS divergence (base 2) of the normalised mode_counts to the uniform distribution over modes,
    1.0 when there is no HQ sample at all. Non-finite samples give modes_covered 0, hq_fraction 0.0,
    zero counts and js_modes nan.
    """
    modes = _as_points(modes)
    k = len(modes)
    x = _as_points(samples)
    if not _all_finite(x):
        return {"modes_covered": 0, "modes_total": k, "hq_fraction": 0.0,
                "mode_counts": [0] * k, "js_modes": float("nan")}

    dist = cdist(x, modes)  # (n, k)
    nearest = dist.argmin(axis=1)
    hq = dist[np.arange(len(x)), nearest] <= hq_sigmas * std
    counts = np.bincount(nearest[hq], minlength=k)
    if counts.sum() == 0:
        js = 1.0  # nothing lands on any mode: report the worst value, not an undefined one
    else:
        js = _js_base2(counts / counts.sum(), np.full(k, 1.0 / k))
    return {
        "modes_covered": int((counts >= min_count).sum()),
        "modes_total": k,
        "hq_fraction": float(hq.mean()),
        "mode_counts": [int(c) for c in counts],
        "js_modes": js,
    }


def js_grid(real, fake, bins: int = 30, eps: float = 1e-4, bounds=None) -> float:
    """JS divergence (base 2, in [0, 1]) between histograms of real and fake on one fixed grid.

    The grid is `bins` cells per axis (GAN Lab uses 30x30) over the data's support: `bounds`
    (x0, x1, y0, y1; the dataset's plot axes, Dataset.bounds) or, without them, the bounding box of
    the REAL points plus a 1% margin. Points outside the grid (either set) fall into one extra
    overflow cell, so a far-away fake costs its own mass and never stretches the cells: a grid over
    both sets let one fake at (1000, 1000) put the whole ring in one cell and score a collapsed G
    0.0002, better than a perfect one. GAN Lab's own estimate is biased (REFERENCE.md section 4);
    this is a fresh implementation, not a port.

    eps handling: the histograms are NOT smoothed. Adding eps = 1e-4 to each of 900 cells would move
    9% of the mass and cap a disjoint pair near 0.9. JS is finite without smoothing (the mixture is
    positive wherever either histogram is), so eps only floors the mixture inside the logarithm as
    a guard; with fewer than 1 / (2 eps) = 5,000 samples per set it never changes the result.
    """
    real, fake = _as_points(real), _as_points(fake)
    if not _all_finite(real, fake):
        return float("nan")
    if bounds is not None:
        lo, hi = np.asarray(bounds, dtype=np.float64).reshape(-1, 2).T  # (x0, x1, y0, y1) -> lo, hi
    else:
        lo, hi = real.min(axis=0), real.max(axis=0)
        span = hi - lo
        margin = np.where(span > 0, 0.01 * span, 0.5)  # a single point still gets a non-empty box
        lo, hi = lo - margin, hi + margin
    p, q = _grid_counts(real, lo, hi, bins), _grid_counts(fake, lo, hi, bins)
    return _js_base2(p / p.sum(), q / q.sum(), eps)


def _grid_counts(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bins: int) -> np.ndarray:
    """Counts in bins^d cells over [lo, hi] (edges included), then one overflow count for the rest."""
    inside = np.all((x >= lo) & (x <= hi), axis=1)
    counts, _ = np.histogramdd(x[inside], bins=bins, range=list(zip(lo, hi, strict=True)))
    return np.append(counts.ravel(), np.count_nonzero(~inside))


def _mean_cross_dist(a: np.ndarray, b: np.ndarray) -> float:
    """E||a - b|| over all n*m pairs, in row blocks so 2,500 x 2,500 never builds a 50 MB matrix."""
    total = sum(cdist(a[i:i + _CHUNK], b).sum() for i in range(0, len(a), _CHUNK))
    return float(total) / (len(a) * len(b))


def mean_self_distance(a) -> float:
    """E||A-A'|| of one sample (the V-statistic): the term of energy_distance a fixed reference can cache."""
    return _mean_self_dist(_as_points(a))


def _mean_self_dist(a: np.ndarray) -> float:
    """E||a - a'|| over all n^2 ordered pairs, diagonal (zeros) included: the V-statistic."""
    return 2.0 * float(pdist(a).sum()) / len(a) ** 2


def energy_distance(x, y, y_self: float | None = None) -> float:
    """Energy distance 2 E||X-Y|| - E||X-X'|| - E||Y-Y'|| (Székely & Rizzo 2004/2013).

    V-statistic (means over all pairs, self-pairs included), the same estimator as
    `dcor.energy_distance`, which the tests use as the reference. Zero iff the two empirical
    distributions coincide; unlike the grid JS it keeps growing as the samples move apart.
    y_self: E||Y-Y'|| when already known (a fixed reference sample's: see mean_self_distance).
    """
    x, y = _as_points(x), _as_points(y)
    if not _all_finite(x, y):
        return float("nan")
    y_self = _mean_self_dist(y) if y_self is None else y_self
    value = 2.0 * _mean_cross_dist(x, y) - _mean_self_dist(x) - y_self
    return max(value, 0.0)  # >= 0 in exact arithmetic; round-off gives -4e-16 on equal samples


def _median_distance(pooled: np.ndarray) -> float:
    # Median heuristic (Gretton 2012). A fixed stride (no RNG) over at most 1,000 pooled points keeps
    # it cheap and deterministic; the median of ~500k distances is already stable to about 1%.
    stride = max(1, math.ceil(len(pooled) / _MEDIAN_POINTS))
    d = pdist(pooled[::stride])
    return float(np.median(d)) if d.size else 0.0


def _rbf_sum(d2: np.ndarray, gamma: float) -> float:
    d2 *= -gamma
    return float(np.exp(d2, out=d2).sum())  # in place: no second copy of the block


def _kernel_mean(a: np.ndarray, b: np.ndarray, gamma: float) -> float:
    """mean k(a_i, b_j) over all pairs, in row blocks."""
    total = sum(_rbf_sum(cdist(a[i:i + _CHUNK], b, "sqeuclidean"), gamma)
                for i in range(0, len(a), _CHUNK))
    return total / (len(a) * len(b))


def _kernel_self_mean(a: np.ndarray, gamma: float) -> float:
    """mean k(a_i, a_j) over all n^2 ordered pairs: each distinct pair twice, plus n ones."""
    return (2.0 * _rbf_sum(pdist(a, "sqeuclidean"), gamma) + len(a)) / len(a) ** 2


def mmd_rbf(x, y) -> float:
    """Squared maximum mean discrepancy with a Gaussian RBF kernel (Gretton et al. 2012, JMLR).

    k(a, b) = exp(-||a - b||^2 / (2 sigma^2)), sigma = median pairwise distance of the pooled sample
    (the median heuristic; over a strided subsample of at most 1,000 points). Biased V-statistic
    MMD^2 = mean K_xx + mean K_yy - 2 mean K_xy (self-pairs included), which is never negative,
    unlike the unbiased estimator, and so reads well on a chart.
    """
    x, y = _as_points(x), _as_points(y)
    if not _all_finite(x, y):
        return float("nan")
    sigma = _median_distance(np.concatenate([x, y]))
    if sigma == 0.0:
        return 0.0  # every point identical: the two samples coincide
    gamma = 1.0 / (2.0 * sigma**2)
    value = _kernel_self_mean(x, gamma) + _kernel_self_mean(y, gamma) - 2.0 * _kernel_mean(x, y, gamma)
    return max(value, 0.0)  # round-off can dip a hair below 0


def metrics_2d(fake, real, modes=None, std: float | None = None, min_count: int = 1, mmd: bool = True,
               real_self: float | None = None, bounds=None) -> dict:
    """All 2-D metrics in one JSON-ready dict.

    Always js_grid, energy_distance and energy_distance_rel (energy_distance / E||Y-Y'|| of the real sample), and mmd unless mmd=False (the periodic in-training evaluation skips
    it: at about 110 ms it is the costliest); with `modes` (and `std`) also the mode_stats keys.
    real_self: mean_self_distance(real), when the caller has it cached. bounds: js_grid's grid (the dataset's).
    Evaluate on 2,500 fake samples, as VEEGAN and PacGAN do.
    """
    fake, real = _as_points(fake), _as_points(real)
    if real_self is None and _all_finite(real):
        real_self = _mean_self_dist(real)
    energy = energy_distance(fake, real, real_self)
    out = {
        "js_grid": js_grid(real, fake, bounds=bounds),
        "energy_distance": energy,
        # divided by the data's own spread E||Y-Y'||: scale-free, so one diagnosis threshold fits every dataset
        "energy_distance_rel": energy / real_self if real_self else float("nan"),
    }
    if mmd:
        out["mmd"] = mmd_rbf(fake, real)
    if modes is not None:
        if std is None:
            raise ValueError("metrics_2d: std is required when modes is given")
        out.update(mode_stats(fake, modes, std, min_count=min_count))
    return out
