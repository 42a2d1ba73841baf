"""Presenter mode in a real headless Chromium at a projector's 1280x720: the keys T, P, S and 0 drive the
Playground (not while typing), the pinned controls alone in the sidebar, big markers; screenshots in
English and Chinese."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import SHOTS, new_page
from tests.test_playground_browser import SHOWN, shown

pytestmark = pytest.mark.browser

STATUS = re.compile(r"(?:Step|第)\s*([\d,]+)")
SCALE = """() => { let e = document.querySelector('canvas[data-testid=live-samples]');
  while (e && !e.__liveView) e = e.parentElement;
  return e ? e.__liveView.scale : null; }"""


@pytest.fixture
def projector(browser):
    with new_page(browser, 1280, 720) as pg:
        yield pg


def button(page, key):
    return page.locator(f".st-key-{key} button").first


def step_of(page) -> int:
    return int(STATUS.search(page.locator("h4", has_text="·").first.inner_text()).group(1).replace(",", ""))


def press(page, key: str) -> None:
    """A key pressed with the focus on the page itself (nothing focused), as a teacher at the laptop would."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def projected(page, name: str) -> None:
    """What the projector shows: the viewport, not the whole page."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_keys_drive_training_and_the_view_is_projector_sized(server, projector):
    page, errors = projector, []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(60_000)
    page.goto(server + "/playground?present=1&show=lr_d,lr_g")
    expect(button(page, "btn_train")).to_be_enabled(timeout=90_000)
    page.wait_for_function(f"() => ({SHOWN})()?.step !== null", timeout=60_000)
    expect(page.locator(".st-key-cfg_lr_d")).to_be_visible()
    expect(page.locator(".st-key-cfg_lr_g")).to_be_visible()
    assert page.locator(".st-key-cfg_batch_size").count() == 0 and page.locator(".st-key-preset_name").count() == 0
    assert page.evaluate(SCALE) == 1.5  # big markers, lines and fonts on the canvas
    for canvas in ("live-samples", "live-losses", "live-means"):  # the whole live view above the fold
        box = page.locator(f"canvas[data-testid={canvas}]").bounding_box()
        assert box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280, (canvas, box)
    assert "present=1" in page.url and "show=lr_d%2Clr_g" in page.url.replace(",", "%2C")
    assert step_of(page) == 0

    press(page, "t")  # Train
    expect(button(page, "btn_pause")).to_be_enabled(timeout=30_000)
    page.wait_for_function("() => /Step [1-9]/.test(document.body.innerText)", timeout=30_000)
    page.wait_for_timeout(2500)
    projected(page, "presenter-en-training")
    press(page, "p")  # Pause
    expect(button(page, "btn_train")).to_be_enabled(timeout=30_000)
    page.wait_for_timeout(1000)
    paused = step_of(page)
    assert paused > 0
    page.wait_for_timeout(1500)
    assert step_of(page) == paused  # paused stays paused

    press(page, "s")  # Step: exactly one more
    expect(page.locator("h4", has_text="·").first).to_contain_text(f"Step {paused + 1:,} ", timeout=30_000)
    page.wait_for_timeout(1000)
    assert step_of(page) == paused + 1

    # Typing in a field is not a shortcut: "t" in the pinned-controls picker does not start training.
    page.get_by_text("Pinned controls", exact=True).click()  # the sidebar's expander
    page.locator(".st-key-presenter_pin_edit input").click()
    page.keyboard.type("t")
    page.wait_for_timeout(1500)
    assert button(page, "btn_train").is_enabled() and step_of(page) == paused + 1
    page.keyboard.press("Escape")

    press(page, "0")  # Reset
    expect(page.locator("h4", has_text="·").first).to_contain_text("Step 0 ", timeout=30_000)
    page.wait_for_function(f"() => ({SHOWN})()?.step === 0", timeout=30_000)
    assert errors == [] and shown(page)["errors"] == []


def test_chinese_on_the_projector(server, projector):
    page = projector
    page.set_default_timeout(60_000)
    page.goto(server + "/playground?present=1&show=lr_d,lr_g&lang=zh")
    expect(button(page, "btn_train")).to_contain_text("训练", timeout=90_000)
    expect(button(page, "btn_train")).to_be_enabled()
    page.wait_for_function(f"() => ({SHOWN})()?.step !== null", timeout=60_000)
    expect(page.get_by_text("快捷键：").first).to_be_visible()
    press(page, "t")
    page.wait_for_function("() => /第\\s*[1-9]/.test(document.body.innerText)", timeout=30_000)
    page.wait_for_timeout(2500)
    projected(page, "presenter-zh-training")
    press(page, "p")
    expect(button(page, "btn_train")).to_be_enabled(timeout=30_000)
