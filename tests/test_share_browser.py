"""Links in a real headless Chromium: every page answers at its own path, and a copied link opened in a
fresh browser context gives the same setup and, after the same Steps, the same numbers."""

import csv
import re
import subprocess

import pytest
from playwright.sync_api import expect

from gan_core.bench.harness import start_server
from gan_core.classroom import links
from gan_core.config import Config
from tests.browser import shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A server whose runs folder the test reads: (url, runs folder)."""
    runs = tmp_path_factory.mktemp("runs")
    proc, url = start_server({"GAN_CLASSROOM_RUNS": str(runs)})
    yield url, runs
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.parametrize("path,title", [("/", "GAN Classroom"), ("/home?lang=en", "GAN Classroom"),
                                        ("/home?lang=zh", "GAN 课堂"), ("/playground", "Playground"),
                                        ("/lab", "Instability Lab"), ("/theory", "Theory"),
                                        ("/compare", "Compare runs")])
def test_every_page_answers_at_its_own_path(app, page, path, title):
    page.goto(app[0] + path)
    expect(page.locator("h1").first).to_contain_text(title, timeout=60_000)
    page.wait_for_timeout(500)
    assert "Page not found" not in page.locator("body").inner_text()


def steps_then_save(page, url: str, n: int, name: str) -> str:
    page.set_default_timeout(120_000)  # two cores shared with other work: a click can wait for a rerun
    page.goto(url)
    step = page.get_by_role("button", name="Step", exact=True)
    expect(step).to_be_enabled(timeout=180_000)  # a fresh session's first run, on a loaded machine
    status = page.locator("h4", has_text="·").first
    for i in range(1, n + 1):
        expect(status).to_contain_text(f"Step {i - 1} ", timeout=120_000)
        expect(step).to_be_enabled()
        page.wait_for_timeout(500)  # let a fragment's rerun finish, so one click is one step
        step.click()
        expect(status).to_contain_text(f"Step {i} ", timeout=120_000)
    page.get_by_label("Run name", exact=True).fill(name)
    page.get_by_label("Run name", exact=True).press("Enter")
    page.get_by_role("button", name="Save run").click()
    expect(page.get_by_text(f"Saved {name}")).to_be_visible(timeout=30_000)
    return page.url


def read_rows(runs, name):
    with open(runs / name / "metrics.csv", encoding="utf-8") as f:  # all but the wall-clock time
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def test_a_copied_link_reproduces_the_setup_and_the_numbers(app, browser):
    server, runs_dir = app
    setup = {"preset": "ring-mode-collapse", "lr_d": "0.003", "seed": "11", "batch_size": "64", "lang": "en"}
    first = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = first.new_page()
    page.goto(server + "/playground?" + "&".join(f"{k}={v}" for k, v in setup.items()))
    # the sidebar's last expander, below the fold: a script click (Playwright's waits for it to scroll in)
    page.locator("summary", has_text="Share this setup").evaluate("e => e.click()")
    code = page.locator("[data-testid='stCode']").filter(has_text="lr_d=0.003").first
    expect(code).to_be_visible(timeout=60_000)
    link = code.inner_text().strip()
    assert link.startswith(server + "/playground?")
    shot(page, "share-link-en")
    url_first = steps_then_save(page, page.url, 4, "first")
    first.close()

    fresh = browser.new_context(viewport={"width": 1500, "height": 1000})
    url_second = steps_then_save(fresh.new_page(), link, 4, "second")
    fresh.close()
    for url in (url_first, url_second, link):
        query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", url))
        decoded = links.decode(query, Config())
        assert decoded.notes == [] and decoded.config.lr_d == 0.003 and decoded.config.seed == 11
    a, b = read_rows(runs_dir, "first"), read_rows(runs_dir, "second")
    assert len(a) == len(b) == 4 and a == b
    config = (runs_dir / "second" / "config.json").read_text()
    assert '"lr_d": 0.003' in config and '"beta1": 0.95' in config  # the preset's own setting came along


def test_a_bad_link_value_is_named_in_the_page(app, page):
    page.goto(app[0] + "/playground?lr_d=7&seed=2&lang=zh")
    expect(page.get_by_text("lr_d=7.0 is not allowed; expected a value in [1e-05, 1]")).to_be_visible(
        timeout=60_000)
    shot(page, "share-bad-link-zh")
