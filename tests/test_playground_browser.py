"""The Playground in a real headless Chromium: what a student clicks, what a student sees."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import shot

pytestmark = pytest.mark.browser

STATUS = re.compile(r"(?:Step|第)\s*([\d,]+)")

# Plotly keeps the drawn traces on the chart's div: read them back to check what is on screen.
TRACES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => (p._fullData || []).map(t => ({
  name: t.name, type: t.type,
  x: t.x ? Array.from(t.x).slice(0, 50).map(Number) : null,
  y: t.y ? Array.from(t.y).slice(0, 50).map(Number) : null,
  z: t.z ? Array.from(t.z).slice(0, 10).map(r => Array.from(r).slice(0, 10).map(Number)) : null})))"""


def step_of(page) -> int:
    text = page.locator("h4", has_text="·").first.inner_text()
    return int(STATUS.search(text).group(1).replace(",", ""))


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def samples_chart(page):
    """The samples chart's traces: heatmap (D), real points, fake points."""
    for traces in page.evaluate(TRACES):
        if any(t["type"] == "heatmap" for t in traces):
            return {t["type"] if t["type"] == "heatmap" else t["name"]: t for t in traces}
    raise AssertionError("no samples chart on the page")


def wait_step(page, n, timeout=30_000):
    expect(page.locator("h4", has_text="·").first).to_contain_text(f"{n} ", timeout=timeout)


def open_playground(page, server):
    page.goto(server + "/playground")
    expect(button(page, "Train")).to_be_enabled(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)


def test_train_pause_and_charts_redraw(server, page):
    open_playground(page, server)
    assert step_of(page) == 0
    before = page.evaluate(TRACES)
    button(page, "Train").click()
    expect(button(page, "Pause")).to_be_enabled(timeout=15_000)
    page.wait_for_function("() => /Step [1-9]/.test(document.body.innerText)", timeout=30_000)
    page.wait_for_timeout(3000)
    running = step_of(page)
    assert running > 0
    assert page.evaluate(TRACES) != before  # the charts were redrawn with new numbers
    shot(page, "playground-training")
    button(page, "Pause").click()
    expect(button(page, "Train")).to_be_enabled(timeout=15_000)
    paused = step_of(page)
    page.wait_for_timeout(2000)
    assert step_of(page) == paused  # Pause stops training


def test_step_d_changes_only_d_and_reset_repeats_the_first_losses(server, page):
    open_playground(page, server)
    button(page, "Reset").click()
    wait_step(page, 0)
    before = samples_chart(page)
    button(page, "Step D").click()
    wait_step(page, 1)
    page.wait_for_timeout(1000)
    after = samples_chart(page)
    fake = next(k for k in after if k.startswith("generated"))
    assert after[fake]["x"] == before[fake]["x"] and after[fake]["y"] == before[fake]["y"]  # G unchanged
    assert after["heatmap"]["z"] != before["heatmap"]["z"]  # D's verdicts moved

    button(page, "Step").click()
    wait_step(page, 2)
    page.wait_for_timeout(1000)
    first = _d_loss_points(page)
    button(page, "Reset").click()
    wait_step(page, 0)
    button(page, "Step D").click()
    wait_step(page, 1)
    button(page, "Step").click()
    wait_step(page, 2)
    page.wait_for_timeout(1000)
    assert _d_loss_points(page) == first  # same initial weights, same random stream, same losses


def _d_loss_points(page):
    for traces in page.evaluate(TRACES):
        for t in traces:
            if t["name"] == "D loss":
                return t["y"]
    raise AssertionError("no D loss trace")


def test_language_switch_shows_chinese(server, page):
    open_playground(page, server)
    page.get_by_text("简体中文").click()
    expect(button(page, "训练")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("训练场").first).to_be_visible()
    page.wait_for_timeout(1500)
    shot(page, "playground-zh")
