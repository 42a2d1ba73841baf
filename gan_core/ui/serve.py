"""Start the dashboard: `gan-classroom serve [streamlit options]` (what `make run` does), the same as
`python -m gan_core serve` and `python -m gan_core.ui.serve`. It runs `streamlit run <server.py>` in this
process (app.py on Streamlit's server plus the live view's stream route), with both files found by
gan_core.resources, so it works from any working directory and from an installed wheel. Streamlit reads .streamlit/config.toml beside app.py (the "script-level" config).

While the server starts and the first browser connects, a background thread imports what the first
page needs (torch, whose first optimizer pulls in torch._dynamo, plotly, the pages' helpers), so the
first visitor does not wait for those imports (the README gives the measured gain).
With the default `local` trainer host it also starts the worker processes (gan_core.host.local).
"""

import sys
import threading

from gan_core.resources import APP, SERVER


def _warm_up() -> None:
    from gan_core.host import backend

    if backend() == "local":
        from gan_core.host.local import pool

        pool().warm()  # the worker processes import torch while the server starts
    import torch

    torch.set_num_threads(1)
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # the first optimizer imports torch._dynamo
    import plotly.graph_objects  # noqa: F401

    import gan_core.metrics  # noqa: F401
    import gan_core.ui.lab  # noqa: F401
    import gan_core.ui.live  # noqa: F401
    import gan_core.ui.saved_runs  # noqa: F401


def use_navigation_only() -> None:
    """Tell Streamlit up front that app.py navigates with st.navigation, not with the pages/ folder.

    Streamlit treats a folder named `pages` beside the main script as an old-style multipage app until
    the first run of app.py has called st.navigation: a first visitor arriving on a deep link such as
    /playground would get that old mode (pages/playground.py run without app.py: no language switch,
    file names as page titles). Streamlit has no public switch for this (its advice is to rename the
    folder, and the repository keeps pages/), so this sets the private class attribute that
    st.navigation itself sets. This is the only place that does; tests/test_serve.py fails loudly if
    Streamlit drops or renames it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not hasattr(PagesManager, "uses_pages_directory"):
        raise RuntimeError("streamlit.runtime.pages_manager.PagesManager.uses_pages_directory is gone: "
                           "see gan_core/ui/serve.py")
    PagesManager.uses_pages_directory = False


def serve(options: list[str]) -> int:
    """`streamlit run <server.py> *options`; returns (or exits with) Streamlit's exit code."""
    if not (APP.is_file() and SERVER.is_file()):
        print(f"error: the dashboard's app.py or server.py is missing (looked in {APP.parent}); reinstall gan-classroom",
              file=sys.stderr)
        return 2
    from streamlit.web.cli import main

    from gan_core.host import backend

    try:
        backend()  # GAN_CLASSROOM_TRAINERS: local, ray or thread
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    use_navigation_only()
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    # server.py: app.py on Streamlit's server with the live view's stream route (gan_core.ui.stream)
    return main(["run", str(SERVER), *options], prog_name="streamlit")  # its usage lines name `streamlit run`


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
