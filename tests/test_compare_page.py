"""The Compare page (AppTest) on a runs folder with 2 good runs and 1 broken one: the listing, the
overlay, the tables, rename / delete, fork, GIF, the Playground's Save box; and one browser test that saves
two runs in the Playground and overlays them on the Compare page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core import Trainer, from_flat
from gan_core.store import load_run, save_run

ROOT = Path(__file__).resolve().parents[1]


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 10, **kw})


@pytest.fixture
def folder(tmp_runs):
    """GAN_CLASSROOM_RUNS -> alpha (lr_d changed at step 10), beta (lsgan), broken (bad config.json)."""
    tr = Trainer(small(seed=1))
    tr.run(10)
    tr.update(lr_d=1e-4)
    tr.run(10)
    save_run(tr, tmp_runs / "alpha")
    tr = Trainer(small(seed=1, loss="lsgan"))
    tr.run(15)
    save_run(tr, tmp_runs / "beta")
    (tmp_runs / "broken").mkdir()
    for f in ("metrics.csv", "summary.json"):
        (tmp_runs / "broken" / f).write_bytes((tmp_runs / "beta" / f).read_bytes())
    (tmp_runs / "broken" / "config.json").write_text("{oops")
    return tmp_runs


def open_compare(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figures on the page by title text."""
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return {f["layout"]["title"]["text"]: f for f in figs}


def legend_names(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("showlegend") is not False]


def frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_lists_runs_and_the_broken_one_with_its_reason(folder):
    at = open_compare()
    assert list(frame(at, "saved")["run"]) == ["alpha", "beta"]
    warning = " ".join(w.value for w in at.warning)
    assert "broken" in warning and "not valid JSON" in warning and "config.json" in warning
    assert at.multiselect(key="cmp_runs").options == ["alpha", "beta"]


def test_overlay_of_two_runs_tables_and_events(folder):
    at = open_compare()
    assert at.multiselect(key="cmp_runs").value == ["alpha", "beta"]  # the two newest runs to start with
    figs = charts(at)
    assert {"D loss", "G loss", "Mean D(x) on real data", "Mean D(G(z)) on generated data"} <= set(figs)
    for fig in figs.values():
        assert legend_names(fig) == ["alpha", "beta"]
    assert figs["D loss"]["layout"]["shapes"][0]["x0"] == 10  # alpha's lr_d change
    diff = frame(at, "setting")
    assert sorted(diff["setting"]) == ["D learning rate", "Loss"]
    assert "0.001 → 0.0001 @10" in diff["alpha"].tolist()
    assert frame(at, "change")["change"].tolist() == ["lr_d 0.001→0.0001"]
    assert list(frame(at, "diagnosis")["run"]) == ["alpha", "beta"]

    at.toggle(key="cmp_log").set_value(True).run()
    at.slider(key="cmp_smoothing").set_value(0.0).run()
    assert not at.exception and charts(at)["D loss"]["layout"]["yaxis"]["type"] == "log"
    at.multiselect(key="cmp_runs").set_value(["beta"]).run()
    assert legend_names(charts(at)["G loss"]) == ["beta"] and not at.exception


def test_rename_and_delete(folder):
    at = open_compare()
    at.selectbox(key="manage_run").set_value("alpha").run()
    at.text_input(key="rename_to").set_value("../evil").run()
    at.button(key="rename_go").click().run()
    assert at.error and (folder / "alpha").is_dir()
    at.text_input(key="rename_to").set_value("first run").run()
    at.button(key="rename_go").click().run()
    assert not at.exception and (folder / "first run").is_dir() and not (folder / "alpha").exists()
    assert "first run" in at.multiselect(key="cmp_runs").value
    assert any("Renamed" in s.value for s in at.success)

    at.selectbox(key="manage_run").set_value("beta").run()
    assert at.button(key="delete_go").disabled
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_go").click().run()
    assert not at.exception and not (folder / "beta").exists()
    assert at.multiselect(key="cmp_runs").value == ["first run"]
    at.selectbox(key="manage_run").set_value("broken").run()  # a broken folder can be deleted too
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_go").click().run()
    assert not (folder / "broken").exists() and not at.warning


def test_fork_from_the_page_opens_the_comparison(folder):
    at = open_compare()
    at.selectbox(key="fork_source").set_value("beta").run()
    assert at.button(key="fork_go").disabled
    at.multiselect(key="fork_fields").set_value(["lr_g"]).run()
    at.number_input(key="fork_val_lr_g").set_value(0.002).run()
    assert any("same initial weights" in s.value for s in at.success)
    at.button(key="fork_go").click().run()
    assert not at.exception
    assert at.multiselect(key="cmp_runs").value == ["beta", "beta lr_g 0.002"]
    assert load_run(folder / "beta lr_g 0.002").summary["steps"] == 15
    assert legend_names(charts(at)["D loss"]) == ["beta", "beta lr_g 0.002"]
    at.multiselect(key="fork_fields").set_value(["g_width"]).run()
    at.number_input(key="fork_val_g_width").set_value(8).run()
    assert any("cannot start from the same initial weights" in w.value for w in at.warning)


