import pytest

from gan_core.presets import PRESETS, get_preset
from gan_core.verify import check, format_table, run_one


def test_every_preset_builds_a_valid_config_and_says_what_to_see():
    for preset in PRESETS.values():
        preset.config(seed=3)
        assert preset.description and preset.steps > 0
    with pytest.raises(ValueError, match="unknown preset"):
        get_preset("nope")


def test_check_reports_each_missed_promise():
    row = {"status": "ok", "diagnosis": "healthy", "seconds": 12.0, "score_ratio": 0.8}
    assert check({"modes_min": 8, "hq_min": 0.7}, row, {"modes_covered": 8, "hq_fraction": 0.75}) == []
    missed = check({"modes_min": 8, "hq_min": 0.7}, row, {"modes_covered": 6, "hq_fraction": 0.5})
    assert missed == ["6 modes < 8", "hq 0.50 < 0.7"]
    assert check({"status": "diverged"}, row, {}) == ["status ok, expected diverged"]
    with pytest.raises(ValueError, match="unknown expectation"):
        check({"bogus": 1}, row, {})


def test_run_one_gives_a_table_row(monkeypatch):
    preset = get_preset("ring-stable")
    short = type(preset)(**{**preset.__dict__, "steps": 30})
    row = run_one(short, seed=0)
    assert row["preset"] == "ring-stable" and row["steps"] == 30 and row["passed"] is False
    assert "ring-stable" in format_table([row])


def test_measure_reads_the_window_the_diagnosis_reads():
    import numpy as np

    from gan_core.verify import measure

    steps = np.arange(1, 2001, dtype=float)
    d_fake = np.where(steps > 1000, 0.5 + 0.2 * np.sign(np.sin(steps / 40)), 0.5)  # swings only in the last 1,000
    hist = {"step": steps, "d_fake": d_fake, "g_grad_norm": np.where(steps > 1000, 2.0, 1e9),
            "d_grad_norm": np.full(2000, 3.0)}
    m = measure(hist, "ok")
    assert m["g_grad"] == 2.0 and m["grad_top"] == 1e9 and m["diverged_at"] is None
    assert 0.3 < m["swing"] <= 0.4
    assert measure({**hist, "d_fake": np.full(2000, 0.5)}, "diverged") == {**m, "swing": 0.0, "diverged_at": 2000}


def test_check_fix_compares_the_fix_with_the_original_on_the_same_seed():
    from gan_core.verify import check_fix

    a = {"g_grad": 1e-6, "swing": 0.4, "modes": "0/8", "steps": 219}
    b = {"g_grad": 10.0, "swing": 0.05, "modes": "8/8", "steps": 1000}
    changes = {"g_grad_ratio_min": 1e3, "swing_ratio_max": 0.5, "modes_gain_min": 5, "steps_gain_min": 500}
    assert check_fix(changes, a, b) == []
    assert len(check_fix(changes, b, a)) == 4
    assert check_fix({"g_grad_ratio_min": 10}, {"g_grad": None}, b) != []  # nothing measured: not kept
    with pytest.raises(ValueError, match="unknown fix expectation"):
        check_fix({"bogus": 1}, a, b)


def test_new_expectations_fail_when_the_claim_does_not_hold():
    row = {"status": "ok", "diagnosis": "healthy", "seconds": 1.0, "score_ratio": None, "g_grad": 5.0,
           "swing": 0.1, "grad_top": 50.0, "diverged_at": None}
    assert check({"g_grad_max": 1e-3, "swing_min": 0.25, "grad_top_min": 100, "diverged_by": 500}, row, {}) == [
        "g_grad 5 > 0.001", "swing 0.1 < 0.25", "grad_top 50 < 100", "diverged at nan, expected by 500"]
    assert check({"g_grad_min": 1, "swing_max": 0.2, "grad_top_max": 100, "diagnosis_in": ["healthy"]}, row, {}) == []
