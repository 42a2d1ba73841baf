"""The live view's canvas component in headless Chromium: it draws the frames it is sent (pixel checks at
known points), plays a stream of them, and bad frames draw a message, never a JS exception."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from gan_core.bench.harness import ROOT, free_port
from tests.browser import shot

pytestmark = pytest.mark.browser

REAL, FAKE = (31, 119, 180), (214, 39, 40)
D_HIGH, D_LOW, D_MID = (159, 198, 230), (245, 172, 173), (255, 255, 255)  # D_SCALE at 0.9, 0.1, 0.5

VIEW = "() => { let e = document.querySelector('[data-testid=live-samples]'); while (e && !e.__liveView) e = e.parentElement; return e; }"
PIXEL = """([x, y, which]) => { const root = (VIEW)(); const v = root.__liveView;
  const [px, py] = which ? [x, y] : v.toPixel(x, y);
  const c = v.samples, d = window.devicePixelRatio || 1;
  return Array.from(c.getContext('2d').getImageData(Math.round(px * d), Math.round(py * d), 1, 1).data).slice(0, 3); }""".replace("VIEW", VIEW)


@pytest.fixture(scope="module")
def app():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "tests/apps/live_component.py",
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(app, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def open_case(page, app, case):
    page.goto(f"{app}/?case={case}")
    page.locator("[data-testid=live-samples]").wait_for(timeout=60_000)
    page.wait_for_function(f"() => {{ const r = ({VIEW})(); return r && r.__liveView.frames > 0; }}", timeout=30_000)
    page.wait_for_timeout(300)


def close(rgb, want, tol=12):
    return all(abs(a - b) <= tol for a, b in zip(rgb, want))


def assert_clean(page):
    assert page.errors == []
    assert page.evaluate(f"() => ({VIEW})().__liveView.errors") == []


def test_canvases_are_in_the_page_dom_not_an_iframe(app, page):
    open_case(page, app, "known")
    assert page.evaluate("() => document.querySelector('canvas[data-testid=live-samples]') !== null")
    assert page.evaluate("() => document.querySelector('canvas[data-testid=live-losses]') !== null")
    assert page.locator("iframe").count() == 0


def test_draws_real_and_fake_points_and_the_heat_map_where_d_is_known(app, page):
    open_case(page, app, "known")
    pixel = lambda x, y: page.evaluate(PIXEL, [x, y, False])  # noqa: E731
    assert close(pixel(-0.5, -0.5), REAL), pixel(-0.5, -0.5)
    assert close(pixel(0.5, -0.5), FAKE), pixel(0.5, -0.5)
    assert close(pixel(-0.6, 0.0), D_HIGH), pixel(-0.6, 0.0)  # D = 0.9 left of x = 0
    assert close(pixel(0.6, 0.0), D_LOW), pixel(0.6, 0.0)  # D = 0.1 right of it
    assert close(pixel(0.0, 0.85), D_MID), pixel(0.0, 0.85)  # D = 0.5 at the top
    assert page.locator("[data-testid=live-losses]").get_attribute("data-rows") == "20"
    shot(page, "live-component-known")
    assert_clean(page)


def test_hover_shows_coordinates_and_d(app, page):
    open_case(page, app, "known")
    x, y = page.evaluate(f"() => ({VIEW})().__liveView.toPixel(-0.5, -0.5)")
    box = page.locator("[data-testid=live-samples]").bounding_box()
    page.mouse.move(box["x"] + x + 1, box["y"] + y)
    tip = page.locator(".gl-tip")
    text = tip.inner_text()
    assert "(-0.5, -0.5)" in text and abs(float(re.search(r"D = ([\d.]+)", text)[1]) - 0.9) < 0.01, text
    lb = page.locator("[data-testid=live-losses]").bounding_box()
    page.mouse.move(lb["x"] + lb["width"] * 0.6, lb["y"] + lb["height"] / 2)
    assert "step" in tip.inner_text() and "D loss" in tip.inner_text()
    assert_clean(page)


@pytest.mark.parametrize("case", ["empty", "nan", "zero", "image"])
def test_bad_or_other_frames_draw_without_errors(app, page, case):
    open_case(page, app, case)
    page.wait_for_timeout(500)
    shot(page, f"live-component-{case}")
    assert_clean(page)
    if case == "empty":
        assert page.locator("[data-testid=live-losses]").get_attribute("data-rows") == "0"
    if case == "image":  # the mosaic: white paper, dark squares of ink in each 8x8 digit
        root = page.evaluate(f"() => {{ const b = ({VIEW})().__liveView.box2; return [b.left, b.top, b.w]; }}")
        left, top, w = root
        cell = w / 8
        assert close(page.evaluate(PIXEL, [left + cell * 0.5, top + cell * 0.5, True]), (0, 0, 0), 30)
        assert close(page.evaluate(PIXEL, [left + cell * 0.12, top + cell * 0.5, True]), (255, 255, 255), 30)


def test_plays_a_stream_of_frames_in_order(app, page):
    open_case(page, app, "stream")
    steps = page.evaluate("""async () => { const c = document.querySelector('[data-testid=live-samples]');
      const seen = []; const t0 = performance.now();
      while (performance.now() - t0 < 3000) { const s = c.dataset.step; if (s && seen[seen.length - 1] !== s) seen.push(s);
        await new Promise(r => setTimeout(r, 10)); } return seen.map(Number); }""")
    assert len(steps) >= 12, steps  # played one by one (the rate is the benchmark's business)
    assert steps == sorted(steps)
    assert_clean(page)