def test_gif_export(folder):
    at = open_compare()
    at.selectbox(key="gif_run").set_value("beta").run()
    at.button(key="gif_go").click().run()
    assert not at.exception and len(at.get("image")) == 1
    assert any("ends exactly where the saved run ended" in c.value for c in at.caption)


def test_chinese_and_empty_folder(folder, tmp_path, monkeypatch):
    at = open_compare("zh")
    assert "比较运行" in at.title[0].value and not at.exception
    monkeypatch.setenv("GAN_CLASSROOM_RUNS", str(tmp_path / "none"))
    monkeypatch.setenv("GAN_CLASSROOM_EXAMPLES", "off")  # else the example runs fill it (tests/test_examples.py)
    at = open_compare()
    assert "No saved runs yet" in at.info[0].value


SAVE_PAGE = """
import streamlit as st
from gan_core import from_flat
from gan_core.ui.saved_runs import save_run_ui
from gan_core.host.runner import Runner
if "runner" not in st.session_state:
    st.session_state.runner = Runner(from_flat({"g_width": 16, "d_width": 16, "metrics_every": 100000}))
save_run_ui(st.session_state.runner)
"""


def test_save_run_ui(tmp_runs):
    at = AppTest.from_string(SAVE_PAGE, default_timeout=60).run()
    assert at.button(key="save_go").disabled  # nothing trained yet
    runner = at.session_state.runner
    runner.do("step")
    at.text_input(key="save_name").set_value("a/b").run()
    assert at.error and "not allowed" in at.error[0].value
    at.text_input(key="save_name").set_value("mine").run()
    at.button(key="save_go").click().run()
    assert not at.exception and load_run(tmp_runs / "mine").summary["steps"] == 1
    assert any("Saved mine" in s.value for s in at.success) and at.text_input(key="save_name").value == ""
    runner.do("step")
    at.text_input(key="save_name").set_value("mine").run()
    assert at.button(key="save_go").disabled and "exists already" in at.warning[0].value
    at.checkbox(key="save_overwrite").check().run()
    at.button(key="save_go").click().run()
    assert load_run(tmp_runs / "mine").summary["steps"] == 2
    at.text_input(key="save_name").set_value("").run()
    at.button(key="save_go").click().run()  # empty: the suggested name
    assert (tmp_runs / "ring8 non-saturating lr 0.001 step 2").is_dir()


@pytest.mark.browser
def test_browser_save_two_runs_and_overlay_them(server, page):
    from playwright.sync_api import expect

    from tests.browser import shot

    torch.set_num_threads(1)
    page.goto(server)  # a fresh server learns the app's pages on its first run of app.py
    expect(page.get_by_text("Language / 语言")).to_be_visible(timeout=60_000)
    page.goto(server + "/playground")
    step = page.get_by_role("button", name="Step", exact=True)
    expect(step).to_be_visible(timeout=60_000)
    name_box = page.get_by_role("textbox", name="Run name", exact=True)
    assert name_box.count(), "the Playground has no Save run box: add save_run_ui(runner) to pages/playground.py"
    for run_name, steps in (("first try", 3), ("second try", 2)):
        for _ in range(steps):
            step.click()
            page.wait_for_timeout(400)
        name_box.fill(run_name)
        name_box.press("Enter")
        page.get_by_role("button", name=re.compile("Save run")).click()
        expect(page.get_by_text(f"Saved {run_name}")).to_be_visible(timeout=30_000)
    shot(page, "compare_saved_in_playground")

    page.goto(server + "/compare")
    expect(page.get_by_text("Runs to compare")).to_be_visible(timeout=60_000)
    picker = page.get_by_test_id("stMultiSelect")
    expect(picker.get_by_text("first try")).to_be_visible(timeout=30_000)
    expect(picker.get_by_text("second try")).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_be_visible(timeout=30_000)
    legend = page.locator(".js-plotly-plot .legendtext")
    expect(legend.filter(has_text="first try").first).to_be_visible()
    expect(legend.filter(has_text="second try").first).to_be_visible()
    page.wait_for_timeout(1000)
    shot(page, "compare_overlay")
    with page.expect_download(timeout=60_000) as download:  # made on the click (deferred download)
        page.get_by_role("button", name="Curves as CSV").click()
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("step,first try:d_loss") and "second try:g_loss" in header


def test_save_while_training_is_not_blocked_by_a_stale_step_count(tmp_runs):
    """The sidebar is drawn when Train is pressed (step 0) and not again while training: Save must still
    work then, and must say so when there is really nothing to save."""
    at = AppTest.from_string(SAVE_PAGE, default_timeout=60).run()
    runner = at.session_state.runner
    runner.running = True  # as right after Train: the page was drawn at step 0
    at.run()
    assert not at.button(key="save_go").disabled and not at.caption
    at.button(key="save_go").click().run()
    assert any("Nothing to save yet" in e.value for e in at.error)  # clicked before the first step
    runner.running = False
    runner.do("step")
    at.button(key="save_go").click().run()
    assert not at.exception and any(p.is_dir() for p in tmp_runs.iterdir())
