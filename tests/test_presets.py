"""Presets build valid configs, name fixes that exist, and the verifier's checks and table work.
The full 5-seed verification is far too slow for a test: `python -m gan_core presets --verify` runs it."""

import pytest

from gan_core import Trainer
from gan_core.config import Config
from gan_core.diagnosis import LABELS
from gan_core.presets import PRESETS, get_preset
from gan_core.verify import check, format_table, summary

REQUIRED = ("ring-stable", "ring-mode-collapse", "vanishing-gradients", "oscillation", "divergence", "digits")
EXPECT_KEYS = {"status", "diagnosis", "diagnosis_in", "diagnosis_not", "modes_min", "modes_max", "hq_min", "hq_max",
               "g_grad_min", "g_grad_max", "swing_min", "swing_max", "grad_top_min", "grad_top_max", "diverged_by", "spread_max",
               "classes_min", "score_ratio_min", "seconds_max"}


def test_required_presets_exist():
    assert set(REQUIRED) <= set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_is_valid(name):
    p = PRESETS[name]
    assert p.name == name
    assert isinstance(p.config(seed=3), Config) and p.config(seed=3).seed == 3
    assert p.description and "\n" not in p.description
    assert p.steps > 0
    assert set(p.expect) <= EXPECT_KEYS
    assert p.expect.get("diagnosis", "healthy") in LABELS
    if p.fix is not None:
        fix = get_preset(p.fix)
        assert fix.name != name
        assert fix.config().dataset == p.config().dataset  # "Apply the fix" keeps the data


def test_instabilities_have_a_fix():
    for name in REQUIRED[1:5]:
        assert PRESETS[name].fix in PRESETS


def test_fix_changes_few_settings():
    # A fix that differs in one or two settings teaches one idea; same architecture = same initial weights.
    arch = ("g_depth", "g_width", "d_depth", "d_width", "latent_dim", "g_activation", "d_activation")
    for name in REQUIRED[1:5]:
        p = PRESETS[name]
        diff = p.config().diff(get_preset(p.fix).config())
        assert 1 <= len(diff) <= 2, (name, diff)
        assert not set(diff) & set(arch), (name, diff)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="ring-stable"):
        get_preset("nope")


def test_divergence_preset_diverges_quickly_without_exception():
    p = PRESETS["divergence"]
    t = Trainer(p.config(seed=0))
    t.run(p.steps)
    assert t.status == "diverged" and "diverged at step" in t.reason
    assert t.step_count < p.steps / 2  # quickly: a lesson shows the blow-up within seconds


def row(**kw):
    base = {"preset": "p", "seed": 0, "status": "ok", "steps": 10, "modes": "8/8", "hq": 0.8, "classes": None,
            "score_ratio": None, "diagnosis": "healthy", "seconds": 1.0}
    return {**base, **kw}


def test_check_reports_each_missed_expectation():
    metrics = {"modes_covered": 3, "modes_total": 8, "hq_fraction": 0.5}
    assert check({"modes_max": 4, "diagnosis": "healthy"}, row(), metrics) == []
    missed = check({"modes_min": 8, "hq_min": 0.7, "status": "diverged"}, row(), metrics)
    assert len(missed) == 3 and "3 modes < 8" in missed
    assert check({"score_ratio_min": 0.75, "seconds_max": 60}, row(score_ratio=0.8, seconds=61), {}) == ["61 s > 60 s"]
    with pytest.raises(ValueError):
        check({"typo": 1}, row(), metrics)


def test_format_table_and_summary():
    rows = [{**row(seed=s), "passed": s != 2, "failed": [] if s != 2 else ["hq 0.30 < 0.7"]} for s in range(5)]
    rows.append({**row(preset="digits", modes=None, hq=None, classes="10/10", score_ratio=0.8),
                 "passed": False, "failed": ["x"]})
    assert summary(rows) == {"p": (4, 5, True), "digits": (0, 1, False)}
    text = format_table(rows)
    assert "p: 4/5 seeds as promised" in text
    assert "digits: 0/1 seeds as promised  (FALLS SHORT: needs 1)" in text
    assert "NO: hq 0.30 < 0.7" in text and "score 0.80" in text
    header, rule = text.splitlines()[:2]
    assert header.startswith("preset") and set(rule) <= {"-", " "}
