"""Stability map: where GAN training works over a grid of two settings, several seeds per cell."""

import streamlit as st

from gan_core.ui import stability as ui
from gan_core.ui.i18n import t

st.title(t("stab.title"))
st.caption(t("stab.caption"))
lessons, own = st.tabs([t("stab.tab_lessons"), t("stab.tab_own")])
with lessons:
    maps = ui.lesson_maps()
    if maps:
        name = st.selectbox(t("stab.map"), list(maps), key="stab_map", format_func=lambda n: ui.text_or(f"stab.map.{n}", n))
        st.markdown(ui.text_or(f"stab.about.{name}", ""))
        ui.show_map(maps[name], "lesson")
        st.caption(t("stab.command", command=maps[name].get("command", "")))
        ui.open_in_playground(maps[name], "lesson")
    else:
        st.info(t("stab.no_maps"))
with own:
    ui.sweep_form()
    ui.live_map()
