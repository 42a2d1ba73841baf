"""Home: what a GAN is, the correct formulas, and the way into each page."""

import streamlit as st

from gan_core.ui.i18n import md, t

st.title(t("home.title"))
st.markdown(md("home"))

st.subheader(t("home.start"))
for name in st.session_state.pages:
    if name != "home":
        st.page_link(st.session_state.pages[name], label=t(f"nav.{name}"), icon=":material/arrow_forward:")
