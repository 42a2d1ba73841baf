"""Start the dashboard: `python -m gan_core.ui.serve [streamlit options]` (what `make run` does).

app.py navigates with st.navigation over the scripts in pages/. Streamlit still treats a folder named
`pages` beside the main script as an old-style multipage app until the first run of app.py has called
st.navigation; a first visitor arriving on a deep link such as /playground would get that old mode
(no language switch, file names as page titles). Telling Streamlit up front avoids it.

While the server starts and the first browser connects, a background thread imports what the first
page needs (torch, whose first optimizer pulls in torch._dynamo, plotly, the pages' helpers): measured
from server start, the first chart came ~4 s sooner. With the default `local` trainer host it also
starts the worker processes (gan_core.host.local), which import torch meanwhile.
"""

import sys
import threading
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

APP = Path(__file__).resolve().parents[2] / "app.py"



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
    import gan_core.ui.compare  # noqa: F401
    import gan_core.ui.lab  # noqa: F401
    import gan_core.ui.live  # noqa: F401


if __name__ == "__main__":
    from gan_core.host import backend

    try:
        backend()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(main())
