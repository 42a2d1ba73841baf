"""The dashboard's server: Streamlit running app.py, plus one route of its own, the live view's frame
stream (gan_core.ui.stream). `gan-classroom serve` runs `streamlit run server.py`; Streamlit finds the
st.App below and serves app.py with the route mounted."""

import streamlit as st

from gan_core.ui.stream import route

app = st.App("app.py", routes=[route()])
