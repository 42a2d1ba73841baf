"""Start the dashboard: `python -m gan_core.ui.serve [streamlit options]` (what `make run` does).

app.py navigates with st.navigation over the scripts in pages/. Streamlit still treats a folder named
`pages` beside the main script as an old-style multipage app until the first run of app.py has called
st.navigation; a first visitor arriving on a deep link such as /playground would get that old mode
(no language switch, file names as page titles). Telling Streamlit up front avoids it.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

APP = Path(__file__).resolve().parents[2] / "app.py"

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(main())
