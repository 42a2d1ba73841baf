"""Hatchling build hook: a wheel carries the dashboard inside the package.

The repository keeps app.py, server.py, pages/, assets/ and the Streamlit config at its root; a wheel cannot put
files beside a package, so they go into gan_core/_app/ (same layout), where gan_core/resources.py looks
first. Only the standard wheel: an editable install puts the checkout on sys.path instead and
resources.py finds them at the root, so there is no stale copy to confuse anyone.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DASHBOARD = {"app.py": "gan_core/_app/app.py", "server.py": "gan_core/_app/server.py", "pages": "gan_core/_app/pages", "assets": "gan_core/_app/assets",
             ".streamlit/config.toml": "gan_core/_app/.streamlit/config.toml"}


class DashboardFiles(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if version == "standard":
            build_data["force_include"].update(DASHBOARD)
