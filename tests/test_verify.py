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
