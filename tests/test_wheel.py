"""The wheel built from this checkout, installed into a fresh venv, serves the whole dashboard from a working
directory outside the checkout (what `pip install .` then `gan-classroom serve` gives a user).

Why `pip install --no-deps` plus a .pth file instead of a full install: installing torch, Streamlit and the
rest into a new venv takes minutes and the network, and proves nothing about this project. What can break
here is our own wheel: whether it carries app.py, pages/, assets/ and the Streamlit config, whether the
installed package finds them, and whether the console script starts the server. So the fresh venv gets
the wheel alone, and one .pth file appends the running interpreter's site-packages after the venv's own,
for the third-party packages. That .pth line is a plain path, so the .pth files inside those
site-packages (among them the editable install of this checkout) are never run, PYTHONPATH is cleared and
the server runs in an empty temporary folder: gan_core can only come from the wheel, which the test
asserts (gan_core.__file__), before it trusts what the browser shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from gan_core.bench.harness import free_port
from tests.browser import shot

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kw)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    # hatchling comes with the dev extra; --no-build-isolation keeps the build off the network.
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", ROOT)
    (wheel,) = (tmp / "dist").glob("gan_classroom-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_test_wheel_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    work = tmp / "work"  # the server's working directory: empty, outside the checkout
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["GAN_CLASSROOM_RUNS"] = str(tmp / "runs")
    env["GAN_CLASSROOM_EXAMPLES"] = "off"  # an empty runs folder stays empty: the page says so
    return {"venv": venv, "python": python, "site": site, "work": work, "env": env}


@pytest.fixture(scope="module")
def served(installed):
    port = free_port()
    log = open(installed["work"].parent / "server.log", "w+")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [installed["venv"] / "bin" / "gan-classroom", "serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=installed["work"], env=installed["env"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.seek(0)
            pytest.fail(f"gan-classroom serve did not become healthy (exit {proc.poll()}):\n{log.read()}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_wheel_carries_the_dashboard_and_the_installed_package_finds_it(installed):
    code = ("import json, gan_core, gan_core.resources as r; "
            "print(json.dumps([gan_core.__file__, str(r.APP), str(r.ASSETS)]))")
    proc = _run(installed["python"], "-c", code, cwd=installed["work"], env=installed["env"])
    module, app, assets = map(Path, json.loads(proc.stdout))
    package = installed["site"] / "gan_core"
    assert module == package / "__init__.py", "gan_core was not imported from the fresh venv"
    assert app == package / "_app" / "app.py" and app.is_file()
    assert assets == package / "_app" / "assets"
    assert sorted(p.name for p in (app.parent / "pages").glob("*.py")) == sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    for lang in ("en", "zh"):
        assert sorted(p.name for p in (assets / "i18n" / lang).glob("*.json")) == \
            sorted(p.name for p in (ROOT / "assets" / "i18n" / lang).glob("*.json"))
        assert (assets / lang / "home.md").read_text(encoding="utf-8") == \
            (ROOT / "assets" / lang / "home.md").read_text(encoding="utf-8")
    assert (app.parent / ".streamlit" / "config.toml").is_file()


def test_console_script_serves_a_page_from_outside_the_checkout(served):
    with urllib.request.urlopen(served + "/home", timeout=10) as response:
        assert response.status == 200
        assert b"<noscript>" in response.read()  # Streamlit's page shell; the browser test below renders it


@pytest.mark.browser
def test_installed_dashboard_renders_in_both_languages(served, page):
    page.goto(served + "/?lang=en")
    page.get_by_role("heading", name="GAN Classroom").wait_for(timeout=60_000)
    page.get_by_text("What is a GAN?").wait_for()  # assets/en/home.md
    shot(page, "wheel_home_en")
    # A first visit on a deep link runs app.py (language switch, navigation), not pages/compare.py alone.
    page.goto(served + "/compare?lang=zh")
    page.get_by_role("heading", name="比较运行").wait_for(timeout=60_000)
    page.get_by_text("Language / 语言").wait_for()
    page.get_by_text("首页").first.wait_for()  # nav.home in the sidebar
    page.get_by_text("还没有保存的运行").wait_for()  # cmp.empty: no runs in the test's GAN_CLASSROOM_RUNS
    shot(page, "wheel_compare_zh")
    page.goto(served + "/?lang=zh")
    page.get_by_text("什么是 GAN？").wait_for(timeout=60_000)  # assets/zh/home.md
    shot(page, "wheel_home_zh")
