"""Each diagnosis label from a synthetic history: numbers chosen to sit clearly on one side of a threshold."""

import math

import numpy as np
import pytest

from gan_core import diagnosis as dg
from gan_core.diagnosis import Diagnosis, diagnose

RING_GOOD = {"modes_covered": 8, "modes_total": 8, "hq_fraction": 0.85}


def history(n=3000, d_real=0.55, d_fake=0.45, g_grad=2.0, d_grad=2.0, seed=0):
    """A calm run: small batch-to-batch noise around fixed D(x), D(G(z)) and gradient norms."""
    rng = np.random.default_rng(seed)
    noise = lambda: 0.01 * rng.standard_normal(n)  # noqa: E731
    d_fake = np.broadcast_to(d_fake, (n,)) + noise()
    return {
        "step": np.arange(1, n + 1, dtype=float),
        "d_loss": 1.38 + noise(), "g_loss": 0.69 + noise(),
        "d_real": d_real + noise(), "d_fake": d_fake, "d_fake_after": d_fake + 0.01,
        "g_grad_norm": g_grad * (1 + noise()), "d_grad_norm": d_grad * (1 + noise()),
        "seconds": np.full(n, 0.004),
    }


def test_healthy():
    d = diagnose(history(), RING_GOOD, "ok", "non-saturating")
    assert d.label == "healthy"
    assert any("8 of 8 modes" in e for e in d.evidence)


def test_healthy_without_metrics_says_so():
    d = diagnose(history(), None, "ok", "non-saturating")
    assert d.label == "healthy"
    assert any("no quality metrics" in e for e in d.evidence)


def test_few_steps_is_not_converged_yet():
    d = diagnose(history(n=dg.MIN_STEPS - 1), None, "ok", "non-saturating")
    assert d.label == "not-converged-yet"


def test_low_quality_is_not_converged_yet():
    metrics = {**RING_GOOD, "modes_covered": 7, "hq_fraction": 0.2}
    d = diagnose(history(), metrics, "ok", "non-saturating")
    assert d.label == "not-converged-yet"
    assert any("20%" in e for e in d.evidence)


def test_diverged_status_is_divergence():
    h = history(n=800)
    for key in ("d_loss", "g_loss", "d_grad_norm"):
        h[key][-1] = math.nan
    d = diagnose(h, None, "diverged", "wgan")
    assert d.label == "divergence"
    assert "800" in d.evidence[0]


def test_vanishing_gradients():
    d = diagnose(history(d_fake=0.003, d_real=0.99, g_grad=1e-4), {**RING_GOOD, "modes_covered": 1}, "ok", "minimax")
    assert d.label == "vanishing-gradients"
    text = " ".join(d.evidence)
    assert "D(G(z)) = 0.0" in text and "minimax" in text
    assert "1 of 8 modes covered" in text  # the consequence is reported too


def test_small_d_fake_with_healthy_gradients_is_not_vanishing():
    # Non-saturating: D(G(z)) near 0 still gives G a strong push, so this is no vanishing gradient.
    d = diagnose(history(d_fake=0.01, g_grad=5.0), RING_GOOD, "ok", "non-saturating")
    assert d.label != "vanishing-gradients"


def test_mode_collapse_from_modes_and_classes():
    d = diagnose(history(), {**RING_GOOD, "modes_covered": 3}, "ok", "non-saturating")
    assert d.label == "mode-collapse"
    assert "3 of 8 modes covered" in d.evidence
    digits = {"digits_score": 2.0, "digits_score_real": 8.6, "classes_covered": 2, "class_counts": [0] * 10}
    d = diagnose(history(), digits, "ok", "non-saturating")
    assert d.label == "mode-collapse"
    assert "2 of 10 digit classes covered" in d.evidence


def test_sharp_samples_with_empty_modes_is_collapse_but_blurry_ones_are_not():
    # 6 of 8 with 85% of samples on a mode: G has given two modes up (PacGAN's vanilla-GAN 6-of-8).
    d = diagnose(history(), {**RING_GOOD, "modes_covered": 6}, "ok", "non-saturating")
    assert d.label == "mode-collapse"
    assert any("2 are missing" in e for e in d.evidence)
    # 6 of 8 while most samples are still between modes: on its way, not collapsed.
    d = diagnose(history(), {**RING_GOOD, "modes_covered": 6, "hq_fraction": 0.3}, "ok", "non-saturating")
    assert d.label == "not-converged-yet"


