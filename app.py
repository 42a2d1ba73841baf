"""GAN Classroom: the entry point. It sets the page up, offers the language switch and dispatches."""

import streamlit as st
import torch

from gan_core.ui import presenter
from gan_core.ui.i18n import language_picker, t
from gan_core.ui.sharing import join_box

torch.set_num_threads(1)  # one core trains, the other serves the page and the browser
st.set_page_config(page_title="GAN Classroom", page_icon=":material/school:", layout="wide")
language_picker()
presenter.setup()  # ?present=1 or the sidebar's toggle: large text, shortcuts, pinned controls only

PAGES = {
    "home": st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", default=True, url_path="index"),
    "playground": st.Page("pages/playground.py", title=t("nav.playground"), icon=":material/sports_esports:", url_path="playground"),
    "lab": st.Page("pages/lab.py", title=t("nav.lab"), icon=":material/science:", url_path="lab"),
    "theory": st.Page("pages/theory.py", title=t("nav.theory"), icon=":material/functions:", url_path="theory"),
    "compare": st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/stacked_line_chart:", url_path="compare"),
    "stability": st.Page("pages/stability.py", title=t("nav.stability"), icon=":material/grid_view:", url_path="stability"),
    "teacher": st.Page("pages/teacher.py", title=t("nav.teacher"), icon=":material/co_present:", url_path="teacher"),
    "board": st.Page("pages/board.py", title=t("nav.board"), icon=":material/dashboard:", url_path="board"),
}
st.session_state.pages = PAGES  # so pages can link to each other with st.page_link
# The default page is served at "/" only; the same page answers at /home too (a link a teacher shares).
HOME_ALIAS = st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", url_path="home", visibility="hidden")
# Presenter mode: the pages in the top bar, so the sidebar holds only what the teacher pinned.
page = st.navigation([*PAGES.values(), HOME_ALIAS], position="top" if presenter.active() else "sidebar")
if not presenter.active():
    join_box(expanded=page.url_path != "board")  # every page: a class link may open any of them
page.run()
