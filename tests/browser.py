"""Shared set-up for the browser tests: a real `streamlit run app.py` on a free loopback port and headless
Debian Chromium driven by Playwright. Screenshots go to screenshots/ (gitignored)."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest

from gan_core.bench.harness import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server

SHOTS = ROOT / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    runs = tmp_path_factory.mktemp("runs")
    proc, url = start_server({"GAN_CLASSROOM_RUNS": str(runs), "GAN_CLASSROOM_TRAINERS": "local"})
    yield url
    stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """End a server started by start_server: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def new_page(browser, width: int = 1500, height: int = 1000):
    """A page in a fresh browser context (its own cookies and storage: a new student), closed after."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with new_page(browser) as pg:
        yield pg


def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
