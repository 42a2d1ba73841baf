"""The launcher: `gan-classroom serve` hands its options to `streamlit run <server.py>` (app.py with the
live view's stream route), and the one private
Streamlit attribute it sets still exists and still means what serve.py's comment says."""

from __future__ import annotations

import pytest
import streamlit.web.cli
from streamlit.runtime.pages_manager import PagesManager

from gan_core import cli, resources
from gan_core.ui import serve


def test_streamlit_still_has_the_pages_directory_switch(monkeypatch):
    # If this fails, Streamlit renamed or dropped PagesManager.uses_pages_directory: find its new way to
    # say "this app uses st.navigation, not pages/" and change serve.use_navigation_only (the one place).
    assert "uses_pages_directory" in vars(PagesManager), "PagesManager.uses_pages_directory is gone from Streamlit"
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(resources.APP))
    assert PagesManager.uses_pages_directory is True, "Streamlit no longer takes pages/ beside app.py as old-style pages"
    serve.use_navigation_only()
    PagesManager(str(resources.APP))
    assert PagesManager.uses_pages_directory is False


@pytest.mark.parametrize("argv", [["serve", "--server.port", "8765", "--server.headless", "true"], ["serve"]])
def test_serve_runs_streamlit_on_the_app_with_the_options_untouched(monkeypatch, argv):
    calls = []
    monkeypatch.setattr(streamlit.web.cli, "main", lambda args, prog_name: calls.append(args) or 0)
    monkeypatch.setattr(serve, "_warm_up", lambda: None)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    assert cli.main(argv) == 0
    assert calls == [["run", str(resources.SERVER), *argv[1:]]]
    assert PagesManager.uses_pages_directory is False


def test_serve_without_the_app_says_so_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(serve, "APP", tmp_path / "app.py")
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "app.py" in err[0]


def test_resources_find_the_checkout():
    assert resources.APP_DIR == resources.CHECKOUT
    assert resources.APP.is_file() and (resources.APP_DIR / "pages" / "home.py").is_file()
    assert resources.SERVER.is_file() and resources.SERVER.parent == resources.APP_DIR
    assert (resources.ASSETS / "i18n" / "zh").is_dir() and (resources.ASSETS / "en" / "home.md").is_file()