def test_oscillation_outranks_collapse_and_keeps_both_evidences():
    h = history()
    h["d_fake"] = 0.45 + 0.3 * np.sin(2 * np.pi * h["step"] / 200)
    d = diagnose(h, {**RING_GOOD, "modes_covered": 3}, "ok", "non-saturating")
    assert d.label == "oscillation"
    assert "3 of 8 modes covered" in d.evidence


def test_oscillation():
    h = history()
    t = h["step"]
    h["d_fake"] = 0.45 + 0.3 * np.sin(2 * np.pi * t / 200)  # 5 full swings in the last 1,000 steps
    h["d_loss"] = 1.2 + 0.5 * np.sin(2 * np.pi * t / 200)
    d = diagnose(h, RING_GOOD, "ok", "non-saturating")
    assert d.label == "oscillation"
    assert "swings between" in d.evidence[0]


def test_slow_trend_is_not_oscillation():
    h = history()
    h["d_fake"] = np.linspace(0.1, 0.5, len(h["step"]))  # drifts, never swings back
    assert diagnose(h, RING_GOOD, "ok", "non-saturating").label == "healthy"


def test_only_the_recent_window_counts():
    h = history(n=10_000)
    h["d_fake"][:5000] = 0.45 + 0.3 * np.sin(2 * np.pi * h["step"][:5000] / 200)  # long over
    assert diagnose(h, RING_GOOD, "ok", "non-saturating").label == "healthy"


@pytest.mark.parametrize("status", ["ok", "diverged"])
def test_nan_history_does_not_crash(status):
    h = {k: np.full(1000, np.nan) for k in history(n=1)}
    h["step"] = np.arange(1, 1001, dtype=float)
    d = diagnose(h, None, status, "non-saturating")
    assert d.label in dg.LABELS
    empty = {k: np.array([]) for k in h}
    assert diagnose(empty, None, status, "minimax").label in dg.LABELS


def test_nan_metrics_do_not_crash():
    d = diagnose(history(), {"modes_covered": 0, "modes_total": 8, "hq_fraction": math.nan}, "ok", "lsgan")
    assert d.label == "failed-to-learn"  # no sample near any mode: not on the data, not collapsed onto it


def test_diagnosis_to_dict_and_frozen():
    d = Diagnosis("healthy", ["x"])
    assert d.to_dict() == {"label": "healthy", "evidence": ["x"]}
    with pytest.raises(AttributeError):
        d.label = "oscillation"


def test_diagnose_trainer_on_a_short_run():
    from gan_core import Config, Trainer

    t = Trainer(Config(seed=0, batch_size=64))
    t.run(20)
    assert dg.diagnose_trainer(t).label == "not-converged-yet"


def test_evidence_keeps_its_key_and_numbers_for_translation():
    import copy
    import pickle

    from gan_core.diagnosis import EVIDENCE, Evidence
    from gan_core.ui.i18n import table

    d = diagnose(history(d_fake=0.003, d_real=0.99, g_grad=1e-4), {**RING_GOOD, "modes_covered": 1}, "ok", "minimax")
    assert all(isinstance(e, Evidence) for e in d.evidence)
    line = d.evidence[0]
    for again in (copy.deepcopy(line), pickle.loads(pickle.dumps(line))):
        assert again == line and again.key == line.key and again.params == line.params
    assert d.to_dict()["evidence"] == [str(e) for e in d.evidence]
    # the English table is exactly the engine's text; the Chinese one formats the same numbers
    assert {k: table("en")[f"evidence.{k}"] for k in EVIDENCE} == EVIDENCE
    zh = table("zh")[f"evidence.{line.key}"].format(**line.params)
    assert f"D(G(z)) = {line.params['d_fake']:.3g}" in zh and f"D(G(z)) = {line.params['d_fake']:.3g}" in line
    assert "D 几乎拒绝" in zh


