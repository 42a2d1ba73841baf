"""The Stability map page (AppTest): a shipped lesson map shows at once in both languages; a small sweep
of one's own fills in from a background thread; a bad grid gets a message; a square opens in the Playground."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
MAPS = sorted((ROOT / "assets" / "maps").glob("*.json"))


def open_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/stability.py").run()
    assert not at.exception, at.exception
    return at


def heatmaps(at: AppTest) -> list[dict]:
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [f["data"][0] for f in figs if f["data"] and f["data"][0]["type"] == "heatmap"]


def test_translations_have_the_same_keys():
    en, zh = (json.loads((ROOT / "assets" / "i18n" / lang / "stability.json").read_text()) for lang in ("en", "zh"))
    assert en.keys() == zh.keys()
    assert all(f"stab.map.{p.stem}" in en and f"stab.about.{p.stem}" in en for p in MAPS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_maps_show_instantly_with_their_numbers(lang):
    assert MAPS, "assets/maps ships the lesson maps"
    at = open_page(lang)
    doc = json.loads(MAPS[0].read_text())
    heat = heatmaps(at)[0]
    for cell in doc["cells"]:
        i, j = cell["cell"]
        assert heat["text"][j][i] == f"{cell['healthy']:.0%}"
    assert len(heat["x"]) == len(doc["axes"][0]["values"]) and len(heat["y"]) == len(doc["axes"][1]["values"])
    title = at.title[0].value
    assert title == ("Stability map" if lang == "en" else "稳定性地图")
    names = [o for o in at.selectbox(key="stab_cell_lesson").options]
    assert len(names) == len(doc["cells"])


def test_bad_grid_says_what_is_wrong():
    at = open_page()
    at.text_input(key="stab_values0_lr_d").set_value("1e-3, abc").run()
    assert "expected a number" in " ".join(e.value for e in at.error)
    assert "stab_start" not in [b.key for b in at.button]  # nothing to start until the grid is valid


def test_own_sweep_fills_in_and_a_square_opens_in_the_playground():
    at = open_page()
    at.text_input(key="stab_values0_lr_d").set_value("1e-3, 1e-2")
    at.text_input(key="stab_values1_lr_g").set_value("1e-3")
    at.number_input(key="stab_seeds").set_value(1)
    at.number_input(key="stab_steps").set_value(100).run()
    at.button(key="stab_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["stab_job"]
    deadline = time.time() + 300
    while job.running and time.time() < deadline:
        time.sleep(0.5)
    assert job.finished and job.error is None
    at.run()
    heat = heatmaps(at)[-1]
    assert heat["text"] == [["0%", "0%"]]  # 100 steps: too early for anything but "not converged yet"
    assert [r["diagnosis"] for r in job.document["rows"]] == ["not-converged-yet"] * 2
    at.selectbox(key="stab_cell_job").set_value((1, 0)).run()
    at.button(key="stab_open_job").click().run()
    assert not at.exception, at.exception
    config = at.session_state["runner"].trainer.config
    assert (config.lr_d, config.lr_g, config.seed, config.r1_gamma) == (1e-2, 1e-3, 0, 0.1)
    assert at.session_state["cfg_lr_d"] == 1e-2
