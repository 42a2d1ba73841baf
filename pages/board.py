"""Class board: a teacher starts a class and hands out its link; every run the students share appears here
as a live tile (samples, diagnosis, steps, settings), filtered by lesson and diagnosis, opened full-size."""

import streamlit as st

from gan_core.ui import board
from gan_core.ui.i18n import t

st.title(t("board.title"))
st.caption(t("board.caption"))
code, key = board.class_picker()
if code:
    source, label = board.filters()
    board.live_board(code, key, source, label)
    board.open_tile(code, key)