def test_never_reached_the_data_is_failed_to_learn_not_collapse():
    """G a point far from every mode: 1 of 8 'covered' by 0.2% of the samples (the issue's run) is no collapse."""
    for metrics in ({**RING_GOOD, "modes_covered": 1, "hq_fraction": 0.002},
                    {**RING_GOOD, "modes_covered": 0, "hq_fraction": 0.0}):
        d = diagnose(history(), metrics, "ok", "non-saturating")
        assert d.label == "failed-to-learn"
        assert "mode-collapse" not in d.label and any("within 3 std" in e for e in d.evidence)
    # on the data (a quarter or more of the samples sharp) and on few modes: collapse
    d = diagnose(history(), {**RING_GOOD, "modes_covered": 2, "hq_fraction": dg.COLLAPSE_HQ}, "ok", "non-saturating")
    assert d.label == "mode-collapse"
    # partly on the data, few modes, mostly blurry: on its way
    d = diagnose(history(), {**RING_GOOD, "modes_covered": 2, "hq_fraction": 0.15}, "ok", "non-saturating")
    assert d.label == "not-converged-yet"


def test_datasets_without_modes_are_judged_by_the_distances():
    good = {"js_grid": 0.14, "energy_distance": 0.005, "energy_distance_rel": 0.003}
    d = diagnose(history(), good, "ok", "non-saturating")
    assert d.label == "healthy" and not any("no quality metrics" in e for e in d.evidence)
    assert any("energy distance 0.3%" in e and "good and bad runs" in e for e in d.evidence)
    far = {"js_grid": 0.95, "energy_distance": 0.68, "energy_distance_rel": 0.36}
    assert diagnose(history(), far, "ok", "non-saturating").label == "failed-to-learn"
    between = {"js_grid": 0.6, "energy_distance": 0.1, "energy_distance_rel": (dg.REL_GOOD + dg.REL_FAILED) / 2}
    assert diagnose(history(), between, "ok", "non-saturating").label == "not-converged-yet"
    # custom points: a good G around 40 atoms has a high js_grid; the energy distance decides
    assert diagnose(history(), {**good, "js_grid": 0.71}, "ok", "non-saturating").label == "healthy"
    # two modes say little about the shape: the distances count there too, but hq says whether G is on the data
    two = {"modes_covered": 2, "modes_total": 2, "hq_fraction": 0.9, **far}
    assert diagnose(history(), two, "ok", "non-saturating").label == "not-converged-yet"
    one = {"modes_covered": 1, "modes_total": 2, "hq_fraction": 0.99, "js_grid": 0.355, "energy_distance_rel": 0.715}
    assert diagnose(history(), one, "ok", "non-saturating").label == "mode-collapse"  # measured: vanishing recipe


def critic_history(gap, offset):
    h = history()
    h["d_fake"] = offset
    h["d_real"] = offset + gap
    return h


def test_critic_oscillation_reads_the_gap_not_the_free_offset():
    t = history()["step"]
    wander = 2.0 * np.sin(2 * np.pi * t / 200)  # the critic's offset drifts: no meaning
    calm_gap = 0.017 + 0.005 * np.sin(2 * np.pi * t / 170)
    d = diagnose(critic_history(calm_gap, wander), None, "ok", "wgan-gp")
    assert d.label != "oscillation"
    # the old rule on sigmoid(D(G(z))) of the same run would have fired
    assert dg._swing(1 / (1 + np.exp(-wander)))[3]
    swinging = 0.4 + 0.6 * np.sin(2 * np.pi * t / 200)
    d = diagnose(critic_history(swinging, wander), None, "ok", "hinge")
    assert d.label == "oscillation" and "gap D(x) - D(G(z))" in d.evidence[0]


def test_vanishing_gradients_only_for_the_log_losses():
    h = critic_history(np.full(3000, 1.0), np.full(3000, -3.0))
    h["g_grad_norm"][:] = 1e-4
    assert diagnose(h, None, "ok", "wgan").label != "vanishing-gradients"
