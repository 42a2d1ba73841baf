"""The Instability Lab page: every lesson in both languages, the Predict check, each lesson's own Runner,
`Apply the fix`; one browser test walks through the mode-collapse lesson in headless Chromium."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core import Trainer
from gan_core.config import FIELDS
from gan_core.host.runner import Runner
from gan_core.presets import PRESETS
from gan_core.ui import lab
from gan_core.ui.i18n import ASSETS

ROOT = Path(__file__).resolve().parents[1]
FAILURES = [n for n in lab.LESSONS if n != lab.RECIPE]
SHAPE = {n for n, f in FIELDS.items() if f.metadata["group"] in ("generator", "discriminator")} | {"dataset"}


def open_lab(lang: str = "en", lesson: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/lab.py").run()
    if lesson is not None:
        at.selectbox(key="lesson").set_value(lesson).run()
    assert not at.exception
    return at


def identical(x: torch.nn.Module, y: torch.nn.Module) -> bool:
    px, py = dict(x.named_parameters()), dict(y.named_parameters())
    return px.keys() == py.keys() and all(px[k].shape == py[k].shape and torch.equal(px[k], py[k]) for k in px)


def pause_runners(at: AppTest) -> None:
    for value in at.session_state.values():
        if isinstance(value, Runner):
            value.pause()


def test_lessons_map_to_existing_presets_and_fixes():
    for lesson, name in lab.LESSONS.items():
        assert name in PRESETS, f"lesson {lesson} needs preset {name}"
        if lesson != lab.RECIPE:
            assert PRESETS[name].fix in PRESETS, f"preset {name} needs a fix preset"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_parses_a_question_with_its_answer(lang):
    for lesson in lab.LESSONS:
        text = (ASSETS / lang / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
        body = text.split("## Predict", 1)[1].split("\n## ", 1)[0]
        question, options, answer = lab.parse_predict(body)
        assert question and len(options) >= 2 and answer is not None, (lang, lesson)
        assert "Answer" not in question and all("Answer:" not in o for o in options)
        assert all(f"## {s}" in text for s in ("Look for", "Explain", "Fix")), (lang, lesson)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_renders(lang):
    at = open_lab(lang)
    assert at.title[0].value == ("Instability Lab" if lang == "en" else "不稳定性实验室")
    for lesson in lab.LESSONS:
        at.selectbox(key="lesson").set_value(lesson).run()
        assert not at.exception, (lang, lesson)
        radio = at.radio(key=f"lab_answer_{lesson}")
        assert radio.value is None and len(radio.options) >= 2
        assert at.button(key="lab_train").label == ("Train" if lang == "en" else "训练")
        assert at.button(key="lab_apply_fix")
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", at.header[0].value), at.header[0].value
    pause_runners(at)


def test_predict_check_says_right_or_wrong():
    at = open_lab(lesson="mode-collapse")
    assert at.button(key="lab_check").disabled  # nothing chosen yet
    at.radio(key="lab_answer_mode-collapse").set_value(0).run()
    assert not at.error and not at.success  # no verdict before Check
    at.button(key="lab_check").click().run()
    assert "answer is" in at.error[0].value and "Piled into one or a few tight clumps" in at.error[0].value
    assert "That is the stable recipe" in at.error[0].value  # the chosen option's own feedback
    at.radio(key="lab_answer_mode-collapse").set_value(1).run()
    assert not at.error  # a new choice hides the old verdict
    at.button(key="lab_check").click().run()
    assert at.success[0].value.startswith("Right")
    pause_runners(at)


def test_step_and_train_advance_the_lessons_own_runner():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/playground.py").run()
    playground = at.session_state["runner"]
    at.switch_page("pages/lab.py").run()
    at.selectbox(key="lesson").set_value("oscillation").run()
    at.button(key="lab_step").click().run()
    own = at.session_state["lab_oscillation_run"]
    assert own is not playground and own.trainer.step_count == 1
    at.button(key="lab_train").click().run()
    deadline = time.monotonic() + 20
    while own.trainer.step_count < 5 and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()  # each run ticks the fragment, as the browser would
    assert not at.exception
    assert own.trainer.step_count >= 5
    assert playground.trainer.step_count == 0 and not playground.running
    at.button(key="lab_pause").click().run()
    assert not own.running
    at.button(key="lab_train").click().run()
    at.selectbox(key="lesson").set_value("divergence").run()  # another lesson: this one's runner stops
    assert not own.running and not at.exception
    pause_runners(at)


def test_training_stops_exactly_at_the_limit():
    runner = Runner(PRESETS["ring-stable"].config(batch_size=32))
    lab.train(runner, limit=25)
    deadline = time.monotonic() + 30
    while runner.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not runner.running and runner.trainer.step_count == 25
    assert runner.poll()["frames"][-1]["step"] == 25  # the last frame shows where it stopped


@pytest.mark.parametrize("lesson", FAILURES)
def test_apply_the_fix_runs_the_fix_preset_from_the_same_start(lesson):
    at = open_lab(lesson=lesson)
    at.button(key="lab_apply_fix").click().run()
    assert not at.exception
    original, fixed = at.session_state[f"lab_{lesson}_original"], at.session_state[f"lab_{lesson}_fixed"]
    preset = PRESETS[lab.LESSONS[lesson]]
    assert original.trainer.config == preset.config()
    assert fixed.trainer.config == PRESETS[preset.fix].config(seed=preset.config().seed)
    assert original.running or fixed.running or original.trainer.status != "ok"
    same = at.session_state[f"lab_{lesson}_same"]
    a, b = Trainer(original.trainer.config), Trainer(fixed.trainer.config)  # fresh: the weights at step 0
    assert same == {net: identical(getattr(a, net), getattr(b, net)) for net in "GD"}
    if not any(k in SHAPE for k in original.trainer.config.diff(fixed.trainer.config)):
        assert same == {"G": True, "D": True}  # same architecture and seed => same initial weights
        assert torch.equal(next(a.G.parameters()), next(b.G.parameters()))  # the first layers, explicitly
        assert torch.equal(next(a.D.parameters()), next(b.D.parameters()))
    if all(same.values()):
        assert "identical initial weights" in at.success[-1].value
    else:
        assert "cannot be identical" in at.warning[-1].value
    at.button(key="lab_fix_pause").click().run()
    assert not original.running and not fixed.running
    pause_runners(at)


def test_stable_recipe_compares_with_a_broken_run():
    at = open_lab(lesson="stable-recipe")
    broken = at.selectbox(key="lab_break")
    assert "ring-stable" not in broken.options and broken.value in PRESETS
    at.button(key="lab_apply_fix").click().run()
    assert not at.exception
    fixed = at.session_state["lab_stable-recipe_fixed"]
    assert fixed.trainer.config == PRESETS[broken.value].config(seed=PRESETS["ring-stable"].config().seed)
    pause_runners(at)


def top(locator) -> None:
    """Scroll an element that the live redraws do not replace to the top of the view, for a screenshot."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1)


