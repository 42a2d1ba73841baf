"""Digits metrics: the classifier, the score on hand-built probabilities, Fréchet vs closed forms."""

import json
import math

import numpy as np
import pytest
import scipy.linalg
import torch

from gan_core import digits as digits_eval
from gan_core.digits import (
    classifier,
    digits_metrics,
    frechet_distance,
    inception_style_score,
    load_digits_xy,
)


def test_classifier_accuracy_and_shapes():
    clf = classifier()
    assert clf.accuracy >= 0.95
    x = load_digits_xy()[0][:7]
    probs = clf.predict_proba(x)
    assert probs.shape == (7, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    feats = clf.features(x)
    assert feats.shape == (7, 32) and (feats >= 0).all()  # after the ReLU
    np.testing.assert_array_equal(clf.features(x.reshape(7, 8, 8)), feats)  # image shape accepted


def test_training_is_deterministic_and_leaves_global_state_alone():
    first = classifier()
    torch.manual_seed(123)
    rng_before, threads_before = torch.get_rng_state(), torch.get_num_threads()
    digits_eval._trained_classifier.cache_clear()  # retrain from scratch
    again = classifier()
    assert again is not first
    assert again.accuracy == first.accuracy
    x = load_digits_xy()[0][:50]
    np.testing.assert_array_equal(again.predict_proba(x), first.predict_proba(x))
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert torch.get_num_threads() == threads_before


def test_score_by_hand():
    one_hot = np.eye(10)  # confident and balanced: KL(p(y|x) || uniform) = log 10 for every x
    assert inception_style_score(one_hot) == pytest.approx(10.0)
    assert inception_style_score(np.tile([0.5, 0.5] + [0] * 8, (4, 1))) == pytest.approx(1.0)
    # two classes, x1 = (0.9, 0.1), x2 = (0.1, 0.9): p(y) = (0.5, 0.5)
    kl = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    assert inception_style_score([[0.9, 0.1], [0.1, 0.9]]) == pytest.approx(math.exp(kl))


def test_real_digits_score_high_and_cover_all_classes():
    clf = classifier()
    out = digits_metrics(clf.x_test)
    assert out["digits_score"] > 7
    assert out["digits_score"] == pytest.approx(out["digits_score_real"])
    assert out["classes_covered"] == 10
    assert sum(out["class_counts"]) == len(clf.x_test)
    assert out["frechet"] < 5.0  # held-out digits vs all digits: close
    json.dumps(out)


def test_single_repeated_digit_scores_one_and_covers_one_class():
    x = np.repeat(load_digits_xy()[0][:1], 200, axis=0)
    out = digits_metrics(x)
    assert out["digits_score"] == pytest.approx(1.0, abs=1e-6)
    assert out["classes_covered"] == 1
    assert out["frechet"] > 50.0  # far from the real feature distribution


def test_classes_covered_min_count():
    x, y = load_digits_xy()
    clf = classifier()
    zeros = x[y == 0]
    zeros = zeros[clf.predict_proba(zeros).argmax(axis=1) == 0][:150]  # 150 predicted as 0
    threes = x[y == 3]
    three = threes[clf.predict_proba(threes).argmax(axis=1) == 3][:1]  # 1 predicted as 3
    fake = np.concatenate([zeros, three])
    out = digits_metrics(fake)  # default min_count: 1% of 151 -> 2, so the lone 3 does not count
    assert out["class_counts"] == [150, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert out["classes_covered"] == 1
    assert digits_metrics(fake, min_count=1)["classes_covered"] == 2


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_gives_nan_without_raising(bad):
    x = load_digits_xy()[0][:100].copy()
    x[3, 5] = bad
    out = digits_metrics(x)
    assert math.isnan(out["digits_score"]) and math.isnan(out["frechet"])
    assert out["classes_covered"] == 0 and out["digits_score_real"] > 7


def test_frechet_diagonal_closed_form():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_frechet_full_covariances_vs_symmetric_form():
    # Independent route: Tr sqrtm(C1 C2) = Tr sqrtm(S C2 S), S = C1^(1/2) symmetric (via eigh).
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    c1, c2 = a @ a.T + 0.1 * np.eye(5), b @ b.T + 0.1 * np.eye(5)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    w, v = np.linalg.eigh(c1)
    s = v @ np.diag(np.sqrt(w)) @ v.T
    w2 = np.linalg.eigvalsh(s @ c2 @ s)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * np.sum(np.sqrt(w2))
    assert frechet_distance(mu1, c1, mu2, c2) == pytest.approx(expected, rel=1e-9)
    direct = np.real(scipy.linalg.sqrtm(c1 @ c2))
    assert frechet_distance(mu1, c1, mu2, c2) == pytest.approx(
        np.sum((mu1 - mu2) ** 2) + np.trace(c1 + c2 - 2 * direct), rel=1e-9)
    assert frechet_distance(mu1, c1, mu1, c1) == pytest.approx(0.0, abs=1e-9)


def test_frechet_with_too_few_samples_does_not_raise():
    feats = np.random.default_rng(2).normal(size=(5, 32))  # 5 samples, 32 dims: singular covariance
    cov = np.cov(feats, rowvar=False)
    value = frechet_distance(feats.mean(0), cov, np.zeros(32), np.eye(32))
    assert math.isnan(value) or value >= 0.0
    assert math.isnan(frechet_distance(np.zeros(2), np.full((2, 2), np.nan), np.zeros(2), np.eye(2)))
