"""The Playground in a real headless Chromium: what a student clicks, what a student sees."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser import shot

pytestmark = pytest.mark.browser

STATUS = re.compile(r"(?:Step|第)\s*([\d,]+)")

# The live view keeps the frame it shows and the curves' rows on its root element: read them back to check
# what is on screen (and a digest of the canvas pixels, to see that the drawing changes).
SHOWN = """() => { let e = document.querySelector('canvas[data-testid=live-samples]');
  while (e && !e.__liveView) e = e.parentElement;
  if (!e) return null;
  const v = e.__liveView, f = v.frame, url = v.samples.toDataURL();
  return {step: f ? f.step : null, fake: f ? Array.from(f.fake.slice(0, 40)) : null, pulls: v.pulls,
          packets: v.packets, stream: v.stream ? v.stream.url : null,
          heat: f ? Array.from(f.heat.slice(0, 400)) : null, d_loss: Array.from(v.cols.d_loss),
          errors: v.errors, pixels: url.length + ':' + url.slice(-300)}; }"""


def step_of(page) -> int:
    text = page.locator("h4", has_text="·").first.inner_text()
    return int(STATUS.search(text).group(1).replace(",", ""))


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def shown(page) -> dict:
    """The frame on the samples canvas (its step, first fakes, D's grid) and the D loss points drawn."""
    return page.evaluate(SHOWN)


def wait_step(page, n, timeout=30_000):
    expect(page.locator("h4", has_text="·").first).to_contain_text(f"{n} ", timeout=timeout)
    page.wait_for_function(f"() => ({SHOWN})()?.step === {n}", timeout=timeout)  # the canvas shows it too


def open_playground(page, server):
    page.goto(server + "/playground")
    expect(button(page, "Train")).to_be_enabled(timeout=60_000)
    page.locator("canvas[data-testid=live-losses]").wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({SHOWN})()?.step !== null", timeout=30_000)


def test_train_pause_and_the_canvas_moves(server, page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_playground(page, server)
    assert step_of(page) == 0
    before = shown(page)
    button(page, "Train").click()
    expect(button(page, "Pause")).to_be_enabled(timeout=15_000)
    page.wait_for_function("() => /Step [1-9]/.test(document.body.innerText)", timeout=30_000)
    start = shown(page)
    page.wait_for_timeout(3000)
    running = step_of(page)
    assert running > 0
    now = shown(page)
    assert now["step"] > 0 and now["fake"] != before["fake"] and now["pixels"] != before["pixels"]
    assert len(now["d_loss"]) > 0  # the loss curves have rows
    # The frames came over the stream (several requests a second), not with Streamlit reruns (a few at most).
    assert now["stream"] and now["stream"].startswith("/_gan/live/"), now["stream"]
    pulls, reruns = now["pulls"] - start["pulls"], (now["packets"] - now["pulls"]) - (start["packets"] - start["pulls"])
    assert pulls >= 10 and reruns <= 2, (pulls, reruns)
    page.locator("canvas[data-testid=live-samples]").scroll_into_view_if_needed()
    shot(page, "playground-training")
    button(page, "Pause").click()
    expect(button(page, "Train")).to_be_enabled(timeout=15_000)
    paused = step_of(page)
    for _ in range(10):  # the status line may still be one packet behind the button: let it catch up
        page.wait_for_timeout(500)
        if step_of(page) == paused:
            break
        paused = step_of(page)
    page.wait_for_timeout(2000)
    assert step_of(page) == paused  # Pause stops training: no step for 2 s once the view caught up
    assert errors == [] and shown(page)["errors"] == []


def test_step_d_changes_only_d_and_reset_repeats_the_first_losses(server, page):
    open_playground(page, server)
    button(page, "Reset").click()
    wait_step(page, 0)
    before = shown(page)
    button(page, "Step D").click()
    wait_step(page, 1)
    after = shown(page)
    assert after["fake"] == before["fake"]  # G unchanged
    assert after["heat"] != before["heat"]  # D's verdicts moved

    button(page, "Step").click()
    wait_step(page, 2)
    first = shown(page)["d_loss"]
    assert len(first) == 2
    button(page, "Reset").click()
    wait_step(page, 0)
    button(page, "Step D").click()
    wait_step(page, 1)
    button(page, "Step").click()
    wait_step(page, 2)
    assert shown(page)["d_loss"] == first  # same initial weights, same random stream, same losses


def test_language_switch_shows_chinese(server, page):
    open_playground(page, server)
    page.get_by_text("简体中文").click()
    expect(button(page, "训练")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("训练场").first).to_be_visible()
    button(page, "训练").click()
    page.wait_for_timeout(3000)
    shot(page, "playground-zh")
    button(page, "暂停").click()


def test_drawn_points_become_the_data_and_the_fakes_move_toward_them(server, page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_playground(page, server)
    page.get_by_text("Draw data", exact=True).click()
    canvas = page.locator("canvas[data-testid=live-samples]")
    expect(page.get_by_text("Drag on the map to paint points")).to_be_visible(timeout=15_000)
    view = "(() => { let e = document.querySelector('canvas[data-testid=live-samples]'); while (e && !e.__liveView) e = e.parentElement; return e.__liveView; })()"
    # A blob in the upper right of the map (data coordinates near (1.2, 1.2)), painted with the mouse.
    box = canvas.bounding_box()
    cx, cy = page.evaluate(f"() => {view}.toPixel(1.2, 1.2)")
    page.mouse.move(box["x"] + cx, box["y"] + cy)
    page.mouse.down()
    for k in range(30):
        page.mouse.move(box["x"] + cx + 6 * (k % 5), box["y"] + cy + 6 * (k // 5), steps=2)
    page.mouse.up()
    drawn = page.evaluate(f"() => {view}.drawn.length / 2")
    assert drawn >= 50, drawn
    page.get_by_role("button", name=re.compile(r"Train on [\d,]+ drawn points")).click()
    try:  # a fresh run on the drawn points: a new trainer in the worker (60 s: two shared cores, as elsewhere here)
        page.wait_for_function(f"() => {{ const v = {view}; return v.real.length === 2 * Math.min(v.real.length / 2, 500)"
                               " && Math.abs(v.real[0] - 1.2) < 0.6 && Math.abs(v.real[1] - 1.2) < 0.6; }",
                               timeout=60_000)
    except PlaywrightTimeout as exc:  # say what the page showed, for a failure seen once in a full run (not reproduced)
        shot(page, "playground-drawn-data-timeout")
        state = page.evaluate(f"() => {{ const v = {view}; return [v.real.slice(0, 2), v.drawn.length, v.resets]; }}")
        raise AssertionError(f"the map's data did not become the drawn points: real[0:2], drawn, resets = {state}; "
                             f"page: {page.inner_text('body')[:600]!r}") from exc
    mean = "() => { const f = VIEW.frame.fake; let x = 0, y = 0; for (let i = 0; i < f.length; i += 2) { x += f[i]; y += f[i + 1]; } return [2 * x / f.length, 2 * y / f.length]; }".replace("VIEW", view)
    x0, y0 = page.evaluate(mean)
    button(page, "Train").click()
    page.wait_for_function("() => /Step [1-9][\\d,]{2,}/.test(document.body.innerText)", timeout=60_000)  # >= 100 steps
    page.wait_for_timeout(2000)
    button(page, "Pause").click()
    expect(button(page, "Train")).to_be_enabled(timeout=15_000)
    x1, y1 = page.evaluate(mean)
    target = page.evaluate(f"() => {{ const r = {view}.real; let x = 0, y = 0; for (let i = 0; i < r.length; i += 2) {{ x += r[i]; y += r[i + 1]; }} return [2 * x / r.length, 2 * y / r.length]; }}")
    before = ((x0 - target[0]) ** 2 + (y0 - target[1]) ** 2) ** 0.5
    after = ((x1 - target[0]) ** 2 + (y1 - target[1]) ** 2) ** 0.5
    page.locator("canvas[data-testid=live-samples]").scroll_into_view_if_needed()
    shot(page, "playground-drawn-data")
    assert after < 0.5 * before, (before, after)
    assert errors == []