@pytest.mark.browser
def test_lab_in_chromium(server, page):
    from playwright.sync_api import expect

    from tests.browser import shot

    page.goto(server + "/lab")
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Mode collapse").click()
    page.get_by_text("Piled into one or a few tight clumps").click()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_text("Right:")).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(r"Step [1-9][\d,]* of"))).to_be_visible(timeout=30_000)
    time.sleep(3)
    top(page.get_by_text("What to look for", exact=True))
    shot(page, "lab_run")

    page.get_by_role("button", name="Apply the fix").click()
    expect(page.get_by_role("heading", name=re.compile("^With the fix:"))).to_be_visible(timeout=30_000)
    for prefix in lab.PAIR_PREFIXES:  # each run's live view: its canvases, in the page
        for canvas in ("live-samples", "live-losses"):
            expect(page.locator(f".st-key-{prefix}live canvas[data-testid={canvas}]")).to_be_visible(timeout=30_000)
    time.sleep(3)
    top(page.get_by_text("Both runs start from seed"))
    shot(page, "lab_fix")

    page.get_by_text("简体中文").click()
    expect(page.get_by_role("heading", name="不稳定性实验室")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="模式崩溃")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=re.compile("^修复后：")).first).to_be_visible(timeout=30_000)
    top(page.get_by_text("不同的设置", exact=True))
    shot(page, "lab_zh")
    pause = page.get_by_role("button", name="全部暂停")
    if pause.is_enabled():  # free the CPU for the next tests (the runners would stop after 15 s anyway)
        pause.click()
