"""Where the dashboard's files are: app.py, server.py, pages/, assets/ and .streamlit/config.toml.

The repository keeps them at its root, beside gan_core/; that is where a checkout or an editable
install (`pip install -e .`) finds them. A wheel cannot put files beside a package, so the build hook
(hatch_build.py) copies them into the package as gan_core/_app/ (same layout). This module is the only
place that knows both; everything else asks it. Plain paths, no imports: any layer may use it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
BUNDLED = _PACKAGE / "_app"  # inside an installed wheel
CHECKOUT = _PACKAGE.parent  # the repository root


def _app_dir() -> Path:
    for folder in (BUNDLED, CHECKOUT):
        if (folder / "app.py").is_file() and (folder / "assets").is_dir():
            return folder
    return BUNDLED  # neither: APP.is_file() is False and the launcher says so


APP_DIR = _app_dir()
APP = APP_DIR / "app.py"  # Streamlit's main script; st.Page paths are relative to its folder
SERVER = APP_DIR / "server.py"  # what `streamlit run` starts: app.py plus the live view's stream route
ASSETS = APP_DIR / "assets"  # UI text (i18n/<lang>/*.json) and lessons (<lang>/*.md)
