"""The Playground through Streamlit's AppTest: every button does what it says."""

import json
import string
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def at():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/playground.py").run()
    assert not app.exception
    return app


def status(app) -> str:
    return next(m.value for m in app.markdown if "·" in m.value and m.value.startswith("####"))


def runner(app):
    return app.session_state["runner"]


def test_buttons_are_there_with_design_labels(at):
    labels = {b.key: b.label for b in at.button}
    for key, label in [("btn_train", "Train"), ("btn_pause", "Pause"), ("btn_step", "Step"),
                       ("btn_d_step", "Step D"), ("btn_g_step", "Step G"), ("btn_reset", "Reset")]:
        assert labels[key] == label
    assert status(at).startswith("#### Step 0 · 0 steps/s")
    assert len(at.get("plotly_chart")) >= 4


def test_step_d_changes_only_d_and_step_g_only_g(at):
    tr = runner(at).trainer
    g0 = [p.clone() for p in tr.G.parameters()]
    d0 = [p.clone() for p in tr.D.parameters()]
    at.button(key="btn_d_step").click().run()
    assert "Step 1 ·" in status(at)
    assert all(torch.equal(a, b) for a, b in zip(g0, tr.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, tr.D.parameters()))
    d1 = [p.clone() for p in tr.D.parameters()]
    at.button(key="btn_g_step").click().run()
    assert all(torch.equal(a, b) for a, b in zip(d1, tr.D.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, tr.G.parameters()))
    at.button(key="btn_step").click().run()
    assert "Step 3 ·" in status(at)


def test_reset_returns_to_step_zero_with_the_same_first_losses(at):
    at.button(key="btn_step").click().run()
    first = runner(at).trainer.history.last()["d_loss"]
    at.button(key="btn_step").click().run()
    at.button(key="btn_reset").click().run()
    assert "Step 0 ·" in status(at)
    at.button(key="btn_step").click().run()
    assert runner(at).trainer.history.last()["d_loss"] == first


def test_train_runs_in_the_background_and_pause_stops_it(at):
    at.button(key="btn_train").click().run()
    r = runner(at)
    assert r.running
    r._thread.join(timeout=0.5)  # let it train a little
    at.run()
    assert r.trainer.step_count > 0
    at.button(key="btn_pause").click().run()
    assert not r.running
    n = r.trainer.step_count
    at.run()
    assert r.trainer.step_count == n


def test_mid_run_lr_change_is_recorded_as_an_event(at):
    at.button(key="btn_step").click().run()
    at.select_slider(key="cfg_lr_d").set_value(1e-4).run()
    tr = runner(at).trainer
    assert tr.config.lr_d == 1e-4 and tr.opt_d.param_groups[0]["lr"] == 1e-4
    assert tr.events[-1] == {"step": 1, "changes": {"lr_d": [tr.events[-1]["changes"]["lr_d"][0], 1e-4]}}
    assert not at.warning  # no reset needed


def test_architecture_change_asks_for_reset_then_applies_it(at):
    at.slider(key="cfg_g_width").set_value(32).run()
    assert any("Reset" in w.value and "g_width" in w.value for w in at.warning)
    assert at.button(key="btn_train").disabled
    at.button(key="btn_reset").click().run()
    assert runner(at).trainer.config.g_width == 32 and not at.warning


def test_loading_a_preset_replaces_the_run(at):
    at.selectbox(key="preset_name").set_value("digits").run()
    at.button(key=next(b.key for b in at.button if b.label == "Load preset")).click().run()
    assert runner(at).trainer.config.dataset == "digits"
    assert at.selectbox(key="cfg_dataset").value == "digits" and not at.exception


def test_divergence_shows_a_message_and_offers_reset(at):
    r = runner(at)
    with r.lock:
        r.trainer.update(loss="wgan", clip=1.0, optimizer="sgd", lr_g=1.0, lr_d=1.0)
        r.trainer.run(3000)
    assert r.trainer.status == "diverged"
    for key, value in [("cfg_loss", "wgan"), ("cfg_clip", 1.0), ("cfg_g_optimizer", "sgd"),
                       ("cfg_d_optimizer", "sgd"), ("cfg_lr_g", 1.0), ("cfg_lr_d", 1.0)]:
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert any("diverged at step" in e.value for e in at.error)
    assert at.button(key="btn_train").disabled and not at.button(key="btn_reset").disabled


def test_chinese_ui(at):
    # AppTest runs a switched-to page without app.py's sidebar radio, so set the session language directly
    # (the radio itself is exercised in the browser test).
    at.session_state["lang"] = "zh"
    at.run()
    labels = {b.key: b.label for b in at.button}
    assert labels["btn_train"] == "训练" and labels["btn_reset"] == "重置"
    assert status(at).startswith("#### 第 0 步") and not at.exception
    assert any("目前只训练了 0 步" in m.value for m in at.markdown)  # the diagnosis evidence too


def _tables(lang):
    merged = {}
    for f in sorted((ROOT / "assets" / "i18n" / lang).glob("*.json")):
        merged.update(json.loads(f.read_text(encoding="utf-8")))
    return merged


def test_both_languages_have_every_key_with_the_same_placeholders():
    en, zh = _tables("en"), _tables("zh")
    assert set(en) == set(zh), sorted(set(en) ^ set(zh))

    def fields(s):
        return sorted(f for _, f, _, _ in string.Formatter().parse(s) if f is not None)
    assert {k: fields(v) for k, v in en.items()} == {k: fields(v) for k, v in zh.items()}


def test_every_config_field_and_figure_label_has_text():
    from gan_core.config import FIELDS
    from gan_core.figures import samples, training

    en = _tables("en")
    for name in FIELDS:
        assert f"field.{name}" in en and f"help.{name}" in en
    for module in (samples, training):
        assert {f"fig.{k}" for k in module.DEFAULT_LABELS} <= set(en)


def test_throttled_rebuilds_after_its_interval_or_on_new_inputs(monkeypatch):
    from gan_core.ui import panels

    clock = [100.0]
    monkeypatch.setattr(panels.time, "monotonic", lambda: clock[0])
    built, cache = [], {}

    def build():
        built.append(clock[0])
        return len(built)

    assert panels.throttled(cache, "k", build, 1.0) == 1
    clock[0] += 0.5
    assert panels.throttled(cache, "k", build, 1.0) == 1  # within the interval: the same figure again
    assert panels.throttled(cache, "k", build, 1.0, inputs=("log",)) == 2  # a toggle changed: at once
    clock[0] += 1.0
    assert panels.throttled(cache, "k", build, 1.0, inputs=("log",)) == 3  # the interval has passed
    assert panels.throttled(cache, "k", build, 0, inputs=("log",)) == 4  # not training: always
